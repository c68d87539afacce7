"""Naming libc routines in statically linked, stripped binaries (no import table to read).

* Known C libraries' routines are named from their bytes first (``signatures``); what follows are the
  fallbacks for a C library no signature covers.
* System-call wrappers are named by the number loaded next to the trap instruction (``mov r7,#11;
  svc 0`` is execve on ARM EABI); the table is data (``binary.knowledge.yaml: syscalls``).
* String comparison routines are recognised by how they are used: called from many places with one
  constant string among the first two arguments, their result tested against zero right after the
  call. A sample of call sites per frequently called function is decoded (a few instructions before
  and after each call), so the cost stays far below disassembling the whole binary.
"""
from __future__ import annotations

import array
import bisect
import re

from . import functions
from .model import Result
from .lift import call_site
from .elf import Image
from .sinks import knowledge

MOST_CALLED = 96  # functions considered as possible comparison routines
SAMPLE_SITES = 12
MIN_SITES = 4
WINDOW = 10  # instructions decoded before each sampled call
#: bytes from a system-call wrapper's start to its trap
WRAPPER_REACH = 48


def name_syscall_wrappers(image: Image, cmap: functions.CallMap) -> int:
    table = {int(k): v for k, v in (knowledge().get("syscalls", {}).get(_family(image)) or {}).items()}
    if not table:
        return 0
    named = 0
    targets = sorted(cmap.call_sites)
    for site, number in _syscalls(image):
        name = table.get(number)
        fn = cmap.function_of(site)
        # a frameless wrapper called directly is no start of its own on x86 (``execv`` entered by
        # ``execl``'s call, its trap a few instructions in): the nearest call target before the trap,
        # within a wrapper's reach, is the wrapper, not the function the scan put it in
        i = bisect.bisect_right(targets, site) - 1
        if i >= 0 and fn is not None and fn < targets[i] and site - targets[i] <= WRAPPER_REACH:
            fn = targets[i]
        if name and fn is not None and fn + 8 in image.imports and image.arch == "ppc64":
            continue  # named at its ELFv2 local entry already
        if name and fn is not None and fn not in image.imports:
            image.imports[fn] = name
            if fn in cmap.thumb_starts:
                image.imports[fn | 1] = name
            named += 1
    return named


