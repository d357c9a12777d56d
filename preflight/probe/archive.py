"""Zip archives: the central directory, and the first bytes of each member, read as streams.

Nothing is extracted and no member is read through: each member yields at most a 64 KiB
head (enough to sniff its format and parse a WAV header), and libsndfile reads the WAV's
length from the sizes the member declares. Entry names are data here, never paths.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO, NamedTuple

from preflight.i18n import N_
from preflight.limits import human_bytes
from preflight.probe.facts import WavFacts, ZipEntry, ZipFacts
from preflight.probe.sniff import sniff

ENTRIES_READ_MAX = 64  # members whose content is sniffed; the rest are counted, not read
HEAD_MAX = 64 * 1024  # bytes of a member's content read to sniff it and parse its header
# Compressed bytes one member may pull from the archive to yield its head: real data never
# needs more than about HEAD_MAX; a hostile member (endless empty deflate blocks) is cut off.
MEMBER_READ_MAX = 1024 * 1024
# A central directory larger than either is refused unread: memory follows the entries listed
# (about a kilobyte each), and a voice zip lists ten.
ENTRIES_MAX = 100_000
DIRECTORY_BYTES_MAX = 8 * 1024 * 1024
_METHODS = {9: "Deflate64 (method 9)", 98: "PPMd (method 98)", 95: "XZ (method 95)"}
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_LOCAL_HEADER = 30  # fixed part of a local file header, before its name and extra field
# End of central directory: signature, this disk, the central directory's disk, entries on
# this disk, entries, the directory's size and offset, comment length; then the comment.
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_COMMENT_MAX = 0xFFFF
# ZIP64: a locator just before the record points to a larger record just before it.
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_SPAN_SIGNATURE = b"PK\x07\x08"  # the first part of a split archive starts with it


class _OverBudgetError(Exception):
    pass


class _DirectoryTooLargeError(Exception):
    pass


class _Metered(io.RawIOBase):
    """The archive file, refusing to read past an allowance that each member renews."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.allowance: int | None = None  # None while zipfile reads the central directory

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def read(self, size: int = -1) -> bytes:
        """zipfile reads the central directory in one read, into a buffer of the size that the
        end record declares: a directory too large is refused before that buffer is made."""
        if self.allowance is None and size > DIRECTORY_BYTES_MAX:
            raise _DirectoryTooLargeError
        return super().read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self.allowance is not None:
            if self.allowance <= 0:
                raise _OverBudgetError
            view = view[: self.allowance]
        data = self._raw.read(len(view))
        view[: len(data)] = data
        if self.allowance is not None:
            self.allowance -= len(data)
        return len(data)


