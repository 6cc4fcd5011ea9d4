"""A layer's geometry as the map draws it, flattened once from the source CRS.

The builder used to reproject a layer's geometries (new shapely objects), shift them to
GCJ-02, orient them with GEOS and flatten them again into parts, rings and coordinates:
at a province's size (1M parcels, 17M vertices) most of that time went into creating and
walking shapely objects. Here the coordinates are read once, in the source CRS, in the
order GEOS stores them; features of one ring (nearly every parcel) need no part or ring
objects at all, their ring is the whole coordinate run. The coordinates are reprojected as
two arrays (the same ``pyproj`` transformation ``GeoSeries.to_crs`` uses, so the same
numbers), and rings are oriented by GEOS's own rule (:func:`ring_is_ccw`) in numpy.

What comes out is exactly what :func:`gaoxin.maps.encode.geometry_arrays` gives for
``lighten(to_crs(4326))``, the geometry path it replaces, which still serves layers that
simplification would change (densely digitised curves) and geometries with Z.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from ..geo.offsets import wgs84_to_gcj02
from ..geo.parallel import THREADS
from .encode import (
    _MIN_REMOVABLE,
    POLY,
    QUANT,
    SIMPLIFY_DEG,
    GeometryArrays,
    Geoms,
    Ints,
    _close_vertices,
    _open_rings,
    _parts_rings,
    geometry_arrays,
    lighten,
)

Floats = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]
WGS84 = pyproj.CRS.from_epsg(4326)
# Features per block (a thread's task): ~1M vertices of parcels, arrays of 8-16 MB.
BLOCK_FEATURES = 65_536
# Features per piece of a block drawn at once: ~70,000 vertices of parcels, arrays of about
# 1 MB, within a core's cache.
PIECE_FEATURES = 4_096


@cache
def _to_wgs84(source: pyproj.CRS) -> pyproj.Transformer:
    """The transformation ``GeoSeries.to_crs(4326)`` uses from ``source``, made once.

    Making one asks PROJ's database for the operations between the two CRS: 0.08–0.2 s,
    which a transformer per block paid 16 times at 1M parcels. One ``Transformer`` serves
    every thread: pyproj gives each thread its own PROJ object on first use, made again
    the way the first was. Where PROJ found one operation, the first is remade from its
    pipeline, the text PROJ itself runs it from (0.2 ms a thread instead of the database's
    0.13 s); where it chooses among several by area, each thread asks the database.
    """
    found = pyproj.Transformer.from_crs(source, WGS84, always_xy=True)
    try:
        return pyproj.Transformer.from_pipeline(found.definition)
    except pyproj.exceptions.ProjError:  # "unavailable until proj_trans is called"
        return found


@cache
def _pool() -> ThreadPoolExecutor:
    """The threads drawing a big layer's blocks, kept for the process: each keeps its PROJ
    objects (see :func:`_to_wgs84`) from one layer and one map to the next."""
    return ThreadPoolExecutor(THREADS, thread_name_prefix="gaoxin-map")


@dataclass(frozen=True)
class DrawnLayer:
    """A layer as drawn: its flattened, oriented, quantised geometry in ``runs`` of
    consecutive features (the blocks it was drawn in), and per feature its lon/lat bounds
    (``x0, y0, x1, y1``, NaN when empty) and planar area in square degrees.

    The runs are joined into one set of arrays only when asked for (:attr:`arrays`): a big
    layer's chunks take their features from the runs (:meth:`taker`), so the 17M vertices
    of 1M parcels are not copied once more (0.5 s, and 300 MB beside the runs).
    """

    runs: tuple[GeometryArrays, ...]
    bounds: Floats
    area: Floats

    @cached_property
    def arrays(self) -> GeometryArrays:
        """The whole layer's arrays, the runs joined."""
        return self.runs[0] if len(self.runs) == 1 else _joined_arrays(list(self.runs))

    def taker(self) -> Callable[[Index], GeometryArrays]:
        """A function giving the features ``rows`` as :func:`take_features` gives them from
        :attr:`arrays`: rows in ascending order are taken run by run, others from the
        joined arrays."""
        if len(self.runs) == 1:
            whole, starts = self.runs[0], starts_of(self.runs[0])
            return lambda rows: take_features(whole, rows, starts)
        first = np.cumsum([0, *(len(r["parts_per_feat"]) for r in self.runs)])
        run_starts = [starts_of(r) for r in self.runs]

        def take(rows: Index) -> GeometryArrays:
            if len(rows) > 1 and not (rows[1:] > rows[:-1]).all():
                return take_features(self.arrays, rows)
            cut = np.searchsorted(rows, first)  # where each run's rows begin
            taken = [take_features(run, rows[cut[i]:cut[i + 1]] - first[i], run_starts[i])
                     for i, run in enumerate(self.runs) if cut[i + 1] > cut[i]]
            if not taken:
                return take_features(self.runs[0], rows[:0], run_starts[0])
            return taken[0] if len(taken) == 1 else _joined_arrays(taken)
        return take

    @property
    def total_bounds(self) -> Floats:
        """Bounds of the whole layer (NaN when it draws nothing)."""
        ok = np.isfinite(self.bounds[:, 0])
        if not ok.any():
            return np.full(4, np.nan)
        b = self.bounds[ok]
        return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def _ragged_index(starts: Ints, lengths: Ints) -> Index:
    """Indices ``starts[i] … starts[i] + lengths[i] - 1``, run after run.

    Examples
    --------
    >>> _ragged_index(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(lengths.sum())
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    index: Index = np.arange(total, dtype=np.intp) + shift
    return index


def _starts(lengths: Ints) -> Index:
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)


def _flatten(geoms: Geoms) -> tuple[Floats, Index, Ints, Index, Index]:
    """Coordinates of ``geoms`` (rings closed, in GEOS's order) and their structure:
    feature of each part, part types, part of each ring, coordinates per ring.

    A polygon feature whose first vertex comes back only as its last one is a single ring;
    only the other features (holes, several parts, lines, points) are taken apart into
    shapely parts and rings.
    """
    coords = shapely.get_coordinates(geoms)
    count = shapely.get_num_coordinates(geoms).astype(np.intp)
    start = _starts(count)
    type_id = shapely.get_type_id(geoms)
    # A polygon without holes is its shell (GEOS counts the holes: 50 ms less a block than
    # looking for the first vertex's return); a multi-polygon (rare) is one ring when its
    # first vertex comes back only as its last.
    single = (type_id == 3) & (count >= 4) & (shapely.get_num_interior_rings(geoms) == 0)
    multi = np.flatnonzero((type_id == 6) & (count >= 4))
    if len(multi):
        m_count = count[multi]
        feat = np.repeat(np.arange(len(multi)), m_count)
        at = _ragged_index(start[multi], m_count)
        at_first = ((coords[at, 0] == coords[start[multi], 0][feat])
                    & (coords[at, 1] == coords[start[multi], 1][feat]))
        returns = np.bincount(feat[at_first], minlength=len(multi))
        single[multi] = (returns == 2) & at_first[np.cumsum(m_count) - 1]
    one = np.flatnonzero(single)
    other = np.flatnonzero(~single)
    if len(other):
        o_feat, o_type, o_ring_part, o_rings = _parts_rings(geoms[other])
        o_feat = other[o_feat]
        o_len = shapely.get_num_coordinates(o_rings).astype(np.intp)
    else:
        o_feat, o_type = np.zeros(0, np.intp), np.zeros(0, np.int64)
        o_ring_part, o_len = np.zeros(0, np.intp), np.zeros(0, np.intp)
    # Parts and rings of both kinds, put back in feature order.
    part_feat = np.concatenate([one, o_feat])
    part_type = np.concatenate([np.full(len(one), POLY), o_type])
    porder = np.argsort(part_feat, kind="stable")
    new_part = np.empty(len(porder), dtype=np.intp)
    new_part[porder] = np.arange(len(porder))
    ring_part = new_part[np.concatenate([np.arange(len(one)), len(one) + o_ring_part])]
    ring_len = np.concatenate([count[one], o_len])
    rorder = np.argsort(ring_part, kind="stable")
    ring_part, ring_len = ring_part[rorder], ring_len[rorder]
    if int(ring_len.sum()) != len(coords):
        raise AssertionError("rings and coordinates of a layer disagree")
    return coords, part_feat[porder], part_type[porder], ring_part, ring_len


def _orientation_index(a: Floats, b: Floats, c: Floats) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """GEOS's orientation of ``a → b → c`` (1 counter-clockwise, -1 clockwise, 0 collinear)
    where its double-precision filter decides, and where it does (elsewhere GEOS computes in
    double-double)."""
    left = (a[:, 0] - c[:, 0]) * (b[:, 1] - c[:, 1])
    right = (a[:, 1] - c[:, 1]) * (b[:, 0] - c[:, 0])
    det = left - right
    opposite = ((left > 0) & (right <= 0)) | ((left < 0) & (right >= 0)) | (left == 0)
    detsum = np.abs(left) + np.abs(right)
    sure = opposite | (np.abs(det) >= 1e-15 * detsum)
    return np.sign(det).astype(np.int64), sure


def ring_is_ccw(xy: Floats, ring_start: Index, ring_len: Index) -> npt.NDArray[np.bool_]:
    """Whether each closed ring runs counter-clockwise, by GEOS's rule (``Orientation::
    isCCW``: the turn at the ring's highest point; flat or degenerate rings are not).

    Rings whose highest y is reached by one vertex only are decided here; the rest (a flat
    top, a repeated top vertex, a turn too close to straight for the double-precision
    filter) by GEOS itself.

    Examples
    --------
    >>> sq = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    >>> xy = np.concatenate([sq, sq[::-1]])
    >>> ring_is_ccw(xy, np.array([0, 5]), np.array([5, 5])).tolist()
    [True, False]
    """
    nr = len(ring_start)
    ccw = np.zeros(nr, dtype=bool)
    npts = ring_len - 1  # without the closing vertex
    open_len = np.where(npts >= 3, npts, 0)
    ok = open_len > 0
    if not ok.any():
        return ccw
    idx = _ragged_index(ring_start[ok], open_len[ok])
    ring_of = np.repeat(np.flatnonzero(ok), open_len[ok])
    y = xy[:, 1].take(idx)
    top = np.full(nr, -np.inf)
    top[ok] = np.maximum.reduceat(y, _starts(open_len[ok]))
    at_top = y == top[ring_of]
    tops = np.bincount(ring_of[at_top], minlength=nr)
    unique = ok & (tops == 1)
    hi_pos = idx[at_top & unique[ring_of]]  # one per unique ring, in ring order
    rings = np.flatnonzero(unique)
    s, m = ring_start[rings], npts[rings]
    k = hi_pos - s
    prev = s + np.where(k == 0, m - 1, k - 1)
    nxt = hi_pos + 1  # the closing vertex follows the last open one
    a, b, c = xy[prev], xy[hi_pos], xy[nxt]
    orient, sure = _orientation_index(a, b, c)
    same = (a[:, 0] == c[:, 0]) & (a[:, 1] == c[:, 1])
    ccw[rings] = (orient == 1) & ~same
    undecided = np.concatenate([rings[~sure & ~same], np.flatnonzero(ok & ~unique)])
    if len(undecided):
        lines = shapely.linestrings(xy[_ragged_index(ring_start[undecided],
                                                     ring_len[undecided])],
                                    indices=np.repeat(np.arange(len(undecided)),
                                                      ring_len[undecided]))
        ccw[undecided] = shapely.is_ccw(lines)
    return ccw


def _from_geoms(geoms: Geoms) -> DrawnLayer:
    """The geometry path: lon/lat shapely geometries, lightened, then flattened."""
    drawn = lighten(geoms)
    bounds = shapely.bounds(drawn)
    return DrawnLayer((geometry_arrays(drawn),), bounds, shapely.area(drawn))


def _lonlat_geoms(geoms: Geoms, crs: Any, gcj02: bool) -> Geoms:
    """The geometry path's first steps: ``GeoSeries.to_crs`` and the GCJ-02 shift."""
    import geopandas as gpd

    from ..geo.offsets import convert_geometries

    lonlat = np.asarray(gpd.GeoSeries(geoms, crs=crs).to_crs(4326).values, dtype=object)
    return convert_geometries(lonlat, "wgs84", "gcj02") if gcj02 else lonlat


def drawn_layer(geoms: Geoms, crs: Any, *, gcj02: bool = False,
                tolerance: float = SIMPLIFY_DEG) -> DrawnLayer:
    """``geoms`` (in ``crs``) as the map draws them: EPSG:4326 (GCJ-02 when ``gcj02``),
    simplified where it cannot be seen (:func:`gaoxin.maps.encode.lighten`), oriented,
    flattened and quantised.

    The features are taken :data:`BLOCK_FEATURES` at a time: each array of a block stays
    under the allocator's threshold for fresh pages from the kernel, which a province's
    17M-vertex arrays crossed at every step (at 1M parcels, half the CPU time was the
    kernel's, zeroing pages for temporaries).

    Examples
    --------
    >>> from shapely import box
    >>> d = drawn_layer(np.array([box(104.0, 30.0, 104.001, 30.001)]), 4326)
    >>> d.arrays["ring_len"].tolist(), d.bounds.round(3).tolist()
    ([4], [[104.0, 30.0, 104.001, 30.001]])
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    if n and shapely.has_z(geoms).any():
        # A 3-D transformation: let geopandas reproject, as it always did.
        return _from_geoms(_lonlat_geoms(geoms, crs, gcj02))
    source = pyproj.CRS.from_user_input(crs)
    transformer = None if source.is_exact_same(WGS84) else _to_wgs84(source)

    def block(start: int) -> tuple[DrawnLayer, int, int, int]:
        return _drawn_block(geoms[start:start + BLOCK_FEATURES], transformer, gcj02,
                            tolerance)

    starts = range(0, max(n, 1), BLOCK_FEATURES)
    # Blocks in threads: PROJ, shapely's coordinate reads and numpy's large loops let go of
    # the GIL (1M parcels: 10.1 → 7.4 s), and the result is in order.
    blocks = [block(0)] if len(starts) == 1 else list(_pool().map(block, starts))
    close = sum(b[1] for b in blocks)
    triples = sum(b[2] for b in blocks)
    nverts = sum(b[3] for b in blocks)
    if n and nverts / n > 8 and triples and close / triples >= _MIN_REMOVABLE:
        return _from_geoms(_lonlat_geoms(geoms, crs, gcj02))
    return DrawnLayer(tuple(run for b in blocks for run in b[0].runs),
                      np.concatenate([b[0].bounds for b in blocks]),
                      np.concatenate([b[0].area for b in blocks]))


def _joined(parts: list[DrawnLayer]) -> DrawnLayer:
    """Consecutive runs of a layer's features, drawn, as one run."""
    if len(parts) == 1:
        return parts[0]
    return DrawnLayer((_joined_arrays([p.arrays for p in parts]),),
                      np.concatenate([p.bounds for p in parts]),
                      np.concatenate([p.area for p in parts]))


def _joined_arrays(runs: list[GeometryArrays]) -> GeometryArrays:
    """Consecutive runs of a layer's features' arrays as one."""
    return {
        "parts_per_feat": np.concatenate([r["parts_per_feat"] for r in runs]),
        "ptype": np.concatenate([r["ptype"] for r in runs]),
        "rings_per_part": np.concatenate([r["rings_per_part"] for r in runs]),
        "ring_len": np.concatenate([r["ring_len"] for r in runs]),
        "q": np.concatenate([r["q"] for r in runs]),
    }


def _drawn_block(geoms: Geoms, transformer: pyproj.Transformer | None, gcj02: bool,
                 tolerance: float) -> tuple[DrawnLayer, int, int, int]:
    """One block of :func:`drawn_layer`, with its vertices near their neighbours' line, its
    vertex triples and its vertices (for the layer's choice to simplify).

    The block is drawn :data:`PIECE_FEATURES` at a time, each piece's arrays small enough
    to stay in the core's cache through the passes over them (17 % less CPU a block than
    passes over a whole block's 1.1M vertices); the simplification estimate counts the
    block's vertex triples as before, piece by piece and across each join (the last two
    vertices before it and the first two after), so the layer's choice is the same.
    """
    pieces = [_drawn_piece(geoms[s:s + PIECE_FEATURES], transformer, gcj02)
              for s in range(0, max(len(geoms), 1), PIECE_FEATURES)]
    close = triples = vertices = 0
    tail = np.zeros((0, 2))  # the last two vertices so far
    for _, xy in pieces:
        for counted in (_close_vertices(xy, tolerance),
                        _close_vertices(np.concatenate([tail, xy[:2]]), tolerance)):
            close, triples = close + counted[0], triples + counted[1]
        tail = np.concatenate([tail, xy[-2:]])[-2:]
        vertices += len(xy)
    return _joined([p[0] for p in pieces]), close, triples, vertices


def _drawn_piece(geoms: Geoms, transformer: pyproj.Transformer | None, gcj02: bool
                 ) -> tuple[DrawnLayer, Floats]:
    """Features drawn, and their vertices in lon/lat before the rings were oriented."""
    n = len(geoms)
    coords, feat_of_part, ptype, ring_part, ring_len = _flatten(geoms)
    xy = _lonlat(coords, transformer, gcj02)
    projected = xy
    ring_start = _starts(ring_len)
    is_poly = ptype[ring_part] == POLY
    shell = is_poly & np.concatenate([[True], ring_part[1:] != ring_part[:-1]])
    ccw = np.zeros(len(ring_len), dtype=bool)
    if is_poly.any():
        ccw[is_poly] = ring_is_ccw(xy, ring_start[is_poly], ring_len[is_poly])
    # Shells counter-clockwise, holes clockwise (``shapely.orient_polygons``).
    flip = np.flatnonzero(is_poly & (ccw != shell) & (ring_len > 1))
    if len(flip):
        at = _ragged_index(ring_start[flip], ring_len[flip])
        steps = np.repeat(np.arange(len(flip)), ring_len[flip])
        # A flipped ring read backwards: vertex i takes vertex (start + end - i).
        back = (2 * ring_start[flip] + ring_len[flip] - 1)[steps] - at
        xy = xy.copy()
        xy[at] = xy[back]
    ring_of = np.repeat(np.arange(len(ring_len)), ring_len)
    bounds = np.full((n, 4), np.nan)
    if len(xy):
        # A polygon's envelope is its shell's (GEOS), even where a hole pokes out.
        hole = is_poly & ~shell
        if hole.any():
            outer = ~hole[ring_of]
            bx, by = xy[outer, 0], xy[outer, 1]
            feat_of_coord = feat_of_part[ring_part][ring_of[outer]]
        else:  # (nearly every block of parcels: no selection of 1M vertices)
            bx, by = xy[:, 0], xy[:, 1]
            feat_of_coord = feat_of_part[ring_part][ring_of]
        first = np.flatnonzero(np.concatenate([[True],
                                               feat_of_coord[1:] != feat_of_coord[:-1]]))
        nonempty = feat_of_coord[first]
        bounds[nonempty, 0] = np.minimum.reduceat(bx, first)
        bounds[nonempty, 1] = np.minimum.reduceat(by, first)
        bounds[nonempty, 2] = np.maximum.reduceat(bx, first)
        bounds[nonempty, 3] = np.maximum.reduceat(by, first)
    area = np.zeros(n)
    if is_poly.any() and len(xy):
        # Shoelace about each ring's first vertex; a hole takes its area off its polygon.
        x0, y0 = xy[ring_start, 0][ring_of], xy[ring_start, 1][ring_of]
        dx, dy = xy[:, 0] - x0, xy[:, 1] - y0
        cross = np.zeros(len(xy))
        cross[:-1] = dx[:-1] * dy[1:] - dx[1:] * dy[:-1]
        cross[np.cumsum(ring_len) - 1] = 0.0  # no edge from a ring's last vertex
        ring_area = np.abs(np.bincount(ring_of, cross, minlength=len(ring_len))) / 2
        signed = np.where(shell, ring_area, -ring_area) * is_poly
        area = np.bincount(feat_of_part[ring_part], signed, minlength=n).astype(np.float64)
    arrays = _quantised_open(xy, ring_of, _open_rings(ptype, ring_part, ring_len),
                             feat_of_part, ptype, ring_part, n)
    return DrawnLayer((arrays,), bounds, area), projected


def _lonlat(coords: Floats, transformer: pyproj.Transformer | None, gcj02: bool) -> Floats:
    """``coords`` in lon/lat (GCJ-02 when ``gcj02``), each distinct vertex projected once.

    Neighbouring parcels share most of their vertices (a realistic parcel's 17 vertices
    hold 7 new ones): PROJ (0.2 µs a vertex) and the shift see each bit pattern once, and
    every vertex takes its pattern's result, the numbers a call on every vertex gives.
    """
    if (transformer is None and not gcj02) or not len(coords):
        return coords
    distinct, which = _distinct_vertices(coords)
    xy = distinct
    if transformer is not None:
        x, y = transformer.transform(distinct[:, 0], distinct[:, 1])
        xy = np.column_stack([x, y])
    if gcj02:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        xy = np.column_stack([lon, lat])
    return xy if which is None else xy.take(which, axis=0)


# An odd 64-bit multiplier (the golden ratio's): x's bits spread over the key before y's
# are mixed in.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _distinct_vertices(coords: Floats) -> tuple[Floats, Index | None]:
    """Each distinct bit pattern of ``coords`` (rows), in order of first occurrence, and the
    pattern of each row (``None``: every row is its own).

    Rows are told apart by a 64-bit key of both coordinates' bits; a key two patterns share
    is caught by comparing every row's bits with its pattern's, and then no row is merged.

    Examples
    --------
    >>> xy = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]])
    >>> distinct, which = _distinct_vertices(xy)
    >>> distinct.tolist(), which.tolist()
    ([[1.0, 2.0], [3.0, 4.0]], [0, 1, 0])
    >>> _distinct_vertices(np.array([[-0.0, 0.0], [0.0, -0.0]]))[1] is None  # one key
    True
    """
    bits = np.ascontiguousarray(coords, dtype=np.float64).view(np.uint64)
    key = bits[:, 0] * _MIX
    key ^= bits[:, 1]
    which, _ = pd.factorize(key)
    # Codes count up in order of first occurrence: a row is first where its code is new.
    seen = np.maximum.accumulate(which)
    first = np.flatnonzero(np.concatenate([[True], seen[1:] > seen[:-1]]))
    if len(first) == len(which):
        return coords, None
    which_index: Index = which.astype(np.intp, copy=False)
    # (Rows gathered by ``take``: fancy indexing of rows costs twice as much.)
    if not (bits.take(first, axis=0).take(which_index, axis=0) == bits).all():
        return coords, None  # two patterns, one key
    return coords.take(first, axis=0), which_index


def _quantised_open(xy: Floats, ring_of: Index, keep: npt.NDArray[np.bool_],
                    feat_of_part: Index, ptype: Ints, ring_part: Index, n: int
                    ) -> GeometryArrays:
    """:func:`gaoxin.maps.encode._quantised` of the ``keep`` vertices (rings opened), with
    one selection of the vertices, not one to open the rings and one to drop repeats.

    A vertex is a repeat when it quantises to its ring's vertex before it; the closing
    vertices dropped here are each their ring's last, so no kept vertex has its previous
    kept vertex anywhere but just before it.
    """
    scaled = np.multiply(xy, QUANT)
    q = np.rint(scaled, out=scaled).astype(np.int64)
    keep = keep.copy()
    if len(q) > 1:
        keep[1:] &= ~((ring_of[1:] == ring_of[:-1]) & (q[1:, 0] == q[:-1, 0])
                      & (q[1:, 1] == q[:-1, 1]))
    kept = np.flatnonzero(keep)  # gathered by position: a boolean selection of rows is slower
    return {
        "parts_per_feat": np.bincount(feat_of_part, minlength=n),
        "ptype": ptype,
        "rings_per_part": np.bincount(ring_part, minlength=len(ptype)),
        "ring_len": np.bincount(ring_of.take(kept), minlength=len(ring_part)),
        "q": q.take(kept, axis=0),
    }


Starts = tuple[Index, Index, Index]


def starts_of(a: GeometryArrays) -> Starts:
    """Where each part, ring and vertex run of a flattened layer starts (for
    :func:`take_features`, computed once for many takes)."""
    return _starts(a["parts_per_feat"]), _starts(a["rings_per_part"]), _starts(a["ring_len"])


def take_features(a: GeometryArrays, order: Index, starts: Starts | None = None
                  ) -> GeometryArrays:
    """The features of a flattened layer in ``order`` (``starts``: :func:`starts_of`).

    Examples
    --------
    >>> from shapely import box
    >>> a = geometry_arrays(np.array([box(0, 0, 1, 1), box(5, 5, 6, 6)]))
    >>> take_features(a, np.array([1, 0]))["q"][0].tolist()
    [6000000, 5000000]
    """
    part_start, ring_start, vert_start = starts or starts_of(a)
    parts = _ragged_index(part_start[order], a["parts_per_feat"][order])
    rings = _ragged_index(ring_start[parts], a["rings_per_part"][parts])
    verts = _ragged_index(vert_start[rings], a["ring_len"][rings])
    return {"parts_per_feat": a["parts_per_feat"][order], "ptype": a["ptype"][parts],
            "rings_per_part": a["rings_per_part"][parts], "ring_len": a["ring_len"][rings],
            "q": a["q"].take(verts, axis=0)}
