"""Intersection areas by arithmetic against GEOS: convex, concave, holed and rotated pairs,
and every degenerate contact."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.geo import clip
from gaoxin.geo.clip import _areas, _edges_of, intersection_area, large_pair_areas, pair_areas
from tests.geo.helpers import building, concave_parcel

X0, Y0 = 500_000.0, 3_400_000.0


def arithmetic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The arithmetic's own areas, pair by pair (NaN where it leaves the pair to GEOS)."""
    ea, eb = _edges_of(a), _edges_of(b)
    out = np.full(len(a), np.nan)
    ok = np.flatnonzero(ea.ok & eb.ok)
    out[ok] = _areas(ea, eb, ok, ok)[0]
    return out


def convex(rng: np.random.Generator, cx: float, cy: float, r: float) -> shapely.Polygon:
    pts = rng.normal((cx, cy), r, (int(rng.integers(3, 20)), 2))
    hull = shapely.convex_hull(shapely.multipoints(pts))
    if rng.random() < 0.3:
        hull = shapely.Polygon(shapely.get_coordinates(hull)[::-1])   # clockwise
    return hull


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_random_convex_pairs_match_geos(seed):
    rng = np.random.default_rng(seed)
    n = 300
    a = np.array([convex(rng, X0 + rng.uniform(-30, 30), Y0 + rng.uniform(-30, 30),
                         rng.uniform(1, 30)) for _ in range(n)])
    b = np.array([convex(rng, X0, Y0, rng.uniform(1, 40)) for _ in range(n)])
    keep = shapely.get_type_id(a) == 3
    keep &= shapely.get_type_id(b) == 3
    a, b = a[keep], b[keep]
    got = intersection_area(a, b, threads=1)
    want = shapely.area(shapely.intersection(a, b))
    scale = np.maximum(shapely.area(a), 1.0)
    assert np.abs(got - want).max() <= 1e-9 * scale.max()
    # the fast path did the work for most pairs (the test would pass vacuously otherwise)
    fast = arithmetic(a, b)
    assert np.isfinite(fast).mean() > 0.9


def test_degenerate_contacts_are_left_to_geos():
    sq = shapely.box(X0, Y0, X0 + 10, Y0 + 10)
    cases = [
        shapely.box(X0 + 10, Y0, X0 + 20, Y0 + 10),            # shares an edge, outside
        shapely.box(X0, Y0, X0 + 5, Y0 + 10),                  # shares edges, inside
        sq,                                                    # identical
        shapely.box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20),       # corner touch
        shapely.Polygon([(X0 + 5, Y0 - 5), (X0 + 15, Y0 + 5), (X0 + 5, Y0 + 15),
                         (X0 - 5, Y0 + 5)]),                   # vertices on the square's edges
        shapely.box(X0 + 2, Y0 + 2, X0 + 4, Y0 + 4),           # inside, no contact
        shapely.box(X0 + 20, Y0 + 20, X0 + 30, Y0 + 30),       # apart
    ]
    a = np.array([sq] * len(cases))
    b = np.array(cases)
    fast = arithmetic(a, b)
    assert np.isnan(fast[:5]).all()                            # every contact → GEOS
    assert fast[5] == pytest.approx(4.0) and fast[6] == 0.0
    got = intersection_area(a, b, threads=1)
    assert got.tolist() == pytest.approx([0.0, 50.0, 100.0, 0.0, 100.0, 4.0, 0.0])


def test_concave_holed_and_multipart_go_to_geos():
    l_shape = shapely.box(X0, Y0, X0 + 10, Y0 + 4).union(shapely.box(X0, Y0, X0 + 4, Y0 + 10))
    holed = shapely.box(X0 - 5, Y0 - 5, X0 + 15, Y0 + 15).difference(
        shapely.box(X0 + 1, Y0 + 1, X0 + 3, Y0 + 3))
    multi = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 1, Y0 + 1),
                                  shapely.box(X0 + 5, Y0 + 5, X0 + 6, Y0 + 6)])
    sq = shapely.box(X0 + 2, Y0 + 2, X0 + 8, Y0 + 8)
    a = np.array([l_shape, holed, multi])
    b = np.array([sq, sq, sq])
    got = intersection_area(a, b, threads=1)
    assert got == pytest.approx(shapely.area(shapely.intersection(a, b)), abs=1e-9)


def test_no_polygon_the_arithmetic_takes():
    """Only multi-part shapes on one side: every pair goes to GEOS (no empty-table error)."""
    multi = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 1, Y0 + 1),
                                  shapely.box(X0 + 5, Y0 + 5, X0 + 6, Y0 + 6)])
    a = np.array([multi])
    b = np.array([shapely.box(X0, Y0, X0 + 10, Y0 + 10)])
    assert intersection_area(a, b, threads=1).tolist() == [2.0]


