"""`--format gitlab`: a GitLab Code Quality report (`artifacts: reports: codequality:`), the
JSON array of issues the merge-request widget shows.

Severities: error → `major` (the API rejects the request: it blocks this request, not the
project, so not `critical`/`blocker`), warning → `minor`, info → `info`, the common linter
mapping. Each issue is at the line of its field in a manifest, else at line 1 of its file
(see preflight.reporters.located), and its
fingerprint is a SHA-256 of the rule, request, file, field and message, so the widget matches
the same finding across runs; the description carries the fix after the message.
"""

from __future__ import annotations

from preflight.i18n import _
from preflight.report import JSON, Report
from preflight.reporters.json_report import dumps
from preflight.reporters.located import fingerprints, located

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(report: Report, color: bool = False) -> str:
    items = located(report)
    issues: list[JSON] = []
    for item, print_ in zip(items, fingerprints(items), strict=True):
        finding = item.finding
        issues.append(
            {
                "description": finding.message
                + (" (" + _("fix:") + f" {finding.hint})" if finding.hint else ""),
                "check_name": finding.rule,
                "fingerprint": print_,
                "severity": SEVERITIES[finding.severity],
                "location": {"path": item.path, "lines": {"begin": item.line or 1}},
            }
        )
    return dumps(issues)
