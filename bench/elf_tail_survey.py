#!/usr/bin/env python3
"""False carves and cost of the appended-payload check on real ELF files.

    .venv/bin/python bench/elf_tail_survey.py [DIR ...]     (default: /usr/bin /usr/lib /usr/sbin)

Every ELF below the directories goes through ``nobackdoor.unpack.elf_tail.appended_tail``, as the
unpacker calls it on an ELF target or on each ELF of a directory target. Linker output has no
tail: every tail it prints is a false carve to look at (or a real appended payload). Prints the
number of ELF files, the time per file (open, header read, decision) and the tails found.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from nobackdoor.unpack.elf_tail import appended_tail


def main(roots: list[str]) -> int:
    count, seconds, tails = 0, 0.0, []
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    if path.is_symlink() or not path.is_file():
                        continue
                    with open(path, "rb") as fh:
                        if fh.read(4) != b"\x7fELF":
                            continue
                except OSError:
                    continue
                count += 1
                t0 = time.perf_counter()
                tail = appended_tail(path)
                seconds += time.perf_counter() - t0
                if tail:
                    tails.append((path, tail))
    print(f"{count} ELF files, {seconds:.2f} s, {seconds / max(count, 1) * 1000:.3f} ms per file")
    for path, tail in tails:
        print(f"  tail: {path} at 0x{tail.offset:x}, {tail.size} bytes")
    print(f"{len(tails)} with a tail")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["/usr/bin", "/usr/lib", "/usr/sbin"]))
