"""The one program preflight runs: `git ls-files`, to learn which files a work tree's index
has (committed or staged), so that a manifest committed without its material is caught before
CI checks a fresh clone that lacks it.

No shell; the repository's own configuration cannot make it run anything (core.fsmonitor, the
one setting `ls-files` would execute, is turned off); its output is streamed and only the files
asked about are kept, so memory stays bounded on any index; a git that is missing, refuses the
folder (not a repository, another owner's) or takes longer than TIMEOUT_S answers nothing."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Collection
from pathlib import Path

TIMEOUT_S = 10.0
_BLOCK = 1 << 16
# Variables that would point git at another repository than the one asked about. The index
# file is kept: under pre-commit it is the commit being made (a partial commit's own index).
_FOREIGN = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_NAMESPACE")


def indexed(root: Path, wanted: Collection[str]) -> set[str] | None:
    """Those of `wanted` (paths relative to the work tree `root`, `/`-separated) that its index
    has; None when git cannot tell."""
    command = [
        *("git", "--no-pager", "-c", "core.fsmonitor=false", "-C", str(root)),
        *("ls-files", "--cached", "--full-name", "-z"),
    ]
    env = {name: value for name, value in os.environ.items() if name not in _FOREIGN}
    names = {os.fsencode(path) for path in wanted}
    try:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:  # no git
        return None
    stream = child.stdout
    assert stream is not None  # stdout=PIPE
    timer = threading.Timer(TIMEOUT_S, child.kill)
    timer.start()
    found: set[bytes] = set()
    code: int | None = None
    try:
        rest = b""
        while block := stream.read(_BLOCK):
            *complete, rest = (rest + block).split(b"\0")
            found.update(name for name in complete if name in names)
        code = child.wait(TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pass
    finally:
        timer.cancel()
        stream.close()
        if child.returncode is None:  # interrupted, or stuck after its output
            child.kill()
            child.wait()
    return {os.fsdecode(name) for name in found} if code == 0 else None
