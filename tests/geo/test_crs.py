"""geo/crs.py: CRS codes and names, guesses from coordinates, working CRS, densified moves."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer
from shapely import Polygon, box

from gaoxin.errors import InputError
from gaoxin.geo.area import ellipsoidal_area
from gaoxin.geo.crs import (
    densify_edges,
    gk3_crs,
    gk3_zone,
    gk_zone_of_crs,
    guess_crs_from_coords,
    parse_crs,
    to_crs_densified,
    working_crs,
)
from tests.geo.helpers import file_area


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


@pytest.mark.parametrize(("size", "target"), [(1.0, 4544), (5.0, None)])
def test_reprojecting_densified_keeps_the_lon_lat_area(size, target):
    # A layer in degrees reprojected to the working CRS before its area is taken.
    lon_lat = gpd.GeoSeries([box(103.0, 30.0, 103.0 + size, 30.0 + size)], crs=4490)
    crs = CRS.from_epsg(target) if target else working_crs(*lon_lat.total_bounds)
    expected = file_area(lon_lat.iloc[0], 4490)
    plain = ellipsoidal_area(lon_lat.to_crs(crs)).iloc[0]
    assert abs(plain / expected - 1) > 1e-5  # what a vertex-by-vertex reprojection does
    moved = ellipsoidal_area(to_crs_densified(lon_lat, crs)).iloc[0]
    assert moved == pytest.approx(expected, rel=1e-6)


def test_reprojecting_densified_leaves_parcels_and_frames_alone():
    parcels = gpd.GeoDataFrame({"pid": ["a", "b"]}, geometry=[
        box(104.0, 30.0, 104.001, 30.001), box(104.001, 30.0, 104.002, 30.001)], crs=4490)
    before = parcels.copy()
    moved = to_crs_densified(parcels, 4544)
    assert moved.geometry.geom_equals_exact(parcels.to_crs(4544).geometry, 0).all()
    assert list(moved.columns) == ["pid", "geometry"] and moved.crs.to_epsg() == 4544
    assert before.geometry.equals(parcels.geometry)  # the input is not modified


def _shared_vertices(pair: np.ndarray) -> int:
    a, b = (set(map(tuple, shapely.get_coordinates(g))) for g in pair)
    return len(a & b)


def test_densified_shared_edges_stay_shared():
    # Neighbours traverse their shared edge in opposite directions; densified, they must still
    # share every vertex of it, or reprojected layers stop being coverages (slivers, overlaps).
    rng = np.random.default_rng(0)
    segmentize_broken = 0
    for _ in range(50):
        p, q = rng.uniform(100, 110, 2), rng.uniform(100, 110, 2)
        pair = np.array([Polygon([rng.uniform(90, 99, 2), p, q]),
                         Polygon([p, rng.uniform(111, 120, 2), q])])
        on_edge = int(np.ceil(np.hypot(*(p - q)) / 0.01)) + 1
        assert _shared_vertices(densify_edges(pair, 0.01)) == on_edge
        segmentize_broken += _shared_vertices(shapely.segmentize(pair, 0.01)) != on_edge
    assert segmentize_broken > 0  # why densify_edges exists
    zones = gpd.GeoSeries([box(103.0, 30.0, 104.0, 31.0), box(104.0, 30.0, 105.0, 31.0)],
                          crs=4490)
    moved = to_crs_densified(zones, 4544)
    assert _shared_vertices(np.asarray(moved.values)) > 300
    assert shapely.coverage_is_valid(np.asarray(moved.values))


def test_crs_objects_roundtrip():
    assert CRS.from_epsg(4544).equals(gk3_crs(35))
