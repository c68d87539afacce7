"""The per-ELF decision: rare constants compared against input that gate a command sink or skip an
authentication check, hard-coded passwords in login routines, and the ports a binary listens on.

Only functions that call a comparison, command, privilege, network or authentication routine are
disassembled (found by a raw call scan, see ``functions``); a 2 MB daemon costs well under a second.
A statically linked program has no import names: its C-library routines are named from their bytes,
system calls or use (``signatures``, ``static``), and the library's own code (after the program's
objects) is used for what it calls but never reported.
"""
from __future__ import annotations

import bisect
import collections
import re
from dataclasses import dataclass, field

from ...inventory import entropy
from ...models import FileEntry, FileKind, Observation, ScanError, Severity
from ...ruleset import rule
from ..base import FileAnalyzer
from . import cfg, credentials, elf, flow, functions, lift, model, ppc, signatures, state, static
from .ranking import AUTH_THRESHOLD, GATE_THRESHOLD, Ranked, rank
from .model import Result
from .sinks import Sink, base_name, classify_sink, interesting_imports, knowledge, string_at

#: at most this many functions are disassembled per binary (largest libraries stay bounded)
MAX_FUNCTIONS = 1500
#: functions walked beyond the candidates to follow where a credential check's decision is kept (the
#: check's callers, and what they call): keeps large programs with many run-time compares bounded
MAX_STATE_WALKS = 40
#: callers walked to learn where the values come from that functions compare with built-in texts
MAX_CALLER_WALKS = 40
#: callee depth through which a compare still "reaches" a sink
SINK_DEPTH = 3
MIN_INLINE_MAGIC = 6  # shorter runs are structure fields and character classes
#: a word compare chain of this much text (an inlined ``strcmp(cmd, "diag")``) is a keyword
MIN_INLINE_WORDS_TEXT = 4
#: one compare of this many printable bytes (no NUL) is text too: a fixed-length ``memcmp`` inlined
MIN_WIDE_TEXT = 8
#: code bytes at most between two compares of one run
CHAIN_GAP = 1024
#: code bytes after a compare within which its conditional branch is looked for
BRANCH_WINDOW = 24
#: effective-ID switches a root daemon makes around one privileged operation
TEMPORARY_PRIVILEGE = frozenset({"seteuid", "setegid"})
#: a binary constant shorter than this is also a protocol, format or tokenizer code (ash's quoted "$@"
#: is 5 bytes): gating with it is a lead (medium), not proof
MIN_BINARY_PROOF = 6
#: a function that compares input with at least this many distinct constants is a keyword table (a
#: configuration parser, a command dispatcher): one of its keywords is reported at medium, not high,
#: since a documented keyword and a hidden one look alike there (the evidence gives the count)
KEYWORD_TABLE = 4
#: a keyword table whose other keywords appear in the binary's own texts (help, usage, messages) at
#: least this many times documents its commands; a keyword it never mentions is hidden, and is judged
#: on what it gates, whatever its look (a hidden command reads like any other)
MIN_DOCUMENTED_SIBLINGS = 2
HIDDEN_MIN_SCORE = 5  # even a hidden keyword must be more than one letter or a bare number
#: names of a command table: one short word each; a table of at least this many documents commands
_COMMAND_WORD = re.compile(rb"[a-z][a-z0-9_-]{1,15}")
MIN_COMMAND_TABLE = 5
#: a static program with at most this much code of its own (before the C library) is analysed in full;
#: larger ones (multi-call binaries such as busybox) only where a compare can reach a command
SMALL_STATIC_PROGRAM = 256 * 1024
#: read-only data read for the binary's own texts (larger ones: the first part)
MAX_TEXT_BYTES = 4 * 1024 * 1024
_PRINTABLE = re.compile(rb"[\x20-\x7e\t\r\n]{4,}")
_NAME = re.compile(rb"[\x20-\x7e]{3,}")
#: the text form of an MD5, SHA-1, SHA-224/256/384/512 digest (one case, letters and digits mixed)
_HEX_DIGEST = re.compile(rb"(?=.*[0-9])(?=.*[a-f])([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}"
                         rb"|[0-9a-f]{128})|(?=.*[0-9])(?=.*[A-F])([0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})")


@dataclass
class Comparison:
    function: int
    addr: int
    routine: str
    raw: bytes
    ranked: Ranked
    end: int = 0  # last address of the compare (an inline run spans several instructions)
    hashed: str | None = None  # the compared value is this hash of the input (``fnv``, ``crc-32``)


@dataclass
class Listener:
    function: int
    addr: int
    port: int | None
    protocol: str


@dataclass
class Decision:
    rule_id: str
    comparison: Comparison
    sinks: list[Sink]
    auth_function: int | None = None
    #: distinct constants the same function compares input with: a parser or dispatcher compares many
    keywords: int = 1
    #: the constant is the one keyword of its table that no other string of the binary mentions
    undocumented: bool = False
    #: how data flow showed the compared value is the typed password (``credentials``)
    password_flow: str | None = None
    #: the session or privilege state a match writes that the credential check writes too (``state``)
    state_writes: list[str] = field(default_factory=list)
    #: those writes follow the credential check's own test (not only somewhere after it)
    state_direct: bool = False


@dataclass
class Report:
    arch: str
    comparisons: list[Comparison] = field(default_factory=list)
    sinks: list[Sink] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    effects: list[flow.Effect] = field(default_factory=list)  # network input reaching a command or shell
    services: list[Sink] = field(default_factory=list)  # commands that start a shell service without login
    #: the program authenticates users itself (``remote_auth_routines``): a remote-execution service
    authenticates: bool = False
    offsets: dict[int, int] = field(default_factory=dict)  # address -> file offset
    functions_analysed: int = 0
    static_routines: int = 0  # libc routines named in a static binary
    checks_credentials: bool = False  # the program has a credential check of its own or calls one
    #: what a walk budget left unwalked (reported as scan errors: the analysis is incomplete)
    limits: list[str] = field(default_factory=list)
    packer: str | None = None  # the code is packed (see packed_by): nothing else was analysed


