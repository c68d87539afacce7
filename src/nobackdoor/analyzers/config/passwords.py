"""Password hashes: which scheme, and whether the password is a well-known default.

Schemes met in firmware: DES crypt, MD5 crypt ($1$), Apache MD5 ($apr1$), SHA-256/512 crypt ($5$/$6$),
bcrypt ($2a$/$2b$/$2y$), yescrypt ($y$, where the C library has it), LDAP-style {SHA}/{SSHA}, Django
PBKDF2, and plain text. Checking uses the C ``crypt`` through passlib's ``os_crypt`` backend or the
stdlib binding (the fastest backends: MD5 crypt in pure Python is ~20x slower), ``bcrypt`` natively,
and passlib for the rest. Each unique hash is checked once per scan, the passwords paired with the
account's user name first, then the others; costly schemes (bcrypt, PBKDF2, many rounds) are checked
against a bounded number of candidates, and the evidence says how many were tried.
"""
from __future__ import annotations

import functools
import hmac
import re
import warnings
from dataclasses import dataclass
from importlib import resources

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import crypt as _crypt  # stdlib binding of the C library's crypt(3) (Python <= 3.12)
    except ImportError:  # pragma: no cover - Python 3.13+
        _crypt = None  # type: ignore[assignment]
    from passlib import hash as _ph

import bcrypt as _bcrypt

CHEAP_SCHEMES = {"plain", "des_crypt", "md5_crypt", "apr_md5_crypt", "ldap_sha1", "ldap_salted_sha1", "hex_md5",
                 "hex_sha1", "hex_sha256", "bsdi_crypt"}
#: how many candidates at most, and work units at most, for one costly hash (bcrypt, PBKDF2, many rounds)
COSTLY_CANDIDATES = 12
COSTLY_UNITS = 700
#: work budget for the full-list pass over all hashes of one scan. Work is counted, never timed, so
#: that a loaded machine tries exactly the candidates an idle one does; one unit is about one MD5-crypt
#: check (0.45 ms here), so the budget is about a second of checking
FULL_PASS_BUDGET = 2500
SHA_CRYPT_DEFAULT_ROUNDS = 5000
CHECKABLE = CHEAP_SCHEMES | {"sha256_crypt", "sha512_crypt", "bcrypt", "yescrypt", "gost_yescrypt", "django_pbkdf2"}


@dataclass(frozen=True)
class Credential:
    user: str  # "*" for any user
    password: str


@functools.cache
def default_credentials() -> tuple[Credential, ...]:
    text = resources.files("nobackdoor.rules").joinpath("default-credentials.txt").read_text("utf-8")
    out: list[Credential] = []
    seen: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or ":" not in line:
            continue
        user, password = line.split(":", 1)
        if password and (user, password) not in seen:
            seen.add((user, password))
            out.append(Credential(user, password))
    return tuple(out)


def scheme_of(value: str, *, plain_allowed: bool) -> str:
    """Name of the hash scheme of a password field ('empty', 'locked', 'plain', 'unknown' or a scheme)."""
    if value == "":
        return "empty"
    if value[0] in "!*" or value in ("x", "NP", "LK", "*LK*"):
        return "locked"
    if value.startswith("$1$"):
        return "md5_crypt"
    if value.startswith("$apr1$"):
        return "apr_md5_crypt"
    if value.startswith("$5$"):
        return "sha256_crypt"
    if value.startswith("$6$"):
        return "sha512_crypt"
    if value.startswith(("$2a$", "$2b$", "$2y$", "$2x$")):
        return "bcrypt"
    if value.startswith("$y$"):
        return "yescrypt"
    if value.startswith("$gy$"):
        return "gost_yescrypt"
    if value.startswith(("$sha1$", "$md5$", "$3$")):
        return "other_crypt"
    if value.startswith(("pbkdf2_sha256$", "pbkdf2_sha1$")):
        return "django_pbkdf2"
    if value.startswith(("$pbkdf2", "pbkdf2:", "$argon2", "scrypt:")):
        return "pbkdf2_or_kdf"
    if value.startswith("{SSHA}"):
        return "ldap_salted_sha1"
    if value.startswith("{SHA}"):
        return "ldap_sha1"
    if re.fullmatch(r"[./0-9A-Za-z]{13}", value):
        return "des_crypt"
    if re.fullmatch(r"_[./0-9A-Za-z]{19}", value):
        return "bsdi_crypt"
    if plain_allowed:
        if re.fullmatch(r"[0-9a-f]{32}", value):
            return "hex_md5"
        if re.fullmatch(r"[0-9a-f]{40}", value):
            return "hex_sha1"
        if re.fullmatch(r"[0-9a-f]{64}", value):
            return "hex_sha256"
        return "plain"
    return "unknown"


def _rounds(value: str) -> int:
    m = re.match(r"^\$[56]\$rounds=(\d+)\$", value)
    return int(m.group(1)) if m else SHA_CRYPT_DEFAULT_ROUNDS


def check_cost(scheme: str, value: str) -> float:
    """Work units one candidate check of this hash costs (the scheme's own cost parameter)."""
    try:
        if scheme in ("sha256_crypt", "sha512_crypt"):
            return _rounds(value) / 1000
        if scheme == "bcrypt":
            return 2 ** int(value[4:6]) / 8
        if scheme == "django_pbkdf2":
            return int(value.split("$")[1]) / 2000
    except (ValueError, IndexError):
        return 1.0
    if scheme in ("yescrypt", "gost_yescrypt"):
        return 50.0
    return 1.0


