"""`preflight fix` on real failing videos: one ffmpeg pass per file, and the copy passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.fixing import NO_DURATION, after_rules, before_rules, fix, only, request
from helpers.media import make_sparse_video, make_video
from helpers.media_video import make_long_video, make_vfr_video
from runner import invoke

from preflight.probe import probe_file
from preflight.probe.facts import VideoFacts


def _video_facts(path: Path) -> VideoFacts:
    facts = probe_file(path, path.name)
    assert isinstance(facts.media, VideoFacts)
    return facts.media


def _fixed(tmp_path: Path, name: str, rules: set[str], make_type: str = "IMAGE") -> Path:
    """Fix the request around `name`: the rules fired before, none after; the new file."""
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    request(tmp_path, make_type, name)
    assert rules <= before_rules(tmp_path)
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 0 and fixed["ok"], fixed["after"]["findings"]
    (written,) = fixed["files"]
    assert rules <= set(written["fixes"])
    return tmp_path / "preflight-fixed" / Path(written["target"]).name


@pytest.mark.parametrize(
    ("options", "rules", "displayed"),
    [
        ({"width": 1280, "height": 720}, {"video.resolution"}, (1920, 1080)),
        ({"width": 640, "height": 480}, {"video.resolution", "video.aspect"}, (1920, 1080)),
        ({"width": 1440, "height": 1080, "sar": "4/3"}, {"video.pixel-aspect"}, (1920, 1080)),
        ({"width": 1920, "height": 1080, "fps": 24}, {"video.fps"}, (1920, 1080)),
        ({"width": 1920, "height": 1080, "fps": 120}, {"video.fps"}, (1920, 1080)),
        ({"width": 1280, "height": 720, "rotation": 90}, {"video.resolution"}, (1080, 1920)),
    ],
    ids=["720p", "4:3", "anamorphic", "24fps", "120fps", "rotated"],
)
def test_each_picture_rule_is_fixed(
    tmp_path: Path, options: dict[str, object], rules: set[str], displayed: tuple[int, int]
) -> None:
    source = make_video(tmp_path / "clip.mp4", duration=0.5, **options)  # type: ignore[arg-type]
    fixed = _video_facts(_fixed(tmp_path, "clip.mp4", rules))
    assert (fixed.display_width, fixed.display_height) == displayed
    assert fixed.rotation == 0 and fixed.pixel_aspect == 1.0
    assert 25 <= (fixed.fps or 0) <= 60 and fixed.audio_tracks == 1
    assert source.exists()


def test_variable_frame_rate_becomes_constant(tmp_path: Path) -> None:
    make_vfr_video(tmp_path / "vfr.mp4", 15, 60)
    fixed = _video_facts(_fixed(tmp_path, "vfr.mp4", {"video.vfr"}))
    assert fixed.fps_mode == "CFR"


def test_container_is_remuxed_without_reencoding(tmp_path: Path) -> None:
    make_video(tmp_path / "clip.mkv", duration=0.5)
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    request(tmp_path, "IMAGE", "clip.mkv")
    _, report = fix(tmp_path, "--dry-run")
    (written,) = only(report)["files"]
    assert "copy" in written["command"] and "libx264" not in written["command"]
    assert _video_facts(_fixed(tmp_path, "clip.mkv", {"video.container"})).codec == "AVC"


def test_combination_in_one_pass(tmp_path: Path) -> None:
    """4:3 at 24 fps in Matroska: one ffmpeg command fixes all three."""
    make_video(tmp_path / "take.mkv", width=640, height=480, fps=24, duration=0.5)
    rules = {"video.container", "video.resolution", "video.aspect", "video.fps"}
    fixed_path = _fixed(tmp_path, "take.mkv", rules)
    assert fixed_path.name == "take.mp4"
    fixed = _video_facts(fixed_path)
    assert (fixed.width, fixed.height, fixed.fps) == (1920, 1080, 25.0)


def test_crop_fills_the_frame(tmp_path: Path) -> None:
    make_video(tmp_path / "clip.mp4", width=640, height=480, duration=0.5)
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    request(tmp_path, "IMAGE", "clip.mp4")
    code, report = fix(tmp_path, "--fit", "crop")
    (written,) = only(report)["files"]
    assert code == 0
    assert any("crop=1920:1080" in part for part in written["command"])


def test_too_long_is_trimmed_by_stream_copy(tmp_path: Path) -> None:
    make_long_video(tmp_path / "long.mp4", 602, width=1920, height=1080)
    request(tmp_path, "IMAGE", "long.mp4")
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 0, fixed["after"]["findings"]
    (written,) = fixed["files"]
    assert written["fixes"] == ["video.duration"] and "copy" in written["command"]
    assert (_video_facts(tmp_path / "preflight-fixed" / "long.mp4").duration_s or 0) <= 600


def test_over_the_size_cap_is_reencoded_under_it(tmp_path: Path) -> None:
    source = make_video(tmp_path / "base.mp4", duration=0.5)
    make_sparse_video(source, tmp_path / "big.mp4", 5 * 1024**3 + 1)
    source.unlink()
    fixed = _fixed(tmp_path, "big.mp4", {"video.size"})
    assert fixed.stat().st_size < 5 * 1024**3


def test_too_short_and_not_4k_are_not_fixable(tmp_path: Path) -> None:
    make_video(tmp_path / "clip.mp4", duration=0.5)
    request(tmp_path, "IMAGE_4K", "clip.mp4")
    _, out = invoke("check", ".", "--no-content", cwd=tmp_path)
    assert "video.resolution" in out and "scale=3840" not in out  # no upscaling offered
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 1 and not fixed["files"]
    reasons = {u["rule"]: u["reason"] for u in fixed["unfixable"]}
    assert "4K material" in reasons["video.resolution"]
    assert "at least 120 s" in reasons["video.duration"]
    assert {"video.duration", "video.resolution"} <= after_rules(fixed)
    messages = [f["message"] for f in fixed["after"]["findings"]]
    assert all("not fixed:" in message for message in messages)


def test_a_mov_named_mp4_is_a_renamed_copy(tmp_path: Path) -> None:
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    make_video(tmp_path / "clip.mp4", duration=0.5, extra=("-f", "mov"))
    request(tmp_path, "IMAGE", "clip.mp4")
    assert "file.extension-mismatch" in before_rules(tmp_path)
    code, report = fix(tmp_path)
    (written,) = only(report)["files"]
    assert code == 0 and written["how"] == "copy" and written["target"].endswith("clip.mov")
    assert "file.extension-mismatch" not in after_rules(only(report))
