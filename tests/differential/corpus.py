"""The differential matrix: real files made the ways producers' files are made, cached.

Each Case names a maker and its parameters; the file is made once and kept in a cache folder
under a name hashed from them (and from this module's MAKERS_VERSION and the ffmpeg build),
so a re-run only reads. `quick` cases run in `make test`; the full matrix under `make fuzz`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.media import ffmpeg_exe

MAKERS_VERSION = 4  # bump when a maker changes what it writes


@dataclass(frozen=True)
class Case:
    id: str
    maker: str  # a key of MAKERS
    ext: str  # the name's extension: the one its family is known by
    params: tuple[tuple[str, Any], ...]
    quick: bool = False
    needs: str | None = None  # a system tool (zip, 7z) without which the case is skipped

    @property
    def key(self) -> str:
        text = json.dumps([MAKERS_VERSION, Path(ffmpeg_exe()).name, self.maker, self.params])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# The programs a tool goes by: Debian's 7zip installs `7zz`, p7zip `7z` and `7za`.
_PROGRAMS = {"zip": ("zip",), "7z": ("7z", "7zz", "7za")}


def which(tool: str) -> str | None:
    """The path of a system tool, under any of its names; None when it is not installed."""
    return next(filter(None, map(shutil.which, _PROGRAMS[tool])), None)


def build(case: Case, cache: Path) -> Path:
    """The case's file in `cache`, made when absent (atomically: concurrent runs share it)."""
    target = cache / f"{case.key}.{case.ext}"
    if target.exists():
        return target
    work = cache / f".work-{case.key}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        made = MAKERS[case.maker](work, dict(case.params), case.ext)
        os.replace(made, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
        check=True,
        timeout=300,
        capture_output=True,
    )


# --- video -------------------------------------------------------------------------------

