"""layers/load.py: loading layers into one working CRS, areas kept, inputs untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import CRS
from shapely import box

from gaoxin.geo.area import ellipsoidal_area
from gaoxin.layers.load import load_layers, load_vector_layer
from gaoxin.layers.workspace import LayerSource, load_workspace
from tests.geo.helpers import file_area

X0, Y0 = 400000.0, 3390000.0


def test_a_lon_lat_zone_loaded_into_gauss_kruger_keeps_its_area(tmp_path):
    # The workspace loader reprojects every layer to the working CRS before any area is taken.
    zone = box(104.0, 30.0, 105.0, 31.0)
    path = tmp_path / "zones.gpkg"
    zones = gpd.GeoDataFrame({"zone_id": ["z1"], "name": ["示例区"]}, geometry=[zone], crs=4490)
    zones.to_file(path)
    loaded = load_vector_layer(LayerSource("zones", path), "zones", to_crs=CRS.from_epsg(4544))
    area = ellipsoidal_area(loaded.frame.geometry).iloc[0]
    assert area == pytest.approx(file_area(zone, 4490), rel=1e-6)  # before: 2.8e-5 off


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


def test_released_geometries_leave_the_fields_and_the_other_layers() -> None:
    from gaoxin.layers.load import Loaded

    buildings = gpd.GeoDataFrame({"building_id": ["B1", "B2"], "floors": [2.0, None]},
                                 geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)], crs=4544)
    parcels = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[box(0, 0, 5, 5)], crs=4544)
    data = Loaded(CRS.from_epsg(4544), {"buildings": buildings, "parcels": parcels}, [], [])
    data.release_geometries("buildings")
    data.release_geometries("no such layer")
    kept = data.frames["buildings"]
    assert not isinstance(kept, gpd.GeoDataFrame)
    pd.testing.assert_frame_equal(kept, pd.DataFrame(buildings.drop(columns="geometry")))
    assert data.vector("parcels") is parcels
    assert isinstance(buildings, gpd.GeoDataFrame) and len(buildings.geometry) == 2  # untouched


def test_a_named_working_crs_spares_the_layers_extents(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The extents choose a working CRS; with one named in the workspace they are not
    taken (a pass over every geometry: 0.5 s for 1M parcels and 3M buildings)."""
    gpd.GeoDataFrame({"园区代码": ["Z1"], "名称": ["甲高新区"]},
                     geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                     crs=4544).to_file(tmp_path / "zones.gpkg")
    gpd.GeoDataFrame({"宗地号": ["P1", "P2"]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                                       box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
                     crs=4544).to_file(tmp_path / "parcels.gpkg")
    layers = ('[layers.zones]\npath = "zones.gpkg"\n'
              '[layers.parcels]\npath = "parcels.gpkg"\n')
    (tmp_path / "named.toml").write_text('[workspace]\nname = "测试"\ncrs = "EPSG:4544"\n'
                                         + layers, encoding="utf-8")
    (tmp_path / "chosen.toml").write_text('[workspace]\nname = "测试"\n' + layers,
                                          encoding="utf-8")
    extents: list[object] = []
    real = gpd.GeoDataFrame.total_bounds
    monkeypatch.setattr(gpd.GeoDataFrame, "total_bounds",
                        property(lambda frame: extents.append(frame) or real.fget(frame)))
    loaded = load_layers(load_workspace(tmp_path / "named.toml"))
    assert loaded.crs.to_epsg() == 4544 and not extents
    assert loaded.frame("parcels").area.sum() == pytest.approx(20000, rel=1e-6)
    assert load_layers(load_workspace(tmp_path / "chosen.toml")).crs.to_epsg() == 4544
    assert extents   # the layers' extents chose it
