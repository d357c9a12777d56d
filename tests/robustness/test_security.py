"""What a CI owner relies on: a manifest cannot reach outside its work tree, reports hold facts
and never file contents, the package has no network and no shell, and a run writes nothing
but the outputs asked for."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from harness import check_cli, sandbox, snapshot
from helpers.media import make_pdf, make_video, make_zip, wav_bytes
from helpers.media_faces import face_photo
from hostile import manifest

from preflight.reporters.formats import REPORTERS

PACKAGE = Path(__file__).resolve().parents[2] / "preflight"
SECRET = "SECRET-7f3a9c-TOKEN"


# --- file.outside-root --------------------------------------------------------------------


def _work_tree(root: Path) -> tuple[Path, Path]:
    """A git work tree (`repo`) and, beside it, a photo outside it."""
    repo = root / "repo"
    (repo / ".git").mkdir(parents=True)
    outside = face_photo(root / "outside.png", size=(300, 300))  # passes, its face too
    return repo, outside


def test_paths_escaping_the_work_tree_are_refused(tmp_path: Path) -> None:
    repo, outside = _work_tree(tmp_path)
    (repo / "link.png").symlink_to(outside)
    (repo / "inside.png").write_bytes(outside.read_bytes())
    escapes = {"dotdot": "../outside.png", "link": "link.png", "absolute": str(outside)}
    for name, value in escapes.items():
        manifest(repo / f"{name}.request.json", "IMAGE_PHOTO", name, MaterialCosUrl=value)
    manifest(repo / "inside.request.json", "IMAGE_PHOTO", "inside", MaterialCosUrl="inside.png")
    run = check_cli(
        tmp_path,
        "repo",
        expect={
            "outside.png": "file.outside-root",
            "repo/link.png": "file.outside-root",
            str(outside): "file.outside-root",
        },
    )
    assert not run.rules("repo/inside.png")
    for request in run.report["requests"]:  # type: ignore[index]
        if request["source"] != "repo/inside.request.json":
            assert request["files"][0]["facts"] is None  # never opened

    run = check_cli(tmp_path, "repo", "--allow-outside-root")
    assert run.code == 0 and run.report["ok"]  # type: ignore[index]


def test_flags_and_manifests_outside_a_work_tree_are_not_restricted(tmp_path: Path) -> None:
    repo, _ = _work_tree(tmp_path)
    flags = ("--make-type", "IMAGE_PHOTO", "--anchor-name", "Lin", "--sex", "MALE")
    run = check_cli(tmp_path, *flags, "--material", "../outside.png", cwd=repo)
    assert run.code == 0, run.report
    loose = tmp_path / "loose"
    loose.mkdir()
    manifest(loose / "request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="../outside.png")
    run = check_cli(tmp_path, "loose")
    assert run.code == 0, run.report


# --- reports hold facts, never contents ---------------------------------------------------


def _secret_holders(folder: Path) -> dict[str, str]:
    """Files that hold SECRET in their content, each in a field of its own request."""
    text = folder / "credentials.txt"
    text.write_text(f"token={SECRET}\n", encoding="utf-8")
    lfs = folder / "pointer.zip"
    lfs.write_text(f"version https://git-lfs.github.com/spec/v1\n{SECRET}\n", encoding="utf-8")
    make_zip(folder / "voice.zip", {"a.wav": wav_bytes(), "notes.txt": SECRET.encode()})
    pdf = make_pdf(folder / "letter.pdf")
    pdf.write_bytes(pdf.read_bytes().replace(b"%PDF-1.4\n", f"%PDF-1.4\n%{SECRET}\n".encode()))
    make_video(
        folder / "tagged.mp4",
        width=160,
        height=90,
        duration=0.2,
        extra=("-metadata", f"title={SECRET}", "-metadata", f"comment={SECRET}"),
    )
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = SECRET  # ImageDescription
    Image.new("RGB", (64, 64)).save(folder / "photo.jpg", exif=exif.tobytes())
    (folder / "broken.request.json").write_text(f'{{"AnchorName": {SECRET}}}', encoding="utf-8")
    return {
        "MaterialCosUrl": "credentials.txt",
        "IdentityWrittenCosUrl": "credentials.txt",
        "IdentityCosUrl": "credentials.txt",
        "VoiceDriverCosFile": "credentials.txt",
        "voice": "voice.zip",
        "lfs": "pointer.zip",
        "letter": "letter.pdf",
        "video": "tagged.mp4",
        "photo": "photo.jpg",
    }


def test_reports_never_contain_file_contents(tmp_path: Path) -> None:
    holders = _secret_holders(tmp_path)
    roles = {
        "voice": ("VOICE", "MaterialCosUrl"),
        "lfs": ("VOICE", "MaterialCosUrl"),
        "letter": ("VOICE", "IdentityWrittenCosUrl"),
        "video": ("IMAGE_GENERAL", "MaterialCosUrl"),
        "photo": ("IMAGE_PHOTO", "MaterialCosUrl"),
    }
    for number, (key, value) in enumerate(holders.items()):
        make_type, field = roles.get(key, ("VOICE", key))
        manifest(tmp_path / f"r{number}.request.json", make_type, f"r_{number}", **{field: value})
    standalone = ("credentials.txt", "voice.zip", "letter.pdf", "tagged.mp4", "photo.jpg")
    for output_format in REPORTERS:
        run = check_cli(tmp_path, ".", *standalone, output_format=output_format)
        assert run.code == 1
        assert SECRET not in run.stdout and SECRET not in run.stderr, output_format
    # the secret's neighbours were read: the reports do describe these files
    run = check_cli(tmp_path, ".", expect={"credentials.txt": "file.unreadable"})
    assert "file.lfs-pointer" in run.rules("pointer.zip")


def test_manifests_linked_to_secret_files_do_not_leak_them(tmp_path: Path) -> None:
    """A pull request can add a manifest that is a symlink to a credentials file."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    key = {"type": "service_account", "private_key": SECRET, "client_id": SECRET}
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    (tmp_path / "token.toml").write_text(f'token = "{SECRET}"\n[aws]\nkey = "{SECRET}"\n')
    (tmp_path / "env").write_text(f"export TOKEN={SECRET}\n", encoding="utf-8")
    (repo / "key.request.json").symlink_to(tmp_path / "key.json")
    (repo / "token.request.toml").symlink_to(tmp_path / "token.toml")
    (repo / "env.request.toml").symlink_to(tmp_path / "env")
    for output_format in REPORTERS:
        run = check_cli(tmp_path, "repo", output_format=output_format)
        assert run.code == 1
        assert SECRET not in run.stdout and SECRET not in run.stderr, output_format


