"""Paths as the operating system resolves them: symlinks (and Windows junctions) followed, a
folder resolved from its parent's resolution so that the files of a run, which share a few
folders, cost one lstat a folder (os.path.realpath takes one for every component, every time);
and where git work trees end (WorkTrees)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

_JUNCTION = 0xA0000003  # IO_REPARSE_TAG_MOUNT_POINT (only Windows' stat module names it)


def is_link(path: str) -> bool:
    """Whether the path is a symlink or, on Windows, a junction: both lead elsewhere and
    realpath follows both, but os.path.islink sees only symlinks (isjunction is Python 3.12's)."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISLNK(info.st_mode) or getattr(info, "st_reparse_tag", 0) == _JUNCTION


def real_file(folders: RealFolders, path: str) -> str:
    """An absolute path with symlinks resolved, its folder's resolution shared with its
    siblings'."""
    real = os.path.join(folders(os.path.dirname(path)), os.path.basename(path))
    return os.path.realpath(real) if is_link(real) else real


def below(path: str, folder: str) -> str:
    """A path relative to a folder it lies in (as os.walk yields a folder's paths, or a resolved
    file its resolved work tree's): os.path.relpath without its normalising, and its cost."""
    if path == folder:
        return os.curdir
    if inside(path, folder):
        return path[len(os.path.join(folder, "")) :]
    return os.path.relpath(path, folder)


def inside(path: str, folder: str) -> bool:
    """Whether a resolved path is the resolved folder or lies below it."""
    return path == folder or path.startswith(os.path.join(folder, ""))


class RealFolders:
    """Absolute folders with symlinks resolved, as os.path.realpath resolves them, each once.
    One instance serves one run (a folder relinked later is another run's business)."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def __call__(self, folder: str) -> str:
        known = self.known.get(folder)
        if known is not None:  # nearly every call: the files of a run share a few folders
            return known
        if not os.path.isabs(folder):  # joined, not normalised: `..` stays the system's
            folder = os.path.join(os.getcwd(), folder)
        unresolved = []  # iteratively: a hostile tree may nest deeper than Python recurses
        while folder not in self.known:
            parent, name = os.path.split(folder)
            if parent == folder:  # the root
                self.known[folder] = folder
            else:
                unresolved.append((folder, name or os.curdir))  # "a/": "a"
                folder = parent
        real = self.known[folder]
        for below, name in reversed(unresolved):
            if name == os.pardir:  # of the folder resolved so far: after a symlink, elsewhere
                real = os.path.dirname(real)
            elif name != os.curdir:
                real = os.path.join(real, name)
                real = os.path.realpath(real) if is_link(real) else real
            self.known[below] = real
        return real


@dataclass
class WorkTrees:
    """Symlinks resolved and work trees found once per folder: the files of one run share a
    few folders. One instance serves one run."""

    real_folder: RealFolders = field(default_factory=RealFolders)
    reals: dict[str, str] = field(default_factory=dict)
    roots: dict[str, Path | None] = field(default_factory=dict)
    real_trees: dict[Path, Path] = field(default_factory=dict)  # a work tree, after symlinks

    def real(self, path: Path) -> str:
        """The path with symlinks resolved, its folder's resolution shared with its siblings."""
        key = str(path)
        if key not in self.reals:
            self.reals[key] = real_file(self.real_folder, key)
        return self.reals[key]

    def root(self, folder: Path) -> Path | None:
        """The git work tree a folder is in, after symlinks."""
        return self._root_of(self.real_folder(str(folder)))

    def real_root(self, folder: str) -> Path | None:
        """The git work tree of a folder whose symlinks are resolved already."""
        return self._root_of(folder)

    def _root_of(self, folder: str) -> Path | None:
        """The work tree of a folder: its own, or the nearest above it (climbed iteratively: a
        hostile tree may nest deeper than Python recurses)."""
        climbed = []
        root: Path | None = None
        while folder not in self.roots:
            climbed.append(folder)
            # A folder that is a symlink (or a junction) is not a work tree's root: what lies
            # below it is elsewhere, in another repository if the target is one (a real folder
            # is never a link; this is for paths as written).
            if os.path.exists(os.path.join(folder, ".git")) and not is_link(folder):
                root = Path(folder)
                break
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        else:
            root = self.roots[folder]
        for each in climbed:
            self.roots[each] = root
        return root

    def tree_of(self, path: Path) -> Path | None:
        """The work tree an absolute path lies in as written (a symlink to elsewhere lies where
        it is), after symlinks."""
        root = self._root_of(os.path.dirname(path)) or self.root(path.parent)
        if root is None:
            return None
        if root not in self.real_trees:
            self.real_trees[root] = Path(self.real_folder(str(root)))
        return self.real_trees[root]

    def escapes(self, path: Path, root: Path | None) -> str | None:
        """The work tree the path leaves, after symlinks (a loop stays where it is: the probe
        reports it)."""
        if root is None:
            return None
        return None if inside(self.real(path), str(root)) else str(root)

    def key(self, path: Path) -> Path:
        """One identity per file, however it was reached (symlinks, `..`)."""
        return Path(self.real(path))
