"""Text for people: one block per request, a PASS/FAIL line, actual vs limit, a summary."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from preflight.fields import MAKE
from preflight.i18n import N_, _, counted
from preflight.limits import human_bytes
from preflight.report import (
    JSON,
    TOOL_FOLDERS,
    Configured,
    Finding,
    Inspection,
    Report,
    RequestReport,
    Searched,
)
from preflight.reporters.safe import neutralised
from preflight.reporters.style import ljust, style


class _Paint(Protocol):
    def __call__(self, text: str, fg: str, bold: bool = False) -> str: ...


_SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}
_INDENT = " " * 12


def render(report: Report, color: bool = False, quiet: bool = False) -> str:
    """`quiet`: only what fails (requests and files, and their failing findings), then the
    configuration used and the summary line; a passing request is one line in any case."""

    def paint(text: str, fg: str, bold: bool = False) -> str:
        return style(text, fg=fg, bold=bold) if color else text

    report = neutralised(report)  # names from other people's files start no line of theirs
    lines: list[str] = []
    for request in report.requests:
        if not (quiet and request.ok):
            lines += _request(request, paint, quiet)
    for inspection in report.files:
        if not (quiet and inspection.ok):
            lines += _inspection(inspection, paint, quiet)
    for skipped in () if quiet else report.skipped:
        skip = paint(_("SKIP"), "bright_black", bold=True)
        lines.append(f"{skip} {skipped.path}  ({skipped.reason})")
    if report.skipped and not quiet:
        lines.append("")
    for configured in report.configuration:
        label = paint(_("CONFIG"), "bright_black", bold=True)
        said = _("; ").join(changes(configured))
        lines.append(f"{label} {configured.path}: {said}")
    if report.configuration:
        lines.append("")
    if report.searched.any and not quiet:
        skip = paint(_("SKIP"), "bright_black", bold=True)
        lines += [f"{skip} {not_searched(report.searched)}", ""]
    lines.append(summary(report, paint))
    return "\n".join(lines) + "\n"


def changes(configured: Configured) -> list[str]:
    """What a configuration file changes, as a reviewer reads it: rules off, levels, paths
    ignored, globs excluded, run-wide values."""
    by_level: dict[str, list[str]] = {}
    for rule_id, level in configured.rules.items():
        by_level.setdefault(level, []).append(rule_id)
    said = []
    if "off" in by_level:
        said.append(_("turns off {rules}").format(rules=", ".join(by_level.pop("off"))))
    said += [
        _("sets {rules} to {level}").format(rules=", ".join(ids), level=level)
        for level, ids in by_level.items()
    ]
    said += [
        _("ignores {rules} on {glob}").format(rules=", ".join(rule_ids), glob=glob)
        for glob, rule_ids in configured.per_path_ignores.items()
    ]
    if configured.exclude:
        said.append(_("excludes {globs}").format(globs=", ".join(configured.exclude)))
    said += [
        _("sets {key} = {value}").format(key=key, value=json.dumps(value))
        for key, value in configured.settings.items()
    ]
    return said or [_("changes nothing")]


def _verdict(ok: bool, paint: _Paint) -> str:
    return paint(_("PASS"), "green", bold=True) if ok else paint(_("FAIL"), "red", bold=True)


def _request(request: RequestReport, paint: _Paint, quiet: bool) -> list[str]:
    about = request_about(request)
    lines = [
        f"{_verdict(request.ok, paint)} {paint(request.source, 'white', bold=True)}"
        + (f"  ({about})" if about else "")
    ]
    return lines + _block(request.findings, request.source, paint, quiet, request.strict)


def _block(
    findings: Sequence[Finding], source: str | None, paint: _Paint, quiet: bool, strict: bool
) -> list[str]:
    """The findings under a request's or file's line (`quiet`: those that fail), and a blank
    line after them; nothing when there are none (600 passing requests are 600 lines)."""
    shown = [f for f in findings if f.fails(strict)] if quiet else list(findings)
    return [*_findings(shown, source, paint), ""] if shown else []


def request_about(request: RequestReport) -> str:
    """`IMAGE_GENERAL · Lin`: what a request is, by its make type and name; a request for
    another API than the customization (a zero-shot audio inspection), by its endpoint."""
    if request.endpoint != MAKE.path:
        return request.endpoint
    payload = request.request["Payload"]
    return " · ".join(
        str(payload[k]) for k in ("MakeType", "AnchorName") if isinstance(payload.get(k), str)
    )


def inspection_about(inspection: Inspection) -> str:
    """What a file checked on its own is: the make types that accept it, or none."""
    accepted = [v.use for v in inspection.verdicts if v.ok]
    if accepted:
        return _("no manifest references it; accepted as {uses}").format(uses=", ".join(accepted))
    return _("no manifest references it; no make type accepts it")


def _inspection(inspection: Inspection, paint: _Paint, quiet: bool) -> list[str]:
    about = inspection_about(inspection)
    lines = [
        f"{_verdict(inspection.ok, paint)} {paint(inspection.path, 'white', bold=True)}  ({about})"
    ]
    strict = inspection.closest.strict if inspection.closest else False
    return lines + _block(inspection.findings, None, paint, quiet, strict)


def _findings(findings: Iterable[Finding], source: str | None, paint: _Paint) -> list[str]:
    lines = []
    for finding in findings:
        severity = paint(
            ljust(_(SEVERITY_NAMES[finding.severity]), 8), _SEVERITY_COLORS[finding.severity]
        )
        where = place(finding, source)
        lines.append(f"  {severity}  {paint(finding.rule, 'cyan')}  {where}".rstrip())
        lines.append(f"{_INDENT}{finding.message}")
        measured = measured_text(finding.actual, finding.limit)
        if measured:
            lines.append(f"{_INDENT}{paint(measured, 'bright_black')}")
        if finding.hint:
            fix = paint(_("fix:"), "green")
            lines.append(f"{_INDENT}{fix} {finding.hint}")
    return lines


def place(finding: Finding, source: str | None) -> str:
    """Where a finding is, beside its rule: `[field] path manifest:line:column`, each part
    that it has (its path when another than the request's manifest)."""
    return " ".join(
        part
        for part in (
            f"[{finding.field}]" if finding.field else "",
            finding.path if finding.path and finding.path != source else "",
            position(finding, source),
        )
        if part
    )


def position(finding: Finding, source: str | None) -> str:
    """`manifest:line:column`, as editors and terminals open it, where the finding has one."""
    if finding.line is None or source is None:
        return ""
    return f"{source}:{finding.line}:{finding.column}"


_BYTE_UNITS = re.compile(r"\d\s*(?:KB|MB|GB)\b")


def measured_text(actual: JSON, limit: str | None) -> str:
    """`actual … · limit …`, the actual value in the limit's terms: a byte count next to a
    limit in MB or GB as MB or GB (JSON keeps the bytes), a range of two as `low–high`."""
    parts = []
    if isinstance(actual, int) and not isinstance(actual, bool) and _BYTE_UNITS.search(limit or ""):
        actual = human_bytes(actual)
    elif (
        isinstance(actual, list)
        and len(actual) == 2
        and all(isinstance(v, int | float) for v in actual)
    ):
        actual = "–".join(f"{v:g}" for v in actual)
    if actual is not None and actual != "":
        parts.append(_("actual {value}").format(value=actual))
    if limit:
        parts.append(_("limit {limit}").format(limit=limit))
    return " · ".join(parts)


def not_searched(searched: Searched) -> str:
    """What the search passed over, in one line: a reviewer sees what was not checked."""
    parts = []
    if searched.hidden:
        parts.append(counted(searched.hidden, "{n} hidden folder", "{n} hidden folders"))
    if searched.tools:
        tools = counted(searched.tools, "{n} tool folder", "{n} tool folders")
        parts.append(f"{tools} ({', '.join(TOOL_FOLDERS)})")
    if searched.symlinked:
        parts.append(counted(searched.symlinked, "{n} symlinked folder", "{n} symlinked folders"))
    folders = _(", ").join(parts)
    if folders:
        folders = _("{folders} not searched (give a folder's path to search it)").format(
            folders=folders
        )
    excluded = ""
    if searched.excluded:
        excluded = counted(
            searched.excluded,
            "{n} path excluded by the configuration",
            "{n} paths excluded by the configuration",
        )
    return _("; ").join(part for part in (folders, excluded) if part)


def summary(report: Report, paint: _Paint) -> str:
    """One line: how many requests and files were checked, passed and failed, and findings."""
    if not report.requests and not report.files:
        nothing = _("Nothing to check: no manifests or media files were found.")
        if report.skipped:
            skipped = counted(len(report.skipped), "{n} path skipped", "{n} paths skipped")
            nothing += f" ({skipped})"
        return nothing
    parts = []
    if report.requests:
        failed = sum(not r.ok for r in report.requests)
        checked = counted(
            len(report.requests),
            "{n} request checked: {passed} passed, {failed} failed",
            "{n} requests checked: {passed} passed, {failed} failed",
        )
        parts.append(checked.format(passed=len(report.requests) - failed, failed=failed))
    if report.files:
        failed = sum(not f.ok for f in report.files)
        checked = counted(
            len(report.files),
            "{n} file checked on its own: {passed} passed, {failed} failed",
            "{n} files checked on their own: {passed} passed, {failed} failed",
        )
        parts.append(checked.format(passed=len(report.files) - failed, failed=failed))
    counts = report.counts
    errors = counted(counts["error"], "{n} error", "{n} errors")
    warnings = counted(counts["warning"], "{n} warning", "{n} warnings")
    parts.append(_("{errors}, {warnings}").format(errors=errors, warnings=warnings))
    line = " · ".join(parts)
    return paint(line, "green" if report.ok else "red", bold=True)


# Severity names as the text report shows them (the JSON keeps the English `severity`).
SEVERITY_NAMES = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}
