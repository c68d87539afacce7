"""Data flow over the lifted functions: network input that reaches a command, and a connected socket
handed to a shell.

Each function's walk (``lift.walk``) gives its calls in code order with their argument values:
constants, symbolic stack or entry-register addresses (``lift.Sym``), loaded words and call results
(``Result``, one value per call site). A *buffer* is where data went: the buffer ``recv`` filled (a
stack or global address range), a string routine's result that points into it, a copy of it. A value
is tainted when it is a buffer or points into one. Taint follows the string routines of
``binary.knowledge.yaml`` (``derive_routines``, ``copy_routines``, ``format_routines``) and calls into
the program's own functions, through per-function summaries: which argument of a function reaches a
command, and which is handed to a shell as its standard input and output.

Two effects are reported:

* ``network-command``: bytes received from the network (``recv``, ``recvfrom``, ``read`` on an
  accepted connection, a CGI program's request variables: ``getenv("HTTP_X_...")``) are the command a
  ``system``/``popen``/exec call runs (or a string of an exec routine's argument vector): remote
  command execution, whatever compare (if any) guards it.
* ``socket-shell``: a socket (``accept``/``socket`` result) is duplicated onto standard input/output
  (``dup2``) and a shell is started: a bind or connect-back shell.
* ``credential-disclosure``: a function that names a credential store (``/etc/shadow``, host keys)
  hands a connection it accepted to a write: it serves the file to whoever connects.
* ``settings-write``: bytes received from the network are handed to what writes the device's settings
  (a configuration store's setter, or a function of the program that saves its settings file by
  replacing it): whoever reaches the port sets what they like, passwords included. Whether a
  credential check stands in front of it is the analyzer's judgement (it knows the checks).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import cfg
from .model import Call, Loaded, Result, Walk
from .lift import CONVENTIONS, MIN_ADDRESS, Sym, parameter_index
from .sinks import Sink, base_name, classify_sink, knowledge

#: AF_INET and AF_INET6 (Linux include/linux/socket.h; the same numbers on every architecture)
INTERNET_FAMILIES = frozenset({2, 10})
#: bytes of a buffer assumed filled when the receive length is not a constant
DEFAULT_BUFFER = 4096
#: rounds of summary propagation (a chain of this many helper functions between input and command)
SUMMARY_ROUNDS = 3
NET = "network"


@dataclass(frozen=True)
class Effect:
    kind: str  # "network-command" | "socket-shell"
    function: int
    sink: Sink
    source: str  # the input routine ("recv", "accept", ...)
    source_addr: int
    via: int | None = None  # the program's own function through which the input reached the sink


@dataclass(frozen=True)
class _Buffer:
    label: object  # NET or ("param", index)
    value: object  # Sym / int address / Result / Loaded
    size: int
    #: the call that filled it, in this function: only code that can run after it reads what it holds
    #: (a stack buffer's slot is reused by unrelated code, an inlined handler's own buffer)
    at: int | None = None
    #: (routine, address) of the read it holds the bytes of (a string routine's result, a copy: the read
    #: of the buffer it came from)
    origin: tuple[str, int] | None = None


class _Tracker:
    """Taint through one function's calls, in code order."""

    def __init__(self, image, fn: int, walk: Walk, summaries: dict, sinks: dict[int, Sink],
                 networked: bool = False, received: tuple[tuple[_Buffer, str, int], ...] = (),
                 writers: frozenset[int] = frozenset(), guarded: frozenset[int] = frozenset(),
                 fills: dict | None = None) -> None:
        self.image, self.fn, self.walk, self.networked = image, fn, walk, networked
        self.fills = fills or {}
        self.summaries, self.sinks = summaries, sinks
        # a function that checks credentials writes no settings for an anonymous caller of it (what it
        # reads from the network itself is judged by where its checks stand: the analyzer's part)
        self.writers = writers - guarded
        self.guarded = guarded
        self.buffers: list[_Buffer] = []
        self.origin: dict[object, tuple[str, int]] = {}  # label -> (routine, address) it came from
        # global buffers the network fills anywhere in the program (``recvfrom(s, pkt, ...)`` in the
        # receive loop, the packet parsed where it lies by a handler)
        self.received = received
        #: (label, kind, call, sink, via, the read behind it when known)
        self.effects: list[tuple[object, str, Call, Sink, int | None, tuple[str, int] | None]] = []
        self.connected = False  # the function read from an accepted connection or an Internet socket
        self._dash_c: bool | None = None
        self.at: int | None = None  # the call being followed
        self.args = CONVENTIONS[image.arch].args
        self.matched: tuple[str, int] | None = None  # the read behind the buffer ``label_of`` last found

    def _connection(self, fd) -> bool:
        """The descriptor is a network connection: what ``accept`` returned, or a socket of an Internet
        address family (``socket(AF_INET|AF_INET6, ...)``); not a UNIX-domain control socket."""
        if not isinstance(fd, Result):
            return False
        routine = base_name(fd.routine or "")
        if routine in ("accept", "accept4"):
            return True
        if routine == "socket":
            made = next((c for c in self.walk.calls if c.addr == fd.at), None)
            return made is not None and bool(made.args) and made.args[0] in INTERNET_FAMILIES
        return False

    def _read_here(self, routine: str, addr: int, shared: set, fd) -> None:
        """The function reads the network itself: that read names the input (before a buffer the
        network fills elsewhere), and its descriptor says whether it is a connection."""
        if NET not in self.origin or self.origin[NET] in shared:
            self.origin[NET] = (routine, addr)
        self.connected = self.connected or self._connection(fd)

    def _settings_sink(self, addr: int, routine: str) -> Sink:
        """A settings write; its argument says whether the input came from a network connection."""
        return Sink(addr, routine, "settings", "network connection" if self.connected else None)

    def runs_commands(self, call: Call) -> bool:
        """The shell ``call`` starts runs one command (``execv("/bin/sh", {"sh", "-c", cmd})``): it is
        not handed the connection to read commands from. Its own arguments (or argument vector) say so
        when the walk resolved them; else any ``-c`` the function builds."""
        words = [v for values in call.arrays.values() for v in values] or call.args[1:]
        named = [self.image.cstring(v, 8) for v in words if isinstance(v, int) and v > 0xFFFF]
        if any(named):
            return b"-c" in named
        if self._dash_c is None:
            self._dash_c = any(self.image.cstring(r, 4) == b"-c" for r in self.walk.refs)
        return self._dash_c

    def label_of(self, value) -> object | None:
        if value is None:
            return None
        if isinstance(value, Sym) and value.base != "sp" and value.base not in self.args:
            index = parameter_index(self.image, value.base)  # a parameter's low part (``edi``)
            if index is not None:
                value = Sym(self.args[index], value.offset)
        for b in self.buffers:
            if _within(value, b) and (b.at is None or self.at is None or cfg.of(self.walk).reaches(b.at, self.at)):
                self.matched = b.origin
                return b.label
        return None

    def taint(self, value, label, size: int = DEFAULT_BUFFER, origin: tuple[str, int] | None = None) -> None:
        """``value`` holds what ``label`` names; ``origin``: the read it comes from (default: the read
        behind the buffer last found, the one this value was derived from)."""
        if value is not None and not (isinstance(value, int) and not self.image.mapped(value)):
            here = None if isinstance(label, tuple) else self.at
            self.buffers.append(_Buffer(label, value, size, here, origin or (self.matched if here else None)))

    def _effect(self, label, kind: str, call: Call, sink: Sink, via: int | None,
                src: tuple[str, int] | None = None) -> None:
        """An effect of ``label``'s data; a network one names the read its bytes came from (``src``: the
        socket a shell is handed)."""
        if src is None and label == NET and kind in ("network-command", "settings-write"):
            src = self.matched
        self.effects.append((label, kind, call, sink, via, src))

    def run(self, params: int) -> None:
        k = knowledge()
        net_in, derive, cgi = k["network_input"], set(k["derive_routines"]), k["cgi_input"]
        copies, formats = k["copy_routines"], k["format_routines"]
        sockets = set(k["socket_routines"])
        setters = set(k["settings_writers"])
        for i in range(params):
            reg = CONVENTIONS[self.image.arch].args[i]
            self.taint(Sym(reg), ("param", i))
        shared = set()  # origins of buffers the network fills elsewhere in the program
        for buffer, routine, at in self.received:
            self.buffers.append(buffer)
            self.origin.setdefault(NET, (routine, at))
            shared.add((routine, at))
        redirected: dict[object, tuple[str, int]] = {}  # label -> socket whose descriptor became stdio
        stdio: set[int] = set()  # standard descriptors some descriptor was duplicated onto
        token_label = None  # strtok(NULL, ...) continues the last string it was given
        for call in self.walk.calls + _loop_replay(self.walk, set(net_in)) + self.walk.loop_calls:
            self.at = call.addr
            name = base_name(call.name or "")
            args = call.args
            sink = self.sinks.get(call.addr)
            if name in net_in:
                read = _network_read(call, net_in[name], sockets)
                if read is not None:
                    buffer, length = read
                    self.taint(buffer, NET, max(1, min(DEFAULT_BUFFER if length is None else length, 1 << 16)),
                               (name, call.addr))
                    self._read_here(name, call.addr, shared, call.args[0] if call.args else None)
                continue
            if name in cgi["routines"]:
                variable = self.image.cstring(args[0], 64) if args and isinstance(args[0], int) else None
                if variable is not None and _request_variable(variable.decode("latin-1"), cgi["variables"]):
                    self.taint(Result(call.name, call.addr), NET, origin=(name, call.addr))
                    self._read_here(name, call.addr, shared, None)
                continue
            if name in derive:
                label = self.label_of(args[0]) if args else None
                if name in ("strtok", "strsep", "strtok_r") and args and args[0] == 0:
                    label = token_label
                elif name in ("strtok", "strtok_r"):
                    token_label = label
                if label is not None:
                    self.taint(Result(call.name, call.addr), label)
                continue
            if name in copies:
                dst, src = copies[name]
                label = self.label_of(args[src]) if len(args) > src else None
                if label is not None and len(args) > dst:
                    self.taint(args[dst], label)
                    self.taint(Result(call.name, call.addr), label)
                continue
            if name in formats:
                dst, fmt = formats[name]
                text = self.image.cstring(args[fmt], 64) if len(args) > fmt and isinstance(args[fmt], int) else None
                label = self.label_of(args[fmt + 1]) if len(args) > fmt + 1 else None
                if text and text.startswith(b"%s") and label is not None:
                    self.taint(args[dst], label)
                continue
            if name in setters:
                label = next((lb for lb in map(self.label_of, args) if lb is not None), None)
                if label is not None and (label == NET or self.fn not in self.guarded):
                    self._effect(label, "settings-write", call, self._settings_sink(call.addr, name), None)
                continue
            if name == "dup2" or name == "dup3":
                fd = args[0] if args else None
                if len(args) > 1 and args[1] in (0, 1, 2):
                    stdio.add(args[1])
                    label = self.label_of(fd)
                    if _is_socket(fd, sockets):
                        redirected[NET] = (fd.routine or "socket", fd.at)
                    elif isinstance(label, tuple):
                        redirected[label] = ("descriptor", call.addr)
                    elif isinstance(fd, Sym) and fd.offset == 0:
                        index = parameter_index(self.image, fd.base)
                        if index is not None:
                            redirected[("param", index)] = ("descriptor", call.addr)
                continue
            if sink is not None:
                if sink.kind in ("command", "shell"):
                    # the command itself, or an argument of the shell it starts (``sh -c <input>``)
                    idx = knowledge()["command_sinks"].get(name, 0)
                    # (or a string of its argument vector: ``execve("/bin/sh", {"sh", "-c", cmd}, env)``)
                    vector = [v for values in call.arrays.values() for v in values]
                    label = next((lb for lb in map(self.label_of, args[idx:] + vector) if lb is not None), None)
                    if label is not None:
                        self._effect(label, "network-command", call, sink, None)
                if sink.kind == "shell" and sink.interactive_shell and not self.runs_commands(call):
                    for label in redirected:
                        self._effect(label, "socket-shell", call, sink, None)
                    if not redirected and self.networked and len(stdio) >= 2:
                        # a descriptor the walk cannot name (a connection accepted elsewhere) made the
                        # shell's input and output, in a program that accepts or opens connections
                        self._effect(NET, "socket-shell", call, sink, None)
                        self.origin.setdefault(NET, ("dup2", call.addr))
                continue
            if call.name is None and call.target in self.fills:
                # a helper of the program's that reads the network into a buffer it is given
                # (``recv_all(fd, buf, n)``, ``read_line(conn, line, sizeof line)``)
                for buf, fd in self.fills[call.target]:
                    if buf < len(args) and (fd is None or fd < len(args) and _is_socket(args[fd], sockets - {"socket"})):
                        self.taint(args[buf], NET, _size_after(args, buf) or DEFAULT_BUFFER,
                                   (f"function at {call.target:#x}", call.addr))
                        self._read_here(f"function at {call.target:#x}", call.addr, shared,
                                        args[fd] if fd is not None else None)
            if call.name is None and call.target is not None:
                summary = self.summaries.get(call.target, {})
                tainted = False
                for i, arg in enumerate(args):
                    label = self.label_of(arg)
                    if label is None and _is_socket(arg, sockets):
                        for kind, inner in summary.get(i, ()):
                            if kind == "socket-shell":
                                self.origin.setdefault(NET, (arg.routine or "socket", arg.at))
                                self._effect(NET, kind, call, inner, call.target, (arg.routine or "socket", arg.at))
                        continue
                    if label is None:
                        continue
                    tainted = True
                    for kind, inner in summary.get(i, ()):
                        if kind == "network-command":
                            self._effect(label, kind, call, inner, call.target)
                        elif kind == "socket-shell" and isinstance(label, tuple):
                            # the descriptor a helper hands to a shell is this function's parameter:
                            # its callers say whether it is a socket (accept -> serve -> route -> shell)
                            self._effect(label, kind, call, inner, call.target)
                        elif kind == "settings-write" and call.target not in self.guarded \
                                and (label == NET or self.fn not in self.guarded):
                            self._effect(label, kind, call, self._settings_sink(inner.addr, inner.routine),
                                         call.target)
                    if call.target in self.writers and (label == NET or self.fn not in self.guarded):
                        sink = self._settings_sink(call.addr, f"function at {call.target:#x}")
                        self._effect(label, "settings-write", call, sink, call.target)
                if tainted:  # a helper given the input may hand back a pointer into it
                    self.taint(Result(None, call.addr), next(self.label_of(a) for a in args if self.label_of(a)))
        for label, (routine, at) in redirected.items():
            if label == NET:
                self.origin.setdefault(NET, (routine, at))


