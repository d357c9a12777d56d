"""What preflight checks is what would be uploaded: a `..` is taken through symlinks as the
operating system takes it, a `${COS_PATH_PREFIX}` template or a URL of another scheme never
lets a field pass unchecked, a manifest that is a symlink out of the repository is not read,
and a file that git does not have (so that CI's fresh clone lacks it) is a finding."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FACTS_READ, check_cli, run_cli, sandbox, snapshot
from helpers.media_faces import face_photo
from hostile import manifest

from preflight.engine import run
from preflight.settings import Settings

GOOD = (300, 300)  # a square photo of a face: passes
TALL = (300, 400)  # 3:4: photo.aspect


def _photo(path: Path, size: tuple[int, int]) -> Path:
    """A PNG of `size` showing a face (a photo without one fails face.count)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return face_photo(path, size=size, faces=((0, 0, size[0]),))


def _repo(root: Path) -> Path:
    repo = root / "repo"
    (repo / ".git").mkdir(parents=True)
    return repo


# --- `..` through a symlink --------------------------------------------------------------


def test_dotdot_after_a_symlink_checks_the_file_the_system_opens(tmp_path: Path) -> None:
    """`a/link/../photo.png` with `link` → `elsewhere/deep` opens `elsewhere/photo.png`: that
    file, not the `a/photo.png` a lexical reading finds, is checked and shown."""
    repo = _repo(tmp_path)
    _photo(repo / "a" / "photo.png", GOOD)  # what a lexical reading would check
    _photo(repo / "elsewhere" / "photo.png", TALL)  # what an uploader gets
    (repo / "elsewhere" / "deep").mkdir()
    (repo / "a" / "link").symlink_to(repo / "elsewhere" / "deep", target_is_directory=True)
    value = "a/link/../photo.png"
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl=value)
    assert (repo / value).read_bytes() == (repo / "elsewhere" / "photo.png").read_bytes()
    run = check_cli(tmp_path, "lin.request.json", cwd=repo, expect={"elsewhere/photo.png": None})
    assert run.code == 1
    assert run.rules("elsewhere/photo.png") == {"photo.aspect"}
    (request,) = run.report["requests"]  # type: ignore[index]
    assert request["files"][0]["path"] == "elsewhere/photo.png"
    assert request["files"][0]["facts"]["height"] == 400


def test_dotdot_through_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _photo(repo / "photo.png", GOOD)  # lexically, `out/../photo.png` is this one
    _photo(tmp_path / "photo.png", GOOD)
    (tmp_path / "deep").mkdir()
    (repo / "out").symlink_to(tmp_path / "deep", target_is_directory=True)
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="out/../photo.png")
    run = check_cli(tmp_path, "repo")
    assert run.code == 1
    (request,) = run.report["requests"]  # type: ignore[index]
    assert [f["rule"] for f in request["findings"]] == ["file.outside-root"]
    assert request["files"][0]["facts"] is None  # never opened


