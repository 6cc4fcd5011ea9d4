"""workflows/_common.py: map subsets, rule sets from the workspace, provenance, the writer."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS
from shapely import Point

from gaoxin._version import __version__
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.layers.workspace import load_workspace
from gaoxin.workflows._common import map_subset, provenance, workspace_rules


def points(**cols: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(cols.values())))
    return gpd.GeoDataFrame(cols, geometry=[Point(i, 0) for i in range(n)], crs=4544)


def test_map_subset_takes_the_first_rows_by_order_nan_last() -> None:
    frame = points(far=[0.9, np.nan, 0.2, 1.5, 0.5], id=["a", "b", "c", "d", "e"])
    assert map_subset(frame, 5, "far") is frame  # small enough: the frame itself
    assert map_subset(frame, 3, "far")["id"].tolist() == ["c", "e", "a"]
    assert map_subset(frame, 4, "id")["id"].tolist() == ["a", "b", "c", "d"]  # text order
    assert map_subset(frame, 2, "missing")["id"].tolist() == ["a", "b"]
    assert map_subset(frame, 5, None)["id"].tolist() == list("abcde")


def test_workspace_rules_take_workspace_overrides_then_extra(tmp_path: Path) -> None:
    toml = tmp_path / "gaoxin.toml"
    toml.write_text('[rules.expansion]\n"contiguity.max_blocks" = 3\n', encoding="utf-8")
    ws = load_workspace(toml)
    rules = workspace_rules(ws, "expansion")
    assert rules.number("contiguity.max_blocks") == 3
    assert rules.rules["contiguity.max_blocks"].overridden
    again = workspace_rules(ws, "expansion", {"contiguity.max_blocks": 5})
    assert again.number("contiguity.max_blocks") == 5
    assert not any(r.overridden for r in workspace_rules(ws, "per_mu").rules.values())


def test_provenance_records_inputs_rules_and_versions(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAOXIN_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "zones.gpkg"
    data.write_bytes(b"zones")
    rules = load_ruleset("expansion", {"contiguity.max_blocks": 4})
    record = provenance([rules], CRS.from_epsg(4544), [data, tmp_path / "missing.gpkg"])
    assert record["tool"] == "gaoxin" and record["version"] == __version__
    assert record["rule_sets"] == [{"name": "expansion", "title": rules.title,
                                    "version": rules.version,
                                    "overridden": ["contiguity.max_blocks"]}]
    assert record["inputs"] == [
        {"path": str(data), "sha256": hashlib.sha256(b"zones").hexdigest()},
        {"path": str(tmp_path / "missing.gpkg"), "sha256": None}]
    assert "4544" in str(record["working_crs"])
    assert record["area_method"] == "ellipsoidal (CGCS2000/GRS80)"
