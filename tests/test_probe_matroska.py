"""Matroska video headers that libmediainfo does not give, on real files made by ffmpeg: the
rotation ffmpeg writes as the track's projection, the frame rate the track declares, and the
average of a variable rate."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.facts import findings
from helpers.media import make_video, run_ffmpeg

from preflight.probe import probe_file
from preflight.probe.facts import VideoFacts
from preflight.probe.mpegts import WINDOW


def video_facts(path: Path) -> VideoFacts:
    facts = probe_file(path, path.name)
    assert facts.format == "mkv" and facts.problem is None, facts.problem
    assert isinstance(facts.media, VideoFacts)
    return facts.media


def make_vfr_mkv(path: Path, seconds: int, size: str = "64x36", crf: int = 51) -> Path:
    """A variable-rate Matroska (as OBS and screen recorders write): the first half at
    30 fps, the second at 60; ffmpeg declares 60 fps in the track."""
    run_ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=60", "-t", str(seconds)),
        *("-vf", f"select='gte(t,{seconds / 2})+not(mod(n,2))'", "-fps_mode", "passthrough"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-crf", str(crf), "-pix_fmt", "yuv420p"),
        *("-f", "matroska", str(path)),
    )
    return path


@pytest.mark.parametrize(("rotation", "clockwise"), [(90, 270), (-90, 90), (270, 90), (180, 180)])
def test_the_rotation_ffmpeg_writes_is_read(tmp_path: Path, rotation: int, clockwise: int) -> None:
    # ffmpeg turns the display matrix (counter-clockwise degrees) into the pose roll of a
    # flat projection; libmediainfo reports no rotation for it.
    path = make_video(tmp_path / "turned.mkv", width=64, height=36, rotation=rotation, audio=False)
    video = video_facts(path)
    assert (video.width, video.height, video.rotation) == (64, 36, clockwise)
    turned = clockwise in (90, 270)
    assert (video.display_width, video.display_height) == ((36, 64) if turned else (64, 36))


@pytest.mark.parametrize(
    ("codec", "fps"),
    [(("-c:v", "libx265", "-x265-params", "log-level=none"), 25.0), (("-r", "120"), 120.0)],
)
def test_the_declared_frame_rate_is_read(
    tmp_path: Path, codec: tuple[str, ...], fps: float
) -> None:
    # libmediainfo's first frames give no rate: HEVC's reordered frames, and 120 fps frames
    # 8 or 9 ms apart in millisecond timestamps. The track's DefaultDuration does.
    path = make_video(tmp_path / "rate.mkv", width=64, height=36, fps=fps, audio=False, extra=codec)
    facts = probe_file(path, path.name)
    assert isinstance(facts.media, VideoFacts)
    assert facts.media.fps == pytest.approx(fps, rel=1e-6)
    assert "file.unjudged" not in {f.rule for f in findings(facts)}


def test_the_average_of_a_variable_rate_is_frames_over_duration(tmp_path: Path) -> None:
    # libmediainfo's reading of the first frames says 30 fps, the track 60: 90 frames in 2 s.
    video = video_facts(make_vfr_mkv(tmp_path / "vfr.mkv", 2))
    assert video.fps == pytest.approx(45, rel=1e-3)
    assert video.fps_mode == "VFR"


def test_a_variable_rate_too_large_to_count_is_unjudged(tmp_path: Path) -> None:
    path = make_vfr_mkv(tmp_path / "long.mkv", 20, size="320x180", crf=20)
    assert path.stat().st_size > WINDOW
    facts = probe_file(path, path.name)
    assert isinstance(facts.media, VideoFacts) and facts.media.fps is None
    unjudged = [f for f in findings(facts) if f.rule == "file.unjudged"]
    assert [f.actual for f in unjudged] == ["video.fps"]
    assert "varies" in unjudged[0].message
