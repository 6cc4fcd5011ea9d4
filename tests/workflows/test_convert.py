"""workflows/convert.py: reprojection to true CRSs and to web-map offsets, never over the input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely import Point, box

from gaoxin.errors import InputError
from gaoxin.geo.offsets import wgs84_to_gcj02
from gaoxin.workflows.convert import run_convert, to_output_crs

TIANFU = (104.066, 30.657)


def test_a_true_crs_is_a_plain_reprojection() -> None:
    g = gpd.GeoDataFrame(geometry=[Point(*TIANFU)], crs=4490)
    moved, note = to_output_crs(g, "EPSG:4544")
    assert note is None and moved.crs.to_epsg() == 4544
    assert moved.geometry.iloc[0].equals(g.to_crs(4544).geometry.iloc[0])


def test_gcj02_output_is_shifted_and_tagged_as_web_maps_do() -> None:
    g = gpd.GeoDataFrame({"name": ["天府广场"]}, geometry=[Point(*TIANFU)], crs=4490)
    moved, note = to_output_crs(g, "gcj02", "en")
    lon, lat = wgs84_to_gcj02(np.array([TIANFU[0]]), np.array([TIANFU[1]]))
    assert (moved.geometry.x.iloc[0], moved.geometry.y.iloc[0]) == pytest.approx(
        (lon[0], lat[0]), abs=1e-9)
    assert moved.crs.to_epsg() == 4326 and moved["name"].tolist() == ["天府广场"]
    assert note is not None and note.startswith("coordinates are GCJ02 (tagged EPSG:4326")
    assert g.geometry.x.iloc[0] == TIANFU[0]  # the input frame is untouched


def test_run_convert_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    src = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"pid": ["P1"]}, geometry=[box(500_000, 3_400_000, 500_100, 3_400_100)],
                     crs=4544).to_file(src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    run = run_convert(src, tmp_path / "q.gpkg", to_crs="EPSG:4490")
    back = gpd.read_file(run.target)
    assert back.crs.to_epsg() == 4490 and back["pid"].tolist() == ["P1"]
    assert back.to_crs(4544).area.iloc[0] == pytest.approx(10_000.0, rel=1e-6)
    with pytest.raises(InputError, match="would overwrite the input"):
        run_convert(src, tmp_path / "." / "p.gpkg")
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest
