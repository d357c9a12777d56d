"""Hostile inputs for the robustness suite, made here from real media: cut, patched, disguised,
lying headers, hostile zips and manifests. Nothing big is written (sizes are declared or sparse).
"""

from __future__ import annotations

import json
import random
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.media import make_photo, make_video, top_box, wav_bytes
from helpers.media_video import remux

_UTF8_FLAG = 0x800
_DOS_DATE = (2024 - 1980) << 9 | 1 << 5 | 1
ZIP64_LIMIT = 0xFFFFFFFF


def noise(size: int, seed: int = 0) -> bytes:
    """Deterministic random bytes."""
    return random.Random(seed).randbytes(size)


def manifest(path: Path, make_type: str, anchor: str, **fields: object) -> Path:
    """A JSON manifest of one request; `fields` are payload fields (file fields hold paths)."""
    payload = {"AnchorName": anchor, "MakeType": make_type, "SexType": "FEMALE", **fields}
    if make_type not in ("IMAGE_PHOTO", "ZERO_SHOT_VOICE"):
        payload.setdefault("IdentityWrittenCosUrl", "https://x/customer-pipeline/1/a/idcard/a.pdf")
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


# --- containers -------------------------------------------------------------------------


def patched(data: bytes, box: bytes, offset: int, value: bytes) -> bytes:
    """`data` with `value` written `offset` bytes after the type of the first `box` in moov."""
    at = data.index(box, top_box(data, b"moov")) + offset
    return data[:at] + value + data[at + len(value) :]


def seed_videos(folder: Path) -> tuple[bytes, bytes]:
    """A tiny real MP4 with its index (moov) at the end, and one with it at the start."""
    folder.mkdir(parents=True, exist_ok=True)
    at_end = make_video(folder / "end.mp4", width=320, height=180, duration=1)
    at_start = make_video(
        folder / "start.mp4", width=320, height=180, duration=1, extra=("-movflags", "+faststart")
    )
    data = at_end.read_bytes(), at_start.read_bytes()
    at_end.unlink()
    at_start.unlink()
    return data


def absurd_videos(start: bytes) -> dict[str, bytes]:
    """The moov-first MP4 with track sizes, counts and box sizes no real file has."""
    huge = b"\xff\xff\xff\xff"
    moov = top_box(start, b"moov")
    return {
        "sample-count": patched(start, b"stsz", 12, huge),
        "chunk-count": patched(start, b"stco", 8, huge),
        "time-to-sample-count": patched(start, b"stts", 8, huge),
        "sample-description-count": patched(start, b"stsd", 8, huge),
        "edit-list-count": patched(start, b"elst", 8, huge),
        "sync-sample-count": patched(start, b"stss", 8, huge),
        "sample-group-count": patched(start, b"sgpd", 16, huge),
        "track-size": patched(start, b"tkhd", 80, b"\xff\xff\x00\x00" * 2),
        "frame-size": patched(start, b"avc1", 28, huge),
        "duration": patched(patched(start, b"mvhd", 16, b"\0\0\0\1"), b"mvhd", 20, huge),
        "timescale-zero": patched(start, b"mdhd", 16, b"\0\0\0\0"),
        "moov-size": start[:moov] + huge + start[moov + 4 :],
        "box-size-64": patched(start, b"trak", -4, b"\0\0\0\1"),  # a 64-bit size read from data
    }


def fragmented_video(folder: Path) -> bytes:
    """A fragmented MP4 (an empty moov, then moof fragments) whose first fragment's run
    (`trun`) declares four billion samples."""
    path = make_video(
        folder / "fragmented.mp4",
        width=320,
        height=180,
        duration=1,
        audio=False,
        extra=("-movflags", "frag_keyframe+empty_moov"),
    )
    data = path.read_bytes()
    path.unlink()
    at = data.index(b"trun", top_box(data, b"moof")) + 8
    return data[:at] + b"\xff\xff\xff\xff" + data[at + 4 :]


