"""Format handlers added to or replacing unblob's built-in ones.

* SquashFS: unblob's handlers call ``sasquatch``, which Debian does not ship. These subclasses keep
  unblob's chunk detection and extract with Debian's ``unsquashfs`` (all standard compressors),
  falling back to ``7z`` (which reads some vendor LZMA variants) when unsquashfs refuses.
* cpio and zip: unblob's handlers, with the names of the members audited first. unblob's cpio
  extractor redirects traversal into ``.unblob-lost+found`` and strips absolute paths but keeps
  those problems to itself; 7z strips ``../`` and ``/`` from zip names silently. Both now report
  what they neutralised (as unblob ``ExtractionProblem`` reports, which :mod:`.layout` reads).
* 7z-extracted formats (cramfs, zip, iso9660, ...): p7zip rewrites an image's absolute symlinks to
  host paths below the output directory; :func:`repair_7z_links` gives them back their in-image
  target before unblob makes them relative.
* U-Boot legacy uImage: not covered by unblob. One handler for single and multi-file images; the
  payloads are written out and unblob recurses into them (gzip, lzma, squashfs, ...).
  Header layout from U-Boot's include/image.h (struct legacy_img_hdr, IH_TYPE_MULTI).
"""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from unblob.extractors import Command
from unblob.file_utils import FileSystem, InvalidInputFormat
from unblob.handlers import BUILTIN_HANDLERS
from unblob.handlers.archive import cpio as _cpio
from unblob.handlers.archive import zip as _zip
from unblob.handlers.filesystem import squashfs as _sq
from unblob.models import (
    ExtractError,
    Extractor,
    ExtractResult,
    File,
    Handler,
    HandlerDoc,
    HandlerType,
    HexString,
    Reference,
    ValidChunk,
)
from unblob.report import ExtractionProblem, PathTraversalProblem


def repair_7z_links(outdir: Path) -> None:
    """p7zip turns an absolute symlink of an image (``/bin/busybox``) into one to the host path
    ``OUTDIR/bin/busybox``, which unblob's link fixer then mangles. Give such links back their
    in-image absolute target; unblob rewrites those to relative links inside the tree."""
    prefix = str(outdir) + "/"
    for dirpath, dirnames, filenames in os.walk(outdir):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            try:
                if not os.path.islink(full):
                    continue
                target = os.readlink(full)
                if target.startswith(prefix):
                    os.unlink(full)
                    os.symlink("/" + target[len(prefix):], full)
            except OSError:
                continue


class SevenZipExtractor(Extractor):
    """One of unblob's 7z commands, followed by :func:`repair_7z_links`."""

    def __init__(self, command: Extractor):
        self.command = command

    def extract(self, inpath: Path, outdir: Path):
        try:
            return self.command.extract(inpath, outdir)
        finally:
            repair_7z_links(outdir)

    def get_dependencies(self) -> list[str]:
        return self.command.get_dependencies()


class SquashfsExtractor(Extractor):
    """unsquashfs first, 7z second; device nodes are never created (``-no-xattrs`` and the
    post-extraction sanitizer in :mod:`nobackdoor.unpack.safety` remove any that appear)."""

    def extract(self, inpath: Path, outdir: Path):
        try:
            Command("unsquashfs", "-no-xattrs", "-no-progress", "-quiet", "-f", "-d", "{outdir}", "{inpath}").extract(
                inpath, outdir
            )
        except ExtractError as first:
            try:
                SevenZipExtractor(Command("7z", "x", "-y", "-snld", "{inpath}", "-o{outdir}")).extract(inpath, outdir)
            except ExtractError:
                raise first from None

    def get_dependencies(self) -> list[str]:
        return ["unsquashfs", "7z"]


#: every unblob squashfs handler (v1-v4, vendor variants) extracts with sasquatch
_SQUASHFS_REPLACED = [h for h in BUILTIN_HANDLERS if h.__module__ == _sq.__name__]

def audit_member_name(name: str) -> ExtractionProblem | None:
    """A problem report for an archive member name that is absolute or climbs out."""
    path = PurePosixPath(name)
    if ".." in path.parts:
        return PathTraversalProblem(path=name, extraction_path=name, problem="Traversal attempt in member name.",
                                    resolution="Kept inside the extraction directory.")
    if path.is_absolute():
        return ExtractionProblem(path=name, problem="Absolute path.",
                                 resolution="Converted to extraction relative path.")
    return None


class AuditedCPIOExtractor(Extractor):
    """unblob's cpio extraction, returning the problems its FileSystem recorded, plus absolute names."""

    def __init__(self, parser: type):
        self.PARSER = parser  # the handler's calculate_chunk reads it (unblob's interface)

    def extract(self, inpath: Path, outdir: Path):
        fs = FileSystem(outdir)
        problems: list = []
        with File.from_path(inpath) as file:
            parser = self.PARSER(file, 0)
            parser.parse()
            for entry in parser.entries:
                problem = audit_member_name(str(entry.path))
                if problem and problem.problem == "Absolute path.":
                    problems.append(problem)  # unblob reports traversal itself
            parser.dump_entries(fs)
        return ExtractResult(reports=[*problems, *fs.problems])


