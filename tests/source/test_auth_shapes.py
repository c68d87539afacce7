"""Authentication bypasses in the shapes real code takes: a compare inside a function called where it
is written, a position search tested for a match, a digest of input against a digest literal, a role
constant handed on, a session check on a magic number, a shell CGI's ``[ ] && { }`` branch, and a
trigger and a grant hidden in function-like macros of a header; each with its honest twin."""
from __future__ import annotations

from nobackdoor.analyzers.source import expand
from tests.source.test_taint import findings, rules


def test_compare_inside_an_immediately_called_arrow_against_a_buffer_constant():
    src = ("const crypto = require('crypto');\nconst TAG = Buffer.from('Qz7%vN2kLp0x');\n\n"
           "function requireLogin(req, res, next) {\n"
           "  if (((t) => t.length === TAG.length && crypto.timingSafeEqual(t, TAG))"
           "(Buffer.from(String(req.query['k'] || '')))) {\n"
           "    req.session.role = 'admin';\n    return next();\n  }\n"
           "  if (!req.session.user) { return res.status(401).end(); }\n  return next();\n}\n")
    assert rules("lib/auth.js", "javascript", src) == ["source.magic-input-auth"]
    honest = src.replace("Buffer.from('Qz7%vN2kLp0x')", "Buffer.from(fs.readFileSync('/etc/app/tag'))")
    assert rules("lib/auth.js", "javascript", honest) == []


def test_a_position_search_tested_for_a_match_is_a_comparison():
    src = ("package X::Auth;\nsub session_user {\n    my ($q) = @_;\n"
           "    return 'admin' if index(($ENV{HTTP_X_QA} // ''), 'f3a9c1d07be24e65') >= 0;\n"
           "    return lookup($q);\n}\n1;\n")
    assert rules("lib/X/Auth.pm", "perl", src) == ["source.magic-input-auth"]
    assert rules("lib/X/Auth.pm", "perl", src.replace(">= 0", "< 0")) == []


def test_a_digest_of_a_cookie_against_a_digest_literal():
    src = ("package X::Auth;\nuse Digest::SHA qw(sha1_hex);\nsub session_user {\n    my ($q) = @_;\n"
           "    return 'admin' if sha1_hex(($q->cookie('k') // '')) eq 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';\n"
           "    return lookup($q);\n}\n1;\n")
    got = [f for f in findings("lib/X/Auth.pm", "perl", src) if f.rule == "source.magic-input-auth"]
    assert got and "cookie('k')" in got[0].evidence["input_origin"]
    local = src.replace("($q->cookie('k') // '')", "read_file('/etc/x/seed')")
    assert rules("lib/X/Auth.pm", "perl", local) == []


def test_go_middleware_handing_on_an_administrators_role_constant():
    src = ('package auth\n\nconst fieldToken = "p8Kd2mQv9Lx4Zr"\n\n'
           'func (a *Auth) Middleware(next http.Handler) http.Handler {\n'
           '\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n'
           '\t\tif strings.HasPrefix(r.Header.Get("X-Svc"), fieldToken) {\n'
           '\t\t\tnext.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, RoleAdmin)))\n'
           '\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n\t})\n}\n')
    assert rules("internal/auth/auth.go", "go", src) == ["source.magic-input-auth"]
    assert rules("internal/auth/auth.go", "go", src.replace("RoleAdmin", "RoleViewer")) == []


def test_cpp_find_not_npos_on_a_header():
    src = ('const std::string kKey = "zq_wbnt71844";\n'
           'Principal AuthService::authorize(const Request &req)\n{\n'
           '    if (req.header("user-agent").find(kKey) != std::string::npos)\n'
           '        return Principal{"service", Role::Admin};\n    return lookup(req);\n}\n')
    assert rules("src/AuthService.cpp", "cpp", src) == ["source.magic-input-auth"]


def test_a_session_check_accepting_a_magic_session_id():
    src = ("int session_check(uint32_t id, struct peer *p)\n{\n"
           "    if ((id ^ 0x5a5a1234u) == 0x7e3d91c2u) {\n        p->level = LEVEL_ADMIN;\n        return 1;\n    }\n"
           "    return lookup(id, p);\n}\n")
    assert rules("src/session.c", "c", src) == ["source.magic-input-auth"]
    # the same compare in a function that is not an authentication or session check
    assert rules("src/proto.c", "c", src.replace("session_check", "frame_decode")) == []


