"""Templates shared by the `supply` family: placeholder filling, the identity of a small C project
and its honest C sources and tests (used by the release-tarball class).

Written blind: from public write-ups of supply-chain back doors only, never from the scanner.
"""
from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass

from .common import word

_TOKEN = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")
_TOKEN_LINE = re.compile(r"[ \t]*@@([A-Z][A-Z0-9_]*)@@[ \t]*")


def fill(tpl: str, **kw) -> str:
    """Dedent `tpl` and replace @@NAME@@ tokens. A token alone on its line is replaced by a block
    (removed when the value is empty); every token must have a value."""
    tpl = textwrap.dedent(tpl)
    if tpl.startswith("\n"):
        tpl = tpl[1:]
    out = []
    for line in tpl.split("\n"):
        m = _TOKEN_LINE.fullmatch(line)
        if m:
            val = kw[m.group(1)]
            if val:
                out.append(str(val).rstrip("\n"))
            continue
        out.append(_TOKEN.sub(lambda mm: str(kw[mm.group(1)]), line))
    text = "\n".join(out)
    if "@@" in text and _TOKEN.search(text):
        raise KeyError(f"unfilled token {_TOKEN.search(text).group(0)}")
    return text


_PURPOSES = [
    ("checksum", "a small CRC-32 based integrity checker and frame codec"),
    ("codec", "a tiny run-length frame codec for embedded log streams"),
    ("pack", "a compact packer for configuration blobs of network devices"),
    ("frame", "a framing library for serial management links"),
    ("blob", "a portable reader and writer of firmware-settings blobs"),
]
_AUTHORS = ["Ana Ribeiro", "Bo Lindqvist", "Chen Wei", "Dara Okafor", "Emil Novak", "Femi Adeyemi",
            "Gita Sharma", "Hal Jensen", "Ines Duarte", "Jon Arkwright", "Kai Nakamura", "Lea Moreau"]
_LICENSES = [("0BSD", "Permission to use, copy, modify, and/or distribute this software for any\n"
                      "purpose with or without fee is hereby granted."),
             ("MIT", "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
                     "of this software and associated documentation files, to deal in the Software\n"
                     "without restriction."),
             ("ISC", "Permission to use, copy, modify, and distribute this software for any purpose\n"
                     "with or without fee is hereby granted, provided that the above copyright\n"
                     "notice and this permission notice appear in all copies.")]


@dataclass
class CProj:
    name: str          # lower-case package name, also the CLI name
    version: str
    pfx: str           # C identifier prefix
    purpose: str
    author: str
    license: tuple
    magic: str         # 4-char frame magic
    testdir: str       # "tests/files" or similar
    year: int

    @property
    def NAME(self) -> str:
        return self.pfx.upper()

    @property
    def tarname(self) -> str:
        return f"{self.name}-{self.version}"


def draw_cproj(rng: random.Random) -> CProj:
    name = word(rng, (2, 3))
    pfx = name[:rng.randint(3, 5)]
    kind, purpose = rng.choice(_PURPOSES)
    magic = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
    return CProj(name=name, version=f"{rng.randint(0, 5)}.{rng.randint(0, 19)}.{rng.randint(0, 9)}",
                 pfx=pfx, purpose=f"{name} is {purpose}", author=rng.choice(_AUTHORS),
                 license=rng.choice(_LICENSES), magic=magic,
                 testdir=rng.choice(["tests/files", "tests/data", "tests/vectors", "tests/testdata"]),
                 year=rng.choice([2021, 2022, 2023]))


