"""`preflight fix`: check, plan one new file per failing file and one manifest per request,
write them under the output folders, check the copies again.

Layout: with --out DIR, each manifest's folder is mirrored under DIR (relative to the folder
that holds every manifest fixed); without it, each manifest's copies go to a `preflight-fixed/`
folder beside it. A file that needed no fix is not copied: the new manifest points back at it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from preflight import engine, outputs
from preflight.discover import FileRef
from preflight.fields import make_type_of
from preflight.fix import manifest as manifests
from preflight.fix.execute import Execution
from preflight.fix.plan import FilePlan, Fit, Unfixable, plan_file
from preflight.i18n import _
from preflight.manifest import COMMAND_LINE, Manifest
from preflight.names import printable
from preflight.probe.facts import FileFacts
from preflight.report import Report, RequestReport
from preflight.rules.file import UNTRACKED
from preflight.settings import Settings

DEFAULT_FOLDER = "preflight-fixed"

Progress = Callable[[str, float], None]  # (file shown, fraction done)


@dataclass(frozen=True)
class Options:
    out: Path | None = None
    dry_run: bool = False
    fit: Fit = "pad"
    jobs: int = 0  # 0: one file per core
    ffmpeg: str | None = None  # None: the imageio-ffmpeg wheel's binary


@dataclass(frozen=True)
class Written:
    """A new file: the plan it is made by, where it goes, and the ffmpeg command that makes it
    (for the report and --dry-run; a zip is rebuilt by preflight itself)."""

    plan: FilePlan
    target: Path
    shown: str
    command: tuple[str, ...] = ()
    error: str | None = None  # why it could not be made


@dataclass(frozen=True)
class RequestFix:
    before: RequestReport
    manifest: str | None  # the rewritten manifest, as shown; None: none was written
    files: tuple[Written, ...]
    fields: tuple[manifests.FieldFix, ...]
    unfixable: tuple[Unfixable, ...]
    warnings: tuple[str, ...]
    after: RequestReport | None = None  # None: a dry run, or nothing was written

    @property
    def ok(self) -> bool:
        return self.after is not None and self.after.ok


@dataclass(frozen=True)
class FixReport:
    before: Report
    requests: tuple[RequestFix, ...]
    after: Report | None  # the copies checked again, unfixable findings saying why
    dry_run: bool

    @property
    def exit_code(self) -> int:
        return 0 if self.dry_run or all(r.ok for r in self.requests) else 1


def fix(settings: Settings, options: Options, progress: Progress | None = None) -> FixReport:
    surveyed = engine.survey(settings)
    found, before = surveyed.found, surveyed.report
    fixable = [
        (m, r)
        for m, r in zip(found.manifests, before.requests, strict=True)
        if m.readable and m.source != COMMAND_LINE
    ]
    folders = _folders([m for m, _ in fixable], options.out)
    ffmpeg = options.ffmpeg or _wheel_ffmpeg()
    targets: dict[Path, Written] = {}
    drafts = []
    for source, report in fixable:
        folder = folders[source.source]
        written, unfixable, paths = _plan_files(
            source, report, found.refs[source.source], surveyed.facts, folder, options, targets
        )
        payload, fields, left = manifests.rewrite(source.payload, report.findings, paths)
        drafts.append(_Draft(source, report, folder, written, payload, fields, unfixable + left))
    targets = {t: replace(w, command=_command(w, ffmpeg)) for t, w in targets.items()}
    written_manifests = [_manifest_path(d.source, d.folder, d.payload) for d in drafts]
    _check_targets(folders.values(), [*targets, *written_manifests], before.inputs)
    if not options.dry_run and targets:
        results = Execution(ffmpeg, progress).run(list(targets.values()), options.jobs)
        targets = {t: replace(w, error=results.get(t)) for t, w in targets.items()}
    requests = []
    for draft in drafts:
        done = tuple(targets[w.target] for w in draft.written)
        for w in done:
            if w.error:  # the manifest points back at the original
                draft.payload[w.plan.field] = _relative(w.plan.source, draft.folder)
        shown = None
        if not options.dry_run:
            shown = _write_manifest(draft.source, draft.folder, draft.payload)
        warnings = tuple(text for w in done for text in w.plan.warnings)
        edits, needs = tuple(draft.fields), tuple(draft.unfixable)
        requests.append(RequestFix(draft.report, shown, done, edits, needs, warnings))
    if options.dry_run or not requests:
        return FixReport(before, tuple(requests), None, options.dry_run)
    return _recheck(settings, before, requests)


class _Draft(NamedTuple):
    """A request's plan before anything is written."""

    source: Manifest
    report: RequestReport
    folder: Path
    written: list[Written]
    payload: dict[str, Any]
    fields: list[manifests.FieldFix]
    unfixable: list[Unfixable]