def test_dotdot_without_symlinks_reads_as_before(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    _photo(repo / "shared" / "photo.png", GOOD)
    (repo / "lin").mkdir()
    manifest(
        repo / "lin" / "request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="../shared/photo.png"
    )
    run = check_cli(tmp_path, "repo", expect={"repo/shared/photo.png": FACTS_READ})
    assert run.code == 0


@pytest.mark.parametrize(
    ("given", "source"),
    [
        ("a/link/../photo.png", None),  # a media file on its own, as pre-commit passes it
        ("a/link/../lin.request.json", "elsewhere/lin.request.json"),
        ("a/link/..", "elsewhere/lin.request.json"),  # a folder to search
    ],
)
def test_dotdot_after_a_symlink_on_the_command_line_checks_what_the_system_opens(
    tmp_path: Path, given: str, source: str | None
) -> None:
    """A path given, like a path in a manifest: with `a/link` → `elsewhere/deep`, the
    `a/link/../…` the shell opens is in `elsewhere`, and the report shows it there."""
    repo = _repo(tmp_path)
    (repo / "elsewhere" / "deep").mkdir(parents=True)
    (repo / "a").mkdir()
    (repo / "a" / "link").symlink_to(repo / "elsewhere" / "deep", target_is_directory=True)
    for folder, spec in (("a", GOOD), ("elsewhere", TALL)):  # `a/…`: the lexical reading's
        _photo(repo / folder / "photo.png", spec)
        if source is not None:
            manifest(
                repo / folder / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="photo.png"
            )
    run = check_cli(tmp_path, given, cwd=repo, expect={"elsewhere/photo.png": FACTS_READ})
    assert run.code == 1
    assert run.facts("elsewhere/photo.png")["height"] == 400  # type: ignore[index]
    assert run.report is not None
    if source is None:
        assert [f["path"] for f in run.report["files"]] == ["elsewhere/photo.png"]
    else:
        assert [r["source"] for r in run.report["requests"]] == [source]
        assert run.rules("elsewhere/photo.png") == {"photo.aspect"}


# --- values that are neither a local path nor an http(s) URL -----------------------------


def test_a_template_value_checks_the_local_file_it_stands_for(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    template = "${COS_PATH_PREFIX}/photo/lin_portrait.png"
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl=template)
    run = check_cli(tmp_path, "repo", expect={"repo/photo/lin_portrait.png": "file.missing"})
    assert run.code == 1
    (finding,) = run.findings("repo/photo/lin_portrait.png")
    assert template in finding["message"]

    _photo(repo / "photo" / "lin_portrait.png", TALL)
    run = check_cli(tmp_path, "repo", expect={"repo/photo/lin_portrait.png": "photo.aspect"})
    assert run.code == 1

    _photo(repo / "photo" / "lin_portrait.png", GOOD)
    run = check_cli(
        tmp_path, "repo", "--cos-prefix", f"https://b.example/customer-pipeline/1/{'0' * 32}/"
    )
    assert run.code == 0, run.report
    (request,) = run.report["requests"]  # type: ignore[index]
    assert request["request"]["Payload"]["MaterialCosUrl"] == (
        f"https://b.example/customer-pipeline/1/{'0' * 32}/photo/lin_portrait.png"
    )


@pytest.mark.parametrize(
    "value",
    [
        "s3://bucket/customer-pipeline/1/00000000-0000-0000-0000-000000000000/photo/lin.png",
        "cos://bucket/customer-pipeline/1/00000000-0000-0000-0000-000000000000/photo/lin.png",
        "file:///tmp/lin.png",
        "${COS_PATH_PREFIX}",
    ],
)
def test_other_schemes_fail_the_request(tmp_path: Path, value: str) -> None:
    repo = _repo(tmp_path)
    _photo(tmp_path / "lin.png", GOOD)
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl=value)
    run = check_cli(tmp_path, "repo")
    assert run.code == 1
    (request,) = run.report["requests"]  # type: ignore[index]
    assert "request.cos-path" in {f["rule"] for f in request["findings"]}


# --- a manifest that is a symlink out of the repository ----------------------------------


