"""The video hints are commands that work: run each, probe the output, and the rule is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.media import make_video, run_hint
from helpers.media_video import make_long_video, remux

from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.probe.facts import VideoFacts
from preflight.report import Finding
from preflight.rules import video
from preflight.rules.base import Subject

FULL_HD: dict[str, Any] = {"width": 1920, "height": 1080, "audio": True}


def check(path: Path) -> list[Finding]:
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE_GENERAL"], probe_file(path, path.name))
    assert subject.file.problem is None, subject.file.problem
    return list(video.check(subject))


def fix(path: Path, rule: str, *speed: str) -> list[Finding]:
    """The one finding of the source is `rule`; the findings of its fixed output."""
    findings = check(path)
    assert [f.rule for f in findings] == [rule]
    before = path.stat().st_mtime_ns
    fixed = check(run_hint(findings[0].hint, path.parent, *speed))
    assert path.stat().st_mtime_ns == before
    return fixed


def test_fps_hint(tmp_path: Path) -> None:
    path = make_long_video(tmp_path / "talk.mp4", 61, fps=24, **FULL_HD)
    assert fix(path, "video.fps", "-preset", "ultrafast") == []


def test_container_hint(tmp_path: Path) -> None:
    source = make_long_video(tmp_path / "source.mp4", 61, **FULL_HD)
    path = remux(source, tmp_path / "talk.mp4", "matroska")
    source.unlink()
    assert fix(path, "video.container") == []


def test_duration_hint(tmp_path: Path) -> None:
    path = make_long_video(tmp_path / "talk.mp4", 601, **FULL_HD)
    assert fix(path, "video.duration") == []


# Geometry hints on one-second clips: only the geometry rules are asked about the output.
GEOMETRY = {"video.resolution", "video.aspect", "video.pixel-aspect"}


@pytest.mark.parametrize(
    ("rule", "options"),
    [
        ("video.resolution", {"width": 1280, "height": 720, "rotation": 90}),
        ("video.aspect", {"width": 1440, "height": 1080}),
        ("video.pixel-aspect", {"width": 1440, "height": 1080, "sar": "4/3"}),
    ],
)
def test_geometry_hints(tmp_path: Path, rule: str, options: dict[str, Any]) -> None:
    path = make_video(tmp_path / "clip.mp4", audio=False, **options)
    finding = next(f for f in check(path) if f.rule == rule)
    fixed = run_hint(finding.hint, tmp_path, "-preset", "ultrafast")
    assert {f.rule for f in check(fixed)} & GEOMETRY == set()
    portrait = options.get("rotation") == 90
    facts = probe_file(fixed, fixed.name).media
    assert isinstance(facts, VideoFacts)
    size = (facts.display_width, facts.display_height)
    assert size == ((1080, 1920) if portrait else (1920, 1080))