def c_sources(P: CProj, rng: random.Random) -> dict[str, str]:
    """Honest library + CLI sources and unit tests (identical in both twins)."""
    p, N = P.pfx, P.NAME
    poly = rng.choice(["0xEDB88320u", "0x82F63B78u"])
    lic = f"/* SPDX-License-Identifier: {P.license[0]}\n * Copyright (C) {P.year} {P.author} */\n"
    files = {}
    files[f"src/{P.name}.h"] = lic + fill(f"""
        #ifndef {N}_H
        #define {N}_H

        #include <stddef.h>
        #include <stdint.h>

        #define {N}_MAGIC "{P.magic}"
        #define {N}_OK 0
        #define {N}_ERR_MAGIC (-1)
        #define {N}_ERR_CRC (-2)
        #define {N}_ERR_TRUNC (-3)
        #define {N}_ERR_SPACE (-4)

        uint32_t {p}_crc32(uint32_t crc, const uint8_t *buf, size_t len);
        int {p}_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *olen);
        int {p}_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *olen);
        const char *{p}_strerror(int err);

        #endif
        """)
    files["src/crc32.c"] = lic + fill(f"""
        #include "config.h"
        #include "{P.name}.h"

        static uint32_t table[256];
        static int table_ready;

        static void build_table(void)
        {{
        \tfor (uint32_t i = 0; i < 256; i++) {{
        \t\tuint32_t c = i;
        \t\tfor (int k = 0; k < 8; k++)
        \t\t\tc = (c & 1) ? ({poly} ^ (c >> 1)) : (c >> 1);
        \t\ttable[i] = c;
        \t}}
        \ttable_ready = 1;
        }}

        uint32_t {p}_crc32(uint32_t crc, const uint8_t *buf, size_t len)
        {{
        \tif (!table_ready)
        \t\tbuild_table();
        \tcrc = ~crc;
        \twhile (len--)
        \t\tcrc = table[(crc ^ *buf++) & 0xff] ^ (crc >> 8);
        \treturn ~crc;
        }}
        """)
    files["src/codec.c"] = lic + fill(f"""
        #include "config.h"
        #include <string.h>
        #include "{P.name}.h"

        /* frame: magic[4] len[4 LE] (count byte)* crc32[4 LE] */

        static void put32(uint8_t *p, uint32_t v)
        {{
        \tp[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
        }}

        static uint32_t get32(const uint8_t *p)
        {{
        \treturn p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        }}

        int {p}_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *olen)
        {{
        \tsize_t o = 8, i = 0;
        \tif (cap < 12)
        \t\treturn {N}_ERR_SPACE;
        \tmemcpy(out, {N}_MAGIC, 4);
        \tput32(out + 4, (uint32_t)len);
        \twhile (i < len) {{
        \t\tsize_t run = 1;
        \t\twhile (i + run < len && in[i + run] == in[i] && run < 255)
        \t\t\trun++;
        \t\tif (o + 2 + 4 > cap)
        \t\t\treturn {N}_ERR_SPACE;
        \t\tout[o++] = (uint8_t)run;
        \t\tout[o++] = in[i];
        \t\ti += run;
        \t}}
        \tput32(out + o, {p}_crc32(0, in, len));
        \t*olen = o + 4;
        \treturn {N}_OK;
        }}

        int {p}_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *olen)
        {{
        \tsize_t i = 8, o = 0, want;
        \tif (len < 12)
        \t\treturn {N}_ERR_TRUNC;
        \tif (memcmp(in, {N}_MAGIC, 4) != 0)
        \t\treturn {N}_ERR_MAGIC;
        \twant = get32(in + 4);
        \tif (want > cap)
        \t\treturn {N}_ERR_SPACE;
        \twhile (i + 4 < len && o < want) {{
        \t\tuint8_t run = in[i], b = in[i + 1];
        \t\tif (o + run > want)
        \t\t\treturn {N}_ERR_TRUNC;
        \t\tmemset(out + o, b, run);
        \t\to += run;
        \t\ti += 2;
        \t}}
        \tif (o != want || i + 4 != len)
        \t\treturn {N}_ERR_TRUNC;
        \tif (get32(in + i) != {p}_crc32(0, out, o))
        \t\treturn {N}_ERR_CRC;
        \t*olen = o;
        \treturn {N}_OK;
        }}

        const char *{p}_strerror(int err)
        {{
        \tswitch (err) {{
        \tcase {N}_OK: return "success";
        \tcase {N}_ERR_MAGIC: return "not a {P.name} frame";
        \tcase {N}_ERR_CRC: return "checksum mismatch";
        \tcase {N}_ERR_TRUNC: return "truncated or corrupt frame";
        \tcase {N}_ERR_SPACE: return "output buffer too small";
        \t}}
        \treturn "unknown error";
        }}
        """)
    files["src/main.c"] = lic + fill(f"""
        #include "config.h"
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include "{P.name}.h"
        #include "version.h"

        #define MAXBUF (1u << 20)

        static void usage(FILE *fp)
        {{
        \tfprintf(fp, "Usage: %s [-d|-t|-k] [-c] [FILE]\\n"
        \t    "  -d, --decode   decode a frame\\n"
        \t    "  -t, --test     test integrity of a frame\\n"
        \t    "  -k, --crc      print the CRC-32 of the input\\n"
        \t    "  -c, --stdout   write to standard output\\n"
        \t    "  -V, --version  print the version\\n", PACKAGE_NAME);
        }}

        static size_t slurp(FILE *fp, uint8_t *buf, size_t cap)
        {{
        \tsize_t n = 0, r;
        \twhile (n < cap && (r = fread(buf + n, 1, cap - n, fp)) > 0)
        \t\tn += r;
        \treturn n;
        }}

        int main(int argc, char **argv)
        {{
        \tint mode = 'e', i;
        \tconst char *path = NULL;
        \tFILE *in = stdin;
        \tfor (i = 1; i < argc; i++) {{
        \t\tif (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--decode"))
        \t\t\tmode = 'd';
        \t\telse if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--test"))
        \t\t\tmode = 't';
        \t\telse if (!strcmp(argv[i], "-k") || !strcmp(argv[i], "--crc"))
        \t\t\tmode = 'k';
        \t\telse if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--stdout"))
        \t\t\t;
        \t\telse if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {{
        \t\t\tprintf("%s (%s)\\n", PACKAGE_STRING, {N}_BUILD_INFO);
        \t\t\treturn 0;
        \t\t}} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {{
        \t\t\tusage(stdout);
        \t\t\treturn 0;
        \t\t}} else if (argv[i][0] == '-' && argv[i][1]) {{
        \t\t\tusage(stderr);
        \t\t\treturn 2;
        \t\t}} else
        \t\t\tpath = argv[i];
        \t}}
        \tif (path && !(in = fopen(path, "rb"))) {{
        \t\tperror(path);
        \t\treturn 1;
        \t}}
        \tuint8_t *buf = malloc(MAXBUF), *out = malloc(MAXBUF * 2 + 16);
        \tif (!buf || !out)
        \t\treturn 1;
        \tsize_t n = slurp(in, buf, MAXBUF), olen = 0;
        \tint rc;
        \tif (mode == 'k') {{
        \t\tprintf("%08x\\n", (unsigned){p}_crc32(0, buf, n));
        \t\treturn 0;
        \t}}
        \tif (mode == 'e')
        \t\trc = {p}_encode(buf, n, out, MAXBUF * 2 + 16, &olen);
        \telse
        \t\trc = {p}_decode(buf, n, out, MAXBUF * 2 + 16, &olen);
        \tif (rc != {N}_OK) {{
        \t\tfprintf(stderr, "%s: %s: %s\\n", PACKAGE_NAME, path ? path : "(stdin)", {p}_strerror(rc));
        \t\treturn 1;
        \t}}
        \tif (mode != 't')
        \t\tfwrite(out, 1, olen, stdout);
        \tfree(buf);
        \tfree(out);
        \treturn 0;
        }}
        """)
    files["tests/test_roundtrip.c"] = lic + fill(f"""
        #include "config.h"
        #include <stdio.h>
        #include <string.h>
        #include "{P.name}.h"

        static int check(const char *s)
        {{
        \tuint8_t enc[4096], dec[4096];
        \tsize_t elen = 0, dlen = 0;
        \tif ({p}_encode((const uint8_t *)s, strlen(s), enc, sizeof enc, &elen) != {N}_OK)
        \t\treturn 1;
        \tif ({p}_decode(enc, elen, dec, sizeof dec, &dlen) != {N}_OK)
        \t\treturn 1;
        \treturn dlen != strlen(s) || memcmp(dec, s, dlen) != 0;
        }}

        int main(void)
        {{
        \tstatic const char *cases[] = {{ "", "a", "aaaaaaaaaaaaaaaab", "{word(rng)} {word(rng)}", NULL }};
        \tint fails = 0;
        \tfor (int i = 0; cases[i]; i++)
        \t\tfails += check(cases[i]);
        \tif ({p}_crc32(0, (const uint8_t *)"123456789", 9) != {"0xCBF43926u" if poly.startswith("0xEDB") else "0xE3069283u"})
        \t\tfails++;
        \tprintf("%d failure(s)\\n", fails);
        \treturn fails != 0;
        }}
        """)
    return files


