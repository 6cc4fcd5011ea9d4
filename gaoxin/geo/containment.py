"""Prove "A lies inside B" for millions of small pairs with array arithmetic, not GEOS.

Plot ratio asks, for ~3 candidate parcels of each of millions of buildings, whether the
building lies wholly inside the parcel. GEOS answers one pair at a time (~1 µs each, and
shapely holds the GIL for prepared predicates), so at 1M parcels that test alone took
2.5–5 s. Here most pairs are settled in bulk by a sufficient condition:

    every vertex of A lies strictly left of the line of every edge of B (B's ring
    oriented counter-clockwise) ⇒ A lies in the interior of B.

Why it holds for any simple ring B without holes, convex or not: a point strictly left of
every edge line sees each edge sweep a positive angle, so the angles sum to 2π·w with
w ≥ 1 and the point is inside (winding number ≠ 0). Half-planes are convex, so the whole
convex hull of A's vertices — which contains A — is left of every line, hence inside B,
and the strict margin keeps it off B's boundary. For a non-convex B the condition
describes B's kernel and often fails; pairs it does not prove go to GEOS, so the result is
exactly GEOS's ``contains_properly`` (tests check that nothing is proven which GEOS
denies).

Floating point: every comparison needs a margin larger than the rounding error of the
cross product. With A inside B's bounding box (checked first, cheaply) and coordinates
taken relative to B's first vertex, every difference is at most 2·L (L = B's longer bbox
side) and correctly rounded, so the error stays below about 64·ε·L² ≈ 1.4e-14·L²; the
margin used is 1e-10·L², so a vertex within about 1e-10·L of an edge line (1e-8 m for a
100 m parcel) is left to GEOS.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from .arrays import BoolArray, FloatArray, GeometryArray, IntArray
from .parallel import THREADS, scatter_jobs

_BUCKETS = np.array([4, 6, 8, 12, 16, 24, 32])   # vertex / edge counts, padded up
_MARGIN = 1e-10
_CHUNK = 100_000


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
    be inside: ask GEOS). Only Polygons B without holes and with at most 32 edges, and A
    with at most 32 coordinates, are tried; others are never proven.

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
    >>> parcels = np.array([shapely.Polygon([(0, 0), (100, 0), (100, 100), (0, 100)]),
    ...                     shapely.Polygon([(0, 0), (100, 0), (50, 10), (0, 100)])])
    >>> houses = np.array([shapely.box(10, 20, 30, 40), shapely.box(90, 90, 110, 110)])
    >>> certainly_inside(houses, parcels, np.array([0, 1, 0]), np.array([0, 0, 1])).tolist()
    [True, False, False]
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
    b_xy = shapely.get_coordinates(b[need_b])
    b_start = np.zeros(len(b), dtype=np.int64)
    b_start[need_b] = ring_starts(b_count[need_b])
    # Per coordinate c of B's ring: the edge c → c+1 (ex, ey) and the cross product of the
    # vertex (relative to the ring's first vertex, which keeps every term near L²) with it.
    first = np.repeat(b_start[need_b], b_count[need_b])
    rx, ry = b_xy[:, 0] - b_xy[first, 0], b_xy[:, 1] - b_xy[first, 1]
    ex, ey = np.zeros(len(b_xy)), np.zeros(len(b_xy))
    ex[:-1], ey[:-1] = np.diff(b_xy[:, 0]), np.diff(b_xy[:, 1])
    ends = b_start[need_b] + b_count[need_b] - 1
    ex[ends] = ey[ends] = 0.0                          # no edge across two rings
    term = rx * ey - ex * ry
    area2 = np.zeros(len(b))
    area2[need_b] = np.add.reduceat(term, b_start[need_b])   # twice the signed area
    size = np.fmax(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1])
    tol = _MARGIN * size * size
    usable_b &= np.abs(area2) > tol                    # no degenerate rings
    # s·cross(E, V − P) > tol  ⇔  s·ex·vy − s·ey·vx > −s·term + tol  (s: ring orientation)
    s_c = np.repeat(np.sign(area2[need_b]), b_count[need_b])
    edge_x, edge_y = ex * s_c, ey * s_c
    edge_limit = np.repeat(tol[need_b], b_count[need_b]) - s_c * term
    origin = np.zeros((len(b), 2))
    origin[need_b] = b_xy[b_start[need_b]]
    b_bucket = np.searchsorted(_BUCKETS, b_count - 1)
    pa, pb = pair_a, pair_b

    def edges(ib: IntArray, kb: int) -> tuple[FloatArray, ...]:
        """B's edges (ex, ey, limit), padded to ``kb`` by repeating the last, and origin."""
        eb = b_start[ib, None] + np.minimum(np.arange(kb), b_count[ib, None] - 2)
        return (edge_x[eb], edge_y[eb], edge_limit[eb], origin[ib, 0:1], origin[ib, 1:2])

    # Stage 1, per chunk of pairs (in threads): A's bbox strictly inside B's, then the bbox
    # itself (it contains A) proven inside B. Over the corners {x0, x1} × {y0, y1} the least
    # ex·y − ey·x is min(ex·y0, ex·y1) − max(ey·x0, ey·x1): no vertex of A is read.
    # Codes: 0 not tried, 1 tried and not proven, 2 proven.
    def prove_box(job: tuple[IntArray]) -> tuple[IntArray, npt.NDArray[np.int8]]:
        idx = job[0]
        ia, ib = pa[idx], pb[idx]
        a_box, b_box = ab[ia], bb[ib]
        tried = ((a_box[:, 0] > b_box[:, 0]) & (a_box[:, 1] > b_box[:, 1])
                 & (a_box[:, 2] < b_box[:, 2]) & (a_box[:, 3] < b_box[:, 3]))
        kb = int(_BUCKETS[b_bucket[ib].max()])
        ex, ey, limit, ox, oy = edges(ib, kb)
        x0, y0 = a_box[:, 0:1] - ox, a_box[:, 1:2] - oy
        x1, y1 = a_box[:, 2:3] - ox, a_box[:, 3:4] - oy
        least = np.minimum(ex * y0, ex * y1)
        least -= np.maximum(ey * x0, ey * x1)
        return idx, tried.astype(np.int8) * (1 + (least > limit).all(axis=1))

    tried = np.flatnonzero(usable_b[pb])
    buckets = b_bucket[pb[tried]]
    if buckets.min() != buckets.max():   # chunks of one padding size
        tried = tried[np.argsort(buckets, kind="stable")]
    code = np.zeros(len(pa), dtype=np.int8)
    scatter_jobs(prove_box, [(tried[s:s + _CHUNK],) for s in range(0, len(tried), _CHUNK)],
                 code, threads)
    out = code == 2

    # Stage 2: the vertices of small A whose box was not enough (rotated or L-shaped A
    # near an edge of B).
    again = np.flatnonzero(code == 1)
    if not len(again):
        return out
    need_a = np.flatnonzero(np.bincount(pa[again], minlength=len(a)))
    a_count = np.zeros(len(a), dtype=np.int64)
    a_count[need_a] = shapely.get_num_coordinates(a[need_a])
    a_verts = a_count - 1           # every ring is closed: the last coordinate repeats one
    again = again[(a_verts[pa[again]] >= 1) & (a_verts[pa[again]] <= _BUCKETS[-1])]
    if not len(again):
        return out
    need_a = np.flatnonzero(np.bincount(pa[again], minlength=len(a)))
    a_xy = shapely.get_coordinates(a[need_a])
    a_start = np.zeros(len(a), dtype=np.int64)
    a_start[need_a] = ring_starts(a_count[need_a])

    def prove_vertices(job: tuple[IntArray, int, int]) -> tuple[IntArray, BoolArray]:
        idx, ka, kb = job
        ia, ib = pa[idx], pb[idx]
        ex, ey, limit, ox, oy = edges(ib, kb)
        va = a_start[ia, None] + np.minimum(np.arange(ka), a_verts[ia, None] - 1)
        vx, vy = a_xy[va, 0] - ox, a_xy[va, 1] - oy
        cross = ex[:, None, :] * vy[:, :, None]
        cross -= ey[:, None, :] * vx[:, :, None]
        return idx, (cross > limit[:, None, :]).all(axis=(1, 2))

    key = (np.searchsorted(_BUCKETS, a_verts[pa[again]]) * len(_BUCKETS)
           + b_bucket[pb[again]])
    jobs2 = []
    for k in np.unique(key):
        sel = again[key == k]
        ka, kb = int(_BUCKETS[k // len(_BUCKETS)]), int(_BUCKETS[k % len(_BUCKETS)])
        step = max(1, _CHUNK * 16 // (ka * kb))
        jobs2 += [(sel[s:s + step], ka, kb) for s in range(0, len(sel), step)]
    scatter_jobs(prove_vertices, jobs2, out, threads)
    return out

