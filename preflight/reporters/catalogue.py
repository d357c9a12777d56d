"""The rule catalogue, rendered from the registry for `preflight rules` and the README."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from preflight.reporters.json_report import dumps

if TYPE_CHECKING:
    from preflight.registry.rule import Rule
    from preflight.report import JSON


def as_dict(rule: Rule) -> dict[str, JSON]:
    return {
        "id": rule.id,
        "severity": rule.severity,
        "limit": rule.limit,
        "summary": rule.summary,
        "source": rule.source,
    }


def table(rules: Iterable[Rule]) -> str:
    """A plain-text table for the terminal."""
    rows = [(r.id, r.severity, r.summary + (f" [{r.limit}]" if r.limit else "")) for r in rules]
    width = max(len(row[0]) for row in rows)
    lines = [f"{'id':<{width}}  {'severity':<8}  fires when [limit]"]
    lines += [f"{rid:<{width}}  {sev:<8}  {text}" for rid, sev, text in rows]
    return "\n".join(lines) + "\n"


def markdown(rules: Iterable[Rule]) -> str:
    """The README's rule table."""
    lines = ["| id | severity | fires when | limit | source |", "|---|---|---|---|---|"]
    for rule in rules:
        cells = (f"`{rule.id}`", rule.severity, rule.summary, rule.limit or "—", rule.source)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Iterable[Rule]], str]] = {
    "text": table,
    "json": lambda rules: dumps([as_dict(r) for r in rules]),
}
