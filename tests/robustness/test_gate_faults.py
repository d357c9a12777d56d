"""Faults: a run ended by a signal exits 128 + the signal with no worker left behind, a worker
killed mid-file costs that file a finding, a file that changes while it is probed is never
cached, and a zip of a million entries is reported within bounded memory."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import check_cli
from helpers.media import make_photo
from helpers.workers import descendants, looping_movs, running, workers_of
from hostile import manifest

import preflight.probe
from preflight import cache
from preflight.engine import run
from preflight.probe.facts import FileFacts
from preflight.probe.pool import START_METHOD
from preflight.settings import Settings

PREFLIGHT = Path(sys.executable).parent / "preflight"
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="processes are found in /proc")


@linux_only
@pytest.mark.parametrize(
    ("ending", "code"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_a_signal_ends_a_busy_run_at_once_with_its_exit_code_and_no_worker_left(
    tmp_path: Path, ending: signal.Signals, code: int
) -> None:
    """Ctrl-C is 130, never 1 (findings) nor 0; SIGTERM 143; SIGHUP 129: the shell's codes."""
    movs = looping_movs(tmp_path, 4)
    command = [str(PREFLIGHT), "check", "--no-cache", "--jobs", "2", *map(str, movs)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as parent:
        workers = workers_of(parent.pid, count=2)
        time.sleep(1)  # each worker on a file that keeps its parser busy for minutes
        assert len(workers) == 2 and all(running(pid) for pid in workers)
        processes = descendants(parent.pid, count=0)  # the workers' maker too
        started = time.monotonic()
        parent.send_signal(ending)
        out, err = parent.communicate(timeout=10)
    assert time.monotonic() - started < 2
    assert parent.returncode == code, err
    assert not out and f"interrupted ({ending.name})" in err.decode()
    left = [pid for pid in processes if running(pid)]
    for pid in left:  # a failure must not leave them looping
        os.kill(pid, signal.SIGKILL)
    assert not left


@linux_only
def test_a_worker_killed_mid_file_costs_that_file_a_finding_and_the_run_reports(
    tmp_path: Path,
) -> None:
    """The out-of-memory killer, or anyone, kills the worker on a file: that file is
    `file.unreadable`, the run goes on to its report."""
    (mov,) = looping_movs(tmp_path, 1)
    command = [str(PREFLIGHT), "check", "--no-cache", "--format", "json", mov.name]
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE) as parent:
        (worker,) = workers_of(parent.pid, count=1)
        time.sleep(0.5)  # well within the 5 s a file is given
        os.kill(worker, signal.SIGKILL)
        out, _ = parent.communicate(timeout=10)
    assert parent.returncode == 1
    (inspection,) = json.loads(out)["files"]
    problem = inspection["facts"]["problem"]
    assert "crashed (signal 9)" in problem and inspection["findings"]
    assert {f["rule"] for f in inspection["findings"]} == {"file.unreadable"}


def test_a_file_that_changes_while_it_is_probed_is_never_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The photo is replaced by another while its headers are read (the probe is wrapped in
    this process, and the workers forked from it run the wrapper): its facts are not kept, and
    the next run reads the file as it is."""
    monkeypatch.delenv(START_METHOD, raising=False)  # forked workers: they run the wrapper
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "user-cache"))
    repo = tmp_path / "repo"
    repo.mkdir()
    photo = make_photo(repo / "lin.jpg", width=64, height=64)
    other = make_photo(tmp_path / "other.jpg", width=160, height=90)
    read_media = preflight.probe._probe_media

    def swapping(path: Path, fmt: str, size: int) -> object:
        media = read_media(path, fmt, size)
        os.replace(other, path)  # what an editor saving over it does
        return media

    settings = Settings(paths=(Path("lin.jpg"),), cache=True, jobs=1, cwd=repo)
    monkeypatch.setattr(preflight.probe, "_probe_media", swapping)
    (first,) = run(settings).files
    assert (first.facts["width"], first.facts["height"]) == (64, 64)  # as read
    monkeypatch.setattr(preflight.probe, "_probe_media", read_media)
    for stored in (tmp_path / "user-cache").glob("*.json"):  # none: nothing was kept
        assert str(photo.resolve()) not in json.loads(stored.read_text(encoding="utf-8"))["files"]
    (second,) = run(settings).files
    assert (second.facts["width"], second.facts["height"]) == (160, 90)


def test_facts_kept_are_those_of_the_file_as_the_probe_read_it(tmp_path: Path) -> None:
    """A file unchanged while probed carries the stat it was read with: the cache's key."""
    photo = make_photo(tmp_path / "lin.jpg")
    facts = preflight.probe.probe_file(photo, "lin.jpg")
    info = photo.stat()
    assert isinstance(facts, FileFacts)
    assert facts.read_as == (
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_ino,
        info.st_dev,
    )


@pytest.mark.parametrize("end_record", ["honest", "lying"])
def test_a_zip_of_a_million_entries_is_reported_within_bounded_memory(
    tmp_path: Path, end_record: str
) -> None:
    """A central directory of a million entries (54 MB; zipfile would keep an object for each,
    gigabytes): `zip.corrupt` within 300 MB peak (check_cli measures it, workers included).
    The lying end record claims fewer entries on this disk than in all, so that the record is
    not trusted and the directory's size is caught as zipfile reads it."""
    _million_entries(tmp_path / "many.zip", lying=end_record == "lying")
    manifest(tmp_path / "request.json", "VOICE", "many", MaterialCosUrl="many.zip")
    run_ = check_cli(tmp_path, ".", "--no-cache", expect={"many.zip": "zip.corrupt"})
    (finding,) = run_.findings("many.zip")
    assert "central directory" in finding["message"] and "is not read" in finding["message"]


def _million_entries(path: Path, lying: bool) -> None:
    """A zip whose central directory lists 1 000 000 empty stored entries, all of one local
    header, with the ZIP64 end records that so many need: written directly (zipfile would take
    minutes) and in slices."""
    count, named = 1_000_000, 11  # names v000000.wav
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 5, 0) + b"a.wav"
    fixed = struct.pack(
        "<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, named, 0, 0, 0, 0, 0x20, 0
    )
    size = count * (len(fixed) + named)
    here = count - 1 if lying else count
    with path.open("wb") as out:
        out.write(local)
        for first in range(0, count, 10_000):
            out.write(b"".join(fixed + b"v%06d.wav" % n for n in range(first, first + 10_000)))
        out.write(
            struct.pack(
                "<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, here, count, size, len(local)
            )
        )
        out.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, len(local) + size, 1))
        out.write(
            struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
        )
