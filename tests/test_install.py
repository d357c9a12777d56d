"""Install for non-engineers (README, "Install for everyday use"): the wheel built from this
checkout, installed into a fresh environment as `pipx install` does, runs on its own.

Slow (a wheel build, a venv), but run with the suite: a wheel that misses a module or a
compiled catalogue passes every other test, run from the checkout. The fresh environment
takes preflight from the wheel alone; its dependencies (click, Pillow, …) are this
environment's, put on its path, so that no network is needed past the wheel's build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from preflight import __version__

CHECKOUT = Path(__file__).resolve().parents[1]
FIXTURES = CHECKOUT / "fixtures" / "requests"
_OFFLINE = ("No matching distribution", "Could not find a version", "NewConnectionError")


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _scripts(environment: Path) -> Path:
    return environment / ("Scripts" if os.name == "nt" else "bin")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `preflight` command of a fresh environment holding the wheel built from here."""
    dist = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, CHECKOUT)
    if built.returncode != 0 and any(word in built.stderr for word in _OFFLINE):
        pytest.skip(f"the wheel's build requirements cannot be fetched: {built.stderr[-300:]}")
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("preflight-*.whl")
    assert wheel.name == f"preflight-{__version__}-py3-none-any.whl"
    environment = tmp_path_factory.mktemp("env")
    venv.EnvBuilder(with_pip=False).create(environment)
    python = _scripts(environment) / ("python.exe" if os.name == "nt" else "python")
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    ours = Path(sysconfig.get_path("purelib"))
    # this environment's packages, but preflight itself (an editable install here: its
    # finder is a .pth of this site-packages, which a path entry does not run)
    Path(site.stdout.strip(), "dependencies.pth").write_text(f"{ours}\n", encoding="utf-8")
    done = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel
    )
    assert done.returncode == 0, done.stderr
    return _scripts(environment) / "preflight"


def test_the_installed_wheel_runs(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == f"preflight, version {__version__}\n"
    where = _run(
        installed.parent / "python",
        "-c",
        "import preflight; print(preflight.__file__)",
        cwd=tmp_path,
    )
    package = Path(where.stdout.strip()).parent
    assert package.is_relative_to(installed.parent.parent)  # the wheel's, not this checkout's
    shipped = {p.relative_to(package) for p in package.rglob("*") if p.suffix != ".pyc"}
    ours = {p.relative_to(CHECKOUT / "preflight") for p in (CHECKOUT / "preflight").rglob("*.mo")}
    assert ours <= shipped  # the compiled catalogues are in the wheel


def test_the_installed_wheel_checks_requests(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "PREFLIGHT_CACHE_DIR": str(tmp_path / "cache")}
    for fixture, code in (("pass", 0), ("fail", 1)):
        done = subprocess.run(
            [installed, "check", "--no-content", FIXTURES / fixture],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == code, done.stdout + done.stderr
    assert "video.fps" in done.stdout  # the failing requests' findings
