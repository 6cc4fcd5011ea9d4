"""An exact, cheap certificate of validity for one-ring polygons, before GEOS decides the rest.

GEOS ``is_valid`` builds a topology graph for every geometry: at 1M parcels and 3M
buildings it is the largest CPU item of a load. Most features of a real layer are simple
rings — rectangles, L/T/U outlines, cadastral parcels — whose validity a few array operations
can prove. :func:`certainly_valid` proves it where it can and answers ``False`` ("not
proven", never "invalid") elsewhere; GEOS then judges only those.

A Polygon with no hole (or a MultiPolygon of one such part) is valid, in the OGC sense GEOS
applies, exactly when its coordinates are finite (x and y; GEOS ignores z) and its ring is
closed and simple with at least three distinct vertices; with one hole, when both rings are
and the hole lies inside the shell touching nothing. The proofs are built from exact
comparisons and orientation signs that are certain:

Star proof (any number of vertices)
    Take a point O (the ring's area centroid). If every edge turns strictly the same way
    about O and the ring passes the horizontal ray right of O exactly once, the vertices
    lie at strictly increasing angles about O through one turn: each edge stays inside its
    own wedge, meets its neighbours only at their shared vertex and no other edge at all.
    Passes are counted by comparing y with O's y (exact), half-open so a vertex on the ray
    counts once. Convex rings, L and T shapes and most parcels pass.
Pair proof (up to :data:`MAX_PAIR_EDGES` edges, where the star proof fails)
    Every three consecutive vertices turn (so adjacent edges meet only at their shared
    vertex), and every two non-adjacent edges are disjoint: their bounding boxes are
    separated (exact comparisons), or both ends of one lie strictly on one side of the
    other's line. U shapes and zig-zagging parcels, which no point sees whole, pass this one.
One hole (see :func:`_one_hole_proof`)
    Shell and hole star-proven, every hole vertex certainly strictly inside every shell
    edge's half-plane. Courtyards pass.

Orientation signs use Shewchuk's fast filter: for ``det = (bx-ax)(cy-ay) - (by-ay)(cx-ax)``
computed in double precision, the sign is certain when
``|det| > (3 + 16ε)ε · (|(bx-ax)(cy-ay)| + |(by-ay)(cx-ax)|)``, ε = 2⁻⁵³ (J. R. Shewchuk,
"Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric Predicates",
Discrete Comput. Geom. 18, 1997, ``ccwerrboundA``; the bound covers the rounding of the
differences, the products and the subtraction). That analysis assumes no underflow, so the
smallest normal double is added to the bound; overflow gives ∞ or NaN, which never passes.
"""

from __future__ import annotations

import numpy as np
import shapely

from .arrays import BoolArray, FloatArray, GeometryArray, IntArray
from .parallel import THREADS, scatter_jobs

# Shewchuk's ccwerrboundA = (3 + 16ε)ε with ε = 2⁻⁵³.
ORIENT_ERROR_BOUND = 3.3306690738754716e-16
_UNDERFLOW_MARGIN = float(np.finfo(np.float64).tiny)
# Rings with more edges than this are left to GEOS when the star proof fails: the pair
# proof's work grows as the square of the edge count. Measured (CPU per ring, the
# realistic layers): 1.1 µs against GEOS's 1.9 µs at 8 edges, 3.1 against 3.9 at 19.
MAX_PAIR_EDGES = 20
# Elements (ring × edge pair) per block of the pair proof, so temporaries stay a few MB.
_PAIR_BLOCK = 1 << 18
# Geometries per block: a block's coordinate arrays stay in the heap glibc reuses and
# mostly in cache.
BLOCK = 1 << 16

_POLYGON, _MULTIPOLYGON = 3, 6


def orientation_sign(ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray,
                     cx: FloatArray, cy: FloatArray) -> np.ndarray:
    """Sign of the turn a → b → c where it is certain: +1 left, -1 right, 0 not certain.

    0 covers collinear points and turns too slight for double precision to decide.

    Examples
    --------
    >>> f = lambda *v: orientation_sign(*(np.array([x], dtype=float) for x in v)).tolist()
    >>> f(0, 0, 1, 0, 1, 1), f(0, 0, 1, 0, 1, -1), f(0, 0, 1, 1, 2, 2)
    ([1], [-1], [0])
    """
    with np.errstate(all="ignore"):
        left = (bx - ax) * (cy - ay)
        right = (by - ay) * (cx - ax)
        det = left - right
        bound = ORIENT_ERROR_BOUND * (np.abs(left) + np.abs(right)) + _UNDERFLOW_MARGIN
    sign = np.zeros(det.shape, dtype=np.int8)
    sign[det > bound] = 1
    sign[det < -bound] = -1
    return sign


