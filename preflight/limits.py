"""Every documented limit, in one place, with the units of SPEC §1.

Source: the Customization API page (`POST /v2/ivh/assetmanager/customservice/make`),
reference/customization-api.txt. The checks read these constants, and so do the rule
catalogue's limit texts.
"""

from __future__ import annotations

from typing import NamedTuple

from preflight.i18n import N_, _

MB = 1024**2
GB = 1024**3


def in_name_charset(char: str) -> bool:
    """The "Name charset": CJK ideographs, ASCII letters, digits, underscore and hyphen. (Not
    a regular expression: compiling its ranges costs every run a millisecond.)"""
    return char in _NAME_ASCII or "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


_NAME_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
NAME_CHARSET_TEXT = N_("Chinese characters, letters, digits, _ and -")  # shown with _()

ANCHOR_NAME_MIN, ANCHOR_NAME_MAX = 2, 50
NOTES_MAX = 100
TEXT_DRIVER_MIN, TEXT_DRIVER_MAX = 4, 1000

VIDEO_MAX_BYTES = 5 * GB
VIDEO_4K_MAX_BYTES = 10 * GB
VIDEO_CONTAINERS = ("mp4", "mov")
RESOLUTIONS_1080P = ((1920, 1080), (1080, 1920))
RESOLUTIONS_4K = ((3840, 2160), (2160, 3840))
VIDEO_ASPECTS = ((16, 9), (9, 16))
ASPECT_TOLERANCE = 0.01  # ±1 % of the target ratio
FPS_MIN, FPS_MAX = 25.0, 60.0

ZIP_MIN_WAVS, ZIP_MAX_WAVS = 1, 10
ZIP_MAX_AUDIO_BYTES = 1 * GB
WAV_MIN_SAMPLE_RATE = 24_000

PHOTO_MAX_BYTES = 16 * MB
PHOTO_FORMATS = ("jpeg", "png", "webp")
PHOTO_ASPECTS = ((1, 1), (9, 16), (16, 9), (4, 3))
PHOTO_NAME_MIN = 2

DRIVER_MAX_BYTES = 10 * MB
DRIVER_FORMATS = ("wav", "mp3", "wma", "m4a", "aac")

# The zero-shot reference audio (zeroshotservice/detectaudioquality): the English page
# 1211/62077 and the Chinese page 1240/104986, which disagree on the duration (10–30 s and
# 10–20 s, both "recommended") and on whether 16 kHz and 128 kbps themselves pass (the English
# page says "greater than", the Chinese "大于等于": we follow the Chinese, the newer).
ZEROSHOT_MIN_S, ZEROSHOT_MAX_S = 10.0, 30.0
ZEROSHOT_RECOMMENDED_MAX_S = 20.0  # the Chinese page
ZEROSHOT_MAX_BYTES = 20 * MB
ZEROSHOT_FORMATS = ("wav", "mp3", "aac", "m4a", "wma")  # and ASF: WMA in ASF, probed as "wma"
ZEROSHOT_MIN_SAMPLE_RATE = 16_000
ZEROSHOT_MIN_BIT_RATE = 128_000  # compressed formats
ZEROSHOT_NAME_MIN, ZEROSHOT_NAME_MAX = 2, 50
ZEROSHOT_LANGUAGES = ("chi", "eng", "can")  # Mandarin (the default), English, Cantonese


class MakeType(NamedTuple):
    """What one MakeType asks of its identity and video material (SPEC §2, per-type table);
    which material it takes is preflight.materials' to say."""

    name: str
    label: str
    identity_required: bool
    min_duration_s: float = 0.0
    max_duration_s: float = 0.0
    only_4k: bool = False

    @property
    def titled(self) -> str:
        """`IMAGE (Studio Avatar)`, the label in the current language."""
        return _("{name} ({label})").format(name=self.name, label=_(self.label))

    @property
    def is_image(self) -> bool:
        return self.name.startswith("IMAGE")


MAKE_TYPES: dict[str, MakeType] = {
    m.name: m
    for m in (
        MakeType("IMAGE", N_("Studio Avatar"), True, 120.0, 600.0),
        MakeType("IMAGE_GENERAL", N_("Instant Avatar"), True, 60.0, 600.0),
        MakeType("IMAGE_4K", N_("4K Studio Avatar"), True, 120.0, 600.0, only_4k=True),
        MakeType("IMAGE_PHOTO", N_("Photo Avatar"), False),
        MakeType("VOICE", N_("Voice Clone (basic)"), True),
        MakeType("ZERO_SHOT_VOICE", N_("Voice Clone (ultra)"), False),
    )
}
SEX_TYPES = ("MALE", "FEMALE")


def human_bytes(n: int) -> str:
    """A byte count the way the limits are written: 5 GB, 16 MB, 812 KB."""
    for unit, size in (("GB", GB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.2f} {unit}"
    return f"{n} bytes"
