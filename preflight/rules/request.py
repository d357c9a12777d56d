"""Rules on the request's own fields (SPEC §2): names, enums, lengths, applicability, URLs."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from preflight import materials  # a module: its table imports the file families
from preflight.fields import (
    FIELDS,
    IDENTITY_FIELDS,
    PREFIX_PLACEHOLDER,
    UPLOAD_PREFIX,
    is_url,
    make_type_of,
)
from preflight.limits import (
    ANCHOR_NAME_MAX,
    ANCHOR_NAME_MIN,
    MAKE_TYPES,
    NAME_CHARSET_TEXT,
    NOTES_MAX,
    SEX_TYPES,
    TEXT_DRIVER_MAX,
    TEXT_DRIVER_MIN,
    MakeType,
)
from preflight.manifest import COMMAND_LINE, FLAG_FIELDS, Manifest
from preflight.names import clean_name, describe_chars, did_you_mean, outside_charset
from preflight.report import Finding
from preflight.rule import Rule

_PAGE = "API page: request parameters"
UNKNOWN_FIELD = Rule(
    "request.unknown-field",
    "error",
    "a key that the API does not define",
    "the fields of the API page",
    _PAGE,
)
FIELD_TYPE = Rule(
    "request.field-type",
    "error",
    'wrong JSON/TOML type (e.g. "true" for IsHaveBackground)',
    "string fields are strings, IsHaveBackground a boolean",
    _PAGE,
)
MAKE_TYPE = Rule(
    "request.make-type",
    "error",
    "MakeType missing or not in the enum",
    " / ".join(MAKE_TYPES),
    "API page: MakeType",
)
SEX_TYPE = Rule(
    "request.sex-type",
    "error",
    "SexType missing or not MALE/FEMALE",
    " / ".join(SEX_TYPES),
    "API page: SexType",
)
ANCHOR_NAME = Rule(
    "request.anchor-name",
    "error",
    "AnchorName missing, length or charset",
    f"{ANCHOR_NAME_MIN}–{ANCHOR_NAME_MAX} characters: {NAME_CHARSET_TEXT}",
    "API page: AnchorName item 3",
)
ANCHOR_NAME_DUPLICATE = Rule(
    "request.anchor-name-duplicate",
    "error",
    "same AnchorName twice in one run, or listed in --known-anchors",
    "unique",
    "API page: AnchorName item 4",
)
NOTES = Rule(
    "request.notes",
    "error",
    f"Notes > {NOTES_MAX} chars",
    f"≤ {NOTES_MAX} characters",
    "API page: Notes",
)
TEXT_DRIVER = Rule(
    "request.text-driver",
    "error",
    "TextDriver length, or malformed SSML",
    f"{TEXT_DRIVER_MIN}–{TEXT_DRIVER_MAX} characters including SSML tags; well-formed SSML",
    "API page: TextDriver",
)
IDENTITY_MISSING = Rule(
    "request.identity-missing",
    "error",
    "neither identity field, for a type that requires one",
    "IdentityCosUrl or IdentityWrittenCosUrl, or both",
    "API page: IdentityCosUrl / IdentityWrittenCosUrl",
)
MATERIAL_MISSING = Rule(
    "request.material-missing",
    "error",
    "MaterialCosUrl missing, for a type that requires it",
    "required for every type but ZERO_SHOT_VOICE",
    "API page: MaterialCosUrl",
)
AUDIO_ID = Rule(
    "request.audio-id",
    "error",
    "ZERO_SHOT_VOICE without AudioId",
    "required for ZERO_SHOT_VOICE",
    "API page: AudioId",
)
NOT_APPLICABLE = Rule(
    "request.field-not-applicable",
    "warning",
    "a field that the make type does not use (left out of the emitted request)",
    "",
    "SPEC §2, per-type table",
)
COS_PATH = Rule(
    "request.cos-path",
    "error",
    "a URL that breaks the upload path convention or uses the wrong folder",
    "…/customer-pipeline/{digits}/{uuid}/{folder}/{file}",
    "API page: the COS URL of each file field",
)
RULES: tuple[Rule, ...] = (
    UNKNOWN_FIELD,
    FIELD_TYPE,
    MAKE_TYPE,
    SEX_TYPE,
    ANCHOR_NAME,
    ANCHOR_NAME_DUPLICATE,
    NOTES,
    TEXT_DRIVER,
    IDENTITY_MISSING,
    MATERIAL_MISSING,
    AUDIO_ID,
    NOT_APPLICABLE,
    COS_PATH,
)

_UPLOAD_PATH = re.compile(UPLOAD_PREFIX.pattern + r"(?P<folder>[^/]+)/(?P<file>[^/]+)$")
_TEMPLATED_PATH = re.compile(r"/(?P<folder>[^/]+)/(?P<file>[^/]+)")
_SHOWN_MAX = 80  # characters of a user's value quoted back in a message


def check(manifest: Manifest) -> Iterator[Finding]:
    """Every single-request rule, on one manifest's payload."""
    payload = manifest.payload
    for key in (*manifest.extra_keys, *(k for k in payload if k not in FIELDS)):
        yield _unknown(key, manifest.source)
    yield from _types(payload, manifest.source)
    make_type = make_type_of(payload.get("MakeType"))
    source = manifest.source
    yield from _one_of(MAKE_TYPE, "MakeType", payload, tuple(MAKE_TYPES), source)
    yield from _one_of(SEX_TYPE, "SexType", payload, SEX_TYPES, source)
    yield from _anchor_name(payload.get("AnchorName"), source)
    notes = _text(payload, "Notes")
    if notes is not None and len(notes) > NOTES_MAX:
        yield NOTES.finding(
            f"Notes has {len(notes)} characters, over the {NOTES_MAX} allowed",
            field="Notes",
            path=source,
            actual=len(notes),
        )
    yield from _text_driver(_text(payload, "TextDriver"), source)
    if make_type is not None:
        yield from _per_type(payload, make_type, source)
    yield from _cos_paths(payload, make_type, source)


