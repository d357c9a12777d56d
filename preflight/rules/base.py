"""What every rule family shares: the Rule record and the file a rule looks at."""

from __future__ import annotations

from dataclasses import dataclass

from preflight.limits import MakeType
from preflight.probe.facts import FileFacts
from preflight.report import JSON, Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity  # the default; configuration may change it
    summary: str  # when it fires, in one line
    limit: str  # the documented limit, in words ("" for rules without a number)
    source: str  # where the limit comes from

    def finding(
        self,
        message: str,
        *,
        field: str | None = None,
        path: str | None = None,
        actual: JSON = None,
        limit: str | None = None,
        hint: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            severity=self.severity,
            message=message,
            field=field,
            path=path,
            actual=actual,
            limit=self.limit if limit is None and self.limit else limit,
            hint=hint,
        )


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
