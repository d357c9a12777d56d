"""Pictures of the material for the visual report (`--format html`): a few frames of a video as
it is displayed, the photo upright, and the min/max envelope of each WAV. Made only when that
report is asked for (Settings.previews), after the facts; never cached.

Bounded like the probe: ffmpeg runs from an argument list under a timeout and decodes one frame
from a keyframe near each position (a 10 GB video is not read through); a photo is decoded at a
reduced size, and refused when even that would be too large; audio is streamed in blocks, the
zip's members inflated as they are read (never extracted to disk), until a deadline.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from preflight.i18n import N_
from preflight.probe.analysed import FaceFacts
from preflight.probe.decode import local_input
from preflight.probe.facts import FileFacts, ImageFacts, VideoFacts, ZipFacts

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

FRAMES = 4  # frames of a video, evenly spread
FRAME_BOX = 320  # pixels: a frame fits in FRAME_BOX × FRAME_BOX as displayed
PHOTO_BOX = 480
FRAME_SECONDS_MAX = 15.0  # one frame's ffmpeg: a keyframe of 4K HEVC decodes in about a second
FRAME_BYTES_MAX = 256 * 1024  # a JPEG of 320 × 320 pixels is a few tens of kilobytes
PHOTO_PIXELS_MAX = 64_000_000  # pixels decoded for a photo (after JPEG's reduced decoding)
COLUMNS = 600  # min/max pairs of a waveform
WAVEFORMS_MAX = 12  # WAVs drawn from one zip (a voice zip holds at most 10)
AUDIO_SECONDS_MAX = 20.0  # wall time to read one file's audio; the rest is left undrawn
_BLOCK_FRAMES = 1 << 16
_POLL_SECONDS = 0.1  # how soon an ffmpeg is killed once the run is stopped


@dataclass(frozen=True)
class Picture:
    uri: str  # data:image/jpeg;base64,…
    width: int  # as displayed
    height: int
    at_s: float | None = None  # where in the video


@dataclass(frozen=True)
class Waveform:
    source: str  # the zip entry; "" for the file's own audio (as SpeechFacts.source)
    duration_s: float  # of the audio the header declares
    peaks: tuple[tuple[float, float], ...]  # (min, max) per column, -1 … 1, channels merged
    drawn_s: float  # of the audio read before the deadline (or the end of the data)
    cut: bool = False  # the deadline came before the end of the data


@dataclass(frozen=True)
class Preview:
    pictures: tuple[Picture, ...] = ()
    waveforms: tuple[Waveform, ...] = ()
    problem: str | None = None  # why something that should show could not be made
    faces: FaceFacts | None = None  # of a photo, where face analysis ran: boxes to draw over it


def previews(files: Iterable[tuple[Path, FileFacts]], jobs: int = 0) -> dict[Path, Preview]:
    """The preview of each file that has one (videos, photos, WAVs and zips of them), made in
    threads: ffmpeg, Pillow's decoders and libsndfile run outside the GIL."""
    wanted = {path: facts for path, facts in files if _previewable(facts)}
    if not wanted:
        return {}
    stop = threading.Event()
    pool = ThreadPoolExecutor(min(jobs or os.cpu_count() or 1, len(wanted)))
    try:
        made = list(pool.map(lambda item: preview_file(item[0], item[1], stop), wanted.items()))
    finally:
        stop.set()  # a run interrupted meanwhile (a signal raised here) stops every thread's work
        pool.shutdown(cancel_futures=True)
    return dict(zip(wanted, made, strict=True))


def _previewable(facts: FileFacts) -> bool:
    if facts.node != "file" or facts.problem is not None or facts.lfs is not None:
        return False
    media = facts.media
    return (
        isinstance(media, VideoFacts | ImageFacts)
        or (isinstance(media, ZipFacts) and media.problem is None)
        or facts.format == "wav"
    )


def preview_file(path: Path, facts: FileFacts, stop: threading.Event | None = None) -> Preview:
    """One file's preview; what cannot be made is the preview's `problem`, never raised.
    `stop`: when set, the work in progress ends (ffmpeg killed, audio left unread)."""
    media = facts.media
    stop = stop or threading.Event()
    try:
        if isinstance(media, VideoFacts):
            return _video(path, media, stop)
        if isinstance(media, ImageFacts):
            return replace(_photo(path), faces=facts.faces)
        if isinstance(media, ZipFacts):
            return _zip(path, media, _Until(stop))
        return _wav(path, _Until(stop))
    except Exception as error:  # a decoder's failure on a hostile file is a note, not a crash
        return Preview(problem=f"no preview: {_why(error)}")


def _video(path: Path, media: VideoFacts, stop: threading.Event) -> Preview:
    duration = media.duration_s or 0.0
    spots = [duration * (i + 0.5) / FRAMES for i in range(FRAMES)] if duration > 0 else [0.0]
    # One ffmpeg a frame, side by side: a single frame's decode keeps about one core busy
    with ThreadPoolExecutor(len(spots)) as pool:
        decoded = list(pool.map(lambda at: _frame(path, at, stop), spots))
    pictures = [picture for picture in decoded if picture is not None]
    if not pictures:
        return Preview(problem=N_("no frame of this video could be decoded"))
    return Preview(pictures=tuple(pictures))


