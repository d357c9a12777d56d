"""Real files of the formats producers send, each recognised by content and given the rule a
producer expects (the corpus-style cases that are easy to get wrong)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from helpers.media import make_pdf, make_video, run_ffmpeg

from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.rules.base import Subject


def fired(path: Path, field: str, make_type: str = "IMAGE") -> list[str]:
    subject = Subject(field, MAKE_TYPES[make_type], probe_file(path, path.name))
    return sorted(f.rule for f in check_file(subject)[0])


def sine(path: Path, *options: str) -> Path:
    run_ffmpeg("-f", "lavfi", "-i", "sine=duration=1:sample_rate=8000", *options, str(path))
    return path


@pytest.mark.parametrize(
    ("name", "options", "fmt"),
    [
        ("demo.amr", ("-c:a", "libopencore_amrnb", "-ar", "8000", "-b:a", "12.2k"), "amr"),
        ("demo.aiff", (), "aiff"),
        ("demo.caf", (), "caf"),
        ("rec.3gp", ("-c:a", "aac"), "3gp"),
        ("demo.flac", (), "flac"),
    ],
)
def test_other_audio_is_driver_format(
    tmp_path: Path, name: str, options: tuple[str, ...], fmt: str
) -> None:
    path = sine(tmp_path / name, *options)
    facts = probe_file(path, name)
    assert (facts.format, facts.kind) == (fmt, "audio")
    assert fired(path, "VoiceDriverCosFile") == ["driver.format"]


def test_avchd_mts_is_a_video_in_the_wrong_container(tmp_path: Path) -> None:
    path = make_video(
        tmp_path / "00001.MTS",
        width=320,
        height=180,
        duration=0.5,
        extra=("-f", "mpegts", "-mpegts_m2ts_mode", "1"),
    )
    facts = probe_file(path, path.name)
    assert (facts.format, facts.kind) == ("mpeg-ts", "video")
    assert "video.container" in fired(path, "MaterialCosUrl")
    assert "video.vfr" not in fired(path, "MaterialCosUrl")  # TS timing is not an index's


def test_an_office_document_is_a_zip_with_a_right_name(tmp_path: Path) -> None:
    path = tmp_path / "授权书.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert fired(path, "IdentityWrittenCosUrl") == ["file.type-mismatch"]


def test_a_pdf_padded_after_its_end_marker_passes(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "letter.pdf")
    path.write_bytes(path.read_bytes() + b"\0" * 3000 + b"\r\n")
    assert fired(path, "IdentityWrittenCosUrl") == []
    path.write_bytes(path.read_bytes()[:-4000])
    assert fired(path, "IdentityWrittenCosUrl") == ["file.unreadable"]