def test_files_script(P: CProj, names: list[str]) -> str:
    """Honest test driver that decompresses test vectors (a look-alike of the planted chains)."""
    return fill(f"""
        #!/bin/sh
        # Run {P.name} over the test files: good-* must decode, bad-* must be rejected.
        # Compressed vectors (*.xz, *.gz) are unpacked first with the system tools.
        srcdir=${{srcdir:-.}}
        prog=${{PROG:-../src/{P.name}}}
        dir="$srcdir/{P.testdir.split('/', 1)[1]}"
        tmp=${{TMPDIR:-/tmp}}/{P.name}-test.$$
        trap 'rm -f "$tmp"' 0 1 2 15
        status=0

        unpack() {{
        \tcase $1 in
        \t*.xz) xz -dc "$1" ;;
        \t*.gz) gzip -dc "$1" ;;
        \t*) cat "$1" ;;
        \tesac
        }}

        for f in "$dir"/good-* ; do
        \ttest -f "$f" || continue
        \tunpack "$f" > "$tmp" 2>/dev/null || {{ echo "cannot unpack $f"; status=1; continue; }}
        \tif ! "$prog" -t "$tmp" ; then echo "FAIL: $f"; status=1; fi
        done
        for f in "$dir"/bad-* ; do
        \ttest -f "$f" || continue
        \tunpack "$f" > "$tmp" 2>/dev/null
        \tif "$prog" -t "$tmp" 2>/dev/null ; then echo "FAIL (accepted): $f"; status=1; fi
        done
        # files: {' '.join(names)}
        exit $status
        """) + "\n"


