"""`--format json`: the preflight-report/1 schema of SPEC §6."""

from __future__ import annotations

import json

from preflight.report import Report


def render(report: Report, color: bool = False) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
