"""Manifests → probes (once per file, every core on batches) → rules → one Report."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from preflight import __version__, manifest, registry
from preflight.fields import FIELDS, applies, local_file, local_path, make_type_of
from preflight.limits import MAKE_TYPES, MakeType
from preflight.manifest import Manifest
from preflight.probe import probing
from preflight.probe.facts import FileFacts
from preflight.probe.sniff import KIND, format_of_extension
from preflight.registry import RULES
from preflight.registry.rule import Rule
from preflight.report import (
    ANY_MAKE_TYPE,
    FileReport,
    Finding,
    Inspection,
    Report,
    RequestReport,
    Skipped,
    Verdict,
)
from preflight.request import build_request
from preflight.rules import driver, file, identity, photo, request, video, voice
from preflight.rules.base import Subject
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.cache import FactsCache
    from preflight.run_cache import StatKey

_FAMILY_BY_MATERIAL: dict[str, ModuleType] = {"video": video, "zip": voice, "photo": photo}
_SIZE_RULE: dict[ModuleType | None, tuple[Rule, Callable[[Subject], Iterator[Finding]]]] = {
    video: (registry.video.SIZE, video.check_recorded_size),
    voice: (registry.voice.TOTAL_SIZE, voice.check_recorded_size),
    photo: (registry.photo.SIZE, photo.check_recorded_size),
    driver: (registry.driver.SIZE, driver.check_recorded_size),
}
_MANIFEST_NAMES = "request.json, *.request.json, request.toml or *.request.toml"


@dataclass(frozen=True)
class _FileRef:
    field: str
    path: Path  # absolute, symlinks not resolved
    shown: str
    outside_root: str | None


Progress = Callable[[int, int], None]  # (files probed, files to probe)


def run(settings: Settings, progress: Progress | None = None) -> Report:
    """The report of a run: the one kept from an identical run over unchanged files, if any."""
    try:
        if not settings.cache:
            return _run(settings, progress, lambda path: None)
        from preflight.run_cache import RunCache

        runs = RunCache(_cache_folder(settings), settings)
        kept = runs.recall()
        if kept is not None:
            return kept
        read: dict[str, StatKey] = {}
        report = _run(settings, progress, functools.partial(_note, read))
        runs.keep(report, read, _folders_above([*read, str(settings.cwd)]))
        return report
    finally:
        # A later run may find other .git folders and symlinks.
        _root_of.cache_clear()
        _real_folder.cache_clear()


def _run(
    settings: Settings, progress: Progress | None, note: Callable[[Path | str], None]
) -> Report:
    """The run itself; `note` hears of each file and folder read, as it is read."""
    refs: dict[str, list[_FileRef]] = {}
    with _Facts(settings, progress) as source:

        def found(manifest: Manifest) -> None:  # its files are probed while the rest is read
            refs[manifest.source] = list(_file_refs(manifest, settings))
            for ref in refs[manifest.source]:
                note(ref.path)
                if ref.outside_root is None:
                    source.want(ref.path, ref.shown)

        manifests, standalone = _collect(settings, found, note)
        for path, shown in standalone:
            note(path)
            source.want(path, shown)
        facts = source.all()
    duplicates = request.check_duplicates(manifests, settings.known_anchors)
    requests = tuple(
        _check_request(m, refs[m.source], facts, duplicates.get(m.source, []), settings)
        for m in manifests
    )
    files, skipped = [], []
    for path, shown in standalone:
        probed = replace(facts[path], path=shown)
        reason = _not_material(probed)
        if reason:
            skipped.append(Skipped(shown, reason))
        else:
            files.append(_configured_inspection(inspect_file(probed), path, settings))
    return Report(__version__, requests, tuple(files), tuple(skipped), _base(settings.cwd))


class _Facts:
    """The facts of each file wanted: the cache's for a file unchanged since it was probed,
    else the workers', which start on each file as soon as it is wanted."""

    def __init__(self, settings: Settings, progress: Progress | None) -> None:
        self.cache = _cache(settings) if settings.cache else None
        self.workers = probing(settings.jobs, progress)
        self.known: dict[Path, FileFacts | None] = {}  # None: in the workers' hands
        self.probed: list[Path] = []

    def __enter__(self) -> _Facts:
        self.workers.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.workers.__exit__(*exc)

    def want(self, path: Path, shown: str) -> None:
        if path in self.known:
            return
        self.known[path] = self.cache.get(path, shown) if self.cache else None
        if self.known[path] is None:
            self.probed.append(path)
            self.workers.submit((path, shown))

    def all(self) -> dict[Path, FileFacts]:
        """Every file's facts, once the workers are done; the cache keeps the new ones."""
        found = {path: facts for path, facts in self.known.items() if facts is not None}
        for path, facts in zip(self.probed, self.workers.results(), strict=True):
            found[path] = facts
            if self.cache:
                self.cache.put(path, facts)
        if self.cache:
            self.cache.save()
        return found


