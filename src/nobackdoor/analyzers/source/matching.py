"""Byte matchers of fixed words (Aho-Corasick), built one way for every source reader."""
from __future__ import annotations

from collections.abc import Iterable

import ahocorasick_rs

Matcher = ahocorasick_rs.BytesAhoCorasick


def byte_matcher(words: Iterable[bytes], longest: bool = False, once: bool = False) -> Matcher:
    """A matcher of ``words``: overlapping matches, or leftmost-longest ones with ``longest``.

    Matchers kept for the whole run are DFAs: they scan source text about 3x faster than the
    library's default NFA (430 against 133 MB/s on 22 MB of C with the 133 selection keywords),
    for a build cost paid once. ``once``: a matcher built for one file (names found in it) keeps
    the cheaper NFA build."""
    kwargs = {} if once else {"implementation": ahocorasick_rs.Implementation.DFA}
    if longest:
        kwargs["matchkind"] = ahocorasick_rs.MatchKind.LeftmostLongest
    return ahocorasick_rs.BytesAhoCorasick(list(words), **kwargs)
