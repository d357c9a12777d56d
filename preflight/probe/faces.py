"""Faces in a photo, or in the keyframes of a video: OpenCV's Haar cascades, which ship inside
the opencv-python-headless wheel (4.x: 5.0 removed them) and run offline.

A video's keyframes are decoded by the imageio-ffmpeg binary (`-skip_frame nokey`: the other
frames are never decoded), turned as displayed, scaled so that the shorter side is
VIDEO_SCAN.side pixels and made grey, and read from its pipe a few frames ahead: memory is a few
frames whatever the video's length. A photo is read with Pillow, its EXIF orientation applied.
Boxes are given back in displayed pixels, so that rules judge sizes as a reviewer sees them.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from preflight.probe.analysed import Face, FaceFacts, FaceFrame
from preflight.probe.decode import ANALYSED_S_MAX, local_input
from preflight.probe.facts import VideoFacts

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Grey = NDArray[np.uint8]


class Scan(NamedTuple):
    """How closely faces are looked for: in a frame scaled to `side` px on its shorter side,
    faces of at least 1/`smallest` of that side (and of the cascade's 20 px window), their
    sizes `step` apart."""

    side: int
    smallest: int
    step: float


# One frame: time enough to find a small face, to call it small, with fine steps (at 1.2, the
# 94 px face of the 300 px test portrait went unseen).
PHOTO_SCAN = Scan(480, 10, 1.1)
# Keyframes: a face of 1/6 of the frame is 30 px at 180 px, and a frame takes ~5 ms of CPU,
# less than decoding a 1080p keyframe (at 240 px and 1/8, ~13 ms: the scan of the bench's
# 2-minute video took 2.6× ffmpeg's keyframe decode). A smaller face reads as no face: the
# rule asks 1/5.
VIDEO_SCAN = Scan(180, 6, 1.2)  # steps of 1.1 cost twice as much
SAMPLE_SECONDS = 4.0  # between the keyframes looked at (phones write one a second): 15 a minute
# tell whether the presenter stays, at half the detection cost of one every 2 s
FRAMES_AHEAD = 8  # decoded frames waiting to be looked at: 0.5 MB at 320 × 180
PHOTO_PIXELS_MAX = 100_000_000  # larger photos are not decoded (16 MB of JPEG holds ~50 MP)
MISSING = "OpenCV is not installed: pip install 'preflight[faces]' (opencv-python-headless)"
_WINDOW = 20  # px: the frontal cascade's own size, the smallest face it can find
_ORIENTATION = 0x0112  # the EXIF tag
_TURNED = (5, 6, 7, 8)  # orientations that swap width and height
_PTS_TIME = re.compile(rb"\bpts_time:\s*(-?[\d.]+)")


def available() -> bool:
    """Whether a detector is installed (without the cost of importing it)."""
    import importlib.util

    return importlib.util.find_spec("cv2") is not None


def photo_faces(path: Path) -> FaceFacts:
    """The faces in a photo as displayed (EXIF orientation applied)."""
    import numpy as np
    from PIL import Image, ImageOps

    with Image.open(path) as image:
        width, height = image.size
        if width * height > PHOTO_PIXELS_MAX:
            return FaceFacts(width, height, (), f"the photo is larger than {PHOTO_PIXELS_MAX} px")
        if image.getexif().get(_ORIENTATION, 1) in _TURNED:
            width, height = height, width
        analysed = _analysis_size(width, height, PHOTO_SCAN)
        image.draft("L", analysed)  # a JPEG decodes straight at a fraction of its size
        upright = ImageOps.exif_transpose(image).convert("L")
    small = upright.resize(analysed, Image.Resampling.BOX)
    frame = FaceFrame(None, _faces(np.asarray(small), width / analysed[0], PHOTO_SCAN))
    return FaceFacts(width, height, (frame,))


def video_faces(path: Path, video: VideoFacts, ffmpeg: str) -> FaceFacts:
    """The faces in each keyframe of the video, with the keyframe's time."""
    width, height = video.display_width, video.display_height
    if not width or not height:
        return FaceFacts(0, 0, (), "the displayed size of the video is unknown")
    size = _analysis_size(width, height, VIDEO_SCAN)
    times: list[float] = []
    problems: list[str] = []
    seen = [
        _faces(grey, width / size[0], VIDEO_SCAN)
        for grey in keyframes(path, size, ffmpeg, times, problems)
    ]
    if not seen:
        why = f": {problems[-1]}" if problems else ""
        return FaceFacts(width, height, (), f"no keyframe could be decoded{why}")
    return FaceFacts(width, height, tuple(map(FaceFrame, times, seen)))


def keyframes(
    path: Path, size: tuple[int, int], ffmpeg: str, times: list[float], problems: list[str]
) -> Iterator[Grey]:
    """Each keyframe at least SAMPLE_SECONDS after the one before, displayed (rotation applied:
    ffmpeg's autorotate), scaled to `size` and grey. Once they are all read, `times` has each
    one's time in seconds (ffmpeg's showinfo logs them) and `problems` ffmpeg's complaints.
    Threads drain ffmpeg's pipes meanwhile: stderr, as a full pipe would stall it, and the
    frames into a queue of FRAMES_AHEAD, so that ffmpeg decodes the next while this one is
    looked at (a pipe holds less than a frame)."""
    width, height = size
    command = [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "info",
        "-skip_frame",
        "nokey",
        "-t",  # the first hour: content.seconds plans the time limit from no more
        f"{ANALYSED_S_MAX:g}",
        *local_input(path),
        "-map",
        "0:v:0",
        "-vf",
        f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{SAMPLE_SECONDS:g})',"
        f"scale={width}:{height}:flags=area,format=gray,showinfo",
        "-fps_mode",
        "passthrough",  # each keyframe once: no frame repeated to a constant rate
        "-f",
        "rawvideo",
        "pipe:1",
    ]
    ahead: queue.Queue[Grey | None] = queue.Queue(FRAMES_AHEAD)
    with subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        readers = [
            threading.Thread(target=_read_log, args=(process.stderr, times, problems)),
            threading.Thread(target=_read_frames, args=(process.stdout, size, ahead)),
        ]
        for reader in readers:
            reader.daemon = True
            reader.start()
        try:
            while (frame := ahead.get()) is not None:
                yield frame
        finally:
            process.kill()  # at the end already, or the caller stopped early
            while readers[1].is_alive():  # unblock it, should the queue be full
                with contextlib.suppress(queue.Empty):
                    ahead.get(timeout=0.05)
            for reader in readers:
                reader.join()