def is_costly(scheme: str, value: str) -> bool:
    if scheme in ("bcrypt", "django_pbkdf2", "pbkdf2_or_kdf", "yescrypt", "gost_yescrypt"):
        return True
    if scheme in ("sha256_crypt", "sha512_crypt"):
        return _rounds(value) > SHA_CRYPT_DEFAULT_ROUNDS
    return False


MAX_SHA_CRYPT_ROUNDS = 200_000
MAX_BCRYPT_COST = 12
MAX_PBKDF2_ITERATIONS = 600_000


def too_costly(scheme: str, value: str) -> bool:
    """Hashes whose cost parameter would make one check take seconds or hours (a hostile image can set
    sha-crypt rounds to 999,999,999 or bcrypt cost 31): they are not checked, and the evidence says so."""
    try:
        if scheme in ("sha256_crypt", "sha512_crypt"):
            return _rounds(value) > MAX_SHA_CRYPT_ROUNDS
        if scheme == "bcrypt":
            return int(value[4:6]) > MAX_BCRYPT_COST
        if scheme == "django_pbkdf2":
            return int(value.split("$")[1]) > MAX_PBKDF2_ITERATIONS
        if scheme in ("yescrypt", "gost_yescrypt"):
            params = value.split("$")[2]
            return not (len(params) >= 2 and params[0] == "j" and params[1] in "56789ABCDE")
    except (ValueError, IndexError):
        return True
    return False


def verify(password: str, value: str, scheme: str) -> bool:
    """Does ``password`` produce ``value`` under ``scheme``? (never raises)"""
    try:
        if scheme == "plain":
            return hmac.compare_digest(password.encode(), value.encode())
        if scheme in ("des_crypt", "md5_crypt", "sha256_crypt", "sha512_crypt", "bsdi_crypt", "yescrypt",
                      "gost_yescrypt", "other_crypt"):
            if _crypt is not None:
                out = _crypt.crypt(password, value)
                return out is not None and hmac.compare_digest(out, value)
            handler = {"des_crypt": _ph.des_crypt, "md5_crypt": _ph.md5_crypt, "sha256_crypt": _ph.sha256_crypt,
                       "sha512_crypt": _ph.sha512_crypt, "bsdi_crypt": _ph.bsdi_crypt}.get(scheme)
            return bool(handler and handler.verify(password, value))
        if scheme == "bcrypt":
            return _bcrypt.checkpw(password.encode()[:72], value.replace("$2y$", "$2b$", 1).encode())
        if scheme == "apr_md5_crypt":
            return _ph.apr_md5_crypt.verify(password, value)
        if scheme == "ldap_salted_sha1":
            return _ph.ldap_salted_sha1.verify(password, value)
        if scheme == "ldap_sha1":
            return _ph.ldap_sha1.verify(password, value)
        if scheme == "django_pbkdf2":
            handler = _ph.django_pbkdf2_sha256 if value.startswith("pbkdf2_sha256$") else _ph.django_pbkdf2_sha1
            return handler.verify(password, value)
        if scheme == "hex_md5":
            return _ph.hex_md5.verify(password, value)
        if scheme == "hex_sha1":
            return _ph.hex_sha1.verify(password, value)
        if scheme == "hex_sha256":
            return _ph.hex_sha256.verify(password, value)
        return False
    except (ValueError, TypeError, OSError):
        return False
    return False


@dataclass
class CheckResult:
    password: str | None  # the matching candidate
    source: str | None  # which list entry matched ("user:password", "*:password" or "user name")
    tried: int
    complete: bool


class DefaultPasswordChecker:
    """Checks hashes against the default-credential list, each unique hash once, within a work budget."""

    def __init__(self, budget: float = FULL_PASS_BUDGET) -> None:
        self.budget = budget
        self.spent = 0.0
        self.memo: dict[tuple[str, str], CheckResult] = {}

    def candidates(self, user: str) -> list[tuple[str, str]]:
        """(password, source) in the order tried: pairs for this user, the user name, the passwords
        listed for any user, then the rest."""
        creds = default_credentials()
        first = [(c.password, f"{c.user}:{c.password}") for c in creds if c.user == user]
        generic = [(c.password, f"{c.user}:{c.password}") for c in creds if c.user == "*"]
        rest = [(c.password, f"{c.user}:{c.password}") for c in creds if c.user not in (user, "*")]
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for pw, src in first + [(user, "password equals the user name")] + generic + rest:
            if pw and pw not in seen:
                seen.add(pw)
                out.append((pw, src))
        return out

    def check(self, user: str, value: str, scheme: str) -> CheckResult:
        if scheme not in CHECKABLE or too_costly(scheme, value):
            return CheckResult(None, None, 0, False)
        key = (user, value)
        if key in self.memo:
            return self.memo[key]
        cands = self.candidates(user)
        # this user's pairs, the user name and the passwords listed for any user are always tried
        priority = sum(1 for c in default_credentials() if c.user in (user, "*")) + 1
        if is_costly(scheme, value):
            cands = cands[:COSTLY_CANDIDATES]
        tried = 0
        result = None
        cost = check_cost(scheme, value)
        work = 0.0
        for i, (pw, src) in enumerate(cands):
            # the first candidates (this user's pairs) are always tried; the rest within the budget
            if i >= priority and scheme not in CHEAP_SCHEMES and self.spent + work > self.budget:
                break
            if i >= 1 and is_costly(scheme, value) and work > COSTLY_UNITS:
                break
            tried += 1
            work += cost
            if verify(pw, value, scheme):
                result = CheckResult(pw, src, tried, True)
                break
        self.spent += work
        if result is None:
            result = CheckResult(None, None, tried, tried == len(self.candidates(user)))
        self.memo[key] = result
        return result
