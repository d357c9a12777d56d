"""The zip.sample-rate hint works: run the recipe on the zip, and the zip it writes passes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from helpers.media import make_zip, run_recipe, wav_bytes

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

    fixed = run_recipe(finding.hint, tmp_path)
    assert check(fixed) == []
    with zipfile.ZipFile(fixed) as archive:
        names = archive.namelist()
    resampled = "voice_01-24k.wav" if name == "voice_01.wav" else "My_Voice-24k.wav"
    assert names == [resampled, "voice_02.wav"]