def _loop_replay(walk: Walk, reads: set[str]) -> list[Call]:
    """The calls that run again after a network read inside the same loop, laid out before it
    (``for (;;) { handle(buf); ... n = recv(fd, buf, ...); }`` with the read at the loop's bottom): a
    back edge from the read's block or later to a loop head before the read. The walk lists calls in
    address order, so these are visited a second time, with what the read tainted."""
    at = [c.addr for c in walk.calls if base_name(c.name or "") in reads]
    if not at:
        return []
    edges = list(walk.branches.items()) + list(walk.jumps.items())
    loops = [(target, src) for src, target in edges for r in at if target < r <= src]
    return [c for c in walk.calls if any(lo <= c.addr < hi for lo, hi in loops) and c.addr < max(at)]


def _request_variable(name: str, variables: list[str]) -> bool:
    """A CGI meta-variable that carries the request (``QUERY_STRING``, ``HTTP_X_EXEC``)."""
    return any(name.startswith(v) if v.endswith("_") else name == v for v in variables)


def _is_socket(value, routines: set[str]) -> bool:
    return isinstance(value, Result) and base_name(value.routine or "") in routines


def _within(value, b: _Buffer) -> bool:
    v = b.value
    if isinstance(v, Sym) and isinstance(value, Sym):
        return v.base == value.base and 0 <= value.offset - v.offset < b.size
    if isinstance(v, int) and isinstance(value, int):
        return 0 <= value - v < b.size
    # (an offset of at least MIN_ADDRESS added to an unnamed value is an address, not a field's offset)
    if isinstance(v, int) and isinstance(value, Sym) and value.base != "sp" and value.offset >= MIN_ADDRESS:
        # a global buffer's address plus a value the walk cannot name (``pkt + ihl * 4``, an index
        # computed from the packet): a pointer into the buffer
        return 0 <= value.offset - v < b.size
    if isinstance(v, (Result, Loaded)):
        return value == v
    return False