def test_threads_and_chunks_agree():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1000, 120_000) + X0
    y = rng.uniform(0, 1000, len(x)) + Y0
    a = shapely.box(x, y, x + rng.uniform(1, 20, len(x)), y + rng.uniform(1, 20, len(x)))
    b = shapely.buffer(shapely.points(x + 5, y + 5), 8, quad_segs=2)      # octagons
    one = intersection_area(a, b, threads=1)
    two = intersection_area(a, b, threads=2)
    assert np.array_equal(one, two)
    assert np.abs(one - shapely.area(shapely.intersection(a, b))).max() < 1e-7


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), push=st.sampled_from([0.0, 0.05, 0.12]))
def test_realistic_pairs_match_geos(seed: int, push: float) -> None:
    """Concave parcels against rotated L/T/U/courtyard buildings placed inside, across and
    outside them: GEOS's areas, and the arithmetic carries the load."""
    rng = np.random.default_rng(seed)
    n = 150
    parcels = np.array([concave_parcel(rng, X0, Y0, rng.uniform(30, 150), push)
                        for _ in range(n)])
    lo = shapely.bounds(parcels)
    houses = np.array([building(rng, rng.uniform(x0 - 10, x1 + 10), rng.uniform(y0 - 10, y1 + 10),
                                rng.uniform(3, 40)) for x0, y0, x1, y1 in lo])
    keep = shapely.is_valid(parcels) & shapely.is_valid(houses)
    a, b = houses[keep], parcels[keep]
    got = intersection_area(a, b, threads=1)
    want = shapely.area(shapely.intersection(a, b))
    assert np.abs(got - want).max() <= 1e-9 * max(float(shapely.area(b).max()), 1.0)
    fast = arithmetic(a, b)
    assert np.isfinite(fast).mean() > 0.95


def test_repeated_geometry_objects_measured_as_copies() -> None:
    """Pair arrays repeat one parcel object many times; its edges are read once and serve
    every pair alike."""
    rng = np.random.default_rng(9)
    parcel = concave_parcel(rng, X0, Y0, 100.0, 0.1)
    houses = np.array([building(rng, X0 + rng.uniform(-10, 110), Y0 + rng.uniform(-10, 110),
                                rng.uniform(5, 30)) for _ in range(200)])
    same = np.array([parcel] * len(houses), dtype=object)                 # one object
    copies = shapely.from_wkb(shapely.to_wkb(same))                        # 200 objects
    assert np.array_equal(intersection_area(houses, same, threads=1),
                          intersection_area(houses, copies, threads=1))


def _shape(rng: np.random.Generator, kind: str, size: float) -> shapely.Geometry:
    """A polygon of the kinds the kernel must take: concave, holed, two parts, rotated."""
    cx, cy = X0 + rng.uniform(-size, size), Y0 + rng.uniform(-size, size)
    if kind == "concave":
        return concave_parcel(rng, cx, cy, size, 0.12)
    if kind == "holed":
        outer = concave_parcel(rng, cx, cy, size, 0.05)
        hole = shapely.Point(*shapely.centroid(outer).coords[0]).buffer(size * 0.2, quad_segs=3)
        return outer.difference(hole)
    if kind == "multi":
        return shapely.union(shapely.box(cx, cy, cx + size, cy + size / 3),
                             shapely.box(cx, cy + size / 2, cx + size / 2, cy + size))
    return building(rng, cx, cy, size)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6),
       kinds=st.tuples(*[st.sampled_from(["concave", "holed", "multi", "building"])] * 2))
def test_holed_multipart_containing_and_contained_pairs_match_geos(
        seed: int, kinds: tuple[str, str]) -> None:
    """Any pair of valid (multi)polygons, with A inside, outside, across or around B, and
    B repaired from an invalid ring: GEOS's area and ``contains_properly`` per pair."""
    rng = np.random.default_rng(seed)
    n = 120
    a = np.array([_shape(rng, kinds[0], rng.uniform(5, 80)) for _ in range(n)])
    b = np.array([_shape(rng, kinds[1], rng.uniform(5, 80)) for _ in range(n)])
    bow = shapely.Polygon([(X0, Y0), (X0 + 60, Y0 + 60), (X0 + 60, Y0), (X0, Y0 + 60)])
    a[::17] = shapely.make_valid(bow)                     # an invalid ring, repaired
    b[5::23] = a[5::23]                                   # identical pairs: all contact
    b[7::29] = shapely.buffer(a[7::29], 3.0, quad_segs=2)   # A wholly inside B
    keep = shapely.is_valid(a) & shapely.is_valid(b)
    a, b = a[keep], b[keep]
    idx = np.arange(len(a))
    area, within = pair_areas(a, b, idx, idx, threads=1)
    want = shapely.area(shapely.intersection(a, b))
    assert np.abs(area - want).max() <= 1e-9 * max(float(shapely.area(b).max()), 1.0)
    assert within.tolist() == shapely.contains_properly(b, a).tolist()
    assert np.isfinite(arithmetic(a, b)).mean() > 0.8


