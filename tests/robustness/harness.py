"""The one assertion of the robustness suite: run `preflight check` on hostile input in a child
process and check every guarantee of the robustness issue at once.

- exit code 0 or 1, never 2; no traceback or internal error on stderr;
- each hostile file has a finding of the expected rule, with a clear message (or, for inputs
  that are valid however odd, its facts were read and no `file.*` gate fired);
- the run ends within RUN_SECONDS_MAX and its peak memory (the child and every process it
  waited for, from wait4, through measured.py: see there why) stays under MEMORY_MAX_MB;
- nothing under the test's folder changed: bytes, mtime and ctime of every input, and no file
  added or removed (HOME and TMPDIR of the child point inside it, so a temporary copy would
  show; its facts cache goes to the suite's PREFLIGHT_CACHE_DIR, outside the tree);
- when `unshare` can make one, the child runs in a user namespace with no network and as a
  user without root's power to read unreadable files.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.probe.pool import START_METHOD

RUN_SECONDS_MAX = 8.0  # a whole batch of hostile files, start-up included
MEMORY_MAX_MB = 300.0
TIMEOUT_S = 60  # the child is killed after this: a hang fails the test instead of the suite
MESSAGE_MAX = 400  # characters: a message is a sentence, not a dump
ENV_FOLDER = "_env"  # HOME and TMPDIR of the child, inside the watched tree
# Findings that say a file could not be read (type-mismatch is left out: a file given on its
# own is judged for every make type, and most of them need another kind).
UNREAD = frozenset(
    {"file.missing", "file.not-regular", "file.lfs-pointer", "file.unreadable", "file.outside-root"}
)
FACTS_READ = None  # expectation: the file is valid however odd; its facts were read


@functools.cache
def sandbox() -> tuple[str, ...]:
    """`unshare` arguments for a child with no network, running as an ordinary user (so that
    permissions bind it even when the suite runs as root); () when the system cannot."""
    command = ("unshare", "--user", "--map-user=1000", "--net")
    if shutil.which("unshare") is None:
        return ()
    try:
        done = subprocess.run([*command, "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return command if done.returncode == 0 else ()


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    report: dict[str, Any] | None

    def findings(self, path: str) -> list[dict[str, Any]]:
        """Every finding about `path` (a file or a manifest, as the report shows it)."""
        assert self.report is not None
        found = [f for r in self.report["requests"] for f in r["findings"] if f["path"] == path]
        for inspection in self.report["files"]:
            for verdict in inspection["verdicts"]:
                found += [f for f in verdict["findings"] if f["path"] == path]
        return found

    def rules(self, path: str) -> set[str]:
        return {f["rule"] for f in self.findings(path)}

    def facts(self, path: str) -> dict[str, Any] | None:
        assert self.report is not None
        for request in self.report["requests"]:
            for file in request["files"]:
                if file["path"] == path:
                    return file["facts"]  # type: ignore[no-any-return]
        for inspection in self.report["files"]:
            if inspection["path"] == path:
                return inspection["facts"]  # type: ignore[no-any-return]
        return None


def check_cli(
    root: Path,
    *args: str,
    expect: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    output_format: str = "json",
    seconds_max: float = RUN_SECONDS_MAX,
) -> Run:
    """Run `preflight check --format FORMAT ARGS` in `cwd` (default `root`) and assert every
    guarantee; `expect` maps a path as the report shows it to the rule it must fire
    (FACTS_READ: the file was read, and none of the UNREAD rules fired)."""
    _env_folder(root)
    before = snapshot(root)
    run = run_cli(root, *args, cwd=cwd, output_format=output_format)
    context = f"exit {run.code}\nstderr:\n{run.stderr[-3000:]}\nstdout:\n{run.stdout[:3000]}"
    assert run.code in (0, 1), context
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, context
    assert run.seconds < seconds_max, f"the run took {run.seconds:.1f} s"
    assert run.peak_mb < MEMORY_MAX_MB, f"the run peaked at {run.peak_mb:.0f} MB"
    assert snapshot(root) == before, "the run changed, added or removed a file"
    if run.report is not None:
        assert run.code == (0 if run.report["ok"] else 1), context
    for path, rule in (expect or {}).items():
        _check_expectation(run, path, rule)
    return run


def run_cli(
    root: Path,
    *args: str,
    cwd: Path | None = None,
    output_format: str = "json",
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run `preflight check --format FORMAT ARGS` as check_cli does (sandboxed, HOME and TMPDIR
    under `root`; `env` added, over those), asserting nothing: for runs that write or must be
    refused."""
    return _run(
        [*sandbox(), sys.executable, "-m", "preflight", "check", "--format", output_format, *args],
        cwd or root,
        _env_folder(root),
        env or {},
    )


