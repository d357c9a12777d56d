"""The requests' payload fields, as the API spells them (SPEC §2), and the endpoint each
request is for (SPEC §8): a manifest's fields say which."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from preflight.i18n import N_
from preflight.limits import MAKE_TYPES, MakeType


@dataclass(frozen=True)
class Field:
    name: str
    type: type  # str or bool: the JSON/TOML type the API expects
    is_file: bool = False  # holds a local path or an upload URL (preflight.materials: its roles)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("AnchorName", str),
        Field("MakeType", str),
        Field("SexType", str),
        Field("IdentityCosUrl", str, is_file=True),
        Field("IdentityWrittenCosUrl", str, is_file=True),
        Field("MaterialCosUrl", str, is_file=True),
        Field("IsHaveBackground", bool),
        Field("Notes", str),
        Field("TextDriver", str),
        Field("VoiceDriverCosFile", str, is_file=True),
        Field("AudioId", str),
    )
}
# The zero-shot reference audio's inspection (1211/62077, 1240/104986), whose AudioId a
# ZERO_SHOT_VOICE request needs.
ZEROSHOT_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("TextId", str),
        Field("ReferenceText", str),
        Field("AudioUrl", str, is_file=True),
        Field("Language", str),
    )
}
IDENTITY_FIELDS = ("IdentityCosUrl", "IdentityWrittenCosUrl")


@dataclass(frozen=True)
class Endpoint:
    """An API that preflight checks requests for: its path and its payload fields."""

    name: str  # as messages name its requests (translated where shown)
    path: str  # as the report's `endpoint` says it
    fields: dict[str, Field]


MAKE = Endpoint(
    N_("the customization request"), "POST /v2/ivh/assetmanager/customservice/make", FIELDS
)
ZERO_SHOT = Endpoint(
    N_("the zero-shot audio inspection"),
    "POST /v2/ivh/assetmanager/zeroshotservice/detectaudioquality",
    ZEROSHOT_FIELDS,
)
ENDPOINTS = (MAKE, ZERO_SHOT)


def endpoint_of(payload: Mapping[str, Any]) -> Endpoint:
    """The API a payload is for: the zero-shot inspection when it names one of that request's
    own fields and no MakeType (a customization request always has one), else the
    customization request."""
    if "MakeType" not in payload and any(name in ZEROSHOT_FIELDS for name in payload):
        return ZERO_SHOT
    return MAKE


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
PREFIX_PLACEHOLDER = "${COS_PATH_PREFIX}"  # stands for the upload PathPrefix in a template
# The PathPrefix the upload-credentials API returns: {domain}/customer-pipeline/{digits}/{uuid}/
UPLOAD_PREFIX = re.compile(
    r"/customer-pipeline/(?P<digits>\d+)/(?P<uuid>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?"
    r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})/"
)


def is_url(value: str) -> bool:
    """A file field holds an object's URL (or a templated one), else a local path."""
    return value.startswith(PREFIX_PLACEHOLDER) or _URL_SCHEME.match(value) is not None


def template_path(value: str) -> str | None:
    """The path under the upload prefix that a `${COS_PATH_PREFIX}/{folder}/{file}` template
    names ("video/tom.mp4"), None for any other value. Nothing is uploaded yet where the prefix
    is still a placeholder: the file it stands for is the local one at that path from the
    manifest's folder (an upload of the folder to the prefix puts it there)."""
    if not value.startswith(PREFIX_PLACEHOLDER):
        return None
    return value[len(PREFIX_PLACEHOLDER) :].lstrip("/") or None


def make_type_of(value: object) -> MakeType | None:
    return MAKE_TYPES.get(value) if isinstance(value, str) else None


def local_file(field: Field, value: object) -> str | None:
    """The local file a file field names: its value when that is a path (not a URL, not
    empty), the path a template stands for (template_path), else None."""
    if not field.is_file or not isinstance(value, str) or not value:
        return None
    return template_path(value) or (None if is_url(value) else value)


def local_path(value: str) -> str:
    """A manifest's local path with Windows separators read as folders."""
    return value.replace("\\", "/")
