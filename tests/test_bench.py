"""The benchmark harness runs end to end on tiny inputs (`--smoke`): every scenario gets its rows
and the run exits 0, alone or beside a baseline revision. Timings are never asserted here:
`make bench` measures the targets."""

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
    ("6 one request", "`preflight check` a folder of one IMAGE_4K request"),
    ("6 one request", "preflight / Python floor, 4k"),
    ("6 one request", "`preflight check` a folder of one VOICE request"),
    ("6 one request", "preflight / Python floor, voice"),
    ("7 speech", "`preflight check` with speech analysis"),
    ("7 speech", "speech analysis / ffmpeg pass"),
    ("7 speech", "peak memory, speech analysis"),
    ("9 html report", "`preflight check --format html`, the 4K request"),
    ("9 html report", "html − text (the video's pictures) / those decodes"),
    ("10 fix", "fix / bare ffmpeg"),
    ("10 fix", "peak memory of preflight itself"),
)


def smoke(tmp_path: Path, *options: str) -> list[list[str]]:
    """Run the smoke benchmark and return the cells of its table's rows, after checking that
    it names every scenario's measurements and that the table printed is the table written."""
    out = tmp_path / "results.md"
    run = [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", *options]
    done = subprocess.run(
        [*run, "--out", str(out), "--workdir", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    written = out.read_text(encoding="utf-8")
    assert done.stdout == written
    assert "- Machine: " in written
    lines = [line for line in written.splitlines() if line.startswith("| ")]
    rows = [line.removeprefix("| ").removesuffix(" |").split(" | ") for line in lines[1:]]
    named = [(cells[0], cells[1]) for cells in rows]
    for scenario, what in EXPECTED_ROWS:
        assert any(s == scenario and w.startswith(what) for s, w in named), (scenario, what)
    columns = len(lines[0].split(" | "))
    assert all(len(cells) == columns for cells in rows)  # every row fills every column
    return rows


def test_smoke_run_writes_every_scenario(tmp_path: Path) -> None:
    rows = smoke(tmp_path)
    assert all(len(cells) == 5 for cells in rows)  # no baseline columns without --baseline


def test_smoke_run_beside_a_baseline(tmp_path: Path) -> None:
    rows = smoke(tmp_path, "--baseline", "HEAD")
    assert all(len(cells) == 8 for cells in rows)
    version = next(cells for cells in rows if cells[1] == "`preflight --version`")
    baseline, change, verdict = version[5:]
    assert baseline.endswith(" ms") and change.endswith("×") and verdict in ("met", "**not met**")
    assert (tmp_path / "work" / "smoke" / "baseline" / "repo-6" / "request-0000").is_dir()