def _cache(settings: Settings) -> FactsCache:
    from preflight.cache import FactsCache

    return FactsCache(_cache_folder(settings))


def _cache_folder(settings: Settings) -> Path:
    from preflight.cache import FOLDER

    root = settings.config.path.parent if settings.config.path else _work_tree(settings.cwd)
    return (root or settings.cwd) / FOLDER


def _note(read: dict[str, StatKey], path: Path | str) -> None:
    """What a file or folder is as the run reads it (RunCache keeps it)."""
    from preflight.cache import stat_key

    if str(path) not in read:
        read[str(path)] = stat_key(Path(path))


def _folders_above(paths: Iterable[str]) -> set[str]:
    """Every folder above these paths, as given and with symlinks resolved: their entries
    decide what the paths are."""
    folders: set[str] = set()

    def climb(folder: str) -> None:  # up to the root, or to a folder climbed from before
        while folder not in folders:
            folders.add(folder)
            folder, below = os.path.dirname(folder), folder
            if folder == below:
                return

    for path in paths:
        folder = os.path.dirname(path)
        climb(folder)
        climb(_real_folder(folder))
        if os.path.islink(path):
            climb(os.path.dirname(os.path.realpath(path)))
    return folders


def _base(cwd: Path) -> str:
    root = _work_tree(cwd)
    relative = Path(os.path.relpath(cwd.resolve(), root)).as_posix() if root else "."
    return "" if relative == "." else relative


def _not_material(facts: FileFacts) -> str | None:
    """Why a file given on the command line is neither a manifest nor material, if it is not:
    pre-commit and shell globs pass such files along, and they are not the user's error."""
    if facts.node != "file" or facts.format or facts.lfs or format_of_extension(facts.extension):
        return None
    if facts.extension in ("json", "toml"):
        return f"not a manifest: manifests are named {_MANIFEST_NAMES}"
    return "neither a manifest nor a media file"


def inspect_file(facts: FileFacts) -> Inspection:
    """A file on its own: would each make type accept it as its material (or, for audio and
    PDFs, as driver audio or an authorization letter)?"""
    verdicts = []
    for make_type, field in _uses(facts):
        findings, checked = run_rules(Subject(field, make_type, facts))
        label = make_type.name if make_type else ANY_MAKE_TYPE
        fits = not any(f.rule == registry.file.TYPE_MISMATCH.id for f in findings)
        verdicts.append(Verdict(label, field, tuple(findings), fits=fits, checked=checked))
    return Inspection(facts.path, facts.kind, facts.to_dict(), tuple(verdicts))


def evaluate(subject: Subject) -> list[Finding]:
    return run_rules(subject)[0]


def run_rules(subject: Subject) -> tuple[list[Finding], tuple[str, ...]]:
    """The file rules, then, when the content can be judged, its family's rules; with the IDs
    of the rules run. Of a Git LFS pointer only the size is known: the size rule alone."""
    findings = list(file.check(subject))
    ran = [*registry.file.RULES]
    family = _family(subject.field, subject.make_type)
    if family is not None and not any(f.rule in file.GATES for f in findings):
        findings += family.check(subject)
        ran += family.RULES
    elif family in _SIZE_RULE and subject.file.lfs is not None:
        size_rule, check_size = _SIZE_RULE[family]
        findings += check_size(
            replace(subject, file=replace(subject.file, size=subject.file.lfs.size))
        )
        ran.append(size_rule)
    return findings, tuple(rule.id for rule in ran)


