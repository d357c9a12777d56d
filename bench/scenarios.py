"""The five scenarios of issue 5 and the common shape, one request: each runs its commands side
by side (the baseline's beside the working tree's, when one runs) and returns its rows."""

from __future__ import annotations

import json
import shutil
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from bench.inputs import GIB, MIB, Inputs, OneRequest
from bench.measure import Command, Samples, bytes_read_from, run_side_by_side
from bench.table import NO_TARGET, TOLERANCE, Row, judge, ms, ratio

HERE = Path(__file__).resolve().parent
NOT_INSTALLED = "not installed"
SKIPPED = "skipped (--smoke)"
NOW, BASELINE = "now", "baseline"
VIDEO_FLOOR = (
    "import sys, click, pymediainfo; pymediainfo.MediaInfo.parse(sys.argv[1], parse_speed=0)"
)


def zip_floor(head_bytes: int) -> str:
    """The Python floor of a voice zip: click, soundfile, and each member's first `head_bytes`
    from its stream to libsndfile."""
    return (
        "import io, sys, zipfile, click, soundfile\n"
        "with zipfile.ZipFile(sys.argv[1]) as z:\n"
        "    for i in z.infolist():\n"
        "        with z.open(i) as m:\n"
        f"            soundfile.info(io.BytesIO(m.read({head_bytes})))\n"
    )


Figure = Callable[[str], float]  # a measurement of each side, given the side's name


@dataclass(frozen=True)
class Side:
    """One preflight under test: the working tree's (NOW) or the baseline revision's."""

    name: str  # NOW or BASELINE: the first word of its commands' keys
    preflight: Sequence[str]  # the command that runs it
    env: Mapping[str, str]  # what its commands add to the environment (the baseline's PYTHONPATH)
    no_cache: Sequence[str]  # ["--no-cache"] where it has a cache: scenarios 2-4 and 6 probe
    repositories: dict[int, Path]  # the baseline's are twins, for its own .preflight_cache
    no_content: Sequence[str] = ()  # ["--no-content"] where it analyses content: scenarios 1-6

    def command(
        self,
        key: str,
        args: Sequence[str],
        cwd: Path | None = None,
        before: Callable[[], None] | None = None,
    ) -> Command:
        """`preflight ARGS`, keyed "<side> <key>"; exit codes 0 and 1 are a check's verdicts."""
        argv = [*self.preflight, *args]
        return Command(f"{self.name} {key}", argv, cwd, before, self.env, exits=(0, 1))

    def check(self, key: str, *args: str) -> Command:
        """`preflight check` that probes every file (the cache is scenario 5's alone)."""
        return self.command(key, ["check", *self.no_cache, *self.no_content, *args])


@dataclass(frozen=True)
class Context:
    inputs: Inputs
    sides: tuple[Side, ...]  # the working tree's, then the baseline's when one runs
    python: str  # the interpreter preflight runs on, for the floors
    repeat: int
    warmup: bool
    peers: bool  # run the peers (the smoke skips them: it only proves the harness works)
    cache_dir: Path  # PREFLIGHT_CACHE_DIR of every command: the current code's cache
    failures: list[str] = field(default_factory=list)  # commands that crashed, for the header

    @property
    def has_baseline(self) -> bool:
        return len(self.sides) > 1

    def side_by_side(self, commands: Sequence[Command], stdout: bool = False) -> dict[str, Samples]:
        got = run_side_by_side(commands, self.repeat, self.warmup, stdout)
        self.failures.extend(
            f"`{key}` failed {len(s.failures)} of {len(s.wall_ms)} runs ({s.failures[-1]})"
            for key, s in got.items()
            if s.failures
        )
        return got

    def row(
        self,
        scenario: str,
        what: str,
        figure: Figure,
        show: Callable[[float], str] = ms,
        target: str = NO_TARGET,
        ok: Callable[[float], bool] | None = None,
        compare: bool = False,
    ) -> Row:
        """A figure of each side (`figure(side name)`): the working tree's against `target`,
        the baseline's beside it and, for wall times (`compare`), now / baseline against the
        tolerance."""
        now = figure(NOW)
        row = Row(scenario, what, show(now), target, judge(ok(now) if ok else None))
        if not self.has_baseline:
            return row
        base = figure(BASELINE)
        row = replace(row, baseline=show(base))
        if not compare:
            return row
        change = now / base
        return replace(row, change=ratio(change), change_verdict=judge(change <= TOLERANCE))


