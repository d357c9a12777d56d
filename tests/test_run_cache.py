"""Kept runs: a re-run over unchanged inputs with the same settings gets the same report without
reading anything; any change to what the run read, or to what it was asked, runs it again."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from runner import report_of

from preflight import engine, manifest
from preflight.run_cache import RUNS_KEPT

CACHE = ".preflight_cache"


def _nothing_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError(f"read {args}")

    monkeypatch.setattr(manifest, "load", refuse)
    monkeypatch.setattr(engine, "probing", refuse)


def test_a_second_identical_run_reads_nothing_and_reports_the_same(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = report_of("requests", cwd=repo)
    assert len(list((repo / CACHE).glob("runs-*.json"))) == 1
    _nothing_read(monkeypatch)
    assert report_of("requests", cwd=repo) == first


def _requests(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["source"]: r for r in report["requests"]}


def test_an_edited_manifest_is_read_again(repo: Path) -> None:
    report_of("requests", cwd=repo)
    toml = repo / "requests" / "pass" / "instant-avatar" / "request.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("MakeType", "MakeTyp"), "utf-8")
    second = _requests(report_of("requests", cwd=repo)[1])
    assert not second[os.path.join("requests", "pass", "instant-avatar", "request.toml")]["ok"]


def test_a_new_manifest_in_a_subfolder_is_found(repo: Path) -> None:
    report_of("requests", cwd=repo)
    folder = repo / "requests" / "pass" / "photo-avatar"
    shutil.copy(folder / "lin.request.toml", folder / "again.request.toml")
    second = _requests(report_of("requests", cwd=repo)[1])
    assert os.path.join("requests", "pass", "photo-avatar", "again.request.toml") in second


def test_a_replaced_or_removed_file_is_probed_again(repo: Path) -> None:
    code, _ = report_of("requests/pass", cwd=repo)
    assert code == 0
    photo = repo / "requests" / "pass" / "photo-avatar" / "lin_portrait.jpg"
    shutil.copy(repo / "requests" / "fail" / "photo-avatar" / "lin portrait.jpg", photo)
    assert report_of("requests/pass", cwd=repo)[0] == 1
    photo.unlink()
    assert "file.missing" in json.dumps(report_of("requests/pass", cwd=repo)[1])


def test_a_new_work_tree_above_the_files_runs_again(repo: Path) -> None:
    outside = repo / "requests" / "pass" / "photo-avatar"
    report_of(".", cwd=outside)  # outside a work tree: not one below the repository root
    shutil.rmtree(repo / ".git")
    (outside / ".git").mkdir()
    first = report_of(".", cwd=outside)
    assert (outside / CACHE).is_dir()  # the cache moved with the work tree's root
    assert first == report_of(".", cwd=outside)


def _prefix(n: int) -> str:
    return f"example.cos.ap-guangzhou.myqcloud.com/customer-pipeline/{n}/{uuid.UUID(int=n)}/"


def test_other_settings_are_other_runs_and_only_the_newest_are_kept(repo: Path) -> None:
    first = report_of("requests", "--cos-prefix", _prefix(0), cwd=repo)
    assert report_of("requests", "--cos-prefix", _prefix(1), cwd=repo) != first  # the bodies
    assert report_of("requests", "--cos-prefix", _prefix(0), cwd=repo) == first
    for n in range(RUNS_KEPT + 3):
        report_of("requests", "--cos-prefix", _prefix(n), cwd=repo)
    assert len(list((repo / CACHE).glob("runs-*.json"))) == RUNS_KEPT + 1


@pytest.mark.parametrize("damage", ["", "{", '{"inputs": {}, "report": {"version": 1}}'])
def test_a_damaged_run_is_a_miss(repo: Path, damage: str) -> None:
    first = report_of("requests", cwd=repo)
    (kept,) = (repo / CACHE).glob("runs-*.json")
    kept.write_text(damage, encoding="utf-8")
    assert report_of("requests", cwd=repo) == first


def test_no_cache_keeps_no_run(repo: Path) -> None:
    report_of("requests", "--no-cache", cwd=repo)
    assert not (repo / CACHE).exists()
