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

from ...models import FileEntry, Finding
from ...ruleset import rule
from . import syntax
from .patterns import LANGUAGE_FAMILY

_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_HITS = 20


@functools.cache
def _tables() -> tuple[dict[str, str], frozenset[str]]:
    raw = yaml.safe_load(resources.files("nobackdoor.rules").joinpath("source/unicode.yaml").read_text("utf-8"))
    return dict(raw["bidi"]), frozenset(raw["confusables"])


def _context(entry: FileEntry, data: bytes, offset: int) -> str:
    """'comment', 'string' or 'code' at a byte offset (code when unknown)."""
    lang = entry.language or ""
    if lang not in syntax.GRAMMAR or LANGUAGE_FAMILY.get(lang) is None:
        return "code"
    tree = syntax.parser(lang).parse(data)
    node = tree.root_node.descendant_for_byte_range(offset, offset + 1)
    while node is not None:
        t = node.type
        if "comment" in t or t in ("pod", "heredoc_body"):
            return "comment"
        if "string" in t or t in ("template_string", "char_literal", "raw_string", "heredoc_content"):
            return "string"
        node = node.parent
    return "code"


def trojan_findings(entry: FileEntry, data: bytes) -> Iterator[Finding]:
    if data.isascii():
        return
    text = data.decode("utf-8", "replace")
    bidi, confusables = _tables()
    hits = [(i, ch) for i, ch in enumerate(text) if ch in bidi][:MAX_HITS]
    if hits:
        rtl = bool(_RTL_LETTERS.search(text))
        first = hits[0][0]
        line = text.count("\n", 0, first) + 1
        where = _context(entry, data, len(text[:first].encode("utf-8")))
        names = sorted({bidi[ch] for _, ch in hits})
        yield rule("source.trojan-source-bidi").finding(
            entry.path, f"{len(hits)} bidi control character(s) ({', '.join(names)}) first in a {where}",
            line=line, severity="medium" if rtl else None,
            evidence={"controls": names, "count": len(hits), "context": where, "rtl_text_present": rtl,
                      "lines": sorted({text.count("\n", 0, i) + 1 for i, _ in hits})[:10],
                      "_relpath": entry.relpath})
    seen = 0
    for m in _WORD.finditer(text):
        word = m.group()
        if word.isascii() or not any(ch in confusables for ch in word):
            continue
        if not any("a" <= ch.lower() <= "z" for ch in word):
            continue  # a whole word in Cyrillic or Greek is language, not disguise
        seen += 1
        if seen > MAX_HITS:
            break
        where = _context(entry, data, len(text[:m.start()].encode("utf-8")))
        line = text.count("\n", 0, m.start()) + 1
        foreign = sorted({f"U+{ord(ch):04X}" for ch in word if ch in confusables})
        rid = "source.homoglyph" if where == "code" else "source.homoglyph-text"
        yield rule(rid).finding(
            entry.path, f"{where} word {word!r} mixes Latin with look-alike letters {', '.join(foreign)}",
            line=line, evidence={"word": word, "codepoints": foreign, "context": where, "_relpath": entry.relpath})
