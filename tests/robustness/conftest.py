"""The robustness suite runs with forked and with spawned workers."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _both_start_methods(start_method: str) -> None:
    """See tests/conftest.py."""