def certainly_valid(geoms: GeometryArray, *, threads: int = THREADS) -> BoolArray:
    """True where a geometry is proven valid without GEOS; False means "not proven".

    Only Polygons with at most one hole and MultiPolygons of one such part are looked at;
    every other geometry (two holes, several parts, other types, empty, missing) is not
    proven.
    ``certainly_valid(g)`` implies ``shapely.is_valid(g)``.

    Examples
    --------
    >>> from shapely import Polygon, box
    >>> bow = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> ell = Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)])
    >>> certainly_valid(np.array([box(0, 0, 1, 1), bow, ell, None], dtype=object)).tolist()
    [True, False, True, False]
    """
    geoms = np.asarray(geoms, dtype=object)
    out = np.zeros(len(geoms), dtype=bool)
    kind = shapely.get_type_id(geoms)
    multi = np.flatnonzero(kind == _MULTIPOLYGON)
    if len(multi):
        kind[multi[shapely.get_num_geometries(geoms[multi]) != 1]] = -1
    candidates = np.flatnonzero((kind == _POLYGON) | (kind == _MULTIPOLYGON))
    blocks = [candidates[lo:lo + BLOCK] for lo in range(0, len(candidates), BLOCK)]
    return scatter_jobs(lambda block: (block, _proven_simple(geoms[block])), blocks, out,
                        threads=threads)


def _proven_simple(polygons: GeometryArray) -> BoolArray:
    """Which Polygons (or one-part MultiPolygons) are proven to be one simple ring."""
    counts = shapely.get_num_coordinates(polygons).astype(np.int64)
    proven = np.zeros(len(polygons), dtype=bool)
    # A closed ring of three distinct vertices has four coordinates.
    rings = np.flatnonzero(counts >= 4)
    if len(rings) == 0:
        return proven
    counts = counts[rings]
    coords = shapely.get_coordinates(polygons[rings])
    x = np.ascontiguousarray(coords[:, 0])
    y = np.ascontiguousarray(coords[:, 1])
    del coords
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    # ∞ - ∞, 0 × ∞ and 0 / 0 are expected here: they give NaN, which proves nothing.
    with np.errstate(all="ignore"):
        star, one_ring = _star_proof(x, y, starts, counts)
        rest = np.flatnonzero(~star & one_ring & (counts - 1 <= MAX_PAIR_EDGES))
        if len(rest):
            star[rest] = _pair_proof(x, y, starts[rest], counts[rest])
        holed = np.flatnonzero(~one_ring & (counts >= 8))
        if len(holed):
            star[holed] = _one_hole_proof(x, y, starts[holed], counts[holed])
    proven[rings] = star
    return proven


def _star_proof(x: FloatArray, y: FloatArray, starts: IntArray, counts: IntArray
                ) -> tuple[BoolArray, BoolArray]:
    """Coordinate runs (``counts`` ≥ 4 from ``starts``) proven to be one simple ring, and the
    runs that close (first coordinate = last).

    A run that closes yet holds more than one ring (holes, a second part) visits its first
    coordinate in the middle too, where the shell closes: no simple ring does that, so
    neither proof can pass it. A non-finite coordinate makes every orientation it takes
    part in uncertain (∞ or NaN against an ∞ or NaN bound), so it is never proven either.
    """
    last = starts + counts - 1
    closed = (x[starts] == x[last]) & (y[starts] == y[last])
    centre_x, centre_y = _centroids(x, y, starts, counts, last)
    u = x - np.repeat(centre_x, counts)
    v = y - np.repeat(centre_y, counts)
    left = u[:-1] * v[1:]
    right = v[:-1] * u[1:]
    det = left - right
    np.abs(left, out=left)
    np.abs(right, out=right)
    left += right
    left *= ORIENT_ERROR_BOUND
    left += _UNDERFLOW_MARGIN
    bound = left
    # y - centre_y <= 0 exactly when y <= centre_y: a rounded difference keeps its sign.
    below = v <= 0
    # Per edge: 2 unless it turns the ring's way with certainty, plus 1 where it passes
    # the ray right of the centre that way; a ring turning all one way round once sums to 1.
    # (Written "not certain" rather than "≤ bound": a NaN must count as not certain.)
    anticlockwise = np.logical_not(det > bound).view(np.int8) * np.int8(2)
    anticlockwise += (below[:-1] & ~below[1:]).view(np.int8)
    np.negative(bound, out=bound)
    clockwise = np.logical_not(det < bound).view(np.int8) * np.int8(2)
    clockwise += (~below[:-1] & below[1:]).view(np.int8)
    # The step from a ring's closing vertex to the next ring's first is no edge.
    anticlockwise[last[:-1]] = 0
    clockwise[last[:-1]] = 0
    once_round = ((np.add.reduceat(anticlockwise, starts, dtype=np.int64) == 1)
                  | (np.add.reduceat(clockwise, starts, dtype=np.int64) == 1))
    return np.asarray(closed & once_round, dtype=bool), np.asarray(closed, dtype=bool)


