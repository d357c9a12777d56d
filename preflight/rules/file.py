"""Rules for any local file, whatever field holds it: can it be read, and is it what it says."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePosixPath

from preflight.hints import rename_command
from preflight.limits import human_bytes
from preflight.manifest import Manifest
from preflight.names import split_name
from preflight.probe.sniff import EXTENSIONS, KIND
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject

MISSING = Rule("file.missing", "error", "the path does not exist", "", "SPEC §4")
NOT_REGULAR = Rule(
    "file.not-regular",
    "error",
    "a directory, FIFO, device or socket (never opened for reading)",
    "",
    "SPEC §4",
)
LFS_POINTER = Rule(
    "file.lfs-pointer", "error", "the file is a Git LFS pointer, not the content", "", "SPEC §4"
)
UNREADABLE = Rule(
    "file.unreadable", "error", "truncated, corrupt, empty or unparsable", "", "SPEC §4"
)
TYPE_MISMATCH = Rule(
    "file.type-mismatch",
    "error",
    "the content is not the kind the field needs (a zip as video material, …)",
    "",
    "SPEC §4",
)
EXTENSION_MISMATCH = Rule(
    "file.extension-mismatch",
    "warning",
    "the content's real format disagrees with the file extension",
    "",
    "SPEC §4",
)
OUTSIDE_ROOT = Rule(
    "file.outside-root",
    "error",
    "a manifest inside a git work tree points (after symlinks) outside it",
    "",
    "SPEC §4",
)
UNJUDGED = Rule(
    "file.unjudged",
    "error",
    "a rule of the file's family could not be judged: a fact it needs could not be read",
    "every rule judged",
    "SPEC §4",
)
UNTRACKED = Rule(
    "file.untracked",
    "warning",
    "a manifest in a git work tree names a file that git neither tracks nor has staged (a fresh "
    "clone lacks it); an error under pre-commit (PRE_COMMIT set), whose commit would leave it out",
    "committed or staged",
    "SPEC §8 (a file CI checks is a file the repository has)",
)
RULES: tuple[Rule, ...] = (
    MISSING,
    NOT_REGULAR,
    LFS_POINTER,
    UNREADABLE,
    TYPE_MISMATCH,
    EXTENSION_MISMATCH,
    OUTSIDE_ROOT,
    UNJUDGED,
    UNTRACKED,
)

# A finding of these means the content cannot be judged: the media rules do not run.
GATES = frozenset(
    rule.id for rule in RULES if rule not in (EXTENSION_MISMATCH, UNJUDGED, UNTRACKED)
)

_NODE_WORDS = {
    "directory": "a directory",
    "fifo": "a named pipe (FIFO)",
    "socket": "a socket",
    "device": "a device",
}
_KIND_WORDS = {
    "video": "a video",
    "audio": "audio",
    "archive": "a zip archive",
    "image": "an image",
    "document": "a PDF document",
}


def check_manifest(manifest: Manifest) -> Iterator[Finding]:
    """A manifest that cannot be read: one finding, and its fields are not judged."""
    if manifest.outside_root is not None:
        yield OUTSIDE_ROOT.finding(
            f"is a symlink that resolves outside the repository {manifest.outside_root}; "
            "refusing to read it (pass --allow-outside-root if this is intended)",
            path=manifest.source,
            actual=manifest.outside_root,
        )
    elif manifest.missing:
        yield MISSING.finding("no such manifest", path=manifest.source)
    elif manifest.problem is not None:
        yield UNREADABLE.finding(manifest.problem, path=manifest.source)


def check(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    if subject.outside_root is not None:
        yield subject.finding(
            OUTSIDE_ROOT,
            f"resolves outside the repository {subject.outside_root}; refusing to read it "
            "(pass --allow-outside-root if this is intended)",
            actual=subject.outside_root,
        )
        return
    if file.node == "missing":
        template = f"; {subject.template} stands for this local file" if subject.template else ""
        yield subject.finding(MISSING, f"no such file{template}")
        return
    if subject.untracked is not None:
        finding = subject.finding(
            UNTRACKED,
            "git neither tracks nor has staged this file: a fresh clone (CI) will not have it",
            hint=shlex.join(["git", "add", "--", file.path]),
        )
        yield replace(finding, severity=subject.untracked)
    if file.node != "file":
        what = _NODE_WORDS.get(
            file.node, "not reachable (a symlink loop or a folder that cannot be entered)"
        )
        yield subject.finding(
            NOT_REGULAR, f"is {what}, not a regular file; it was not opened", actual=file.node
        )
        return
    if file.lfs is not None:
        pointed = f" to {human_bytes(file.lfs.size)}" if file.lfs.size is not None else ""
        yield subject.finding(
            LFS_POINTER,
            f"is a Git LFS pointer{pointed} of content that is not checked out",
            actual=file.lfs.size,
            hint=shlex.join(["git", "lfs", "pull", "--include", file.path]),
        )
        return
    if file.problem is not None:
        yield subject.finding(UNREADABLE, file.problem, actual=file.format)
        return
    yield from _kind(subject)
    yield from _extension(subject)


def unjudged(subject: Subject, rule: Rule, why: str) -> Finding:
    """What a family's check yields when a fact its rule needs could not be read: the rule
    is not passed by omission, and the report says which one and why."""
    return subject.finding(
        UNJUDGED,
        f"{rule.id} could not be judged: {why}",
        actual=rule.id,
        limit=f"{rule.id}: {rule.limit}" if rule.limit else rule.id,
    )


def _kind(subject: Subject) -> Iterator[Finding]:
    wanted = subject.material.kind if subject.material else None
    kind = subject.file.kind
    if wanted is None or kind == wanted:
        return
    if wanted == "video" and _is_movie_container(subject.file.format):
        return  # a movie container holding only sound: video.no-video-track says so
    got = f"{_KIND_WORDS.get(kind or '', 'data')} ({(subject.file.format or '?').upper()})"
    yield subject.finding(
        TYPE_MISMATCH,
        f"the content is {got}, but {subject.field} needs {_KIND_WORDS[wanted]}",
        actual=subject.file.format,
        limit=_KIND_WORDS[wanted],
    )


def _is_movie_container(fmt: str | None) -> bool:
    """Containers made for video, even when they hold only sound (an MP4 of sound is M4A, a
    Matroska file MKA)."""
    return fmt in ("m4a", "mka") or KIND.get(fmt or "") == "video"


def _extension(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    known = EXTENSIONS.get(file.format or "")
    if not known or file.extension in known:
        return
    stem, _ = split_name(PurePosixPath(file.path).name)
    yield subject.finding(
        EXTENSION_MISMATCH,
        f"the content is {file.format.upper() if file.format else '?'} but the name ends in "
        f"'.{file.extension}'"
        if file.extension
        else f"the content is {(file.format or '?').upper()} but the name has no extension",
        actual=file.extension,
        limit=", ".join(f".{e}" for e in known),
        hint=rename_command(file.path, f"{stem}.{known[0]}"),
    )
