"""The request's own fields (SPEC §2): names, enums, lengths, applicability, URLs."""

from __future__ import annotations

from preflight.limits import (
    ANCHOR_NAME_MAX,
    ANCHOR_NAME_MIN,
    MAKE_TYPES,
    NAME_CHARSET_TEXT,
    NOTES_MAX,
    SEX_TYPES,
    TEXT_DRIVER_MAX,
    TEXT_DRIVER_MIN,
)
from preflight.registry.rule import Rule

_PAGE = "API page: request parameters"
UNKNOWN_FIELD = Rule(
    "request.unknown-field",
    "error",
    "a key that the API does not define",
    "the fields of the API page",
    _PAGE,
)
FIELD_TYPE = Rule(
    "request.field-type",
    "error",
    'wrong JSON/TOML type (e.g. "true" for IsHaveBackground)',
    "string fields are strings, IsHaveBackground a boolean",
    _PAGE,
)
MAKE_TYPE = Rule(
    "request.make-type",
    "error",
    "MakeType missing or not in the enum",
    " / ".join(MAKE_TYPES),
    "API page: MakeType",
)
SEX_TYPE = Rule(
    "request.sex-type",
    "error",
    "SexType missing or not MALE/FEMALE",
    " / ".join(SEX_TYPES),
    "API page: SexType",
)
ANCHOR_NAME = Rule(
    "request.anchor-name",
    "error",
    "AnchorName missing, length or charset",
    f"{ANCHOR_NAME_MIN}–{ANCHOR_NAME_MAX} characters: {NAME_CHARSET_TEXT}",
    "API page: AnchorName item 3",
)
ANCHOR_NAME_DUPLICATE = Rule(
    "request.anchor-name-duplicate",
    "error",
    "same AnchorName twice in one run, or listed in --known-anchors",
    "unique",
    "API page: AnchorName item 4",
)
NOTES = Rule(
    "request.notes",
    "error",
    f"Notes > {NOTES_MAX} chars",
    f"≤ {NOTES_MAX} characters",
    "API page: Notes",
)
TEXT_DRIVER = Rule(
    "request.text-driver",
    "error",
    "TextDriver length, or malformed SSML",
    f"{TEXT_DRIVER_MIN}–{TEXT_DRIVER_MAX} characters including SSML tags; well-formed SSML",
    "API page: TextDriver",
)
IDENTITY_MISSING = Rule(
    "request.identity-missing",
    "error",
    "neither identity field, for a type that requires one",
    "IdentityCosUrl or IdentityWrittenCosUrl, or both",
    "API page: IdentityCosUrl / IdentityWrittenCosUrl",
)
MATERIAL_MISSING = Rule(
    "request.material-missing",
    "error",
    "MaterialCosUrl missing, for a type that requires it",
    "required for every type but ZERO_SHOT_VOICE",
    "API page: MaterialCosUrl",
)
AUDIO_ID = Rule(
    "request.audio-id",
    "error",
    "ZERO_SHOT_VOICE without AudioId",
    "required for ZERO_SHOT_VOICE",
    "API page: AudioId",
)
NOT_APPLICABLE = Rule(
    "request.field-not-applicable",
    "warning",
    "a field that the make type does not use (left out of the emitted request)",
    "",
    "SPEC §2, per-type table",
)
COS_PATH = Rule(
    "request.cos-path",
    "error",
    "a URL that breaks the upload path convention or uses the wrong folder",
    "…/customer-pipeline/{digits}/{uuid}/{folder}/{file}",
    "API page: the COS URL of each file field",
)
RULES = (
    UNKNOWN_FIELD,
    FIELD_TYPE,
    MAKE_TYPE,
    SEX_TYPE,
    ANCHOR_NAME,
    ANCHOR_NAME_DUPLICATE,
    NOTES,
    TEXT_DRIVER,
    IDENTITY_MISSING,
    MATERIAL_MISSING,
    AUDIO_ID,
    NOT_APPLICABLE,
    COS_PATH,
)
