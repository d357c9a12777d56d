"""Rules on the request's own fields (SPEC §2): names, enums, lengths, applicability, URLs; of
a customization request, or of a zero-shot audio inspection (SPEC §8)."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from preflight import materials  # a module: its table imports the file families
from preflight.fields import (
    ENDPOINTS,
    FIELDS,
    IDENTITY_FIELDS,
    PREFIX_PLACEHOLDER,
    UPLOAD_PREFIX,
    ZERO_SHOT,
    Endpoint,
    endpoint_of,
    is_url,
    make_type_of,
)
from preflight.i18n import _
from preflight.limits import (
    ANCHOR_NAME_MAX,
    ANCHOR_NAME_MIN,
    MAKE_TYPES,
    NAME_CHARSET_TEXT,
    NOTES_MAX,
    SEX_TYPES,
    TEXT_DRIVER_MAX,
    TEXT_DRIVER_MIN,
    ZEROSHOT_LANGUAGES,
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
UPLOAD_COLLISION = Rule(
    "request.upload-collision",
    "error",
    "two different local files of one run would be uploaded to the same URL (one would "
    "overwrite the other)",
    "one local file per upload URL",
    "SPEC §2, the emitted request: {prefix}/{folder}/{file name}",
)
# The zero-shot audio inspection's fields (1211/62077 English page, 1240/104986 Chinese page).
_ZEROSHOT_PAGES = "1211/62077, 1240/104986: request parameters"
AUDIO_URL = Rule(
    "request.audio-url",
    "error",
    "a zero-shot audio inspection without AudioUrl",
    "required",
    _ZEROSHOT_PAGES,
)
LANGUAGE = Rule(
    "request.language",
    "error",
    "Language of a zero-shot audio inspection not chi, eng or can",
    " / ".join(ZEROSHOT_LANGUAGES) + " (chi when absent)",
    "1240/104986 (Chinese page; the English page has no Language)",
)
REFERENCE_TEXT = Rule(
    "request.reference-text",
    "error",
    "both ReferenceText and TextId in a zero-shot audio inspection",
    "ReferenceText or TextId, or neither",
    _ZEROSHOT_PAGES,
)
NO_REFERENCE_TEXT = Rule(
    "request.no-reference-text",
    "info",
    "neither ReferenceText nor TextId: the inspection cannot judge the reading's accuracy",
    "ReferenceText or TextId, for a more accurate inspection",
    _ZEROSHOT_PAGES,
)
# The codes producers write for the three languages (ISO 639-1, locales), and what they mean.
_LANGUAGE_CODES = {
    **dict.fromkeys(("zh", "cn", "zh-cn", "zh_cn", "zho", "cmn", "mandarin"), "chi"),
    **dict.fromkeys(("en", "en-us", "en_us", "en-gb", "english"), "eng"),
    **dict.fromkeys(("yue", "zh-hk", "zh_hk", "cantonese"), "can"),
}
_GENERIC = (
    UNKNOWN_FIELD,
    FIELD_TYPE,
    COS_PATH,
    UPLOAD_COLLISION,
)  # the rules of every endpoint's requests
_ZEROSHOT_RULES = (AUDIO_URL, LANGUAGE, REFERENCE_TEXT, NO_REFERENCE_TEXT)
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
    UPLOAD_COLLISION,
    *_ZEROSHOT_RULES,
)

_UPLOAD_PATH = re.compile(UPLOAD_PREFIX.pattern + r"(?P<folder>[^/]+)/(?P<file>[^/]+)$")
_TEMPLATED_PATH = re.compile(r"/(?P<folder>[^/]+)/(?P<file>[^/]+)")
_SHOWN_MAX = 80  # characters of a user's value quoted back in a message


def rules_of(endpoint: Endpoint) -> tuple[Rule, ...]:
    """The rules that `check` runs on a request for this endpoint, in catalogue order."""
    return _ZEROSHOT_CHECKED if endpoint is ZERO_SHOT else _MAKE_CHECKED


_ZEROSHOT_CHECKED = tuple(r for r in RULES if r in _GENERIC or r in _ZEROSHOT_RULES)
_MAKE_CHECKED = tuple(r for r in RULES if r not in _ZEROSHOT_RULES)


def check(manifest: Manifest) -> Iterator[Finding]:
    """Every single-request rule, on one manifest's payload, for the endpoint its fields say
    it is for."""
    payload = manifest.payload
    source = manifest.source
    endpoint = endpoint_of(payload)
    for key in (*manifest.extra_keys, *(k for k in payload if k not in endpoint.fields)):
        yield _unknown(key, source, endpoint)
    yield from _types(payload, endpoint, source)
    make_type = make_type_of(payload.get("MakeType"))
    if endpoint is ZERO_SHOT:
        yield from _zero_shot(payload, source)
    else:
        yield from _make(payload, make_type, source)
    yield from _cos_paths(payload, endpoint, make_type, source)


def _make(payload: Mapping[str, Any], make_type: MakeType | None, source: str) -> Iterator[Finding]:
    """The fields of a customization request."""
    yield from _one_of(MAKE_TYPE, "MakeType", payload, tuple(MAKE_TYPES), source)
    yield from _one_of(SEX_TYPE, "SexType", payload, SEX_TYPES, source)
    yield from _anchor_name(payload.get("AnchorName"), source)
    notes = _text(payload, "Notes")
    if notes is not None and len(notes) > NOTES_MAX:
        yield NOTES.finding(
            _("Notes has {count} characters, over the {max} allowed").format(
                count=len(notes), max=NOTES_MAX
            ),
            field="Notes",
            path=source,
            actual=len(notes),
        )
    yield from _text_driver(_text(payload, "TextDriver"), source)
    if make_type is not None:
        yield from _per_type(payload, make_type, source)


def _zero_shot(payload: Mapping[str, Any], source: str) -> Iterator[Finding]:
    """The fields of a zero-shot audio inspection."""
    if not _present(payload, "AudioUrl"):
        yield AUDIO_URL.finding(
            _(
                "AudioUrl is required: the reference recording, a local path or its URL under "
                "zeroshot/"
            ),
            field="AudioUrl",
            path=source,
        )
    if _present(payload, "Language"):
        yield from _one_of(
            LANGUAGE, "Language", payload, ZEROSHOT_LANGUAGES, source, _LANGUAGE_CODES
        )
    texts = [name for name in ("ReferenceText", "TextId") if _present(payload, name)]
    if len(texts) == 2:
        yield REFERENCE_TEXT.finding(
            _("ReferenceText and TextId are two ways to give the text read: give one, or neither"),
            field="TextId",
            path=source,
        )
    elif not texts:
        yield NO_REFERENCE_TEXT.finding(
            _(
                "neither ReferenceText nor TextId is given: with the text read (ReferenceText) or "
                "the TextId of the training text, the inspection is more accurate"
            ),
            field="ReferenceText",
            path=source,
        )


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
                message = _("AnchorName {name} is also used by {sources}").format(
                    name=repr(name), sources=", ".join(others[:3])
                )
            elif name in known_anchors:
                message = _("AnchorName {name} is already taken (listed in --known-anchors)")
                message = message.format(name=repr(name))
            else:
                continue
            found.setdefault(source, []).append(
                ANCHOR_NAME_DUPLICATE.finding(message, field="AnchorName", path=source, actual=name)
            )
    return found


class Upload(NamedTuple):
    """A local file of one request, and the URL the emitted request uploads it to."""

    source: str  # the manifest
    field: str
    url: str
    size: int | None  # None: not there to upload
    file: str  # absolute


def check_uploads(uploads: Iterable[Upload]) -> dict[str, list[Finding]]:
    """request.upload-collision, by manifest source: different local files that would land at
    one upload URL (`lin/authorization.pdf` and `studio/authorization.pdf` both at
    `…/idcard/authorization.pdf`). Files of one size are taken for copies of one file (the
    same letter in each request's folder: uploaded twice, alike), as only headers are read."""
    by_url: dict[str, list[Upload]] = {}
    for upload in uploads:
        if upload.size is not None:
            by_url.setdefault(upload.url, []).append(upload)
    found: dict[str, list[Finding]] = {}
    for url, sharing in by_url.items():
        if len({u.size for u in sharing}) == 1:
            continue  # one file, or copies of it
        # each file named from the folder they share: the folders that tell them apart, the
        # same wherever the run started
        common = os.path.commonpath([u.file for u in sharing])
        named = {u.file: os.path.relpath(u.file, common).replace(os.sep, "/") for u in sharing}
        for upload in sharing:
            others = sorted({named[u.file] for u in sharing if u.size != upload.size})
            if not others:
                continue
            message = _(
                "{path} and {others} would both be uploaded to {url}: one would overwrite the "
                "other; rename one of them"
            ).format(path=named[upload.file], others=", ".join(others[:3]), url=url)
            finding = UPLOAD_COLLISION.finding(
                message, field=upload.field, path=upload.source, actual=url
            )
            found.setdefault(upload.source, []).append(finding)
    return found


def _unknown(key: str, source: str, endpoint: Endpoint) -> Finding:
    shown = key[:_SHOWN_MAX]
    other = next((e for e in ENDPOINTS if e is not endpoint and key in e.fields), None)
    guess = did_you_mean(key, tuple(endpoint.fields))
    if other is not None:
        message = _("{key} is a field of {other}, not of {endpoint}; it is not sent")
    elif guess:
        message = _("{key} is not a field of the API; did you mean {guess}?")
    else:
        message = _("{key} is not a field of the API and is not sent")
    message = message.format(
        key=repr(shown),
        guess=repr(guess),
        other=other and _(other.name),
        endpoint=_(endpoint.name),
    )
    return UNKNOWN_FIELD.finding(message, field=shown, path=source, actual=shown)


def _types(payload: Mapping[str, Any], endpoint: Endpoint, source: str) -> Iterator[Finding]:
    for name, spec in endpoint.fields.items():
        value = payload.get(name)
        # None: absent, or JSON null, the same to the API.
        if value is None or isinstance(value, spec.type):
            continue
        expected = _("boolean") if spec.type is bool else _("string")
        if spec.type is bool:
            message = _("{field} must be a boolean, not {value}")
        else:
            message = _("{field} must be a string, not {value}")
        yield FIELD_TYPE.finding(
            message.format(field=name, value=_type_name(value)),
            field=name,
            path=source,
            actual=_type_name(value),
            limit=expected,
            hint=_edit(source, name, as_bool(value)) if spec.type is bool else None,
        )


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, str):
        return _("the string {value}").format(value=repr(value[:_SHOWN_MAX]))
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, list):
        return _("a list")
    return _("an object") if isinstance(value, dict) else type(value).__name__


