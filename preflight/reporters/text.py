"""Text for people: one block per request, a PASS/FAIL line, actual vs limit, a summary."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol

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
from preflight.reporters.style import style


class _Paint(Protocol):
    def __call__(self, text: str, fg: str, bold: bool = False) -> str: ...


_SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}
_INDENT = " " * 12


def render(report: Report, color: bool = False) -> str:
    def paint(text: str, fg: str, bold: bool = False) -> str:
        return style(text, fg=fg, bold=bold) if color else text

    report = neutralised(report)  # names from other people's files start no line of theirs
    lines: list[str] = []
    for request in report.requests:
        lines += _request(request, paint)
    for inspection in report.files:
        lines += _inspection(inspection, paint)
    for skipped in report.skipped:
        lines.append(
            f"{paint('SKIP', 'bright_black', bold=True)} {skipped.path}  ({skipped.reason})"
        )
    if report.skipped:
        lines.append("")
    for configured in report.configuration:
        label = paint("CONFIG", "bright_black", bold=True)
        lines.append(f"{label} {configured.path}: {'; '.join(changes(configured))}")
    if report.configuration:
        lines.append("")
    if report.searched.any:
        lines += [f"{paint('SKIP', 'bright_black', bold=True)} {not_searched(report.searched)}", ""]
    lines.append(summary(report, paint))
    return "\n".join(lines) + "\n"


def changes(configured: Configured) -> list[str]:
    """What a configuration file changes, as a reviewer reads it: rules off, levels, paths
    ignored, globs excluded, run-wide values."""
    by_level: dict[str, list[str]] = {}
    for rule_id, level in configured.rules.items():
        by_level.setdefault(level, []).append(rule_id)
    said = [f"turns off {', '.join(by_level.pop('off'))}"] if "off" in by_level else []
    said += [f"sets {', '.join(ids)} to {level}" for level, ids in by_level.items()]
    said += [
        f"ignores {', '.join(rule_ids)} on {glob}"
        for glob, rule_ids in configured.per_path_ignores.items()
    ]
    if configured.exclude:
        said.append(f"excludes {', '.join(configured.exclude)}")
    said += [f"sets {key} = {json.dumps(value)}" for key, value in configured.settings.items()]
    return said or ["changes nothing"]


def _verdict(ok: bool, paint: _Paint) -> str:
    return paint("PASS", "green", bold=True) if ok else paint("FAIL", "red", bold=True)


def _request(request: RequestReport, paint: _Paint) -> list[str]:
    payload = request.request["Payload"]
    about = " · ".join(
        str(payload[k]) for k in ("MakeType", "AnchorName") if isinstance(payload.get(k), str)
    )
    lines = [
        f"{_verdict(request.ok, paint)} {paint(request.source, 'white', bold=True)}"
        + (f"  ({about})" if about else "")
    ]
    lines += _findings(request.findings, request.source, paint)
    lines.append("")
    return lines


def _inspection(inspection: Inspection, paint: _Paint) -> list[str]:
    accepted = [v.use for v in inspection.verdicts if v.ok]
    about = f"accepted as {', '.join(accepted)}" if accepted else "no make type accepts it"
    lines = [
        f"{_verdict(inspection.ok, paint)} {paint(inspection.path, 'white', bold=True)}"
        f"  (no manifest references it; {about})"
    ]
    lines += _findings(inspection.findings, None, paint)
    lines.append("")
    return lines


def _findings(findings: Iterable[Finding], source: str | None, paint: _Paint) -> list[str]:
    lines = []
    for finding in findings:
        where = " ".join(
            part
            for part in (
                f"[{finding.field}]" if finding.field else "",
                finding.path if finding.path and finding.path != source else "",
            )
            if part
        )
        severity = paint(f"{finding.severity:<8}", _SEVERITY_COLORS[finding.severity])
        lines.append(f"  {severity}  {paint(finding.rule, 'cyan')}  {where}".rstrip())
        lines.append(f"{_INDENT}{finding.message}")
        measured = _measured(finding.actual, finding.limit)
        if measured:
            lines.append(f"{_INDENT}{paint(measured, 'bright_black')}")
        if finding.hint:
            lines.append(f"{_INDENT}{paint('fix:', 'green')} {finding.hint}")
    return lines


def _measured(actual: JSON, limit: str | None) -> str:
    parts = []
    if actual is not None and actual != "":
        parts.append(f"actual {actual}")
    if limit:
        parts.append(f"limit {limit}")
    return " · ".join(parts)


def not_searched(searched: Searched) -> str:
    """What the search passed over, in one line: a reviewer sees what was not checked."""
    parts = []
    if searched.hidden:
        parts.append(_plural(searched.hidden, "hidden folder"))
    if searched.tools:
        parts.append(f"{_plural(searched.tools, 'tool folder')} ({', '.join(TOOL_FOLDERS)})")
    if searched.symlinked:
        parts.append(_plural(searched.symlinked, "symlinked folder"))
    folders = ", ".join(parts)
    if folders:
        folders = f"{folders} not searched (give a folder's path to search it)"
    excluded = ""
    if searched.excluded:
        excluded = f"{_plural(searched.excluded, 'path')} excluded by the configuration"
    return "; ".join(part for part in (folders, excluded) if part)


def summary(report: Report, paint: _Paint) -> str:
    """One line: how many requests and files were checked, passed and failed, and findings."""
    if not report.requests and not report.files:
        return "Nothing to check: no manifests or media files were found." + (
            f" ({_plural(len(report.skipped), 'path')} skipped)" if report.skipped else ""
        )
    parts = []
    if report.requests:
        failed = sum(not r.ok for r in report.requests)
        parts.append(
            f"{_plural(len(report.requests), 'request')} checked: "
            f"{len(report.requests) - failed} passed, {failed} failed"
        )
    if report.files:
        failed = sum(not f.ok for f in report.files)
        whose = "its" if len(report.files) == 1 else "their"
        parts.append(
            f"{_plural(len(report.files), 'file')} checked on {whose} own: "
            f"{len(report.files) - failed} passed, {failed} failed"
        )
    counts = report.counts
    parts.append(f"{_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}")
    line = " · ".join(parts)
    return paint(line, "green" if report.ok else "red", bold=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
