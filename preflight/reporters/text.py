"""Text for people: one block per request, a PASS/FAIL line, actual vs limit, a summary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from preflight.report import JSON, Finding, Inspection, Report, RequestReport
from preflight.reporters.style import style


class _Paint(Protocol):
    def __call__(self, text: str, fg: str, bold: bool = False) -> str: ...


_SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}
_INDENT = " " * 12


def render(report: Report, color: bool = False) -> str:
    def paint(text: str, fg: str, bold: bool = False) -> str:
        return style(text, fg=fg, bold=bold) if color else text

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
    lines.append(summary(report, paint))
    return "\n".join(_CONTROL.sub(_escaped, line) for line in lines) + "\n"


# Control characters in names from other people's files (a newline, an escape sequence) would
# start lines of their choosing in a CI log; only our own colour codes stay.
_CONTROL = re.compile(r"\x1b\[[0-9;]*m|[\x00-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    text = match[0]
    return text if len(text) > 1 else ascii(text)[1:-1]


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
