"""The worker pool: results in order, and a worker that hangs, crashes or raises costs one
finding for its item, never the batch; with workers forked and with workers spawned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pool_work
import pytest
from helpers.media import make_video
from pool_work import FAILING, failed, other_work, preload, work
from runner import report_of

import preflight.probe
from preflight.probe import pool
from preflight.probe.pool import EarlyWorker, Pool, Progress

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
pytestmark = pytest.mark.usefixtures("start_method")  # every test, forked and spawned


def map_contained(
    work: Callable[[str], str],
    items: list[str],
    jobs: int,
    seconds: float,
    failed: Callable[[str, str], str],
    tick: Progress | None = None,
    early: EarlyWorker[str, str] | None = None,
) -> list[str]:
    with Pool(work, jobs, seconds, failed, tick, early=early) as pool:
        return pool.map(items)


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_come_in_item_order_from_worker_processes(jobs: int) -> None:
    items = [f"item{i}" for i in range(20)]
    results = map_contained(work, items, jobs, 10, failed)
    assert [r.split("@")[0] for r in results] == [i.upper() for i in items]
    workers = {int(r.split("@")[1]) for r in results}
    assert os.getpid() not in workers
    assert len(workers) == jobs
    assert _no_children_left()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hung_crashed_or_raising_item_fails_alone(jobs: int) -> None:
    started = time.monotonic()
    results = map_contained(work, list(FAILING), jobs, 0.5, failed)
    assert time.monotonic() - started < 10
    assert [r.split("@")[0] for r in results] == list(FAILING.values())
    assert _no_children_left()


def test_a_worker_started_early_has_preloaded_and_serves_the_next_batch(start_method: str) -> None:
    """Spawned, the early worker is the one warm worker; forked, it works and makes the
    others, and every worker it makes has loaded what it loaded (once, in the early worker)."""
    with EarlyWorker(work, preload) as early:
        results = map_contained(work, ["a", "b", "c"], 2, 10, failed, early=early)
    warm = [r for r in results if "+" in r]
    workers = {r.split("@")[1] for r in warm}
    if start_method == "fork":
        assert len(warm) == 3 and len(workers) == 2
    else:
        assert warm and len(workers) == 1
    assert os.getpid() not in pool_work.preloaded  # it ran in the worker only
    assert _no_children_left()


@pytest.mark.parametrize("start_method", ["fork"], indirect=True)
def test_a_made_worker_that_fails_is_reported_as_any_worker_and_the_rest_go_on(
    start_method: str,
) -> None:
    """A worker forked by the early worker: its crash is reported with the signal or exit code
    that the early worker saw, its hang costs its item alone, and its replacement comes loaded
    (made by the early worker, or, once that one is lost, started from here and loaded)."""
    with EarlyWorker(work, preload) as early:
        maker = early.worker
        results = map_contained(work, list(FAILING), 2, 0.5, failed, early=early)
        assert isinstance(maker, pool._Early) and maker.made  # it made the second worker
    assert [r.split("@")[0].rstrip("+") for r in results] == [
        v.rstrip("+") for v in FAILING.values()
    ]
    assert len({r.split("@")[1] for r in results if "@" in r}) >= 2
    assert all("+" in r for r in results if "@" in r)  # every worker came loaded
    assert _no_children_left()


def test_a_worker_started_early_for_other_work_is_not_used_and_ends_when_stopped() -> None:
    early = EarlyWorker(other_work, preload)
    assert all("+" not in r for r in map_contained(work, ["a", "b"], 1, 10, failed, early=early))
    assert not _no_children_left()  # the early worker still waits
    early.stop()  # what the command line does once its run is over
    assert _no_children_left()


def test_items_sent_ahead_are_worked_on_once_and_only_waited_for_when_submitted() -> None:
    """The files a command line names go to the early worker before any pool exists: one the
    run then submits is not sent again, and one it never submits (cached, excluded) costs no
    wait, even when its work would take a minute."""
    with EarlyWorker(work, preload, [("a", 10.0), ("hang", 60.0)]) as early:
        started = time.monotonic()
        with Pool(work, 2, 10, failed, early=early) as workers:
            assert workers.map(["a", "b"])[0].startswith("A+@")
            assert workers.items[:2] == ["a", "hang"] and workers.items.count("a") == 1
        assert time.monotonic() - started < 5
    assert _no_children_left()


def test_an_item_sent_ahead_that_hangs_is_the_one_that_fails() -> None:
    """Its time runs from when it was sent: the item blamed is the one the worker was on."""
    ticks: list[tuple[int, int]] = []
    with EarlyWorker(work, preload, [("hang", 0.5)]) as early:
        tick = lambda *counts: ticks.append(counts)  # noqa: E731
        results = map_contained(work, ["c", "hang"], 1, 0.5, failed, tick, early)
    said = [r.split("@")[0].rstrip("+") for r in results]
    assert said == ["C", "hang: did not finish in 0.5 s"]
    assert ticks[-1] == (2, 2)
    assert _no_children_left()


def test_an_early_worker_stuck_loading_loses_one_item_and_hands_back_the_rest() -> None:
    with EarlyWorker(work, pool_work.hang_preloading) as early:
        results = map_contained(work, ["a", "b", "c", "d"], 2, 0.5, failed, early=early)
    assert [r.split("@")[0] for r in results] == ["a: did not finish in 0.5 s", "B", "C", "D"]
    assert _no_children_left()


def test_workers_keep_the_libraries_they_load_to_one_thread_and_the_parent_unchanged() -> None:
    variables = list(pool._THREAD_POOLS)
    before = [pool_work.thread_pool_size(v) for v in variables]
    sizes = map_contained(pool_work.thread_pool_size, variables, 2, 10, failed)
    assert sizes == ["1"] * len(variables)
    assert [pool_work.thread_pool_size(v) for v in variables] == before


def test_every_item_is_counted_as_it_finishes_against_those_submitted_so_far() -> None:
    ticks: list[tuple[int, int]] = []
    map_contained(work, ["a", "hang", "b"], 2, 0.5, failed, lambda *t: ticks.append(t))
    assert [done for done, _ in ticks] == [1, 2, 3]
    assert all(done <= total <= 3 for done, total in ticks) and ticks[-1] == (3, 3)


@pytest.mark.parametrize("start_method", ["spawn"], indirect=True)
def test_a_busy_worker_ends_as_soon_as_its_requests_pipe_closes(start_method: str) -> None:
    """What ends a worker whose parent has ended where the kernel does not (macOS, Windows):
    the requests pipe closes with the parent, and a thread of the worker ends it then, even in
    the middle of an item. (A forked worker, Linux only, reads its pipe itself: the kernel
    kills it with its parent, see test_workers_lifecycle, and the pool kills it when busy.)"""
    with Pool(work, 1, 60, failed) as workers:
        workers.submit("hang")
        time.sleep(1)  # the worker is on it
        (worker,) = workers.workers
        nothing = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nothing, worker.requests)  # the pipe closes; the pool's descriptor stays valid
        os.close(nothing)
        started = time.monotonic()
        assert workers.results() == ["hang: crashed (exit 0)"]
        assert time.monotonic() - started < 5
    assert _no_children_left()


def test_the_early_worker_guesses_a_folders_libraries_from_the_names_under_it(
    tmp_path: Path,
) -> None:
    """A folder of one video request loads libmediainfo alone: no zip or image reader."""
    for name in ("tom/request.toml", "tom/material.mp4", "tom/id.pdf", ".git/x.zip", ".a/b.jpg"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).touch()
    media = preflight.probe._media_under(str(tmp_path))
    assert {preflight.probe._format_of_name(name) for name in media} == {"mp4", "pdf"}
    (tmp_path / "tom" / "material.mp4").unlink()
    (tmp_path / "tom" / "id.pdf").unlink()
    assert preflight.probe.start_early([str(tmp_path)]) is None  # nothing to load, or to read
    assert _no_children_left()


def test_a_file_whose_headers_take_too_long_is_unreadable_with_its_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = make_video(tmp_path / "avatar.mp4", width=320, height=180, audio=False)
    # Loading libmediainfo alone takes longer than this limit.
    monkeypatch.setattr(preflight.probe, "PROBE_SECONDS_MAX", 0.001)
    with preflight.probe.probing(jobs=1) as probing:
        (facts,) = probing.map([(video, "avatar.mp4")])
    assert (facts.format, facts.kind, facts.media) == ("mp4", "video", None)
    assert facts.problem == (
        "the headers could not be read (the parser did not finish in 0.001 s): the file is damaged"
    )
    code, report = report_of(str(video), "--no-cache")
    assert code == 1
    assert "file.unreadable" in {
        f["rule"] for verdict in report["files"][0]["verdicts"] for f in verdict["findings"]
    }


@pytest.mark.parametrize("jobs", ["1", "2", "0"])
def test_the_command_line_probes_a_folder_with_loaded_workers_and_reports_the_same(
    jobs: str,
) -> None:
    """For a folder, the early worker loads the libraries that the names under it call for."""
    args = ["check", "--no-cache", "--format", "json", "--jobs", jobs, str(FIXTURES)]
    run = subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, timeout=60
    )
    assert run.stderr == ""
    assert json.loads(run.stdout) == report_of(*args[1:])[1]


def test_the_command_line_starts_probing_early_and_reports_the_same(tmp_path: Path) -> None:
    """`preflight check` starts a worker that loads libmediainfo while click loads; the report
    is the one the engine gives in process."""
    video = make_video(tmp_path / "avatar.mp4", width=320, height=180, audio=False)
    args = ["check", "--no-cache", "--format", "json", str(video)]
    run = subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, timeout=60
    )
    assert run.stderr == ""
    assert json.loads(run.stdout) == report_of(*args[1:])[1]
