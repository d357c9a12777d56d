"""`make bench`: make the inputs, run every scenario side by side, print the Markdown table of
medians and ratios and write it to bench/results.md.

    python bench/run.py [--repeat N] [--smoke] [--out FILE] [--workdir DIR] [--install-peers]
                        [--preflight COMMAND] [--baseline REV]

--smoke makes tiny inputs and runs each command once (the test suite runs it); a missing peer
only makes its rows say "not installed": the benchmark never fails because of one.
--baseline REV also runs that git revision of preflight (bench/baseline.py), every command
interleaved with the working tree's, and adds its figures and now / baseline to the table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/run.py` as well as `python -m bench.run`

from bench import baseline, fix, inputs, peers, scenarios, table  # noqa: E402

NOTES = [
    "Notes:",
    "",
    "- Every figure is the median of whole-process wall times (fork to exit) of commands run",
    "  interleaved, so drift in the machine's load touches them alike; peak RSS comes from",
    "  `wait4`. Bytes read from the zip are the sum of `read`/`pread64`/`readv` results on",
    "  its descriptor (`strace -f -y`).",
    "- The Python floors run the venv's interpreter: `python -c` importing click and the",
    "  library, then making the library call on the same file. The libraries-alone loop",
    "  (bench/libloop.py) makes preflight's probe calls on every media file in one process and",
    "  times the loop only, after its imports.",
    "- The videos are one 4K 30 fps MOV, 180 s, index (moov) at the end, grown sparsely to each",
    "  size; MediaConch runs with `--Force` so that its report database does not answer from",
    "  an earlier run. The voice zip holds 6 WAVs of noise, deflated.",
    "- Scenarios 2-4 and 6 run `preflight check --no-cache` (when preflight has a cache), so",
    "  every file is probed; scenario 5 alone measures the cache. Every command runs with",
    "  PREFLIGHT_CACHE_DIR set to a folder under the work folder (the user cache of code that",
    "  reads it); before each first run of scenario 5, both it and the repository's",
    "  `.preflight_cache` are deleted. A preflight that keeps whole runs (the baseline's kept",
    "  runs) answers scenario 5's second run without reading a manifest or running a rule.",
    "  The slow peers of scenario 4 run at most 3 times (mediainfo) and once (one ffprobe",
    "  per file), without a warm-up run.",
    "- Children run with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE unset,",
    "  PYTHONPYCACHEPREFIX under the work folder), as on any machine where preflight is",
    "  installed; the warm-up run fills it.",
    "- Other work on the machine shows in the load average above: the ratios of commands run",
    "  side by side hold up better than the absolute times.",
    "- Repositories: a third each of video (65 s 1080p MP4 + PDF letter), voice (zip of five",
    "  10 s WAVs + PDF) and photo (JPEG) requests; their media are hard links to one file each.",
    "- Scenario 4's serial part is the same command with every file's facts cached and no",
    "  kept run: what is left (interpreter and click start, manifests, rules, report) is the",
    "  parent's work. It runs beside the probing workers, --jobs 1 included, so --jobs 1",
    "  already keeps more than one core busy; CPU times are user + system of every process,",
    "  from `wait4`. A second worker shares only the probing.",
    "- preflight starts its first worker before click loads; it loads the libraries the named",
    "  files need (scenarios 2 and 3) or, for a folder (scenario 4), every library, and the",
    "  other workers are forked from it once it has, so no worker loads them again.",
    "- Scenario 6 is the common shape: a new user's folder holding one request (manifest,",
    "  material, PDF letter; no configuration), checked with no cache. Its IMAGE_4K material",
    "  is the MOV the sparse videos of scenario 2 grow from; its VOICE zip holds five 10 s",
    "  WAVs of noise, deflated. The voice floor reads the first 4 KiB of each member.",
    "- Scenario 8's video is the committed face photograph (tests/data) filmed for 2 minutes",
    "  at 1080p25, a keyframe a second as phones write them, with a camera's grain (a flat",
    "  picture decodes several times faster than footage); the peer is ffmpeg decoding its",
    "  keyframes only (`-skip_frame nokey`) to nothing. preflight looks at one every 4 s.",
    "- Scenarios 2-6 run with `--no-content` where preflight has it (header checks only, as",
    "  the baseline). Scenario 7 times the speech analysis (content on) of a zip of two WAVs",
    "  of 24 kHz speech (tests/data/speech.wav looped, 10 minutes in all) against one ffmpeg",
    "  process running `ebur128,astats,silencedetect` over the same WAVs (concatenated), and",
    "  takes the peak memory of the analysis of scenario 3's zip (an hour of it analysed),",
    "  run once. The baseline has no content analysis: these rows are the working tree's.",
]

BASELINE_NOTES = [
    "- Baseline: its package and pyproject.toml come from `git archive` of the revision,",
    "  unpacked under the work folder; it runs through a console script like the venv's",
    "  `preflight` (same interpreter, same libraries, the same entry point's code), with",
    "  PYTHONPATH=its tree in its commands' environment only (checked: preflight then imports",
    "  from there). Each of its commands runs interleaved with the working tree's. In",
    "  scenarios 4 and 5 it checks a twin of each repository (every file a hard link to the",
    "  same inode), so that its `.preflight_cache` never evicts the working tree's.",
    f"- now / baseline ≤ {table.TOLERANCE:.2f}× counts as no slower beyond noise: medians of",
    "  interleaved runs of the same code on 2 shared cores differ by a few per cent.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=None, help="runs per command (11; smoke 1)")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, one run each")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--install-peers", action="store_true", help="apt-get missing peers")
    parser.add_argument("--preflight", default=None, help="the preflight command to time")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        default=None,
        help="also time this git revision of preflight, side by side (e.g. 6899c2a)",
    )
    parser.add_argument(
        "--only", metavar="NAME", default=None, help="run this scenario alone (e.g. fix)"
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.smoke else 11)
    if args.install_peers and not args.smoke:
        peers.install_missing()
    bin_dir = Path(sys.executable).parent
    preflight = args.preflight.split() if args.preflight else [str(bin_dir / "preflight")]
    spec = inputs.SMOKE if args.smoke else inputs.FULL
    # Python as installed anywhere: it caches compiled modules (this sandbox disables that,
    # which costs every run ~40 ms of compiling); kept under the work folder, off the tree.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(args.workdir / "pycache")
    # The current code's cache is a user cache folder: one of the bench's own, never the user's.
    cache_dir = args.workdir / "user-cache"
    os.environ["PREFLIGHT_CACHE_DIR"] = str(cache_dir)
    started = time.perf_counter()
    made = inputs.build(args.workdir / ("smoke" if args.smoke else "full"), spec)
    sides = [_side(scenarios.NOW, preflight, {}, made.repositories)]
    header = table.machine(repeat, warmup=not args.smoke, smoke=args.smoke)
    header.append(f"- Now: the working tree ({_working_tree()})")
    notes = NOTES
    if args.baseline:
        base = baseline.materialise(ROOT, args.baseline, args.workdir, sys.executable)
        launcher = [str(base.launcher)]
        twins = {count: inputs.twin(repo) for count, repo in made.repositories.items()}
        sides.append(_side(scenarios.BASELINE, launcher, base.env, twins))
        header.append(f"- Baseline: `{args.baseline}` = {base.commit[:12]} ({base.subject})")
        notes = [*NOTES, *BASELINE_NOTES]
    ctx = scenarios.Context(
        inputs=made,
        sides=tuple(sides),
        python=sys.executable,
        repeat=repeat,
        warmup=not args.smoke,
        peers=not args.smoke,
        cache_dir=cache_dir,
    )
    chosen = [s for s in (*scenarios.SCENARIOS, fix.fix) if args.only in (None, s.__name__)]
    rows = [row for scenario in chosen for row in scenario(ctx)]
    took = time.perf_counter() - started
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    header.append(f"- The whole benchmark took {took:.0f} s; load average at its end: {load}")
    header += [f"- **Failed**: {failure}" for failure in ctx.failures]
    text = table.markdown(rows, header, notes, args.baseline)
    sys.stdout.write(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


def _side(
    name: str, preflight: list[str], env: dict[str, str], repositories: dict[int, Path]
) -> scenarios.Side:
    """A preflight under test, with "--no-cache" when it has a cache to bypass and
    "--no-content" when it analyses content (header checks alone, as before either)."""
    done = subprocess.run(
        [*preflight, "check", "--help"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    no_cache, no_content = ([o] if o in done.stdout else [] for o in ("--no-cache", "--no-content"))
    return scenarios.Side(name, preflight, env, no_cache, repositories, no_content)


def _working_tree() -> str:
    """Which code "now" is: HEAD, and how many of preflight's files differ from it."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    status = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "preflight"],
        capture_output=True,
        text=True,
    ).stdout
    changed = len(status.splitlines())
    return f"HEAD {head or 'unknown'}, {changed} paths under preflight/ changed"


if __name__ == "__main__":
    os.environ.setdefault("NO_COLOR", "1")
    sys.exit(main())
