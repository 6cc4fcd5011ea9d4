"""The array containment proof never claims what GEOS denies, and proves the easy cases."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.geo.containment import certainly_inside
from tests.geo.helpers import bow_tie, building, concave_parcel

X0, Y0 = 500_000.0, 3_400_000.0


def star(rng: np.random.Generator, n: int, r: float, wobble: float) -> shapely.Polygon:
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = r * (1 - wobble * rng.random(n))
    ring = np.c_[X0 + rad * np.cos(t), Y0 + rad * np.sin(t)]
    if rng.random() < 0.5:
        ring = ring[::-1]                                   # clockwise rings too
    if rng.random() < 0.3:                                  # a collinear midpoint
        ring = np.insert(ring, 1, (ring[0] + ring[1]) / 2, axis=0)
    return shapely.Polygon(ring)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 1_000_000), n=st.integers(3, 30), wobble=st.sampled_from([0, .3, .7]))
def test_never_proves_what_geos_denies(seed, n, wobble):
    rng = np.random.default_rng(seed)
    b = np.array([star(rng, n, 100.0, wobble)])
    b = b[shapely.is_valid(b)]
    if not len(b):
        return
    ring = shapely.get_coordinates(b[0])
    # Boxes and triangles around, across and exactly on B's vertices and edges.
    centres = np.r_[rng.uniform(-110, 110, (200, 2)) + np.array([X0, Y0]), ring]
    half = rng.uniform(0.001, 30, (len(centres), 1))
    boxes = shapely.box(*(centres - half).T, *(centres + half).T)
    tri = shapely.polygons(np.stack([ring[:-1], np.roll(ring[:-1], -1, 0),
                                     (ring[:-1] + np.roll(ring[:-1], -1, 0)) / 2
                                     + rng.uniform(-5, 5, (len(ring) - 1, 2))], axis=1))
    a = np.r_[boxes, tri[shapely.is_valid(tri)]]
    pa = np.arange(len(a))
    pb = np.zeros(len(a), dtype=int)
    proven = certainly_inside(a, b, pa, pb, threads=1)
    truth = shapely.contains_properly(b[pb], a)
    assert not (proven & ~truth).any()
    if wobble == 0 and not shapely.get_num_coordinates(b[0]) > 33:
        # convex: every box GEOS finds inside with a clear margin is proven
        margin = shapely.contains_properly(b[0], shapely.buffer(a, 1e-3))
        assert proven[margin].all()


def test_edge_cases_by_hand():
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    holed = square.difference(shapely.box(X0 + 40, Y0 + 40, X0 + 60, Y0 + 60))
    notch = shapely.Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0 + 50, Y0 + 10),
                             (X0, Y0 + 100)])
    b = np.array([square, holed, notch])
    a = np.array([
        shapely.box(X0 + 10, Y0 + 10, X0 + 20, Y0 + 20),     # inside the square
        shapely.box(X0, Y0 + 10, X0 + 20, Y0 + 20),          # on its edge: not properly inside
        shapely.box(X0 + 45, Y0 + 45, X0 + 55, Y0 + 55),     # in the hole
        shapely.box(X0 + 80, Y0 + 5, X0 + 90, Y0 + 8),       # inside the notched polygon
        shapely.MultiPolygon([shapely.box(X0 + 1, Y0 + 1, X0 + 2, Y0 + 2),
                              shapely.box(X0 + 5, Y0 + 5, X0 + 6, Y0 + 6)]),
    ])
    pa = np.array([0, 1, 2, 2, 3, 3, 4])
    pb = np.array([0, 0, 0, 1, 2, 0, 0])
    got = certainly_inside(a, b, pa, pb, threads=1)
    assert got.tolist() == [True, False, True, False, True, True, True]
    # holed B is never proven (a box in the hole must not be); inside the notched
    # (concave) polygon is proven by the rings test
    assert shapely.contains_properly(b[pb], a[pa]).tolist() == [True, False, True, False, True,
                                                                True, True]


def test_threads_and_chunks_give_the_same_answer():
    rng = np.random.default_rng(1)
    parcels = shapely.box(X0 + np.arange(300) * 10.0, Y0, X0 + np.arange(300) * 10.0 + 10, Y0 + 10)
    x = rng.uniform(0, 3000, 250_000) + X0
    y = rng.uniform(0, 10, len(x)) + Y0
    houses = shapely.box(x, y, x + 0.5, y + 0.5)
    pb = ((x - X0) // 10).astype(int)
    pa = np.arange(len(x))
    one = certainly_inside(houses, parcels, pa, pb, threads=1)
    two = certainly_inside(houses, parcels, pa, pb, threads=2)
    assert (one == two).all()
    assert (one == shapely.contains_properly(parcels[pb], houses)).mean() > 0.999
    assert not (one & ~shapely.contains_properly(parcels[pb], houses)).any()



@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 1_000_000), push=st.sampled_from([0.0, 0.05, 0.12]))
def test_realistic_shapes_proven_only_where_geos_agrees(seed: int, push: float) -> None:
    """Concave parcels, rotated L/T/U/courtyard buildings inside, across and outside them,
    invalid buildings too: nothing is proven that GEOS denies, and buildings clear of the
    boundary are proven (the fast path carries the load on real shapes)."""
    rng = np.random.default_rng(seed)
    parcels = np.array([concave_parcel(rng, X0 + 200.0 * k, Y0, 100.0, push)
                        for k in range(4)])
    parcels = parcels[shapely.is_valid(parcels)]
    if not len(parcels):
        return
    owner = rng.integers(0, len(parcels), 120)
    lo = shapely.bounds(parcels)[owner]
    cx = rng.uniform(lo[:, 0] - 10, lo[:, 2] + 10)
    cy = rng.uniform(lo[:, 1] - 10, lo[:, 3] + 10)
    houses = np.array([building(rng, x, y, w) for x, y, w in
                       zip(cx, cy, rng.uniform(2, 30, len(cx)), strict=True)])
    broken = rng.random(len(houses)) < 0.05
    houses[broken] = [bow_tie(h) for h in houses[broken]]
    pa = np.arange(len(houses))
    proven = certainly_inside(houses, parcels, pa, owner, threads=1)
    truth = shapely.contains_properly(parcels[owner], houses)
    assert not (proven & ~truth).any()
    clear = shapely.contains_properly(parcels[owner], shapely.buffer(houses, 1e-3)) & ~broken
    if clear.sum() >= 10:
        assert proven[clear].mean() > 0.9


def test_ring_blocks_and_box_jobs_change_no_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    """B's rings prepared a few polygons at a time, box jobs of a few pairs and A's shells
    taken a few pairs at a time prove exactly what one whole-layer pass proves (concave
    parcels, rotated and broken houses)."""
    import gaoxin.geo.containment as module

    rng = np.random.default_rng(7)
    parcels = np.array([concave_parcel(rng, X0 + 200.0 * k, Y0, 100.0, 0.08) for k in range(9)])
    parcels = parcels[shapely.is_valid(parcels)]
    owner = rng.integers(0, len(parcels), 400)
    lo = shapely.bounds(parcels)[owner]
    houses = np.array([building(rng, x, y, w) for x, y, w in zip(
        rng.uniform(lo[:, 0] - 5, lo[:, 2] + 5), rng.uniform(lo[:, 1] - 5, lo[:, 3] + 5),
        rng.uniform(2, 30, len(owner)), strict=True)])
    houses[::17] = [bow_tie(h) for h in houses[::17]]
    pa = np.arange(len(houses))
    whole = certainly_inside(houses, parcels, pa, owner, threads=1)
    monkeypatch.setattr(module, "_RING_BLOCK", 2)
    monkeypatch.setattr(module, "_BOX_CHUNK", 7)
    monkeypatch.setattr(module, "_SHELL_BLOCK", 5)
    blocked = certainly_inside(houses, parcels, pa, owner, threads=2)
    assert whole.sum() > 50
    assert (blocked == whole).all()
    assert not (whole & ~shapely.contains_properly(parcels[owner], houses)).any()


def test_a_large_parcel_layer_costs_its_rings_not_five_copies() -> None:
    """Proving one pair against a layer of 30,000 parcels of 32 edges holds B's relative
    ring coordinates (16 bytes a vertex) and one block's work arrays, not the whole layer's
    coordinates, edges and cross products at once (~64 bytes a vertex: ~60 MB here)."""
    import tracemalloc

    t = np.linspace(0, 2 * np.pi, 33)[:-1]
    ring = np.c_[40 * np.cos(t), 40 * np.sin(t)]
    offsets = np.arange(30_000) * 100.0
    parcels = shapely.polygons(ring[None, :, :] + np.c_[X0 + offsets, np.full(30_000, Y0)]
                               [:, None, :])
    house = np.array([shapely.box(X0 - 5, Y0 - 5, X0 + 5, Y0 + 5)])
    vertices = int(shapely.get_num_coordinates(parcels).sum())
    tracemalloc.start()
    try:
        proven = certainly_inside(house, parcels, np.array([0]), np.array([0]), threads=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert proven.tolist() == [True]
    assert peak < 40 * vertices
