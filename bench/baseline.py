"""The baseline: another git revision of preflight, materialised outside the tracked files and
run by this venv's interpreter and libraries, so that one bench run times it beside the
working tree.

Only the revision's package and pyproject.toml are taken (`git archive`, unpacked by tarfile),
under the work folder. Its launcher is the console script pip writes, pointed at the same entry
point, run with PYTHONPATH=<its tree> in its own environment only: the working tree is on
sys.path through the venv's editable .pth entry, which PYTHONPATH precedes. Both sides thus
start the same way, and their times compare like with like.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

# What pip writes as a console script (.venv/bin/preflight), with the interpreter and the entry
# point filled in.
_CONSOLE_SCRIPT = """#!{python}
import sys
from {module} import {function}
if __name__ == '__main__':
    sys.argv[0] = sys.argv[0].removesuffix('.exe')
    sys.exit({function}())
"""


@dataclass(frozen=True)
class Baseline:
    name: str  # the revision as asked for ("6899c2a")
    commit: str  # the full hash
    subject: str  # the commit's subject line
    tree: Path  # its package's folder's parent: PYTHONPATH
    launcher: Path  # its console script

    @property
    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.tree)}


def materialise(root: Path, revision: str, workdir: Path, python: str) -> Baseline:
    """The baseline `revision` of the repository at `root`, unpacked (once) under `workdir`;
    raises SystemExit when git does not know it or the interpreter would not import it."""
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if not commit:
        raise SystemExit(f"--baseline: git does not know the revision {revision!r}")
    subject = _git(root, "log", "-1", "--format=%s", commit)
    tree = workdir / f"baseline-{commit[:12]}"
    launcher = tree / "bin" / "preflight"
    if not launcher.exists():  # written last: without it, the tree may be half unpacked
        _unpack(root, commit, tree)
        _write_launcher(tree, launcher, python)
    baseline = Baseline(revision, commit, subject, tree, launcher)
    _check_imported_from(baseline, python)
    return baseline


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def _unpack(root: Path, commit: str, tree: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", "--format=tar", commit, "pyproject.toml", "preflight"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")


def _write_launcher(tree: Path, launcher: Path, python: str) -> None:
    """The revision's own `preflight` console script ("module:function" in its pyproject)."""
    project = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
    module, function = project["project"]["scripts"]["preflight"].split(":")
    launcher.parent.mkdir(parents=True, exist_ok=True)
    text = _CONSOLE_SCRIPT.format(python=python, module=module, function=function)
    launcher.write_text(text, encoding="utf-8")
    launcher.chmod(0o755)


def _check_imported_from(baseline: Baseline, python: str) -> None:
    """The interpreter imports preflight from the baseline's tree under its environment, not
    the working tree's editable install (run from / so that no current folder interferes)."""
    done = subprocess.run(
        [python, "-c", "import preflight; print(preflight.__file__)"],
        cwd="/",
        env={**os.environ, **baseline.env},
        capture_output=True,
        text=True,
    )
    imported = Path(done.stdout.strip())
    if done.returncode != 0 or not imported.is_relative_to(baseline.tree):
        raise SystemExit(
            f"--baseline: with PYTHONPATH={baseline.tree}, preflight comes from "
            f"{done.stdout.strip() or done.stderr.strip()}"
        )