def _centroids(x: FloatArray, y: FloatArray, starts: IntArray, counts: IntArray,
               last: IntArray) -> tuple[FloatArray, FloatArray]:
    """Each run's area centroid (NaN or ∞ for a run of no area or a non-finite coordinate).

    The centroid, not the mean of the vertices: an L or T shape can be seen whole from its
    centroid, not from its vertex mean. Any point keeps the star proof exact; this one
    makes it succeed. Areas are summed about the first vertex, since coordinates like
    3.4e6 would cancel away in the cross products.
    """
    dx = x - np.repeat(x[starts], counts)
    dy = y - np.repeat(y[starts], counts)
    cross = dx[:-1] * dy[1:]
    cross -= dx[1:] * dy[:-1]
    cross[last[:-1]] = 0.0
    area = np.add.reduceat(cross, starts)
    dx[:-1] += dx[1:]
    dy[:-1] += dy[1:]
    dx[:-1] *= cross
    dy[:-1] *= cross
    dx[last] = 0.0
    dy[last] = 0.0
    area *= 3.0
    centre_x = x[starts] + np.add.reduceat(dx, starts) / area
    centre_y = y[starts] + np.add.reduceat(dy, starts) / area
    return centre_x, centre_y


def _one_hole_proof(x: FloatArray, y: FloatArray, starts: IntArray, counts: IntArray
                    ) -> BoolArray:
    """Coordinate runs proven to be a shell with one hole strictly inside it (a courtyard).

    The shell is taken to end where the run's first coordinate comes back. Both rings must
    pass the star proof, and every vertex of the hole must lie certainly strictly on the
    inner side of every edge of the shell. Those points lie in the open kernel of the shell
    (the intersection of its edges' inner half-planes, inside the polygon; no point is on
    the outer side of every edge of a ring), which is convex: the whole hole is inside,
    touching nothing. One hole inside leaves the interior connected: the polygon is valid.

    Read wrongly — a shell touching its own first vertex, two holes — the runs fail: the
    shell's real closing coordinate then lies in a later run, on the proven shell, not
    strictly inside it; two holes read as one ring revisit a vertex or do not close.
    """
    out = np.zeros(len(starts), dtype=bool)
    at = np.repeat(starts - np.cumsum(np.r_[0, counts[:-1]]), counts) + np.arange(counts.sum())
    px, py = x[at], y[at]
    run = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=run[1:])
    position = np.arange(len(px))
    back = (px == np.repeat(px[run], counts)) & (py == np.repeat(py[run], counts))
    back[run] = False
    shell_last = np.minimum.reduceat(np.where(back, position, len(px)), run)
    ends = run + counts - 1
    # At least four coordinates in each ring.
    fits = (shell_last - run >= 3) & (ends - shell_last >= 4) & (shell_last < ends)
    keep = np.flatnonzero(fits)
    if len(keep) == 0:
        return out
    ring_starts = np.column_stack([run[keep], shell_last[keep] + 1]).ravel()
    ring_counts = np.column_stack([shell_last[keep] - run[keep] + 1,
                                   ends[keep] - shell_last[keep]]).ravel()
    used = np.repeat(ring_starts - np.cumsum(np.r_[0, ring_counts[:-1]]), ring_counts)
    used += np.arange(ring_counts.sum())
    rx, ry = px[used], py[used]
    tiled = np.zeros(len(ring_counts), dtype=np.int64)
    np.cumsum(ring_counts[:-1], out=tiled[1:])
    simple, _ = _star_proof(rx, ry, tiled, ring_counts)
    both = simple.reshape(-1, 2).all(axis=1)
    shell_at, hole_at = tiled[0::2], tiled[1::2]
    shell_n, hole_n = ring_counts[0::2] - 1, ring_counts[1::2] - 1
    inside = np.zeros(len(keep), dtype=bool)
    for ns, nh in set(zip(shell_n[both].tolist(), hole_n[both].tolist(), strict=True)):
        if ns > MAX_PAIR_EDGES or nh > MAX_PAIR_EDGES:
            continue
        rows = np.flatnonzero(both & (shell_n == ns) & (hole_n == nh))
        shell = shell_at[rows][:, None] + np.arange(ns + 1)
        hole = hole_at[rows][:, None, None] + np.arange(nh)
        ax, ay = rx[shell[:, :-1]][:, :, None], ry[shell[:, :-1]][:, :, None]
        bx, by = rx[shell[:, 1:]][:, :, None], ry[shell[:, 1:]][:, :, None]
        sides = orientation_sign(ax, ay, bx, by, rx[hole], ry[hole]).reshape(len(rows), -1)
        inside[rows] = (sides[:, :1] != 0).ravel() & (sides == sides[:, :1]).all(axis=1)
    out[keep] = both & inside
    return out


