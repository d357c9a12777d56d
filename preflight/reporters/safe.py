"""Every string of a report made safe for a terminal or a CI log before a text format renders
it (names.printable: controls escaped, workflow commands broken): names, values, messages and
fix hints come from other people's files. The JSON formats keep the values and escape them as
JSON instead (json_report.dumps)."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from preflight.names import printable
from preflight.report import JSON

_T = TypeVar("_T")
_DEPTH_MAX = 32  # a manifest's payload can nest deeper; no text format shows what is below


def neutralised(value: _T, depth: int = 0) -> _T:
    """The value (a Report, an Inspection, or any part of one) with each string in it, and in
    the dataclasses, dicts, lists and tuples it holds, made printable."""
    result: JSON = value
    if isinstance(value, str):
        result = printable(value)
    elif depth > _DEPTH_MAX:
        return value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: neutralised(getattr(value, f.name), depth + 1)
            for f in dataclasses.fields(value)
        }
        result = dataclasses.replace(value, **changes)
    elif isinstance(value, dict):
        result = {neutralised(k, depth): neutralised(v, depth + 1) for k, v in value.items()}
    elif isinstance(value, list | tuple):
        result = type(value)(neutralised(v, depth + 1) for v in value)
    return result  # type: ignore[no-any-return]
