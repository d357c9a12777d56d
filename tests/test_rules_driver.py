"""driver.* rules on real audio files encoded by ffmpeg; the fix hints are run and re-checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.media import make_wav, run_ffmpeg, run_hint
from helpers.media_photo import make_sparse_wav

from preflight.limits import DRIVER_MAX_BYTES, MAKE_TYPES
from preflight.probe import probe_file
from preflight.probe.facts import AudioFacts
from preflight.report import Finding
from preflight.rules import driver
from preflight.rules.base import Subject

# Sniffed format → (file name, ffmpeg output options).
ENCODINGS = {
    "mp3": ("demo.mp3", ("-c:a", "libmp3lame", "-b:a", "32k")),
    "aac": ("demo.aac", ("-c:a", "aac", "-b:a", "32k", "-f", "adts")),
    "m4a": ("demo.m4a", ("-c:a", "aac", "-b:a", "32k")),
    "wma": ("demo.wma", ("-c:a", "wmav2", "-b:a", "32k")),
    "flac": (
        "demo.flac",
        (
            "-c:a",
            "flac",
        ),
    ),
    "ogg": ("demo.ogg", ("-c:a", "libvorbis", "-q:a", "0")),
    "opus": ("voice.opus", ("-c:a", "libopus", "-b:a", "24k")),
}


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("driver")
    made = {"wav": make_wav(folder / "demo.wav", rate=24000, seconds=0.5)}
    for fmt, (name, options) in ENCODINGS.items():
        made[fmt] = folder / name
        run_ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            "0.5",
            *options,
            str(made[fmt]),
        )
    return made


def findings(path: Path) -> list[Finding]:
    facts = probe_file(path, path.name)
    assert facts.problem is None, facts.problem
    assert facts.kind == "audio"
    assert isinstance(facts.media, AudioFacts)
    subject = Subject("VoiceDriverCosFile", MAKE_TYPES["IMAGE"], facts)
    return list(driver.check(subject))


@pytest.mark.parametrize("fmt", ["wav", "mp3", "aac", "m4a", "wma"])
def test_each_documented_format_passes(audio: dict[str, Path], fmt: str) -> None:
    assert probe_file(audio[fmt], audio[fmt].name).format == fmt
    assert findings(audio[fmt]) == []


@pytest.mark.parametrize(("fmt", "shown"), [("flac", "FLAC"), ("ogg", "OGG"), ("opus", "OGG")])
def test_other_formats_fail_and_the_hint_converts(
    audio: dict[str, Path], fmt: str, shown: str, tmp_path: Path
) -> None:
    source = Path(shutil.copy(audio[fmt], tmp_path))
    (found,) = findings(source)
    assert (found.rule, found.severity) == ("driver.format", "error")
    assert found.message.startswith(f"the content is {shown};")
    assert "WAV, MP3, WMA, M4A or AAC" in found.message
    fixed = run_hint(found.hint, tmp_path)
    assert fixed.suffix == ".mp3"
    assert findings(fixed) == []


def test_over_10_mb_fails_and_the_hint_fits_the_cap(tmp_path: Path) -> None:
    # 11 MB of 24 kHz 16-bit mono: about 240 s, which 128 kbit/s MP3 keeps under 4 MB.
    path = make_sparse_wav(tmp_path / "long demo.wav", 11 * 1024**2)
    (found,) = findings(path)
    assert (found.rule, found.actual, found.limit) == ("driver.size", 11 * 1024**2, "≤ 10 MB")
    assert "11 MB is over 10 MB" in found.message
    assert found.hint is not None and "-b:a 128k" in found.hint
    fixed = run_hint(found.hint, tmp_path)
    assert fixed.name == "long demo-128k.mp3"
    assert findings(fixed) == []


def test_the_bitrate_drops_for_a_long_recording(tmp_path: Path) -> None:
    # 48 kHz 16-bit mono for 20 minutes (115 MB): 128 kbit/s would be 18 MB, 64 fits.
    path = make_sparse_wav(tmp_path / "hour.wav", 44 + 48000 * 2 * 1200, rate=48000)
    (found,) = findings(path)
    assert found.rule == "driver.size"
    assert found.hint is not None and "-b:a 64k" in found.hint


def test_exactly_10_mb_passes(tmp_path: Path) -> None:
    assert findings(make_sparse_wav(tmp_path / "edge.wav", DRIVER_MAX_BYTES)) == []


def test_rules_cite_the_api_page() -> None:
    assert [r.id for r in driver.RULES] == ["driver.format", "driver.size"]
    assert all(r.source == "API page: VoiceDriverCosFile item 2" for r in driver.RULES)
    assert driver.FORMAT.limit == "WAV, MP3, WMA, M4A or AAC"