def effects(image, walks: dict[int, Walk], sinks: dict[int, Sink], networked: bool,
            writers: frozenset[int] = frozenset(), guarded: frozenset[int] = frozenset()) -> list[Effect]:
    """The network-command, socket-shell and settings-write effects of the analysed functions.
    ``sinks``: the classified sink of each call address; ``networked``: the program accepts or opens
    connections; ``writers``: the program's functions that write its settings; ``guarded``: functions
    that check credentials (what they write, and what they hand over, is the administrator's)."""
    params = len(CONVENTIONS[image.arch].args)
    fills = _fills(image, walks)
    received = tuple(_received_globals(image, walks, fills))
    summaries: dict[int, dict[int, list[tuple[str, Sink]]]] = {}
    for _ in range(SUMMARY_ROUNDS):
        new: dict[int, dict[int, list[tuple[str, Sink]]]] = {}
        for fn, w in walks.items():
            t = _Tracker(image, fn, w, summaries, sinks, writers=writers, guarded=guarded, fills=fills)
            t.run(params)
            for label, kind, _call, sink, _via, _src in t.effects:
                if isinstance(label, tuple):
                    new.setdefault(fn, {}).setdefault(label[1], []).append((kind, sink))
        if new == summaries:
            break
        summaries = new
    out: list[Effect] = []
    for fn, w in walks.items():
        t = _Tracker(image, fn, w, summaries, sinks, networked, received, writers, guarded, fills)
        t.run(0)
        for label, kind, call, sink, via, src in t.effects:
            if label != NET:
                continue
            routine, at = src or t.origin.get(NET, ("?", 0))
            out.append(Effect(kind, fn, sink, routine, at, via))
    seen, unique = set(), []
    for e in out:
        key = (e.kind, e.sink.addr)
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique


