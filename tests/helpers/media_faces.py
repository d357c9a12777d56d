"""Real photos and videos with real faces, for the face analysis: made with Pillow (and ffmpeg,
fed Pillow's frames) from one committed photograph, a crop of NASA's public-domain portrait of
Eileen Collins that scikit-image ships as `data.astronaut()` (tests/data/astronaut-face.jpg,
300 × 300, the face about 95 px)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image, ImageDraw

from helpers.media import ffmpeg_exe

FACE = Path(__file__).resolve().parent.parent / "data" / "astronaut-face.jpg"
BACKDROP = (92, 118, 96)  # a plain green-grey wall


def face_crop(side: int) -> Image.Image:
    with Image.open(FACE) as photo:
        return photo.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)


def face_photo(
    path: Path,
    *,
    size: tuple[int, int] = (600, 600),
    faces: tuple[tuple[int, int, int], ...] | None = None,
    orientation: int = 1,
) -> Path:
    """A photo of `size` with the portrait pasted at each (x, y, side) of `faces` (by default
    one, as wide as the photo's shorter side, at the top left) on a plain wall. With an EXIF
    `orientation`, the pixels are stored so that the photo displays as described (6: stored
    turned a quarter counter-clockwise)."""
    canvas = Image.new("RGB", size, BACKDROP)
    for x, y, side in faces or ((0, 0, min(size)),):
        canvas.paste(face_crop(side), (x, y))
    stored = canvas.transpose(_STORED[orientation]) if orientation != 1 else canvas
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(path, quality=90, exif=exif.tobytes())
    return path


# What stores a displayed picture so that EXIF orientation 3, 6 or 8 shows it upright.
_STORED = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}


def landscape(path: Path, size: tuple[int, int] = (800, 600)) -> Path:
    """A photo with no face: sky, hills, a sun."""
    width, height = size
    image = Image.new("RGB", size, (135, 180, 230))
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(0, height), (0, height // 2), (width // 3, height // 3), (width, height)],
        fill=(70, 120, 60),
    )
    draw.polygon(
        [
            (width // 4, height),
            (width * 2 // 3, height // 2),
            (width, height * 2 // 3),
            (width, height),
        ],
        fill=(50, 100, 45),
    )
    draw.ellipse((width - 160, 40, width - 80, 120), fill=(250, 220, 90))
    image.save(path, quality=90)
    return path


Scene = Callable[[int], Image.Image]  # frame number → the picture


def presenter(size: tuple[int, int], side: int, *, leaves_at: float | None = None) -> Scene:
    """The portrait in the middle of the frame, swaying a few pixels (a live picture, never a
    frozen one); from `leaves_at` seconds on (at 25 fps) only the wall."""

    def frame(number: int) -> Image.Image:
        canvas = Image.new("RGB", size, BACKDROP)
        if leaves_at is None or number < leaves_at * 25:
            sway = (number % 10) - 5
            canvas.paste(face_crop(side), ((size[0] - side) // 2 + sway, (size[1] - side) // 3))
        return canvas

    return frame


def face_video(
    path: Path, scene: Scene, seconds: float, size: tuple[int, int], *, rotation: int = 0
) -> Path:
    """An H.264 MP4 of the scene's frames at 25 fps, a keyframe a second, stored turned so that
    a display `rotation` (degrees, as phones write it) shows the scene upright."""
    frames = round(seconds * 25)
    stored = size if rotation in (0, 180) else (size[1], size[0])
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{stored[0]}x{stored[1]}", "-r", "25",
        "-i", "pipe:0",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
        str(path if rotation == 0 else path.with_name(f".unrotated-{path.name}")),
    ]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE) as encoder:
        assert encoder.stdin is not None
        for picture in _pictures(scene, frames):
            turned = picture.rotate(-rotation, expand=True) if rotation else picture
            encoder.stdin.write(turned.tobytes())
        encoder.stdin.close()
    assert encoder.returncode == 0
    if rotation:
        unrotated = path.with_name(f".unrotated-{path.name}")
        subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
             "-display_rotation", str(rotation), "-i", str(unrotated), "-c", "copy", str(path)],
            check=True,
        )  # fmt: skip
        unrotated.unlink()
    return path


def _pictures(scene: Scene, frames: int) -> Iterator[Image.Image]:
    return (scene(number) for number in range(frames))
