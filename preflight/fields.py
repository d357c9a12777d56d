"""The request's payload fields, as the API spells them (SPEC §2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
IDENTITY_FIELDS = ("IdentityCosUrl", "IdentityWrittenCosUrl")
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


def local_file(field: str, value: object) -> str | None:
    """The local file a file field names: its value when that is a path (not a URL, not
    empty), the path a template stands for (template_path), else None."""
    if not FIELDS[field].is_file or not isinstance(value, str) or not value:
        return None
    return template_path(value) or (None if is_url(value) else value)


def local_path(value: str) -> str:
    """A manifest's local path with Windows separators read as folders."""
    return value.replace("\\", "/")