def name_compare_routines(image: Image, cmap: functions.CallMap, calls: dict[int, list[int]]) -> int:
    """calls: direct call target -> call sites (from the raw scan)."""
    named = 0
    ranked = sorted(((len(s), t) for t, s in calls.items() if t not in image.imports), reverse=True)[:MOST_CALLED]
    ranked += [(len(s), t) for t, s in calls.items() if len(s) <= 2 and t not in image.imports]
    for count, target in ranked:
        sites = calls[target]
        step = max(1, len(sites) // SAMPLE_SITES)
        good = total = lengths = tests = binary = 0
        for site in sites[::step][:SAMPLE_SITES]:
            args, tested = call_site(image, site, WINDOW, thumb=target in cmap.thumb_starts or image.thumb)
            if args is None:
                continue
            total += 1
            tests += tested
            # the constant is the second operand: compare(input, "constant"); the first is never constant
            if not tested or _string_arg(image, args[0]) or isinstance(args[0], (Result, int)):
                continue
            length = args[2] if isinstance(args[2], int) and 2 <= args[2] <= 64 else None
            if _string_arg(image, args[1]):
                good += 1
                lengths += length is not None
            elif length and isinstance(args[1], int) and image.in_data(args[1]):
                good += 1  # memcmp(input, table, n)
                lengths += 1
                binary += 1
        frequent = total >= MIN_SITES and good >= 3 and tests * 10 >= total * 6
        # a routine used once or twice, always as compare(input, constant, n) == 0 (a memcmp)
        rare = 1 <= total < MIN_SITES and good == total and lengths == total
        if frequent or rare:
            name = "memcmp" if binary and lengths == good else ("strncmp" if lengths * 2 >= good else "strcmp")
            image.imports[target] = name
            if target in cmap.thumb_starts:
                image.imports[target | 1] = name
            named += 1
    return named


def _string_arg(image: Image, value) -> bool:
    return isinstance(value, int) and image.in_data(value) and _is_string(image, value)


def _is_string(image: Image, addr: int) -> bool:
    raw = image.cstring(addr, 64)
    return bool(raw) and all(32 <= b < 127 or b in (9, 10, 13) for b in raw)


def _family(image: Image) -> str:
    for family in ("mips", "ppc"):  # 32- and 64-bit share one table
        if image.arch.startswith(family):
            return family
    return image.arch


def _syscalls(image: Image):
    """(address of the trap, system-call number) for every trap whose number is loaded just before it."""
    for lo, hi in image.code:
        raw = image.read(lo, hi - lo)
        if not raw:
            continue
        if image.arch == "x86_64":
            for m in re.finditer(rb"\x0f\x05", raw):
                window = raw[max(0, m.start() - 16):m.start()]
                i = window.rfind(b"\xb8")
                if i >= 0 and len(window) - i >= 5:
                    yield lo + m.start(), int.from_bytes(window[i + 1:i + 5], "little")
            continue
        if image.arch == "arm" and image.thumb:
            half = array.array("H")
            half.frombytes(raw[: len(raw) // 2 * 2])
            if not image.little:
                half.byteswap()
            for i, h in enumerate(half):
                if h == 0xDF00:  # svc 0
                    for j in range(i - 1, max(-1, i - 6), -1):
                        if (half[j] & 0xFF00) == 0x2700:  # movs r7, #n
                            yield lo + 2 * i, half[j] & 0xFF
                            break
            continue
        words = functions._words(image, raw)
        trap = {"arm": 0xEF000000, "aarch64": 0xD4000001, "ppc": 0x44000002, "ppc64": 0x44000002}.get(
            image.arch, 0x0000000C)
        pattern = trap.to_bytes(4, "little" if image.little else "big")
        pos = raw.find(pattern)
        while pos >= 0:
            if pos % 4 == 0:
                i = pos // 4
                number = _trap_number(image.arch, words, i, image, lo)
                if number is not None:
                    yield lo + pos, number
            pos = raw.find(pattern, pos + 1)


def _trap_number(arch: str, words, i: int, image: Image, base: int) -> int | None:
    # glibc on PowerPC tests for the scv instruction between loading r0 and the trap: look further back
    back = 16 if arch.startswith("ppc") else 6
    for j in range(i - 1, max(-1, i - back), -1):
        v = words[j]
        if arch == "arm":
            if (v & 0xFFFFF000) == 0xE3A07000:  # mov r7, #imm
                return functions_arm_imm(v)
            if (v & 0xFFFFF000) == 0xE59F7000:  # ldr r7, [pc, #imm]: numbers that do not fit an immediate
                return image.u32(base + 4 * j + 8 + (v & 0xFFF))
            if (v & 0xFFF0F000) == 0xE3007000:  # movw r7, #imm
                return ((v >> 4) & 0xF000) | (v & 0xFFF)
        elif arch == "aarch64":
            if (v & 0x7FE0001F) == 0x52800008:  # mov w8/x8, #imm
                return (v >> 5) & 0xFFFF
        elif arch in ("ppc", "ppc64"):
            if (v & 0xFFFF0000) == 0x38000000:  # li r0, imm
                return v & 0xFFFF
            if v == 0x4E800020 or (v & 0xFC000001) == 0x48000001:  # blr / bl: another routine
                return None
        elif (v & 0xFFFF0000) == 0x24020000:  # li v0, imm (MIPS)
            return v & 0xFFFF
    return None


def functions_arm_imm(w: int) -> int:
    rot = ((w >> 8) & 0xF) * 2
    imm = w & 0xFF
    return ((imm >> rot) | (imm << (32 - rot))) & 0xFFFFFFFF