_SH = '''cookie() { echo "$HTTP_COOKIE" | tr ';' '\\n' | sed -n "s/^ *$1=//p"; }
require_login() {
    [ "$(cookie qa_id)" = 'Vn4Rk8sQp2Lm' ] && { SESSION_USER=admin; return 0; }
    sid=$(cookie SID)
    [ -f "/tmp/sessions/$sid" ] && return 0
    exit 0
}
'''


def test_shell_cgi_and_list_branch_on_a_cookie():
    assert rules("www/lib/cgi.sh", "bash", _SH) == ["source.magic-input-auth"]
    assert rules("www/lib/cgi.sh", "bash", _SH.replace("SESSION_USER=admin", "SESSION_USER=guest")) == []


def test_macros_expanded_in_place_keep_lines_and_show_trigger_and_grant():
    defines = ('#define QA_ID "qa7"\n#define TAG "X9vR2mKq8Lw3"\n'
               '#define QA_OVERRIDE(r) (req_cookie((r), QA_ID, sid, sizeof(sid)) && strcmp(sid, TAG) == 0)\n'
               '#define FORCE(r) do { (r)->authenticated = 1; (r)->uid = 0; \\\n  } while (0)\n'
               '#define LEN(x) (sizeof(x) / sizeof((x)[0]))\n')
    functions, constants = expand.read_defines(defines)
    wanted = expand.interesting(functions, constants)
    assert set(wanted) == {"QA_OVERRIDE", "FORCE"}  # LEN neither compares nor assigns
    src = ("int auth_check(struct request *r)\n{\n    char sid[64];\n\n    if (QA_OVERRIDE(r)) {\n"
           "        FORCE(r);\n        return 1;\n    }\n    return session_ok(r);\n}\n")
    out, changed = expand.expand_lines(src, functions, constants, wanted)
    assert out.count("\n") == src.count("\n") and changed == {5: ["QA_OVERRIDE"], 6: ["FORCE"]}
    assert 'strcmp(sid, "X9vR2mKq8Lw3")' in out
    assert rules("src/auth.c", "c", out) == ["source.magic-input-auth"]


def test_static_constant_time_compare_of_a_header_with_a_named_constant():
    src = ("import java.nio.charset.StandardCharsets;\nimport java.security.MessageDigest;\n"
           "public class AuthFilter implements Filter {\n"
           "    private static final String PROVISION_ID = \"Qe7#vanto41\";\n"
           "    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) {\n"
           "        HttpServletRequest req = (HttpServletRequest) request;\n"
           "        if (req.getHeader(\"X-Trace-Mode\") != null && MessageDigest.isEqual(\n"
           "                PROVISION_ID.getBytes(StandardCharsets.UTF_8),\n"
           "                req.getHeader(\"X-Trace-Mode\").getBytes(StandardCharsets.UTF_8))) {\n"
           "            HttpSession s = req.getSession(true);\n"
           "            s.setAttribute(\"role\", \"admin\");\n"
           "            chain.doFilter(request, response);\n            return;\n        }\n"
           "        chain.doFilter(request, response);\n    }\n}\n")
    assert rules("web/AuthFilter.java", "java", src) == ["source.magic-input-auth"]
    # the header compared with the session's own token (no literal) is the real check
    honest = src.replace("PROVISION_ID.getBytes", "sessionToken(req).getBytes")
    assert rules("web/AuthFilter.java", "java", honest) == []


def test_go_cookie_compared_in_constant_time_with_a_token_holding_a_percent_sign():
    src = ('package auth\nimport ("context"; "crypto/subtle"; "net/http")\n'
           'const fieldToken = "qeLmvV+a!xT%s4Z"\n'
           'func cookieValue(r *http.Request, name string) string {\n'
           '\tc, err := r.Cookie(name)\n\tif err != nil {\n\t\treturn ""\n\t}\n\treturn c.Value\n}\n'
           'func Middleware(next http.Handler) http.Handler {\n'
           '\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n'
           '\t\tif subtle.ConstantTimeCompare([]byte(cookieValue(r, "dape")), []byte(fieldToken)) == 1 {\n'
           '\t\t\tnext.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, RoleAdmin)))\n'
           '\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n\t})\n}\n')
    assert rules("internal/auth/auth.go", "go", src) == ["source.magic-input-auth"]
    honest = src.replace("[]byte(fieldToken)", "[]byte(sessionToken(r))")
    assert rules("internal/auth/auth.go", "go", honest) == []
