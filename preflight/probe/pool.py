"""Probing in long-lived forked workers, each file under a time limit the parent enforces.

A damaged header can send a native parser into a loop over counts it never checks, or crash
it: in a worker, that costs one bounded wait and a finding, never the run. Workers live for
the whole batch, so the libraries they load and initialise (libmediainfo's tables, numpy)
are paid for once per worker, not once per file. Requests and results travel pickled
through pipes: both ends are this program. Where fork does not exist (Windows), the work
runs in process, without a time limit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import signal
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Failed = Callable[[Item, str], Result]  # the result of an item whose work did not finish
Tick = Callable[[int, int], None]  # (items done, items in all)

_LENGTH = struct.Struct("!Q")
_QUEUED = 2  # items sent to a worker at once: the next is there when the current one ends
_THREAD_POOLS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_spares: list[_Worker[Any, Any]] = []  # started early, waiting for a Contained to adopt


def start_spare(work: Callable[[Item], Result], preload: Callable[[], None]) -> None:
    """Fork a worker for `work` now; it runs `preload()` (imports, typically) at once, and the
    next Contained of the same `work` adopts it. Killed at exit if none does."""
    if hasattr(os, "fork"):
        if not _spares:
            atexit.register(_discard_spares)
        _spares.append(_Worker(work, [], preload))


def _adopt(work: Callable[[Item], Result], jobs: int) -> list[_Worker[Item, Result]]:
    adopted = [w for w in _spares if w.work is work][:jobs]
    for worker in adopted:
        _spares.remove(worker)
    return adopted


def _discard_spares() -> None:
    while _spares:
        _spares.pop().stop(kill=True)


class Contained(Generic[Item, Result]):
    """`work(item)` for items submitted one at a time, in up to `jobs` worker processes that
    start on them at once; an item whose work takes more than `seconds`, raises or kills its
    worker gets `failed(item, why)` instead, and the worker is replaced. A second worker
    starts once `parallel_from` items have come."""

    def __init__(
        self,
        work: Callable[[Item], Result],
        jobs: int,
        seconds: float,
        failed: Failed[Item, Result],
        tick: Tick | None = None,
        parallel_from: int = 1,
    ) -> None:
        self.work, self.jobs, self.seconds = work, jobs, seconds
        self.failed, self.tick, self.parallel_from = failed, tick, parallel_from
        self.items: list[Item] = []
        self.done: dict[int, Result] = {}
        self.pending: deque[int] = deque()
        self.workers: list[_Worker[Item, Result]] = []

    def __enter__(self) -> Contained[Item, Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()

    def submit(self, item: Item) -> None:
        self.items.append(item)
        if not hasattr(os, "fork"):
            self._finish(len(self.items) - 1, _in_process(self.work, item, self.failed))
            return
        self.pending.append(len(self.items) - 1)
        self._step(block=False)

    def map(self, items: Iterable[Item]) -> list[Result]:
        """Submit every item, then wait for their results, in the same order."""
        first = len(self.items)
        for item in items:
            self.submit(item)
        return self.results()[first:]

    def results(self) -> list[Result]:
        """Every item's result, in the order submitted, once all are done."""
        while self.pending or any(w.busy for w in self.workers):
            self._step(block=True)
        return [self.done[index] for index in range(len(self.items))]

    def _step(self, block: bool) -> None:
        """Send what waits to free workers (starting or replacing workers as needed), then take
        the outcomes that have come: all that the first news brings, or what is there now."""
        if not self.workers:
            self.workers = _adopt(self.work, self.jobs)
        wanted = self.jobs if len(self.items) >= self.parallel_from else 1
        while self.pending and len(self.workers) < wanted:  # a lost worker is replaced here
            self.workers.append(_Worker(self.work, self.workers))
        while self.pending:  # to the least busy worker, while one has room
            worker = min(self.workers, key=lambda w: len(w.queue))
            if len(worker.queue) >= _QUEUED:
                break
            index = self.pending.popleft()
            worker.send(index, self.items[index], self.seconds)
        if not any(w.busy for w in self.workers):
            return
        for index, outcome in _wait(self.workers, block):
            item = self.items[index]
            result = self.failed(item, outcome) if isinstance(outcome, str) else outcome[0]
            self._finish(index, result)
        for worker in self.workers:
            if not worker.alive:  # what was queued behind the lost item goes to another
                self.pending.extendleft(reversed(worker.queue))
        self.workers = [w for w in self.workers if w.alive]

    def _finish(self, index: int, result: Result) -> None:
        self.done[index] = result
        if self.tick is not None:
            self.tick(len(self.done), len(self.items))


def _in_process(work: Callable[[Item], Result], item: Item, failed: Failed[Item, Result]) -> Result:
    try:
        return work(item)
    except Exception as error:
        return failed(item, _raised(error))


def _raised(error: Exception) -> str:
    return f"failed ({type(error).__name__})"


