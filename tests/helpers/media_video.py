"""More real video makers for the video family's tests: long, variable-rate, remuxed."""

from __future__ import annotations

from pathlib import Path

from helpers.media import make_video, run_ffmpeg


def make_long_video(
    path: Path,
    seconds: int,
    *,
    width: int = 320,
    height: int = 180,
    fps: float = 25,
    audio: bool = False,
    extra: tuple[str, ...] = (),
) -> Path:
    """A video of exactly `seconds` s: one encoded second, looped by stream copy (cheap at
    any length); the optional silent audio track is encoded at the full length."""
    base = make_video(
        path.with_name(f".base-{path.stem}.mp4"), width=width, height=height, fps=fps, audio=False
    )
    args = ["-stream_loop", str(seconds - 1), "-i", str(base)]
    if audio:
        args += [
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=24000:cl=mono",
            "-t",
            str(seconds),
            "-c:a",
            "aac",
            "-b:a",
            "16k",
        ]
    run_ffmpeg(*args, "-c:v", "copy", *extra, str(path))
    base.unlink()
    return path


def make_vfr_video(path: Path, low: int, high: int) -> Path:
    """A real variable-frame-rate MP4: one second at `low` fps, then one second at `high`
    fps (every frame of a `high` fps source after 1 s, every n-th before it, timestamps
    kept as they are)."""
    step = high // low
    assert step * low == high, "high must be a multiple of low"
    run_ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"color=c=gray:size=320x180:rate={high}",
        "-t",
        "2",
        "-vf",
        f"select='gte(t,1)+not(mod(n,{step}))'",
        "-fps_mode",
        "passthrough",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-video_track_timescale",
        "1000",
        str(path),
    )
    return path


def remux(source: Path, target: Path, container: str) -> Path:
    """`source`'s streams copied into another container (`-f matroska`, …), whatever the
    target's name says."""
    run_ffmpeg("-i", str(source), "-c", "copy", "-f", container, str(target))
    return target
