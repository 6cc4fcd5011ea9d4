"""The overlap kernel against plain shapely on random and hand-made layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.geo.area import ellipsoidal_area
from gaoxin.geo.overlap import area_inside, overlap, subdivide

X0, Y0 = 500000.0, 3400000.0  # on the central meridian: planar ≈ ellipsoidal


def blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> shapely.Polygon:
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = r * (1 + 0.3 * np.sin(3 * t + rng.uniform(0, 6))) * rng.uniform(0.8, 1.0, n)
    return shapely.make_valid(shapely.Polygon(np.c_[cx + rad * np.cos(t), cy + rad * np.sin(t)]))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), n_b=st.integers(1, 6), max_vertices=st.sampled_from([8, 32]))
def test_area_inside_matches_exact_union(seed, n_b, max_vertices):
    rng = np.random.default_rng(seed)
    a = gpd.GeoSeries([shapely.box(X0 + i * 40, Y0 + j * 40, X0 + i * 40 + 35, Y0 + j * 40 + 35)
                       for i in range(8) for j in range(8)], crs=4544)
    b = gpd.GeoSeries([blob(rng, X0 + rng.uniform(0, 320), Y0 + rng.uniform(0, 320),
                            rng.uniform(30, 150), 200) for _ in range(n_b)], crs=4544)
    union = shapely.union_all(b.values)
    expected = ellipsoidal_area(gpd.GeoSeries(shapely.intersection(a.values, union), crs=4544))
    got = area_inside(a, b, max_vertices=max_vertices)
    assert np.allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-8, atol=1e-4)
    # per-pair pieces equal the exact pairwise intersections
    pieces = overlap(a, b, max_vertices=max_vertices).pieces
    exact = shapely.intersection(a.values[pieces["a_pos"]], b.values[pieces["b_pos"]])
    assert np.allclose(shapely.area(pieces.geometry.values), shapely.area(exact),
                       rtol=1e-8, atol=1e-4)


def test_two_mu_overlap_by_hand():
    # A 100 m square overlapped by a red-line square over exactly 2 亩 (1333.33 m²).
    side = np.sqrt(2 * 10000 / 15)
    a = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 100, Y0 + 100)], crs=4544)
    b = gpd.GeoSeries([shapely.box(X0 + 100 - side, Y0 + 100 - side, X0 + 200, Y0 + 200)],
                      crs=4544)
    assert area_inside(a, b).iloc[0] * 15 / 10000 == pytest.approx(2.0, rel=1e-6)


def test_touching_is_zero():
    a = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 100, Y0 + 100)], crs=4544)
    b = gpd.GeoSeries([shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=4544)
    assert area_inside(a, b).iloc[0] == 0
    assert len(overlap(a, b).pieces) == 0


def test_whole_inside_and_another_partial_are_both_listed():
    a = gpd.GeoSeries([shapely.box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20)], crs=4544)
    b = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                       shapely.box(X0 + 15, Y0, X0 + 100, Y0 + 100)], crs=4544)
    result = overlap(a, b)
    assert result.inside.tolist() == [True]
    areas = dict(zip(result.pieces["b_pos"], shapely.area(result.pieces.geometry.values),
                     strict=True))
    assert areas == pytest.approx({0: 100.0, 1: 50.0})
    assert area_inside(a, b).iloc[0] == pytest.approx(100.0, rel=1e-6)


def test_subdivide_partitions_a_polygon_with_holes():
    outer = shapely.Point(X0, Y0).buffer(1000, quad_segs=200)
    holed = outer.difference(shapely.Point(X0 + 200, Y0).buffer(300, quad_segs=100))
    pieces, _src = subdivide(np.array([holed]), max_vertices=50)
    assert shapely.get_num_coordinates(pieces).max() <= 50
    assert shapely.area(pieces).sum() == pytest.approx(holed.area, rel=1e-12)
    assert shapely.union_all(pieces).symmetric_difference(holed).area < 1e-6


@pytest.mark.parametrize("geometries", [True, False])
def test_no_b_means_no_pieces_in_the_shape_asked_for(geometries: bool) -> None:
    """A zone with no buildings yet: no pieces, and the columns the caller reads."""
    a = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 10, Y0 + 10)], crs=4544)
    b = gpd.GeoSeries([], crs=4544)
    got = overlap(a, b, geometries=geometries)
    assert len(got.pieces) == 0 and not got.inside.any()
    assert ("geometry" if geometries else "planar_m2") in got.pieces.columns
