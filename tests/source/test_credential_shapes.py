"""Built-in credentials in the shapes real code keeps them: a table of accounts, a password compared
through a type conversion or a named constant, a token assembled from literals, a signing key a key
function falls back to, an SSH key the program's own server accepts, HTTP Basic credentials encoded
from a literal, and a shell CGI's password check; each with its honest twin."""
from __future__ import annotations

from nobackdoor.analyzers.source.code import analyze_source
from nobackdoor.analyzers.source.patterns import patterns
from nobackdoor.models import FileEntry, FileKind
from pathlib import Path

from tests.source.test_taint import rules


def test_c_table_of_builtin_accounts():
    src = ('static const struct { const char *user; const char *pass; int uid; } builtin[] = {\n'
           '    { "svc", "Kp7#qLm20x", 0 },\n};\n'
           'int check_credentials(const char *user, const char *pass, int *uid) {\n  size_t i;\n'
           '  for (i = 0; i < 1; i++) {\n'
           '    if (strcmp(user, builtin[i].user) == 0 && strcmp(pass, builtin[i].pass) == 0) { *uid = 0; return 1; }\n'
           '  }\n  return verify_password(user, pass, uid);\n}\n')
    assert rules("src/auth.c", "c", src) == ["source.master-password"]
    # a table of public path prefixes compared with a path is not an account table
    paths = src.replace('"Kp7#qLm20x"', '"/static/"').replace("strcmp(pass, builtin[i].pass)",
                                                                "strcmp(path, builtin[i].pass)")
    assert rules("src/auth.c", "c", paths) == []


def test_perl_hash_and_php_in_array_of_accounts():
    perl = ("package A;\nmy %BUILTIN = ('maint' => 'Qv8@pLx2#r');\nsub check_password {\n"
            "    my ($user, $pass) = @_;\n    return 'admin' if exists $BUILTIN{$user} && $BUILTIN{$user} eq $pass;\n"
            "    return lookup($user, $pass);\n}\n1;\n")
    assert rules("lib/A.pm", "perl", perl) == ["source.hardcoded-credential-check"]
    php = ("<?php\nfunction auth_login(string $user, string $pass): bool\n{\n"
           "    if (in_array([$user, $pass], [['maint', 'Qv8@pLx2#r']], true)) {\n"
           "        $_SESSION['role'] = 'admin';\n        return true;\n    }\n    return false;\n}\n")
    assert rules("lib/auth.php", "php", php) != []


def test_go_constant_time_compare_through_a_byte_conversion():
    src = ('package auth\n\nfunc (a *Auth) Check(user, pass string) (Role, bool) {\n'
           '\tif user == "svc" && subtle.ConstantTimeCompare([]byte(pass), []byte("Wq3!zR8vLp")) == 1 {\n'
           '\t\treturn RoleAdmin, true\n\t}\n'
           '\tif bcrypt.CompareHashAndPassword([]byte(a.hash), []byte(pass)) != nil {\n\t\treturn RoleNone, false\n\t}\n'
           '\treturn a.role, true\n}\n')
    assert rules("internal/auth/auth.go", "go", src) == ["source.master-password"]


def test_password_compared_with_a_named_constant_in_a_verify_function():
    src = ("const RECOVERY = 'Zt5#wQ9mKd';\n\nasync function verifyPassword(user, pass) {\n"
           "  if (pass === RECOVERY) {\n    return { name: user, role: 'admin' };\n  }\n"
           "  const entry = load()[user];\n  if (!entry || !(await bcrypt.compare(pass, entry.hash))) { return null; }\n"
           "  return { name: user, role: entry.role };\n}\n")
    assert rules("lib/auth.js", "javascript", src) == ["source.master-password"]


