"""Which code of one walked function can run after which: blocks of the walk and their edges.

The walk keeps every conditional branch, jump, return and indirect jump it decoded; cutting the
function's addresses after each of them and at each target gives its blocks. An address range says
little once compilers lay blocks out of line (a loop's exits and ``continue`` paths placed after
unrelated code); reachability over these blocks says whether a check can run between a read and a
write. Calls fall through, except calls of ``noreturn`` routines; an indirect jump (a switch) may reach
any block: unknown successors count as reachable, so the answer errs towards "it can run".
"""
from __future__ import annotations

import bisect

from .model import Walk


def of(w: Walk) -> Reach:
    """The blocks of ``w``, built once per walk (the flow's rounds and the analyzer share them)."""
    if w.reach is None:
        w.reach = Reach(w)
    return w.reach


class Reach:
    def __init__(self, w: Walk) -> None:
        self.w = w
        # (a call that does not return, ``w.stops``, ends its block like a return)
        sources = set(w.branches) | set(w.jumps) | w.block_ends | w.stops | w.indirect
        cuts = {s + 1 for s in sources} | set(w.branches.values()) | set(w.jumps.values())
        cuts.add(min(sources | {c.addr for c in w.calls}, default=0))  # the first block starts the walk
        self.starts = sorted(cuts)
        self.sources = sorted(sources)
        self._closure: dict[int, frozenset[int]] = {}

    def block_of(self, addr: int) -> int:
        return max(0, bisect.bisect_right(self.starts, addr) - 1)

    def _successors(self, i: int) -> list[int]:
        lo = self.starts[i]
        hi = self.starts[i + 1] if i + 1 < len(self.starts) else 1 << 64
        j = bisect.bisect_left(self.sources, lo)
        s = self.sources[j] if j < len(self.sources) and self.sources[j] < hi else None
        nxt = [i + 1] if i + 1 < len(self.starts) else []
        if s is None:
            return nxt
        if s in self.w.indirect:
            return list(range(len(self.starts)))
        out = []
        if s in self.w.branches:
            out += [self.block_of(self.w.branches[s]), *nxt]
        if s in self.w.jumps:
            out.append(self.block_of(self.w.jumps[s]))
        return out

    def _after(self, i: int) -> frozenset[int]:
        """Blocks that can run after block ``i`` has run (``i`` itself only on a cycle)."""
        got = self._closure.get(i)
        if got is None:
            seen: set[int] = set()
            todo = self._successors(i)
            while todo:
                b = todo.pop()
                if b not in seen:
                    seen.add(b)
                    todo.extend(self._successors(b))
            got = self._closure[i] = frozenset(seen)
        return got

    def reaches(self, a: int, b: int) -> bool:
        """Code at ``b`` can run after code at ``a``."""
        ia, ib = self.block_of(a), self.block_of(b)
        return (ia == ib and a <= b) or ib in self._after(ia)

    def between(self, a: int, b: int, c: int) -> bool:
        """``c`` can run after ``a`` and before ``b``: on a path from one to the other."""
        return self.reaches(a, c) and self.reaches(c, b)
