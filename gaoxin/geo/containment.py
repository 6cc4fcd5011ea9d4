"""Prove "A lies inside B" for millions of small pairs with array arithmetic, not GEOS.

Plot ratio asks, for ~3 candidate parcels of each of millions of buildings, whether the
building lies wholly inside the parcel. GEOS answers one pair at a time (~1 µs each on
quadrilaterals, ~3.4 µs on 17-vertex parcels whose prepared index is built on first use),
and a prepared parcel must stay in one thread (its index is built lazily), so at 1M
parcels that test alone took 2.5–5 s. Here most pairs are settled in bulk by sufficient
conditions, for B any simple polygon without holes (convex or concave, as real cadastral
parcels are):

1. A's bounding box lies in B's interior: B's boundary misses the box (each edge of B lies
   beyond one side of the box, or has all four corners strictly on one side of its line)
   and one corner of the box is inside B (crossing number). The box is connected and
   contains A, so A is inside. No vertex of A is read.
2. Else A's exterior ring lies in B's interior: no edge of A meets an edge of B (two
   segments are apart when the ends of one lie strictly on one side of the other's line;
   segments that meet always straddle each other's lines), and A's first vertex is inside
   B. A connected curve that never meets B's boundary stays on one side of it, and all it
   encloses is inside too (B has no holes). Holes of A lie inside its exterior ring.

Pairs neither test proves go to GEOS, so the result is exactly GEOS's
``contains_properly`` (tests check that nothing is proven which GEOS denies, on
concave, holed, rotated and invalid shapes). B must be valid (the loaders repair layers).

Floating point: every side test needs a margin larger than the rounding error of the
cross product. With A inside B's bounding box (checked first, cheaply) and coordinates
taken relative to B's first vertex, every difference is at most 2·L (L = B's longer bbox
side) and correctly rounded, so the error stays below about 64·ε·L² ≈ 1.4e-14·L²; the
margin used is 1e-10·L², so a vertex within about 1e-10·L of an edge line (1e-8 m for a
100 m parcel) is left to GEOS. Coordinate comparisons (box against edge ends) are exact:
subtracting one origin is monotonic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import shapely

from .arrays import BoolArray, FloatArray, GeometryArray, IntArray
from .parallel import THREADS, scatter_jobs

_BUCKETS = np.array([4, 6, 8, 12, 16, 24, 32])   # vertex / edge counts, padded up
_MARGIN = 1e-10
_CHUNK = 100_000
# Pairs per box job: each holds ~(kb + 1) × 8 floats per pair (~1 KB at kb 32) while it
# runs; smaller jobs keep that off the peak (the proofs do not depend on the job size).
_BOX_CHUNK = 25_000
_SHELL_BLOCK = 500_000   # pairs whose buildings' shells are copied at a time


def ring_starts(counts: IntArray) -> IntArray:
    """Offset of each geometry's first coordinate in ``shapely.get_coordinates`` output.

    Examples
    --------
    >>> ring_starts(np.array([5, 4, 6])).tolist()
    [0, 5, 9]
    """
    starts: IntArray = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
    return starts


def certainly_inside(a: GeometryArray, b: GeometryArray, pair_a: IntArray, pair_b: IntArray,
                     *, threads: int = THREADS) -> BoolArray:
    """For each pair (``a[pair_a[i]]``, ``b[pair_b[i]]``): True when A is proven inside B.

    True implies ``shapely.contains_properly(B, A)``; False means "not proven" (A may still
    be inside: ask GEOS). Only valid Polygons B without holes and with at most 32 edges are
    tried, and for the ring test only Polygons A with at most 32 exterior vertices; others
    are never proven.

    Parameters
    ----------
    a, b
        Geometry arrays (A any polygonal geometry, B the containers), one projected CRS.
    pair_a, pair_b
        Positions into ``a`` and ``b`` of the candidate pairs.
    threads
        Threads for the arithmetic (NumPy releases the GIL on large arrays).

    Examples
    --------
    >>> square = shapely.Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
    >>> notched = shapely.Polygon([(0, 0), (100, 0), (50, 10), (0, 100)])   # concave
    >>> parcels = np.array([square, notched])
    >>> houses = np.array([shapely.box(10, 20, 30, 40), shapely.box(90, 90, 110, 110),
    ...                    shapely.box(60, 20, 70, 30)])
    >>> pa, pb = np.array([0, 1, 0, 2]), np.array([0, 0, 1, 1])
    >>> certainly_inside(houses, parcels, pa, pb).tolist()
    [True, False, True, False]
    >>> shapely.contains_properly(parcels[pb], houses[pa]).tolist()
    [True, False, True, False]
    """
    out: BoolArray = np.zeros(len(pair_a), dtype=bool)
    if not len(pair_a):
        return out
    b_count = shapely.get_num_coordinates(b)
    usable_b = ((shapely.get_type_id(b) == 3) & (shapely.get_num_interior_rings(b) == 0)
                & (b_count >= 4) & (b_count - 1 <= _BUCKETS[-1]))
    if not usable_b[pair_b].any():
        return out
    bb = shapely.bounds(b)
    ab = shapely.bounds(a)
    need_b = np.flatnonzero(usable_b)
    b_start = np.zeros(len(b), dtype=np.int64)
    b_start[need_b] = ring_starts(b_count[need_b])
    rx, ry, area2, origin = _rings_relative(b, need_b, b_count, b_start)
    size = np.fmax(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1])
    tol = _MARGIN * size * size
    usable_b &= np.abs(area2) > tol                    # no degenerate rings
    b_bucket = np.searchsorted(_BUCKETS, b_count - 1)
    pa, pb = pair_a, pair_b

    def ring_b(ib: IntArray, kb: int) -> tuple[FloatArray, FloatArray, BoolArray]:
        """B's closed ring relative to its first vertex, (m, kb + 1), padded by repeating
        the closing vertex, and the mask of its real edges (m, kb)."""
        vb = b_start[ib, None] + np.minimum(np.arange(kb + 1), b_count[ib, None] - 1)
        return rx[vb], ry[vb], np.arange(kb) < (b_count[ib, None] - 1)

    # Stage 1, per chunk of pairs (in threads): A's bbox strictly inside B's, then the bbox
    # itself (it contains A) proven inside B (:func:`_prove_boxes`): no vertex of A is read.
    # Codes: 0 not tried, 1 tried and not proven, 2 proven.
    def prove_box(job: tuple[IntArray]) -> tuple[IntArray, npt.NDArray[np.int8]]:
        idx = job[0]
        ia, ib = pa[idx], pb[idx]
        a_box, b_box = ab[ia], bb[ib]
        tried = ((a_box[:, 0] > b_box[:, 0]) & (a_box[:, 1] > b_box[:, 1])
                 & (a_box[:, 2] < b_box[:, 2]) & (a_box[:, 3] < b_box[:, 3]))
        kb = int(_BUCKETS[b_bucket[ib].max()])
        box = a_box - np.tile(origin[ib], 2)
        proven = _prove_boxes(box, *ring_b(ib, kb), tol[ib])
        return idx, tried.astype(np.int8) * (1 + proven)

    tried = np.flatnonzero(usable_b[pb])
    buckets = b_bucket[pb[tried]]
    if buckets.min() != buckets.max():   # chunks of one padding size
        tried = tried[np.argsort(buckets, kind="stable")]
    code = np.zeros(len(pa), dtype=np.int8)
    scatter_jobs(prove_box, [(tried[s:s + _BOX_CHUNK],)
                             for s in range(0, len(tried), _BOX_CHUNK)],
                 code, threads)
    out = code == 2

    # Stage 2, for A whose box was not enough (rotated, L-shaped, or B concave): A's
    # exterior ring crosses no edge of B and its first vertex lies inside B (see
    # :func:`_prove_rings`). A's holes lie inside its exterior ring and need no test.
    again = np.flatnonzero(code == 1)
    again = again[shapely.get_type_id(a[pa[again]]) == 3] if len(again) else again
    if not len(again):
        return out
    # Buildings' shells and coordinates are taken a block of pairs at a time, so at 3M
    # buildings they are not all copied at once (the proofs are the same).
    for s in range(0, len(again), _SHELL_BLOCK):
        _prove_shells(a, pa, pb, again[s:s + _SHELL_BLOCK], ring_b, origin, tol, b_bucket,
                      out, threads)
    return out


def _prove_shells(a: GeometryArray, pa: IntArray, pb: IntArray, again: IntArray,
                  ring_b: Callable[[IntArray, int], tuple[FloatArray, FloatArray, BoolArray]],
                  origin: FloatArray, tol: FloatArray, b_bucket: IntArray, out: BoolArray,
                  threads: int) -> None:
    """Stage 2 of :func:`certainly_inside` on the pairs ``again``: ``out`` set where A's
    exterior ring is proven inside B (:func:`_prove_rings`)."""
    need_a, local = np.unique(pa[again], return_inverse=True)
    shells = shapely.get_exterior_ring(a[need_a])
    a_count = shapely.get_num_coordinates(shells)
    a_verts = a_count - 1           # every ring is closed: the last coordinate repeats one
    fits = (a_verts[local] >= 3) & (a_verts[local] <= _BUCKETS[-1])
    again, local = again[fits], local[fits]
    if not len(again):
        return
    a_xy = shapely.get_coordinates(shells)
    a_start = ring_starts(a_count)

    def prove_rings(job: tuple[IntArray, IntArray, int, int]) -> tuple[IntArray, BoolArray]:
        idx, ia, ka, kb = job
        ib = pb[idx]
        ox, oy = origin[ib, 0:1], origin[ib, 1:2]
        # A's ring closed, ka + 1 slots; padding repeats the closing vertex.
        va = a_start[ia, None] + np.minimum(np.arange(ka + 1), a_verts[ia, None])
        real_a = np.arange(ka) < a_verts[ia, None]
        return idx, _prove_rings(a_xy[va, 0] - ox, a_xy[va, 1] - oy, *ring_b(ib, kb),
                                 real_a, tol[ib])

    key = np.searchsorted(_BUCKETS, a_verts[local]) * len(_BUCKETS) + b_bucket[pb[again]]
    jobs: list[tuple[IntArray, IntArray, int, int]] = []
    for k in np.unique(key):
        sel = np.flatnonzero(key == k)
        ka, kb = int(_BUCKETS[k // len(_BUCKETS)]), int(_BUCKETS[k % len(_BUCKETS)])
        step = max(1, _CHUNK * 8 // (ka * kb))
        jobs += [(again[sel[s:s + step]], local[sel[s:s + step]], ka, kb)
                 for s in range(0, len(sel), step)]
    scatter_jobs(prove_rings, jobs, out, threads)


_RING_BLOCK = 8_192


def _rings_relative(b: GeometryArray, need_b: IntArray, b_count: IntArray, b_start: IntArray
                    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """B's ring coordinates relative to each ring's first vertex (rx, ry: one per
    coordinate, at ``b_start``), twice each ring's signed area, and each first vertex.

    Per coordinate c of B's ring: the edge c → c+1 (ex, ey) and the cross product of the
    vertex (relative to the ring's first vertex, which keeps every term near L²) with it.
    Built ``_RING_BLOCK`` polygons at a time, so only rx and ry span the whole layer (at
    1M parcels the whole-layer temporaries took ~1 GB); every value is the same as
    computed in one go (each ring's sum is over its own terms only).
    """
    total = int(b_count[need_b].sum())
    rx, ry = np.empty(total), np.empty(total)
    area2 = np.zeros(len(b))
    origin = np.zeros((len(b), 2))
    for s in range(0, len(need_b), _RING_BLOCK):
        block = need_b[s:s + _RING_BLOCK]
        counts = b_count[block]
        b_xy = shapely.get_coordinates(b[block])
        local = ring_starts(counts)
        lo = int(b_start[block[0]])
        hi = lo + len(b_xy)
        first = np.repeat(local, counts)
        brx = rx[lo:hi]
        bry = ry[lo:hi]
        np.subtract(b_xy[:, 0], b_xy[first, 0], out=brx)
        np.subtract(b_xy[:, 1], b_xy[first, 1], out=bry)
        ex, ey = np.zeros(len(b_xy)), np.zeros(len(b_xy))
        ex[:-1], ey[:-1] = np.diff(b_xy[:, 0]), np.diff(b_xy[:, 1])
        ends = local + counts - 1
        ex[ends] = ey[ends] = 0.0                      # no edge across two rings
        term = brx * ey - ex * bry
        area2[block] = np.add.reduceat(term, local)    # twice the signed area
        origin[block] = b_xy[local]
    return rx, ry, area2, origin


def _crossings_odd(y: FloatArray, side: FloatArray, by: FloatArray, real_b: BoolArray,
                   tol: FloatArray) -> BoolArray:
    """A point at height y (m, 1) inside ring B by the crossing number of a ray to +x, when every
    edge the ray's line meets is decided: ``side`` (m, kb) is cross(B edge, point − start).

    An edge spans the point's y half-open; it is crossed right of the point when the point
    lies left of an upward edge or right of a downward one. False when undecided.
    """
    spans = (by[:, :-1] > y) != (by[:, 1:] > y)
    up = by[:, 1:] > by[:, :-1]
    right = np.where(up, side > 0, side < 0)
    decided = (~spans | ~real_b | (np.abs(side) > tol[:, None])).all(axis=1)
    odd: BoolArray = decided & ((spans & right & real_b).sum(axis=1) % 2 == 1)
    return odd


def _prove_boxes(box: FloatArray, bx: FloatArray, by: FloatArray, real_b: BoolArray,
                 tol: FloatArray) -> BoolArray:
    """Box (m, 4: x0, y0, x1, y1) provably in the interior of simple ring B (m, kb + 1).

    Sufficient: B's boundary misses the box — each edge either lies beyond one of the
    box's sides (coordinates compared exactly) or has all four corners strictly on one
    side of its line (the least and greatest of ex·(y − uy) − ey·(x − ux) over the corners
    {x0, x1} × {y0, y1}) — and the box's corner (x0, y0) is inside B. A connected box that
    B's boundary misses lies wholly on the side of that corner.
    """
    x0, y0, x1, y1 = box[:, 0:1], box[:, 1:2], box[:, 2:3], box[:, 3:4]
    ux, uy, vx, vy = bx[:, :-1], by[:, :-1], bx[:, 1:], by[:, 1:]
    left = (ux < x0) & (vx < x0)
    right = (ux > x1) & (vx > x1)
    clear = left | right | ~real_b
    clear |= ((uy < y0) & (vy < y0)) | ((uy > y1) & (vy > y1))
    # The ray from (x0, y0) to +x crosses an edge spanning y0 right of the corner when the
    # edge lies right of the box, never when it lies left of it; only the other spanning
    # edges, and the edges no coordinate clears, need arithmetic — a few per pair, so they
    # are gathered rather than computed for every edge.
    spans = real_b & ((uy > y0) != (vy > y0))
    crossed = spans & right
    row, col = np.nonzero(~clear | (spans & ~left & ~right))
    if len(row):
        gx0, gy0, gx1, gy1 = x0[row, 0], y0[row, 0], x1[row, 0], y1[row, 0]
        eux, euy = ux[row, col], uy[row, col]
        ex, ey = vx[row, col] - eux, vy[row, col] - euy
        a0, a1 = ex * (gy0 - euy), ex * (gy1 - euy)
        b0, b1 = ey * (gx0 - eux), ey * (gx1 - eux)
        t = tol[row]
        clear[row, col] |= ((np.minimum(a0, a1) - np.maximum(b0, b1) > t)
                            | (np.maximum(a0, a1) - np.minimum(b0, b1) < -t))
        side = a0 - b0
        on_span = spans[row, col]
        up = vy[row, col] > euy
        crossed[row, col] |= on_span & np.where(up, side > 0, side < 0)
        # A spanning edge whose side of the corner is within the margin: undecided.
        clear[row, col] &= ~on_span | (np.abs(side) > t)
    inside: BoolArray = clear.all(axis=1) & (crossed.sum(axis=1) % 2 == 1)
    return inside


def _prove_rings(ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray,
                 real_b: BoolArray, real_a: BoolArray, tol: FloatArray) -> BoolArray:
    """Ring A (m, ka+1 closed vertices) provably in the interior of simple ring B (m, kb+1).

    Sufficient, for a simple ring B (any shape, convex or not) and a closed curve A:

    1. no edge of A meets an edge of B — two segments are apart when the end points of one
       lie strictly on one side of the other's line (by more than ``tol``), and segments
       that meet always straddle each other's lines;
    2. A's first vertex is inside B — the crossing number of a ray to +x over B's edges,
       every side decided by more than ``tol``.

    ``real_a`` / ``real_b`` (m, ka) / (m, kb) mark real edges; padded ones are degenerate
    (a repeated vertex) and take no part.

    Then A, a connected curve that never meets B's boundary, lies wholly on the side of
    its first vertex: B's interior; so does all it encloses (B has no holes).
    """
    # side_ab[m, i, j]: cross(B edge j, A vertex i − B vertex j); side_ba[m, j, i] likewise.
    ebx, eby = (bx[:, 1:] - bx[:, :-1])[:, None, :], (by[:, 1:] - by[:, :-1])[:, None, :]
    side_ab = ebx * (ay[:, :, None] - by[:, None, :-1])
    side_ab -= eby * (ax[:, :, None] - bx[:, None, :-1])
    eax, eay = (ax[:, 1:] - ax[:, :-1])[:, None, :], (ay[:, 1:] - ay[:, :-1])[:, None, :]
    side_ba = eax * (by[:, :, None] - ay[:, None, :-1])
    side_ba -= eay * (bx[:, :, None] - ax[:, None, :-1])
    t = tol[:, None, None]
    pos_ab, neg_ab = side_ab > t, side_ab < -t
    pos_ba, neg_ba = side_ba > t, side_ba < -t
    # A's edge i (vertices i, i+1) against B's edge j: A's ends on one side of B's line,
    # or B's ends (j, j+1) on one side of A's line.
    by_b_line = (pos_ab[:, :-1, :] & pos_ab[:, 1:, :]) | (neg_ab[:, :-1, :] & neg_ab[:, 1:, :])
    by_a_line = ((pos_ba[:, :-1, :] & pos_ba[:, 1:, :])
                 | (neg_ba[:, :-1, :] & neg_ba[:, 1:, :])).transpose(0, 2, 1)
    padded = ~real_a[:, :, None] | ~real_b[:, None, :]
    apart = (by_b_line | by_a_line | padded).all(axis=(1, 2))
    inside: BoolArray = apart & _crossings_odd(ay[:, :1], side_ab[:, 0, :], by, real_b, tol)
    return inside