def analyse(data: bytes, shared_library: bool = False) -> Report:
    image = elf.load(data)
    report = Report(arch=image.arch, packer=packed_by(image))
    if report.packer:
        return report
    wanted = interesting_imports()
    if image.imports:
        if not {base_name(n) for n in image.imports.values()} & wanted:
            return report  # calls nothing we judge
        cmap = functions.scan(image)
    else:  # statically linked: name the libc routines from their bytes, system calls and use
        report.static_routines = signatures.name_ifunc_stubs(image, image.irelative, image.plt)
        cmap = functions.scan(image)
        report.static_routines += signatures.name_routines(image, list(cmap.call_sites))
        report.static_routines += static.name_syscall_wrappers(image, cmap)
        if image.arch == "ppc64":
            ppc.local_entries(image)
        compares = set(knowledge()["compare_routines"])
        if not compares & set(image.imports.values()):  # an unknown C library: recognise them by use
            report.static_routines += static.name_compare_routines(image, cmap, cmap.call_sites)
        cmap.reattribute(image.imports)
    library_from = _library_start(image, cmap) if report.static_routines else 1 << 64
    present = {base_name(n) for n in cmap.import_sites}
    report.imports = sorted(present & wanted)
    candidates = sorted({fn for name, sites in cmap.import_sites.items() if base_name(name) in wanted
                         for fn in (cmap.function_of(s) for s in sites) if fn is not None})
    # code after an epilogue may be the preceding function's own out-of-line blocks: that function is
    # walked too (its walk continues there when it branches to it, with its own values)
    candidates = sorted(set(candidates) | {cmap.owner_of(fn) for fn in candidates if fn in cmap.soft_starts})
    writers = _settings_writers(cmap, library_from)
    if report.static_routines:
        kept = _static_candidates(cmap, candidates, writers)
        if _own_code_size(image, library_from) <= SMALL_STATIC_PROGRAM:
            # a small program's own code is judged like a dynamically linked one (authentication too)
            kept = sorted(set(kept) | {fn for fn in candidates if fn < library_from})
        candidates = kept
    if len(candidates) > MAX_FUNCTIONS:
        report.limits.append(f"{len(candidates) - MAX_FUNCTIONS} of the {len(candidates)} functions that call "
                             f"routines it judges were not walked (at most {MAX_FUNCTIONS} per program)")
    candidates = candidates[:MAX_FUNCTIONS]
    walks: dict[int, model.Walk] = {}
    starts = frozenset(cmap.starts)
    for fn in candidates:
        walks[fn] = _walk(image, cmap, fn, starts)
    scanned_calls = {fn: set(targets) for fn, targets in cmap.callees.items()}
    if image.arch in ("x86", "x86_64"):
        # x86 call targets count as starts only when they set up a frame (a raw E8 byte may be no call);
        # a call the walk decoded is one: its target is a function (``-Os`` tests an argument before
        # its pushes), walked when it calls what we judge
        learnt = {c.target for w in walks.values() for c in w.calls if c.name is None and isinstance(c.target, int)
                  and c.target not in starts and c.target < library_from and image.is_code(c.target)}
        if learnt:
            cmap.add_starts(learnt)
            starts = frozenset(cmap.starts)
            judged = [fn for fn in sorted(learnt) if {base_name(n) for n in cmap.imports_of.get(fn, ())} & wanted]
            for fn in _within_budget(judged, MAX_FUNCTIONS, walks, "functions found from decoded calls",
                                     report.limits):
                walks[fn] = _walk(image, cmap, fn, starts)
            writers = _settings_writers(cmap, library_from)  # the calls moved to the functions learnt
    report.functions_analysed = len(walks)

    k = knowledge()
    if report.static_routines:
        _name_exec_wrappers(image, cmap, walks, library_from, starts, report.limits)
    direct: dict[int, list[Sink]] = {}
    for fn, w in walks.items():
        found = [s for s in (classify_sink(image, c) for c in w.calls if c.name) if s]
        direct[fn] = found
        report.sinks.extend(found)
    # (the call graph of the scan: the calls walks decoded later make a helper that may exec, three
    # calls down, look reachable from every compare in front of any call)
    reach = _reach(scanned_calls, direct)
    own = {fn: w for fn, w in walks.items() if fn < library_from}
    # a call two walks reach (a function's own out-of-line code, also walked on its own from where it
    # seems to start) is judged with the arguments the walk that resolved them saw
    by_addr: dict[int, Sink] = {}
    for found in direct.values():
        for s in found:
            if s.addr not in by_addr or by_addr[s.addr].argument is None and s.argument is not None:
                by_addr[s.addr] = s
    report.services = [s for fn, found in direct.items() if fn < library_from for s in found if s.shell_service]
    report.authenticates = bool(present & set(k["remote_auth_routines"]))
    # in a shared library only real password checks mark authentication (its strings are a library's)
    auth_self = {fn for fn, w in walks.items() if _is_auth(image, cmap, fn, w, k, strings=not shared_library)}
    callers = cmap.callers()

    texts: _Texts | None = None  # the binary's own texts, read once when a keyword table needs them
    # the static C library's own compares (charset names, locale keywords) are not input checks
    hashes = _Hashes(image, cmap, k)
    comps_of = {fn: list(_comparisons(image, fn, w, k)) + list(hashes.tests(fn, w))
                for fn, w in walks.items() if fn < library_from}
    matchers = _matchers(walks, comps_of, direct)

    def walk_one(g: int) -> None:
        """Walk one more function of the program: its sinks and its comparisons."""
        walks[g] = _walk(image, cmap, g, starts)
        direct[g] = [s for s in (classify_sink(image, c) for c in walks[g].calls if c.name) if s]
        comps_of[g] = list(_comparisons(image, g, walks[g], k)) + list(hashes.tests(g, walks[g]))

    # a function that runs a command decides with the helpers whose result it tests (``if
    # (is_verb(line)) execl(...)``): walk them, they may compare in a loop and call nothing we judge
    # (or through a helper that surely runs one: ``if (is_verb(line)) run_it(arg);`` at -O0)
    runners = {fn for fn, w in walks.items() if fn < library_from and (direct.get(fn) or any(
        c.name is None and any(_surely_runs(s, k) for s in reach.get(c.target, ())) for c in w.calls))}
    predicates = {c.target for fn, w in walks.items() if fn in runners
                  for c in w.calls if c.name is None and c.addr in set(w.zero_tests.values())
                  and c.target is not None and c.target not in walks and c.target < library_from
                  and image.is_code(c.target)}
    def walk_some(fns: list[int], budget: int, what: str) -> list[int]:
        """Walk ``fns`` (sorted) within ``budget``; the rest is reported."""
        kept = _within_budget(fns, budget, walks, what, report.limits)
        for g in kept:
            walk_one(g)
        return kept

    walk_some(sorted(predicates), MAX_FUNCTIONS, "helpers whose result decides a command")
    if predicates:
        matchers = _matchers(walks, comps_of, direct)
    # a matcher's callers decide on its match: walk them too (they may call nothing else we judge)
    for g in walk_some(sorted({g for m in matchers for g in callers.get(m, ()) if g not in walks and g < library_from}),
                       MAX_FUNCTIONS, "callers of matching helpers"):
        if _is_auth(image, cmap, g, walks[g], k, strings=not shared_library):
            auth_self.add(g)
    checkers = auth_self | {fn for fn, w in own.items()
                            if any(True for _ in state.credential_checks(image, w, set(), _constant_of(image)))}
    # the functions that call a credential check keep its decision (``r->level = check(...)``), whether
    # or not they call anything else we judge: walk them too. A function that returns what a check
    # returned is a check itself (``return verify(user, pass);``): its callers are walked in turn
    extra = 0

    def walk_more(g: int) -> bool:
        """Walk one more function for the state checks; False once the budget is spent."""
        nonlocal extra
        if len(walks) >= MAX_FUNCTIONS or extra >= MAX_STATE_WALKS:
            cut = (f"functions around the credential checks were left unwalked (at most {MAX_STATE_WALKS} "
                   f"followed)")
            if cut not in report.limits:
                report.limits.append(cut)
            return False
        extra += 1
        walk_one(g)
        return True

    for _ in range(SINK_DEPTH):
        for g in sorted({g for c in checkers for g in callers.get(c, ()) if g not in walks and g < library_from}):
            if not walk_more(g):
                break
        # what a function that calls a check also calls: the helper that compares the same password
        # with a built-in one may call nothing we judge (a compare inlined into word loads)
        deciding = {g for g, w in walks.items() if g < library_from
                    and any(c.name is None and c.target in checkers and c.target != g for c in w.calls)}
        for g in sorted({t for d in deciding for t in cmap.callees.get(d, ()) if t not in walks and t < library_from}):
            if not walk_more(g):
                break
        wrappers = {fn for fn, w in walks.items() if fn < library_from and fn not in checkers
                    and _returns_call_to(w, checkers, fn)}
        if not wrappers:
            break
        checkers |= wrappers
    # a function that compares one of its parameters with a built-in text is handed the value by its
    # callers (``check_login(user, pass)``, called by the login form's handler after
    # ``form_value("password", pass, 128)``): walk them, they may call nothing else we judge
    comparing = sorted(fn for fn, w in walks.items() if fn < library_from and credentials.compared_parameters(image, w))
    walk_some(sorted({g for fn in comparing for g in callers.get(fn, ()) if g not in walks and g < library_from}),
              MAX_CALLER_WALKS, "callers of functions that compare a parameter with a built-in text")
    given = _handed_passwords(image, walks, library_from)
    # and the functions they hand the password to: a helper that hashes it calls nothing else we judge
    if walk_some(sorted(g for g in set(given) - walks.keys() if g < library_from and image.is_code(g)),
                 MAX_CALLER_WALKS, "functions handed a typed password"):
        given = _handed_passwords(image, walks, library_from)
    matchers = _matchers(walks, comps_of, direct)
    # settings written from the network behind a credential check are the administrator's interface:
    # a function that logs in itself or calls a check (other than a settings writer, which may compare
    # the key it is given with its table: ``admin_hash``) guards the writes it makes and hands over
    # (a check: a function that handles logins, by its texts or its credential routines; a settings
    # writer's own texts name the settings it writes, ``admin_password``)
    saves = _settings_savers(cmap, library_from)
    # (the flow reads every function walked so far: a session handler walked because it calls the
    # credential check also hands the network's bytes from its read helper to its command helper)
    own = {fn: w for fn, w in walks.items() if fn < library_from}
    logins = auth_self - saves
    guarded = frozenset(logins | {fn for fn in own if fn not in saves
                                  and (cmap.callees.get(fn, set()) - writers) & logins})
    report.effects = flow.effects(image, own, by_addr, networked=bool(present & {"accept", "accept4", "connect"}),
                                  writers=writers, guarded=guarded)
    # a function that logs in and reads the network itself: the write is guarded when a check stands
    # in the code that runs between the read and the write (a big ``main`` holds the login service
    # and, in another branch, a listener that checks nothing)
    report.effects = [e for e in report.effects if e.kind != "settings-write" or e.function not in guarded
                      or not _checked_between(image, own[e.function], e, (checkers | logins) - writers, k)]
    report.effects += flow.credential_disclosures(image, own)
    report.checks_credentials = bool(logins)
    session, shared_places = _session_places(image, walks, checkers, library_from, k)
    arg_regs = lift.argument_registers(image)
    for fn, w in walks.items():
        if fn >= library_from:
            continue
        for mp in credentials.find(image, w, fn in auth_self, library_from, given.get(fn)):
            comp = Comparison(fn, mp.call.addr, base_name(mp.call.name or ""), mp.constant, rank(mp.constant))
            report.decisions.append(Decision("binary.hardcoded-password", comp, [], fn if fn in auth_self else None,
                                             password_flow=mp.evidence))
        if fn in auth_self:
            for ds in credentials.daily_secrets(image, w):
                comp = Comparison(fn, ds.call.addr, "date formatter", ds.seed, rank(ds.seed))
                report.decisions.append(Decision("binary.password-of-the-day", comp, [], fn,
                                                 password_flow=ds.fmt.decode("latin-1")))
        if fn in auth_self or fn in checkers:
            # a built-in text hashed together with a challenge or a date, in code that checks credentials
            for ds in credentials.hashed_secrets(image, w, hashes.hashes_input, hashes.hashes_input(fn)):
                comp = Comparison(fn, ds.call.addr, "formatter of hashed text", ds.seed, rank(ds.seed))
                report.decisions.append(Decision(
                    "binary.hardcoded-password", comp, [], fn if fn in auth_self else None,
                    password_flow=f"formatted with '{ds.fmt.decode('latin-1')}' next to a run-time value "
                                  f"(a challenge, a date) and hashed: the embedded secret of the response"))
        comps = comps_of[fn] + [Comparison(fn, c.addr, f"{m.routine} in the function at {c.target:#x}", m.raw,
                                           m.ranked) for c in w.calls if c.name is None
                                for m in [matchers.get(c.target)] if m is not None and c.target != fn]
        report.comparisons.extend(comps)
        keywords = len({c.raw for c in comps})
        hidden: set[bytes] = set()
        if len({c.raw for c in comps if len(c.raw.strip(b"\0")) >= 3}) >= MIN_DOCUMENTED_SIBLINGS + 1:
            texts = texts if texts is not None else _texts(image)
            hidden = _undocumented(comps, texts)
        neighbours = {fn} | cmap.callees.get(fn, set()) | callers.get(fn, set())
        auth_fn = next((g for g in sorted(neighbours) if g in auth_self), None)
        # a compare gates what runs after it and before the next compare (if/else-if chains of
        # documented commands each gate their own block, not the block of the next one)
        breaks = sorted({c.addr for c in w.calls if base_name(c.name or "") in k["compare_routines"]}
                        | {c.addr for c in comps})
        order = _Flow.of(w, arg_regs)
        echoes = _sent_constants(w)
        login_writes: set = set()
        places = session.get(fn, set()) | shared_places  # where this function keeps a check's decision
        checks = list(state.credential_checks(image, w, checkers - {fn}, _constant_of(image)))
        # a routine of the program's that hashes what it is given (``hash_matches(salt, pass, want)``)
        # checks a credential too: the digest of the typed password against a stored one
        if fn in auth_self:
            # (only calls whose result decides a branch: ``if (hash_matches(...))``)
            known, tested = {c.addr for c in checks}, set(w.zero_tests.values())
            checks += [c for c in w.calls if c.name is None and c.target is not None and c.target != fn
                       and c.addr not in known and c.addr in tested and hashes.hashes_input(c.target)]
        # (a check's block runs on through later compares: the level it grants often hangs on one,
        # ``level = strcmp(role, "admin") ? 1 : 2``, which decides the value, not whether it is written)
        check_regions = [_gated_regions(w, order, check.addr, []) for check in checks]
        for regions in check_regions:
            login_writes |= state.writes(image, w, regions, stack=True)
        after_check = min((c.addr for c in checks), default=None)
        for comp in comps:
            last = max(comp.addr, comp.end)
            regions = _gated_regions(w, order, last, breaks, _after_loop(w, comp))
            gated = [s for s in direct[fn] if any(lo < s.addr < hi for lo, hi in regions)]
            for call in w.calls:
                if any(lo < call.addr < hi for lo, hi in regions) and call.target in reach and call.name is None:
                    # through a helper, only what surely runs a command: a shell command line, a fixed
                    # command, a privilege change; a process spawner that wires pipes (dup2) and execs
                    # a program named at run time is no shell
                    gated.extend(s for s in reach[call.target] if _surely_runs(s, k))
            gated = _unique(gated)
            if all(s.kind == "redirect" for s in gated):
                gated = []  # dup2 onto stdout/stderr with nothing run after it is fd plumbing, not a shell
            if all(s.kind == "privilege" and s.routine in TEMPORARY_PRIVILEGE for s in gated):
                # seteuid(0)/setegid(0) alone: a root daemon taking its effective root back for one
                # operation (proftpd's PRIVS_ROOT), not a shell or a lasting privilege change
                gated = []
            score = comp.ranked.score
            strong = any(s.kind in ("shell", "redirect", "privilege") for s in gated)
            # a hidden keyword counts only in front of a shell, a privilege change or a command built
            # at run time: real programs compare with many literals no text of theirs names (algorithm
            # and protocol names); below the gate rank it is a medium lead (see _results)
            undocumented = comp.raw in hidden and any(s.kind in ("shell", "privilege", "command") for s in gated)
            in_login = auth_fn == fn and comp.ranked.password_like  # the shell a login starts is its own
            # a shell served without a login (``telnetd -l /bin/sh``) is no feature whatever word starts
            # it: a compare that decides directly on starting one is its trigger, however plain it looks
            # (directly: the straight-line code either way of its branch, not the next test's blocks)
            serves = score < GATE_THRESHOLD and any(s.shell_service for s in gated) and _serves_shell(
                _straight_regions(w, order, last, _after_loop(w, comp)), direct[fn], w.calls, reach)
            if gated and not in_login and not _echoed(image, comp, echoes) and (score >= GATE_THRESHOLD
                                           or ((undocumented or serves) and score >= HIDDEN_MIN_SCORE)):
                rid = "binary.magic-gates-shell" if strong else "binary.magic-gates-command"
                report.decisions.append(Decision(rid, comp, gated, auth_fn, keywords, undocumented))
            if comp.hashed or _HEX_DIGEST.fullmatch(comp.raw.rstrip(b"\0")) or _raw_digest_of_input(w, comp, hashes):
                # input hashed, then compared with a built-in digest: the secret is whatever hashes to it
                # (in a function handed the typed password: that password's digest)
                report.decisions.append(Decision("binary.hashed-secret", comp, gated, auth_fn,
                                                 password_flow=_handed_description(given.get(fn))))
            body = comp.raw.rstrip(b"\0")
            # the state a login writes is judged in authentication code only: elsewhere two run-time
            # values compared (a parser's name lookup) are no credential check
            if fn in auth_self and after_check is not None and _state_constant(comp):
                shared = state.writes(image, w, regions, stack=True) & login_writes
                mine = state.writes(image, w, regions)
                # the login's writes may sit behind further tests (the account's role): any write of the
                # same state after the credential check, outside this compare's block, is a lead
                loose = mine & state.writes(image, w, [(after_check - 1, 1 << 64)], outside=regions)
                if shared or loose:
                    report.decisions.append(Decision("binary.auth-state-bypass", comp, [], auth_fn, keywords,
                                                     state_writes=sorted(_describe_write(d) for d in shared or loose),
                                                     state_direct=any(_outlives(d) for d in shared)))
            if places and _state_constant(comp) and not any(_within(c.addr, regions) for c in checks):
                # a match writes where the program keeps what its credential check decided (the level a
                # session lookup returned, the user name it filled), without a check of its own
                kept = {wr for wr in state.session_writes(image, w, regions, places) if wr[0] in places}
                if kept:
                    report.decisions.append(Decision("binary.auth-state-bypass", comp, [], auth_fn, keywords,
                                                     state_writes=sorted(_describe_write(d) for d in kept),
                                                     state_direct=True))
            # a constant in an authentication routine is its own finding, whether or not the shell
            # that a successful login starts is seen behind it
            if auth_fn is not None and fn in auth_self and score >= AUTH_THRESHOLD:
                report.decisions.append(Decision("binary.auth-magic-value", comp, [], auth_fn, keywords, undocumented))
                if comp.ranked.password_like:
                    report.decisions.append(Decision("binary.hardcoded-password", comp, [], auth_fn, keywords,
                                                     undocumented))
        if not shared_library and (_returns_call_to(w, checkers, fn)
                                   or (fn in checkers and callers.get(fn, set()) & auth_self)):
            # the function returns what the program's credential check returns; a compare of a typed
            # text with a built-in one that returns a granted level of its own on a match is a second,
            # built-in credential (a binary magic is a format probe: ``return magic ? 1 : probe(...)``)
            for comp in comps:
                body = comp.raw.rstrip(b"\0")
                if comp.ranked.score <= 5 or len(body) < MIN_PASSWORD_TEXT or len(set(body)) < 3 \
                        or not _PRINTABLE.fullmatch(body):
                    continue
                regions = _straight_regions(w, order, max(comp.addr, comp.end), _after_loop(w, comp))
                granted = sorted({v for a, v in w.constant_returns if 0 < v <= state.MAX_STATE_VALUE
                                  and any(lo < a < hi for lo, hi in regions)})
                if granted:
                    report.decisions.append(Decision(
                        "binary.hardcoded-password", comp, [], auth_fn, keywords,
                        password_flow=f"a match returns the level {granted[0]} itself, where the function "
                                      f"otherwise returns its credential check's result"))
                    continue
                # the same input the credential check is handed, compared with a built-in text (the
                # match's result computed without a branch: ``return (memcmp(p, K, 12) == 0) * 2``)
                # (the check: a routine that hashes what it is given, a digest of the typed password
                # against the configured one; a routine that only compares the value with data of the
                # program's is a parser: a message type, a topic prefix)
                value = _operand_of(w, comp)
                check = next((c for c in w.calls if c.name is None and c.target is not None and c.target != fn
                              and value is not None and value in c.args and hashes.hashes_input(c.target)), None)
                # (a token, compared here: a keyword a helper matches may be a field name)
                if check is not None and keywords <= credentials.MAX_CONSTANTS_PER_VALUE \
                        and comp.ranked.score >= credentials.CHECKED_MIN_RANK and comp.function == fn \
                        and " in the function at " not in comp.routine:
                    report.decisions.append(Decision(
                        "binary.hardcoded-password", comp, [], auth_fn, keywords,
                        password_flow=f"the value compared is the one the function hands to the credential "
                                      f"check at {check.addr:#x}, whose result it returns"))
        if not shared_library and fn in auth_self:
            # a built-in text whose match goes where the program's own credential check goes when it
            # passes (``if (verify(u, p) || strcmp(p, "...") == 0) level = ADMIN;`` and the same with
            # the level kept in a register): a second credential, whatever the text looks like
            # the check: the program's own (a checking routine, a routine that hashes what it is given)
            # or the C library's (crypt, PAM)
            # (a helper that compares its argument with one constant is a matcher, not a check)
            verdicts = [(c, _decided_blocks(w, order, c.addr)) for c in checks
                        if (c.name is None and c.target not in matchers) or base_name(c.name or "") in k["auth_routines"]]
            for comp in comps if verdicts else ():
                body = comp.raw.rstrip(b"\0")
                if not _state_constant(comp) or len(body) < MIN_PASSWORD_TEXT or not _PRINTABLE.fullmatch(body):
                    continue
                mine = _decided_blocks(w, order, max(comp.addr, comp.end), _after_loop(w, comp))
                # (not the compare itself: a matcher helper can be both the compare and a "check")
                check = next((c for c, blocks in verdicts if mine & blocks and c.addr != comp.addr), None)
                if check is not None:
                    report.decisions.append(Decision(
                        "binary.hardcoded-password", comp, [], auth_fn, keywords,
                        password_flow=f"a match goes where the credential check at {check.addr:#x} goes "
                                      f"when it decides"))
        if fn in auth_self and checks and not shared_library:
            # the level kept in a register (-O2): a register the credential check's verdict sets to a
            # small constant, set to one in the block a built-in value decides (``mov $2, %r14d``, a
            # ``cmov``), is the login's state written without the check
            login_regs = {off for regions in check_regions for off in _register_writes(w, order, regions)}
            # and the registers a check's result is moved to (``mov w21, w0`` after ``bl check``)
            check_at = {c.addr for c in checks}
            login_regs |= {off for _, off, at in w.reg_results if at in check_at}
            candidates = [c for c in comps if _state_constant(c)]
            for comp in candidates + list(_word_tests(image, fn, w, comps_of[fn])) if login_regs else ():
                regions = _straight_regions(w, order, max(comp.addr, comp.end), _after_loop(w, comp))
                if any(_within(c.addr, regions) for c in checks):
                    continue
                mine = _register_writes(w, order, regions, values=True)
                kept = sorted((off, v) for off, v in mine if off in login_regs)
                if kept:
                    names = lift.register_names(image)
                    report.decisions.append(Decision(
                        "binary.auth-state-bypass", comp, [], auth_fn, keywords,
                        state_writes=[f"register {names.get(off, off)} = {v:#x}" for off, v in kept],
                        state_direct=True))
        # in authentication code, the state a credential check's verdict writes here (``c->level = 1``
        # after an inlined check), besides where callers keep a check's result
        word_places = places | ({dest for dest, value in login_writes if value is not None}
                                if fn in auth_self else set())
        if word_places:
            # one word of a message compared with a number (``ntohl(h.session) == 0x...``): protocol code
            # does that all the time (magic numbers, message types), so only the block the compare
            # decides directly counts, and only writes of the login's own state there
            for comp in _word_tests(image, fn, w, comps_of[fn]):
                regions = _straight_regions(w, order, comp.addr)
                if any(lo < c.addr < hi for c in checks for lo, hi in regions):
                    continue
                kept = {wr for wr in state.session_writes(image, w, regions, word_places) if wr[0] in word_places}
                if kept:
                    report.decisions.append(Decision("binary.auth-state-bypass", comp, [], auth_fn, keywords,
                                                     state_writes=sorted(_describe_write(d) for d in kept),
                                                     state_direct=True))
    # one decision per rule and compare, whichever of the paths above reached it first
    seen_decisions: set[tuple] = set()
    report.decisions = [d for d in report.decisions
                        if (key := (d.rule_id, d.comparison.addr, d.comparison.raw))
                        not in seen_decisions and not seen_decisions.add(key)]
    if not shared_library:
        report.listeners = _listeners(image, cmap, walks)
    for addr in ([d.comparison.addr for d in report.decisions] + [e.sink.addr for e in report.effects]
                 + [s.addr for s in report.services]):
        off = image.offset_of(addr)
        if off is not None:
            report.offsets[addr] = off
    return report


