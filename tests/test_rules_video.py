"""video.* rules on real files: each fires on a failing file and stays silent on a passing one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.media import make_sparse_video, make_video
from helpers.media_video import make_long_video, make_vfr_video

from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.probe.facts import VideoFacts
from preflight.report import Finding
from preflight.rules import video
from preflight.rules.base import Subject

GB = 1024**3
SMALL: dict[str, Any] = {"width": 320, "height": 180, "audio": False}


def check(path: Path, make_type: str = "IMAGE") -> list[Finding]:
    subject = Subject("MaterialCosUrl", MAKE_TYPES[make_type], probe_file(path, path.name))
    assert subject.file.problem is None, subject.file.problem
    return list(video.check(subject))


def fired(path: Path, make_type: str = "IMAGE") -> set[str]:
    return {finding.rule for finding in check(path, make_type)}


def only(path: Path, rule: str, make_type: str = "IMAGE") -> Finding:
    found = [finding for finding in check(path, make_type) if finding.rule == rule]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("video")


@pytest.fixture(scope="module")
def clip_1080p(folder: Path) -> Path:
    """One second of 1080p, 25 fps: the source of the sparse files."""
    return make_video(folder / "clip.mp4", audio=False)


@pytest.fixture(scope="module")
def clip_4k(folder: Path) -> Path:
    return make_video(folder / "clip4k.mp4", width=3840, height=2160, audio=False)


def test_a_good_video_passes(tmp_path: Path) -> None:
    path = make_long_video(tmp_path / "good.mp4", 120, width=1920, height=1080, audio=True)
    assert check(path) == []
    assert check(path, "IMAGE_GENERAL") == []


def test_rule_ids_are_the_catalogue() -> None:
    assert [rule.id for rule in video.RULES] == [
        "video.container",
        "video.size",
        "video.duration",
        "video.resolution",
        "video.aspect",
        "video.pixel-aspect",
        "video.fps",
        "video.vfr",
        "video.no-video-track",
    ]


# video.fps


@pytest.mark.parametrize(
    ("fps", "message"),
    [
        (24, "frame rate 24 fps is below 25 fps"),
        (24000 / 1001, "frame rate 23.976 fps is below 25 fps"),
        (61, "frame rate 61 fps is above 60 fps"),
        (120, "frame rate 120 fps is above 60 fps"),
    ],
)
def test_fps_outside_the_range(tmp_path: Path, fps: float, message: str) -> None:
    finding = only(make_video(tmp_path / "clip.mp4", fps=fps, **SMALL), "video.fps")
    assert finding.message == message
    assert finding.actual == pytest.approx(fps, abs=0.001)
    assert finding.limit == "25–60 fps"
    target = "fps=25" if fps < 25 else "fps=60"
    assert finding.hint is not None
    assert target in finding.hint
    assert "-c:a copy" in finding.hint


@pytest.mark.parametrize("fps", [25, 30000 / 1001, 50, 60000 / 1001, 60])
def test_fps_inside_the_range(tmp_path: Path, fps: float) -> None:
    assert "video.fps" not in fired(make_video(tmp_path / "clip.mp4", fps=fps, **SMALL))


# video.vfr


def test_vfr_inside_the_range_is_a_warning(tmp_path: Path) -> None:
    finding = only(make_vfr_video(tmp_path / "vfr.mp4", 25, 50), "video.vfr")
    assert finding.severity == "warning"
    assert finding.message == "variable frame rate from 25 to 50 fps (average 37.5 fps)"
    assert finding.actual == [25.0, 50.0]
    assert finding.hint is not None
    assert "fps=" in finding.hint


def test_vfr_says_which_rate_leaves_the_range(tmp_path: Path) -> None:
    path = make_vfr_video(tmp_path / "vfr.mp4", 20, 40)
    finding = only(path, "video.vfr")
    assert "from 20 to 40 fps" in finding.message
    assert finding.message.endswith("; 20 fps is outside 25–60 fps")
    assert "video.fps" not in fired(path)  # the average, 30 fps, is inside


def test_constant_rate_is_not_vfr(clip_1080p: Path) -> None:
    assert "video.vfr" not in fired(clip_1080p)


# video.resolution, video.aspect, video.pixel-aspect


def test_rotated_1080p_is_a_9_16_video(tmp_path: Path) -> None:
    path = make_video(tmp_path / "portrait.mp4", rotation=90, audio=False)
    assert fired(path) & {"video.resolution", "video.aspect", "video.pixel-aspect"} == set()


def test_720p_is_not_an_allowed_resolution(tmp_path: Path) -> None:
    path = make_video(tmp_path / "hd.mp4", width=1280, height=720, audio=False)
    finding = only(path, "video.resolution")
    assert finding.message == (
        "displayed size 1280×720 is not 1920×1080, 1080×1920, 3840×2160 or 2160×3840"
    )
    assert finding.actual == "1280×720"
    assert finding.hint is not None
    assert "scale=1920:1080" in finding.hint
    assert "video.aspect" not in fired(path)


def test_rotated_720p_keeps_its_orientation_in_the_hint(tmp_path: Path) -> None:
    path = make_video(tmp_path / "hd.mp4", width=1280, height=720, rotation=90, audio=False)
    finding = only(path, "video.resolution")
    assert "720×1280 (stored 1280×720, rotated" in finding.message
    assert finding.hint is not None
    assert "scale=1080:1920" in finding.hint


def test_4_3_video_fails_aspect_and_resolution(tmp_path: Path) -> None:
    path = make_video(tmp_path / "tv.mp4", width=1440, height=1080, audio=False)
    assert fired(path) >= {"video.aspect", "video.resolution"}
    assert "video.pixel-aspect" not in fired(path)
    finding = only(path, "video.aspect")
    assert finding.message.startswith("display aspect 1.333 (4:3) is not 16:9")
    assert finding.hint is not None
    assert "pad=1920:1080" in finding.hint


def test_anamorphic_16_9_fails_pixel_aspect(tmp_path: Path) -> None:
    path = make_video(tmp_path / "hdv.mp4", width=1440, height=1080, sar="4/3", audio=False)
    finding = only(path, "video.pixel-aspect")
    assert finding.actual == pytest.approx(4 / 3, abs=0.001)
    assert finding.hint is not None
    assert "setsar=1" in finding.hint
    assert fired(path) - {"video.duration"} == {"video.pixel-aspect"}  # shown 1920×1080, 16:9


def test_4k_studio_needs_4k(clip_1080p: Path, clip_4k: Path) -> None:
    finding = only(clip_1080p, "video.resolution", "IMAGE_4K")
    assert finding.message.endswith("is not 3840×2160 or 2160×3840; IMAGE_4K needs 4K")
    assert finding.hint is not None
    assert "scale=3840:2160" in finding.hint
    assert "video.resolution" not in fired(clip_4k, "IMAGE_4K")
    assert "video.resolution" not in fired(clip_4k, "IMAGE")


# video.container, video.no-video-track


@pytest.mark.parametrize(
    ("container", "fmt", "words"),
    [("matroska", "mkv", "MKV (Matroska)"), ("webm", "webm", "WEBM"), ("avi", "avi", "AVI")],
)
def test_other_containers_named_mp4(tmp_path: Path, container: str, fmt: str, words: str) -> None:
    codec = "libvpx" if container == "webm" else "libx264"
    path = make_video(tmp_path / "clip.mp4", codec=codec, extra=("-f", container), **SMALL)
    finding = only(path, "video.container")
    assert finding.actual == fmt
    assert finding.message == (
        f"the content is {words}, not MP4 or MOV, although the name ends in '.mp4'"
    )
    assert finding.hint is not None
    assert "clip-remux.mp4" in finding.hint


@pytest.mark.parametrize("name", ["clip.mp4", "clip.mov"])
def test_mp4_and_mov_pass(tmp_path: Path, name: str) -> None:
    assert "video.container" not in fired(make_video(tmp_path / name, **SMALL))


def test_audio_only_mov_has_no_video_track(tmp_path: Path) -> None:
    path = make_video(tmp_path / "voice.mov", video=False, duration=2)
    findings = check(path)
    assert [f.rule for f in findings] == ["video.no-video-track"]
    assert findings[0].message == "the file has no video track: it holds only audio (AAC, 2 s)"


def test_a_video_track_is_enough(clip_1080p: Path) -> None:
    assert "video.no-video-track" not in fired(clip_1080p)


# video.duration


@pytest.fixture(scope="module")
def durations(folder: Path) -> dict[int, Path]:
    return {s: make_long_video(folder / f"{s}s.mp4", s) for s in (59, 60, 119, 120, 600, 601)}


@pytest.mark.parametrize(
    ("seconds", "make_type", "message"),
    [
        (119, "IMAGE", "duration 1 min 59 s is below the 2 min minimum for IMAGE (Studio Avatar)"),
        (
            119,
            "IMAGE_4K",
            "duration 1 min 59 s is below the 2 min minimum for IMAGE_4K (4K Studio Avatar)",
        ),
        (
            59,
            "IMAGE_GENERAL",
            "duration 59 s is below the 1 min minimum for IMAGE_GENERAL (Instant Avatar)",
        ),
        (601, "IMAGE", "duration 10 min 1 s is above the 10 min maximum for IMAGE (Studio Avatar)"),
        (
            601,
            "IMAGE_GENERAL",
            "duration 10 min 1 s is above the 10 min maximum for IMAGE_GENERAL (Instant Avatar)",
        ),
    ],
)
def test_duration_outside_the_range(
    durations: dict[int, Path], seconds: int, make_type: str, message: str
) -> None:
    finding = only(durations[seconds], "video.duration", make_type)
    assert finding.message == message
    assert finding.actual == seconds
    low = MAKE_TYPES[make_type].min_duration_s
    assert finding.limit == f"{low:g}–600 s"
    if seconds > 600:
        assert finding.hint is not None
        assert "-t 599" in finding.hint
    else:
        assert finding.hint is None


@pytest.mark.parametrize(
    ("seconds", "make_type"),
    [
        (120, "IMAGE"),
        (600, "IMAGE"),
        (60, "IMAGE_GENERAL"),
        (119, "IMAGE_GENERAL"),
        (600, "IMAGE_GENERAL"),
        (120, "IMAGE_4K"),
    ],
)
def test_duration_inside_the_range(
    durations: dict[int, Path], seconds: int, make_type: str
) -> None:
    assert "video.duration" not in fired(durations[seconds], make_type)


# video.size: sparse files, no disk


@pytest.mark.parametrize(
    ("clip", "size", "make_type", "fires"),
    [
        ("1080p", 5 * GB + 1, "IMAGE", True),
        ("1080p", 5 * GB, "IMAGE", False),
        ("1080p", 6 * GB, "IMAGE_4K", False),  # a 4K type's cap is 10 GB
        ("1080p", 10 * GB + 1, "IMAGE_4K", True),
        ("4k", 9 * GB, "IMAGE", False),  # a 4K video gets 10 GB whatever the type
        ("4k", 10 * GB, "IMAGE_GENERAL", False),
        ("4k", 10 * GB + 1, "IMAGE", True),
    ],
)
def test_size(
    tmp_path: Path,
    clip_1080p: Path,
    clip_4k: Path,
    clip: str,
    size: int,
    make_type: str,
    fires: bool,
) -> None:
    source = clip_4k if clip == "4k" else clip_1080p
    path = make_sparse_video(source, tmp_path / "big.mp4", size)
    findings = [f for f in check(path, make_type) if f.rule == "video.size"]
    assert bool(findings) == fires
    if fires:
        cap = "10 GB" if size > 10 * GB else "5 GB"
        assert findings[0].actual == size
        assert findings[0].limit == f"≤ {cap}"
        assert f"{size:,} bytes" in findings[0].message
        assert findings[0].hint is not None
        assert "-crf 23" in findings[0].hint


# unknown facts never fire


def test_mpeg_ts_is_judged_in_full(tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.ts", **SMALL)
    finding = only(path, "video.container")
    assert finding.actual == "mpeg-ts"
    assert finding.message == "the content is MPEG-TS, not MP4 or MOV"
    facts = probe_file(path, path.name).media
    assert isinstance(facts, VideoFacts)
    assert facts.fps == 25.0  # from its timestamps: libmediainfo gives none (probe.mpegts)
    assert "file.unjudged" not in fired(path)
