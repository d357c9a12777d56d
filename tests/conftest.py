"""Shared test set-up: tests make their media with tests/media.py, never mocks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "requests"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the fixture requests in a git work tree (the cache goes to its root)."""
    shutil.copytree(FIXTURES, tmp_path / "requests")
    (tmp_path / ".git").mkdir()
    return tmp_path
