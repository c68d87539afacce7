"""Mechanisms that the boot-graph, phone-home and obfuscation analyzers look for in parsed shell.

Each function takes a :class:`~.shell.Script` (decoded payloads included, marked with ``via``) and
returns :class:`Hit` objects; the analyzers turn them into findings with their own rule metadata and
reachability. Nothing here depends on bench values: the checks are about what a command does
(a listener that runs a shell, a download piped into an interpreter), never about names or ports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .knowledge import basename, knowledge
from .shell import Command, Script, cluster_value, option_value, short_flags, unwrap

URL_RE = re.compile(r"\b((?:https?|ftps?|tftp)://[^\s'\"|;<>(){}`]+)", re.I)
IPV4_RE = re.compile(r"(?<![\d.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?![\d.])")
LISTEN_ADDR_RE = re.compile(r"^(?:\[?[0-9a-fA-F:.]*\]?:)?(\d{1,5})$")


@dataclass
class Hit:
    kind: str  # telnetd-shell | bind-shell | reverse-shell | ssh-empty-password | fetch-and-run | exfiltration
    command: Command
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.command.line

    @property
    def file(self) -> str | None:
        return self.command.file

    @property
    def via(self) -> tuple[str, ...]:
        return self.command.via


def _port(value: str | None) -> int | None:
    if not value:
        return None
    m = LISTEN_ADDR_RE.match(value.strip())
    if m and 0 < int(m.group(1)) < 65536:
        return int(m.group(1))
    return None


def is_shell_program(prog: str | None) -> bool:
    if not prog:
        return False
    words = prog.split()
    return bool(words) and knowledge().is_shell(words[0])


def daemon_port(argv: list[str]) -> tuple[int | None, str | None]:
    """Port and protocol a known daemon listens on, from its options or its default."""
    name = basename(argv[0]) if argv else ""
    info = knowledge().daemons.get(name)
    if not info:
        return None, None
    for opt in info.get("port_options") or []:
        value = option_value(argv[1:], opt)
        p = _port(value)
        if p:
            return p, info.get("protocol")
    return info.get("port"), info.get("protocol")


def netcat_listen(argv: list[str]) -> tuple[bool, int | None, str | None, list[str]]:
    """(listens, port, program run per connection, positional args) of a netcat command line."""
    args = argv[1:]
    listens = "l" in short_flags(args) or "--listen" in args
    port = None
    program = None
    positional: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            key, _, val = a.partition("=")
            if key in ("--exec", "--sh-exec", "--lua-exec"):
                program = val or (args[i + 1] if i + 1 < len(args) else "")
                if not val:
                    i += 1
            elif key in ("--source-port", "--port") and not val and i + 1 < len(args):
                port = _port(args[i + 1])
                i += 1
            i += 1
            continue
        if a.startswith("-") and len(a) > 1:
            letters = a[1:]
            for j, ch in enumerate(letters):
                if ch in "pecsw":
                    val = letters[j + 1:] or (args[i + 1] if i + 1 < len(args) else "")
                    consumed_next = not letters[j + 1:]
                    if ch == "p":
                        port = _port(val)
                    elif ch in "ec":
                        program = val if ch == "e" else val
                    if consumed_next:
                        i += 1
                    break
            i += 1
            continue
        positional.append(a)
        i += 1
    if listens and port is None:
        nums = [p for p in (_port(x) for x in positional) if p]
        port = nums[-1] if nums else None
    return listens, port, program, positional


def remote_shells(script: Script) -> list[Hit]:
    """Shells handed to the network without authentication, and SSH daemons accepting empty passwords."""
    k = knowledge()
    hits: list[Hit] = []
    for p in script.pipelines:
        stages = [unwrap(c.argv) for c in p.commands]
        for cmd, argv in zip(p.commands, stages):
            if not argv:
                continue
            name = basename(argv[0])
            args = argv[1:]
            if name in ("telnetd", "utelnetd"):
                prog = option_value(args, "-l")
                if is_shell_program(prog):
                    port, _ = daemon_port(argv)
                    hits.append(Hit("telnetd-shell", cmd,
                                    f"telnetd runs '{prog}' for every connection (shell without login) on tcp port {port}",
                                    {"program": prog, "port": port, "command": " ".join(argv)}))
            elif name in k.netcats:
                listens, port, prog, positional = netcat_listen(argv)
                if is_shell_program(prog) or (prog and basename(prog.split()[0]).rstrip("0123456789.") in k.interpreters):
                    if listens:
                        hits.append(Hit("bind-shell", cmd,
                                        f"netcat listener on port {port} runs '{prog}' for whoever connects",
                                        {"program": prog, "port": port, "command": " ".join(argv)}))
                    else:
                        host = positional[0] if positional else None
                        hits.append(Hit("reverse-shell", cmd,
                                        f"netcat connects to {host}:{positional[1] if len(positional) > 1 else '?'} "
                                        f"and hands it '{prog}' (reverse shell)",
                                        {"program": prog, "host": host, "command": " ".join(argv)}))
            elif name == "socat":
                joined = " ".join(args)
                ex = re.search(r"\b(?:EXEC|SYSTEM):['\"]?([^,'\"\s]+)", joined, re.I)
                if ex and is_shell_program(ex.group(1)):
                    lm = re.search(r"\b(?:TCP|TCP4|TCP6|UDP|UDP4|UDP6|OPENSSL|SSL|SCTP)-L(?:ISTEN)?:(\d+)", joined, re.I)
                    if lm:
                        hits.append(Hit("bind-shell", cmd, f"socat listener on port {lm.group(1)} runs '{ex.group(1)}'",
                                        {"program": ex.group(1), "port": int(lm.group(1)), "command": " ".join(argv)}))
                    else:
                        cm = re.search(r"\b(?:TCP|TCP4|TCP6|OPENSSL|UDP):([^,:\s]+):(\d+)", joined, re.I)
                        if cm:
                            hits.append(Hit("reverse-shell", cmd,
                                            f"socat connects to {cm.group(1)}:{cm.group(2)} and hands it '{ex.group(1)}'",
                                            {"program": ex.group(1), "host": cm.group(1), "command": " ".join(argv)}))
            elif name == "dropbear" and "B" in short_flags([a for a in args if not a.startswith("--")]):
                port, _ = daemon_port(argv)
                hits.append(Hit("ssh-empty-password", cmd, f"dropbear started with -B: accounts with a blank password "
                                f"can log in over SSH (port {port})", {"option": "-B", "port": port}))
            elif name == "sshd":
                opts = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-o"] + [a[2:] for a in args if a.startswith("-o") and len(a) > 2]
                if any(re.fullmatch(r"PermitEmptyPasswords[= ]+yes", o.strip(), re.I) for o in opts):
                    hits.append(Hit("ssh-empty-password", cmd, "sshd started with PermitEmptyPasswords=yes",
                                    {"option": "PermitEmptyPasswords yes"}))
            # reverse shells through bash's /dev/tcp
            for op, target in cmd.redirects:
                if target.startswith(("/dev/tcp/", "/dev/udp/")) and (k.is_shell(name) or name in ("exec",)):
                    parts = target.split("/")
                    hits.append(Hit("reverse-shell", cmd, f"shell connected to {target} (reverse shell)",
                                    {"host": parts[3] if len(parts) > 3 else None, "target": target}))
                    break
        # fifo-style bind shells: "... | sh -i 2>&1 | nc -l -p N > fifo"
        shell_stage = any(s and k.is_shell(basename(s[0])) and not [a for a in s[1:] if not a.startswith("-")]
                          for s in stages)
        if shell_stage and len(stages) > 1:
            for cmd, argv in zip(p.commands, stages):
                if argv and basename(argv[0]) in k.netcats:
                    listens, port, prog, positional = netcat_listen(argv)
                    if prog:
                        continue
                    kind = "bind-shell" if listens else "reverse-shell"
                    hits.append(Hit(kind, cmd, f"a shell is piped through netcat ({'listening on port %s' % port if listens else 'to ' + ' '.join(positional)})",
                                    {"port": port, "command": p.raw[:300]}))
            # "telnet H P1 | sh | telnet H P2": commands read from one connection, output to another
            for cmd, argv in zip(p.commands, stages):
                if argv and basename(argv[0]) in ("telnet", "openssl") and \
                        (basename(argv[0]) == "telnet" or "s_client" in argv[1:2]):
                    where = [a for a in argv[1:] if not a.startswith("-") and a != "s_client"]
                    hits.append(Hit("reverse-shell", cmd, f"a shell is piped through {basename(argv[0])} "
                                    f"(to {' '.join(where[:2])})", {"command": p.raw[:300]}))
                    break
    return hits


# ----------------------------------------------------------------- fetch and run, exfiltration


def urls_in(argv: list[str]) -> list[str]:
    out: list[str] = []
    for a in argv:
        out.extend(m.group(1) for m in URL_RE.finditer(a))
    return out


def _fetch_target(argv: list[str]) -> tuple[str | None, str | None]:
    """(remote location, local file or '-' for stdout) of a fetcher command line."""
    name = basename(argv[0])
    args = argv[1:]
    urls = urls_in(argv)
    if name in ("wget", "uclient-fetch", "fetch", "busybox-wget"):
        out = option_value(args, "-O", "--output-document")
        if out is None:
            out = cluster_value(args, "O")
        if out is None:
            out = urls[0].rstrip("/").rsplit("/", 1)[-1] if urls else None
        return (urls[0] if urls else None), out
    if name == "curl":
        out = option_value(args, "-o", "--output")
        if out is None:
            out = cluster_value(args, "o")
        if out is None and ("-O" in args or "O" in short_flags(args) or "--remote-name" in args):
            out = urls[0].rstrip("/").rsplit("/", 1)[-1] if urls else None
        return (urls[0] if urls else None), (out or "-")
    if name in ("tftp", "atftp"):
        if "g" in short_flags(args) or "--get" in args or "-g" in args:
            remote = option_value(args, "-r", "--remote-file")
            local = option_value(args, "-l", "--local-file") or (remote.rsplit("/", 1)[-1] if remote else None)
            hosts = [a for i, a in enumerate(args) if not a.startswith("-") and (i == 0 or args[i - 1] not in ("-r", "-l", "-b"))]
            host = hosts[0] if hosts else None
            return (f"tftp://{host}/{remote}" if host else None), local
        return None, None
    if name in ("ftpget",):
        pos = [a for a in args if not a.startswith("-")]
        if len(pos) >= 3:
            return f"ftp://{pos[0]}/{pos[2]}", pos[1]
        return None, None
    if name in knowledge().netcats:
        listens, port, prog, positional = netcat_listen(argv)
        if not listens and not prog and len(positional) >= 2:
            return f"tcp://{positional[0]}:{positional[1]}", "-"
    return None, None


def fetch_and_run(script: Script) -> list[Hit]:
    """Code downloaded from a remote host and run: ``wget -O- URL | sh``, or download to a file then run it."""
    k = knowledge()
    hits: list[Hit] = []
    downloaded: dict[str, tuple[Command, str]] = {}
    for p in script.pipelines:
        stages = [unwrap(c.argv) for c in p.commands]
        fetch_idx = None
        for i, argv in enumerate(stages):
            if argv and basename(argv[0]) in k.fetchers:
                remote, local = _fetch_target(argv)
                if remote:
                    if local == "-" or local is None:
                        fetch_idx = (i, remote)
                    elif local:
                        downloaded[local] = (p.commands[i], remote)
                        downloaded[basename(local)] = (p.commands[i], remote)
                        out = [t for op, t in p.commands[i].redirects if op in (">", ">>")]
                        for o in out:
                            downloaded[o] = (p.commands[i], remote)
                    if local == "-":
                        for op, t in p.commands[i].redirects:
                            if op in (">", ">>"):
                                downloaded[t] = (p.commands[i], remote)
        if fetch_idx is not None:
            i, remote = fetch_idx
            for j in range(i + 1, len(stages)):
                sink = _stdin_runner(stages[j])
                if sink:
                    hits.append(Hit("fetch-and-run", p.commands[i],
                                    f"downloads {remote} and pipes it into {sink}",
                                    {"url": remote, "sink": sink, "command": p.raw[:300]}))
                    break
        # a substitution that fetches, run by eval / sh -c
        for cmd, argv in zip(p.commands, stages):
            if not argv:
                continue
            name = basename(argv[0])
            if (name in ("eval", ".", "source") or k.is_shell(name)) and cmd.substs and \
                    any("$(" in a for a in argv[1:]):
                for sp in cmd.substs:
                    for sc in sp.commands:
                        sa = unwrap(sc.argv)
                        if sa and basename(sa[0]) in k.fetchers:
                            remote, local = _fetch_target(sa)
                            if remote and local in ("-", None):
                                hits.append(Hit("fetch-and-run", cmd, f"downloads {remote} and runs it with {name}",
                                                {"url": remote, "sink": name, "command": cmd.raw[:300]}))
            # a downloaded file is run
            target = None
            if argv[0] in downloaded:
                target = argv[0]
            elif (k.is_shell(name) or name in (".", "source")) and len(argv) > 1 and argv[1] in downloaded:
                target = argv[1]
            elif argv[0].startswith("./") and argv[0][2:] in downloaded:
                target = argv[0][2:]
            if target:
                src_cmd, remote = downloaded.pop(target)
                hits.append(Hit("fetch-and-run", src_cmd, f"downloads {remote} to {target}, then runs it (line {cmd.line})",
                                {"url": remote, "file": target, "sink": "run", "command": src_cmd.raw[:300]}))
    return hits


def _stdin_runner(argv: list[str]) -> str | None:
    if not argv:
        return None
    k = knowledge()
    name = basename(argv[0])
    rest = [a for a in argv[1:] if not a.startswith("-")]
    if k.is_shell(name) and "-c" not in argv and (not rest or "-s" in argv or argv[1:2] == ["-"]):
        return name
    if name.rstrip("0123456789.") in k.interpreters and not rest:
        return name
    return None


def exfiltration(script: Script) -> list[Hit]:
    """Sensitive local files sent to a hard-coded remote host."""
    k = knowledge()
    hits: list[Hit] = []

    def sensitive(path: str) -> bool:
        return any(path == s or path.startswith(s.rstrip("/") + "/") or path.startswith(s) for s in k.sensitive_files)

    for p in script.pipelines:
        stages = [unwrap(c.argv) for c in p.commands]
        piped_files = []
        for cmd, argv in zip(p.commands, stages):
            if not argv:
                continue
            name = basename(argv[0])
            args = argv[1:]
            if name in ("cat", "tar", "dd", "gzip"):
                piped_files.extend(a.removeprefix("if=") for a in args if a.startswith("/") or a.startswith("if=/"))
            files: list[str] = []
            dest = None
            if name == "curl":
                for i, a in enumerate(args):
                    val = None
                    if a in ("-d", "--data", "--data-binary", "--data-raw", "-F", "--form", "-T", "--upload-file") and i + 1 < len(args):
                        val = args[i + 1]
                    elif a.startswith(("--data-binary=", "--upload-file=", "--data=")):
                        val = a.split("=", 1)[1]
                    if val:
                        val = val.split("@", 1)[1] if "@" in val else (val if a in ("-T", "--upload-file") else "")
                        if val:
                            files.append(val.split(";")[0])
                urls = urls_in(argv)
                dest = urls[0] if urls else None
            elif name in ("wget", "busybox-wget"):
                pf = option_value(args, "--post-file")
                if pf:
                    files.append(pf)
                urls = urls_in(argv)
                dest = urls[0] if urls else None
            elif name in ("tftp", "atftp") and ("p" in short_flags(args) or "--put" in args):
                lf = option_value(args, "-l", "--local-file")
                if lf:
                    files.append(lf)
                hosts = [a for i, a in enumerate(args) if not a.startswith("-") and (i == 0 or args[i - 1] not in ("-r", "-l", "-b"))]
                dest = f"tftp://{hosts[0]}" if hosts else None
            elif name in ("ftpput",):
                pos = [a for a in args if not a.startswith("-")]
                if len(pos) >= 3:
                    files.append(pos[2])
                    dest = f"ftp://{pos[0]}"
            elif name in k.netcats:
                listens, port, prog, positional = netcat_listen(argv)
                if not listens and len(positional) >= 2:
                    dest = f"tcp://{positional[0]}:{positional[1]}"
                    files.extend(t for op, t in cmd.redirects if op == "<")
                    files.extend(piped_files)
            if dest and "$" not in dest:
                for f in files:
                    if sensitive(f):
                        hits.append(Hit("exfiltration", cmd, f"sends {f} to {dest}",
                                        {"file": f, "destination": dest, "command": p.raw[:300]}))
    return hits


def endpoints(script: Script) -> list[tuple[Command, str, str]]:
    """(command, url or host, context) for remote locations a script's commands contact."""
    k = knowledge()
    out: list[tuple[Command, str, str]] = []
    run = {h.evidence.get("url") for h in fetch_and_run(script)}
    for cmd in script.commands():
        argv = unwrap(cmd.argv)
        if not argv:
            continue
        name = basename(argv[0])
        if name in k.fetchers:
            remote, _ = _fetch_target(argv)
            if remote and "$" not in remote:
                upload = any(a in ("-F", "--form", "-d", "--data", "--data-binary", "-T", "--upload-file")
                             or a.startswith("--post-") for a in argv[1:])
                out.append((cmd, remote, "fetch-and-run" if remote in run else "upload" if upload else "download"))
                continue
        for u in urls_in(argv):
            if "$" not in u:
                out.append((cmd, u, "config"))
    return out
