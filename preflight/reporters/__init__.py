"""Render one Report (or the inspections, or the catalogue); the name → reporter tables also
feed the CLI's --format choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from preflight.report import Inspection, Report
from preflight.reporters import catalogue, inspect, json_report, text
from preflight.rules.base import Rule

Reporter = Callable[[Report, bool], str]  # (report, color) → output

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
}
INSPECTION_REPORTERS: dict[str, Callable[[Sequence[Inspection], bool], str]] = {
    "text": inspect.render,
    "json": lambda inspections, color: json_report.dumps([i.to_dict() for i in inspections]),
}
CATALOGUE_REPORTERS: dict[str, Callable[[Iterable[Rule]], str]] = {
    "text": catalogue.table,
    "json": lambda rules: json_report.dumps([catalogue.as_dict(r) for r in rules]),
}
