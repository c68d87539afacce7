"""Boot and service graph: what a device starts, and shells it hands out without authentication.

Entry points: inittab (BusyBox ``tty::action:process`` and SysV ``id:rl:action:process``), ``/init`` and
``linuxrc`` scripts of initramfs images, rcS and ``init.d`` scripts (loops over ``S??*`` are expanded
against the tree), OpenWrt ``rc.d`` links and procd ``procd_set_param command``, SysV ``rc?.d``,
``rc.local``, systemd units (enabled through ``*.wants`` or shipped in ``/etc/systemd/system``),
inetd/xinetd, crontabs, hotplug scripts, mdev.conf and udev rules (``RUN``/``PROGRAM``/``IMPORT{program}``).
Sourced files and simple variables are followed by the shell reader. Every program started is an
``service`` observation (the reviewer's service table) with
the program path resolved in the tree (busybox applet links followed), and every port a
``listener`` observation. Findings: telnetd/netcat/socat giving a shell without login, SSH daemons
accepting empty passwords, shells or auto-login on consoles (debug interfaces), cron jobs running
scripts that download and run code. Console scripts (``getty -l``, inittab ``askconsole``, ``telnetd -l``)
are read for an unconditional ``exec`` of a shell or ``login -f`` (:mod:`.login_bypass`).
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from ..models import Finding, Observation, Severity
from ..ruleset import rule
from .base import Tree, TreeAnalyzer, TreeContext, normalize
from .config.knowledge import basename, knowledge
from .config.scripts import is_script, parsed, parsed_text, reached_scripts, script_paths
from .config.shell import Command, Pipeline, Script, option_value, short_flags, unwrap
from .config.shell_rules import Hit, daemon_port, fetch_and_run, is_shell_program, netcat_listen, remote_shells
from .login_bypass import unconditional_shell

DEFAULT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin"
SYSTEMD_DIRS = ("etc/systemd/system", "lib/systemd/system", "usr/lib/systemd/system")
#: getty templates that systemd-getty-generator instantiates for the kernel console without any *.wants link
GETTY_TEMPLATES = ("serial-getty@.service", "getty@.service", "console-getty.service")
#: udev rule directories, highest priority first (a file in an earlier one masks the same name later;
#: systemd udev(7)); programs named without a path are looked up in the udev library directories
UDEV_RULE_DIRS = ("etc/udev/rules.d", "run/udev/rules.d", "usr/local/lib/udev/rules.d", "lib/udev/rules.d",
                  "usr/lib/udev/rules.d")
UDEV_LIB_DIRS = ("lib/udev", "usr/lib/udev")
#: udev keys that run a program: RUN (not RUN{builtin}), PROGRAM, IMPORT{program}
_UDEV_KEY = re.compile(r'(?:^|,)\s*(RUN|PROGRAM|IMPORT)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"')
REMOTE_RULES = {"telnetd-shell": "services.telnetd-shell", "bind-shell": "services.bind-shell",
                "reverse-shell": "services.reverse-shell", "ssh-empty-password": "services.ssh-empty-password"}
BOOT_ACTIONS = {"sysinit": "boot", "wait": "boot", "once": "boot", "boot": "boot", "bootwait": "boot",
                "respawn": "respawn", "askfirst": "respawn", "askconsole": "respawn"}
#: documentation and example trees: scripts there are read by people, not run by the device
DOC_DIRS = re.compile(r"(^|/)usr/share/(doc|man|info|examples)/|(^|/)(examples?|samples?)/")
_CRON_LINE = re.compile(r"^\s*(@\w+|(?:\S+\s+){4}\S+)\s+(.*)$")


class ServicesAnalyzer(TreeAnalyzer):
    name = "services"
    order = 20

    def analyze(self, ctx: TreeContext) -> Iterator[Finding | Observation]:
        for tree in ctx.trees:
            # root filesystems; and the scripts of update packages and binaries (a hook appended to an
            # updater ELF has no boot path, its remote shells are still reported); not source trees
            if not tree.is_rootfs and ctx.options.target_kind in ("source", "release"):
                continue
            yield from BootGraph(ctx, tree).run()


class BootGraph:
    def __init__(self, ctx: TreeContext, tree: Tree) -> None:
        self.ctx = ctx
        self.tree = tree
        self.k = knowledge()
        self.reached: dict[str, str] = {}
        self.calls: dict[str, set[str]] = {}
        self.services: dict[tuple, dict[str, Any]] = {}
        self.out: list[Finding | Observation] = []
        self.seen_hits: set[tuple] = set()
        self.last_procd: dict[str, Any] | None = None
        self.console_seen: set[tuple] = set()

    # ------------------------------------------------------------ driver

    def run(self) -> list[Finding | Observation]:
        tree = self.tree
        inittab = tree.text("etc/inittab")
        if inittab is not None:
            self._inittab(inittab)
        elif tree.get("etc/init.d/rcS") is not None:
            self.walk("etc/init.d/rcS", "boot", ["start"], None)  # BusyBox init without inittab runs rcS
        for entry in ("init", "linuxrc", "etc/preinit", "etc/rc.local", "etc/rc.d/rc.local", "etc/init.d/rc.local",
                      "etc/rc", "etc/rc.sysinit", "etc/init.d/rcS"):
            if tree.get(entry) is not None and is_script(tree, entry):
                if entry in ("init", "linuxrc"):  # pid 1 of an initramfs owns the console
                    self._console_script("/" + entry, "the kernel as pid 1", "console", "init")
                self.walk(entry, "boot", ["start"], None)
        for rel in sorted(tree.files):
            d, base = posixpath.split(rel)
            if (d == "etc/rc.d" or re.fullmatch(r"etc/rc[0-6S]\.d|etc/rc\.d/rc[0-6S]\.d", d)) and base.startswith("S"):
                if is_script(tree, rel):
                    self.walk(rel, "boot", ["start"], None)
        self._systemd()
        self._inetd()
        self._xinetd()
        self._cron()
        self._hotplug()
        self._udev()
        self._unreached()
        self._configs()
        reached_scripts(self.ctx)[self.tree.root] = dict(self.reached)
        listeners: set[tuple] = set()
        for data in self.services.values():
            self.out.append(Observation("service", tree.path_of(data.pop("_file")), data))
            key = (data.get("port"), data.get("protocol") or "tcp", data.get("program_path") or data["program"])
            if data.get("port") and key not in listeners:
                listeners.add(key)
                self.out.append(Observation("listener", tree.path_of(data["source"].rsplit(":", 1)[0]), {
                    "port": data["port"], "protocol": data.get("protocol") or "tcp",
                    "program_path": data.get("program_path"), "source": "config", "service_source": data["source"]}))
        return self.out

    # ------------------------------------------------------------ scripts

    def walk(self, relpath: str, trigger: str, args: list[str], caller: str | None, depth: int = 0) -> None:
        entry = self.tree.resolve(relpath)
        if entry is None:
            return
        rel = entry.relpath
        if caller is not None:
            self.calls.setdefault(caller, set()).add(rel)
        if rel in self.reached or depth > 12:
            return
        self.reached[rel] = trigger
        script = parsed(self.ctx, self.tree, rel)
        if script is None:
            return
        self._remote_hits(script, rel, reachable=True, trigger=trigger)
        path_var = script.variables.get("PATH", DEFAULT_PATH)
        for cmd in script.commands():
            self._command(cmd, rel, trigger, path_var, depth)

    def _command(self, cmd: Command, rel: str, trigger: str, path_var: str, depth: int,
                 source: str | None = None, extra: dict[str, Any] | None = None) -> None:
        if cmd.substitution:
            return
        raw_argv = cmd.argv
        if raw_argv[:2] == ["procd_append_param", "command"] and self.last_procd is not None:
            # OpenWrt procd: the command line is built over several calls; check the whole of it again
            self.last_procd["args"].extend(raw_argv[2:])
            self._refresh_port(self.last_procd)
            whole = Command([self.last_procd["program"]] + self.last_procd["args"], cmd.line, cmd.file, via=cmd.via)
            self._remote_hits(Script(pipelines=[Pipeline([whole])]), rel, reachable=True, trigger=trigger)
            return
        argv = unwrap(raw_argv)
        if not argv or "$" in argv[0] or not argv[0]:
            return
        name = basename(argv[0])
        on_console = None
        if name == "cttyhack" and len(argv) > 1:  # BusyBox: run the program on the real console
            argv = unwrap(argv[1:])
            if not argv:
                return
            name, on_console = basename(argv[0]), "console"
        if self.k.is_shell(name):
            if "-c" in argv:
                return  # parsed as nested commands already
            script_arg = next((a for a in argv[1:] if not a.startswith("-")), None)
            if script_arg:
                path, _ = self._resolve(script_arg, path_var)
                if path and is_script(self.tree, path):
                    self.walk(path, trigger, argv[2:], rel, depth + 1)
            else:
                self._script_console_shell(cmd, argv[0], rel, trigger, on_console)
            return
        if name in ("getty", "agetty", "mingetty") and trigger in ("boot", "respawn"):
            tty = next((a.removeprefix("/dev/") for a in argv[1:] if a and self.k.is_console_tty(a)), None)
            self._getty(argv, cmd.line, tty, trigger, file=cmd.file or rel)
        if name in self.k.utilities or name in (".", "source") or name.startswith(("procd_", "json_", "config_", "uci_")):
            return
        path, resolved = self._resolve(argv[0], path_var)
        if path and is_script(self.tree, path):
            self.walk(path, trigger, argv[1:], rel, depth + 1)
            return
        if cmd.branch and re.search(r"stop|restart|reload|shutdown|status|usage", cmd.branch) and "start" not in cmd.branch \
                and not re.search(r"boot|\*", cmd.branch):
            return
        if "/" not in argv[0] and path is None and not self._known(name):
            return  # a shell function or a program the image does not have
        self._service(cmd, argv, path, resolved, trigger, source or f"{cmd.file or rel}:{cmd.line}",
                      cmd.file or rel, extra, raw_argv)

    def _known(self, name: str) -> bool:
        return name in self.k.daemons or name in self.k.netcats or name in ("socat", "getty", "agetty")

    def _resolve(self, prog: str, path_var: str) -> tuple[str | None, str | None]:
        if prog.startswith("/"):
            cands = [normalize(prog)]
        elif "/" in prog:
            cands = [normalize(prog)]
        else:
            cands = [f"{d.strip('/')}/{prog}" for d in (path_var or DEFAULT_PATH).split(":") if d.strip("/")]
            cands += [f"{d.strip('/')}/{prog}" for d in DEFAULT_PATH.split(":")]
        for c in cands:
            if self.tree.get(c) is not None:
                r = self.tree.resolve(c)
                return c, (r.relpath if r is not None else None)
        return None, None

    def _service(self, cmd: Command | None, argv: list[str], path: str | None, resolved: str | None, trigger: str,
                 source: str, file: str, extra: dict[str, Any] | None, raw_argv: list[str] | None = None) -> dict:
        name = basename(argv[0])
        data: dict[str, Any] = {
            "program": argv[0], "program_path": resolved or path, "args": list(argv[1:]), "trigger": trigger,
            "source": source, "port": None, "protocol": None, "shell": False, "login": False,
        }
        if path and resolved and resolved != path:
            data["link_path"] = path
        if cmd is not None and cmd.via:
            data["decoded_via"] = list(cmd.via)
        if extra:
            data.update(extra)
        self._refresh_port(data)
        if name in ("telnetd", "utelnetd", "in.telnetd"):
            prog = option_value(argv[1:], "-l")
            data["shell"] = True
            data["login"] = not is_shell_program(prog)
            grant = self._script_grant(prog) if prog and data["login"] else None
            if grant and trigger in ("boot", "respawn", "inetd", "systemd", "hotplug"):
                data["login"] = False
                script_rel, g = grant
                line = int(source.rsplit(":", 1)[1]) if source.rsplit(":", 1)[-1].isdigit() else None
                self.out.append(rule("services.telnetd-shell").finding(
                    self.tree.path_of(file), f"telnetd ({trigger}) on tcp port {data['port'] or 23} runs {prog}, which "
                    f"runs '{g.command}' (line {g.line}) without asking for a password", line=line,
                    evidence={"program": prog, "script": self.tree.path_of(script_rel), "script_line": g.line,
                              "port": data["port"] or 23, "trigger": trigger, "user": g.user}))
        elif name in self.k.netcats:
            listens, port, prog, _ = netcat_listen(argv)
            if listens:
                data["port"], data["protocol"] = port, "udp" if "u" in short_flags(argv[1:]) else "tcp"
            if prog:
                data["shell"] = is_shell_program(prog)
        elif name in ("dropbear", "sshd"):
            data["shell"] = True
            data["login"] = "B" not in short_flags(argv[1:])
        elif name in self.k.login_programs:
            data["shell"] = True
            data["login"] = True
        key = (data["program"], tuple(data["args"]), data["source"])
        if key in self.services:
            return self.services[key]
        data["_file"] = file
        self.services[key] = data
        if raw_argv and raw_argv[:1] == ["procd_set_param"]:
            self.last_procd = data
        if name in ("telnetd", "utelnetd", "in.telnetd") and data["login"] and trigger in ("boot", "respawn", "inetd", "systemd"):
            line = int(source.rsplit(":", 1)[1]) if source.rsplit(":", 1)[-1].isdigit() else None
            self.out.append(rule("services.telnet-login").finding(
                self.tree.path_of(file), f"telnet service started ({trigger}) on tcp port {data['port']}: login required, "
                f"but passwords cross the network in clear text", line=line,
                evidence={"program": argv[0], "args": data["args"], "port": data["port"], "trigger": trigger}))
        return data

    def _refresh_port(self, data: dict[str, Any]) -> None:
        argv = [data["program"]] + list(data["args"])
        port, proto = daemon_port(argv)
        if port:
            data["port"], data["protocol"] = port, proto

    def _remote_hits(self, script: Script, rel: str, reachable: bool, trigger: str | None, at: str | None = None,
                     line: int | None = None) -> None:
        for hit in remote_shells(script):
            self._emit_hit(hit, rel, reachable, trigger, at, line)

    def _emit_hit(self, hit: Hit, rel: str, reachable: bool, trigger: str | None, at: str | None = None,
                  line: int | None = None) -> None:
        file = at or hit.file or rel
        ln = line if line is not None else hit.line
        key = (hit.kind, file, ln, hit.message)
        if key in self.seen_hits:
            return
        self.seen_hits.add(key)
        r = rule(REMOTE_RULES[hit.kind])
        evidence = dict(hit.evidence)
        evidence["trigger"] = trigger or "none found"
        if hit.via:
            evidence["decoded_via"] = list(hit.via)
        message = hit.message
        severity = None
        if reachable:
            message += f" (started: {trigger})"
        elif DOC_DIRS.search(file):
            message += " (in documentation or examples; nothing starts it)"
            severity = Severity.LOW
        else:
            message += " (no boot, cron or inetd path to it was found)"
            severity = Severity.HIGH if r.severity == Severity.CRITICAL else None
        if hit.via:
            message += f" [inside {hit.via[-1]}]"
        self.out.append(r.finding(self.tree.path_of(file), message, line=ln, evidence=evidence, severity=severity))

    def _unreached(self) -> None:
        for rel in script_paths(self.tree):
            if rel in self.reached:
                continue
            script = parsed(self.ctx, self.tree, rel)
            if script is not None:
                self._remote_hits(script, rel, reachable=False, trigger=None)

    # ------------------------------------------------------------ inittab

    def _inittab(self, text: str) -> None:
        for lineno, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            parts = s.split(":", 3)
            if len(parts) < 4:
                continue
            ident, _runlevels, action, process = parts
            trigger = BOOT_ACTIONS.get(action.strip())
            if trigger is None or not process.strip():
                continue
            script = parsed_text(self.ctx, self.tree, process, f"inittab:{lineno}")
            cmds = [c for c in script.commands() if not c.substitution]
            if not cmds:
                continue
            argv = unwrap(cmds[0].argv)
            if not argv:
                continue
            prog = argv[0].lstrip("-")
            tty = self._inittab_tty(ident, argv)
            source = f"etc/inittab:{lineno}"
            if self.k.is_shell(prog) and not any(not a.startswith("-") for a in argv[1:]):
                self._console_shell(lineno, tty, action, f"{prog} started by init on {tty or 'the console'} "
                                    f"({action}) without any login", {"program": prog, "tty": tty or "console"})
                path, resolved = self._resolve(prog, DEFAULT_PATH)
                self._service(cmds[0], [prog] + argv[1:], path, resolved, trigger, source, "etc/inittab",
                              {"tty": tty or "console", "shell": True, "login": False})
                continue
            name = basename(prog)
            if name in ("getty", "agetty", "mingetty", "mgetty"):
                self._getty(argv, lineno, tty, action)
            elif name == "login" and option_value(argv[1:], "-f"):
                user = option_value(argv[1:], "-f")
                self._console_shell(lineno, tty, action, f"login -f logs '{user}' in on {tty or 'the console'} "
                                    f"without a password", {"program": prog, "autologin": user, "tty": tty or "console"})
            path, resolved = self._resolve(prog, DEFAULT_PATH)
            if path and is_script(self.tree, path):
                if trigger == "respawn":  # askfirst/askconsole/respawn: the script owns a console
                    self._console_script(prog, f"/etc/inittab:{lineno}", tty or "console", action)
                self.walk(path, trigger, argv[1:], "etc/inittab")
                continue
            data = self._service(cmds[0], [prog] + argv[1:], path, resolved, trigger, source, "etc/inittab",
                                 {"tty": tty} if tty else None)
            if name in self.k.login_programs:
                data["shell"], data["login"] = True, True
            self._remote_hits(script, "etc/inittab", reachable=True, trigger=trigger, at="etc/inittab", line=lineno)

    def _inittab_tty(self, ident: str, argv: list[str]) -> str | None:
        ident = ident.strip()
        if ident and self.k.is_console_tty(ident):
            return ident
        for a in argv[1:]:
            if self.k.is_console_tty(a) and a:
                return a.removeprefix("/dev/")
        return ident or None

    def _script_console_shell(self, cmd: Command, prog: str, rel: str, trigger: str, tty: str | None) -> None:
        """A boot script starts an interactive shell with its input on a console: ``sh </dev/ttyS1 >... &``."""
        if tty is None:
            tty = next((t.removeprefix("/dev/") for op, t in cmd.redirects
                        if op in ("<", "<>") and t.startswith("/dev/") and self.k.is_console_tty(t)), None)
        if tty is None or trigger not in ("boot", "respawn"):
            return
        file = cmd.file or rel
        self._console_shell(cmd.line, tty, trigger, f"boot script runs {prog} on {tty} without any login",
                            {"program": prog, "tty": tty}, file=file)

    def _getty(self, argv: list[str], lineno: int, tty: str | None, action: str, file: str = "etc/inittab") -> None:
        args = argv[1:]
        login_prog = option_value(args, "-l", "--login-program")
        autologin = option_value(args, "-a", "--autologin")
        skip_login = "n" in short_flags(args) or "--skip-login" in args
        if login_prog and is_shell_program(login_prog):
            self._console_shell(lineno, tty, action, f"getty on {tty or 'the console'} runs '{login_prog}' instead "
                                f"of login{' without asking for a user name' if skip_login else ''}",
                                {"program": argv[0], "login_program": login_prog, "tty": tty}, file=file)
        elif autologin:
            self._console_shell(lineno, tty, action, f"getty on {tty or 'the console'} logs '{autologin}' in "
                                f"automatically, without a password", {"program": argv[0], "autologin": autologin,
                                                                       "tty": tty}, file=file)
        else:
            self._getty_login_options(argv, lineno, tty, action, file)

    def _console_shell(self, lineno: int, tty: str | None, action: str, message: str, evidence: dict,
                       file: str = "etc/inittab") -> None:
        if (file, lineno) in self.console_seen:
            return  # a getty template reached both through its instance and through the generator
        self.console_seen.add((file, lineno))
        evidence = dict(evidence, action=action)
        self.out.append(rule("services.console-shell").finding(self.tree.path_of(file), message, line=lineno,
                                                                 evidence=evidence))

    # ------------------------------------------------------------ systemd

    def _systemd(self) -> None:
        units: dict[str, str] = {}  # unit name -> relpath of its file (first directory wins)
        for d in SYSTEMD_DIRS:
            for rel in self.tree.files:
                if posixpath.dirname(rel) == d and rel.endswith((".service", ".socket")):
                    units.setdefault(posixpath.basename(rel), rel)
        enabled: dict[str, str] = {}
        for rel, entry in self.tree.files.items():
            d = posixpath.dirname(rel)
            if d.startswith(SYSTEMD_DIRS) and d.endswith((".wants", ".requires")) and rel.endswith((".service", ".socket")):
                enabled.setdefault(posixpath.basename(rel), rel)
        for name, rel in units.items():
            if rel.startswith("etc/systemd/system/") and not self.tree.files[rel].kind.value == "symlink":
                enabled.setdefault(name, rel)
            if name in GETTY_TEMPLATES:  # started by systemd-getty-generator for the kernel console
                enabled.setdefault(name, rel)
        dropins = self._dropins()
        for name in dropins:
            if "getty" in name:  # a drop-in for a console getty changes what the generator starts
                enabled.setdefault(name, dropins[name][0])
        # instances before templates: a template started by the generator repeats what an instance reported
        for name in sorted(enabled, key=lambda n: ("@." in n, n)):
            template, instance = name, ""
            m = re.match(r"^(.+)@(.+)(\.service|\.socket)$", name)
            if m:
                template, instance = f"{m.group(1)}@{m.group(3)}", m.group(2)
            rel = units.get(name) or units.get(template)
            if rel is None:
                entry = self.tree.resolve(enabled[name])
                rel = entry.relpath if entry is not None else None
            if rel is None:
                continue
            text = self.tree.text(rel)
            if text is None:
                continue
            if name.endswith(".socket"):
                self._socket_unit(name, rel, text, units)
            else:
                extra = dropins.get(template, []) + dropins.get(name, []) if template != name else dropins.get(name, [])
                self._service_unit(rel, text, instance, dropins=[d for d in extra if d != rel])

    def _dropins(self) -> dict[str, list[str]]:
        """unit name -> its ``*.conf`` drop-ins (``/etc`` masks a same-named file of ``/lib``), by file name."""
        by_unit: dict[str, dict[str, str]] = {}
        for rel in self.tree.files:
            d, base = posixpath.split(rel)
            parent, unit_dir = posixpath.split(d)
            if parent in SYSTEMD_DIRS and unit_dir.endswith((".service.d", ".socket.d")) and base.endswith(".conf"):
                unit = unit_dir[:-2]
                current = by_unit.setdefault(unit, {}).get(base)
                if current is None or SYSTEMD_DIRS.index(parent) < SYSTEMD_DIRS.index(posixpath.dirname(
                        posixpath.dirname(current))):
                    by_unit[unit][base] = rel
        return {unit: [files[b] for b in sorted(files)] for unit, files in by_unit.items()}

    def _unit_values(self, text: str) -> list[tuple[int, str, str, str]]:
        out = []
        section = ""
        for lineno, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            if s.startswith("["):
                section = s.strip("[]")
                continue
            if "=" in s:
                k, v = s.split("=", 1)
                out.append((lineno, section, k.strip(), v.strip()))
        return out

    def _effective_values(self, rel: str, text: str, dropins: list[str]) -> list[tuple[str, int, str, str, str]]:
        """(file, line, section, key, value) of a unit and its drop-ins, in systemd's order: drop-ins after
        the unit, and an empty ``ExecStart=`` clears the commands set before it (systemd.unit(5))."""
        out: list[tuple[str, int, str, str, str]] = []
        for file, body in [(rel, text)] + [(d, self.tree.text(d) or "") for d in dropins]:
            for lineno, section, key, value in self._unit_values(body):
                if key.startswith("ExecStart") and value == "":
                    out = [v for v in out if v[3] != key]
                    continue
                out.append((file, lineno, section, key, value))
        return out

    def _service_unit(self, rel: str, text: str, instance: str, trigger: str = "systemd",
                      dropins: list[str] | None = None) -> None:
        values = self._effective_values(rel, text, dropins or [])
        tty = next((v for _, _, sec, k, v in values if k == "TTYPath"), None)
        std_tty = any(k == "StandardInput" and v.startswith("tty") for _, _, _, k, v in values)
        for rel, lineno, section, key, value in values:
            if section != "Service" or key not in ("ExecStart", "ExecStartPre", "ExecStartPost"):
                continue
            cmdline = value.lstrip("-@:+!").replace("%I", instance).replace("%i", instance)
            script = parsed_text(self.ctx, self.tree, cmdline, f"{rel}:{lineno}")
            cmds = [c for c in script.commands() if not c.substitution]
            if not cmds:
                continue
            argv = unwrap(cmds[0].argv)
            if not argv:
                continue
            prog = argv[0]
            name = basename(prog)
            if self.k.is_shell(name) and not any(not a.startswith("-") for a in argv[1:]) and (tty or std_tty):
                t = (tty or instance or "console").removeprefix("/dev/")
                self._console_shell(lineno, t, "systemd", f"systemd unit runs {prog} on {t} without any login",
                                    {"program": prog, "tty": t}, file=rel)
            if name in ("getty", "agetty", "mingetty"):
                self._getty_in(argv, lineno, instance or tty, rel)
            elif name == "login" and option_value(argv[1:], "-f"):
                user = option_value(argv[1:], "-f")
                t = (tty or instance or "console").removeprefix("/dev/")
                self._console_shell(lineno, t, "systemd", f"systemd unit runs login -f: '{user}' is logged in on {t} "
                                    f"without a password", {"program": prog, "autologin": user, "tty": t}, file=rel)
            path, resolved = self._resolve(prog, DEFAULT_PATH)
            if path and is_script(self.tree, path):
                if tty or std_tty:
                    self._console_script(prog, f"/{rel}:{lineno}", (tty or instance or "console").removeprefix("/dev/"),
                                         "systemd")
                self.walk(path, trigger, argv[1:], rel)
                continue
            self._service(cmds[0], argv, path, resolved, trigger, f"{rel}:{lineno}", rel, None)
            self._remote_hits(script, rel, reachable=True, trigger=trigger, at=rel, line=lineno)

    def _getty_in(self, argv: list[str], lineno: int, tty: str | None, rel: str) -> None:
        args = argv[1:]
        login_prog = option_value(args, "-l", "--login-program")
        autologin = option_value(args, "-a", "--autologin")
        if login_prog and is_shell_program(login_prog):
            self._console_shell(lineno, tty, "systemd", f"getty on {tty or 'a console'} runs '{login_prog}' instead of login",
                                {"program": argv[0], "login_program": login_prog, "tty": tty}, file=rel)
        elif autologin:
            self._console_shell(lineno, tty, "systemd", f"getty on {tty or 'a console'} logs '{autologin}' in "
                                f"automatically, without a password", {"program": argv[0], "autologin": autologin,
                                                                       "tty": tty}, file=rel)
        else:
            self._getty_login_options(argv, lineno, tty, "systemd", rel)

    def _getty_login_options(self, argv: list[str], lineno: int, tty: str | None, action: str, rel: str) -> None:
        """``agetty -o '-f root'`` (login told the user is already authenticated) and ``-l SCRIPT`` where the
        script always runs a shell or ``login -f``."""
        args = argv[1:]
        options = option_value(args, "-o", "--login-options")
        if options:
            words = options.split()
            user = option_value(words, "-f")
            if user is not None:
                shown = user if user and user != "--" else "the user name typed at the prompt"
                self._console_shell(lineno, tty, action, f"getty on {tty or 'a console'} passes '-f' to login: "
                                    f"{shown} is logged in without a password", {"program": argv[0],
                                    "login_options": options, "autologin": user, "tty": tty}, file=rel)
                return
        login_prog = option_value(args, "-l", "--login-program")
        if login_prog:
            self._console_script(login_prog, f"/{rel}:{lineno}", tty or "console", action)

    def _script_grant(self, prog: str | None):
        """(script relpath, grant) when ``prog`` is a script of the tree that always gives a shell."""
        if not prog or "$" in prog:
            return None
        path, resolved = self._resolve(prog, DEFAULT_PATH)
        if not path or not is_script(self.tree, path):
            return None
        rel = resolved or path
        text = self.tree.text(rel)
        grant = unconditional_shell(text) if text else None
        return (rel, grant) if grant else None

    def _console_script(self, prog: str, started_by: str, tty: str, action: str) -> None:
        """A console runs a script instead of login: report it when the script always hands out a shell."""
        found = self._script_grant(prog)
        if not found:
            return
        rel, g = found
        key = (rel, g.line)
        if key in self.console_seen:
            return
        self.console_seen.add(key)
        what = f"logs '{g.user}' in with login -f" if g.user else "runs a shell"
        self.out.append(rule("services.console-shell").finding(
            self.tree.path_of(rel), f"console script started by {started_by} on {tty} {what} ('{g.command}') "
            f"without asking for a password", line=g.line,
            evidence={"script": rel, "command": g.command, "started_by": started_by, "tty": tty, "action": action,
                      "autologin": g.user}))

    def _socket_unit(self, name: str, rel: str, text: str, units: dict[str, str]) -> None:
        values = self._unit_values(text)
        accept = any(k == "Accept" and v.lower() in ("yes", "true", "1") for _, _, k, v in values)
        for lineno, section, key, value in values:
            if key not in ("ListenStream", "ListenDatagram"):
                continue
            m = re.search(r"(\d{1,5})$", value)
            if not m:
                continue
            port = int(m.group(1))
            proto = "tcp" if key == "ListenStream" else "udp"
            svc_name = name[:-len(".socket")] + ("@.service" if accept else ".service")
            svc_rel = units.get(svc_name)
            prog_path = None
            if svc_rel:
                svc_text = self.tree.text(svc_rel) or ""
                for ln, sec, k, v in self._unit_values(svc_text):
                    if k == "ExecStart":
                        argv = unwrap(v.lstrip("-@:+!").split())
                        if argv:
                            p, resolved = self._resolve(argv[0], DEFAULT_PATH)
                            prog_path = resolved or p
                            data = self._service(None, argv, p, resolved, "systemd", f"{svc_rel}:{ln}", svc_rel,
                                                 {"port": port, "protocol": proto})
                            data["port"], data["protocol"] = port, proto
                            if accept and self.k.is_shell(basename(argv[0])) and not any(
                                    not a.startswith("-") for a in argv[1:]):
                                self.out.append(rule("services.bind-shell").finding(
                                    self.tree.path_of(rel), f"systemd socket {name} on {proto} port {port} hands every "
                                    f"connection to {argv[0]}", line=lineno,
                                    evidence={"port": port, "program": argv[0], "service": svc_rel}))
            self.out.append(Observation("listener", self.tree.path_of(rel), {
                "port": port, "protocol": proto, "program_path": prog_path, "source": "config"}))

    # ------------------------------------------------------------ inetd / xinetd

    def _service_ports(self) -> dict[str, int]:
        ports = dict(self.k.inetd_ports)
        text = self.tree.text("etc/services")
        if text:
            for line in text.splitlines()[:5000]:
                m = re.match(r"^([\w.-]+)\s+(\d+)/(tcp|udp)", line)
                if m:
                    ports.setdefault(m.group(1), int(m.group(2)))
        return ports

    def _inetd(self) -> None:
        text = self.tree.text("etc/inetd.conf")
        if text is None:
            return
        ports = self._service_ports()
        for lineno, line in enumerate(text.splitlines(), 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            f = s.split()
            if len(f) < 6 or f[5] == "internal":
                continue
            service, proto, server = f[0], f[2], f[5]
            port = int(service.rsplit(":", 1)[-1]) if service.rsplit(":", 1)[-1].isdigit() else ports.get(service)
            name = basename(server)
            shown = [f[6]] + f[7:] if len(f) > 6 else [server]
            inner = unwrap([server] + f[7:])
            if name == "tcpd" and len(f) > 6:
                inner = [f[6]] + f[7:]
            self._service(None, inner, *self._resolve(inner[0], DEFAULT_PATH), "inetd", f"etc/inetd.conf:{lineno}",
                          "etc/inetd.conf", {"port": port, "protocol": "udp" if proto.startswith("udp") else "tcp"})
            key = [k for k in self.services if k[2] == f"etc/inetd.conf:{lineno}"]
            for kk in key:
                self.services[kk]["port"] = port
            if self.k.is_shell(basename(inner[0])) and "-c" not in inner:
                self.out.append(rule("services.inetd-shell").finding(
                    self.tree.path_of("etc/inetd.conf"), f"inetd hands every connection to {service} "
                    f"(port {port}) to the shell '{' '.join(shown)}'", line=lineno,
                    evidence={"service": service, "port": port, "server": server, "args": shown}))
            script = parsed_text(self.ctx, self.tree, " ".join(inner), f"inetd:{lineno}")
            self._remote_hits(script, "etc/inetd.conf", reachable=True, trigger="inetd", at="etc/inetd.conf",
                              line=lineno)

    def _xinetd(self) -> None:
        files = [r for r in self.tree.files if r.startswith("etc/xinetd.d/")] + (
            ["etc/xinetd.conf"] if self.tree.get("etc/xinetd.conf") else [])
        ports = self._service_ports()
        for rel in sorted(files):
            text = self.tree.text(rel)
            if not text:
                continue
            for m in re.finditer(r"service\s+(\S+)\s*\{([^}]*)\}", text):
                body = dict(re.findall(r"^\s*(\w+)\s*[+-]?=\s*(.*?)\s*$", m.group(2), re.M))
                if body.get("disable", "no").lower() == "yes" or "server" not in body:
                    continue
                lineno = text.count("\n", 0, m.start()) + 1
                argv = [body["server"]] + body.get("server_args", "").split()
                port = int(body["port"]) if body.get("port", "").isdigit() else ports.get(m.group(1))
                self._service(None, argv, *self._resolve(argv[0], DEFAULT_PATH), "inetd", f"{rel}:{lineno}", rel,
                              {"port": port, "protocol": "udp" if body.get("protocol") == "udp" else "tcp"})
                if self.k.is_shell(basename(argv[0])) and "-c" not in argv:
                    self.out.append(rule("services.inetd-shell").finding(
                        self.tree.path_of(rel), f"xinetd hands every connection to {m.group(1)} (port {port}) to the "
                        f"shell '{body['server']}'", line=lineno, evidence={"service": m.group(1), "port": port,
                                                                             "server": body["server"]}))
                script = parsed_text(self.ctx, self.tree, " ".join(argv), f"{rel}:{lineno}")
                self._remote_hits(script, rel, reachable=True, trigger="inetd", at=rel, line=lineno)

    # ------------------------------------------------------------ cron

    def _cron_files(self) -> list[tuple[str, bool]]:
        out = []
        for rel in sorted(self.tree.files):
            d = posixpath.dirname(rel)
            if d in ("etc/crontabs", "var/spool/cron/crontabs", "var/spool/cron", "etc/cron.d") and \
                    not posixpath.basename(rel).startswith("."):
                out.append((rel, d == "etc/cron.d"))
        if self.tree.get("etc/crontab") is not None:
            out.append(("etc/crontab", True))
        return out

    def _cron(self) -> None:
        for rel, with_user in self._cron_files():
            text = self.tree.text(rel)
            if text is None:
                continue
            for lineno, line in enumerate(text.splitlines(), 1):
                s = line.strip()
                if not s or s.startswith("#") or re.match(r"^[A-Za-z_]\w*\s*=", s):
                    continue
                m = _CRON_LINE.match(s)
                if not m:
                    continue
                command = m.group(2)
                if with_user:
                    command = command.split(None, 1)[1] if len(command.split(None, 1)) > 1 else ""
                trigger = "boot" if m.group(1) == "@reboot" else "cron"
                script = parsed_text(self.ctx, self.tree, command, f"{rel}:{lineno}")
                before = set(self.calls.get(rel, set()))
                self.calls[rel] = set()
                for cmd in script.commands():
                    self._command(cmd, rel, trigger, DEFAULT_PATH, 0, source=f"{rel}:{lineno}",
                                  extra={"schedule": m.group(1)})
                called = self.calls.get(rel, set())
                self.calls[rel] = before | called
                self._remote_hits(script, rel, reachable=True, trigger=trigger, at=rel, line=lineno)
                for hit in fetch_and_run(script):
                    self._cron_fetch(rel, lineno, m.group(1), hit, None)
                for called_rel in sorted(self._closure(called)):
                    sub = parsed(self.ctx, self.tree, called_rel)
                    if sub is None:
                        continue
                    for hit in fetch_and_run(sub):
                        self._cron_fetch(rel, lineno, m.group(1), hit, called_rel)

    def _closure(self, start: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(start)
        while todo and len(seen) < 500:
            r = todo.pop()
            if r in seen:
                continue
            seen.add(r)
            todo.extend(self.calls.get(r, ()))
        return seen

    def _cron_fetch(self, rel: str, lineno: int, schedule: str, hit: Hit, script_rel: str | None) -> None:
        url = hit.evidence.get("url")
        where = f" through /{script_rel} (line {hit.line})" if script_rel else ""
        self.out.append(rule("phonehome.cron-fetch-and-run").finding(
            self.tree.path_of(rel), f"cron job ({schedule}) downloads {url} and runs it{where}", line=lineno,
            evidence={"url": url, "schedule": schedule, "script": script_rel, "script_line": hit.line,
                      "command": hit.evidence.get("command")}))

    # ------------------------------------------------------------ hotplug

    def _hotplug(self) -> None:
        for rel in sorted(self.tree.files):
            if rel.startswith(("etc/hotplug.d/", "etc/hotplug/")) and is_script(self.tree, rel):
                self.walk(rel, "hotplug", [], None)
        text = self.tree.text("etc/mdev.conf")
        if text:
            for lineno, line in enumerate(text.splitlines(), 1):
                m = re.search(r"\s[@$*](.+)$", line)
                if not m or line.lstrip().startswith("#"):
                    continue
                script = parsed_text(self.ctx, self.tree, m.group(1), f"mdev:{lineno}")
                for cmd in script.commands():
                    self._command(cmd, "etc/mdev.conf", "hotplug", DEFAULT_PATH, 0, source=f"etc/mdev.conf:{lineno}")
                self._remote_hits(script, "etc/mdev.conf", reachable=True, trigger="hotplug", at="etc/mdev.conf",
                                  line=lineno)

    # ------------------------------------------------------------ udev

    def _udev_rule_files(self) -> list[str]:
        """Active rule files: one per file name, the highest-priority directory wins; a link to /dev/null masks."""
        chosen: dict[str, str] = {}
        for d in UDEV_RULE_DIRS:
            for rel in self.tree.files:
                if posixpath.dirname(rel) == d and rel.endswith(".rules"):
                    chosen.setdefault(posixpath.basename(rel), rel)
        out = []
        for name in sorted(chosen):
            entry = self.tree.get(chosen[name])
            if entry is not None and (entry.link_target or "") == "/dev/null":
                continue
            out.append(chosen[name])
        return out

    def _udev(self) -> None:
        for rel in self._udev_rule_files():
            text = self.tree.text(rel)
            if not text:
                continue
            for lineno, line in self._udev_lines(text):
                for m in _UDEV_KEY.finditer(line):
                    key, attr, value = m.group(1), m.group(2), m.group(4)
                    if key == "RUN" and attr not in (None, "program"):
                        continue  # RUN{builtin}
                    if key == "IMPORT" and attr != "program":
                        continue
                    self._udev_command(rel, lineno, self._udev_value(value), f"{rel}:{lineno}:{m.start()}")

    @staticmethod
    def _udev_lines(text: str) -> Iterator[tuple[int, str]]:
        """Logical lines of a rules file (backslash continuations joined), comments left out."""
        buf, start = "", 0
        for lineno, line in enumerate(text.splitlines()[:20000], 1):
            if not buf:
                start = lineno
                if line.lstrip().startswith("#"):
                    continue
            if line.endswith("\\"):
                buf += line[:-1]
                continue
            yield start, buf + line
            buf = ""
        if buf:
            yield start, buf

    def _udev_value(self, value: str) -> str:
        """The command a udev key runs, with ``$$``/``%%`` unescaped and a bare program name looked up in the
        udev library directory (udev(7): programs without a path are taken from there)."""
        value = value.replace('\\"', '"').replace("$$", "$").replace("%%", "%")
        first, _, rest = value.strip().partition(" ")
        if first and "/" not in first and not first.startswith("$"):
            for d in UDEV_LIB_DIRS:
                if self.tree.get(f"{d}/{first}") is not None:
                    return f"/{d}/{first} {rest}".strip()
        return value

    def _udev_command(self, rel: str, lineno: int, command: str, key: str) -> None:
        script = parsed_text(self.ctx, self.tree, command, key)
        for cmd in script.commands():
            self._command(cmd, rel, "hotplug", DEFAULT_PATH, 0, source=f"{rel}:{lineno}")
        self._remote_hits(script, rel, reachable=True, trigger="hotplug", at=rel, line=lineno)
        for hit in fetch_and_run(script):
            key = ("udev-fetch", rel, lineno, hit.evidence.get("url"))
            if key in self.seen_hits:
                continue
            self.seen_hits.add(key)
            self.out.append(rule("phonehome.fetch-and-run").finding(
                self.tree.path_of(rel), f"udev rule runs a command that {hit.message} (started: hotplug, whenever the "
                f"matching device event happens)", line=lineno,
                evidence=dict(hit.evidence, trigger="hotplug", command=command[:300])))

    # ------------------------------------------------------------ configuration files

    def _configs(self) -> None:
        tree = self.tree
        for rel in ["etc/ssh/sshd_config"] + sorted(r for r in tree.files if r.startswith("etc/ssh/sshd_config.d/")):
            text = tree.text(rel)
            if text is None:
                continue
            in_match = False
            for lineno, line in enumerate(text.splitlines(), 1):
                s = line.split("#", 1)[0].strip()
                if not s:
                    continue
                parts = s.split(None, 1)
                key, value = parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")
                if key == "match":
                    in_match = True
                if key == "permitemptypasswords" and value.lower() == "yes":
                    self.out.append(rule("services.ssh-empty-password").finding(
                        tree.path_of(rel), "sshd_config sets PermitEmptyPasswords yes: accounts with an empty "
                        "password can log in over SSH" + (" (inside a Match block)" if in_match else ""), line=lineno,
                        evidence={"option": "PermitEmptyPasswords yes", "file": rel}))
                elif key == "port" and value.isdigit() and not in_match:
                    self._listener(rel, int(value), "tcp", "sshd")
        text = tree.text("etc/lighttpd/lighttpd.conf")
        if text is not None:
            m = re.search(r"^\s*server\.port\s*=\s*(\d+)", text, re.M)
            self._listener("etc/lighttpd/lighttpd.conf", int(m.group(1)) if m else 80, "tcp", "lighttpd")
        for rel in ["etc/dnsmasq.conf"] + sorted(r for r in tree.files if r.startswith("etc/dnsmasq.d/")):
            text = tree.text(rel)
            if text is None:
                continue
            m = re.search(r"^\s*port\s*=\s*(\d+)", text, re.M)
            if m and m.group(1) != "0":
                self._listener(rel, int(m.group(1)), "udp", "dnsmasq")
            elif rel == "etc/dnsmasq.conf" and not m:
                self._listener(rel, 53, "udp", "dnsmasq")
        for rel, program, pattern in (("etc/config/dropbear", "dropbear", r"option\s+Port\s+'?(\d+)"),
                                      ("etc/config/uhttpd", "uhttpd", r"list\s+listen_https?\s+'?[^'\s]*:(\d+)")):
            text = tree.text(rel)
            if text:
                for port in sorted({int(p) for p in re.findall(pattern, text)}):
                    self._listener(rel, port, "tcp", program)

    def _listener(self, rel: str, port: int, proto: str, program: str) -> None:
        path, resolved = self._resolve(program, DEFAULT_PATH)
        self.out.append(Observation("listener", self.tree.path_of(rel), {
            "port": port, "protocol": proto, "program_path": resolved or path, "source": "config"}))
