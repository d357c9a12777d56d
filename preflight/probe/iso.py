"""The tables of an MP4/MOV index, checked before libmediainfo reads them.

libmediainfo loops over the entry count a table declares, whatever the table's size: a
40-byte `stts` or `elst` that declares four billion entries keeps it busy for minutes. Each
count is checked against the bytes its box holds; boxes are walked by their sizes, the
index (`moov`, and `moof` fragments) read, the media data seeked over.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from preflight.limits import MB
from preflight.probe.facts import ProbeError

ISO_FORMATS = frozenset({"mp4", "mov", "m4a", "3gp", "3g2"})
INDEX_MAX = 64 * MB  # a 10-hour 60 fps video's index is a few MB
TOP_BOXES_MAX = 1 << 16  # top-level boxes walked (fragments included)
_INDEXES = frozenset({b"moov", b"moof"})
_CONTAINERS = frozenset({b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"traf"})
DEPTH_MAX = 8  # moov/trak/mdia/minf/stbl is 5 deep
# Full boxes whose count follows the version and flags: the bytes an entry takes (an `stsd`
# or `dref` entry is a box, of 8 bytes at least).
_TABLES = {
    b"stts": 8,
    b"ctts": 8,
    b"stsc": 12,
    b"stco": 4,
    b"co64": 8,
    b"stss": 4,
    b"stps": 4,
    b"stsh": 8,
    b"stsd": 8,
    b"dref": 8,
}


def check_tables(stream: BinaryIO) -> None:
    """Raise ProbeError when a table in the index declares more entries than its box holds."""
    end = stream.seek(0, 2)
    offset = 0
    for _ in range(TOP_BOXES_MAX):
        stream.seek(offset)
        kind, start, size = _header(stream.read(16))
        if size is None:
            return  # the end, or a broken box: libmediainfo reports the file as damaged
        size = size or end - offset  # 0: the last box, up to the end of the file
        if kind in _INDEXES:
            if size > INDEX_MAX:
                raise ProbeError(
                    f"the index ('{kind.decode()}' box) declares {size // MB} MB: not a real "
                    "video's index, the file is damaged"
                )
            stream.seek(offset + start)
            _walk(stream.read(size - start), 1)  # cut short when the file is
        offset += size


def _header(data: bytes) -> tuple[bytes, int, int | None]:
    """Type, header length and declared size of the box `data` starts with; size None when
    there is no box, 0 when it runs to the end of its parent."""
    if len(data) < 8:
        return b"", 8, None
    size, kind = struct.unpack(">I4s", data[:8])
    if size == 1:
        if len(data) < 16:
            return kind, 16, None
        size = struct.unpack(">Q", data[8:16])[0]
        return kind, 16, size if size >= 16 else None
    if size == 0:
        return kind, 8, 0
    return kind, 8, size if size >= 8 else None


def _walk(data: bytes, depth: int) -> None:
    offset = 0
    while offset + 8 <= len(data):
        kind, start, size = _header(data[offset : offset + 16])
        if size is None:
            return  # a broken child: libmediainfo stops there too
        size = size or len(data) - offset
        body = data[offset + start : offset + size]  # shorter than declared when cut short
        if kind in _CONTAINERS and depth < DEPTH_MAX:
            _walk(body, depth + 1)
        else:
            _check(kind, body, size - start)
        offset += size


def _check(kind: bytes, body: bytes, declared: int) -> None:
    """A table must fit in the box it declares (a box cut short by the file's end is not the
    table's fault: only its declared size counts)."""
    entries = _entries(kind, body)
    if entries is None:
        return
    count, header, entry = entries
    if header + count * entry > declared:
        name = kind.decode("latin-1")
        raise ProbeError(
            f"the index is damaged: its '{name}' table declares {count} entries in {declared} bytes"
        )


def _entries(kind: bytes, body: bytes) -> tuple[int, int, int] | None:
    """(declared count, bytes before the entries, bytes an entry takes) of a table box."""
    if len(body) < 8:
        return None
    version, flags = body[0], int.from_bytes(body[1:4], "big")
    if kind in _TABLES:
        return _count(body, 4), 8, _TABLES[kind]
    if kind == b"elst":
        return _count(body, 4), 8, 20 if version == 1 else 12
    if kind == b"stsz" and len(body) >= 12:
        uniform = _count(body, 4) != 0  # one size for every sample: no table
        return _count(body, 8), 12, 0 if uniform else 4
    if kind == b"sbgp":  # sample-to-group: a grouping parameter in version 1
        header = 12 + 4 * (version == 1)
        return _count(body, header - 4), header, 8
    if kind == b"sgpd":  # group descriptions: a default length from version 1, an index from 2
        header = 12 + 4 * (version >= 1) + 4 * (version >= 2)
        length = _count(body, 8) if version >= 1 else 0
        return _count(body, header - 4), header, length or 1  # every entry takes a byte at least
    if kind == b"saio":  # auxiliary info offsets: 32 or 64 bits
        header = 8 + 8 * (flags & 1)
        return _count(body, header - 4), header, 8 if version == 1 else 4
    if kind == b"saiz":  # auxiliary info sizes: one byte each unless all share one
        header = 9 + 8 * (flags & 1)
        uniform = len(body) >= header and body[header - 5] != 0
        return _count(body, header - 4), header, 0 if uniform else 1
    if kind == b"trun":
        header = 8 + 4 * bin(flags & 0x005).count("1")  # data offset, first sample flags
        entry = 4 * bin(flags & 0xF00).count("1")  # duration, size, flags, time offset
        return _count(body, 4), header, entry
    return None


def _count(body: bytes, at: int) -> int:
    return int.from_bytes(body[at : at + 4], "big")