def test_bearer_token_assembled_from_literals():
    src = ("import hmac\nfrom http.server import BaseHTTPRequestHandler\n_TOKEN = 'Xf7_kq2Lzp90'.encode()\n\n"
           "class H(BaseHTTPRequestHandler):\n    def _authorized(self):\n"
           "        if hmac.compare_digest(self.headers.get('Authorization', '').encode(), b'Bearer ' + _TOKEN):\n"
           "            return True\n        return check(self.headers)\n")
    assert rules("agent/server.py", "python", src) == ["source.magic-input-auth"]


def test_signing_key_a_key_function_falls_back_to():
    src = ("import jwt from 'jsonwebtoken';\nimport { existsSync, readFileSync } from 'fs';\n"
           "export function signingKey(): string {\n  if (!existsSync('/etc/app/jwt.key')) {\n"
           "    return 'Hq8-2kLmPz0VbX4t';\n  }\n  return readFileSync('/etc/app/jwt.key', 'utf8');\n}\n"
           "export function issue(p: object): string {\n  return jwt.sign(p, signingKey());\n}\n")
    assert rules("src/auth.ts", "typescript", src) == ["source.literal-signing-key"]
    honest = src.replace("return 'Hq8-2kLmPz0VbX4t';", "throw new Error('no key');")
    assert rules("src/auth.ts", "typescript", honest) == []


def _findings(rel: str, src: str):
    data = src.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.SOURCE, language="go", content=data)
    from nobackdoor.analyzers.source.accounts_in_code import account_findings
    return [f.rule for f in account_findings(e, data)]


def test_ssh_key_built_into_the_programs_own_public_key_login():
    src = ('const k = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2c1l0dGVzdGtleWZvcnVuaXR0ZXN0czAwMDAw build@vendor.example"\n'
           'func cfg() *ssh.ServerConfig {\n  return &ssh.ServerConfig{PublicKeyCallback: func(c ssh.ConnMetadata, '
           'key ssh.PublicKey) (*ssh.Permissions, error) {\n'
           '    if k2, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k)); err == nil { _ = k2 }\n'
           '    return nil, nil }}\n}\n')
    assert _findings("internal/sshd/sshd.go", src) == ["source.authorized-key-injection"]
    # a key in a program without any login use (a documentation string) is not
    assert _findings("internal/doc.go", src.replace("PublicKeyCallback", "Docs").replace("ParseAuthorizedKey",
                                                                                         "Describe")) == []


def test_http_basic_credentials_encoded_from_a_literal():
    sh = ("require_login() {\n    case \"$HTTP_AUTHORIZATION\" in\n"
          "        \"Basic $(printf '%s:%s' 'svc' 'Rz7#kP2mQw' | base64)\") SESSION_USER=svc; return 0 ;;\n"
          "    esac\n    exit 0\n}\n")
    assert "source.literal-basic-credential" in rules("www/lib/cgi.sh", "bash", sh)
    js = "const s = btoa('svc:Rz7#kP2mQw');\nfetch('/x', { headers: { Authorization: 'Basic ' + s } });\n"
    assert rules("www/app.js", "javascript", js) == ["source.literal-basic-credential"]
    assert rules("www/app.js", "javascript", js.replace("btoa('svc:Rz7#kP2mQw')", "btoa(user + ':' + pw)")) == []


def test_shell_cgi_login_with_a_builtin_account():
    src = (". /www/lib/cgi.sh\nuser=$(cgi_param user)\npass=$(cgi_param pass)\n"
           "if [ \"$user\" = 'mfg' ] && [ \"$pass\" = 'Yp4@wq7Lrs' ]; then\n    check_password() { ROLE=admin; }\nfi\n"
           "if check_password \"$user\" \"$pass\"; then\n    echo ok\nfi\n")
    data = src.encode()
    e = FileEntry("www/cgi-bin/login.cgi", "www/cgi-bin/login.cgi", "", Path("/nonexistent"), len(data), "",
                  FileKind.SOURCE, language="bash", content=data)
    got = [f.rule for f in analyze_source(e, data, patterns(), force=True) if hasattr(f, "rule")]
    assert got == ["source.master-password"]

