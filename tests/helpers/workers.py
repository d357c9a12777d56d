"""Probing workers seen from outside: files that keep one busy until it is stopped, and the
processes of a run as /proc lists them (Linux only)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from helpers.media import make_video
from preflight.probe.pool import WORKER_NAME


def looping_movs(folder: Path, count: int) -> list[Path]:
    """MOVs whose channel layout (`chan`) keeps libmediainfo busy for minutes: a worker on one
    is busy until it is stopped."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = make_video(folder / "seed.mov", width=160, height=90, duration=0.3)
    data = seed.read_bytes()
    seed.unlink()
    at = data.index(b"chan") + 16
    movs = [folder / f"looping{number}.mov" for number in range(count)]
    for mov in movs:
        mov.write_bytes(data[:at] + b"\xff\xff\xff\xff" + data[at + 4 :])
    return movs


def children(parent: int, count: int) -> list[int]:
    """The processes whose parent is `parent`, once there are at least `count` (10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        found = [pid for pid in _pids() if _parent_of(pid) == parent]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def descendants(ancestor: int, count: int) -> list[int]:
    """The processes descended from `ancestor` (a maker's workers are its grandchildren), once
    there are at least `count` (10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        parents = {pid: _parent_of(pid) for pid in _pids()}
        found, line = [], [ancestor]
        while line:
            line = [pid for pid, parent in parents.items() if parent in line]
            found += line
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def workers_of(ancestor: int, count: int) -> list[int]:
    """The probing workers descended from `ancestor`, by the name they give themselves (a
    maker of workers has another), once there are at least `count` (10 s at most)."""
    deadline = time.monotonic() + 10
    while True:
        found = [pid for pid in descendants(ancestor, count=0) if _name(pid) == WORKER_NAME]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def running(pid: int) -> bool:
    """Whether the process exists and has not ended (a zombie has)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _pids() -> list[int]:
    return [int(entry.name) for entry in os.scandir("/proc") if entry.name.isdigit()]


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (which may hold spaces and `)`)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _name(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/comm").read_bytes().rstrip(b"\n")
    except OSError:
        return None


def _parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None
