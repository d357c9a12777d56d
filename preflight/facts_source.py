"""The facts of every file a run wants: the cache's for a file unchanged since it was probed,
else the probing workers', which start on each file as soon as it is wanted."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from preflight.probe import probing
from preflight.probe.facts import FileFacts
from preflight.settings import Settings

if TYPE_CHECKING:
    from preflight.cache import FactsCache
    from preflight.probe import EarlyProbing
    from preflight.probe.pool import Progress


class FactsSource:
    def __init__(
        self, settings: Settings, progress: Progress | None, early: EarlyProbing | None = None
    ) -> None:
        self.settings = settings
        self.cache = _cache(settings) if settings.cache else None
        self.workers = probing(settings.jobs, progress, early)  # adopts `early`'s worker
        self.known: dict[Path, FileFacts | None] = {}  # None: in the workers' hands
        self.probed: list[Path] = []

    def __enter__(self) -> FactsSource:
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
        """Every file's facts, once the workers are done, with what the run asked to know of
        their content; the cache keeps the new ones."""
        found = {path: facts for path, facts in self.known.items() if facts is not None}
        for path, facts in zip(self.probed, self.workers.results(), strict=True):
            found[path] = facts
            if self.cache:
                self.cache.update(path, facts)
        self._analyse(found)
        self.workers.release()  # no more work: they end while the run checks and reports
        if self.cache:
            self.cache.persist()
        content, deep = self.settings.content, self.settings.deep
        return {path: narrowed(facts, content, deep) for path, facts in found.items()}

    def _analyse(self, found: dict[Path, FileFacts]) -> None:
        """The content of the files whose facts (probed, or cached) do not tell it yet: a
        second phase, planned from the header facts."""
        deep = self.settings.deep
        if not self.settings.content:
            return
        from preflight.probe.content import Item, wanted, without_work  # not for --no-content

        items = [Item(path, facts, deep) for path, facts in found.items() if wanted(facts, deep)]
        analysed = {item.path: done for item in items if (done := without_work(item)) is not None}
        items = [item for item in items if item.path not in analysed]
        results = self.workers.map(items)  # the workers that probed them, loaded already
        analysed.update(zip((item.path for item in items), results, strict=True))
        for path, facts in analysed.items():
            found[path] = facts
            if self.cache:
                self.cache.update(path, facts)


def _cache(settings: Settings) -> FactsCache:
    """The cache of the project run in: its configuration's folder, else its git work tree,
    else the current folder."""
    from preflight.cache import FactsCache
    from preflight.paths import WorkTrees

    root = settings.config.path.parent if settings.config.path else None
    return FactsCache.open(root or WorkTrees().root(settings.cwd) or settings.cwd)


def narrowed(facts: FileFacts, content: bool, deep: bool) -> FileFacts:
    """The facts a run asked for: a cache entry may hold more than this run's options do."""
    if facts.faces is not None and not content:
        facts = replace(facts, faces=None)
    if facts.speech is not None and not content:
        facts = replace(facts, speech=None)
    if facts.deep is not None and not (content and deep):
        facts = replace(facts, deep=None)
    return facts
