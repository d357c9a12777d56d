"""Work for the pool's tests, in a module of its own: spawned workers import it by name, and
it imports nothing they do not need."""

from __future__ import annotations

import faulthandler
import os
import signal
import time

# Items that hang, crash, exit or raise among good ones, and what each gets under a 0.5 s limit.
FAILING = {
    "a": "A",
    "hang": "hang: did not finish in 0.5 s",
    "b": "B",
    "segfault": f"segfault: crashed (signal {signal.SIGSEGV})",
    "c": "C",
    "exit": "exit: crashed (exit 3)",
    "d": "D",
    "raise": "raise: failed (ValueError)",
    "e": "E",
}
preloaded: list[int] = []  # the pid of a process whose preload ran


def preload() -> None:
    preloaded.append(os.getpid())


def hang_preloading() -> None:
    time.sleep(60)


def work(item: str) -> str:
    """ITEM@pid, with a + when this process preloaded; or the failure the item names."""
    if item == "hang":
        time.sleep(60)
    elif item == "segfault":
        faulthandler.disable()  # pytest's dump of the worker's stack is noise here
        os.kill(os.getpid(), signal.SIGSEGV)
    elif item == "exit":
        os._exit(3)
    elif item == "raise":
        raise ValueError(item)
    warm = "+" if preloaded else ""
    return f"{item.upper()}{warm}@{os.getpid()}"


def other_work(item: str) -> str:
    return item


def failed(item: str, why: str) -> str:
    return f"{item}: {why}"


def thread_pool_size(variable: str) -> str:
    return os.environ.get(variable, "unset")