def test_collinear_edges_and_vertices_on_edges_go_to_geos() -> None:
    """Contacts the arithmetic cannot decide within its margin are GEOS's: an edge along
    the other's edge (partly), a vertex on an edge, a hole's edge on the other's edge."""
    sq = shapely.box(X0, Y0, X0 + 10, Y0 + 10)
    holed = shapely.box(X0 - 10, Y0 - 10, X0 + 20, Y0 + 20).difference(
        shapely.box(X0 + 10, Y0 + 2, X0 + 15, Y0 + 8))
    cases = [shapely.box(X0 + 5, Y0 - 5, X0 + 15, Y0),                 # collinear, partial
             shapely.Polygon([(X0 + 10, Y0 + 5), (X0 + 20, Y0), (X0 + 20, Y0 + 10)]),
             holed]
    a, b = np.array([sq] * len(cases)), np.array(cases)
    assert np.isnan(arithmetic(a, b)).all()
    want = shapely.area(shapely.intersection(a, b))
    assert intersection_area(a, b, threads=1) == pytest.approx(want, abs=1e-9)


def _red_line(rng: np.random.Generator, kind: str) -> shapely.Geometry:
    """A red-line-like polygon of 1,000–3,000 vertices: a noisy closed curve (concave), the
    same with two holes, a buffered winding corridor, two overlapping curves made one
    invalid polygon and repaired, or two parts; rotated by any angle."""
    def curve(cx: float, cy: float, r: float) -> shapely.Polygon:
        th = np.linspace(0, 2 * np.pi, int(rng.integers(1000, 3000)), endpoint=False)
        rad = r * (1 + 0.25 * np.cos(3 * th + rng.uniform(0, 6))
                   + 0.1 * np.cos(11 * th) + 0.01 * rng.normal(size=len(th)))
        return shapely.Polygon(np.c_[cx + rad * np.cos(th), cy + rad * np.sin(th)])
    if kind == "corridor":
        steps = np.cumsum(rng.normal(0, 0.4, 60))
        line = shapely.LineString(np.c_[X0 + np.cumsum(12 * np.cos(steps)),
                                        Y0 + np.cumsum(12 * np.sin(steps))])
        return shapely.segmentize(shapely.buffer(line, 25, quad_segs=16), 1.0)
    g = curve(X0, Y0, 300)
    if kind == "holed":
        g = g.difference(shapely.Point(X0 + 80, Y0).buffer(60, quad_segs=64)).difference(
            shapely.box(X0 - 150, Y0 - 40, X0 - 70, Y0 + 40))
    elif kind == "invalid":
        other = shapely.get_coordinates(curve(X0 + 200, Y0 + 50, 200))
        ring = np.r_[shapely.get_coordinates(g)[:-1], other]
        g = shapely.make_valid(shapely.Polygon(ring))          # self-crossing, repaired
    elif kind == "multi":
        g = shapely.union(g, curve(X0 + 900, Y0, 200))
    angle = rng.uniform(0, 360)
    return shapely.affinity.rotate(g, angle, origin=(X0, Y0))


def _near_boundary(rng: np.random.Generator, big: shapely.Geometry, n: int) -> np.ndarray:
    """Parcels and buildings around a large polygon: across its boundary (many), inside,
    outside, around a hole, and some sharing its vertices (a vertex on its boundary, an
    edge along it)."""
    x0, y0, x1, y1 = big.bounds
    parts = shapely.get_parts(big)
    largest = parts[np.argmax(shapely.get_num_coordinates(parts))]
    ring = shapely.get_coordinates(shapely.get_exterior_ring(largest))
    shapes = []
    for k in range(n):
        if k % 3 == 0:   # centred on the boundary
            cx, cy = ring[rng.integers(len(ring))]
        else:
            cx, cy = rng.uniform(x0 - 50, x1 + 50), rng.uniform(y0 - 50, y1 + 50)
        size = rng.uniform(10, 150)
        shapes.append(concave_parcel(rng, cx - size / 2, cy - size / 2, size, 0.1)
                      if k % 2 else building(rng, cx, cy, size))
    for _ in range(max(1, n // 10)):   # vertices of the large polygon's own ring
        i = int(rng.integers(len(ring) - 40))
        shapes.append(shapely.Polygon(ring[i:i + int(rng.integers(3, 40))]))
    out = np.array(shapes, dtype=object)
    return out[shapely.is_valid(out) & (shapely.area(out) > 0)]


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6),
       kind=st.sampled_from(["curve", "holed", "corridor", "invalid", "multi"]))
