"""Detection vocabulary for source analysis, loaded once from ``rules/source/patterns.yaml``."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

from ..config.knowledge import basename, knowledge as command_knowledge
from ..config.shell import unwrap
from .matching import Matcher, byte_matcher

#: entry.language -> which sink table and grammar family applies
LANGUAGE_FAMILY = {
    "c": "c", "cpp": "c", "python": "python", "php": "php", "javascript": "javascript",
    "typescript": "javascript", "tsx": "javascript", "perl": "perl", "go": "go", "java": "java",
    "bash": "bash", "lua": "lua",
}


#: sink names too common to be worth parsing a file for on their own (they still count as sinks
#: once a file is parsed for another keyword)
_GENERIC_SINK_WORDS = frozenset({"call", "run", "start", "bind", "listen", "fork", "include", "require",
                                 "include_once", "require_once", "do", "source", ".", "accept", "ServerSocket",
                                 "createServer", "serve_forever"})


#: generic words that are a sink's own name in one language (LuCI's luci.sys.call runs a command)
_SPECIFIC_IN = {"lua": frozenset({"call"})}


_CHECK_TRIGGERS = frozenset({"pam_authenticate", "compare_digest", "checkpw", "hashpw", "crypt", "crypt_r",
                             "password_verify", "hash_equals", "timingSafeEqual", "CompareHashAndPassword",
                             "check_password", "verify_password", "checkPassword", "ConstantTimeCompare"})


#: words that only tell the unit selection to look closer (token-signing and MAC calls, base64
#: encoders of HTTP Basic credentials): found by the one keyword pass instead of passes of their own
SELECT_HINTS = frozenset({"jwt", "JWT", "jws", "hmac", "Hmac", "HMAC", "SignedString", "signWith",
                          "btoa", "base64_encode", "b64encode", "encode_base64", "base64"})


@dataclass(frozen=True)
class Sink:
    kind: str  # shell | eval | priv | listen
    qualified: str  # as listed ("os.system", "system")


class Patterns:
    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.sinks: dict[str, dict[str, list[Sink]]] = {}  # family -> last name -> sinks
        for family, kinds in raw["sinks"].items():
            table: dict[str, list[Sink]] = {}
            for kind, names in kinds.items():
                for name in names or ():
                    last = name.rsplit(".", 1)[-1]
                    table.setdefault(last, []).append(Sink(kind, name))
            self.sinks[family] = table
        self.shell_programs = frozenset(raw["shell_programs"])
        #: family -> function -> position of the argument naming the function it calls
        self.callbacks: dict[str, dict[str, int]] = {f: dict(t) for f, t in (raw.get("callbacks") or {}).items()}
        self.computed_imports = {f: frozenset(t) for f, t in (raw.get("computed_imports") or {}).items()}
        self.input_calls = frozenset(raw["input_calls"])
        self.input_names = frozenset(n.lower() for n in raw["input_names"])
        self.strong_input_names = frozenset(n.lower() for n in raw["strong_input_names"])
        self.request_names = frozenset(n.lower() for n in raw["request_names"])
        self.input_key_prefixes = tuple(raw["input_key_prefixes"])
        self.decoders = frozenset(raw["decoders"])
        # matched against a call's last name: "http.Get" is called as ...Get
        self.downloaders = frozenset(n.rsplit(".", 1)[-1] for n in raw["downloaders"])
        self.credential_names = frozenset(n.lower() for n in raw["credential_names"])
        self.real_checks = frozenset(raw["real_checks"])
        self.success_calls = frozenset(n.lower() for n in raw["success_calls"])
        self.success_flags = frozenset(n.lower() for n in raw["success_flags"])
        self.privilege_vars = frozenset(raw["privilege_vars"])
        self.auth_function_words = tuple(raw["auth_function_words"])
        self.common_words = frozenset(str(w).lower() for w in raw["common_words"])
        self.file_suffixes = frozenset(str(w).lower() for w in raw["file_suffixes"])
        self.endpoint_anchors = frozenset(raw["endpoint_anchors"])
        self.network_sends = frozenset(raw["network_sends"])
        self.sensitive_paths = tuple(raw["sensitive_paths"])
        self.secret_files = tuple(raw["secret_files"])
        #: call name -> (key argument index, object words or empty)
        self.key_calls: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for entry in raw["key_calls"]:
            if not isinstance(entry.get("key"), int) or not entry.get("name"):
                raise ValueError(f"patterns.yaml key_calls: want name and an integer key, got {entry!r}")
            self.key_calls.setdefault(entry["name"], []).append(
                (entry["key"], tuple(w.lower() for w in entry.get("objects", ()))))
        self.connect_calls = frozenset(raw["connect_calls"])
        self.listen_calls = frozenset(raw["listen_calls"])
        self.stream_joins = frozenset(raw["stream_joins"])
        self.std_handles = frozenset(raw["std_handles"])
        self.dup_modes = tuple(raw["dup_modes"])
        self.process_input = tuple(raw["process_input"])
        self.process_streams = frozenset(raw["process_input"]) | frozenset(raw["process_output"])
        self.process_options = frozenset(raw["process_options"])
        self.global_objects = frozenset(raw["global_objects"])
        self.fd_dup_redirect = re.compile(raw["fd_dup_redirect"])
        self.request_handler_bases = frozenset(raw["request_handler_bases"])
        self.server_classes = frozenset(raw["server_classes"])
        self.file_writes = {name: tuple(ix) for name, ix in raw["file_writes"].items()}
        self.include_nodes = frozenset(raw["include_nodes"])
        self.verification = re.compile(raw["verification"])
        self.name_lookups = frozenset(raw["name_lookups"])
        self.credential_sends = self.network_sends | self.name_lookups | frozenset(raw["credential_sends"])
        keys = "|".join(re.escape(k) for k in raw["host_keys"])
        #: a host written as a request option: ``{ host: 'name.example' }``, ``hostname="..."``
        self.host_option = re.compile(rf"""\b(?:{keys})['"]?\s*[:=]\s*['"]([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)['"]""")
        self._automata: dict[str, tuple[Matcher, list[str]]] = {}

    @staticmethod
    def starts_shell(argv: list[str]) -> bool:
        """Whether an argument vector (or a command line split in words) starts a shell: a shell by
        name or path, also through a multi-call binary or a wrapper (``/bin/busybox sh``, the init
        scripts' command knowledge)."""
        argv = unwrap([w for w in argv if w])
        return bool(argv) and command_knowledge().is_shell(argv[0])

    @staticmethod
    def starts_login_service(argv: list[str]) -> bool:
        """Whether a command starts a remote login daemon (``busybox telnetd -l /bin/login``)."""
        argv = unwrap([w for w in argv if w])
        return bool(argv) and basename(argv[0]) in command_knowledge().login_daemons

    @staticmethod
    def multicall(program: str) -> bool:
        """A multi-call binary (busybox): which program it runs depends on its arguments."""
        return basename(program) in command_knowledge().multicall

    def automaton(self, family: str) -> tuple[Matcher, list[str]]:
        """Keywords whose presence makes a file worth parsing (sinks, credentials, privilege names),
        as a byte matcher (leftmost-longest, SIMD-accelerated: 8x faster than a str automaton) and its
        keyword list. Keywords are word characters only, so a keyword inside a longer match is never
        word-bounded and non-overlapping matching loses nothing."""
        auto = self._automata.get(family)
        if auto is None:
            generic = _GENERIC_SINK_WORDS - _SPECIFIC_IN.get(family, frozenset())
            words = set(self.sinks.get(family, {})) - generic
            # a generic last name is still a keyword in its qualified form (subprocess.call, subprocess.run)
            words |= {sink.qualified for last, sinks in self.sinks.get(family, {}).items() if last in generic
                      for sink in sinks if "." in sink.qualified}
            words |= {"password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "api_key", "credential"}
            if family != "python":  # a statement there; a password variable is named in full
                words |= {"pass", "pw"}
            words |= {"uid", "euid", "is_admin", "isAdmin", "privileged"}
            # decoders and downloads matter only when their result is run, and the run is a sink word
            # a real credential check is where a second, built-in one hides
            words |= self.real_checks & _CHECK_TRIGGERS
            words |= self.endpoint_anchors | set(self.secret_files)
            words |= set(self.file_writes)  # a download written to a file that is then run
            words |= input_words(family)
            words |= SELECT_HINTS
            words |= set(self.callbacks.get(family, ())) | self.computed_imports.get(family, frozenset())
            if family == "javascript":
                words |= self.global_objects  # globalThis['ev' + 'al'](...): a function named by a computed key
            keywords = sorted(w for w in words if len(w) >= 2)
            auto = (byte_matcher((w.encode() for w in keywords), longest=True), keywords)
            self._automata[family] = auto
        return auto


def input_words(family: str) -> frozenset[str]:
    from .taint import knowledge  # the taint engine's knowledge file (imported late: taint uses the model)
    return knowledge().input_words(family)


@functools.cache
def patterns() -> Patterns:
    text = resources.files("nobackdoor.rules").joinpath("source/patterns.yaml").read_text("utf-8")
    return Patterns(yaml.safe_load(text))
