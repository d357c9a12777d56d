"""Hostile manifests: invalid JSON and TOML, wrong types everywhere, deep nesting, 10 MB
strings, byte-order marks, duplicate keys. Each is one finding on the manifest, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

from harness import check_cli

FIELDS = (
    "AnchorName",
    "MakeType",
    "SexType",
    "IdentityCosUrl",
    "IdentityWrittenCosUrl",
    "MaterialCosUrl",
    "IsHaveBackground",
    "Notes",
    "TextDriver",
    "VoiceDriverCosFile",
    "AudioId",
)
PAYLOAD = '"AnchorName": "Lin", "MakeType": "ZERO_SHOT_VOICE", "SexType": "MALE", "AudioId": "a1"'
DEEP = 100_000
BIG = 10 * 1024 * 1024


def _wrong_types() -> str:
    """Every field holds each wrong type in turn: numbers, lists, objects, booleans."""
    values: list[object] = [12, 1.5, [1, "x"], {"a": {"b": []}}, True, False, -1, []]
    return json.dumps({name: values[n % len(values)] for n, name in enumerate(FIELDS)})


MANIFESTS: dict[str, tuple[str | bytes, str]] = {
    "invalid.request.json": ('{"AnchorName": "Lin",, }', "file.unreadable"),
    "invalid.request.toml": ('AnchorName = "Lin\nMakeType = ', "file.unreadable"),
    "not-an-object.request.json": ("[1, 2, 3]", "file.unreadable"),
    "wrong-types.request.json": (_wrong_types(), "request.field-type"),
    "wrong-types-body.request.json": ('{"Header": [], "Payload": "x"}', "file.unreadable"),
    "wrong-types.request.toml": (
        "AnchorName = 12\nMakeType = [1]\nSexType = {a = 1}\nIsHaveBackground = 'true'\n"
        "Notes = 1979-05-27T07:32:00Z\n",
        "request.field-type",
    ),
    "deep.request.json": ("[" * DEEP + "]" * DEEP, "file.unreadable"),
    "deep-object.request.json": ('{"a":' * DEEP + "1" + "}" * DEEP, "file.unreadable"),
    "deep.request.toml": ("a = " + "[" * DEEP + "]" * DEEP, "file.unreadable"),
    "nested-in-field.request.json": (
        "{" + PAYLOAD + ', "Notes": ' + "[" * 900 + "]" * 900 + "}",
        "request.field-type",
    ),
    "nested-unknown.request.json": (
        "{" + PAYLOAD + ', "Extra": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}",
        "request.unknown-field",
    ),
    "10mb.request.json": ('{"AnchorName": "' + "x" * BIG + '"}', "file.unreadable"),
    "10mb.request.toml": ('Notes = "' + "x" * BIG + '"', "file.unreadable"),
    "900kb.request.json": (
        '{"AnchorName": "' + "名" * 200_000 + '", "Notes": "' + "n" * 300_000 + '"}',
        "request.anchor-name",
    ),
    "bom.request.json": (
        b"\xef\xbb\xbf{" + PAYLOAD.encode() + b', "Notes": 5}',
        "request.field-type",
    ),
    "bom.request.toml": (b"\xef\xbb\xbfAnchorName = 5\n", "request.field-type"),
    "utf16.request.json": (("\ufeff{" + PAYLOAD + "}").encode("utf-16-le"), "file.unreadable"),
    "duplicate.request.json": ('{"AnchorName": "a", "AnchorName": "b"}', "file.unreadable"),
    "duplicate-payload.request.json": (
        '{"Header": {}, "Payload": {"Notes": "a", "Notes": "b"}}',
        "file.unreadable",
    ),
    "duplicate.request.toml": ('Notes = "a"\nNotes = "b"\n', "file.unreadable"),
    "nul.request.json": ('{"AnchorName": "a\\u0000b"}', "file.unreadable"),
    "surrogate.request.json": ('{"AnchorName": "\\ud800"}', "file.unreadable"),
    "binary.request.json": (bytes(range(256)) * 4, "file.unreadable"),
}


def test_hostile_manifests(tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    for name, (content, _) in MANIFESTS.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    run = check_cli(
        tmp_path, "manifests", expect={f"manifests/{n}": rule for n, (_, rule) in MANIFESTS.items()}
    )
    assert run.report is not None and len(run.report["requests"]) == len(MANIFESTS)
    for request in run.report["requests"]:
        text = json.dumps(request)
        assert len(text) < 2 * 1024 * 1024, request["source"]  # no 10 MB echo
