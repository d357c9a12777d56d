"""The one program preflight runs: `git ls-files`, to learn which files a work tree's index
has (committed or staged), so that a manifest committed without its material is caught before
CI checks a fresh clone that lacks it.

No shell; the repository's own configuration cannot make it run anything (core.fsmonitor, the
one setting `ls-files` would execute, is turned off); its output is streamed and only the files
asked about are kept, so memory stays bounded on any index; a git that is missing, refuses the
folder (not a repository, another owner's) or takes longer than TIMEOUT_S answers nothing."""

from __future__ import annotations

import os
import threading
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

TIMEOUT_S = 10.0
_BLOCK = 1 << 16
# Variables that would point git at another repository than the one asked about. The index
# file is kept: under pre-commit it is the commit being made (a partial commit's own index).
_FOREIGN = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_NAMESPACE")


class Index:
    """A work tree's index, as `git ls-files` lists it: started at once, so that git runs
    while the run reads its manifests, and read when asked."""

    def __init__(self, root: Path) -> None:
        import subprocess  # here: a run outside a work tree never pays for its import

        self.root = root
        command = [
            *("git", "--no-pager", "-c", "core.fsmonitor=false", "-C", str(root)),
            *("ls-files", "--cached", "--full-name", "-z"),
        ]
        env = {name: value for name, value in os.environ.items() if name not in _FOREIGN}
        try:
            self.child: subprocess.Popen[bytes] | None = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:  # no git
            self.child = None
        self.timer = threading.Timer(TIMEOUT_S, self.child.kill) if self.child else None
        if self.timer is not None:
            self.timer.start()

    def has(self, wanted: Collection[str]) -> set[str] | None:
        """Those of `wanted` (paths relative to the work tree, `/`-separated) that the index
        has; None when git cannot tell. Once only: the listing is read as it is streamed."""
        import subprocess

        child, timer = self.child, self.timer
        if child is None or timer is None:
            return None
        stream = child.stdout
        assert stream is not None  # stdout=PIPE
        names = {os.fsencode(path) for path in wanted}
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
            self.close()
        return {os.fsdecode(name) for name in found} if code == 0 else None

    def close(self) -> None:
        """End git if it is still running (a run that never asked)."""
        if self.child is None or self.timer is None:
            return
        self.timer.cancel()
        assert self.child.stdout is not None
        self.child.stdout.close()
        if self.child.returncode is None:  # interrupted, stuck after its output, or unasked
            self.child.kill()
            self.child.wait()
        self.child = None