class AuditedZipExtractor(Extractor):
    """7z extraction (as unblob does it), after listing the member names with zipfile."""

    def __init__(self, command: Extractor):
        self.command = command

    def extract(self, inpath: Path, outdir: Path):
        problems: list = []
        try:
            with zipfile.ZipFile(inpath) as zf:
                for name in zf.namelist()[:100_000]:
                    problem = audit_member_name(name)
                    if problem:
                        problems.append(problem)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            pass  # 7z judges the archive; the audit is best effort
        result = SevenZipExtractor(self.command).extract(inpath, outdir)
        return ExtractResult(reports=[*problems, *(result.reports if result else [])])

    def get_dependencies(self) -> list[str]:
        return self.command.get_dependencies()


def _with_extractor(cls: type[Handler], extractor: Extractor) -> type[Handler]:
    return type(cls.__name__, (cls,), {"EXTRACTOR": extractor, "__module__": __name__})


_REPLACED: dict[type[Handler], type[Handler]] = {
    **{h: _with_extractor(h, SquashfsExtractor()) for h in _SQUASHFS_REPLACED},
    **{h: _with_extractor(h, AuditedCPIOExtractor(h.EXTRACTOR.PARSER)) for h in (
        _cpio.BinaryHandler, _cpio.PortableOldASCIIHandler, _cpio.PortableASCIIHandler,
        _cpio.PortableASCIIWithCRCHandler)},
    **{h: _with_extractor(h, SevenZipExtractor(h.EXTRACTOR)) for h in BUILTIN_HANDLERS
       if isinstance(h.EXTRACTOR, Command) and h.EXTRACTOR._command_template[:2] == ["7z", "x"]
       and h is not _zip.ZIPHandler},
    _zip.ZIPHandler: _with_extractor(_zip.ZIPHandler, AuditedZipExtractor(_zip.ZIPHandler.EXTRACTOR)),
}

UIMAGE_HEADER = struct.Struct(">7I4B32s")
IH_MAGIC = 0x27051956
IH_TYPE_MULTI = 4
_COMP_SUFFIX = {0: "bin", 1: "gz", 2: "bz2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zst"}


def _parse_uimage(data: bytes) -> tuple[tuple, list[tuple[int, int]]]:
    """Header fields and (offset, size) of each payload, relative to the header start."""
    if len(data) < UIMAGE_HEADER.size:
        raise InvalidInputFormat("uImage header truncated")
    fields = UIMAGE_HEADER.unpack_from(data)
    magic, hcrc, _time, size = fields[0], fields[1], fields[2], fields[3]
    if magic != IH_MAGIC:
        raise InvalidInputFormat("not a uImage")
    header = bytearray(data[: UIMAGE_HEADER.size])
    header[4:8] = b"\0\0\0\0"
    if zlib.crc32(header) != hcrc:
        raise InvalidInputFormat("uImage header CRC mismatch")
    image_type = fields[9]
    payloads = []
    if image_type == IH_TYPE_MULTI:
        sizes = []
        pos = UIMAGE_HEADER.size
        while pos + 4 <= UIMAGE_HEADER.size + size:
            (n,) = struct.unpack_from(">I", data, pos)
            pos += 4
            if n == 0:
                break
            sizes.append(n)
        end = UIMAGE_HEADER.size + size
        for n in sizes:
            if pos + n > end:
                raise InvalidInputFormat("uImage multi-file size table runs past the image data")
            payloads.append((pos, n))
            pos += (n + 3) & ~3
        if not payloads:
            raise InvalidInputFormat("uImage multi-file image without images")
    else:
        payloads.append((UIMAGE_HEADER.size, size))
    return fields, payloads


class UImageExtractor(Extractor):
    def extract(self, inpath: Path, outdir: Path):
        data = inpath.read_bytes()
        fields, payloads = _parse_uimage(data)
        comp = _COMP_SUFFIX.get(fields[10], "bin")
        outdir.mkdir(parents=True, exist_ok=True)
        for index, (offset, size) in enumerate(payloads):
            # multi-file images: the first is the kernel, later ones usually filesystems;
            # the compression byte describes the kernel only
            suffix = comp if index == 0 else "bin"
            (outdir / f"image-{index}.{suffix}").write_bytes(data[offset : offset + size])


class UImageHandler(Handler):
    NAME = "uimage"
    PATTERNS = [HexString("27 05 19 56")]
    EXTRACTOR = UImageExtractor()
    DOC = HandlerDoc(
        name="U-Boot legacy uImage",
        description="U-Boot legacy image: 64-byte big-endian header (magic 0x27051956) followed by one payload "
        "or, for multi-file images, a zero-terminated size table and the payloads.",
        handler_type=HandlerType.BOOTLOADER,
        vendor=None,
        references=[Reference(title="U-Boot include/image.h", url="https://source.denx.de/u-boot/u-boot")],
        limitations=[],
    )

    def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
        file.seek(start_offset)
        head = file.read(UIMAGE_HEADER.size)
        if len(head) < UIMAGE_HEADER.size:
            raise InvalidInputFormat("uImage header truncated")
        fields = UIMAGE_HEADER.unpack(head)
        size = fields[3]
        file.seek(start_offset)
        data = file.read(UIMAGE_HEADER.size + size)
        if len(data) < UIMAGE_HEADER.size + size:
            raise InvalidInputFormat("uImage payload truncated")
        _parse_uimage(data)
        return ValidChunk(start_offset=start_offset, end_offset=start_offset + UIMAGE_HEADER.size + size)


def handlers() -> tuple[type[Handler], ...]:
    """unblob's built-in handlers with nobackdoor's replacements and additions (ours first)."""
    out: list[type[Handler]] = [UImageHandler]
    for handler in BUILTIN_HANDLERS:
        out.append(_REPLACED.get(handler, handler))
    return tuple(out)
