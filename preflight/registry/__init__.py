"""Every rule preflight knows, in catalogue order: its ID, default severity, when it fires, the
documented limit and its source. One module a family, checked by the `preflight.rules` module of
the same name; the README table, `preflight rules` and the SARIF rule list are rendered from here.
These modules load nothing but the limits, so the catalogue is quick to print."""

from __future__ import annotations

from preflight.registry import driver, file, identity, photo, request, video, voice
from preflight.registry.rule import Rule

FAMILIES = (request, file, video, voice, photo, driver, identity)
RULES: dict[str, Rule] = {rule.id: rule for family in FAMILIES for rule in family.RULES}
