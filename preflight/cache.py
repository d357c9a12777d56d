"""The facts of probed files, kept between runs so that a re-run over unchanged files
(pre-commit, CI on the same checkout) reads no media; and the parsed table of each manifest
(`recall`, `remember`: manifest.Memo), so that it parses none. Modelled on ruff's cache
(crates/ruff/src/cache.rs): `FactsCache.open` one project's, `get` a file's facts, `update` it
with the facts probed instead, `persist` it. Nothing else in preflight knows its format.

It lives in the user's cache folder (PREFLIGHT_CACHE_DIR, else platformdirs' user cache
folder), one file per project root, never in the checked repository: a repository cannot hand
preflight facts about its files. A file's entry is found by its resolved absolute path and used
only while the file's stat (size, mtime, ctime, inode, device) is the one taken before it was
probed; ctime cannot be set from user space, so a change, even one that restores the mtime,
misses. The whole cache is keyed by a fingerprint of preflight's code: a new version, or any
change to it, starts afresh. It is JSON, never pickle (a wrong cache can hold wrong facts at
worst, never code), written atomically and never through a symlink; a damaged, foreign or
unreachable cache is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from preflight import __version__
from preflight.paths import RealFolders, is_link
from preflight.probe import facts

ENV_VAR = "PREFLIGHT_CACHE_DIR"
FILE_BYTES_MAX = 16 * 1024 * 1024  # a project's file: the most recently seen entries that fit
# The cache file is opened without following a symlink (Windows has no O_NOFOLLOW: the folder's
# lstat check stands alone) and without blocking on a FIFO; on Windows, as bytes.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)
_TAG = "@"  # an encoded dataclass's type
_TYPES: dict[str, type] = {  # the encoded dataclasses, by name; content analysis's: _type
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
_ANALYSED = ("Face", "FaceFrame", "FaceFacts", "Segment", "FrameFacts", "SpeechFacts")
StatKey = list[int]  # size, mtime_ns, ctime_ns, inode, device


class FactsCache:
    """One project's facts of files probed in earlier runs, decoded only when asked for."""

    def __init__(self, file: Path, root: str, entries: dict[str, Any]) -> None:
        self.file = file
        self._root = root
        self._entries = entries  # resolved path → {"key": StatKey, "seen": s, "facts": encoded}
        self._missed: dict[str, tuple[str, StatKey]] = {}  # path as given → resolved path, key
        self._used: set[str] = set()  # resolved paths hit or updated in this run
        self._changed = False
        self._real_folder = RealFolders()  # the files of a run share their ancestors
        self._now = int(time.time())

    @classmethod
    def open(cls, project_root: Path) -> FactsCache:
        """The cache of the project at `project_root`: empty when there is none, or when the
        stored one is damaged, of another version of preflight or of another root."""
        root = os.path.realpath(project_root)
        name = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
        file = cache_dir() / f"{name}.json"
        stored = _read(file)
        entries = stored.get("files")
        if stored.get("fingerprint") != fingerprint() or stored.get("root") != root:
            entries = None
        return cls(file, root, entries if isinstance(entries, dict) else {})

    def get(self, path: Path, shown: str) -> facts.FileFacts | None:
        """The file's facts if it is unchanged since they were stored, under the name this run
        shows it by. On a miss, the stat taken here is the one `update` stores new facts under."""
        real, key = self._identify(path)
        if key is None:
            return None
        entry = self._entries.get(real)
        found = _decoded(entry, key, shown)
        if found is None:
            self._missed[str(path)] = real, key
            return None
        self._entries[real]["seen"] = self._now
        self._used.add(real)
        return found

    def update(self, path: Path, probed: facts.FileFacts) -> None:
        """Keep the facts just probed, under the stat that the probe found the file in before
        and after it read it (FileFacts.read_as), when `get` found the same before the probe:
        facts of a file that changed while it was read, or since `get`, are not kept."""
        missed = self._missed.pop(str(path), None)
        real, key = missed if missed else self._identify(path)
        read_as = list(probed.read_as) if probed.read_as is not None else None
        if key is None or probed.node != "file" or read_as != key:
            return
        encoded = _encode(probed)
        del encoded["path"]  # the name a run shows the file by is the run's, not the file's
        del encoded["read_as"]  # the entry's key
        self._entries[real] = {"key": key, "seen": self._now, "facts": encoded}
        self._used.add(real)
        self._changed = True

    def has(self, path: Path) -> bool:
        """Whether facts of the file as it is now are kept (a look, not a use)."""
        real, key = self._identify(path)
        entry = self._entries.get(real)
        return key is not None and isinstance(entry, dict) and entry.get("key") == key

    def recall(self, path: Path, info: os.stat_result) -> tuple[dict[str, Any], str] | None:
        """What the manifest at `path` held (its top-level table, its text) when it was as
        `info`, the stat of the open file, says it is now (manifest.Memo)."""
        real = self._resolved(path)
        entry = self._entries.get(real)
        if not isinstance(entry, dict) or entry.get("key") != list(facts.stat_key(info)):
            return None
        kept = entry.get("manifest")
        if not (isinstance(kept, list) and len(kept) == 2 and isinstance(kept[0], dict)):
            return None
        if not isinstance(kept[1], str):
            return None
        entry["seen"] = self._now
        self._used.add(real)
        return kept[0], kept[1]

    def remember(self, path: Path, info: os.stat_result, data: dict[str, Any], text: str) -> None:
        """Keep what a manifest read as `info` holds; one whose values JSON cannot hold (a TOML
        date) is parsed again each time."""
        try:
            json.dumps(data)
        except (TypeError, ValueError):
            return
        real = self._resolved(path)
        key = list(facts.stat_key(info))
        self._entries[real] = {"key": key, "seen": self._now, "manifest": [data, text]}
        self._used.add(real)
        self._changed = True

    def persist(self) -> None:
        """Write the cache if this run added to it. Entries of files gone or changed since are
        dropped, and only the most recently seen that fit in FILE_BYTES_MAX are kept. A cache
        that cannot be written is no error, only slower next time."""
        if not self._changed:
            return  # hits alone: their "seen" is not worth a write
        # Encoded one entry at a time, to keep those that fit.
        head = f'{{"fingerprint":{json.dumps(fingerprint())},"root":{json.dumps(self._root)},'
        head += '"files":{'
        parts: list[str] = []
        size = len(head) + 2
        for real, entry in sorted(self._live_entries(), key=_recency, reverse=True):
            part = f"{json.dumps(real)}:{json.dumps(entry, separators=(',', ':'))}"
            if size + len(part) + 1 <= FILE_BYTES_MAX:
                parts.append(part)
                size += len(part) + 1
        with contextlib.suppress(OSError):
            _write(self.file, head + ",".join(parts) + "}}")

    def _live_entries(self) -> list[tuple[str, dict[str, Any]]]:
        """Entries used in this run, and those whose file is still what they were made of."""
        live = []
        for real, entry in self._entries.items():
            if not isinstance(entry, dict):
                continue
            if real in self._used or _key_of(real, os.stat) == entry.get("key"):
                live.append((real, entry))
        return live

    def _identify(self, path: Path) -> tuple[str, StatKey | None]:
        """The file's resolved path and stat key (None: not a regular file, or not there),
        with a single lstat for a file that is not a symlink."""
        real = self._resolved(path, link=False)
        key = _key_of(real, os.lstat)
        if key is None and is_link(real):  # a symlink, or a junction
            real = os.path.realpath(real)
            key = _key_of(real, os.stat)
        return real, key

    def _resolved(self, path: Path, link: bool = True) -> str:
        """The absolute path with its folders' symlinks resolved, and its own too with
        `link`."""
        absolute = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
        folder, name = os.path.split(absolute)
        real = os.path.join(self._real_folder(folder), name)
        return os.path.realpath(real) if link and is_link(real) else real


