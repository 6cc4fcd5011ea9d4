"""Workspace TOML, canonical schemas and loading into one working CRS."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from gaoxin.errors import InputError
from gaoxin.layers.load import load_layers
from gaoxin.layers.schema import normalise_fields
from gaoxin.layers.workspace import load_workspace

X0, Y0 = 400000.0, 3390000.0


def test_aliases_map_chinese_and_pinyin_names():
    df = pd.DataFrame({"DKBH": ["1", "2"], "用地性质": ["M1", "R2"], "容积率下限": ["1.0", ""]})
    out = normalise_fields(df, "parcels")
    assert out["parcel_id"].tolist() == ["1", "2"]
    assert out["land_use"].tolist() == ["M1", "R2"]
    assert out["planned_far_min"].iloc[0] == 1.0 and pd.isna(out["planned_far_min"].iloc[1])


def test_workspace_mapping_wins_and_bad_mapping_is_named():
    df = pd.DataFrame({"编号": ["a"], "id": ["x"]})
    assert normalise_fields(df, "parcels", {"parcel_id": "编号"})["parcel_id"].tolist() == ["a"]
    with pytest.raises(InputError, match="maps field 'parcel_id' to column 'ZDH'"):
        normalise_fields(df, "parcels", {"parcel_id": "ZDH"}, source="p.gpkg")


def test_float_ids_from_excel_become_text():
    df = pd.DataFrame({"enterprise_id": ["91510100X"], "parcel_id": [12.0]})
    assert normalise_fields(df, "enterprises")["parcel_id"].tolist() == ["12"]


def test_numbers_with_thousands_separators():
    df = pd.DataFrame({"统一社会信用代码": ["a"], "地块编号": ["p"], "营业收入": ["1,234.5"]})
    assert normalise_fields(df, "enterprises")["revenue"].iloc[0] == 1234.5


def _write_workspace(root: Path) -> Path:
    zones = gpd.GeoDataFrame({"园区代码": ["Z1"], "名称": ["甲高新区"]},
                             geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=4544)
    zones.to_file(root / "zones.gpkg", layer="zones")
    parcels = gpd.GeoDataFrame({"宗地号": ["P1", "P2"]},
                               geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                         box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=4544)
    parcels.to_crs(4326).to_file(root / "parcels.geojson")
    pd.DataFrame({"统一社会信用代码": ["E1"], "地块编号": ["P1"], "税收": [12.5]}).to_excel(
        root / "firms.xlsx", index=False)
    toml = root / "gaoxin.toml"
    toml.write_text(
        '[workspace]\nname = "测试"\n'
        '[layers.zones]\npath = "zones.gpkg"\nlayer = "zones"\n'
        '[layers.parcels]\npath = "parcels.geojson"\n'
        '[layers.enterprises]\npath = "firms.xlsx"\n'
        '[requests.r1]\npath = "parcels.geojson"\nzone = "Z1"\n', encoding="utf-8")
    return toml


def test_load_layers_into_one_gk_crs_without_touching_inputs(tmp_path):
    toml = _write_workspace(tmp_path)
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    loaded = load_layers(load_workspace(toml))
    assert loaded.crs.to_epsg() == 4544
    parcels = loaded.frame("parcels")
    assert parcels.crs.to_epsg() == 4544 and parcels["parcel_id"].tolist() == ["P1", "P2"]
    assert parcels.area.sum() == pytest.approx(20000, rel=1e-6)
    assert loaded.frame("zones")["zone_id"].tolist() == ["Z1"]
    assert loaded.frame("enterprises")["tax"].tolist() == [12.5]
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert after == digests


@pytest.mark.parametrize(("text", "message"), [
    ('[layers.plots]\npath = "a.gpkg"\n', "unknown layer kind 'plots'"),
    ('[layers.zones]\nlayer = "a"\n', "has no path"),
    ('[layers.zones]\npath = "a.gpkg"\nsrid = 4544\n', "unknown key(s) srid"),
    ('[layers.zones]\npath = "a.gpkg"\n[layers.zones.fields]\nzone = "x"\n',
     "unknown field 'zone'"),
    ('[workspace]\ncrs = "EPSG:123456789"\n', "unknown CRS"),
    ('[layer.zones]\npath = "a"\n', "unknown section"),
])
def test_bad_workspace_files(tmp_path, text, message):
    toml = tmp_path / "gaoxin.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_workspace(toml)
    assert message in str(info.value) and "Fix:" in str(info.value)
