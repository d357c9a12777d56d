"""Whole-process measurements: wall time, CPU time and peak RSS of a child, bytes it reads
from a file."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """One thing to time: an argv, run in `cwd` with `env` added to the environment, with
    `before` called untimed before each run."""

    key: str
    argv: Sequence[str]
    cwd: Path | None = None
    before: Callable[[], None] | None = None  # e.g. clearing a cache, not part of the time
    env: Mapping[str, str] | None = None  # e.g. PYTHONPATH of another revision
    exits: Collection[int] | None = None  # the exit codes of a normal run; None: any


def environment(command: Command) -> dict[str, str] | None:
    """The child's whole environment: ours with the command's variables over it."""
    return {**os.environ, **command.env} if command.env else None


@dataclass
class Samples:
    wall_ms: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # user + system, its descendants' too
    exit_codes: list[int] = field(default_factory=list)
    stdout: list[bytes] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # what went wrong in abnormal runs

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def peak_rss_mb(self) -> float:
        return max(self.rss_kb) / 1024


@dataclass(frozen=True)
class Run:
    wall_ms: float
    cpu_ms: float  # user + system, of the child and the descendants it waited for
    rss_kb: int
    exit_code: int
    stdout: bytes  # empty unless kept
    failure: str | None  # the last line of stderr when it crashed or exited abnormally


def run_once(command: Command, keep_stdout: bool = False) -> Run:
    """One timed run. os.wait4 gives the child's own rusage: its CPU time includes that of the
    descendants it waited for (every worker), and the peak RSS is the child's (or its largest
    waited-for descendant's). Stderr is kept to tell a crash (a traceback exits 1, like a
    failing check) from a run that did its work."""
    if command.before:
        command.before()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            env=environment(command),
            stdin=subprocess.DEVNULL,
            stdout=out if keep_stdout else subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = (time.perf_counter() - start) * 1000
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        text = out.read() if keep_stdout else b""
        err.seek(0)
        errors = err.read().decode(errors="replace")
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    abnormal = command.exits is not None and child.returncode not in command.exits
    failure = None
    if "Traceback (most recent call last)" in errors or abnormal or child.returncode < 0:
        last = errors.strip().splitlines()[-1:] or ["no message"]
        failure = f"exit {child.returncode}: {last[0]}"
    return Run(elapsed, cpu, usage.ru_maxrss, child.returncode, text, failure)


def run_side_by_side(
    commands: Sequence[Command], repeat: int, warmup: bool, keep_stdout: bool = False
) -> dict[str, Samples]:
    """Every command `repeat` times, interleaved (a, b, c, a, b, c, …) so that drift in the
    machine's load or clock touches them alike; one untimed warm-up round first (page cache,
    .pyc files) unless told otherwise."""
    samples = {c.key: Samples() for c in commands}
    if warmup:
        for command in commands:
            run_once(command)
    for _ in range(repeat):
        for command in commands:
            run = run_once(command, keep_stdout)
            got = samples[command.key]
            got.wall_ms.append(run.wall_ms)
            got.cpu_ms.append(run.cpu_ms)
            got.rss_kb.append(run.rss_kb)
            got.exit_codes.append(run.exit_code)
            got.stdout.append(run.stdout)
            if run.failure:
                got.failures.append(run.failure)
    return samples


# -y: descriptors shown with their paths; --seccomp-bpf: stop only on the traced calls
_STRACE = (
    "-f",
    "--seccomp-bpf",
    "-qq",
    "-y",
    "-s",
    "0",
    "-e",
    "trace=read,pread64,readv,preadv,preadv2",
)
_CALL = r"(?:read|pread64|readv|preadv2?)"
_READ = re.compile(rf"^(\d+)\s+{_CALL}\((\d+)<(.*?)>,(.*)")
_RESUMED = re.compile(rf"^(\d+)\s+<\.\.\. {_CALL} resumed>.*\)\s+=\s+(\d+)")
_RESULT = re.compile(r"\)\s+=\s+(\d+)")


def bytes_read_from(command: Command, target: Path) -> int | None:
    """Bytes the command (and its children) read from `target`, summed from strace's record of
    every read(2)/pread64(2)/readv(2) whose descriptor (-y decodes it to a path) is `target`;
    None when strace is not installed."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    resolved = str(target.resolve())
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "strace.log"
        subprocess.run(
            [strace, *_STRACE, "-o", str(log), *command.argv],
            cwd=command.cwd,
            env=environment(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return _sum_reads(log.read_text(errors="replace"), resolved)


def _sum_reads(log: str, target: str) -> int:
    """Sum the results of reads on `target`, including calls strace split in two
    (`<unfinished ...>` … `<... read resumed>`) when another thread interrupted them."""
    total = 0
    pending: set[str] = set()  # pids with an unfinished read on the target
    for line in log.splitlines():
        read = _READ.match(line)
        if read and read.group(3) == target:
            result = _RESULT.search(read.group(4))
            if result:
                total += int(result.group(1))
            elif "<unfinished" in line:
                pending.add(read.group(1))
            continue
        resumed = _RESUMED.match(line)
        if resumed and resumed.group(1) in pending:
            pending.discard(resumed.group(1))
            total += int(resumed.group(2))
    return total
