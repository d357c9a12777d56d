"""What `preflight fix` did, per request: before → after, the files written and how, the fields
corrected, and what still needs a person, with the reason.

`text` and `json` have their own shape; every other format is the re-check's report in that
format, in which each finding left says why it was not fixed (so does a dry run's, on the
findings as they are)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import replace

from preflight import __version__
from preflight.fix.run import FixReport, RequestFix
from preflight.i18n import _, counted
from preflight.names import printable
from preflight.report import JSON, Report, RequestReport
from preflight.reporters import text
from preflight.reporters.formats import REPORTERS
from preflight.reporters.json_report import dumps

SCHEMA = "preflight-fix/1"


def render(report: FixReport, name: str, color: bool) -> str:
    if name == "json":
        return dumps(to_dict(report))
    if name == "text":
        return _text(report, color)
    shown = report.after if report.after is not None else _planned(report)
    return REPORTERS[name](shown, color)


def _planned(report: FixReport) -> Report:
    """A dry run's report: the findings as they are, each unfixable one saying why."""
    requests = []
    for fix in report.requests:
        reasons = {(u.rule, u.field): u.reason for u in fix.unfixable}
        findings = tuple(
            replace(f, message=_not_fixable(f.message, reasons[f.rule, f.field]))
            if (f.rule, f.field) in reasons
            else f
            for f in fix.before.findings
        )
        requests.append(replace(fix.before, findings=findings))
    return replace(report.before, requests=tuple(requests))


def to_dict(report: FixReport) -> dict[str, JSON]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "preflight", "version": __version__},
        "ok": report.exit_code == 0,
        "dry_run": report.dry_run,
        "requests": [_request_dict(r) for r in report.requests],
    }


def _request_dict(fix: RequestFix) -> dict[str, JSON]:
    return {
        "source": fix.before.source,
        "manifest": fix.manifest,
        "ok": fix.ok,
        "before": {"ok": fix.before.ok, "counts": _counts(fix.before)},
        "after": None
        if fix.after is None
        else {"ok": fix.after.ok, "counts": _counts(fix.after), **fix.after.to_dict()},
        "files": [
            {
                "field": w.plan.field,
                "source": w.plan.shown,
                "target": w.shown,
                "how": w.plan.how,
                "fixes": list(w.plan.fixes),
                "command": list(w.command) or None,
                "warnings": list(w.plan.warnings),
                "error": w.error,
            }
            for w in fix.files
        ],
        "fields": [dict(vars(f)) for f in fix.fields],
        "unfixable": [dict(vars(u)) for u in fix.unfixable],
    }


def _counts(request: RequestReport) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in request.findings:
        counts[finding.severity] += 1
    return counts


def _not_fixable(message: str, reason: str) -> str:
    return _("{message} (not fixable: {reason})").format(message=message, reason=reason)


def _text(report: FixReport, color: bool) -> str:
    paint = _painter(color)
    lines: list[str] = []
    for fix in report.requests:
        lines += _request_text(fix, report.dry_run, paint)
    if report.after is not None:
        lines += ["== " + _("after the fix, checked again"), ""]
        lines.append(text.render(report.after, color).rstrip("\n"))
    else:
        count = len(report.requests)
        if report.dry_run:
            said = counted(count, "{n} request would be fixed", "{n} requests would be fixed")
        else:
            said = counted(count, "{n} request fixed", "{n} requests fixed")
        lines.append(said)
    return "\n".join(lines) + "\n"


def _request_text(fix: RequestFix, dry_run: bool, paint: Callable[[str, str], str]) -> list[str]:
    """Every name and value in it comes from other people's files: escaped (names.printable)."""
    before = _counts(fix.before)["error"]
    head = _("FIX") + " " + fix.before.source
    if fix.manifest is not None:
        head += f" → {fix.manifest}"
    verdict = ""
    if fix.after is not None:
        after = _counts(fix.after)["error"]
        errors = _("{before} errors → {after}").format(before=before, after=after)
        head += f"  ({errors}: "
        verdict = (paint(_("PASS"), "green") if fix.after.ok else paint(_("FAIL"), "red")) + ")"
    lines = []
    for written in fix.files:
        if dry_run:
            said = _("would write {target} from {source} ({how}): {fixes}")
        elif written.error:
            said = _("could not write {target} from {source} ({how}): {fixes}")
        else:
            said = _("wrote {target} from {source} ({how}): {fixes}")
        fixes = ", ".join(written.plan.fixes)
        lines.append(
            "  "
            + said.format(
                target=written.shown, source=written.plan.shown, how=written.plan.how, fixes=fixes
            )
        )
        if written.command:
            lines.append(f"      {shlex.join(written.command)}")
        if written.error:
            lines.append(f"      {written.error}")
    lines += [f"  {field.field}: {field.change} ({field.rule})" for field in fix.fields]
    lines += ["  " + _("note: {warning}").format(warning=warning) for warning in fix.warnings]
    if fix.unfixable:
        lines.append("  " + _("needs a person:"))
    for item in fix.unfixable:
        where = f" [{item.field}]" if item.field else ""
        lines.append(f"    {item.rule}{where}: {item.reason}")
    return [printable(head) + verdict, *(printable(line) for line in lines), ""]


def _painter(color: bool) -> Callable[[str, str], str]:
    from preflight.reporters.style import style

    def paint(value: str, fg: str) -> str:
        return style(value, fg=fg, bold=True) if color else value

    return paint
