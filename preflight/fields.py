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
    role: FileRole | None = None  # set for fields that hold a file

    @property
    def is_file(self) -> bool:
        return self.role is not None


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("AnchorName", str),
        Field("MakeType", str),
        Field("SexType", str),
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
PREFIX_PLACEHOLDER = "${COS_PATH_PREFIX}"  # stands for the upload PathPrefix in a template
# The PathPrefix the upload-credentials API returns: {domain}/customer-pipeline/{digits}/{uuid}/
UPLOAD_PREFIX = re.compile(
    r"/customer-pipeline/(?P<digits>\d+)/(?P<uuid>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?"
    r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})/"
)


def is_url(value: str) -> bool:
    """A file field holds an uploaded object's URL (or a templated one), else a local path."""
    return value.startswith(PREFIX_PLACEHOLDER) or _URL_SCHEME.match(value) is not None


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
    target = _target(field, make_type)
    return target[0] if target else None


def expected_kind(field: str, make_type: MakeType | None) -> str | None:
    """The kind of content (probe Kind) a file field needs, None when the type is unknown."""
    target = _target(field, make_type)
    return target[1] if target else None


# (upload folder, content kind) of each file role, and of each kind of material.
_ROLE_TARGETS = {
    "identity-video": ("idcard", "video"),
    "identity-letter": ("idcard", "document"),
    "driver": ("audio", "audio"),
}
_MATERIAL_TARGETS = {
    "video": ("video", "video"),
    "zip": ("audio", "archive"),
    "photo": ("photo", "image"),
}


def _target(field: str, make_type: MakeType | None) -> tuple[str, str] | None:
    role = FIELDS[field].role
    if role == "material":
        material = make_type.material if make_type is not None else None
        return _MATERIAL_TARGETS[material] if material is not None else None
    return _ROLE_TARGETS.get(role or "")


def make_type_of(value: object) -> MakeType | None:
    return MAKE_TYPES.get(value) if isinstance(value, str) else None


def local_file(field: str, value: object) -> str | None:
    """The field's value when it names a local file (not a URL, not empty), else None."""
    if FIELDS[field].is_file and isinstance(value, str) and value and not is_url(value):
        return value
    return None


def local_path(value: str) -> str:
    """A manifest's local path with Windows separators read as folders."""
    return value.replace("\\", "/")
