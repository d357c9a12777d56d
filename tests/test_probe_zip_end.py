"""A zip is known by its end-of-central-directory record, not by a signature at byte 0: a
self-extractor (a stub before the archive) is read as the zip it is, and a part of a split
archive is zip.corrupt, saying to join the parts. Every archive here is made with zipfile."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from helpers.facts import findings, fired
from helpers.media import wav_bytes

from preflight.probe import probe_file
from preflight.probe.archive import end_record
from preflight.probe.facts import ZipFacts

STUB = b"MZ\x90\0" + bytes(60) + b"This program cannot be run in DOS mode." + bytes(4000)
END = struct.Struct("<4s4H2LH")


def zip_bytes(members: dict[str, bytes], comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


VOICE = {"take1.wav": wav_bytes(rate=24000), "take2.wav": wav_bytes(rate=48000)}


def self_extractor(path: Path, *, fixed: bool) -> Path:
    """A stub, then a zip: with its offsets fixed to count from the file's start (what
    `zip -A` does, and zipfile's append mode writes), or left counting from the archive's
    start (a plain `cat stub.exe voice.zip`). unzip, 7-Zip and zipfile read both."""
    if fixed:
        path.write_bytes(STUB)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
            for name, data in VOICE.items():
                archive.writestr(name, data)
    else:
        path.write_bytes(STUB + zip_bytes(VOICE))
    with zipfile.ZipFile(path) as archive:  # the independent reader
        assert archive.testzip() is None and archive.namelist() == list(VOICE)
    return path


def zip64_end(data: bytes) -> bytes:
    """The same zip ended as a ZIP64 archive is: a ZIP64 end record and its locator before
    an end record whose fields say 'see ZIP64'."""
    at = data.rfind(b"PK\x05\x06")
    _, _, _, here, total, size, offset, _ = END.unpack_from(data, at)
    record = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, here, total, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
    end = END.pack(b"PK\x05\x06", 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + record + locator + end


def last_part(path: Path, parts: int) -> Path:
    """The last file of a split archive (`zip -s`): the tail of the members' data, then the
    central directory, whose end record says which part this is."""
    data = zip_bytes(VOICE)
    at = data.rfind(b"PK\x05\x06")
    _, _, _, here, total, size, _, _ = END.unpack_from(data, at)
    directory = data[at - size : at]
    tail_of_data = data[200 : at - size]  # mid-member bytes: no signature at byte 0
    disk = parts - 1
    end = END.pack(b"PK\x05\x06", disk, disk, here, total, size, len(tail_of_data), 0)
    path.write_bytes(tail_of_data + directory + end)
    return path


@pytest.mark.parametrize("fixed", [True, False], ids=["offsets-fixed", "offsets-as-written"])
def test_a_self_extractor_is_read_as_a_zip(tmp_path: Path, fixed: bool) -> None:
    path = self_extractor(tmp_path / "voice.zip", fixed=fixed)
    facts = probe_file(path, "voice.zip")
    assert (facts.format, facts.kind, facts.problem) == ("zip", "archive", None)
    assert isinstance(facts.media, ZipFacts) and facts.media.problem is None
    assert [(e.name, e.content) for e in facts.media.entries] == [
        ("take1.wav", "wav"),
        ("take2.wav", "wav"),
    ]
    assert fired(facts, "VOICE") == set()


def test_a_self_extractor_named_exe_passes_but_for_its_name(tmp_path: Path) -> None:
    path = self_extractor(tmp_path / "voice.exe", fixed=True)
    assert fired(probe_file(path, "voice.exe"), "VOICE") == {"file.extension-mismatch"}


def test_a_zip64_end_record_after_a_stub(tmp_path: Path) -> None:
    path = tmp_path / "voice.zip"
    path.write_bytes(STUB + zip64_end(zip_bytes(VOICE)))
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == list(VOICE)
    facts = probe_file(path, "voice.zip")
    assert facts.format == "zip" and isinstance(facts.media, ZipFacts)
    assert [e.content for e in facts.media.entries] == ["wav", "wav"]


def test_a_self_extractor_with_a_comment(tmp_path: Path) -> None:
    """The comment follows the end record: the record is found before it."""
    path = tmp_path / "voice.zip"
    path.write_bytes(STUB + zip_bytes(VOICE, "自解压语音包 self-extracting".encode() * 100))
    with path.open("rb") as stream:
        record = end_record(stream)
    assert record is not None and (record.disk, record.directory_disk) == (0, 0)
    assert fired(probe_file(path, "voice.zip"), "VOICE") == set()


def test_the_last_part_of_a_split_archive_is_zip_corrupt(tmp_path: Path) -> None:
    path = last_part(tmp_path / "voice.zip", parts=3)
    with zipfile.ZipFile(path) as archive:  # zipfile lists it, but finds no member's data
        assert archive.namelist() == list(VOICE) and archive.testzip() == "take1.wav"
    facts = probe_file(path, "voice.zip")
    assert (facts.format, facts.problem) == ("zip", None)
    found = findings(facts, "VOICE")
    assert [f.rule for f in found] == ["zip.corrupt"]
    assert "last part (part 3) of a split archive" in found[0].message
    assert "join the parts" in found[0].message


def test_the_first_part_of_a_split_archive_is_zip_corrupt(tmp_path: Path) -> None:
    data = zip_bytes(VOICE)
    path = tmp_path / "voice.z01"
    path.write_bytes(b"PK\x07\x08" + data[: len(data) // 2])  # zip -s starts part 1 so
    found = findings(probe_file(path, "voice.z01"), "VOICE")
    assert "zip.corrupt" in {f.rule for f in found}
    assert any("first part of a split archive" in f.message for f in found)


@pytest.mark.parametrize(
    "tail",
    [
        END.pack(b"PK\x05\x06", 0, 0, 1, 1, 46, 0, 0),  # no central directory where it says
        END.pack(b"PK\x05\x06", 0, 0, 1, 1, 46, 0, 500),  # a comment longer than the file
        b"PK\x05\x06" + bytes(10),  # a record cut short
    ],
    ids=["no-directory", "comment-past-the-end", "cut-short"],
)
def test_an_end_signature_alone_does_not_make_a_zip(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4 + tail)
    facts = probe_file(path, "data.bin")
    assert facts.format is None and facts.problem is not None
    assert fired(facts, "VOICE") == {"file.unreadable"}
