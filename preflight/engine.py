"""One run: discover → facts → check → configure → Report.

Discovery (preflight.discover) reads manifests and starts probing each file they name as soon
as it is read; the facts source (preflight.facts_source) gives each file's facts, cached or
probed; dispatch (preflight.dispatch) runs the rules; configuration (preflight.configure)
stamps each finding with its configured level."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from preflight import __version__, configure, discover, dispatch, manifest
from preflight.discover import FileRef, WorkTrees
from preflight.facts_source import FactsSource
from preflight.manifest import Manifest
from preflight.probe.facts import FileFacts
from preflight.report import Finding, Inspection, Report, RequestReport, Skipped
from preflight.rules import request
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.probe import EarlyProbing
    from preflight.probe.pool import Progress


def run(
    settings: Settings, progress: Progress | None = None, early: EarlyProbing | None = None
) -> Report:
    """`early`: a probing worker started already, for the probing to adopt."""
    trees = WorkTrees()
    with FactsSource(settings, progress, early) as source:

        def found(_: Manifest, refs: list[FileRef]) -> None:
            for ref in refs:
                if ref.outside_root is None:
                    source.want(ref.path, ref.shown)

        discovered = discover.collect(settings, trees, found)
        for path, shown in discovered.standalone:
            source.want(path, shown)
        facts = source.all()
    duplicates = request.check_duplicates(discovered.manifests, settings.known_anchors)
    requests = tuple(
        _request(m, discovered.refs[m.source], facts, duplicates.get(m.source, []), settings)
        for m in discovered.manifests
    )
    files, skipped = [], []
    for path, shown in discovered.standalone:
        probed = replace(facts[path], path=shown)
        reason = discover.not_material(probed)
        if reason:
            skipped.append(Skipped(shown, reason))
        else:
            files.append(_inspection(probed, path, settings))
    base = discover.base(settings.cwd, trees)
    return Report(__version__, requests, tuple(files), tuple(skipped), base)


def inspect(settings: Settings, progress: Progress | None = None) -> list[Inspection]:
    """Each file given, on its own, with the run's configuration: `preflight inspect`."""
    given = {Path(os.path.abspath(settings.cwd / p)): str(p) for p in settings.paths}
    with FactsSource(settings, progress) as source:
        for path, shown in given.items():
            source.want(path, shown)
        facts = source.all()
    return [_inspection(replace(facts[p], path=shown), p, settings) for p, shown in given.items()]


def _inspection(facts: FileFacts, path: Path, settings: Settings) -> Inspection:
    found = dispatch.inspect_file(facts)
    return configure.inspection(found, path, settings.config, settings.strict)


def _request(
    source: Manifest,
    refs: list[FileRef],
    facts: dict[Path, FileFacts],
    duplicates: list[Finding],
    settings: Settings,
) -> RequestReport:
    found = dispatch.check_manifest(source, refs, facts, duplicates, settings.cos_prefix)
    where = {ref.shown: ref.path for ref in refs}  # a finding's path → the file, for ignores
    if source.source != manifest.COMMAND_LINE:
        where[source.source] = source.folder / os.path.basename(source.source)
    return configure.request(found, where, settings.config, settings.strict)
