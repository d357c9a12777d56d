"""`preflight fix` as a producer runs it: the manifest rewritten, inputs untouched, --dry-run,
every format saying what could not be fixed, Ctrl-C leaving nothing half-written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from helpers.fixing import NO_DURATION, fix, hashes, only, request
from helpers.media import make_photo, make_video
from runner import invoke

from preflight.probe.pool import START_METHOD
from preflight.reporters.formats import REPORTERS


def test_fields_with_one_right_answer_are_fixed(tmp_path: Path) -> None:
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    make_video(tmp_path / "lin.mp4", duration=0.5)
    request(
        tmp_path,
        "IMAGE",
        "lin.mp4",
        AnchorName="Lin Studio",
        SexType="female",
        IsHaveBackground="true",
        Note="first take",
        AudioId="abc",
    )
    code, report = fix(tmp_path)
    fixed = only(report)
    assert code == 0 and fixed["ok"], fixed["after"]["findings"]
    assert {f["rule"] for f in fixed["fields"]} == {
        "request.anchor-name",
        "request.sex-type",
        "request.field-type",
        "request.unknown-field",
        "request.field-not-applicable",
    }
    payload = tomllib.loads((tmp_path / "preflight-fixed" / "request.toml").read_text())
    assert payload["AnchorName"] == "Lin_Studio" and payload["SexType"] == "FEMALE"
    assert payload["IsHaveBackground"] is True and "AudioId" not in payload
    assert payload["MaterialCosUrl"] == "../lin.mp4"  # passing files are not copied


def test_fixture_inputs_are_byte_identical_and_out_mirrors_them(repo: Path) -> None:
    """The zip and the photo of the demo (its 65 s video takes a while to encode: `make demo`
    fixes it), given as two folders: their common folder is mirrored under --out."""
    before = hashes(repo / "requests")
    folders = ("requests/fail/voice-clone", "requests/fail/photo-avatar")
    code, out = invoke("fix", *folders, "--out", "fixed", "--no-content", cwd=repo)
    assert code == 1  # the identity URL in the wrong folder needs a person
    assert hashes(repo / "requests") == before
    assert set(hashes(repo / "fixed")) == {
        "voice-clone/takes.zip",
        "voice-clone/request.json",
        "photo-avatar/lin_portrait.jpg",
        "photo-avatar/lin.request.toml",
    }
    assert "needs a person:" in out and "not fixed:" in out


def test_dry_run_writes_nothing(repo: Path) -> None:
    before = hashes(repo)
    code, out = invoke("fix", "requests/fail", "--dry-run", "--no-content", cwd=repo)
    assert code == 0 and "would write" in out and "-vf" in out
    assert hashes(repo) == before


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_unfixable_findings_say_why_in_every_format(tmp_path: Path, name: str) -> None:
    make_video(tmp_path / "lin.mp4", duration=0.5)
    request(tmp_path, "IMAGE", "lin.mp4")
    code, out = invoke("fix", ".", "--format", name, "--no-content", cwd=tmp_path)
    assert code == 1
    assert "at least 120 s of footage" in out


def test_a_failing_ffmpeg_leaves_the_manifest_on_the_original(tmp_path: Path) -> None:
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    make_video(tmp_path / "lin.mp4", width=1280, height=720, duration=0.5)
    request(tmp_path, "IMAGE", "lin.mp4")
    broken = shutil.which("false")  # not an ffmpeg: it fails
    assert broken is not None
    code, report = fix(tmp_path, "--ffmpeg", broken)
    fixed = only(report)
    assert code == 1 and fixed["files"][0]["error"].startswith("ffmpeg failed")
    assert not (tmp_path / "preflight-fixed" / "lin.mp4").exists()
    assert [p.name for p in (tmp_path / "preflight-fixed").iterdir()] == ["request.toml"]
    payload = tomllib.loads((tmp_path / "preflight-fixed" / "request.toml").read_text())
    assert payload["MaterialCosUrl"] == "../lin.mp4"


@pytest.mark.parametrize("ending", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_interrupted_fix_leaves_no_partial_output(tmp_path: Path, ending: signal.Signals) -> None:
    """A run stopped while ffmpeg writes (workers spawned, as on macOS and Windows): exit
    128 + the signal, no target, no partial file, no ffmpeg left running."""
    (tmp_path / ".preflight.toml").write_text(NO_DURATION)
    make_video(tmp_path / "lin.mp4", width=640, height=480, duration=30, audio=False)
    request(tmp_path, "IMAGE", "lin.mp4")
    env = {**os.environ, START_METHOD: "spawn"}
    command = [sys.executable, "-m", "preflight", "fix", ".", "--no-content"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    out = tmp_path / "preflight-fixed"
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".partial.mp4") for p in _listed(out)):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(ending)
    assert process.wait(timeout=30) == 128 + ending
    assert _listed(out) == []
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(out) not in ps


def test_an_output_onto_an_input_is_refused(tmp_path: Path) -> None:
    make_video(tmp_path / "lin.mp4", width=1280, height=720, duration=0.5)
    manifest = request(tmp_path, "IMAGE", "lin.mp4")
    before = manifest.read_bytes()
    code, _ = invoke("fix", ".", "--out", ".", "--no-content", cwd=tmp_path)
    assert code == 2 and manifest.read_bytes() == before


def test_names_that_are_not_utf8(tmp_path: Path) -> None:
    """A photo in a folder whose name holds a byte that is not UTF-8 (a lone surrogate in
    Python) is cropped by ffmpeg all the same; the report shows the byte escaped."""
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    make_photo(folder / "lin portrait.png", width=96, height=128)
    request(folder, "IMAGE_PHOTO", "lin portrait.png")
    code, out = invoke("fix", ".", "--no-content", cwd=tmp_path)
    assert code == 0 and "caf\\udce9" in out
    assert [p.name for p in (folder / "preflight-fixed").glob("*.png")] == ["lin_portrait.png"]


def test_json_report_shape(tmp_path: Path) -> None:
    make_video(tmp_path / "lin.mp4", width=1280, height=720, duration=0.5)
    request(tmp_path, "IMAGE", "lin.mp4")
    _, report = fix(tmp_path, "--dry-run")
    assert report["schema"] == "preflight-fix/1" and report["dry_run"] is True
    (written,) = only(report)["files"]
    assert written["command"][-1].endswith("preflight-fixed/lin.mp4")
    assert json.dumps(report)


def _listed(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
