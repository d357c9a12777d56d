"""Probing in long-lived forked workers, each file under a time limit the parent enforces.

A damaged header can send a native parser into a loop over counts it never checks, or crash
it: in a worker, that costs one bounded wait and a finding, never the run. Workers live for
the whole batch, so the libraries they load and initialise (libmediainfo's tables, numpy)
are paid for once per worker, not once per file. Requests and results travel pickled
through pipes: both ends are this program. Where fork does not exist (Windows), the work
runs in process, without a time limit.

A worker started early (start_spare) loads the libraries, then forks its siblings when asked:
they start with the libraries loaded, where a worker forked from the parent would load them
again. On Linux the parent becomes their subreaper, so that they are its children, to reap;
elsewhere every worker is forked from the parent.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import pickle
import select
import signal
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO, Generic, NamedTuple, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Failed = Callable[[Item, str], Result]  # the result of an item whose work did not finish
Tick = Callable[[int, int], None]  # (items done, items in all)

_LENGTH = struct.Struct("!Q")
_QUEUED = 2  # items sent to a worker at once: the next is there when the current one ends
_THREAD_POOLS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_PR_SET_CHILD_SUBREAPER = 36  # prctl(2): orphaned descendants become this process's children
_spares: list[_Worker[Any, Any]] = []  # started early, waiting for a Contained to adopt
_Seed = tuple[int, int, int]  # a sibling not yet forked: its index, then the parent's pipe ends


class _Fork(NamedTuple):
    """Sent to a worker in place of an item: fork the sibling whose pipes are this seed's."""

    seed: int


def start_spare(
    work: Callable[[Item], Result], preload: Callable[[], None], siblings: int = 0
) -> None:
    """Fork a worker for `work` now; it runs `preload()` (imports, typically) at once, and the
    next Contained of the same `work` adopts it, and up to `siblings` more forked from it once
    it has loaded. Killed at exit if none does."""
    if hasattr(os, "fork"):
        if not _spares:
            atexit.register(_discard_spares)
        _spares.append(_Worker.fork(work, [], preload, siblings))


