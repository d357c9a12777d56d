"""The five scenarios of issue 5: each runs its commands side by side and returns its rows."""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.inputs import GIB, MIB, Inputs
from bench.measure import Command, Samples, bytes_read_from, run_side_by_side
from bench.table import Row, judge, ms, ratio

HERE = Path(__file__).resolve().parent
NOT_INSTALLED = "not installed"
SKIPPED = "skipped (--smoke)"
VIDEO_FLOOR = (
    "import sys, click, pymediainfo; pymediainfo.MediaInfo.parse(sys.argv[1], parse_speed=0)"
)

ZIP_FLOOR = (
    "import io, sys, zipfile, click, soundfile\n"
    "with zipfile.ZipFile(sys.argv[1]) as z:\n"
    "    for i in z.infolist():\n"
    "        with z.open(i) as m:\n"
    "            soundfile.info(io.BytesIO(m.read(65536)))\n"
)


@dataclass(frozen=True)
class Context:
    inputs: Inputs
    preflight: Sequence[str]  # the command that runs preflight
    python: str  # the interpreter preflight runs on, for the floors
    repeat: int
    warmup: bool
    peers: bool  # run the peers (the smoke skips them: it only proves the harness works)
    no_cache: Sequence[str]  # ["--no-cache"] where preflight has a cache: scenarios 2-4 probe

    @property
    def check(self) -> list[str]:
        """`preflight check` that probes every file (the cache is scenario 5's alone)."""
        return [*self.preflight, "check", *self.no_cache]

    def side_by_side(self, commands: Sequence[Command], stdout: bool = False) -> dict[str, Samples]:
        return run_side_by_side(commands, self.repeat, self.warmup, stdout)


def size_label(size: int) -> str:
    return f"{size / GIB:.3g} GB" if size >= GIB else f"{size / MIB:.3g} MB"


def _missing(ctx: Context) -> str:
    return NOT_INSTALLED if ctx.peers else SKIPPED


def startup(ctx: Context) -> list[Row]:
    """1. `preflight --version` and `preflight rules` against the interpreter's own start."""
    commands = [
        Command("python -c pass", [ctx.python, "-c", "pass"]),
        Command("python -c 'import click'", [ctx.python, "-c", "import click"]),
        Command("preflight --version", [*ctx.preflight, "--version"]),
        Command("preflight rules", [*ctx.preflight, "rules"]),
    ]
    got = ctx.side_by_side(commands)
    rows = []
    for command in commands:
        median = got[command.key].median_ms
        if command.key.startswith("preflight"):
            rows.append(
                Row("1 start-up", f"`{command.key}`", ms(median), "≤ 80 ms", judge(median <= 80))
            )
        else:
            rows.append(
                Row("1 start-up", f"`{command.key}` (the interpreter's own start)", ms(median))
            )
    return rows


def one_video(ctx: Context) -> list[Row]:
    """2. One 4K MOV, index at the end, at each sparse size: preflight, the floor, the peers."""
    policy = HERE / "policy.xml"
    peers: dict[str, Callable[[Path], list[str]]] = {
        "mediaconch": lambda f: ["mediaconch", "--Force", "-p", str(policy), str(f)],
        "mediainfo": lambda f: ["mediainfo", "--Output=JSON", str(f)],
        "ffprobe": lambda f: ["ffprobe", "-v", "error", "-show_streams", str(f)],
    }
    installed = {name for name in peers if ctx.peers and shutil.which(name)}
    missing = NOT_INSTALLED if ctx.peers else SKIPPED
    commands = []
    for size, path in ctx.inputs.videos.items():
        commands += [
            Command(f"preflight {size}", [*ctx.check, str(path)]),
            Command(f"floor {size}", [ctx.python, "-c", VIDEO_FLOOR, str(path)]),
        ]
        commands += [
            Command(f"{n} {size}", make(path)) for n, make in peers.items() if n in installed
        ]
    got = ctx.side_by_side(commands)
    rows = []
    for size in ctx.inputs.videos:
        label = size_label(size)
        tool, floor = got[f"preflight {size}"].median_ms, got[f"floor {size}"].median_ms
        rows += [
            Row(
                "2 one video",
                f"`preflight check` 4K MOV {label}",
                ms(tool),
                "≤ 120 ms",
                judge(tool <= 120),
            ),
            Row(
                "2 one video",
                f"Python floor {label} (`python -c` click + pymediainfo parse)",
                ms(floor),
            ),
            Row(
                "2 one video",
                f"preflight / Python floor, {label}",
                ratio(tool / floor),
                "≤ 1.30×",
                judge(tool / floor <= 1.3),
            ),
        ]
        if "mediaconch" in installed:
            peer = got[f"mediaconch {size}"].median_ms
            rows += [
                Row("2 one video", f"`mediaconch --Force -p policy.xml` {label}", ms(peer)),
                Row(
                    "2 one video",
                    f"mediaconch / preflight, {label}",
                    ratio(peer / tool),
                    "≥ 4×",
                    judge(peer / tool >= 4),
                ),
                Row("2 one video", f"mediaconch / Python floor, {label}", ratio(peer / floor)),
            ]
        else:
            rows.append(Row("2 one video", f"`mediaconch -p policy.xml` {label}", missing))
        for name, shown in (
            ("mediainfo", "mediainfo --Output=JSON"),
            ("ffprobe", "ffprobe -show_streams"),
        ):
            value = ms(got[f"{name} {size}"].median_ms) if name in installed else missing
            rows.append(Row("2 one video", f"`{shown}` {label}", value))
    sizes = list(ctx.inputs.videos)
    small, large = got[f"preflight {sizes[0]}"].median_ms, got[f"preflight {sizes[-1]}"].median_ms
    flat = large / small
    rss = max(got[f"preflight {size}"].peak_rss_mb for size in sizes)
    rows += [
        Row(
            "2 one video",
            f"preflight {size_label(sizes[-1])} / {size_label(sizes[0])}",
            ratio(flat),
            "≤ 1.10×",
            judge(flat <= 1.1),
        ),
        Row(
            "2 one video",
            "preflight peak RSS (largest of all runs)",
            f"{rss:.0f} MB",
            "≤ 100 MB",
            judge(rss <= 100),
        ),
    ]
    return rows


