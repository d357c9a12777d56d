"""Nothing passes silently: a path that is nothing, a run that finds nothing to check and a
folder that cannot be listed fail the run; what the search passes over is counted."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from harness import check_cli, refused, run_cli, sandbox
from helpers.media import make_photo
from hostile import manifest

from preflight.probe.sniff import format_of_extension

CHECKOUT = Path(__file__).resolve().parents[2]
_ANCHOR = {"AudioId": "a1"}  # a ZERO_SHOT_VOICE request names no file: it passes alone


def _request(path: Path, anchor: str) -> Path:
    return manifest(path, "ZERO_SHOT_VOICE", anchor, **_ANCHOR)


@pytest.mark.parametrize("given", ["missing.mp4", "missing/", "notes.txt/clip.mp4"])
def test_a_path_that_is_nothing_is_a_usage_error_naming_it(tmp_path: Path, given: str) -> None:
    (tmp_path / "notes.txt").write_text("not a folder", encoding="utf-8")
    _request(tmp_path / "request.json", "lin")
    run = refused(tmp_path, "request.json", given)
    assert f"{given.rstrip('/')}: no such file or folder" in run.stderr


def test_a_dangling_symlink_given_is_still_a_finding(tmp_path: Path) -> None:
    """It is something in the tree (git checks it out): `file.missing`, not a usage error."""
    (tmp_path / "clip.mp4").symlink_to(tmp_path / "gone.mp4")
    check_cli(tmp_path, "clip.mp4", expect={"clip.mp4": "file.missing"})


def test_a_run_that_finds_nothing_fails_and_says_why(tmp_path: Path) -> None:
    """A misnamed manifest beside its media: exit 2 naming what was seen, unless allowed."""
    folder = tmp_path / "avatars" / "lin"
    folder.mkdir(parents=True)
    _request(folder / "requests.json", "lin")  # not a manifest name
    (folder / "lin.mp4").write_bytes(b"\0" * 64)
    run = refused(tmp_path, "avatars")
    assert "nothing to check: no manifest found" in run.stderr
    assert "avatars/lin/lin.mp4" in run.stderr and "--allow-empty" in run.stderr
    allowed = check_cli(tmp_path, "avatars", "--allow-empty")
    assert allowed.code == 0 and allowed.report is not None
    assert not allowed.report["requests"] and not allowed.report["files"]


def test_paths_that_are_neither_manifests_nor_media_check_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# notes", encoding="utf-8")
    run = refused(tmp_path, "notes.md")
    assert "notes.md skipped: neither a manifest nor a media file" in run.stderr


def test_a_run_whose_every_path_is_excluded_checks_nothing(tmp_path: Path) -> None:
    """A configuration that excludes everything (one a pull request could add) fails the run."""
    (tmp_path / ".preflight.toml").write_text('exclude = ["*"]\n', encoding="utf-8")
    _request(tmp_path / "request.json", "lin")
    run = refused(tmp_path, ".")
    assert "excluded by the configuration" in run.stderr


def test_a_media_file_on_its_own_is_something_checked(tmp_path: Path) -> None:
    """pre-commit passes media files: one that no manifest names is inspected, not empty."""
    (tmp_path / "lin.mp4").write_bytes(b"\0" * 64)
    run = check_cli(tmp_path, "lin.mp4", expect={"lin.mp4": "file.unreadable"})
    assert run.code == 1


def test_the_hook_passes_only_what_a_run_checks_and_allows_what_its_configuration_excludes() -> (
    None
):
    """pre-commit runs the hook only on files its `files` pattern matches: each is a manifest
    or a media file by its name, so no commit of unrelated files makes an empty run; a commit
    of files that the configuration excludes passes (`--allow-empty` in the hook's entry)."""
    (hook,) = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert "--allow-empty" in hook["entry"].split()
    extensions = re.fullmatch(r".*\\\.\((.*)\)\)\$", hook["files"])  # the last `\.(…)`
    assert extensions is not None
    for extension in extensions.group(1).split("|"):
        assert format_of_extension(extension) is not None, extension


@pytest.mark.skipif(not sandbox(), reason="needs a user namespace: root lists any folder")
def test_a_folder_without_permission_to_list_it_is_a_finding(tmp_path: Path) -> None:
    """Run as an ordinary user (harness.sandbox), a folder of mode 000 cannot be listed."""
    _request(tmp_path / "request.json", "lin")
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    _request(locked / "inner" / "request.json", "tom")
    locked.chmod(0)
    try:
        run = check_cli(tmp_path, ".", expect={"locked": "file.unreadable"})
    finally:
        locked.chmod(0o755)
    assert run.code == 1
    (finding,) = run.findings("locked")
    assert "cannot be listed (permission denied)" in finding["message"]


@pytest.mark.skipif(not sandbox(), reason="needs a user namespace: root lists any folder")
@pytest.mark.parametrize("locked", ["avatars/lin", "avatars"])
def test_a_folder_above_a_media_file_given_that_cannot_be_listed_is_a_finding(
    tmp_path: Path, locked: str
) -> None:
    """pre-commit passes `avatars/lin/lin.png`: the search upward for the manifests that name it
    meets a folder it may enter but not list (mode 0o111), where a manifest naming it could be.
    That folder is a finding, and the file is still inspected on its own."""
    (tmp_path / ".git").mkdir()
    photo = tmp_path / "avatars" / "lin" / "lin.png"
    photo.parent.mkdir(parents=True)
    make_photo(photo, width=100, height=100, fmt="PNG")
    (tmp_path / locked).chmod(0o111)
    try:
        run = check_cli(tmp_path, "avatars/lin/lin.png", expect={locked: "file.unreadable"})
    finally:
        (tmp_path / locked).chmod(0o755)
    assert run.code == 1 and run.report is not None
    (finding,) = run.findings(locked)
    assert "cannot be listed (permission denied)" in finding["message"]
    assert [f["path"] for f in run.report["files"]] == ["avatars/lin/lin.png"]
    assert run.facts("avatars/lin/lin.png")["width"] == 100  # type: ignore[index]


def test_a_folder_whose_path_is_too_long_to_list_is_a_finding(tmp_path: Path) -> None:
    """What root cannot list either: a folder whose path is longer than the system allows
    (PATH_MAX, 4096 bytes on Linux), made one level at a time relative to its parent."""
    _request(tmp_path / "request.json", "lin")
    names = ["d" * 250] * 20  # 5 020 bytes below the root
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for name in names:
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)
    run = run_cli(tmp_path, ".")  # not check_cli: its snapshot cannot reach that folder either
    assert run.code == 1 and run.report is not None and "Traceback" not in run.stderr
    (unlisted,) = [r for r in run.report["requests"] if r["source"] != "request.json"]
    assert len(unlisted["source"].encode()) > 4096
    (finding,) = unlisted["findings"]
    assert finding["rule"] == "file.unreadable"
    assert "cannot be listed (file name too long)" in finding["message"]


