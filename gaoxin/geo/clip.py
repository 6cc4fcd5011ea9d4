"""Area of A ∩ B for many small polygon pairs: array arithmetic for convex pairs, GEOS else.

Plot ratio needs only the *area* of each building piece on each parcel. GEOS computes the
intersection geometry first (OverlayNG: noding, a graph, ~10–20 µs per pair even for two
quadrilaterals), which made the ~300,000 straddling pairs of 1M parcels the largest single
cost. For two convex polygons the area follows from Green's theorem without building any
geometry: the boundary of A ∩ B is made of the parts of A's edges inside B and the parts
of B's edges inside A, and a segment p→q contributes ½·(p × q). Clipping an edge to a
convex polygon is one parameter interval [t_lo, t_hi] (Cyrus–Beck), read off the signed
distances of its two end points to each edge line — so the contribution of edge
a_i→a_{i+1} is ½·(t_hi − t_lo)·(a_i × a_{i+1}).

The arithmetic is only trusted when no decision can flip: both polygons strictly convex
and no vertex of one within the rounding margin of an edge line of the other (no touching,
no shared or collinear edges). Every other pair — shared edges, concave or large shapes,
holes, multi-part — gets ``shapely.intersection(...).area``. Tests compare against GEOS
on random convex pairs and on the degenerate cases.
"""

from __future__ import annotations

import numpy as np
import shapely

from .arrays import BoolArray, FloatArray, GeometryArray, IntArray
from .containment import ring_starts
from .parallel import THREADS, chunked, scatter_jobs

_BUCKETS = np.array([4, 6, 8, 12, 16])   # distinct-vertex counts, padded up to these
_MARGIN = 1e-10
_CHUNK = 50_000


def _usable(g: GeometryArray) -> tuple[BoolArray, IntArray]:
    """Polygons without holes and at most 16 distinct vertices; their vertex counts."""
    count = shapely.get_num_coordinates(g) - 1     # the closing coordinate repeats the first
    ok = ((shapely.get_type_id(g) == 3) & (shapely.get_num_interior_rings(g) == 0)
          & (count >= 3) & (count <= _BUCKETS[-1]))
    return ok, count


def _vertices(xy: FloatArray, start: IntArray, n: IntArray, k: int, ox: FloatArray,
              oy: FloatArray
              ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray, IntArray]:
    """(m, k) vertices and next vertices relative to the origin, the mask of real slots and
    each slot's following slot; padded slots repeat edge 0."""
    slot = np.arange(k)
    valid = slot < n[:, None]
    following = np.where(valid, (slot + 1) % n[:, None], 1)
    here = start[:, None] + np.where(valid, slot, 0)
    after = start[:, None] + following
    return (xy[here, 0] - ox, xy[here, 1] - oy, xy[after, 0] - ox, xy[after, 1] - oy, valid,
            following)


def _side(px: FloatArray, py: FloatArray, qx: FloatArray, qy: FloatArray,
          vx: FloatArray, vy: FloatArray) -> FloatArray:
    """cross(q − p, v − p) for every vertex v (axis 1) and edge p→q (axis 2): (m, kv, ke)."""
    ex, ey = (qx - px)[:, None, :], (qy - py)[:, None, :]
    side: FloatArray = ex * (vy[:, :, None] - py[:, None, :]) - ey * (vx[:, :, None]
                                                                      - px[:, None, :])
    return side


