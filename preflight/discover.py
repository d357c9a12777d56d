"""Paths → the manifests to check, the local files they name, and the media files to inspect
on their own, a manifest in a git work tree naming no file outside it (paths.WorkTrees says
where work trees end).

Only manifests and folder listings are read here; media files are the probe's."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from preflight import git, manifest, paths
from preflight.config import Configs
from preflight.fields import endpoint_of, local_file, local_path, make_type_of, template_path
from preflight.i18n import _
from preflight.manifest import Manifest
from preflight.materials import applies
from preflight.paths import WorkTrees, is_link
from preflight.probe.facts import FileFacts
from preflight.probe.sniff import format_of_extension
from preflight.report import TOOL_FOLDERS, Searched, Severity
from preflight.settings import Settings

MANIFEST_NAMES = "request.json, *.request.json, request.toml or *.request.toml"


@dataclass(frozen=True)
class FileRef:
    """A local file as a manifest names it in one field."""

    field: str
    path: Path  # absolute, symlinks not resolved
    shown: str  # as the report shows it
    outside_root: str | None  # the work tree the path escapes (after symlinks), when it does
    template: str | None = None  # the ${COS_PATH_PREFIX} value that names it, when one does
    untracked: Severity | None = None  # file.untracked's level: git's index does not have it
    near: str | None = None  # when it does not exist: the file it most likely meant (closest)


@dataclass(frozen=True)
class Found:
    manifests: list[Manifest]
    refs: dict[str, list[FileRef]]  # by manifest source
    standalone: list[tuple[Path, str]]  # media files no manifest names: (absolute, shown)
    searched: Searched  # what the search passed over


def collect(
    settings: Settings,
    trees: WorkTrees,
    configs: Configs,
    found: Callable[[Manifest, list[FileRef]], None],
    memo: manifest.Memo | None = None,
) -> Found:
    """Manifests to check and media files to inspect on their own, each once, but those the
    configuration governing them excludes; `found` hears of each manifest and its files as
    soon as it is read (their probing can start)."""
    manifests: dict[Path, Manifest] = {}
    refs: dict[str, list[FileRef]] = {}
    standalone: dict[Path, str] = {}
    search = _Search()

    def add(key: Path, loaded: Manifest) -> None:
        if key not in manifests:
            manifests[key] = loaded
            refs[loaded.source] = list(file_refs(loaded, settings, trees))
            found(loaded, refs[loaded.source])

    if settings.fields is not None:
        add(settings.cwd, manifest.from_fields(settings.fields, settings.cwd))
    excluded = configs.excludes
    for given in settings.paths:
        path, given_shown = _located(settings.cwd, "", str(given), settings.cwd)
        if excluded(path):
            search.excluded += 1
            continue
        if path.is_dir():
            for each in search.manifests(path):
                shown = os.path.normpath(
                    os.path.join(given_shown, paths.below(str(each), str(path)))
                )
                if each in search.unlisted:
                    add(each, manifest.unlisted(each, shown, search.unlisted[each]))
                elif excluded(each):
                    search.excluded += 1
                else:
                    add(trees.key(each), _load(each, shown, settings, trees, memo))
        elif manifest.is_manifest(path):
            add(trees.key(path), _load(path, given_shown, settings, trees, memo))
        else:
            owners = dict(_manifests_referencing(path, settings, trees, configs, search, memo))
            for key, owner in owners.items():
                add(key, owner)
            if owners.keys() <= search.unlisted.keys():  # none found names it: on its own too
                standalone.setdefault(path, given_shown)
    searched = search.searched(settings.cwd)
    return Found(list(manifests.values()), refs, list(standalone.items()), searched)


@dataclass
class _Search:
    """The search of the folders given for manifests: what it passed over is counted, and a
    folder it cannot list is yielded in the manifests' place (see manifest.unlisted)."""

    hidden: int = 0
    tools: int = 0
    symlinked: int = 0
    excluded: int = 0
    media: list[Path] = field(default_factory=list)  # the first media files seen (extension)
    media_seen: int = 0
    unlisted: dict[Path, str] = field(default_factory=dict)  # folder → why

    def manifests(self, folder: Path) -> Iterator[Path]:
        """Manifests below `folder` (searched even when hidden, a tool's or a symlink: it was
        given), and folders that cannot be listed, in a stable order."""
        failed: list[OSError] = []
        for root, dirs, files in os.walk(folder, onerror=failed.append):
            yield from self._unlisted(failed)
            dirs[:] = [d for d in sorted(dirs) if self._enters(root, d)]
            for name in sorted(files):
                if manifest.is_manifest_name(name):
                    yield Path(root, name)
                elif format_of_extension(os.path.splitext(name)[1][1:].lower()):
                    self.media_seen += 1
                    if len(self.media) < _MEDIA_NAMED:
                        self.media.append(Path(root, name))
        yield from self._unlisted(failed)

    def _enters(self, root: str, name: str) -> bool:
        if name.startswith("."):
            self.hidden += name != ".git"
        elif name in TOOL_FOLDERS:
            self.tools += 1
        elif is_link(os.path.join(root, name)):
            self.symlinked += 1  # os.walk would not enter a symlink either: counted here
        else:
            return True
        return False

    def _unlisted(self, failed: list[OSError]) -> Iterator[Path]:
        while failed:
            error = failed.pop(0)
            folder = Path(os.fsdecode(error.filename))
            self.unlisted[folder] = _why(error)
            yield folder

    def searched(self, cwd: Path) -> Searched:
        media = tuple(_relative(path, cwd) for path in self.media)
        counts = (self.hidden, self.tools, self.symlinked, self.excluded)
        return Searched(*counts, media, self.media_seen)


