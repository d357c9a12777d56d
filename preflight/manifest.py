"""Load request manifests (SPEC §3): JSON bodies or bare payloads, and TOML payloads."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from preflight import positions
from preflight.i18n import _
from preflight.positions import Position

MANIFEST_MAX_BYTES = 1024**2  # a request is a few hundred bytes: anything larger is not one
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
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
    problem_at: Position | None = None  # where the syntax error is
    # The text as read, whether TOML, and whether a body (Header and Payload): for `positions`.
    written: tuple[str, bool, bool] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def positions(self) -> dict[str, Position]:
        """Where each payload key (and each key beside Header and Payload) is written: found
        once a finding asks (most requests pass, and need no place)."""
        if self.written is None:
            return {}
        text, toml, body = self.written
        keys = positions.toml_keys(text) if toml else positions.json_keys(text)
        if not body:
            return {p[0]: at for p, at in keys.items() if len(p) == 1}
        where = {p[1]: at for p, at in keys.items() if len(p) == 2 and p[0] == "Payload"}
        return where | {name: keys[(name,)] for name in self.extra_keys if (name,) in keys}

    @property
    def readable(self) -> bool:
        return not self.missing and self.problem is None and self.outside_root is None


def is_manifest(path: Path) -> bool:
    return is_manifest_name(path.name)


def is_manifest_name(name: str) -> bool:
    return name in ("request.json", "request.toml") or name.endswith(
        (".request.json", ".request.toml")
    )


class Memo(Protocol):
    """What a manifest parsed in an earlier run held (preflight.cache keeps it), by the file
    and its stat: a re-run over unchanged files parses none of them again."""

    def recall(self, path: Path, info: os.stat_result) -> tuple[dict[str, Any], str] | None:
        """The top-level table and the text of the manifest at `path` when it was as `info`
        says it is now."""

    def remember(self, path: Path, info: os.stat_result, data: dict[str, Any], text: str) -> None:
        """Keep what the manifest, as `info` says it was when read, holds."""


def load(path: Path, shown: str, memo: Memo | None = None) -> Manifest:
    """Read one manifest; a broken one is a Manifest that says why, with no fields."""
    folder = path.parent
    try:
        payload, extra, written = _parse(path, memo)
    except FileNotFoundError:
        return Manifest(shown, folder, {}, missing=True)
    except _ManifestError as error:
        return Manifest(shown, folder, {}, problem=str(error), problem_at=error.at)
    return Manifest(shown, folder, payload, extra, written=written)


def refused(path: Path, shown: str, outside_root: str) -> Manifest:
    """A manifest that is a symlink out of its git work tree `outside_root`, left unread."""
    return Manifest(shown, path.parent, {}, outside_root=outside_root)


def unlisted(folder: Path, shown: str, reason: str) -> Manifest:
    """A folder that a search could not list: the manifests in it, if any, go unchecked, so it
    stands in their place, unreadable."""
    problem = _("the folder cannot be listed ({reason}): the manifests in it are not checked")
    problem = problem.format(reason=reason)
    return Manifest(shown, folder, {}, problem=problem)


def from_fields(fields: dict[str, Any], folder: Path) -> Manifest:
    """A request given with command-line flags; its paths are relative to `folder`."""
    return Manifest(COMMAND_LINE, folder, fields)


class _ManifestError(Exception):
    def __init__(self, message: str, at: Position | None = None) -> None:
        super().__init__(message)
        self.at = at


def _parse(
    path: Path, memo: Memo | None
) -> tuple[dict[str, Any], tuple[str, ...], tuple[str, bool, bool]]:
    """The payload, the keys beside Header and Payload, and the text as Manifest.written."""
    data, text = _load(path, memo)
    _check_strings(data)
    toml = path.suffix == ".toml"
    if "Payload" in data or "Header" in data:
        payload, extra = _body(data)
        return payload, extra, (text, toml, True)
    return data, (), (text, toml, False)


def _load(path: Path, memo: Memo | None) -> tuple[dict[str, Any], str]:
    """The manifest's top-level table or object, parsed from UTF-8 text, and that text; what
    `memo` recalls of it when the file is unchanged (its stat, from the descriptor read)."""
    try:
        # Opened without blocking (a FIFO would wait for a writer for ever), then judged by
        # what was opened: one open and one fstat, and no swap between a check and the read.
        with open(os.open(path, _READ_FLAGS), "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _ManifestError(_("the manifest is not a regular file"))
            if info.st_size > MANIFEST_MAX_BYTES:
                raise _ManifestError(_("the manifest is over 1 MB: not a request manifest"))
            recalled = memo.recall(path, info) if memo is not None else None
            if recalled is not None:
                return recalled
            text = stream.read(MANIFEST_MAX_BYTES + 1).decode("utf-8-sig")
    except FileNotFoundError:
        raise
    except OSError as error:
        with contextlib.suppress(OSError):  # a folder (Windows will not open one), a socket
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise _ManifestError(_("the manifest is not a regular file")) from None
        reason = error.strerror or str(error)
        raise _ManifestError(
            _("the manifest cannot be read: {reason}").format(reason=reason)
        ) from None
    except UnicodeDecodeError:
        raise _ManifestError(_("the manifest is not UTF-8 text")) from None
    toml = path.suffix == ".toml"
    try:
        data = tomllib.loads(text) if toml else json.loads(text, object_pairs_hook=_unique_keys)
    except tomllib.TOMLDecodeError as error:
        words, where = positions.toml_error(text, str(error))
        raise _syntax("TOML", words, where) from None
    except json.JSONDecodeError as error:
        raise _syntax("JSON", *positions.json_error(text, error)) from None
    except RecursionError:
        raise _ManifestError(_("the manifest is nested too deeply")) from None
    if not isinstance(data, dict):
        raise _ManifestError(
            _("a manifest is a JSON object, not a {type}").format(type=type(data).__name__)
        )
    if memo is not None:
        memo.remember(path, info, data, text)
    return data, text


def _syntax(language: str, words: str, where: Position | None) -> _ManifestError:
    if where is None:
        return _ManifestError(
            _("invalid {language}: {words}").format(language=language, words=_(words))
        )
    message = _("invalid {language} at line {line}, column {column}: {words}").format(
        language=language, line=where[0], column=where[1], words=_(words)
    )
    return _ManifestError(message, where)


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
                raise _ManifestError(_("a value contains a NUL character"))
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise _ManifestError(
                        _("a value contains a lone surrogate (\\ud800…)")
                    ) from None


def _body(data: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The API body form: {"Header": {}, "Payload": {...}}."""
    payload = data.get("Payload")
    if not isinstance(payload, dict):
        raise _ManifestError(_('the body\'s "Payload" must be an object'))
    if not isinstance(data.get("Header", {}), dict):
        raise _ManifestError(_('the body\'s "Header" must be an object'))
    extra = tuple(key for key in data if key not in ("Header", "Payload"))
    return payload, extra


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _ManifestError(
                _("the key {key} appears twice in one object").format(key=f'"{key[:60]}"')
            )
        result[key] = value
    return result
