"""The Rule record: a named tuple, so that the catalogue loads without the dataclass machinery
that the report and the facts need (`preflight rules` runs in editors and hooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from preflight.report import JSON, Finding, Severity


class Rule(NamedTuple):
    id: str
    severity: Severity  # the default; configuration may change it
    summary: str  # when it fires, in one line (English: shown through preflight.i18n's `_`)
    limit: str  # the documented limit, in words ("" for rules without a number); English too
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
        from preflight.i18n import _
        from preflight.report import Finding  # loaded by then: findings come from facts

        return Finding(
            rule=self.id,
            severity=self.severity,
            message=message,
            field=field,
            path=path,
            actual=actual,
            limit=_(self.limit) if limit is None and self.limit else limit,
            hint=hint,
        )
