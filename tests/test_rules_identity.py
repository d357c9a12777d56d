"""identity.format on real files: the authorization video and the written letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.media import make_pdf, make_video
from helpers.media_video import remux

from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.report import Finding
from preflight.rules import identity
from preflight.rules.base import Subject

SMALL: dict[str, Any] = {"width": 320, "height": 180}


def check(path: Path, field: str) -> list[Finding]:
    subject = Subject(field, MAKE_TYPES["IMAGE"], probe_file(path, path.name))
    assert subject.file.problem is None, subject.file.problem
    return list(identity.check(subject))


@pytest.mark.parametrize("name", ["consent.mp4", "consent.mov"])
def test_mp4_and_mov_videos_pass(tmp_path: Path, name: str) -> None:
    assert check(make_video(tmp_path / name, **SMALL), "IdentityCosUrl") == []


def test_mkv_video_fails_with_a_remux_hint(tmp_path: Path) -> None:
    source = make_video(tmp_path / "source.mp4", **SMALL)
    path = remux(source, tmp_path / "consent.mkv", "matroska")
    [finding] = check(path, "IdentityCosUrl")
    assert finding.rule == "identity.format"
    assert finding.field == "IdentityCosUrl"
    assert finding.message == "the authorization video is MKV (Matroska), not MP4 or MOV"
    assert finding.actual == "mkv"
    assert finding.hint == "ffmpeg -i consent.mkv -c copy -movflags +faststart consent-remux.mp4"


def test_audio_only_mov_is_not_a_video(tmp_path: Path) -> None:
    path = make_video(tmp_path / "consent.mov", video=False)
    [finding] = check(path, "IdentityCosUrl")
    assert finding.rule == "identity.format"
    assert finding.message == "the authorization video is a MOV file with no video track"


def test_complete_pdf_passes(tmp_path: Path) -> None:
    assert check(make_pdf(tmp_path / "letter.pdf"), "IdentityWrittenCosUrl") == []


def test_pdf_cut_short_is_unreadable(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "full.pdf").read_bytes()
    path = tmp_path / "letter.pdf"
    path.write_bytes(data[: data.rindex(b"%%EOF")])  # the upload stopped before the end
    findings = check_file(Subject("IdentityWrittenCosUrl", None, probe_file(path, path.name)))[0]
    assert [(f.rule, f.message) for f in findings] == [
        ("file.unreadable", "the PDF is cut short: no %%EOF marker at its end")
    ]


def test_an_encrypted_pdf_passes_and_says_so_in_its_facts(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "letter.pdf")
    path.write_bytes(path.read_bytes().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 4 0 R"))
    assert check(path, "IdentityWrittenCosUrl") == []
    assert probe_file(path, path.name).to_dict()["encrypted"] is True


def test_a_video_is_not_a_letter(tmp_path: Path) -> None:
    path = make_video(tmp_path / "consent.mp4", **SMALL)
    [finding] = check(path, "IdentityWrittenCosUrl")
    assert finding.message == "the written authorization letter is MP4, not PDF"