def _family(field: str, make_type: MakeType | None) -> ModuleType | None:
    role = FIELDS[field].role
    if role == "material":
        material = make_type.material if make_type else None
        return _FAMILY_BY_MATERIAL.get(material) if material else None
    if role == "driver":
        return driver
    return identity if role in ("identity-video", "identity-letter") else None


def _uses(facts: FileFacts) -> list[tuple[MakeType | None, str]]:
    kind = facts.kind or KIND.get(format_of_extension(facts.extension) or "")
    uses: list[tuple[MakeType | None, str]] = [
        (make_type, "MaterialCosUrl") for make_type in MAKE_TYPES.values() if make_type.material
    ]
    if kind == "audio":
        uses.append((None, "VoiceDriverCosFile"))
    elif kind == "document":
        uses.append((None, "IdentityWrittenCosUrl"))
    elif kind is None:
        uses = [(None, "MaterialCosUrl")]
    return uses


def _check_request(
    source: Manifest,
    refs: list[_FileRef],
    facts: dict[Path, FileFacts],
    duplicates: list[Finding],
    settings: Settings,
) -> RequestReport:
    if source.readable:
        findings = [*request.check(source), *duplicates]
    else:
        findings = list(file.check_manifest(source))
    checked = [rule.id for rule in request.RULES]
    make_type = make_type_of(source.payload.get("MakeType"))
    files = []
    for ref in refs:
        probed = facts.get(ref.path)  # None: outside the work tree, never opened
        shown = replace(probed, path=ref.shown) if probed else FileFacts(ref.shown, "other")
        found, ran = run_rules(Subject(ref.field, make_type, shown, ref.outside_root))
        findings += found
        checked += ran
        read = shown.to_dict() if probed else None
        files.append(FileReport(ref.field, ref.shown, shown.kind, read))
    where = {ref.shown: ref.path for ref in refs}
    if source.source != manifest.COMMAND_LINE:
        where[source.source] = source.folder / os.path.basename(source.source)
    return RequestReport(
        source=source.source,
        request=build_request(source.payload, settings.cos_prefix),
        files=tuple(files),
        findings=_configured(findings, where, settings),
        strict=settings.strict,
        checked=_enabled(checked, settings),
    )


def _configured(
    findings: Iterable[Finding], where: dict[str, Path], settings: Settings
) -> tuple[Finding, ...]:
    """Each finding at its configured level; those turned off, or ignored for their path
    (`where`: a finding's path → the absolute file), dropped."""
    config = settings.config
    kept = []
    for finding in findings:
        level = config.levels.get(finding.rule, finding.severity)
        path = where.get(finding.path or "")
        if level == "off" or (path is not None and config.ignores(path, finding.rule)):
            continue
        kept.append(finding if level == finding.severity else replace(finding, severity=level))
    return tuple(kept)


def _enabled(rule_ids: Iterable[str], settings: Settings) -> tuple[str, ...]:
    """The rules among these that are not turned off, each once, in catalogue order."""
    ran = set(rule_ids)
    return tuple(r for r in RULES if r in ran and settings.config.levels.get(r) != "off")


def _configured_inspection(inspection: Inspection, path: Path, settings: Settings) -> Inspection:
    where = {inspection.path: path}
    verdicts = tuple(
        replace(
            v,
            findings=_configured(v.findings, where, settings),
            strict=settings.strict,
            checked=_enabled(v.checked, settings),
        )
        for v in inspection.verdicts
    )
    return replace(inspection, verdicts=verdicts)


