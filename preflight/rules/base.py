"""The file a rule looks at: one local file as one field of one request uses it."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.limits import MakeType
from preflight.probe.facts import FileFacts
from preflight.registry.rule import Rule
from preflight.report import JSON, Finding


@dataclass(frozen=True)
class Subject:
    """One local file as one field of one request uses it."""

    field: str
    make_type: MakeType | None
    file: FileFacts
    outside_root: str | None = None  # the work tree the path escapes, when it does

    def finding(
        self,
        rule: Rule,
        message: str,
        *,
        actual: JSON = None,
        limit: str | None = None,
        hint: str | None = None,
    ) -> Finding:
        return rule.finding(
            message, field=self.field, path=self.file.path, actual=actual, limit=limit, hint=hint
        )
