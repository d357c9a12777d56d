"""The request's payload fields, as the API spells them (SPEC §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from preflight.limits import MAKE_TYPES, MakeType

FileRole = Literal["material", "identity-video", "identity-letter", "driver"]


@dataclass(frozen=True)
class Field:
    name: str
    type: type  # str or bool: the JSON/TOML type the API expects
    required: bool = False
    role: FileRole | None = None  # set for fields that hold a file

    @property
    def is_file(self) -> bool:
        return self.role is not None


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("AnchorName", str, required=True),
        Field("MakeType", str, required=True),
        Field("SexType", str, required=True),
        Field("IdentityCosUrl", str, role="identity-video"),
        Field("IdentityWrittenCosUrl", str, role="identity-letter"),
        Field("MaterialCosUrl", str, role="material"),
        Field("IsHaveBackground", bool),
        Field("Notes", str),
        Field("TextDriver", str),
        Field("VoiceDriverCosFile", str, role="driver"),
        Field("AudioId", str),
    )
}
IDENTITY_FIELDS = ("IdentityCosUrl", "IdentityWrittenCosUrl")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(value: str) -> bool:
    """A file field holds an uploaded object's URL, or else a local path."""
    return _URL_SCHEME.match(value) is not None


def applies(field: str, make_type: MakeType) -> bool:
    """Whether the make type uses the field (a field that does not apply is left out)."""
    if field in IDENTITY_FIELDS:
        return make_type.identity_required
    if field == "MaterialCosUrl":
        return make_type.material is not None
    if field == "IsHaveBackground":
        return make_type.is_image
    if field == "AudioId":
        return make_type.name == "ZERO_SHOT_VOICE"
    return True


def upload_folder(field: str, make_type: MakeType | None) -> str | None:
    """The folder under the upload PathPrefix where the field's file belongs."""
    role = FIELDS[field].role
    if role in ("identity-video", "identity-letter"):
        return "idcard"
    if role == "driver":
        return "audio"
    if role == "material" and make_type is not None and make_type.material is not None:
        return {"video": "video", "zip": "audio", "photo": "photo"}[make_type.material]
    return None


def make_type_of(value: object) -> MakeType | None:
    return MAKE_TYPES.get(value) if isinstance(value, str) else None


def expected_kind(field: str, make_type: MakeType | None) -> str | None:
    """The kind of content (probe Kind) a file field needs, None when the type is unknown."""
    role = FIELDS[field].role
    if role == "identity-video":
        return "video"
    if role == "identity-letter":
        return "document"
    if role == "driver":
        return "audio"
    if role == "material" and make_type is not None and make_type.material is not None:
        return {"video": "video", "zip": "archive", "photo": "image"}[make_type.material]
    return None