def _walk(image: elf.Image, cmap: functions.CallMap, fn: int, starts: frozenset[int]) -> model.Walk:
    """One function's walk (Thumb functions are walked from their odd address)."""
    return lift.walk(image, fn | 1 if fn in cmap.thumb_starts else fn, cmap.end_of(fn), starts, cmap.soft_starts)


def _within_budget(fns: list[int], budget: int, walks: dict, what: str, limits: list[str]) -> list[int]:
    """The first of ``fns`` that ``budget`` and the per-program limit leave room to walk; what they
    leave out is recorded in ``limits`` (the scan reports it: no silent cut)."""
    room = max(0, min(budget, MAX_FUNCTIONS - len(walks)))
    if len(fns) > room:
        limits.append(f"{len(fns) - room} of {len(fns)} {what} were not walked (walk budget; at most "
                      f"{MAX_FUNCTIONS} functions per program)")
    return fns[:room]


def _handed_description(params: dict[int, str] | None) -> str | None:
    """How a function is known to be handed the typed password (its first such parameter), or None."""
    return f"argument {min(params) + 1}, {params[min(params)]}" if params else None


def _handed_passwords(image: elf.Image, walks: dict[int, model.Walk], library_from: int) -> dict[int, dict[int, str]]:
    """Function -> parameter index -> how its callers know the value they hand there to be a typed
    password (fetched under a password's name), through helpers a few calls deep."""
    given: dict[int, dict[int, str]] = {}
    todo = sorted(fn for fn in walks if fn < library_from)
    for _ in range(SINK_DEPTH):
        changed: set[int] = set()
        for fn in todo:
            for target, i, why in credentials.handed_passwords(image, walks[fn], given.get(fn, {}), library_from):
                if i not in given.setdefault(target, {}):
                    given[target][i] = why
                    changed.add(target)
        todo = sorted(fn for fn in changed if fn in walks)
        if not todo:
            break
    return given


@dataclass
class _Texts:
    """What the binary says about itself: its printable strings (help, usage, messages), and the
    strings that data points at (a help or command table is an array of string pointers)."""

    strings: list[bytes]
    listed: set[bytes]


@dataclass
class _Flow:
    """A walk's branches, jumps and block ends in address order (sorted once per function)."""

    branches: list[int]
    jumps: list[int]
    ends: list[int]
    stops: list[int]  # where straight-line code stops: branches, jumps and block ends
    calls: list[int]  # call addresses
    #: (test, call): a call's result tested against a constant or zero (``if (fork() == 0)``)
    result_tests: list[tuple[int, int]]
    #: the calling convention's argument registers (a constant written there before a call is an argument)
    arguments: frozenset[int] = frozenset()
    compares: list[int] = field(default_factory=list)  # inline compare addresses

    @classmethod
    def of(cls, w: model.Walk, arguments: frozenset[int] = frozenset()) -> _Flow:
        tests = [(t.addr, t.result.at) for t in w.tested if isinstance(t.result, model.Result) and t.result.at]
        return cls(sorted(w.branches), sorted(w.jumps), sorted(w.block_ends),
                   sorted(set(w.branches) | set(w.jumps) | set(w.block_ends)), sorted(c.addr for c in w.calls),
                   tests + sorted(w.zero_tests.items()), arguments, sorted(c.addr for c in w.compares))


def _first_at_or_after(sorted_addrs: list[int], start: int) -> int | None:
    i = bisect.bisect_left(sorted_addrs, start)
    return sorted_addrs[i] if i < len(sorted_addrs) else None


