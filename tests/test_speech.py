"""Speech analysis on real signals (tests/helpers/speech.py): the committed espeak-ng sentence
passes each analysis, and the same speech clipped, too quiet, buried in noise, upsampled from
16 kHz, padded with long silence or too short fails the one it should. Edge cases of the
thresholds run on facts built directly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.facts import heard, wav_entry
from helpers.facts import voice_zip as zip_facts
from helpers.media import make_zip, run_ffmpeg, wav_bytes
from helpers.speech import (
    SPEECH,
    clipped,
    noisy,
    padded,
    quiet,
    repeated,
    samples,
    upsampled,
    video_with,
    wav,
)
from runner import invoke, report_of, rules_of

from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.probe import content, probe_file
from preflight.probe.analysed import SpeechFacts
from preflight.probe.facts import FileFacts
from preflight.report import Finding
from preflight.rules.base import Subject

VOICE = ("MaterialCosUrl", "VOICE")
REFERENCE = ("AudioUrl", None)
AVATAR = ("MaterialCosUrl", "IMAGE_GENERAL")


def analysed(path: Path) -> FileFacts:
    """The file's facts as a run with content analysis has them."""
    return content.analyse((path, probe_file(path, path.name), False))


def speech_findings(path: Path, use: tuple[str, str | None] = VOICE) -> list[Finding]:
    field, make_type = use
    chosen = MAKE_TYPES[make_type] if make_type else None
    found = check_file(Subject(field, chosen, analysed(path)))[0]
    return [f for f in found if f.rule.startswith("speech.")]


def fired(path: Path, use: tuple[str, str | None] = VOICE) -> set[str]:
    return {f.rule for f in speech_findings(path, use)}


def zipped(folder: Path, **wavs: bytes) -> Path:
    return make_zip(folder / "voice.zip", {f"{name}.wav": data for name, data in wavs.items()})


def test_clean_speech_passes_all_but_the_voice_clones_total(tmp_path: Path) -> None:
    facts = analysed(zipped(tmp_path, take1=wav(samples())))
    assert facts.speech is not None
    (take,) = facts.speech
    assert take.source == "take1.wav" and take.sample_rate == 24000
    assert 3.5 < take.speech_s < 5.0 and take.clipped == 0
    assert fired(tmp_path / "voice.zip") == {"speech.duration"}  # seconds, not 5 minutes


def test_clipped_speech_says_how_often_and_where(tmp_path: Path) -> None:
    path = zipped(tmp_path, good=wav(samples()), loud=wav(clipped()))
    (finding,) = [f for f in speech_findings(path) if f.rule == "speech.clipping"]
    assert isinstance(finding.actual, int) and finding.actual > 10
    assert "'loud.wav'" in finding.message and "the first at 0:00." in finding.message
    assert finding.severity == "error" and "1240/102623" in finding.message


def test_level_too_quiet_is_elevenlabs_warning(tmp_path: Path) -> None:
    (finding,) = [
        f for f in speech_findings(zipped(tmp_path, far=wav(quiet()))) if f.rule == "speech.level"
    ]
    assert finding.severity == "warning" and "ElevenLabs" in finding.message
    assert isinstance(finding.actual, float) and -45 < finding.actual < -35


def test_noise_lowers_the_estimated_snr(tmp_path: Path) -> None:
    path = zipped(tmp_path, street=wav(noisy()))
    (finding,) = [f for f in speech_findings(path) if f.rule == "speech.snr"]
    assert "estimate" in finding.message and "25 dB" in finding.message
    assert isinstance(finding.actual, float) and finding.actual < 20
    assert "speech.snr" not in fired(zipped(tmp_path, clean=wav(samples())))


