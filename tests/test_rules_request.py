"""Request-field rules, on real manifests written to disk and loaded as the CLI loads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.manifest import from_fields, load
from preflight.rules import request
from preflight.rules.file import check_manifest

GOOD: dict[str, Any] = {
    "AnchorName": "Tom_blue-suit",
    "MakeType": "IMAGE",
    "SexType": "MALE",
    "IdentityCosUrl": "id.mp4",
    "MaterialCosUrl": "video.mp4",
}
PREFIX = "https://bucket.cos.ap-guangzhou.myqcloud.com/customer-pipeline/1234567/"
UUID = "0b7e4c62-1f2a-4c3b-9d8e-5a6f7b8c9d0e"


def rules_fired(tmp_path: Path, payload: dict[str, Any]) -> list[str]:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return [f.rule for f in request.check(load(path, "request.json"))]


def test_a_good_request_has_no_finding(tmp_path: Path) -> None:
    assert rules_fired(tmp_path, GOOD) == []


def test_the_api_pages_own_sample_body(tmp_path: Path) -> None:
    sample = {
        "Header": {},
        "Payload": {
            "AnchorName": "Jingxuan in a green dress, sitting pose",
            "MakeType": "IMAGE",
            "IdentityCosUrl": "XXXX",
            "MaterialCosUrl": "YYYY",
            "IsRemoveBackground": True,
        },
    }
    path = tmp_path / "sample.request.json"
    path.write_text(json.dumps(sample), encoding="utf-8")
    findings = list(request.check(load(path, "sample.request.json")))
    by_rule = {f.rule: f for f in findings}
    assert set(by_rule) == {"request.unknown-field", "request.anchor-name", "request.sex-type"}
    assert "IsHaveBackground" in by_rule["request.unknown-field"].message
    assert "spaces" in by_rule["request.anchor-name"].message
    assert by_rule["request.anchor-name"].hint == (
        '"AnchorName": "Jingxuan_in_a_green_dress_sitting_pose"'
    )


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"IsHaveBackground": "true"}, "request.field-type"),
        ({"Notes": 12}, "request.field-type"),
        ({"MakeType": "image"}, "request.make-type"),
        ({"MakeType": None}, "request.make-type"),
        ({"SexType": "M"}, "request.sex-type"),
        ({"AnchorName": "T"}, "request.anchor-name"),
        ({"AnchorName": "x" * 51}, "request.anchor-name"),
        ({"AnchorName": "Tom.Smith"}, "request.anchor-name"),
        ({"AnchorName": ""}, "request.anchor-name"),
        ({"Notes": "n" * 101}, "request.notes"),
        ({"TextDriver": "abc"}, "request.text-driver"),
        ({"TextDriver": "t" * 1001}, "request.text-driver"),
        ({"TextDriver": "Hello <break time='1s'> world"}, "request.text-driver"),
        ({"TextDriver": '<!DOCTYPE s [<!ENTITY a "b">]><speak>&a;</speak>'}, "request.text-driver"),
        ({"IdentityCosUrl": None}, "request.identity-missing"),
        ({"MaterialCosUrl": ""}, "request.material-missing"),
        ({"AudioId": "a1"}, "request.field-not-applicable"),
        ({"Anchorname": "x"}, "request.unknown-field"),
        ({"MaterialCosUrl": "https://example.com/video/c.mp4"}, "request.cos-path"),
        ({"MaterialCosUrl": f"{PREFIX}{UUID}/photo/c.mp4"}, "request.cos-path"),
        (
            {"MaterialCosUrl": f"ftp://host/customer-pipeline/1/{UUID}/video/c.mp4"},
            "request.cos-path",
        ),
    ],
)
def test_each_rule_fires(tmp_path: Path, change: dict[str, Any], rule: str) -> None:
    payload = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert rule in rules_fired(tmp_path, payload)


@pytest.mark.parametrize(
    "change",
    [
        {"AnchorName": "张三_蓝色西装"},
        {"AnchorName": "x" * 50},
        {"AnchorName": "ab"},
        {"Notes": "n" * 100},
        {"TextDriver": "四个汉字"},
        {"TextDriver": "Hello <break time='1s'/> world"},
        {"TextDriver": "<speak>Hi<break time='500ms'/>there</speak>"},
        {"TextDriver": "<?xml version='1.0'?><speak>你好<break time='1s'/></speak>"},
        {"Notes": None, "IsHaveBackground": None, "AudioId": None},
        {"IsHaveBackground": False},
        {"IdentityCosUrl": None, "IdentityWrittenCosUrl": "letter.pdf"},
        {"MaterialCosUrl": f"{PREFIX}{UUID}/video/c.mp4"},
        {"IdentityCosUrl": f"{PREFIX}{UUID}/idcard/a.mp4"},
    ],
)
def test_valid_values_stay_silent(tmp_path: Path, change: dict[str, Any]) -> None:
    payload = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    assert rules_fired(tmp_path, payload) == []


def test_zero_shot_voice_needs_only_an_audio_id(tmp_path: Path) -> None:
    base = {"AnchorName": "Tom", "MakeType": "ZERO_SHOT_VOICE", "SexType": "MALE"}
    assert rules_fired(tmp_path, base) == ["request.audio-id"]
    assert rules_fired(tmp_path, {**base, "AudioId": "a-1"}) == []
    fired = rules_fired(
        tmp_path, {**base, "AudioId": "a-1", "MaterialCosUrl": "v.zip", "IsHaveBackground": True}
    )
    assert fired == ["request.field-not-applicable", "request.field-not-applicable"]


def test_voice_material_url_goes_in_the_audio_folder(tmp_path: Path) -> None:
    voice = {**GOOD, "MakeType": "VOICE", "MaterialCosUrl": f"{PREFIX}{UUID}/audio/v.zip"}
    assert rules_fired(tmp_path, voice) == []
    voice["MaterialCosUrl"] = f"{PREFIX}{UUID}/video/v.zip"
    assert rules_fired(tmp_path, voice) == ["request.cos-path"]


def test_duplicate_anchor_names_across_manifests_and_known(tmp_path: Path) -> None:
    manifests = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.request.json"
        anchor = "Tom" if name != "c" else "Jerry"
        path.write_text(json.dumps({**GOOD, "AnchorName": anchor}), encoding="utf-8")
        manifests.append(load(path, path.name))
    found = request.check_duplicates(manifests, frozenset())
    assert sorted(found) == ["a.request.json", "b.request.json"]
    assert "b.request.json" in found["a.request.json"][0].message
    found = request.check_duplicates(manifests, frozenset({"Jerry"}))
    assert [f.rule for f in found["c.request.json"]] == ["request.anchor-name-duplicate"]


def test_toml_manifest_and_bare_payload_are_equivalent(tmp_path: Path) -> None:
    toml = tmp_path / "request.toml"
    toml.write_text(
        'AnchorName = "Tom"\nMakeType = "IMAGE"\nSexType = "MALE"\n'
        'IdentityCosUrl = "id.mp4"\nMaterialCosUrl = "v.mp4"\nIsHaveBackground = "yes"\n',
        encoding="utf-8",
    )
    findings = list(request.check(load(toml, "request.toml")))
    assert [f.rule for f in findings] == ["request.field-type"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("{not json", "request.json"),
        ('{"AnchorName": "a", "AnchorName": "b"}', "request.json"),
        ("[1, 2]", "request.json"),
        ('{"Header": {}, "Payload": []}', "request.json"),
        ("AnchorName = ", "request.toml"),
        ("", "request.json"),
    ],
)
def test_broken_manifests_are_unreadable_findings(tmp_path: Path, text: str, name: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    manifest = load(path, name)
    assert [f.rule for f in check_manifest(manifest)] == ["file.unreadable"]
    assert manifest.payload == {}


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert load(path, "request.json").payload == GOOD


def test_hints_are_written_in_the_manifests_own_syntax(tmp_path: Path) -> None:
    toml = tmp_path / "request.toml"
    toml.write_text(
        'AnchorName = "Lin Studio"\nMakeType = "image"\nSexType = "MALE"\n'
        'IsHaveBackground = "false"\n',
        encoding="utf-8",
    )
    hints = {f.rule: f.hint for f in request.check(load(toml, "request.toml"))}
    assert hints["request.anchor-name"] == 'AnchorName = "Lin_Studio"'
    assert hints["request.make-type"] == 'MakeType = "IMAGE"'
    assert hints["request.field-type"] == "IsHaveBackground = false"
    flags = from_fields(
        {
            "AnchorName": "a b",
            "MakeType": "IMAGE_PHOTO",
            "SexType": "male",
            "MaterialCosUrl": "p.png",
        },
        tmp_path,
    )
    hints = {f.rule: f.hint for f in request.check(flags)}
    assert hints["request.anchor-name"] == "--anchor-name a_b"
    assert hints["request.sex-type"] == "--sex MALE"
