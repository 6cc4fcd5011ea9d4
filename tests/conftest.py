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


def _demo(tmp_path_factory: pytest.TempPathFactory, lang: str) -> Path:
    from gaoxin.cli import main

    out = tmp_path_factory.mktemp(f"demo-{lang}") / "out"
    assert main(["demo", "--out", str(out), "--lang", lang]) == 0
    return out


@pytest.fixture(scope="session")
def demo_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gaoxin demo`` in Chinese, written once per test session (read only: do not modify)."""
    return _demo(tmp_path_factory, "zh")


@pytest.fixture(scope="session")
def demo_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gaoxin demo`` in English, written once per test session (read only)."""
    return _demo(tmp_path_factory, "en")
