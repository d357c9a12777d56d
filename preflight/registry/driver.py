"""The driver audio of the demo (VoiceDriverCosFile)."""

from __future__ import annotations

from preflight.limits import DRIVER_FORMATS, DRIVER_MAX_BYTES, human_bytes
from preflight.registry.rule import Rule

_SOURCE = "API page: VoiceDriverCosFile item 2"
_FORMATS_TEXT = (
    f"{', '.join(f.upper() for f in DRIVER_FORMATS[:-1])} or {DRIVER_FORMATS[-1].upper()}"
)

FORMAT = Rule(
    "driver.format", "error", f"the content is not {_FORMATS_TEXT}", _FORMATS_TEXT, _SOURCE
)
SIZE = Rule(
    "driver.size",
    "error",
    f"larger than {human_bytes(DRIVER_MAX_BYTES)}",
    f"≤ {human_bytes(DRIVER_MAX_BYTES)}",
    _SOURCE,
)
RULES = (FORMAT, SIZE)
