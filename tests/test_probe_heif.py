"""HEIC size and rotation from the HEIF boxes, on real HEIC files (an HEVC picture by libx265)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.media_heif import make_heic
from helpers.media_photo import make_heic_like

from preflight.probe import probe_file
from preflight.probe.facts import ImageFacts


@pytest.mark.parametrize(
    ("turns", "orientation", "displayed"),
    [(0, 1, (96, 64)), (1, 8, (64, 96)), (2, 3, (96, 64)), (3, 6, (64, 96))],
)
def test_size_and_rotation(
    tmp_path: Path, turns: int, orientation: int, displayed: tuple[int, int]
) -> None:
    facts = probe_file(make_heic(tmp_path / "p.heic", 96, 64, quarter_turns=turns), "p.heic")
    assert facts.format == "heic" and facts.problem is None
    assert isinstance(facts.media, ImageFacts)
    image = facts.media
    assert (image.width, image.height, image.orientation) == (96, 64, orientation)
    assert (image.display_width, image.display_height) == displayed


def test_without_the_properties_there_is_no_size(tmp_path: Path) -> None:
    facts = probe_file(make_heic_like(tmp_path / "p.heic"), "p.heic")
    assert isinstance(facts.media, ImageFacts) and facts.media.width is None
