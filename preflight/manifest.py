"""Load request manifests (SPEC §3): JSON bodies or bare payloads, and TOML payloads."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_MAX_BYTES = 1024**2  # a request is a few hundred bytes: anything larger is not one
COMMAND_LINE = "<command line>"
FLAG_FIELDS = {  # `preflight check` flag → payload field, for a request given on the command line
    "make-type": "MakeType",
    "anchor-name": "AnchorName",
    "sex": "SexType",
    "material": "MaterialCosUrl",
    "identity": "IdentityCosUrl",
    "identity-written": "IdentityWrittenCosUrl",
    "driver": "VoiceDriverCosFile",
    "text-driver": "TextDriver",
    "notes": "Notes",
    "audio-id": "AudioId",
    "have-background": "IsHaveBackground",
}


@dataclass(frozen=True)
class Manifest:
    """One request as written: the raw payload, before any rule has looked at it."""

    source: str  # as the report shows it
    folder: Path  # local paths in the payload are relative to it
    payload: dict[str, Any]
    extra_keys: tuple[str, ...] = ()  # top-level keys of a body beside Header and Payload
    missing: bool = False  # the manifest does not exist
    problem: str | None = None  # why the manifest could not be read
    outside_root: str | None = None  # the work tree it is a symlink out of: never read

    @property
    def readable(self) -> bool:
        return not self.missing and self.problem is None and self.outside_root is None


def is_manifest(path: Path) -> bool:
    return is_manifest_name(path.name)


def is_manifest_name(name: str) -> bool:
    return name in ("request.json", "request.toml") or name.endswith(
        (".request.json", ".request.toml")
    )


def load(path: Path, shown: str) -> Manifest:
    """Read one manifest; a broken one is a Manifest that says why, with no fields."""
    folder = path.parent
    try:
        payload, extra = _parse(path)
    except FileNotFoundError:
        return Manifest(shown, folder, {}, missing=True)
    except _ManifestError as error:
        return Manifest(shown, folder, {}, problem=str(error))
    return Manifest(shown, folder, payload, extra)


def refused(path: Path, shown: str, outside_root: str) -> Manifest:
    """A manifest that is a symlink out of its git work tree `outside_root`, left unread."""
    return Manifest(shown, path.parent, {}, outside_root=outside_root)


def unlisted(folder: Path, shown: str, reason: str) -> Manifest:
    """A folder that a search could not list: the manifests in it, if any, go unchecked, so it
    stands in their place, unreadable."""
    problem = f"the folder cannot be listed ({reason}): the manifests in it are not checked"
    return Manifest(shown, folder, {}, problem=problem)


def from_fields(fields: dict[str, Any], folder: Path) -> Manifest:
    """A request given with command-line flags; its paths are relative to `folder`."""
    return Manifest(COMMAND_LINE, folder, fields)


class _ManifestError(Exception):
    pass


def _parse(path: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    data = _load(path)
    _check_strings(data)
    if "Payload" in data or "Header" in data:
        return _body(data)
    return data, ()


def _load(path: Path) -> dict[str, Any]:
    """The manifest's top-level table or object, parsed from UTF-8 text."""
    if not path.exists():
        raise FileNotFoundError(path)
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
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except tomllib.TOMLDecodeError as error:
        raise _ManifestError(f"invalid TOML: {error}") from None
    except json.JSONDecodeError as error:
        raise _ManifestError(
            f"invalid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise _ManifestError("the manifest is nested too deeply") from None
    if not isinstance(data, dict):
        raise _ManifestError(f"a manifest is a JSON object, not a {type(data).__name__}")
    return data


def _check_strings(data: dict[str, Any]) -> None:
    """Refuse what no request can carry and no report can print: NUL characters and lone
    surrogates (a JSON "\\ud800" escape). Iterative: nesting depth is the parser's limit."""
    pending: list[object] = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str):
            if "\0" in value:
                raise _ManifestError("a value contains a NUL character")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise _ManifestError("a value contains a lone surrogate (\\ud800…)") from None


def _body(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The API body form: {"Header": {}, "Payload": {...}}."""
    payload = data.get("Payload")
    if not isinstance(payload, dict):
        raise _ManifestError('the body\'s "Payload" must be an object')
    if not isinstance(data.get("Header", {}), dict):
        raise _ManifestError('the body\'s "Header" must be an object')
    extra = tuple(key for key in data if key not in ("Header", "Payload"))
    return payload, extra


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _ManifestError(f'the key "{key[:60]}" appears twice in one object')
        result[key] = value
    return result
