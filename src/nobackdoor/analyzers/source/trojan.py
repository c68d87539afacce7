"""Trojan Source (CVE-2021-42574, CVE-2021-42694): bidi controls and look-alike letters.

Works on the raw text, so it is cheap: ASCII files (nearly all source) are skipped at once.
Whether a hit sits in a string/comment or in code is read from the syntax tree when the file's
language has a grammar.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources

import yaml

from .matching import byte_matcher
from ...models import FileEntry, Finding
from ...ruleset import rule
from . import syntax
from .patterns import LANGUAGE_FAMILY

# in UTF-8, the bidi controls are E2 80 AA-AE / E2 81 A6-A9 and Cyrillic/Greek letters start with
# CE-D4: one native multi-pattern pass tells which of the two a file can contain
_BIDI_BYTES = [b"\xe2\x80" + bytes([c]) for c in range(0xAA, 0xAF)] + [b"\xe2\x81" + bytes([c]) for c in range(0xA6, 0xAA)]
_FOREIGN_LEADS = [bytes([c]) for c in range(0xCE, 0xD5)]
_PREFILTER = byte_matcher(_BIDI_BYTES + _FOREIGN_LEADS)
_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_HITS = 20


@functools.cache
def _tables() -> tuple[dict[str, str], frozenset[str]]:
    raw = yaml.safe_load(resources.files("nobackdoor.rules").joinpath("source/unicode.yaml").read_text("utf-8"))
    return dict(raw["bidi"]), frozenset(raw["confusables"])


class _Contexts:
    """'comment', 'string' or 'code' at byte offsets; the file is parsed once, on first use."""

    def __init__(self, entry: FileEntry, data: bytes) -> None:
        self.entry, self.data, self.root = entry, data, None

    def at(self, offset: int) -> str:
        lang = self.entry.language or ""
        if lang not in syntax.GRAMMAR or LANGUAGE_FAMILY.get(lang) is None:
            return "code"
        if self.root is None:
            self.root = syntax.parser(lang).parse(self.data).root_node
        node = self.root.descendant_for_byte_range(offset, offset + 1)
        while node is not None:
            t = node.type
            if "comment" in t or t in ("pod", "heredoc_body"):
                return "comment"
            if "string" in t or t in ("template_string", "char_literal", "raw_string", "heredoc_content"):
                return "string"
            node = node.parent
        return "code"


def _latin(ch: str) -> bool:
    return "a" <= ch.lower() <= "z"


def trojan_findings(entry: FileEntry, data: bytes) -> Iterator[Finding]:
    if data.isascii():
        return
    found = {i for i, _, _ in _PREFILTER.find_matches_as_indexes(data)}
    has_bidi = any(i < len(_BIDI_BYTES) for i in found)
    has_foreign = any(i >= len(_BIDI_BYTES) for i in found)
    if not has_bidi and not has_foreign:
        return
    text = data.decode("utf-8", "replace")
    bidi, confusables = _tables()
    ctx = _Contexts(entry, data)
    bidi_rx, conf_rx = _regexes()
    hits = [(m.start(), m.group()) for m, _ in zip(bidi_rx.finditer(text), range(MAX_HITS))]
    if hits:
        rtl = bool(_RTL_LETTERS.search(text))
        first = hits[0][0]
        line = text.count("\n", 0, first) + 1
        where = ctx.at(len(text[:first].encode("utf-8")))
        names = sorted({bidi[ch] for _, ch in hits})
        yield rule("source.trojan-source-bidi").finding(
            entry.path, f"{len(hits)} bidi control character(s) ({', '.join(names)}) first in a {where}",
            line=line, severity="medium" if rtl else None,
            evidence={"controls": names, "count": len(hits), "context": where, "rtl_text_present": rtl,
                      "lines": sorted({text.count("\n", 0, i) + 1 for i, _ in hits})[:10],
                      "_relpath": entry.relpath})
    seen_words: set[str] = set()
    reported = 0
    if not has_foreign:
        return
    runs_rx = _confusable_runs()
    # only the words where a look-alike letter meets a Latin one (directly or across digits and
    # underscores) can be disguised: locale tables full of Greek or Cyrillic words cost little
    last_end = -1
    for m in runs_rx.finditer(text):
        if m.start() < last_end:
            continue
        start = m.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        end = m.end()
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        last_end = end
        if not any("a" <= ch <= "z" or "A" <= ch <= "Z" for ch in text[start:end]):
            continue
        word = text[start:end]
        if word in seen_words:
            continue
        seen_words.add(word)
        letters = [ch for ch in word if ch.isalpha()]
        latin = sum(1 for ch in letters if _latin(ch))
        # disguise: a Latin word with a few look-alikes; a word mostly in another script is language
        if latin == 0 or latin * 2 < len(letters) or any(not _latin(ch) and ch not in confusables for ch in letters):
            continue
        reported += 1
        if reported > MAX_HITS:
            break
        where = ctx.at(len(text[:start].encode("utf-8")))
        line = text.count("\n", 0, start) + 1
        foreign = sorted({f"U+{ord(ch):04X}" for ch in word if ch in confusables})
        rid = "source.homoglyph" if where == "code" else "source.homoglyph-text"
        yield rule(rid).finding(
            entry.path, f"{where} word {word!r} mixes Latin with look-alike letters {', '.join(foreign)}",
            line=line, evidence={"word": word, "codepoints": foreign, "context": where, "_relpath": entry.relpath})


@functools.cache
def _regexes() -> tuple[re.Pattern, re.Pattern]:
    bidi, confusables = _tables()
    return (re.compile("[" + "".join(sorted(bidi)) + "]"),
            re.compile("[" + re.escape("".join(sorted(confusables))) + "]"))


@functools.cache
def _confusable_runs() -> re.Pattern:
    _, confusables = _tables()
    return re.compile("[" + re.escape("".join(sorted(confusables))) + "]+")