def _network_read(call: Call, spec: dict, sockets: set[str]) -> tuple[object, int | None] | None:
    """(buffer, length or None when not constant) of a network input routine's call; None when it
    reads a descriptor that is no socket (``read`` of a file)."""
    args = call.args
    if "descriptor" in spec:
        fd = args[spec["descriptor"]] if spec["descriptor"] < len(args) else None
        if not _is_socket(fd, sockets - {"socket"}):
            return None
    buffer = args[spec["buffer"]] if spec["buffer"] < len(args) else None
    length = args[2] if len(args) > 2 and isinstance(args[2], int) else None
    return buffer, length


def _size_after(args: list, i: int) -> int | None:
    """The size a helper is given for the buffer at argument ``i``: the first constant after it that
    can be one (``recv_all(fd, buf, 1024)``)."""
    return next((n for n in args[i + 1:] if isinstance(n, int) and 0 < n <= 1 << 16), None)


def _fills(image, walks: dict[int, Walk]) -> dict[int, list[tuple[int, int | None]]]:
    """The program's functions that read the network into a buffer they are given: function ->
    (buffer parameter, descriptor parameter or None when the descriptor is theirs or needs no check).
    ``read`` counts only on a descriptor that is a socket or a parameter (the caller's descriptor is
    then checked); helpers of helpers follow, a few levels deep."""
    k = knowledge()
    net_in, sockets = k["network_input"], set(k["socket_routines"])
    regs = CONVENTIONS[image.arch].args

    def param(value) -> int | None:
        return parameter_index(image, value.base) if isinstance(value, Sym) and value.offset == 0 else None

    out: dict[int, list[tuple[int, int | None]]] = {}
    for _ in range(SUMMARY_ROUNDS):
        changed = False
        for fn, w in walks.items():
            found = set(out.get(fn, ()))
            for call in w.calls:
                name = base_name(call.name or "")
                if name in net_in:
                    spec = net_in[name]
                    buf = param(call.args[spec["buffer"]]) if spec["buffer"] < len(call.args) else None
                    if buf is None:
                        continue
                    fd = None
                    if "descriptor" in spec:
                        d = call.args[spec["descriptor"]] if spec["descriptor"] < len(call.args) else None
                        fd = param(d)
                        if fd is None and not _is_socket(d, sockets - {"socket"}):
                            continue  # a file read
                    found.add((buf, fd))
                elif call.name is None and call.target in out and call.target != fn:
                    for b, d in out[call.target]:
                        buf = param(call.args[b]) if b < len(call.args) else None
                        if buf is None:
                            continue
                        fd = param(call.args[d]) if d is not None and d < len(call.args) else None
                        if d is not None and fd is None and not (d < len(call.args)
                                                                 and _is_socket(call.args[d], sockets - {"socket"})):
                            continue
                        found.add((buf, fd))
            if found and found != set(out.get(fn, ())):
                out[fn] = sorted(found, key=lambda x: (x[0], -1 if x[1] is None else x[1]))
                changed = True
        if not changed:
            break
    return out