def _why(error: OSError) -> str:
    """Why a folder cannot be listed, as a manifest's problem says it."""
    return (error.strerror or type(error).__name__).lower()


_MEDIA_NAMED = 5  # media files seen that a report can name: the first few say enough


def _relative(path: Path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive (Windows)
        return str(path)


def file_refs(source: Manifest, settings: Settings, trees: WorkTrees) -> Iterator[FileRef]:
    """The local files a manifest names, for the fields its make type uses."""
    make_type = make_type_of(source.payload.get("MakeType"))
    root = None
    if source.source != manifest.COMMAND_LINE and not settings.allow_outside_root:
        root = trees.root(source.folder)
    shown_folder = "" if source.source == manifest.COMMAND_LINE else os.path.dirname(source.source)
    for name, spec in endpoint_of(source.payload).fields.items():
        value = local_file(spec, source.payload.get(name))
        if value is None or (make_type is not None and not applies(name, make_type)):
            continue
        path, shown = _located(source.folder, shown_folder, local_path(value), settings.cwd)
        template = source.payload[name] if template_path(source.payload[name]) else None
        yield FileRef(name, path, shown, trees.escapes(path, root), template)


_NEAR_DEPTH = 3  # folders below a manifest's searched for the file a missing path meant
_NEAR_ENTRIES_MAX = 2000  # entries listed at most, in a large asset folder


def closest(folder: Path, value: str) -> str | None:
    """The existing file that a missing path most likely meant, relative to the manifest's
    folder (`/`-separated): one of the same name below it (a path written from the working
    folder), else of the closest name, else the closest name of the same extension (a path
    from another computer, `C:\\Users\\lin\\Desktop\\a.pdf` → `authorization.pdf`)."""
    import difflib

    wanted = local_path(value).rsplit("/", 1)[-1]
    names: dict[str, str] = {}  # name → the shallowest file of that name
    for relative in _files_below(folder):
        names.setdefault(relative.rsplit("/", 1)[-1], relative)
    same = [name for name in names if name.casefold() == wanted.casefold()]
    close = same or difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    if close:
        return names[close[0]]
    extension = os.path.splitext(wanted)[1].casefold()
    kin = [n for n in names if extension and os.path.splitext(n)[1].casefold() == extension]
    if not kin:
        return None
    return names[max(kin, key=lambda n: difflib.SequenceMatcher(None, wanted, n).ratio())]


def _files_below(folder: Path) -> Iterator[str]:
    """The regular files below a folder but manifests, breadth first and bounded, as paths
    relative to it; hidden and tool folders, and symlinks to folders, are not entered."""
    pending: list[tuple[str, str, int]] = [(str(folder), "", 0)]
    listed = 0
    while pending and listed < _NEAR_ENTRIES_MAX:
        real, relative, depth = pending.pop(0)
        try:
            with os.scandir(real) as entries:
                for entry in entries:
                    listed += 1
                    if listed > _NEAR_ENTRIES_MAX:
                        break
                    shown = f"{relative}{entry.name}"
                    if entry.is_file() and not manifest.is_manifest_name(entry.name):
                        yield shown
                    elif (
                        entry.is_dir(follow_symlinks=False)
                        and depth < _NEAR_DEPTH
                        and not entry.name.startswith(".")
                        and entry.name not in TOOL_FOLDERS
                    ):
                        pending.append((entry.path, f"{shown}/", depth + 1))
        except OSError:
            continue


def _located(folder: Path, shown_folder: str, value: str, cwd: Path) -> tuple[Path, str]:
    """The file an uploader opening `value` from `folder` gets, absolute, and how the report
    shows it. A `..` leaves the folder that the path before it leads to, after symlinks, as the
    operating system takes it (on Windows `..` is lexical, and so is realpath there): with
    `link` a symlink to `x/y`, `link/../b` is `x/b`, not the `b` beside `link`. When the two
    readings differ, the report shows the real path (relative to the working folder)."""
    lexical = Path(os.path.abspath(os.path.join(folder, value)))
    shown = os.path.normpath(os.path.join(shown_folder, value))
    parts = value.split("/")
    if os.pardir not in parts:
        return lexical, shown
    last = len(parts) - parts[::-1].index(os.pardir)  # just after the last `..`
    head, tail = "/".join(parts[:last]), parts[last:]
    real_head = os.path.realpath(os.path.join(folder, head))
    if os.path.realpath(os.path.normpath(os.path.join(folder, head))) == real_head:
        return lexical, shown  # no symlink before a `..`: the lexical reading is the file
    path = Path(os.path.normpath(os.path.join(real_head, *tail)))
    if os.path.isabs(shown):
        return path, str(path)
    try:
        return path, os.path.relpath(path, os.path.realpath(cwd))
    except ValueError:  # another drive (Windows)
        return path, str(path)


def _load(
    path: Path, shown: str, settings: Settings, trees: WorkTrees, memo: manifest.Memo | None
) -> Manifest:
    """A manifest, unless it is a symlink out of the git work tree it lies in: that one is
    never read (it could be any file of the machine running the check)."""
    root = None if settings.allow_outside_root else trees.tree_of(path)
    outside = trees.escapes(path, root)
    return manifest.refused(path, shown, outside) if outside else manifest.load(path, shown, memo)


def mark_untracked(
    found: Found, trees: WorkTrees, level: Severity, started: dict[Path, git.Index]
) -> None:
    """Mark the files that manifests in git work trees name, and that the index of the work tree
    they are in (committed or staged) does not have: a fresh clone, as CI makes, would not
    have them either. Files that are not there, outside work trees, or in one that git cannot
    read (git absent, a folder that only looks like one) are left alone. `started`: listings
    of work trees begun already (taken from it)."""
    wanted: dict[Path, dict[str, list[tuple[str, int]]]] = {}  # root → relative → refs
    reals: dict[tuple[Path, str], str] = {}  # the real path of each, to see if it is there
    for source, refs in found.refs.items():
        for number, ref in enumerate(refs):
            if source == manifest.COMMAND_LINE or ref.outside_root is not None:
                continue
            if trees.tree_of(ref.path) is None:  # most runs: no file system call per file
                continue
            real = trees.real(ref.path)
            root = trees.real_root(os.path.dirname(real))
            if root is not None:
                relative = paths.below(real, str(root)).replace(os.sep, "/")
                wanted.setdefault(root, {}).setdefault(relative, []).append((source, number))
                reals[root, relative] = real
    for root, files in wanted.items():
        indexed = (started.pop(root, None) or git.Index(root)).has(files)
        for relative, places in files.items():
            # A file that is not there is left alone (file.missing says it): asked only of
            # those the index lacks, so that a tracked file costs no stat.
            if indexed is None or relative in indexed:
                continue
            if os.path.isfile(reals[root, relative]):
                for source, number in places:
                    refs = found.refs[source]
                    refs[number] = replace(refs[number], untracked=level)


def not_material(facts: FileFacts) -> str | None:
    """Why a file given on the command line is neither a manifest nor material, if it is not:
    pre-commit and shell globs pass such files along, and they are not the user's error."""
    if facts.node != "file" or facts.format or facts.lfs or format_of_extension(facts.extension):
        return None
    if facts.extension in ("json", "toml"):
        return _("not a manifest: manifests are named {names}").format(names=MANIFEST_NAMES)
    return _("neither a manifest nor a media file")


def base(cwd: Path, trees: WorkTrees) -> str:
    """The working folder relative to its work tree's root ("" at the root or outside one):
    CI formats place findings by paths from the root."""
    root = trees.root(cwd)
    relative = Path(os.path.relpath(cwd.resolve(), root)).as_posix() if root else "."
    return "" if relative == "." else relative


def _search_top(target: Path, trees: WorkTrees) -> Path:
    """Where the search for a file's manifests stops: its work tree's root; outside one, the
    user's home folder when the file is in it (the folders above it are the system's, which
    a shared host may not let its users list), else the file system's root."""
    root = trees.root(target.parent)
    if root is not None:
        return root
    try:
        home = trees.key(Path.home())
    except (RuntimeError, KeyError):  # no home folder known
        return Path(target.anchor)
    return home if home in target.parents else Path(target.anchor)


def _manifests_referencing(
    media: Path,
    settings: Settings,
    trees: WorkTrees,
    configs: Configs,
    search: _Search,
    memo: manifest.Memo | None,
) -> Iterator[tuple[Path, Manifest]]:
    """Manifests in the file's folder or an ancestor, up to the work tree's root (outside one,
    see _search_top), that name the file in one of their fields; a folder on the way that
    cannot be listed stands in place of the manifests it may hold, as in the search of a
    folder given (recorded in `search.unlisted`)."""
    target = trees.key(media)
    stop = _search_top(target, trees)
    folder = target.parent
    while True:
        try:
            found = [p for p in folder.iterdir() if manifest.is_manifest(p) and p.is_file()]
        except OSError as error:
            found = []
            search.unlisted[folder] = _why(error)
            shown = _relative(folder, trees.key(settings.cwd))
            yield folder, manifest.unlisted(folder, shown, search.unlisted[folder])
        for candidate in sorted(p for p in found if not configs.excludes(p)):
            shown = os.path.relpath(candidate, trees.key(settings.cwd))
            loaded = _load(candidate, shown, settings, trees, memo)
            if any(trees.key(ref.path) == target for ref in file_refs(loaded, settings, trees)):
                yield candidate, loaded
        if folder == stop or stop not in folder.parents:
            return
        folder = folder.parent
