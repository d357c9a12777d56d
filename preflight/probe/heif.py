"""HEIF still images (HEIC, AVIF): the primary item's size (ispe) and rotation (irot), read from
the meta box at the head of the file, as phones write it. Pillow has no HEIF reader; a file
whose meta box lies beyond the head, or has neither property, has no size here."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

HEAD_MAX = 256 * 1024  # the meta box of a phone's photo is a few kilobytes at the start
# irot's anticlockwise quarter turns → the EXIF orientation that displays the same way.
_ORIENTATIONS = {0: 1, 1: 8, 2: 3, 3: 6}


def size_and_orientation(stream: BinaryIO) -> tuple[int, int, int] | None:
    """(stored width, stored height, EXIF-style orientation) of the primary image, or None."""
    head = stream.read(HEAD_MAX)
    try:
        meta = next((body for kind, body in _boxes(head) if kind == b"meta"), None)
        if meta is None:
            return None
        boxes = dict(_boxes(meta[4:]))  # a full box: version and flags first
        primary = _primary(boxes.get(b"pitm"))
        found = dict(_associated(boxes.get(b"iprp"), primary))
    except (struct.error, ValueError, IndexError):
        return None
    spatial = found.get(b"ispe")
    if spatial is None or len(spatial) < 12:
        return None
    width, height = struct.unpack(">II", spatial[4:12])
    turns = found[b"irot"][0] & 3 if found.get(b"irot") else 0
    return width, height, _ORIENTATIONS[turns]


def _boxes(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The boxes one after another in `data`: (type, body); a box cut short ends the walk."""
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        start = at + 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[at + 8 : at + 16])
            start += 8
        elif size == 0:
            size = len(data) - at
        if size < start - at or at + size > len(data):
            return
        yield kind, data[start : at + size]
        at += size


def _children(parent: bytes | None, kind: bytes) -> bytes:
    return next((body for k, body in _boxes(parent or b"") if k == kind), b"")


def _primary(pitm: bytes | None) -> int | None:
    if pitm is None:
        return None
    return int(struct.unpack_from(">H" if pitm[0] == 0 else ">I", pitm, 4)[0])


def _associated(iprp: bytes | None, item: int | None) -> Iterator[tuple[bytes, bytes]]:
    """The properties (ipco's boxes) that ipma associates with `item` (the first item listed
    when none is primary), as (type, body)."""
    properties = list(_boxes(_children(iprp, b"ipco")))
    ipma = _children(iprp, b"ipma")
    if not ipma:
        return
    version, flags = ipma[0], ipma[3] & 1
    (count,) = struct.unpack_from(">I", ipma, 4)
    at = 8
    for _ in range(count):
        if version < 1:
            (entry,) = struct.unpack_from(">H", ipma, at)
            at += 2
        else:
            (entry,) = struct.unpack_from(">I", ipma, at)
            at += 4
        links = ipma[at]
        at += 1
        for _ in range(links):
            if flags:
                (value,) = struct.unpack_from(">H", ipma, at)
                index, at = value & 0x7FFF, at + 2
            else:
                index, at = ipma[at] & 0x7F, at + 1
            if (item is None or entry == item) and 0 < index <= len(properties):
                yield properties[index - 1]
        if item is None:
            return
