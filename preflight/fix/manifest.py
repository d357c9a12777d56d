"""The rewritten manifest: the fields with one right answer corrected, the file fields pointing
at the fixed copies (or back at the files that needed none); what needs a person is listed.
Pure: the payload and its findings in, the new payload and text out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from preflight.fields import FIELDS, endpoint_of
from preflight.fix.plan import Unfixable
from preflight.i18n import N_, _
from preflight.limits import MAKE_TYPES, SEX_TYPES
from preflight.names import did_you_mean, printable
from preflight.report import Finding
from preflight.rules import request

_REASONS = {
    request.IDENTITY_MISSING.id: N_("add the authorization video or the signed letter"),
    request.MATERIAL_MISSING.id: N_("add the training material"),
    request.ANCHOR_NAME_DUPLICATE.id: N_("choose an AnchorName that is not taken"),
    request.AUDIO_ID.id: N_("run the audio quality inspection to obtain the AudioId"),
    request.COS_PATH.id: N_("upload the file to the folder its field needs, then give that URL"),
    request.NOTES.id: N_("shorten the notes"),
    request.TEXT_DRIVER.id: N_("rewrite the text driver"),
}
_NEEDS_A_PERSON = N_("the right value is a choice only a person can make")


@dataclass(frozen=True)
class FieldFix:
    rule: str
    field: str
    change: str  # `'female' → 'FEMALE'`, `dropped`, `renamed to IsHaveBackground`


def rewrite(
    payload: Mapping[str, Any], findings: Sequence[Finding], files: Mapping[str, str]
) -> tuple[dict[str, Any], list[FieldFix], list[Unfixable]]:
    """The payload with its unambiguous fixes and `files` (field → new local path) applied."""
    new = dict(payload)
    fixed: list[FieldFix] = []
    left: list[Unfixable] = []
    for finding in findings:
        if not finding.rule.startswith("request."):
            continue
        change = _fix(new, finding)
        if change is not None and finding.field is not None:
            fixed.append(FieldFix(finding.rule, finding.field, change))
        else:
            reason = _(_REASONS.get(finding.rule, _NEEDS_A_PERSON))
            left.append(Unfixable(finding.rule, finding.field, reason))
    for field, path in files.items():
        if field in new:
            new[field] = path
    return new, fixed, left


def _fix(payload: dict[str, Any], finding: Finding) -> str | None:
    """Apply the one right answer to `finding`, if it has one; say what changed."""
    name = finding.field
    if name is None:
        return None
    # A finding quotes a long key cut short.
    key = name if name in payload else next((k for k in payload if k.startswith(name)), None)
    if key is None:
        return None
    value = payload[key]
    if finding.rule == request.NOT_APPLICABLE.id:
        del payload[key]
        return _("dropped: the make type does not use it")
    if finding.rule == request.UNKNOWN_FIELD.id:
        guess = did_you_mean(key, endpoint_of(payload).fields)
        if guess is None or guess in payload:
            return None
        payload[guess] = payload.pop(key)
        return _("renamed to {field}").format(field=guess)
    if finding.rule == request.FIELD_TYPE.id and key in FIELDS and FIELDS[key].type is bool:
        flag = request.as_bool(value)
        if flag is None:
            return None
        payload[key] = flag
        return f"{value!r} → {json.dumps(flag)}"
    if not isinstance(value, str):
        return None
    choices = {request.MAKE_TYPE.id: tuple(MAKE_TYPES), request.SEX_TYPE.id: SEX_TYPES}
    if finding.rule in choices:  # the same but for case: anything else is a guess
        corrected = next((c for c in choices[finding.rule] if c.lower() == value.lower()), None)
    elif finding.rule == request.ANCHOR_NAME.id:
        corrected = request.anchor_suggestion(value)
    else:
        return None
    if corrected is None or corrected == value:
        return None
    payload[key] = corrected
    return f"{value!r} → {corrected!r}"


def text(payload: Mapping[str, Any], toml: bool, source: str) -> tuple[str, str]:
    """The manifest's extension and text: TOML when the original was and every value is a
    TOML scalar (a JSON string is a TOML basic string), else the API body in JSON."""
    if toml and all(isinstance(v, str | bool | int) for v in payload.values()):
        lines = [f"# Rewritten by preflight fix from {printable(source)}"]
        lines += [
            f"{_toml_key(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in payload.items()
        ]
        return "toml", "\n".join(lines) + "\n"
    body = {"Header": {}, "Payload": dict(payload)}
    return "json", json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _toml_key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)