# --- no network, no shell -----------------------------------------------------------------

FORBIDDEN_MODULES = {
    "socket",
    "ssl",
    "urllib",
    "http",
    "requests",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "subprocess",
    "multiprocessing.connection",
}
ALLOWED_MODULES = {"urllib.parse"}  # string functions only (reporters quote file URIs)
# Spawned workers (macOS, Windows) are this interpreter, started without a shell (shell= fails);
# git.py runs `git ls-files` (file.untracked), without a shell either; probe/speech.py runs
# the imageio-ffmpeg binary (an argument list) to decode audio for the speech analysis;
# probe/faces.py and probe/frames.py run it to decode a video's keyframes, or every frame;
# probe/preview.py to decode the frames of the html report (local files only, by whitelist);
# fix/execute.py runs it to write the conforming copies of `preflight fix`. No module uses
# socket: the pool's workers talk over pipes only.
ALLOWED_IN = {
    "subprocess": {
        PACKAGE / "probe" / "pool.py",
        PACKAGE / "git.py",
        PACKAGE / "probe" / "speech.py",
        PACKAGE / "probe" / "faces.py",
        PACKAGE / "probe" / "frames.py",
        PACKAGE / "probe" / "preview.py",
        PACKAGE / "fix" / "execute.py",
    },
}
FORBIDDEN_CALLS = {"system", "popen", "spawnl", "spawnv", "execv", "execl", "execvp", "startfile"}


def test_the_package_has_no_network_and_no_shell() -> None:
    problems = []
    for source in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"), str(source))
        for node in ast.walk(tree):
            where = f"{source.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                forbidden = any(name == m or name.startswith(f"{m}.") for m in FORBIDDEN_MODULES)
                allowed = name in ALLOWED_MODULES or source in ALLOWED_IN.get(name, set())
                if forbidden and not allowed:
                    problems.append(f"{where}: imports {name}")
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "shell":
                        problems.append(f"{where}: shell=")
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_CALLS:
                    problems.append(f"{where}: calls {func.attr}")
    assert not problems


@pytest.mark.skipif(not sandbox(), reason="unshare cannot make a user and network namespace here")
def test_the_suite_runs_preflight_without_network(tmp_path: Path) -> None:
    """Every check_cli run goes through the sandbox; prove the sandbox has no network."""
    probe = "import socket; socket.create_connection(('1.1.1.1', 443), timeout=3)"
    done = subprocess.run(
        [*sandbox(), sys.executable, "-c", probe], capture_output=True, text=True, timeout=30
    )
    assert done.returncode != 0 and "unreachable" in done.stderr.lower()
    run = check_cli(
        tmp_path,
        "--make-type",
        "ZERO_SHOT_VOICE",
        "--anchor-name",
        "Lin",
        "--sex",
        "MALE",
        "--audio-id",
        "a1",
    )
    assert run.code == 0


# --- nothing written but what was asked for -----------------------------------------------


def test_only_the_outputs_asked_for_are_written(tmp_path: Path) -> None:
    face_photo(tmp_path / "portrait.png", size=(300, 300))
    manifest(tmp_path / "lin.request.json", "IMAGE_PHOTO", "Lin", MaterialCosUrl="portrait.png")
    out = tmp_path.parent / f"{tmp_path.name}-out"
    out.mkdir()
    before = snapshot(out)
    check_cli(
        tmp_path,
        "--output",
        str(out / "report.json"),
        "--emit-request",
        str(out / "bodies"),
        ".",
    )
    after = snapshot(out)
    assert set(after) - set(before) == {"report.json", "bodies", os.path.join("bodies", "lin.json")}
