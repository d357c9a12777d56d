"""No rule is passed for want of a fact: each family's check that lacks the fact its rule needs
yields file.unjudged (an error) naming the rule and why; files whose facts are all read, or
whose missing facts no rule needs, get none."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.facts import findings, fired, video, voice_zip, wav_entry
from helpers.media import make_video, make_zip, run_ffmpeg, wav_bytes

from preflight.probe import probe_file
from preflight.probe.archive import ENTRIES_READ_MAX
from preflight.probe.facts import VideoFacts
from preflight.report import Finding

UNJUDGED = "file.unjudged"


def unjudged(found: list[Finding]) -> dict[object, str]:
    """The rules that could not be judged → why."""
    return {f.actual: f.message for f in found if f.rule == UNJUDGED}


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        ({"duration_s": None}, ["video.duration"]),
        (
            {"display_width": None, "display_height": None, "display_aspect": None},
            ["video.resolution", "video.aspect"],
        ),
        ({"pixel_aspect": None}, ["video.pixel-aspect"]),
        ({"fps": None}, ["video.fps"]),
        ({"fps_mode": None}, ["video.vfr"]),
    ],
)
def test_each_video_rule_without_its_fact(changes: dict[str, object], rules: list[str]) -> None:
    found = findings(video(**changes))
    assert list(unjudged(found)) == rules
    assert all(f.severity == "error" for f in found if f.rule == UNJUDGED)
    assert {f.rule for f in found} == {UNJUDGED}  # nothing else fires: the rest passes


def test_the_message_says_which_rule_and_why() -> None:
    [finding] = findings(video(fps=None))
    assert finding.message == "video.fps could not be judged: the file's headers give no frame rate"
    assert finding.limit == "video.fps: 25–60 fps"


def test_what_no_rule_needs_is_no_finding() -> None:
    """No duration range without a make type; no frame-rate mode outside MP4 and MOV (their
    index times every frame; other containers fail video.container); no audio track, no
    minimum and maximum rates of a constant-rate video."""
    assert UNJUDGED not in fired(video(duration_s=None), make_type=None)
    assert fired(video(path="v/tom.mkv", format="mkv", fps_mode=None)) == {"video.container"}
    assert fired(video(audio_tracks=0, fps_min=None, fps_max=None)) == set()


def test_h264_in_mpeg_ps_gives_no_frame_rate_and_says_so(tmp_path: Path) -> None:
    """A real file whose frame rate libmediainfo does not give: video.fps is not passed."""
    path = tmp_path / "tom.mpg"
    run_ffmpeg(
        *("-f", "lavfi", "-i", "testsrc=size=64x36:rate=25", "-t", "2"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "vob"),
        str(path),
    )
    facts = probe_file(path, "tom.mpg")
    assert isinstance(facts.media, VideoFacts) and facts.media.fps is None
    assert list(unjudged(findings(facts))) == ["video.fps"]


@pytest.mark.parametrize("suffix", ["mp4", "mov", "mkv", "avi", "ts"])
def test_real_videos_of_every_container_lack_no_fact(tmp_path: Path, suffix: str) -> None:
    path = make_video(tmp_path / f"tom.{suffix}", width=64, height=36, audio=suffix != "mp4")
    assert unjudged(findings(probe_file(path, path.name))) == {}


def test_zip_entries_past_the_read_budget(tmp_path: Path) -> None:
    members = {f"{i:03}.wav": wav_bytes(seconds=0.01) for i in range(ENTRIES_READ_MAX + 3)}
    facts = probe_file(make_zip(tmp_path / "voice.zip", members), "voice.zip")
    reasons = unjudged(findings(facts, "VOICE"))
    assert list(reasons) == ["zip.non-wav"]
    assert "the content of 3 entries was not read" in reasons["zip.non-wav"]
    assert UNJUDGED not in fired(voice_zip(wav_entry()), "VOICE")