def _file_refs(source: Manifest, settings: Settings) -> Iterator[_FileRef]:
    """The local files a manifest names, for the fields its make type uses."""
    make_type = make_type_of(source.payload.get("MakeType"))
    root = None
    if source.source != manifest.COMMAND_LINE and not settings.allow_outside_root:
        root = _work_tree(source.folder)
    shown_folder = "" if source.source == manifest.COMMAND_LINE else os.path.dirname(source.source)
    for name in FIELDS:
        value = local_file(name, source.payload.get(name))
        if value is None or (make_type is not None and not applies(name, make_type)):
            continue
        path = Path(os.path.abspath(source.folder / local_path(value)))
        shown = os.path.normpath(os.path.join(shown_folder, local_path(value)))
        yield _FileRef(name, path, shown, _escapes(path, root))


def _work_tree(folder: Path) -> Path | None:
    return _root_of(_real_folder(str(folder)))


@functools.cache  # the files of one run share a few folders
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _real(path: Path) -> str:
    """The path with symlinks resolved, its folder's resolution shared with its siblings."""
    real = os.path.join(_real_folder(os.path.dirname(path)), os.path.basename(path))
    return os.path.realpath(real) if os.path.islink(real) else real


@functools.cache  # the folders of one run share their ancestors; run() forgets them at its end
def _root_of(folder: str) -> Path | None:
    """The git work tree a resolved folder is in: its own, or its parent's."""
    if os.path.exists(os.path.join(folder, ".git")):
        return Path(folder)
    parent = os.path.dirname(folder)
    return None if parent == folder else _root_of(parent)


def _escapes(path: Path, root: Path | None) -> str | None:
    """The work tree the path leaves, after symlinks (a loop stays where it is: the probe
    reports it)."""
    if root is None:
        return None
    real = _real(path)
    inside = real == str(root) or real.startswith(os.path.join(root, ""))
    return None if inside else str(root)


def _collect(
    settings: Settings, found: Callable[[Manifest], None], note: Callable[[Path | str], None]
) -> tuple[list[Manifest], list[tuple[Path, str]]]:
    """Manifests to check and media files to inspect on their own, each once; `found` hears
    of each manifest as soon as it is read, `note` of each manifest and folder read."""
    manifests: dict[Path, Manifest] = {}
    standalone: dict[Path, str] = {}

    def add(key: Path, loaded: Manifest) -> None:
        if key not in manifests:
            manifests[key] = loaded
            found(loaded)

    if settings.fields is not None:
        add(settings.cwd, manifest.from_fields(settings.fields, settings.cwd))
    excluded = settings.config.excludes
    for given in settings.paths:
        path = Path(os.path.abspath(settings.cwd / given))
        if excluded(path):
            continue
        if path.is_dir():
            for each in manifest.discover(path, note):
                if excluded(each):
                    continue
                shown = os.path.normpath(os.path.join(str(given), os.path.relpath(each, path)))
                note(each)
                add(_key(each), manifest.load(each, shown))
        elif manifest.is_manifest(path):
            note(path)
            add(_key(path), manifest.load(path, str(given)))
        else:
            owners = dict(_manifests_referencing(path, settings, note))
            for key, owner in owners.items():
                add(key, owner)
            if not owners:
                standalone.setdefault(path, str(given))
    return list(manifests.values()), list(standalone.items())


def _key(path: Path) -> Path:
    """One identity per file, however it was reached (symlinks, `..`)."""
    return Path(_real(path))


def _manifests_referencing(
    media: Path, settings: Settings, note: Callable[[Path | str], None]
) -> Iterator[tuple[Path, Manifest]]:
    """Manifests in the file's folder or an ancestor, up to the work tree's root (outside one,
    up to the file system's), that name the file in one of their fields (`note` hears of each
    manifest read)."""
    target = _key(media)
    stop = _work_tree(target.parent) or Path(target.anchor)
    folder = target.parent
    while True:
        found = (p for p in _listdir(folder) if manifest.is_manifest(p))
        for candidate in sorted(p for p in found if not settings.config.excludes(p)):
            note(candidate)
            loaded = manifest.load(candidate, os.path.relpath(candidate, _key(settings.cwd)))
            if any(_key(ref.path) == target for ref in _file_refs(loaded, settings)):
                yield candidate, loaded
        if folder == stop or stop not in folder.parents:
            return
        folder = folder.parent


def _listdir(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file()]
    except OSError:
        return []