def test_speech_upsampled_from_16_khz_is_found(tmp_path: Path) -> None:
    upsampled48 = upsampled(tmp_path).read_bytes()
    (finding,) = [
        f for f in speech_findings(zipped(tmp_path, up=upsampled48)) if f.rule == "speech.bandwidth"
    ]
    assert "48000 Hz" in finding.message and "16000 Hz" in finding.message
    assert isinstance(finding.actual, float) and finding.actual < 9600
    assert "speech.bandwidth" not in fired(zipped(tmp_path, real=SPEECH.read_bytes()))


def test_long_silence_at_the_edges_is_found(tmp_path: Path) -> None:
    path = zipped(tmp_path, padded=wav(padded(4.0)))
    (finding,) = [f for f in speech_findings(path) if f.rule == "speech.silence"]
    assert "at the start" in finding.message and "at the end" in finding.message
    assert "Alibaba" in finding.message and finding.severity == "warning"


def test_a_long_pause_is_found_with_its_place(tmp_path: Path) -> None:
    gap = [0.0] * (3 * 24000)
    path = zipped(tmp_path, paused=wav(samples().tolist() + gap + samples().tolist()))
    (finding,) = [f for f in speech_findings(path) if f.rule == "speech.silence"]
    assert "pauses longer than Alibaba's 2 s" in finding.message and " at 0:0" in finding.message


def test_zero_shot_reference_needs_five_seconds_of_speech(tmp_path: Path) -> None:
    once = tmp_path / "once.wav"
    once.write_bytes(wav(samples()))
    twice = tmp_path / "twice.wav"
    twice.write_bytes(wav(repeated(2)))
    assert "speech.duration" in fired(once, REFERENCE)
    assert fired(twice, REFERENCE) == set()


@pytest.mark.parametrize(
    ("speech", "expected"),
    [((200.0, 99.0), {"speech.duration"}), ((200.0, 101.0), set())],
)
def test_a_voice_zips_speech_is_summed_over_its_wavs(
    speech: tuple[float, float], expected: set[str]
) -> None:
    streams = tuple(heard(f"take{i}.wav", speech_s=s) for i, s in enumerate(speech))
    facts = zip_facts(wav_entry("take0.wav"), wav_entry("take1.wav"), speech=streams)
    found = check_file(Subject("MaterialCosUrl", MAKE_TYPES["VOICE"], facts))[0]
    assert {f.rule for f in found} == expected


def test_a_total_that_was_not_all_read_is_not_judged_short() -> None:
    streams = (heard("take0.wav", speech_s=100.0, complete=False),)
    facts = zip_facts(speech=streams)
    found = check_file(Subject("MaterialCosUrl", MAKE_TYPES["VOICE"], facts))[0]
    assert found == []


def test_an_unreadable_recording_is_unjudged_not_passed() -> None:
    facts = zip_facts(speech=(SpeechFacts("take1.wav", problem="its samples cannot be read"),))
    found = check_file(Subject("MaterialCosUrl", MAKE_TYPES["VOICE"], facts))[0]
    assert [f.rule for f in found] == ["file.unjudged"]
    assert "take1.wav" in found[0].message


@pytest.mark.parametrize(
    ("audio", "seconds", "expected"),
    [
        (None, 4.0, "no audio track"),
        ("anullsrc=r=24000:cl=mono", 4.0, "silent"),
        (str(SPEECH), 8.0, "shorter"),
        (str(SPEECH), 4.0, None),
    ],
)
def test_an_avatar_videos_track_is_there_audible_and_as_long(
    tmp_path: Path, audio: str | None, seconds: float, expected: str | None
) -> None:
    path = video_with(tmp_path, "clip.mp4", audio, seconds)
    found = [f for f in speech_findings(path, AVATAR) if f.rule == "speech.track"]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0].message
        assert "Baidu" in found[0].message


def test_driver_audio_in_another_format_is_decoded_by_ffmpeg(tmp_path: Path) -> None:
    path = tmp_path / "drive.m4a"
    run_ffmpeg("-i", str(SPEECH), "-af", "volume=-20dB", "-c:a", "aac", str(path))
    facts = analysed(path)
    assert facts.speech is not None and facts.speech[0].sample_rate == 24000
    assert fired(path, ("VoiceDriverCosFile", None)) == {"speech.level"}


