"""Rules' edge cases on facts built directly (tests/helpers/facts.py): bounds are inclusive,
tolerances are exact, and the make type decides. The same rules on real files are in the
test_rules_* modules beside this one."""

from __future__ import annotations

import pytest
from helpers.facts import audio, fired, photo, video, voice_zip, wav_entry

from preflight.limits import GB, MB
from preflight.probe.facts import WavFacts


@pytest.mark.parametrize(
    ("make_type", "seconds", "fails"),
    [
        ("IMAGE", 119.999, True),
        ("IMAGE", 120.0, False),
        ("IMAGE", 600.0, False),
        ("IMAGE", 600.001, True),
        ("IMAGE_GENERAL", 60.0, False),
        ("IMAGE_GENERAL", 59.999, True),
        ("IMAGE_4K", 119.0, True),
    ],
)
def test_durations_are_inclusive_per_make_type(make_type: str, seconds: float, fails: bool) -> None:
    four_k = {"display_width": 3840, "display_height": 2160} if make_type == "IMAGE_4K" else {}
    assert ("video.duration" in fired(video(duration_s=seconds, **four_k), make_type)) == fails


@pytest.mark.parametrize(
    ("fps", "fails"), [(24.999, True), (25.0, False), (60.0, False), (60.01, True)]
)
def test_frame_rate_bounds(fps: float, fails: bool) -> None:
    assert ("video.fps" in fired(video(fps=fps))) == fails


@pytest.mark.parametrize(
    ("aspect", "fails"),
    [(16 / 9 * 1.0099, False), (16 / 9 * 1.0101, True), (9 / 16 * 0.991, False)],
)
def test_display_aspect_tolerance_is_one_percent(aspect: float, fails: bool) -> None:
    assert ("video.aspect" in fired(video(display_aspect=aspect))) == fails


def test_4k_video_size_cap_and_4k_only_make_type() -> None:
    four_k = video(display_width=3840, display_height=2160, size=10 * GB)
    assert fired(four_k) == set()
    assert fired(video(size=5 * GB)) == set()
    assert fired(video(size=5 * GB + 1)) == {"video.size"}
    assert fired(video(), "IMAGE_4K") == {"video.resolution"}


def test_zip_count_bounds_and_declared_total() -> None:
    ten = voice_zip(*(wav_entry(f"t{i}.wav") for i in range(10)))
    assert fired(ten, "VOICE") == set()
    assert (
        fired(voice_zip(wav_entry(size=GB // 2), wav_entry("b.wav", size=GB // 2)), "VOICE")
        == set()
    )
    at_the_bound = wav_entry(wav=WavFacts(24_000, 1, "PCM_16", 1.0))
    assert fired(voice_zip(at_the_bound), "VOICE") == set()


def test_photo_and_driver_size_caps_are_inclusive() -> None:
    assert fired(photo(size=16 * MB), "IMAGE_PHOTO") == set()
    assert fired(photo(size=16 * MB + 1), "IMAGE_PHOTO") == {"photo.size"}
    assert fired(audio(size=10 * MB), "IMAGE", "VoiceDriverCosFile") == set()
    assert fired(audio(size=10 * MB + 1), "IMAGE", "VoiceDriverCosFile") == {"driver.size"}


def test_unknown_make_type_judges_only_what_the_field_says() -> None:
    """MaterialCosUrl with an unknown MakeType: its kind cannot be judged; the driver can."""
    assert fired(photo(), None) == set()
    assert fired(audio("audio/d.ogg", "ogg"), None, "VoiceDriverCosFile") == {"driver.format"}