def _deciding_branch(w: model.Walk, flow: _Flow, last: int) -> int | None:
    """The conditional branch that decides on a compare ending at ``last``: the first within
    BRANCH_WINDOW bytes of it, else the first right after the test of the call's result (a -Os
    schedule fills the gap between ``jalr strcmp`` and ``beqz v0`` with loads and stores of the next
    block)."""
    branch = _first_at_or_after(flow.branches, last)
    if branch is not None and branch <= last + BRANCH_WINDOW:
        return branch
    test = min((t for t, call in flow.result_tests if call == last and t > last), default=None)
    if test is None:
        return None
    branch = _first_at_or_after(flow.branches, test)
    return branch if branch is not None and branch <= test + BRANCH_WINDOW else None


def _gated_regions(w: model.Walk, flow: _Flow, last: int, breaks: list[int],
                   after_loop: int | None = None) -> list[tuple[int, int]]:
    """Code a compare ending at ``last`` decides on: what follows it up to the next compare, the block
    its conditional branch jumps to, the block an unconditional jump at the head of either leads to
    (compilers move a taken block out of line), and for a compare in a loop that reads a table, the
    block run once every pass held (``after_loop``)."""
    def until_break(start: int) -> int:
        i = bisect.bisect_right(breaks, start)
        return breaks[i] if i < len(breaks) else 1 << 64

    def block(start: int) -> tuple[int, int]:  # a jumped-to block: up to its return or jump
        end = _first_at_or_after(flow.ends, start)
        return start - 1, min(until_break(start), end + 1 if end is not None else 1 << 64)

    def near(sorted_addrs: list[int], start: int) -> int | None:
        a = _first_at_or_after(sorted_addrs, start)
        return a if a is not None and a <= start + BRANCH_WINDOW else None

    regions = [(last, block(last + 1)[1])]
    # a test inside the code the compare runs (``if (match) { get(p, buf); if (*buf) system(buf); }``):
    # the block it jumps to forward is the compare's too (one level of nesting)
    lo, hi = regions[0]
    i = bisect.bisect_right(flow.branches, last + BRANCH_WINDOW)
    while i < len(flow.branches) and flow.branches[i] < hi:
        target = w.branches[flow.branches[i]]
        if target > flow.branches[i]:
            regions.append(block(target))
        i += 1
    branch = _deciding_branch(w, flow, last)
    heads = [branch + 1 if branch is not None else last]
    if branch is not None:
        target = w.branches[branch]
        regions.append(block(target))
        heads.append(target)
    if after_loop is not None:
        regions.append(block(after_loop))
        heads.append(after_loop)
    for head in heads:
        jump = near(flow.jumps, head)
        if jump is None:
            # the jump that ends the straight-line code there, however long (a -Os path that clears a
            # buffer, then jumps to the tail it shares with another path: ``memset(); b 1338``)
            end = _first_at_or_after(flow.stops, head)
            if end is not None and end in w.jumps and until_break(head - 1) > end:
                jump = end
        if jump is not None:
            regions.append(block(w.jumps[jump]))
    # a call made there whose result is then tested (``if (fork() == 0) { execl(...); }``): the blocks
    # that test decides are this compare's too
    for test, call in flow.result_tests:
        if _within(call, regions) and _within(test, regions):
            branch = near(flow.branches, test)
            if branch is not None:
                regions.append(block(w.branches[branch]))
    return regions


def _within(addr: int, regions: list[tuple[int, int]]) -> bool:
    return any(lo < addr < hi for lo, hi in regions)


def _straight_regions(w: model.Walk, flow: _Flow, last: int,
                      after_loop: int | None = None) -> list[tuple[int, int]]:
    """The code a compare ending at ``last`` decides directly: the straight-line code after its
    conditional branch and the block that branch jumps to, each up to the next branch, jump or return;
    for a compare in a loop that reads a table, also the code run once every pass held."""
    ends = flow.stops

    def straight(start: int) -> tuple[int, int]:
        end = _first_at_or_after(ends, start)
        return start - 1, (end + 1 if end is not None else 1 << 64)

    extra = [straight(after_loop)] if after_loop is not None else []
    # the compare itself, when it moves on its own test (MIPS ``movz s6, s8, v0`` after ``xor v0, v0, K``)
    extra.append((last - 1, last + 1))
    branch = _deciding_branch(w, flow, last)
    if branch is not None and (later := _first_at_or_after(flow.compares, last + 1)) is not None and later <= branch:
        branch = None  # the branch decides a later compare (the compare moved on its own test)
    if branch is None:
        return [straight(last + 1)] + extra
    # the branch instruction itself: a predicated one writes when the compare decided (ARM ``moveq r8,
    # #2``, x86 ``cmove``: the IR branches over the write to the next instruction)
    return [(branch - 1, branch + 1), straight(branch + 1), straight(w.branches[branch])] + extra


#: a decided block this short that ends in a jump only passes control on (a trampoline)
TRAMPOLINE_BYTES = 8
#: the tail of another path that a decided block jumps into is shared when it is this short
SHARED_TAIL_BYTES = 16


def _decided_blocks(w: model.Walk, flow: _Flow, last: int, after_loop: int | None = None) -> set[int]:
    """The blocks the conditional branch after ``last`` (a compare, or a call whose result is
    tested) leads to, each named by the address its straight-line code ends at, and for a block that
    only jumps on, the block it jumps to. Blocks that end in a return are left out (every path of a
    function may end in one epilogue). Two decisions that share a block decide the same thing."""
    ends = flow.stops
    branch = _deciding_branch(w, flow, last)
    if branch is None:
        return set()
    starts = [branch + 1, w.branches[branch]] + ([after_loop] if after_loop is not None else [])
    out = set()
    for start in starts:
        end = _first_at_or_after(ends, start)
        for _ in range(2):  # a trampoline or two
            if end is None or (end not in w.jumps and end not in w.branches):
                break
            out.add(end)
            if end in w.jumps and end - start > TRAMPOLINE_BYTES:
                # a tail two paths share (cross-jumping: ``level = 2; goto authed;`` ends the check's
                # pass path, and the other path jumps into it): a short block that sets a small
                # constant and jumps on is decided by both (a loop's ``i++; continue`` sets none)
                tail = w.jumps[end]
                tail_end = _first_at_or_after(ends, tail)
                if tail_end is not None and tail_end in w.jumps and 0 <= tail_end - tail <= SHARED_TAIL_BYTES \
                        and any(tail <= a <= tail_end and 0 < v <= state.MAX_STATE_VALUE for a, _, v in w.reg_consts):
                    out.add(tail_end)
            if end not in w.jumps or end - start > TRAMPOLINE_BYTES:
                break
            start = w.jumps[end]
            end = _first_at_or_after(ends, start)
    return out


def _after_loop(w: model.Walk, comp: Comparison) -> int | None:
    """Where the code starts that a table loop holding ``comp`` runs once all its passes matched."""
    return next((at for addr, at in sorted(w.loop_exits.items()) if comp.addr <= addr <= max(comp.addr, comp.end)),
                None)


#: a word compared with a number is a trigger candidate when the number is at least this far from zero
#: (smaller ones are lengths, counts, message types and flags)
MIN_WORD_VALUE = 0x10000


def _word_tests(image, fn: int, w: model.Walk, comps: list[Comparison]):
    """Single compares of a 4- or 8-byte word of memory with a large number that no run of compares
    (an inlined string compare) covers."""
    order = "little" if image.little else "big"
    spans = [(c.addr, max(c.addr, c.end), c.raw) for c in comps]
    for c in w.compares:
        if c.size not in (4, 8):
            continue
        if not MIN_WORD_VALUE <= c.value <= (1 << (8 * c.size)) - MIN_WORD_VALUE or image.mapped(c.value):
            continue  # a length or type; or a pointer compared with an address
        raw = c.value.to_bytes(c.size, order)
        # (a run covers the words it holds, not every compare between its first and last: a header's
        # magic and version tested first, the session word later)
        if len(set(raw)) < 3 or any(lo <= c.addr <= hi and raw in body for lo, hi, body in spans):
            continue
        yield Comparison(fn, c.addr, "word compare", raw, rank(raw))


def _texts(image: elf.Image) -> _Texts:
    """Read from the loadable segments, so that an image without section headers reads the same."""
    strings, listed = [], set()
    word, order = image.word, "little" if image.little else "big"
    targets = {v for slot, v in image.pointers.items() if slot not in image.address_slots}
    for seg in image.segments:
        raw = image.read(seg.vaddr, min(seg.filesz, MAX_TEXT_BYTES)) or b""
        strings.extend(m.group(0) for m in _PRINTABLE.finditer(raw))
        if not seg.executable:  # string tables live in data (.data.rel.ro), not among instructions
            for i in range(0, len(raw) - word + 1, word):
                if seg.vaddr + i not in image.address_slots:
                    targets.add(int.from_bytes(raw[i:i + word], order))
    for t in targets:
        if image.readonly(t) or image.in_data(t):
            s = image.cstring(t, 64)
            if s and _NAME.fullmatch(s):
                listed.add(s)
    return _Texts(strings, listed)


def _undocumented(comps: list[Comparison], texts: _Texts) -> set[bytes]:
    """Keywords of a table that the binary never mentions elsewhere (inside a longer text, or listed
    in a table of strings), when it documents its keywords: at least ``MIN_DOCUMENTED_SIBLINGS`` of the
    others are mentioned, or it has a table of names (a command or help table)."""
    words = {c.raw.rstrip(b"\0") for c in comps if len(c.raw.rstrip(b"\0")) >= 3 and c.raw.isascii()}
    mentioned = {w for w in words if w in texts.listed or any(w in t and t != w for t in texts.strings)}
    # a command table (help: names listed in data) that holds one of this function's keywords documents
    # the commands, even when the others are dispatched elsewhere from the table itself
    table = {t for t in texts.listed if _COMMAND_WORD.fullmatch(t)}
    if len(mentioned) < MIN_DOCUMENTED_SIBLINGS and not (len(table) >= MIN_COMMAND_TABLE and words & table):
        return set()  # this function's keywords are not documented: a hidden one cannot be told apart
    return {c.raw for c in comps if c.raw.rstrip(b"\0") in words - mentioned}


#: a constant shorter than this is a field value or a short keyword, not a secret trigger
MIN_STATE_CONSTANT = 4
#: a built-in password compared as text is at least this long
MIN_PASSWORD_TEXT = 6
#: a function this small with one compare against a constant is a matcher (``return !strcmp(id, KEY)``):
#: its callers test the match as if they had compared themselves
MATCHER_CALLS = 4
#: the calls a digest adds to a matcher (init, update, final, a hex conversion)
DIGEST_CALLS = 4


#: layers of a static C library's exec front ends followed (musl: ``execl`` builds the vector and
#: calls ``execv``, which adds the environment and calls ``execve``)
EXEC_LAYERS = 3


def _text_not_vector(image: elf.Image, value) -> bool:
    """``value`` points at a text, not at an array of pointers to texts."""
    if string_at(image, value) is None:
        return False
    first = image.pointer(value)
    return first is None or string_at(image, first) is None


def _callers_of(image: elf.Image, cmap: functions.CallMap, wrappers: dict[int, str], lo: int, hi: int) -> set[int]:
    """The functions in [lo, hi) that call one of ``wrappers``, directly or through a stub that jumps to
    it (musl's ``execvp`` is ``__execvpe`` with the environment added; a stub sets up no frame, so it is
    a call target but no function start)."""
    out = set()
    for target, sites in cmap.call_sites.items() if wrappers else ():
        callers = {fn for fn in map(cmap.function_of, sites) if fn is not None and lo <= fn < hi}
        if callers - out and (target in wrappers or _stub_to(image, cmap, target, wrappers)):
            out |= callers
    return out


#: a stub is this short: the code from its address to the next function start
MAX_STUB_BYTES = 0x40


def _stub_to(image: elf.Image, cmap: functions.CallMap, target: int, wrappers) -> bool:
    """``target`` is a stub that jumps to one of ``wrappers`` (only short code is decoded to see)."""
    return cmap.end_of(target) - target <= MAX_STUB_BYTES and lift.stub_target(image, target, wrappers) is not None


