"""The API body preflight would submit: documented, applicable, well-typed fields only,
local paths replaced by their upload URLs (SPEC §2, "The emitted request")."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from preflight.fields import FIELDS, applies, is_url, make_type_of, upload_folder

PREFIX_PLACEHOLDER = "${COS_PATH_PREFIX}"


def build_request(payload: dict[str, Any], cos_prefix: str | None) -> dict[str, Any]:
    make_type = make_type_of(payload.get("MakeType"))
    prefix = (cos_prefix or PREFIX_PLACEHOLDER).rstrip("/")
    body: dict[str, Any] = {}
    for name, spec in FIELDS.items():  # the API page's order
        value = payload.get(name)
        if value is None or not isinstance(value, spec.type):
            continue  # absent or of the wrong type: request.field-type reports it
        if make_type is not None and not applies(name, make_type):
            continue
        if spec.is_file and isinstance(value, str) and value and not is_url(value):
            folder = upload_folder(name, make_type)
            if folder is not None:
                value = f"{prefix}/{folder}/{PurePath(value).name}"
        body[name] = value
    return {"Header": {}, "Payload": body}
