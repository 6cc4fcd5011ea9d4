"""The plot-ratio map shows every parcel (issue 14); the layers that draw parcels again
(a check's classes, the parcels to review) keep a cap and say so in the legend."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gaoxin.layers.workspace import load_workspace
from gaoxin.workflows.plot_ratio import run_plot_ratio
from tests.maps.helpers import small_sample


def test_every_parcel_is_on_the_map_and_a_cap_is_stated(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = load_workspace(small_sample(tmp_path_factory))
    run = run_plot_ratio(ws, tmp_path / "pr", max_map_features=5)
    html = run.files["map"].read_text(encoding="utf-8")
    layers = {p["name"]: p for p in map(json.loads, re.findall(
        r"gaoxin\.fastLayer\((\{.*?\}), \{\}\);", html))}
    drawn = layers["已建成地块容积率"]["n"] + layers.get("未建/不适用地块", {"n": 0})["n"]
    assert drawn == run.summary["parcels"] > 5
    assert "图上只画容积率最低" not in html
    found = re.search(r"gaoxin\.ui\([^,]+, (\{.*\})\);", html)
    assert found
    ui = json.loads(found.group(1))
    capped = [item for item in ui["legend"] if item["note"] and "图上只画前 5 宗" in item["note"]]
    assert capped and all(layers[item["name"]]["n"] == 5 for item in capped)