def as_bool(value: object) -> bool | None:
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
    rule: Rule,
    name: str,
    payload: Mapping[str, Any],
    allowed: tuple[str, ...],
    source: str,
    aliases: Mapping[str, str] | None = None,
) -> Iterator[Finding]:
    """`aliases`: what other spellings of a value (lowercase) most likely mean."""
    value = payload.get(name)
    if not _present(payload, name):
        message = _("{field} is required: one of {allowed}")
        yield rule.finding(
            message.format(field=name, allowed=", ".join(allowed)), field=name, path=source
        )
    elif isinstance(value, str) and value not in allowed:
        guess = (aliases or {}).get(value.lower()) or did_you_mean(value, allowed)
        if guess:
            message = _("{field} {value} is not one of {allowed}; did you mean {guess}?")
        else:
            message = _("{field} {value} is not one of {allowed}")
        yield rule.finding(
            message.format(
                field=name,
                value=repr(value[:_SHOWN_MAX]),
                allowed=", ".join(allowed),
                guess=repr(guess),
            ),
            field=name,
            path=source,
            actual=value[:_SHOWN_MAX],
            hint=_edit(source, name, guess),
        )


def _anchor_name(value: object, source: str) -> Iterator[Finding]:
    if value is None or value == "":
        yield ANCHOR_NAME.finding(_("AnchorName is required"), field="AnchorName", path=source)
        return
    if not isinstance(value, str):
        return  # request.field-type says it
    problems = []
    if not ANCHOR_NAME_MIN <= len(value) <= ANCHOR_NAME_MAX:
        problems.append(
            _("has {count} characters ({min}–{max} allowed)").format(
                count=len(value), min=ANCHOR_NAME_MIN, max=ANCHOR_NAME_MAX
            )
        )
    bad = outside_charset(value)
    if bad:
        if " " in bad:
            problem = _(
                "contains {chars}, outside {charset} (the API page's own example names contain "
                "spaces, but its rule 3 forbids them)"
            )
        else:
            problem = _("contains {chars}, outside {charset}")
        problems.append(problem.format(chars=describe_chars(bad), charset=_(NAME_CHARSET_TEXT)))
    if problems:
        suggestion = anchor_suggestion(value)
        yield ANCHOR_NAME.finding(
            _("AnchorName {name} {problems}").format(
                name=repr(value[:_SHOWN_MAX]), problems=_("; ").join(problems)
            ),
            field="AnchorName",
            path=source,
            actual=value[:_SHOWN_MAX],
            hint=_edit(source, "AnchorName", suggestion),
        )