class _Declared(io.RawIOBase):
    """A member as libsndfile reads it: of the length the member declares, whose end a seek
    reaches without reading (libsndfile seeks to the end to learn the length: a compressed
    member would be inflated through to get there, and again from its start to come back)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


class _Head(_Declared):
    """A member's head that claims the member's declared length: libsndfile sizes the audio
    from it, and reads past the head find nothing (never the rest of the member)."""

    def __init__(self, head: bytes, size: int) -> None:
        super().__init__(max(size, len(head)))
        self._head = head

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._head[self._pos : self._pos + len(buffer)]
        memoryview(buffer).cast("B")[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


class Member(_Declared):
    """A member's stream (as `members` opens it) of its declared length, read where the
    reader last sought to: the whole of a WAV, block by block, for libsndfile."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        super().__init__(size)
        self._stream = stream
        # What stopped a read: libsndfile calls readinto through cffi, which drops what a
        # callback raises (a CRC failure would read as the end of the audio); check it after.
        self.failure: Exception | None = None

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            if self._stream.tell() != self._pos:
                self._stream.seek(self._pos)
            data = self._stream.read(len(buffer))
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as error:
            self.failure = error
            return 0
        memoryview(buffer).cast("B")[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


class EndRecord(NamedTuple):
    """A zip's end-of-central-directory record, consistent with the file it ends."""

    disk: int  # which part of a split archive the file is, from 0 (0 and 0: not split)
    directory_disk: int  # the part its central directory starts in
    entries: int = 0  # in the whole archive, as the record declares them
    directory_size: int = 0  # bytes of the central directory


def has_end_record(path: Path) -> bool:
    """Whether the file ends as a zip does, wherever the archive starts in it (after a
    self-extractor's stub, or the last part of a split archive)."""
    try:
        with path.open("rb") as stream:
            return end_record(stream) is not None
    except OSError:
        return False


def end_record(stream: BinaryIO) -> EndRecord | None:
    """The end record in the file's last 64 KiB + 22 bytes (a zip's comment is at most
    64 KiB), last first, checked against where its central directory must start; None when
    no record there is consistent with the file."""
    size = stream.seek(0, io.SEEK_END)
    tail_at = max(0, size - _END.size - _COMMENT_MAX)
    stream.seek(tail_at)
    tail = stream.read()
    at = tail.rfind(_END_SIGNATURE)
    while at >= 0:
        record = _checked(stream, tail, at, tail_at)
        if record is not None:
            return record
        at = tail.rfind(_END_SIGNATURE, 0, at)
    return None


def _checked(stream: BinaryIO, tail: bytes, at: int, tail_at: int) -> EndRecord | None:
    """The record at `tail[at:]`, or None when it contradicts the file: its comment runs past
    the end, or no central directory starts where its size puts one."""
    if at + _END.size > len(tail):
        return None
    _, disk, first_disk, here, total, size, offset, comment = _END.unpack_from(tail, at)
    if at + _END.size + comment > len(tail):
        return None
    end_at = tail_at + at
    locator = tail[max(0, at - _ZIP64_LOCATOR.size) : at]
    if locator[:4] == b"PK\x06\x07" and len(locator) == _ZIP64_LOCATOR.size:
        end_at -= _ZIP64_LOCATOR.size + _ZIP64_END.size  # the ZIP64 record, just before
        stream.seek(max(0, end_at))
        record = stream.read(_ZIP64_END.size)
        if end_at < 0 or len(record) < _ZIP64_END.size or record[:4] != b"PK\x06\x06":
            return None
        *_, disk, first_disk, here, total, size, offset = _ZIP64_END.unpack(record)
    directory_at = end_at - size
    if first_disk > disk or directory_at < 0:
        return None
    if first_disk == disk:  # the whole directory is in this file: check that it is there
        stream.seek(directory_at)
        listed = stream.read(len(_CENTRAL_SIGNATURE)) == _CENTRAL_SIGNATURE or total == size == 0
        if here != total or directory_at < offset or not listed:
            return None
    return EndRecord(disk, first_disk, total, size)


def _split_part(raw: BinaryIO, record: EndRecord | None) -> str | None:
    """Why a part of a split archive (zip -s, WinZip's .z01 … .zip) cannot be read alone."""
    join = "join the parts into one zip (zip -s 0 PART.zip --out WHOLE.zip) and check that"
    if record is not None and record.disk > 0:
        return f"this is the last part (part {record.disk + 1}) of a split archive: {join}"
    raw.seek(0)
    if record is None and raw.read(len(_SPAN_SIGNATURE)) == _SPAN_SIGNATURE:
        return f"this is the first part of a split archive: {join}"
    return None


def probe_zip(path: Path) -> ZipFacts:
    """The entries of the zip at `path`; an unreadable archive is a `problem`, never raised."""
    try:
        with path.open("rb") as raw:
            record = end_record(raw)
            split = _split_part(raw, record)
            if split is not None:
                return _broken(split)
            if _oversized(record):
                return _broken(_too_many(record))
            metered = _Metered(raw)
            with zipfile.ZipFile(metered) as archive:
                infos = archive.infolist()
                overlap = _overlap(infos, archive.start_dir)
                if overlap is not None:
                    return _broken(overlap)
                entries, not_read = _entries(archive, infos, metered)
    except zipfile.BadZipFile as error:
        return _broken(_archive_problem(error))
    except _DirectoryTooLargeError:
        return _broken(_too_many(None))
    except zipfile.LargeZipFile:
        return _broken("the zip needs ZIP64 extensions that could not be read")
    except NotImplementedError as error:
        return _broken(f"the zip uses a feature that cannot be read ({error})")
    except UnicodeDecodeError:
        return _broken("an entry name flagged as UTF-8 is not valid UTF-8: the zip is damaged")
    except (OSError, EOFError, ValueError, struct.error) as error:
        return _broken(f"the zip cannot be read ({type(error).__name__})")
    total = sum(entry.size for entry in entries)
    return ZipFacts(tuple(entries), total, None, entries_not_read=not_read)


def _too_many(record: EndRecord | None) -> str:
    """Why a central directory is not read (zipfile keeps an object per entry: a directory of a
    million entries would take gigabytes); `record` when its end record says how large."""
    limit = f"more than {ENTRIES_MAX:,} entries or {human_bytes(DIRECTORY_BYTES_MAX)}"
    listed = f"the zip's central directory is over {human_bytes(DIRECTORY_BYTES_MAX)}"
    if record is not None:
        listed = (
            f"the zip lists {record.entries:,} entries in a central directory of "
            f"{human_bytes(record.directory_size)}"
        )
    return f"{listed}; a voice zip holds 1–10 WAV files, and a directory of {limit} is not read"


def _oversized(record: EndRecord | None) -> bool:
    return record is not None and (
        record.entries > ENTRIES_MAX or record.directory_size > DIRECTORY_BYTES_MAX
    )


def _broken(problem: str) -> ZipFacts:
    return ZipFacts(entries=(), total_declared=0, problem=problem)


def _archive_problem(error: zipfile.BadZipFile) -> str:
    if str(error) == "File is not a zip file":
        return N_("no zip central directory found: the file is cut short or not a zip")
    return f"the zip's central directory is damaged ({error})"


def _overlap(infos: list[zipfile.ZipInfo], start_dir: int) -> str | None:
    """Entries whose data overlap (the zip-bomb trick of sharing one member's data)."""
    end = start_dir
    for info in sorted(infos, key=lambda i: i.header_offset, reverse=True):
        needed = _LOCAL_HEADER + len(_raw_name(info)) + info.compress_size
        if info.header_offset < 0 or info.header_offset + needed > end:
            return (
                f"entries overlap or run into the central directory (at entry "
                f"'{entry_name(info)}'): a damaged zip, or a zip bomb"
            )
        end = info.header_offset
    return None


def _entries(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], metered: _Metered
) -> tuple[list[ZipEntry], int]:
    entries: list[ZipEntry] = []
    read = not_read = 0
    for info in infos:
        name = entry_name(info)
        is_dir = name.endswith(("/", "\\"))
        encrypted = bool(info.flag_bits & _ENCRYPTED_FLAG)
        symlink = stat.S_ISLNK(info.external_attr >> 16)
        content: str | None = None
        wav: WavFacts | None = None
        problem: str | None = None
        if not (is_dir or encrypted or symlink):
            if read < ENTRIES_READ_MAX:
                read += 1
                content, wav, problem = _content(archive, info, metered)
            else:
                not_read += 1
        entries.append(
            ZipEntry(
                name=name,
                is_dir=is_dir,
                size=info.file_size,
                compressed_size=info.compress_size,
                encrypted=encrypted,
                symlink=symlink,
                content=content,
                wav=wav,
                problem=problem,
            )
        )
    return entries, not_read


