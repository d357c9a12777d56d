"""The worker pool: results in order, and a worker that hangs, crashes or raises costs one
finding for its item, never the batch."""

from __future__ import annotations

import faulthandler
import os
import signal
import time
from pathlib import Path

import pytest
from media import make_video
from runner import report_of

import preflight.probe
from preflight.probe.pool import map_contained


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
    return f"{item.upper()}@{os.getpid()}"


def _failed(item: str, why: str) -> str:
    return f"{item}: {why}"


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
    items = ["a", "hang", "b", "segfault", "c", "exit", "d", "raise", "e"]
    started = time.monotonic()
    results = map_contained(_work, items, jobs, 0.5, _failed)
    assert time.monotonic() - started < 10
    assert [r.split("@")[0] for r in results] == [
        "A",
        "hang: did not finish in 0.5 s",
        "B",
        f"segfault: crashed (signal {signal.SIGSEGV})",
        "C",
        "exit: crashed (exit 3)",
        "D",
        "raise: failed (ValueError)",
        "E",
    ]
    assert _no_children_left()


def test_every_item_is_counted_as_it_finishes() -> None:
    ticks: list[tuple[int, int]] = []
    map_contained(_work, ["a", "hang", "b"], 2, 0.5, _failed, lambda *t: ticks.append(t))
    assert ticks == [(1, 3), (2, 3), (3, 3)]


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
