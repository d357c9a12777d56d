"""A checkout that a pull request controls cannot steer what preflight writes: `--output`,
`--report` and `--emit-request` never write through a symlink the repository planted, never
into a folder that a symlink leads out of the repository, never over a file the run reads."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from harness import check_cli, refused, run_cli, snapshot
from helpers.media_faces import face_photo
from hostile import manifest

from preflight import outputs

VICTIM = "victim.txt"
PRECIOUS = "a file outside the repository that a report must never overwrite\n"


def _repository(root: Path) -> tuple[Path, Path]:
    """A git work tree holding one passing request, and beside it a folder with a victim file."""
    repo = root / "repo"
    (repo / ".git").mkdir(parents=True)
    face_photo(repo / "portrait.png", size=(300, 300))  # passes, its face too
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="portrait.png")
    outside = root / "outside"
    outside.mkdir()
    (outside / VICTIM).write_text(PRECIOUS, encoding="utf-8")
    return repo, outside


@pytest.mark.parametrize(
    ("option", "target"),
    [
        ("--output", "report.json"),
        ("--report", "json:report.json"),
        ("--emit-request", "bodies"),
    ],
)
def test_a_symlink_planted_at_the_target_is_replaced_not_written_through(
    tmp_path: Path, option: str, target: str
) -> None:
    repo, outside = _repository(tmp_path)
    victim = outside / VICTIM
    planted = repo / "report.json"
    if option == "--emit-request":
        (repo / "bodies").mkdir()
        planted = repo / "bodies" / "lin.json"  # the body's name, known from the manifest
    planted.symlink_to(victim)
    before = snapshot(outside)
    run = run_cli(tmp_path, option, target, "lin.request.json", cwd=repo)
    assert run.code == 0, run.stderr
    assert snapshot(outside) == before
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert not planted.is_symlink()
    written = json.loads(planted.read_text(encoding="utf-8"))
    assert written["Payload" if option == "--emit-request" else "ok"]
    assert not [p for p in planted.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("option", "target"),
    [
        ("--output", "reports/report.json"),
        ("--report", "sarif:reports/report.sarif"),
        ("--report", "junit:reports/../reports/deep/report.xml"),
        ("--emit-request", "reports"),
        ("--emit-request", "reports/bodies"),
    ],
)
def test_a_folder_that_leads_out_of_the_repository_is_refused(
    tmp_path: Path, option: str, target: str
) -> None:
    repo, outside = _repository(tmp_path)
    (repo / "reports").symlink_to(outside, target_is_directory=True)
    run = refused(tmp_path, option, target, "lin.request.json", cwd=repo)
    assert option in run.stderr and "reports" in run.stderr and "symlink" in run.stderr
    assert os.listdir(outside) == [VICTIM]


def test_a_symlink_inside_the_repository_and_folders_outside_are_followed(tmp_path: Path) -> None:
    repo, _ = _repository(tmp_path)
    (repo / "build").mkdir()
    (repo / "out").symlink_to(repo / "build", target_is_directory=True)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-reports"  # the user's own folder
    (tmp_path / "via").symlink_to(elsewhere, target_is_directory=True)
    elsewhere.mkdir()
    run = run_cli(
        tmp_path,
        "--output",
        "out/report.json",
        "--report",
        f"json:{tmp_path / 'via' / 'copy.json'}",
        "lin.request.json",
        cwd=repo,
    )
    assert run.code == 0, run.stderr
    assert json.loads((repo / "build" / "report.json").read_text(encoding="utf-8"))["ok"]
    assert json.loads((elsewhere / "copy.json").read_text(encoding="utf-8"))["ok"]


@pytest.mark.parametrize(
    "target",
    [
        "lin.request.json",  # the manifest
        "portrait.png",  # the file it names
        "./sub/../portrait.png",  # the same, through `..`
        "alias.json",  # a symlink to the manifest
        "hard.json",  # a hard link to the manifest
        ".preflight.toml",  # the configuration
        "anchors.txt",  # the known AnchorNames
    ],
)
@pytest.mark.parametrize("option", ["--output", "--report"])
def test_an_output_onto_an_input_is_refused(tmp_path: Path, target: str, option: str) -> None:
    repo, _ = _repository(tmp_path)
    (repo / "sub").mkdir()
    (repo / "alias.json").symlink_to(repo / "lin.request.json")
    os.link(repo / "lin.request.json", repo / "hard.json")
    (repo / ".preflight.toml").write_text("strict = false\n", encoding="utf-8")
    (repo / "anchors.txt").write_text("Taken\n", encoding="utf-8")
    value = target if option == "--output" else f"json:{target}"
    args = ("--known-anchors", "anchors.txt", "lin.request.json")
    run = refused(tmp_path, option, value, *args, cwd=repo)
    assert os.path.normpath(target) in run.stderr.replace("sub/../", ""), run.stderr
    assert "a file this run reads" in run.stderr, run.stderr


def test_an_emitted_body_onto_an_input_is_refused(tmp_path: Path) -> None:
    """The body of `lin.request.json` is `lin.json`: a file the manifest names cannot be it."""
    repo, _ = _repository(tmp_path)
    (repo / "portrait.png").rename(repo / "lin.json")
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="lin.json")
    run = refused(tmp_path, "--emit-request", ".", "lin.request.json", cwd=repo)
    assert "lin.json" in run.stderr and "--emit-request" in run.stderr


def test_outputs_elsewhere_still_leave_the_checked_tree_alone(tmp_path: Path) -> None:
    """The guarantee harness's view: a run writing its outputs outside the tree changes nothing
    in it, and the outputs are complete."""
    _repository(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-out"
    out.mkdir()
    run = check_cli(
        tmp_path,
        "--output",
        str(out / "report.json"),
        "--emit-request",
        str(out / "bodies"),
        "repo",
    )
    assert run.code == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["ok"]
    assert (out / "bodies" / "lin.json").is_file()


def test_written_reports_get_the_usual_permissions(tmp_path: Path) -> None:
    """Written through a private temporary file, a report still ends up readable as any file
    the user creates (0o666 less the umask), while the cache stays private."""
    target = tmp_path / "report.txt"
    outputs.write_text(target, "report", outputs.public_mode())
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    private = tmp_path / "cache.json"
    outputs.write_text(private, "{}")
    assert private.stat().st_mode & 0o777 == 0o600
