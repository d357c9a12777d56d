"""Configuration files: where they are found, what they change, and the errors they give."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from runner import invoke, report_of, rules_of

FAIL = Path(__file__).resolve().parent.parent / "fixtures" / "requests" / "fail"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The failing fixtures in a folder of their own, to put configuration beside."""
    shutil.copytree(FAIL, tmp_path / "requests")
    return tmp_path


def configure(folder: Path, text: str, name: str = "pyproject.toml") -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_without_configuration_the_defaults_apply(repo: Path) -> None:
    code, report = report_of("requests", cwd=repo)
    assert code == 1
    assert {"video.fps", "photo.aspect", "request.anchor-name"} <= rules_of(report)


def test_rule_levels(repo: Path) -> None:
    configure(
        repo,
        '[tool.preflight.rules]\n"video.fps" = "off"\n"request.anchor-name" = "warning"\n',
    )
    code, report = report_of("requests", cwd=repo)
    assert code == 1
    assert "video.fps" not in rules_of(report)
    findings = [f for r in report["requests"] for f in r["findings"]]
    assert {f["severity"] for f in findings if f["rule"] == "request.anchor-name"} == {"warning"}


def test_a_rule_turned_off_is_not_checked(repo: Path) -> None:
    configure(repo, '[tool.preflight.rules]\n"video.fps" = "off"\n')
    code, out = invoke("check", "requests", "--format", "junit", cwd=repo)
    assert code == 1
    assert ': video.fps"' not in out and ': video.resolution"' in out  # "{manifest}: {rule}"


def test_per_path_ignores_and_exclude(repo: Path) -> None:
    configure(
        repo,
        "[tool.preflight]\n"
        'exclude = ["requests/voice-clone"]\n'
        "[tool.preflight.per-path-ignores]\n"
        '"requests/photo-avatar/*" = ["photo.aspect"]\n'
        '"requests/instant-avatar/request.toml" = ["request.anchor-name"]\n',
    )
    _, report = report_of("requests", cwd=repo)
    sources = [r["source"] for r in report["requests"]]
    assert not any("voice-clone" in s for s in sources)
    by_source = {r["source"]: {f["rule"] for f in r["findings"]} for r in report["requests"]}
    assert "photo.aspect" not in by_source["requests/photo-avatar/lin.request.toml"]
    assert "request.anchor-name" not in by_source["requests/instant-avatar/request.toml"]
    assert "video.fps" in by_source["requests/instant-avatar/request.toml"]
    # An excluded file given by name, as pre-commit passes it, is not checked either: the run
    # checks nothing (exit 2), which the hook's --allow-empty lets through.
    code, _ = invoke("check", "requests/voice-clone/takes.zip", cwd=repo)
    assert code == 2
    code, report = report_of("requests/voice-clone/takes.zip", "--allow-empty", cwd=repo)
    assert code == 0 and report["requests"] == [] and report["files"] == []


def test_nearest_file_wins_and_preflight_toml_over_pyproject(repo: Path) -> None:
    configure(repo, '[tool.preflight.rules]\n"video.fps" = "off"\n')
    folder = repo / "requests" / "instant-avatar"
    configure(folder, '[rules]\n"video.resolution" = "off"\n', ".preflight.toml")
    configure(folder, '[tool.preflight]\nstrict = "yes"\n')  # beside it, and not read
    _, report = report_of("requests/instant-avatar", cwd=repo)
    assert "video.fps" in rules_of(report)
    assert "video.resolution" not in rules_of(report)


def test_a_pyproject_without_the_table_is_passed_over(repo: Path) -> None:
    configure(repo, '[tool.preflight.rules]\n"video.fps" = "off"\n')
    configure(repo / "requests", '[project]\nname = "assets"\n')
    _, report = report_of("requests", cwd=repo)
    assert "video.fps" not in rules_of(report)


