"""Read a file's headers into plain facts: no decoding, no extraction, nothing read through.

Only this package opens input files. Heavy libraries are imported inside the family probes,
so that a run that needs no video never loads libmediainfo.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard, cast

from preflight.i18n import N_
from preflight.probe.audio import read_at
from preflight.probe.facts import (
    AudioFacts,
    FileFacts,
    Kind,
    LfsPointer,
    Media,
    Node,
    ProbeError,
    VideoFacts,
    stat_key,
)
from preflight.probe.sniff import HEAD_BYTES, KIND, format_of_extension, sniff

if TYPE_CHECKING:
    from preflight.probe.content import Item as Analysis
    from preflight.probe.pool import EarlyWorker, Pool, Progress

    # A file to probe (its path, and the path as shown), or, in the content phase, the facts of
    # one probed to analyse: the same workers do both.
    Work = tuple[Path, str] | Analysis
    Probing = Pool[Work, FileFacts]
    EarlyProbing = EarlyWorker[Work, FileFacts]

LFS_POINTER_MAX = 1024  # git-lfs never writes a pointer larger than this
PROBE_SECONDS_MAX = 5.0  # real headers take milliseconds; a damaged one can loop for minutes
_PARALLEL_FROM = 8  # files: below this, a second worker costs more than it saves
_SCAN_MAX = 300  # names under a folder that say what it holds: a millisecond or two to list
_AHEAD_MAX = 4  # media files a command line names, at most, for them to be probed at once
_LFS_SIGNATURE = b"version https://git-lfs"
_LFS_OID = re.compile(rb"^oid (\w+:[0-9a-f]{64})$", re.M)
_LFS_SIZE = re.compile(rb"^size (\d+)$", re.M)


def start_early(names: Iterable[str]) -> EarlyProbing | None:
    """A probing worker started now, loading the libraries that files with these names need (a
    guess from their extensions; for a folder, from those of the first few hundred names under
    it) while the command line is still loading; None when no name needs one. A command line
    that names, or a folder that holds, at most _AHEAD_MAX media files has them sent to it at
    once: their probing too runs while the command line loads (a file the run does not ask for
    after all is not waited for). The pool of `probing(..., early=)` adopts it; stop it if none
    does. A wrong guess costs work on the other core, nothing more."""
    files: list[str] = []  # media files named, or found under a folder named, as paths from here
    for name in list(names) or ["."]:  # no paths: the current folder
        if _format_of_name(name) is not None:
            files.append(name)
        elif not name.startswith("-") and os.path.isdir(name):
            files += _media_under(name)
    formats = frozenset(fmt for name in files if (fmt := _format_of_name(name)) is not None)
    if not formats:
        return None
    from preflight.probe.pool import EarlyWorker

    ahead = [item for name in files if (item := _item(name))] if len(files) <= _AHEAD_MAX else []
    preload = functools.partial(_preload, formats, tuple(names))
    return EarlyWorker(_probe, preload, ((item, PROBE_SECONDS_MAX) for item in ahead))


def _format_of_name(name: str) -> str | None:
    """The format a file's extension names, when a reader of this package reads it."""
    fmt = format_of_extension(os.path.splitext(name)[1][1:].lower())
    return fmt if _reader(fmt) is not None else None


def _media_under(folder: str) -> list[str]:
    """The media files among the first _SCAN_MAX names under `folder`, as paths from here."""
    names = itertools.islice(_names_under(folder), _SCAN_MAX)
    return [name for name in names if _format_of_name(name) is not None]


