"""api.py and gaoxin/__init__.py: the Python API, names loaded on first use."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely import box

import gaoxin
from gaoxin import api
from gaoxin.errors import InputError

X0, Y0 = 500_000.0, 3_400_000.0


def test_package_names_are_the_apis() -> None:
    for name in gaoxin.__all__:
        if name != "__version__":
            assert getattr(gaoxin, name) is getattr(api, name), name
    with pytest.raises(AttributeError, match="module 'gaoxin' has no attribute 'nothing'"):
        gaoxin.nothing  # noqa: B018


def test_read_layer_raw_or_as_a_kind(tmp_path: Path) -> None:
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    path = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"地块编号": ["P1", "P2"]}, crs=4544,
                     geometry=[box(X0, Y0, X0 + 100, Y0 + 100), bow_tie]).to_file(path)
    raw = api.read_layer(path)
    assert "地块编号" in raw.columns and raw.is_valid.all()
    parcels = api.read_layer(path, "parcels")
    assert parcels["parcel_id"].tolist() == ["P1", "P2"]
    for not_a_map_layer in ("enterprises", "dem", "nonsense"):
        with pytest.raises(InputError, match="is not a kind of map layer"):
            api.read_layer(path, not_a_map_layer)


def test_area_table_and_rules_given_as_a_mapping() -> None:
    g = gpd.GeoDataFrame({"pid": ["a"]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=4544)
    assert api.area_table(g, "pid")["area_mu"].round(6).tolist() == [15.0]
    rules = api._rules("expansion", {"contiguity.max_blocks": 2})
    assert rules.number("contiguity.max_blocks") == 2
    assert api._rules("expansion", rules) is rules
    with pytest.raises(InputError, match="rules="):
        api._rules("expansion", {"no.such.rule": 1})