def check_duplicates(
    manifests: Iterable[Manifest], known_anchors: frozenset[str]
) -> dict[str, list[Finding]]:
    """request.anchor-name-duplicate, by manifest source: names shared within one run, and
    names already taken (--known-anchors)."""
    sources_by_name: dict[str, list[str]] = {}
    for manifest in manifests:
        name = _text(manifest.payload, "AnchorName")
        if name:
            sources_by_name.setdefault(name, []).append(manifest.source)
    found: dict[str, list[Finding]] = {}
    for name, sources in sources_by_name.items():
        for source in sources:
            others = [s for s in sources if s != source]
            if others:
                message = f"AnchorName {name!r} is also used by {', '.join(others[:3])}"
            elif name in known_anchors:
                message = f"AnchorName {name!r} is already taken (listed in --known-anchors)"
            else:
                continue
            found.setdefault(source, []).append(
                ANCHOR_NAME_DUPLICATE.finding(message, field="AnchorName", path=source, actual=name)
            )
    return found


def _unknown(key: str, source: str) -> Finding:
    guess = did_you_mean(key, tuple(FIELDS))
    shown = key[:_SHOWN_MAX]
    message = f"{shown!r} is not a field of the API" + (
        f"; did you mean {guess!r}?" if guess else " and is not sent"
    )
    return UNKNOWN_FIELD.finding(message, field=shown, path=source, actual=shown)


