"""The report formats (text, json and the CI formats: github, sarif, gitlab, junit, markdown)
on real runs of the committed fixtures, and the CLI's exit codes in every format.

Golden outputs live in tests/golden/{fixture}.{format}.{ext}, rendered from a run on a copy of
fixtures/requests/{fail,pass} in a work tree made in tmp (so repository paths are the same
everywhere), with the version replaced by VERSION. After an intended change of a format,
regenerate them with

    PREFLIGHT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reporters_ci.py

and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from preflight import __version__
from preflight.cli import cli
from preflight.engine import run
from preflight.report import Finding, Report, RequestReport
from preflight.reporters import github, gitlab, junit, markdown, sarif
from preflight.reporters.catalogue import anchor
from preflight.reporters.formats import REPORTERS
from preflight.reporters.located import located
from preflight.rules import RULES
from preflight.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "requests"
GOLDEN = Path(__file__).parent / "golden"
README = (ROOT / "README.md").read_text(encoding="utf-8")
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "github": "txt",
    "sarif": "sarif",
    "gitlab": "json",
    "junit": "xml",
    "markdown": "md",
    "html": "html",  # without pictures: a run makes them only when asked (test_report_html)
}
# Standalone files (no manifest names them) added to each copy: a failing and a passing one.
LOOSE = {
    "fail": ("loose/clip.mov", FIXTURES / "fail" / "instant-avatar" / "lin.mov"),
    "pass": ("loose/portrait.jpg", FIXTURES / "pass" / "photo-avatar" / "lin_portrait.jpg"),
}


def checkout(fixture: str, folder: Path) -> Path:
    """A work tree `folder` (a `.git` marks its root) holding the fixture in `requests/`, and
    its standalone file; returns the folder the run starts in."""
    (folder / ".git").mkdir(parents=True)
    cwd = folder / "requests"
    shutil.copytree(FIXTURES / fixture, cwd)
    name, original = LOOSE[fixture]
    (cwd / name).parent.mkdir()
    shutil.copyfile(original, cwd / name)
    return cwd


def report_of(fixture: str, folder: Path, strict: bool = False) -> Report:
    cwd = checkout(fixture, folder)
    return run(Settings(paths=(Path("."), Path(LOOSE[fixture][0])), cwd=cwd, strict=strict))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Report]:
    return {name: report_of(name, tmp_path_factory.mktemp(name)) for name in ("fail", "pass")}


def normalised(output: str) -> str:
    return output.replace(__version__, "VERSION")


def test_the_ci_formats_are_offered_after_text_and_json() -> None:
    ci = ["github", "sarif", "gitlab", "junit", "markdown"]
    assert list(REPORTERS) == ["text", "json", *ci, "html"]  # the page for people comes last


@pytest.mark.parametrize("fixture", ["fail", "pass"])
@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_golden_output(reports: dict[str, Report], fixture: str, fmt: str) -> None:
    report = reports[fixture]
    assert report.ok == (fixture == "pass") and len(report.files) == 1
    output = normalised(REPORTERS[fmt](report, False))
    golden = GOLDEN / f"{fixture}.{fmt}.{EXTENSIONS[fmt]}"
    if os.environ.get("PREFLIGHT_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")
    assert "/tmp" not in output and "pytest-" not in output


def test_outputs_do_not_depend_on_the_run(tmp_path: Path, reports: dict[str, Report]) -> None:
    again = report_of("fail", tmp_path / "elsewhere")
    for render in REPORTERS.values():
        assert render(again, False) == render(reports["fail"], False)


# SARIF


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def sarif_of(report: Report, validator: jsonschema.protocols.Validator) -> dict[str, Any]:
    document = json.loads(sarif.render(report))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    return dict(document)


@pytest.mark.parametrize("fixture", ["fail", "pass"])
def test_sarif_validates_and_locates_every_result(
    reports: dict[str, Report], sarif_validator: jsonschema.protocols.Validator, fixture: str
) -> None:
    document = sarif_of(reports[fixture], sarif_validator)
    assert document["version"] == "2.1.0"
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    driver = sarif_run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    for rule in rules:
        assert rule["name"] and rule["name"].isalnum()
        assert rule["helpUri"] == f"{driver['informationUri']}#{anchor(rule['id'])}"
        assert f'<a id="{anchor(rule["id"])}"></a>' in README  # the link lands on its row
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].summary
        assert RULES[rule["id"]].source in rule["help"]["text"]
        assert rule["fullDescription"]["text"] and "fix" in rule["help"]["markdown"].lower()
    results = sarif_run["results"]
    assert len(results) == len(reports[fixture].all_findings())
    assert bool(results) == (fixture == "fail")
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]["preflightFinding/v1"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.startswith("requests/") and " " not in uri
        if not uri.endswith((".json", ".toml")):  # a media file as a whole
            assert physical["region"] == {"startLine": 1}
        elif result["properties"].get("field") not in ("SexType", "IdentityCosUrl"):
            assert set(physical["region"]) == {"startLine", "startColumn"}  # the field's key
    if fixture == "pass":
        return
    # each manifest finding at its field's key: the line and column that a person edits
    sex = next(r for r in results if r["ruleId"] == "request.sex-type" and "voice" in str(r))
    region = sex["locations"][0]["physicalLocation"]["region"]
    text = (FIXTURES / "fail" / "voice-clone" / "request.json").read_text(encoding="utf-8")
    line = text.splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 :].startswith('"SexType"')


def test_sarif_levels_and_hints(
    reports: dict[str, Report], sarif_validator: jsonschema.protocols.Validator
) -> None:
    results = sarif_of(reports["fail"], sarif_validator)["runs"][0]["results"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["video.fps"] == "error"
    assert levels["request.field-not-applicable"] == "warning"
    fps = next(r for r in results if r["ruleId"] == "video.fps")
    assert fps["properties"]["actual"] == 24.0
    # One fix per file: the first of its findings carries it, the others only their problem.
    resolution = next(r for r in results if r["ruleId"] == "video.resolution")
    assert resolution["message"]["text"].splitlines()[1].startswith("fix: preflight fix ")
    assert "  # or: ffmpeg " in resolution["message"]["text"]
    assert len(fps["message"]["text"].splitlines()) == 1
    portrait = next(r for r in results if r["ruleId"] == "photo.name")
    uri = portrait["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "requests/photo-avatar/lin%20portrait.jpg"


def test_sarif_uris() -> None:
    assert sarif.artifact_location("a b/ü%:x.mp4") == {
        "uri": "a%20b/%C3%BC%25%3Ax.mp4",
        "uriBaseId": "%SRCROOT%",
    }
    assert sarif.artifact_location("/data/my clip.mov") == {"uri": "file:///data/my%20clip.mov"}
    assert sarif.artifact_location("dir/\udcff.mov")["uri"] == "dir/%FF.mov"  # not UTF-8


# A request given with flags: every finding is still located.


def test_a_request_given_with_flags_is_located_in_its_files(
    tmp_path: Path, sarif_validator: jsonschema.protocols.Validator
) -> None:
    shutil.copyfile(FIXTURES / "fail" / "instant-avatar" / "lin.mov", tmp_path / "clip.mov")
    fields = {"MakeType": "IMAGE", "SexType": "female", "MaterialCosUrl": "clip.mov"}
    report = run(Settings(fields=fields, cwd=tmp_path))
    items = located(report)
    assert {i.finding.rule for i in items} >= {"request.sex-type", "video.fps"}
    assert {i.path for i in items} == {"clip.mov"}
    sarif_of(report, sarif_validator)

    report = run(Settings(fields={"MakeType": "IMAGE", "SexType": "female"}, cwd=tmp_path))
    assert {i.path for i in located(report)} == {"."}
    sarif_of(report, sarif_validator)


# GitHub


def one_finding(finding: Finding, strict: bool = False) -> Report:
    request = RequestReport("a.request.json", {"Payload": {}}, (), (finding,), strict)
    return Report("1.0", (request,))


def test_github_annotations_escape_data_and_properties() -> None:
    finding = Finding(
        "video.fps",
        "error",
        "100% sure:\r\nline two, done",
        field="MaterialCosUrl",
        path="clips/a,b:c%.mov",
        hint="ffmpeg -i x",
    )
    assert github.render(one_finding(finding)) == (
        "::error file=clips/a%2Cb%3Ac%25.mov,title=video.fps::"
        "100%25 sure:\\r\\nline two, done%0Afix: ffmpeg -i x\n"  # one line: no name ends it
    )
    warning = Finding("request.notes", "warning", "long", field="Notes")
    assert github.render(one_finding(warning)) == (
        "::warning file=a.request.json,title=request.notes::long\n"
    )
    info = Finding("x.y", "info", "fyi")
    assert github.render(one_finding(info)).startswith("::notice file=a.request.json,")


def test_github_shows_errors_first_and_at_most_ten(reports: dict[str, Report]) -> None:
    lines = github.render(reports["fail"]).splitlines()
    assert len(reports["fail"].all_findings()) > github.MAX_ANNOTATIONS == len(lines)
    assert all(line.startswith("::error file=requests/") for line in lines[:-1])
    assert lines[-1].startswith("::notice title=preflight::") and "job summary" in lines[-1]
    assert (
        "::error file=requests/api-sample.request.json,line=7,col=5,title=request.sex-type::"
        not in lines[0]
    )
    assert ",line=" in lines[0] and ",col=" in lines[0]  # a manifest's field: its line
    passed = github.render(reports["pass"]).splitlines()
    assert all(line.startswith("::notice ") for line in passed)  # the configuration at most


def test_github_one_annotation_per_file_and_rule() -> None:
    findings = (
        *(
            Finding("zip.filename", "warning" if n else "info", f"entry {n}", path="v.zip")
            for n in range(3)
        ),
        Finding("video.fps", "error", "24 fps", path="a.mp4"),
    )
    request = RequestReport("a.request.json", {"Payload": {}}, (), findings)
    lines = github.render(Report("1", (request,))).splitlines()
    assert lines == [
        "::error file=a.mp4,title=video.fps::24 fps",
        "::warning file=v.zip,title=zip.filename::entry 1%0A(2 more zip.filename on this file:"
        " see the job summary)",
    ]


# GitLab


def test_gitlab_issues_and_stable_unique_fingerprints(
    tmp_path: Path, reports: dict[str, Report]
) -> None:
    first = json.loads(gitlab.render(reports["fail"]))
    second = json.loads(gitlab.render(report_of("fail", tmp_path)))
    prints = [issue["fingerprint"] for issue in first]
    assert prints == [issue["fingerprint"] for issue in second]
    assert len(set(prints)) == len(prints) == len(reports["fail"].all_findings())
    for issue in first:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] in RULES and len(issue["fingerprint"]) == 64
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"].startswith("requests/")
        if not issue["location"]["path"].endswith((".json", ".toml")):
            assert issue["location"]["lines"] == {"begin": 1}
    severities = {i["check_name"]: i["severity"] for i in first}
    assert severities["video.fps"] == "major"
    assert severities["request.field-not-applicable"] == "minor"
    assert json.loads(gitlab.render(reports["pass"])) == []


def test_gitlab_fingerprints_do_not_depend_on_the_folder_run_in(
    tmp_path: Path, reports: dict[str, Report]
) -> None:
    checkout("fail", tmp_path)
    paths = (Path("requests"), Path("requests") / LOOSE["fail"][0])
    from_root = run(Settings(paths=paths, cwd=tmp_path))
    issues = [json.loads(gitlab.render(r)) for r in (reports["fail"], from_root)]
    first, second = ([(i["fingerprint"], i["location"]) for i in found] for found in issues)
    assert first == second


def test_gitlab_fingerprints_tell_alike_findings_apart() -> None:
    finding = Finding("file.missing", "error", "no such file", field="MaterialCosUrl", path="x")
    request = RequestReport("a.request.json", {"Payload": {}}, (), (finding, finding))
    prints = [i["fingerprint"] for i in json.loads(gitlab.render(Report("1", (request,))))]
    assert len(set(prints)) == 2


# JUnit


# What the Jenkins JUnit schema (jenkins-junit.xsd) allows, element → attributes.
JENKINS_ATTRIBUTES = {
    "testsuites": {"name", "time", "tests", "failures", "disabled", "errors"},
    "testsuite": {
        *("name", "tests", "failures", "errors", "time", "disabled", "skipped"),
        *("timestamp", "hostname", "id", "package"),
    },
    "testcase": {"name", "assertions", "time", "classname", "status"},
    "failure": {"type", "message"},
    "system-out": set(),
}
TESTCASE_CHILDREN = ["skipped", "error", "failure", "system-out", "system-err"]


def parsed_junit(report: Report) -> ET.Element:
    output = junit.render(report)
    assert output.startswith("<?xml version='1.0' encoding='utf-8'?>\n")
    root = ET.fromstring(output.encode("utf-8"))
    for element in root.iter():
        assert set(element.attrib) <= JENKINS_ATTRIBUTES[element.tag], element.tag
    for case in root.iter("testcase"):
        order = [TESTCASE_CHILDREN.index(child.tag) for child in case]
        assert order == sorted(order)
    return root


@pytest.mark.parametrize("fixture", ["fail", "pass"])
def test_junit_parses_and_counts_add_up(reports: dict[str, Report], fixture: str) -> None:
    report = reports[fixture]
    root = parsed_junit(report)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        *(r.source for r in report.requests),
        *(i.path for i in report.files),
    ]
    for suite, ok in zip(
        suites, [*(r.ok for r in report.requests), *(i.ok for i in report.files)], strict=True
    ):
        cases = suite.findall("testcase")
        failed = [c for c in cases if c.find("failure") is not None]
        assert suite.get("tests") == str(len(cases)) and suite.get("failures") == str(len(failed))
        assert (not failed) == ok
        for c in cases:
            suite_name, _, rule_id = c.get("name", "").rpartition(": ")
            assert suite_name == suite.get("name") and rule_id in RULES
            assert c.get("classname") == rule_id.split(".")[0]
    assert root.get("tests") == str(sum(int(s.get("tests", "")) for s in suites))
    assert root.get("failures") == str(sum(int(s.get("failures", "")) for s in suites))
    assert (root.get("failures") == "0") == (fixture == "pass")
    request = report.requests[0]
    assert [c.get("name") for c in suites[0]] == [f"{request.source}: {r}" for r in request.checked]
    if fixture == "fail":
        lines = json.loads(gitlab.render(report))
        begins = {i["check_name"]: i["location"]["lines"]["begin"] for i in lines}
        assert begins["request.field-type"] == 7  # IsHaveBackground in instant-avatar
    names = [c.get("name") for c in root.iter("testcase")]
    assert len(names) == len(set(names))  # across requests too


def test_junit_places_manifest_findings(reports: dict[str, Report]) -> None:
    root = parsed_junit(reports["fail"])
    texts = [f.text or "" for f in root.iter("failure")]
    assert any("error: voice-clone/request.json:6:5 [SexType]: " in text for text in texts)


def test_junit_warnings_pass_unless_strict(tmp_path: Path, reports: dict[str, Report]) -> None:
    def case(root: ET.Element) -> ET.Element:
        suite = next(s for s in root if s.get("name") == "photo-avatar/lin.request.toml")
        return next(c for c in suite if c.get("name", "").endswith("request.field-not-applicable"))

    lenient = case(parsed_junit(reports["fail"]))
    assert lenient.find("failure") is None
    assert "IdentityCosUrl does not apply" in (lenient.findtext("system-out") or "")
    strict = case(parsed_junit(report_of("fail", tmp_path, strict=True)))
    failure = strict.find("failure")
    assert failure is not None and failure.get("type") == "request.field-not-applicable"
    assert strict.find("system-out") is None


def test_junit_holds_any_file_name() -> None:
    finding = Finding("file.missing", "error", "no such file", path="bad\x01name\udcff.mov")
    root = parsed_junit(one_finding(finding))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "bad\\x01name\\udcff.mov" in (failure.text or "")


# Markdown


def test_markdown_passes_and_fails(reports: dict[str, Report]) -> None:
    passed = markdown.render(reports["pass"])
    assert passed.startswith("### ✅ preflight: passed\n") and "No findings" in passed
    failed = markdown.render(reports["fail"])
    assert failed.startswith("### ❌ preflight: failed\n")
    rows = [line for line in failed.splitlines() if line.startswith("| error ")]
    assert len(rows) == reports["fail"].counts["error"]


def test_markdown_is_bounded_and_escaped() -> None:
    findings = tuple(
        Finding("video.fps", "error", f"frame {n} | <b>*bold*</b>\nnext", path=f"v{n}.mp4")
        for n in range(markdown.MAX_ROWS + 50)
    )
    requests = tuple(
        RequestReport(f"r{n}.request.json", {"Payload": {}}, (), findings if n == 0 else ())
        for n in range(markdown.MAX_ROWS + 2)
    )
    output = markdown.render(Report("1.0", requests))
    rows = [line for line in output.splitlines() if line.startswith("| error ")]
    assert len(rows) == markdown.MAX_ROWS
    assert "… and 50 more findings." in output and "… and 2 more requests or files." in output
    assert "| ❌ fail | `r0.request.json` |" in output  # failed first
    assert (
        rows[0].endswith("| frame 0 \\| \\<b\\>\\*bold\\*\\</b\\>\\\\nnext |")  # \n escaped
        and rows[0].count(" | ") == 3
    )


def test_markdown_code_spans_hold_backticks_and_pipes() -> None:
    finding = Finding("x.y", "error", "m", path="a`b|c.mp4", hint="echo `x` | cat")
    output = markdown.render(one_finding(finding))
    assert "| ``a`b\\|c.mp4`` | m<br>fix: ``echo `x` \\| cat`` |" in output


# The command line: exit codes in every format


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No color, and no writing to a real job summary when the tests run in GitHub Actions."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def invoke(cwd: Path, *args: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_exit_codes_in_every_format(tmp_path: Path, fmt: str) -> None:
    code, out = invoke(FIXTURES / "fail", "--format", fmt)
    assert code == 1 and out
    code, out = invoke(FIXTURES / "pass", "--format", fmt)
    assert code == 0
    code, _ = invoke(FIXTURES / "pass", "--format", fmt, "--known-anchors", str(tmp_path / "no"))
    assert code == 2


def test_the_job_summary_holds_every_finding() -> None:
    findings = tuple(
        Finding("video.fps", "error", f"frame {n}", path=f"v{n}.mp4")
        for n in range(markdown.MAX_ROWS + 50)
    )
    report = Report("1.0", (RequestReport("r.request.json", {"Payload": {}}, (), findings),))
    rows = [
        line for line in markdown.job_summary(report).splitlines() if line.startswith("| error")
    ]
    assert len(rows) == markdown.MAX_ROWS + 50
    huge = tuple(replace(f, message="x" * 20_000) for f in findings)
    big = Report("1.0", (RequestReport("r.request.json", {"Payload": {}}, (), huge),))
    summary = markdown.job_summary(big)
    assert len(summary.encode("utf-8")) <= markdown.SUMMARY_BYTES_MAX and "more findings" in summary
