"""Load request manifests (SPEC §3): JSON bodies or bare payloads, and TOML payloads."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight.report import Finding
from preflight.rules.file import UNREADABLE

MANIFEST_MAX_BYTES = 1024**2  # a request is a few hundred bytes: anything larger is not one
_SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "__MACOSX"})
COMMAND_LINE = "<command line>"


@dataclass(frozen=True)
class Manifest:
    """One request as written: the raw payload, before any rule has looked at it."""

    source: str  # as the report shows it
    folder: Path  # local paths in the payload are relative to it
    payload: dict[str, Any]
    extra_keys: tuple[str, ...] = ()  # top-level keys of a body beside Header and Payload
    problems: tuple[Finding, ...] = ()  # why the manifest itself could not be read


def is_manifest(path: Path) -> bool:
    name = path.name
    return name in ("request.json", "request.toml") or name.endswith(
        (".request.json", ".request.toml")
    )


def discover(folder: Path) -> Iterator[Path]:
    """Manifests below `folder`, in a stable order, skipping hidden and tool folders."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_FOLDERS)
        for name in sorted(files):
            path = Path(root, name)
            if is_manifest(path):
                yield path


def load(path: Path, shown: str) -> Manifest:
    """Read one manifest; a broken one becomes a Manifest with a file.unreadable finding."""
    folder = path.parent
    try:
        payload, extra = _parse(path)
    except _ManifestError as error:
        finding = UNREADABLE.finding(str(error), path=shown)
        return Manifest(shown, folder, {}, problems=(finding,))
    return Manifest(shown, folder, payload, extra)


def from_fields(fields: dict[str, Any], folder: Path) -> Manifest:
    """A request given with command-line flags; its paths are relative to `folder`."""
    return Manifest(COMMAND_LINE, folder, fields)


class _ManifestError(Exception):
    pass


def _parse(path: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    try:
        if not path.is_file():
            raise _ManifestError("the manifest is not a regular file")
        if path.stat().st_size > MANIFEST_MAX_BYTES:
            raise _ManifestError("the manifest is over 1 MB: not a request manifest")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise _ManifestError(f"the manifest cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise _ManifestError("the manifest is not UTF-8 text") from None
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text), ()
        except tomllib.TOMLDecodeError as error:
            raise _ManifestError(f"invalid TOML: {error}") from None
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise _ManifestError(
            f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise _ManifestError("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise _ManifestError(f"a manifest is a JSON object, not a {type(data).__name__}")
    if "Payload" in data or "Header" in data:
        return _body(data)
    return data, ()


def _body(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The API body form: {"Header": {}, "Payload": {...}}."""
    payload = data.get("Payload")
    if not isinstance(payload, dict):
        raise _ManifestError('the body\'s "Payload" must be a JSON object')
    if not isinstance(data.get("Header", {}), dict):
        raise _ManifestError('the body\'s "Header" must be a JSON object')
    extra = tuple(key for key in data if key not in ("Header", "Payload"))
    return payload, extra


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _ManifestError(f'the key "{key[:60]}" appears twice in one object')
        result[key] = value
    return result
