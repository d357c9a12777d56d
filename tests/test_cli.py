"""The command line end to end, on the committed fixtures and on files made here."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.media import make_pdf, make_photo, make_video
from runner import invoke, report_of, rules_of

from preflight import __version__
from preflight.cli import cli
from preflight.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "requests"
PREFIX = "https://b.cos.ap-guangzhou.myqcloud.com/customer-pipeline/1234567890/0b7e4c62-1f2a-4c3b-9d8e-5a6f7b8c9d0e"


def test_version_and_rules() -> None:
    code, out = invoke("--version")
    assert code == 0 and __version__ in out
    code, out = invoke("rules")
    assert code == 0
    for rule_id in RULES:
        assert rule_id in out
    code, out = invoke("rules", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == list(RULES)


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["rules"],
        ["rules", "--format", "json"],
        ["rules", "--format=text"],
        ["rules", "--format", "xml"],
    ],
)
def test_the_fast_start_answers_as_the_full_command_line(args: list[str]) -> None:
    """`preflight --version` and `rules` skip click; what they print must not change."""
    fast = subprocess.run(
        [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, timeout=60
    )
    result = CliRunner().invoke(cli, args, prog_name="preflight")
    assert (fast.returncode, fast.stdout) == (result.exit_code, result.stdout)


def test_the_fast_start_does_not_load_click() -> None:
    probe = "import sys; from preflight.entry import main; sys.argv[1:] = ['rules']; main(); "
    probe += "print(sorted({'click', 'preflight.engine'} & set(sys.modules)), file=sys.stderr)"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stderr.strip() == "[]"


def test_the_passing_fixtures_pass() -> None:
    code, report = report_of(str(FIXTURES / "pass"))
    assert code == 0, [f for r in report["requests"] for f in r["findings"]]
    assert report["ok"] is True
    assert len(report["requests"]) == 4
    assert report["counts"] == {"error": 0, "warning": 0, "info": 0}


def test_the_failing_fixtures_fail_with_the_expected_rules() -> None:
    code, report = report_of(str(FIXTURES / "fail"))
    assert code == 1
    assert not any(r["ok"] for r in report["requests"])
    expected = {
        "video.fps",
        "video.duration",
        "video.resolution",
        "request.identity-missing",
        "request.field-type",
        "request.anchor-name",
        "zip.folders",
        "zip.non-wav",
        "zip.extension-case",
        "zip.filename",
        "zip.sample-rate",
        "request.sex-type",
        "request.cos-path",
        "photo.aspect",
        "photo.name",
        "request.field-not-applicable",
        "request.unknown-field",
        "file.missing",
        "request.language",
        "request.reference-text",
        "zeroshot.duration",
        "zeroshot.rate",
        "zeroshot.bitrate",
        "zeroshot.name",
        "speech.clipping",
        "face.count",
    }
    assert expected <= rules_of(report)


def test_the_api_sample_body_reports_its_three_faults() -> None:
    code, report = report_of(str(FIXTURES / "fail" / "api-sample.request.json"))
    assert code == 1
    fired = rules_of(report)
    assert {"request.unknown-field", "request.anchor-name", "request.sex-type"} <= fired


def test_json_report_shape_and_request_body() -> None:
    code, report = report_of(str(FIXTURES / "pass" / "instant-avatar"), "--cos-prefix", PREFIX)
    assert code == 0
    assert report["schema"] == "preflight-report/1"
    assert report["tool"] == {"name": "preflight", "version": __version__}
    (request,) = report["requests"]
    assert request["source"] == str(FIXTURES / "pass" / "instant-avatar" / "request.toml")
    assert request["endpoint"] == "POST /v2/ivh/assetmanager/customservice/make"
    assert request["request"] == {
        "Header": {},
        "Payload": {
            "AnchorName": "Lin_Instant",
            "MakeType": "IMAGE_GENERAL",
            "SexType": "FEMALE",
            "IdentityWrittenCosUrl": f"{PREFIX}/idcard/authorization.pdf",
            "MaterialCosUrl": f"{PREFIX}/video/lin.mp4",
            "IsHaveBackground": False,
            "Notes": "demo fixture",
            "TextDriver": '<speak>大家好，我是林。<break time="500ms"/>欢迎光临。</speak>',
        },
    }
    video = next(f for f in request["files"] if f["field"] == "MaterialCosUrl")
    assert video["kind"] == "video"
    assert video["facts"]["fps"] == pytest.approx(25)
    assert video["facts"]["duration_s"] == pytest.approx(65, abs=0.1)


def test_relative_paths_stay_relative() -> None:
    code, report = report_of("fixtures/requests/pass/photo-avatar", cwd=ROOT)
    assert code == 0
    (request,) = report["requests"]
    assert request["source"] == "fixtures/requests/pass/photo-avatar/lin.request.toml"
    assert request["files"][0]["path"] == "fixtures/requests/pass/photo-avatar/lin_portrait.jpg"


def test_emit_request_writes_one_body_per_manifest(tmp_path: Path) -> None:
    code, report = report_of(str(FIXTURES / "pass"), "--emit-request", str(tmp_path / "out"))
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["instant-avatar.json", "lin.json", "voice-clone.json", "zero-shot.json"]
    body = json.loads((tmp_path / "out" / "voice-clone.json").read_text("utf-8"))
    voice = next(r for r in report["requests"] if "voice-clone" in r["source"])
    assert body == voice["request"]
    assert body["Payload"]["MaterialCosUrl"] == "${COS_PATH_PREFIX}/audio/voice.zip"


def test_a_request_from_flags(tmp_path: Path) -> None:
    make_photo(tmp_path / "me_square.png", width=100, height=100, fmt="PNG")
    code, report = report_of(
        "--make-type",
        "IMAGE_PHOTO",
        "--anchor-name",
        "Me",
        "--sex",
        "MALE",
        "--material",
        "me_square.png",
        "--no-have-background",
        "--no-content",  # a plain picture: no face to find
        cwd=tmp_path,
    )
    assert code == 0, report
    (request,) = report["requests"]
    assert request["source"] == "<command line>"
    assert request["request"]["Payload"] == {
        "AnchorName": "Me",
        "MakeType": "IMAGE_PHOTO",
        "SexType": "MALE",
        "MaterialCosUrl": "${COS_PATH_PREFIX}/photo/me_square.png",
        "IsHaveBackground": False,
    }


def test_a_media_file_is_checked_through_the_manifest_that_names_it(tmp_path: Path) -> None:
    project = tmp_path / "assets"
    shutil.copytree(FIXTURES / "fail" / "photo-avatar", project / "lin")
    code, report = report_of("assets/lin/lin portrait.jpg", cwd=tmp_path)
    assert code == 1
    assert [r["source"] for r in report["requests"]] == ["assets/lin/lin.request.toml"]
    assert report["files"] == []
    assert {"photo.aspect", "photo.name"} <= rules_of(report)


def test_a_media_file_no_manifest_names_is_checked_on_its_own(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "pass" / "instant-avatar" / "lin.mp4", tmp_path / "clip.mp4")
    code, report = report_of("clip.mp4", cwd=tmp_path)
    assert code == 0
    (inspection,) = report["files"]
    assert inspection["accepted_as"] == ["IMAGE_GENERAL"]  # 65 s: too short for IMAGE
    make_photo(tmp_path / "tall.png", width=300, height=400, fmt="PNG")
    code, report = report_of("tall.png", cwd=tmp_path)
    assert code == 1
    assert report["files"][0]["accepted_as"] == []


def test_outside_a_work_tree_the_search_for_manifests_stops_at_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the user's home folder are the system's folders (a shared host may not let its
    users list them): a manifest there is not looked for."""
    home = tmp_path / "home" / "lin"
    shutil.copytree(FIXTURES / "fail" / "photo-avatar", tmp_path / "home" / "photo")
    (home / "Desktop").mkdir(parents=True)
    shutil.move(tmp_path / "home" / "photo" / "lin portrait.jpg", home / "Desktop")
    manifest = tmp_path / "home" / "photo" / "lin.request.toml"
    text = manifest.read_text(encoding="utf-8").replace(
        "lin portrait.jpg", "lin/Desktop/lin portrait.jpg"
    )
    (tmp_path / "home" / "lin.request.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    _, report = report_of("lin portrait.jpg", cwd=home / "Desktop")
    assert report["requests"] == [] and len(report["files"]) == 1
    monkeypatch.setenv("HOME", str(tmp_path))  # now the manifest is in the home folder
    _, report = report_of("lin portrait.jpg", cwd=home / "Desktop")
    assert [r["source"] for r in report["requests"]] == ["../../lin.request.toml"]


def test_a_folder_nested_deeper_than_python_recurses(tmp_path: Path) -> None:
    """Work trees and symlinks are resolved folder by folder without recursion: a checkout
    may nest 1,500 folders deep (within PATH_MAX), and Python recurses 1,000 deep."""
    (tmp_path / ".git").mkdir()
    folders = [tmp_path]
    for _ in range(1500):  # os.makedirs recurses too
        folders.append(folders[-1] / "a")
        folders[-1].mkdir()
    try:
        for each in (FIXTURES / "pass" / "photo-avatar").iterdir():
            shutil.copy(each, folders[-1])
        code, report = report_of(str(folders[-1].relative_to(tmp_path)), cwd=tmp_path)
        assert code == 0 and len(report["requests"]) == 1
    finally:  # so does shutil.rmtree, which pytest's clean-up of tmp_path uses
        for folder in reversed(folders[1:]):
            for each in folder.iterdir():
                if each.is_file():
                    each.unlink()
            folder.rmdir()


def test_a_path_that_does_not_exist_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    """SPEC §8: a typo in a path is exit 2, never a finding (nor a green run)."""
    code, out = invoke("check", "nowhere.mp4", cwd=tmp_path)
    assert code == 2 and not out


def test_anchor_names_must_be_unique_in_a_run_and_new(tmp_path: Path) -> None:
    for name in ("a", "b"):
        folder = tmp_path / name
        shutil.copytree(FIXTURES / "pass" / "photo-avatar", folder)
    code, report = report_of(".", cwd=tmp_path)
    assert code == 1
    assert rules_of(report) == {"request.anchor-name-duplicate"}
    known = tmp_path / "known.txt"
    known.write_text("# taken\nLin_Instant\n", encoding="utf-8")
    code, report = report_of(
        str(FIXTURES / "pass" / "instant-avatar"), "--known-anchors", str(known)
    )
    assert code == 1 and rules_of(report) == {"request.anchor-name-duplicate"}


def test_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    folder = tmp_path / "photo"
    shutil.copytree(FIXTURES / "pass" / "photo-avatar", folder)
    manifest = folder / "lin.request.toml"
    manifest.write_text(manifest.read_text("utf-8") + 'AudioId = "a-1"\n', encoding="utf-8")
    code, report = report_of(str(folder))
    assert code == 0 and rules_of(report) == {"request.field-not-applicable"}
    code, report = report_of(str(folder), "--strict")
    assert code == 1 and report["ok"] is False


def test_outside_root_is_refused_inside_a_git_work_tree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    make_photo(tmp_path / "secret.png", width=100, height=100, fmt="PNG")
    (repo / "request.toml").write_text(
        'AnchorName = "Lin"\nMakeType = "IMAGE_PHOTO"\nSexType = "MALE"\n'
        'MaterialCosUrl = "../secret.png"\n',
        encoding="utf-8",
    )
    code, report = report_of(str(repo))
    assert code == 1 and rules_of(report) == {"file.outside-root"}
    assert report["requests"][0]["files"][0]["facts"] is None  # never read
    code, report = report_of(str(repo), "--allow-outside-root", "--no-content")  # no face in it
    assert code == 0, rules_of(report)


def test_text_report_for_people() -> None:
    code, out = invoke("check", str(FIXTURES / "fail"), str(FIXTURES / "pass"))
    assert code == 1
    assert "\x1b[" not in out  # no colour when stdout is not a terminal
    assert "PASS " in out and "FAIL " in out
    assert "video.fps" in out and "fix: preflight fix " in out and "# or: ffmpeg " in out
    assert out.rstrip().splitlines()[-1].startswith("11 requests checked: 4 passed, 7 failed")


def test_jobs_do_not_change_the_report() -> None:
    _, one = report_of(str(FIXTURES), "--jobs", "1")
    _, two = report_of(str(FIXTURES), "--jobs", "2")
    assert one == two


def test_inspect_shows_facts_and_verdicts(tmp_path: Path) -> None:
    video = make_video(tmp_path / "v.mp4", width=1920, height=1080, fps=30, duration=1)
    pdf = make_pdf(tmp_path / "letter.pdf")
    code, out = invoke("inspect", str(video), str(pdf))
    assert code == 0
    assert "IMAGE_4K" in out and "video.resolution" in out and "video.duration" in out
    assert "IdentityWrittenCosUrl" in out and "accepted" in out
    code, out = invoke("inspect", "--format", "json", str(video))
    (inspection,) = json.loads(out)
    assert inspection["facts"]["width"] == 1920 and inspection["accepted_as"] == []


def test_inputs_are_never_modified() -> None:
    before = _snapshot(FIXTURES)
    invoke("check", str(FIXTURES), "--jobs", "2")
    invoke("inspect", *[str(p) for p in FIXTURES.rglob("*") if p.is_file()])
    assert _snapshot(FIXTURES) == before


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_exit_codes_of_the_real_process(tmp_path: Path) -> None:
    def run(*args: str) -> int:
        return subprocess.run(
            [sys.executable, "-m", "preflight", *args],
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
        ).returncode

    assert run("check", str(FIXTURES / "pass")) == 0
    assert run("check", str(FIXTURES / "fail")) == 1
    assert run("check", "--format", "yaml") == 2
    assert run("check", "--jobs", "-1") == 2


def test_emitted_bodies_are_not_read_back_as_manifests(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "pass" / "photo-avatar", tmp_path / "lin")
    before = _snapshot(tmp_path)
    code, _ = report_of("lin", "--emit-request", "lin", cwd=tmp_path)
    assert code == 0 and _snapshot(tmp_path).items() >= before.items()
    code, report = report_of("lin", cwd=tmp_path)
    assert code == 0 and len(report["requests"]) == 1


def test_cos_prefix_is_validated_and_given_a_scheme(tmp_path: Path) -> None:
    bare = PREFIX.removeprefix("https://") + "/"
    code, report = report_of(str(FIXTURES / "pass" / "photo-avatar"), "--cos-prefix", bare)
    assert code == 0
    url = report["requests"][0]["request"]["Payload"]["MaterialCosUrl"]
    assert url == f"{PREFIX}/photo/lin_portrait.jpg"
    code, _ = invoke("check", str(FIXTURES / "pass"), "--cos-prefix", "garbage prefix")
    assert code == 2


def test_unusable_option_files_are_usage_errors(tmp_path: Path) -> None:
    utf16 = tmp_path / "known.txt"
    utf16.write_text("Lin_Photo\n", encoding="utf-16")
    code, _ = invoke("check", str(FIXTURES / "pass"), "--known-anchors", str(utf16))
    assert code == 2
    utf16_folder = str(utf16 / "r.txt")  # a "folder" that is a file: nothing can go there
    code, _ = invoke("check", str(FIXTURES / "pass"), "--output", utf16_folder)
    assert code == 2
    code, _ = invoke("check", str(FIXTURES / "pass"), "--report", f"json:{utf16_folder}")
    assert code == 2


def test_known_anchors_written_by_notepad(tmp_path: Path) -> None:
    known = tmp_path / "known.txt"
    known.write_bytes(b"\xef\xbb\xbfLin_Photo\r\n")
    code, report = report_of(str(FIXTURES / "pass" / "photo-avatar"), "--known-anchors", str(known))
    assert code == 1 and rules_of(report) == {"request.anchor-name-duplicate"}


def test_files_that_are_neither_manifests_nor_media_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# assets\n", encoding="utf-8")
    (tmp_path / "tom.json").write_text("{}", encoding="utf-8")
    code, out = invoke("check", "README.md", "tom.json", cwd=tmp_path)
    assert code == 2 and not out  # nothing checked: see tests/robustness/test_gate_silence.py
    code, report = report_of("README.md", "tom.json", "--allow-empty", cwd=tmp_path)
    assert code == 0 and report["requests"] == [] and report["files"] == []
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert "manifests are named" in reasons["tom.json"]
    assert set(reasons) == {"README.md", "tom.json"}


def test_a_broken_manifest_is_one_finding_not_a_cascade(tmp_path: Path) -> None:
    (tmp_path / "request.json").write_text('{"AnchorName": "Lin", ', encoding="utf-8")
    code, report = report_of("request.json", cwd=tmp_path)
    assert code == 1 and [f["rule"] for f in report["requests"][0]["findings"]] == [
        "file.unreadable"
    ]
    (tmp_path / "gone.request.toml").symlink_to(tmp_path / "nope" / "request.toml")
    code, report = report_of("gone.request.toml", cwd=tmp_path)
    assert [f["rule"] for f in report["requests"][0]["findings"]] == ["file.missing"]


def test_hostile_strings_in_a_manifest_are_findings(tmp_path: Path) -> None:
    for text in ('{"MaterialCosUrl": "a\\u0000b.mp4"}', '{"AnchorName": "\\ud800ab"}'):
        (tmp_path / "request.json").write_text(text, encoding="utf-8")
        code, report = report_of("request.json", cwd=tmp_path)
        assert code == 1 and rules_of(report) == {"file.unreadable"}


def test_a_toml_payload_table_and_windows_separators(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "pass" / "photo-avatar", tmp_path / "photos")
    (tmp_path / "request.toml").write_text(
        '[Payload]\nAnchorName = "Lin"\nMakeType = "IMAGE_PHOTO"\nSexType = "FEMALE"\n'
        'MaterialCosUrl = "photos\\\\lin_portrait.jpg"\n',
        encoding="utf-8",
    )
    code, report = report_of("request.toml", cwd=tmp_path)
    assert code == 0, rules_of(report)
    (request,) = report["requests"]
    assert request["files"][0]["path"] == "photos/lin_portrait.jpg"
    payload = request["request"]["Payload"]
    assert payload["MaterialCosUrl"] == "${COS_PATH_PREFIX}/photo/lin_portrait.jpg"


def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.png")
    make_photo(tmp_path / name, width=100, height=100, fmt="PNG")
    code, out = invoke("check", "--format", "json", name, cwd=tmp_path)
    report = json.loads(out)
    assert code == 1  # the name breaks photo.name, and nothing crashed on the way
    assert report["files"][0]["path"] == name
    assert "photo.name" in rules_of(report)


def test_an_audio_only_mp4_as_video_material(tmp_path: Path) -> None:
    make_video(tmp_path / "talk.mp4", video=False, duration=1)
    (tmp_path / "request.toml").write_text(
        'AnchorName = "Lin"\nMakeType = "IMAGE"\nSexType = "FEMALE"\n'
        'MaterialCosUrl = "talk.mp4"\nIdentityWrittenCosUrl = "letter.pdf"\n',
        encoding="utf-8",
    )
    make_pdf(tmp_path / "letter.pdf")
    code, report = report_of(".", cwd=tmp_path)
    assert code == 1 and rules_of(report) == {"video.no-video-track"}


def test_manifests_in_parent_folders_are_shown_relative(tmp_path: Path) -> None:
    project = tmp_path / "assets"
    (project / "lin").mkdir(parents=True)
    shutil.copy(FIXTURES / "pass" / "photo-avatar" / "lin_portrait.jpg", project / "lin")
    (project / "all.request.toml").write_text(
        'AnchorName = "Lin"\nMakeType = "IMAGE_PHOTO"\nSexType = "FEMALE"\n'
        'MaterialCosUrl = "lin/lin_portrait.jpg"\n',
        encoding="utf-8",
    )
    code, report = report_of("lin_portrait.jpg", cwd=project / "lin")
    assert code == 0
    assert [r["source"] for r in report["requests"]] == ["../all.request.toml"]


def test_standalone_files_carry_their_findings_in_json(tmp_path: Path) -> None:
    make_photo(tmp_path / "tall.png", width=300, height=400, fmt="PNG")
    code, report = report_of("tall.png", "--no-content", cwd=tmp_path)  # the headers' findings
    (inspection,) = report["files"]
    assert code == 1 and [f["rule"] for f in inspection["findings"]] == ["photo.aspect"]
    assert report["counts"]["error"] == 1


@pytest.mark.parametrize(("no_color", "coloured"), [(None, True), ("1", False)])
def test_colour_only_on_a_terminal_without_no_color(no_color: str | None, coloured: bool) -> None:
    import pty

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    reader, writer = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "preflight", "check", str(FIXTURES / "pass" / "photo-avatar")],
            stdout=writer,
            stderr=writer,
            env=env,
            timeout=60,
            check=True,
        )
        output = os.read(reader, 65536).decode("utf-8")
    finally:
        os.close(reader)
        os.close(writer)
    assert "PASS" in output
    assert ("\x1b[" in output) is coloured


def test_a_fix_command_that_escaping_would_break_is_left_out_of_text(tmp_path: Path) -> None:
    """A rename printed with its name escaped (`#\\x23[`) would not find the file: the text
    report leaves that command out, and the JSON report, whose strings are exact, keeps it."""
    make_photo(tmp_path / "x##[group]y.png", width=300, height=400, fmt="PNG")
    make_photo(tmp_path / "tall photo.png", width=300, height=400, fmt="PNG")
    code, text = invoke("check", "x##[group]y.png", "tall photo.png", cwd=tmp_path)
    assert code == 1 and "##[" not in text
    assert "fix: mv 'tall photo.png'" in text and "fix: mv 'x#" not in text
    code, report = report_of("x##[group]y.png", cwd=tmp_path)
    hints = [f["hint"] for i in report["files"] for v in i["verdicts"] for f in v["findings"]]
    assert any(h and "x##[group]y.png" in h for h in hints)