def anchor_suggestion(value: str) -> str | None:
    """The AnchorName a charset or length problem most likely meant, when one is long enough:
    each run of other characters becomes '_' (`Lin Studio` → `Lin_Studio`)."""
    suggestion = clean_name(value, "")[:ANCHOR_NAME_MAX]
    return suggestion if len(suggestion) >= ANCHOR_NAME_MIN else None


def _text_driver(text: str | None, source: str) -> Iterator[Finding]:
    if text is None:
        return
    if not TEXT_DRIVER_MIN <= len(text) <= TEXT_DRIVER_MAX:
        yield TEXT_DRIVER.finding(
            _("TextDriver has {count} characters ({min}–{max} allowed, SSML tags included)").format(
                count=len(text), min=TEXT_DRIVER_MIN, max=TEXT_DRIVER_MAX
            ),
            field="TextDriver",
            path=source,
            actual=len(text),
        )
    problem = _ssml_problem(text) if "<" in text else None
    if problem:
        yield TEXT_DRIVER.finding(
            _("TextDriver contains malformed SSML: {problem}").format(problem=problem),
            field="TextDriver",
            path=source,
            actual=_("malformed SSML"),
            limit=_("well-formed SSML"),
        )


def _ssml_problem(text: str) -> str | None:
    """Why the text is not well-formed SSML; plain text with tags is read inside <speak>."""
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return _("a DOCTYPE or ENTITY declaration is not SSML")
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
    label = make_type.titled
    if make_type.identity_required and not any(_present(payload, f) for f in IDENTITY_FIELDS):
        yield IDENTITY_MISSING.finding(
            _(
                "{type} needs an authorization: IdentityCosUrl (video) or IdentityWrittenCosUrl "
                "(PDF letter), or both"
            ).format(type=label),
            field="IdentityCosUrl",
            path=source,
        )
    material = materials.material_for("MaterialCosUrl", make_type)
    if material is not None and not _present(payload, "MaterialCosUrl"):
        yield MATERIAL_MISSING.finding(
            _("{type} needs MaterialCosUrl: the training {material}").format(
                type=label, material=_(material.name)
            ),
            field="MaterialCosUrl",
            path=source,
        )
    if make_type.name == "ZERO_SHOT_VOICE" and not _present(payload, "AudioId"):
        yield AUDIO_ID.finding(
            _("ZERO_SHOT_VOICE needs the AudioId returned by the audio quality inspection"),
            field="AudioId",
            path=source,
        )
    for name in FIELDS:
        if payload.get(name) is not None and not materials.applies(name, make_type):
            yield NOT_APPLICABLE.finding(
                _("{field} does not apply to {type}; it is left out of the request").format(
                    field=name, type=label
                ),
                field=name,
                path=source,
            )