def _name_exec_wrappers(image: elf.Image, cmap: functions.CallMap, walks: dict[int, model.Walk], library_from: int,
                        starts: frozenset[int], limits: list[str]) -> None:
    """In a static program the exec family's front ends (``execl``, ``execv``, ``execvp``) are library
    functions without a name: one that hands its first argument, unchanged, to ``execve`` (or to a
    front end found so) as the path is one of them; a vector front end (``execv``) hands its second
    argument on as the argument vector, a list front end (``execl``) builds one. Calls to them are
    renamed so that their constant arguments are read as a command line (``execl("/usr/sbin/telnetd",
    "telnetd", "-l", "/bin/sh", ...)``); the program's functions that call them are walked (a helper
    that starts a service calls nothing else we judge: ``if (fork() == 0) execvp(argv[0], argv);``).
    ``limits`` receives what the walk budget left unwalked."""
    params = lift.CONVENTIONS[image.arch].args[:2]
    if len(params) < 2:
        return  # arguments on the stack (i386): not followed

    def walk_all(fns: list[int]) -> None:
        for g in _within_budget(fns, MAX_FUNCTIONS, walks, "callers of the exec family", limits):
            walks[g] = _walk(image, cmap, g, starts)

    # the system call's wrapper, and the front ends found so far: a call to one of them, or to a stub
    # that jumps to one (musl's ``execv`` adds the environment and jumps to ``execve``), execs
    execs = {a: "execve" for a, n in image.imports.items() if base_name(n) in ("execve", "execv")}
    stubs: dict[int, bool] = {}

    def execs_at(target) -> bool:
        if target in execs:
            return True
        if target not in stubs:
            stubs[target] = image.is_code(target) and _stub_to(image, cmap, target, execs)
        return stubs[target]

    wrappers: dict[int, str] = {}
    walk_all(sorted(_callers_of(image, cmap, execs, library_from, 1 << 64) - walks.keys()))
    for _ in range(EXEC_LAYERS):
        found = dict(wrappers)
        for fn, w in walks.items():
            if fn < library_from or fn in found:
                continue
            for c in w.calls:
                if (base_name(c.name or "") in ("execve", "execv") or isinstance(c.target, int) and execs_at(c.target)) \
                        and c.args and c.args[0] == lift.Sym(params[0]):
                    vector = len(c.args) > 1 and c.args[1] == lift.Sym(params[1])
                    found[fn] = "execv" if vector else "execl"
                    break
        if found == wrappers:
            break
        wrappers = found
        execs.update(wrappers)
        stubs = {t: True for t, hit in stubs.items() if hit}
        walk_all(sorted(_callers_of(image, cmap, wrappers, library_from, 1 << 64) - walks.keys()))
    if not wrappers:
        return
    walk_all(sorted(_callers_of(image, cmap, wrappers, 0, library_from) - walks.keys()))
    for w in walks.values():
        for c in w.calls:
            if c.name is None and c.target is not None:
                target = c.target if c.target in wrappers else lift.stub_target(image, c.target, wrappers)
                if target is not None:
                    # (a list front end whose vector the walk took for its own second argument reads
                    # as a vector one: the call says which, a text where a vector would be is ``arg0``)
                    c.name = "execl" if len(c.args) > 1 and _text_not_vector(image, c.args[1]) else wrappers[target]


def _session_places(image: elf.Image, walks: dict[int, model.Walk], checkers: set[int], library_from: int,
                    k: dict) -> tuple[dict[int, set], set[int]]:
    """Per function of the program, the places where it keeps what a credential check decided (see
    ``state.session_places``); and those that are globals, which every function shares. The checks are
    calls of the program's own checking functions and of credential routines."""
    own = {fn: w for fn, w in walks.items() if fn < library_from}
    auth = set(k["auth_routines"])
    checks = {fn: {c.addr for c in w.calls if (c.name is None and c.target in checkers and c.target != fn)
                   or base_name(c.name or "") in auth} for fn, w in own.items()}
    outs = {fn: state.out_parameters(image, w) for fn, w in own.items()}
    regs = set(lift.CONVENTIONS[image.arch].args)
    fields: dict[int, set[lift.Sym]] = {}
    places: dict[int, set] = {}
    for _ in range(SINK_DEPTH):  # a chain of helpers between the handler and the check
        places = {fn: state.session_places(image, w, checks[fn], outs, fields) for fn, w in own.items()}
        new = {fn: {p for p in got if isinstance(p, lift.Sym) and p.base in regs} for fn, got in places.items()}
        if new == fields:
            break
        fields = new
    shared = {p for got in places.values() for p in got if isinstance(p, int)}
    return places, shared


#: the data addresses of one routine read for a digest's initial value
MAX_DIGEST_REFS = 64


class _Hashes:
    """The program's hash functions, known by their constants (``hash_constants``, ``hash_tables`` in
    the knowledge file), and the tests of their results against built-in numbers."""

    def __init__(self, image: elf.Image, cmap: functions.CallMap, k: dict) -> None:
        self.image, self.cmap = image, cmap
        self.constants = {v: name for name, vals in k["hash_constants"].items() for v in vals}
        self.tables = {name: vals for name, vals in k["hash_tables"].items()}
        self.kinds: dict[int, str | None] = {}
        self.digest_words = [vals for vals in k["digest_constants"].values()]
        self.digests: dict[int, bool] = {}
        self.constants_of: dict[int, tuple[set[int], set[int]]] = {}

    def _immediates(self, fn: int) -> tuple[set[int], set[int]]:
        if fn not in self.constants_of:
            cmap, image = self.cmap, self.image
            start = fn | 1 if fn in cmap.thumb_starts else fn
            self.constants_of[fn] = lift.immediates(image, start, cmap.end_of(fn)) if image.is_code(fn) \
                else (set(), set())
        return self.constants_of[fn]

    def kind(self, fn: int) -> str | None:
        if fn not in self.kinds:
            image = self.image
            seen, refs = self._immediates(fn)
            seen = {lift.sign_narrowed(v) for v in seen}
            kind = next((self.constants[v] for v in sorted(seen) if v in self.constants), None)
            if kind is None:
                order = "little" if image.little else "big"
                for name, words in self.tables.items():
                    for r in sorted(refs):
                        raw = image.read(r, 4 * len(words))
                        if raw and len(raw) == 4 * len(words) and \
                                [int.from_bytes(raw[i:i + 4], order) for i in range(0, len(raw), 4)] == words:
                            kind = name
                            break
            self.kinds[fn] = kind
        return self.kinds[fn]

    def hashes_input(self, fn: int) -> bool:
        """``fn`` is a hash or digest routine or calls one (``hash_matches(salt, pass, want)``)."""
        return any(self.sets_up_digest(g) or self.kind(g) is not None
                   for g in [fn, *sorted(self.cmap.callees.get(fn, ()))])

    def sets_up_digest(self, fn: int) -> bool:
        """``fn`` sets up a message digest (MD5, SHA): two words of its initial value are among its
        constants, or in the data it loads them from (vector loads of the whole initial value)."""
        if fn not in self.digests:
            image = self.image
            seen, refs = self._immediates(fn)
            seen = set(seen)
            order = "little" if image.little else "big"
            for r in sorted(refs)[:MAX_DIGEST_REFS]:
                raw = image.read(r, 16) or b""
                seen |= {int.from_bytes(raw[i:i + n], order) for n in (4, 8) for i in range(0, len(raw) - n + 1, n)}
            # a vector register loaded with a whole initial value: its words
            seen |= {(v >> s) & ((1 << n) - 1) for v in seen if v >> 64 for n in (32, 64) for s in range(0, 128, n)}
            self.digests[fn] = any(len(seen & set(words)) >= 2 for words in self.digest_words)
        return self.digests[fn]

    def tests(self, fn: int, w: model.Walk):
        """``hash(input) == constant`` in ``fn``: a compare of a hash function's result with a number."""
        calls = {c.addr: c for c in w.calls}
        inline = next((self.constants[v] for v in sorted(w.marks) if v in self.constants), None)
        for t in w.tested:
            if t.value in self.constants:
                continue  # the hash's own constant (its polynomial chosen by a bit test)
            if t.result is None:
                if inline is not None and t.hashed:  # the hash is inlined: its result is a loop's value
                    raw = t.value.to_bytes(t.size, "big")
                    yield Comparison(fn, t.addr, f"{inline} hash (inlined)", raw, rank(raw), hashed=inline)
                continue
            call = calls.get(t.result.at)
            if call is None or call.name is not None or call.target is None or call.target == fn:
                continue
            kind = self.kind(call.target)
            if kind is not None:
                raw = t.value.to_bytes(t.size, "big")
                yield Comparison(fn, t.addr, f"{kind} hash (function at {call.target:#x})", raw, rank(raw),
                                 hashed=kind)


def _operand_of(w: model.Walk, comp: Comparison):
    """The run-time value ``comp`` compares with its constant: the pointer an inline compare reads
    through (``Sym``, at the run's first byte), or a compare call's non-constant argument."""
    reads = [c for c in w.compares if comp.addr <= c.addr <= max(comp.addr, comp.end)]
    if reads:
        first = min(reads, key=lambda c: c.offset)
        return lift.Sym(first.base, first.offset)
    call = next((c for c in w.calls if c.addr == comp.addr), None)
    return next((a for a in (call.args[:2] if call else ()) if isinstance(a, (lift.Sym, model.Loaded, Result))), None)


def _returns_call_to(w: model.Walk, targets: set[int], fn: int) -> bool:
    """The function returns what a call of one of ``targets`` (not itself) returned."""
    at = {c.addr for c in w.calls if c.name is None and c.target in targets and c.target != fn}
    return bool(at) and any(r.routine is None and r.at in at for r in w.returns)


def _state_constant(comp: Comparison) -> bool:
    """A constant that may stand for a credential where a login's state is written: more than one
    letter or number, of at least MIN_STATE_CONSTANT bytes, not a protocol or configuration word."""
    body = comp.raw.rstrip(b"\0")
    return comp.ranked.score > 5 and len(body) >= MIN_STATE_CONSTANT and len(set(body)) >= 3 and _not_a_word(body)


#: characters found in protocol and configuration words (names, keys, paths, versions)
_WORD_PUNCTUATION = frozenset("_-./: ")


#: routines that send a buffer (``send(fd, buf, len, flags)``): index of the buffer and of its length
_SENDS = {"send": (1, 2), "sendto": (1, 2), "write": (1, 2)}
#: bytes assumed sent when the length is not a constant
_SENT_DEFAULT = 1500


def _sent_constants(w: model.Walk) -> set[int]:
    """Word constants the function stores into a stack buffer it sends: a request's transaction id
    (DHCP ``xid``), a sequence number."""
    spans = []
    for c in w.calls:
        at = _SENDS.get(base_name(c.name or ""))
        if at and len(c.args) > at[0] and isinstance(c.args[at[0]], lift.Sym):
            n = c.args[at[1]] if len(c.args) > at[1] and isinstance(c.args[at[1]], int) else _SENT_DEFAULT
            spans.append((c.args[at[0]], n))
    return {st.value for st in w.stores if st.size >= 4 and isinstance(st.dest, lift.Sym)
            and any(st.dest.base == b.base and 0 <= st.dest.offset - b.offset < n for b, n in spans)}


def _echoed(image: elf.Image, comp: Comparison, sent: set[int]) -> bool:
    """The compared bytes hold a word the function put in what it sent: the reply echoes the
    program's own request id back, it is no trigger from outside."""
    raw = comp.raw
    return any(v.to_bytes(4, order) in raw for v in sent if v < 1 << 32 and len(set(v.to_bytes(4, "big"))) >= 3
               for order in ("big", "little"))


def _runtime_command(s: Sink) -> bool:
    """The sink runs a command line built at run time: ``system(buf)``, ``sh -c <buf>``."""
    line = (s.command_line or s.argument or "").rstrip()
    return (s.kind == "command" and not s.argument) or (s.kind == "shell" and line.endswith(" -c"))


