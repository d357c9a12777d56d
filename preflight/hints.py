"""Fix commands for findings, built with ffmpeg-python so that they are valid ffmpeg calls.

A hint is a shell command the producer can paste. An ffmpeg hint writes a new file beside
the input and never overwrites it; a rename hint (`mv`) renames the file it names.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from preflight.i18n import _

if TYPE_CHECKING:
    from preflight.discover import FileRef
    from preflight.fix.plan import FilePlan
    from preflight.limits import MakeType
    from preflight.probe.facts import FileFacts
    from preflight.report import RequestReport


def ffmpeg_command(
    source: str, target: str, *, before: dict[str, Any] | None = None, **output: Any
) -> str:
    """`ffmpeg -i SOURCE [output options] TARGET`, quoted for a POSIX shell."""
    import ffmpeg  # lazy: only a failing finding pays for it

    names = stand_ins(source, target)
    stream = ffmpeg.input(names[0], **(before or {})).output(names[1], **output)
    return shlex.join(compiled(stream, "ffmpeg", names, (source, target)))


def stand_ins(*paths: str) -> list[str]:
    """A placeholder for each path, for ffmpeg-python: it hashes every name as UTF-8, and a
    file name need not be (a byte that is not UTF-8 arrives as a lone surrogate)."""
    return [f"preflight-stand-in-{number}" for number in range(len(paths))]


def compiled(stream: Any, cmd: str, names: Sequence[str], paths: Sequence[str]) -> list[str]:
    """ffmpeg-python's argument list for `stream`, each stand-in in `names` replaced by its
    path in `paths`."""
    real = dict(zip(names, paths, strict=True))
    return [real.get(arg, arg) for arg in stream.compile(cmd=cmd)]


def sibling(path: str, tag: str = "", extension: str | None = None) -> str:
    """A new file name beside `path`: `clip.mov` → `clip-25fps.mp4`, never `path` itself."""
    pure = PurePosixPath(path)
    suffix = f".{extension}" if extension else pure.suffix
    name = f"{pure.stem}{'-' + tag if tag else ''}{suffix}"
    if name == pure.name:
        name = f"{pure.stem}-fixed{suffix}"
    return str(pure.with_name(name))


def rename_command(path: str, new_name: str) -> str:
    return shlex.join(["mv", path, str(PurePosixPath(path).with_name(new_name))])


def one_per_file(
    report: RequestReport,
    refs: Sequence[FileRef],
    facts: Mapping[Path, FileFacts],
    make_type: MakeType | None,
) -> RequestReport:
    """One fix per file, not one per finding: the findings that a file's plan fixes (see
    preflight.fix.plan) name their problems, and the first of them carries the plan:
    `preflight fix MANIFEST`, and the single ffmpeg command (or rename) for those who want it.
    Per-finding commands would each start from the original, and contradict each other. A
    material finding that no copy can fix (a 1080p video for IMAGE_4K) offers no command."""
    from preflight.materials import material_for

    findings = list(report.findings)
    for ref in refs:
        own = [i for i, f in enumerate(findings) if f.path == ref.shown and f.field == ref.field]
        probed = facts.get(ref.path)
        material = material_for(ref.field, make_type)
        if not own or probed is None or material is None:
            continue  # a file with nothing to fix (most): no plan, and no planner loaded
        from preflight.fix.plan import plan_file  # the rules import this module

        shown = replace(probed, path=ref.shown)
        plan, cannot = plan_file(ref.field, make_type, shown, ref.path, [findings[i] for i in own])
        family = {rule.id for rule in material.family.RULES}
        # Said not fixable, with why (not merely unknown to the plan): its command would mislead.
        hopeless = {u.rule for u in cannot if u.known} & family
        for i in own:
            if findings[i].rule in hopeless:
                findings[i] = replace(findings[i], hint=None)
        if plan is None:
            continue
        hint = _plan_hint(plan, report.source, probed.format)
        fixed = [i for i in own if findings[i].rule in plan.fixes]
        for n, i in enumerate(fixed):
            findings[i] = replace(findings[i], hint=hint if n == 0 else None)
    return replace(report, findings=tuple(findings))


def _plan_hint(plan: FilePlan, manifest: str, fmt: str | None) -> str | None:
    from preflight.manifest import COMMAND_LINE

    target = str(PurePosixPath(plan.shown).with_name(plan.name))
    if target == plan.shown:
        target = sibling(plan.shown, "fixed")
    alternative = None
    # Many systems' ffmpeg cannot read HEIC (Debian 12's 5.1): `preflight fix` runs the one in
    # the imageio-ffmpeg wheel, and a command for another ffmpeg is left out.
    if plan.encode is not None and fmt != "heic":
        alternative = shlex.join(plan.encode.command("ffmpeg", plan.shown, target))
    elif plan.how == "copy":
        alternative = rename_command(plan.shown, plan.name)
    if manifest == COMMAND_LINE:
        return alternative
    command = shlex.join(["preflight", "fix", manifest])
    if alternative is None:
        return command
    # Translators: a shell command, then a comment (after #) giving the other way to run it.
    return _("{command}  # or: {alternative}").format(command=command, alternative=alternative)
