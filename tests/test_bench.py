"""The benchmark harness runs end to end on tiny inputs (`--smoke`): every scenario gets its rows
and the run exits 0. Timings are never asserted here: `make bench` measures the targets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One measurement of each scenario, as the table names it.
EXPECTED_ROWS = (
    ("1 start-up", "`preflight --version`"),
    ("1 start-up", "`preflight rules`"),
    ("2 one video", "`preflight check` 4K MOV 10 MB"),
    ("2 one video", "preflight / Python floor, 1 MB"),
    ("2 one video", "`mediaconch -p policy.xml` 1 MB"),
    ("2 one video", "preflight 10 MB / 1 MB"),
    ("2 one video", "preflight peak RSS"),
    ("3 voice zip", "preflight / Python floor"),
    ("3 voice zip", "bytes preflight reads from the zip"),
    ("4 repository", "--jobs 1 / --jobs 2"),
    ("4 repository", "preflight default run / libraries alone"),
    ("4 repository", "12 / 6 requests"),
    ("4 repository", "one `ffprobe -show_streams` call per media file"),
    ("5 re-run", "second / first"),
    ("5 re-run", "same findings"),
)


def test_smoke_run_writes_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    run = [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"]
    done = subprocess.run(
        [*run, "--out", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = out.read_text(encoding="utf-8")
    assert done.stdout == written  # the table printed is the table written
    rows = [line.split(" | ") for line in written.splitlines() if line.startswith("| ")]
    named = [(cells[0].removeprefix("| "), cells[1]) for cells in rows]
    for scenario, what in EXPECTED_ROWS:
        assert any(s == scenario and w.startswith(what) for s, w in named), (scenario, what)
    assert "- Machine: " in written
    assert all(len(cells) == 5 for cells in rows)  # every row fills every column
