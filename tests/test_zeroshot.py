"""The zero-shot reference audio inspection (zeroshotservice/detectaudioquality): its manifest
recognised by its fields, checked and emitted as its own body, and its audio judged against
both documentation pages' limits, on real files made by ffmpeg. Runs of the command line read
headers only (`--no-content`) but where the speech analysis of the reference audio is the
point: its own tests judge tones and speech alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.facts import fired
from helpers.media import make_audio, make_photo, make_video, run_hint
from helpers.speech import SPEECH
from runner import invoke, report_of, rules_of

from preflight.fields import MAKE, ZERO_SHOT, endpoint_of
from preflight.probe import probe_file
from preflight.probe.facts import AudioFacts
from preflight.request import build_request

PREFIX = "https://b.cos.ap-guangzhou.myqcloud.com/customer-pipeline/1234567890/0b7e4c62-1f2a-4c3b-9d8e-5a6f7b8c9d0e"
READING = "蓝蓝的天空银河里，有只小白船"


def checked(*args: str) -> tuple[int, dict[str, Any]]:
    """`preflight check --format json --no-content ARGS`: exit code and report."""
    return report_of(*args, "--no-content")


def judged(path: Path) -> set[str]:
    """The rules that fire on a real file used as zero-shot reference audio."""
    return fired(probe_file(path, path.name), None, "AudioUrl")


WMA = ("-c:a", "wmav2")


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("lin_reading.wav", ()),
        ("lin_reading.mp3", ()),
        ("lin_reading.m4a", ()),
        ("lin_reading.aac", ()),
        ("lin_reading.wma", WMA),
        ("lin_reading.asf", WMA),
    ],
)
def test_every_documented_format_passes_at_good_settings(
    tmp_path: Path, name: str, codec: tuple[str, ...]
) -> None:
    path = make_audio(tmp_path / name, seconds=15, codec=codec, bitrate="160k")
    assert judged(path) == set()


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (9.5, {"zeroshot.duration"}),
        (10.0, set()),
        (20.0, set()),
        (25.0, {"zeroshot.duration-recommended"}),
        (31.0, {"zeroshot.duration"}),
    ],
)
def test_duration_both_pages(tmp_path: Path, seconds: float, expected: set[str]) -> None:
    assert judged(make_audio(tmp_path / "lin_reading.wav", seconds=seconds)) == expected


def test_the_pages_disagreement_is_named(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "lin_reading.mp3", seconds=25, bitrate="128k")
    code, report = checked(str(_manifest(tmp_path, {"AudioUrl": path.name, "TextId": "t1"})))
    assert code == 0  # a warning
    (finding,) = report["requests"][0]["findings"]
    assert finding["rule"] == "zeroshot.duration-recommended"
    assert "English page" in finding["message"] and "Chinese page" in finding["message"]
    cut = run_hint(finding["hint"], tmp_path)  # the hint cuts to what both pages accept
    assert cut.name == "lin_reading-19s.mp3" and judged(cut) == set()


@pytest.mark.parametrize(("rate", "fails"), [(8000, True), (11025, True), (16000, False)])
def test_sample_rate_at_least_16_khz(tmp_path: Path, rate: int, fails: bool) -> None:
    path = make_audio(tmp_path / "lin_reading.wav", rate=rate)
    assert judged(path) == ({"zeroshot.rate"} if fails else set())


@pytest.mark.parametrize(
    ("name", "codec", "bitrate", "low"),
    [
        ("lin_reading.mp3", (), "64k", True),
        ("lin_reading.mp3", (), "128k", False),
        ("lin_reading.m4a", (), "96k", True),
        ("lin_reading.aac", (), "64k", True),  # ADTS states none: the probe's average
        ("lin_reading.wma", WMA, "64k", True),
    ],
)
def test_compressed_audio_at_least_128_kbps(
    tmp_path: Path, name: str, codec: tuple[str, ...], bitrate: str, low: bool
) -> None:
    path = make_audio(tmp_path / name, codec=codec, bitrate=bitrate)
    assert judged(path) == ({"zeroshot.bitrate"} if low else set())


def test_an_adts_file_has_its_average_bitrate(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "lin_reading.aac", seconds=15, bitrate="96k")
    facts = probe_file(path, path.name).media
    assert isinstance(facts, AudioFacts) and facts.bit_rate is not None
    assert abs(facts.bit_rate - path.stat().st_size * 8 / 15) < 2000  # ≈ 96 kbps, as stored


def test_pcm_wav_is_not_held_to_the_compressed_bitrate(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "lin_reading.wav", rate=16000)  # 256 kbps, but PCM either way
    assert probe_file(path, path.name).media.bit_rate == 256_000  # type: ignore[union-attr]
    assert judged(path) == set()


@pytest.mark.parametrize("name", ["lin_reading.ogg", "lin_reading.flac"])
def test_other_formats_fail_with_a_conversion_to_wav(tmp_path: Path, name: str) -> None:
    path = make_audio(tmp_path / name, bitrate="160k")  # FLAC, lossless, has no bitrate floor
    assert judged(path) == {"zeroshot.format"}
    code, report = checked(str(_manifest(tmp_path, {"AudioUrl": name, "TextId": "t1"})))
    (finding,) = report["requests"][0]["findings"]
    assert code == 1 and judged(run_hint(finding["hint"], tmp_path)) == set()


@pytest.mark.parametrize(
    ("stem", "fails"),
    [("a", True), ("ab", False), ("my voice", True), ("林_reading-1", False), ("x" * 51, True)],
)
def test_file_name_2_to_50_characters_of_the_charset(
    tmp_path: Path, stem: str, fails: bool
) -> None:
    path = make_audio(tmp_path / f"{stem}.wav")
    assert judged(path) == ({"zeroshot.name"} if fails else set())


def test_larger_than_20_mb(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "lin_reading.wav", seconds=25, rate=48000)
    assert path.stat().st_size < 20 * 1024**2 and "zeroshot.size" not in judged(path)
    big = make_audio(tmp_path / "lin_long.wav", seconds=240, rate=48000)  # 23 MB
    assert {"zeroshot.size", "zeroshot.duration"} <= judged(big)


def test_video_is_not_reference_audio(tmp_path: Path) -> None:
    path = tmp_path / "lin_reading.wmv"
    make_video(path, width=320, height=240, extra=("-f", "asf"), codec="wmv2")
    assert judged(path) == {"file.type-mismatch"}


def _manifest(folder: Path, payload: dict[str, object], name: str = "request.json") -> Path:
    path = folder / name
    if name.endswith(".toml"):
        path.write_text(
            "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in payload.items()),
            encoding="utf-8",
        )
    else:
        path.write_text(json.dumps({"Header": {}, "Payload": payload}), encoding="utf-8")
    return path


def test_recognised_by_its_fields() -> None:
    assert endpoint_of({"AudioUrl": "a.wav"}) is ZERO_SHOT
    assert endpoint_of({"Language": "chi"}) is ZERO_SHOT
    assert endpoint_of({"MakeType": "ZERO_SHOT_VOICE", "AudioUrl": "a.wav"}) is MAKE
    assert endpoint_of({}) is MAKE


@pytest.mark.parametrize("manifest", ["request.json", "lin.request.toml"])
def test_a_zero_shot_manifest_is_checked_and_emitted(tmp_path: Path, manifest: str) -> None:
    make_audio(tmp_path / "lin_reading.mp3", seconds=15, bitrate="128k")
    payload = {"AudioUrl": "lin_reading.mp3", "ReferenceText": READING, "Language": "chi"}
    path = _manifest(tmp_path, payload, manifest)
    out = tmp_path / "out"
    code, report = checked(str(path), "--emit-request", str(out), "--cos-prefix", PREFIX)
    assert code == 0, report
    (request,) = report["requests"]
    assert request["endpoint"] == "POST /v2/ivh/assetmanager/zeroshotservice/detectaudioquality"
    assert request["findings"] == []
    (file,) = request["files"]
    assert (file["field"], file["kind"], file["facts"]["format"]) == ("AudioUrl", "audio", "mp3")
    expected = {
        "Header": {},
        "Payload": {
            "ReferenceText": READING,
            "AudioUrl": f"{PREFIX}/zeroshot/lin_reading.mp3",
            "Language": "chi",
        },
    }
    assert request["request"] == expected
    (body,) = out.iterdir()
    assert json.loads(body.read_text("utf-8")) == expected


def test_beside_make_requests_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "photo").mkdir()
    make_photo(tmp_path / "photo" / "lin_square.png", width=100, height=100, fmt="PNG")
    make = {"AnchorName": "Lin", "MakeType": "IMAGE_PHOTO", "SexType": "FEMALE"}
    _manifest(tmp_path / "photo", {**make, "MaterialCosUrl": "lin_square.png"})
    (tmp_path / "voice").mkdir()
    make_audio(tmp_path / "voice" / "lin_reading.wav", seconds=5)
    _manifest(tmp_path / "voice", {"AudioUrl": "lin_reading.wav", "TextId": "t1"})
    out = tmp_path / "out"
    code, report = checked(str(tmp_path), "--emit-request", str(out))
    assert code == 1
    by_source = {Path(r["source"]).parent.name: r for r in report["requests"]}
    assert by_source["photo"]["endpoint"] == "POST /v2/ivh/assetmanager/customservice/make"
    assert by_source["photo"]["ok"] and not by_source["voice"]["ok"]
    assert [f["rule"] for f in by_source["voice"]["findings"]] == ["zeroshot.duration"]
    bodies = {p.name: json.loads(p.read_text("utf-8")) for p in out.iterdir()}
    assert (
        bodies["photo.json"]["Payload"]["MaterialCosUrl"]
        == "${COS_PATH_PREFIX}/photo/lin_square.png"
    )
    assert bodies["voice.json"]["Payload"] == {
        "TextId": "t1",
        "AudioUrl": "${COS_PATH_PREFIX}/zeroshot/lin_reading.wav",
    }


def test_a_recording_given_alone_is_checked_through_its_manifest(tmp_path: Path) -> None:
    """As pre-commit passes a changed file: the zero-shot manifest naming it is found."""
    path = make_audio(tmp_path / "lin_reading.wav", seconds=25)
    _manifest(tmp_path, {"AudioUrl": "lin_reading.wav", "TextId": "t1"}, "lin.request.json")
    code, report = checked(str(path))
    assert code == 0 and report["files"] == []
    (request,) = report["requests"]
    assert request["endpoint"].endswith("/zeroshotservice/detectaudioquality")
    assert [f["rule"] for f in request["findings"]] == ["zeroshot.duration-recommended"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"Language": "zh"}, {"request.language"}),
        ({"Language": "ENG"}, {"request.language"}),
        ({"Language": None}, set()),  # chi when absent (the Chinese page)
        ({"TextId": "t1"}, {"request.reference-text"}),
        ({"ReferenceText": None}, {"request.no-reference-text"}),
        ({"AudioUrl": None}, {"request.audio-url"}),
        ({"AudioId": "a1"}, {"request.unknown-field"}),  # what the inspection returns
        ({"Language": 1}, {"request.field-type"}),
    ],
)
def test_fields_wrong(tmp_path: Path, changes: dict[str, object], expected: set[str]) -> None:
    make_audio(tmp_path / "lin_reading.wav", seconds=15)
    payload = {"AudioUrl": "lin_reading.wav", "ReferenceText": READING, "Language": "chi"}
    payload = {k: v for k, v in {**payload, **changes}.items() if v is not None}
    code, report = checked(str(_manifest(tmp_path, payload, "request.toml")))
    assert rules_of(report) == expected
    assert code == (1 if expected - {"request.no-reference-text"} else 0)


def test_messages_say_which_request_a_field_belongs_to(tmp_path: Path) -> None:
    payload = {"AudioUrl": "lin_reading.wav", "AudioId": "a1", "Language": "ENG"}
    make_audio(tmp_path / "lin_reading.wav", seconds=15)
    _, report = checked(str(_manifest(tmp_path, payload)))
    messages = {f["rule"]: f for f in report["requests"][0]["findings"]}
    assert "the customization request" in messages["request.unknown-field"]["message"]
    assert messages["request.language"]["hint"] == '"Language": "eng"'
    make = {"AnchorName": "Lin", "MakeType": "ZERO_SHOT_VOICE", "SexType": "MALE"}
    _, report = checked(str(_manifest(tmp_path, {**make, "AudioId": "a1", "AudioUrl": "x.wav"})))
    (finding,) = report["requests"][0]["findings"]
    assert finding["rule"] == "request.unknown-field"
    assert "the zero-shot audio inspection" in finding["message"]


@pytest.mark.parametrize(("written", "meant"), [("zh", "chi"), ("en-US", "eng"), ("yue", "can")])
def test_language_codes_producers_write_get_the_apis(
    tmp_path: Path, written: str, meant: str
) -> None:
    payload = {"AudioUrl": "lin_reading.wav", "TextId": "t1", "Language": written}
    make_audio(tmp_path / "lin_reading.wav", seconds=15)
    _, report = checked(str(_manifest(tmp_path, payload, "request.toml")))
    (finding,) = report["requests"][0]["findings"]
    assert finding["rule"] == "request.language"
    assert finding["hint"] == f'Language = "{meant}"'


@pytest.mark.parametrize(("folder", "fires"), [("zeroshot", False), ("audio", True)])
def test_an_uploaded_url_goes_in_the_zeroshot_folder(
    tmp_path: Path, folder: str, fires: bool
) -> None:
    url = f"{PREFIX}/{folder}/lin_reading.mp3"
    code, report = checked(str(_manifest(tmp_path, {"AudioUrl": url, "TextId": "t1"})))
    assert (code, rules_of(report)) == ((1, {"request.cos-path"}) if fires else (0, set()))
    assert build_request({"AudioUrl": url, "TextId": "t1"}, None)["Payload"]["AudioUrl"] == url


def test_text_and_markdown_reports_name_the_endpoint(tmp_path: Path) -> None:
    make_audio(tmp_path / "lin_reading.wav", seconds=15)
    path = _manifest(tmp_path, {"AudioUrl": "lin_reading.wav", "TextId": "t1"})
    for fmt in ("text", "markdown"):
        code, out = invoke("check", "--no-content", "--format", fmt, str(path))
        assert code == 0 and "zeroshotservice/detectaudioquality" in out


def test_inspect_says_whether_a_file_would_do_as_reference_audio(tmp_path: Path) -> None:
    path = make_audio(tmp_path / "lin_reading.mp3", seconds=15, bitrate="64k")
    code, out = invoke("inspect", "--no-content", "--format", "json", str(path))
    assert code == 0  # as driver audio, it passes
    (inspection,) = json.loads(out)
    verdict = next(v for v in inspection["verdicts"] if v["field"] == "AudioUrl")
    assert [f["rule"] for f in verdict["findings"]] == ["zeroshot.bitrate"]
    _, out = invoke("inspect", "--no-content", str(path))
    assert "64 kbps" in out and "zero-shot reference audio (AudioUrl)" in out


def test_the_speech_analysis_judges_the_reference_audio(tmp_path: Path) -> None:
    """Three readings of a sentence pass the header rules and the analysis of their speech (its
    zero-shot thresholds are preflight.rules.speech's); a tone passes the header rules only."""
    make_audio(tmp_path / "lin_reading.mp3", seconds=16.3, bitrate="128k", speech=SPEECH)
    make_audio(tmp_path / "lin_tone.mp3", seconds=16.3, bitrate="128k")
    for name in ("lin_reading", "lin_tone"):
        _manifest(tmp_path, {"AudioUrl": f"{name}.mp3", "TextId": "t1"}, f"{name}.request.json")
    code, report = report_of(str(tmp_path))
    by_source = {Path(r["source"]).name: r for r in report["requests"]}
    assert by_source["lin_reading.request.json"]["findings"] == []
    tone = by_source["lin_tone.request.json"]["findings"]
    assert code == 1 and tone and {f["field"] for f in tone} == {"AudioUrl"}
    assert {f["rule"].split(".")[0] for f in tone} == {"speech"}
    assert checked(str(tmp_path))[0] == 0  # header rules alone: both pass
