"""workflows/intensity.py: the intensity and low-efficiency commands end to end."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from tests.helpers import shared_sample


def test_intensity_and_low_efficiency_commands(tmp_path: Path,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    from gaoxin.cli import main

    ws = shared_sample(tmp_path_factory)
    out = tmp_path / "int"
    assert main(["intensity", "-w", str(ws), "--out", str(out), "--lang", "en"]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {"G510001", "S510101", "S510102"} <= set(s["zones"])
    assert all(0 <= z["score"] <= 100 for z in s["zones"].values())
    assert s["low_efficiency"]["parcels"] > 0
    for name in ("results.gpkg", "intensity.xlsx", "map.html",
                 "low_efficiency/low_efficiency.xlsx", "low_efficiency/map.html"):
        assert (out / name).exists(), name
    bench = pd.read_excel(out / "intensity.xlsx", sheet_name="National benchmarks")
    assert "National value 2020" in bench.columns  # headed in the report language
    low = gpd.read_file(out / "low_efficiency" / "results.gpkg")
    assert low.freed_mu.is_monotonic_decreasing
    assert main(["low-efficiency", "-w", str(ws), "--out", str(tmp_path / "low")]) == 0