@functools.cache
def _subreaper() -> bool:
    """Whether this process now reaps the orphans among its descendants (Linux only)."""
    try:
        import ctypes

        return bool(ctypes.CDLL(None).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # no prctl: not Linux
        return False


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
        # Siblings whose pid has not come last: by then the worker that forks them has ended.
        for worker in sorted(self.workers, key=lambda w: w.pid is None):
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
            self.workers.append(self._new_worker())
        while self.pending:  # to the least busy worker (of those, the least used), while room
            worker = min(self.workers, key=lambda w: (len(w.queue), w.sent))
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

    def _new_worker(self) -> _Worker[Item, Result]:
        """A sibling of a worker that has loaded the libraries, when one can fork it; else a
        fork of this process."""
        for worker in self.workers:
            if worker.alive and worker.seeds and _subreaper():
                return worker.fork_sibling()
        return _Worker.fork(self.work, self.workers)

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
            done += worker.give_up()
    return done


class _Worker(Generic[Item, Result]):
    """One worker process, as the parent sees it: it runs `work` on the items it is sent, in
    the order sent."""

    def __init__(
        self, work: Callable[[Item], Result], requests: int, results: int, pid: int | None
    ):
        self.work = work
        self.requests, self.results = requests, results  # the parent's ends of its two pipes
        self.pid = pid  # None: a sibling that has not yet said it (its first message does)
        self.seeds: list[_Seed] = []  # the siblings it can fork, not yet asked for
        self.alive = True
        self.queue: deque[int] = deque()  # the indices sent and not answered, oldest first
        self.sent = 0  # items sent in all
        self.deadline = 0.0  # for the oldest: the worker is on it
        self.seconds = 0.0
        self.buffer = bytearray()

    @classmethod
    def fork(
        cls,
        work: Callable[[Item], Result],
        others: list[_Worker[Item, Result]],
        preload: Callable[[], None] | None = None,
        siblings: int = 0,
    ) -> _Worker[Item, Result]:
        """A worker forked from this process, with the pipes of `siblings` it may fork later."""
        ends = [(*os.pipe(), *os.pipe()) for _ in range(1 + siblings)]
        # Of each pair of pipes: (requests read, requests write, results read, results write).
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker; its coverage is not collected
            for fd in (
                *(fd for w in others for fd in w.fds),
                *(e[i] for e in ends for i in (1, 2)),
            ):
                os.close(fd)
            own, *seeds = ((e[0], e[3]) for e in ends)
            _serve(work, *own, preload, dict(enumerate(seeds)))
        for fd in (e[i] for e in ends for i in (0, 3)):
            os.close(fd)
        worker = cls(work, ends[0][1], ends[0][2], pid)
        worker.seeds = [(index, e[1], e[2]) for index, e in enumerate(ends[1:])]
        return worker

    def fork_sibling(self) -> _Worker[Item, Result]:
        """Ask this worker to fork a sibling: it starts on what it is sent once this worker has
        done what it was sent before."""
        index, requests, results = self.seeds.pop(0)
        with contextlib.suppress(BrokenPipeError):  # it died: the sibling's pipe will end
            _write_frame(self.requests, pickle.dumps(_Fork(index)))
        return _Worker(self.work, requests, results, None)

    @property
    def fds(self) -> tuple[int, ...]:
        seeds = (fd for _, *ends in self.seeds for fd in ends)
        return (self.requests, self.results, *seeds) if self.alive else ()

    @property
    def busy(self) -> bool:
        return bool(self.queue)

    def send(self, index: int, item: Item, seconds: float) -> None:
        if not self.queue:
            self.deadline = time.monotonic() + seconds
        self.queue.append(index)
        self.sent += 1
        self.seconds = seconds
        # A worker that died while idle: its results pipe reads as ended, so it is reported.
        with contextlib.suppress(BrokenPipeError):
            _write_frame(self.requests, pickle.dumps(item))

    def receive(self) -> list[tuple[int, tuple[Result] | str]]:
        """The outcomes whose results have arrived whole (none while one is still coming)."""
        chunk = os.read(self.results, 1 << 16)
        if not chunk:
            if self.pid is None:  # a sibling never forked: its items go to another worker
                self._end()
                return []
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
            if kind == "started":
                self.pid = value
                continue
            done.append((self.queue.popleft(), (value,) if kind == "ok" else value))
            self.deadline = time.monotonic() + self.seconds  # the next one has just begun
        return done

    def give_up(self) -> list[tuple[int, tuple[Result] | str]]:
        if self.pid is None:  # a sibling not forked in time: its items go to another worker
            self._end()
            return []
        os.kill(self.pid, signal.SIGKILL)
        self._end()
        return [self._lose(f"did not finish in {self.seconds:g} s")]

    def _lose(self, why: str) -> tuple[int, tuple[Result] | str]:
        """The item the worker was on fails; the ones queued behind it stay in `queue`."""
        return self.queue.popleft(), why

    def _end(self) -> str:
        """Reap the worker; how it ended."""
        self.alive = False
        for fd in (self.requests, self.results, *(fd for _, *ends in self.seeds for fd in ends)):
            os.close(fd)
        self.seeds = []
        if self.pid is None:
            return "never started"
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            return f"signal {os.WTERMSIG(status)}"
        return f"exit {os.waitstatus_to_exitcode(status)}"

    def stop(self, kill: bool = False) -> None:
        """End an idle worker (it exits when its requests pipe closes); kill a busy one, or
        one that may still be loading."""
        while self.alive and self.pid is None:  # a sibling: its pid, or that it never started
            self.receive()
        if self.alive and self.pid is not None:
            if self.busy or kill:
                os.kill(self.pid, signal.SIGKILL)
            self._end()


def _serve(
    work: Callable[[Item], Result],
    requests: int,
    results: int,
    preload: Callable[[], None] | None,
    seeds: dict[int, tuple[int, int]],
) -> None:
    """The worker's loop: each request's outcome, until the parent closes the pipe; `seeds`:
    the pipes (requests read, results write) of the siblings it may be asked to fork."""
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
                request = pickle.loads(frame)
                if isinstance(request, _Fork):
                    with contextlib.suppress(OSError):  # no sibling: its pipe ends, unused
                        _fork(work, seeds, request.seed, (requests, results))
                    continue
                try:
                    outcome: tuple[str, object] = ("ok", work(request))
                except Exception as error:  # the parent turns it into `failed`, as in process
                    outcome = ("failed", _raised(error))
                _write_frame(results, pickle.dumps(outcome))
    finally:
        os._exit(0)  # no cleanup of the parent's state: atexit handlers, buffered output


def _fork(
    work: Callable[[Item], Result],
    seeds: dict[int, tuple[int, int]],
    seed: int,
    own: tuple[int, int],
) -> None:
    """Fork the sibling of this seed through a process that exits at once, so that it becomes
    the child of the parent (their subreaper); it says its pid once it is."""
    requests, results = seeds.pop(seed)
    try:
        middle = os.fork()
        if middle == 0:  # pragma: no cover - in the worker
            try:
                if os.fork() == 0:
                    for fd in (*own, *(fd for ends in seeds.values() for fd in ends)):
                        os.close(fd)
                    while os.getppid() == middle:  # until the middle process has exited
                        time.sleep(0.0005)
                    _write_frame(results, pickle.dumps(("started", os.getpid())))
                    _serve(work, requests, results, None, {})
            finally:
                os._exit(0)
        os.waitpid(middle, 0)
    finally:
        os.close(requests)
        os.close(results)


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
