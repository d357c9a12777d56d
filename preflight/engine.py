"""One run: discover → facts → check → configure → Report.

Discovery (preflight.discover) reads manifests and starts probing each file they name as soon
as it is read; the facts source (preflight.facts_source) gives each file's facts, cached or
probed; dispatch (preflight.dispatch) runs the rules; configuration (preflight.configure)
stamps each finding with the level that the configuration governing it gives (that of the
manifest's folder, or the standalone file's), and the report names every configuration used."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight import __version__, configure, discover, dispatch, git, hints, manifest
from preflight.config import Config, Configs
from preflight.discover import FileRef
from preflight.facts_source import FactsSource
from preflight.fields import make_type_of
from preflight.manifest import Manifest
from preflight.paths import WorkTrees
from preflight.probe.facts import FileFacts
from preflight.report import (
    Configured,
    Finding,
    Inspection,
    Report,
    RequestReport,
    Severity,
    Skipped,
)
from preflight.request import build_request
from preflight.rules import RULES, request
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.probe import EarlyProbing
    from preflight.probe.pool import Progress
    from preflight.probe.preview import Preview


@dataclass(frozen=True)
class Surveyed:
    """A run's report with what it was made from: the manifests read, the files each names,
    and every file's facts (`preflight fix` plans from them)."""

    report: Report
    found: discover.Found
    facts: dict[Path, FileFacts]


def run(
    settings: Settings, progress: Progress | None = None, early: EarlyProbing | None = None
) -> Report:
    """`early`: a probing worker started already, for the probing to adopt."""
    return survey(settings, progress, early).report


def survey(
    settings: Settings, progress: Progress | None = None, early: EarlyProbing | None = None
) -> Surveyed:
    """`run`, keeping the manifests and facts that the report was made from."""
    trees = WorkTrees()
    configs = _configs(settings)
    with FactsSource(settings, progress, early) as source, _indexes() as started:

        def found(read: Manifest, refs: list[FileRef]) -> None:
            root = trees.root(read.folder)  # git lists its index while the rest is read
            if root is not None and root not in started:
                started[root] = git.Index(root)
            for ref in refs:
                if ref.outside_root is None:
                    source.want(ref.path, ref.shown)

        discovered = discover.collect(settings, trees, configs, found, source.cache)
        for path, shown in discovered.standalone:
            source.want(path, shown)
        level: Severity = "error" if settings.committing else "warning"
        discover.mark_untracked(discovered, trees, level, started)
        facts = source.all()
    duplicates = request.check_duplicates(discovered.manifests, settings.known_anchors)
    bodies = {m.source: build_request(m.payload, settings.cos_prefix) for m in discovered.manifests}
    uploads = (
        _uploads(m, bodies[m.source], discovered.refs[m.source], facts)
        for m in discovered.manifests
    )
    collisions = request.check_uploads(u for each in uploads for u in each)
    for manifest_source, shared in collisions.items():
        duplicates.setdefault(manifest_source, []).extend(shared)
    requests = tuple(
        _request(
            m, bodies[m.source], discovered.refs[m.source], facts, duplicates, settings, configs
        )
        for m in discovered.manifests
    )
    files, skipped = [], []
    for path, shown in discovered.standalone:
        probed = replace(facts[path], path=shown)
        reason = discover.not_material(probed)
        if reason:
            skipped.append(Skipped(shown, reason))
        else:
            files.append(_inspection(probed, path, configs.governing(path), settings.strict))
    base = discover.base(settings.cwd, trees)
    used = _described(configs, settings)
    inputs = (*_read(discovered), *configs.loaded)
    searched = discovered.searched
    report = Report(
        __version__,
        requests,
        tuple(files),
        tuple(skipped),
        base,
        used,
        searched=searched,
        inputs=inputs,
        previews=_previews(discovered, facts, settings.jobs) if settings.previews else {},
    )
    return Surveyed(report, discovered, facts)


def _previews(found: discover.Found, facts: dict[Path, FileFacts], jobs: int) -> dict[str, Preview]:
    """The pictures of the files read, by the path the report shows them at (html format)."""
    from preflight.probe.preview import previews

    shown = {ref.shown: ref.path for refs in found.refs.values() for ref in refs}
    shown.update((name, path) for path, name in found.standalone)
    made = previews(((p, facts[p]) for p in dict.fromkeys(shown.values()) if p in facts), jobs)
    return {name: made[path] for name, path in shown.items() if path in made}


