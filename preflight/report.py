"""The one result type of a run: findings grouped per request, and the exit code."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from preflight.fields import MAKE
from preflight.i18n import _

if TYPE_CHECKING:
    from preflight.probe.preview import Preview

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
ANY_MAKE_TYPE = "any"  # a verdict on a role that no single make type owns (driver audio, …)
SCHEMA = "preflight-report/1"

JSON = Any  # a value that json.dumps accepts


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    field: str | None = None
    path: str | None = None
    actual: JSON = None
    limit: str | None = None
    hint: str | None = None
    # Where in the request's manifest the finding points (1-based, columns in code points):
    # the key of its field, or a syntax error. CI formats place such a finding there.
    line: int | None = None
    column: int | None = None

    def fails(self, strict: bool) -> bool:
        return self.severity == "error" or (strict and self.severity == "warning")

    def to_dict(self) -> dict[str, JSON]:
        return dict(vars(self))  # the values are JSON already: no deep copy (asdict's)


@dataclass(frozen=True)
class FileReport:
    """A local file as one field of a request uses it, with the facts its probe read."""

    field: str
    path: str
    kind: str | None
    facts: dict[str, JSON] | None  # None: the file was not read (outside the work tree)

    def to_dict(self) -> dict[str, JSON]:
        return dict(vars(self))  # the values are JSON already: no deep copy (asdict's)


@dataclass(frozen=True)
class RequestReport:
    source: str
    request: dict[str, JSON]
    files: tuple[FileReport, ...]
    findings: tuple[Finding, ...]
    strict: bool = False
    checked: tuple[str, ...] = ()  # the IDs of the rules run on it, in catalogue order
    endpoint: str = MAKE.path  # the API the request is for (SPEC §8)

    @property
    def ok(self) -> bool:
        return not any(f.fails(self.strict) for f in self.findings)

    def to_dict(self) -> dict[str, JSON]:
        return {
            "source": self.source,
            "ok": self.ok,
            "endpoint": self.endpoint,
            "request": self.request,
            "files": [f.to_dict() for f in self.files],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Verdict:
    """Whether a standalone file would be accepted in one role of one make type."""

    make_type: str
    field: str
    findings: tuple[Finding, ...]
    strict: bool = False
    fits: bool = True  # the content is of the kind this role needs (a video for IMAGE, …)
    checked: tuple[str, ...] = ()  # the IDs of the rules run, in catalogue order
    zipped: bool = False  # a loose WAV judged as the one entry of a VOICE zip

    @property
    def ok(self) -> bool:
        return not any(f.fails(self.strict) for f in self.findings)

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.fails(self.strict))

    @property
    def use(self) -> str:
        """The role as a person reads it: the make type, or the field no type owns."""
        if self.zipped:
            return _("{make_type} (once zipped)").format(make_type=self.make_type)
        return self.field if self.make_type == ANY_MAKE_TYPE else self.make_type

    def to_dict(self) -> dict[str, JSON]:
        return {
            "make_type": self.make_type,
            "field": self.field,
            "as_zip_entry": self.zipped,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Inspection:
    """A media file that no manifest references, checked on its own (SPEC §3)."""

    path: str
    kind: str | None
    facts: dict[str, JSON]
    verdicts: tuple[Verdict, ...]

    @property
    def ok(self) -> bool:
        """A file passes when at least one make type would accept it."""
        return any(v.ok for v in self.verdicts)

    @property
    def closest(self) -> Verdict | None:
        """An accepted verdict, else one of a role that fits the content, with the fewest
        findings."""
        if not self.verdicts:
            return None
        return min(self.verdicts, key=lambda v: (not v.ok, not v.fits, len(v.findings)))

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.closest.findings if self.closest else ()

    def to_dict(self) -> dict[str, JSON]:
        return {
            "path": self.path,
            "ok": self.ok,
            "kind": self.kind,
            "facts": self.facts,
            "accepted_as": [v.make_type for v in self.verdicts if v.ok],
            "findings": [f.to_dict() for f in self.findings],
            "verdicts": [v.to_dict() for v in self.verdicts],
        }


@dataclass(frozen=True)
class Skipped:
    """A path given on the command line that is neither a manifest nor material."""

    path: str
    reason: str


# Folders a search passes over, and counts (Searched.tools): a package manager's, Python's, the
# macOS Finder's. `.git` is passed over without a count: git never checks out a path in it.
TOOL_FOLDERS = ("node_modules", "__pycache__", "__MACOSX")


@dataclass(frozen=True)
class Searched:
    """What the search of the folders given passed over, for the report to say (nothing is
    skipped silently): folders not entered, by why, and paths the configuration excludes."""

    hidden: int = 0  # folders whose name starts with "." (but .git, which git never checks out)
    tools: int = 0  # node_modules, __pycache__, __MACOSX
    symlinked: int = 0  # symlinks to folders: not followed
    excluded: int = 0  # paths given or found that the configuration excludes
    # Media files seen in the folders (a folder's media are checked through its manifests:
    # these say what a run that found none missed): the first few, as shown, and how many.
    media: tuple[str, ...] = ()
    media_seen: int = 0

    @property
    def any(self) -> bool:
        return bool(self.hidden or self.tools or self.symlinked or self.excluded)

    def to_dict(self) -> dict[str, JSON]:
        return {
            "hidden_folders": self.hidden,
            "tool_folders": self.tools,
            "symlinked_folders": self.symlinked,
            "excluded": self.excluded,
        }


@dataclass(frozen=True)
class Configured:
    """A configuration file the run applied and what it changes, for a reviewer to see (a pull
    request that adds one can turn rules off)."""

    path: str
    rules: dict[str, str]  # rule ID → level
    per_path_ignores: dict[str, list[str]]  # glob → rule IDs
    exclude: list[str]
    settings: dict[str, JSON]  # the run-wide values it set (only the run's own configuration's)

    @property
    def changes(self) -> bool:
        return bool(self.rules or self.per_path_ignores or self.exclude or self.settings)

    def to_dict(self) -> dict[str, JSON]:
        return dict(vars(self))  # the values are JSON already: no deep copy (asdict's)


@dataclass(frozen=True)
class Report:
    version: str
    requests: tuple[RequestReport, ...] = ()
    files: tuple[Inspection, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    base: str = ""  # the run's folder within its git work tree ("" at the root or outside one)
    configuration: tuple[Configured, ...] = ()  # the files that governed what was checked
    searched: Searched = Searched()
    # Every file the run read (manifests, the files they name, files given, configurations),
    # absolute: never rendered; the CLI refuses to write a report over one of them.
    inputs: tuple[Path, ...] = field(default=(), compare=False, repr=False)
    # Pictures of the files read, by the path the report shows, when the run was asked for them
    # (Settings.previews, for the html format): not in the JSON report.
    previews: dict[str, Preview] = field(default_factory=dict, compare=False, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for finding in self.all_findings():
            counts[finding.severity] += 1
        return counts

    def repo_path(self, path: str) -> str:
        """A path as given, relative to the git work tree's root when it was relative (what
        code scanning and merge-request widgets expect); absolute paths stay absolute."""
        if os.path.isabs(path) or not self.base:
            return path.replace(os.sep, "/")
        return posixpath.normpath(posixpath.join(self.base, path.replace(os.sep, "/")))

    def all_findings(self) -> list[Finding]:
        found = [f for r in self.requests for f in r.findings]
        found += [f for i in self.files for f in i.findings]
        return found

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.requests) and all(i.ok for i in self.files)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, JSON]:
        return {
            "schema": SCHEMA,
            "tool": {"name": "preflight", "version": self.version},
            "ok": self.ok,
            "counts": self.counts,
            "requests": [r.to_dict() for r in self.requests],
            "files": [i.to_dict() for i in self.files],
            "skipped": [dict(vars(s)) for s in self.skipped],
            "configuration": [c.to_dict() for c in self.configuration],
            "not_searched": self.searched.to_dict(),
        }