def _not_a_word(raw: bytes) -> bool:
    """Binary, or text with a digit, both cases or punctuation words do not have: not a protocol or
    configuration word ("password" is an SSH authentication method, "admin_salt" a configuration key),
    which honest code compares before writing session state all the time."""
    if not raw.isascii() or any(b < 32 for b in raw):
        return True
    text = raw.decode("ascii")
    return any(c.isdigit() for c in text) or (any(c.islower() for c in text) and any(c.isupper() for c in text)) \
        or any(not c.isalnum() and c not in _WORD_PUNCTUATION for c in text)


def _constant_of(image: elf.Image):
    def constant(value) -> bool:
        # a literal, or a number; a writable global (loaded configuration, a buffer) is run-time data
        return isinstance(value, int) and (image.in_data(value) or not image.mapped(value))
    return constant


def _matchers(walks, comps_of: dict[int, list[Comparison]], direct) -> dict[int, Comparison]:
    out = {}
    for fn, comps in comps_of.items():
        if len({c.raw for c in comps}) != 1 or direct.get(fn):
            continue
        # a digest matcher makes the hash's calls too (init, update, final, hex) before its one compare
        hashed = comps[0].hashed or _HEX_DIGEST.fullmatch(comps[0].raw.rstrip(b"\0"))
        if len(walks[fn].calls) <= MATCHER_CALLS + (DIGEST_CALLS if hashed else 0):
            out[fn] = comps[0]
    return out


def _outlives(write) -> bool:
    """The write is to state that outlives the function (not one of its stack slots)."""
    dest = write[0]
    return not (isinstance(dest, lift.Sym) and dest.base == "sp")


#: bytes of the digests a program compares raw (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512)
DIGEST_SIZES = frozenset({16, 20, 28, 32, 48, 64})


def _raw_digest_of_input(w: model.Walk, comp: Comparison, hashes: _Hashes) -> bool:
    """``memcmp(d, K, 32)`` where ``d`` is a buffer a hashing routine of the program was handed before
    (``sha256_final(&c, d)``): the input's digest compared with a built-in one."""
    spec = knowledge()["compare_routines"].get(comp.routine)
    if len(comp.raw) not in DIGEST_SIZES or spec is None or not spec.get("binary") or _PRINTABLE.fullmatch(comp.raw):
        return False  # a raw digest: bytes compared with memcmp, not a text
    call = next((c for c in w.calls if c.addr == comp.addr), None)
    if call is None:
        return False
    ours = [a for a in call.args[:2] if isinstance(a, lift.Sym)]
    before = [c for c in w.calls if c.addr < call.addr and c.name is None and c.target is not None]
    # the digest's context: what the routine that sets the digest up was handed; ``final(&ctx, d)``
    # shares it
    contexts = {a for c in before if hashes.hashes_input(c.target) for a in c.args if isinstance(a, lift.Sym)}
    # (or the function sets the digest up itself, ``sha256_init`` inlined: the routine it hands the
    # buffer to, with the context, is the digest's final step)
    return any(any(a in c.args for a in ours) and (hashes.sets_up_digest(comp.function) or hashes.hashes_input(c.target)
                                                   or any(a in contexts for a in c.args))
               for c in before)


def _register_writes(w: model.Walk, flow: _Flow, regions: list[tuple[int, int]], values: bool = False) -> set:
    """The general registers written with a small constant inside ``regions`` (with the constant when
    ``values``), leaving out a constant loaded for a call made before the block ends (an argument)."""
    calls, ends = flow.calls, flow.stops
    out = set()
    for at, off, value in w.reg_consts:
        if not _within(at, regions):
            continue
        call, end = _first_at_or_after(calls, at + 1), _first_at_or_after(ends, at)
        if call is not None and (end is None or call <= end) and off in flow.arguments:
            continue
        out.add((off, value) if values else off)
    return out


def _describe_write(write) -> str:
    dest, value = write
    where = f"{dest:#x}" if isinstance(dest, int) else (
        f"stack+{dest.offset:#x}" if dest.base == "sp" else f"[{dest.base}+{dest.offset:#x}]")
    return f"{where} = {value:#x}" if value is not None else f"{where} (string copied)"


def _own_code_size(image: elf.Image, library_from: int) -> int:
    return sum(max(0, min(hi, library_from) - lo) for lo, hi in image.code)


def _library_start(image: elf.Image, cmap: functions.CallMap) -> int:
    """Where the C library begins in a static program: the linker places the program's own objects
    first (after the start-up code at the entry point) and the archive members it pulls in after
    them. The first of those is the start-up routine the entry code hands ``main`` to
    (``__libc_start_main``); failing that, the lowest routine named from its bytes or system call."""
    entry = image.entry & ~1
    named = [a & ~1 for a in image.imports if (a & ~1) > entry and image.is_code(a & ~1)]
    first = _entry_call(image, cmap, entry)
    if first is not None and first > entry + 0x100:  # musl's _start calls _start_c right behind it
        named.append(first)
    return min(named, default=1 << 64)


def _entry_call(image: elf.Image, cmap: functions.CallMap, entry: int) -> int | None:
    """Target of the first call (PowerPC: branch) in the program's entry code."""
    window = 0x80
    if image.arch.startswith("ppc"):
        from . import ppc
        raw = image.read(entry, window) or b""
        for i, w in enumerate(ppc.words(image, raw)):
            if (w >> 26) == 18 and not w & 2:  # b / bl
                off = w & 0x03FFFFFC
                return entry + 4 * i + (off - 0x04000000 if off & 0x02000000 else off)
        return None
    best = None
    for target, sites in cmap.call_sites.items():
        if entry <= target < entry + window:
            continue  # MIPS `bal .+8` reads the PC
        for site in sites:
            if entry <= site < entry + window and (best is None or site < best[0]):
                best = (site, target)
    for name, sites in cmap.import_sites.items():  # the start-up routine may itself have been named
        for site in sites:
            if entry <= site < entry + window and (best is None or site < best[0]):
                best = (site, None)
    return best[1] if best else None


def _checked_between(image, w: model.Walk, e: flow.Effect, checkers: set[int], k: dict) -> bool:
    """A credential check can run between the network read of ``e`` and its settings write: on a path
    from the read to the write, or, when both are in a loop (a session loop reads, checks, writes), on
    the way from the write back to the next read."""
    read, write = e.source_addr, e.sink.addr
    if not w.calls or not w.calls[0].addr <= read <= w.calls[-1].addr:
        read = w.calls[0].addr if w.calls else write  # read into a shared buffer elsewhere
    paths = cfg.of(w)
    checks = state.credential_checks(image, w, checkers, _constant_of(image))
    return any(paths.between(read, write, c.addr) or paths.between(write, read, c.addr) for c in checks)


def _settings_savers(cmap: functions.CallMap, library_from: int) -> frozenset[int]:
    """The program's functions that call a configuration store's setter or replace a file
    (``settings_writers``) themselves. Code after an early return (``if (!table) return -1;``) seems
    to start a function of its own; its calls are its owner's."""
    routines = set(knowledge()["settings_writers"])
    found = {fn for fn, names in cmap.imports_of.items()
             if fn < library_from and {base_name(n) for n in names} & routines}
    return frozenset(found | {cmap.owner_of(fn) for fn in found if fn in cmap.soft_starts})


def _settings_writers(cmap: functions.CallMap, library_from: int) -> frozenset[int]:
    """The program's functions that write its settings: the savers, and the functions that call one
    (``config_set(k, v)`` updating a table and calling ``config_save()``)."""
    direct = _settings_savers(cmap, library_from)
    return direct | {fn for fn, callees in cmap.callees.items() if fn < library_from and callees & direct}


def _static_candidates(cmap: functions.CallMap, candidates: list[int], writers: frozenset[int] = frozenset()) -> list[int]:
    """In a static binary (no strings-based authentication context) only compares that can reach a
    command, privilege or redirect routine matter: keep those functions and the ones they call, and the
    functions that read the network and hand what they read to the settings writers."""
    k = knowledge()
    sink_names = set(k["command_sinks"]) | set(k["privilege_sinks"]) | set(k["redirect_sinks"])
    reaches = {fn for fn, names in cmap.imports_of.items() if names & sink_names}
    for _ in range(SINK_DEPTH - 1):
        reaches |= {fn for fn, callees in cmap.callees.items() if callees & reaches}
    compares = set(k["compare_routines"])
    keep = {fn for fn in candidates if fn in reaches and cmap.imports_of.get(fn, set()) & compares}
    keep |= {fn for fn in candidates if fn in reaches and cmap.imports_of.get(fn, set()) & sink_names}
    keep |= {fn for fn in candidates if cmap.imports_of.get(fn, set()) & {"bind", "socket"}}
    net_in = set(k["network_input"])
    keep |= {fn for fn in candidates if cmap.imports_of.get(fn, set()) & net_in and cmap.callees.get(fn, set()) & writers}
    return sorted(keep)


def _surely_runs(s: Sink, k: dict) -> bool:
    """What a helper's sink surely does when the helper is called: a shell command line, a fixed
    command, a privilege change (a process spawner that wires pipes and execs a program named at run
    time is no shell)."""
    return s.kind == "privilege" or s.shell_service or base_name(s.routine) in k["shell_command_routines"] \
        or (s.kind in ("shell", "command") and bool(s.argument))


def _serves_shell(regions: list[tuple[int, int]], direct: list[Sink], calls: list[model.Call],
                  reach: dict[int, list[Sink]]) -> bool:
    """A shell service without a login starts in ``regions``: there, or in a helper called there."""
    return any(s.shell_service for s in direct if _within(s.addr, regions)) or any(
        s.shell_service for c in calls if c.name is None and c.target in reach and _within(c.addr, regions)
        for s in reach[c.target])


def _unique(sinks: list[Sink]) -> list[Sink]:
    seen, out = set(), []
    for s in sinks:
        if s.addr not in seen:
            seen.add(s.addr)
            out.append(s)
    return out


def _reach(call_graph: dict[int, set[int]], direct: dict[int, list[Sink]]) -> dict[int, list[Sink]]:
    """function -> sinks it reaches itself or through direct callees (bounded depth)."""
    reach = {fn: list(s) for fn, s in direct.items() if s}
    for _ in range(SINK_DEPTH - 1):
        changed = False
        for fn, callees in call_graph.items():
            got = [s for c in callees if c != fn for s in reach.get(c, ())]
            if got:
                cur = reach.setdefault(fn, [])
                new = [s for s in got if s not in cur]
                if new:
                    cur.extend(new)
                    changed = True
        if not changed:
            break
    return reach


def _is_auth(image, cmap, fn, w, k, strings: bool = True) -> bool:
    if {base_name(n) for n in cmap.imports_of.get(fn, ())} & set(k["auth_routines"]):
        return True
    if not strings:
        return False
    markers = k["auth_markers"]
    for ref in w.refs:
        raw = string_at(image, ref, 96)
        if raw and len(raw) >= 4:
            low = raw.decode("latin-1").lower()
            if any(m in low for m in markers):
                return True
    return False


def _operand(image: elf.Image, value, length: int | None, binary: bool) -> bytes | None:
    if not isinstance(value, int):
        return None
    # a fixed-length compare names its operand as data; without section headers read-only data
    # and code share a segment, so any read-only address is taken for such an operand
    if not image.in_data(value) and not (binary and length and image.sectionless and image.readonly(value)):
        return None
    if binary:
        if length is None:  # memcmp(input, "literal", strlen(input)): the literal is a C string
            raw = image.cstring(value, 256)
            return raw if raw and _NAME.fullmatch(raw) else None
        if not 0 < length <= 256:
            return None
        raw = image.read(value, length)
        return raw if raw and len(raw) == length else None
    raw = image.cstring(value, 256)
    if raw is None:
        return None
    if length is not None and 0 < length < len(raw):
        raw = raw[:length]
    return raw


