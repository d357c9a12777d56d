"""Render one Report; the name → reporter table also feeds the CLI's --format choices."""

from __future__ import annotations

from collections.abc import Callable

from preflight.report import Report
from preflight.reporters import json_report, text

Reporter = Callable[[Report, bool], str]  # (report, colour) → output

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
}
