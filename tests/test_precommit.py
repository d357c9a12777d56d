"""preflight as a pre-commit hook, run by the real pre-commit framework in a temporary git
repository: with the `.pre-commit-config.yaml` snippet of the README exactly as printed (a
`repo: local` hook running the preflight on the PATH), and with the remote form (this
repository's `.pre-commit-hooks.yaml`, from a clone at a commit that exists)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers.media_video import make_long_video

from preflight.probe.sniff import EXTENSIONS, KIND

CHECKOUT = Path(__file__).resolve().parents[1]
FIXTURE = CHECKOUT / "fixtures" / "requests" / "pass" / "instant-avatar"
NOT_MATERIAL = ("docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk")


def _hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


def readme_snippet() -> str:
    """The `.pre-commit-config.yaml` that the README tells users to write."""
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- pre-commit-config -->\n```yaml\n(.*?)```", readme, re.DOTALL)
    assert match, "README.md lost its pre-commit snippet"
    return match.group(1)


def test_hook_definition() -> None:
    hook = _hook()
    assert hook["id"] == "preflight"
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    assert hook["stages"] == ["pre-commit", "pre-push", "manual"]
    assert "types" not in hook  # identify has no tags for mp4, mov or m4a


def test_hook_files_are_the_manifests_and_the_material() -> None:
    files = re.compile(str(_hook()["files"]))
    material = {f for f, kind in KIND.items() if kind in ("video", "audio", "image", "document")}
    for fmt in (*material, "zip"):
        for extension in EXTENSIONS[fmt]:
            if extension not in NOT_MATERIAL:
                assert files.search(f"avatars/lin/clip.{extension}"), extension
                assert files.search(f"clip.{extension.upper()}"), extension
    for name in ("request.json", "request.toml", "a/b/lin.request.json", "lin.request.toml"):
        assert files.search(name), name
    for name in ("README.md", "package.json", "pyproject.toml", "notes.docx", "a/requests.json"):
        assert not files.search(name), name


def test_readme_snippet_is_the_hook() -> None:
    """The README's local hook and the repository's hook run the same command on the same
    files (two copies, kept alike here)."""
    config = yaml.safe_load(readme_snippet())
    (repo,) = config["repos"]
    assert repo["repo"] == "local" and "rev" not in repo  # no tag to name, no network
    (hook,) = repo["hooks"]
    assert hook["id"] == "preflight" and hook["language"] == "system"
    for key in ("entry", "files", "require_serial"):
        assert hook[key] == _hook()[key], key


def _run_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    identity = {
        f"GIT_{who}_{what}": value
        for who in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", "t"), ("EMAIL", "t@example.com"))
    }
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env={**os.environ, **identity},
        capture_output=True,
        text=True,
        timeout=600,  # a commit runs the hook, which may first build its environment
    )


def _git(cwd: Path, *args: str) -> str:
    done = _run_git(cwd, *args)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout as pre-commit fetches a hook repository: its files (committed or not)
    committed to a fresh repository, and that commit."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = _git(CHECKOUT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = CHECKOUT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "preflight")
    return repo, _git(repo, "rev-parse", "HEAD").strip()


def _remote_config(request: pytest.FixtureRequest) -> str:
    hook_repo, rev = request.getfixturevalue("hook_repository")
    return f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: preflight\n"


@pytest.fixture(params=["readme", "remote"])
def assets(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    """An asset repository with a pre-commit configuration, hook installed: the README's
    snippet as printed (preflight on the PATH, as `pipx install` puts it there: here this
    environment's), or the remote form."""
    if request.param == "readme":
        config = readme_snippet()
        bin_dir = os.path.dirname(sys.executable)  # this environment's preflight
        monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    else:
        config = _remote_config(request)
    repo = tmp_path / "assets"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    # One hook environment for the whole run: building it is the slow part.
    home = tmp_path_factory.getbasetemp() / "pre-commit-home"
    os.environ["PRE_COMMIT_HOME"] = str(home)
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=120,
    )
    yield repo
    del os.environ["PRE_COMMIT_HOME"]


def _request(repo: Path, video: Path) -> None:
    folder = repo / "avatars" / "lin"
    folder.mkdir(parents=True)
    for name in ("request.toml", "authorization.pdf"):
        shutil.copy2(FIXTURE / name, folder / name)
    shutil.copy2(video, folder / "lin.mp4")


def _commit(repo: Path) -> subprocess.CompletedProcess[str]:
    _git(repo, "add", "-A")
    return _run_git(repo, "commit", "-q", "-m", "add Lin")


def test_a_commit_of_a_24_fps_video_is_blocked(assets: Path, tmp_path: Path) -> None:
    video = make_long_video(tmp_path / "lin.mp4", 65, width=1920, height=1080, fps=24)
    _request(assets, video)
    done = _commit(assets)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "video.fps" in done.stdout + done.stderr
    assert "24 fps is below 25 fps" in done.stdout + done.stderr
    with pytest.raises(subprocess.CalledProcessError):
        _git(assets, "rev-parse", "HEAD")  # nothing was committed


def test_a_commit_of_a_good_request_goes_through(assets: Path) -> None:
    _request(assets, FIXTURE / "lin.mp4")
    done = _commit(assets)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "avatars/lin/lin.mp4" in _git(assets, "show", "--name-only", "HEAD")
