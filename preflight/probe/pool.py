"""Work in worker processes that the parent starts and stops, each item under a time limit that
the parent enforces.

A damaged header can send a native parser into a loop over counts it never checks, or crash it:
in a worker, that costs one bounded wait and a finding, never the run. Workers live for the
whole batch, so the libraries they load are paid for once per worker, not once per file.
Requests and results travel pickled through pipes: both ends are this program.

On Linux workers are forked, the cheapest start; elsewhere, and with
PREFLIGHT_START_METHOD=spawn, each is a new interpreter (Windows has no fork, and macOS's system
libraries do not survive one), under the same time limit. A worker started early (EarlyWorker)
loads the libraries while the command line loads, then works; on Linux it also forks, between
its items, each further worker the pool asks for, already loaded, and reaps it, telling the
parent how it ended (a second worker that loaded the libraries itself would spend as much CPU
on that as on a hundred files; one forked from a worker that does not work would copy every
page it touches, on the path of a one-file run). A worker never outlives its parent, however
the parent ends: on Linux the kernel kills it (PR_SET_PDEATHSIG, sent when the thread that
started it ends: a pool lives in one thread; the workers that the early worker made die with
it, which dies with the parent, and their items go to the others);
elsewhere, a thread of a spawned worker that reads its requests ends it once that pipe closes,
as it does with the parent.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import pickle
import select
import signal
import struct
import sys
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

if TYPE_CHECKING:
    import queue
    import subprocess
    import threading

Item = TypeVar("Item")
Result = TypeVar("Result")
Failed = Callable[[Item, str], Result]  # the result of an item whose work did not finish
Progress = Callable[[int, int], None]  # (items done, items in all): the one progress callback
Preload = Callable[[], None]  # what a worker loads before its first item (imports, typically)

START_METHOD = "PREFLIGHT_START_METHOD"  # "spawn": new interpreters, as on macOS and Windows
_START_SECONDS_MAX = 60.0  # for an interpreter to start: its first item's time starts after
_REPORT_SECONDS_MAX = 5.0  # for an early worker to say how a worker it made ended
_MADE_MAX = 15  # workers an early worker may make: those of a pool on up to 16 cores
_LENGTH = struct.Struct("!Q")
_CHUNK = 1 << 16
_QUEUED = 2  # items sent to a worker at once: the next is there when the current one ends
_THREAD_POOLS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends
_PR_SET_NAME = 15  # prctl(2): the name `ps` shows
WORKER_NAME = b"preflight-work"
# A spawned worker: the parent's import path, then its loop (which reads its work on stdin).
_SPAWNED = (
    "import sys; sys.path[:] = sys.argv[2:]; "
    "from preflight.probe.pool import serve_spawned; serve_spawned(int(sys.argv[1]))"
)


class Pool(Generic[Item, Result]):
    """`work(item)` for items submitted one at a time, in up to `jobs` worker processes that
    start on them at once; an item whose work takes more than `seconds` (a number, or a function
    of the item: the time its work may take), raises or kills its
    worker gets `failed(item, why)` instead, and the worker is replaced. A second worker
    starts once `parallel_from` items have come. The pool adopts the worker of `early` when it
    was started for the same `work`, with the items it was sent ahead: one of them submitted
    is not sent again, and one never submitted is not waited for."""

    def __init__(
        self,
        work: Callable[[Item], Result],
        jobs: int,
        seconds: float | Callable[[Item], float],
        failed: Failed[Item, Result],
        tick: Progress | None = None,
        parallel_from: int = 1,
        early: EarlyWorker[Item, Result] | None = None,
    ) -> None:
        self.work, self.jobs, self.seconds = work, jobs, seconds
        self.failed, self.tick, self.parallel_from = failed, tick, parallel_from
        self.items: list[Item] = []  # every item sent, or to send, by index
        self.submitted: list[int] = []  # their indices in the order submitted
        self.owed: set[int] = set()  # those submitted and not done
        self.done: dict[int, Result] = {}
        self.pending: deque[int] = deque()  # those to send
        self.workers: list[_Worker[Item, Result]] = []
        self.ending: list[_Worker[Item, Result]] = []  # released: they end once idle
        adopted, self.items = early.adopt(work) if early is not None else (None, [])
        self.ahead = dict(enumerate(self.items))  # sent ahead, until submitted
        self.maker = adopted if isinstance(adopted, _Early) else None  # of the next workers
        self.forks = _forks() if adopted is None else not isinstance(adopted, _Spawned)
        # Where the threads reading spawned workers pass on what they read (see _Spawned.listen).
        self.news: queue.SimpleQueue[tuple[_Worker[Item, Result], bytes]] | None = None
        if not self.forks:
            import queue

            self.news = queue.SimpleQueue()
        if adopted is not None:
            self._add(adopted)

    def __enter__(self) -> Pool[Item, Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        # A made worker before its maker, which reaps it: made ones come later in the list,
        # and the released ones (never the maker) come first.
        for worker in [*reversed(self.ending), *reversed(self.workers)]:
            worker.stop()

    def release(self) -> None:
        """Let the idle workers end now, while the caller goes on: their exits overlap its
        work, and __exit__ reaps them (an item submitted later gets a new worker)."""
        idle = [w for w in self.workers if w.alive and not w.busy and w is not self.maker]
        for worker in idle:  # the maker stays: it reaps the others, and tells how each ended
            worker.close_requests()
        self.ending += idle
        self.workers = [w for w in self.workers if w not in idle]

    def submit(self, item: Item) -> None:
        self._take(item)
        self._step(block=False)

    def map(self, items: Iterable[Item]) -> list[Result]:
        """Submit every item, then wait for their results, in the same order. The workers are
        asked for once all are known: those to be made are made before any of them is busy."""
        first = len(self.submitted)
        for item in items:
            self._take(item)
        return self.results()[first:]

    def results(self) -> list[Result]:
        """Every submitted item's result, in the order submitted, once all are done."""
        while self.owed:
            self._step(block=True)
        return [self.done[index] for index in self.submitted]

    def _take(self, item: Item) -> None:
        """A submitted item: one sent ahead (compared, not hashed: items need not be
        hashable), or a new one to send."""
        index = next((i for i, ahead in self.ahead.items() if ahead == item), None)
        if index is None:
            self.items.append(item)
            index = len(self.items) - 1
            self.pending.append(index)
        else:
            del self.ahead[index]
        self.submitted.append(index)
        if index not in self.done:
            self.owed.add(index)
        elif self.tick is not None:  # done ahead of its submission
            self.tick(len(self.submitted) - len(self.owed), len(self.submitted))

    def _step(self, block: bool) -> None:
        """Send what waits to free workers (starting or replacing workers as needed), then take
        the outcomes that have come: all that the first news brings, or what is there now."""
        wanted = min(self.jobs, len(self.items)) if len(self.items) >= self.parallel_from else 1
        while self.pending and len(self.workers) < wanted:  # a lost worker is replaced here
            self._add(self._new_worker())
        while self.pending:  # to the least busy worker (of those, the least used), while room
            worker = min(self.workers, key=lambda w: (len(w.queue), w.sent))
            if len(worker.queue) >= _QUEUED:
                break
            index = self.pending.popleft()
            item = self.items[index]
            seconds = self.seconds(item) if callable(self.seconds) else self.seconds
            worker.send(index, item, seconds)
        if not any(w.busy for w in self.workers):
            return
        for index, outcome in self._wait(block):
            item = self.items[index]
            result = self.failed(item, outcome) if isinstance(outcome, str) else outcome[0]
            self._finish(index, result)
        for worker in self.workers:
            if not worker.alive:  # what was queued behind the lost item goes to another
                self.pending.extendleft(reversed(worker.queue))
        self.workers = [w for w in self.workers if w.alive]

    def _new_worker(self) -> _Worker[Item, Result]:
        """A worker forked by the early worker, loaded already; else one started from here,
        that loads what the early worker loaded, if it finished loading (a load that hung
        would hang again)."""
        maker = self.maker
        made = maker.make() if maker is not None else None
        if made is not None:
            return made
        preload = maker.preload if maker is not None and maker.loaded else None
        return _start(self.work, preload, self.forks)

    def _add(self, worker: _Worker[Item, Result]) -> None:
        if isinstance(worker, _Spawned) and self.news is not None:
            worker.listen(self.news)
        self.workers.append(worker)

    def _wait(self, block: bool) -> list[tuple[int, tuple[Result] | str]]:
        """The items finished, or given up: by the time the first busy worker has news or its
        deadline when `block`, else by now. (index, (result,)) or (index, why it failed)."""
        busy = [w for w in self.workers if w.busy]
        timeout = max(min(w.deadline for w in busy) - time.monotonic(), 0) if block else 0
        timeout = min(timeout, _START_SECONDS_MAX)  # a worker not made yet has no deadline
        done = []
        for worker, chunk in self._news(busy, timeout):
            if worker.alive:  # else news from before it was given up
                done += worker.receive(chunk)
        now = time.monotonic()
        for worker in busy:
            if worker.alive and worker.busy and worker.deadline <= now:
                done += worker.give_up()
        return done

    def _news(
        self, busy: list[_Worker[Item, Result]], timeout: float
    ) -> list[tuple[_Worker[Item, Result], bytes]]:
        """What workers have written, as (worker, bytes; b"" once it has ended), within
        `timeout`: forked workers' pipes are selected; spawned workers' are read by threads, as
        Windows cannot select on a pipe."""
        if self.news is None:
            readable = select.select([w.results for w in busy], [], [], timeout)[0]
            return [(w, os.read(w.results, _CHUNK)) for w in busy if w.results in readable]
        import queue

        try:
            news = [self.news.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self.news.empty():
            news.append(self.news.get())
        return news

    def _finish(self, index: int, result: Result) -> None:
        self.done[index] = result
        self.owed.discard(index)
        if self.tick is not None and index not in self.ahead:
            self.tick(len(self.submitted) - len(self.owed), len(self.submitted))


class EarlyWorker(Generic[Item, Result]):
    """A worker started before the pool that will use it, so that it loads what the work will
    need (`preload`) meanwhile; on Linux, the maker of the pool's other workers too. The Pool
    given it adopts it, when it does the same `work`; `stop` ends it when no pool has (and does
    nothing once one has)."""

    def __init__(
        self,
        work: Callable[[Item], Result],
        preload: Preload,
        ahead: Iterable[tuple[Item, float]] = (),
    ) -> None:
        """`ahead`: items it is sent at once, each with the seconds its work may take (the
        files named on the command line: their probing runs while the command line loads)."""
        self.work = work
        self.worker: _Worker[Item, Result] | None = (
            _Early.start(work, preload) if _forks() else _Spawned.start(work, preload)
        )
        self.ahead: list[Item] = []
        for item, seconds in ahead:
            self.worker.send(len(self.ahead), item, seconds)
            self.ahead.append(item)

    def __enter__(self) -> EarlyWorker[Item, Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def adopt(
        self, work: Callable[[Item], Result]
    ) -> tuple[_Worker[Item, Result] | None, list[Item]]:
        """The worker and the items sent to it ahead (their indices are their places in the
        list), handed over to the first pool of the same work that asks."""
        if work is not self.work:
            return None, []
        worker, self.worker = self.worker, None
        return worker, self.ahead

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None


def _forks() -> bool:
    """Whether workers are forked: on Linux, unless PREFLIGHT_START_METHOD=spawn."""
    return sys.platform == "linux" and os.environ.get(START_METHOD) != "spawn"


def _start(
    work: Callable[[Item], Result], preload: Preload | None, forks: bool
) -> _Worker[Item, Result]:
    return _Forked.start(work, preload) if forks else _Spawned.start(work, preload)


def _raised(error: Exception) -> str:
    return f"failed ({type(error).__name__})"


class _Worker(ABC, Generic[Item, Result]):
    """One worker process, as the parent sees it: it works on the items it is sent, in the
    order sent. Its subclasses start it (forked or spawned), kill it and reap it."""

    def __init__(self, requests: int, results: int, started: bool) -> None:
        self.requests, self.results = requests, results  # the parent's ends of its two pipes
        self.started = started  # it has said so: its items' time runs
        self.alive = True
        self.queue: deque[int] = deque()  # the indices sent and not answered, oldest first
        self.sent = 0  # items sent in all
        self.deadline = 0.0  # for the oldest: the worker is on it
        self.seconds = 0.0
        self.buffer = bytearray()
        self.code: int | None = None  # how it ended, when its maker has said so
        self.released = False  # its requests pipe is closed: it ends once idle
        self.innocent = False  # it died with its maker: its items failed through no fault

    @property
    def busy(self) -> bool:
        return bool(self.queue)

    def send(self, index: int, item: Item, seconds: float) -> None:
        self.seconds = seconds
        if not self.queue:
            self._restart_clock()
        self.queue.append(index)
        self.sent += 1
        # A worker that died while idle: its results pipe reads as ended, so it is reported.
        with contextlib.suppress(BrokenPipeError):
            _write_frame(self.requests, pickle.dumps(item))

    def receive(self, chunk: bytes) -> list[tuple[int, tuple[Result] | str]]:
        """The outcomes whose results have arrived whole with `chunk` (b"": the worker ended)."""
        if not chunk:
            ended = f"crashed ({self._end()})"
            if self.innocent:  # its items go to another worker (Pool._step hands them on)
                return []
            return [self._lose(ended)] if self.queue else []
        self.buffer += chunk
        done: list[tuple[int, tuple[Result] | str]] = []
        for kind, value in self._frames():
            if kind == "started":
                self.started = True
                self._born(value)
            elif kind == "exited":
                self.code = value
            else:
                done.append((self.queue.popleft(), (value,) if kind == "ok" else value))
            self._restart_clock()  # the next one has just begun
        return done

    def _frames(self) -> Iterator[tuple[str, Any]]:
        """The whole frames in the buffer, taken out of it."""
        while len(self.buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self.buffer)
            end = _LENGTH.size + length
            if len(self.buffer) < end:
                break
            frame = pickle.loads(self.buffer[_LENGTH.size : end])
            del self.buffer[:end]
            yield frame

    def _born(self, pid: int | None) -> None:
        """What a worker's first words tell (a made worker's: its pid)."""

    def give_up(self) -> list[tuple[int, tuple[Result] | str]]:
        innocent = self.innocent  # as known before the kill and reaping
        self._kill()
        self._end()
        return [] if innocent else [self._lose(f"did not finish in {self.seconds:g} s")]

    def stop(self) -> None:
        """End an idle worker (it exits when its requests pipe closes); kill a busy one."""
        if self.alive:
            if self.busy:
                self._kill()
            self._end()

    def _restart_clock(self) -> None:
        allowance = 0.0 if self.started else _START_SECONDS_MAX
        self.deadline = time.monotonic() + self.seconds + allowance

    def _lose(self, why: str) -> tuple[int, tuple[Result] | str]:
        """The item the worker was on fails; the ones queued behind it stay in `queue`."""
        return self.queue.popleft(), why

    def _end(self) -> str:
        """Reap the worker; how it ended."""
        self.alive = False
        code = self._reap()
        if code is None:
            return "unknown exit"
        return f"signal {-code}" if code < 0 else f"exit {code}"

    def close_requests(self) -> None:
        """Close the requests pipe, once: an idle worker ends then."""
        if not self.released:
            self.released = True
            os.close(self.requests)

    @abstractmethod
    def _kill(self) -> None: ...

    @abstractmethod
    def _reap(self) -> int | None:
        """Close the pipes (its requests first: an idle worker ends then), wait for the worker
        to end; its exit code (negative: the signal that ended it), None when not known."""


class _Forked(_Worker[Item, Result]):
    def __init__(self, requests: int, results: int, pid: int) -> None:
        super().__init__(requests, results, started=True)
        self.pid = pid

    @classmethod
    def start(
        cls, work: Callable[[Item], Result], preload: Preload | None
    ) -> _Forked[Item, Result]:
        parent = os.getpid()
        read_requests, write_requests = os.pipe()
        read_results, write_results = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker; its coverage is not collected
            _close_all_but(read_requests, write_results)
            _serve(work, preload, read_requests, write_results, parent)
        os.close(read_requests)
        os.close(write_results)
        return cls(write_requests, read_results, pid)

    def _kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def _reap(self) -> int:
        self.close_requests()
        _, status = os.waitpid(self.pid, 0)
        os.close(self.results)
        return os.waitstatus_to_exitcode(status)


class _Early(_Worker[Item, Result]):
    """A worker forked at once, that loads the libraries (`preload`) while the command line
    loads, works, and between its items forks the further workers the pool asks for (_Made),
    already loaded, one for each byte on its control pipe. The pipes of each are made with it,
    before its fork, so that none has to be passed later: as many as the pool can want beside
    it (one fewer than the cores); a worker that replaces a lost one is started from the parent.
    It reaps the workers it made, and writes how each ended on that worker's results pipe."""

    def __init__(
        self,
        pipes: tuple[int, int],
        pid: int,
        control: int,
        spares: list[tuple[int, int]],
        preload: Preload,
    ) -> None:
        super().__init__(*pipes, started=True)  # its loading counts: a stuck load fails an item
        self.pid, self.control, self.preload = pid, control, preload
        self.spares = spares  # the parent's ends of the pipes of the workers it may make
        self.made: list[_Made[Item, Result]] = []
        self.loaded = False  # it has said so

    @classmethod
    def start(cls, work: Callable[[Item], Result], preload: Preload) -> _Early[Item, Result]:
        parent = os.getpid()
        own = _pipes()
        read_control, write_control = os.pipe()
        spares = [_pipes() for _ in range(min(os.cpu_count() or 1, _MADE_MAX + 1) - 1)]
        theirs = [(requests, results) for requests, _, _, results in spares]
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker; its coverage is not collected
            _close_all_but(own[0], own[3], read_control, *(fd for ends in theirs for fd in ends))
            making = _Making(work, read_control, theirs)
            _serve(work, preload, own[0], own[3], parent, making=making)
        for fd in (own[0], own[3], read_control, *(fd for ends in theirs for fd in ends)):
            os.close(fd)
        ours = [(requests, results) for _, requests, results, _ in spares]
        return cls((own[1], own[2]), pid, write_control, ours, preload)

    def make(self) -> _Made[Item, Result] | None:
        """A new worker of this one's, forked once it is between items; None when it has ended
        or has no pipes left."""
        if not self.alive or not self.spares:
            return None
        requests, results = self.spares.pop(0)
        try:
            os.write(self.control, b"w")
        except OSError:  # it has ended
            os.close(requests)
            os.close(results)
            return None
        made = _Made[Item, Result](requests, results, self)
        self.made.append(made)
        return made

    def _born(self, pid: int | None) -> None:
        self.loaded = True  # an early worker says it has started once it has loaded

    def _kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def _reap(self) -> int:
        if not self.loaded:  # a run that needed no probing ends without waiting for the load
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        os.close(self.control)
        self.close_requests()
        for ends in self.spares:
            for fd in ends:
                os.close(fd)
        self.spares = []
        _, status = os.waitpid(self.pid, 0)
        os.close(self.results)
        return os.waitstatus_to_exitcode(status)


class _Making:
    """In an early worker: the workers it makes, each on the next pipes made for one."""

    def __init__(
        self, work: Callable[[Any], Any], control: int, pipes: list[tuple[int, int]]
    ) -> None:
        self.work, self.pipes = work, pipes
        self.control: int | None = control  # None once the parent asks for no more

    def next_request(self, requests: int) -> bytes | None:
        """The next request, once every worker asked for before it is made (None: the end)."""
        while (control := self.control) is not None:
            ready = select.select([requests, control], [], [])[0]
            if control in ready:
                self._make(control)
            elif ready:
                break
        return _read_frame(requests)

    def _make(self, control: int) -> None:
        import threading

        if not os.read(control, 1) or not self.pipes:  # no more will be asked for
            os.close(control)
            self.control = None
            return
        requests, results = self.pipes.pop(0)
        maker = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # its pipes end unused: the pool gives its items to the others
            os.close(requests)
            os.close(results)
            return
        if pid == 0:
            _close_all_but(requests, results)
            _write_frame(results, pickle.dumps(("started", os.getpid())))
            _serve(self.work, None, requests, results, maker)
        os.close(requests)
        threading.Thread(target=_report_end, args=(pid, results), daemon=True).start()


class _Made(_Worker[Item, Result]):
    """A worker forked by the early worker: its pid is its first frame; its exit, its maker's
    last. Until it is made (its maker is on an item), its items' time does not run."""

    def __init__(self, requests: int, results: int, maker: _Early[Item, Result]) -> None:
        super().__init__(requests, results, started=True)
        self.maker = maker
        self.pid: int | None = None

    def _born(self, pid: int | None) -> None:
        self.pid = pid

    def _restart_clock(self) -> None:
        if self.pid is None:
            self.deadline = math.inf  # its maker's item has a deadline: that one runs
        else:
            super()._restart_clock()

    def _kill(self) -> None:
        if self.pid is None:  # not made yet: its maker is on an item, or stuck
            os.kill(self.maker.pid, signal.SIGKILL)
        else:
            os.kill(self.pid, signal.SIGKILL)

    def _reap(self) -> int | None:
        """The maker writes how the worker ended once it has; read up to that pipe's end. A
        pipe that ends with no such word: the maker has ended (or never made it), and the
        worker with it, through no fault of its items."""
        self.close_requests()
        deadline = time.monotonic() + _REPORT_SECONDS_MAX
        while (wait := deadline - time.monotonic()) > 0 and select.select(
            [self.results], [], [], wait
        )[0]:
            chunk = os.read(self.results, _CHUNK)
            if not chunk:
                break
            self.buffer += chunk
            for kind, value in self._frames():
                if kind == "exited":
                    self.code = value
        os.close(self.results)
        if self.code is None:
            self.innocent = True
        return self.code


def _pipes() -> tuple[int, int, int, int]:
    """A worker's two pipes: its requests' read and write ends, its results' read and write
    ends."""
    read_requests, write_requests = os.pipe()
    read_results, write_results = os.pipe()
    return read_requests, write_requests, read_results, write_results


def _report_end(pid: int, results: int) -> None:
    """In an early worker: reap a worker it made, then write how it ended to its results and
    close them."""
    _, status = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        _write_frame(results, pickle.dumps(("exited", os.waitstatus_to_exitcode(status))))
    os.close(results)


class _Spawned(_Worker[Item, Result]):
    def __init__(self, process: subprocess.Popen[bytes], requests: int, results: int) -> None:
        super().__init__(requests, results, started=False)
        self.process = process
        self.reader: threading.Thread | None = None

    @classmethod
    def start(
        cls, work: Callable[[Item], Result], preload: Preload | None
    ) -> _Spawned[Item, Result]:
        import subprocess

        first = pickle.dumps((work, preload))  # `work` and `preload` must be importable by name
        python, env = _interpreter()
        process = subprocess.Popen(
            [python, "-c", _SPAWNED, str(os.getpid()), *sys.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        worker = cls(process, process.stdin.fileno(), process.stdout.fileno())
        with contextlib.suppress(BrokenPipeError):  # it died: the first item will say so
            _write_frame(worker.requests, first)
        return worker

    def listen(self, news: queue.SimpleQueue[tuple[_Worker[Item, Result], bytes]]) -> None:
        """Pass on what the worker writes to `news`, as it comes, from a thread of this process."""
        import threading

        self.reader = threading.Thread(target=self._forward, args=(news,), daemon=True)
        self.reader.start()

    def _forward(self, news: queue.SimpleQueue[tuple[_Worker[Item, Result], bytes]]) -> None:
        while chunk := os.read(self.results, _CHUNK):
            news.put((self, chunk))
        news.put((self, b""))

    def close_requests(self) -> None:
        if not self.released:  # the pipe is the process's stdin: its file object closes it
            self.released = True
            assert self.process.stdin is not None
            self.process.stdin.close()

    def _kill(self) -> None:
        self.process.kill()

    def _reap(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.close_requests()
        code = self.process.wait()
        if self.reader is not None:  # it reads until the pipe ends, which it has
            self.reader.join()
        self.process.stdout.close()
        return code


def _interpreter() -> tuple[str, dict[str, str] | None]:
    """The Python to spawn, and its environment (None: this one's). In a virtual environment on
    Windows, the base interpreter that the venv's launcher would start, told of the venv as the
    launcher tells it: the launcher would be a process in between, which a kill would miss."""
    base = getattr(sys, "_base_executable", sys.executable)
    if sys.platform == "win32" and os.path.normcase(base) != os.path.normcase(sys.executable):
        return base, {**os.environ, "__PYVENV_LAUNCHER__": sys.executable}
    return sys.executable, None


def _close_all_but(*kept: int) -> None:
    """In a forked worker, close what it inherited but the standard streams and `kept`: a
    pipe end of another worker held here would keep it from seeing that pipe close."""
    low = 3
    for fd in sorted(kept):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def serve_spawned(parent: int) -> NoReturn:
    """A spawned worker (_SPAWNED runs it): its work comes first on stdin. Its pipes are stdin
    and stdout, moved away from the standard streams: a library's stray output goes to
    stderr, never into the results."""
    requests, results = os.dup(0), os.dup(1)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.dup2(2, 1)
    frame = _read_frame(requests)
    if frame is None:  # the parent ended first
        os._exit(0)
    work, preload = pickle.loads(frame)
    _write_frame(results, pickle.dumps(("started", None)))
    _serve(work, preload, requests, results, parent, watched=True)


def _serve(
    work: Callable[[Item], Result],
    preload: Preload | None,
    requests: int,
    results: int,
    parent: int,
    watched: bool = False,
    making: _Making | None = None,
) -> NoReturn:
    """The worker's loop: each request's outcome, in order, until its requests pipe ends.
    `watched` (spawned workers): a thread takes the requests (see _take_requests), so that the
    worker ends when the pipe does, even in the middle of an item: where the kernel does not
    kill it with its parent (macOS, Windows), that is its end. A forked worker reads its pipe
    itself: the kernel ends it with its parent, the pool kills it when busy, and a thread
    waking for each request cost a run of small files some 6 % of its time. `making`: an
    early worker's, which says when it has loaded, and makes workers between its items."""
    try:
        _die_with(parent, WORKER_NAME)
        _as_worker()
        take = _watched(requests) if watched else functools.partial(_read_frame, requests)
        if preload is not None:
            with contextlib.suppress(Exception):  # what fails to load fails again, per item
                preload()
        if making is not None:
            _write_frame(results, pickle.dumps(("started", None)))
            take = functools.partial(making.next_request, requests)
        while (frame := take()) is not None:
            request = pickle.loads(frame)
            try:
                outcome: tuple[str, object] = ("ok", work(request))
            except Exception as error:  # the parent turns it into `failed`
                outcome = ("failed", _raised(error))
            _write_frame(results, pickle.dumps(outcome))
    finally:
        os._exit(0)  # no cleanup of the parent's state: atexit handlers, buffered output


def _as_worker() -> None:
    """Signals and thread pools as a worker needs them, before it loads anything."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker's are the parent's (see cli.py)
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    # The workers share the cores: a library they load must not start a thread per core
    # (numpy's OpenBLAS does, and its threads' start costs more CPU than the probe itself).
    os.environ.update(dict.fromkeys(_THREAD_POOLS, "1"))


def _watched(requests: int) -> Callable[[], bytes | None]:
    """The next request, as a thread that watches the pipe passes it on (see _take_requests)."""
    import queue
    import threading

    incoming: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    threading.Thread(target=_take_requests, args=(requests, incoming), daemon=True).start()
    return incoming.get


def _take_requests(requests: int, incoming: queue.SimpleQueue[bytes]) -> NoReturn:
    """Pass each request to the worker's loop; end the worker at the pipe's end, whatever it is
    doing: the parent has stopped it, given up on its item, or ended."""
    try:
        while (frame := _read_frame(requests)) is not None:
            incoming.put(frame)
    finally:
        os._exit(0)


def _die_with(parent: int, name: bytes) -> None:
    """On Linux, have the kernel kill this process when its parent ends, and name it as `ps`
    and `top` show it (`name`, at most 15 bytes); end now if the parent already has (the
    process was orphaned before it could ask)."""
    if sys.platform == "linux":
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # no prctl: the pipe still ends it
            prctl = ctypes.CDLL(None).prctl
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            prctl(_PR_SET_NAME, name)
    if os.getppid() != parent:
        os._exit(0)


def _write_frame(fd: int, data: bytes) -> None:
    frame = memoryview(_LENGTH.pack(len(data)) + data)
    while frame:
        frame = frame[os.write(fd, frame) :]


def _read_frame(fd: int) -> bytes | None:
    """The next frame, or None at the pipe's end."""
    head = _read_exactly(fd, _LENGTH.size)
    return None if head is None else _read_exactly(fd, _LENGTH.unpack(head)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
