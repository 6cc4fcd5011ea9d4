"""workflows/area.py: the area of each feature, planar areas, refusals, the written table."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from shapely import box

from gaoxin.errors import InputError
from gaoxin.workflows.area import (
    feature_areas,
    planar_area,
    require_geometry,
    run_area,
    write_area_table,
)

X0, Y0 = 500_000.0, 3_400_000.0  # on the central meridian of EPSG:4544


def parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"pid": ["P1", "P2"]}, crs=4544, geometry=[
        box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 300, Y0 + 100)])


def test_feature_areas_keyed_by_field_or_index() -> None:
    by_pid = feature_areas(parcels(), by="pid")
    assert list(by_pid.columns) == ["pid", "area_m2", "area_ha", "area_mu"]
    assert by_pid["area_mu"].round(3).tolist() == [15.0, 30.0]
    by_index = feature_areas(parcels().set_index(gpd.pd.Index([7, 9])), planar=True)
    assert list(by_index.columns)[:2] == ["index", "planar_area_m2"]
    assert by_index["index"].tolist() == [7, 9]
    assert by_index["planar_area_m2"].tolist() == pytest.approx([10_000.0, 20_000.0])


def test_planar_area_of_a_lon_lat_layer_is_taken_in_its_own_zone() -> None:
    # About 1 km² at 102.2°E lies in the 3° zone of 102°E (EPSG:4543), not in EPSG:4544
    # (105°E), where 2.8° off the meridian the plane inflates areas by about 0.2 %.
    lon_lat = gpd.GeoDataFrame(geometry=[box(102.2, 30.0, 102.21, 30.01)], crs=4490)
    own_zone = planar_area(lon_lat).iloc[0]
    assert own_zone == pytest.approx(lon_lat.to_crs(4543).area.iloc[0], rel=1e-7)
    assert lon_lat.to_crs(4544).area.iloc[0] / own_zone - 1 > 1e-3
    square = gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=4544)
    assert planar_area(square).iloc[0] == pytest.approx(1e6, rel=1e-12)  # projected: as is


def test_run_area_repairs_and_refuses(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    gpd.GeoDataFrame({"pid": ["ok", "bow"]}, crs=4544,
                     geometry=[box(X0, Y0, X0 + 100, Y0 + 100), bow_tie]).to_file(path)
    run = run_area(path, by="pid")
    assert run.key == "pid" and run.table["pid"].tolist() == ["ok", "bow"]
    assert run.table["area_m2"].iloc[1] == pytest.approx(5_000.0, rel=1e-6)  # two triangles
    assert any("made 1 invalid" in n for n in run.notes) and "4544" in run.source_crs
    with pytest.raises(InputError, match="field 'parcel' not found; fields: pid"):
        run_area(path, by="parcel")


def test_require_geometry_says_what_was_dropped() -> None:
    empty = parcels().iloc[:0]
    with pytest.raises(InputError) as info:
        require_geometry(empty, Path("x.gpkg"), ["dropped 2 empty"])
    assert str(info.value) == ("x.gpkg: no feature has a usable geometry (dropped 2 empty). "
                               "Fix: check the layer's geometries in a GIS")
    require_geometry(parcels(), Path("x.gpkg"), [])  # features left: nothing to say


def test_written_tables_have_chinese_headers(tmp_path: Path) -> None:
    table = feature_areas(parcels(), by="pid", planar=True)
    csv = write_area_table(table, tmp_path / "a.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "pid,高斯平面面积(m²),面积(m²),面积(公顷),面积(亩)"
    sheet = openpyxl.load_workbook(write_area_table(table, tmp_path / "a.xlsx"))["面积"]
    assert [c.value for c in sheet[1]][-1] == "面积(亩)" and sheet["A3"].value == "P2"
