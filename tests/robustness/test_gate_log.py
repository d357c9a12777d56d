"""The log cannot be hijacked: file and folder names from a pull request (a GitHub workflow
command, `##[`, ESC sequences that clear the screen or colour it, a newline, a C1 control, bytes
that are not UTF-8) reach every format, stdout and `--report` files, `inspect` and fix hints
escaped: no line a CI runner or a terminal would act on, and no name takes the report down."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from harness import check_cli, run_cli
from helpers.media import make_photo
from hostile import manifest

from preflight.reporters.formats import REPORTERS

# Each a photo whose name breaks photo.name, so that its finding carries a rename hint.
NAMES = {
    "command": "::error::pwned.png",
    "old-command": "x##[error]y.png",
    "escape": "\x1b[2J\x1b[31mclear.png",
    "newline": "line\n::warning::two.png",
    "c1": "csi\x9b31m.png",
    "not-utf8": os.fsdecode(b"caf\xe9 \xff.png"),
}
FOLDER = os.fsdecode(b"req \xff ##[group]")  # a folder not UTF-8, holding a manifest
GITHUB_COMMAND = re.compile(r"::(error|warning|notice) [^:]*::")  # `:` escaped in properties


def _tree(root: Path) -> Path:
    repo = root / "repo"
    (repo / ".git").mkdir(parents=True)
    for name in NAMES.values():
        make_photo(repo / name, width=100, height=100, fmt="PNG")
    folder = repo / FOLDER
    folder.mkdir()
    make_photo(folder / "a b.png", width=100, height=100, fmt="PNG")
    manifest(folder / "request.json", "IMAGE_PHOTO", "x##[error]", MaterialCosUrl="a b.png")
    return repo


def assert_safe(output: str, fmt: str) -> None:
    """No character a terminal acts on, no line a runner reads as a command but our own."""
    assert "\ufffd" not in output, "bytes that are not UTF-8 were written raw"
    for line in output.split("\n"):
        assert line.isprintable(), repr(line)
        assert "##[" not in line, line
        if line.startswith("::"):
            assert fmt == "github" and GITHUB_COMMAND.match(line), line


def test_names_reach_every_format_escaped(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    paths = (FOLDER, *NAMES.values())
    out = tmp_path / "out"
    out.mkdir()
    reports = {fmt: out / f"report.{fmt}" for fmt in REPORTERS}
    run = check_cli(repo, *paths, *(f"--report={fmt}:{path}" for fmt, path in reports.items()))
    assert run.report is not None
    shown = {i["path"] for i in run.report["files"]}
    assert shown == set(NAMES.values()), shown  # JSON keeps the names exactly, escaped as JSON
    assert run.report["requests"][0]["source"] == f"{FOLDER}/request.json"
    hints = [f["hint"] for i in run.report["files"] for f in i["findings"] if f["hint"]]
    assert any(NAMES["not-utf8"] in hint for hint in hints), hints
    assert_safe(run.stdout, "json")
    for fmt, path in reports.items():
        written = path.read_bytes().decode("utf-8")  # strictly UTF-8
        assert_safe(written, fmt)
        assert "pwned" in written and "clear.png" in written, (fmt, written[:2000])
    for fmt in REPORTERS:
        done = run_cli(repo, *paths, output_format=fmt)
        assert done.code == 1 and "Traceback" not in done.stderr, done.stderr
        assert_safe(done.stdout, fmt)
    text = reports["text"].read_text(encoding="utf-8")
    assert "\\x3a:error::pwned.png" in text and "x#\\x23[error]y.png" in text
    assert "\\x1b[2J\\x1b[31mclear.png" in text and "line\\n\\x3a:warning" not in text
    assert "caf\\udce9 \\udcff.png" in text and "fix: mv " in text


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_inspect_shows_names_escaped(tmp_path: Path, fmt: str) -> None:
    repo = _tree(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "inspect", "--format", fmt, *NAMES.values()],
        cwd=repo,
        capture_output=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    stdout = done.stdout.decode("utf-8")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert_safe(stdout, fmt)
    if fmt == "json":
        assert {i["path"] for i in json.loads(stdout)} == set(NAMES.values())
