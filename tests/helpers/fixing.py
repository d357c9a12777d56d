"""Requests around real failing files, `preflight fix` run on them, and the re-check read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from runner import invoke

from helpers.media import make_pdf

# Tiny test media cannot be minutes long: the duration rule is off where a test says so.
NO_DURATION = '[rules]\n"video.duration" = "off"\n'


def request(folder: Path, make_type: str, material: str, **fields: Any) -> Path:
    """A TOML manifest in `folder` for `material` (with an authorization letter where the make
    type needs one), and its configuration."""
    payload: dict[str, Any] = {
        "AnchorName": "Lin",
        "MakeType": make_type,
        "SexType": "FEMALE",
        "MaterialCosUrl": material,
    }
    if (make_type.startswith("IMAGE") and make_type != "IMAGE_PHOTO") or make_type == "VOICE":
        payload["IdentityWrittenCosUrl"] = make_pdf(folder / "letter.pdf").name
    payload.update(fields)
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in payload.items()]
    manifest = folder / "request.toml"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def fix(folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """`preflight fix FOLDER --format json` (content analysis off: gray test frames have no
    face), run in `folder`."""
    code, out = invoke("fix", ".", "--format", "json", "--no-content", *args, cwd=folder)
    return code, json.loads(out)


def only(report: dict[str, Any]) -> dict[str, Any]:
    (request,) = report["requests"]
    assert isinstance(request, dict)
    return request


def after_rules(request: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in request["after"]["findings"]}


def before_rules(folder: Path) -> set[str]:
    _, out = invoke("check", ".", "--format", "json", "--no-content", cwd=folder)
    return {f["rule"] for r in json.loads(out)["requests"] for f in r["findings"]}


def hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its SHA-256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
