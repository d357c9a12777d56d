"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Every rule of the catalogue is in `tool.driver.rules` (its name, summary, limit and source,
and a `helpUri` to its row in the README); each finding is a result at the line and column of
its field in a manifest, else at line 1 of its file (see preflight.reporters.located): a
relative `uri` under `%SRCROOT%` (the git work tree's root), or a
`file://` URI for an absolute path. Levels: error → error, warning → warning, info → note.
The fix is the message's second line; the field, actual value, limit and what was checked
(the manifest, or the file checked on its own) are in the result's properties; and
`partialFingerprints` holds the GitLab format's stable fingerprint, so that code scanning
tracks a finding across runs. The run's `properties.configuration` lists the configuration
files used and what they change, as the JSON report's `configuration` does.
"""

from __future__ import annotations

import os
import re

from preflight import HOMEPAGE
from preflight.report import JSON, Report
from preflight.reporters.catalogue import anchor
from preflight.reporters.json_report import dumps
from preflight.reporters.located import (
    Located,
    encoded,
    family,
    fingerprints,
    located,
    with_hint,
)
from preflight.rule import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(report: Report, color: bool = False) -> str:
    from preflight.rules import RULES

    index = {rule_id: i for i, rule_id in enumerate(RULES)}
    items = located(report)
    results = []
    for item, print_ in zip(items, fingerprints(items), strict=True):
        finding = item.finding
        properties = {
            "checked": item.source,
            "field": finding.field,
            "actual": finding.actual,
            "limit": finding.limit,
        }
        result: dict[str, JSON] = {"ruleId": finding.rule}
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        result |= {
            "level": _LEVELS[finding.severity],
            "message": {"text": with_hint(finding)},
            "locations": [{"physicalLocation": _physical(item)}],
            "partialFingerprints": {"preflightFinding/v1": print_},
            "properties": {k: v for k, v in properties.items() if v is not None},
        }
        results.append(result)
    driver = {
        "name": "preflight",
        "version": report.version,
        "informationUri": HOMEPAGE,
        "rules": [_rule(rule) for rule in RULES.values()],
    }
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"configuration": [c.to_dict() for c in report.configuration]},
            }
        ],
    }
    return dumps(sarif)


def _physical(item: Located) -> dict[str, JSON]:
    """At the field's key in a manifest; a media file as a whole is at its line 1."""
    region = {"startLine": item.line or 1}
    if item.column is not None:
        region["startColumn"] = item.column
    return {"artifactLocation": artifact_location(item.path), "region": region}


def artifact_location(path: str) -> dict[str, JSON]:
    """A URI reference for a path as Report.repo_path gives it (`/`-separated): `:` is encoded
    in a relative one (it would read as a scheme), kept in an absolute one (`C:`)."""
    from urllib.parse import quote

    if not os.path.isabs(path):
        return {"uri": quote(encoded(path), safe="/"), "uriBaseId": SRCROOT}
    prefix = "file://" if path.startswith("/") else "file:///"
    return {"uri": prefix + quote(encoded(path), safe="/:")}


def _rule(rule: Rule) -> dict[str, JSON]:
    limit = rule.limit or "no numeric limit: see the source"
    text = (
        f"Fires when: {rule.summary}.\nLimit: {limit}.\nSource: {rule.source}.\n"
        "Fix: each result's message says what was measured against the limit and, where a "
        "command fixes it (ffmpeg, a rename, a new zip), gives it on a line starting 'fix:'."
    )
    markdown = (
        f"**Fires when:** {rule.summary}.\n\n**Limit:** {limit}.\n\n**Source:** {rule.source}."
        "\n\n**Fix:** each result's message says what was measured against the limit and, "
        "where a command fixes it (ffmpeg, a rename, a new zip), gives it on a line starting "
        "`fix:`. Run `preflight rules` for the whole catalogue."
    )
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in re.split(r"[.-]", rule.id)),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} (limit: {limit}; {rule.source})"},
        "helpUri": f"{HOMEPAGE}#{anchor(rule.id)}",
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": ["preflight", family(rule.id)]},
    }
