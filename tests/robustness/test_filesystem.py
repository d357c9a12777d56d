"""What the file system can put where a file should be: folders, FIFOs, sockets, devices,
unreadable files, dangling and looping links, odd names, a manifest naming itself.

Files that are not regular are never opened: a FIFO without a writer would block an `open`
for ever, and /dev/zero would never end, so the run finishing in time is the proof."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from harness import FACTS_READ, check_cli, sandbox
from helpers.media import make_photo, wav_bytes
from hostile import manifest


def _socket(path: Path) -> socket.socket:
    """A listening UNIX socket at `path` (bound by a short relative name: sun_path is short)."""
    server = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        server.bind(path.name)
    finally:
        os.chdir(here)
    return server


def test_special_files_in_manifests(tmp_path: Path) -> None:
    nodes = tmp_path / "nodes"
    nodes.mkdir()
    os.mkfifo(nodes / "fifo.zip")
    (nodes / "folder.zip").mkdir()
    (nodes / "zero.zip").symlink_to("/dev/zero")
    (nodes / "dangling.zip").symlink_to(nodes / "nowhere.zip")
    (nodes / "loop_a.zip").symlink_to(nodes / "loop_b.zip")
    (nodes / "loop_b.zip").symlink_to(nodes / "loop_a.zip")
    server = _socket(nodes / "socket.zip")
    fields = {
        "fifo": ("nodes/fifo.zip", "file.not-regular"),
        "folder": ("nodes/folder.zip", "file.not-regular"),
        "socket": ("nodes/socket.zip", "file.not-regular"),
        "dev_zero": ("/dev/zero", "file.not-regular"),
        "dev_zero_link": ("nodes/zero.zip", "file.not-regular"),
        "dangling": ("nodes/dangling.zip", "file.missing"),
        "loop": ("nodes/loop_a.zip", "file.not-regular"),
        "self": ("self.request.json", "file.unreadable"),
    }
    for name, (value, _) in fields.items():
        manifest(tmp_path / f"{name}.request.json", "VOICE", f"voice_{name}", MaterialCosUrl=value)
    try:
        check_cli(tmp_path, ".", expect={value: rule for value, rule in fields.values()})
    finally:
        server.close()


def test_special_files_on_the_command_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.mp4")
    os.mkfifo(tmp_path / "request.json")  # a manifest that is a FIFO
    (tmp_path / "zero.wav").symlink_to("/dev/zero")
    check_cli(
        tmp_path,
        "pipe.mp4",
        "zero.wav",
        "/dev/zero",
        "request.json",
        expect={
            "pipe.mp4": "file.not-regular",
            "zero.wav": "file.not-regular",
            "/dev/zero": "file.not-regular",
            "request.json": "file.unreadable",
        },
    )


@pytest.mark.skipif(
    os.geteuid() == 0 and not sandbox(),
    reason="root reads files without read permission, and unshare cannot drop that power here",
)
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "voice.zip"
    locked.write_bytes(b"PK\x03\x04" + bytes(100))
    locked.chmod(0)
    manifest(tmp_path / "request.json", "VOICE", "voice", MaterialCosUrl="voice.zip")
    run = check_cli(tmp_path, ".", expect={"voice.zip": "file.unreadable"})
    assert "permission denied" in run.findings("voice.zip")[0]["message"]


def _odd_names(root: Path) -> Path:
    """A folder whose name is not UTF-8, holding a manifest and a photo named with a space;
    and a WAV whose own name is not UTF-8."""
    folder = root / os.fsdecode(b"caf\xe9 folder")  # Latin-1 bytes: not UTF-8
    folder.mkdir()
    make_photo(folder / "my portrait.png", width=100, height=100, fmt="PNG")
    manifest(folder / "request.json", "IMAGE_PHOTO", "portrait", MaterialCosUrl="my portrait.png")
    wav = root / os.fsdecode(b"voix \xff.wav")
    wav.write_bytes(wav_bytes())
    return wav


def test_names_with_spaces_and_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    wav = _odd_names(tmp_path)
    run = check_cli(tmp_path, "--no-cache", ".", wav.name, output_format="text")
    assert "my portrait.png" in run.stdout and "photo.name" in run.stdout
    assert "\\udce9" in run.stdout  # the byte is shown escaped, never raw
    for _ in range(2):  # with the facts cache: written, then read
        check_cli(tmp_path, ".", wav.name, expect={wav.name: FACTS_READ})


def test_control_characters_in_file_names_stay_on_their_line(tmp_path: Path) -> None:
    (tmp_path / "a\n::error::injected.mp4").write_bytes(b"not a video")
    run = check_cli(tmp_path, "--no-cache", "a\n::error::injected.mp4", output_format="text")
    assert not any(line.startswith("::") for line in run.stdout.splitlines()), run.stdout