def test_command_line_overrides_configuration(tmp_path: Path) -> None:
    """A request whose only finding is a warning: strict in the file, not on the command line."""
    shutil.copytree(FAIL.parent / "pass" / "photo-avatar", tmp_path / "photo")
    with (tmp_path / "photo" / "lin.request.toml").open("a", encoding="utf-8") as manifest:
        manifest.write('AudioId = "abc"\n')  # request.field-not-applicable, a warning
    configure(tmp_path, "[tool.preflight]\nstrict = true\njobs = 1\n")
    code, report = report_of("photo", cwd=tmp_path)
    assert code == 1 and rules_of(report) == {"request.field-not-applicable"}
    code, _ = report_of("photo", "--no-strict", "--jobs", "2", cwd=tmp_path)
    assert code == 0


def test_explicit_config_file(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('[rules]\n"video.fps" = "off"\n', encoding="utf-8")
    _, report = report_of("requests", "--config", str(other), cwd=repo)
    assert "video.fps" not in rules_of(report)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[tool.preflight]\nstrictt = true\n", "'strictt' is not a setting; did you mean 'strict'"),
        ('[tool.preflight.rules]\n"video.fsp" = "off"\n', "did you mean 'video.fps'"),
        ('[tool.preflight.rules]\n"video.fps" = "of"\n', "levels are error, warning, off"),
        ('[tool.preflight.per-path-ignores]\n"a/*" = ["nope"]\n', "'nope', which does not exist"),
        ('[tool.preflight.per-path-ignores]\n"a/*" = "video.fps"\n', "must be a list of strings"),
        ("[tool.preflight]\njobs = -1\n", "'jobs' must be a whole number"),
        ("[tool.preflight]\nexclude = 3\n", "'exclude' must be a list of strings"),
        ("[tool.preflight]\ncos-prefix = 'https://x/y/'\n", "is not an upload PathPrefix"),
        ("[tool.preflight]\nknown-anchors = 'missing.txt'\n", "cannot read"),
        ("[tool.preflight\n", "is not valid TOML"),
    ],
)
def test_configuration_errors_exit_2_and_name_the_key(repo: Path, text: str, named: str) -> None:
    configure(repo, text)
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "check", "requests", "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert named in done.stderr
    assert done.stdout == ""  # no half report for a machine to misread
    assert "Traceback" not in done.stderr


def test_exit_zero_still_reports(repo: Path) -> None:
    code, report = report_of("requests", "--exit-zero", cwd=repo)
    assert code == 0 and report["ok"] is False and report["counts"]["error"] > 0


def test_report_files_in_the_same_run(repo: Path) -> None:
    code, out = invoke(
        "check", "requests", "--report", "json:out/r.json", "--report", "text:r.txt", cwd=repo
    )
    assert code == 1
    assert (repo / "r.txt").read_text(encoding="utf-8") == out
    assert '"schema": "preflight-report/1"' in (repo / "out" / "r.json").read_text("utf-8")


def test_report_option_errors(repo: Path) -> None:
    for bad in ("nope:x", "json", "json:"):
        code, _ = invoke("check", "requests", "--report", bad, cwd=repo)
        assert code == 2, bad


def _stderr_on_a_terminal(repo: Path, **env: str) -> str:
    """Run preflight with stderr on a pseudo-terminal, as a person at a desk sees it."""
    main, side = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "PRE_COMMIT")}
    with subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", *(f"many/p{n}.jpg" for n in range(10))],
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=side,
        env={**clean, **env},
    ) as process:
        os.close(side)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closes when the process ends
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_only_on_a_terminal_outside_ci(repo: Path) -> None:
    many = repo / "many"
    many.mkdir()
    for n in range(10):
        shutil.copy2(FAIL / "photo-avatar" / "lin portrait.jpg", many / f"p{n}.jpg")
    assert "probing [" in _stderr_on_a_terminal(repo)
    assert "probing" not in _stderr_on_a_terminal(repo, CI="true")
    assert "probing" not in _stderr_on_a_terminal(repo, PRE_COMMIT="1")


