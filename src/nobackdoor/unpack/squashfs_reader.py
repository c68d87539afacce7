"""Last-resort squashfs reader, in pure Python (dissect.squashfs), for images unsquashfs and 7z refuse.

    python -m nobackdoor.unpack.squashfs_reader IMAGE OUTDIR

Vendors ship squashfs 4 images with the superblock magic changed (Broadcom's ``shsq``, and
others), which unsquashfs and 7z reject although the filesystem inside is standard. The reader
accepts any magic when the rest of the superblock is a consistent little-endian squashfs 4.0
superblock (layout: squashfs-tools squashfs_fs.h, ``struct squashfs_super_block``) and reads
the image as if the magic were ``hsqs``. Its LZMA, XZ, zlib, LZO, LZ4 and zstd decoders are
Python's and dissect.util's, which also take the LZMA blocks some vendor builds write.

It runs as its own process, started by :class:`nobackdoor.unpack.handlers.SquashfsExtractor`:
unblob's per-extractor time limit applies to it, its memory is bounded here, a hostile image
that loops the parser costs only this process, and files are written through unblob's
``FileSystem``, which keeps every path and link inside OUTDIR. Device nodes, FIFOs and sockets
are not created. What it neutralised is printed on stdout as one JSON report per line; why it
failed goes to stderr (first line) with exit status 1.
"""
from __future__ import annotations

import io
import json
import resource
import stat
import struct
import sys
from pathlib import Path, PurePosixPath

#: little-endian squashfs 4.0 superblock, first 32 bytes: magic, inodes, mkfs_time, block_size,
#: fragments, compression, block_log, flags, no_ids, s_major, s_minor
_SUPER = struct.Struct("<4sIIIIHHHHHH")
_BYTES_USED = struct.Struct("<Q")  # at offset 40
STANDARD_MAGIC = b"hsqs"
_MAX_DEPTH = 256
_MEMORY = 1 << 30
_CHUNK = 1 << 20


def v4_le_superblock(head: bytes, size: int) -> bool:
    """A consistent little-endian squashfs 4.0 superblock, whatever its magic."""
    if len(head) < 48:
        return False
    _, inodes, _, block_size, _, comp, block_log, _, _, major, minor = _SUPER.unpack_from(head)
    (bytes_used,) = _BYTES_USED.unpack_from(head, 40)
    return (major, minor) == (4, 0) and 12 <= block_log <= 20 and block_size == 1 << block_log \
        and 1 <= comp <= 6 and inodes > 0 and 96 <= bytes_used <= size


class MagicNormalised(io.RawIOBase):
    """A read-only view of an image that shows the standard magic in its first four bytes."""

    def __init__(self, raw):
        self.raw = raw

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def readinto(self, buf) -> int:
        pos = self.raw.tell()
        n = self.raw.readinto(buf)
        if n and pos < len(STANDARD_MAGIC):
            end = min(len(STANDARD_MAGIC), pos + n)
            buf[0:end - pos] = STANDARD_MAGIC[pos:end]
        return n


def extract(image: Path, outdir: Path) -> list:
    """Write the tree of ``image`` below ``outdir``; the unblob problem reports of what was neutralised."""
    from dissect.squashfs import SquashFS
    from unblob.file_utils import FileSystem
    from unblob.report import SpecialFileExtractionProblem

    from .limits import output_cap

    cap = output_cap()
    fs = FileSystem(outdir)
    problems: list = []
    outdir.mkdir(parents=True, exist_ok=True)
    with open(image, "rb") as raw:
        head = raw.read(96)
        size = raw.seek(0, io.SEEK_END)
        raw.seek(0)
        if head[:4] != STANDARD_MAGIC and not v4_le_superblock(head, size):
            raise ValueError(f"superblock is not a little-endian squashfs 4.0 one (magic {head[:4]!r})")
        sq = SquashFS(io.BufferedReader(MagicNormalised(raw), buffer_size=1 << 16))
        seen = {(sq.root.block, sq.root.offset)}
        stack = [(sq.root, PurePosixPath("."), 0)]
        while stack:
            node, rel, depth = stack.pop()
            for entry in node.iterdir():
                name = entry.name
                if not name or name in (".", "..") or "/" in name or "\0" in name:
                    problems.append(_traversal(rel / name.replace("/", "_")))
                    continue
                path = rel / name
                if entry.is_dir():
                    fs.mkdir(Path(path), parents=True, exist_ok=True)
                    key = (entry.block, entry.offset)
                    if key in seen or depth + 1 >= _MAX_DEPTH:
                        problems.append(SpecialFileExtractionProblem(
                            path=str(path), mode=entry.mode, device=0,
                            problem="Directory loop or nesting beyond the reader's depth limit.",
                            resolution="Skipped."))
                        continue
                    seen.add(key)
                    stack.append((entry, path, depth + 1))
                elif entry.is_file():
                    if entry.size > cap:
                        raise ValueError(f"{path}: file of {entry.size} bytes exceeds the extracted-size limit "
                                         f"for one file ({cap} bytes)")
                    fs.write_chunks(Path(path), _chunks(entry.open(), entry.size))
                    # the image's permission bits (set-id included: analyzers look at them), readable for the scan
                    fs.chmod(Path(path), (entry.mode & 0o7777) | 0o400)
                elif entry.is_symlink():
                    fs.create_symlink(src=Path(entry.link), dst=Path(path))
                else:
                    kind = stat.S_IFMT(entry.mode)
                    problems.append(SpecialFileExtractionProblem(
                        path=str(path), mode=entry.mode, device=0,
                        problem=f"Special file (mode {kind:o}) not created.", resolution="Skipped."))
    return [*fs.problems, *problems]


def _traversal(path: PurePosixPath):
    from unblob.report import PathTraversalProblem

    return PathTraversalProblem(path=str(path), extraction_path=str(path), resolution="Skipped.",
                                problem="Traversal attempt in directory entry name.")


def _chunks(stream, size: int):
    left = size
    while left > 0:
        block = stream.read(min(left, _CHUNK))
        if not block:
            break
        left -= len(block)
        yield block


def _quiet_logging() -> None:
    """unblob's FileSystem logs every file it creates through structlog; keep warnings only, on
    stderr (stdout carries the reports)."""
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
                        logger_factory=structlog.PrintLoggerFactory(sys.stderr))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m nobackdoor.unpack.squashfs_reader IMAGE OUTDIR", file=sys.stderr)
        return 2
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY, _MEMORY))
    _quiet_logging()
    try:
        problems = extract(Path(argv[0]), Path(argv[1]))
    except MemoryError:
        print("MemoryError: memory limit reached (corrupt or hostile image)", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - every parse failure of a hostile image ends here
        text = str(exc).splitlines()[0][:200] if str(exc) else ""
        print(f"{type(exc).__name__}: {text}", file=sys.stderr)
        return 1
    for problem in problems:
        print(json.dumps(problem.model_dump(mode="json")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
