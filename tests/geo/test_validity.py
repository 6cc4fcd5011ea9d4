"""geo/validity.py: the array certificate never calls an invalid geometry valid, and proves
the shapes layers are made of (rectangles, L/T/U outlines, concave parcels)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon, box

from gaoxin.geo import validity
from gaoxin.geo.validity import certainly_valid, orientation_sign
from tests.geo.helpers import bow_tie, building, concave_parcel

OFFSETS = [(0.0, 0.0), (4e5, 3.4e6), (-1e-9, 1e-9), (1e15, -1e15)]
SCALES = [1.0, 1e-9, 1e-300, 1e3, 1e150]


def _implies_valid(geoms: list[object]) -> np.ndarray:
    """The certificate of ``geoms`` (one array, so runs of every length sit side by side),
    checked against GEOS: proven ⇒ valid."""
    array = np.array(geoms, dtype=object)
    proven = certainly_valid(array)
    alone = [certainly_valid(array[k:k + 1])[0] for k in range(len(array))]
    assert proven.tolist() == alone                  # a neighbour in the array changes nothing
    with np.errstate(all="ignore"):
        valid = np.array([_geos_valid(g) for g in array], dtype=bool)
    wrong = [shapely.to_wkt(g) for g in array[proven & ~valid]]
    assert not wrong, wrong
    return proven


def _geos_valid(geom: object) -> bool:
    """GEOS's verdict; True where GEOS cannot give one (its noder refuses some rings of
    subnormal coordinates: "Segment vertex does not intersect ring"), which leaves such a
    geometry out of the comparison."""
    try:
        return bool(shapely.is_valid(geom))
    except shapely.errors.GEOSException:
        return True


def _ring(points: list[tuple[int, int]], offset: tuple[float, float], scale: float) -> Polygon:
    coords = np.array(points, dtype=float) * scale + np.array(offset)
    return Polygon(coords)


grid_points = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=3, max_size=24)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(grid_points, st.sampled_from(OFFSETS), st.sampled_from(SCALES)),
                min_size=1, max_size=12))
def test_random_rings_on_a_small_grid_are_never_proven_wrongly(rings):
    # A 7 × 7 grid makes collinear triples, repeated and touching vertices and edges through
    # vertices common; the offsets and scales make the coordinates round.
    _implies_valid([_ring(points, offset, scale) for points, offset, scale in rings])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=3, max_size=30),
       st.sampled_from(OFFSETS), st.sampled_from(SCALES))
def test_random_float_rings_are_never_proven_wrongly(points, offset, scale):
    _implies_valid([Polygon(np.array(points) * scale + np.array(offset))])


@settings(max_examples=100, deadline=None)
@given(st.integers(4, 40), st.integers(0, 2**32 - 1), st.sampled_from(OFFSETS),
       st.integers(-3, 3))
def test_convex_rings_nudged_onto_their_neighbours_are_never_proven_wrongly(n, seed, offset,
                                                                         ulps):
    # A vertex moved onto (and a few units in the last place either side of) the line
    # through its neighbours, or onto another vertex: the cases a fast filter must not
    # decide wrongly.
    rng = np.random.default_rng(seed)
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    ring = np.c_[np.cos(angles), np.sin(angles)] * 100 + np.array(offset)
    k = int(rng.integers(1, n - 1))
    t = rng.uniform(0.1, 0.9)
    on_line = ring[k - 1] + t * (ring[k + 1] - ring[k - 1])
    nudged = ring.copy()
    nudged[k] = on_line
    for _ in range(abs(ulps)):
        nudged[k, 1] = np.nextafter(nudged[k, 1], np.sign(ulps) * np.inf)
    onto_vertex = ring.copy()
    onto_vertex[k] = ring[(k + n // 2) % n]
    through = ring.copy()
    far = (k + n // 2) % n
    through[k] = ring[far] + t * (ring[(far + 1) % n] - ring[far])
    _implies_valid([Polygon(nudged), Polygon(onto_vertex), Polygon(through), Polygon(ring)])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(OFFSETS[:2]))
def test_realistic_shapes_and_their_broken_copies(seed, offset):
    rng = np.random.default_rng(seed)
    x0, y0 = offset
    parcels = [concave_parcel(rng, x0 + 200 * i, y0, 150) for i in range(6)]
    buildings = [building(rng, x0 + 50 * i, y0 + 30, 20) for i in range(10)]
    broken = [bow_tie(p) for p in parcels[:3]] + [bow_tie(b) for b in buildings[:3]
                                                  if not list(b.interiors)]
    spikes = [Polygon([*p.exterior.coords[:3], p.exterior.coords[1], *p.exterior.coords[3:]])
              for p in parcels[3:]]
    _implies_valid(parcels + buildings + broken + spikes)


def test_rings_winding_twice_or_touching_themselves_are_not_proven():
    angles = np.arange(5) * 4 * np.pi / 5          # {5/2}: every edge turns the same way
    pentagram = Polygon(np.c_[np.cos(angles), np.sin(angles)])
    square_twice = Polygon([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0), (1, 0), (1, 1), (0, 1)])
    hourglass = Polygon([(0, 0), (2, 0), (1, 1), (2, 2), (0, 2), (1, 1)])   # touches at (1, 1)
    spike = Polygon([(0, 0), (2, 0), (2, 2), (3, 3), (2, 2), (0, 2)])
    proven = _implies_valid([pentagram, square_twice, hourglass, spike])
    assert not proven.any()


def test_parts_other_types_and_nothing_are_not_proven():
    two_parts = shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    nested_parts = shapely.MultiPolygon([box(0, 0, 10, 10), box(2, 2, 4, 4)])
    geoms = [two_parts, nested_parts, shapely.LinearRing(box(0, 0, 1, 1).exterior),
             shapely.LineString([(0, 0), (1, 0), (1, 1), (0, 0)]), shapely.Point(0, 0),
             shapely.GeometryCollection([box(0, 0, 1, 1)]), Polygon(), shapely.MultiPolygon(),
             None]
    assert not _implies_valid(geoms).any()


SHELL = [(0, 0), (10, 0), (10, 10), (0, 10)]
_FIVE_TWO = np.arange(5) * 4 * np.pi / 5 + np.pi / 2


def test_one_hole_strictly_inside_is_proven_and_every_other_hole_is_not():
    inside = [[(2, 2), (2, 4), (4, 4), (4, 2)]]
    proven = _implies_valid([Polygon(SHELL, inside), Polygon(SHELL[::-1], inside),
                             Polygon(SHELL, [inside[0][::-1]]),
                             shapely.MultiPolygon([Polygon(SHELL, inside)])])
    assert proven.all()
    not_proven = [
        Polygon(SHELL, [[(0, 0), (2, 4), (4, 4), (4, 2)]]),          # touches the shell's first
        Polygon(SHELL, [[(2, 0), (2, 4), (4, 4), (4, 2)]]),          # touches a shell edge
        Polygon(SHELL, [[(8, 8), (8, 12), (12, 12), (12, 8)]]),      # crosses the shell
        Polygon(SHELL, [[(20, 20), (20, 24), (24, 24), (24, 20)]]),  # outside
        Polygon(SHELL, [[(2, 2), (4, 4), (2, 4), (4, 2)]]),          # a bow-tie hole
        Polygon(SHELL, [*inside, [(6, 6), (6, 8), (8, 8), (8, 6)]]),  # two holes
        Polygon(SHELL, [*inside, [(2, 2), (2, 3), (3, 3), (3, 2)]]),  # nested holes
        Polygon([(0, 0), (10, 0), (10, 10), (5, 5), (0, 10), (5, 5)],  # self-touching shell
                inside),
        Polygon([(0, 0), (10, 0), (10, 10), (0, 0), (0, 10), (-5, 5)], inside),
        # A pentagram shell: its edges' inner sides share the central pentagon, the hole.
        Polygon(np.c_[np.cos(_FIVE_TWO), np.sin(_FIVE_TWO)] * 10,
                [[(-1, -1), (-1, 1), (1, 1), (1, -1)]]),
    ]
    assert not _implies_valid(not_proven).any()


def _star_shell(angles: list[int], radii: list[int]) -> np.ndarray:
    """A star-shaped ring around (0, 0) with integer vertices (so some fall collinear)."""
    turn = np.sort(np.array(angles)) * (2 * np.pi / 360)
    size = np.array(radii[:len(angles)] + radii[:1] * (len(angles) - len(radii)) or [8.0])
    size = np.resize(size, len(angles))
    return np.round(np.c_[size * np.cos(turn), size * np.sin(turn)])


star_holes = st.builds(_star_shell, st.lists(st.integers(0, 359), min_size=3, max_size=8,
                                             unique=True), st.lists(st.integers(1, 5), max_size=8))
holes = st.tuples(st.one_of(grid_points, star_holes), st.integers(-5, 5), st.integers(-5, 5))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 359), min_size=3, max_size=12, unique=True),
                          st.lists(st.integers(6, 12), max_size=12),
                          st.lists(holes, min_size=1, max_size=2),
                          st.sampled_from(OFFSETS), st.sampled_from(SCALES)),
                min_size=1, max_size=8))
def test_random_holed_polygons_are_never_proven_wrongly(polygons):
    # Star-shaped shells around the origin; grid holes moved about it, so some lie inside,
    # some touch or cross the shell and some cross each other.
    geoms = []
    for angles, radii, hole_list, offset, scale in polygons:
        shell = _star_shell(angles, radii)
        rings = [np.array(points, dtype=float) + np.array([dx, dy]) for points, dx, dy in hole_list]
        geoms.append(Polygon(shell * scale + np.array(offset),
                             [r * scale + np.array(offset) for r in rings]))
    _implies_valid(geoms)


def test_non_finite_coordinates_are_not_proven():
    for bad in (np.nan, np.inf, -np.inf):
        for k in range(1, 4):   # not the first: GEOS closes a ring by comparing it
            ring = np.array([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])
            ring[k, k % 2] = bad
            with np.errstate(invalid="ignore"):
                square = shapely.polygons(np.vstack([ring, ring[:1]]))
            assert not _implies_valid([square, box(0, 0, 1, 1)])[0]
    huge = box(-1e308, -1e308, 1e308, 1e308)           # differences overflow to ∞
    _implies_valid([huge])
    # Products of 1e300 are finite, but the centroid's moments overflow: a NaN centre
    # must not pass for a certain one.
    crossed = Polygon(np.array([(1, 1), (1, 0), (0, 2), (0, 0)]) * 1e150)
    assert not _implies_valid([crossed])[0]


def test_the_common_shapes_are_proven():
    rng = np.random.default_rng(14)
    shapes = {kind: [building(rng, 4e5 + 40 * i, 3.4e6, 25, kind) for i in range(200)]
              for kind in ("rect", "L", "T", "U", "court")}
    shapes["parcel"] = [concave_parcel(rng, 4e5 + 300 * i, 3.4e6, 200) for i in range(400)]
    shapes["one-part multipolygon"] = [shapely.MultiPolygon([g]) for g in shapes["L"]]
    shapes["clockwise"] = [g.reverse() for g in shapes["T"]]
    for kind, geoms in shapes.items():
        proven = _implies_valid(geoms)
        assert proven.mean() >= (0.98 if kind == "parcel" else 1.0), (kind, proven.mean())


def test_a_ring_of_many_vertices_is_proven_from_its_centre():
    angles = np.linspace(0, 2 * np.pi, 5000, endpoint=False)
    radius = 100 + 5 * np.sin(7 * angles)
    flower = Polygon(np.c_[radius * np.cos(angles), radius * np.sin(angles)] + (4e5, 3.4e6))
    assert len(flower.exterior.coords) - 1 > validity.MAX_PAIR_EDGES
    assert _implies_valid([flower]).all()


@pytest.mark.parametrize("threads", [1, 2])
def test_blocks_and_threads_give_the_same_answer(monkeypatch, threads):
    rng = np.random.default_rng(7)
    geoms = np.array([building(rng, 30 * i, 0, 20) for i in range(60)]
                     + [bow_tie(concave_parcel(rng, 0, 100 * i, 80)) for i in range(20)]
                     + [None, Polygon()], dtype=object)
    rng.shuffle(geoms)
    whole = certainly_valid(geoms, threads=1)
    monkeypatch.setattr(validity, "BLOCK", 7)
    assert (certainly_valid(geoms, threads=threads) == whole).all()
    assert whole.sum() >= 40


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-8, 8), min_size=6, max_size=6), st.sampled_from(OFFSETS),
       st.sampled_from(SCALES), st.integers(-2, 2))
def test_a_certain_orientation_is_the_exact_one(ints, offset, scale, ulps):
    ax, ay, bx, by, cx, cy = (np.array([v * scale + offset[k % 2]]) for k, v in enumerate(ints))
    cy = np.nextafter(cy, np.sign(ulps) * np.inf) if ulps else cy
    sign = int(orientation_sign(ax, ay, bx, by, cx, cy)[0])
    a, b, c = ((Fraction(float(px[0])), Fraction(float(py[0])))
               for px, py in ((ax, ay), (bx, by), (cx, cy)))
    exact = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    if sign:
        assert sign == (1 if exact > 0 else -1)
    if exact == 0:
        assert sign == 0


def _exact_orientation(a: tuple[float, float], b: tuple[float, float],
                       c: tuple[float, float]) -> int:
    ax, ay, bx, by, cx, cy = (Fraction(v) for v in (*a, *b, *c))
    det = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    return (det > 0) - (det < 0)


def test_the_filter_is_not_fooled_where_plain_floating_point_is():
    # Kettner et al., "Classroom examples of robustness problems in geometric computations"
    # (2008): points a few units in the last place from (0.5, 0.5), against the line through
    # (12, 12) and (24, 24); the plain determinant's sign is wrong for many of them.
    steps = np.arange(0, 256, 4) * 2.0**-53
    px, py = (v.ravel() for v in np.meshgrid(0.5 + steps, 0.5 + steps))
    q, r = np.full_like(px, 12.0), np.full_like(px, 24.0)
    sign = orientation_sign(px, py, q, q, r, r)
    plain = np.sign((q - px) * (r - py) - (q - py) * (r - px))
    exact = np.array([_exact_orientation((x, y), (12.0, 12.0), (24.0, 24.0))
                      for x, y in zip(px.tolist(), py.tolist(), strict=True)])
    assert (plain != exact).any()                    # the trap is there
    certain = sign != 0
    assert (sign[certain] == exact[certain]).all()
    assert certain.any()


def test_orientations_whose_products_underflow_are_never_certain():
    # Shewchuk's bound assumes no underflow: a determinant below the smallest normal double
    # is left undecided, though its rounded value here has the right sign.
    a, b, c = (0.0, 0.0), (3e-162, 1e-162), (1e-162, 3e-162)
    args = (np.array([v]) for v in (*a, *b, *c))
    assert orientation_sign(*args).tolist() == [0]
    assert _exact_orientation(a, b, c) == 1
