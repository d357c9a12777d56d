"""Every role a local file plays in a request, one record each (SPEC §2): the field that holds
it, the kind of content the probe must find, the upload folder, the rule family that judges
it, the rule a Git LFS pointer's recorded size is judged by, and the make types that take it.

Adding a kind of material is one record here and its family module under preflight.rules.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from preflight.i18n import N_
from preflight.limits import MAKE_TYPES, MakeType
from preflight.probe.facts import Kind
from preflight.rule import Rule
from preflight.rules import driver, face, frames, identity, photo, speech, video, voice, zeroshot
from preflight.rules.base import Analysis, Family


class Material(NamedTuple):
    name: str  # as messages name it, "video" (English: shown with preflight.i18n's `_`)
    field: str
    kind: Kind
    folder: str  # under the upload PathPrefix
    family: Family
    size_rule: Rule | None  # what a Git LFS pointer's recorded size is judged by
    make_types: frozenset[str]  # none: the material of another endpoint's request
    analyses: tuple[Analysis, ...] = ()  # the families judging its content, once analysed


_VIDEO_TYPES = frozenset({"IMAGE", "IMAGE_GENERAL", "IMAGE_4K"})
_IDENTITY_TYPES = frozenset(m.name for m in MAKE_TYPES.values() if m.identity_required)

MATERIALS = (
    Material(
        N_("video"),
        "MaterialCosUrl",
        "video",
        "video",
        video,
        video.SIZE,
        _VIDEO_TYPES,
        (face, frames, speech.AVATAR_TRACK),
    ),
    Material(
        N_("zip"),
        "MaterialCosUrl",
        "archive",
        "audio",
        voice,
        voice.TOTAL_SIZE,
        frozenset({"VOICE"}),
        (speech.VOICE_CLONE,),
    ),
    Material(
        N_("photo"),
        "MaterialCosUrl",
        "image",
        "photo",
        photo,
        photo.SIZE,
        frozenset({"IMAGE_PHOTO"}),
        (face,),
    ),
    Material(
        N_("authorization video"),
        "IdentityCosUrl",
        "video",
        "idcard",
        identity,
        None,
        _IDENTITY_TYPES,
        (face,),
    ),
    Material(
        N_("authorization letter"),
        "IdentityWrittenCosUrl",
        "document",
        "idcard",
        identity,
        None,
        _IDENTITY_TYPES,
    ),
    Material(
        N_("driver audio"),
        "VoiceDriverCosFile",
        "audio",
        "audio",
        driver,
        driver.SIZE,
        frozenset(MAKE_TYPES),
        (speech.DRIVER,),
    ),
    # The zero-shot audio inspection's own (preflight.fields.ZERO_SHOT), no make type's.
    Material(
        N_("zero-shot reference audio"),
        "AudioUrl",
        "audio",
        "zeroshot",
        zeroshot,
        zeroshot.SIZE,
        frozenset(),
        (speech.ZERO_SHOT,),
    ),
)


@functools.cache  # asked for each field of each request: the table is fixed
def material_for(field: str, make_type: MakeType | None) -> Material | None:
    """The role of a file field under a make type; with the make type unknown, the field's
    role when it has only one (MaterialCosUrl has one per make type)."""
    roles = [
        m
        for m in MATERIALS
        if m.field == field and (make_type is None or make_type.name in m.make_types)
    ]
    return roles[0] if len(roles) == 1 else None


@functools.cache
def applies(field: str, make_type: MakeType) -> bool:
    """Whether the make type uses the field (a field that does not apply is left out)."""
    if any(m.field == field for m in MATERIALS):
        return material_for(field, make_type) is not None
    if field == "IsHaveBackground":
        return make_type.is_image
    if field == "AudioId":
        return make_type.name == "ZERO_SHOT_VOICE"
    return True


def upload_folder(field: str, make_type: MakeType | None) -> str | None:
    """The folder under the upload PathPrefix where the field's file belongs."""
    material = material_for(field, make_type)
    return material.folder if material else None