def _comparisons(image, fn, w, k):
    routines = k["compare_routines"]
    for call in w.calls:
        name = base_name(call.name or "")
        spec = routines.get(name)
        if spec is None:
            continue
        length_idx, binary = spec.get("length"), spec.get("binary", False)
        length = call.args[length_idx] if length_idx is not None and length_idx < len(call.args) else None
        length = length if isinstance(length, int) else None
        if "needle" in spec:
            needle = call.args[spec["needle"]] if spec["needle"] < len(call.args) else None
            hay = call.args[0] if call.args else None
            a, b = _operand(image, hay, None, False), _operand(image, needle, length, binary)
            if a is not None or b is None:
                continue
            raw = b
        else:
            if len(call.args) < 2:
                continue  # arguments the tracker could not recover (x86 stack arguments)
            a = _operand(image, call.args[0], length, binary) or call.built.get(0)
            b = _operand(image, call.args[1], length, binary) or call.built.get(1)
            if (a is None) == (b is None):
                continue  # both constant (not input) or nothing known
            value = call.args[1] if a is not None else call.args[0]
            if isinstance(value, Result) and base_name(value.routine or "") in k["configuration_getters"]:
                continue  # the device's own setting compared with a value it may take
            raw = a if a is not None else b
        if raw:
            yield Comparison(fn, call.addr, name, raw, rank(raw))
    yield from _inline_magic(image, fn, w)


def _inline_magic(image, fn, w):
    """Runs of compares on consecutive offsets of one buffer: ``p[0]==0x.. && p[1]==0x.. ...``, or a
    ``strcmp`` against a literal inlined into word compares. Runs are followed in code order, so the
    compares of an if/else-if chain (each at offset 0 of the same buffer) stay separate keywords."""
    order = "little" if image.little else "big"
    runs: list[list] = []  # [base, start offset, bytes, the compares read in order]
    open_runs: dict[str, list[list]] = collections.defaultdict(list)
    for c in sorted(w.compares, key=lambda c: c.addr):
        try:
            raw = c.value.to_bytes(c.size, order)
        except OverflowError:
            continue
        if c.size >= 4 and c.value >= 0x1000 and image.mapped(c.value):
            continue  # a pointer read from memory compared with an address (``p == &table``), not text
        if c.size >= 4 and c.value >= (1 << (8 * c.size)) - lift.MIN_TESTED_VALUE:
            continue  # a word equal to a small negative number: a return code or sentinel (-1, -ENOMEM)
        if c.size >= 4 and raw[0] == 0:
            # a word whose first byte is a NUL continues no text and starts none: a length or count
            # bound of the field before a magic (``len <= 4096``), not the magic's first bytes
            continue
        # (or further on, at the head of the block its branch reaches: -O2 moves the second word's
        # test out of line, past the rest of the function)
        chain = _continued(w, [r for r in open_runs[c.base] if r[1] + len(r[2]) == c.offset
                               and (c.addr - r[3][-1].addr <= CHAIN_GAP or _leads_to(w, r[3][-1].addr, c.addr))],
                           c.addr)
        if chain is not None:
            chain[2] += raw
            chain[3].append(c)
            continue
        # the last word overlaps the run (``strcmp`` inlined on an odd length: 8 + 8 bytes, then the 4
        # bytes ending at the NUL read from offset 15): the bytes it shares must agree
        chain = next((r for r in reversed(open_runs[c.base]) if r[1] < c.offset < r[1] + len(r[2]) < c.offset + c.size
                      and r[2][c.offset - r[1]:] == raw[:r[1] + len(r[2]) - c.offset]
                      and c.addr - r[3][-1].addr <= CHAIN_GAP), None)
        if chain is not None:
            chain[2] += raw[chain[1] + len(chain[2]) - c.offset:]
            chain[3].append(c)
            continue
        chain = next((r for r in reversed(open_runs[c.base]) if c.offset + c.size == r[1]
                      and _leads_to(w, r[3][-1].addr, c.addr)), None)
        if chain is not None:  # the compiler tested the later bytes first
            chain[1], chain[2] = c.offset, raw + chain[2]
            chain[3].append(c)
            continue
        run = [c.base, c.offset, raw, [c]]
        runs.append(run)
        open_runs[c.base].append(run)
    # (a compare read twice, by two passes of the walk, starts a run of its own: the longer run it is
    # part of says it all)
    longest: dict[int, int] = {}
    for _, _, raw, compares in runs:
        for c in compares:
            longest[c.addr] = max(longest.get(c.addr, 0), len(raw))
    for _, _, raw, compares in runs:
        if all(longest[c.addr] > len(raw) for c in compares):
            continue
        body = raw.rstrip(b"\0")
        # text ending in its NUL is an inlined strcmp with a literal, even as one wide compare;
        # otherwise one wide compare is a structure field test
        text = len(body) >= MIN_INLINE_WORDS_TEXT and len(raw) > len(body) and _PRINTABLE.fullmatch(body)
        # (and a word of 8 printable bytes: ``memcmp(p, "XLN1ALdC", 8)`` inlined into one compare)
        text = text or len(raw) >= MIN_WIDE_TEXT and _PRINTABLE.fullmatch(raw)
        # several compares: at different places, or one compare in several passes of a loop
        several = len({(c.addr, c.iteration) for c in compares}) >= 2
        # one compare replayed pass by pass over successive bytes (a loop against a table, the
        # input's length checked before it): a keyword, however short, when it reads as text
        looped = len({c.addr for c in compares}) == 1 and len({c.iteration for c in compares}) == len(compares) \
            == len(body) >= MIN_INLINE_WORDS_TEXT and _PRINTABLE.fullmatch(body)
        if len(set(body)) >= 3 and ((len(body) >= MIN_INLINE_MAGIC and several) or text or looped):
            addrs = [c.addr for c in compares]
            yield Comparison(fn, min(addrs), "inline compare", raw, rank(raw), end=max(addrs))


#: a compare this close after another is reached from it in straight-line code
STRAIGHT_GAP = 48
#: a compare this far into the block a branch reaches is in that block's first instructions
BLOCK_REACH = 64


def _leads_to(w, last: int, addr: int) -> bool:
    """The compare at ``addr`` runs right after the one at ``last``: in the straight-line code after it,
    or at the head of the block its branch reaches. (A text's NUL tested first and its first bytes
    tested later are one compare only then: the same buffer is tested for other words elsewhere.)"""
    if 0 <= addr - last <= STRAIGHT_GAP:
        return True
    return any(0 <= b - last <= BRANCH_WINDOW and 0 <= addr - target <= BLOCK_REACH
               for b, target in w.branches.items())


def _continued(w, runs: list[list], addr: int) -> list | None:
    """Of the runs the compare at ``addr`` could continue, the one whose last compare branches to the
    block the compare is in (``if (w0 == 'diag')`` jumps to the test of the next word, out of line
    after an unrelated ``== 'logi'``); else the latest."""
    best, best_gap = None, None
    for r in runs:
        last = r[3][-1].addr
        for b, target in w.branches.items():
            if 0 <= b - last <= BRANCH_WINDOW and target <= addr:
                gap = addr - target
                if best_gap is None or gap < best_gap:
                    best, best_gap = r, gap
    return best if best is not None and best_gap <= CHAIN_GAP else (runs[-1] if runs else None)


def _listeners(image, cmap, walks) -> list[Listener]:
    out = []
    mips = image.arch.startswith("mips")
    has_listen = any(base_name(n) in ("listen", "accept", "accept4") for n in cmap.import_sites)
    for fn, w in walks.items():
        binds = [c for c in w.calls if base_name(c.name or "") == "bind"]
        if not binds:
            continue
        sock_types = [c.args[1] for c in w.calls if base_name(c.name or "") == "socket" and len(c.args) > 1]
        proto = None
        for t in sock_types:
            if isinstance(t, int):
                t &= 0xF
                stream, dgram = (2, 1) if mips else (1, 2)
                proto = {stream: "tcp", dgram: "udp", 3: "raw"}.get(t, proto)
        if proto is None:
            proto = "tcp" if has_listen else "udp"
        for b in binds:
            port = _port(image, w, b.addr)
            if port is None:  # a helper given the port (``listen_on(8080)``): one listener per call
                ports = _ports_from_callers(walks, fn)
                out.extend(Listener(fn, b.addr, p, proto) for p in ports)
                if ports:
                    continue
            out.append(Listener(fn, b.addr, port, proto))
    # one listener per (port, protocol); binds whose port is not resolved are told apart by address
    seen, unique = set(), []
    for lst in out:
        key = (lst.port if lst.port else lst.addr, lst.protocol)
        if key not in seen:
            seen.add(key)
            unique.append(lst)
    return unique


def _swap16(v: int) -> int:
    return ((v & 0xFF) << 8) | (v >> 8)


def _port(image, w, bind_addr: int) -> int | None:
    """The port a bind at ``bind_addr`` binds: the ``sin_port`` field of the address it is given, as
    the function stored it (a constant, ``htons`` of a constant or of ``atoi("...")``), or failing
    that the one port-like constant the function passes to ``htons`` or stores."""
    bind = next((c for c in w.calls if c.addr == bind_addr), None)
    results = {c.addr: c for c in w.calls}
    addr = bind.args[1] if bind is not None and len(bind.args) > 1 else None

    def network_order(value: int, size: int) -> int:
        return _swap16(value & 0xFFFF) if image.little else value & 0xFFFF

    if isinstance(addr, (lift.Sym, int)):
        field_at = _add_offset(addr, 2)
        for s in reversed([s for s in w.stores if s.addr < bind_addr]):
            if s.dest == field_at and s.size == 2:
                return network_order(s.value, 2) or None
            if s.dest == addr and s.size in (4, 8):
                word = s.value if image.little else s.value >> (8 * (s.size - 4))
                port = _swap16((word >> 16) & 0xFFFF) if image.little else word & 0xFFFF
                return port or None
    for c in w.calls:
        if base_name(c.name or "") == "htons" and c.args:
            arg = c.args[0]
            if isinstance(arg, Result) and arg.at in results:
                arg = _number_of(image, results[arg.at])
            if isinstance(arg, int) and 0 < arg < 65536:
                return arg
    cands = []
    for s in w.stores:
        if s.size == 4:
            if image.little and (s.value & 0xFFFF) == 2 and s.value >> 16:
                cands.append(_swap16(s.value >> 16))
            elif not image.little and (s.value >> 16) == 2 and s.value & 0xFFFF:
                cands.append(s.value & 0xFFFF)
    if not cands:  # sin_port stored on its own, shortly before the bind
        for s in w.stores:
            if s.size == 2 and s.value >= 0x100 and 0 < bind_addr - s.addr <= 96:
                cands.append(_swap16(s.value) if image.little else s.value)
    if not cands:  # htons inlined on ``atoi("8080")``: the one number the function converts from text
        cands = [n for c in w.calls for n in [_number_of(image, c)] if n is not None and 0 < n < 65536]
    cands = list(dict.fromkeys(cands))
    return cands[0] if len(cands) == 1 else None


#: the smallest constant argument taken for a port a caller passes (smaller ones are flags, counts
#: and descriptors; the well-known ports below it are stored as constants, not passed)
MIN_PASSED_PORT = 1024


def _ports_from_callers(walks, fn: int) -> list[int]:
    """The port each call of the bind helper ``fn`` passes: its one argument that is a constant in
    the range of ports."""
    ports = []
    for w in walks.values():
        for c in w.calls:
            if c.target == fn and c.name is None:
                cands = [a for a in c.args if isinstance(a, int) and MIN_PASSED_PORT <= a < 65536]
                if len(cands) == 1:
                    ports.append(cands[0])
    return list(dict.fromkeys(ports))


def _add_offset(pointer, delta: int):
    return lift.Sym(pointer.base, pointer.offset + delta) if isinstance(pointer, lift.Sym) else pointer + delta


def _number_of(image, call) -> int | None:
    """``atoi("8080")``, ``strtol("8080", ...)``: the number a conversion of a constant string returns."""
    if base_name(call.name or "") not in ("atoi", "atol", "strtol", "strtoul") or not call.args:
        return None
    raw = string_at(image, call.args[0], 16)
    return int(raw) if raw and raw.isdigit() else None


