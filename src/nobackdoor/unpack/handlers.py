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
  payloads are written out and unblob recurses into them (gzip, squashfs, ...). A payload the
  header calls LZMA is decoded here (:func:`write_lzma_alone`), bounded by the size limits: unblob's
  LZMA handler guesses from the bytes and leaves some vendor kernels compressed.
  Header layout from U-Boot's include/image.h (struct legacy_img_hdr, IH_TYPE_MULTI).
* SquashFS 4 under a vendor magic (:class:`SquashFSv4VendorMagicHandler`): read by the
  pure-Python reader, :mod:`.squashfs_reader`, the last resort of :class:`SquashfsExtractor`.
* ELF: an ELF at the start of a longer file (an updater stub and its payload) is not copied to
  ``carved.elf``; the file is analysed under its own name (:class:`InPlaceElfChunk`).
"""
from __future__ import annotations

import json
import lzma
import os
import re
import shlex
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from unblob.extractors import Command
from unblob.file_utils import FileSystem, InvalidInputFormat
from unblob.handlers import BUILTIN_HANDLERS
from unblob.handlers.archive import cpio as _cpio
from unblob.handlers.archive import zip as _zip
from unblob.handlers.executable import elf as _elf
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
from unblob.report import (
    ErrorReport,
    ExtractCommandFailedReport,
    ExtractionProblem,
    PathTraversalProblem,
    Severity,
)

from .limits import output_cap


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


class PayloadProblem(ErrorReport):
    """A problem met by one of nobackdoor's own extractors, worded for the scan errors
    (:mod:`.layout` shows ``message``)."""

    severity: Severity = Severity.ERROR
    message: str


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
    """unsquashfs first, 7z second (it reads Broadcom's "shsq" images), then the pure-Python reader
    (:mod:`.squashfs_reader`: squashfs 4 with a vendor magic). Device nodes are never created
    (``-no-xattrs`` and the post-extraction sanitizer in :mod:`nobackdoor.unpack.safety` remove
    any that appear). When none can read the image, one report names each reader's reason."""

    def extract(self, inpath: Path, outdir: Path):
        failures: list[tuple[str, ExtractError]] = []
        try:
            Command("unsquashfs", "-no-xattrs", "-no-progress", "-quiet", "-f", "-d", "{outdir}", "{inpath}").extract(
                inpath, outdir
            )
            return None
        except ExtractError as exc:
            failures.append(("unsquashfs", exc))
        try:
            SevenZipExtractor(Command("7z", "x", "-y", "-snld", "{inpath}", "-o{outdir}")).extract(inpath, outdir)
            return None
        except ExtractError as exc:
            failures.append(("7z", exc))
        try:
            return ExtractResult(reports=run_python_squashfs_reader(inpath, outdir))
        except ExtractError as exc:
            failures.append(("python reader", exc))
        reasons = "; ".join(f"{name}: {_reason(exc, inpath)}" for name, exc in failures)
        raise ExtractError(PayloadProblem(message=f"no squashfs reader could read it (vendor variant, or truncated or "
                                                  f"corrupt): {reasons}"))

    def get_dependencies(self) -> list[str]:
        return ["unsquashfs", "7z"]


def run_python_squashfs_reader(inpath: Path, outdir: Path) -> list:
    """:mod:`.squashfs_reader` in a child process, under unblob's per-extractor time limit; the
    problem reports it printed."""
    from unblob import report as unblob_report
    from unblob.extractors import command

    cmd = [sys.executable, "-m", "nobackdoor.unpack.squashfs_reader", str(inpath), str(outdir)]
    try:
        res = subprocess.run(cmd, capture_output=True, timeout=command.COMMAND_TIMEOUT,
                             check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(command.ExtractorTimedOut(cmd=cmd, timeout=exc.timeout)) from None
    if res.returncode != 0:
        raise ExtractError(ExtractCommandFailedReport(command=shlex.join(cmd), stdout=res.stdout[-4096:],
                                                      stderr=res.stderr[-4096:], exit_code=res.returncode))
    reports = []
    for line in res.stdout.decode("utf-8", "replace").splitlines()[:100_000]:
        try:
            data = json.loads(line)
            cls = getattr(unblob_report, str(data.pop("__typename__", "")), None)
            if isinstance(cls, type) and issubclass(cls, ExtractionProblem):
                reports.append(cls.model_validate(data))
        except (ValueError, TypeError):
            continue
    return reports


def _reason(exc: ExtractError, inpath: Path) -> str:
    """One line saying why an extractor failed, from its unblob reports (work paths left out)."""
    for rep in exc.reports:
        if isinstance(rep, ExtractCommandFailedReport):
            text = (rep.stderr or rep.stdout or b"").decode("utf-8", "replace").replace(str(inpath), inpath.name)
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            # the first line that says what is wrong, not only which file ("ERROR: file")
            hit = next((ln for ln in lines if _WHY.search(ln) and len(ln.replace(inpath.name, "")) > 12),
                       lines[-1] if lines else "")
            return f"exit {rep.exit_code}" + (f", {hit[:120]}" if hit else "")
        if isinstance(rep, PayloadProblem):
            return rep.message[:120]
        if hasattr(rep, "timeout"):
            return f"stopped after {rep.timeout} s"
        if hasattr(rep, "dependencies"):
            return "not installed"
    return "failed"


_WHY = re.compile(r"error|fail|invalid|corrupt|unsupported|not |can't|cannot", re.IGNORECASE)


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


class InPlaceElfChunk(_elf.ElfChunk):
    """An ELF at the start of a file that goes on after it (an updater stub and its payload).
    unblob copies such an ELF to ``carved.elf`` to analyse it again; but the file itself stays in
    the tree under its own name and is analysed there, so the copy would report every finding
    twice. Only what follows the ELF is carved. Kernels (initramfs inside) and UPX-packed
    programs keep unblob's extraction."""

    def extract(self, inpath: Path, outdir: Path):
        if self.start_offset == 0 and not self.is_whole_file:
            elf = _elf.lief.ELF.parse(str(inpath))
            is_kernel = elf is not None and elf.header.file_type == _elf.lief.ELF.Header.FILE_TYPE.EXEC \
                and elf.has_section(_elf.KERNEL_INIT_DATA_SECTION)
            with open(inpath, "rb") as fh:
                packed = b"UPX!" in fh.read(4096)
            if not (is_kernel or packed):
                return None
        return super().extract(inpath, outdir)


def _elf_in_place(cls: type[Handler]) -> type[Handler]:
    def calculate_chunk(self, file: File, start_offset: int):
        chunk = cls.calculate_chunk(self, file, start_offset)
        if chunk is None:
            return None
        return InPlaceElfChunk(start_offset=chunk.start_offset, end_offset=chunk.end_offset)

    return type(cls.__name__, (cls,), {"calculate_chunk": calculate_chunk, "__module__": __name__})


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
    _elf.ELF32Handler: _elf_in_place(_elf.ELF32Handler),
    _elf.ELF64Handler: _elf_in_place(_elf.ELF64Handler),
}

#: superblock magics vendors put on squashfs images, which unblob's v4 handlers (hsqs, sqsh and
#: Broadcom's shsq/qshs, each with its own byte order) do not take on a little-endian 4.0 layout,
#: nor do unsquashfs and 7z: the LZMA builds' "sqlz"/"zlqs", DD-WRT's "hsqt"/"tqsh", Broadcom's
#: "qshs", and the byte-swapped standard magic "sqsh". Source: the magics unblob's squashfs
#: handlers name for the v2/v3 vendor variants (unblob/handlers/filesystem/squashfs.py).
VENDOR_SQUASHFS4_MAGICS = (b"sqlz", b"zlqs", b"hsqt", b"tqsh", b"qshs", b"sqsh")


class SquashFSv4VendorMagicHandler(Handler):
    """A little-endian squashfs 4.0 superblock under a vendor magic; extracted by
    :class:`SquashfsExtractor`, whose pure-Python reader ignores the magic."""

    NAME = "squashfs_v4_vendor_magic"
    # the magic, 24 bytes, then s_major = 4 and s_minor = 0 (little-endian u16 at offset 28)
    PATTERNS = [HexString(f"{magic.hex(' ')} [24] 04 00 00 00") for magic in VENDOR_SQUASHFS4_MAGICS]
    EXTRACTOR = SquashfsExtractor()
    DOC = HandlerDoc(
        name="SquashFS (v4-LE, vendor magic)",
        description="A standard little-endian squashfs 4.0 filesystem whose superblock magic a vendor changed.",
        handler_type=HandlerType.FILESYSTEM,
        vendor=None,
        references=[Reference(title="squashfs-tools squashfs_fs.h", url="https://github.com/plougher/squashfs-tools")],
        limitations=["Read by the pure-Python reader (dissect.squashfs) only."],
    )

    def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
        from .squashfs_reader import v4_le_superblock

        file.seek(start_offset)
        head = file.read(96)
        size = file.size() - start_offset
        if not v4_le_superblock(head, size):
            raise InvalidInputFormat("not a consistent little-endian squashfs 4.0 superblock")
        (bytes_used,) = struct.unpack_from("<Q", head, 40)
        end = start_offset + bytes_used
        # mksquashfs pads the image to 4 KiB with zeros; take the padding along, as unblob does
        pad = -bytes_used % 4096
        file.seek(end)
        if pad and file.read(pad) == b"\0" * pad:
            end += pad
        return ValidChunk(start_offset=start_offset, end_offset=end)


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


#: memory the LZMA decoder may take: the dictionary size comes from the (hostile) header, and
#: kernels and root filesystems use 64 MiB at most
_LZMA_MEMLIMIT = 256 * 1024 * 1024
_CHUNK = 1 << 20


def write_lzma_alone(payload: bytes, dst: Path, cap: int) -> str | None:
    """Decompress an ``lzma_alone`` stream (13-byte header: properties, dictionary size, and an
    uncompressed size that may be all 0xFF, "unknown", with an end marker; xz-utils doc/lzma-file-format.txt)
    into ``dst``, writing at most ``cap`` bytes. Raises ``lzma.LZMAError`` when no byte decodes;
    returns a problem description when the output was cut short."""
    dec = lzma.LZMADecompressor(format=lzma.FORMAT_ALONE, memlimit=_LZMA_MEMLIMIT)
    chunk = dec.decompress(payload, max_length=_CHUNK)  # raises on a bad header before dst exists
    written = 0
    with open(dst, "wb") as fh:
        while True:
            if written + len(chunk) > cap:
                fh.write(chunk[: cap - written])
                return (f"LZMA payload decompressed only up to the extracted-size limit for one file ({cap} bytes; "
                        "see --max-ratio, --max-extract-size; decompression bomb?)")
            fh.write(chunk)
            written += len(chunk)
            if dec.eof:
                return None
            if dec.needs_input:
                return f"LZMA payload ends before its end marker (truncated); {written} bytes decompressed"
            try:
                chunk = dec.decompress(b"", max_length=_CHUNK)
            except lzma.LZMAError as exc:
                return f"LZMA payload corrupt after {written} decompressed bytes ({exc})"


class UImageExtractor(Extractor):
    def extract(self, inpath: Path, outdir: Path):
        data = inpath.read_bytes()
        fields, payloads = _parse_uimage(data)
        comp = _COMP_SUFFIX.get(fields[10], "bin")
        outdir.mkdir(parents=True, exist_ok=True)
        problems = []
        for index, (offset, size) in enumerate(payloads):
            # multi-file images: the first is the kernel, later ones usually filesystems;
            # the compression byte describes the kernel only
            suffix = comp if index == 0 else "bin"
            payload = data[offset : offset + size]
            if suffix == "lzma":
                # the header says LZMA: decode it here. unblob's LZMA handler guesses from the bytes
                # alone and refuses streams that did not shrink (vendor kernels with incompressible
                # parts) and dictionary sizes outside its pattern, leaving the payload compressed
                try:
                    problem = write_lzma_alone(payload, outdir / f"image-{index}.bin", output_cap())
                except (lzma.LZMAError, MemoryError) as exc:
                    problems.append(PayloadProblem(message=f"uImage payload {index} announced as LZMA does not "
                                                           f"decode ({exc}); kept compressed"))
                else:
                    if problem:
                        problems.append(PayloadProblem(message=f"uImage payload {index}: {problem}"))
                    continue
            (outdir / f"image-{index}.{suffix}").write_bytes(payload)
        return ExtractResult(reports=problems)


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
    out: list[type[Handler]] = [UImageHandler, SquashFSv4VendorMagicHandler]
    for handler in BUILTIN_HANDLERS:
        out.append(_REPLACED.get(handler, handler))
    return tuple(out)
