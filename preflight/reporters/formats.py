"""The name → reporter tables for reports, inspections and the catalogue; they also feed
the CLI's --format choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from importlib import import_module

from preflight.report import Inspection, Report
from preflight.reporters import catalogue, inspect, json_report, text
from preflight.rule import Rule

Reporter = Callable[[Report, bool], str]  # (report, color) → output


def _on_use(module: str) -> Reporter:
    """The CI formats' modules load when one is used, not at every start-up."""

    def render(report: Report, color: bool) -> str:
        reporter: Reporter = import_module(f"{__package__}.{module}").render
        return reporter(report, color)

    return render


REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    **{name: _on_use(name) for name in ("github", "sarif", "gitlab", "junit", "markdown", "html")},
}
INSPECTION_REPORTERS: dict[str, Callable[[Sequence[Inspection], bool], str]] = {
    "text": inspect.render,
    "json": lambda inspections, color: json_report.dumps([i.to_dict() for i in inspections]),
}
CATALOGUE_REPORTERS: dict[str, Callable[[Iterable[Rule]], str]] = catalogue.FORMATS
