"""Area of A ∩ B for many small polygon pairs: array arithmetic, GEOS where in doubt.

Plot ratio needs only the *area* of each building piece on each parcel. GEOS computes the
intersection geometry first (OverlayNG: noding, a graph, ~10–40 µs per pair), which made
the ~300,000 straddling pairs of 1M parcels the largest single cost. The area follows from
Green's theorem without building any geometry: the boundary of A ∩ B is made of the parts
of A's edges inside B and the parts of B's edges inside A, each ring oriented with the
interior on its left (shells counter-clockwise, holes clockwise), and along a straight
segment p→q the integrand ½(x dy − y dx) is the constant ½·(p × q). So

    area(A ∩ B) = ½ Σ_{edges p→q of A} (p × q)·(share of the edge inside B)
                + ½ Σ_{edges of B} (same, inside A).

The share of an edge inside the other polygon comes from where it crosses the other's
edges (the parameters, sorted) and whether its start lies inside (crossing number of a
ray to +x): inside and outside alternate at each crossing. This holds for any valid
polygons — concave, with holes, either orientation — as long as every crossing is a
proper one. So the arithmetic is only trusted when no decision can flip: no vertex of
either polygon within the rounding margin of the line of any edge of the other (no
touching, no shared or collinear edges, no vertex on an edge). Every other pair — and
multi-part or large shapes — gets ``shapely.intersection(...).area``. Tests compare against
GEOS on random convex, concave, holed and rotated pairs and on the degenerate cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from .arrays import BoolArray, FloatArray, GeometryArray, IntArray
from .containment import ring_starts
from .parallel import THREADS, chunked, chunked_by_owner, query_pairs, scatter_jobs

_MAX_EDGES = 1024     # per polygon (all rings); larger ones go to GEOS
_MARGIN = 1e-10
_CHUNK = 20_000       # pairs per array job
_RUN = 16             # edges of a large polygon per bounding box


@dataclass
class _Edges:
    """Every edge of every polygon of an array, rings oriented by a weight, where each
    polygon's edges start in the table and how many it has, and its bounding box."""

    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    weight: FloatArray      # +1 where the ring runs with the interior on its left, else −1
    ring_first: IntArray    # per edge: the table position of its ring's first edge
    first: IntArray
    count: IntArray
    box: FloatArray         # (n, 4) bounds of each polygon
    ok: BoolArray           # polygons the arithmetic may take