def disguised_videos(folder: Path, start_mp4: Path) -> dict[str, Path]:
    """Matroska, WebM, AVI and MPEG-TS files named `.mp4`."""
    made = {
        name: remux(start_mp4, folder / f"{name}.mp4", container)
        for name, container in (("mkv", "matroska"), ("avi", "avi"), ("ts", "mpegts"))
    }
    made["webm"] = make_video(
        folder / "webm.mp4",
        width=160,
        height=90,
        duration=0.2,
        audio=False,
        codec="libvpx",
        extra=("-f", "webm"),
    )
    return made


# --- zips --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A zip entry written byte by byte: any name, flags, declared sizes and attributes."""

    name: bytes
    data: bytes = b""  # stored as is (method 0) unless `deflate`
    deflate: bool = False
    declared_size: int | None = None  # uncompressed size to declare, None: the real one
    flags: int = _UTF8_FLAG
    unix_mode: int | None = None


def write_raw_zip(path: Path, entries: Sequence[Raw]) -> Path:
    """A zip whose entries say what `entries` say; ZIP64 extra fields when sizes need them."""
    central = []
    with path.open("wb") as out:
        for entry in entries:
            stored = entry.data
            if entry.deflate:
                compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
                stored = compressor.compress(entry.data) + compressor.flush()
            size = len(entry.data) if entry.declared_size is None else entry.declared_size
            zip64 = size >= ZIP64_LIMIT
            extra = struct.pack("<HHQQ", 1, 16, size, len(stored)) if zip64 else b""
            sizes = (ZIP64_LIMIT, ZIP64_LIMIT) if zip64 else (len(stored), size)
            method = 8 if entry.deflate else 0
            version = 45 if zip64 else 20
            fields = (entry.flags, method, 0, _DOS_DATE, zlib.crc32(entry.data), *sizes)
            offset = out.tell()
            out.write(
                struct.pack(
                    "<4s5H3I2H", b"PK\x03\x04", version, *fields, len(entry.name), len(extra)
                )
                + entry.name
                + extra
                + stored
            )
            made_by = (3 << 8 | version) if entry.unix_mode is not None else version
            attributes = entry.unix_mode << 16 if entry.unix_mode is not None else 0x20
            central.append(
                struct.pack(
                    "<4s6H3I5H2I",
                    b"PK\x01\x02",
                    made_by,
                    version,
                    *fields,
                    len(entry.name),
                    len(extra),
                    0,
                    0,
                    0,
                    attributes,
                    offset,
                )
                + entry.name
                + extra
            )
        start = out.tell()
        out.write(b"".join(central))
        size = out.tell() - start
        count = len(central)
        out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))
    return path


def make_many_entries_zip(path: Path, count: int) -> Path:
    """`count` tiny stored WAV entries, with the ZIP64 end records that more than 65 535
    entries need (written by hand: zipfile takes seconds for as many)."""
    wav = wav_bytes(rate=24000, seconds=0.001)
    crc = zlib.crc32(wav)
    local, central = [], []
    offset = 0
    for number in range(count):
        name = b"v%05d.wav" % number
        fields = (0, 0, 0, _DOS_DATE, crc, len(wav), len(wav), len(name))
        header = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, *fields, 0) + name
        local.append(header + wav)
        central.append(
            struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, *fields, 0, 0, 0, 0, 0x20, offset)
            + name
        )
        offset += len(header) + len(wav)
    directory = b"".join(central)
    end64 = offset + len(directory)
    tail = struct.pack(
        "<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), offset
    )
    tail += struct.pack("<4sIQI", b"PK\x06\x07", 0, end64, 1)
    tail += struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(directory), offset, 0)
    path.write_bytes(b"".join(local) + directory + tail)
    return path


