"""`--format markdown`: a summary for any CI that shows Markdown (and, appended by the CLI,
GitHub's job summary with `--format github`): a heading with the outcome and counts, a table
of the configuration files used and what they change, of requests and files, and of findings
(every name made printable first: reporters.safe). Bounded, for the summary's 1 MiB: at most
MAX_ROWS requests (failed ones first) and MAX_ROWS findings, then how many more."""

from __future__ import annotations

import re

from preflight.report import Report
from preflight.reporters.located import located
from preflight.reporters.safe import neutralised
from preflight.reporters.text import changes, summary

MAX_ROWS = 100
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")  # what Markdown or HTML would act on in a cell


def render(report: Report, color: bool = False) -> str:
    report = neutralised(report)
    outcome = "✅ preflight: passed" if report.ok else "❌ preflight: failed"
    lines = [f"### {outcome}", "", _cell(summary(report, _plain)), ""]
    lines += _configuration(report)
    lines += _checked(report)
    items = located(report)
    if items:
        lines += ["| Severity | Rule | File | Message |", "|---|---|---|---|"]
        for item in items[:MAX_ROWS]:
            finding = item.finding
            fix = f"<br>fix: {_code(finding.hint)}" if finding.hint else ""
            cells = (
                finding.severity,
                _code(finding.rule),
                _code(item.path),
                _cell(finding.message),
            )
            lines.append("| " + " | ".join(cells) + fix + " |")
        lines += _more(len(items), "finding")
    elif report.requests or report.files:
        lines.append("No findings: everything passed.")
        lines.append("")
    if report.skipped:
        lines += [f"{len(report.skipped)} path(s) skipped: neither manifests nor media files.", ""]
    lines.append(f"<sub>preflight {_cell(report.version)}</sub>")
    return "\n".join(lines) + "\n"


def _configuration(report: Report) -> list[str]:
    """The configuration files used and what they change: a reviewer sees a pull request that
    switches rules off."""
    if not report.configuration:
        return []
    lines = ["| Configuration | Changes |", "|---|---|"]
    for configured in report.configuration[:MAX_ROWS]:
        lines.append(f"| {_code(configured.path)} | {_cell('; '.join(changes(configured)))} |")
    return lines + _more(len(report.configuration), "configuration file")


def _checked(report: Report) -> list[str]:
    rows = []
    for request in report.requests:
        make_type = request.request["Payload"].get("MakeType")
        about = f"request, {make_type}" if isinstance(make_type, str) else "request"
        rows.append((request.ok, request.source, about, request.findings))
    for inspection in report.files:
        accepted = [v.use for v in inspection.verdicts if v.ok]
        about = "file on its own: " + (
            f"accepted as {', '.join(accepted)}" if accepted else "no make type accepts it"
        )
        rows.append((inspection.ok, inspection.path, about, inspection.findings))
    if not rows:
        return []
    rows.sort(key=lambda row: row[0])  # failed first, each group in report order
    lines = ["| Status | Checked | What | Errors | Warnings | Info |", "|---|---|---|---|---|---|"]
    for ok, name, about, findings in rows[:MAX_ROWS]:
        counts = [str(sum(f.severity == s for f in findings)) for s in ("error", "warning", "info")]
        status = "✅ pass" if ok else "❌ fail"
        lines.append("| " + " | ".join([status, _code(name), _cell(about), *counts]) + " |")
    return lines + _more(len(rows), "request or file", "requests or files")


def _more(total: int, noun: str, plural: str = "") -> list[str]:
    if total <= MAX_ROWS:
        return [""]
    rest = total - MAX_ROWS
    return ["", f"… and {rest} more {noun if rest == 1 else plural or noun + 's'}.", ""]


def _plain(text: str, fg: str, bold: bool = False) -> str:
    return text


def _cell(text: str) -> str:
    """Plain text in a table cell: nothing in it formats, links or ends the cell."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r\n", "\n").replace("\n", "<br>")


def _code(text: str) -> str:
    """Inline code that holds any text: a fence longer than its own backtick runs, `|`
    escaped (GitHub splits table cells before it reads code spans)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    body = text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return f"{fence}{body}{fence}"