def test_github_appends_the_summary_to_the_step_summary(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = repo / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out = invoke("check", "requests", "--format", "github", cwd=repo)
    assert code == 1 and out.startswith("::error file=")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n")
    _, markdown = invoke("check", "requests", "--format", "markdown", cwd=repo)
    assert written.removeprefix("earlier step\n") == markdown
    code, _ = invoke("check", "requests", "--report", "github:gh.txt", cwd=repo)
    assert summary.read_text(encoding="utf-8").count(markdown) == 2
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    invoke("check", "requests", "--format", "github", cwd=repo)
    assert summary.read_text(encoding="utf-8").count(markdown) == 2


def test_locations_are_relative_to_the_work_tree_root(tmp_path: Path) -> None:
    """Run from a folder whose name starts with a dot: its name is kept whole."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(FAIL / "photo-avatar", tmp_path / ".assets" / "photo")
    code, out = invoke("check", "photo", "--format", "github", cwd=tmp_path / ".assets")
    assert code == 1
    assert "::error file=.assets/photo/" in out


def test_inspect_honours_the_configuration(repo: Path) -> None:
    """`inspect FILE` judges with the same configuration as `check FILE`."""
    video = "requests/instant-avatar/lin.mov"

    def rules_inspected(*args: str) -> set[str]:
        code, out = invoke("inspect", "--format", "json", video, *args, cwd=repo)
        assert code == 0
        return {f["rule"] for i in json.loads(out) for v in i["verdicts"] for f in v["findings"]}

    assert "video.fps" in rules_inspected()
    configure(repo, '[tool.preflight.rules]\n"video.fps" = "off"\n"video.resolution" = "warning"\n')
    assert "video.fps" not in rules_inspected()
    _, out = invoke("inspect", "--format", "json", video, cwd=repo)
    levels = {
        f["severity"]
        for i in json.loads(out)
        for v in i["verdicts"]
        for f in v["findings"]
        if f["rule"] == "video.resolution"
    }
    assert levels == {"warning"}
    other = repo / "other.toml"
    other.write_text('[rules]\n"video.aspect" = "off"\n', encoding="utf-8")
    assert "video.fps" in rules_inspected("--config", str(other))


def test_a_found_configuration_reads_nothing_outside_its_work_tree(tmp_path: Path) -> None:
    """A pull request's configuration must not read the CI machine's files (nor tell, through
    request.anchor-name-duplicate, whether a name is in one): in a git work tree, a found
    configuration and the known-anchors file it names lie inside it, or the run stops."""
    outside = tmp_path / "outside.txt"
    outside.write_text("Lin_Photo\n", encoding="utf-8")
    checkout = tmp_path / "checkout"
    shutil.copytree(FAIL.parent / "pass" / "photo-avatar", checkout / "lin")
    (checkout / ".git").mkdir()
    configure(checkout, f'known-anchors = "{outside}"\n', ".preflight.toml")
    code, _ = invoke("check", "lin", cwd=checkout)
    assert code == 2
    configure(checkout, 'known-anchors = "../outside.txt"\n', ".preflight.toml")
    assert invoke("check", "lin", cwd=checkout)[0] == 2
    (checkout / ".preflight.toml").unlink()
    (checkout / "lin" / ".preflight.toml").symlink_to(tmp_path / "elsewhere.toml")
    configure(tmp_path, '[rules]\n"photo.aspect" = "off"\n', "elsewhere.toml")
    assert invoke("check", "lin", cwd=checkout)[0] == 2
    # Given with --config, the same file is the user's choice.
    (checkout / "lin" / ".preflight.toml").unlink()
    configure(tmp_path, f'known-anchors = "{outside}"\n', "pinned.toml")
    code, report = report_of("lin", "--config", str(tmp_path / "pinned.toml"), cwd=checkout)
    assert code == 1 and "request.anchor-name-duplicate" in rules_of(report)
    # Inside the work tree, the known-anchors file is read.
    (checkout / "taken.txt").write_text("Lin_Photo\n", encoding="utf-8")
    configure(checkout, 'known-anchors = "taken.txt"\n', ".preflight.toml")
    code, report = report_of("lin", cwd=checkout)
    assert code == 1 and "request.anchor-name-duplicate" in rules_of(report)
