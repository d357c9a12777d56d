"""The worker pool: results in order, and a worker that hangs, crashes or raises costs one
finding for its item, never the batch."""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from media import make_video
from runner import report_of

import preflight.probe
from preflight.probe import pool
from preflight.probe.pool import Contained, Tick, start_spare

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
_preloaded: list[int] = []
# Items that hang, crash, exit or raise among good ones, and what each gets under a 0.5 s limit.
_FAILING = {
    "a": "A",
    "hang": "hang: did not finish in 0.5 s",
    "b": "B",
    "segfault": f"segfault: crashed (signal {signal.SIGSEGV})",
    "c": "C",
    "exit": "exit: crashed (exit 3)",
    "d": "D",
    "raise": "raise: failed (ValueError)",
    "e": "E",
}  # the pid of a process whose preload ran


def _preload() -> None:
    _preloaded.append(os.getpid())


def _work(item: str) -> str:
    if item == "hang":
        time.sleep(60)
    elif item == "segfault":
        faulthandler.disable()  # pytest's dump of the worker's stack is noise here
        os.kill(os.getpid(), signal.SIGSEGV)
    elif item == "exit":
        os._exit(3)
    elif item == "raise":
        raise ValueError(item)
    warm = "+" if _preloaded else ""  # preloaded here, or in the worker this one forked from
    return f"{item.upper()}{warm}@{os.getpid()}"


def _failed(item: str, why: str) -> str:
    return f"{item}: {why}"


def map_contained(
    work: Callable[[str], str],
    items: list[str],
    jobs: int,
    seconds: float,
    failed: Callable[[str, str], str],
    tick: Tick | None = None,
) -> list[str]:
    with Contained(work, jobs, seconds, failed, tick) as pool:
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
    results = map_contained(_work, items, jobs, 10, _failed)
    assert [r.split("@")[0] for r in results] == [i.upper() for i in items]
    workers = {int(r.split("@")[1]) for r in results}
    assert os.getpid() not in workers
    assert len(workers) == jobs
    assert _no_children_left()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hung_crashed_or_raising_item_fails_alone(jobs: int) -> None:
    started = time.monotonic()
    results = map_contained(_work, list(_FAILING), jobs, 0.5, _failed)
    assert time.monotonic() - started < 10
    assert [r.split("@")[0] for r in results] == list(_FAILING.values())
    assert _no_children_left()


def test_a_worker_started_early_has_preloaded_and_serves_the_next_batch() -> None:
    start_spare(_work, _preload)
    results = map_contained(_work, ["a", "b", "c"], 2, 10, _failed)
    warm = [r for r in results if "+" in r]
    assert warm and {r.split("@")[1] for r in warm} == {warm[0].split("@")[1]}
    assert os.getpid() not in _preloaded  # it ran in the worker only
    assert _no_children_left()


def test_a_worker_started_early_for_other_work_is_not_used_and_ends_at_exit() -> None:
    start_spare(_failed_work, _preload)
    assert all("+" not in r for r in map_contained(_work, ["a", "b"], 1, 10, _failed))
    assert not _no_children_left()  # the spare still waits
    pool._discard_spares()  # what atexit runs
    assert _no_children_left()


def _in_a_child(scenario: Callable[[], None]) -> None:
    """Run a scenario in a forked child: its pool makes that process a subreaper, which this
    test process must not become (the orphans of other tests' subprocesses would be its own)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            scenario()
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def _siblings_start_loaded() -> None:
    start_spare(_work, _preload, siblings=1)
    results = map_contained(_work, [f"item{i}" for i in range(20)], 2, 10, _failed)
    assert [r.split("@")[0] for r in results] == [f"ITEM{i}+" for i in range(20)]
    assert len({r.split("@")[1] for r in results} - {str(os.getpid())}) == 2
    assert not _preloaded and _no_children_left()


def test_siblings_forked_from_an_early_worker_start_with_what_it_loaded() -> None:
    _in_a_child(_siblings_start_loaded)


def _siblings_fail_alone() -> None:
    start_spare(_work, _preload, siblings=1)
    results = map_contained(_work, list(_FAILING), 2, 0.5, _failed)
    assert [r.split("@")[0].rstrip("+") for r in results] == list(_FAILING.values())
    assert _no_children_left()  # siblings are this process's children, reaped


def test_a_sibling_fails_as_any_worker_does_and_is_reaped_by_the_parent() -> None:
    _in_a_child(_siblings_fail_alone)


def _hang() -> None:
    time.sleep(60)


def _unborn_siblings_hand_back_their_items() -> None:
    start_spare(_work, _hang, siblings=1)  # it never gets to fork the sibling
    results = map_contained(_work, ["a", "b", "c", "d"], 2, 0.5, _failed)
    assert [r.split("@")[0] for r in results] == ["a: did not finish in 0.5 s", "B", "C", "D"]
    assert _no_children_left()


def test_items_sent_to_a_sibling_never_forked_go_to_another_worker() -> None:
    _in_a_child(_unborn_siblings_hand_back_their_items)


def _thread_pool_size(variable: str) -> str:
    return os.environ.get(variable, "unset")


def test_workers_keep_the_libraries_they_load_to_one_thread_and_the_parent_unchanged() -> None:
    variables = list(pool._THREAD_POOLS)
    before = [_thread_pool_size(v) for v in variables]
    assert map_contained(_thread_pool_size, variables, 2, 10, _failed) == ["1"] * len(variables)
    assert [_thread_pool_size(v) for v in variables] == before


def _failed_work(item: str) -> str:
    return item


def test_every_item_is_counted_as_it_finishes_against_those_submitted_so_far() -> None:
    ticks: list[tuple[int, int]] = []
    map_contained(_work, ["a", "hang", "b"], 2, 0.5, _failed, lambda *t: ticks.append(t))
    assert [done for done, _ in ticks] == [1, 2, 3]
    assert all(done <= total <= 3 for done, total in ticks) and ticks[-1] == (3, 3)


def test_a_file_whose_headers_take_too_long_is_unreadable_with_its_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = make_video(tmp_path / "avatar.mp4", width=320, height=180, audio=False)
    # Loading libmediainfo alone takes longer than this limit.
    monkeypatch.setattr(preflight.probe, "PROBE_SECONDS_MAX", 0.001)
    facts = preflight.probe.probe_all([(video, "avatar.mp4")], jobs=1)[video]
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
    """For a folder, the early worker loads every library and the second is forked from it."""
    args = ["check", "--no-cache", "--format", "json", "--jobs", jobs, str(FIXTURES)]
    run = subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, timeout=60
    )
    assert run.stderr == ""
    assert json.loads(run.stdout) == report_of(*args[1:])[1]


def test_the_command_line_starts_probing_early_and_reports_the_same(tmp_path: Path) -> None:
    """`preflight check` forks a worker that loads libmediainfo while click loads; the report is
    the one the engine gives in process."""
    video = make_video(tmp_path / "avatar.mp4", width=320, height=180, audio=False)
    args = ["check", "--no-cache", "--format", "json", str(video)]
    run = subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, timeout=60
    )
    assert run.stderr == ""
    assert json.loads(run.stdout) == report_of(*args[1:])[1]
