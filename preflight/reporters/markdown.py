"""`--format markdown`: a summary for any CI that shows Markdown (and, appended by the CLI,
GitHub's job summary with `--format github`): a heading with the outcome and counts, a table
of the configuration files used and what they change, of requests and files, and of findings
(every name made printable first: reporters.safe). Bounded: at most MAX_ROWS requests (failed
ones first) and MAX_ROWS findings, then how many more; GitHub's job summary (job_summary) has
every row that its 1 MiB holds."""

from __future__ import annotations

import re
from collections.abc import Callable

from preflight.fields import MAKE
from preflight.i18n import _, counted
from preflight.report import Report
from preflight.reporters.located import located
from preflight.reporters.safe import neutralised
from preflight.reporters.text import SEVERITY_NAMES, changes, summary

MAX_ROWS = 100
SUMMARY_BYTES_MAX = 1024**2  # GitHub refuses a larger step summary whole
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")  # what Markdown or HTML would act on in a cell


def job_summary(report: Report) -> str:
    """Every row, or as many as the job summary's 1 MiB holds."""
    rows = max(len(report.requests) + len(report.files), len(report.all_findings()), MAX_ROWS)
    while True:
        text = render(report, rows=rows)
        if rows <= 1 or len(text.encode("utf-8", "replace")) <= SUMMARY_BYTES_MAX:
            return text
        rows //= 2


def render(report: Report, color: bool = False, rows: int = MAX_ROWS) -> str:
    report = neutralised(report)
    outcome = "✅ " + _("preflight: passed") if report.ok else "❌ " + _("preflight: failed")
    lines = [f"### {outcome}", "", _cell(summary(report, _plain)), ""]
    lines += _configuration(report)
    lines += _checked(report, rows)
    items = located(report)
    if items:
        lines += _head(_("Severity"), _("Rule"), _("File"), _("Message"))
        for item in items[:rows]:
            finding = item.finding
            fix = "<br>" + _("fix:") + " " + _code(finding.hint) if finding.hint else ""
            cells = (
                _(SEVERITY_NAMES[finding.severity]),
                _code(finding.rule),
                _code(f"{item.path}:{item.line}:{item.column}" if item.line else item.path),
                _cell(finding.message),
            )
            lines.append("| " + " | ".join(cells) + fix + " |")
        lines += _more(
            len(items),
            rows,
            lambda n: counted(n, "… and {n} more finding.", "… and {n} more findings."),
        )
    elif report.requests or report.files:
        lines.append(_("No findings: everything passed."))
        lines.append("")
    if report.skipped:
        skipped = counted(
            len(report.skipped),
            "{n} path skipped: neither a manifest nor a media file.",
            "{n} paths skipped: neither manifests nor media files.",
        )
        lines += [skipped, ""]
    lines.append(f"<sub>preflight {_cell(report.version)}</sub>")
    return "\n".join(lines) + "\n"


def _configuration(report: Report) -> list[str]:
    """The configuration files used and what they change: a reviewer sees a pull request that
    switches rules off."""
    if not report.configuration:
        return []
    lines = _head(_("Configuration"), _("Changes"))
    for configured in report.configuration[:MAX_ROWS]:
        said = _cell(_("; ").join(changes(configured)))
        lines.append(f"| {_code(configured.path)} | {said} |")
    return lines + _more(
        len(report.configuration),
        MAX_ROWS,
        lambda n: counted(
            n, "… and {n} more configuration file.", "… and {n} more configuration files."
        ),
    )


def _checked(report: Report, shown: int) -> list[str]:
    rows = []
    for request in report.requests:
        # A customization request by its make type; another (zero-shot audio) by its API.
        made = request.endpoint == MAKE.path
        what = request.request["Payload"].get("MakeType") if made else request.endpoint
        about = _("request, {what}").format(what=what) if isinstance(what, str) else _("request")
        rows.append((request.ok, request.source, about, request.findings))
    for inspection in report.files:
        accepted = [v.use for v in inspection.verdicts if v.ok]
        if accepted:
            about = _("file on its own: accepted as {uses}").format(uses=", ".join(accepted))
        else:
            about = _("file on its own: no make type accepts it")
        rows.append((inspection.ok, inspection.path, about, inspection.findings))
    if not rows:
        return []
    rows.sort(key=lambda row: row[0])  # failed first, each group in report order
    lines = _head(_("Status"), _("Checked"), _("What"), _("Errors"), _("Warnings"), _("Info"))
    for ok, name, about, findings in rows[:shown]:
        counts = [str(sum(f.severity == s for f in findings)) for s in ("error", "warning", "info")]
        status = "✅ " + _("pass") if ok else "❌ " + _("fail")
        lines.append("| " + " | ".join([status, _code(name), _cell(about), *counts]) + " |")
    return lines + _more(
        len(rows),
        shown,
        lambda n: counted(
            n, "… and {n} more request or file.", "… and {n} more requests or files."
        ),
    )


def _head(*names: str) -> list[str]:
    """A table's header row and the line under it."""
    return ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]


def _more(total: int, shown: int, said: Callable[[int], str]) -> list[str]:
    """The rows left out, `said` in words from their number."""
    if total <= shown:
        return [""]
    return ["", said(total - shown), ""]


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
