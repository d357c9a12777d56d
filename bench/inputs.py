"""The benchmark's inputs, made once under the work folder: sparse files for sizes, hard links
for repetition. A stamp names the spec they were made for, so a changed spec remakes them."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers.media import (  # noqa: E402  (tests/helpers/media.py: the makers the tests and fixtures use)
    make_pdf,
    make_photo,
    make_sparse_video,
    make_video,
    run_ffmpeg,
)
from helpers.media_faces import FACE  # noqa: E402
from helpers.speech import SPEECH  # noqa: E402

GIB = 1024**3
MIB = 1024**2
LAYOUT = 5  # bumped when what _make writes changes, so that old inputs are remade
_ONE_4K_MATERIAL = "lin_4k.mov"


@dataclass(frozen=True)
class Spec:
    """What to make; the full run and the smoke differ only here."""

    video_size: tuple[int, int]  # the one-video scenario: a MOV, index at the end
    video_fps: int
    video_seconds: int
    sparse_sizes: tuple[int, ...]  # bytes the MOV is grown to, sparsely
    wav_count: int  # the voice zip: WAVs of equal size, deflated
    wav_bytes: int
    requests: tuple[int, ...]  # sizes of the asset repositories
    avatar: tuple[int, int, int]  # the repositories' video: width, height, seconds at 25 fps
    speech_seconds: int  # of speech in the zip that the speech analysis is timed on
    faces: tuple[int, int, int] = (1920, 1080, 120)  # the face scan's video: width, height, s


FULL = Spec(
    (3840, 2160),
    30,
    180,
    (1 * GIB, 5 * GIB, 10 * GIB),
    6,
    1288490188 // 6,
    (300, 600),
    (1920, 1080, 65),
    600,
)
SMOKE = Spec(
    (320, 180), 25, 2, (1 * MIB, 5 * MIB, 10 * MIB), 3, 256 * 1024, (6, 12), (320, 180, 2), 12,
    (320, 180, 2),
)  # fmt: skip


@dataclass(frozen=True)
class OneRequest:
    """A folder holding one request, as a new user has it: its manifest, material and letter."""

    folder: Path
    material: Path


@dataclass(frozen=True)
class Inputs:
    videos: dict[int, Path]  # size in bytes → sparse MOV
    voice_zip: Path
    declared_audio: int  # bytes of audio the zip's members declare
    repositories: dict[int, Path]  # number of requests → folder of request folders
    one_video_request: OneRequest  # IMAGE_4K: the MOV the sparse videos grow from
    one_voice_request: OneRequest  # VOICE: a zip of five 10 s WAVs of noise
    speech_wavs: tuple[Path, ...]  # two takes of real speech, `speech_seconds` in all
    speech_zip: Path  # the same takes, deflated
    speech_seconds: int
    faces_video: Path  # a presenter, a keyframe a second
    faces_spec: tuple[int, int, int]  # its width, height and seconds


def build(folder: Path, spec: Spec) -> Inputs:
    """Make (or reuse) every input under `folder`."""
    stamp = folder / "spec.json"
    wanted = json.dumps({"layout": LAYOUT, **asdict(spec)}, sort_keys=True)
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _make(folder, spec)
        stamp.write_text(wanted)
    return Inputs(
        videos={size: folder / f"video-{_label(size)}.mov" for size in spec.sparse_sizes},
        voice_zip=folder / "voice.zip",
        declared_audio=spec.wav_count * _wav_size(spec.wav_bytes),
        repositories={n: folder / f"repo-{n}" for n in spec.requests},
        one_video_request=OneRequest(folder / "one-4k", folder / "one-4k" / _ONE_4K_MATERIAL),
        one_voice_request=OneRequest(folder / "one-voice", folder / "one-voice" / "voice.zip"),
        speech_wavs=(folder / "speech" / "take01.wav", folder / "speech" / "take02.wav"),
        speech_zip=folder / "speech" / "voice.zip",
        speech_seconds=spec.speech_seconds,
        faces_video=folder / "faces" / "presenter.mp4",
        faces_spec=spec.faces,
    )


def twin(repository: Path) -> Path:
    """A copy of `repository` beside it (in baseline/), every file a hard link, without its
    cache: the baseline's own, so that its .preflight_cache never evicts this one's (each keeps
    only the facts of its own code's fingerprint). Made once, under a temporary name then
    renamed, so that an interrupted copy is never taken for a whole one."""
    folder = repository.parent / "baseline"
    copy = folder / repository.name
    if not copy.exists():
        folder.mkdir(exist_ok=True)
        partial = folder / f".partial-{repository.name}"
        shutil.rmtree(partial, ignore_errors=True)
        ignore = shutil.ignore_patterns(".preflight_cache")
        shutil.copytree(repository, partial, copy_function=os.link, ignore=ignore)
        partial.rename(copy)
    return copy


def _label(size: int) -> str:
    return f"{size // GIB}GB" if size >= GIB else f"{size // MIB}MB"


def _make(folder: Path, spec: Spec) -> None:
    sources = folder / "sources"
    sources.mkdir()
    looped = _video(sources / "long.mov", *spec.video_size, spec.video_fps, spec.video_seconds)
    for size in spec.sparse_sizes:
        make_sparse_video(looped, folder / f"video-{_label(size)}.mov", size)
    _voice_zip(folder / "voice.zip", spec.wav_count, spec.wav_bytes)
    _sources_for_requests(sources, spec.avatar)
    for count in spec.requests:
        _repository(folder / f"repo-{count}", sources, count)
    (folder / "one-4k").mkdir()
    os.link(looped, folder / "one-4k" / _ONE_4K_MATERIAL)
    _one_request(folder / "one-4k", "IMAGE_4K", _ONE_4K_MATERIAL, sources)
    (folder / "one-voice").mkdir()
    # five 10 s takes at 48 kHz, of noise: a recording's zip is about the size of its audio
    _voice_zip(folder / "one-voice" / "voice.zip", 5, 44 + 10 * 48000 * 2)
    _one_request(folder / "one-voice", "VOICE", "voice.zip", sources)
    _speech(folder / "speech", spec.speech_seconds)
    (folder / "faces").mkdir()
    _faces_video(folder / "faces" / "presenter.mp4", *spec.faces)


def _speech(folder: Path, seconds: int) -> None:
    """Two takes of espeak-ng's committed sentence (tests/data/speech.wav) looped to `seconds`
    of 24 kHz speech in all, as WAVs and zipped: the speech analysis's input and ffmpeg's."""
    folder.mkdir()
    takes = [folder / "take01.wav", folder / "take02.wav"]
    for take in takes:
        run_ffmpeg("-stream_loop", "-1", "-i", str(SPEECH), "-t", str(seconds / 2), str(take))
    with zipfile.ZipFile(folder / "voice.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for take in takes:
            archive.write(take, take.name)


def _video(path: Path, width: int, height: int, fps: int, seconds: int) -> Path:
    """One second of picture encoded, then looped without re-encoding beside silent AAC: a
    constant-rate file whose index lists every frame, as a camera's does, for one second's
    encoding."""
    second = path.with_name(f"second-{path.name}")
    make_video(second, width=width, height=height, fps=fps, audio=False)
    run_ffmpeg(
        *("-stream_loop", str(seconds - 1), "-i", str(second)),
        *("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono"),
        *("-c:v", "copy", "-c:a", "aac", "-b:a", "16k", "-shortest", str(path)),
    )
    return path


def _faces_video(path: Path, width: int, height: int, seconds: int) -> Path:
    """A presenter (the committed face photograph) filmed at 25 fps with a keyframe a second,
    as phones record, with a camera's grain (a flat synthetic picture decodes several times
    faster than footage does): one second encoded, looped by stream copy, no sound."""
    clean = path.with_name(f"clean-{path.name}")
    make_video(clean, width=width, height=height, audio=False, picture=FACE)
    second = path.with_name(f"second-{path.name}")
    grain = ("-vf", "noise=alls=4:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-g", "25")
    run_ffmpeg("-i", str(clean), *grain, "-pix_fmt", "yuv420p", str(second))
    run_ffmpeg("-stream_loop", str(seconds - 1), "-i", str(second), "-c", "copy", str(path))
    return path


def _wav_size(size: int) -> int:
    """The size of the 16-bit mono WAV with at most `size` bytes."""
    return 44 + (size - 44) // 2 * 2


def _voice_zip(path: Path, count: int, size: int) -> None:
    """WAVs of noise, deflated (method 8) at level 0: recorded speech barely deflates, so the
    archive is about the size of its audio either way, and level 0 writes it in seconds."""
    noise = os.urandom(MIB)
    frames = (_wav_size(size) - 44) // 2
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=0) as archive:
        for number in range(1, count + 1):
            with archive.open(f"take{number:02d}.wav", "w") as member:
                member.write(_wav_header(48000, frames))
                left = frames * 2
                while left > 0:
                    member.write(noise[: min(left, len(noise))])
                    left -= len(noise)


def _wav_header(rate: int, frames: int) -> bytes:
    """The 44-byte header of a 16-bit mono PCM WAV of `frames` samples."""
    data = frames * 2
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVEfmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data)
    )


def _sources_for_requests(sources: Path, avatar: tuple[int, int, int]) -> None:
    """One real file of each kind that the requests link to: what a producer hands in."""
    _video(sources / "avatar.mp4", *avatar[:2], 25, avatar[2])
    make_pdf(sources / "authorization.pdf")
    with zipfile.ZipFile(sources / "voice.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(1, 6):  # five 10 s takes at 48 kHz
            archive.writestr(f"take{number:02d}.wav", _wav_header(48000, 480000) + bytes(960000))
    make_photo(sources / "portrait.jpg", width=1024, height=768, fmt="JPEG")


def _one_request(folder: Path, make_type: str, material: str, sources: Path) -> None:
    """The manifest and authorization letter of the one request beside its `material` in
    `folder`, with no configuration: what a new user checks first."""
    os.link(sources / "authorization.pdf", folder / "authorization.pdf")
    lines = [
        'AnchorName = "Lin_New"',
        f'MakeType = "{make_type}"',
        'SexType = "FEMALE"',
        f'MaterialCosUrl = "{material}"',
        'IdentityWrittenCosUrl = "authorization.pdf"',
    ]
    (folder / "request.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _staged(folder)


def _staged(folder: Path) -> None:
    """Make `folder` a git work tree with every file in its index, as an asset repository's
    checkout is: preflight asks git which files it tracks (file.untracked), and without a
    repository of its own the inputs would lie in this project's work tree, untracked."""
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True)


