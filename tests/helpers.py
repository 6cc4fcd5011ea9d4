"""Helpers shared by test packages: the sample workspace, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest


def shared_sample(factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, written once per session and shared by the test modules."""
    from gaoxin.sample import write_sample_workspace

    root = factory.getbasetemp() / "shared_sample_ws"
    toml = root / "gaoxin.toml"
    if not toml.exists():
        write_sample_workspace(root)
    return toml
