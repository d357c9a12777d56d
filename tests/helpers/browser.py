"""A real headless Chromium for the visual report: found on PATH, or installed from the
distribution's packages (Debian's `chromium`) where this runs as root with apt; otherwise a
reason, which the tests show as their skip and `make demo` prints.

    python tests/helpers/browser.py REPORT.html SHOT.png   # the screenshot of `make demo`
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# No sandbox (containers, root), no GPU, and none of the browser's own traffic (updates,
# sync, QUIC probes): what is left to reach the network is the page alone.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SECONDS_MAX = 120
DEMO_HEIGHT = 8000  # pixels: the demo's requests, all of them (headless takes no full page)


def find_chromium(install: bool = False) -> tuple[str | None, str]:
    """The browser, or None and why not; `install`: apt-get install it when it is missing and
    this runs as root on a system with apt."""
    found = _on_path()
    if found or not install:
        return found, "" if found else "no chromium on PATH"
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "no chromium on PATH, and apt-get cannot install it here (not root with apt)"
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-q"]
    install_chromium = [*apt, "install", "--no-install-recommends", "chromium"]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # The package lists may be stale or absent (a fresh container): update, and try again.
    for commands in ([install_chromium], [[*apt, "update"], install_chromium]):
        for command in commands:
            subprocess.run(command, env=environment, capture_output=True, check=False, timeout=1800)
        found = _on_path()
        if found:
            return found, ""
    return None, "apt-get install chromium did not give a chromium (no package, or no network)"


def _on_path() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def chromium(browser: str, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the browser on a page, with a fresh profile (nothing of another run's cache)."""
    with tempfile.TemporaryDirectory(prefix="preflight-chromium-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=SECONDS_MAX,
            check=False,
        )


def screenshot(browser: str, page: Path, shot: Path, width: int = 1200, height: int = 2400) -> None:
    done = chromium(
        browser, page, f"--screenshot={shot.resolve()}", f"--window-size={width},{height}"
    )
    if not shot.exists():
        raise RuntimeError(f"chromium made no screenshot: {done.stderr[-2000:]}")


def main() -> int:
    page, shot = Path(sys.argv[1]), Path(sys.argv[2])
    browser, why = find_chromium()
    if browser is None:
        print(f"screenshot skipped: {why} (apt-get install chromium, or see .ci/run)")
        return 0
    screenshot(browser, page, shot, height=DEMO_HEIGHT)
    print(f"screenshot of {page}: {shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