def _read_frames(stream: IO[bytes], size: tuple[int, int], ahead: queue.Queue[Grey | None]) -> None:
    """Whole frames from ffmpeg's stdout into `ahead`, then None."""
    import numpy as np

    width, height = size
    try:
        while len(data := stream.read(width * height)) == width * height:
            ahead.put(np.frombuffer(data, np.uint8).reshape(height, width))
    finally:
        ahead.put(None)


def _read_log(stream: IO[bytes], times: list[float], problems: list[str]) -> None:
    for line in stream:
        found = _PTS_TIME.search(line)
        if found:
            times.append(round(float(found.group(1)), 3))
        elif b"rror" in line:
            problems.append(line.decode("utf-8", "replace").strip()[:200])


def _analysis_size(width: int, height: int, scan: Scan) -> tuple[int, int]:
    """The frame size faces are looked for in: the shorter side `scan.side` (never larger
    than the frame), even numbers (what ffmpeg's scaler keeps for chroma)."""
    scale = min(scan.side / min(width, height), 1.0)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


@functools.cache
def _cascade(name: str) -> Any:
    import cv2

    cv2.setNumThreads(1)  # workers are the parallelism, and ffmpeg decodes on the other core
    folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]  # not in cv2's stubs
    return cv2.CascadeClassifier(folder + name)


def _faces(grey: Grey, scale: float, scan: Scan) -> tuple[Face, ...]:
    """The faces in one grey frame, in displayed pixels (`scale` from the analysed frame). A
    face that only the profile cascade finds, either way turned, is a turned face."""
    smallest = max(min(grey.shape) // scan.smallest, _WINDOW)
    frontal = _detect(_cascade("haarcascade_frontalface_alt.xml"), grey, smallest, scan.step)
    if frontal:
        return tuple(_face(box, scale, turned=False) for box in frontal)
    profile = _cascade("haarcascade_profileface.xml")  # trained on faces turned one way
    right = _detect(profile, grey, smallest, scan.step)
    if right:
        return tuple(_face(box, scale, turned=True) for box in right)
    flipped = _detect(profile, grey[:, ::-1], smallest, scan.step)  # the other way
    mirror = grey.shape[1]
    return tuple(_face((mirror - x - w, y, w, h), scale, turned=True) for x, y, w, h in flipped)


def _detect(
    cascade: Any, grey: Grey, smallest: int, step: float
) -> list[tuple[int, int, int, int]]:
    boxes = cascade.detectMultiScale(
        grey, scaleFactor=step, minNeighbors=5, minSize=(smallest, smallest)
    )
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in boxes]


def _face(box: tuple[int, int, int, int], scale: float, turned: bool) -> Face:
    x, y, w, h = (round(v * scale) for v in box)
    return Face(x, y, w, h, turned)
