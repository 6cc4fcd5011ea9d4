"""Shared test helpers: the real-data folder beside the repository."""

from __future__ import annotations

import contextlib
import io
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
    """Run ``gaoxin demo``; what it printed is kept beside the output as terminal.txt."""
    from gaoxin.cli import main

    out = tmp_path_factory.mktemp(f"demo-{lang}") / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(["demo", "--out", str(out), "--lang", lang])
    (out.parent / "terminal.txt").write_text(printed.getvalue(), encoding="utf-8")
    assert code == 0, printed.getvalue()
    return out


@pytest.fixture(scope="session")
def demo_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gaoxin demo`` in Chinese, written once per test session (read only: do not modify)."""
    return _demo(tmp_path_factory, "zh")


@pytest.fixture(scope="session")
def demo_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gaoxin demo`` in English, written once per test session (read only)."""
    return _demo(tmp_path_factory, "en")
