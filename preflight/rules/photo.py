"""Rules for the photo of a Photo Avatar (MaterialCosUrl of IMAGE_PHOTO): format, size, aspect,
name, and whether it is a still image.

Fix hints re-encode with ffmpeg. When the photo carries an EXIF orientation, the hint turns
autorotation off and applies the orientation as filters: ffmpeg versions disagree on whether
they honour EXIF, and the new file has no EXIF, so it must be written the way it is displayed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from typing import Any

from preflight.hints import ffmpeg_command, sibling
from preflight.i18n import _
from preflight.limits import (
    ASPECT_TOLERANCE,
    NAME_CHARSET_TEXT,
    PHOTO_ASPECTS,
    PHOTO_FORMATS,
    PHOTO_MAX_BYTES,
    PHOTO_NAME_MIN,
    human_bytes,
)
from preflight.probe.facts import ImageFacts
from preflight.report import Finding
from preflight.rule import Rule
from preflight.rules.base import Subject
from preflight.rules.file import misnamed, oversized, unjudged

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
RULES: tuple[Rule, ...] = (FORMAT, SIZE, ASPECT, NAME, ANIMATED)

# The file extension a fixed photo is written with: lossless sources stay lossless.
TARGET_EXTENSION = {
    "jpeg": "jpg",
    "png": "png",
    "webp": "webp",
    "gif": "png",
    "bmp": "png",
    "tiff": "png",
}
# ffmpeg filters that turn a stored picture into the displayed one, per EXIF orientation.
UPRIGHT = {
    2: ["hflip"],
    3: ["hflip", "vflip"],
    4: ["vflip"],
    5: ["transpose=cclock_flip"],
    6: ["transpose=clock"],
    7: ["transpose=clock_flip"],
    8: ["transpose=cclock"],
}
_RATIO_TERMS_MAX = 50  # 3:4 reads well; 683:384 does not, so it is shown as 1.779:1


def check(subject: Subject) -> Iterator[Finding]:
    image = subject.file.media if isinstance(subject.file.media, ImageFacts) else None
    yield from _format(subject, image)
    yield from _size(subject, image)
    yield from _aspect(subject, image)
    yield from misnamed(subject, NAME, PHOTO_NAME_MIN, None, "photo")
    if image is not None and image.frames > 1:
        yield subject.finding(
            ANIMATED,
            _("the image is animated ({frames} frames); a photo avatar needs a still photo").format(
                frames=image.frames
            ),
            actual=image.frames,
            hint=_reencode(subject, image, "still", _extension(subject.file.format)),
        )


def _format(subject: Subject, image: ImageFacts | None) -> Iterator[Finding]:
    fmt = subject.file.format
    if fmt is None or fmt in PHOTO_FORMATS:
        return
    yield subject.finding(
        FORMAT,
        _("the content is {format}; a photo must be {formats}").format(
            format=fmt.upper(), formats=_(FORMAT.limit)
        ),
        actual=fmt,
        hint=_reencode(subject, image, "", _extension(fmt)),
    )


def check_recorded_size(subject: Subject) -> Iterator[Finding]:
    """The size rule alone, for a Git LFS pointer's recorded size."""
    yield from _size(subject, None)


def _size(subject: Subject, image: ImageFacts | None) -> Iterator[Finding]:
    hint = functools.partial(_reencode, subject, image, "smaller", "jpg", quality=3)
    yield from oversized(subject, SIZE, PHOTO_MAX_BYTES, hint)


def _aspect(subject: Subject, image: ImageFacts | None) -> Iterator[Finding]:
    width, height = (image.display_width, image.display_height) if image else (None, None)
    if image is None or not width or not height:
        fmt = (subject.file.format or "?").upper()
        why = _("the displayed size of this {format} image could not be read").format(format=fmt)
        yield unjudged(subject, ASPECT, why)
        return
    ratio = width / height
    if any(abs(ratio * h / w - 1) <= ASPECT_TOLERANCE for w, h in PHOTO_ASPECTS):
        return
    best = best_crop(width, height)
    hint = None
    if best is not None:
        (aspect_w, aspect_h), crop_w, crop_h = best
        crop = f"crop={crop_w}:{crop_h}:{(width - crop_w) // 2}:{(height - crop_h) // 2}:exact=1"
        hint = _reencode(
            subject, image, f"{aspect_w}x{aspect_h}", _extension(subject.file.format), crop
        )
    if image.orientation != 1:
        message = _(
            "aspect {ratio} ({width}×{height} as displayed, stored {stored_width}×{stored_height} "
            "with EXIF orientation {orientation}) is not one of {aspects}"
        )
    else:
        message = _("aspect {ratio} ({width}×{height} as displayed) is not one of {aspects}")
    yield subject.finding(
        ASPECT,
        message.format(
            ratio=_ratio_text(width, height),
            width=width,
            height=height,
            stored_width=image.width,
            stored_height=image.height,
            orientation=image.orientation,
            aspects=ASPECTS_TEXT,
        ),
        actual=f"{_ratio_text(width, height)} ({width}×{height})",
        hint=hint,
    )


def best_crop(width: int, height: int) -> tuple[tuple[int, int], int, int] | None:
    """The allowed aspect whose centre crop keeps the most pixels (on a tie, the one that
    keeps a portrait a portrait), with the crop's size; None when the image is too small."""
    crops = [
        ((w, h), scale * w, scale * h)
        for w, h in PHOTO_ASPECTS
        if (scale := min(width // w, height // h))
    ]
    portrait = height > width
    return max(crops, key=lambda c: (c[1] * c[2], (c[2] > c[1]) == portrait), default=None)


def _reencode(
    subject: Subject,
    image: ImageFacts | None,
    tag: str,
    extension: str,
    crop: str | None = None,
    quality: int = 2,
) -> str:
    """An ffmpeg command writing the photo upright (as displayed) beside the original."""
    source = subject.file.path
    orientation = image.orientation if image is not None else 1
    filters = [*UPRIGHT.get(orientation, []), *([crop] if crop else [])]
    options: dict[str, Any] = {"frames:v": 1}
    if filters:
        options["vf"] = ",".join(filters)
    if extension == "jpg":
        options["q:v"] = quality
    before = {"noautorotate": None} if orientation != 1 else None
    return ffmpeg_command(source, sibling(source, tag, extension), before=before, **options)


def _extension(fmt: str | None) -> str:
    return TARGET_EXTENSION.get(fmt or "", "jpg")


def _ratio_text(width: int, height: int) -> str:
    divisor = math.gcd(width, height)
    w, h = width // divisor, height // divisor
    return f"{w}:{h}" if max(w, h) <= _RATIO_TERMS_MAX else f"{width / height:.3f}:1"