@contextlib.contextmanager
def _indexes() -> Iterator[dict[Path, git.Index]]:
    """The listings of work trees' indexes begun during a run: ended with it, if unread."""
    started: dict[Path, git.Index] = {}
    try:
        yield started
    finally:
        for index in started.values():
            index.close()


def inspect(settings: Settings, progress: Progress | None = None) -> list[Inspection]:
    """Each file given, on its own, with the configuration that governs it: `preflight
    inspect`."""
    configs = _configs(settings)
    given = {Path(os.path.abspath(settings.cwd / p)): str(p) for p in settings.paths}
    with FactsSource(settings, progress) as source:
        for path, shown in given.items():
            source.want(path, shown)
        facts = source.all()
    return [
        _inspection(replace(facts[p], path=shown), p, configs.governing(p), settings.strict)
        for p, shown in given.items()
    ]


def _read(found: discover.Found) -> Iterator[Path]:
    """The files a run read, but its configuration files: manifests, the files they name
    (those it opened), files given."""
    for source in found.manifests:
        if source.source != manifest.COMMAND_LINE:
            yield source.folder / os.path.basename(source.source)
        yield from (ref.path for ref in found.refs[source.source] if ref.outside_root is None)
    yield from (path for path, _ in found.standalone)


def _configs(settings: Settings) -> Configs:
    """The run's configuration governs every file when pinned; else each file's nearest."""
    configs = Configs(frozenset(RULES), settings.config if settings.pinned else None)
    configs.seed(settings.config)
    return configs


def _described(configs: Configs, settings: Settings) -> tuple[Configured, ...]:
    """Each configuration file used, shown relative to the working folder when inside it."""
    described = []
    for path, config in configs.used.items():
        shown = os.path.relpath(path, settings.cwd) if path.is_relative_to(settings.cwd) else path
        described.append(config.described(str(shown), path == settings.config.path))
    return tuple(described)


def _inspection(facts: FileFacts, path: Path, config: Config, strict: bool) -> Inspection:
    return configure.inspection(dispatch.inspect_file(facts), path, config, strict)


def _request(
    source: Manifest,
    body: dict[str, Any],
    refs: list[FileRef],
    facts: dict[Path, FileFacts],
    duplicates: dict[str, list[Finding]],
    settings: Settings,
    configs: Configs,
) -> RequestReport:
    """The request's findings, at the levels of the configuration of the manifest's folder."""
    own = duplicates.get(source.source, [])
    refs = [_with_near(ref, source, facts) for ref in refs]
    found = dispatch.check_manifest(source, body, refs, facts, own)
    where = {ref.shown: ref.path for ref in refs}  # a finding's path → the file, for ignores
    if source.source != manifest.COMMAND_LINE:
        where[source.source] = source.folder / os.path.basename(source.source)
    configured = configure.request(found, where, configs.of_folder(source.folder), settings.strict)
    return hints.one_per_file(configured, refs, facts, make_type_of(source.payload.get("MakeType")))


def _with_near(ref: FileRef, source: Manifest, facts: dict[Path, FileFacts]) -> FileRef:
    """A file that does not exist, with the one in the manifest's folder it likely meant."""
    probed = facts.get(ref.path)
    value = source.payload.get(ref.field)
    if source.source == manifest.COMMAND_LINE or probed is None or probed.node != "missing":
        return ref
    if ref.template is not None or not isinstance(value, str):
        return ref
    return replace(ref, near=discover.closest(source.folder, value))


def _uploads(
    source: Manifest, body: dict[str, Any], refs: list[FileRef], facts: dict[Path, FileFacts]
) -> list[request.Upload]:
    """Where each local file of a request goes: the URL its emitted request names."""
    if not source.readable:
        return []
    payload = body["Payload"]
    uploads = []
    for ref in refs:
        probed = facts.get(ref.path)
        size = probed.size if probed is not None and probed.node == "file" else None
        if isinstance(payload.get(ref.field), str):
            url = payload[ref.field]
            uploads.append(request.Upload(source.source, ref.field, url, size, str(ref.path)))
    return uploads
