"""The independent readers: what a file is, read without any of preflight's code.

- Media: the ffmpeg of the imageio-ffmpeg wheel (libavformat, not libmediainfo), run once as
  `ffmpeg -i FILE -map 0 -c copy -f framecrc -`: its stderr lists the container, the major
  brand, the streams and the display matrix; its stdout (framecrc) the stream parameters as
  `#key N: value` lines and one line per packet with its exact timestamps, so durations,
  frame counts and frame rates are measured from the streams, not from a header's estimate.
  An audio file's duration is that of its decoded frames (a second run, decoding): what a
  player plays, its encoder's priming and padding dropped.
  (The wheel ships no ffprobe; PyAV would need a new dev dependency, and Debian's ffprobe a
  system package: this one comes with `pip install` on every platform.)
- WAVs: a RIFF chunk walk of our own (RIFF and RF64/ds64, WAVE_FORMAT_EXTENSIBLE).
- Zips: Python's zipfile, names decoded as SPEC §3 says, members read whole and walked.
- Photos: Pillow's `Image.open` and `ImageOps.exif_transpose`.

A reading is a flat dict of plain values: the test compares it key by key with preflight's.
"""

from __future__ import annotations

import itertools
import re
import struct
import subprocess
import zipfile
import zlib
from fractions import Fraction
from pathlib import Path
from typing import Any

from helpers.media import ffmpeg_exe

Reading = dict[str, Any]

# The family a file is, from the demuxer and brand: the name preflight gives it, or will.
_ISO_BRANDS = {"qt": "mov", "3gp": "3gp", "3g2": "3g2", "M4V": "m4v", "M4A": "m4a", "M4B": "m4a"}
_DEMUXERS = {
    "avi": "avi",
    "mpegts": "mpeg-ts",
    "mp3": "mp3",
    "aac": "aac",
    "ac3": "ac3",
    "eac3": "eac3",
    "au": "au",
    "tta": "tta",
    "w64": "w64",
    "wv": "wv",
    "flac": "flac",
    "ogg": "ogg",
    "caf": "caf",
    "wav": "wav",
}
_LAYOUTS = {
    "mono": 1,
    "stereo": 2,
    "2.1": 3,
    "3.0": 3,
    "quad": 4,
    "4.0": 4,
    "5.0": 5,
    "5.0(side)": 5,
    "5.1": 6,
    "5.1(side)": 6,
    "6.1": 7,
    "7.1": 8,
}


def run_ffmpeg_reader(path: Path, *streams: str) -> tuple[str, str]:
    """ffmpeg's (stderr, stdout) for the file: the raw text the reading is parsed from. Its
    framecrc is of `streams` (by default every stream, copied)."""
    done = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostdin",
            "-i",
            str(path),
            *(streams or ("-map", "0", "-c", "copy")),
            "-f",
            "framecrc",
            "-",
        ],
        capture_output=True,
        timeout=120,
    )
    return done.stderr.decode("utf-8", "replace"), done.stdout.decode("utf-8", "replace")


def run_ffmpeg_decoder(path: Path) -> str:
    """ffmpeg's framecrc of the first audio stream decoded: its frames as a player gets them."""
    return run_ffmpeg_reader(path, "-map", "0:a:0")[1]


def decoded_duration(framecrc: str) -> Fraction | None:
    """The duration of decoded audio (run_ffmpeg_decoder's output). The packets of a stream
    copy include what the decoder drops: MP3's end padding, which only the LAME tag records
    (ffmpeg marks it as side data on the last packet, which framecrc shows as a checksum)."""
    stream = _streams(framecrc).get(0)
    return stream["end"] - stream["start"] if stream and stream["packets"] else None


