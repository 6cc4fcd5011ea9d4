"""geo/: CRS codes, offsets, ellipsoidal areas (hand-computed and on real Sichuan boundaries)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer
from shapely import Polygon, box

from gaoxin.errors import InputError
from gaoxin.geo.area import area_table, areal_scale_factors, ellipsoidal_area
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
from gaoxin.geo.hygiene import repair_geometries
from gaoxin.geo.units import M2_PER_MU, m2_to_mu
from gaoxin.layers.load import load_vector_layer
from gaoxin.layers.workspace import LayerSource

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
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


# ------------------------------------------- large polygons with few vertices (item 9)
#
# The reference is the region the file defines: edges straight in the file's own CRS. The
# polygon is densified very finely in that CRS, taken to lon/lat, and measured by pyproj.Geod
# (whose geodesic pieces are then ≤ 1/2000 of the feature: converged to ~1e-9).


def _file_area(geom: shapely.Geometry, crs: int | CRS) -> float:
    xmin, ymin, xmax, ymax = geom.bounds
    fine = shapely.segmentize(geom, max(xmax - xmin, ymax - ymin) / 2000)
    lon_lat = gpd.GeoSeries([fine], crs=crs).to_crs(4490).iloc[0]
    return _geod_area(lon_lat)


def _rel_error(geom: shapely.Geometry, crs: int | CRS) -> float:
    ours = ellipsoidal_area(gpd.GeoSeries([geom], crs=crs)).iloc[0]
    return abs(ours / _file_area(geom, crs) - 1)


@pytest.mark.parametrize("lat", [18.0, 30.0, 45.0, 53.0])
@pytest.mark.parametrize("size", [1.0, 5.0])
def test_lon_lat_box_has_the_area_of_its_lon_lat_edges(lat, size):
    # Before: 2.7e-5 (1°) and 7e-4 (5°) at 30°N, the edges taken as LAEA chords.
    box_ = box(104.0, lat, 104.0 + size, lat + size)
    assert _rel_error(box_, 4490) <= 1e-6


@pytest.mark.parametrize("geom", [
    box(400_000, 3_300_000, 600_000, 3_500_000),        # 200 km square on the CM
    box(550_000, 3_300_000, 750_000, 3_500_000),        # …and reaching 2.6° east of it
    Polygon([(300_000, 3_300_000), (700_000, 3_300_000), (500_000, 3_600_000)]),
    Polygon([(300_000, 5_800_000), (700_000, 5_800_000), (500_000, 5_900_000)]),  # 52°N
])
def test_gauss_kruger_polygon_has_the_area_of_its_plane_edges(geom):
    # Before: 4.1e-5 for the squares, 1.7e-4 for the triangle.
    assert _rel_error(geom, 4544) <= 1e-6


def test_web_mercator_triangle_has_the_area_of_its_rhumb_line_edges():
    # Straight lines in Web Mercator are loxodromes. Before: 7.7e-3.
    tri = gpd.GeoSeries([Polygon([(104, 45), (109, 45), (106, 47)])], crs=4490).to_crs(3857)
    assert _rel_error(tri.iloc[0], 3857) <= 1e-6


_ANGLES = st.lists(st.floats(0, 2 * np.pi), min_size=3, max_size=7, unique=True)


def _few_vertex_polygon(data: st.DataObject, x: float, y: float, span: float,
                        angles: list[float]) -> Polygon:
    # Vertices by increasing angle around (x, y): simple unless one angular gap exceeds π.
    radii = data.draw(st.lists(st.floats(0.3, 1.0), min_size=len(angles), max_size=len(angles)))
    order = np.argsort(angles)
    a, r = np.asarray(angles)[order], np.asarray(radii)[order] * span / 2
    poly = Polygon(np.c_[x + r * np.cos(a), y + r * np.sin(a)])
    assume(poly.is_valid and poly.area > 1e-3 * span**2)  # no needles, no bow ties
    return poly


@settings(max_examples=30, deadline=None)
@given(lon=st.floats(76.0, 132.0), lat=st.floats(18.0, 51.0), span=st.floats(0.01, 5.0),
       angles=_ANGLES, data=st.data())
def test_random_lon_lat_polygons_within_1e6(lon, lat, span, angles, data):
    assert _rel_error(_few_vertex_polygon(data, lon, lat, span, angles), 4490) <= 1e-6


@settings(max_examples=20, deadline=None)
@given(x=st.floats(350_000.0, 650_000.0), y=st.floats(2_500_000.0, 5_700_000.0),
       span=st.floats(10_000.0, 500_000.0), angles=_ANGLES, data=st.data())
def test_random_gauss_kruger_polygons_within_1e6(x, y, span, angles, data):
    assert _rel_error(_few_vertex_polygon(data, x, y, span, angles), 4544) <= 1e-6


def test_small_parcels_keep_the_scale_factor_fast_path():
    # Parcels in Gauss-Krüger are neither densified nor projected: planar ÷ areal scale.
    rng = np.random.default_rng(3)
    x, y = rng.uniform(330_000, 670_000, 2000), rng.uniform(3_250_000, 3_600_000, 2000)
    parcels = gpd.GeoSeries(shapely.box(x, y, x + 150, y + 90), crs=4544)
    expected = shapely.area(np.asarray(parcels.values)) / areal_scale_factors(parcels)
    np.testing.assert_array_equal(ellipsoidal_area(parcels).to_numpy(), expected)


@pytest.mark.parametrize(("size", "target"), [(1.0, 4544), (5.0, None)])
def test_reprojecting_densified_keeps_the_lon_lat_area(size, target):
    # A layer in degrees reprojected to the working CRS before its area is taken.
    lon_lat = gpd.GeoSeries([box(103.0, 30.0, 103.0 + size, 30.0 + size)], crs=4490)
    crs = CRS.from_epsg(target) if target else working_crs(*lon_lat.total_bounds)
    expected = _file_area(lon_lat.iloc[0], 4490)
    plain = ellipsoidal_area(lon_lat.to_crs(crs)).iloc[0]
    assert abs(plain / expected - 1) > 1e-5  # what a vertex-by-vertex reprojection does
    moved = ellipsoidal_area(to_crs_densified(lon_lat, crs)).iloc[0]
    assert moved == pytest.approx(expected, rel=1e-6)


def test_a_lon_lat_zone_loaded_into_gauss_kruger_keeps_its_area(tmp_path):
    # The workspace loader reprojects every layer to the working CRS before any area is taken.
    zone = box(104.0, 30.0, 105.0, 31.0)
    path = tmp_path / "zones.gpkg"
    zones = gpd.GeoDataFrame({"zone_id": ["z1"], "name": ["示例区"]}, geometry=[zone], crs=4490)
    zones.to_file(path)
    loaded = load_vector_layer(LayerSource("zones", path), "zones", to_crs=CRS.from_epsg(4544))
    area = ellipsoidal_area(loaded.frame.geometry).iloc[0]
    assert area == pytest.approx(_file_area(zone, 4490), rel=1e-6)  # before: 2.8e-5 off


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


def test_lon_lat_area_of_multipolygons_and_holes_adds_up():
    outer, hole = box(104.0, 30.0, 105.0, 31.0), box(104.2, 30.2, 104.4, 30.4)
    parts = [Polygon(outer.exterior.coords, [hole.exterior.coords]), box(106, 30, 107, 31)]
    s = gpd.GeoSeries([shapely.MultiPolygon(parts), outer, hole, box(106, 30, 107, 31),
                       shapely.GeometryCollection([outer, shapely.Point(0, 0)]), None],
                      crs=4490)
    a = ellipsoidal_area(s).to_numpy()
    assert a[0] == pytest.approx(a[1] - a[2] + a[3], rel=1e-12)
    assert a[4] == pytest.approx(a[1], rel=1e-12) and a[5] == 0.0
    assert a[1] == pytest.approx(_file_area(outer, 4490), rel=1e-9)


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
