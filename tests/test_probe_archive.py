"""probe_zip on real zips: names, sizes, content and WAV headers, read without extraction."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from helpers.media import make_zip, run_ffmpeg, wav_bytes
from helpers.media_zip import SYMLINK_MODE, Member, empty_blocks_stream, make_big_wav_zip, write_zip

from preflight.probe import probe_file
from preflight.probe.archive import ENTRIES_READ_MAX, MEMBER_READ_MAX, probe_zip
from preflight.probe.facts import ZipEntry, ZipFacts

BIG = 1_200_000_000  # bytes of audio one member declares: above the 1 GB limit


def entry(facts: ZipFacts, name: str) -> ZipEntry:
    assert facts.problem is None, facts.problem
    return next(e for e in facts.entries if e.name == name)


def soundfile_wav(fmt: str, subtype: str, rate: int = 48000, channels: int = 2) -> bytes:
    import numpy
    import soundfile

    buffer = io.BytesIO()
    frames = numpy.zeros((rate // 10, channels))
    soundfile.write(buffer, frames, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def big_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_big_wav_zip(tmp_path_factory.mktemp("big") / "big.zip", BIG)


def test_a_flat_zip_of_wavs(tmp_path: Path) -> None:
    a, b = wav_bytes(rate=24000, seconds=0.5), wav_bytes(rate=48000, seconds=0.25, channels=2)
    facts = probe_zip(make_zip(tmp_path / "v.zip", {"a.wav": a, "b.wav": b}))
    assert facts.problem is None and facts.entries_not_read == 0
    assert [e.name for e in facts.entries] == ["a.wav", "b.wav"]
    first = entry(facts, "a.wav")
    assert (first.size, first.content, first.is_dir, first.encrypted) == (
        len(a),
        "wav",
        False,
        False,
    )
    assert first.compressed_size < first.size  # deflated silence
    assert first.wav is not None and first.wav.sample_rate == 24000
    assert first.wav.duration_s == pytest.approx(0.5)
    second = entry(facts, "b.wav").wav
    assert second is not None and (second.sample_rate, second.channels) == (48000, 2)
    assert second.subtype == "PCM_16"
    assert facts.total_declared == len(a) + len(b)


def test_probe_file_dispatches_zips_here(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "v.zip", {"a.wav": wav_bytes()})
    facts = probe_file(path, "v.zip")
    assert (facts.format, facts.kind, facts.problem) == ("zip", "archive", None)
    assert isinstance(facts.media, ZipFacts) and facts.media.entries[0].content == "wav"


@pytest.mark.parametrize(
    ("fmt", "subtype"),
    [("RF64", "PCM_16"), ("WAVEX", "PCM_24"), ("WAV", "PCM_U8"), ("WAV", "FLOAT")],
)
def test_wav_headers_libsndfile_reads(tmp_path: Path, fmt: str, subtype: str) -> None:
    data = soundfile_wav(fmt, subtype)
    found = entry(probe_zip(make_zip(tmp_path / "v.zip", {"a.wav": data})), "a.wav")
    assert found.content == "wav" and found.problem is None
    assert found.wav is not None
    assert (found.wav.sample_rate, found.wav.channels, found.wav.subtype) == (48000, 2, subtype)
    assert found.wav.duration_s == pytest.approx(0.1)


def test_a_wav_whose_header_lies_about_its_size(tmp_path: Path) -> None:
    """Streaming recorders leave the data size at 0xFFFFFFFF: the member's size decides."""
    data = bytearray(wav_bytes(rate=24000, seconds=1.0))
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)
    found = entry(probe_zip(make_zip(tmp_path / "v.zip", {"a.wav": bytes(data)})), "a.wav")
    assert found.wav is not None and found.wav.sample_rate == 24000
    assert found.wav.duration_s == pytest.approx(1.0)


def test_an_unparsable_wav_header_is_the_entrys_problem(tmp_path: Path) -> None:
    data = b"RIFF" + struct.pack("<I", 100) + b"WAVE" + b"junk" * 25
    found = entry(probe_zip(make_zip(tmp_path / "v.zip", {"a.wav": data})), "a.wav")
    assert (found.content, found.wav) == ("wav", None)
    assert found.problem is not None and "WAV header" in found.problem


def test_a_member_declaring_more_than_a_gigabyte_is_not_read_through(big_zip: Path) -> None:
    found = entry(probe_zip(big_zip), "big.wav")
    assert found.size == 44 + BIG and found.problem is None
    assert found.wav is not None and found.wav.duration_s == pytest.approx(BIG / 48000)
    # The probe stops any member after MEMBER_READ_MAX compressed bytes (a problem if hit):
    # this one is larger, so it was not decompressed through.
    assert found.compressed_size > 4 * MEMBER_READ_MAX


def test_the_big_zip_is_an_honest_zip(big_zip: Path) -> None:
    with zipfile.ZipFile(big_zip) as archive, archive.open("big.wav") as member:
        assert member.read(44)[:4] == b"RIFF"
        assert archive.getinfo("big.wav").file_size == 44 + BIG


def test_content_is_sniffed_whatever_the_name(tmp_path: Path) -> None:
    run_ffmpeg(
        "-f", "lavfi", "-i", "anullsrc=r=24000:cl=mono", "-t", "0.2", str(tmp_path / "a.mp3")
    )
    members = {
        "song.wav": (tmp_path / "a.mp3").read_bytes(),
        "notes.wav": b"just text",
        "e.wav": b"",
    }
    facts = probe_zip(make_zip(tmp_path / "v.zip", members))
    assert [e.content for e in facts.entries] == ["mp3", "unknown", "unknown"]
    assert all(e.wav is None and e.problem is None for e in facts.entries)