def test_what_the_search_passes_over_is_counted_and_a_folder_given_is_searched(
    tmp_path: Path,
) -> None:
    for folder in (".github", "node_modules/pkg", "__pycache__", "real", ".git"):
        (tmp_path / folder).mkdir(parents=True)
    _request(tmp_path / "request.json", "lin")
    for number, folder in enumerate((".github", "node_modules/pkg", "real")):
        _request(tmp_path / folder / "request.json", f"hidden_{number}")
    (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    run = check_cli(tmp_path, ".")
    assert run.report is not None
    assert [r["source"] for r in run.report["requests"]] == ["request.json", "real/request.json"]
    assert run.report["not_searched"] == {
        "hidden_folders": 1,  # .github; .git is never a pull request's
        "tool_folders": 2,
        "symlinked_folders": 1,
        "excluded": 0,
    }
    text = run_cli(tmp_path, ".", output_format="text").stdout
    assert "SKIP 1 hidden folder, 2 tool folders (node_modules, __pycache__, __MACOSX), " in text
    assert "1 symlinked folder not searched (give a folder's path to search it)" in text
    for given, source in (
        (".github", ".github/request.json"),
        ("node_modules/pkg", "node_modules/pkg/request.json"),
        ("linked", "linked/request.json"),
    ):
        explicit = check_cli(tmp_path, given)
        assert explicit.report is not None
        assert [r["source"] for r in explicit.report["requests"]] == [source]
