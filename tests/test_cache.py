"""The facts cache: a re-run over unchanged files reads no media and finds the same; the cache
lives in the user's cache folder, and nothing a repository holds can change a verdict."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from runner import report_of, rules_of

from preflight import cache, facts_source
from preflight.cache import FactsCache, fingerprint
from preflight.probe import _probed_before as probed_before
from preflight.probe.facts import DocumentFacts, FileFacts, stat_key
from preflight.probe.pool import EarlyWorker, Pool, Progress

FAILING_VIDEO = Path("requests", "fail", "instant-avatar", "lin.mov")


@pytest.fixture
def cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own user cache folder (not made yet: preflight makes it)."""
    folder = tmp_path_factory.mktemp("user") / "cache"
    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    return folder


def _stored(folder: Path) -> Path:
    (file,) = folder.glob("*.json")
    return file


def _no_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, reading a file that exists fails the test (a missing one costs a stat)."""
    probing = facts_source.probing

    def refusing(
        jobs: int, progress: Progress | None, early: EarlyWorker[tuple[Path, str], FileFacts] | None
    ) -> Pool[tuple[Path, str], FileFacts]:
        workers = probing(jobs, progress, early)
        submit = workers.submit

        def refuse(item: tuple[Path, str]) -> None:
            assert not item[0].exists(), f"{item[1]} was probed again"
            submit(item)

        monkeypatch.setattr(workers, "submit", refuse)
        return workers

    monkeypatch.setattr(facts_source, "probing", refusing)


def _tree(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path under `root`, symlinks not followed: its type, and a file's bytes and mtime."""
    state: dict[str, tuple[object, ...]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode):
                state[path] = ("file", Path(path).read_bytes(), info.st_mtime_ns)
            else:
                state[path] = (stat.S_IFMT(info.st_mode), os.path.islink(path))
    return state


def _rewrite(file: Path, change: Callable[[dict[str, Any]], None]) -> None:
    stored = json.loads(file.read_text(encoding="utf-8"))
    change(stored)
    file.write_text(json.dumps(stored), encoding="utf-8")


