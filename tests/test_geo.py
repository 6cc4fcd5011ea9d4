"""geo/: CRS codes, offsets, ellipsoidal areas (hand-computed and on real Sichuan boundaries)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer
from shapely import Polygon, box

from gaoxin.geo.area import area_table, ellipsoidal_area
from gaoxin.geo.crs import (
    gk3_crs,
    gk3_zone,
    gk_zone_of_crs,
    guess_crs_from_coords,
    parse_crs,
    working_crs,
)
from gaoxin.geo.errors import InputError
from gaoxin.geo.hygiene import repair_geometries
from gaoxin.geo.units import M2_PER_MU, m2_to_mu

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
GEOD = Geod(ellps="GRS80")


# ---------------------------------------------------------------- CRS


@pytest.mark.parametrize(
    ("zone", "prefixed", "datum", "epsg"),
    [(33, True, "cgcs2000", 4521), (34, True, "cgcs2000", 4522), (35, True, "cgcs2000", 4523),
     (36, True, "cgcs2000", 4524), (33, False, "cgcs2000", 4542), (35, False, "cgcs2000", 4544),
     (36, False, "cgcs2000", 4545), (32, True, "xian80", 2356), (32, False, "xian80", 2377),
     (32, True, "beijing54", 2408), (32, False, "beijing54", 2429)],
)
def test_gk3_codes_match_domain_table(zone, prefixed, datum, epsg):
    crs = gk3_crs(zone, prefixed=prefixed, datum=datum)
    assert crs.to_epsg() == epsg
    assert gk_zone_of_crs(crs) == (3, zone, prefixed)


def test_tianfu_square_projects_as_domain_md_says():
    # domain.md §7.2: 天府广场 (104.066E, 30.657N) → EPSG:4523 Y = 35 410 479.42, X = 3 393 319.18
    t = Transformer.from_crs(4490, 4523, always_xy=True)
    y, x = t.transform(104.066, 30.657)
    assert (round(y, 2), round(x, 2)) == (35410479.42, 3393319.18)
    assert gk3_zone(104.066) == 35


def test_guess_names_prefixed_and_plain_gk():
    g = guess_crs_from_coords(np.array([35410479.0, 35411000.0]), np.array([3393319.0, 3394000]))
    assert g.kind == "gk-prefixed" and g.crs.to_epsg() == 4523
    g = guess_crs_from_coords(np.array([410479.0]), np.array([3393319.0]))
    assert g.kind == "gk-plain" and "4544" in g.note
    assert guess_crs_from_coords(np.array([-0.12]), np.array([51.5])).kind == "unknown"


@pytest.mark.parametrize(("spec", "epsg", "offset"), [
    ("EPSG:4544", 4544, None), ("4544", 4544, None), ("cgcs2000", 4490, None),
    ("gk35p", 4523, None), ("GCJ-02", 4490, "gcj02"), ("bd09", 4490, "bd09"),
])
def test_parse_crs(spec, epsg, offset):
    crs, off = parse_crs(spec)
    assert crs.to_epsg() == epsg and off == offset


def test_parse_crs_refuses_nonsense():
    with pytest.raises(InputError, match="unknown CRS"):
        parse_crs("EPSG:99999999")


def test_working_crs_one_zone_or_equal_area():
    assert working_crs(103.8, 30.3, 104.4, 30.8).to_epsg() == 4544
    multi = working_crs(97.3, 26.0, 108.6, 34.3)
    assert multi.to_epsg() is None and "Albers" in multi.coordinate_operation.method_name


# ---------------------------------------------------------------- areas


def test_100m_square_is_exactly_15_mu_planar():
    s = gpd.GeoSeries([box(500000, 3400000, 500100, 3400100)], crs=4544)
    t = area_table(s, "planar")
    assert t.loc[0, "area_m2"] == pytest.approx(10000.0, abs=1e-9)
    assert t.loc[0, "area_mu"] == pytest.approx(15.0, abs=1e-12)
    assert t.loc[0, "area_ha"] == pytest.approx(1.0, abs=1e-12)
    assert m2_to_mu(M2_PER_MU) == pytest.approx(1.0)


def test_ellipsoidal_area_of_square_on_central_meridian():
    # On the CM the GK scale factor is 1, so the ellipsoidal area is the planar one to ~1e-7.
    s = gpd.GeoSeries([box(499950, 3400000, 500050, 3400100)], crs=4544)
    assert ellipsoidal_area(s).iloc[0] == pytest.approx(10000.0, rel=1e-6)
    assert ellipsoidal_area(s, "geodesic").iloc[0] == pytest.approx(10000.0, rel=1e-6)


def test_zone_edge_planar_drift_is_why_we_report_ellipsoidal():
    # 1.5° from the CM, GK planar area is inflated by ~ (1 + y²/2R²)² ≈ 1 + 5e-4 (design note).
    lon, lat = 106.45, 30.5
    t = Transformer.from_crs(4490, 4544, always_xy=True)
    x, y = t.transform(lon, lat)
    s = gpd.GeoSeries([box(x, y, x + 200, y + 200)], crs=4544)
    planar = ellipsoidal_area(s, "planar").iloc[0]
    ell = ellipsoidal_area(s).iloc[0]
    assert 3e-4 < planar / ell - 1 < 7e-4
    assert ell == pytest.approx(ellipsoidal_area(s, "geodesic").iloc[0], rel=1e-6)


def test_holes_subtract_in_every_method():
    outer = [(104.0, 30.0), (104.01, 30.0), (104.01, 30.01), (104.0, 30.01)]
    hole = [(104.002, 30.002), (104.004, 30.002), (104.004, 30.004), (104.002, 30.004)]
    with_hole = gpd.GeoSeries([Polygon(outer, [hole])], crs=4490)
    without = gpd.GeoSeries([Polygon(outer)], crs=4490)
    just_hole = gpd.GeoSeries([Polygon(hole)], crs=4490)
    for method in ("ellipsoidal", "geodesic"):
        a = ellipsoidal_area(with_hole, method).iloc[0]
        b = ellipsoidal_area(without, method).iloc[0] - ellipsoidal_area(just_hole, method).iloc[0]
        assert a == pytest.approx(b, rel=1e-9)


@pytest.mark.parametrize("crs", [4326, 3857])
def test_planar_area_refused_in_geographic_or_web_mercator(crs):
    s = gpd.GeoSeries([box(0, 0, 1, 1)], crs=crs)
    with pytest.raises(InputError, match="meaningless"):
        ellipsoidal_area(s, "planar")


def test_area_requires_crs():
    with pytest.raises(InputError, match="no CRS"):
        ellipsoidal_area(gpd.GeoSeries([box(0, 0, 1, 1)]))


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(98.0, 108.0), lat=st.floats(26.5, 34.0),
    w=st.floats(20.0, 3000.0), h=st.floats(20.0, 3000.0),
)
def test_area_is_invariant_under_reprojection(lon, lat, w, h):
    # The same parcel stored in degrees, in its GK zone, or in Web Mercator has one area.
    zone_crs = gk3_crs(gk3_zone(lon))
    x, y = Transformer.from_crs(4490, zone_crs, always_xy=True).transform(lon, lat)
    parcel = gpd.GeoSeries([box(x, y, x + w, y + h)], crs=zone_crs)
    ref = ellipsoidal_area(parcel, "geodesic").iloc[0]
    for crs in (4490, 3857, gk3_crs(gk3_zone(lon), prefixed=True)):
        assert ellipsoidal_area(parcel.to_crs(crs)).iloc[0] == pytest.approx(ref, rel=1e-6)


def _geod_area(geom: shapely.Geometry) -> float:
    oriented = shapely.orient_polygons(geom, exterior_cw=False)
    return abs(GEOD.geometry_area_perimeter(oriented)[0])


@pytest.mark.realdata
@pytest.mark.parametrize(("name", "layer"), [
    ("sichuan_province_city_wgs84.gpkg", "city"),
    ("sichuan_province_city_wgs84.gpkg", "province"),
    ("sichuan_county_basin_wgs84.gpkg", "county"),
    ("sichuan_county_west_wgs84.gpkg", "county"),
])
def test_real_sichuan_boundaries_match_geod_to_1e4(name, layer):
    if not REAL.is_dir():
        pytest.skip("real data folder ../shared/data/real not present")
    gdf = gpd.read_file(REAL / name, layer=layer)
    ours = ellipsoidal_area(gdf.geometry)
    expected = np.array([_geod_area(g) for g in gdf.geometry])
    rel = np.abs(ours.to_numpy() / expected - 1)
    assert rel.max() < 1e-4
    # …and through a working GK CRS too (what analyses do), still ellipsoidal:
    projected = ellipsoidal_area(gdf.geometry.to_crs(4544))
    assert np.abs(projected.to_numpy() / expected - 1).max() < 1e-4
    if layer == "province":
        # Sichuan is about 48.6万 km²
        assert 480_000 < expected.sum() / 1e6 < 490_000


# ---------------------------------------------------------------- hygiene


def test_repair_reports_and_does_not_touch_input():
    bow = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    line = shapely.LineString([(0, 0), (1, 1)])
    gdf = gpd.GeoDataFrame({"pid": ["a", "b", "c", "d"]},
                           geometry=[bow, None, box(0, 0, 1, 1),
                                     shapely.GeometryCollection([box(5, 5, 6, 6), line])],
                           crs=4544)
    before = gdf.copy()
    fixed, report = repair_geometries(gdf, family="polygon", id_field="pid")
    assert report.made_valid == ["a"]
    assert report.dropped_empty == ["b"]
    assert report.dropped_parts == ["d"]
    assert fixed["pid"].tolist() == ["a", "c", "d"]
    assert fixed.geometry.is_valid.all()
    assert set(fixed.geom_type) <= {"Polygon", "MultiPolygon"}
    assert before.geometry.equals(gdf.geometry)
    assert any("made 1 invalid" in line for line in report.lines())


def test_crs_objects_roundtrip():
    assert CRS.from_epsg(4544).equals(gk3_crs(35))
