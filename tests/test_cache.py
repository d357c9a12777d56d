"""The probe cache: a re-run over unchanged files reads no media and finds the same."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from runner import report_of

from preflight import engine
from preflight.engine import Progress
from preflight.probe.facts import FileFacts
from preflight.probe.pool import Contained

CACHE = ".preflight_cache"


def _no_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, reading a file that exists fails the test (a missing one costs a stat)."""
    probing = engine.probing

    def refusing(jobs: int, progress: Progress | None) -> Contained[tuple[Path, str], FileFacts]:
        workers = probing(jobs, progress)
        submit = workers.submit

        def refuse(item: tuple[Path, str]) -> None:
            assert not item[0].exists(), f"{item[1]} was probed again"
            submit(item)

        monkeypatch.setattr(workers, "submit", refuse)
        return workers

    monkeypatch.setattr(engine, "probing", refusing)


def test_a_second_run_reads_no_file_and_finds_the_same(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = report_of("requests", "--jobs", "1", cwd=repo)
    (stored,) = (repo / CACHE).glob("facts-*.json")
    assert len(json.loads(stored.read_text(encoding="utf-8"))) >= 7
    assert (repo / CACHE / ".gitignore").read_text().splitlines()[-1] == "*"
    _no_probing(monkeypatch)
    assert report_of("requests", "--jobs", "1", cwd=repo) == first


def test_a_changed_file_is_probed_again(repo: Path) -> None:
    report_of("requests", cwd=repo)
    good = repo / "requests" / "pass" / "photo-avatar" / "lin_portrait.jpg"
    shutil.copy2(repo / "requests" / "fail" / "photo-avatar" / "lin portrait.jpg", good)
    code, report = report_of("requests/pass/photo-avatar", cwd=repo)
    assert code == 1
    assert "photo.aspect" in {f["rule"] for f in report["requests"][0]["findings"]}


def test_no_cache_writes_nothing_and_reads_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_of("requests", "--no-cache", cwd=repo)
    assert not (repo / CACHE).exists()
    (repo / ".preflight.toml").write_text("cache = false\n")
    report_of("requests", cwd=repo)
    assert not (repo / CACHE).exists()
    (repo / ".preflight.toml").unlink()
    report_of("requests", cwd=repo)
    _no_probing(monkeypatch)
    with pytest.raises(AssertionError, match="probed again"):
        report_of("requests", "--no-cache", "--jobs", "1", cwd=repo)


def test_entries_from_elsewhere_are_not_trusted(repo: Path) -> None:
    """A cache committed to the repository, or written on another machine, says a bad file
    is good: its keys (ctime, inode) cannot match this checkout's files."""
    report_of("requests", cwd=repo)
    (stored,) = (repo / CACHE).glob("facts-*.json")
    entries = json.loads(stored.read_text(encoding="utf-8"))
    bad = str(repo / "requests" / "fail" / "instant-avatar" / "lin.mov")
    entries[bad]["key"][2] -= 1  # the ctime of another checkout
    entries[bad]["facts"]["media"]["fps"] = 25.0
    stored.write_text(json.dumps(entries), encoding="utf-8")
    _, report = report_of("requests/fail/instant-avatar", cwd=repo)
    assert "video.fps" in {f["rule"] for f in report["requests"][0]["findings"]}


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"x": 1}', "[" * 100_000])
def test_a_damaged_cache_is_a_miss(repo: Path, damage: str) -> None:
    first = report_of("requests", cwd=repo)
    (stored,) = (repo / CACHE).glob("facts-*.json")
    stored.write_text(damage, encoding="utf-8")
    assert report_of("requests", cwd=repo) == first


def test_a_damaged_entry_is_a_miss(repo: Path) -> None:
    first = report_of("requests", cwd=repo)
    (stored,) = (repo / CACHE).glob("facts-*.json")
    entries = json.loads(stored.read_text(encoding="utf-8"))
    for entry in entries.values():
        entry["facts"] = {"@": "FileFacts", "unknown": 1}
    stored.write_text(json.dumps(entries), encoding="utf-8")
    assert report_of("requests", cwd=repo) == first


def test_a_cache_of_another_version_is_replaced(repo: Path) -> None:
    (repo / CACHE).mkdir()
    old = repo / CACHE / "facts-0000000000000000.json"
    old.write_text("{}", encoding="utf-8")
    report_of("requests", cwd=repo)
    assert not old.exists()
    assert len(list((repo / CACHE).glob("facts-*.json"))) == 1
