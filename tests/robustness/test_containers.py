"""Hostile video containers as MaterialCosUrl: empty, cut short, index missing or lying, garbage
behind a valid header, and other containers named `.mp4`. One CLI run checks them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FACTS_READ, check_cli
from helpers.media import make_video, top_box
from hostile import (
    absurd_videos,
    disguised_videos,
    fragmented_video,
    manifest,
    noise,
    seed_videos,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("containers")
    media = root / "media"
    media.mkdir()
    at_end, at_start = seed_videos(root / "seed")
    files: dict[str, bytes] = {
        "zero-byte": b"",
        "moov-at-end": at_end,
        "moov-at-start": at_start,
        "moov-missing": at_end[: top_box(at_end, b"moov") + 4]
        + b"free"
        + at_end[top_box(at_end, b"moov") + 8 :],
        "garbage-after-ftyp": at_end[:32] + noise(64 * 1024),
        **{f"cut-end-{at}": at_end[:at] for at in (6, 20, 40, len(at_end) // 2, len(at_end) - 9)},
        **{f"cut-start-{at}": at_start[:at] for at in (200, len(at_start) // 2, len(at_start) - 9)},
        **{f"absurd-{name}": data for name, data in absurd_videos(at_start).items()},
        "absurd-fragment-run-count": fragmented_video(root / "seed"),
    }
    for name, data in files.items():
        (media / f"{name}.mp4").write_bytes(data)
    start_mp4 = root / "seed" / "start.mp4"
    start_mp4.write_bytes(at_start)
    disguised_videos(media, start_mp4)
    start_mp4.unlink()
    for number, video in enumerate(sorted(media.iterdir())):
        manifest(
            root / f"{video.stem}.request.json",
            "IMAGE_GENERAL",
            f"anchor_{number}",
            MaterialCosUrl=f"media/{video.name}",
        )
    return root


DAMAGED = "file.unreadable"
EXPECTED: dict[str, str | None] = {
    "zero-byte": DAMAGED,
    "moov-at-end": FACTS_READ,
    "moov-at-start": FACTS_READ,
    "moov-missing": DAMAGED,
    "garbage-after-ftyp": DAMAGED,
    # declared sizes and counts: a table longer than its box is damage; the rest are facts
    "absurd-sample-count": DAMAGED,
    "absurd-chunk-count": DAMAGED,
    "absurd-time-to-sample-count": DAMAGED,
    "absurd-sample-description-count": DAMAGED,
    "absurd-edit-list-count": DAMAGED,
    "absurd-sync-sample-count": DAMAGED,
    "absurd-sample-group-count": DAMAGED,
    "absurd-fragment-run-count": DAMAGED,
    "absurd-moov-size": DAMAGED,
    "absurd-box-size-64": DAMAGED,
    "absurd-duration": "video.duration",
    "absurd-timescale-zero": "video.duration",
    "absurd-track-size": "video.resolution",
    "absurd-frame-size": "video.resolution",
    "mkv": "video.container",
    "webm": "video.container",
    "avi": "video.container",
    "ts": "video.container",
}


def test_hostile_containers(folder: Path) -> None:
    names = sorted(p.stem for p in (folder / "media").iterdir())
    cuts = [name for name in names if name.startswith("cut-")]
    assert len(cuts) == 8 and set(names) == set(EXPECTED) | set(cuts)
    expect = {f"media/{name}.mp4": EXPECTED.get(name, DAMAGED) for name in names}
    run = check_cli(folder, ".", expect=expect)
    for name in ("mkv", "webm", "avi", "ts"):
        assert "file.extension-mismatch" in run.rules(f"media/{name}.mp4")
    assert run.rules("media/moov-at-end.mp4") >= {"video.duration", "video.resolution"}
    assert run.facts("media/absurd-duration.mp4")["duration_s"] > 4 * 3600  # type: ignore[index]


def test_a_parser_stuck_in_a_loop_is_stopped(tmp_path: Path) -> None:
    """A MOV whose channel layout (`chan`, inside the sample description) declares four
    billion channel descriptions keeps libmediainfo busy for minutes (found by `make fuzz`):
    it reads in a worker process that is stopped after a few seconds."""
    from preflight.probe import PROBE_SECONDS_MAX

    data = make_video(tmp_path / "seed.mov", width=160, height=90, duration=0.3).read_bytes()
    (tmp_path / "seed.mov").unlink()
    at = data.index(b"chan") + 16
    (tmp_path / "looping.mov").write_bytes(data[:at] + b"\xff\xff\xff\xff" + data[at + 4 :])
    manifest(tmp_path / "request.json", "IMAGE", "looping", MaterialCosUrl="looping.mov")
    run = check_cli(
        tmp_path, ".", expect={"looping.mov": DAMAGED}, seconds_max=PROBE_SECONDS_MAX + 5
    )
    assert "did not finish" in run.findings("looping.mov")[0]["message"]
