"""The results: one Markdown row per measurement or target, under a description of the machine."""

from __future__ import annotations

import datetime
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import peers

MET, NOT_MET, NO_TARGET = "met", "**not met**", "—"
# now / baseline of a wall time that still counts as "no slower": the medians of interleaved
# runs on 2 shared cores move by a few per cent between runs of the same code.
TOLERANCE = 1.10


@dataclass(frozen=True)
class Row:
    scenario: str
    what: str
    value: str  # a median ("95 ms"), a ratio ("4.2×"), a size, or why there is none
    target: str = "—"
    verdict: str = NO_TARGET
    baseline: str = NO_TARGET  # the same measurement of the baseline revision, if one ran
    change: str = NO_TARGET  # now / baseline, for wall times
    change_verdict: str = NO_TARGET  # met: no slower than the baseline beyond noise


def ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


def judge(ok: bool | None) -> str:
    return NO_TARGET if ok is None else (MET if ok else NOT_MET)


def machine(repeat: int, warmup: bool, smoke: bool) -> list[str]:
    """Where the figures come from: CPU, cores, memory, OS, Python, peers, date."""
    cpu = _cpu_model()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = _memory_gib()
    lines = [
        f"- Machine: {cpu}, {cores} cores available, {memory} RAM, "
        f"{platform.system()} {platform.release()} ({platform.machine()})",
        f"- Python {platform.python_version()} ({sys.executable})",
    ]
    found = {program: peers.version(program) for program in peers.PACKAGES}
    lines.append("- Peers: " + "; ".join(f"{p}: {v or 'not installed'}" for p, v in found.items()))
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    kind = "smoke run (tiny inputs: the targets do not apply)" if smoke else "full run"
    after = " after one warm-up run" if warmup else ""
    lines.append(f"- {when}; {kind}; medians of {repeat} runs of each command{after}")
    return lines


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _memory_gib() -> str:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return "unknown"
    return f"{pages * size / 1024**3:.0f} GiB"


def markdown(rows: list[Row], header: list[str], notes: list[str], baseline: str | None) -> str:
    """The table; with a baseline (its revision's name), three more columns: its figure, now /
    baseline, and whether now is no slower beyond noise."""
    columns = ["scenario", "measurement", "median / value", "target", "verdict"]
    if baseline:
        columns[2] = "now: median / value"
        columns += [
            f"baseline `{baseline}`",
            "now / baseline",
            f"no slower than baseline beyond noise (≤ {TOLERANCE:.2f}×)",
        ]
    out = ["# preflight benchmark", "", *header, ""]
    out += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        cells = [r.scenario, r.what, r.value, r.target, r.verdict]
        if baseline:
            cells += [r.baseline, r.change, r.change_verdict]
        out.append("| " + " | ".join(cells) + " |")
    if notes:
        out += ["", *notes]
    return "\n".join(out) + "\n"