def _names_under(folder: str) -> Iterator[str]:
    """The paths under `folder`, depth first (a folder of requests shows its media within a
    few requests), hidden folders skipped as manifests' discovery skips them."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            yield entry.path
            if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                yield from _names_under(entry.path)


def _probed_before(arguments: tuple[str, ...]) -> bool:
    """Whether the cache that a `check` with these arguments opens holds the facts of every
    media file they name or that lies under a folder they name, as the file is now. The
    cache's project is taken to be the git work tree of the working folder (else that folder),
    as it is unless a configuration file elsewhere says otherwise: a wrong guess, or an option
    that changes the cache, only means the libraries load at once, as they always did."""
    if any(a.startswith(("--no-cache", "--config")) for a in arguments):
        return False
    from preflight.cache import FactsCache
    from preflight.paths import WorkTrees

    cwd = Path.cwd()
    cache = FactsCache.open(WorkTrees().root(cwd) or cwd)
    paths = [a for a in arguments if not a.startswith("-")] or ["."]
    return all(cache.has(Path(os.path.abspath(name))) for name in _media_named(paths))


def _media_named(paths: list[str]) -> Iterator[str]:
    """The media files among these paths and under the folders among them."""
    for path in paths:
        if os.path.isdir(path):
            yield from (n for n in _names_under(path) if _format_of_name(n) is not None)
        elif _format_of_name(path) is not None:
            yield path


def _item(name: str) -> tuple[Path, str] | None:
    """The probing item that a run will submit for the file at `name`, when it is a regular
    file (never a symlink, a FIFO or a device, whatever a repository plants) whose path holds
    no `..` (a run may read that one through symlinks, see discover._located)."""
    try:
        regular = stat.S_ISREG(os.lstat(name).st_mode)
    except (OSError, ValueError):
        return None
    if not regular or os.pardir in Path(name).parts:
        return None
    return Path(os.path.abspath(name)), os.path.normpath(name)


def _preload(formats: frozenset[str], arguments: tuple[str, ...] = ()) -> None:
    """Load the libraries that read these formats (each reader module only if needed), unless
    the cache the run will open holds the facts of every media file the command line's
    `arguments` name or hold: a re-run over unchanged files probes nothing, and loading them
    would only compete with it for the cores (a probe that needs one after all loads it)."""
    if _probed_before(arguments):
        return
    for fmt in formats:
        reader = _reader(fmt)
        if reader == "media":
            from preflight.probe import media

            media.preload()
        elif reader == "archive":
            from preflight.probe import archive

            archive.preload()
        elif reader == "image":
            from preflight.probe import image

            image.preload(fmt)


def probing(
    jobs: int = 0,
    progress: Progress | None = None,
    early: EarlyProbing | None = None,
) -> Probing:
    """Workers that probe each (path, shown) submitted, each file within PROBE_SECONDS_MAX, as
    soon as it comes, and then analyse the content of each content.Item submitted, within the
    time its duration allows: `jobs` of them, never more than cores or files (0: every core,
    once a batch is worth it), the first of them `early`'s worker when there is one (see
    start_early)."""
    from preflight.probe.pool import Pool

    parallel_from = _PARALLEL_FROM if jobs == 0 else 1
    cores = os.cpu_count() or 1
    workers = min(jobs or cores, cores)  # more processes than cores only compete for them
    return Pool(_probe, workers, _seconds, _unfinished, progress, parallel_from, early)


# A header item is a plain (path, shown) tuple; an analysis, a content.Item (a named tuple):
# told apart by type, so that a run without content analysis never loads its module.


def _probe(item: Work) -> FileFacts:
    if _is_header(item):
        return probe_file(*item)
    from preflight.probe import content

    return content.analyse(cast("Analysis", item))


def _seconds(item: Work) -> float:
    if _is_header(item):
        return PROBE_SECONDS_MAX
    from preflight.probe import content

    return content.seconds(cast("Analysis", item))


def _is_header(item: Work) -> TypeGuard[tuple[Path, str]]:
    return type(item) is tuple


def _unfinished(item: Work, why: str) -> FileFacts:
    """A file whose parser hung or crashed: what its head says, and that it is damaged (or,
    for an analysis, its header facts and why its content was not judged)."""
    if not _is_header(item):
        from preflight.probe import content

        return content.unfinished(cast("Analysis", item), why)
    path, shown = item
    head = probe_file(path, shown, parse=False)
    problem = f"the headers could not be read (the parser {why}): the file is damaged"
    return replace(head, problem=problem)


def probe_file(path: Path, shown: str, parse: bool = True) -> FileFacts:
    """Probe one local file; `shown` is the path as the report prints it. Without `parse`, only
    what its node and first bytes say. A regular file's facts carry its stat key (`read_as`)
    when a stat after the probe finds the one from before: else the file changed while it was
    read (libraries open it by name, so a descriptor's fstat would not cover their reads)."""
    node, before = _node(path)
    if node != "file" or before is None:
        return FileFacts(shown, node, None, None, None)
    facts = _read(path, shown, parse, before.st_size)
    try:
        unchanged = stat_key(path.stat()) == stat_key(before)
    except OSError:
        unchanged = False
    return replace(facts, read_as=stat_key(before)) if unchanged else facts


def _read(path: Path, shown: str, parse: bool, size: int) -> FileFacts:
    """A regular file's facts, from its first bytes and, when `parse`, its headers."""
    node: Node = "file"
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
            fmt = sniff(head, functools.partial(read_at, stream)) if head else None
    except OSError as error:
        return FileFacts(shown, node, size, None, None, problem=_os_problem(error))
    if not head:
        return FileFacts(shown, node, size, None, None, problem=N_("the file is empty"))
    if size <= LFS_POINTER_MAX and head.startswith(_LFS_SIGNATURE):
        return FileFacts(shown, node, size, None, None, lfs=_lfs_pointer(head))
    if fmt is None and _ends_as_zip(path):
        fmt = "zip"  # after a self-extractor's stub, or the last part of a split archive
    if fmt is not None and not parse:
        return FileFacts(shown, node, size, fmt, KIND.get(fmt))
    if fmt is None:
        return FileFacts(
            shown,
            node,
            size,
            None,
            None,
            problem=N_("the content is not a media format preflight recognises"),
        )
    try:
        with warnings.catch_warnings():  # a library's complaint about a header is not output
            warnings.simplefilter("ignore")
            media = _probe_media(path, fmt, size)
    except ProbeError as error:
        return FileFacts(shown, node, size, fmt, KIND.get(fmt), problem=str(error))
    except Exception as error:  # a native parser's failure is a finding, never a traceback
        problem = f"the {fmt.upper()} headers could not be parsed ({type(error).__name__})"
        return FileFacts(shown, node, size, fmt, KIND.get(fmt), problem=problem)
    fmt = _refine(fmt, media)
    return FileFacts(shown, node, size, fmt, _kind(fmt, media), media=media)


def _node(path: Path) -> tuple[Node, os.stat_result | None]:
    try:
        info = path.stat()  # follows symlinks: a link to a file is that file
    except FileNotFoundError:
        return "missing", None
    except OSError:  # a symlink loop, a name too long, a folder we may not enter
        return "other", None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return "file", info
    if stat.S_ISDIR(mode):
        return "directory", None
    if stat.S_ISFIFO(mode):
        return "fifo", None
    if stat.S_ISSOCK(mode):
        return "socket", None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device", None
    return "other", None


def _os_problem(error: OSError) -> str:
    reason = os.strerror(error.errno) if error.errno else type(error).__name__
    return f"the file cannot be read: {reason.lower()}"


def _lfs_pointer(head: bytes) -> LfsPointer:
    oid = _LFS_OID.search(head)
    size = _LFS_SIZE.search(head)
    return LfsPointer(
        oid=oid.group(1).decode("ascii") if oid else "",
        size=int(size.group(1)) if size else None,
    )


def _ends_as_zip(path: Path) -> bool:
    """A zip is known by its end record, wherever the archive starts in the file."""
    from preflight.probe.archive import has_end_record

    return has_end_record(path)


def _reader(fmt: str | None) -> str | None:
    """The module of this package that reads a format's headers (imported when needed)."""
    kind = KIND.get(fmt or "")
    if kind in ("video", "audio") or fmt == "asf":
        return "media"
    if fmt == "zip":
        return "archive"
    if kind == "image":
        return "image"
    if fmt == "pdf":
        return "document"
    return None  # other archives: their format is all the rules need


def _probe_media(path: Path, fmt: str, size: int) -> Media | None:
    reader = _reader(fmt)
    if reader == "media":
        from preflight.probe.media import probe_media

        return probe_media(path, fmt)
    if reader == "archive":
        from preflight.probe.archive import probe_zip

        return probe_zip(path)
    if reader == "image":
        from preflight.probe.image import probe_image

        return probe_image(path, fmt)
    if reader == "document":
        from preflight.probe.document import probe_pdf

        return probe_pdf(path, size)
    return None


def _kind(fmt: str, media: Media | None) -> Kind | None:
    """What the tracks say when there are tracks: a movie container with only sound is audio."""
    if isinstance(media, VideoFacts):
        return "video"
    if isinstance(media, AudioFacts):
        return "audio"
    return KIND.get(fmt)


def _refine(fmt: str, media: Media | None) -> str:
    """Containers that hold either audio or video: the tracks decide."""
    if fmt == "asf":
        return "wmv" if isinstance(media, VideoFacts) else "wma"
    if fmt == "mp4" and isinstance(media, AudioFacts):
        return "m4a"
    if fmt == "m4a" and isinstance(media, VideoFacts):
        return "mp4"
    if fmt == "mkv" and isinstance(media, AudioFacts):
        return "mka"
    return fmt