def _plan_files(
    source: Manifest,
    report: RequestReport,
    refs: Sequence[FileRef],
    facts: dict[Path, FileFacts],
    folder: Path,
    options: Options,
    targets: dict[Path, Written],
) -> tuple[list[Written], list[Unfixable], dict[str, str]]:
    """Each local file's plan, its new file (shared by the requests that name the same file
    the same way), and the path each file field of the new manifest holds."""
    make_type = make_type_of(source.payload.get("MakeType"))
    written: list[Written] = []
    unfixable: list[Unfixable] = []
    paths: dict[str, str] = {}
    for ref in refs:
        own = [f for f in report.findings if f.path == ref.shown and f.field == ref.field]
        probed = facts.get(ref.path)
        shown = replace(probed, path=ref.shown) if probed else FileFacts(ref.shown, "other")
        plan, cannot = plan_file(ref.field, make_type, shown, ref.path, own, options.fit)
        unfixable += cannot
        if ref.template is not None:
            continue  # the field names an upload URL: it stays as written
        if plan is None:
            paths[ref.field] = _relative(ref.path, folder)
            continue
        target = _free(folder / plan.name, plan, targets)
        new = targets.setdefault(target, Written(plan, target, _shown(target)))
        written.append(new)
        paths[ref.field] = target.name
    return written, unfixable, paths


def _free(target: Path, plan: FilePlan, targets: dict[Path, Written]) -> Path:
    """`target`, or `name-2.ext`… when another file's copy has that name."""
    candidate, number = target, 2
    while candidate in targets and targets[candidate].plan != plan:
        candidate = target.with_name(f"{target.stem}-{number}{target.suffix}")
        number += 1
    return candidate


def _folders(sources: Sequence[Manifest], out: Path | None) -> dict[str, Path]:
    """Each manifest's output folder (absolute)."""
    if out is None:
        return {m.source: m.folder / DEFAULT_FOLDER for m in sources}
    if not sources:
        return {}
    base = os.path.commonpath([os.path.abspath(m.folder) for m in sources])
    root = Path(os.path.abspath(out))
    return {m.source: root / os.path.relpath(os.path.abspath(m.folder), base) for m in sources}


def _manifest_path(source: Manifest, folder: Path, payload: dict[str, Any]) -> Path:
    extension, _ = manifests.text(payload, source.source.endswith(".toml"), source.source)
    name = os.path.basename(source.source)
    return folder / f"{name.rsplit('.', 1)[0]}.{extension}"


def _write_manifest(source: Manifest, folder: Path, payload: dict[str, Any]) -> str:
    path = _manifest_path(source, folder, payload)
    _, text = manifests.text(payload, source.source.endswith(".toml"), source.source)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a path through a folder whose name is not UTF-8
            raise outputs.TargetError(
                f"{printable(str(path))}: a path it must name is not UTF-8; give an --out "
                "folder beside the manifests"
            ) from None
    folder.mkdir(parents=True, exist_ok=True)
    outputs.write_text(path, text, outputs.public_mode())
    return _shown(path)


def _check_targets(folders: Iterable[Path], files: Iterable[Path], read: Iterable[Path]) -> None:
    """Before anything is written: no folder through a symlink out of a work tree, no file
    onto one the run read (outputs.TargetError, naming it)."""
    inputs = outputs.identities(read)
    for folder in set(folders):
        outputs.check_folder(folder)
    for file in files:
        outputs.check_not_input(file, inputs)


def _command(written: Written, ffmpeg: str) -> tuple[str, ...]:
    plan = written.plan
    if plan.encode is None:
        return ()
    return tuple(plan.encode.command(ffmpeg, plan.shown, written.shown))


def _recheck(settings: Settings, before: Report, requests: list[RequestFix]) -> FixReport:
    """The new manifests checked as `check` would, each finding that preflight could not fix
    saying why."""
    written = [r.manifest for r in requests if r.manifest is not None]
    again = replace(settings, paths=tuple(Path(p) for p in written), fields=None, cache=False)
    after = engine.run(again)
    by_source = {r.source: r for r in after.requests}
    fixed = []
    for request in requests:
        checked = by_source.get(request.manifest or "")
        if checked is not None:
            checked = _annotated(checked, request)
        fixed.append(replace(request, after=checked))
    annotated = replace(after, requests=tuple(r.after for r in fixed if r.after is not None))
    return FixReport(before, tuple(fixed), annotated, False)


def _annotated(report: RequestReport, request: RequestFix) -> RequestReport:
    """Each finding left after the fix says why preflight did not fix it."""
    reasons = {(u.rule, u.field): u.reason for u in request.unfixable}
    failed = {w.plan.field: w.error for w in request.files if w.error}
    findings = []
    for finding in report.findings:
        if finding.rule == UNTRACKED.id:  # a copy just made is new to git by nature
            continue
        reason = reasons.get((finding.rule, finding.field))
        if reason is None and finding.field in failed:
            reason = _("the copy could not be made: {error}").format(error=failed[finding.field])
        note = (
            _("not fixed: {reason}").format(reason=reason)
            if reason
            else _("still failing after the fix")
        )
        message = _("{message} ({note})").format(message=finding.message, note=note)
        findings.append(replace(finding, message=message))
    return replace(report, findings=tuple(findings))


def _relative(path: Path, folder: Path) -> str:
    """`path` as a manifest in `folder` names it: relative, with forward slashes (absolute
    when no relative path leads there: another Windows drive)."""
    try:
        return os.path.relpath(path, folder).replace(os.sep, "/")
    except ValueError:
        return str(path)


def _shown(path: Path) -> str:
    """A path written, as the report shows it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another Windows drive
        return str(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _wheel_ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())
