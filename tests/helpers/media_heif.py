"""A real HEIC still image, as a phone writes one: an HEVC picture (encoded by ffmpeg's libx265)
in a HEIF item, with its size (ispe) and an optional rotation (irot). Neither Pillow nor ffmpeg
writes HEIF, so the boxes are written here (ISO/IEC 23008-12)."""

from __future__ import annotations

import struct
from pathlib import Path

from helpers.media import run_ffmpeg, top_box


def make_heic(path: Path, width: int, height: int, *, quarter_turns: int = 0) -> Path:
    """A `width`×`height` HEIC; `quarter_turns` anticlockwise quarter turns on display (irot)."""
    movie = path.with_name(f".{path.stem}.mp4")
    source = f"testsrc=size={width}x{height}:rate=1"
    run_ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", "-c:v", "libx265", "-x265-params",
               "log-level=error", "-tag:v", "hvc1", str(movie))  # fmt: skip
    data = movie.read_bytes()
    movie.unlink()
    config = _box_in(data, b"hvcC")
    mdat = top_box(data, b"mdat")
    (size,) = struct.unpack(">I", data[mdat : mdat + 4])
    picture = data[mdat + 8 : mdat + size]  # one sample: NAL units with 4-byte lengths
    properties = [
        config,
        _full(b"ispe", 0, struct.pack(">II", width, height)),
        *([_box(b"irot", bytes([quarter_turns & 3]))] if quarter_turns else []),
    ]
    ipma = struct.pack(">IHB", 1, 1, len(properties)) + bytes(
        0x80 | n for n in range(1, len(properties) + 1)
    )
    ftyp = _box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")

    def meta(offset: int) -> bytes:
        return _full(
            b"meta",
            0,
            _full(b"hdlr", 0, bytes(4) + b"pict" + bytes(13))
            + _full(b"pitm", 0, struct.pack(">H", 1))
            + _full(
                b"iloc",
                0,
                # 4-byte offsets and lengths; one item, one extent: the picture in mdat
                bytes([0x44, 0x00]) + struct.pack(">HHHHII", 1, 1, 0, 1, offset, len(picture)),
            )
            + _full(b"iinf", 0, struct.pack(">H", 1) + _full(b"infe", 2, b"\0\1\0\0hvc1\0"))
            + _box(b"iprp", _box(b"ipco", b"".join(properties)) + _full(b"ipma", 0, ipma)),
        )

    head = len(ftyp) + len(meta(0)) + 8  # the picture starts after mdat's header
    path.write_bytes(ftyp + meta(head) + _box(b"mdat", picture))
    return path


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, version: int, body: bytes) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + body)


def _box_in(data: bytes, kind: bytes) -> bytes:
    """A box found anywhere (the hvcC of the movie's sample description), whole."""
    at = data.index(kind) - 4
    (size,) = struct.unpack(">I", data[at : at + 4])
    return data[at : at + size]