def _frame(path: Path, at: float, stop: threading.Event) -> Picture | None:
    """The frame at `at` seconds as displayed: ffmpeg applies the container's rotation, and
    the scale filter the pixel aspect."""
    import imageio_ffmpeg

    box = f"scale=w={FRAME_BOX}:h={FRAME_BOX}:force_original_aspect_ratio=decrease"
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-ss",
        f"{at:.3f}",
        *local_input(path),
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-vf",
        f"scale=trunc(iw*sar/2)*2:ih,setsar=1,{box}",
        "-f",
        "image2pipe",
        "-c:v",
        "mjpeg",
        "-q:v",
        "5",
        "pipe:1",
    ]
    until = _Until(stop, FRAME_SECONDS_MAX)
    if not until.going():
        return None
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    ) as process:
        while True:
            try:
                data, _ = process.communicate(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if not until.going():
                    process.kill()
                    return None
    if process.returncode != 0 or not data or len(data) > FRAME_BYTES_MAX:
        return None
    size = _jpeg_size(data)
    if size is None:
        return None
    return Picture(_uri(data), *size, at_s=round(at, 3))


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return None


def _photo(path: Path) -> Preview:
    """The photo upright (its EXIF orientation applied), fitted in PHOTO_BOX."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        opened = Image.open(path)
    except Image.DecompressionBombError:
        return Preview(problem=N_("no preview: the photo has too many pixels to decode"))
    except UnidentifiedImageError:  # HEIC, AVIF: formats a browser may not show either
        return Preview(problem=N_("no preview: this image format cannot be decoded here"))
    with opened as image:
        if image.format == "JPEG":  # decode at 1/2 … 1/8 size: cheaper, and what fits
            image.draft("RGB", (PHOTO_BOX, PHOTO_BOX))
        width, height = image.size
        if width * height > PHOTO_PIXELS_MAX:
            return Preview(problem=f"no preview: {width}×{height} pixels are too many to decode")
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((PHOTO_BOX, PHOTO_BOX))
        rgb = upright.convert("RGB")
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=80)
    return Preview(pictures=(Picture(_uri(out.getvalue()), *rgb.size),))


def _uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def _zip(path: Path, media: ZipFacts, until: _Until) -> Preview:
    """The waveform of each WAV the probe read in the zip, in the zip's order."""
    from preflight.probe.archive import Member, members

    waveforms = []
    problems = []
    wavs = [e for e in media.entries if e.wav is not None and e.problem is None]
    with members(path) as member:
        for entry in wavs[:WAVEFORMS_MAX]:
            try:
                with Member(member(entry.name), entry.size) as stream:
                    waveform = _waveform(stream, entry.name, until)
                if stream.failure is not None:
                    raise stream.failure
                waveforms.append(waveform)
            except Exception as error:  # one member's damage: the others are still drawn
                problems.append(f"{entry.name} ({_why(error)})")
    problem = f"no waveform of {', '.join(problems)}" if problems else None
    return Preview(waveforms=tuple(waveforms), problem=problem)


def _why(error: Exception) -> str:
    """Why a preview could not be made, in a producer's words."""
    if isinstance(error, zipfile.BadZipFile):
        return "the zip's data is damaged (a CRC check failed, or a header)"
    if isinstance(error, OSError) and error.errno is not None:
        return "the file cannot be read"
    return "the data cannot be decoded"  # Pillow's OSErrors, libsndfile's RuntimeErrors, …


def _wav(path: Path, until: _Until) -> Preview:
    with path.open("rb") as stream:
        return Preview(waveforms=(_waveform(stream, "", until),))


class _Until:
    """Work goes on until its time is up or the run is stopped."""

    def __init__(self, stop: threading.Event, seconds: float = AUDIO_SECONDS_MAX) -> None:
        self.stop = stop
        self.deadline = time.monotonic() + seconds

    def going(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline


def _waveform(stream: IO[bytes] | io.RawIOBase, source: str, until: _Until) -> Waveform:
    """The envelope of the audio: each column's lowest and highest sample over all channels."""
    import numpy as np
    import soundfile

    with soundfile.SoundFile(stream) as sound:
        total, rate = sound.frames, sound.samplerate
        lows = np.full(COLUMNS, np.inf, dtype=np.float32)
        highs = np.full(COLUMNS, -np.inf, dtype=np.float32)
        read = 0
        cut = True  # unless the data ends first
        while until.going():  # what is not read by then stays undrawn
            block = sound.read(_BLOCK_FRAMES, dtype="float32", always_2d=True)
            if not len(block):
                cut = False
                break
            _fold(block, read, max(total, 1), lows, highs)
            read += len(block)
    drawn = np.isfinite(lows)
    peaks = tuple(
        (round(float(lo), 4), round(float(hi), 4)) if ok else (0.0, 0.0)
        for lo, hi, ok in zip(lows, highs, drawn, strict=True)
    )
    duration = total / rate if rate > 0 else 0.0
    return Waveform(source, duration, peaks, read / rate if rate > 0 else 0.0, cut)


def _fold(
    block: NDArray[np.float32],
    start: int,
    total: int,
    lows: NDArray[np.float32],
    highs: NDArray[np.float32],
) -> None:
    """Fold a block that starts at frame `start` into the columns' minima and maxima (frames
    past the declared total, from a header that lies, go to the last column)."""
    import numpy as np

    low, high = block.min(axis=1), block.max(axis=1)
    # Frame f is in column f * COLUMNS // total: column c starts at frame ⌈c * total / COLUMNS⌉.
    first = min(start * COLUMNS // total, COLUMNS - 1)
    last = min((start + len(block) - 1) * COLUMNS // total, COLUMNS - 1)
    columns = np.arange(first, last + 1)
    starts = np.maximum(-(-columns * total // COLUMNS) - start, 0)
    last_of_run = np.r_[starts[1:] != starts[:-1], True]  # a column of no frame shares a start
    starts, columns = starts[last_of_run], columns[last_of_run]
    lows[columns] = np.minimum(lows[columns], np.minimum.reduceat(low, starts))
    highs[columns] = np.maximum(highs[columns], np.maximum.reduceat(high, starts))
