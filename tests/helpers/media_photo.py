"""More real files for the photo, driver and PDF tests: crafted headers and sparse giants."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from helpers.media import wav_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png_header(path: Path, width: int, height: int) -> Path:
    """A PNG whose IHDR declares `width`×`height` (valid CRC), with one tiny IDAT: a
    decompression bomb's shape, without the bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    idat = zlib.compress(b"\0" * 64)
    path.write_bytes(
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )
    return path


def make_padded_png(source: Path, target: Path, total_size: int) -> Path:
    """`source` (a PNG) grown to `total_size` bytes by a private ancillary chunk of zeros
    before IEND, written sparse: a valid PNG (right CRC) that costs no disk."""
    data = source.read_bytes()
    iend = data.rindex(b"IEND") - 4
    length = total_size - len(data) - 12
    kind = b"paDd"  # ancillary, private, safe to copy
    crc = zlib.crc32(kind)
    zeros = bytes(1 << 20)
    for start in range(0, length, len(zeros)):
        crc = zlib.crc32(zeros[: min(len(zeros), length - start)], crc)
    with target.open("wb") as out:
        out.write(data[:iend] + struct.pack(">I", length) + kind)
        out.seek(length, 1)
        out.write(struct.pack(">I", crc) + data[iend:])
    return target


def make_sparse_wav(path: Path, total_size: int, *, rate: int = 24000) -> Path:
    """A 16-bit mono PCM WAV of exactly `total_size` bytes whose header declares all of its
    (sparse, silent) samples."""
    header = bytearray(wav_bytes(rate=rate, seconds=0))
    data_size = total_size - len(header)
    struct.pack_into("<I", header, 4, total_size - 8)
    struct.pack_into("<I", header, len(header) - 4, data_size)
    with path.open("wb") as out:
        out.write(header)
        out.seek(data_size - 1, 1)
        out.write(b"\0")
    return path


def make_heic_like(path: Path) -> Path:
    """The first boxes of a HEIF still image (ftyp brand heic, an empty meta box)."""
    ftyp = b"ftyp" + b"heic" + struct.pack(">I", 0) + b"mif1heic"
    meta = b"meta" + bytes(4)
    path.write_bytes(
        struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 4 + len(meta)) + meta
    )
    return path


def make_noisy_jpeg(path: Path, *, width: int = 256, height: int = 256) -> Path:
    """A JPEG whose image data is most of the file (noise does not compress)."""
    from PIL import Image

    Image.effect_noise((width, height), 80).convert("RGB").save(path, quality=95)
    return path
