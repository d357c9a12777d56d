"""The writer side of `preflight fix`: runs each file's plan, files in parallel up to the cores.

Every new file is first a partial file beside its target (outputs.new_partial: never through a
symlink), moved over the target once complete. Ctrl-C or SIGTERM (raised in the main thread as
the CLI's Interrupted) stops the ffmpeg processes and removes every partial file before it goes
on; a run killed outright leaves at most hidden `.name.….partial.ext` files, never a target.

A voice zip is rebuilt here, from the members of the input read as streams (probe.archive
opens them); a member that ffmpeg must convert is copied into a private temporary folder inside
the output folder for it, never beside the input, and removed at once.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, TYPE_CHECKING

from preflight import outputs
from preflight.fix.plan import Encode, FilePlan, Part

if TYPE_CHECKING:
    from preflight.fix.run import Progress, Written

_GLOBAL = ("-hide_banner", "-nostdin", "-loglevel", "error", "-y")
_CHUNK = 1 << 20
_ERROR_LINES = 3  # of ffmpeg's messages, in the report


class CancelledError(Exception):
    """The run is being interrupted: a job stops where it is."""


class FixError(Exception):
    """A file could not be made; the message says why, in a producer's words."""


class Execution:
    def __init__(self, ffmpeg: str, progress: Progress | None = None) -> None:
        self.ffmpeg = ffmpeg
        self.progress = progress
        self.cancelled = threading.Event()
        self.lock = threading.Lock()
        self.processes: set[subprocess.Popen[bytes]] = set()
        self.partials: set[Path] = set()
        self.mode = outputs.public_mode()  # read once: umask is the process's, not a thread's

    def run(self, items: list[Written], jobs: int = 0) -> dict[Path, str | None]:
        """Each target's error (None: written)."""
        workers = min(len(items), jobs or os.cpu_count() or 1)
        results: dict[Path, str | None] = {}
        pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="preflight-fix")
        try:
            futures: dict[Future[None], Written] = {pool.submit(self._one, w): w for w in items}
            pending = set(futures)
            while pending:  # short waits: the main thread takes Ctrl-C between them
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                for future in done:
                    error = future.exception()
                    if error is not None and not isinstance(error, FixError):
                        raise error
                    results[futures[future].target] = str(error) if error else None
        except BaseException:
            self.cancel()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._remove_partials()
        return results

    def cancel(self) -> None:
        self.cancelled.set()
        with self.lock:
            for process in self.processes:
                with contextlib.suppress(OSError):
                    process.terminate()

    def _one(self, written: Written) -> None:
        if self.cancelled.is_set():
            raise CancelledError
        plan, target = written.plan, written.target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with self._partial(target) as partial:
                if plan.how == "zip":
                    self._zip(plan, partial)
                elif plan.encode is not None:
                    self._ffmpeg(plan.encode, plan, partial, written.shown)
                else:
                    with open(plan.source, "rb") as source, open(partial, "wb") as copy:
                        self._copy(source, copy)
                os.chmod(partial, self.mode)
                os.replace(partial, target)
        except OSError as error:  # a full disk, a missing ffmpeg: this file alone fails
            raise FixError(f"the copy could not be made: {error.strerror or error}") from None

    @contextlib.contextmanager
    def _partial(self, target: Path) -> Iterator[Path]:
        partial = outputs.new_partial(target)
        with self.lock:
            self.partials.add(partial)
        try:
            yield partial
        finally:
            with self.lock:
                self.partials.discard(partial)
            with contextlib.suppress(OSError):
                partial.unlink()  # gone already once moved over the target

    def _remove_partials(self) -> None:
        with self.lock:
            for partial in self.partials:
                with contextlib.suppress(OSError):
                    partial.unlink()
            self.partials.clear()

    def _copy(self, source: IO[bytes], target: IO[bytes]) -> None:
        while chunk := source.read(_CHUNK):
            if self.cancelled.is_set():
                raise CancelledError
            target.write(chunk)

    def _ffmpeg(self, encode: Encode, plan: FilePlan, target: Path, shown: str) -> None:
        self._run(
            encode.command(self.ffmpeg, str(plan.source), str(target)), shown, plan.duration_s
        )
        if self.progress is not None:
            self.progress(shown, 1.0)

    def _run(self, command: list[str], shown: str, duration: float | None = None) -> None:
        """One ffmpeg run (its messages kept aside for the report), its progress read from
        `-progress`: the time done over the duration."""
        args = [command[0], *_GLOBAL, "-progress", "pipe:1", "-nostats", *command[1:]]
        with tempfile.TemporaryFile(dir=Path(command[-1]).parent) as errors:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=errors)
            with self.lock:
                self.processes.add(process)
            try:
                if self.cancelled.is_set():
                    process.terminate()
                assert process.stdout is not None
                for line in process.stdout:
                    self._progressed(shown, line, duration)
                code = process.wait()
            finally:
                with self.lock:
                    self.processes.discard(process)
            if self.cancelled.is_set():
                raise CancelledError
            if code != 0:
                errors.seek(0)
                said = errors.read().decode("utf-8", "replace").strip().splitlines()
                raise FixError(f"ffmpeg failed: {' / '.join(said[-_ERROR_LINES:]) or code}")

    def _progressed(self, shown: str, line: bytes, duration: float | None) -> None:
        if self.progress is None or not duration or not line.startswith(b"out_time_us="):
            return
        with contextlib.suppress(ValueError):
            done = int(line.split(b"=", 1)[1]) / 1e6 / duration
            self.progress(shown, min(max(done, 0.0), 1.0))

    def _zip(self, plan: FilePlan, partial: Path) -> None:
        """The new flat zip: each part copied as it is, or made by ffmpeg from its members."""
        from preflight.probe.archive import members

        try:
            with (
                members(plan.source) as open_member,
                zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive,
                tempfile.TemporaryDirectory(prefix=".preflight-", dir=partial.parent) as work,
            ):
                for index, part in enumerate(plan.parts):
                    if self.progress is not None:
                        self.progress(plan.shown, index / len(plan.parts))
                    info = zipfile.ZipInfo(part.name, time.localtime()[:6])
                    with archive.open(info, "w", force_zip64=True) as entry:
                        if part.convert:
                            self._convert(part, open_member, Path(work), entry, plan.shown)
                        else:
                            with open_member(part.members[0]) as member:
                                self._copy(member, entry)
        except (zipfile.BadZipFile, EOFError) as error:
            raise FixError(f"the zip could not be read: {error}") from None

    def _convert(
        self,
        part: Part,
        open_member: Callable[[str], IO[bytes]],
        work: Path,
        entry: IO[bytes],
        shown: str,
    ) -> None:
        """Members copied out to the private folder (ffmpeg seeks in some formats), made into
        one WAV there, streamed into the zip, removed."""
        inputs: list[str] = []
        for number, name in enumerate(part.members):
            path = work / f"in{number}"
            with open_member(name) as member, open(path, "wb") as copy:
                self._copy(member, copy)
            inputs.append(str(path))
        made = work / "out.wav"
        self._run(part.command(self.ffmpeg, inputs, str(made)), shown)
        with open(made, "rb") as wav:
            self._copy(wav, entry)
        for leftover in [*inputs, str(made)]:
            os.unlink(leftover)
