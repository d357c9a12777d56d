"""Shared test set-up: tests make real media with tests/helpers/, never mocks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight import i18n
from preflight.probe.pool import START_METHOD

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"


@pytest.fixture(autouse=True, scope="session")
def user_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The suite's runs, in this process or in children (which inherit os.environ), keep their
    facts cache here: never in the real user cache folder."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFLIGHT_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(autouse=True, scope="session")
def english_locale() -> Iterator[None]:
    """Child processes speak English, as the golden files do, on a Chinese-locale machine too
    (tests/test_i18n.py sets the locale it tests)."""
    with pytest.MonkeyPatch.context() as patch:
        if i18n.from_locale() != "en":
            patch.setenv("LC_ALL", "C.UTF-8")
        yield


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English, whatever language a test before it chose in-process."""
    yield
    i18n.set_language("en")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the fixture requests in a git work tree (one facts cache per work tree)."""
    shutil.copytree(FIXTURES, tmp_path / "requests")
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest.fixture(params=["fork", "spawn"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Workers forked (Linux's way) and spawned (macOS's and Windows'), in turn; child
    processes inherit the choice."""
    monkeypatch.setenv(START_METHOD, request.param)
    return str(request.param)