def test_a_second_run_reads_no_file_and_finds_the_same(
    repo: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _tree(repo)
    first = report_of("requests", "--jobs", "1", cwd=repo)
    assert _tree(repo) == before  # nothing written in the checked repository
    assert stat.S_IMODE(cache_folder.stat().st_mode) == 0o700
    stored = json.loads(_stored(cache_folder).read_text(encoding="utf-8"))
    assert stored["root"] == str(repo.resolve()) and len(stored["files"]) >= 7
    _no_probing(monkeypatch)
    assert report_of("requests", "--jobs", "1", cwd=repo) == first


def test_the_early_worker_loads_nothing_for_a_rerun_over_unchanged_files(
    repo: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probing libraries load at once unless the cache holds the facts of every media file
    the command line names, as each is now: then a load would only compete with the run."""
    monkeypatch.chdir(repo)
    assert not probed_before(("requests",))  # nothing is cached yet
    report_of("requests", cwd=repo)
    assert probed_before(("requests",)) and probed_before(("--no-content", "requests"))
    for option in ("--no-cache", "--config=other.toml"):  # a cache not the one looked at
        assert not probed_before((option, "requests"))
    video = next((repo / "requests" / "pass").rglob("*.mp4"))
    shutil.copy2(video, video.with_name("new.mp4"))  # a file the cache does not know
    assert not probed_before(("requests",))
    assert probed_before((str(video),))
    video.write_bytes(video.read_bytes() + b"\0")  # changed since it was probed
    assert not probed_before((str(video),))


def test_the_default_folder_is_the_users_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.ENV_VAR)
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("preflight", appauthor=False))


def test_a_changed_file_is_probed_again(repo: Path, cache_folder: Path) -> None:
    report_of("requests", cwd=repo)
    good = repo / "requests" / "pass" / "photo-avatar" / "lin_portrait.jpg"
    shutil.copy2(repo / "requests" / "fail" / "photo-avatar" / "lin portrait.jpg", good)
    code, report = report_of("requests/pass/photo-avatar", cwd=repo)
    assert code == 1
    assert "photo.aspect" in {f["rule"] for f in report["requests"][0]["findings"]}


def test_no_cache_writes_nothing_and_reads_nothing(
    repo: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_of("requests", "--no-cache", cwd=repo)
    assert not cache_folder.exists()
    (repo / ".preflight.toml").write_text("cache = false\n")
    report_of("requests", cwd=repo)
    assert not cache_folder.exists()
    (repo / ".preflight.toml").unlink()
    report_of("requests", cwd=repo)
    _no_probing(monkeypatch)
    with pytest.raises(AssertionError, match="probed again"):
        report_of("requests", "--no-cache", "--jobs", "1", cwd=repo)


def _forge(stored: dict[str, Any], repo: Path, fps: float = 25.0) -> None:
    """The failing video's entry says it has a frame rate that passes."""
    stored["files"][str((repo / FAILING_VIDEO).resolve())]["facts"]["media"]["fps"] = fps


def test_a_forged_entry_whose_stat_does_not_match_is_not_used(
    repo: Path, cache_folder: Path
) -> None:
    """An entry made of another file, or of this one before it changed (its ctime, which
    user space cannot set), says a bad file is good: it is not used."""
    report_of("requests", cwd=repo)

    def forge(stored: dict[str, Any]) -> None:
        _forge(stored, repo)
        stored["files"][str((repo / FAILING_VIDEO).resolve())]["key"][2] -= 1

    _rewrite(_stored(cache_folder), forge)
    _, report = report_of("requests/fail/instant-avatar", cwd=repo)
    assert "video.fps" in {f["rule"] for f in report["requests"][0]["findings"]}


@pytest.mark.parametrize("field, value", [("fingerprint", "0" * 16), ("root", "/elsewhere")])
def test_a_cache_of_another_version_or_project_is_not_used_and_replaced(
    repo: Path, cache_folder: Path, field: str, value: str
) -> None:
    first = report_of("requests", cwd=repo)

    def foreign(stored: dict[str, Any]) -> None:
        _forge(stored, repo)  # matching stat keys: only `field` tells it from a good cache
        stored[field] = value

    _rewrite(_stored(cache_folder), foreign)
    assert report_of("requests", cwd=repo) == first
    assert json.loads(_stored(cache_folder).read_text(encoding="utf-8"))[field] != value


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"files": []}', "[" * 100_000])
def test_a_damaged_cache_is_a_miss(repo: Path, cache_folder: Path, damage: str) -> None:
    first = report_of("requests", cwd=repo)
    _stored(cache_folder).write_text(damage, encoding="utf-8")
    assert report_of("requests", cwd=repo) == first


@pytest.mark.parametrize(
    "damage", [{"@": "FileFacts", "unknown": 1}, {"@": "Path"}, [], "x", {"media": {}}]
)
def test_a_damaged_entry_is_a_miss(repo: Path, cache_folder: Path, damage: object) -> None:
    first = report_of("requests", cwd=repo)

    def damaged(stored: dict[str, Any]) -> None:
        for entry in stored["files"].values():
            entry["facts"] = damage

    _rewrite(_stored(cache_folder), damaged)
    assert report_of("requests", cwd=repo) == first


def test_a_repository_cannot_hand_preflight_facts_or_reports(
    repo: Path, cache_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A repository that commits a cache, in today's format or in the old one (facts, and kept
    reports believed when their input list was empty), or that links `.preflight_cache` to a
    folder outside it, changes no verdict, and preflight writes into neither."""
    report_of("requests", cwd=repo)  # a true cache, to forge from
    forged = json.loads(_stored(cache_folder).read_text(encoding="utf-8"))
    _forge(forged, repo)
    video = str((repo / FAILING_VIDEO).resolve())
    old_facts = {video: forged["files"][video]}  # its real stat key: the best forgery there is
    passing = {"version": "0.1.0", "requests": [], "files": [], "skipped": [], "base": ""}
    kept_run = json.dumps({"inputs": {}, "report": passing})
    committed = {
        _stored(cache_folder).name: json.dumps(forged),
        f"facts-{fingerprint()}.json": json.dumps(old_facts),
        **{f"runs-{fingerprint()}-{n:016x}.json": kept_run for n in range(3)},
    }
    outside = tmp_path_factory.mktemp("outside")
    for name, text in committed.items():
        (outside / name).write_text(text, encoding="utf-8")
    (repo / ".preflight_cache").symlink_to(outside, target_is_directory=True)
    shutil.copytree(outside, repo / "requests" / ".preflight_cache")
    for cwd in (repo, repo / "requests"):
        repo_before, outside_before = _tree(repo), _tree(outside)
        shutil.rmtree(cache_folder)
        first = report_of(".", cwd=cwd)  # the user cache made
        assert report_of(".", cwd=cwd) == first == report_of(".", "--no-cache", cwd=cwd)
        assert first[0] == 1 and "video.fps" in rules_of(first[1])
        assert _tree(repo) == repo_before and _tree(outside) == outside_before


def test_a_symlinked_cache_folder_or_file_is_neither_read_nor_written_through(
    repo: Path, cache_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first = report_of("requests", cwd=repo)
    forged = json.loads(_stored(cache_folder).read_text(encoding="utf-8"))
    _forge(forged, repo)
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    planted = elsewhere / _stored(cache_folder).name
    planted.write_text(json.dumps(forged), encoding="utf-8")
    before = _tree(elsewhere)
    # The cache file a symlink: not read; replaced by a file, its target untouched.
    _stored(cache_folder).unlink()
    (cache_folder / planted.name).symlink_to(planted)
    assert report_of("requests", cwd=repo) == first
    assert _tree(elsewhere) == before
    assert not (cache_folder / planted.name).is_symlink()
    # The cache folder a symlink: not read, nothing written through it.
    shutil.rmtree(cache_folder)
    cache_folder.symlink_to(elsewhere, target_is_directory=True)
    assert report_of("requests", cwd=repo) == first
    assert _tree(elsewhere) == before


def _document(shown: str) -> FileFacts:
    return FileFacts(shown, "file", 9, "pdf", "document", media=DocumentFacts("1.7", False))


def _probed(file: Path, shown: str) -> FileFacts:
    """The facts as the probe gives them: with the stat the file had while it was read."""
    return replace(_document(shown), read_as=stat_key(file.stat()))


def test_open_get_update_persist(tmp_path: Path, cache_folder: Path) -> None:
    """The interface the engine uses: a miss, then the facts probed, kept for the next run
    under whatever name it shows the file by; through a symlink, the same file."""
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.7\n")
    (tmp_path / "link.pdf").symlink_to(letter)
    facts = FactsCache.open(tmp_path)
    assert facts.get(letter, "letter.pdf") is None
    facts.update(letter, _probed(letter, "letter.pdf"))
    facts.persist()
    again = FactsCache.open(tmp_path)
    assert again.get(letter, "a/letter.pdf") == _document("a/letter.pdf")
    assert again.get(tmp_path / "link.pdf", "link.pdf") == _document("link.pdf")
    assert FactsCache.open(tmp_path / "other-project").get(letter, "letter.pdf") is None


def test_a_path_through_a_symlinked_folder_is_the_file_the_kernel_finds(
    tmp_path: Path, cache_folder: Path
) -> None:
    """`link/../letter.pdf` is the letter beside the link's target, not the one beside the
    link: a path is resolved as the kernel does, never collapsed by hand."""
    (tmp_path / "target" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "target" / "sub", target_is_directory=True)
    beside_target = tmp_path / "target" / "letter.pdf"
    beside_target.write_bytes(b"%PDF-1.7\n")
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4\n")
    facts = FactsCache.open(tmp_path)
    facts.update(beside_target, _probed(beside_target, "letter.pdf"))
    facts.persist()
    again = FactsCache.open(tmp_path)
    assert again.get(tmp_path / "link" / ".." / "letter.pdf", "x") == _document("x")
    assert again.get(tmp_path / "letter.pdf", "x") is None


def test_a_file_changed_while_it_was_probed_misses_next_time(
    tmp_path: Path, cache_folder: Path
) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.7\n")
    facts = FactsCache.open(tmp_path)
    assert facts.get(letter, "letter.pdf") is None  # the stat the facts will be stored under
    letter.write_bytes(b"%PDF-1.4\n")
    facts.update(letter, _probed(letter, "letter.pdf"))
    facts.persist()
    assert FactsCache.open(tmp_path).get(letter, "letter.pdf") is None


def test_persist_drops_entries_of_files_gone_and_keeps_the_newest_that_fit(
    tmp_path: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [tmp_path / f"{n}.pdf" for n in range(30)]
    for file in files:
        file.write_bytes(b"%PDF-1.7\n")
    facts = FactsCache.open(tmp_path)
    for file in files:
        facts.update(file, _probed(file, file.name))
    facts.persist()

    def older(stored: dict[str, Any]) -> None:
        for entry in stored["files"].values():
            entry["seen"] -= 100

    _rewrite(_stored(cache_folder), older)
    files[0].unlink()
    newer = FactsCache.open(tmp_path)
    newer.update(files[-1], _probed(files[-1], files[-1].name))
    newer.persist()
    stored = json.loads(_stored(cache_folder).read_text(encoding="utf-8"))["files"]
    assert sorted(stored) == sorted(str(f.resolve()) for f in files[1:])
    size = _stored(cache_folder).stat().st_size
    newest = FactsCache.open(tmp_path)
    newest.update(files[-1], _probed(files[-1], files[-1].name))
    monkeypatch.setattr(cache, "FILE_BYTES_MAX", size // 2)
    newest.persist()
    assert _stored(cache_folder).stat().st_size <= size // 2
    kept = FactsCache.open(tmp_path)
    assert kept.get(files[-1], "29.pdf") == _document("29.pdf")  # the most recently seen
    assert 1 < sum(kept.get(f, f.name) is not None for f in files) < len(files) - 1