def _wait(
    workers: list[_Worker[Item, Result]], block: bool
) -> list[tuple[int, tuple[Result] | str]]:
    """The items finished, or given up: by the time the first busy worker has news or its
    deadline when `block`, else by now. (index, (result,)) or (index, why it failed)."""
    busy = [w for w in workers if w.busy]
    remaining = min(w.deadline for w in busy) - time.monotonic() if block else 0
    readable = select.select([w.results for w in busy], [], [], max(remaining, 0))[0]
    done = []
    for worker in busy:
        if worker.results in readable:
            done += worker.receive()
        elif worker.deadline <= time.monotonic():
            done.append(worker.give_up())
    return done


class _Worker(Generic[Item, Result]):
    """One forked process that runs `work` on the items it is sent, in the order sent."""

    def __init__(
        self,
        work: Callable[[Item], Result],
        others: list[_Worker[Item, Result]],
        preload: Callable[[], None] | None = None,
    ):
        requests_read, self.requests = os.pipe()
        self.results, results_write = os.pipe()
        self.work = work
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the worker; its coverage is not collected
            for fd in (self.requests, self.results, *(fd for w in others for fd in w.fds)):
                os.close(fd)
            _serve(work, requests_read, results_write, preload)
        os.close(requests_read)
        os.close(results_write)
        self.alive = True
        self.queue: deque[int] = deque()  # the indices sent and not answered, oldest first
        self.deadline = 0.0  # for the oldest: the worker is on it
        self.seconds = 0.0
        self.buffer = bytearray()

    @property
    def fds(self) -> tuple[int, ...]:
        return (self.requests, self.results) if self.alive else ()

    @property
    def busy(self) -> bool:
        return bool(self.queue)

    def send(self, index: int, item: Item, seconds: float) -> None:
        if not self.queue:
            self.deadline = time.monotonic() + seconds
        self.queue.append(index)
        self.seconds = seconds
        # A worker that died while idle: its results pipe reads as ended, so it is reported.
        with contextlib.suppress(BrokenPipeError):
            _write_frame(self.requests, pickle.dumps(item))

    def receive(self) -> list[tuple[int, tuple[Result] | str]]:
        """The outcomes whose results have arrived whole (none while one is still coming)."""
        chunk = os.read(self.results, 1 << 16)
        if not chunk:
            return [self._lose(f"crashed ({self._end()})")]
        self.buffer += chunk
        done: list[tuple[int, tuple[Result] | str]] = []
        while len(self.buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self.buffer)
            end = _LENGTH.size + length
            if len(self.buffer) < end:
                break
            kind, value = pickle.loads(self.buffer[_LENGTH.size : end])
            del self.buffer[:end]
            done.append((self.queue.popleft(), (value,) if kind == "ok" else value))
            self.deadline = time.monotonic() + self.seconds  # the next one has just begun
        return done

    def give_up(self) -> tuple[int, tuple[Result] | str]:
        os.kill(self.pid, signal.SIGKILL)
        self._end()
        return self._lose(f"did not finish in {self.seconds:g} s")

    def _lose(self, why: str) -> tuple[int, tuple[Result] | str]:
        """The item the worker was on fails; the ones queued behind it stay in `queue`."""
        return self.queue.popleft(), why

    def _end(self) -> str:
        """Reap the worker; how it ended."""
        self.alive = False
        for fd in (self.requests, self.results):
            os.close(fd)
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            return f"signal {os.WTERMSIG(status)}"
        return f"exit {os.waitstatus_to_exitcode(status)}"

    def stop(self, kill: bool = False) -> None:
        """End an idle worker (it exits when its requests pipe closes); kill a busy one, or
        one that may still be loading."""
        if self.alive:
            if self.busy or kill:
                os.kill(self.pid, signal.SIGKILL)
            self._end()


def _serve(
    work: Callable[[Item], Result],
    requests: int,
    results: int,
    preload: Callable[[], None] | None,
) -> None:
    """The worker's loop: each request's outcome, until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # The workers share the cores: a library they load must not start a thread per core
    # (numpy's OpenBLAS does, and its threads' start costs more CPU than the probe itself).
    os.environ.update(dict.fromkeys(_THREAD_POOLS, "1"))
    try:
        if preload is not None:
            with contextlib.suppress(Exception):  # what fails to load fails again, per item
                preload()
        with os.fdopen(requests, "rb") as incoming:
            while (frame := _read_frame(incoming)) is not None:
                try:
                    outcome: tuple[str, object] = ("ok", work(pickle.loads(frame)))
                except Exception as error:  # the parent turns it into `failed`, as in process
                    outcome = ("failed", _raised(error))
                _write_frame(results, pickle.dumps(outcome))
    finally:
        os._exit(0)  # no cleanup of the parent's state: atexit handlers, buffered output


def _write_frame(fd: int, data: bytes) -> None:
    frame = memoryview(_LENGTH.pack(len(data)) + data)
    while frame:
        frame = frame[os.write(fd, frame) :]


def _read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    return stream.read(length)
