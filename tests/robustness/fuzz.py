"""The mutation targets of test_mutations.py, for as long as asked (`make fuzz`).

    python tests/robustness/fuzz.py --seconds 600 [--seed N]

Each mutant is written to build/fuzz/current/ (as last-NAME) before it is checked, and the
checked copy (NAME) stays there if the process dies or hangs: a watchdog ends the run when
one mutant takes HANG_S. A mutant that fails a check is copied to build/fuzz/failures/
with the reason, and the run goes on. Media mutants are probed in a worker, as a run probes
them: a parser that loops on one costs the probe's time limit and a finding, as in a run.
"""

from __future__ import annotations

import argparse
import faulthandler
import functools
import random
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # mutation.py, and tests/helpers/

from mutation import (  # noqa: E402
    MANIFEST_SEEDS,
    SECONDS_MAX,
    apply,
    check_manifest,
    check_media,
    make_seeds,
    random_ops,
)

from preflight.probe import probing  # noqa: E402
from preflight.probe.facts import FileFacts  # noqa: E402

Check = Callable[[Path, str, bytes], None]  # (folder, name, mutant): raises on a failure

OUT = HERE.parent.parent / "build" / "fuzz"
HANG_S = 60  # one mutant taking this long is a hang: dump the stacks and stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    with probing(jobs=1) as workers:  # as a run probes: in a worker, under its time limit

        def probe(path: Path, shown: str) -> FileFacts:
            return workers.map([(path, shown)])[0]

        return fuzz(args.seconds, seed, functools.partial(check_media, probe=probe))


def fuzz(seconds: float, seed: int, check_media: Check) -> int:
    rng = random.Random(seed)
    current, failures = OUT / "current", OUT / "failures"
    shutil.rmtree(current, ignore_errors=True)
    current.mkdir(parents=True)
    failures.mkdir(parents=True, exist_ok=True)
    targets = [(name, data, check_media) for name, data in make_seeds(OUT / "seeds").items()]
    targets += [(name, data, check_manifest) for name, data in MANIFEST_SEEDS.items()]
    print(f"fuzzing {len(targets)} seeds for {seconds:.0f} s, seed {seed}; out: {OUT}")
    deadline = time.monotonic() + seconds
    count = failed = 0
    while time.monotonic() < deadline:
        name, data, check = rng.choice(targets)
        mutant = apply(data, random_ops(rng, rng.randint(1, 4)))
        (current / f"last-{name}").write_bytes(mutant)  # survives a native crash
        faulthandler.dump_traceback_later(HANG_S, exit=True)
        try:
            check(current, name, mutant)
        except Exception as error:  # any failure is a finding: keep the input, go on
            failed += 1
            kept = failures / f"{count:07d}-{name}"
            kept.write_bytes(mutant)
            reason = "".join(traceback.format_exception(error))
            kept.with_name(kept.name + ".txt").write_text(reason, encoding="utf-8")
            print(f"FAIL {kept}: {type(error).__name__}: {str(error)[:200]}", flush=True)
        finally:
            faulthandler.cancel_dump_traceback_later()
        count += 1
        if count % 500 == 0:
            print(f"{count} mutants, {failed} failing", flush=True)
    print(f"done: {count} mutants, {failed} failing (each under {SECONDS_MAX} s or failing)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
