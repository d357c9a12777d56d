"""The emitted request: exactly the API body, local paths mapped to their upload URLs."""

from __future__ import annotations

from preflight.request import build_request


def test_local_paths_become_upload_urls_with_the_prefix() -> None:
    payload = {
        "AnchorName": "Tom",
        "MakeType": "IMAGE",
        "SexType": "MALE",
        "MaterialCosUrl": "video/tom.mp4",
        "IdentityWrittenCosUrl": "../letters/tom.pdf",
        "IsHaveBackground": True,
        "VoiceDriverCosFile": "demo.wav",
    }
    prefix = "https://b.cos.ap-guangzhou.myqcloud.com/customer-pipeline/42/u-u-i-d/"
    assert build_request(payload, prefix) == {
        "Header": {},
        "Payload": {
            "AnchorName": "Tom",
            "MakeType": "IMAGE",
            "SexType": "MALE",
            "IdentityWrittenCosUrl": f"{prefix}idcard/tom.pdf",
            "MaterialCosUrl": f"{prefix}video/tom.mp4",
            "IsHaveBackground": True,
            "VoiceDriverCosFile": f"{prefix}audio/demo.wav",
        },
    }


def test_without_prefix_a_placeholder_stands_in() -> None:
    body = build_request({"MakeType": "VOICE", "MaterialCosUrl": "v.zip"}, None)
    assert body["Payload"]["MaterialCosUrl"] == "${COS_PATH_PREFIX}/audio/v.zip"
    body = build_request({"MakeType": "IMAGE_PHOTO", "MaterialCosUrl": "me.png"}, None)
    assert body["Payload"]["MaterialCosUrl"] == "${COS_PATH_PREFIX}/photo/me.png"


def test_urls_are_kept_and_inapplicable_unknown_or_mistyped_fields_left_out() -> None:
    url = "https://b.cos.ap-guangzhou.myqcloud.com/customer-pipeline/1/x/audio/v.zip"
    payload = {
        "MakeType": "VOICE",
        "MaterialCosUrl": url,
        "IsHaveBackground": True,  # image types only
        "AudioId": "a",  # ZERO_SHOT_VOICE only
        "IsRemoveBackground": True,  # not a field
        "Notes": 5,  # wrong type
    }
    assert build_request(payload, None) == {
        "Header": {},
        "Payload": {"MakeType": "VOICE", "MaterialCosUrl": url},
    }