def test_no_content_reads_headers_only(tmp_path: Path) -> None:
    folder = tmp_path / "voice"
    folder.mkdir()
    zipped(folder, loud=wav(clipped()))
    (folder / "request.json").write_text(
        '{"AnchorName": "Lin", "MakeType": "VOICE", "SexType": "FEMALE", '
        '"MaterialCosUrl": "voice.zip", "IdentityWrittenCosUrl": "id.pdf"}',
        encoding="utf-8",
    )
    code, report = report_of(str(folder), "--no-cache", "--no-content")
    assert code == 1  # the letter is missing
    assert not {r for r in rules_of(report) if r.startswith("speech.")}
    assert "speech" not in _zip_facts(report)
    code, report = report_of(str(folder), "--no-cache")
    assert code == 1
    assert {"speech.clipping", "speech.duration"} <= rules_of(report)
    assert _zip_facts(report)["speech"][0]["source"] == "loud.wav"


def _zip_facts(report: dict[str, Any]) -> dict[str, Any]:
    (material,) = [f for f in report["requests"][0]["files"] if f["field"] == "MaterialCosUrl"]
    facts: dict[str, Any] = material["facts"]
    return facts


def test_the_speech_modules_load_no_numpy_until_they_analyse() -> None:
    probe = (
        "import sys, preflight.cli, preflight.probe.content, preflight.rules.speech; "
        "print(sorted({'numpy', 'webrtcvad', 'soundfile'} & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr


def test_content_facts_come_from_the_cache_on_a_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = zipped(tmp_path, loud=wav(clipped()))
    code, first = report_of(str(path))
    assert "speech.clipping" in rules_of(first)

    def deaf(*args: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr("preflight.probe.speech.analyse", deaf)
    code, again = report_of(str(path))
    assert code == 1  # it fails as VOICE material
    assert rules_of(again) == rules_of(first)


def test_inspect_shows_the_measures(tmp_path: Path) -> None:
    path = tmp_path / "loud.wav"
    path.write_bytes(wav(clipped()))
    code, out = invoke("inspect", str(path))
    assert code == 0
    assert "clipped runs" in out and "SNR ≈" in out and "of speech in" in out
    take = out.split("As a WAV file in a VOICE")[1]  # one take: clipped, and no total asked
    assert "[speech.clipping]" in take and "[speech.duration]" not in take


def test_a_header_that_claims_an_impossible_rate_is_unjudged(tmp_path: Path) -> None:
    path = zipped(tmp_path, low=wav_bytes(rate=4000, seconds=1.0))
    found = check_file(Subject("MaterialCosUrl", MAKE_TYPES["VOICE"], analysed(path)))[0]
    unjudged = [f for f in found if f.rule == "file.unjudged"]
    assert len(unjudged) == 1 and "4000 Hz" in unjudged[0].message
    assert "zip.sample-rate" in {f.rule for f in found}


def test_a_damaged_member_is_a_problem_not_a_shorter_recording(tmp_path: Path) -> None:
    """A WAV stored in the zip with a byte changed after it was zipped fails its CRC at the
    end of its read: libsndfile would take the failure for the end of the audio (cffi drops
    what a read callback raises), so the reader keeps it and the analysis reports it."""
    import zipfile

    recording = SPEECH.read_bytes()
    path = make_zip(
        tmp_path / "voice.zip", {"take01.wav": recording}, compression=zipfile.ZIP_STORED
    )
    data = bytearray(path.read_bytes())
    at = data.index(recording) + len(recording) // 2
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    facts = analysed(path)
    assert facts.speech is not None
    (take,) = facts.speech
    assert take.problem is not None and "CRC" in take.problem
