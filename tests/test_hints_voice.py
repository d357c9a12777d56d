"""The zip.sample-rate hint works: run it on the extracted WAV, zip the result, probe again."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from media import make_zip, run_hint, wav_bytes

from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.report import Finding
from preflight.rules import voice
from preflight.rules.base import Subject


def check(path: Path) -> list[Finding]:
    subject = Subject("MaterialCosUrl", MAKE_TYPES["VOICE"], probe_file(path, path.name))
    assert subject.file.problem is None, subject.file.problem
    return list(voice.check(subject))


@pytest.mark.parametrize("name", ["voice_01.wav", "My Voice.WAV"])
def test_the_sample_rate_hint_resamples_the_wav(tmp_path: Path, name: str) -> None:
    members = {name: wav_bytes(rate=16000, seconds=0.5), "voice_02.wav": wav_bytes()}
    original = make_zip(tmp_path / "voice.zip", members)
    finding = next(f for f in check(original) if f.rule == "zip.sample-rate")
    assert finding.hint is not None

    work = tmp_path / "work"
    work.mkdir()
    with zipfile.ZipFile(original) as archive:
        archive.extract(name, work)
    output = run_hint(finding.hint, work)

    # the new file takes the old one's place under its own name, which the zip accepts
    fixed = make_zip(
        tmp_path / "fixed.zip",
        {output.name: output.read_bytes(), "voice_02.wav": members["voice_02.wav"]},
    )
    assert check(fixed) == []