def _types(payload: Mapping[str, Any], source: str) -> Iterator[Finding]:
    for name, spec in FIELDS.items():
        value = payload.get(name)
        # None: absent, or JSON null, the same to the API.
        if value is None or isinstance(value, spec.type):
            continue
        expected = "boolean" if spec.type is bool else "string"
        yield FIELD_TYPE.finding(
            f"{name} must be a {expected}, not {_type_name(value)}",
            field=name,
            path=source,
            actual=_type_name(value),
            limit=expected,
            hint=_edit(source, name, _as_bool(value)) if spec.type is bool else None,
        )


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"the string {value[:_SHOWN_MAX]!r}"
    return {int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _as_bool(value: object) -> bool | None:
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _edit(source: str, field: str, value: str | bool | None) -> str | None:
    """The fix as the user would type it: in the manifest's own syntax, or as a flag."""
    if value is None:
        return None
    if source == COMMAND_LINE:
        flag = next(f for f, name in FLAG_FIELDS.items() if name == field)
        if isinstance(value, bool):
            return f"--{'' if value else 'no-'}{flag}"
        return shlex.join([f"--{flag}", value])
    literal = json.dumps(value, ensure_ascii=False)
    return f"{field} = {literal}" if source.endswith(".toml") else f'"{field}": {literal}'


def _text(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    return value if isinstance(value, str) else None


def _present(payload: Mapping[str, Any], name: str) -> bool:
    """A field counts as given unless it is absent, null or an empty string."""
    return payload.get(name) not in (None, "")


def _one_of(
    rule: Rule, name: str, payload: Mapping[str, Any], allowed: tuple[str, ...], source: str
) -> Iterator[Finding]:
    value = payload.get(name)
    if not _present(payload, name):
        yield rule.finding(
            f"{name} is required: one of {', '.join(allowed)}", field=name, path=source
        )
    elif isinstance(value, str) and value not in allowed:
        guess = did_you_mean(value, allowed)
        yield rule.finding(
            f"{name} {value[:_SHOWN_MAX]!r} is not one of {', '.join(allowed)}"
            + (f"; did you mean {guess!r}?" if guess else ""),
            field=name,
            path=source,
            actual=value[:_SHOWN_MAX],
            hint=_edit(source, name, guess),
        )


def _anchor_name(value: object, source: str) -> Iterator[Finding]:
    if value is None or value == "":
        yield ANCHOR_NAME.finding("AnchorName is required", field="AnchorName", path=source)
        return
    if not isinstance(value, str):
        return  # request.field-type says it
    problems = []
    if not ANCHOR_NAME_MIN <= len(value) <= ANCHOR_NAME_MAX:
        problems.append(
            f"has {len(value)} characters ({ANCHOR_NAME_MIN}–{ANCHOR_NAME_MAX} allowed)"
        )
    bad = outside_charset(value)
    if bad:
        note = " (the API page's own example names contain spaces, but its rule 3 forbids them)"
        problems.append(
            f"contains {describe_chars(bad)}, outside {NAME_CHARSET_TEXT}"
            + (note if " " in bad else "")
        )
    if problems:
        suggestion = clean_name(value, "")[:ANCHOR_NAME_MAX]
        yield ANCHOR_NAME.finding(
            f"AnchorName {value[:_SHOWN_MAX]!r} " + "; ".join(problems),
            field="AnchorName",
            path=source,
            actual=value[:_SHOWN_MAX],
            hint=_edit(
                source, "AnchorName", suggestion if len(suggestion) >= ANCHOR_NAME_MIN else None
            ),
        )


def _text_driver(text: str | None, source: str) -> Iterator[Finding]:
    if text is None:
        return
    if not TEXT_DRIVER_MIN <= len(text) <= TEXT_DRIVER_MAX:
        yield TEXT_DRIVER.finding(
            f"TextDriver has {len(text)} characters ({TEXT_DRIVER_MIN}–{TEXT_DRIVER_MAX} allowed,"
            " SSML tags included)",
            field="TextDriver",
            path=source,
            actual=len(text),
        )
    problem = _ssml_problem(text) if "<" in text else None
    if problem:
        yield TEXT_DRIVER.finding(
            f"TextDriver contains malformed SSML: {problem}",
            field="TextDriver",
            path=source,
            actual="malformed SSML",
            limit="well-formed SSML",
        )


def _ssml_problem(text: str) -> str | None:
    """Why the text is not well-formed SSML; plain text with tags is read inside <speak>."""
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return "a DOCTYPE or ENTITY declaration is not SSML"
    document = text.lstrip()
    if not document.startswith(("<speak", "<?xml")):
        document = f"<speak>{text}</speak>"
    import xml.etree.ElementTree as ElementTree  # only requests with a TextDriver pay for it

    try:
        ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        return str(error)
    return None


def _per_type(payload: Mapping[str, Any], make_type: MakeType, source: str) -> Iterator[Finding]:
    label = f"{make_type.name} ({make_type.label})"
    if make_type.identity_required and not any(_present(payload, f) for f in IDENTITY_FIELDS):
        yield IDENTITY_MISSING.finding(
            f"{label} needs an authorization: IdentityCosUrl (video) or IdentityWrittenCosUrl"
            " (PDF letter), or both",
            field="IdentityCosUrl",
            path=source,
        )
    material = materials.material_for("MaterialCosUrl", make_type)
    if material is not None and not _present(payload, "MaterialCosUrl"):
        yield MATERIAL_MISSING.finding(
            f"{label} needs MaterialCosUrl: the training {material.name}",
            field="MaterialCosUrl",
            path=source,
        )
    if make_type.name == "ZERO_SHOT_VOICE" and not _present(payload, "AudioId"):
        yield AUDIO_ID.finding(
            "ZERO_SHOT_VOICE needs the AudioId returned by the audio quality inspection",
            field="AudioId",
            path=source,
        )
    for name in FIELDS:
        if payload.get(name) is not None and not materials.applies(name, make_type):
            yield NOT_APPLICABLE.finding(
                f"{name} does not apply to {label}; it is left out of the request",
                field=name,
                path=source,
            )


def _cos_paths(
    payload: Mapping[str, Any], make_type: MakeType | None, source: str
) -> Iterator[Finding]:
    for name, spec in FIELDS.items():
        value = _text(payload, name)
        if not spec.is_file or not value or not is_url(value):
            continue
        folder = materials.upload_folder(name, make_type)
        problem = _cos_problem(value, folder)
        if problem:
            yield COS_PATH.finding(
                f"{name} {problem}",
                field=name,
                path=source,
                actual=value[:200],
                limit=f"…/customer-pipeline/{{digits}}/{{uuid}}/{folder or '{folder}'}/{{file}}",
            )


def _cos_problem(url: str, folder: str | None) -> str | None:
    if url.startswith(PREFIX_PLACEHOLDER):  # a template, as --emit-request writes them
        match = _TEMPLATED_PATH.fullmatch(url[len(PREFIX_PLACEHOLDER) :])
        if match is None:
            return f"does not follow the template {PREFIX_PLACEHOLDER}/{{folder}}/{{file}}"
    else:
        match, problem = _url_path(url)
        if match is None:
            return problem
    if folder is not None and match["folder"] != folder:
        return f"is in the folder '{match['folder']}/', but this field's files go in '{folder}/'"
    return None


def _url_path(url: str) -> tuple[re.Match[str] | None, str]:
    """The upload path of an object URL, or why the URL has none."""
    if not url.lower().startswith(("https://", "http://")):
        return None, "is not an http(s) URL of an uploaded object"
    path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    match = _UPLOAD_PATH.search(path)
    if match is None and "/customer-pipline/" in path:
        return None, "spells the prefix 'customer-pipline'; the upload path is 'customer-pipeline'"
    problem = "does not follow the upload path …/customer-pipeline/{digits}/{uuid}/{folder}/{file}"
    return match, problem