def read_media(stderr: str, stdout: str) -> Reading:
    """The container family, kind, video and audio facts of ffmpeg's output."""
    head = stderr.split("Stream mapping:")[0].split("Output #0")[0]
    found = re.search(r"Input #0, (\S+), from", head)
    if found is None:
        return {"readable": False}
    demuxer = found.group(1).rstrip(",")
    brand = re.search(r"major_brand\s*:\s*(\S+)", head)
    streams = _streams(stdout)
    videos = [s for s in streams.values() if s["type"] == "video"]
    audios = [s for s in streams.values() if s["type"] == "audio"]
    reading: Reading = {"readable": bool(videos or audios)}
    reading["family"] = _family(demuxer, brand.group(1) if brand else None, head, videos)
    reading["kind"] = "video" if videos else "audio"
    timed = [s for s in streams.values() if s["packets"]]
    # The longest stream, each from its first presented sample to the end of its last (an
    # audio encoder's priming, which MPEG-TS cannot mark as such, makes the slack of a frame).
    reading["duration_s"] = max((s["end"] - s["start"] for s in timed), default=None)
    reading["frame_s"] = max((float(max(s["durations"])) for s in timed), default=None)
    if videos:
        video = videos[0]
        reading.update(video_tracks=len(videos), audio_tracks=len(audios))
        width, height = video["width"], video["height"]
        shown = round(width * video["sar"]) if video["sar"] else width
        rotation = _rotation(head)
        turned = rotation in (90, 270)
        reading.update(width=width, height=height, rotation=rotation)
        reading["display_width"], reading["display_height"] = (
            (height, shown) if turned else (shown, height)
        )
        deltas, tick = video["deltas"], video["tb"]
        span = video["end"] - video["start"]
        reading["fps"] = len(video["pts"]) / span if span else None
        reading["fps_tolerance"] = float(tick / span) * 2 if span else None  # rounded times
        # Variable: frame times that differ by more than the rounding of the time base.
        reading["vfr"] = bool(deltas) and max(deltas) - min(deltas) > tick + min(deltas) / 100
        if reading["vfr"]:
            reading["fps_min"], reading["fps_max"] = 1 / max(deltas), 1 / min(deltas)
    elif audios:
        audio = audios[0]
        reading.update(sample_rate=audio["sample_rate"], channels=audio["channels"])
        reading["codec"] = audio["codec"]
    return reading


def _family(demuxer: str, brand: str | None, head: str, videos: list[Any]) -> str:
    if demuxer.startswith("mov,"):
        if brand is not None:
            for prefix, family in _ISO_BRANDS.items():
                if brand.startswith(prefix):
                    return "mp4" if family == "m4a" and videos else family
        return "mp4" if videos else "m4a"
    if demuxer.startswith("matroska"):
        if "DOCTYPE" in head and re.search(r"(?i)doctype\s*:\s*webm", head):
            return "webm"
        return "mkv" if videos else "mka"
    if demuxer == "mp3":  # libavformat's MPEG audio demuxer reads layers I, II and III
        codec = re.search(r"Audio: (mp\d)", head)
        return "mp2" if codec is not None and codec.group(1) in ("mp1", "mp2") else "mp3"
    return _DEMUXERS.get(demuxer, demuxer)


def _rotation(head: str) -> int:
    """Clockwise quarter turns, as players apply them: ffmpeg prints the display matrix's
    counter-clockwise angle."""
    found = re.search(r"(?i)display ?matrix: rotation of (-?[\d.]+) degrees", head)
    degrees = -float(found.group(1)) if found else 0.0
    return round(degrees / 90) % 4 * 90


def _streams(framecrc: str) -> dict[int, dict[str, Any]]:
    streams: dict[int, dict[str, Any]] = {}

    def stream(index: int) -> dict[str, Any]:
        return streams.setdefault(
            index,
            {
                "type": None,
                "tb": Fraction(1),
                "pts": [],
                "durations": [],
                "width": None,
                "height": None,
                "sar": None,
                "sample_rate": None,
                "channels": None,
                "codec": None,
            },
        )

    for line in framecrc.splitlines():
        header = re.match(r"#(\w+) (\d+): (.*)", line)
        if header:
            key, value, entry = header.group(1), header.group(3).strip(), stream(int(header[2]))
            if key == "tb":
                entry["tb"] = Fraction(value.replace(" ", ""))
            elif key == "media_type":
                entry["type"] = value
            elif key == "codec_id":
                entry["codec"] = value
            elif key == "dimensions":
                entry["width"], entry["height"] = map(int, value.split("x"))
            elif key == "sar":
                num, den = map(int, value.split("/"))
                entry["sar"] = Fraction(num, den) if num and den else None
            elif key == "sample_rate":
                entry["sample_rate"] = int(value)
            elif key == "channel_layout_name":
                entry["channels"] = _LAYOUTS.get(value) or int(value.split()[0])
            continue
        if line.startswith("#") or not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        entry = stream(int(fields[0]))
        entry["pts"].append(int(fields[2]) * entry["tb"])
        entry["durations"].append(int(fields[3]) * entry["tb"])
    for entry in streams.values():
        pts, durations = entry["pts"], entry["durations"]
        entry["packets"] = len(pts)
        if not pts:
            continue
        # Audio priming (negative timestamps, dropped by players) does not count.
        entry["start"] = max(min(pts), Fraction(0)) if min(pts) < 0 else min(pts)
        entry["end"] = max(p + d for p, d in zip(pts, durations, strict=True))
        order = sorted(pts)
        entry["deltas"] = [b - a for a, b in itertools.pairwise(order)]
    return streams


