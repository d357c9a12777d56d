"""The authorization letter: a video (IdentityCosUrl) or a PDF (IdentityWrittenCosUrl)."""

from __future__ import annotations

from preflight.registry.rule import Rule
from preflight.registry.video import CONTAINER

FORMAT = Rule(
    "identity.format",
    "error",
    "IdentityCosUrl is not a readable MP4/MOV video, or IdentityWrittenCosUrl is not a PDF",
    f"IdentityCosUrl: {CONTAINER.limit} video; IdentityWrittenCosUrl: complete PDF",
    "API page: IdentityCosUrl item 1, IdentityWrittenCosUrl items 1–2",
)
RULES = (FORMAT,)
