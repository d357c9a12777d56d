"""MPEG-TS timing on real transport streams made by ffmpeg: the duration and frame rate come
from the video's timestamps, exact where libmediainfo's container estimate is long (600.08 s
for a 600.000 s file) and where it gives no frame rate at all (x264 in a TS)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.facts import findings
from helpers.media import run_ffmpeg

from preflight.probe import probe_file
from preflight.probe.facts import VideoFacts
from preflight.probe.mpegts import WINDOW


def make_ts(
    path: Path,
    frames: int,
    rate: str = "25",
    *,
    codec: tuple[str, ...] = ("-c:v", "libx264", "-preset", "ultrafast"),
    extra: tuple[str, ...] = (),
    size: str = "64x36",
) -> Path:
    """`frames` frames at `rate` fps of a tiny H.264 picture, in an MPEG-TS (what ffmpeg and
    OBS write); a 600 s file takes half a second to make."""
    run_ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}"),
        *("-frames:v", str(frames), *codec, "-pix_fmt", "yuv420p", *extra),
        *("-f", "mpegts", str(path)),
    )
    return path


def video_facts(path: Path) -> VideoFacts:
    facts = probe_file(path, path.name)
    assert facts.format == "mpeg-ts" and facts.problem is None, facts.problem
    assert isinstance(facts.media, VideoFacts)
    return facts.media


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ts")


@pytest.mark.parametrize(("frames", "seconds"), [(15000, 600.0), (15001, 600.04)])
def test_the_duration_at_the_bound_is_exact(folder: Path, frames: int, seconds: float) -> None:
    video = video_facts(make_ts(folder / f"{frames}.ts", frames))
    assert video.duration_s == pytest.approx(seconds, abs=1e-9)
    rules = {f.rule for f in findings(probe_file(folder / f"{frames}.ts", "tom.ts"))}
    assert "video.container" in rules  # the API takes MP4 or MOV: a TS fails anyway
    assert ("video.duration" in rules) == (seconds > 600)


def test_the_frame_rate_of_x264_in_a_ts_is_read(folder: Path) -> None:
    """x264 marks its stream as of no fixed rate: libmediainfo gives none at any parse speed
    short of reading the file through; the timestamps give 25 fps."""
    video = video_facts(make_ts(folder / "25.ts", 50))
    assert video.fps == 25.0 and video.codec == "AVC"
    assert video.duration_s == pytest.approx(2.0, abs=1e-9)


def test_video_fps_judges_a_ts(folder: Path) -> None:
    path = make_ts(folder / "24.ts", 48, "24")
    found = [f for f in findings(probe_file(path, "tom.ts")) if f.rule == "video.fps"]
    assert [f.actual for f in found] == [24.0]
    assert "file.unjudged" not in {f.rule for f in findings(probe_file(path, "tom.ts"))}


def test_b_frames_ntsc_rate_and_m2ts_packets(folder: Path) -> None:
    """Frames stored out of presentation order, 30000/1001 fps, 192-byte packets (AVCHD)."""
    path = make_ts(
        folder / "ntsc.m2ts",
        210,
        "30000/1001",
        codec=("-c:v", "libx264", "-preset", "veryfast", "-bf", "3"),
        extra=("-mpegts_m2ts_mode", "1"),
    )
    assert path.read_bytes()[4] == 0x47  # a timecode, then the sync byte
    video = video_facts(path)
    assert video.fps == pytest.approx(30000 / 1001)
    assert video.duration_s == pytest.approx(210 * 1001 / 30000, abs=1e-6)


def test_a_codec_rate_is_kept_and_a_long_head_is_bounded(folder: Path) -> None:
    """MPEG-2 video states its rate in its headers: that rate ends the last frame. A stream
    longer than the windows read at each end is timed from its first and last frames."""
    intra = ("-c:v", "mpeg2video", "-q:v", "1", "-g", "1")
    path = make_ts(folder / "mpeg2.ts", 400, codec=intra, size="640x360")
    assert path.stat().st_size > 2 * WINDOW
    video = video_facts(path)
    assert video.fps == 25.0 and video.codec == "MPEG Video"
    assert video.duration_s == pytest.approx(16.0, abs=1e-9)


@pytest.mark.parametrize(("seconds", "fps"), [(2, 45.0), (300, None)])
def test_the_average_of_a_variable_rate(folder: Path, seconds: int, fps: float | None) -> None:
    """Half the time at 30 fps, half at 60 (the codec says 60): 45 fps on average, counted
    when the file fits in the head window; in a larger file the frames between the windows
    are not counted, and video.fps says it could not be judged rather than pass 60."""
    select = ("-vf", f"select='gte(t,{seconds / 2})+not(mod(n,2))'", "-fps_mode", "passthrough")
    path = make_ts(folder / f"vfr{seconds}.ts", seconds * 45, "60", extra=select)
    assert (path.stat().st_size <= WINDOW) == (fps is not None)
    video = video_facts(path)
    assert video.fps == (None if fps is None else pytest.approx(fps, rel=1e-3))
    assert (video.fps_mode, video.duration_s) == ("VFR", pytest.approx(seconds, abs=1e-6))
    unjudged = [f.actual for f in findings(probe_file(path, "tom.ts")) if f.rule == "file.unjudged"]
    assert unjudged == ([] if fps else ["video.fps"])