# --- WAV ---------------------------------------------------------------------------------

_SUBTYPES = {
    (1, 8): "PCM_U8",
    (1, 16): "PCM_16",
    (1, 24): "PCM_24",
    (1, 32): "PCM_32",
    (3, 32): "FLOAT",
    (3, 64): "DOUBLE",
}


def read_wav(data: bytes) -> Reading:
    """The RIFF/RF64 chunks of a whole WAV: rate, channels, sample format, duration."""
    if data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        return {"readable": False}
    offset, fmt, size_ds64, data_size = 12, None, None, None
    while offset + 8 <= len(data):
        kind, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        body = data[offset + 8 : offset + 8 + size]
        if kind == b"ds64":
            size_ds64 = struct.unpack("<Q", body[8:16])[0]  # the data chunk's 64-bit size
        elif kind == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
            if fmt[0] == 0xFFFE:
                fmt = (struct.unpack("<H", body[24:26])[0], *fmt[1:])
        elif kind == b"data":
            data_size = size_ds64 if size == 0xFFFFFFFF and size_ds64 is not None else size
            break
        offset += 8 + size + (size & 1)
    if fmt is None or data_size is None:
        return {"readable": False}
    tag, channels, rate, _, block, bits = fmt
    return {
        "readable": True,
        "family": "wav",
        "kind": "audio",
        "sample_rate": rate,
        "channels": channels,
        "subtype": _SUBTYPES.get((tag, bits)),
        "duration_s": data_size // block / rate,
        "frame_s": 1 / rate,
    }


# --- zip ---------------------------------------------------------------------------------


def read_zip(path: Path) -> Reading:
    tail = path.read_bytes()[-65557:]  # the end record, and a comment of 64 KiB at most
    end = tail.rfind(b"PK\x05\x06")
    if end >= 0 and tail[end + 4 : end + 6] != b"\0\0":  # the number of this disk
        return {
            "readable": True,
            "family": "zip",
            "kind": "archive",
            "zip_problem": "a part of a split archive",
        }
    try:
        with zipfile.ZipFile(path) as archive:
            entries = [_entry(archive, info) for info in archive.infolist()]
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as error:
        return {"readable": True, "family": "zip", "kind": "archive", "zip_problem": str(error)}
    return {
        "readable": True,
        "family": "zip",
        "kind": "archive",
        "zip_problem": None,
        "entries": entries,
    }


def _entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Reading:
    encrypted = bool(info.flag_bits & 1)
    entry: Reading = {
        "name": _name(info),
        "size": info.file_size,
        "compressed_size": info.compress_size,
        "encrypted": encrypted,
        "unreadable": False,  # its data cannot be read: Deflate64, a bad CRC (zip.corrupt)
        "wav": None,
    }
    if not encrypted and not info.is_dir():
        try:
            wav = read_wav(archive.read(info))
        except (NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError):
            entry["unreadable"], wav = True, {"readable": False}
        if wav["readable"]:
            entry["wav"] = {k: wav[k] for k in ("sample_rate", "channels", "subtype", "duration_s")}
    return entry


def _name(info: zipfile.ZipInfo) -> str:
    """SPEC §3: the UTF-8 flag, else GBK when that decodes cleanly, else CP437."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return info.orig_filename


# --- photos ------------------------------------------------------------------------------


def read_photo(path: Path) -> Reading:
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        orientation = image.getexif().get(0x0112, 1)
        reading: Reading = {
            "readable": True,
            "family": (image.format or "").lower(),
            "kind": "image",
            # TIFF: the size its tags store (Pillow's size is already turned for 5–8)
            "width": getattr(image, "tag_v2", {}).get(256, image.width),
            "height": getattr(image, "tag_v2", {}).get(257, image.height),
            "orientation": orientation if orientation in range(1, 9) else 1,
            "frames": getattr(image, "n_frames", 1),
        }
        shown = ImageOps.exif_transpose(image)
        reading["display_width"], reading["display_height"] = shown.size
    return reading