def _repository(folder: Path, sources: Path, count: int) -> None:
    """`count` request folders, a third each of video, voice and photo requests; every media
    file is a hard link to one source, every AnchorName unique. Its own (empty) .preflight.toml
    makes it the root of its checks, as an asset repository is: its .preflight_cache is here."""
    kinds = (
        ('MakeType = "IMAGE_GENERAL"', {"avatar.mp4": "MaterialCosUrl"}),
        ('MakeType = "VOICE"', {"voice.zip": "MaterialCosUrl"}),
        ('MakeType = "IMAGE_PHOTO"', {"portrait.jpg": "MaterialCosUrl"}),
    )
    folder.mkdir(parents=True)
    (folder / ".preflight.toml").write_text("# the benchmark's asset repository\n")
    for number in range(count):
        make_type, files = kinds[number % 3]
        request = folder / f"request-{number:04d}"
        request.mkdir()
        lines = [f'AnchorName = "Bench_{number:04d}"', make_type, 'SexType = "FEMALE"']
        for name, field in files.items():
            os.link(sources / name, request / name)
            lines.append(f'{field} = "{name}"')
        if make_type != 'MakeType = "IMAGE_PHOTO"':
            os.link(sources / "authorization.pdf", request / "authorization.pdf")
            lines.append('IdentityWrittenCosUrl = "authorization.pdf"')
        (request / "request.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _staged(folder)