def make_zip64(path: Path) -> Path:
    """A valid zip whose one WAV entry carries ZIP64 extra fields (forced, as big files do)."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("voice.wav", "w", force_zip64=True) as member,
    ):
        member.write(wav_bytes(rate=24000, seconds=0.5))
    return path


def wav_lying_size(rate: int = 24000) -> bytes:
    """Half a second of audio whose RIFF and data sizes claim 2 GB."""
    data = bytearray(wav_bytes(rate=rate, seconds=0.5))
    struct.pack_into("<I", data, 4, 0x7FFFFFF0)
    struct.pack_into("<I", data, 40, 0x7FFFFFC0)
    return bytes(data)


def _fmt(tag: int, channels: int, rate: int, bits: int, extra: bytes = b"") -> bytes:
    block = channels * bits // 8
    body = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits) + extra
    return b"fmt " + struct.pack("<I", len(body)) + body


def wav_rf64(rate: int, seconds: float = 0.2) -> bytes:
    """An RF64 WAV (the 64-bit variant): sizes in a ds64 chunk, 0xFFFFFFFF in the usual ones."""
    data = bytes(int(rate * seconds) * 2)
    fmt = _fmt(1, 1, rate, 16)
    ds64 = b"ds64" + struct.pack("<IQQQI", 28, 4 + 36 + len(fmt) + 8 + len(data), len(data), 0, 0)
    chunks = b"WAVE" + ds64 + fmt + b"data" + struct.pack("<I", ZIP64_LIMIT) + data
    return b"RF64" + struct.pack("<I", ZIP64_LIMIT) + chunks


def wav_extensible(rate: int, seconds: float = 0.2) -> bytes:
    """WAVE_FORMAT_EXTENSIBLE PCM, as multichannel recorders write it."""
    guid = bytes.fromhex("0100000000001000800000aa00389b71")  # KSDATAFORMAT_SUBTYPE_PCM
    fmt = _fmt(0xFFFE, 2, rate, 16, struct.pack("<HHI", 22, 16, 3) + guid)
    return _riff(fmt, bytes(int(rate * seconds) * 4))


def wav_float(rate: int, seconds: float = 0.2) -> bytes:
    """32-bit IEEE float samples (format tag 3)."""
    fmt = _fmt(3, 1, rate, 32, struct.pack("<H", 0))
    body = b"fact" + struct.pack("<II", 4, int(rate * seconds))
    return _riff(fmt + body, bytes(int(rate * seconds) * 4))


def _riff(chunks: bytes, data: bytes) -> bytes:
    body = b"WAVE" + chunks + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- images ------------------------------------------------------------------------------


def jpeg_bytes(width: int = 64, height: int = 64, mode: str = "RGB", exif: bytes = b"") -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    options = {"exif": exif} if exif else {}
    Image.new(mode, (width, height)).save(out, format="JPEG", **options)
    return out.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) declares another size."""
    data = bytearray(jpeg_bytes())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def jpeg_broken_exif() -> bytes:
    """A JPEG whose APP1 Exif block is a TIFF header pointing into nowhere."""
    data = jpeg_bytes()
    block = b"Exif\0\0MM\0*\xff\xff\xff\xf0" + noise(40, seed=7)
    app1 = b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block
    return data[:2] + app1 + data[2:]


def png_of_mode(path: Path, mode: str) -> Path:
    from PIL import Image

    Image.new(mode, (64, 64)).save(path, format="PNG")
    return path


def iso_image(brand: bytes) -> bytes:
    """The first boxes of a HEIF/AVIF still image."""
    ftyp = b"ftyp" + brand + struct.pack(">I", 0) + b"mif1" + brand
    meta = b"meta" + bytes(4)
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 4 + len(meta)) + meta


def oriented(path: Path, orientation: int) -> Path:
    """A 200×100 (2:1) JPEG with an EXIF orientation."""
    return make_photo(path, width=200, height=100, fmt="JPEG", orientation=orientation)