@contextlib.contextmanager
def members(path: Path) -> Iterator[Callable[[str], IO[bytes]]]:
    """Open a zip's members by the names the probe gave them, as streams that check their CRC
    (for `preflight fix`, which copies them into a new zip: nothing is extracted here)."""
    with zipfile.ZipFile(path) as archive:
        infos = {entry_name(info): info for info in archive.infolist()}
        yield lambda name: archive.open(infos[name])


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    encoding = "utf-8" if info.flag_bits & _UTF8_FLAG else "cp437"
    return info.orig_filename.encode(encoding)


def entry_name(info: zipfile.ZipInfo) -> str:
    """UTF-8 when flagged; else GBK when it decodes cleanly (Chinese-locale tools), else CP437."""
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename
    try:
        return _raw_name(info).decode("gbk")
    except UnicodeDecodeError:
        return info.orig_filename


def _content(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, metered: _Metered
) -> tuple[str | None, WavFacts | None, str | None]:
    """The member's format (`unknown` when no signature matches), WAV facts, or a problem."""
    metered.allowance = MEMBER_READ_MAX
    try:
        with archive.open(info) as member:
            head = member.read(HEAD_MAX)  # a member no larger than this is CRC-checked
    except _OverBudgetError:
        problem = (
            f"its first {human_bytes(MEMBER_READ_MAX)} of compressed data do not yield "
            f"{human_bytes(HEAD_MAX)} of content: the data is damaged or hostile"
        )
        return None, None, problem
    except zipfile.BadZipFile as error:
        return None, None, _member_problem(error)
    except NotImplementedError:
        method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
        return (
            None,
            None,
            (
                f"it is compressed with {method}, which common unzip libraries cannot read; "
                "zip it again with the standard Deflate method"
            ),
        )
    except (zlib.error, EOFError):
        return None, None, N_("its compressed data is damaged or cut short")
    except (OSError, ValueError, RuntimeError) as error:
        return None, None, f"its data cannot be read ({type(error).__name__})"
    finally:
        metered.allowance = None
    content = sniff(head) or "unknown"
    if content != "wav":
        return content, None, None
    wav = _wav(head, info.file_size)
    if isinstance(wav, str):
        return content, None, wav
    return content, wav, None


def _member_problem(error: zipfile.BadZipFile) -> str:
    text = str(error)
    if "CRC" in text:
        return N_("its data fails the CRC check: the zip is damaged")
    if "header" in text:
        return N_("its local header is damaged or does not match the central directory")
    return N_("its data cannot be read: the zip is damaged")


def preload() -> None:
    """Import soundfile (and load libsndfile), before a zip of WAVs needs it."""
    importlib.import_module("soundfile")


def _wav(head: bytes, size: int) -> WavFacts | str:
    """The WAV header's facts, sized by the member's declared length; a problem otherwise."""
    import soundfile  # lazy: libsndfile is loaded only for zips that hold WAVs

    try:
        with soundfile.SoundFile(_Head(head, size)) as sound:
            rate, channels, subtype, frames = (
                sound.samplerate,
                sound.channels,
                sound.subtype,
                sound.frames,
            )
    except (soundfile.LibsndfileError, RuntimeError, ValueError, TypeError) as error:
        reason = getattr(error, "error_string", None) or type(error).__name__
        return f"its WAV header cannot be parsed ({reason})"
    duration = frames / rate if rate > 0 and frames >= 0 else None
    return WavFacts(sample_rate=rate, channels=channels, subtype=subtype, duration_s=duration)