def _clipped_sum(near: FloatArray, far: FloatArray, x: FloatArray, y: FloatArray,
                 x2: FloatArray, y2: FloatArray, valid: BoolArray) -> FloatArray:
    """½ Σ over edges of (length kept inside the other polygon) × (p × q)."""
    enter = (near < 0) & (far >= 0)
    leave = (near >= 0) & (far < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = near / (near - far)
    lo = np.where(enter, t, 0.0).max(axis=2)
    hi = np.where(leave, t, 1.0).min(axis=2)
    out = ((near < 0) & (far < 0)).any(axis=2)
    kept = np.where(out | ~valid, 0.0, np.clip(hi - lo, 0.0, None))
    doubled: FloatArray = (kept * (x * y2 - x2 * y)).sum(axis=1)
    return 0.5 * doubled


def intersection_area(a: GeometryArray, b: GeometryArray, *, threads: int = THREADS
                      ) -> FloatArray:
    """Planar area of ``a[i] ∩ b[i]`` for each i (same projected CRS).

    Examples
    --------
    >>> a = np.array([shapely.box(0, 0, 10, 10), shapely.box(0, 0, 10, 10)])
    >>> b = np.array([shapely.Polygon([(5, -3), (13, 5), (5, 13), (-3, 5)]),
    ...               shapely.box(10, 0, 20, 10)])          # the second only touches
    >>> intersection_area(a, b).round(9).tolist()   # 100 less four 2 m² corners
    [92.0, 0.0]
    """
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    area = np.full(len(a), np.nan)
    if not len(a):
        return area
    ok_a, na = _usable(a)
    ok_b, nb = _usable(b)
    fast = np.flatnonzero(ok_a & ok_b)
    if len(fast):
        area[fast] = _convex_pairs(a[fast], b[fast], na[fast], nb[fast], threads)
    slow = np.flatnonzero(np.isnan(area))
    if len(slow):
        area[slow] = shapely.area(chunked(shapely.intersection, a[slow], b[slow],
                                          threads=threads))
    return area


def _convex_pairs(a: GeometryArray, b: GeometryArray, na: IntArray, nb: IntArray,
                  threads: int) -> FloatArray:
    """Areas of convex pairs; NaN where a decision is not certain (GEOS decides)."""
    a_xy, b_xy = shapely.get_coordinates(a), shapely.get_coordinates(b)
    a_start, b_start = ring_starts(na + 1), ring_starts(nb + 1)
    ba, bb = shapely.bounds(a), shapely.bounds(b)
    size = np.fmax(np.fmax(ba[:, 2], bb[:, 2]) - np.fmin(ba[:, 0], bb[:, 0]),
                   np.fmax(ba[:, 3], bb[:, 3]) - np.fmin(ba[:, 1], bb[:, 1]))
    tol = _MARGIN * size * size
    out = np.full(len(a), np.nan)
    ka_bucket = np.searchsorted(_BUCKETS, na)
    kb_bucket = np.searchsorted(_BUCKETS, nb)
    jobs = []
    for i, ka in enumerate(_BUCKETS):
        for j, kb in enumerate(_BUCKETS):
            idx = np.flatnonzero((ka_bucket == i) & (kb_bucket == j))
            step = max(1, _CHUNK * 16 // int(ka * kb))
            jobs += [(idx[s:s + step], int(ka), int(kb)) for s in range(0, len(idx), step)]

    def solve(job: tuple[IntArray, int, int]) -> tuple[IntArray, FloatArray]:
        idx, ka, kb = job
        # Origin: B's first vertex, so every term is of the pair's size, not the CRS's.
        ox, oy = b_xy[b_start[idx], 0][:, None], b_xy[b_start[idx], 1][:, None]
        ax, ay, ax2, ay2, av, a_next = _vertices(a_xy, a_start[idx], na[idx], ka, ox, oy)
        bx, by, bx2, by2, bv, b_next = _vertices(b_xy, b_start[idx], nb[idx], kb, ox, oy)
        # Orientation (twice the signed area) makes every ring counter-clockwise below.
        sa = np.sign(0.5 * np.where(av, ax * ay2 - ax2 * ay, 0.0).sum(axis=1))[:, None]
        sb = np.sign(0.5 * np.where(bv, bx * by2 - bx2 * by, 0.0).sum(axis=1))[:, None]
        t = tol[idx][:, None, None]
        a_on_b = _side(bx, by, bx2, by2, ax, ay) * sb[:, :, None]        # (m, ka, kb)
        a2_on_b = np.take_along_axis(a_on_b, a_next[:, :, None], axis=1)   # next vertices
        b_on_a = _side(ax, ay, ax2, ay2, bx, by) * sa[:, :, None]        # (m, kb, ka)
        b2_on_a = np.take_along_axis(b_on_a, b_next[:, :, None], axis=1)
        # Strictly convex: every vertex strictly left of its own ring's other edge lines.
        own_a = _side(ax, ay, ax2, ay2, ax2, ay2) * sa[:, :, None]
        own_b = _side(bx, by, bx2, by2, bx2, by2) * sb[:, :, None]
        certain = ((np.abs(a_on_b) > t).all(axis=(1, 2)) & (np.abs(b_on_a) > t).all(axis=(1, 2))
                   & _convex(own_a, av, t) & _convex(own_b, bv, t)
                   & (sa[:, 0] != 0) & (sb[:, 0] != 0))
        area = (sa[:, 0] * _clipped_sum(a_on_b, a2_on_b, ax, ay, ax2, ay2, av)
                + sb[:, 0] * _clipped_sum(b_on_a, b2_on_a, bx, by, bx2, by2, bv))
        return idx, np.where(certain, area, np.nan)

    return scatter_jobs(solve, jobs, out, threads)


def _convex(own: FloatArray, valid: BoolArray, tol: FloatArray) -> BoolArray:
    """Every next-vertex strictly left of every other edge of its own ring (padding ignored).

    ``own[m, v, e]`` is the side of vertex v+1 relative to edge e; the pairs where v+1 is an
    end point of e (e = v or e = v+1) are zero by construction and skipped.
    """
    k = own.shape[1]
    v, e = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    n = valid.sum(axis=1)[:, None, None]
    touching = (e == v[None]) | (e == (v[None] + 1) % n)
    relevant = valid[:, :, None] & valid[:, None, :] & ~touching
    convex: BoolArray = (~relevant | (own > tol)).all(axis=(1, 2))
    return convex
