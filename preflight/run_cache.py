"""Whole runs kept between runs: a re-run whose inputs are all unchanged (pre-commit on the
same files, CI on the same checkout) gets the report the identical run made before, without
reading a manifest or running a rule.

A run depends on what it was asked (the settings), on preflight's code (the facts cache's
fingerprint), and on what it read: every manifest and file, every folder it walked, and every
folder above one of them, before and after symlinks. A new manifest, a new `.git`, a renamed
or relinked entry changes its folder's mtime; a changed file, its stat. Each is kept with the
stat key the facts cache uses, taken as the run first touched it; a run for which any of them
differs is a miss, and runs in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from preflight.cache import fingerprint, make_folder, stat_key
from preflight.report import (
    FileReport,
    Finding,
    Inspection,
    Report,
    RequestReport,
    Skipped,
    Verdict,
)
from preflight.settings import Settings

RUNS_KEPT = 8  # runs of other settings (other file lists, other options) kept beside this one
StatKey = list[int] | None  # None: the path did not exist, or could not be read


class RunCache:
    """The report of the last run with these settings, under one folder."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.prefix = f"runs-{fingerprint()}-"
        self.file = folder / f"{self.prefix}{_settings_key(settings)}.json"

    def recall(self) -> Report | None:
        """The kept report, if every input it was made from is unchanged. On a miss, the
        cache's folder is made now, before the run reads the folder it is in."""
        try:
            kept = json.loads(self.file.read_text(encoding="utf-8"))
            if all(stat_key(Path(path)) == key for path, key in kept["inputs"].items()):
                return _report(kept["report"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            pass  # none kept, or damaged: a miss
        with contextlib.suppress(OSError):
            make_folder(self.folder)
        return None

    def keep(self, report: Report, inputs: dict[str, StatKey], folders: Iterable[str]) -> None:
        """Keep the report with the stat keys of its inputs (taken as they were read) and of
        `folders` (taken now); a cache that cannot be written is no error."""
        every = dict(inputs)
        for folder in folders:
            if folder not in every:
                every[folder] = stat_key(Path(folder))
        text = json.dumps({"inputs": every, "report": report}, default=vars)
        with contextlib.suppress(OSError):
            partial = self.file.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, self.file)
            self._forget_old()

    def _forget_old(self) -> None:
        """Runs of another fingerprint, and all but the newest RUNS_KEPT of this one."""
        mine = []
        for kept in self.folder.glob("runs-*.json"):
            if kept.name.startswith(self.prefix):
                mine.append((kept.stat().st_mtime_ns, kept))
            else:
                kept.unlink()
        for _, old in sorted(mine, reverse=True)[RUNS_KEPT + 1 :]:
            old.unlink()


def _settings_key(settings: Settings) -> str:
    config = settings.config
    asked = {
        "paths": [str(p) for p in settings.paths],
        "fields": settings.fields,
        "cos_prefix": settings.cos_prefix,
        "known_anchors": sorted(settings.known_anchors),
        "strict": settings.strict,
        "allow_outside_root": settings.allow_outside_root,
        "cwd": str(settings.cwd),
        "config": str(config.path),
        "levels": sorted(config.levels.items()),
        "ignores": [[glob, sorted(rules)] for glob, rules in config.per_path_ignores],
        "exclude": list(config.exclude),
    }
    text = json.dumps(asked, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _report(kept: dict[str, Any]) -> Report:
    return Report(
        **{
            **kept,
            "requests": tuple(_request(r) for r in kept["requests"]),
            "files": tuple(_inspection(i) for i in kept["files"]),
            "skipped": tuple(Skipped(**s) for s in kept["skipped"]),
        }
    )


def _request(kept: dict[str, Any]) -> RequestReport:
    return RequestReport(
        **{
            **kept,
            "files": tuple(FileReport(**f) for f in kept["files"]),
            "findings": _findings(kept["findings"]),
            "checked": tuple(kept["checked"]),
        }
    )


def _inspection(kept: dict[str, Any]) -> Inspection:
    verdicts = tuple(
        Verdict(**{**v, "findings": _findings(v["findings"]), "checked": tuple(v["checked"])})
        for v in kept["verdicts"]
    )
    return Inspection(**{**kept, "verdicts": verdicts})


def _findings(kept: list[dict[str, Any]]) -> tuple[Finding, ...]:
    return tuple(Finding(**f) for f in kept)
