"""Probe results kept between runs, so a re-run over unchanged files (pre-commit, CI on the
same checkout) reads no media at all. A run whose every input and setting is unchanged
does not even run the rules: run_cache.py keeps its whole report.

A file's entry is keyed by its size, mtime, ctime and inode. ctime cannot be set from user
space, so an entry made on another machine, or committed to a repository, never matches a
fresh checkout. The whole cache is keyed by a fingerprint of preflight's own code, so a new
version, or any change to it, starts afresh. It is JSON, never pickle: a cache that someone
else wrote can hold wrong facts at worst, never code.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from preflight import __version__
from preflight.probe import facts

FOLDER = ".preflight_cache"
_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        facts.FileFacts,
        facts.LfsPointer,
        facts.VideoFacts,
        facts.AudioFacts,
        facts.WavFacts,
        facts.ZipEntry,
        facts.ZipFacts,
        facts.ImageFacts,
        facts.DocumentFacts,
    )
}
_TAG = "@"


class FactsCache:
    """The facts of the files probed in earlier runs, under one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.file = folder / f"facts-{fingerprint()}.json"
        self._entries: dict[str, Any] = _read(self.file)
        self._changed = False

    def get(self, path: Path, shown: str) -> facts.FileFacts | None:
        """The facts of an unchanged file, under the name this run shows it by."""
        entry = self._entries.get(str(path))
        key = stat_key(path)
        if entry is None or key is None or entry.get("key") != key:
            return None
        try:
            found = _decode(entry["facts"])
        except (KeyError, TypeError, ValueError, RecursionError):  # a damaged entry: a miss
            return None
        return replace(found, path=shown) if isinstance(found, facts.FileFacts) else None

    def put(self, path: Path, probed: facts.FileFacts) -> None:
        key = stat_key(path)
        if key is not None and probed.node == "file":
            self._entries[str(path)] = {"key": key, "facts": _encode(probed)}
            self._changed = True

    def save(self) -> None:
        """Write the cache, replacing any of another fingerprint; a cache that cannot be
        written (a read-only checkout) is no error, only slower next time."""
        if not self._changed:
            return
        with contextlib.suppress(OSError):
            make_folder(self.folder)
            for old in self.folder.glob("facts-*.json"):
                if old != self.file:
                    old.unlink()
            partial = self.file.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(self._entries), encoding="utf-8")
            os.replace(partial, self.file)


def make_folder(folder: Path) -> None:
    """The cache's folder, with a .gitignore of everything in it."""
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Made by preflight: never commit its cache.\n*\n")


def stat_key(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


@functools.cache  # the facts and the runs kept share it
def fingerprint() -> str:
    """preflight's version, the Python it runs on and the size and mtime of every module."""
    package = Path(__file__).parent
    digest = hashlib.sha256(f"{__version__} {sys.version}".encode())
    for root, dirs, files in os.walk(package):
        dirs.sort()
        for name in sorted(f for f in files if f.endswith(".py")):
            st = os.stat(os.path.join(root, name))
            digest.update(f"{root}/{name} {st.st_size} {st.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _read(file: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        encoded = {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
        return {_TAG: type(value).__name__, **encoded}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        cls = _TYPES[value[_TAG]]
        return cls(**{k: _decode(v) for k, v in value.items() if k != _TAG})
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value
