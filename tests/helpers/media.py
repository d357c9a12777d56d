"""Real media files for tests and fixtures, made with ffmpeg, Pillow and zipfile."""

from __future__ import annotations

import shlex
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any


def ffmpeg_exe() -> str:
    """The ffmpeg inside the imageio-ffmpeg wheel: the same build (and encoders) on every
    machine, whatever ffmpeg a system package may have put on PATH."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
        check=True,
        timeout=120,
    )


def make_video(
    path: Path,
    *,
    width: int = 1920,
    height: int = 1080,
    fps: float = 25,
    duration: float = 1.0,
    rotation: int | None = None,
    sar: str | None = None,
    audio: bool = True,
    video: bool = True,
    codec: str = "libx264",
    extra: tuple[str, ...] = (),
    speech: Path | None = None,
    picture: Path | None = None,
) -> Path:
    """A tiny real video; the container follows the extension (use -f via `extra`). Its sound
    is silence, or the recording `speech` looped; its picture plain grey, or the photograph
    `picture` in the middle, 5/6 of the frame's height."""
    inputs: list[str] = []
    maps: list[str] = []
    filters = [f"setsar={sar}"] if sar else []
    if video and picture is not None:
        inputs += ["-loop", "1", "-framerate", str(fps), "-i", str(picture)]
        filters[:0] = [f"scale=-2:{height * 5 // 6}", f"pad={width}:{height}:-1:-1:gray"]
    elif video:
        inputs += ["-f", "lavfi", "-i", f"color=c=gray:size={width}x{height}:rate={fps}"]
    if audio and speech is not None:
        inputs += ["-stream_loop", "-1", "-i", str(speech)]
    elif audio:
        inputs += ["-f", "lavfi", "-i", "anullsrc=r=24000:cl=mono"]
    args = [*inputs, "-t", str(duration)]
    if video:
        args += ["-c:v", codec]
        if codec == "libx264":  # a face stays a face at 36; a grey picture needs no more than 51
            crf = "36" if picture is not None else "51"
            args += ["-preset", "ultrafast", "-crf", crf, "-pix_fmt", "yuv420p"]
        if filters:
            args += ["-vf", ",".join(filters)]
    if audio:
        args += ["-c:a", "aac", "-b:a", "16k"]
    args += [*maps, *extra]
    run_ffmpeg(*args, str(path))
    if rotation is not None:
        rotated = path.with_name(f".rot-{path.name}")
        run_ffmpeg("-display_rotation", str(rotation), "-i", str(path), "-c", "copy", str(rotated))
        rotated.replace(path)
    return path


def make_wav(
    path: Path, *, rate: int = 24000, seconds: float = 0.5, channels: int = 1, bits: int = 16
) -> Path:
    """A silent PCM WAV written by hand: exactly the header a recorder writes."""
    path.write_bytes(wav_bytes(rate=rate, seconds=seconds, channels=channels, bits=bits))
    return path


def wav_bytes(
    *, rate: int = 24000, seconds: float = 0.5, channels: int = 1, bits: int = 16
) -> bytes:
    block = channels * bits // 8
    data = b"\0" * (int(rate * seconds) * block)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def make_audio(
    path: Path,
    *,
    seconds: float = 12.0,
    rate: int = 44100,
    codec: tuple[str, ...] = (),
    bitrate: str | None = None,
    speech: Path | None = None,
) -> Path:
    """A real audio file, `seconds` long at `rate`: a tone, or the recording `speech` looped.
    The format follows the extension (or `codec`, e.g. ("-c:a", "wmav2")), at `bitrate`
    ("64k") when given."""
    tone = ["-f", "lavfi", "-i", f"sine=frequency=220:sample_rate={rate}"]
    source = ["-stream_loop", "-1", "-i", str(speech)] if speech else tone
    options = [
        "-t",
        str(seconds),
        "-ar",
        str(rate),
        *codec,
        *(("-b:a", bitrate) if bitrate else ()),
    ]
    run_ffmpeg(*source, *options, str(path))
    return path


def make_zip(path: Path, members: dict[str, bytes], **kwargs: Any) -> Path:
    """A zip of the given members, deflated unless `compression` says otherwise; names may
    contain folders."""
    kwargs.setdefault("compression", zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path, "w", **kwargs) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_photo(
    path: Path,
    *,
    width: int = 64,
    height: int = 64,
    fmt: str | None = None,
    orientation: int | None = None,
    frames: int = 1,
) -> Path:
    """A small real image; `orientation` writes an EXIF Orientation tag (JPEG/WebP/PNG)."""
    from PIL import Image

    images = [Image.new("RGB", (width, height), (40 * i % 255, 90, 160)) for i in range(frames)]
    options: dict[str, Any] = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    if frames > 1:
        options.update(save_all=True, append_images=images[1:], duration=100, loop=0)
    images[0].save(path, format=fmt, **options)
    return path


def make_pdf(path: Path) -> Path:
    """A minimal one-page PDF, as a scanner writes it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def make_sparse_video(source: Path, target: Path, total_size: int) -> Path:
    """`source` (index at the end, as ffmpeg writes it) grown to `total_size` bytes by a
    sparse `free` box before the index: a real, valid file that costs no disk."""
    data = source.read_bytes()
    moov = top_box(data, b"moov")
    head, index = data[:moov], data[moov:]
    hole = total_size - len(data)
    assert hole >= 16, "target size too small"
    with target.open("wb") as out:
        out.write(head)
        out.write(struct.pack(">I4sQ", 1, b"free", hole))  # 64-bit box size
        out.seek(hole - 16, 1)
        out.write(index)
    return target


def top_box(data: bytes, kind: bytes) -> int:
    """Offset of a top-level ISO box."""
    offset = 0
    while offset + 8 <= len(data):
        size, box = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        if box == kind:
            return offset
        if size < 8:
            break
        offset += size
    raise ValueError(f"no top-level {kind!r} box")


def run_hint(hint: str | None, cwd: Path, *before_output: str) -> Path:
    """Run an ffmpeg hint as a producer would paste it, in `cwd`, with this machine's ffmpeg;
    `before_output` options (a faster preset) go just before the output name. The output must
    be a new file: a hint never overwrites anything."""
    assert hint is not None
    args = shlex.split(hint)
    assert args[0] == "ffmpeg"
    output = args[-1]
    assert not (cwd / output).exists()
    command = [ffmpeg_exe(), "-loglevel", "error", "-nostdin", *args[1:-1], *before_output, output]
    subprocess.run(command, cwd=cwd, check=True, timeout=120)
    return cwd / output


def run_recipe(hint: str | None, cwd: Path) -> Path:
    """Run a `&&`-joined re-zip recipe as pasted, with this interpreter for python3 and this
    machine's ffmpeg; the zip its last step writes."""
    assert hint is not None
    programs = {"python3": sys.executable, "ffmpeg": ffmpeg_exe(), "mv": "mv"}
    for step in hint.split(" && "):
        args = shlex.split(step)
        subprocess.run([programs[args[0]], *args[1:]], cwd=cwd, check=True, timeout=120)
    assert args[:4] == ["python3", "-m", "zipfile", "-c"]
    return cwd / args[4]
