"""The overlap kernel against plain shapely on random and hand-made layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.geo.area import ellipsoidal_area
from gaoxin.geo.overlap import area_inside, overlap, subdivide
from tests.geo.helpers import bow_tie, building, concave_parcel

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


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_b=st.integers(1, 8))
def test_area_inside_on_realistic_shapes(seed: int, n_b: int) -> None:
    """Concave parcels (some made invalid, then repaired as the loader does) against red-line
    blobs that overlap each other and small farmland-like patches, 100 km off the central
    meridian (the areal scale varies): the union's ellipsoidal area within 1e-7."""
    rng = np.random.default_rng(seed)
    x0 = X0 + 100_000
    parcels = [concave_parcel(rng, x0 + i * 60.0, Y0 + j * 60.0, 50.0, 0.08)
               for i in range(8) for j in range(8)]
    parcels = [bow_tie(p) if rng.random() < 0.05 else p for p in parcels]
    a = gpd.GeoSeries(shapely.make_valid(np.array(parcels)), crs=4544)
    b = gpd.GeoSeries([blob(rng, x0 + rng.uniform(0, 480), Y0 + rng.uniform(0, 480),
                            rng.uniform(30, 150), 200) for _ in range(n_b)]
                      + [building(rng, x0 + rng.uniform(0, 480), Y0 + rng.uniform(0, 480),
                                  rng.uniform(10, 60)) for _ in range(20)], crs=4544)
    union = shapely.union_all(b.values)
    expected = ellipsoidal_area(gpd.GeoSeries(shapely.intersection(a.values, union), crs=4544))
    got = area_inside(a, b)
    assert np.allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-7, atol=1e-4)


def test_parcels_meeting_one_b_are_measured_without_cutting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A parcel across one red line's edge, and one across two patches that only touch,
    take the arithmetic path (no piece geometry); only the parcel meeting two overlapping
    red lines is cut out and unioned."""
    import gaoxin.geo.overlap as module

    cut: list[int] = []
    real_cut = module._area_inside_cut

    def counting(a: gpd.GeoSeries, *args: object, **kwargs: object) -> object:
        cut.append(len(a))
        return real_cut(a, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_area_inside_cut", counting)
    a = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 100, Y0 + 100),
                       shapely.box(X0 + 1000, Y0, X0 + 1100, Y0 + 100),
                       shapely.box(X0 + 2000, Y0, X0 + 2100, Y0 + 100)], crs=4544)
    b = gpd.GeoSeries([shapely.box(X0 + 50, Y0 - 50, X0 + 200, Y0 + 200),
                       shapely.box(X0 + 1050, Y0 - 50, X0 + 1200, Y0 + 200),
                       shapely.box(X0 + 1080, Y0 - 50, X0 + 1300, Y0 + 200),
                       shapely.box(X0 + 2050, Y0 - 50, X0 + 2080, Y0 + 200),
                       shapely.box(X0 + 2080, Y0 - 50, X0 + 2090, Y0 + 200)], crs=4544)
    got = area_inside(a, b).to_numpy()
    assert got == pytest.approx([5000.0, 5000.0, 4000.0], rel=1e-6)
    assert cut == [1]


def test_large_b_is_read_whole_not_subdivided(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overlapping 2,000-vertex B (red lines): ``area_inside`` reads only their edges near
    each A and clips them for the few A meeting two of them — no subdivision of B — and
    gives the exact union's areas."""
    from gaoxin.geo import overlap as module

    def no_subdivision(*args: object, **kwargs: object) -> None:
        raise AssertionError("B subdivided")

    monkeypatch.setattr(module, "subdivide", no_subdivision)
    rng = np.random.default_rng(5)
    a = gpd.GeoSeries([concave_parcel(rng, X0 + i * 40, Y0 + j * 40, 38.0, 0.1)
                       for i in range(15) for j in range(15)], crs=4544)
    b = gpd.GeoSeries([blob(rng, X0 + 200 + dx, Y0 + 300, 220, 2000) for dx in (0, 150)],
                      crs=4544)
    union = shapely.union_all(b.values)
    want = ellipsoidal_area(gpd.GeoSeries(shapely.intersection(a.values, union), crs=4544))
    got = area_inside(a, b)
    assert np.allclose(got.to_numpy(), want.to_numpy(), rtol=1e-8, atol=1e-4)
    assert (got > 0).sum() > 100


def test_pairs_measured_in_blocks_give_the_same_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Buildings measured against parcels a few pairs at a time (each block's edge tables
    freed before the next) give the very same pieces, to the bit, as one pass."""
    import gaoxin.geo.clip as clip
    import gaoxin.geo.overlap as module

    rng = np.random.default_rng(3)
    parcels = gpd.GeoSeries(shapely.make_valid(np.array(
        [concave_parcel(rng, X0 + i * 60.0, Y0 + j * 60.0, 50.0, 0.08)
         for i in range(6) for j in range(6)])), crs=4544)
    houses = gpd.GeoSeries([building(rng, x, y, w) for x, y, w in zip(
        rng.uniform(X0, X0 + 360, 300), rng.uniform(Y0, Y0 + 360, 300),
        rng.uniform(3, 40, 300), strict=True)], crs=4544)
    houses = houses[shapely.is_valid(houses.values)].reset_index(drop=True)
    whole = overlap(houses, parcels, b_disjoint=True, geometries=False).pieces
    monkeypatch.setattr(clip, "_CHUNK", 4)
    monkeypatch.setattr(module, "_PAIR_BLOCK", 3 * 4)
    calls: list[int] = []
    real = module.pair_areas

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(len(args[2]))  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "pair_areas", counted)
    blocked = overlap(houses, parcels, b_disjoint=True, geometries=False).pieces
    assert len(calls) > 3 and max(calls) <= 12
    pd.testing.assert_frame_equal(blocked, whole, check_exact=True)


def test_factors_given_later_give_the_same_bits() -> None:
    """A caller may hand over a function for A's areal scale factors (computed beside the
    pass): it is called once, after the pieces are measured, and the areas are those the
    factors themselves give; a function finding no factors (a CRS where planar areas mean
    nothing) sends every A to be cut out and measured whole."""
    import gaoxin.geo.overlap as module
    from gaoxin.geo.area import areal_scale_factors

    rng = np.random.default_rng(11)
    x0 = X0 + 100_000
    a = gpd.GeoSeries(shapely.make_valid(np.array(
        [concave_parcel(rng, x0 + i * 60.0, Y0 + j * 60.0, 50.0, 0.08)
         for i in range(6) for j in range(6)])), crs=4544)
    b = gpd.GeoSeries([blob(rng, x0 + 150, Y0 + 180, 140, 600),
                       blob(rng, x0 + 260, Y0 + 150, 90, 40),
                       shapely.box(x0 + 20, Y0 + 20, x0 + 70, Y0 + 70)], crs=4544)
    factors = areal_scale_factors(a)
    want = area_inside(a, b, factors=factors)
    calls: list[int] = []

    def later() -> np.ndarray | None:
        calls.append(1)
        return factors

    got = area_inside(a, b, factors=later)
    assert calls == [1]
    pd.testing.assert_series_equal(got, want, check_exact=True)
    assert (got > 0).sum() > 5
    cut = module._area_inside_cut(a, b, max_vertices=256, threads=1).to_numpy()
    assert np.array_equal(area_inside(a, b, factors=lambda: None).to_numpy(), cut)
