"""`preflight fix` on real failing voice zips: one rebuilt flat zip, and it passes."""

from __future__ import annotations

import zipfile
from pathlib import Path

from helpers.fixing import after_rules, before_rules, fix, only, request
from helpers.media import make_audio, make_zip, wav_bytes

from preflight.probe import probe_file
from preflight.probe.facts import ZipFacts


def _entries(path: Path) -> dict[str, int]:
    """Each entry of the new zip by its sample rate."""
    facts = probe_file(path, path.name)
    assert isinstance(facts.media, ZipFacts)
    return {e.name: e.wav.sample_rate if e.wav else 0 for e in facts.media.entries}


def test_finder_zip_of_16k_takes_in_one_pass(tmp_path: Path) -> None:
    take = wav_bytes(rate=16000, seconds=0.2)
    make_zip(
        tmp_path / "voice.zip",
        {
            "Take 1.WAV": take,
            "Take 2.WAV": take,
            "__MACOSX/._Take 1.WAV": b"\0\5\26\7" + bytes(60),
            ".DS_Store": bytes(64),
        },
    )
    request(tmp_path, "VOICE", "voice.zip")
    fired = {"zip.folders", "zip.non-wav", "zip.extension-case", "zip.filename"}
    assert fired | {"zip.sample-rate"} <= before_rules(tmp_path)
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 0 and fixed["ok"], fixed["after"]["findings"]
    (written,) = fixed["files"]
    assert written["how"] == "zip" and fired | {"zip.sample-rate"} <= set(written["fixes"])
    assert any("adds no detail" in warning for warning in written["warnings"])
    assert _entries(tmp_path / "preflight-fixed" / "voice.zip") == {
        "Take_1.wav": 24000,
        "Take_2.wav": 24000,
    }


def test_more_than_ten_takes_other_audio_and_folders(tmp_path: Path) -> None:
    """Twelve recordings (one an MP3, one in a folder, one named with '..') become ten WAVs."""
    take = wav_bytes(rate=24000, seconds=0.1)
    members = {f"take{n:02}.wav": take for n in range(9)}
    members["takes/take09.wav"] = take
    members["../take10.wav"] = take
    members["reading.mp3"] = make_audio(tmp_path / "reading.mp3", seconds=0.3).read_bytes()
    (tmp_path / "reading.mp3").unlink()
    make_zip(tmp_path / "voice.zip", members)
    request(tmp_path, "VOICE", "voice.zip")
    assert {"zip.count", "zip.non-wav", "zip.folders", "zip.unsafe-path"} <= before_rules(tmp_path)
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 0 and fixed["ok"], fixed["after"]["findings"]
    entries = _entries(tmp_path / "preflight-fixed" / "voice.zip")
    assert len(entries) == 10 and min(entries.values()) >= 24000
    assert all(name.endswith(".wav") and "/" not in name for name in entries)


def test_passing_entries_are_copied_byte_for_byte(tmp_path: Path) -> None:
    take = wav_bytes(rate=48000, seconds=0.1)
    make_zip(tmp_path / "voice.zip", {"good.wav": take, "My Take.wav": take})
    request(tmp_path, "VOICE", "voice.zip")
    code, report = fix(tmp_path)
    assert code == 0, only(report)["after"]["findings"]
    with zipfile.ZipFile(tmp_path / "preflight-fixed" / "voice.zip") as archive:
        assert archive.namelist() == ["good.wav", "My_Take.wav"]
        assert archive.read("good.wav") == take and archive.read("My_Take.wav") == take


def test_encrypted_or_damaged_zip_is_not_fixable(tmp_path: Path) -> None:
    (tmp_path / "voice.zip").write_bytes(b"PK\3\4" + bytes(40))
    request(tmp_path, "VOICE", "voice.zip")
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 1 and not fixed["files"]
    assert fixed["unfixable"] and after_rules(fixed)