def _received_globals(image, walks: dict[int, Walk], fills: dict | None = None) -> list[tuple[_Buffer, str, int]]:
    """The global buffers a network input routine (or a helper of the program's that reads the
    network into a buffer it is given) fills with a known length, in any function: (buffer, routine,
    address). A length the walk cannot read leaves the buffer out: the globals next to it (the
    program's settings) are no input."""
    k = knowledge()
    net_in, sockets = k["network_input"], set(k["socket_routines"])
    out = []
    for fn, w in sorted(walks.items()):
        for call in w.calls:
            name = base_name(call.name or "")
            if call.name is None and fills and call.target in fills:
                for buf, _fd in fills[call.target]:
                    buffer = call.args[buf] if buf < len(call.args) else None
                    length = _size_after(call.args, buf)
                    if isinstance(buffer, int) and image.mapped(buffer) and length is not None:
                        out.append((_Buffer(NET, buffer, length, origin=(f"function at {call.target:#x}", call.addr)),
                                    f"function at {call.target:#x}", call.addr))
                continue
            read = _network_read(call, net_in[name], sockets) if name in net_in else None
            if read is None:
                continue
            buffer, length = read
            if isinstance(buffer, int) and image.mapped(buffer) and length is not None and 0 < length <= 1 << 16:
                out.append((_Buffer(NET, buffer, length, origin=(name, call.addr)), name, call.addr))
    return out


