"""Configuration applied to findings, as yamllint's linter does it: rules report at their
default level; here each finding is stamped with its configured level, and those turned off or
ignored for their path are dropped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from preflight.config import Config
from preflight.report import Finding, Inspection, RequestReport
from preflight.rules import RULES


def findings(
    found: Iterable[Finding], where: dict[str, Path], config: Config
) -> tuple[Finding, ...]:
    """Each finding at its configured level; those turned off, or ignored for their path
    (`where`: a finding's path → the absolute file), dropped."""
    kept = []
    for finding in found:
        level = config.levels.get(finding.rule, finding.severity)
        path = where.get(finding.path or "")
        if level == "off" or (path is not None and config.ignores(path, finding.rule)):
            continue
        kept.append(finding if level == finding.severity else replace(finding, severity=level))
    return tuple(kept)


def enabled(rule_ids: Iterable[str], config: Config) -> tuple[str, ...]:
    """The rules among these that are not turned off, each once, in catalogue order."""
    ran = {r for r in rule_ids if r in _ORDER and config.levels.get(r) != "off"}
    return tuple(sorted(ran, key=_ORDER.__getitem__))


_ORDER = {rule_id: number for number, rule_id in enumerate(RULES)}  # the catalogue's


def request(
    found: RequestReport, where: dict[str, Path], config: Config, strict: bool
) -> RequestReport:
    return replace(
        found,
        findings=findings(found.findings, where, config),
        strict=strict,
        checked=enabled(found.checked, config),
    )


def inspection(found: Inspection, path: Path, config: Config, strict: bool) -> Inspection:
    where = {found.path: path}
    verdicts = tuple(
        replace(
            v,
            findings=findings(v.findings, where, config),
            strict=strict,
            checked=enabled(v.checked, config),
        )
        for v in found.verdicts
    )
    return replace(found, verdicts=verdicts)
