"""The tools preflight is measured against, and the Debian packages that bring them."""

from __future__ import annotations

import os
import shutil
import subprocess

# program → Debian package (strace counts the bytes a run reads from a file)
PACKAGES = {
    "mediainfo": "mediainfo",
    "ffprobe": "ffmpeg",
    "mediaconch": "mediaconch",
    "strace": "strace",
}


def install_missing() -> None:
    """apt-get the packages of missing peers, quietly, when we are root and apt is there;
    any failure only leaves the peer missing (its rows then say "not installed")."""
    missing = sorted({p for program, p in PACKAGES.items() if shutil.which(program) is None})
    apt = shutil.which("apt-get")
    if not missing or apt is None or os.geteuid() != 0:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = [[apt, "-qq", "update"]]
    # one package a step: a package the mirror lacks spoils no other
    steps += [[apt, "-y", "-qq", "--no-install-recommends", "install", p] for p in missing]
    for step in steps:
        try:
            subprocess.run(
                step,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=600,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return


def version(program: str) -> str | None:
    """The peer's version line, or None when it is not installed."""
    path = shutil.which(program)
    if path is None:
        return None
    flag = "--version" if program != "ffprobe" else "-version"
    try:
        done = subprocess.run([path, flag], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown version"
    lines = [line.split(" Copyright")[0].strip() for line in done.stdout.splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if program == "mediainfo" and lines else (lines[0] if lines else "?")
