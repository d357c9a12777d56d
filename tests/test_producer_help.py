"""What a producer reads when a request fails (issue "Reports that producers read and CI
systems place"): each problem a new user met, and the behaviour that answers it. Real files
where the behaviour depends on reading them; facts built directly for the rules' edge cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.facts import findings, video
from helpers.media import make_pdf, make_video, make_wav, run_ffmpeg
from runner import invoke, report_of

from preflight import config
from preflight.config import ConfigError
from preflight.discover import FileRef
from preflight.dispatch import check_manifest
from preflight.manifest import Manifest, load
from preflight.positions import json_keys, toml_keys
from preflight.probe.facts import FileFacts
from preflight.reporters.text import measured_text
from preflight.request import build_request
from preflight.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
PASSING = ROOT / "fixtures" / "requests" / "pass" / "instant-avatar"


# Exact locations: where each key is written


def test_json_keys_of_a_body_and_of_nested_values() -> None:
    text = (
        '{\n  "Header": {},\n  "Payload": {\n    "Notes": "a \\" b",\n'
        '    "List": [{"Inner": 1}, "x"],  "SexType": "MALE"\n  }\n}\n'
    )
    keys = json_keys(text)
    assert keys[("Payload", "Notes")] == (4, 5)
    assert keys[("Payload", "SexType")] == (5, 35)
    assert ("Payload", "Inner") not in keys and ("Inner",) not in keys  # in an array
    assert keys[("Payload",)] == (3, 3)


def test_toml_keys_past_multi_line_strings_arrays_and_comments() -> None:
    text = (
        '# a comment = 1\nMakeType = "IMAGE"\nTextDriver = """\nnot = a key\n"""\n'
        "\"AnchorName\" = 'Lin'  # x = 2\nList = [\n  1, # y = 3\n]\nSexType='MALE'\n"
        '[Payload]\nNotes = "n"\n'
    )
    assert toml_keys(text) == {
        ("MakeType",): (2, 1),
        ("TextDriver",): (3, 1),
        ("AnchorName",): (6, 1),
        ("List",): (7, 1),
        ("SexType",): (10, 1),
        ("Payload", "Notes"): (12, 1),
    }


def test_a_finding_on_a_field_carries_its_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "lin.request.json").write_text(
        '{\n  "MakeType": "IMAGE_PHOTO",\n  "AnchorName": "Lin",\n    "SexType": "female"\n}\n',
        encoding="utf-8",
    )
    code, out = invoke("check", "lin.request.json", cwd=tmp_path)
    assert code == 1
    assert "[SexType] lin.request.json:4:5" in out
    code, report = report_of("lin.request.json", cwd=tmp_path)
    sex = next(f for f in report["requests"][0]["findings"] if f["rule"] == "request.sex-type")
    assert (sex["line"], sex["column"]) == (4, 5)


# JSON and TOML syntax errors: in words, at the line to edit


@pytest.mark.parametrize(
    ("name", "text", "said", "where"),
    [
        (
            "a.request.json",
            '{\n  "MakeType": "IMAGE",\n  "SexType": "MALE",\n}\n',
            "a trailing comma after the last entry",
            (3, 20),  # the comma, not the brace json names
        ),
        (
            "b.request.json",
            '{\n  "MakeType": "IMAGE"\n  "SexType": "MALE"\n}\n',
            "a comma is missing between two entries",
            (2, 22),
        ),
        (
            "c.request.json",
            '{\n  "MaterialCosUrl": "C:\\Users\\lin\\a.mp4"\n}\n',
            "a backslash in a string starts no escape",
            (2, 24),
        ),
        ("d.request.toml", 'AnchorName = "Lin"\nMakeType = IMAGE\n', "text needs quotes", (2, 12)),
        (
            "e.request.toml",
            'MaterialCosUrl = "C:\\Users\\a.mp4"\n',
            "write a Windows path in 'single quotes'",
            (1, 23),  # where tomllib reads the \\U escape
        ),
    ],
)
def test_syntax_errors_in_words_at_the_right_line(
    tmp_path: Path, name: str, text: str, said: str, where: tuple[int, int]
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    manifest = load(tmp_path / name, name)
    assert manifest.problem is not None and said in manifest.problem
    assert manifest.problem_at == where
    assert f"at line {where[0]}, column {where[1]}" in manifest.problem
    code, out = invoke("check", name, cwd=tmp_path)
    assert code == 1 and f"{name}:{where[0]}:{where[1]}" in out and said in out


# file.missing: where paths start from, and the file that was meant


def _request(folder: Path, material: str, letter: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "request.toml").write_text(
        'MakeType = "IMAGE_GENERAL"\nAnchorName = "Lin"\nSexType = "FEMALE"\n'
        f"MaterialCosUrl = {json.dumps(material)}\nIdentityWrittenCosUrl = {json.dumps(letter)}\n",
        encoding="utf-8",
    )


def test_a_missing_file_names_the_manifest_folder_and_the_closest_file(tmp_path: Path) -> None:
    lin = tmp_path / "avatars" / "lin"
    (lin / "video").mkdir(parents=True)
    shutil.copyfile(PASSING / "lin.mp4", lin / "video" / "lin.mp4")
    make_pdf(lin / "authorization.pdf")
    # written from the working folder, and from another computer's desktop
    _request(lin, "avatars/lin/video/lin.mp4", "C:\\Users\\lin\\Desktop\\a.pdf")
    code, report = report_of("avatars", cwd=tmp_path)
    assert code == 1
    missing = {
        f["field"]: f for f in report["requests"][0]["findings"] if f["rule"] == "file.missing"
    }
    material = missing["MaterialCosUrl"]["message"]
    assert "relative to the manifest's folder" in material
    assert 'the closest file there is "video/lin.mp4"' in material
    letter = missing["IdentityWrittenCosUrl"]["message"]
    assert 'the closest file there is "authorization.pdf"' in letter
    assert (missing["MaterialCosUrl"]["line"], missing["MaterialCosUrl"]["column"]) == (4, 1)


def test_a_missing_file_with_nothing_like_it(tmp_path: Path) -> None:
    _request(tmp_path / "lin", "clip.mp4", "letter.pdf")
    _, report = report_of("lin", cwd=tmp_path)
    messages = [f["message"] for f in report["requests"][0]["findings"]]
    assert "no such file: paths in a manifest are relative to the manifest's folder" in messages


# "would pass as IMAGE_GENERAL"


def _checked(facts: FileFacts, make_type: str) -> list[str]:
    payload = {
        "MakeType": make_type,
        "AnchorName": "Lin",
        "SexType": "FEMALE",
        "MaterialCosUrl": "video/tom.mp4",
        "IdentityWrittenCosUrl": "id.pdf",
    }
    ref = FileRef("MaterialCosUrl", Path("/x/video/tom.mp4"), "video/tom.mp4", None)
    source = Manifest("request.toml", Path("/x"), payload)
    report = check_manifest(source, build_request(payload, None), [ref], {ref.path: facts}, [])
    return [f.message for f in report.findings if f.rule.startswith("video.")]


def test_a_video_that_another_make_type_accepts_says_so() -> None:
    short = video(duration_s=110.0)  # 1:50: below IMAGE's 2 min, inside IMAGE_GENERAL's 1 min
    (message,) = _checked(short, "IMAGE")
    assert message.startswith("duration 1 min 50 s is below the 2 min minimum")
    assert message.endswith(
        "(it would pass as IMAGE_GENERAL (Instant Avatar): is that the MakeType you meant?)"
    )
    (alone,) = _checked(video(duration_s=50.0), "IMAGE")  # no make type takes 50 s
    assert "would pass" not in alone


# A rule ID at the top level of a configuration


@pytest.mark.parametrize("line", ['video.fps = "off"', '"video.fps" = "off"'])
def test_a_rule_at_the_top_level_of_a_config_gets_a_did_you_mean(tmp_path: Path, line: str) -> None:
    path = tmp_path / ".preflight.toml"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        config.load(path, RULES)
    assert 'did you mean [rules] "video.fps" = "off"?' in str(raised.value)


# One unit per quantity; a variable frame rate's minimum and maximum


def test_sizes_are_shown_in_the_unit_of_their_limit() -> None:
    assert measured_text(12802133, "≤ 10 MB") == "actual 12.21 MB · limit ≤ 10 MB"
    assert measured_text(24.0, "25–60 fps") == "actual 24.0 · limit 25–60 fps"  # not bytes
    assert measured_text([20.0, 30.0], "constant 25–60 fps") == (
        "actual 20–30 · limit constant 25–60 fps"
    )


def test_a_variable_frame_rate_shows_its_minimum_and_maximum(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    run_ffmpeg(
        *("-f", "lavfi", "-i", "testsrc=size=320x180:rate=30:duration=1"),
        *("-f", "lavfi", "-i", "testsrc=size=320x180:rate=20:duration=1"),
        *("-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]"),
        *("-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", str(clip)),
    )
    _, out = invoke("inspect", str(clip), "--format", "json", cwd=tmp_path)
    facts = json.loads(out)[0]["facts"]
    assert (facts["fps_mode"], facts["fps_min"], facts["fps_max"]) == ("VFR", 20.0, 30.0)
    _, out = invoke("inspect", str(clip), cwd=tmp_path)
    assert "Frame rate range   20–30 fps" in out
    unknown = video(fps_mode="VFR", fps_min=None, fps_max=None)
    found = [f for f in findings(unknown) if f.rule == "video.vfr"]
    assert found[0].actual is None and "gives no minimum and maximum" in found[0].message


# --quiet, and one line per passing request


def test_quiet_prints_failures_only_and_passing_requests_take_one_line(tmp_path: Path) -> None:
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        for file in ("request.toml", "lin.mp4", "authorization.pdf"):
            shutil.copyfile(PASSING / file, folder / file)
        text = (folder / "request.toml").read_text(encoding="utf-8")
        (folder / "request.toml").write_text(text.replace("Lin_Instant", f"Lin_{name}"))
    (tmp_path / "bad.request.json").write_text('{"MakeType": "IMAGE"}', encoding="utf-8")
    code, out = invoke("check", "--no-content", "a", "b", cwd=tmp_path)
    assert code == 0 and out.splitlines()[:2] == [
        "PASS a/request.toml  (IMAGE_GENERAL · Lin_a)",
        "PASS b/request.toml  (IMAGE_GENERAL · Lin_b)",
    ]
    assert len(out.splitlines()) == 3  # and the summary
    code, out = invoke("check", "--no-content", "-q", ".", cwd=tmp_path)
    lines = out.splitlines()
    assert code == 1 and lines[0].startswith("FAIL bad.request.json")
    assert not any(line.startswith("PASS") for line in lines)
    assert lines[-1].startswith("3 requests checked: 2 passed, 1 failed")
    code, out = invoke("check", "--no-content", "--quiet", "a", cwd=tmp_path)
    assert code == 0 and out.splitlines() == [
        "1 request checked: 1 passed, 0 failed · 0 errors, 0 warnings"
    ]


# inspect for humans


def test_inspect_lists_the_uses_of_the_kind_of_file(tmp_path: Path) -> None:
    letter = make_pdf(tmp_path / "letter.pdf")
    code, out = invoke("inspect", str(letter), cwd=tmp_path)
    assert code == 0
    assert "As authorization letter (IdentityWrittenCosUrl): accepted" in out
    assert "IMAGE" not in out and "VOICE" not in out  # no make type's material is a PDF
    clip = make_video(tmp_path / "clip.mp4", width=320, height=180)
    _, out = invoke("inspect", str(clip), cwd=tmp_path)
    uses = [line for line in out.splitlines() if line.startswith("  As ")]
    assert [u.split(":")[0] for u in uses] == [
        "  As IMAGE (Studio Avatar) material",
        "  As IMAGE_GENERAL (Instant Avatar) material",
        "  As IMAGE_4K (4K Studio Avatar) material",
    ]
    assert "Picture            320×180 as displayed" in out  # words, not display_width


def test_inspect_judges_a_loose_wav_as_it_would_be_zipped(tmp_path: Path) -> None:
    take = make_wav(tmp_path / "Take 1.WAV", rate=16000)
    _, out = invoke("inspect", str(take), "--no-content", cwd=tmp_path)
    assert "As a WAV file in a VOICE (Voice Clone (basic)) zip: rejected" in out
    zipped = out.split("zip: rejected", 1)[1]
    for rule in ("zip.extension-case", "zip.filename", "zip.sample-rate"):
        assert f"[{rule}]" in zipped
    _, out = invoke("inspect", "--format", "json", str(take), "--no-content", cwd=tmp_path)
    (verdict,) = [v for v in json.loads(out)[0]["verdicts"] if v["as_zip_entry"]]
    assert verdict["make_type"] == "VOICE" and not verdict["ok"]
    good = make_wav(tmp_path / "take1.wav", rate=48000)
    _, out = invoke("inspect", str(good), "--no-content", cwd=tmp_path)
    assert "As a WAV file in a VOICE (Voice Clone (basic)) zip: accepted" in out


def test_inspect_of_a_file_that_does_not_exist_exits_2_naming_it(tmp_path: Path) -> None:
    code, _ = invoke("inspect", "nowhere/clip.mp4", cwd=tmp_path)
    assert code == 2


# The emitted request


def _avatar(folder: Path, anchor: str, video_name: str, letter_bytes: bytes = b"") -> None:
    folder.mkdir(parents=True)
    shutil.copyfile(PASSING / "lin.mp4", folder / video_name)
    make_pdf(folder / "authorization.pdf")
    if letter_bytes:
        with open(folder / "authorization.pdf", "ab") as letter:
            letter.write(letter_bytes)
    (folder / "request.toml").write_text(
        f'MakeType = "IMAGE_GENERAL"\nAnchorName = "{anchor}"\nSexType = "FEMALE"\n'
        f'MaterialCosUrl = "{video_name}"\nIdentityWrittenCosUrl = "authorization.pdf"\n',
        encoding="utf-8",
    )


def test_urls_are_percent_encoded(tmp_path: Path) -> None:
    _avatar(tmp_path / "lin", "Lin", "Final Export 24p.mp4")
    _, report = report_of("--no-content", "lin", cwd=tmp_path)
    payload = report["requests"][0]["request"]["Payload"]
    assert payload["MaterialCosUrl"] == "${COS_PATH_PREFIX}/video/Final%20Export%2024p.mp4"


def test_two_files_at_one_upload_url_is_an_error_naming_both(tmp_path: Path) -> None:
    _avatar(tmp_path / "lin", "Lin", "lin.mp4")
    _avatar(tmp_path / "studio", "Studio", "studio.mp4", letter_bytes=b"\n% another letter\n")
    code, report = report_of("--no-content", ".", cwd=tmp_path)
    assert code == 1
    found = [
        f
        for r in report["requests"]
        for f in r["findings"]
        if f["rule"] == "request.upload-collision"
    ]
    assert len(found) == 2
    for finding in found:
        assert "lin/authorization.pdf" in finding["message"]
        assert "studio/authorization.pdf" in finding["message"]
        assert finding["actual"] == "${COS_PATH_PREFIX}/idcard/authorization.pdf"
    # the same letter copied into each folder is one upload, twice alike: no finding
    shutil.copyfile(
        tmp_path / "lin" / "authorization.pdf", tmp_path / "studio" / "authorization.pdf"
    )
    code, report = report_of("--no-content", ".", cwd=tmp_path)
    assert code == 0


def test_a_renamed_body_is_reported(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from preflight.cli import cli

    _avatar(tmp_path / "lin", "Lin", "lin.mp4")
    voice = tmp_path / "voice"
    _avatar(voice, "Lin_two", "lin.mp4")
    (voice / "request.toml").rename(voice / "lin.request.toml")
    result = CliRunner().invoke(
        cli,
        ["check", "--no-content", str(tmp_path), "--emit-request", str(tmp_path / "out")],
        catch_exceptions=False,
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["lin-2.json", "lin.json"]
    assert "is written as lin-2.json (lin.json is another request's)" in result.stderr


def test_a_size_is_shown_in_megabytes_next_to_a_limit_in_megabytes(tmp_path: Path) -> None:
    _avatar(tmp_path / "lin", "Lin", "lin.mp4")
    make_wav(tmp_path / "lin" / "drive.wav", rate=48000, seconds=140)  # 12.8 MB
    manifest = tmp_path / "lin" / "request.toml"
    text = manifest.read_text(encoding="utf-8") + 'VoiceDriverCosFile = "drive.wav"\n'
    manifest.write_text(text, encoding="utf-8")
    code, out = invoke("check", "--no-content", "lin", cwd=tmp_path)
    assert code == 1
    assert "actual 12.82 MB · limit ≤ 10 MB" in out
    _, report = report_of("--no-content", "lin", cwd=tmp_path)
    (size,) = [f for f in report["requests"][0]["findings"] if f["rule"] == "driver.size"]
    assert size["actual"] == 140 * 48000 * 2 + 44  # bytes in the JSON report
