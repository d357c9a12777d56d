"""`--format json`: the preflight-report/1 schema of SPEC §6."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.report import JSON, Report


# Left as they are by json.dumps, and read by a terminal or a CI runner as the JSON scrolls
# by: C1 controls (and DEL), invisible and direction-changing characters, line separators,
# the lone surrogates of a file name that is not UTF-8, and `##[` (a GitHub workflow command
# anywhere in a line). Only strings can hold them: escaped there, the values are the same.
_UNSAFE = re.compile(
    "[\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ud800-\udfff\ufff9-\ufffb]|##\\["
)


def dumps(value: JSON) -> str:
    """JSON for people and machines alike: indented, non-ASCII names kept as they are, and
    what a terminal or a CI log would act on escaped (the same values once parsed)."""
    return _UNSAFE.sub(_escaped, json.dumps(value, ensure_ascii=False, indent=2)) + "\n"


def _escaped(match: re.Match[str]) -> str:
    return "##\\u005b" if match[0] == "##[" else f"\\u{ord(match[0]):04x}"


def render(report: Report, color: bool = False) -> str:
    return dumps(report.to_dict())
