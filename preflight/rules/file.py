"""Rules for any local file, whatever field holds it: can it be read, and is it what it says."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import PurePosixPath

from preflight.hints import rename_command
from preflight.i18n import N_, _, counted
from preflight.limits import NAME_CHARSET_TEXT, human_bytes
from preflight.manifest import Manifest
from preflight.names import clean_name, describe_chars, outside_charset, split_name
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

_NODE_WORDS = {  # shown with _()
    "directory": N_("a directory"),
    "fifo": N_("a named pipe (FIFO)"),
    "socket": N_("a socket"),
    "device": N_("a device"),
}
_KIND_WORDS = {  # shown with _()
    "video": N_("a video"),
    "audio": N_("audio"),
    "archive": N_("a zip archive"),
    "image": N_("an image"),
    "document": N_("a PDF document"),
}


def check_manifest(manifest: Manifest) -> Iterator[Finding]:
    """A manifest that cannot be read: one finding, and its fields are not judged."""
    if manifest.outside_root is not None:
        yield OUTSIDE_ROOT.finding(
            _(
                "is a symlink that resolves outside the repository {root}; refusing to read it "
                "(pass --allow-outside-root if this is intended)"
            ).format(root=manifest.outside_root),
            path=manifest.source,
            actual=manifest.outside_root,
        )
    elif manifest.missing:
        yield MISSING.finding(_("no such manifest"), path=manifest.source)
    elif manifest.problem is not None:
        yield UNREADABLE.finding(manifest.problem, path=manifest.source)


def check(subject: Subject) -> Iterator[Finding]:
    file = subject.file
    if subject.outside_root is not None:
        yield subject.finding(
            OUTSIDE_ROOT,
            _(
                "resolves outside the repository {root}; refusing to read it (pass "
                "--allow-outside-root if this is intended)"
            ).format(root=subject.outside_root),
            actual=subject.outside_root,
        )
        return
    if file.node == "missing":
        yield subject.finding(MISSING, _missing(subject))
        return
    if subject.untracked is not None:
        finding = subject.finding(
            UNTRACKED,
            _("git neither tracks nor has staged this file: a fresh clone (CI) will not have it"),
            hint=shlex.join(["git", "add", "--", file.path]),
        )
        yield replace(finding, severity=subject.untracked)
    if file.node != "file":
        what = _NODE_WORDS.get(
            file.node, N_("not reachable (a symlink loop or a folder that cannot be entered)")
        )
        message = _("is {what}, not a regular file; it was not opened").format(what=_(what))
        yield subject.finding(NOT_REGULAR, message, actual=file.node)
        return
    if file.lfs is not None:
        if file.lfs.size is not None:
            message = _("is a Git LFS pointer to {size} of content that is not checked out")
        else:
            message = _("is a Git LFS pointer of content that is not checked out")
        yield subject.finding(
            LFS_POINTER,
            message.format(size=human_bytes(file.lfs.size or 0)),
            actual=file.lfs.size,
            hint=shlex.join(["git", "lfs", "pull", "--include", file.path]),
        )
        return
    if file.problem is not None:
        yield subject.finding(UNREADABLE, _(file.problem), actual=file.format)
        return
    yield from _kind(subject)
    yield from _extension(subject)


def _missing(subject: Subject) -> str:
    """No such file, and where a manifest's paths start from, and the file it likely meant
    (a path written from the working folder, or from another computer's desktop)."""
    if subject.template:
        message = _("no such file; {template} stands for this local file")
    elif not subject.in_manifest:
        message = _("no such file")
    elif subject.near is None:
        message = _("no such file: paths in a manifest are relative to the manifest's folder")
    else:
        message = _(
            "no such file: paths in a manifest are relative to the manifest's folder; the "
            "closest file there is {near}"
        )
    near = json.dumps(subject.near, ensure_ascii=False)
    return message.format(template=subject.template, near=near)


def oversized(
    subject: Subject, rule: Rule, cap: int, hint: Callable[[], str | None]
) -> Iterator[Finding]:
    """`rule`'s finding when the file (or a Git LFS pointer's recorded content) is larger than
    `cap` bytes, with the fix `hint` makes (called only then: it may build an ffmpeg command)."""
    size = subject.file.size
    if size is not None and size > cap:
        yield subject.finding(
            rule,
            _("file size {size} is over {max}").format(
                size=human_bytes(size), max=human_bytes(cap)
            ),
            actual=size,
            hint=hint(),
        )


def unjudged(subject: Subject, rule: Rule, why: str) -> Finding:
    """What a family's check yields when a fact its rule needs could not be read: the rule
    is not passed by omission, and the report says which one and why."""
    return subject.finding(
        UNJUDGED,
        _("{rule} could not be judged: {why}").format(rule=rule.id, why=why),
        actual=rule.id,
        limit=f"{rule.id}: {_(rule.limit)}" if rule.limit else rule.id,
    )


def misnamed(
    subject: Subject, rule: Rule, shortest: int, longest: int | None, filler: str
) -> Iterator[Finding]:
    """`rule`'s finding when the file's name stem is shorter than `shortest` characters,
    longer than `longest` or outside the name charset (a photo's, a zero-shot recording's
    name); the hint renames it to the nearest valid name, `filler` making up a short one."""
    path = PurePosixPath(subject.file.path)
    stem = path.stem
    problems = []
    if len(stem) < shortest:
        fewer = counted(
            len(stem), "has {n} character, fewer than {min}", "has {n} characters, fewer than {min}"
        )
        problems.append(fewer.format(min=shortest))
    if longest is not None and len(stem) > longest:
        problems.append(
            _("has {count} characters, more than {max}").format(count=len(stem), max=longest)
        )
    bad = outside_charset(stem)
    if bad:
        problems.append(
            _("contains {chars}, outside the name charset ({charset})").format(
                chars=describe_chars(bad), charset=_(NAME_CHARSET_TEXT)
            )
        )
    if not problems:
        return
    cleaned = clean_stem(stem, shortest, longest, filler)
    yield subject.finding(
        rule,
        _("the file name {name} {problems}; rename it, then update {field} to the new name").format(
            name=repr(stem), problems=_(" and ").join(problems), field=subject.field
        ),
        actual=stem,
        hint=rename_command(subject.file.path, cleaned + path.suffix),
    )


def clean_stem(stem: str, shortest: int, longest: int | None, filler: str) -> str:
    """The nearest valid name stem (`lin portrait` → `lin_portrait`), `filler` making up a
    short one."""
    cleaned = clean_name(stem, "")[:longest]
    if len(cleaned) < shortest:
        cleaned = f"{cleaned}_{filler}" if cleaned else filler
    return cleaned


def _kind(subject: Subject) -> Iterator[Finding]:
    wanted = subject.material.kind if subject.material else None
    kind = subject.file.kind
    if wanted is None or kind == wanted:
        return
    if wanted == "video" and _is_movie_container(subject.file.format):
        return  # a movie container holding only sound: video.no-video-track says so
    got = f"{_(_KIND_WORDS.get(kind or '', N_('data')))} ({(subject.file.format or '?').upper()})"
    yield subject.finding(
        TYPE_MISMATCH,
        _("the content is {got}, but {field} needs {wanted}").format(
            got=got, field=subject.field, wanted=_(_KIND_WORDS[wanted])
        ),
        actual=subject.file.format,
        limit=_(_KIND_WORDS[wanted]),
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
    stem = split_name(PurePosixPath(file.path).name)[0]
    if file.extension:
        message = _("the content is {format} but the name ends in {extension}")
    else:
        message = _("the content is {format} but the name has no extension")
    yield subject.finding(
        EXTENSION_MISMATCH,
        message.format(format=(file.format or "?").upper(), extension=f"'.{file.extension}'"),
        actual=file.extension,
        limit=", ".join(f".{e}" for e in known),
        hint=rename_command(file.path, f"{stem}.{known[0]}"),
    )