def test_large_polygon_pairs_match_geos(seed: int, kind: str) -> None:
    """Small shapes against one red-line-like polygon (concave, holed, corridor, repaired
    invalid, two parts; rotated), inside, outside, across, sharing vertices and edges:
    GEOS's area and ``contains_properly`` per pair, and the arithmetic carries the load."""
    rng = np.random.default_rng(seed)
    big = _red_line(rng, kind)
    assert shapely.is_valid(big) and shapely.get_num_coordinates(big) > 600
    a = _near_boundary(rng, big, 150)
    b = np.array([big], dtype=object)
    idx, zero = np.arange(len(a)), np.zeros(len(a), dtype=int)
    area, within = large_pair_areas(a, b, idx, zero, threads=1)
    want = shapely.area(shapely.intersection(a, big))
    assert np.abs(area - want).max() <= 1e-9 * max(float(shapely.area(a).max()), 1.0)
    assert within.tolist() == shapely.contains_properly(big, a).tolist()
    eb = _edges_of(b, max_edges=10**9)
    fast, _inside = clip._large_areas(a, eb, b, idx, zero, 1)
    assert np.isfinite(fast).mean() > 0.85


def test_large_polygon_threads_and_chunks_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairs split into several jobs on two threads give the same areas as one job."""
    rng = np.random.default_rng(3)
    big = _red_line(rng, "holed")
    a = _near_boundary(rng, big, 300)
    b = np.array([big, shapely.affinity.translate(big, 40, 0)], dtype=object)
    pa = np.r_[np.arange(len(a)), np.arange(len(a))]
    pb = np.r_[np.zeros(len(a), dtype=int), np.ones(len(a), dtype=int)]
    one = large_pair_areas(a, b, pa, pb, threads=1)[0]
    monkeypatch.setattr(clip, "_CHUNK", 37)
    two = large_pair_areas(a, b, pa, pb, threads=2)[0]
    assert np.array_equal(one, two)
    assert np.abs(one - shapely.area(shapely.intersection(a[pa], b[pb]))).max() < 1e-6


def _patch(rng: np.random.Generator, cx: float, cy: float, size: float) -> shapely.Geometry:
    """An irregular farmland patch (a 12–40-gon, star-shaped about its centre, as the
    benchmark's), sometimes rotated clockwise, sometimes with a hole."""
    k = int(rng.integers(12, 41))
    th = np.sort(rng.uniform(0, 2 * np.pi, k))
    r = size * (1 - 0.6 * rng.random(k))
    ring = np.c_[cx + r * np.cos(th), cy + r * np.sin(th)]
    if rng.random() < 0.3:
        ring = ring[::-1]
    patch = shapely.make_valid(shapely.Polygon(ring))
    if rng.random() < 0.2:
        patch = patch.difference(shapely.Point(cx, cy).buffer(size * 0.15, quad_segs=2))
    return patch


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), flip=st.booleans())
def test_parcel_and_farmland_patch_pairs_match_geos(seed: int, flip: bool) -> None:
    """Parcels against larger irregular patches (and the other way round), with A inside,
    across, around or beside B, shared edges among them: GEOS's area within 1e-6 per pair,
    and ``contains_properly``."""
    rng = np.random.default_rng(seed)
    n = 100
    patches = [_patch(rng, X0 + rng.uniform(-50, 50), Y0 + rng.uniform(-50, 50),
                      rng.uniform(60, 200)) for _ in range(n)]
    parcels = [concave_parcel(rng, X0 + rng.uniform(-150, 150), Y0 + rng.uniform(-150, 150),
                              rng.uniform(10, 60), 0.12) for _ in range(n)]
    a, b = np.array(parcels), np.array(patches)
    a[3::11] = shapely.intersection(a[3::11], b[3::11])      # shared edges and vertices
    keep = (shapely.is_valid(a) & shapely.is_valid(b) & (shapely.area(a) > 0)
            & np.isin(shapely.get_type_id(a), (3, 6)))
    a, b = a[keep], b[keep]
    if flip:
        a, b = b, a
    idx = np.arange(len(a))
    area, within = pair_areas(a, b, idx, idx, threads=1)
    want = shapely.area(shapely.intersection(a, b))
    assert np.all(np.abs(area - want) <= 1e-6 * np.fmax(want, 1e-3))
    assert within.tolist() == shapely.contains_properly(b, a).tolist()
