"""file.* rules: what any local file must be before its content can be judged."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from helpers.media import make_photo, make_video, make_zip, wav_bytes

from preflight.dispatch import check_file
from preflight.limits import MAKE_TYPES
from preflight.probe import probe_file
from preflight.rules.base import Subject


def fired(path: Path, make_type: str = "IMAGE", field: str = "MaterialCosUrl") -> list[str]:
    subject = Subject(field, MAKE_TYPES[make_type], probe_file(path, path.name))
    findings = check_file(subject)[0]
    return [f.rule for f in findings if f.rule.startswith("file.")]


def test_a_good_file_passes_every_file_rule(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", duration=0.2)
    assert fired(video) == []


def test_missing(tmp_path: Path) -> None:
    assert fired(tmp_path / "absent.mp4") == ["file.missing"]


def test_dangling_symlink_is_missing(tmp_path: Path) -> None:
    (tmp_path / "link.mp4").symlink_to(tmp_path / "gone.mp4")
    assert fired(tmp_path / "link.mp4") == ["file.missing"]


def test_directory_fifo_socket_and_device_are_not_regular(tmp_path: Path) -> None:
    folder = tmp_path / "folder.mp4"
    folder.mkdir()
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)  # opening it for reading would block forever: it must not be opened
    sock_path = tmp_path / "s.mp4"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        for path in (folder, fifo, sock_path, Path("/dev/null")):
            assert fired(path) == ["file.not-regular"], path


def test_symlink_loop_is_not_a_crash(tmp_path: Path) -> None:
    loop = tmp_path / "loop.mp4"
    loop.symlink_to(loop)
    assert fired(loop) == ["file.not-regular"]


def test_lfs_pointer(tmp_path: Path) -> None:
    pointer = tmp_path / "big.mp4"
    pointer.write_text(
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:" + "ab" * 32 + "\nsize 12884901888\n",
        encoding="ascii",
    )
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE"], probe_file(pointer, "big.mp4"))
    pointer_finding, size_finding = check_file(subject)[0]
    assert pointer_finding.rule == "file.lfs-pointer"
    assert pointer_finding.actual == 12884901888
    assert pointer_finding.hint is not None and "git lfs pull" in pointer_finding.hint
    assert size_finding.rule == "video.size"  # the recorded size still counts
    assert size_finding.actual == 12884901888


@pytest.mark.parametrize("content", [b"", b"hello, this is text\n" * 10, b"\0" * 5000])
def test_empty_or_unrecognised_content_is_unreadable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    assert fired(path) == ["file.unreadable"]


def test_truncated_video_is_unreadable(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", duration=0.5)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[:600])  # ftyp and the start of mdat; no index
    assert fired(cut) == ["file.unreadable"]


def test_content_of_another_kind_is_a_type_mismatch(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "clip.mp4", {"a.wav": wav_bytes()})
    assert fired(archive) == ["file.type-mismatch", "file.extension-mismatch"]
    photo = make_photo(tmp_path / "p.png", fmt="PNG")
    assert fired(photo, "VOICE") == ["file.type-mismatch"]
    assert fired(photo, "IMAGE_PHOTO") == []
    wav = tmp_path / "id.pdf"
    wav.write_bytes(wav_bytes())
    assert fired(wav, field="IdentityWrittenCosUrl") == [
        "file.type-mismatch",
        "file.extension-mismatch",
    ]


def test_extension_mismatch_is_a_warning_with_a_rename(tmp_path: Path) -> None:
    png = make_photo(tmp_path / "me_photo.jpg", fmt="PNG")
    subject = Subject("MaterialCosUrl", MAKE_TYPES["IMAGE_PHOTO"], probe_file(png, png.name))
    findings = [f for f in check_file(subject)[0] if f.rule == "file.extension-mismatch"]
    assert len(findings) == 1
    assert findings[0].severity == "warning"
    assert findings[0].hint == "mv me_photo.jpg me_photo.png"
    assert fired(make_photo(tmp_path / "ok.JPEG", fmt="JPEG"), "IMAGE_PHOTO") == []
