"""Shared test helpers: the real-data folder beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

# /work/shared/data/real when the repository is /work/main.
REAL = Path(__file__).resolve().parents[2] / "shared/data/real"


@pytest.fixture
def real_data() -> Path:
    """The real-data folder; skips the test when it is absent."""
    if not REAL.is_dir():
        pytest.skip("real data folder ../shared/data/real not present")
    return REAL
