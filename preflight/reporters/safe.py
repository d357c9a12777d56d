"""Every string of a report made safe for a terminal or a CI log before a text format renders
it (names.printable: controls escaped, workflow commands broken): names, values, messages and
fix hints come from other people's files. The JSON formats keep the values and escape them as
JSON instead (json_report.dumps)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Hashable
from typing import Any, TypeVar, cast

from preflight.names import printable
from preflight.report import FileReport, Finding, Report, RequestReport, Verdict

_T = TypeVar("_T")
_DEPTH_MAX = 32  # a manifest's payload can nest deeper; no text format shows what is below
# What no text format renders, and is not walked: a request's files' facts (inspect shows an
# Inspection's), the files the run read (for the write checks), and the previews (pictures,
# with names the html format escapes).
_NOT_RENDERED = frozenset({(FileReport, "facts"), (Report, "inputs"), (Report, "previews")})
# Preflight's own strings, nothing from a file, and half of what a report holds: the IDs of
# the rules run on each request and file (configure.enabled keeps only the catalogue's).
_OURS = frozenset({(RequestReport, "checked"), (Verdict, "checked")})
# Shell commands: one that names a file escaping changes would not find the file when run as
# printed, so it is left out (the JSON formats keep it as it is).
_COMMANDS = frozenset({(Finding, "hint")})
_ATOMS = frozenset({int, float, bool, type(None)})  # nothing to escape, nothing to walk


def neutralised(value: _T) -> _T:
    """The value (a Report, an Inspection, or any part of one) with each string in it, and in
    the dataclasses, dicts, lists and tuples it holds, made printable; a value with nothing to
    escape is returned as it is, uncopied."""
    return cast(_T, _walk(value, 0))


def _walk(value: Any, depth: int) -> Any:
    kind = type(value)
    if kind is str:
        return printable(value)
    if kind in _ATOMS or depth > _DEPTH_MAX:
        return value
    if kind is dict:
        pairs = [(_walk(k, depth), _walk(v, depth + 1)) for k, v in value.items()]
        old = value.items()
        if any(k is not k0 or v is not v0 for (k, v), (k0, v0) in zip(pairs, old, strict=True)):
            return dict(pairs)
    elif kind is list or kind is tuple:
        parts = [_walk(v, depth + 1) for v in value]
        if any(new is not old for new, old in zip(parts, value, strict=True)):
            return kind(parts)
    elif (names := _rendered(cast(Hashable, kind))) is not None:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = _walk(old, depth + 1)
            if new is not old:  # a command that names a file escaping changed is left out
                changes[name] = None if (kind, name) in _COMMANDS else new
        if changes:
            return dataclasses.replace(value, **changes)
    return value


@functools.cache
def _rendered(kind: Hashable) -> tuple[str, ...] | None:
    """The fields of a dataclass type that a text format may render; None for other types."""
    if not isinstance(kind, type) or not dataclasses.is_dataclass(kind):
        return None
    skipped = _NOT_RENDERED | _OURS
    return tuple(f.name for f in dataclasses.fields(kind) if (kind, f.name) not in skipped)
