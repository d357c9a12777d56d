"""Every rule preflight knows, in catalogue order: the README table, `preflight rules` and
(later) the SARIF rule list are all rendered from here."""

from __future__ import annotations

from preflight.rules import driver, file, identity, photo, request, video, voice
from preflight.rules.base import Rule

FAMILIES = (request, file, video, voice, photo, driver, identity)
RULES: dict[str, Rule] = {rule.id: rule for family in FAMILIES for rule in family.RULES}
