"""Rule families: pure functions from probed facts and request fields to findings.

A rule never opens a file. Each family module declares its rules (ID, default severity, when it
fires, the limit and its source) beside the checks that produce them, and lists them in its
`RULES`. This module is the one explicit table of every rule, in catalogue order; the README
table, `preflight rules` (through the generated `preflight.catalogue`) and the SARIF rule list
are rendered from it.
"""

from __future__ import annotations

from preflight.rule import Rule
from preflight.rules import (
    driver,
    face,
    file,
    frames,
    identity,
    photo,
    request,
    speech,
    video,
    voice,
    zeroshot,
)

FAMILIES = (request, file, video, voice, photo, driver, identity, zeroshot, face, frames, speech)
RULES: dict[str, Rule] = {rule.id: rule for family in FAMILIES for rule in family.RULES}


def get(rule_id: str) -> Rule:
    """The rule of this ID; an unknown ID is a programming error, raised at once."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise ValueError(f"no rule {rule_id!r}") from None
