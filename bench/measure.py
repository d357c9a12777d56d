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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """One thing to time: an argv, run in `cwd`, with `before` run untimed before each run."""

    key: str
    argv: Sequence[str]
    cwd: Path | None = None
    before: Sequence[str] | None = None  # e.g. clearing a cache, not part of the time


@dataclass
class Samples:
    wall_ms: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # user + system, its descendants' too
    exit_codes: list[int] = field(default_factory=list)
    stdout: list[bytes] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def peak_rss_mb(self) -> float:
        return max(self.rss_kb) / 1024


def run_once(command: Command, keep_stdout: bool = False) -> tuple[float, float, int, int, bytes]:
    """(wall ms, CPU ms, peak RSS KB, exit code, stdout) of one run. os.wait4 gives the child's
    own rusage: its CPU time includes that of the descendants it waited for (every worker),
    and the peak RSS is the child's (or its largest waited-for descendant's)."""
    if command.before:
        subprocess.run(command.before, cwd=command.cwd, check=True)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            command.argv,
            cwd=command.cwd,
            stdin=subprocess.DEVNULL,
            stdout=out if keep_stdout else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = (time.perf_counter() - start) * 1000
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        text = out.read() if keep_stdout else b""
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return elapsed, cpu, usage.ru_maxrss, child.returncode, text


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
            wall, cpu, rss, code, text = run_once(command, keep_stdout)
            got = samples[command.key]
            got.wall_ms.append(wall)
            got.cpu_ms.append(cpu)
            got.rss_kb.append(rss)
            got.exit_codes.append(code)
            got.stdout.append(text)
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


def bytes_read_from(argv: Sequence[str], target: Path, cwd: Path | None = None) -> int | None:
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
            [strace, *_STRACE, "-o", str(log), *argv],
            cwd=cwd,
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
