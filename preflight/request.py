"""The API body preflight would submit: documented, applicable, well-typed fields only,
local paths replaced by their upload URLs (SPEC §2, "The emitted request")."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from preflight.fields import (
    FIELDS,
    PREFIX_PLACEHOLDER,
    local_file,
    local_path,
    make_type_of,
)
from preflight.materials import applies, upload_folder

FOLDER_PLACEHOLDER = "${FOLDER}"  # the make type is unknown, so is the material's folder


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
        local = local_file(name, value)
        if local is not None:
            folder = upload_folder(name, make_type) or FOLDER_PLACEHOLDER
            value = f"{prefix}/{folder}/{PurePosixPath(local_path(local)).name}"
        body[name] = value
    return {"Header": {}, "Payload": body}