def median(got: Mapping[str, Samples], key: str) -> Figure:
    """The median wall time of each side's command `key`."""
    return lambda side: got[f"{side} {key}"].median_ms


def quotient(top: Figure | float, bottom: Figure | float) -> Figure:
    """top / bottom for each side; a plain number (a floor, a peer) is the same for both."""

    def of(figure: Figure | float, side: str) -> float:
        return figure(side) if callable(figure) else figure

    return lambda side: of(top, side) / of(bottom, side)


def size_label(size: int) -> str:
    if size >= GIB:
        return f"{size / GIB:.3g} GB"
    return f"{size / MIB:.3g} MB" if size >= MIB else f"{size / 1024:.3g} KB"


def at_most(limit: float) -> Callable[[float], bool]:
    return lambda value: value <= limit


def _missing(ctx: Context) -> str:
    return NOT_INSTALLED if ctx.peers else SKIPPED


def startup(ctx: Context) -> list[Row]:
    """1. `preflight --version` and `preflight rules` against the interpreter's own start."""
    interpreter = [
        Command("python -c pass", [ctx.python, "-c", "pass"]),
        Command("python -c 'import click'", [ctx.python, "-c", "import click"]),
    ]
    args = ("--version", "rules")
    preflight = [side.command(arg, [arg]) for side in ctx.sides for arg in args]
    got = ctx.side_by_side([*interpreter, *preflight])
    rows = [
        Row("1 start-up", f"`{c.key}` (the interpreter's own start)", ms(got[c.key].median_ms))
        for c in interpreter
    ]
    rows += [
        ctx.row(
            "1 start-up",
            f"`preflight {arg}`",
            median(got, arg),
            target="≤ 80 ms",
            ok=at_most(80),
            compare=True,
        )
        for arg in args
    ]
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
    missing = _missing(ctx)
    commands = []
    for size, path in ctx.inputs.videos.items():
        commands += [side.check(f"{size}", str(path)) for side in ctx.sides]
        commands.append(Command(f"floor {size}", [ctx.python, "-c", VIDEO_FLOOR, str(path)]))
        commands += [
            Command(f"{n} {size}", make(path)) for n, make in peers.items() if n in installed
        ]
    got = ctx.side_by_side(commands)
    rows = []
    for size in ctx.inputs.videos:
        label = size_label(size)
        tool = median(got, f"{size}")
        floor = got[f"floor {size}"].median_ms
        rows += [
            ctx.row(
                "2 one video",
                f"`preflight check` 4K MOV {label}",
                tool,
                target="≤ 120 ms",
                ok=at_most(120),
                compare=True,
            ),
            Row(
                "2 one video",
                f"Python floor {label} (`python -c` click + pymediainfo parse)",
                ms(floor),
            ),
            ctx.row(
                "2 one video",
                f"preflight / Python floor, {label}",
                quotient(tool, floor),
                ratio,
                "≤ 1.30×",
                at_most(1.3),
            ),
        ]
        if "mediaconch" in installed:
            peer = got[f"mediaconch {size}"].median_ms
            rows += [
                Row("2 one video", f"`mediaconch --Force -p policy.xml` {label}", ms(peer)),
                ctx.row(
                    "2 one video",
                    f"mediaconch / preflight, {label}",
                    quotient(peer, tool),
                    ratio,
                    "≥ 4×",
                    lambda value: value >= 4,
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
    small, *_, large = ctx.inputs.videos
    rows += [
        ctx.row(
            "2 one video",
            f"preflight {size_label(large)} / {size_label(small)}",
            quotient(median(got, f"{large}"), median(got, f"{small}")),
            ratio,
            "≤ 1.10×",
            at_most(1.1),
        ),
        ctx.row(
            "2 one video",
            "preflight peak RSS (largest of all runs)",
            lambda side: max(got[f"{side} {size}"].peak_rss_mb for size in ctx.inputs.videos),
            lambda value: f"{value:.0f} MB",
            "≤ 100 MB",
            at_most(100),
        ),
    ]
    return rows


def voice_zip(ctx: Context) -> list[Row]:
    """3. One voice zip declaring 1.2 GB of audio: time against the floor, bytes read."""
    path = ctx.inputs.voice_zip
    tools = {side.name: side.check("zip", str(path)) for side in ctx.sides}
    floor_command = Command("floor", [ctx.python, "-c", zip_floor(64 * 1024), str(path)])
    got = ctx.side_by_side([*tools.values(), floor_command])
    floor = got["floor"].median_ms
    declared = size_label(ctx.inputs.declared_audio)
    on_disk = size_label(path.stat().st_size)
    rows = [
        ctx.row(
            "3 voice zip",
            f"`preflight check` zip declaring {declared} of audio ({on_disk} on disk)",
            median(got, "zip"),
            compare=True,
        ),
        Row(
            "3 voice zip",
            "Python floor (`python -c` click + soundfile, each WAV header from its member stream)",
            ms(floor),
        ),
        ctx.row(
            "3 voice zip",
            "preflight / Python floor",
            quotient(median(got, "zip"), floor),
            ratio,
            "≤ 1.30×",
            at_most(1.3),
        ),
    ]
    reads = {name: bytes_read_from(command, path) for name, command in tools.items()}
    if reads[NOW] is None:
        rows.append(
            Row("3 voice zip", "bytes preflight reads from the zip", "strace not installed")
        )
    else:
        rows.append(
            ctx.row(
                "3 voice zip",
                "bytes preflight reads from the zip (strace)",
                lambda side: float(reads[side] or 0),
                lambda value: f"{value / MIB:.2f} MiB ({value:.0f} B)",
                "≤ 2 MB",
                at_most(2 * MIB),
            )
        )
        read = bytes_read_from(floor_command, path) or 0
        rows.append(
            Row(
                "3 voice zip",
                "bytes the Python floor reads from the zip (strace)",
                f"{read / MIB:.2f} MiB ({read} B)",
            )
        )
    return rows


def repository(ctx: Context) -> list[Row]:
    """4. A repository of requests: one and two processes, the libraries alone, twice the size."""
    small, large = ctx.inputs.repositories
    commands = []
    for side in ctx.sides:
        repo, big = side.repositories[small], side.repositories[large]
        commands += [
            side.check("jobs1", str(repo), "--jobs", "1"),
            side.check("jobs2", str(repo), "--jobs", "2"),
            side.check("default", str(repo)),
            side.check("large", str(big), "--jobs", "2"),
            # With every file's facts cached (and no kept run), what is left is the part no
            # second worker shares.
            side.command(
                "serial",
                ["check", *side.no_content, ".", "--jobs", "1"],
                repo,
                before=_forget_kept_runs(repo),
            ),
        ]
    repo = ctx.inputs.repositories[small]
    commands.append(Command("loop", [ctx.python, str(HERE / "libloop.py"), str(repo)]))
    got = ctx.side_by_side(commands, stdout=True)
    loops = [json.loads(out) for out in got["loop"].stdout]
    loop = statistics.median([x["loop_ms"] for x in loops])
    imports = statistics.median([x["imports_ms"] for x in loops])
    one, two, default = median(got, "jobs1"), median(got, "jobs2"), median(got, "default")
    twice = median(got, "large")

    def cpu_one(side: str) -> float:
        return got[f"{side} jobs1"].median_cpu_ms

    files = loops[0]["files"]
    where = f"{small} requests"
    scenario = "4 repository"
    rows = [
        ctx.row(
            scenario,
            f"`preflight check --jobs 1`, {where} ({files} media files)",
            one,
            compare=True,
        ),
        ctx.row(scenario, f"`preflight check --jobs 2`, {where}", two, compare=True),
        ctx.row(
            scenario,
            "--jobs 1 / --jobs 2",
            quotient(one, two),
            ratio,
            "≥ 1.7×",
            lambda value: value >= 1.7,
        ),
        ctx.row(
            scenario,
            "CPU time of `--jobs 1`, every process (its parent works beside its one worker)",
            cpu_one,
        ),
        ctx.row(
            scenario,
            "cores `--jobs 1` keeps busy: its CPU time / its wall time",
            quotient(cpu_one, one),
            lambda value: f"{value:.2f}",
        ),
        ctx.row(
            scenario,
            "the most 2 cores can give over `--jobs 1`: 2 / cores it keeps busy "
            "(`--jobs 2` needs at least its CPU time)",
            lambda side: 2 * one(side) / cpu_one(side),
            ratio,
        ),
        ctx.row(
            scenario,
            "serial part: the same run with every file's facts cached and no run kept "
            "(start, manifests, rules, report)",
            median(got, "serial"),
            compare=True,
        ),
        ctx.row(
            scenario, f"`preflight check` (default: every core), {where}", default, compare=True
        ),
        Row(
            scenario,
            f"probing libraries alone, one in-process loop, {where} "
            f"(their imports, {ms(imports)}, not counted)",
            ms(loop),
        ),
        ctx.row(
            scenario,
            "preflight default run / libraries alone",
            quotient(default, loop),
            ratio,
            "≤ 1.25×",
            at_most(1.25),
        ),
        ctx.row(
            scenario,
            "preflight --jobs 1 / libraries alone (one core against one core)",
            quotient(one, loop),
            ratio,
        ),
        ctx.row(scenario, f"`preflight check --jobs 2`, {large} requests", twice, compare=True),
        ctx.row(
            scenario,
            f"{large} / {small} requests (--jobs 2)",
            quotient(twice, two),
            ratio,
            "≤ 2.2× (linear)",
            at_most(2.2),
        ),
    ]
    return rows + _slow_peers(ctx, repo, where)


def _forget_kept_runs(repository: Path) -> Callable[[], None]:
    """Delete the runs the baseline keeps whole in the repository's .preflight_cache (the
    current code keeps none), leaving the facts of every file cached."""

    def forget() -> None:
        for kept in (repository / ".preflight_cache").glob("runs-*.json"):
            kept.unlink()

    return forget


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
    count = next(iter(ctx.inputs.repositories))
    commands = []
    for side in ctx.sides:
        repo = side.repositories[count]
        argv = ["check", *side.no_content, "."]  # as the pre-commit hook runs it: text report
        clear = _clear_caches(repo, ctx.cache_dir)
        commands += [
            side.command("first", argv, repo, before=clear),
            side.command("second", argv, repo),
            # The same, with the baseline's kept report dropped first: a re-run that reads the
            # facts cache, as preflight's now does (it keeps no report: a report file believed
            # whole was one more thing a repository could forge, and issue 11 removed it).
            side.command("facts", argv, repo, before=_forget_kept_runs(repo)),
        ]
    got = ctx.side_by_side(commands, stdout=True)
    for side in ctx.sides:
        _clear_caches(side.repositories[count], ctx.cache_dir)()

    def same(side: str) -> float:
        return float(got[f"{side} first"].stdout[-1] == got[f"{side} second"].stdout[-1])

    where = f"{count} requests"
    rows = [
        ctx.row(
            "5 re-run",
            f"first run, `.preflight_cache` and `$PREFLIGHT_CACHE_DIR` cleared, {where}",
            median(got, "first"),
            compare=True,
        ),
        ctx.row(
            "5 re-run",
            "second run over the unchanged files, from the facts cache (the baseline's kept "
            "report dropped first)",
            median(got, "facts"),
            compare=True,
        ),
        ctx.row(
            "5 re-run",
            "second run over the unchanged files, as each runs by default (the baseline "
            "reprints the report it kept)",
            median(got, "second"),
        ),
        ctx.row(
            "5 re-run",
            "second / first",
            quotient(median(got, "second"), median(got, "first")),
            lambda value: f"{value:.0%}",
            "≤ 40 %",
            at_most(0.4),
        ),
        ctx.row(
            "5 re-run",
            "same findings (text reports identical)",
            same,
            lambda value: "yes" if value else "no",
            "yes",
            bool,
        ),
    ]
    if ctx.has_baseline:
        alike = got[f"{NOW} first"].stdout[-1] == got[f"{BASELINE} first"].stdout[-1]
        rows.append(
            Row("5 re-run", "the same text report as the baseline's", "yes" if alike else "no")
        )
    return rows


def _clear_caches(repository: Path, cache_dir: Path) -> Callable[[], None]:
    """Forget what either code keeps: the baseline's .preflight_cache in the repository, the
    current code's folder in the user's cache ($PREFLIGHT_CACHE_DIR)."""

    def clear() -> None:
        shutil.rmtree(repository / ".preflight_cache", ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)

    return clear


class _Shape(NamedTuple):
    key: str
    request: OneRequest
    kind: str  # what the request is, as the table says it
    floor: str  # the Python floor's code, given the material's path
    floor_what: str  # what the floor does, as the table says it


def one_request(ctx: Context) -> list[Row]:
    """6. The common shape: a new user checks a folder holding one request, with no cache,
    against the Python floor of reading its material."""
    shapes = (
        _Shape(
            "4k",
            ctx.inputs.one_video_request,
            "IMAGE_4K request (4K MOV + PDF letter)",
            VIDEO_FLOOR,
            "click + pymediainfo parse of its video",
        ),
        _Shape(
            "voice",
            ctx.inputs.one_voice_request,
            "VOICE request (zip of WAVs + PDF letter)",
            zip_floor(4096),
            "click + soundfile, each WAV's first 4 KiB from its member stream",
        ),
    )
    commands = []
    for shape in shapes:
        commands += [side.check(shape.key, str(shape.request.folder)) for side in ctx.sides]
        floor_argv = [ctx.python, "-c", shape.floor, str(shape.request.material)]
        commands.append(Command(f"floor {shape.key}", floor_argv))
    got = ctx.side_by_side(commands)
    rows = []
    for shape in shapes:
        floor = got[f"floor {shape.key}"].median_ms
        size = size_label(shape.request.material.stat().st_size)
        rows += [
            ctx.row(
                "6 one request",
                f"`preflight check` a folder of one {shape.kind}, material {size}",
                median(got, shape.key),
                compare=True,
            ),
            Row(
                "6 one request",
                f"Python floor, {shape.key} (`python -c` {shape.floor_what})",
                ms(floor),
            ),
            ctx.row(
                "6 one request",
                f"preflight / Python floor, {shape.key}",
                quotient(median(got, shape.key), floor),
                ratio,
                "≤ 1.30×",
                at_most(1.3),
            ),
        ]
    return rows


def speech(ctx: Context) -> list[Row]:
    """7. The speech analysis of a voice zip of 10 minutes of speech, against ffmpeg's single
    ebur128,astats,silencedetect pass over the same WAVs; its peak memory on scenario 3's zip
    declaring 1.2 GB (an hour of it analysed, ANALYSED_S_MAX). The working tree's alone: the
    baseline has no content analysis."""
    import imageio_ffmpeg

    now = ctx.sides[0]
    path = ctx.inputs.speech_zip
    analysis = now.command("speech", ["check", "--no-cache", str(path)])
    headers = now.check("speech headers", str(path))  # --no-content, as every other scenario
    sources = [arg for wav in ctx.inputs.speech_wavs for arg in ("-i", str(wav))]
    joined = "".join(f"[{n}:a]" for n in range(len(ctx.inputs.speech_wavs)))
    graph = f"{joined}concat=n={len(ctx.inputs.speech_wavs)}:v=0:a=1,ebur128,astats,silencedetect"
    ffmpeg = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", *sources]
    peer = Command("ffmpeg", [*ffmpeg, "-filter_complex", graph, "-f", "null", "-"])
    got = ctx.side_by_side([analysis, headers, peer])
    large = now.command("speech large", ["check", "--no-cache", str(ctx.inputs.voice_zip)])
    memory = run_side_by_side([large], 1, warmup=False)[large.key]  # once: an hour of audio
    declared = size_label(ctx.inputs.declared_audio)
    minutes = f"{ctx.inputs.speech_seconds / 60:g} min"
    speed = got[analysis.key].median_ms / got["ffmpeg"].median_ms
    work = got[analysis.key].median_cpu_ms / got["ffmpeg"].median_cpu_ms
    return [
        Row(
            "7 speech",
            f"`preflight check` with speech analysis, zip of {minutes} of speech",
            ms(got[analysis.key].median_ms),
        ),
        Row(
            "7 speech",
            "`preflight check --no-content`, the same zip",
            ms(got[headers.key].median_ms),
        ),
        Row(
            "7 speech",
            "ffmpeg `ebur128,astats,silencedetect`, one pass over the same WAVs",
            ms(got["ffmpeg"].median_ms),
        ),
        Row(
            "7 speech",
            "speech analysis / ffmpeg pass",
            ratio(speed),
            "≤ 1.00×",
            judge(speed <= 1.0),
        ),
        Row(
            "7 speech",
            "CPU time (user + system, every process): speech analysis / ffmpeg pass",
            ratio(work),
        ),
        Row(
            "7 speech",
            f"peak memory, speech analysis of the zip declaring {declared}",
            f"{memory.peak_rss_mb:.0f} MB",
            "≤ 100 MB",
            judge(memory.peak_rss_mb <= 100),
        ),
    ]


def faces(ctx: Context) -> list[Row]:
    """8. The keyframe face scan of a 2-minute 1080p video (a keyframe a second, as phones
    record), against ffmpeg's keyframe-only decode of it. The working tree's alone: the
    baseline has no content analysis."""
    import imageio_ffmpeg

    now = ctx.sides[0]
    path = str(ctx.inputs.faces_video)
    scan = now.command("faces", ["check", "--no-cache", path])
    headers = now.check("faces headers", path)  # --no-content, as every other scenario
    decode = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-skip_frame", "nokey"]
    decode += ["-i", path, "-map", "0:v:0", "-fps_mode", "passthrough", "-f", "null", "-"]
    peer = Command("ffmpeg keyframes", decode)
    got = ctx.side_by_side([scan, headers, peer])
    width, height, seconds = ctx.inputs.faces_spec
    video = f"{seconds / 60:g} min {width}×{height}"
    against = got[scan.key].median_ms / got[peer.key].median_ms
    scenario = "8 faces"
    return [
        Row(scenario, f"`preflight check`, face scan of {video}", ms(got[scan.key].median_ms)),
        Row(scenario, "`preflight check --no-content`, same video", ms(got[headers.key].median_ms)),
        Row(
            scenario,
            "ffmpeg's keyframe-only decode (`-skip_frame nokey`)",
            ms(got[peer.key].median_ms),
        ),
        Row(
            scenario, "face scan / keyframe decode", ratio(against), "≤ 2.00×", judge(against <= 2)
        ),
    ]


def html(ctx: Context) -> list[Row]:
    """9. The visual report of scenario 6's requests: what its pictures add to a check (four
    frames of the 4K video, each WAV's envelope), against ffmpeg decoding those four frames
    one by one as the report does. The working tree's alone: the baseline has no html."""
    import imageio_ffmpeg

    from preflight.probe.preview import FRAMES

    now = ctx.sides[0]
    video, voice = ctx.inputs.one_video_request, ctx.inputs.one_voice_request
    commands = []
    for key, request in (("video", video), ("voice", voice)):
        folder = str(request.folder)
        commands += [
            now.check(f"text {key}", folder),
            now.check(f"html {key}", "--format", "html", folder),
        ]
    duration = float(_duration(video.material))
    ffmpeg = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error"]
    for n in range(FRAMES):
        at = f"{duration * (n + 0.5) / FRAMES:.3f}"
        frame = ["-ss", at, "-i", str(video.material), "-frames:v", "1", "-f", "null", "-"]
        commands.append(Command(f"frame {n}", [*ffmpeg, *frame]))
    got = ctx.side_by_side(commands)
    frames = sum(got[f"frame {n}"].median_ms for n in range(FRAMES))
    added = {
        key: got[f"{NOW} html {key}"].median_ms - got[f"{NOW} text {key}"].median_ms
        for key in ("video", "voice")
    }
    scenario = "9 html report"
    size = size_label(video.material.stat().st_size)
    return [
        Row(
            scenario,
            f"`preflight check --format html`, the 4K request ({size})",
            ms(got[f"{NOW} html video"].median_ms),
        ),
        Row(scenario, "the same, `--format text`", ms(got[f"{NOW} text video"].median_ms)),
        Row(scenario, f"ffmpeg decoding the {FRAMES} frames, one command each", ms(frames)),
        Row(
            scenario,
            "html − text (the video's pictures) / those decodes",
            ratio(added["video"] / frames),
            "≤ 1.30×",
            judge(added["video"] <= 1.3 * frames),
        ),
        Row(scenario, "html − text, the voice request (the WAVs' envelopes)", ms(added["voice"])),
    ]


def _duration(path: Path) -> float:
    """A video's duration, as the probe reads it."""
    from preflight.probe import probe_file
    from preflight.probe.facts import VideoFacts

    media = probe_file(path, path.name).media
    return (media.duration_s or 0.0) if isinstance(media, VideoFacts) else 0.0


SCENARIOS = (startup, one_video, voice_zip, repository, rerun, one_request, speech, faces, html)
