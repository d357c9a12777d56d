"""The API body preflight would submit: documented, applicable, well-typed fields only,
local paths replaced by their upload URLs (SPEC §2, "The emitted request"), the file name
percent-encoded as a URL's path segment (`Final Export 24p.mp4` → `Final%20Export%2024p.mp4`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from preflight.fields import (
    PREFIX_PLACEHOLDER,
    endpoint_of,
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
    for name, spec in endpoint_of(payload).fields.items():  # the API page's order
        value = payload.get(name)
        if value is None or not isinstance(value, spec.type):
            continue  # absent or of the wrong type: request.field-type reports it
        if make_type is not None and not applies(name, make_type):
            continue
        local = local_file(spec, value)
        if local is not None:
            folder = upload_folder(name, make_type) or FOLDER_PLACEHOLDER
            file_name = _name(local_path(local)).encode("utf-8", "surrogateescape")
            segment = quote(file_name, safe="")  # a name that is not UTF-8: its bytes
            value = f"{prefix}/{folder}/{segment}"
        body[name] = value
    return {"Header": {}, "Payload": body}


def _name(path: str) -> str:
    """A `/`-separated path's last name, as PurePosixPath(path).name has it (empty and `.`
    parts dropped), without its parsing (asked of every file of every request)."""
    return next((part for part in reversed(path.split("/")) if part not in ("", ".")), "")
