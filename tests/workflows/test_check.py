"""workflows/check.py: one row per source, refusals that block, requests for unknown zones."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely import box

from gaoxin.layers.workspace import load_workspace
from gaoxin.workflows.check import check_rows

X0, Y0 = 500_000.0, 3_400_000.0


def workspace(root: Path, extra: str = "") -> Path:
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲区"]},
                     geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=4544).to_file(
        root / "zones.gpkg")
    gpd.GeoDataFrame({"DKBH": ["P1"]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)],
                     crs=4544).to_file(root / "req.geojson")
    with rasterio.open(root / "dem.tif", "w", driver="GTiff", width=4, height=3, count=1,
                       dtype="float32", crs="EPSG:4544",
                       transform=from_origin(X0, Y0 + 90, 30, 30)) as dst:
        dst.write(np.zeros((3, 4), dtype="float32"), 1)
    toml = root / "gaoxin.toml"
    toml.write_text('[layers.zones]\npath = "zones.gpkg"\n[layers.dem]\npath = "dem.tif"\n'
                    '[requests.east]\npath = "req.geojson"\nzone = "Z1"\n' + extra,
                    encoding="utf-8")
    return toml


def test_a_sound_workspace_is_ok_and_not_blocking(tmp_path: Path) -> None:
    rows, blocking = check_rows(load_workspace(workspace(tmp_path)))
    assert not blocking
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("zones", "ok"), ("dem", "ok"), ("request east", "ok")]
    zones, dem = rows[0], rows[1]
    assert zones["features"] == 1 and zones["label_zh"] == "高新区"
    assert dem["features"] == "4×3 px, 30 × 30" and "4544" in str(dem["crs"])


def test_refusals_and_unknown_zones_block(tmp_path: Path) -> None:
    toml = workspace(tmp_path, '[layers.parcels]\npath = "missing.gpkg"\n'
                               '[requests.west]\npath = "req.geojson"\nzone = "Z9"\n')
    rows, blocking = check_rows(load_workspace(toml))
    assert blocking
    refused = {r["kind"]: r["notes"] for r in rows if r["status"] == "refused"}
    assert set(refused) == {"parcels", "request west"}
    assert "file not found" in str(refused["parcels"])
    assert refused["request west"] == "zone 'Z9' is not in the zones layer"


def test_a_raster_without_crs_is_refused(tmp_path: Path) -> None:
    toml = workspace(tmp_path)
    with rasterio.open(tmp_path / "dem.tif", "w", driver="GTiff", width=2, height=2, count=1,
                       dtype="float32", transform=from_origin(X0, Y0, 30, 30)) as dst:
        dst.write(np.zeros((2, 2), dtype="float32"), 1)
    rows, blocking = check_rows(load_workspace(toml))
    dem = next(r for r in rows if r["kind"] == "dem")
    assert blocking and dem["status"] == "refused" and "the raster has no CRS" in str(
        dem["notes"])


def test_check_lists_fields_conversions_and_declared_area(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: per layer, each canonical field, its column and the conversion; a parcel
    whose 宗地面积 is 10 % off its drawn area is listed."""
    import json

    import geopandas as gpd
    from shapely import box

    from gaoxin.cli import main

    x0, y0 = 500_000.0, 3_400_000.0
    gpd.GeoDataFrame({"宗地编号": ["P1", "P2"], "宗地面积（平方米）": [10_000.0, 11_000.0]},
                     crs=4544, geometry=[box(x0, y0, x0 + 100, y0 + 100),
                                         box(x0 + 100, y0, x0 + 200, y0 + 100)]).to_file(
        tmp_path / "parcels.gpkg")
    ws = tmp_path / "gaoxin.toml"
    ws.write_text('[workspace]\nname = "t"\n[layers.parcels]\npath = "parcels.gpkg"\n',
                  encoding="utf-8")
    assert main(["check", "-w", str(ws)]) == 0
    printed = capsys.readouterr().out.replace("\n", "")
    assert "宗地面积 ← 宗地面积（平方米）(平方米 → 亩,×0.0015)" in printed
    assert main(["check", "-w", str(ws), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["layers"][0]
    assert row["status"] == "warning" and "P2 (declared 16.50 mu" in row["notes"]
    assert [p["parcel_id"] for p in row["declared_area"]["parcels"]] == ["P2"]
    area = next(f for f in row["fields"] if f["field"] == "declared_area_mu")
    assert area["column"] == "宗地面积（平方米）" and area["factor"] == pytest.approx(0.0015)
