"""workflows/per_mu.py: the per-mu command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import shared_sample


def test_per_mu_command(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from gaoxin.cli import main

    ws = shared_sample(tmp_path_factory)
    out = tmp_path / "mu"
    assert main(["per-mu", "-w", str(ws), "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["rule_set"]["scheme"] == "sichuan" and s["rule_set"]["year"] == 2022
    assert s["class_shares_pct"]["A"] <= 30 and s["class_shares_pct"]["C"] >= 10
    for name in ("results.gpkg", "per_mu.xlsx", "map.html"):
        assert (out / name).exists()
    assert main(["per-mu", "-w", str(ws), "--out", str(out), "--scheme", "x"]) == 2
