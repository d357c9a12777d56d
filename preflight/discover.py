"""Paths → the manifests to check, the local files they name, and the media files to inspect
on their own; and where git work trees end (a manifest in one may not name files outside it).

Only manifests and folder listings are read here; media files are the probe's."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from preflight import manifest
from preflight.fields import FIELDS, local_file, local_path, make_type_of
from preflight.manifest import Manifest
from preflight.materials import applies
from preflight.probe.facts import FileFacts
from preflight.probe.sniff import format_of_extension
from preflight.settings import Settings

MANIFEST_NAMES = "request.json, *.request.json, request.toml or *.request.toml"


@dataclass(frozen=True)
class FileRef:
    """A local file as a manifest names it in one field."""

    field: str
    path: Path  # absolute, symlinks not resolved
    shown: str  # as the report shows it
    outside_root: str | None  # the work tree the path escapes (after symlinks), when it does


@dataclass(frozen=True)
class Found:
    manifests: list[Manifest]
    refs: dict[str, list[FileRef]]  # by manifest source
    standalone: list[tuple[Path, str]]  # media files no manifest names: (absolute, shown)


@dataclass
class WorkTrees:
    """Symlinks resolved and work trees found once per folder: the files of one run share a
    few folders. One instance serves one run."""

    real_folders: dict[str, str] = field(default_factory=dict)
    roots: dict[str, Path | None] = field(default_factory=dict)

    def real_folder(self, folder: str) -> str:
        if folder not in self.real_folders:
            self.real_folders[folder] = os.path.realpath(folder)
        return self.real_folders[folder]

    def real(self, path: Path) -> str:
        """The path with symlinks resolved, its folder's resolution shared with its siblings."""
        real = os.path.join(self.real_folder(os.path.dirname(path)), os.path.basename(path))
        return os.path.realpath(real) if os.path.islink(real) else real

    def root(self, folder: Path) -> Path | None:
        """The git work tree a folder is in, after symlinks."""
        return self._root_of(self.real_folder(str(folder)))

    def _root_of(self, folder: str) -> Path | None:
        if folder not in self.roots:
            parent = os.path.dirname(folder)
            if os.path.exists(os.path.join(folder, ".git")):
                self.roots[folder] = Path(folder)
            else:
                self.roots[folder] = None if parent == folder else self._root_of(parent)
        return self.roots[folder]

    def escapes(self, path: Path, root: Path | None) -> str | None:
        """The work tree the path leaves, after symlinks (a loop stays where it is: the probe
        reports it)."""
        if root is None:
            return None
        real = self.real(path)
        inside = real == str(root) or real.startswith(os.path.join(root, ""))
        return None if inside else str(root)

    def key(self, path: Path) -> Path:
        """One identity per file, however it was reached (symlinks, `..`)."""
        return Path(self.real(path))


def collect(
    settings: Settings, trees: WorkTrees, found: Callable[[Manifest, list[FileRef]], None]
) -> Found:
    """Manifests to check and media files to inspect on their own, each once; `found` hears of
    each manifest and its files as soon as it is read (their probing can start)."""
    manifests: dict[Path, Manifest] = {}
    refs: dict[str, list[FileRef]] = {}
    standalone: dict[Path, str] = {}

    def add(key: Path, loaded: Manifest) -> None:
        if key not in manifests:
            manifests[key] = loaded
            refs[loaded.source] = list(file_refs(loaded, settings, trees))
            found(loaded, refs[loaded.source])

    if settings.fields is not None:
        add(settings.cwd, manifest.from_fields(settings.fields, settings.cwd))
    excluded = settings.config.excludes
    for given in settings.paths:
        path = Path(os.path.abspath(settings.cwd / given))
        if excluded(path):
            continue
        if path.is_dir():
            for each in manifest.discover(path):
                if excluded(each):
                    continue
                shown = os.path.normpath(os.path.join(str(given), os.path.relpath(each, path)))
                add(trees.key(each), manifest.load(each, shown))
        elif manifest.is_manifest(path):
            add(trees.key(path), manifest.load(path, str(given)))
        else:
            owners = dict(_manifests_referencing(path, settings, trees))
            for key, owner in owners.items():
                add(key, owner)
            if not owners:
                standalone.setdefault(path, str(given))
    return Found(list(manifests.values()), refs, list(standalone.items()))


def file_refs(source: Manifest, settings: Settings, trees: WorkTrees) -> Iterator[FileRef]:
    """The local files a manifest names, for the fields its make type uses."""
    make_type = make_type_of(source.payload.get("MakeType"))
    root = None
    if source.source != manifest.COMMAND_LINE and not settings.allow_outside_root:
        root = trees.root(source.folder)
    shown_folder = "" if source.source == manifest.COMMAND_LINE else os.path.dirname(source.source)
    for name in FIELDS:
        value = local_file(name, source.payload.get(name))
        if value is None or (make_type is not None and not applies(name, make_type)):
            continue
        path = Path(os.path.abspath(source.folder / local_path(value)))
        shown = os.path.normpath(os.path.join(shown_folder, local_path(value)))
        yield FileRef(name, path, shown, trees.escapes(path, root))


def not_material(facts: FileFacts) -> str | None:
    """Why a file given on the command line is neither a manifest nor material, if it is not:
    pre-commit and shell globs pass such files along, and they are not the user's error."""
    if facts.node != "file" or facts.format or facts.lfs or format_of_extension(facts.extension):
        return None
    if facts.extension in ("json", "toml"):
        return f"not a manifest: manifests are named {MANIFEST_NAMES}"
    return "neither a manifest nor a media file"


def base(cwd: Path, trees: WorkTrees) -> str:
    """The working folder relative to its work tree's root ("" at the root or outside one):
    CI formats place findings by paths from the root."""
    root = trees.root(cwd)
    relative = Path(os.path.relpath(cwd.resolve(), root)).as_posix() if root else "."
    return "" if relative == "." else relative


def _manifests_referencing(
    media: Path, settings: Settings, trees: WorkTrees
) -> Iterator[tuple[Path, Manifest]]:
    """Manifests in the file's folder or an ancestor, up to the work tree's root (outside one,
    up to the file system's), that name the file in one of their fields."""
    target = trees.key(media)
    stop = trees.root(target.parent) or Path(target.anchor)
    folder = target.parent
    while True:
        found = (p for p in _listdir(folder) if manifest.is_manifest(p))
        for candidate in sorted(p for p in found if not settings.config.excludes(p)):
            shown = os.path.relpath(candidate, trees.key(settings.cwd))
            loaded = manifest.load(candidate, shown)
            if any(trees.key(ref.path) == target for ref in file_refs(loaded, settings, trees)):
                yield candidate, loaded
        if folder == stop or stop not in folder.parents:
            return
        folder = folder.parent


def _listdir(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