def test_a_manifest_linked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    outside = tmp_path / "outside"
    _photo(outside / "lin_portrait.png", GOOD)
    manifest(outside / "real.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="lin_portrait.png")
    manifest(outside / "other.request.json", "IMAGE_PHOTO", "Mo", MaterialCosUrl="lin_portrait.png")
    (repo / "lin.request.json").symlink_to(outside / "real.request.json")
    (repo / "folder").symlink_to(outside, target_is_directory=True)
    given = ("repo", "repo/folder/other.request.json")
    run = check_cli(tmp_path, *given, expect={"repo/lin.request.json": "file.outside-root"})
    assert run.code == 1
    for request in run.report["requests"]:  # type: ignore[index]
        assert [f["rule"] for f in request["findings"]] == ["file.outside-root"], request
        assert request["files"] == []  # its fields were never read
    assert run.rules("repo/folder/other.request.json") == {"file.outside-root"}

    run = check_cli(tmp_path, *given, "--allow-outside-root")  # the user's own choice: read
    for request in run.report["requests"]:  # type: ignore[index]
        assert "file.outside-root" not in {f["rule"] for f in request["findings"]}
        assert request["files"], request


# --- files git does not have --------------------------------------------------------------

GIT = shutil.which("git")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_file_git_does_not_have_is_a_finding(tmp_path: Path) -> None:
    """A commit of the manifest alone passes CI's fresh clone never: under pre-commit the
    untracked file is an error, elsewhere a warning; once staged, nothing."""
    repo = tmp_path / "repo"
    _git(tmp_path, "init", "-q", "repo")
    _photo(repo / "lin_portrait.png", GOOD)
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="lin_portrait.png")
    _git(repo, "add", "lin.request.json")
    before = snapshot(repo)

    run = check_cli(tmp_path, "lin.request.json", cwd=repo, expect={"lin_portrait.png": FACTS_READ})
    assert run.code == 0  # a warning: a work in progress
    (finding,) = run.findings("lin_portrait.png")
    assert (finding["rule"], finding["severity"]) == ("file.untracked", "warning")
    assert finding["hint"] == "git add -- lin_portrait.png"

    committing = run_cli(tmp_path, "lin.request.json", cwd=repo, env={"PRE_COMMIT": "1"})
    assert committing.code == 1, committing.stderr
    (finding,) = committing.findings("lin_portrait.png")
    assert (finding["rule"], finding["severity"]) == ("file.untracked", "error")
    assert snapshot(repo) == before  # git was asked, nothing was written (not even .git)

    _git(repo, "add", "lin_portrait.png")
    staged = run_cli(tmp_path, "lin.request.json", cwd=repo, env={"PRE_COMMIT": "1"})
    assert staged.code == 0 and not staged.findings("lin_portrait.png"), staged.stdout


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_without_git_or_a_real_repository_nothing_is_said(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _git(tmp_path, "init", "-q", "repo")
    _photo(repo / "lin_portrait.png", GOOD)
    manifest(repo / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="lin_portrait.png")
    no_git = tmp_path / "bin"  # a PATH without git (with the sandbox's unshare, if any)
    no_git.mkdir()
    for program in sandbox()[:1]:
        (no_git / program).symlink_to(shutil.which(program) or program)
    python_only = {"PATH": str(no_git)}
    run = run_cli(tmp_path, "lin.request.json", cwd=repo, env={"PRE_COMMIT": "1", **python_only})
    assert run.code == 0 and not run.findings("lin_portrait.png"), run.stdout + run.stderr

    fake = _repo(tmp_path / "fake")  # a `.git` folder that is no repository
    _photo(fake / "lin_portrait.png", GOOD)
    manifest(fake / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="lin_portrait.png")
    run = run_cli(tmp_path, "lin.request.json", cwd=fake, env={"PRE_COMMIT": "1"})
    assert run.code == 0 and not run.findings("lin_portrait.png"), run.stdout


# --- symlinks to other repositories --------------------------------------------------------


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_submodule_is_part_of_the_checkout_and_another_repository_is_not(
    tmp_path: Path,
) -> None:
    """The work tree ends at the checkout's folder, not at the first `.git` a path reaches: a
    symlink to a repository elsewhere on the machine (`other`) leads out of it, though that
    target is a work tree too; a submodule (`sub`, a checkout of the same repository) lies in
    the checkout, reached directly or through a symlink, and git's index there is the one
    asked about it."""
    other = tmp_path / "other"
    _git(tmp_path, "init", "-q", "other")
    _photo(other / "photo.png", GOOD)
    manifest(other / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="photo.png")
    _git(other, "add", ".")
    _git(other, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "media")
    repo = tmp_path / "repo"
    _git(tmp_path, "init", "-q", "repo")
    _git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other), "sub")
    (repo / "linked").symlink_to(other, target_is_directory=True)
    (repo / "photo.png").symlink_to(other / "photo.png")
    (repo / "via").symlink_to(repo / "sub", target_is_directory=True)
    for name, value in (
        ("folder-out", "linked/photo.png"),
        ("file-out", "photo.png"),
        ("sub", "sub/photo.png"),
        ("via-sub", "via/photo.png"),
    ):
        anchor = name.replace("-", "_")
        manifest(repo / f"{name}.request.json", "IMAGE_PHOTO", anchor, MaterialCosUrl=value)
    _git(repo, "add", ".")
    run = check_cli(
        tmp_path,
        "repo",
        "repo/linked/lin.request.json",  # a manifest given through the symlink: not read
        expect={"repo/sub/photo.png": FACTS_READ, "repo/via/photo.png": FACTS_READ},
    )
    assert run.code == 1 and run.report is not None
    rules = {r["source"]: {f["rule"] for f in r["findings"]} for r in run.report["requests"]}
    assert rules == {
        "repo/file-out.request.json": {"file.outside-root"},
        "repo/folder-out.request.json": {"file.outside-root"},
        "repo/linked/lin.request.json": {"file.outside-root"},
        "repo/sub.request.json": set(),
        "repo/sub/lin.request.json": set(),  # the submodule's own manifest, found by the search
        "repo/via-sub.request.json": set(),
    }
    assert not run.rules("repo/sub/photo.png") and not run.rules("repo/via/photo.png")


@pytest.mark.skipif(sys.platform != "win32", reason="junctions are Windows'")
def test_a_junction_to_another_repository_leads_out_like_a_symlink(tmp_path: Path) -> None:
    """On Windows a junction leads elsewhere as a symlink does, and os.path.islink does not see
    it: a manifest reached through a junction to another repository is not that repository's
    (in process: the robustness harness waits for its child with os.wait4, which Windows lacks).
    """
    import _winapi

    other = _repo(tmp_path / "elsewhere")
    _photo(other / "photo.png", GOOD)
    manifest(other / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="photo.png")
    repo = _repo(tmp_path)
    _winapi.CreateJunction(str(other), str(repo / "linked"))
    manifest(repo / "out.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="linked/photo.png")
    given = (Path("out.request.json"), Path("linked/lin.request.json"))
    report = run(Settings(paths=given, cache=False, jobs=1, cwd=repo))
    for request in report.requests:
        assert [f.rule for f in request.findings] == ["file.outside-root"], request
        assert all(file.facts is None for file in request.files), request
    assert len(report.requests) == 2
