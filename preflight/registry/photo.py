"""The photo of a Photo Avatar (MaterialCosUrl of IMAGE_PHOTO)."""

from __future__ import annotations

from preflight.limits import (
    ASPECT_TOLERANCE,
    NAME_CHARSET_TEXT,
    PHOTO_ASPECTS,
    PHOTO_FORMATS,
    PHOTO_MAX_BYTES,
    PHOTO_NAME_MIN,
    human_bytes,
)
from preflight.registry.rule import Rule

_SOURCE = "API page: MaterialCosUrl (photo) item 2"
_LABELS = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}
ASPECTS_TEXT = ", ".join(f"{w}:{h}" for w, h in PHOTO_ASPECTS)

FORMAT = Rule(
    "photo.format",
    "error",
    "the content is not JPEG, PNG or WebP",
    f"{', '.join(_LABELS[f] for f in PHOTO_FORMATS[:-1])} or {_LABELS[PHOTO_FORMATS[-1]]}",
    _SOURCE,
)
SIZE = Rule(
    "photo.size",
    "error",
    f"larger than {human_bytes(PHOTO_MAX_BYTES)}",
    f"≤ {human_bytes(PHOTO_MAX_BYTES)}",
    _SOURCE,
)
ASPECT = Rule(
    "photo.aspect",
    "error",
    f"displayed aspect (after EXIF orientation) not {ASPECTS_TEXT}",
    f"{ASPECTS_TEXT} (±{ASPECT_TOLERANCE * 100:g} %)",
    _SOURCE,
)
NAME = Rule(
    "photo.name",
    "error",
    f"file name stem shorter than {PHOTO_NAME_MIN} characters or outside the name charset",
    f"≥ {PHOTO_NAME_MIN} characters; {NAME_CHARSET_TEXT}",
    _SOURCE,
)
ANIMATED = Rule(
    "photo.animated", "warning", "more than one frame (an animation)", "one frame", "SPEC §4"
)
RULES = (FORMAT, SIZE, ASPECT, NAME, ANIMATED)
