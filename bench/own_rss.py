"""`python bench/own_rss.py FILE ARGS…`: run `preflight ARGS…` in this process and write its own
peak RSS in KiB to FILE: getrusage(RUSAGE_SELF) leaves out the children (ffmpeg), whose memory
a parent's wait4 would count."""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def main() -> None:
    target = Path(sys.argv[1])
    sys.argv = ["preflight", *sys.argv[2:]]
    from preflight.cli import main as preflight

    try:
        preflight()
    finally:
        target.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


if __name__ == "__main__":
    main()