def cache_dir() -> Path:
    """Where the caches live: $PREFLIGHT_CACHE_DIR, else the user's cache folder
    (~/.cache/preflight on Linux, ~/Library/Caches/preflight on macOS)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(os.path.abspath(configured))
    import platformdirs  # only where it is needed: start-up time

    return Path(platformdirs.user_cache_dir("preflight", appauthor=False))


@functools.cache
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


def _key_of(path: str, stat_of: Callable[[str], os.stat_result]) -> StatKey | None:
    """A regular file's stat key; None for anything else, or nothing."""
    try:
        info = stat_of(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return list(facts.stat_key(info))


def _decoded(entry: Any, key: StatKey, shown: str) -> facts.FileFacts | None:
    """An entry's facts, if it was made of the file as `key` says it is now."""
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    try:
        found = _decode({**entry["facts"], "path": shown})
    except (KeyError, TypeError, ValueError, RecursionError):  # a damaged entry: a miss
        return None
    return found if isinstance(found, facts.FileFacts) else None


def _recency(item: tuple[str, dict[str, Any]]) -> int:
    seen = item[1].get("seen")
    return seen if isinstance(seen, int) else 0


def _private(folder: Path) -> bool:
    """A folder itself, not a symlink to one, and this user's: a cache in a folder that others
    could swap or write to is neither read nor written."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISDIR(info.st_mode) and mine


def _read(file: Path) -> dict[str, Any]:
    """The stored cache, or {}: none, damaged, too large, a symlink or not in a private folder."""
    if not _private(file.parent):
        return {}
    try:
        with os.fdopen(os.open(file, _READ_FLAGS), "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > FILE_BYTES_MAX:
                return {}
            loaded = json.loads(stream.read(FILE_BYTES_MAX))
    except (OSError, ValueError, RecursionError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write(file: Path, text: str) -> None:
    """Write `text` to a new file in the folder (made private), then move it over `file`: a run
    reading the cache meanwhile sees the old one or the new one, never half of one."""
    from preflight import outputs  # only when there is something to write: start-up time

    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if _private(file.parent):
        outputs.write_text(file, text)  # private to the user, as mkstemp makes it


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        encoded = {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
        return {_TAG: type(value).__name__, **encoded}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        cls = _type(value[_TAG])
        return cls(
            **{k: _decode(v) if type(v) in _NESTED else v for k, v in value.items() if k != _TAG}
        )
    if isinstance(value, list):
        return tuple(_decode(v) if type(v) in _NESTED else v for v in value)
    return value


_NESTED = (dict, list)  # what _decode walks into: most values are scalars, kept as they are


def _type(name: str) -> type:
    """An encoded dataclass's type; content analysis's module is loaded by the first entry
    that holds its facts (a KeyError for any other name: a damaged entry)."""
    if name in _ANALYSED:
        from preflight.probe import analysed

        return getattr(analysed, name)  # type: ignore[no-any-return]
    return _TYPES[name]
