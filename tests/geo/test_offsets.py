"""GCJ-02 / BD-09: magnitudes, exact inverses and the real Amap-derived boundaries."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from gaoxin.geo.offsets import (
    bd09_to_wgs84,
    convert_geometries,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
GEOD = Geod(ellps="WGS84")


def _metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def test_gcj02_offset_in_chengdu_is_a_few_hundred_metres():
    lon, lat = np.array([104.066]), np.array([30.657])
    glon, glat = wgs84_to_gcj02(lon, lat)
    d = _metres(lon, lat, glon, glat)[0]
    assert 250 < d < 600  # data README: about 360 m in Chengdu


def test_outside_china_unchanged():
    lon, lat = np.array([-0.1276]), np.array([51.5072])
    assert wgs84_to_gcj02(lon, lat)[0][0] == -0.1276


def test_inverses_below_half_a_metre_on_a_grid():
    lon, lat = np.meshgrid(np.linspace(97.4, 108.5, 40), np.linspace(26.1, 34.3, 40))
    lon, lat = lon.ravel(), lat.ravel()
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.001
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.001


@pytest.mark.realdata
def test_real_gcj02_counties_convert_onto_the_wgs84_files():
    """The data README's *_wgs84 files were made from the *_gcj02 ones (residual < 1 m)."""
    if not REAL.is_dir():
        pytest.skip("real data folder ../shared/data/real not present")
    gcj = gpd.read_file(REAL / "sichuan_county_basin_gcj02.gpkg", layer="county").head(20)
    wgs = gpd.read_file(REAL / "sichuan_county_basin_wgs84.gpkg", layer="county").head(20)
    ours = convert_geometries(np.asarray(gcj.geometry.values), "gcj02", "wgs84")
    a = shapely.get_coordinates(ours)
    b = shapely.get_coordinates(np.asarray(wgs.geometry.values))
    assert a.shape == b.shape
    assert _metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1]).max() < 1.0
    shift = _metres(*shapely.get_coordinates(np.asarray(gcj.geometry.values)).T, a[:, 0], a[:, 1])
    assert np.median(shift) > 200  # the files really differ by the offset


# --- GCJ-02 / BD-09 inverses, moved from the read tests --------------------------------

china_lon = st.floats(min_value=73.5, max_value=135.0)
china_lat = st.floats(min_value=18.0, max_value=53.5)


@settings(max_examples=300, deadline=None)
@given(lon=china_lon, lat=china_lat)
def test_gcj02_round_trip_within_a_millimetre(lon: float, lat: float) -> None:
    g_lon, g_lat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert _metres(float(w_lon[0]), float(w_lat[0]), lon, lat) < 1e-3  # limit: 0.5 m


@settings(max_examples=300, deadline=None)
@given(lon=china_lon, lat=china_lat)
def test_bd09_round_trip_within_a_millimetre(lon: float, lat: float) -> None:
    b_lon, b_lat = wgs84_to_bd09(np.array([lon]), np.array([lat]))
    w_lon, w_lat = bd09_to_wgs84(b_lon, b_lat)
    assert _metres(float(w_lon[0]), float(w_lat[0]), lon, lat) < 1e-3  # limit: 0.5 m