def _env_folder(root: Path) -> Path:
    """HOME and TMPDIR of the child, made before the tree's snapshot is taken."""
    env_folder = root / ENV_FOLDER
    (env_folder / "tmp").mkdir(parents=True, exist_ok=True)
    return env_folder


def refused(root: Path, *args: str, cwd: Path | None = None) -> Run:
    """A run that must be a usage error: exit 2, a message and no traceback on stderr, nothing
    on stdout, and nothing under `root` changed, added or removed."""
    _env_folder(root)
    before = snapshot(root)
    run = run_cli(root, *args, cwd=cwd)
    context = f"exit {run.code}\nstderr:\n{run.stderr[-3000:]}\nstdout:\n{run.stdout[:3000]}"
    assert run.code == 2, context
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, context
    assert not run.stdout, context
    assert snapshot(root) == before, "a refused run changed, added or removed a file"
    return run


def _check_expectation(run: Run, path: str, rule: str | None) -> None:
    findings = run.findings(path)
    for finding in findings:
        assert_clear(finding["message"])
    rules = {f["rule"] for f in findings}
    if rule is FACTS_READ:
        assert not rules & UNREAD, (path, findings)
        facts = run.facts(path)
        assert facts is not None and facts.get("format") and facts.get("problem") is None, facts
    else:
        assert rule in rules, (path, rule, findings)


def assert_clear(message: object) -> None:
    """A sentence a producer can read: bounded, printable, no Python internals."""
    assert isinstance(message, str), message
    shown = repr(message[:200]) + ("…" if len(message) > 200 else "")
    assert 8 <= len(message) <= MESSAGE_MAX, f"a message of {len(message)} characters: {shown}"
    assert message.isprintable(), shown
    assert "Traceback" not in message and " object at 0x" not in message, shown


def _run(command: Sequence[str], cwd: Path, env_folder: Path, more: Mapping[str, str]) -> Run:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(env_folder),
        "TMPDIR": str(env_folder / "tmp"),
        "XDG_CACHE_HOME": str(env_folder / "cache"),
        "PREFLIGHT_CACHE_DIR": os.environ["PREFLIGHT_CACHE_DIR"],  # tests/conftest.py's
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if START_METHOD in os.environ:  # the suite runs with forked and with spawned workers
        env[START_METHOD] = os.environ[START_METHOD]
    env.update(more)
    with (  # outside the tree
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as folder,
    ):
        result = Path(folder, "result")
        launcher = [sys.executable, str(_MEASURED), str(result), str(TIMEOUT_S), *command]
        started = time.monotonic()
        subprocess.run(launcher, cwd=cwd, env=env, stdout=out, stderr=err, check=True)
        seconds = time.monotonic() - started
        status, maxrss_kb = map(int, result.read_text(encoding="ascii").split())
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    assert code >= 0, f"killed by signal {-code} (timeout or crash)"
    report = None
    if command[command.index("--format") + 1] == "json" and stdout.strip():
        report = json.loads(stdout)
    return Run(code, stdout, stderr, seconds, maxrss_kb / 1024, report)


_MEASURED = Path(__file__).with_name("measured.py")


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path under `root` (symlinks not followed, special files never opened): its type,
    and for files their size, mtime, ctime and a digest of their bytes."""
    state: dict[str, tuple[object, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            key = os.path.relpath(path, root)
            if stat.S_ISLNK(info.st_mode):
                state[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                times = (info.st_mtime_ns, info.st_ctime_ns)
                state[key] = ("file", info.st_size, *times, _digest(path, info.st_mode))
            else:  # a folder's entries are keys themselves; FIFOs, sockets: never opened
                state[key] = (stat.S_IFMT(info.st_mode),)
    return state


def _digest(path: str, mode: int) -> str:
    """SHA-256 of the data regions, so that a sparse terabyte costs what it holds. A file
    without read permission is not hashed (its size, mtime and ctime still are)."""
    if not mode & stat.S_IRUSR:
        return "unreadable"
    sha = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    try:
        end = os.fstat(fd).st_size
        offset = 0
        while offset < end:
            try:
                offset = os.lseek(fd, offset, os.SEEK_DATA)
                hole = os.lseek(fd, offset, os.SEEK_HOLE)
            except OSError as error:
                if error.errno == errno.ENXIO:  # only holes after `offset`
                    break
                hole = end  # no SEEK_DATA on this file system: read it all
            sha.update(offset.to_bytes(8, "little"))
            os.lseek(fd, offset, os.SEEK_SET)
            while offset < hole:
                block = os.read(fd, min(1 << 20, hole - offset))
                if not block:
                    break
                sha.update(block)
                offset += len(block)
    finally:
        os.close(fd)
    return sha.hexdigest()
