"""`python measured.py RESULT SECONDS COMMAND...`: run COMMAND (killed after SECONDS) and write
its wait status and peak memory, "STATUS MAXRSS_KB", to the file RESULT. The harness runs
preflight through it, so that the peak it measures is preflight's own.

Why a process between them: at exec, Linux keeps in the new program's ru_maxrss the peak
resident size of the process that exec'd (fs/exec.c, setmax_mm_hiwater_rss): after fork, the
parent's size at the fork; after vfork or posix_spawn (what subprocess uses), which share the
parent's memory, the parent's PEAK. Started from the pytest process, a run that needed 40 MB
measured whatever pytest had ever held (hundreds of MB late in a long suite), and the same
holds for a wrapper measuring itself (RUSAGE_SELF includes that inherited peak). Started from
this launcher, a bare interpreter of a few MB, the figure wait4 gives is the command's own peak
and that of every process it waited for (its workers): what the harness means to bound.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    result, seconds, *command = sys.argv[1:]
    restored = (signal.SIGPIPE, signal.SIGXFSZ)  # ignored by Python; subprocess restores them
    pid = os.posix_spawnp(command[0], command, os.environ, setsigdef=restored)
    # A hang fails its test, not the suite; the harness has no pid to kill but this one.
    signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
    signal.alarm(int(seconds))
    _, status, usage = os.wait4(pid, 0)
    signal.alarm(0)
    with open(result, "w", encoding="ascii") as out:
        out.write(f"{status} {usage.ru_maxrss}")


if __name__ == "__main__":
    main()
