"""zip.* rules on real zips: each fires on a failing zip and stays silent on a passing one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from helpers.media import make_zip, run_ffmpeg, run_recipe, wav_bytes
from helpers.media_zip import SYMLINK_MODE, Member, make_big_wav_zip, write_zip

from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.report import Finding
from preflight.rules import voice
from preflight.rules.base import Subject

WAV = wav_bytes(rate=24000, seconds=0.05)
WAV_48K = wav_bytes(rate=48000, seconds=0.05)


def check(path: Path) -> list[Finding]:
    subject = Subject("MaterialCosUrl", MAKE_TYPES["VOICE"], probe_file(path, path.name))
    assert subject.file.problem is None, subject.file.problem
    return list(voice.check(subject))


def fired(path: Path) -> set[str]:
    return {finding.rule for finding in check(path)}


def only(path: Path, rule: str) -> Finding:
    found = [finding for finding in check(path) if finding.rule == rule]
    assert len(found) == 1, found
    return found[0]


def test_rule_ids_are_the_catalogue() -> None:
    assert [rule.id for rule in voice.RULES] == [
        "zip.corrupt", "zip.encrypted", "zip.unsafe-path", "zip.folders", "zip.count",
        "zip.non-wav", "zip.extension-case", "zip.filename", "zip.total-size",
        "zip.sample-rate",
    ]  # fmt: skip
    assert all(rule.severity == "error" and rule.limit for rule in voice.RULES)


@pytest.mark.parametrize(
    "members",
    [
        {"a.wav": WAV},
        {f"take_{i:02}.wav": WAV_48K for i in range(10)},
        {"录音-01.wav": WAV, "Tom_2.wav": WAV_48K},
    ],
    ids=["one-24k", "ten-48k", "cjk-names"],
)
def test_good_zips_pass(tmp_path: Path, members: dict[str, bytes]) -> None:
    assert check(make_zip(tmp_path / "voice.zip", members)) == []


def test_a_gbk_named_wav_passes(tmp_path: Path) -> None:
    """Decoded as CP437 the name would be box-drawing characters and fail zip.filename."""
    path = write_zip(tmp_path / "voice.zip", [Member("录音.wav", WAV, encoding="gbk")])
    assert check(path) == []


# zip.corrupt


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_corrupt_a_truncated_zip(tmp_path: Path, keep: float) -> None:
    path = make_zip(tmp_path / "voice.zip", {f"{i}.wav": WAV for i in range(3)})
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    assert fired(path) == {"zip.corrupt"}  # nothing else can be judged
    assert "cut short" in only(path, "zip.corrupt").message


def test_corrupt_another_archive(tmp_path: Path) -> None:
    path = tmp_path / "voice.7z"
    path.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(64))
    finding = only(path, "zip.corrupt")
    assert finding.message == "the content is a 7z archive, not a zip"
    assert finding.actual == "7z" and fired(path) == {"zip.corrupt"}
    assert finding.hint == "python3 -m zipfile -c voice.zip *.wav"


def test_corrupt_an_entry_fails_its_crc(tmp_path: Path) -> None:
    path = tmp_path / "voice.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("good.wav", WAV)
        archive.writestr("bad.wav", WAV)
        offset = archive.getinfo("bad.wav").header_offset + 30 + len("bad.wav")
    data = bytearray(path.read_bytes())
    data[offset + 200] ^= 0xFF
    path.write_bytes(bytes(data))
    finding = only(path, "zip.corrupt")
    assert "'bad.wav'" in finding.message and "CRC" in finding.message
    assert fired(path) == {"zip.corrupt"}  # good.wav counts: 1 WAV, nothing else to say


def test_corrupt_silent_on_a_good_zip(tmp_path: Path) -> None:
    assert "zip.corrupt" not in fired(make_zip(tmp_path / "voice.zip", {"a.wav": WAV}))


# zip.encrypted


def test_encrypted_entry(tmp_path: Path) -> None:
    members = [Member("a.wav", WAV, password=b"pw"), Member("b.wav", WAV, password=b"pw")]
    path = write_zip(tmp_path / "voice.zip", members)
    finding = only(path, "zip.encrypted")
    assert finding.actual == 2 and "'a.wav', 'b.wav'" in finding.message
    assert fired(path) == {"zip.encrypted"}  # content unknown: no count, no non-wav


def test_encrypted_silent_on_a_plain_zip(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "voice.zip", [Member("a.wav", WAV)])
    assert check(path) == []


# zip.unsafe-path


@pytest.mark.parametrize(
    "name", ["../evil.wav", "/abs.wav", "\\abs.wav", "C:evil.wav", "a\\..\\b.wav"]
)
def test_unsafe_path(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "voice.zip", {name: WAV, "ok.wav": WAV})
    finding = only(path, "zip.unsafe-path")
    assert finding.actual == name and f"'{name}'" in finding.message
    assert "zip.folders" not in fired(path)  # said once, by the more serious rule


def test_unsafe_path_silent_on_dots_in_names(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {"a..b.wav": WAV})
    assert "zip.unsafe-path" not in fired(path)


# zip.folders


def test_folders_macosx_junk(tmp_path: Path) -> None:
    members = {"a.wav": WAV, "__MACOSX/": b"", "__MACOSX/._a.wav": b"\0\x05\x16\x07junk"}
    path = make_zip(tmp_path / "voice.zip", members)
    finding = only(path, "zip.folders")
    assert finding.actual == 2 and "'__MACOSX/._a.wav'" in finding.message
    junk = only(path, "zip.non-wav")
    assert "'__MACOSX/._a.wav' is macOS metadata" in junk.message
    assert fired(run_recipe(finding.hint, tmp_path)) == set()


def test_a_finder_zip_is_one_finding_of_each_kind(tmp_path: Path) -> None:
    members: dict[str, bytes] = {"__MACOSX/": b""}
    for name in ("a", "b", "c"):
        members[f"{name}.wav"] = WAV
        members[f"__MACOSX/._{name}.wav"] = b"\0\x05\x16\x07junk"
    path = make_zip(tmp_path / "voice.zip", members)
    findings = check(path)
    assert sorted(f.rule for f in findings) == ["zip.folders", "zip.non-wav"]
    assert "macOS Finder metadata" in findings[0].message
    assert findings[1].actual == 3


def test_entries_in_an_unusual_compression_are_one_finding(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {"a.wav": WAV, "b.wav": WAV}, compression=0)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset : start + offset + 2] = (9).to_bytes(2, "little")  # Deflate64
            start += 4
    path.write_bytes(bytes(data))
    (finding,) = [f for f in check(path) if f.rule == "zip.corrupt"]
    assert finding.message.startswith("entries 'a.wav', 'b.wav': it is compressed with Deflate64")


def test_folders_a_folder_of_wavs(tmp_path: Path) -> None:
    members = {"我的录音/": b"", "我的录音/a.wav": WAV, "我的录音/b.wav": WAV_48K}
    path = make_zip(tmp_path / "voice.zip", members)
    finding = only(path, "zip.folders")
    assert finding.actual == 3
    assert fired(path) == {"zip.folders"}
    flat = run_recipe(finding.hint, tmp_path)
    assert flat.name == "voice-flat.zip" and check(flat) == []
    with zipfile.ZipFile(flat) as archive:
        assert archive.namelist() == ["a.wav", "b.wav"]


def test_folders_silent_on_a_flat_zip(tmp_path: Path) -> None:
    assert "zip.folders" not in fired(make_zip(tmp_path / "voice.zip", {"a.wav": WAV}))


# zip.count


def test_count_eleven_wavs(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {f"t{i}.wav": WAV for i in range(11)})
    finding = only(path, "zip.count")
    assert finding.actual == 11 and "11 WAV files" in finding.message
    assert fired(path) == {"zip.count"}


@pytest.mark.parametrize("members", [{}, {"readme.txt": b"record in a quiet room"}])
def test_count_no_wav(tmp_path: Path, members: dict[str, bytes]) -> None:
    path = make_zip(tmp_path / "voice.zip", members)
    assert only(path, "zip.count").actual == 0


def test_count_silent_on_one_and_ten(tmp_path: Path) -> None:
    one = make_zip(tmp_path / "one.zip", {"a.wav": WAV})
    ten = make_zip(tmp_path / "ten.zip", {f"t{i}.wav": WAV for i in range(10)})
    assert "zip.count" not in fired(one) | fired(ten)


# zip.non-wav


def test_non_wav_an_mp3_named_wav(tmp_path: Path) -> None:
    mp3 = tmp_path / "song.mp3"
    run_ffmpeg("-f", "lavfi", "-i", "anullsrc=r=24000:cl=mono", "-t", "0.2", str(mp3))
    path = make_zip(tmp_path / "voice.zip", {"a.wav": WAV, "song.wav": mp3.read_bytes()})
    finding = only(path, "zip.non-wav")
    assert finding.actual == "mp3" and "'song.wav' is MP3 audio data" in finding.message
    assert finding.hint == "ffmpeg -i song.wav song-fixed.wav"
    assert "zip.extension-case" not in fired(path)  # the name is right, the content is not


def test_non_wav_conversion_target_is_a_name_the_zip_accepts(tmp_path: Path) -> None:
    mp3 = tmp_path / "song.mp3"
    run_ffmpeg("-f", "lavfi", "-i", "anullsrc=r=24000:cl=mono", "-t", "0.2", str(mp3))
    path = make_zip(tmp_path / "voice.zip", {"a.wav": WAV, "My Song.mp3": mp3.read_bytes()})
    finding = only(path, "zip.non-wav")
    assert finding.hint == "ffmpeg -i 'My Song.mp3' My_Song.wav"
    assert "convert it to WAV (My_Song.wav)" in finding.message


def test_non_wav_a_text_file_and_a_symlink(tmp_path: Path) -> None:
    members = [
        Member("a.wav", WAV),
        Member("notes.wav", b"some notes"),
        Member("link.wav", b"a.wav", unix_mode=SYMLINK_MODE),
    ]
    path = write_zip(tmp_path / "voice.zip", members)
    found = {f.actual: f for f in check(path) if f.rule == "zip.non-wav"}
    assert set(found) == {"unknown", "symlink"}
    assert "symbolic link" in found["symlink"].message
    assert fired(run_recipe(found["unknown"].hint, tmp_path)) == set()


def test_non_wav_silent_on_wavs(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {"a.wav": WAV, "b.wav": WAV_48K})
    assert "zip.non-wav" not in fired(path)


# zip.extension-case


@pytest.mark.parametrize(
    ("name", "actual", "renamed"),
    [("A.WAV", ".WAV", "A.wav"), ("b.Wav", ".Wav", "b.wav"), ("c.wave", ".wave", "c.wav"),
     ("voice", "", "voice.wav"), ("_take.WAV", ".WAV", "_take.wav")],
)  # fmt: skip
def test_extension_case(tmp_path: Path, name: str, actual: str, renamed: str) -> None:
    finding = only(make_zip(tmp_path / "voice.zip", {name: WAV}), "zip.extension-case")
    assert finding.actual == actual
    assert f"'{name}'" in finding.message
    assert_rezip_renames(finding, tmp_path, renamed)


def assert_rezip_renames(finding: Finding, cwd: Path, renamed: str) -> None:
    """The hint unpacks the zip, renames the WAV and zips it again: the new zip passes."""
    assert finding.hint is not None and " && mv " in finding.hint
    fixed = run_recipe(finding.hint, cwd)
    assert check(fixed) == []
    with zipfile.ZipFile(fixed) as archive:
        assert archive.namelist() == [renamed]


def test_extension_case_silent_on_lowercase(tmp_path: Path) -> None:
    assert "zip.extension-case" not in fired(make_zip(tmp_path / "voice.zip", {"A.wav": WAV}))


# zip.filename


@pytest.mark.parametrize(
    ("name", "stem", "renamed"),
    [("my voice.wav", "my voice", "my_voice.wav"), ("take.1.wav", "take.1", "take_1.wav"),
     ("录音(1).WAV", "录音(1)", "录音_1.wav")],
)  # fmt: skip
def test_filename(tmp_path: Path, name: str, stem: str, renamed: str) -> None:
    finding = only(make_zip(tmp_path / "voice.zip", {name: WAV}), "zip.filename")
    assert finding.actual == stem
    assert f"'{name}'" in finding.message
    assert_rezip_renames(finding, tmp_path, renamed)


def test_filename_silent_on_the_charset(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {"录音_Tom-01.wav": WAV})
    assert "zip.filename" not in fired(path)


# zip.total-size


def test_total_size_over_a_gigabyte(tmp_path: Path) -> None:
    path = make_big_wav_zip(tmp_path / "voice.zip", 1_200_000_000)
    finding = only(path, "zip.total-size")
    assert finding.actual == 1_200_000_044 and "1.12 GB" in finding.message
    assert fired(path) == {"zip.total-size"}


def test_total_size_silent_under(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {f"t{i}.wav": WAV_48K for i in range(10)})
    assert "zip.total-size" not in fired(path)


# zip.sample-rate


def test_sample_rate_16k(tmp_path: Path) -> None:
    members = {"a.wav": wav_bytes(rate=16000, seconds=0.05), "b.wav": WAV}
    finding = only(make_zip(tmp_path / "voice.zip", members), "zip.sample-rate")
    assert finding.actual == 16000
    assert finding.hint is not None
    assert " && ffmpeg -i voice-unzipped/a.wav -ar 24000 voice-unzipped/a-24k.wav && " in (
        finding.hint
    )
    assert "'a.wav'" in finding.message and "in its place" in finding.message


def test_sample_rate_target_is_a_name_the_zip_accepts(tmp_path: Path) -> None:
    members = {"My Voice.WAV": wav_bytes(rate=16000, seconds=0.05), "b.wav": WAV}
    finding = only(make_zip(tmp_path / "voice.zip", members), "zip.sample-rate")
    assert finding.hint is not None and "voice-unzipped/My_Voice-24k.wav" in finding.hint
    assert "resample it to My_Voice-24k.wav" in finding.message


def test_sample_rate_silent_at_24k_and_48k(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "voice.zip", {"a.wav": WAV, "b.wav": WAV_48K})
    assert "zip.sample-rate" not in fired(path)
