"""`--format junit`: JUnit XML for the test-report views of Jenkins, GitLab and the GitHub
test-report actions.

One `<testsuite>` per request (named after its manifest, or `<command line>`) and per file
checked on its own (named after the file; its cases are the rules of the make type closest to
accepting it); one `<testcase classname="{family}" name="{suite}: {rule ID}">` per rule run
on it, in catalogue order: the name carries the request, so that no two cases of a run share
one (test-report views list cases by name). A case fails (`<failure type="{rule ID}">`, the
first message as `message`, every failing finding with its file, measured value, limit and fix
as text) when its rule has
a finding that fails the run; findings that do not (warnings without --strict, info) keep the
case passing and are shown in its `<system-out>`, which these consumers display with the
case. `errors` is always 0: a run that cannot check exits 2 without a report. No times or
timestamps: the output is the same for the same files. Every name is made printable first
(reporters.safe), which also leaves nothing that XML 1.0 cannot hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from preflight.i18n import _
from preflight.report import Finding, Report
from preflight.reporters.located import family
from preflight.reporters.safe import neutralised
from preflight.reporters.text import position

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET


def render(report: Report, color: bool = False) -> str:
    import xml.etree.ElementTree as ET

    report = neutralised(report)
    root = ET.Element("testsuites", name="preflight")
    for request in report.requests:
        _suite(root, request.source, request.checked, request.findings, request.strict)
    for inspection in report.files:
        closest = inspection.closest
        checked = closest.checked if closest else ()
        strict = closest.strict if closest else False
        _suite(root, inspection.path, checked, inspection.findings, strict)
    suites = root.findall("testsuite")
    for count in ("tests", "failures"):
        root.set(count, str(sum(int(suite.get(count, "0")) for suite in suites)))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(
    root: ET.Element,
    name: str,
    checked: Sequence[str],
    findings: Sequence[Finding],
    strict: bool,
) -> None:
    import xml.etree.ElementTree as ET

    suite = ET.SubElement(root, "testsuite", name=name)
    failures = 0
    for rule_id in _rule_ids(checked, findings):
        case = ET.SubElement(
            suite, "testcase", classname=family(rule_id), name=f"{name}: {rule_id}"
        )
        own = [f for f in findings if f.rule == rule_id]
        failing = [f for f in own if f.fails(strict)]
        if failing:
            failures += 1
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            message = failing[0].message + more
            failure = ET.SubElement(case, "failure", message=message, type=rule_id)
            failure.text = _describe(failing, name)
        passing = [f for f in own if not f.fails(strict)]
        if passing:
            ET.SubElement(case, "system-out").text = _describe(passing, name)
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")


def _rule_ids(checked: Sequence[str], findings: Iterable[Finding]) -> list[str]:
    """The rules run, and any rule with a finding that is not among them (an unreadable
    manifest's file rules), each once, in catalogue order."""
    from preflight.rules import RULES

    ids = set(checked) | {f.rule for f in findings}
    order = {rule_id: i for i, rule_id in enumerate(RULES)}
    return sorted(ids, key=lambda rule_id: (order.get(rule_id, len(order)), rule_id))


def _describe(findings: Iterable[Finding], source: str) -> str:
    """Each finding with its file, field and place in the manifest (`manifest:line:column`)."""
    blocks = []
    for finding in findings:
        field = f"[{finding.field}]" if finding.field else ""
        at = position(finding, source)  # `manifest:line:column`, for a manifest's field
        first = at if at and finding.path in (None, source) else finding.path
        where = " ".join(part for part in (first, field, "" if first == at else at) if part)
        lines = [f"{finding.severity}: " + (f"{where}: " if where else "") + finding.message]
        if finding.actual is not None and finding.actual != "":
            lines.append(f"actual: {finding.actual}")
        if finding.limit:
            lines.append(f"limit: {finding.limit}")
        if finding.hint:
            lines.append(_("fix:") + f" {finding.hint}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
