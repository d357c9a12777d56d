"""10. `preflight fix` of a 2-minute 1080p 24 fps MOV (to 25 fps), against the bare ffmpeg
command with the same filter graph, side by side; and preflight's own peak memory, its ffmpeg
child's left out (`ru_maxrss` of the process itself, written by bench/own_rss.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from bench.measure import Command, run_side_by_side
from bench.scenarios import Context
from bench.table import Row, judge, ms, ratio

HERE = Path(__file__).resolve().parent
FULL, SMOKE = (1920, 1080, 120), (320, 180, 2)  # width, height, seconds
FPS = 24
SCENARIO = "10 fix"
RUNS_MAX = 3  # each run encodes 2 minutes of 1080p: a few say enough
LETTER = HERE.parent / "fixtures" / "requests" / "pass" / "instant-avatar" / "authorization.pdf"


def fix(ctx: Context) -> list[Row]:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    width, height, seconds = FULL if ctx.warmup else SMOKE  # the smoke alone skips warm-ups
    folder = ctx.cache_dir.parent / "fix" / f"{width}x{height}-{seconds}s"  # made once
    _request(folder, ffmpeg, width, height, seconds)
    now = ctx.sides[0]
    out = folder / "out"
    args = ["fix", "--no-content", "--no-cache", str(folder / "request"), "--out", str(out)]
    planned = subprocess.run(
        [*now.preflight, *args, "--dry-run", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    (request,) = json.loads(planned.stdout)["requests"]
    (written,) = request["files"]
    bare = [*written["command"][:-1], str(folder / "bare.mp4")]
    bare = [bare[0], "-nostdin", "-y", "-loglevel", "error", *bare[1:]]
    preflight = now.command("fix", args)
    peer = Command("ffmpeg", bare)
    few = replace(ctx, repeat=min(ctx.repeat, RUNS_MAX), warmup=False)  # failures shared
    got = few.side_by_side([preflight, peer])
    own = folder / "own-rss.txt"
    measured = Command(
        "own rss", [sys.executable, str(HERE / "own_rss.py"), str(own), *args], env=now.env
    )
    run_side_by_side([measured], 1, warmup=False)
    own_mb = int(own.read_text()) / 1024
    video = f"{seconds / 60:g} min {width}×{height} {FPS} fps MOV"
    against = got[preflight.key].median_ms / got[peer.key].median_ms
    # CPU time (user + system, ffmpeg's included) moves less with the machine's load.
    cpu = got[preflight.key].median_cpu_ms / got[peer.key].median_cpu_ms
    return [
        Row(SCENARIO, f"`preflight fix`, {video} → 25 fps MP4", ms(got[preflight.key].median_ms)),
        Row(SCENARIO, "bare ffmpeg, the same command", ms(got[peer.key].median_ms)),
        Row(SCENARIO, "fix / bare ffmpeg", ratio(against), "≤ 1.05×", judge(against <= 1.05)),
        Row(SCENARIO, "fix / bare ffmpeg, CPU time", ratio(cpu)),
        Row(
            SCENARIO,
            "peak memory of preflight itself (its ffmpeg left out)",
            f"{own_mb:.0f} MB",
            "≤ 100 MB",
            judge(own_mb <= 100),
        ),
    ]


def _request(folder: Path, ffmpeg: str, width: int, height: int, seconds: int) -> None:
    """The MOV (a moving test pattern with sound, made once) and its request."""
    request = folder / "request"
    video = request / "presenter.mov"
    if not video.exists():
        request.mkdir(parents=True, exist_ok=True)
        picture = f"testsrc2=size={width}x{height}:rate={FPS}:duration={seconds}"
        sound = f"sine=frequency=220:sample_rate=48000:duration={seconds}"
        partial = video.with_name("partial.mov")
        subprocess.run(
            [ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", picture, "-f", "lavfi",
             "-i", sound, "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a",
             "aac", str(partial)],
            check=True,
        )  # fmt: skip
        partial.replace(video)
    shutil.copyfile(LETTER, request / "authorization.pdf")
    (request / "request.toml").write_text(
        'AnchorName = "bench"\nMakeType = "IMAGE"\nSexType = "FEMALE"\n'
        'MaterialCosUrl = "presenter.mov"\nIdentityWrittenCosUrl = "authorization.pdf"\n',
        encoding="utf-8",
    )