# ------------------------------------------------------------------ the file analyzer


class BinaryAnalyzer(FileAnalyzer):
    """Magic-value back doors, hidden commands, hard-coded passwords and listeners in ELF files."""

    name = "binary"
    kinds = frozenset({FileKind.ELF})
    max_size = 48 * 1024 * 1024

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self._cache: dict[str, Report | str] = {}

    def wants(self, entry: FileEntry) -> bool:
        return super().wants(entry) and entry.elf is not None and entry.elf.elf_type in ("EXEC", "DYN")

    def analyze(self, entry: FileEntry, data: bytes):
        report = self._cache.get(entry.sha256)
        if report is None:
            shared = entry.elf.elf_type == "DYN" and entry.elf.interpreter is None and ".so" in entry.name
            try:
                report = analyse(data, shared_library=shared)
            except elf.NotAnalyzable as exc:
                report = str(exc)
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[entry.sha256] = report
        if isinstance(report, str):
            yield ScanError(entry.path, f"binary analysis: {report}", "analyzer binary",
                            "unsupported" if "not supported" in report else "parse", entry.size)
            return
        if report.packer:
            yield rule("binary.packed").finding(entry.path, f"executable packed ({report.packer}): its code is "
                                                            "unpacked in memory at start-up and was not analysed",
                                                evidence={"packer": report.packer, "_relpath": entry.relpath})
            yield ScanError(entry.path, f"binary analysis: packed executable ({report.packer}), its real code was "
                                        "not analysed", "analyzer binary", "packed", entry.size)
            return
        for what in report.limits:
            yield ScanError(entry.path, f"binary analysis: {what}", "analyzer binary", "limit")
        yield from self._results(entry, report)

    def _results(self, entry: FileEntry, report: Report):
        strong = sorted({c.ranked.printable for c in report.comparisons if c.ranked.score >= GATE_THRESHOLD})
        yield Observation("binary", entry.path, {
            "arch": report.arch, "constants": strong[:64],
            "sinks": sorted({s.describe() for s in report.sinks})[:64], "imports": report.imports,
            "_relpath": entry.relpath})
        for lst in report.listeners:
            yield Observation("listener", entry.path, {
                "port": lst.port, "protocol": lst.protocol, "program_path": entry.relpath, "source": "binary",
                "function_address": hex(lst.function), "_relpath": entry.relpath})
        port = next((lst.port for lst in report.listeners if lst.port), None)
        yield from self._effects(entry, report, port)
        done = set()
        for d in report.decisions:
            c = d.comparison
            key = (d.rule_id, c.raw)
            if key in done:
                continue
            done.add(key)
            evidence = {
                "function_address": hex(c.function), "address": hex(c.addr), "routine": c.routine,
                "constant": c.ranked.printable, "constant_hex": c.ranked.hex, "rank": c.ranked.score,
                "shape": c.ranked.shape, "arch": report.arch, "_relpath": entry.relpath,
            }
            if d.sinks:
                evidence["sinks"] = [s.describe() for s in d.sinks]
            if d.auth_function is not None:
                evidence["auth_function"] = hex(d.auth_function)
            if d.password_flow and d.rule_id == "binary.password-of-the-day":
                evidence["format"] = d.password_flow
            elif d.password_flow:
                evidence["password_flow"] = d.password_flow
            if d.state_writes:
                evidence["state_written"] = d.state_writes
                evidence["state_written_by"] = ("the block the credential check decides" if d.state_direct
                                                else "code after the credential check")
            if port:
                evidence["port"] = port
            severity = None
            message = _message(d, port)
            if c.ranked.shape == "binary magic" and (len(c.raw.rstrip(b"\0")) < MIN_BINARY_PROOF
                                                     or d.rule_id == "binary.auth-magic-value"):
                # (next to an authentication check, a binary constant is a protocol field as often as a
                # trigger, a vendor element's OUI in wpa_supplicant: whether a match skips the login is
                # what auth-state-bypass says)
                severity = Severity.MEDIUM
            if d.password_flow and d.rule_id == "binary.hardcoded-password" and c.ranked.score < GATE_THRESHOLD:
                # a plain word compared with the password field may be a mode or placeholder value the
                # form sends ("action"): the data flow says password, the constant's look does not
                severity = Severity.MEDIUM
            if d.rule_id == "binary.hashed-secret" and d.auth_function is None and not d.sinks and not d.password_flow:
                severity = Severity.MEDIUM  # a pinned fingerprint or an integrity check compares digests too
            if d.rule_id.startswith("binary.magic-gates-") and d.sinks and all(map(_runtime_command, d.sinks)) \
                    and not _not_a_word(c.raw.rstrip(b"\0")):
                # a protocol or configuration word ("TCP/UDP", "WPA-PSK") in front of a command line built
                # at run time: how firmware applies its settings, until the word is shown to be hidden
                severity = Severity.MEDIUM
                evidence["configuration_word"] = True
            if d.undocumented:
                evidence["undocumented"] = True
                evidence["keywords_in_function"] = d.keywords
                message += (" (no help, usage or command table of the binary mentions it, while other keywords "
                            "of the same function are listed)")
                if c.ranked.score < GATE_THRESHOLD:
                    # a lead, not proof: the keyword may be documented outside the binary (a manual,
                    # a configuration reference), as real daemons' are
                    severity = Severity.MEDIUM
            elif d.keywords >= KEYWORD_TABLE:
                evidence["keywords_in_function"] = d.keywords
                message += (f" (one of {d.keywords} constants this function compares input with: a parser or "
                            "dispatcher, where documented and hidden keywords look alike; check which it is)")
                severity = Severity.MEDIUM
            yield rule(d.rule_id).finding(entry.path, message, offset=report.offsets.get(c.addr),
                                          evidence=evidence, severity=severity)

    def _effects(self, entry: FileEntry, report: Report, port: int | None):
        for s in _unique(report.services):
            yield rule("binary.shell-service").finding(
                entry.path, f"the program starts a shell service that needs no login: {s.describe()}",
                offset=report.offsets.get(s.addr),
                evidence={"address": hex(s.addr), "sink": s.describe(), "command": s.command_line or s.argument,
                          "arch": report.arch, "_relpath": entry.relpath})
        for e in report.effects:
            evidence = {"function_address": hex(e.function), "address": hex(e.sink.addr),
                        "sink": e.sink.describe(), "input": e.source, "input_address": hex(e.source_addr),
                        "arch": report.arch, "_relpath": entry.relpath}
            if e.via is not None:
                evidence["via_function"] = hex(e.via)
            if port:
                evidence["port"] = port
            where = f"function at {e.function:#x}" + (f" (through the function at {e.via:#x})" if e.via else "")
            net = f"; the program listens on port {port}" if port else ""
            severity = None
            if e.kind == "credential-disclosure":
                message = (f"the function at {e.function:#x} names {e.sink.argument} and writes to a connection it "
                           f"accepted ({e.sink.routine} at {e.sink.addr:#x}): it serves credentials to whoever "
                           f"connects{net}")
                rid = "binary.credential-disclosure"
                evidence["files"] = e.sink.argument
            elif e.kind == "settings-write":
                rid = "binary.network-settings-write"
                message = (f"data received from the network ({e.source} at {e.source_addr:#x}) is handed to "
                           f"{e.sink.routine}, which writes the device's settings, in the function at "
                           f"{e.function:#x} with no credential "
                           f"check in front of it: whoever reaches the port sets what they like (passwords "
                           f"included){net}")
                if not report.checks_credentials:
                    # no login anywhere in the program: an open provisioning interface by design may be
                    # documented; a program that protects its other settings with a login does not
                    severity = Severity.MEDIUM
                    evidence["program_checks_credentials"] = False
                elif e.sink.argument != "network connection":
                    # read from a descriptor the walk cannot trace to an accepted connection or an
                    # Internet socket: a local control socket (UNIX-domain, guarded by file permissions,
                    # as wpa_supplicant's) reads the same way
                    severity = Severity.MEDIUM
                    evidence["descriptor"] = "not traced to an accepted connection or an Internet socket"
            elif e.kind == "socket-shell":
                message = (f"a network socket ({e.source} at {e.source_addr:#x}) is made the standard input and "
                           f"output of a shell, {e.sink.describe()}, in {where}: a remote shell{net}")
                rid = "binary.socket-shell"
            else:
                message = (f"data received from the network ({e.source} at {e.source_addr:#x}) is run as a command "
                           f"by {e.sink.describe()} in {where}{net}")
                rid = "binary.network-command"
                if report.authenticates:
                    evidence["program_authenticates"] = True
                    message += (" (the program also authenticates users, as a remote-execution service does: "
                                "check that the command runs only after a login)")
                    severity = Severity.MEDIUM
            yield rule(rid).finding(entry.path, message, offset=report.offsets.get(e.sink.addr),
                                    evidence=evidence, severity=severity)


#: bits per byte above which a loadable code segment is compressed or encrypted (machine code: ~5.5-6.5)
PACKED_ENTROPY = 7.6
_UPX_MARKERS = (b"UPX!", b"$Info: This file is packed with the UPX")


def packed_by(image: elf.Image) -> str | None:
    """'UPX' when the UPX structures are there; 'unknown packer' when a program that imports nothing has
    a near-random largest loadable executable segment (at least 4 KiB); else None."""
    data = image.data
    if any(m in data[:0x400] for m in _UPX_MARKERS) or _UPX_MARKERS[1] in data[:0x2000] + data[-0x2000:]:
        return "UPX"
    if image.got_slots or image.imports:
        return None  # a packer's stub imports nothing: big data tables in a library's segment are not packing
    code = max((s for s in image.segments if s.executable), key=lambda s: s.filesz, default=None)
    if code is None or code.filesz < 4096:
        return None
    raw = data[code.offset:code.offset + min(code.filesz, 1 << 20)]
    return "unknown packer" if entropy(raw) > PACKED_ENTROPY else None


def _message(d: Decision, port: int | None) -> str:
    c = d.comparison
    const = f"'{c.ranked.printable}' ({c.ranked.shape})"
    where = f"function at {c.function:#x}"
    net = f"; the program listens on port {port}" if port else ""
    if d.rule_id.startswith("binary.magic-gates"):
        sinks = ", ".join(s.describe() for s in d.sinks[:3])
        return f"input compared with {const} by {c.routine} in {where} leads to {sinks}{net}"
    if d.rule_id == "binary.password-of-the-day":
        return (f"authentication code in {where} formats the built-in text {const} with today's date "
                f"('{d.password_flow}'): the seed of a password of the day, which anyone who knows it can compute "
                f"for every device")
    if d.rule_id == "binary.auth-state-bypass":
        return (f"input compared with {const} by {c.routine} in {where} leads to the same session or privilege "
                f"state the credential check writes ({', '.join(d.state_writes[:3])}): a match logs in without "
                f"credentials{net}")
    if d.rule_id == "binary.hashed-secret":
        gates = f"; a match leads to {', '.join(s.describe() for s in d.sinks[:3])}" if d.sinks else ""
        auth = " next to an authentication check" if d.auth_function is not None else ""
        what = f"the password a user enters ({d.password_flow})" if d.password_flow else "input"
        return (f"{what} is hashed and compared by {c.routine} in {where} with the built-in digest "
                f"{c.ranked.printable}{auth}: whoever knows the value that hashes to it passes{gates}{net}")
    if d.rule_id == "binary.hardcoded-password" and d.password_flow:
        return (f"the password a user enters ({d.password_flow}) is compared by {c.routine} in {where} with the "
                f"built-in constant {const}: a master password")
    if d.rule_id == "binary.hardcoded-password":
        return f"authentication code in {where} compares input with the built-in password-like constant {const}"
    return (f"input compared with the rare constant {const} by {c.routine} in {where}, next to an authentication "
            f"check: a match can skip the login{net}")