def _edges_of(g: GeometryArray, max_edges: int = _MAX_EDGES,
              bounds: FloatArray | None = None) -> _Edges:
    """The edge table of (Multi)Polygons with at most ``max_edges`` edges; others not ok.
    ``bounds``: the polygons' bounds when the caller has them.

    Examples
    --------
    >>> holed = shapely.box(0, 0, 2, 2).difference(shapely.box(.5, .5, 1, 1))
    >>> e = _edges_of(np.array([holed]))    # GEOS writes the shell clockwise, the hole not
    >>> int(e.count[0]), e.weight.tolist()
    (8, [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0])
    >>> e.ring_first.tolist()
    [0, 0, 0, 0, 4, 4, 4, 4]
    """
    n = len(g)
    types = shapely.get_type_id(g)
    coords = shapely.get_num_coordinates(g)
    # Coordinates bound the edge count from above: cheap, and it spares reading big shapes.
    ok = np.isin(types, (3, 6)) & (coords >= 4) & (coords <= max_edges + 64)
    count = np.zeros(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    box = shapely.bounds(g) if bounds is None else bounds
    none = np.zeros(0)
    if not ok.any():
        return _Edges(none, none, none, none, none, np.zeros(0, dtype=np.int64), first,
                      count, box, ok)
    # Polygons without holes (most) are read whole: splitting out parts and rings copies
    # every geometry, which costs more than the arithmetic.
    simple = ok & (types == 3)
    simple[simple] = shapely.get_num_interior_rings(g[simple]) == 0
    nested = np.flatnonzero(ok & ~simple)
    parts, part_owner = shapely.get_parts(g[nested], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    simple_pos = np.flatnonzero(simple)
    owner = np.r_[simple_pos, nested[part_owner[ring_part]]]
    ring_part = np.r_[-1 - np.arange(len(simple_pos)), ring_part]
    ring_len = np.r_[coords[simple_pos], shapely.get_num_coordinates(rings)]
    xy = shapely.get_coordinates(g[simple_pos])
    if len(rings):
        xy = np.concatenate([xy, shapely.get_coordinates(rings)])
    per_ring = ring_len - 1
    count = np.bincount(owner, per_ring, minlength=n).astype(np.int64)
    ring_first = ring_starts(ring_len)
    edge_first = ring_starts(per_ring)
    ring_of_edge = np.repeat(np.arange(len(ring_len)), per_ring)
    # Edges join consecutive coordinates, except across the end of a ring.
    joined = np.ones(len(xy) - 1, dtype=bool)
    joined[(ring_first + ring_len - 1)[:-1]] = False
    x, y = xy[:, 0], xy[:, 1]
    x0, y0, x1, y1 = x[:-1][joined], y[:-1][joined], x[1:][joined], y[1:][joined]
    # Twice each ring's signed area, relative to its first vertex (terms of the ring's size).
    rx, ry = np.repeat(x[ring_first], per_ring), np.repeat(y[ring_first], per_ring)
    term = (x0 - rx) * (y1 - ry) - (x1 - rx) * (y0 - ry)
    area2 = np.bincount(ring_of_edge, term, minlength=len(ring_len))
    shell = np.r_[True, ring_part[1:] != ring_part[:-1]]
    ring_weight = np.where(shell, np.sign(area2), -np.sign(area2))
    bad = np.zeros(n, dtype=bool)
    bad[owner[ring_weight == 0]] = True                 # a ring without area
    ok &= ~bad & (count >= 3) & (count <= max_edges)
    # Each polygon's rings are consecutive; its first ring starts its edges.
    first[owner[::-1]] = edge_first[::-1]
    return _Edges(x0, y0, x1, y1, np.repeat(ring_weight, per_ring),
                  np.repeat(edge_first, per_ring), first, count, box, ok)


def _unique_objects(g: GeometryArray) -> tuple[GeometryArray, IntArray]:
    """Distinct geometry objects of ``g`` and each element's position among them: pair
    arrays repeat each parcel and each red-line piece many times."""
    ids = np.fromiter(map(id, g), dtype=np.int64, count=len(g))
    _uniq, first_pos, inverse = np.unique(ids, return_index=True, return_inverse=True)
    return g[first_pos], inverse


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
    if not len(a):
        return np.zeros(0)
    ua, ia = _unique_objects(a)
    ub, ib = _unique_objects(b)
    return pair_areas(ua, ub, ia, ib, threads=threads)[0]


def pair_areas(a: GeometryArray, b: GeometryArray, pair_a: IntArray, pair_b: IntArray, *,
               threads: int = THREADS, a_bounds: FloatArray | None = None
               ) -> tuple[FloatArray, BoolArray]:
    """Planar area of ``a[pair_a[i]] ∩ b[pair_b[i]]``, and whether that A lies in B's
    interior (``shapely.contains_properly(B, A)``), for each pair i.

    Each geometry's edges are read once, however many pairs it is in. Pairs the
    arithmetic cannot decide (contacts within the rounding margin, shapes it does not
    take) are asked of GEOS. ``a_bounds``: ``shapely.bounds(a)``, when the caller has
    them (a layer measured against several others: they are not read again).

    Examples
    --------
    >>> a = np.array([shapely.box(0, 0, 10, 10)])
    >>> b = np.array([shapely.box(2, 2, 4, 4), shapely.box(5, 5, 20, 20)])
    >>> area, within = pair_areas(b, a, np.array([0, 1]), np.array([0, 0]))
    >>> area.tolist(), within.tolist()
    ([4.0, 25.0], [True, False])
    """
    return _measure(a, b, pair_a, pair_b, large_b=False, threads=threads, a_bounds=a_bounds)


def _measure(a: GeometryArray, b: GeometryArray, pair_a: IntArray, pair_b: IntArray, *,
             large_b: bool, threads: int, a_bounds: FloatArray | None = None
             ) -> tuple[FloatArray, BoolArray]:
    """:func:`pair_areas` (``large_b`` False) or :func:`large_pair_areas` (True): each
    geometry's edges read once, the arithmetic first, GEOS for what it leaves."""
    n = len(pair_a)
    area = np.full(n, np.nan)
    within = np.zeros(n, dtype=bool)
    if not n:
        return area, within
    need_a, local_a = np.unique(pair_a, return_inverse=True)
    need_b, local_b = np.unique(pair_b, return_inverse=True)
    box_a = None if a_bounds is None else a_bounds[need_a]
    if large_b:
        # A's edges are read only where B's boundary passes near it (in _large_areas).
        eb = _edges_of(b[need_b], max_edges=np.iinfo(np.int64).max)
        fast = np.flatnonzero(eb.ok[local_b]
                              & np.isin(shapely.get_type_id(a[need_a]), (3, 6))[local_a])
        if len(fast):
            gb = b[need_b]
            shapely.prepare(gb)
            area[fast], within[fast] = _large_areas(a[need_a], eb, gb, local_a[fast],
                                                    local_b[fast], threads, box_a)
    else:
        ea, eb = _edges_of(a[need_a], bounds=box_a), _edges_of(b[need_b])
        fast = np.flatnonzero(ea.ok[local_a] & eb.ok[local_b])
        if len(fast):
            area[fast], within[fast] = _small_areas(ea, eb, local_a[fast], local_b[fast],
                                                    threads)
    slow = np.flatnonzero(np.isnan(area))
    if len(slow):
        ga, gb_slow = a[pair_a[slow]], b[pair_b[slow]]
        area[slow] = shapely.area(chunked(shapely.intersection, ga, gb_slow, threads=threads))
        within[slow] = shapely.contains_properly(gb_slow, ga)
    return area, within


def _small_areas(ea: _Edges, eb: _Edges, ia: IntArray, ib: IntArray, threads: int
                 ) -> tuple[FloatArray, BoolArray]:
    """:func:`pair_areas` on edge tables, in chunks of pairs over threads."""
    n = len(ia)
    area = np.full(n, np.nan)
    code = np.zeros(n, dtype=np.int8)
    jobs = [(np.arange(s, min(s + _CHUNK, n)), ia[s:s + _CHUNK], ib[s:s + _CHUNK])
            for s in range(0, n, _CHUNK)]

    def solve(job: tuple[IntArray, IntArray, IntArray]) -> tuple[IntArray, FloatArray]:
        idx, ja, jb = job
        got, inside = _areas(ea, eb, ja, jb)
        code[idx] = inside
        return idx, got

    scatter_jobs(solve, jobs, area, threads)
    return area, code == 1


def large_pair_areas(a: GeometryArray, b: GeometryArray, pair_a: IntArray,
                     pair_b: IntArray, *, threads: int = THREADS,
                     a_bounds: FloatArray | None = None) -> tuple[FloatArray, BoolArray]:
    """:func:`pair_areas` for B of any size (red lines of 20,000 vertices), A small.

    B's edges are cut into runs of ``_RUN`` consecutive edges of one ring, each with its
    bounding box, and only the runs whose box meets A's are read for a pair, so a pair
    costs A's edges times the few of B's near it — no subdivision of B. A pair meeting no
    run has A wholly on one side of B's boundary: a corner of A's box against B (GEOS,
    prepared, exact for a point off the boundary) says which. Otherwise the start of each
    of A's rings takes its state the same way, and B's near edges theirs from a vertex
    outside A's box or A's crossing number (all of A's edges are at hand); crossings
    carry the states along both. Undecided pairs (contacts within the rounding margin)
    and shapes the arithmetic does not take go to GEOS. ``a_bounds`` as for
    :func:`pair_areas`.

    Examples
    --------
    >>> ring = shapely.Point(0, 0).buffer(100, quad_segs=256).exterior   # 1,025 vertices
    >>> b = np.array([shapely.Polygon(ring)])
    >>> a = np.array([shapely.box(-10, -10, 10, 10), shapely.box(90, -5, 110, 5)])
    >>> area, within = large_pair_areas(a, b, np.array([0, 1]), np.array([0, 0]))
    >>> round(float(area[0]), 6), round(float(area[1]), 3), within.tolist()
    (400.0, 99.58, [True, False])
    >>> round(float(shapely.intersection(a[1], b[0]).area), 3)
    99.58
    """
    return _measure(a, b, pair_a, pair_b, large_b=True, threads=threads, a_bounds=a_bounds)


def _large_areas(ga: GeometryArray, eb: _Edges, gb: GeometryArray, ia: IntArray,
                 ib: IntArray, threads: int, a_bounds: FloatArray | None = None
                 ) -> tuple[FloatArray, BoolArray]:
    """:func:`large_pair_areas` on B's edge table (``gb``: B's geometries, prepared; NaN
    where A's shape is not one the arithmetic takes; ``a_bounds``: A's bounds, if known)."""
    n, nb = len(ia), len(gb)
    area = np.full(n, np.nan)
    within = np.zeros(n, dtype=bool)
    # Runs of B's edges: cut at every _RUN-th edge of a ring (runs never cross rings).
    in_ring = np.arange(len(eb.x0)) - eb.ring_first
    run_first = np.flatnonzero(in_ring % _RUN == 0)
    run_len = np.diff(np.r_[run_first, len(eb.x0)])
    # Each edge's bounds, for the runs' boxes and the edges near each A below.
    ex0, ey0 = np.fmin(eb.x0, eb.x1), np.fmin(eb.y0, eb.y1)
    ex1, ey1 = np.fmax(eb.x0, eb.x1), np.fmax(eb.y0, eb.y1)
    rx0 = np.minimum.reduceat(ex0, run_first)
    ry0 = np.minimum.reduceat(ey0, run_first)
    rx1 = np.maximum.reduceat(ex1, run_first)
    ry1 = np.maximum.reduceat(ey1, run_first)
    by_first = np.argsort(eb.first, kind="stable")
    edge_owner = np.repeat(by_first, eb.count[by_first])
    run_owner = edge_owner[run_first]
    # Runs near each pair's A: every run whose box meets A's box, of the pair's B.
    tree = shapely.STRtree(shapely.box(rx0, ry0, rx1, ry1))
    qa, qr = query_pairs(tree, ga, threads=threads)    # boxes against boxes
    pair_key = ia.astype(np.int64) * nb + ib
    order = np.argsort(pair_key, kind="stable")
    sorted_key = pair_key[order]
    hit_key = qa.astype(np.int64) * nb + run_owner[qr]
    at = np.minimum(np.searchsorted(sorted_key, hit_key), max(n - 1, 0))
    found = sorted_key[at] == hit_key
    hit_pair, hit_run = order[at[found]], qr[found]
    boundary = np.zeros(n, dtype=bool)
    boundary[hit_pair] = True
    # A pair with no run near A: B's boundary misses A's closed box, so the whole box
    # (its corner, say: no vertex of A need be read) lies on one side of it.
    clear = np.flatnonzero(~boundary)
    if len(clear):
        some, which = np.unique(ia[clear], return_inverse=True)
        corner = (shapely.bounds(ga[some]) if a_bounds is None else a_bounds[some])[which]
        inside = chunked_by_owner(shapely.contains_xy, ib[clear], nb, gb[ib[clear]],
                                  corner[:, 0], corner[:, 1], threads=threads)
        within[clear] = inside
        area[clear] = 0.0
        area[clear[inside]] = shapely.area(ga[ia[clear[inside]]])
    bound = np.flatnonzero(boundary)
    near_a, ia_near = np.unique(ia[bound], return_inverse=True)
    ea = _edges_of(ga[near_a], bounds=None if a_bounds is None else a_bounds[near_a])
    bound, ia_near = bound[ea.ok[ia_near]], ia_near[ea.ok[ia_near]]
    if not len(bound):
        return area, within
    # The start of every ring of A, per boundary pair: inside B or not (GEOS, prepared).
    local = np.full(n, -1)
    local[bound] = np.arange(len(bound))
    rings_of = ea.ring_first == np.arange(len(ea.x0))
    fa_all = _flatten(ea, ia_near, np.zeros(len(bound)), np.zeros(len(bound)))
    starts = np.flatnonzero(rings_of[fa_all.src])
    start_pair = bound[fa_all.row[starts]]
    start_state = chunked_by_owner(shapely.contains_xy, ib[start_pair], nb, gb[ib[start_pair]],
                                   fa_all.x0[starts], fa_all.y0[starts], threads=threads)
    state_of_start = np.zeros(len(fa_all.row))
    state_of_start[starts] = start_state
    # B's edges of each pair: its near runs' edges meeting A's box, in table order.
    taken = local[hit_pair] >= 0
    hit_pair, hit_run = hit_pair[taken], hit_run[taken]
    sel = np.lexsort((hit_run, local[hit_pair]))
    h_row, h_run = local[hit_pair][sel], hit_run[sel]
    box = ea.box[ia_near]
    # A run's edges as a row of _RUN slots (runs are never longer), the slots past its end
    # left out: one comparison per slot against A's box, no per-edge repeats of the pair.
    slot = np.arange(_RUN)
    edge_at = np.minimum(run_first[h_run][:, None] + slot, len(eb.x0) - 1)
    bx = box[h_row]
    near = ((slot < run_len[h_run][:, None])
            & ~((ex1[edge_at] < bx[:, 0:1]) | (ex0[edge_at] > bx[:, 2:3])
                | (ey1[edge_at] < bx[:, 1:2]) | (ey0[edge_at] > bx[:, 3:4])))
    e_group, e_slot = np.nonzero(near)
    e_row, edge = h_row[e_group], edge_at[e_group, e_slot]
    m = len(bound)
    jobs = []
    b_count = np.bincount(e_row, minlength=m)
    b_start = ring_starts(b_count)
    a_count = ea.count[ia_near]
    a_start = ring_starts(a_count)
    for s in range(0, m, _CHUNK):
        stop = min(s + _CHUNK, m)
        jobs.append((s, stop, b_start[s], b_start[stop - 1] + b_count[stop - 1],
                     a_start[s], a_start[stop - 1] + a_count[stop - 1]))
    out_area = np.full(m, np.nan)
    code = np.zeros(m, dtype=np.int8)
    ox, oy = box[:, 0], box[:, 1]
    b_box = eb.box[ib[bound]]

    def solve(job: tuple[int, int, int, int, int, int]) -> tuple[IntArray, FloatArray]:
        s, stop, e0, e1, f0, f1 = job
        rows = np.arange(s, stop)
        jr, je, jg = e_row[e0:e1] - s, edge[e0:e1], e_group[e0:e1]
        fb = _run_flat(eb, jr, je, stop - s, ox[rows], oy[rows])
        fa = _Flat(fa_all.row[f0:f1] - s, fa_all.x0[f0:f1] - ox[fa_all.row[f0:f1]],
                   fa_all.y0[f0:f1] - oy[fa_all.row[f0:f1]],
                   fa_all.x1[f0:f1] - ox[fa_all.row[f0:f1]],
                   fa_all.y1[f0:f1] - oy[fa_all.row[f0:f1]], fa_all.weight[f0:f1],
                   fa_all.ring_first[f0:f1] - f0, fa_all.start[s:stop] - f0,
                   fa_all.count[s:stop], fa_all.src[f0:f1])
        abox_rel = box[rows] - np.c_[ox[rows], oy[rows], ox[rows], oy[rows]]
        bbox_rel = b_box[rows] - np.c_[ox[rows], oy[rows], ox[rows], oy[rows]]
        reach = np.zeros(stop - s)
        if len(jr):
            extent = np.fmax(np.fmax(np.abs(fb.x0), np.abs(fb.x1)),
                             np.fmax(np.abs(fb.y0), np.abs(fb.y1)))
            np.maximum.at(reach, jr, extent)
        size = np.fmax(np.fmax(abox_rel[:, 2], abox_rel[:, 3]), reach)
        got, inside = _solve(fa, fb, abox_rel, bbox_rel, _MARGIN * size * size,
                             lambda rings: state_of_start[rings + f0], jg)
        code[rows] = inside
        return rows, got

    scatter_jobs(solve, jobs, out_area, threads)
    area[bound], within[bound] = out_area, code == 1
    return area, within


def _run_flat(e: _Edges, row: IntArray, edge: IntArray, m: int, ox: FloatArray,
              oy: FloatArray) -> _Flat:
    """Some of a large polygon's edges per pair (``edge``, sorted by ``row`` then table
    position) as a flat layout; each unbroken run of consecutive edges of one ring counts
    as a ring of its own (its states are carried from its own vertices)."""
    count = np.bincount(row, minlength=m)
    brk = np.r_[True, (row[1:] != row[:-1]) | (edge[1:] != edge[:-1] + 1)
                | (e.ring_first[edge[1:]] != e.ring_first[edge[:-1]])]
    run_start = np.flatnonzero(brk)
    ring_first = np.repeat(run_start, np.diff(np.r_[run_start, len(edge)]))
    return _Flat(row, e.x0[edge] - ox[row], e.y0[edge] - oy[row], e.x1[edge] - ox[row],
                 e.y1[edge] - oy[row], e.weight[edge], ring_first.astype(np.int64),
                 ring_starts(count), count, edge)


@dataclass
class _Flat:
    """The edges of one side of a chunk of pairs, laid out pair after pair."""

    row: IntArray           # the pair (within the chunk) each edge belongs to
    x0: FloatArray
    y0: FloatArray
    x1: FloatArray
    y1: FloatArray
    weight: FloatArray
    ring_first: IntArray    # flat position of the edge's ring's first edge
    start: IntArray         # per pair: flat position of its first edge
    count: IntArray         # per pair: its edges
    src: IntArray           # each edge's position in its edge table


def _flatten(e: _Edges, geom: IntArray, ox: FloatArray, oy: FloatArray) -> _Flat:
    """The edges of ``geom[i]`` for each pair i, relative to that pair's origin."""
    count = e.count[geom]
    start = ring_starts(count)
    row = np.repeat(np.arange(len(geom)), count)
    # Per pair, flat position and table position differ by one shift: repeated, not
    # gathered per edge (tens of millions of edges at 1M parcels).
    shift = np.repeat(e.first[geom] - start, count)
    edge = shift + np.arange(len(row))
    ring_first = e.ring_first[edge]
    ring_first -= shift
    del shift
    ex = np.repeat(ox, count)
    x0, x1 = e.x0[edge], e.x1[edge]
    x0 -= ex
    x1 -= ex
    del ex
    ey = np.repeat(oy, count)
    y0, y1 = e.y0[edge], e.y1[edge]
    y0 -= ey
    y1 -= ey
    return _Flat(row, x0, y0, x1, y1, e.weight[edge], ring_first, start, count, edge)


def _near(f: _Flat, box: FloatArray
          ) -> tuple[BoolArray, IntArray, BoolArray,
                     tuple[FloatArray, FloatArray, FloatArray, FloatArray]]:
    """Edges meeting the other polygon's closed bounding box (only they can meet it), as a
    mask and as positions, edges starting strictly outside that box (outside the other
    polygon: exact), and the near edges' own bounds (x min, x max, y min, y max)."""
    # Pairs are laid out one after another: each pair's box repeated, not gathered per edge;
    # one side of it at a time, and each side's flags or-ed in place (a job's peak memory).
    far = np.zeros(len(f.row), dtype=bool)
    out = np.zeros(len(f.row), dtype=bool)
    bounds = []
    for k, (lo, hi, start) in enumerate(((f.x0, f.x1, f.x0), (f.y0, f.y1, f.y0))):
        edge_lo, edge_hi = np.fmin(lo, hi), np.fmax(lo, hi)
        side = np.repeat(box[:, k], f.count)
        far |= edge_hi < side
        out |= start < side
        side = np.repeat(box[:, k + 2], f.count)
        far |= edge_lo > side
        out |= start > side
        bounds.append((edge_lo, edge_hi))
    near = ~far
    idx = np.flatnonzero(near)
    (lo_x, hi_x), (lo_y, hi_y) = bounds
    return near, idx, out, (lo_x[idx], hi_x[idx], lo_y[idx], hi_y[idx])


def _areas(ea: _Edges, eb: _Edges, ia: IntArray, ib: IntArray
           ) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    """Area of A ∩ B per pair (NaN where undecided) and 1 where A lies in B's interior.

    Only edges that meet the other polygon's bounding box can be partly inside it, and only
    pairs of such edges whose own boxes meet can cross: the other edges cost one box test.
    The state of an edge's start (inside the other polygon or not) follows from any vertex
    of its ring strictly outside the other's bounding box (outside, exactly) by counting
    the crossings in between (entering +1, leaving −1); a ring with no such vertex takes
    its first vertex's crossing number against every edge of the other polygon.
    """
    abox, bbox = ea.box[ia], eb.box[ib]
    origin = np.c_[bbox[:, 0], bbox[:, 1], bbox[:, 0], bbox[:, 1]]
    abox, bbox = abox - origin, bbox - origin
    size = np.fmax(np.fmax(abox[:, 2] - abox[:, 0], abox[:, 3] - abox[:, 1]),
                   np.fmax(bbox[:, 2], bbox[:, 3]))
    fa = _flatten(ea, ia, origin[:, 0], origin[:, 1])
    fb = _flatten(eb, ib, origin[:, 0], origin[:, 1])
    return _solve(fa, fb, abox, bbox, _MARGIN * size * size)


def _solve(fa: _Flat, fb: _Flat, abox: FloatArray, bbox: FloatArray, tol: FloatArray,
           a_ring_state: Callable[[IntArray], FloatArray] | None = None,
           b_group: IntArray | None = None) -> tuple[FloatArray, npt.NDArray[np.int8]]:
    """:func:`_areas` on edges already laid out pair by pair (coordinates relative to each
    pair's origin, boxes likewise). ``a_ring_state`` gives the state (1 inside B, 0 not)
    of the start of A's rings that have no vertex outside B's box, where B's edges in
    ``fb`` are not all of B's (a large B, only its edges near A); else crossing numbers.
    ``b_group``: per edge of ``fb``, a group of consecutive edges (non-decreasing)."""
    m = len(tol)
    near_a, ka, out_a, a_box = _near(fa, bbox)
    near_b, kb, out_b, b_box = _near(fb, abox)
    # Candidate edge pairs: A's near edges × B's near edges of the same pair, boxes meeting.
    # The near edges' own boxes (a_box, b_box), once each: the candidates (tens of millions
    # at 1M parcels) gather two bounds per axis, not four coordinates and their min/max.
    if b_group is None:
        ca, cb = _cross(fa.row[ka], np.arange(len(ka)), fb.row[kb], np.arange(len(kb)), m)
    else:
        # B's edges in groups of consecutive ones with their own boxes: an edge of A is
        # tried against a group's box first, and against its edges only where that meets.
        ca, cb = _grouped_cross(fa.row[ka], a_box, fb.row[kb], b_box, b_group[kb], m)
    # Boxes apart along x, then (for the fewer left) along y.
    keep = ~((a_box[1][ca] < b_box[0][cb]) | (a_box[0][ca] > b_box[1][cb]))
    ca, cb = ca[keep], cb[keep]
    keep = ~((a_box[3][ca] < b_box[2][cb]) | (a_box[2][ca] > b_box[3][cb]))
    ea_pos, eb_pos = ka[ca[keep]], kb[cb[keep]]
    ax0, ay0, ax1, ay1 = fa.x0[ea_pos], fa.y0[ea_pos], fa.x1[ea_pos], fa.y1[ea_pos]
    bx0, by0, bx1, by1 = fb.x0[eb_pos], fb.y0[eb_pos], fb.x1[eb_pos], fb.y1[eb_pos]
    row = fa.row[ea_pos]
    # Sides: A's edge ends against B's edge line, B's against A's.
    ebx, eby, eax, eay = bx1 - bx0, by1 - by0, ax1 - ax0, ay1 - ay0
    s0 = ebx * (ay0 - by0) - eby * (ax0 - bx0)
    s1 = ebx * (ay1 - by0) - eby * (ax1 - bx0)
    t0 = eax * (by0 - ay0) - eay * (bx0 - ax0)
    t1 = eax * (by1 - ay0) - eay * (bx1 - ax0)
    t = tol[row]
    unsure = (np.abs(s0) <= t) | (np.abs(s1) <= t) | (np.abs(t0) <= t) | (np.abs(t1) <= t)
    undecided = np.bincount(row[unsure], minlength=m) > 0
    c = np.flatnonzero(~unsure & ((s0 > 0) != (s1 > 0)) & ((t0 > 0) != (t1 > 0)))
    crossings = np.bincount(row[c], minlength=m)
    # At a crossing an edge enters the other polygon where it passes from the right to the
    # left of the other's (weight-oriented) edge, and leaves the other way; its share
    # inside is its start's state plus ±(1 − t) at each crossing.
    s0, s1, t0, t1 = s0[c], s1[c], t0[c], t1[c]
    enter_a = np.sign(s1 - s0) * fb.weight[eb_pos[c]]
    enter_b = np.sign(t1 - t0) * fa.weight[ea_pos[c]]
    share_a, sure_a = _shares(fa, fb, near_a, out_a, ea_pos[c], enter_a,
                              enter_a * s1 / (s1 - s0), tol, a_ring_state)
    share_b, sure_b = _shares(fb, fa, near_b, out_b, eb_pos[c], enter_b,
                              enter_b * t1 / (t1 - t0), tol)
    # Edges off the other's box have no share inside: summing the near ones alone adds
    # the same terms in the same order (a ±0 term leaves a sum's bits as they are).
    area = 0.5 * (np.bincount(fa.row[ka], (fa.weight * share_a)[ka]
                              * (fa.x0[ka] * fa.y1[ka] - fa.x1[ka] * fa.y0[ka]), minlength=m)
                  + np.bincount(fb.row[kb], (fb.weight * share_b)[kb]
                                * (fb.x0[kb] * fb.y1[kb] - fb.x1[kb] * fb.y0[kb]), minlength=m))
    undecided |= ~sure_a | ~sure_b
    # A in B's interior: no contact, every edge of A wholly inside B, none of B inside A.
    whole = ((crossings == 0) & (np.bincount(fa.row, share_a != 1, minlength=m) == 0)
             & (np.bincount(fb.row, share_b != 0, minlength=m) == 0) & ~undecided)
    return np.where(undecided, np.nan, area), whole.astype(np.int8)


def _cross(ra: IntArray, ka: IntArray, rb: IntArray, kb: IntArray, m: int
           ) -> tuple[IntArray, IntArray]:
    """Every (ka, kb) of the same row (``ra``/``rb``: rows, ``rb`` sorted)."""
    cb = np.bincount(rb, minlength=m)
    sb = ring_starts(cb)
    rep = cb[ra]
    ea_pos = np.repeat(ka, rep)
    eb_pos = kb[np.repeat(sb[ra], rep) + (np.arange(int(rep.sum())) - np.repeat(
        ring_starts(rep), rep))]
    return ea_pos, eb_pos


def _grouped_cross(row_a: IntArray, a_box: tuple[FloatArray, ...], row_b: IntArray,
                   b_box: tuple[FloatArray, ...], group: IntArray, m: int
                   ) -> tuple[IntArray, IntArray]:
    """(A edge, B edge) candidates of the same pair through B's group boxes, as positions
    among the edges given (``row_a``/``a_box`` per A edge, likewise B)."""
    if not len(row_b):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    size = np.diff(np.r_[first, len(row_b)])
    gx0 = np.minimum.reduceat(b_box[0], first)
    gx1 = np.maximum.reduceat(b_box[1], first)
    gy0 = np.minimum.reduceat(b_box[2], first)
    gy1 = np.maximum.reduceat(b_box[3], first)
    a_pos, g_pos = _cross(row_a, np.arange(len(row_a)), row_b[first],
                          np.arange(len(first)), m)
    meet = ~((a_box[1][a_pos] < gx0[g_pos]) | (a_box[0][a_pos] > gx1[g_pos])
             | (a_box[3][a_pos] < gy0[g_pos]) | (a_box[2][a_pos] > gy1[g_pos]))
    a_pos, g_pos = a_pos[meet], g_pos[meet]
    rep = size[g_pos]
    ea_pos = np.repeat(a_pos, rep)
    eb_pos = np.repeat(first[g_pos], rep) + (np.arange(int(rep.sum()))
                                             - np.repeat(ring_starts(rep), rep))
    return ea_pos, eb_pos


def _shares(f: _Flat, other: _Flat, near: BoolArray, out: BoolArray, at: IntArray,
            enter: FloatArray, rest: FloatArray, tol: FloatArray,
            ring_state: Callable[[IntArray], FloatArray] | None = None
            ) -> tuple[FloatArray, BoolArray]:
    """Share of each edge of ``f`` inside the other polygon (0 for edges off its box), and
    per pair whether every state was decided.

    ``at``/``enter``/``rest`` are the crossings on f's edges: the edge, ±1 (entering or
    leaving), and ±(1 − t). ``ring_state``: the state of given ring starts (flat
    positions), where ``other`` holds only part of its polygon's edges.
    """
    n, m = len(f.row), len(f.start)
    delta = np.bincount(at, enter, minlength=n)
    before = np.cumsum(delta) - delta            # crossings before each edge, flat
    anchor = np.full(n, -1)
    outside = np.flatnonzero(out)
    anchor[f.ring_first[outside]] = outside
    ring_anchor = anchor[f.ring_first]
    state = np.where(ring_anchor >= 0, before - before[np.maximum(ring_anchor, 0)], 0.0)
    sure = np.ones(m, dtype=bool)
    lone = np.flatnonzero(ring_anchor < 0)
    if len(lone):
        # Rings with no vertex outside the other's box: their first vertex by crossing number.
        rings = np.unique(f.ring_first[lone])
        if ring_state is None:
            inside, decided = _point_in(f.x0[rings], f.y0[rings], f.row[rings], other, tol)
        else:
            inside, decided = ring_state(rings), np.ones(len(rings), dtype=bool)
        start_state = np.zeros(n)
        start_state[rings] = inside
        first = f.ring_first[lone]
        state[lone] = start_state[first] + before[lone] - before[first]
        sure[f.row[rings[~decided]]] = False
    share = np.where(near, state + np.bincount(at, rest, minlength=n), 0.0)
    return share, sure


def _point_in(px: FloatArray, py: FloatArray, row: IntArray, other: _Flat, tol: FloatArray
              ) -> tuple[FloatArray, BoolArray]:
    """Each point (of pair ``row``) inside the other polygon by the crossing number of a ray
    to +x over all its edges, and whether every edge the ray's line meets was decided."""
    count = other.count[row]
    k = np.repeat(np.arange(len(row)), count)
    edge = other.start[row][k] + (np.arange(int(count.sum())) - ring_starts(count)[k])
    ux, uy, vx, vy = other.x0[edge], other.y0[edge], other.x1[edge], other.y1[edge]
    y, x = py[k], px[k]
    spans = (uy > y) != (vy > y)
    side = (vx - ux) * (y - uy) - (vy - uy) * (x - ux)
    right = np.where(vy > uy, side > 0, side < 0)
    unsure = spans & (np.abs(side) <= tol[row][k])
    odd = np.bincount(k, spans & right, minlength=len(row)) % 2 == 1
    return odd.astype(float), np.bincount(k, unsure, minlength=len(row)) == 0
