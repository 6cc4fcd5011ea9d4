"""geo/area.py: ellipsoidal areas, hand-computed and on real Sichuan boundaries."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyproj import CRS, Transformer
from shapely import Polygon, box

from gaoxin.errors import InputError
from gaoxin.geo.area import area_table, areal_scale_factors, ellipsoidal_area
from gaoxin.geo.crs import (
    gk3_crs,
    gk3_zone,
)
from gaoxin.geo.units import M2_PER_MU, m2_to_mu
from tests.geo.helpers import file_area, geod_area

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


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
    expected = np.array([geod_area(g) for g in gdf.geometry])
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


def _rel_error(geom: shapely.Geometry, crs: int | CRS) -> float:
    ours = ellipsoidal_area(gpd.GeoSeries([geom], crs=crs)).iloc[0]
    return abs(ours / file_area(geom, crs) - 1)


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


def test_lon_lat_area_of_multipolygons_and_holes_adds_up():
    outer, hole = box(104.0, 30.0, 105.0, 31.0), box(104.2, 30.2, 104.4, 30.4)
    parts = [Polygon(outer.exterior.coords, [hole.exterior.coords]), box(106, 30, 107, 31)]
    s = gpd.GeoSeries([shapely.MultiPolygon(parts), outer, hole, box(106, 30, 107, 31),
                       shapely.GeometryCollection([outer, shapely.Point(0, 0)]), None],
                      crs=4490)
    a = ellipsoidal_area(s).to_numpy()
    assert a[0] == pytest.approx(a[1] - a[2] + a[3], rel=1e-12)
    assert a[4] == pytest.approx(a[1], rel=1e-12) and a[5] == 0.0
    assert a[1] == pytest.approx(file_area(outer, 4490), rel=1e-9)


def test_areal_scale_of_a_point_does_not_depend_on_the_others() -> None:
    """A zone measured alone (one task of a cluster run) gets the whole run's factors."""
    from pyproj import CRS

    from gaoxin.geo.area import areal_scale

    crs = CRS.from_epsg(4544)
    x, y = np.array([512_345.6]), np.array([3_401_234.5])
    alone = areal_scale(x, y, crs)
    with_far = areal_scale(np.append(x, [655_000.0]), np.append(y, [3_250_000.0]), crs)
    assert alone[0] == with_far[0]


def _row_unique_lattice(i0: np.ndarray, j0: np.ndarray) -> np.ndarray:
    """Each corner's node as (i, j), by the plain row-wise unique (the reference)."""
    corners = np.stack([np.concatenate([i0, i0 + 1, i0, i0 + 1]),
                        np.concatenate([j0, j0, j0 + 1, j0 + 1])], axis=1)
    nodes, where = np.unique(corners, axis=0, return_inverse=True)
    return nodes[where.ravel()]


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1,
                      max_size=40),
       origin=st.tuples(st.integers(-2_000, 3_000), st.integers(1_000, 3_000)),
       far=st.sampled_from([0, 5_000, 10**9, 3 * 10**9]))
def test_lattice_nodes_are_each_corners_node_once(cells, origin, far):
    """Clustered cells, and one far away (a sparse window, or one past dense marking)."""
    from gaoxin.geo.area import _lattice_nodes

    i0 = np.array([origin[0] + c[0] for c in cells] + ([origin[0] + far] if far else []),
                  dtype=float)
    j0 = np.array([origin[1] + c[1] for c in cells] + ([origin[1] - far] if far else []),
                  dtype=float)
    node_i, node_j, where = _lattice_nodes(i0, j0)
    got = np.stack([node_i, node_j], axis=1)
    np.testing.assert_array_equal(got[where], _row_unique_lattice(i0, j0))
    assert len(np.unique(got, axis=0)) == len(got)   # each node evaluated once


def test_areal_scale_is_unchanged_by_how_nodes_are_found() -> None:
    """Bit for bit the factors of the row-unique lattice (demo figures stay put)."""
    from pyproj import Proj

    from gaoxin.geo.area import _GRID_STEP_M, areal_scale

    crs = CRS.from_epsg(4544)
    rng = np.random.default_rng(14)
    x = np.r_[rng.uniform(380_000, 620_000, 3000), 10_000_000.0]
    y = np.r_[rng.uniform(3_200_000, 3_500_000, 3000), 3_300_000.0]
    fx, fy = x / _GRID_STEP_M, y / _GRID_STEP_M
    i0, j0 = np.floor(fx), np.floor(fy)
    nodes = _row_unique_lattice(i0, j0)
    to_geo = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(nodes[:, 0] * _GRID_STEP_M, nodes[:, 1] * _GRID_STEP_M)
    f00, f10, f01, f11 = np.asarray(Proj(crs).get_factors(lon, lat).areal_scale).reshape(4, -1)
    tx, ty = fx - i0, fy - j0
    expected = (f00 * (1 - tx) + f10 * tx) * (1 - ty) + (f01 * (1 - tx) + f11 * tx) * ty
    np.testing.assert_array_equal(areal_scale(x, y, crs), expected)
