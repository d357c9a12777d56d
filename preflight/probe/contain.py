"""Native parsers run in a forked child with a time limit.

A damaged header can send a native library into a loop over counts it never checks, or
crash it: in a child, that costs a bounded wait and a finding, never the run. The child
sends its result back pickled through a pipe (it is our own process: the bytes are ours).
Where fork does not exist (Windows), the work runs in process.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from preflight.probe.facts import ProbeError

T = TypeVar("T")


def contained(work: Callable[[], T], seconds: float, what: str) -> T:
    """`work()`'s result, computed in a child killed after `seconds`; its ProbeError is
    raised again here, and a timeout or a crash become one."""
    if not hasattr(os, "fork"):
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its coverage is not collected
        os.close(read_end)
        _child(work, write_end)
    os.close(write_end)
    try:
        data = _receive(read_end, time.monotonic() + seconds)
    finally:
        os.close(read_end)
        if data is None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if data is None:
        raise ProbeError(
            f"{what} did not finish reading the headers in {seconds:g} s: the "
            "file is damaged (a header declares more than it holds)"
        )
    if not data:
        cause = f"signal {-os.waitstatus_to_exitcode(status)}" if os.WIFSIGNALED(status) else "exit"
        raise ProbeError(f"{what} crashed reading the headers ({cause}): the file is damaged")
    kind, value = pickle.loads(data)
    if kind == "problem":
        raise ProbeError(value)
    return value  # type: ignore[no-any-return]


def _child(work: Callable[[], object], write_end: int) -> None:
    try:
        try:
            result: tuple[str, object] = ("ok", work())
        except ProbeError as error:
            result = ("problem", str(error))
        except Exception as error:  # the parent turns it into a finding, as in process
            result = ("problem", f"the media headers could not be parsed ({type(error).__name__})")
        with os.fdopen(write_end, "wb") as out:
            pickle.dump(result, out)
    finally:
        os._exit(0)  # no cleanup of the parent's state: atexit handlers, buffers


def _receive(read_end: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None when it is not done by `deadline`."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
            return None
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
