"""Every string of a report made safe for a terminal or a CI log before a text format renders
it (names.printable: controls escaped, workflow commands broken): names, values, messages and
fix hints come from other people's files. The JSON formats keep the values and escape them as
JSON instead (json_report.dumps)."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from preflight.names import printable
from preflight.report import JSON, FileReport, Finding, Report

_T = TypeVar("_T")
_DEPTH_MAX = 32  # a manifest's payload can nest deeper; no text format shows what is below
# What no text format renders, and is not walked: a request's files' facts (inspect shows an
# Inspection's), the files the run read (for the write checks), and the previews (pictures,
# with names the html format escapes).
_NOT_RENDERED = frozenset({(FileReport, "facts"), (Report, "inputs"), (Report, "previews")})
# Shell commands: one that names a file escaping changes would not find the file when run as
# printed, so it is left out (the JSON formats keep it as it is).
_COMMANDS = frozenset({(Finding, "hint")})


def neutralised(value: _T, depth: int = 0) -> _T:
    """The value (a Report, an Inspection, or any part of one) with each string in it, and in
    the dataclasses, dicts, lists and tuples it holds, made printable; a value with nothing to
    escape is returned as it is, uncopied."""
    result: JSON = value
    if isinstance(value, str):
        result = printable(value)
    elif depth > _DEPTH_MAX:
        return value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: neutralised(getattr(value, f.name), depth + 1)
            for f in dataclasses.fields(value)
            if (type(value), f.name) not in _NOT_RENDERED
        }
        for name, new in changes.items():
            if (type(value), name) in _COMMANDS and new is not getattr(value, name):
                changes[name] = None
        if any(getattr(value, name) is not new for name, new in changes.items()):
            result = dataclasses.replace(value, **changes)
    elif isinstance(value, dict):
        pairs = [(neutralised(k, depth), neutralised(v, depth + 1)) for k, v in value.items()]
        old = value.items()
        if any(k is not k0 or v is not v0 for (k, v), (k0, v0) in zip(pairs, old, strict=True)):
            result = dict(pairs)
    elif isinstance(value, list | tuple):
        parts = [neutralised(v, depth + 1) for v in value]
        if any(new is not old for new, old in zip(parts, value, strict=True)):
            result = type(value)(parts)
    return result  # type: ignore[no-any-return]