def _cos_paths(
    payload: Mapping[str, Any], endpoint: Endpoint, make_type: MakeType | None, source: str
) -> Iterator[Finding]:
    for name, spec in endpoint.fields.items():
        value = _text(payload, name)
        if not spec.is_file or not value or not is_url(value):
            continue
        folder = materials.upload_folder(name, make_type)
        problem = _cos_problem(value, folder)
        if problem:
            yield COS_PATH.finding(
                _("{field} {problem}").format(field=name, problem=problem),
                field=name,
                path=source,
                actual=value[:200],
                limit=f"…/customer-pipeline/{{digits}}/{{uuid}}/{folder or '{folder}'}/{{file}}",
            )


def _cos_problem(url: str, folder: str | None) -> str | None:
    if url.startswith(PREFIX_PLACEHOLDER):  # a template, as --emit-request writes them
        match = _TEMPLATED_PATH.fullmatch(url[len(PREFIX_PLACEHOLDER) :])
        if match is None:
            return _("does not follow the template {template}").format(
                template=f"{PREFIX_PLACEHOLDER}/{{folder}}/{{file}}"
            )
    else:
        match, problem = _url_path(url)
        if match is None:
            return problem
    if folder is not None and match["folder"] != folder:
        return _("is in the folder {found}, but this field's files go in {folder}").format(
            found=f"'{match['folder']}/'", folder=f"'{folder}/'"
        )
    return None


def _url_path(url: str) -> tuple[re.Match[str] | None, str]:
    """The upload path of an object URL, or why the URL has none."""
    if not url.lower().startswith(("https://", "http://")):
        return None, _("is not an http(s) URL of an uploaded object")
    path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]
    match = _UPLOAD_PATH.search(path)
    if match is None and "/customer-pipline/" in path:
        return None, _(
            "spells the prefix 'customer-pipline'; the upload path is 'customer-pipeline'"
        )
    problem = _("does not follow the upload path {path}").format(
        path="…/customer-pipeline/{digits}/{uuid}/{folder}/{file}"
    )
    return match, problem
