"""Probing workers never outlive the command line, however it ends, and a check run in process
leaves the process as it found it: with workers forked and with workers spawned."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.workers import children, descendants, looping_movs, running

import preflight.entry
import preflight.probe

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
PREFLIGHT = Path(sys.executable).parent / "preflight"
_PR_GET_CHILD_SUBREAPER = 37
pytestmark = [
    pytest.mark.usefixtures("start_method"),
    pytest.mark.skipif(sys.platform != "linux", reason="processes are found in /proc"),
]


@pytest.fixture(scope="module")
def looping(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four MOVs whose channel layout keeps libmediainfo busy for minutes (see
    test_a_parser_stuck_in_a_loop_is_stopped)."""
    return looping_movs(tmp_path_factory.mktemp("looping"), 4)


@pytest.mark.parametrize(
    "ending", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name
)
def test_no_worker_outlives_the_command_line_however_it_ends(
    looping: list[Path], ending: signal.Signals
) -> None:
    """Forked, the second worker is the child of the first (see preflight.probe.pool)."""
    command = [str(PREFLIGHT), "check", "--no-cache", "--jobs", "2", *map(str, looping)]
    processes = 2
    with subprocess.Popen(command, stdout=subprocess.DEVNULL) as parent:
        workers = descendants(parent.pid, count=processes)
        time.sleep(1)  # each on a file that keeps its parser busy for minutes
        assert len(workers) == processes and all(running(pid) for pid in workers)
        parent.send_signal(ending)
        parent.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if running(pid)]
    for pid in left:  # a failure must not leave them looping
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_a_check_in_process_leaves_no_setting_thread_or_process_behind(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`preflight check` run in this process (its early worker included) changes no signal
    handler, environment variable or reaping of orphans, and leaves no thread or child."""
    before = _process_state()
    args = ["preflight", "check", "--no-cache", "--jobs", "2", str(FIXTURES)]
    monkeypatch.setattr(sys, "argv", args)
    with pytest.raises(SystemExit) as ended:
        preflight.entry.main()
    assert ended.value.code == 1 and "requests checked" in capsys.readouterr().out
    assert _process_state() == before


def test_an_early_worker_that_no_run_adopts_is_stopped_when_the_command_line_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked for its help, `check` runs nothing: the worker started for the file named ends."""
    started = []
    start_early = preflight.probe.start_early

    def recorded(names: list[str]) -> object:
        started.append(start_early(names))
        return started[-1]

    monkeypatch.setattr(preflight.probe, "start_early", recorded)
    monkeypatch.setattr(sys, "argv", ["preflight", "check", str(tmp_path / "a.mp4"), "--help"])
    with pytest.raises(SystemExit):
        preflight.entry.main()
    (early,) = started
    assert early is not None and early.worker is None
    assert children(os.getpid(), count=0) == []


def _process_state() -> dict[str, Any]:
    reaper = ctypes.c_int()
    ctypes.CDLL(None).prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(reaper))
    return {
        "handlers": {s: signal.getsignal(s) for s in signal.valid_signals()},
        "environment": dict(os.environ),
        "subreaper": reaper.value,
        "threads": threading.enumerate(),
        "children": children(os.getpid(), count=0),
    }
