"""Zips that zipfile cannot write: legacy (GBK) names, ZipCrypto, symlinks, hostile deflate
streams, and a member that declares more than a gigabyte without costing one.

Every archive written here is a valid zip that zipfile itself reads (tests check that).
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from helpers.media import wav_bytes

_UTF8_FLAG = 0x800
_DOS_DATE = (2024 - 1980) << 9 | 1 << 5 | 1  # 2024-01-01: any valid date


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes = b""
    # "gbk": the name's bytes in GBK without the UTF-8 flag, created on FAT, as the zip
    # tools of a Chinese-locale Windows write them; "utf-8" sets the flag (as zipfile does).
    encoding: str = "utf-8"
    utf8_flag: bool | None = None  # None: set exactly when the encoding is UTF-8
    password: bytes | None = None  # traditional PKWARE (ZipCrypto) encryption
    unix_mode: int | None = None  # e.g. stat.S_IFLNK | 0o777 for a symlink
    stream: bytes | None = None  # a raw deflate stream to store instead of compressing `data`


def write_zip(path: Path, members: Sequence[Member], *, repeat_central: int = 1) -> Path:
    """`repeat_central` > 1 lists each member that many times, all sharing its one copy of
    the data (the overlapping-entries zip bomb)."""
    with path.open("wb") as out:
        central = [_write_member(out, m) for m in members]
        _finish(out, central * repeat_central)
    return path


def make_big_wav_zip(path: Path, data_bytes: int, rate: int = 24000) -> Path:
    """A zip of one deflated WAV member whose header and sizes declare `data_bytes` of silence.

    The deflate stream is one fully flushed block of 16 MiB of zeros repeated (after a full
    flush the compressor's output is independent of what came before), so it costs seconds
    of CRC, not of compression, and a few MB of disk.
    """
    header = bytearray(wav_bytes(rate=rate, seconds=0))
    header[4:8] = struct.pack("<I", 36 + data_bytes)  # RIFF size
    header[40:44] = struct.pack("<I", data_bytes)  # data chunk size
    chunk = bytes(16 * 1024 * 1024)
    whole, rest = divmod(data_bytes, len(chunk))
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    first = compressor.compress(bytes(header)) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "zlib's full-flush output is not repeatable"
    last = compressor.compress(chunk[:rest]) + compressor.flush()
    crc = zlib.crc32(header)
    for _ in range(whole):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(chunk[:rest], crc)
    parts = [first, *([block] * whole), last]
    with path.open("wb") as out:
        record = _write_raw(
            out, b"big.wav", _UTF8_FLAG, zlib.DEFLATED, crc, len(header) + data_bytes, parts
        )
        _finish(out, [record])
    return path


def empty_blocks_stream(data: bytes, empty_blocks: int) -> bytes:
    """A valid raw deflate stream: `empty_blocks` empty stored blocks, then `data`."""
    stored_empty = b"\x00\x00\x00\xff\xff"  # BFINAL=0 BTYPE=00, padding, LEN=0, NLEN=0xFFFF
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return stored_empty * empty_blocks + compressor.compress(data) + compressor.flush()


def _write_member(out: BinaryIO, member: Member) -> bytes:
    crc = zlib.crc32(member.data)
    if member.stream is not None:
        payload = member.stream
    else:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        payload = compressor.compress(member.data) + compressor.flush()
    flags = 0
    if member.utf8_flag or (member.utf8_flag is None and member.encoding == "utf-8"):
        flags |= _UTF8_FLAG
    if member.password is not None:
        flags |= 0x1
        payload = _zipcrypto(payload, member.password, crc)
    name = member.name.encode(member.encoding)
    return _write_raw(
        out,
        name,
        flags,
        zlib.DEFLATED,
        crc,
        len(member.data),
        [payload],
        unix_mode=member.unix_mode,
    )


def _write_raw(
    out: BinaryIO,
    name: bytes,
    flags: int,
    method: int,
    crc: int,
    size: int,
    payload: Sequence[bytes],
    *,
    unix_mode: int | None = None,
) -> bytes:
    """A local header and its data; returns the central directory record to write later."""
    offset = out.tell()
    compressed = sum(len(part) for part in payload)
    assert max(offset, compressed, size) < 0xFFFFFFFF, "ZIP64 is not needed by these tests"
    fields = (flags, method, 0, _DOS_DATE, crc, compressed, size, len(name))
    out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, *fields, 0) + name)
    for part in payload:
        out.write(part)
    made_by = (3 << 8 | 20) if unix_mode is not None else 20  # 3 = Unix, else 0 = FAT
    attributes = (unix_mode << 16) if unix_mode is not None else 0x20  # DOS archive bit
    return (
        struct.pack(
            "<4s6H3I5H2I", b"PK\x01\x02", made_by, 20, *fields, 0, 0, 0, 0, attributes, offset
        )
        + name
    )


def _finish(out: BinaryIO, central: Sequence[bytes]) -> None:
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(
        struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
    )


def _zipcrypto(payload: bytes, password: bytes, crc: int) -> bytes:
    """Traditional PKWARE encryption (APPNOTE 6.1): a 12-byte header, then the data."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc_byte(value: int, byte: int) -> int:  # one raw CRC-32 step, without zlib's inversion
        return zlib.crc32(bytes([byte]), value ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def update(byte: int) -> None:
        keys[0] = crc_byte(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_byte(keys[2], keys[1] >> 24)

    for byte in password:
        update(byte)
    encrypted = bytearray()
    for byte in os.urandom(11) + bytes([crc >> 24]) + payload:
        temp = keys[2] | 2
        encrypted.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        update(byte)
    return bytes(encrypted)


SYMLINK_MODE = stat.S_IFLNK | 0o777