def voice_zip(ctx: Context) -> list[Row]:
    """3. One voice zip declaring 1.2 GB of audio: time against the floor, bytes read."""
    path = ctx.inputs.voice_zip
    tool_argv = [*ctx.check, str(path)]
    floor_argv = [ctx.python, "-c", ZIP_FLOOR, str(path)]
    got = ctx.side_by_side([Command("preflight", tool_argv), Command("floor", floor_argv)])
    tool, floor = got["preflight"].median_ms, got["floor"].median_ms
    declared = size_label(ctx.inputs.declared_audio)
    on_disk = size_label(path.stat().st_size)
    rows = [
        Row(
            "3 voice zip",
            f"`preflight check` zip declaring {declared} of audio ({on_disk} on disk)",
            ms(tool),
        ),
        Row(
            "3 voice zip",
            "Python floor (`python -c` click + soundfile, each WAV header from its member stream)",
            ms(floor),
        ),
        Row(
            "3 voice zip",
            "preflight / Python floor",
            ratio(tool / floor),
            "≤ 1.30×",
            judge(tool / floor <= 1.3),
        ),
    ]
    for what, argv, target in (
        ("preflight", tool_argv, True),
        ("the Python floor", floor_argv, False),
    ):
        read = bytes_read_from(argv, path)
        value = "strace not installed" if read is None else f"{read / MIB:.2f} MiB ({read} B)"
        ok = None if read is None or not target else read <= 2 * MIB
        rows.append(
            Row(
                "3 voice zip",
                f"bytes {what} reads from the zip (strace)",
                value,
                "≤ 2 MB" if target else "—",
                judge(ok),
            )
        )
    return rows