_VCODEC = {
    "h264": ("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-crf", "51"),
    "hevc": (
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-crf",
        "51",
        "-x265-params",
        "log-level=none",
    ),
    "mpeg4": ("-c:v", "mpeg4", "-q:v", "31"),
    "vp9": ("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "20k"),
}
_ACODEC = {
    "aac": ("-c:a", "aac", "-b:a", "16k"),
    "mp3": ("-c:a", "libmp3lame", "-b:a", "32k"),
    "mp2": ("-c:a", "mp2", "-b:a", "64k"),
    "pcm": ("-c:a", "pcm_s16le"),
    "ac3": ("-c:a", "ac3", "-b:a", "64k"),
    "eac3": ("-c:a", "eac3", "-b:a", "64k"),
    "opus": ("-c:a", "libopus", "-b:a", "16k"),
    "flac": ("-c:a", "flac"),
    "vorbis": ("-c:a", "libvorbis"),
    "tta": ("-c:a", "tta"),
    "wavpack": ("-c:a", "wavpack"),
    "pcm_s16be": ("-c:a", "pcm_s16be"),
}


def _make_video(work: Path, p: dict[str, Any], ext: str) -> Path:
    """`frames` frames of `size` at `rate` (an ffmpeg rate: "24000/1001"), in `muxer`, with
    optional audio; `rotation` through the display matrix; `vfr`: one second at rate/2 then
    one at rate; `loop`: the file repeated by stream copy to `loop` seconds."""
    width, height = p.get("size", (64, 36))
    rate = p.get("rate", "25")
    out = work / f"out.{ext}"
    vfilter = []
    if p.get("sar"):
        vfilter.append(f"setsar={p['sar']}")
    if p.get("vfr"):
        vfilter.append("select='gte(t,1)+not(mod(n,2))'")
    # Moving pictures: an encoder writes every frame (a still one may skip frames in AVI).
    args = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={rate}"]
    acodec = p.get("audio") if not p.get("loop") else None
    if acodec:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={p.get('ar', 48000)}"]
    args += ["-frames:v", str(p.get("frames", 2))] if not p.get("vfr") else ["-t", "2"]
    if acodec:
        args += ["-t", str(p.get("seconds", 0.5)) if not p.get("vfr") else "2", "-shortest"]
        args += [*_ACODEC[acodec], "-ac", str(p.get("ac", 1))]
    args += [*_VCODEC[p.get("codec", "h264")], "-pix_fmt", "yuv420p"]
    if vfilter:
        args += ["-vf", ",".join(vfilter)]
    if p.get("vfr"):
        args += ["-fps_mode", "passthrough"]
    if p.get("codec") == "hevc" and p.get("muxer") in ("mp4", "mov"):
        args += ["-tag:v", "hvc1"]
    args += [*p.get("extra", ()), "-f", p.get("muxer", ext)]
    first = work / f"first.{ext}"
    ffmpeg(*args, str(first))
    made = first
    if p.get("loop"):
        looped = work / f"looped.{ext}"
        count, seconds = str(int(p["loop"]) - 1), str(p["loop"])
        sound = ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", seconds, *_ACODEC["aac"]]
        ffmpeg(
            "-stream_loop",
            count,
            "-i",
            str(made),
            *(sound if p.get("audio") else ()),
            "-c:v",
            "copy",
            "-f",
            p["muxer"],
            str(looped),
        )
        made = looped
    if p.get("rotation") is not None:
        turned = work / f"turned.{ext}"
        ffmpeg(
            "-display_rotation",
            str(p["rotation"]),
            "-i",
            str(made),
            "-c",
            "copy",
            "-f",
            p.get("muxer", ext),
            str(turned),
        )
        made = turned
    os.replace(made, out)
    return out


def _make_audio(work: Path, p: dict[str, Any], ext: str) -> Path:
    """`seconds` of a tone in `codec` and `muxer`; `id3_bytes` writes an ID3v2 tag that big."""
    out = work / f"out.{ext}"
    args = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={p.get('ar', 48000)}"]
    args += ["-t", str(p.get("seconds", 1)), *_ACODEC[p["codec"]], "-ac", str(p.get("ac", 1))]
    if p.get("id3_bytes"):
        args += ["-write_id3v2", "1", "-metadata", "comment=" + "x" * int(p["id3_bytes"])]
    ffmpeg(*args, *p.get("extra", ()), "-f", p.get("muxer", ext), str(out))
    return out


# --- WAV ---------------------------------------------------------------------------------


def wav_bytes(
    *,
    rate: int = 24000,
    channels: int = 1,
    bits: int = 16,
    tag: int = 1,  # 1 PCM, 3 IEEE float, 0xFFFE WAVE_FORMAT_EXTENSIBLE (of PCM or float)
    sub: int = 1,  # the sub-format of an EXTENSIBLE header
    frames: int = 2400,
    rf64: bool = False,
    before_fmt: tuple[str, ...] = (),  # chunks written before `fmt ` ("bext", "LIST", "JUNK")
    after: tuple[str, ...] = (),  # chunks written between `fmt ` and `data`
) -> bytes:
    """A WAV written chunk by chunk, as recorders and editors write them."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    if tag == 0xFFFE:
        guid = struct.pack("<H", sub) + bytes.fromhex("000000001000800000AA00389B71")
        fmt += struct.pack("<HHI", 22, bits, (1 << channels) - 1) + guid
    elif tag == 3:
        fmt += struct.pack("<H", 0)  # cbSize: non-PCM formats carry it
    data = bytes(frames * block)
    chunks = [_chunk(kind) for kind in before_fmt]
    chunks.append(b"fmt " + struct.pack("<I", len(fmt)) + fmt)
    chunks += [_chunk(kind) for kind in after]
    body_len = 4 + sum(len(c) for c in chunks) + 8 + len(data) + (len(data) & 1)
    if rf64:
        ds64 = struct.pack("<QQQI", body_len + 36, len(data), frames, 0)
        head = b"RF64" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE"
        head += b"ds64" + struct.pack("<I", len(ds64)) + ds64
        size = 0xFFFFFFFF
    else:
        head = b"RIFF" + struct.pack("<I", body_len) + b"WAVE"
        size = len(data)
    pad = b"\0" * (len(data) & 1)
    return head + b"".join(chunks) + b"data" + struct.pack("<I", size) + data + pad


def _chunk(kind: str) -> bytes:
    payload = {
        "bext": bytes(602),  # Broadcast Wave: description, originator, time reference, …
        "LIST": b"INFO" + b"INAM" + struct.pack("<I", 6) + b"take1\0",
        "JUNK": bytes(28),
        "fact": struct.pack("<I", 2400),
    }[kind]
    return kind.encode() + struct.pack("<I", len(payload)) + payload


def _make_wav(work: Path, p: dict[str, Any], ext: str) -> Path:
    out = work / f"out.{ext}"
    out.write_bytes(wav_bytes(**p))
    return out


def _make_ffmpeg_wav(work: Path, p: dict[str, Any], ext: str) -> Path:
    """A WAV as ffmpeg writes it (its EXTENSIBLE headers for > 2 channels, RF64, bext)."""
    return _make_audio(work, {**p, "muxer": "wav"}, ext)


# --- zip ---------------------------------------------------------------------------------

# Members of the voice zips: name → wav_bytes parameters.
ZIP_WAVS: dict[str, dict[str, Any]] = {
    "take1.wav": {"rate": 48000, "bits": 16},
    "录音_02.wav": {"rate": 44100, "bits": 24, "channels": 2},
    "take-3.wav": {"rate": 24000, "bits": 32, "tag": 3, "before_fmt": ("bext", "LIST")},
}


def _make_zip(work: Path, p: dict[str, Any], ext: str) -> Path:
    """The WAVs of ZIP_WAVS (or `members`), zipped by `tool` with `method`."""
    out = work / f"out.{ext}"
    chosen = dict(p["members"]) if "members" in p else ZIP_WAVS
    members = {n: wav_bytes(**dict(w)) for n, w in chosen.items()}
    tool = p.get("tool", "python")
    if tool == "python":
        method = getattr(zipfile, f"ZIP_{p.get('method', 'deflated').upper()}")
        stub = p.get("stub", 0)
        if stub:
            out.write_bytes(b"MZ" + bytes(stub - 2))  # a self-extractor's program before it
        with zipfile.ZipFile(out, "a" if stub else "w", compression=method) as archive:
            for name, data in members.items():
                with archive.open(name, "w", force_zip64=bool(p.get("zip64"))) as member:
                    member.write(data)
        return out
    if tool == "gbk":
        from helpers.media_zip import Member, write_zip

        return write_zip(out, [Member(n, d, encoding="gbk") for n, d in members.items()])
    folder = work / "in"
    folder.mkdir()
    for name, data in members.items():
        (folder / name).write_bytes(data)
    names = sorted(members)
    if tool == "infozip":
        command = [str(which("zip")), "-q", "-X", *p.get("options", ()), str(out), *names]
    else:
        command = [str(which("7z")), "a", "-bd", "-tzip", *p.get("options", ()), str(out), *names]
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=60)
    return out


def _make_split(work: Path, p: dict[str, Any], ext: str) -> Path:
    """The last part (.zip) of an Info-ZIP split archive, without its first parts."""
    members = {f"take{i}.wav": wav_bytes(rate=48000, frames=48000) for i in range(3)}
    folder = work / "in"
    folder.mkdir()
    for name, data in members.items():
        (folder / name).write_bytes(data)
    out = work / "split.zip"
    command = [str(which("zip")), "-q", "-X", "-0", "-s", "64k", str(out), *sorted(members)]
    subprocess.run(command, cwd=folder, check=True, capture_output=True, timeout=60)
    return out


# --- photos ------------------------------------------------------------------------------


def _make_photo(work: Path, p: dict[str, Any], ext: str) -> Path:
    from PIL import Image

    width, height = p.get("size", (64, 48))
    frames = p.get("frames", 1)
    images = [Image.new("RGB", (width, height), (30 * i % 255, 90, 160)) for i in range(frames)]
    options: dict[str, Any] = {}
    if p.get("orientation") is not None:
        exif = Image.Exif()
        exif[0x0112] = p["orientation"]
        options["exif"] = exif.tobytes()
    if frames > 1:
        options.update(save_all=True, append_images=images[1:], duration=100, loop=0)
    out = work / f"out.{ext}"
    images[0].save(out, format=p["format"], **options)
    return out


MAKERS: dict[str, Callable[[Path, dict[str, Any], str], Path]] = {
    "video": _make_video,
    "audio": _make_audio,
    "wav": _make_wav,
    "ffmpeg-wav": _make_ffmpeg_wav,
    "zip": _make_zip,
    "split": _make_split,
    "photo": _make_photo,
}


# --- the matrix --------------------------------------------------------------------------


def _p(**params: Any) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


def _videos() -> Iterator[Case]:
    # container × codecs: (muxer, extension, video codec, audio codec or "", quick)
    combos = [
        ("mp4", "mp4", "h264", "aac", True),
        ("mp4", "mp4", "hevc", "aac", True),
        ("mp4", "mp4", "mpeg4", "mp3", False),
        ("mp4", "mp4", "h264", "ac3", False),
        ("mp4", "mp4", "h264", "opus", False),
        ("mp4", "mp4", "h264", "", True),
        ("mov", "mov", "h264", "aac", True),
        ("mov", "mov", "h264", "pcm", True),
        ("mov", "mov", "hevc", "aac", False),
        ("mov", "mov", "mpeg4", "aac", False),
        ("matroska", "mkv", "h264", "aac", True),
        ("matroska", "mkv", "hevc", "opus", False),
        ("matroska", "mkv", "vp9", "opus", False),
        ("matroska", "mkv", "mpeg4", "mp3", False),
        ("matroska", "mkv", "h264", "flac", False),
        ("webm", "webm", "vp9", "opus", True),
        ("avi", "avi", "mpeg4", "mp3", True),
        ("avi", "avi", "h264", "pcm", False),
        ("avi", "avi", "mpeg4", "ac3", False),
        ("mpegts", "ts", "h264", "aac", True),
        ("mpegts", "ts", "hevc", "aac", False),
        ("mpegts", "ts", "h264", "mp2", False),
        ("mpegts", "ts", "h264", "ac3", False),
        ("3gp", "3gp", "h264", "aac", True),
        ("3g2", "3g2", "h264", "aac", True),
        ("ipod", "m4v", "h264", "aac", True),
    ]
    for muxer, ext, codec, audio, quick in combos:
        yield Case(
            f"video-{ext}-{codec}-{audio or 'silent'}",
            "video",
            ext,
            _p(muxer=muxer, codec=codec, audio=audio, frames=12, rate="25"),
            quick,
        )
    # Exact delivery sizes, cheap: two frames at the lowest quality.
    for w, h in ((1920, 1080), (1080, 1920), (3840, 2160)):
        for muxer, ext, codec in (
            ("mp4", "mp4", "h264"),
            ("mov", "mov", "hevc"),
            ("mpegts", "ts", "h264"),
        ):
            quick = ext == "mp4" and w != 3840
            yield Case(
                f"size-{ext}-{codec}-{w}x{h}",
                "video",
                ext,
                _p(muxer=muxer, codec=codec, size=(w, h), frames=2),
                quick,
            )
    yield Case(
        "size-mp4-anamorphic-1440x1080",
        "video",
        "mp4",
        _p(muxer="mp4", codec="h264", size=(1440, 1080), sar="4/3", frames=2),
        True,
    )
    for rotation in (90, 180, 270, -90):
        for muxer, ext in (("mp4", "mp4"), ("mov", "mov"), ("matroska", "mkv")):
            quick = ext != "mkv" and rotation in (90, 180)
            yield Case(
                f"rotation-{ext}-{rotation}",
                "video",
                ext,
                _p(muxer=muxer, codec="h264", size=(64, 36), rotation=rotation, frames=2),
                quick,
            )
    rates = ("24", "24000/1001", "25", "30", "30000/1001", "50", "60", "120")
    for rate in rates:
        for muxer, ext in (("mp4", "mp4"), ("mov", "mov"), ("mpegts", "ts"), ("matroska", "mkv")):
            quick = ext == "mp4" or (ext == "ts" and rate == "25")
            name = rate.replace("/", "_")
            yield Case(
                f"fps-{ext}-{name}",
                "video",
                ext,
                _p(muxer=muxer, codec="h264", rate=rate, frames=12),
                quick,
            )
    for muxer, ext in (("mp4", "mp4"), ("mov", "mov"), ("matroska", "mkv"), ("mpegts", "ts")):
        yield Case(
            f"vfr-{ext}-30-60",
            "video",
            ext,
            _p(
                muxer=muxer,
                codec="h264",
                rate="60",
                vfr=True,
                extra=("-video_track_timescale", "1000") if ext in ("mp4", "mov") else (),
            ),
            ext in ("mp4", "mkv"),
        )
    # Durations at the make types' bounds: one encoded second looped by stream copy.
    for seconds in (60, 120, 600):
        for muxer, ext in (("mp4", "mp4"), ("mov", "mov"), ("mpegts", "ts")):
            quick = seconds == 60 and ext in ("mp4", "ts")
            yield Case(
                f"duration-{ext}-{seconds}s",
                "video",
                ext,
                _p(muxer=muxer, codec="h264", frames=25, loop=seconds, audio="aac", seconds=1),
                quick,
            )


def _audios() -> Iterator[Case]:
    # (muxer, extension, codec, quick): driver audio the way producers' tools write it
    rows = [
        ("mp3", "mp3", "mp3", True),
        ("mp2", "mp2", "mp2", True),
        ("adts", "aac", "aac", True),
        ("ipod", "m4a", "aac", True),
        ("ac3", "ac3", "ac3", True),
        ("eac3", "eac3", "eac3", False),
        ("au", "au", "pcm_s16be", True),
        ("tta", "tta", "tta", False),
        ("w64", "w64", "pcm", False),
        ("wv", "wv", "wavpack", False),
        ("flac", "flac", "flac", True),
        ("ogg", "opus", "opus", True),
        ("ogg", "ogg", "vorbis", False),
        ("matroska", "mka", "aac", True),
        ("caf", "caf", "pcm", False),
        ("wav", "wav", "pcm", True),
    ]
    for muxer, ext, codec, quick in rows:
        yield Case(f"audio-{ext}-{codec}", "audio", ext, _p(muxer=muxer, codec=codec), quick)
    yield Case("audio-mp3-id3", "audio", "mp3", _p(muxer="mp3", codec="mp3", id3_bytes=6000), False)
    yield Case(
        "audio-aac-id3-large", "audio", "aac", _p(muxer="adts", codec="aac", id3_bytes=6000), True
    )
    yield Case(
        "audio-aac-id3-small", "audio", "aac", _p(muxer="adts", codec="aac", id3_bytes=100), False
    )
    for rate in (8000, 16000, 22050, 32000, 44100):
        yield Case(
            f"audio-mp2-{rate}", "audio", "mp2", _p(muxer="mp2", codec="mp2", ar=rate), False
        )
        yield Case(
            f"audio-mp3-{rate}", "audio", "mp3", _p(muxer="mp3", codec="mp3", ar=rate), False
        )
    yield Case(
        "audio-m4a-stereo-44100",
        "audio",
        "m4a",
        _p(muxer="ipod", codec="aac", ar=44100, ac=2),
        False,
    )


def _wavs() -> Iterator[Case]:
    variants: list[tuple[str, dict[str, Any], bool]] = [
        ("pcm8", {"bits": 8}, True),
        ("pcm16", {"bits": 16}, True),
        ("pcm24", {"bits": 24}, True),
        ("pcm32", {"bits": 32}, False),
        ("float32", {"bits": 32, "tag": 3, "after": ("fact",)}, True),
        ("float64", {"bits": 64, "tag": 3, "after": ("fact",)}, False),
        ("extensible-pcm24", {"bits": 24, "tag": 0xFFFE, "channels": 2}, True),
        ("extensible-float", {"bits": 32, "tag": 0xFFFE, "sub": 3, "channels": 2}, False),
        ("rf64", {"bits": 16, "rf64": True}, True),
        ("chunks-before-fmt", {"before_fmt": ("bext", "LIST", "JUNK")}, True),
        ("chunks-after-fmt", {"after": ("LIST",), "rate": 44100, "channels": 2}, False),
        ("stereo-48000", {"rate": 48000, "channels": 2}, False),
        ("mono-16000", {"rate": 16000}, False),
    ]
    for name, params, quick in variants:
        yield Case(f"wav-{name}", "wav", "wav", _p(**params), quick)
        zipped = {f"{name}.wav": params, "take2.wav": {"rate": 48000}}
        yield Case(f"wavzip-{name}", "zip", "zip", _p(members=_members(zipped)), quick)
    for name, extra in (
        ("rf64", ("-rf64", "always")),
        ("bext", ("-write_bext", "1")),
        ("6ch-24bit", ("-c:a", "pcm_s24le", "-ac", "6")),
    ):
        yield Case(
            f"wav-ffmpeg-{name}",
            "ffmpeg-wav",
            "wav",
            _p(codec="pcm", extra=extra, ar=48000),
            name != "6ch-24bit",
        )


def _members(members: dict[str, dict[str, Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple((n, _p(**w)) for n, w in members.items())


def _zips() -> Iterator[Case]:
    for method in ("stored", "deflated", "bzip2", "lzma"):
        yield Case(f"zip-python-{method}", "zip", "zip", _p(method=method), method != "lzma")
    yield Case("zip-python-zip64", "zip", "zip", _p(zip64=True), True)
    yield Case("zip-gbk-names", "zip", "zip", _p(tool="gbk"), True)
    yield Case("zip-sfx-stub", "zip", "zip", _p(stub=4096), True)
    for options in ((), ("-0",), ("-9",), ("-Z", "bzip2"), ("-fz",)):
        name = "".join(options).replace("-", "") or "default"
        yield Case(
            f"zip-infozip-{name}",
            "zip",
            "zip",
            _p(tool="infozip", options=options),
            False,
            needs="zip",
        )
    yield Case("zip-infozip-split-last", "split", "zip", _p(), False, needs="zip")
    for options in ((), ("-mm=Deflate64",), ("-mx=0",), ("-mm=BZip2",)):
        name = "".join(options).replace("-", "").replace("=", "") or "default"
        yield Case(
            f"zip-7z-{name}", "zip", "zip", _p(tool="7z", options=options), False, needs="7z"
        )


def _photos() -> Iterator[Case]:
    from PIL import features

    formats = [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("TIFF", "tif")]
    for fmt, ext in formats:
        for orientation in range(1, 9):
            quick = fmt == "JPEG" or orientation in (1, 6)
            yield Case(
                f"photo-{ext}-orientation{orientation}",
                "photo",
                ext,
                _p(format=fmt, orientation=orientation, size=(64, 48)),
                quick,
            )
    for fmt, ext in (("GIF", "gif"), ("BMP", "bmp"), ("JPEG", "jpg"), ("PNG", "png")):
        yield Case(f"photo-{ext}-plain", "photo", ext, _p(format=fmt, size=(48, 64)), True)
    for fmt, ext in (("GIF", "gif"), ("WEBP", "webp"), ("PNG", "png")):
        yield Case(
            f"photo-{ext}-animated",
            "photo",
            ext,
            _p(format=fmt, frames=3, size=(32, 32)),
            fmt != "PNG",
        )
    if features.check("avif"):
        yield Case("photo-avif", "photo", "avif", _p(format="AVIF", size=(64, 48)), False)


def matrix(full: bool) -> list[Case]:
    cases = [*_videos(), *_audios(), *_wavs(), *_zips(), *_photos()]
    return [c for c in cases if full or c.quick]
