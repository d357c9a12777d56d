"""`--format json`: the preflight-report/1 schema of SPEC §6."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.report import JSON, Report


def dumps(value: JSON) -> str:
    """JSON for people and machines alike: indented, non-ASCII names kept as they are."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def render(report: Report, color: bool = False) -> str:
    return dumps(report.to_dict())
