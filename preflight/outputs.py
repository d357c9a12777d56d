"""Writing what the user asked for (--output, --report, --emit-request, the cache) without
letting the checked repository choose where the bytes go.

A checkout that a pull request controls can plant a symlink where a report is written, or make
the report's folder a symlink out of the repository, or name an input as the output. So: a file
is written to a new temporary file in its folder (O_EXCL: never through a symlink), then moved
over the target (os.replace replaces a symlink there, never its target; a reader sees the old
file or the new one, never half of one); a folder whose path passes through a symlink inside a
git work tree that leads out of it is refused; so is a target that is a file the run reads.
Portable: os.replace and mkstemp behave the same on Windows, which has no O_NOFOLLOW."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from preflight.i18n import _


class TargetError(Exception):
    """A target that must not be written; the message names it and says why."""


def write_text(file: Path, text: str, mode: int | None = None) -> None:
    """Write `text` (UTF-8) to a new file in `file`'s folder, then move it over `file`.
    `mode`: the new file's permissions (None: mkstemp's, private to the user)."""
    import tempfile  # here: most runs write nothing, and its import costs milliseconds

    handle, partial = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=file.parent)  # O_EXCL
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if mode is not None:
            os.chmod(partial, mode)
        os.replace(partial, file)  # replaces a symlink at `file` itself, never its target
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def new_partial(file: Path) -> Path:
    """A new empty file beside `file` (O_EXCL: never through a symlink) whose name ends like
    `file`'s, for a writer that is not Python (ffmpeg picks the format by the extension) to
    fill; the caller moves it over `file` when complete, or removes it."""
    import tempfile

    handle, partial = tempfile.mkstemp(
        prefix=f".{file.stem}.", suffix=f".partial{file.suffix}", dir=file.parent
    )
    os.close(handle)
    return Path(partial)


def public_mode() -> int:
    """What open() would give a new file: 0o666 less the umask (mkstemp's files are 0o600)."""
    umask = os.umask(0o022)  # read it back: there is no getter
    os.umask(umask)
    return 0o666 & ~umask


def check_folder(folder: Path) -> None:
    """Refuse a folder whose path leads, through a symlink that lies inside a git work tree, out
    of that work tree: a repository can plant such a link, and a report written through it would
    land wherever the repository chose. Symlinks outside work trees (/tmp on macOS) are the
    system's or the user's, and are followed. `..` is taken as the operating system takes it:
    from where the path so far leads."""
    from preflight.paths import WorkTrees, inside, is_link

    trees = WorkTrees()
    anchor, *names = Path(os.path.join(os.getcwd(), folder)).parts  # `..` kept, `.` dropped
    real = anchor
    for name in names:
        if name == os.pardir:
            real = os.path.dirname(real)
            continue
        below = os.path.join(real, name)
        if not is_link(below):
            real = below
            continue
        target = os.path.realpath(below)
        root = trees.root(Path(real))
        if root is not None and not inside(target, os.path.realpath(root)):
            raise TargetError(
                _(
                    "{folder} leads through the symlink {link} out of the git work tree {root}; "
                    "give a folder that is not a symlink"
                ).format(folder=folder, link=below, root=root)
            )
        real = target


def identities(paths: Iterable[Path]) -> dict[tuple[int, int], Path]:
    """Each file's identity (device, inode), however it is reached (symlinks, `..`, hard
    links): those of the files a run reads, for check_not_input."""
    found = {}
    for path in paths:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            continue
        found[info.st_dev, info.st_ino] = path
    return found


def check_not_input(target: Path, inputs: dict[tuple[int, int], Path]) -> None:
    """Refuse a target that is one of the files a run reads (`inputs`: their identities)."""
    try:
        info = os.stat(target)
    except (OSError, ValueError):
        return  # not there yet: it cannot be an input
    read = inputs.get((info.st_dev, info.st_ino))
    if read is not None:
        said = _("{target} is {read}, a file this run reads; write elsewhere")
        raise TargetError(said.format(target=target, read=read))
