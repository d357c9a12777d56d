"""Avatar video material (MaterialCosUrl of IMAGE, IMAGE_GENERAL, IMAGE_4K)."""

from __future__ import annotations

from preflight.limits import (
    ASPECT_TOLERANCE,
    FPS_MAX,
    FPS_MIN,
    MAKE_TYPES,
    RESOLUTIONS_4K,
    RESOLUTIONS_1080P,
    VIDEO_4K_MAX_BYTES,
    VIDEO_ASPECTS,
    VIDEO_CONTAINERS,
    VIDEO_MAX_BYTES,
    MakeType,
    human_bytes,
)
from preflight.registry.rule import Rule

_PAGE = "API page: MaterialCosUrl (video) item"


def sizes_text(pairs: tuple[tuple[int, int], ...]) -> str:
    texts = [f"{w}×{h}" for w, h in pairs]
    return ", ".join(texts[:-1]) + f" or {texts[-1]}" if len(texts) > 1 else texts[0]


def _ranges() -> str:
    videos = [m for m in MAKE_TYPES.values() if m.material == "video"]
    return "; ".join(f"{m.name} {duration_range(m)}" for m in videos)


def duration_range(make_type: MakeType) -> str:
    return f"{make_type.min_duration_s:g}–{make_type.max_duration_s:g} s"


CONTAINER = Rule(
    "video.container",
    "error",
    "the container, read from the content, is not MP4 or MOV",
    " or ".join(c.upper() for c in VIDEO_CONTAINERS),
    f"{_PAGE} 7",
)
SIZE = Rule(
    "video.size",
    "error",
    "larger than 5 GB, or 10 GB for a 4K video",
    f"≤ {human_bytes(VIDEO_MAX_BYTES)}; 4K video ≤ {human_bytes(VIDEO_4K_MAX_BYTES)}",
    f"{_PAGE} 2",
)
DURATION = Rule(
    "video.duration",
    "error",
    "the duration is outside the make type's range",
    _ranges(),
    f"{_PAGE} 3",
)
RESOLUTION = Rule(
    "video.resolution",
    "error",
    "the displayed size is not 1080p or 4K (IMAGE_4K: only 4K)",
    f"{sizes_text(RESOLUTIONS_1080P + RESOLUTIONS_4K)}; IMAGE_4K {sizes_text(RESOLUTIONS_4K)}",
    f"{_PAGE} 4",
)
ASPECT = Rule(
    "video.aspect",
    "error",
    "the display aspect is not 16:9 or 9:16",
    " or ".join(f"{w}:{h}" for w, h in VIDEO_ASPECTS) + f" (±{ASPECT_TOLERANCE:.0%})",
    f"{_PAGE} 5",
)
PIXEL_ASPECT = Rule(
    "video.pixel-aspect",
    "error",
    "non-square pixels (an anamorphic video)",
    f"square pixels (1:1 ±{ASPECT_TOLERANCE:.0%})",
    "SPEC §4",
)
FPS = Rule(
    "video.fps",
    "error",
    "the average frame rate is outside 25–60 fps",
    f"{FPS_MIN:g}–{FPS_MAX:g} fps",
    f"{_PAGE} 6",
)
VFR = Rule(
    "video.vfr",
    "warning",
    "variable frame rate: its minimum and maximum are reported",
    f"constant {FPS_MIN:g}–{FPS_MAX:g} fps",
    "SPEC §4",
)
NO_VIDEO_TRACK = Rule(
    "video.no-video-track", "error", "the file has no video stream at all", "", "SPEC §4"
)
RULES = (CONTAINER, SIZE, DURATION, RESOLUTION, ASPECT, PIXEL_ASPECT, FPS, VFR, NO_VIDEO_TRACK)
