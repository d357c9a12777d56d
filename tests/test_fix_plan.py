"""The plan's edge cases on facts built directly: which frame rate, which frame, when a size
cap, when not fixable (the real files are the other test_fix_* modules')."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.facts import findings, video, voice_zip, wav_entry

from preflight.fix.plan import FilePlan, Unfixable, plan_file
from preflight.limits import MAKE_TYPES
from preflight.probe.facts import FileFacts


def _plan(facts: FileFacts, make_type: str = "IMAGE") -> tuple[FilePlan | None, list[Unfixable]]:
    found = findings(facts, make_type)
    return plan_file("MaterialCosUrl", MAKE_TYPES[make_type], facts, Path(facts.path), found)


def _output(facts: FileFacts, make_type: str = "IMAGE") -> dict[str, Any]:
    plan, _ = _plan(facts, make_type)
    assert plan is not None and plan.encode is not None
    return dict(plan.encode.output)


@pytest.mark.parametrize(
    ("changes", "rate"),
    [
        ({"fps": 23.976}, "fps=25"),
        ({"fps": 24.0}, "fps=25"),
        ({"fps": 120.0}, "fps=60"),
        ({"fps": 61.0}, "fps=60"),
        ({"fps": 29.2, "fps_mode": "VFR", "fps_min": 20.0, "fps_max": 31.0}, "fps=30"),
        ({"fps": 48.0, "fps_mode": "VFR", "fps_min": 40.0, "fps_max": 60.0}, "fps=50"),
    ],
)
def test_frame_rate_into_25_to_60(changes: dict[str, Any], rate: str) -> None:
    assert _output(video(**changes))["vf"] == rate


def test_4k_with_the_wrong_aspect_stays_4k() -> None:
    wide = video(width=4096, height=2160, display_width=4096, display_height=2160)
    assert _output(wide, "IMAGE_4K")["vf"].startswith("scale=3840:2160:")


def test_a_portrait_far_above_1080p_becomes_4k_portrait() -> None:
    tall = video(width=2400, height=4000, display_width=2400, display_height=4000)
    tall = video(**{**vars(tall.media), "display_aspect": 0.6})
    assert _output(tall)["vf"].startswith("scale=2160:3840:")


def test_over_the_cap_gets_a_rate_from_the_duration() -> None:
    big = video(size=6 * 1024**3, duration_s=300.0)
    output = _output(big)
    assert output["maxrate"] <= 5 * 1024**3 * 8 / 300 and output["bufsize"] == 2 * output["maxrate"]


def test_container_alone_is_a_remux_and_another_codec_is_reencoded() -> None:
    assert _output(video(format="mkv"))["c:v"] == "copy"
    assert _output(video(format="mkv", codec="ProRes"))["c:v"] == "libx264"


def test_no_video_track_and_too_short_are_not_fixable() -> None:
    plan, cannot = _plan(video(duration_s=30.0))
    assert plan is None and [u.rule for u in cannot] == ["video.duration"]


def test_voice_zip_of_twelve_is_joined_into_ten() -> None:
    entries = [wav_entry(f"take{n:02}.wav") for n in range(12)]
    plan, _ = _plan(voice_zip(*entries), "VOICE")
    assert plan is not None and len(plan.parts) == 10
    assert [len(p.members) for p in plan.parts] == [2, 2, *[1] * 8]
    assert all(p.convert == (len(p.members) > 1) for p in plan.parts)


def test_voice_zip_names_never_collide() -> None:
    entries = [wav_entry("a b.WAV"), wav_entry("a_b.wav"), wav_entry("x/a b.wav")]
    plan, _ = _plan(voice_zip(*entries), "VOICE")
    assert plan is not None
    assert [p.name for p in plan.parts] == ["a_b.wav", "a_b-2.wav", "a_b-3.wav"]