def test_names_decode_as_the_tool_that_wrote_them(tmp_path: Path) -> None:
    wav = wav_bytes(seconds=0.01)
    path = write_zip(
        tmp_path / "v.zip",
        [
            Member("录音一.wav", wav, encoding="gbk"),
            Member("café.wav", wav, encoding="cp437"),
            Member("声音.wav", wav, encoding="utf-8"),
        ],
    )
    with zipfile.ZipFile(path) as archive:  # what zipfile alone makes of the GBK name
        assert archive.infolist()[0].flag_bits & 0x800 == 0
        assert archive.infolist()[0].filename != "录音一.wav"
    assert [e.name for e in probe_zip(path).entries] == ["录音一.wav", "café.wav", "声音.wav"]


def test_a_name_flagged_utf8_that_is_not_is_a_problem(tmp_path: Path) -> None:
    member = Member("录音.wav", wav_bytes(seconds=0.01), encoding="gbk", utf8_flag=True)
    facts = probe_zip(write_zip(tmp_path / "v.zip", [member]))
    assert facts.entries == () and facts.problem is not None and "UTF-8" in facts.problem


def test_folders_and_directory_entries(tmp_path: Path) -> None:
    wav = wav_bytes(seconds=0.01)
    path = make_zip(tmp_path / "v.zip", {"voice/": b"", "voice/a.wav": wav, "win\\": b""})
    facts = probe_zip(path)
    assert [(e.name, e.is_dir) for e in facts.entries] == [
        ("voice/", True),
        ("voice/a.wav", False),
        ("win\\", True),
    ]
    assert entry(facts, "voice/").content is None  # directories are not read


def test_encrypted_and_symlink_entries_are_not_read(tmp_path: Path) -> None:
    wav = wav_bytes(seconds=0.01)
    path = write_zip(
        tmp_path / "v.zip",
        [
            Member("locked.wav", wav, password=b"secret"),
            Member("link.wav", b"/etc/passwd", unix_mode=SYMLINK_MODE),
        ],
    )
    with zipfile.ZipFile(path) as archive:  # a real ZipCrypto entry, a real symlink entry
        assert archive.read("locked.wav", pwd=b"secret") == wav
    facts = probe_zip(path)
    locked, link = entry(facts, "locked.wav"), entry(facts, "link.wav")
    assert (locked.encrypted, locked.content, locked.problem) == (True, None, None)
    assert (link.symlink, link.encrypted, link.content, link.problem) == (True, False, None, None)


def test_a_crc_failure_is_the_entrys_problem(tmp_path: Path) -> None:
    path = tmp_path / "v.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("good.wav", wav_bytes(seconds=0.01))
        archive.writestr("bad.wav", wav_bytes(seconds=0.01))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("bad.wav")
    data[info.header_offset + 30 + len("bad.wav") + 100] ^= 0xFF  # one byte of the samples
    path.write_bytes(bytes(data))
    facts = probe_zip(path)
    assert entry(facts, "good.wav").problem is None
    problem = entry(facts, "bad.wav").problem
    assert problem is not None and "CRC" in problem


def test_a_damaged_local_header_is_the_entrys_problem(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "v.zip", {"a.wav": wav_bytes(), "b.wav": wav_bytes()})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo("b.wav").header_offset
    data[offset : offset + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    problem = entry(probe_zip(path), "b.wav").problem
    assert problem is not None and "local header" in problem


def test_a_hostile_deflate_stream_stops_at_the_budget(tmp_path: Path) -> None:
    wav = wav_bytes(seconds=0.01)
    stream = empty_blocks_stream(wav, MEMBER_READ_MAX // 4)  # 5 bytes a block: > the budget
    path = write_zip(tmp_path / "v.zip", [Member("a.wav", wav, stream=stream)])
    with zipfile.ZipFile(path) as archive:  # valid: zipfile reads it through to `wav`
        assert archive.read("a.wav") == wav
    found = entry(probe_zip(path), "a.wav")
    assert found.content is None
    assert found.problem is not None and "hostile" in found.problem


def test_only_so_many_entries_are_read(tmp_path: Path) -> None:
    members = {f"{i:03}.wav": wav_bytes(seconds=0.01) for i in range(ENTRIES_READ_MAX + 6)}
    facts = probe_zip(make_zip(tmp_path / "v.zip", members))
    assert facts.entries_not_read == 6 and len(facts.entries) == ENTRIES_READ_MAX + 6
    assert [e.content for e in facts.entries[-6:]] == [None] * 6
    assert facts.entries[ENTRIES_READ_MAX - 1].content == "wav"


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_a_truncated_zip_is_a_problem(tmp_path: Path, keep: float) -> None:
    path = make_zip(tmp_path / "v.zip", {f"{i}.wav": wav_bytes() for i in range(3)})
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    facts = probe_zip(path)
    assert facts.entries == () and facts.total_declared == 0
    assert facts.problem is not None and "cut short or not a zip" in facts.problem


def test_a_file_that_is_no_zip_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "v.zip"
    path.write_text("a voice recording, honest")
    facts = probe_zip(path)
    assert facts.entries == () and facts.problem is not None
    assert "honest" not in facts.problem


def test_overlapping_entries_are_a_problem(tmp_path: Path) -> None:
    """Two central records sharing one member's data: the classic zip bomb."""
    path = write_zip(tmp_path / "v.zip", [Member("a.wav", wav_bytes())], repeat_central=2)
    with zipfile.ZipFile(path) as archive:
        assert len(archive.infolist()) == 2
    facts = probe_zip(path)
    assert facts.entries == () and facts.problem is not None and "overlap" in facts.problem
