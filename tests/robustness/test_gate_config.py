"""Configuration on an untrusted pull request: each file is governed by the nearest
configuration above it (a PR cannot turn rules off for files it does not hold), `--config`
pins one, every report names the configuration files used and what they change, and every
configuration problem (a FIFO, a device, a huge or looping or deeply nested file, a billion
jobs) is exit 2 or a bounded run, never a hang or an internal error."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from harness import check_cli, refused, run_cli

from preflight.probe import probing
from preflight.rules import RULES

FAIL = Path(__file__).resolve().parents[2] / "fixtures" / "requests" / "fail"
OFF = '[rules]\n"video.fps" = "off"\n'


def _two_requests(root: Path) -> Path:
    """A work tree with the same 24 fps request in `a/` and `b/` (video.fps fires on both)."""
    repo = root / "repo"
    (repo / ".git").mkdir(parents=True)
    for name in ("a", "b"):
        shutil.copytree(FAIL / "instant-avatar", repo / name)
    return repo


def _fps_sources(report: dict[str, object]) -> set[str]:
    return {
        r["source"]
        for r in report["requests"]  # type: ignore[attr-defined]
        if any(f["rule"] == "video.fps" for f in r["findings"])
    }


def test_each_file_is_governed_by_its_nearest_configuration(tmp_path: Path) -> None:
    repo = _two_requests(tmp_path)
    (repo / ".preflight.toml").write_text('[rules]\n"video.fps" = "error"\n', encoding="utf-8")
    (repo / "b" / ".preflight.toml").write_text(OFF, encoding="utf-8")
    for given in (".", "a"):  # the first path's configuration no longer decides for b
        run = check_cli(repo, given, "b")
        assert run.report is not None
        assert _fps_sources(run.report) == {"a/request.toml"}, run.report
        listed = {c["path"]: c for c in run.report["configuration"]}
        assert listed["b/.preflight.toml"]["rules"] == {"video.fps": "off"}
        assert ".preflight.toml" in listed
    # --config pins one for the whole run: b's own is not read
    run = check_cli(repo, ".", "--config", ".preflight.toml")
    assert run.report is not None
    assert _fps_sources(run.report) == {"a/request.toml", "b/request.toml"}
    assert [c["path"] for c in run.report["configuration"]] == [".preflight.toml"]


def test_a_configuration_that_switches_everything_off_is_in_every_report(tmp_path: Path) -> None:
    repo = _two_requests(tmp_path)
    rules = "".join(f'"{rule_id}" = "off"\n' for rule_id in RULES)
    text = f'exclude = ["drafts"]\n[per-path-ignores]\n"*.mov" = ["video.fps"]\n[rules]\n{rules}'
    (repo / "b" / ".preflight.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    reports = {name: out / f"report.{name}" for name in ("sarif", "markdown", "junit")}
    summary = out / "summary.md"
    out.mkdir()
    run = check_cli(
        repo,
        ".",
        *(f"--report={name}:{path}" for name, path in reports.items()),
        "--report=github:" + str(out / "github.txt"),
    )
    assert run.report is not None
    (listed,) = run.report["configuration"]
    assert listed["path"] == "b/.preflight.toml"
    assert listed["rules"] == dict.fromkeys(RULES, "off")
    assert listed["per_path_ignores"] == {"*.mov": ["video.fps"]}
    assert listed["exclude"] == ["drafts"]
    sarif = json.loads(reports["sarif"].read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["configuration"] == [listed]
    github = (out / "github.txt").read_text(encoding="utf-8")
    assert github.startswith("::notice file=b/.preflight.toml,title=preflight configuration::")
    notice = github.splitlines()[0]
    assert "turns off request.unknown-field, " in notice and ", video.fps, " in notice
    markdown = reports["markdown"].read_text(encoding="utf-8")
    assert "| `b/.preflight.toml` | turns off " in markdown and "excludes drafts" in markdown
    ET.fromstring(reports["junit"].read_text(encoding="utf-8"))  # still a report
    text = run_cli(repo, ".", output_format="text")
    assert "CONFIG b/.preflight.toml: turns off " in text.stdout
    assert "ignores video.fps on *.mov; excludes drafts" in text.stdout
    summary_env = {"GITHUB_STEP_SUMMARY": str(summary)}
    github_run = run_cli(repo, ".", output_format="github", env=summary_env)
    assert github_run.code == 1 and "::notice file=b/.preflight.toml" in github_run.stdout
    assert "| `b/.preflight.toml` | turns off " in summary.read_text(encoding="utf-8")


def test_a_billion_jobs_starts_no_more_workers_than_cores_or_files(tmp_path: Path) -> None:
    repo = _two_requests(tmp_path)
    (repo / ".preflight.toml").write_text("jobs = 1_000_000_000\n", encoding="utf-8")
    check_cli(repo, ".")  # in time and within memory: no fork bomb
    check_cli(repo, ".", "--jobs", "1000000000")
    with probing(10**9) as pool:
        pool.map([(FAIL / "instant-avatar" / "lin.mov", "lin.mov")] * 2)
        assert len(pool.workers) <= min(os.cpu_count() or 1, 2)


def _hostile_files(folder: Path) -> dict[str, Path]:
    """What a pull request can put where a configuration file or a list of names is read."""
    folder.mkdir()
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    huge = folder / "huge"
    with huge.open("wb") as stream:
        stream.truncate(64 << 20)  # sparse: costs nothing to make
    loop = folder / "loop"
    loop.symlink_to(loop)
    zero = folder / "zero"
    zero.symlink_to("/dev/zero")
    nested = folder / "nested"
    nested.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    (folder / "dir").mkdir()
    return {"fifo": fifo, "huge": huge, "loop": loop, "zero": zero, "dir": folder / "dir"} | {
        "nested": nested
    }


@pytest.mark.parametrize("kind", ["fifo", "huge", "loop", "zero", "dir", "nested"])
def test_hostile_configuration_files_are_configuration_errors(tmp_path: Path, kind: str) -> None:
    repo = _two_requests(tmp_path)
    hostile = _hostile_files(tmp_path / "hostile")[kind]
    inner = repo / "b" / ".preflight.toml"
    inner.symlink_to(hostile)  # found on the way, below the first path's configuration
    run = refused(repo, ".")
    assert ".preflight.toml" in run.stderr, run.stderr
    if kind != "nested":
        inner.unlink()
        anchors = f'known-anchors = "{hostile}"\n'
        (repo / ".preflight.toml").write_text(anchors, encoding="utf-8")
        assert str(hostile) in refused(repo, ".").stderr
        (repo / ".preflight.toml").unlink()
        assert str(hostile) in refused(repo, ".", "--known-anchors", str(hostile)).stderr
    if kind != "dir":  # click refuses a folder itself
        assert str(hostile) in refused(repo, ".", "--config", str(hostile)).stderr


def test_glob_lists_are_bounded(tmp_path: Path) -> None:
    repo = _two_requests(tmp_path)
    globs = json.dumps([f"x{n}/*" for n in range(1001)])
    (repo / ".preflight.toml").write_text(f"exclude = {globs}\n", encoding="utf-8")
    assert "at most 1000" in refused(repo, ".").stderr
    long = json.dumps(["*" * 1001])
    (repo / ".preflight.toml").write_text(f"exclude = {long}\n", encoding="utf-8")
    assert "longer than" in refused(repo, ".").stderr