def credential_disclosures(image, walks: dict[int, Walk]) -> list[Effect]:
    """Functions that name a credential file and write to a connection they accepted."""
    files = {f.encode() for f in knowledge()["credential_files"]}
    out = []
    for fn, w in walks.items():
        accepted = {Result(c.name, c.addr) for c in w.calls if base_name(c.name or "") in ("accept", "accept4")}
        if not accepted:
            continue
        direct = {image.cstring(r, 64) for r in w.refs} & files
        named = sorted(direct | (_strings_at(image, w.refs) & files))
        if not named:
            continue
        # what a file read filled: written out again to a descriptor, it is the file's content
        reads, writes_out = knowledge()["file_reads"], set(knowledge()["descriptor_writes"])
        filled = {c.args[i] for c in w.calls for i in [reads.get(base_name(c.name or ""))]
                  if i is not None and i < len(c.args) and c.args[i] is not None}
        for c in w.calls:
            name = base_name(c.name or "")
            if name not in writes_out and (c.name is not None or not direct):
                # a named routine that does not write (close, fork, recv) discloses nothing; a helper
                # handed the connection does, when the function itself names the file (a name only
                # found in a table next to one it uses may belong to another part of the program)
                continue
            to_client = bool(c.args) and c.args[0] in accepted
            copied_out = name in writes_out and len(c.args) > 1 and c.args[1] in filled
            if to_client or copied_out:
                callee = f"function at {c.target:#x}" if isinstance(c.target, int) else "a function pointer"
                sink = Sink(c.addr, name or callee, "disclosure",
                            ", ".join(f.decode() for f in named))
                # the connection written to, else the first accept (a set's order is the process's
                # string hashing: no finding may depend on it)
                at = c.args[0].at if to_client else min(r.at for r in accepted)
                out.append(Effect("credential-disclosure", fn, sink, "accept", at))
                break
    return out


#: a table of strings a function walks (``static const char *files[] = {...}``) is read this far
TABLE_WORDS = 16


def _strings_at(image, refs) -> set[bytes]:
    """The strings a function names: at the addresses it materialises, or listed in a table there."""
    out = set()
    tables = set()
    for r in refs:
        s = image.cstring(r, 64)
        if s:
            out.add(s)
            # an element of a table (the loop's first iteration resolved): the table is read too
            tables.update(slot - i * image.word for slot in _slots_holding(image, r) for i in range(TABLE_WORDS))
        else:
            tables.add(r)
    for t in tables:
        for i in range(TABLE_WORDS):
            p = image.pointer(t + i * image.word)
            s = image.cstring(p, 64) if isinstance(p, int) and p else None
            if not s:
                break
            out.add(s)
    return out


def _slots_holding(image, value: int) -> list[int]:
    """Addresses in the loadable data that hold ``value`` as a pointer (relocated or as stored)."""
    found = [slot for slot, v in image.pointers.items() if v == value]
    raw = value.to_bytes(image.word, "little" if image.little else "big")
    for seg in image.segments:
        if seg.executable and not image.sectionless:
            continue
        data = image.data[seg.offset:seg.offset + seg.filesz]
        at = data.find(raw)
        while at >= 0 and len(found) < 8:
            if at % image.word == 0:
                found.append(seg.vaddr + at)
            at = data.find(raw, at + 1)
    return found