def repository(ctx: Context) -> list[Row]:
    """4. A repository of requests: one and two processes, the libraries alone, twice the size."""
    (small, repo), (large, big) = ctx.inputs.repositories.items()
    check = ctx.check
    commands = [
        Command("jobs1", [*check, str(repo), "--jobs", "1"]),
        Command("jobs2", [*check, str(repo), "--jobs", "2"]),
        Command("default", [*check, str(repo)]),
        Command("large", [*check, str(big), "--jobs", "2"]),
        Command("loop", [ctx.python, str(HERE / "libloop.py"), str(repo)]),
        # With every file's facts cached (and no kept run), what is left is the part no second
        # worker shares.
        Command(
            "serial",
            [*ctx.preflight, "check", ".", "--jobs", "1"],
            repo,
            before=["sh", "-c", "rm -f .preflight_cache/runs-*.json"],
        ),
    ]
    got = ctx.side_by_side(commands, stdout=True)
    loops = [json.loads(out) for out in got["loop"].stdout]
    loop = statistics.median([x["loop_ms"] for x in loops])
    imports = statistics.median([x["imports_ms"] for x in loops])
    one, two, default = got["jobs1"].median_ms, got["jobs2"].median_ms, got["default"].median_ms
    twice = got["large"].median_ms
    cpu_one = got["jobs1"].median_cpu_ms
    serial = got["serial"].median_ms
    files = loops[0]["files"]
    where = f"{small} requests"
    rows = [
        Row("4 repository", f"`preflight check --jobs 1`, {where} ({files} media files)", ms(one)),
        Row("4 repository", f"`preflight check --jobs 2`, {where}", ms(two)),
        Row(
            "4 repository",
            "--jobs 1 / --jobs 2",
            ratio(one / two),
            "≥ 1.7×",
            judge(one / two >= 1.7),
        ),
        Row(
            "4 repository",
            "CPU time of `--jobs 1`, every process (its parent works beside its one worker)",
            f"{ms(cpu_one)} = {cpu_one / one:.2f} cores busy",
        ),
        Row(
            "4 repository",
            "the most 2 cores can give over `--jobs 1`: 2 / cores it keeps busy "
            "(`--jobs 2` needs at least its CPU time)",
            ratio(2 * one / cpu_one),
        ),
        Row(
            "4 repository",
            "serial part: the same run with every file's facts cached and no run kept "
            "(start, manifests, rules, report)",
            ms(serial),
        ),
        Row("4 repository", f"`preflight check` (default: every core), {where}", ms(default)),
        Row(
            "4 repository",
            f"probing libraries alone, one in-process loop, {where} "
            f"(their imports, {ms(imports)}, not counted)",
            ms(loop),
        ),
        Row(
            "4 repository",
            "preflight default run / libraries alone",
            ratio(default / loop),
            "≤ 1.25×",
            judge(default / loop <= 1.25),
        ),
        Row(
            "4 repository",
            "preflight --jobs 1 / libraries alone (one core against one core)",
            ratio(one / loop),
        ),
        Row("4 repository", f"`preflight check --jobs 2`, {large} requests", ms(twice)),
        Row(
            "4 repository",
            f"{large} / {small} requests (--jobs 2)",
            ratio(twice / two),
            "≤ 2.2× (linear)",
            judge(twice / two <= 2.2),
        ),
    ]
    return rows + _slow_peers(ctx, repo, where)


def _slow_peers(ctx: Context, repo: Path, where: str) -> list[Row]:
    """mediainfo over the folder (3 runs at most) and what home-made CI scripts do, one ffprobe
    call per media file (one run: it takes seconds a file)."""
    files = sorted(str(p) for p in repo.rglob("*") if p.suffix in (".mp4", ".zip", ".jpg"))
    loop = 'for f in "$@"; do ffprobe -v error -show_streams "$f" >/dev/null 2>&1; done'
    peers = (
        ("mediainfo", f"`mediainfo --Output=JSON` on the folder, {where}", 3),
        ("ffprobe", f"one `ffprobe -show_streams` call per media file, {where} (one run)", 1),
    )
    argvs = {
        "mediainfo": ["mediainfo", "--Output=JSON", str(repo)],
        "ffprobe": ["sh", "-c", loop, "sh", *files],
    }
    rows = []
    for name, what, runs in peers:
        if not ctx.peers or shutil.which(name) is None:
            rows.append(Row("4 repository", what, _missing(ctx)))
            continue
        got = run_side_by_side([Command(name, argvs[name])], min(ctx.repeat, runs), warmup=False)
        rows.append(Row("4 repository", what, ms(got[name].median_ms)))
    return rows


def rerun(ctx: Context) -> list[Row]:
    """5. pre-commit's second run over unchanged files, against a first run with no cache."""
    count, repo = next(iter(ctx.inputs.repositories.items()))
    argv = [*ctx.preflight, "check", "."]  # as the pre-commit hook runs it: the text report
    clear = ["rm", "-rf", ".preflight_cache"]
    commands = [Command("first", argv, repo, before=clear), Command("second", argv, repo)]
    got = ctx.side_by_side(commands, stdout=True)
    first, second = got["first"].median_ms, got["second"].median_ms
    same = got["first"].stdout[-1] == got["second"].stdout[-1]
    shutil.rmtree(repo / ".preflight_cache", ignore_errors=True)
    where = f"{count} requests"
    return [
        Row("5 re-run", f"first run, `.preflight_cache` cleared, {where}", ms(first)),
        Row("5 re-run", "second run over the unchanged files", ms(second)),
        Row(
            "5 re-run",
            "second / first",
            f"{second / first:.0%}",
            "≤ 30 %",
            judge(second / first <= 0.3),
        ),
        Row(
            "5 re-run",
            "same findings (text reports identical)",
            "yes" if same else "no",
            "yes",
            judge(same),
        ),
    ]


SCENARIOS = (startup, one_video, voice_zip, repository, rerun)