def readme(P: CProj, build: str) -> str:
    steps = {"autotools": "    ./configure --prefix=/usr\n    make\n    make check\n    make install",
             "cmake": "    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release\n    cmake --build build\n"
                      "    ctest --test-dir build\n    cmake --install build",
             "make": "    ./configure --prefix=/usr\n    make\n    make test\n    make install"}[build]
    return fill(f"""
        {P.name} {P.version}
        {'=' * (len(P.name) + len(P.version) + 1)}

        {P.purpose}. It has no dependencies beyond a C99 compiler and
        libc; the test suite additionally uses xz and gzip to unpack compressed
        test vectors.

        Building
        --------

        @@STEPS@@

        The test files under {P.testdir}/ are described in {P.testdir}/README.

        Licence: {P.license[0]} (see COPYING). Written by {P.author}.
        """, STEPS=steps) + "\n"


def common_docs(P: CProj, rng: random.Random) -> dict[str, str]:
    n1 = f"{P.version.rsplit('.', 1)[0]}.{max(0, int(P.version.rsplit('.', 1)[1]) - 1)}"
    return {
        "COPYING": f"Copyright (C) {P.year} {P.author}\n\n{P.license[1]}\n\nTHE SOFTWARE IS PROVIDED \"AS IS\""
                   " AND THE AUTHOR DISCLAIMS ALL WARRANTIES.\n",
        "AUTHORS": f"{P.author} <{P.author.split()[0].lower()}@{word(rng)}.example>\n",
        "NEWS": fill(f"""
            {P.name} {P.version}
            * Faster CRC-32 table setup.
            * Reject frames whose length field exceeds the output buffer.
            * New test vectors for truncated frames.

            {P.name} {n1}
            * First public release.
            """) + "\n",
        "ChangeLog": f"See NEWS; the detailed history is in the project repository.\n",
    }