def _pair_proof(x: FloatArray, y: FloatArray, starts: IntArray, counts: IntArray) -> BoolArray:
    """Closed runs of coordinates (few edges) proven to be one simple ring, pair by pair."""
    out = np.zeros(len(starts), dtype=bool)
    n_edges = counts - 1
    for n in np.unique(n_edges):
        rows = np.flatnonzero(n_edges == n)
        first, second = _non_adjacent_pairs(int(n))
        block = max(1, _PAIR_BLOCK // max(len(first), n))
        for lo in range(0, len(rows), block):
            part = rows[lo:lo + block]
            at = starts[part][:, None] + np.arange(n + 1)
            out[part] = _simple_rings(x[at], y[at], first, second)
    return out


def _non_adjacent_pairs(n: int) -> tuple[IntArray, IntArray]:
    """Edge pairs (i, j), i < j, of an n-edge ring that share no vertex."""
    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))
    return i[keep], j[keep]


def _simple_rings(px: FloatArray, py: FloatArray, first: IntArray, second: IntArray) -> BoolArray:
    """Closed rings of one edge count (rows) proven simple.

    Every vertex is the middle of a triple that must turn with certainty, so a non-finite
    coordinate (an uncertain turn) or a repeated one (no turn) is never proven.
    """
    n = px.shape[1] - 1
    ax, ay, bx, by = px[:, :n], py[:, :n], px[:, 1:], py[:, 1:]
    after = np.roll(np.arange(n), -1)
    ok = (orientation_sign(ax, ay, bx, by, bx[:, after], by[:, after]) != 0).all(axis=1)
    low_x, high_x = np.minimum(ax, bx), np.maximum(ax, bx)
    low_y, high_y = np.minimum(ay, by), np.maximum(ay, by)
    apart = ((high_x[:, first] < low_x[:, second]) | (high_x[:, second] < low_x[:, first])
             | (high_y[:, first] < low_y[:, second]) | (high_y[:, second] < low_y[:, first]))
    ring, pair = np.nonzero(~apart)
    if len(ring):
        e, f = first[pair], second[pair]
        disjoint = (_strictly_one_side(ax[ring, e], ay[ring, e], bx[ring, e], by[ring, e],
                                       ax[ring, f], ay[ring, f], bx[ring, f], by[ring, f])
                    | _strictly_one_side(ax[ring, f], ay[ring, f], bx[ring, f], by[ring, f],
                                         ax[ring, e], ay[ring, e], bx[ring, e], by[ring, e]))
        ok[ring[~disjoint]] = False
    return np.asarray(ok, dtype=bool)


def _strictly_one_side(ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray,
                       cx: FloatArray, cy: FloatArray, dx: FloatArray, dy: FloatArray
                       ) -> BoolArray:
    """Whether c and d lie certainly strictly on one side of the line through a and b."""
    side_c = orientation_sign(ax, ay, bx, by, cx, cy)
    side_d = orientation_sign(ax, ay, bx, by, dx, dy)
    return np.asarray((side_c != 0) & (side_c == side_d), dtype=bool)
