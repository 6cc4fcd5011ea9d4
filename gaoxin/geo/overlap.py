"""The overlap kernel: "area of each A inside B", for every analysis that needs it.

``geopandas.overlay`` clips every A against whole B polygons; real red-line polygons have
hundreds of thousands of vertices, so that cost explodes (performance.md §3: > 600 s for
200,000 parcels). Here instead, as measured there:

1. B is subdivided into pieces of at most ``max_vertices`` vertices (like PostGIS
   ``ST_Subdivide``), so each exact intersection is cheap; small B are used whole (when
   only areas are wanted, large B are not subdivided either: only their edges near each
   A are read, :func:`.clip.large_pair_areas`);
2. A features wholly inside one B take their own area, with no intersection at all: most
   such pairs of small polygons are proven by array arithmetic (:mod:`.containment`), the
   rest by GEOS (prepared ``contains_properly``, threads split by B);
3. only A × piece pairs on a boundary are intersected (in threads: GEOS releases the GIL),
   or, when only areas are wanted (``geometries=False``), measured without building the
   intersection (:mod:`.clip`);
4. where an A meets two or more B features that may overlap each other, its fragments are
   unioned so overlaps count once.

Geometries must share one projected CRS (metres). Areas are returned as planar areas of
that CRS; callers turn them into ellipsoidal areas with :func:`gaoxin.geo.area.ellipsoidal_area`
on the pieces, or use :func:`area_inside`, which does so.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .area import _SMALL_EXTENT_M, areal_scale_factors, ellipsoidal_area
from .arrays import BoolArray, FloatArray, GeometryArray, IntArray
from .clip import _CHUNK as _CLIP_CHUNK
from .clip import large_pair_areas, pair_areas
from .containment import certainly_inside
from .parallel import THREADS, chunked, chunked_by_owner, query_pairs


def _polygonal(geoms: GeometryArray) -> GeometryArray:
    """Keep only the polygonal part of each geometry (intersections may add lines/points)."""
    out = geoms.copy()
    types = shapely.get_type_id(out)
    odd = ~np.isin(types, (3, 6)) & ~shapely.is_empty(out)
    for i in np.flatnonzero(odd):
        parts = [p for p in shapely.get_parts(out[i]) if p.geom_type in ("Polygon",
                                                                           "MultiPolygon")]
        out[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


def subdivide(geoms: GeometryArray, max_vertices: int = 256
              ) -> tuple[GeometryArray, IntArray]:
    """Split polygons into pieces of at most ``max_vertices`` vertices by halving their bbox.

    Returns the pieces and, for each, the position of the polygon it came from. The pieces
    of one polygon partition it (they overlap only along cut lines).

    Examples
    --------
    >>> circle = shapely.Point(0, 0).buffer(100, quad_segs=256)   # 1,025 vertices
    >>> pieces, src = subdivide(np.array([circle]), max_vertices=64)
    >>> bool(shapely.get_num_coordinates(pieces).max() <= 64), bool((src == 0).all())
    (True, True)
    >>> round(float(shapely.area(pieces).sum() / circle.area), 9)
    1.0
    """
    geoms = np.asarray(geoms, dtype=object)
    todo, src = geoms, np.arange(len(geoms))
    done_g, done_s = [], []
    while len(todo):
        small = shapely.get_num_coordinates(todo) <= max_vertices
        done_g.append(todo[small])
        done_s.append(src[small])
        big, big_src = todo[~small], src[~small]
        if not len(big):
            break
        b = shapely.bounds(big)
        wide = (b[:, 2] - b[:, 0]) >= (b[:, 3] - b[:, 1])
        mx, my = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        first = shapely.box(b[:, 0], b[:, 1], np.where(wide, mx, b[:, 2]),
                            np.where(wide, b[:, 3], my))
        second = shapely.box(np.where(wide, mx, b[:, 0]), np.where(wide, b[:, 1], my),
                             b[:, 2], b[:, 3])
        halves = _polygonal(_clip_to_boxes(np.concatenate([big, big]),
                                           np.concatenate([first, second])))
        halves_src = np.concatenate([big_src, big_src])
        keep = ~shapely.is_empty(halves) & (shapely.area(halves) > 0)
        todo, src = halves[keep], halves_src[keep]
    return np.concatenate(done_g) if done_g else geoms[:0], (
        np.concatenate(done_s) if done_s else np.zeros(0, dtype=int))


def _clip_to_boxes(geoms: GeometryArray, boxes: GeometryArray) -> GeometryArray:
    """Each geometry clipped to its box: GEOS's rectangle clipper (7× faster than an
    overlay on 20,000-vertex red lines), the overlay where the clipper's output is not
    valid (it does not promise validity)."""
    lo = shapely.bounds(boxes)
    out = np.array([shapely.clip_by_rect(g, *r) for g, r in zip(geoms, lo.tolist(),
                                                                  strict=True)], dtype=object)
    bad = np.flatnonzero(~shapely.is_valid(out))
    if len(bad):
        out[bad] = shapely.intersection(geoms[bad], boxes[bad])
    return out


def _pieces_of(gb: GeometryArray, need_b: IntArray, max_vertices: int,
               subdivided: tuple[GeometryArray, IntArray] | None
               ) -> tuple[GeometryArray, IntArray]:
    """The pieces of B's features ``need_b`` and each piece's B position (subdivided
    now, or taken from a subdivision made once for the caller)."""
    if subdivided is None:
        pieces, piece_src = subdivide(gb[need_b], max_vertices)
        return pieces, need_b[piece_src]
    wanted = np.isin(subdivided[1], need_b)
    return subdivided[0][wanted], subdivided[1][wanted]


def _union_by_key(key: IntArray, geoms: GeometryArray) -> tuple[IntArray, GeometryArray]:
    """The distinct keys (sorted) and, for each, the union of its geometries."""
    order = np.argsort(key, kind="stable")
    key, geoms = key[order], geoms[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    sizes = np.diff(np.r_[starts, len(key)])
    merged = geoms[starts].copy()
    for i in np.flatnonzero(sizes > 1):
        merged[i] = shapely.union_all(geoms[starts[i]:starts[i] + sizes[i]])
    return key[starts], merged


def _positions(values: IntArray, n: int) -> IntArray:
    """Sorted distinct values of an index array (a mask is cheaper than np.unique)."""
    mask = np.zeros(n, dtype=bool)
    mask[values] = True
    return np.flatnonzero(mask)


@dataclass
class Overlap:
    """Result of :func:`overlap`: what of each A lies inside B, and the pieces."""

    inside: BoolArray         # per A: True when wholly inside one B feature
    pieces: gpd.GeoDataFrame | pd.DataFrame  # a_pos, b_pos, and geometry or planar_m2
    n_a: int


def overlap(
    a: gpd.GeoSeries,
    b: gpd.GeoSeries,
    *,
    max_vertices: int = 256,
    threads: int = THREADS,
    keep_whole_pieces: bool = True,
    b_disjoint: bool = False,
    geometries: bool = True,
    subdivided: tuple[GeometryArray, IntArray] | None = None,
    a_bounds: FloatArray | None = None,
) -> Overlap:
    """Intersect every A with B, fast on complex B (see module docstring).

    Parameters
    ----------
    a, b
        Polygons in the same projected CRS.
    max_vertices
        Subdivision size for B.
    threads
        Threads for the exact intersections.
    keep_whole_pieces
        Include A features wholly inside a B as pieces (their own geometry).
    b_disjoint
        B's interiors do not overlap (a coverage such as parcels): an A wholly inside one B
        then meets no other B, and its other candidate pairs are skipped.
    geometries
        False: give each piece's planar area (``planar_m2``) instead of its geometry, so
        most pairs are measured without building the intersection (:mod:`.clip`).
    subdivided
        B's large features already subdivided (pieces and their B positions, as
        :func:`subdivide` gives them for ``b``'s features over ``max_vertices``): a caller
        that asks twice about one B pays for the subdivision once.
    a_bounds
        ``shapely.bounds`` of A's geometries, when the caller has them (A measured against
        several layers reads them once); used with ``geometries=False``.

    Returns
    -------
    Overlap
        ``pieces`` has one row per fragment with the positions (not labels) of its A and B.

    Examples
    --------
    >>> a = gpd.GeoSeries([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)], crs=4544)
    >>> b = gpd.GeoSeries([shapely.box(5, -5, 25, 5)], crs=4544)
    >>> o = overlap(a, b)
    >>> shapely.area(o.pieces.geometry.values).tolist()
    [25.0, 25.0]
    """
    if a.crs != b.crs:
        raise ValueError("overlap needs both layers in one CRS")
    ga = np.asarray(a.values, dtype=object)
    gb = np.asarray(b.values, dtype=object)
    inside = np.zeros(len(ga), dtype=bool)
    if not len(ga) or not len(gb):
        # Nothing overlaps (e.g. a zone with no buildings yet): no pieces, in the shape the
        # caller asked for.
        none: gpd.GeoDataFrame | pd.DataFrame = (
            gpd.GeoDataFrame({"a_pos": np.zeros(0, int), "b_pos": np.zeros(0, int)},
                             geometry=gpd.GeoSeries([], crs=a.crs)) if geometries else
            pd.DataFrame({"a_pos": np.zeros(0, int), "b_pos": np.zeros(0, int),
                          "planar_m2": np.zeros(0)}))
        return Overlap(inside, none, len(ga))
    # 1. A wholly inside one B: bbox candidates; most pairs of small polygons are proven
    # inside by array arithmetic, the rest asked of GEOS (prepared contains_properly).
    cand_a, cand_b = query_pairs(shapely.STRtree(gb), ga, threads=threads)
    if not geometries:
        return _overlap_measured(ga, gb, cand_a, cand_b, max_vertices=max_vertices,
                                 threads=threads, keep_whole=keep_whole_pieces,
                                 b_disjoint=b_disjoint, a_bounds=a_bounds)
    whole = certainly_inside(ga, gb, cand_a, cand_b, threads=threads)
    ask = ~whole
    if b_disjoint:  # an A proven inside one B is inside no other
        proven = np.zeros(len(ga), dtype=bool)
        proven[cand_a[whole]] = True
        ask &= ~proven[cand_a]
    if ask.any():
        asked = np.flatnonzero(ask)
        shapely.prepare(gb[_positions(cand_b[asked], len(gb))])
        # Threads get disjoint ranges of B: GEOS builds a prepared geometry's index lazily,
        # and two threads meeting one B for the first time could race.
        whole[asked] = chunked_by_owner(shapely.contains_properly, cand_b[asked], len(gb),
                                        gb[cand_b[asked]], ga[cand_a[asked]], threads=threads)
    inside_pairs = pd.DataFrame({"a": cand_a[whole], "b": cand_b[whole]}).drop_duplicates("a")
    inside[inside_pairs["a"].to_numpy()] = True
    # 2. Every other candidate pair against B's pieces.
    n_b = len(gb)
    whole_keys = cand_a[whole] * n_b + cand_b[whole]
    open_pair = ~whole & ~inside[cand_a] if b_disjoint else ~whole
    # B small enough to intersect whole: its candidate pairs are used as they are.
    op_a, op_b = cand_a[open_pair], cand_b[open_pair]
    small = shapely.get_num_coordinates(gb[op_b]) <= max_vertices
    da, db = op_a[small], op_b[small]
    hit = chunked(shapely.intersects, gb[db], ga[da], threads=threads)
    da, db = da[hit], db[hit]
    # Large B: subdivided, and its pieces found through their own tree.
    rest_a = _positions(op_a[~small], len(ga))
    need_b = _positions(op_b[~small], n_b)
    pieces, piece_src = _pieces_of(gb, need_b, max_vertices, subdivided)
    pa, pp = query_pairs(shapely.STRtree(pieces), ga[rest_a], predicate="intersects",
                         threads=threads)
    pa, pb = rest_a[pa], piece_src[pp]
    todo = np.ones(len(pa), dtype=bool)
    maybe_whole = inside[pa]  # only an A inside some B can repeat a whole pair
    if maybe_whole.any():
        todo[maybe_whole] = ~np.isin(pa[maybe_whole] * n_b + pb[maybe_whole], whole_keys)
    pa, pb = np.r_[da, pa[todo]], np.r_[db, pb[todo]]
    pieces = np.r_[gb[db], pieces[pp[todo]]]
    frags = _polygonal(chunked(shapely.intersection, ga[pa], pieces, threads=threads))
    keep = ~shapely.is_empty(frags) & (shapely.area(frags) > 0)
    frag = pd.DataFrame({"a_pos": pa[keep], "b_pos": pb[keep]})
    frag_geoms = frags[keep]
    # Pieces of one B partition it: merge them back so each (A, B) pair is one fragment.
    if len(frag):
        key, frag_geoms = _union_by_key(frag["a_pos"].to_numpy() * n_b
                                        + frag["b_pos"].to_numpy(), frag_geoms)
        frag = pd.DataFrame({"a_pos": key // n_b, "b_pos": key % n_b})
    if keep_whole_pieces and len(inside_pairs):
        frag = pd.concat([frag, inside_pairs.rename(columns={"a": "a_pos", "b": "b_pos"})],
                         ignore_index=True)
        frag_geoms = np.concatenate([frag_geoms, ga[inside_pairs["a"].to_numpy()]])
    result = gpd.GeoDataFrame(frag.reset_index(drop=True),
                              geometry=gpd.GeoSeries(frag_geoms, crs=a.crs))
    return Overlap(inside, result, len(ga))


def _overlap_measured(ga: GeometryArray, gb: GeometryArray, cand_a: IntArray,
                      cand_b: IntArray, *, max_vertices: int, threads: int, keep_whole: bool,
                      b_disjoint: bool, a_bounds: FloatArray | None = None) -> Overlap:
    """:func:`overlap` with ``geometries=False``: planar areas of the pieces.

    Pairs with a small B are measured whole by :func:`.clip.pair_areas`, which also tells
    which A lie in B's interior, so neither GEOS predicate runs on them; where B is a
    coverage, the cheaper containment proof goes first and an A it proves inside one B
    drops its other pairs. Large B: measured whole by :func:`.clip.large_pair_areas`, which
    reads only B's edges near each A.
    """
    n_a, n_b = len(ga), len(gb)
    inside = np.zeros(n_a, dtype=bool)
    small_b = shapely.get_num_coordinates(gb) <= max_vertices
    small = small_b[cand_b]
    sa, sb = cand_a[small], cand_b[small]
    whole_a: list[IntArray] = []
    whole_b: list[IntArray] = []
    if b_disjoint and len(sa):
        proven = certainly_inside(ga, gb, sa, sb, threads=threads)
        inside[sa[proven]] = True
        whole_a.append(sa[proven])
        whole_b.append(sb[proven])
        rest = ~inside[sa]
        sa, sb = sa[rest], sb[rest]
    area, within = _pair_areas_in_blocks(ga, gb, sa, sb, threads=threads, a_bounds=a_bounds)
    inside[sa[within]] = True
    whole_a.append(sa[within])
    whole_b.append(sb[within])
    part_a, part_b, part_area = [sa[~within]], [sb[~within]], [area[~within]]
    la, lb = cand_a[~small], cand_b[~small]
    if b_disjoint:
        la, lb = la[~inside[la]], lb[~inside[la]]
    if len(la):
        # Large B whole: only its edges near each A are read (no subdivision, no GEOS
        # predicate on the whole feature).
        big_area, big_whole = large_pair_areas(ga, gb, la, lb, threads=threads,
                                               a_bounds=a_bounds)
        inside[la[big_whole]] = True
        whole_a.append(la[big_whole])
        whole_b.append(lb[big_whole])
        part_a.append(la[~big_whole])
        part_b.append(lb[~big_whole])
        part_area.append(big_area[~big_whole])
    pa, pb, area = np.concatenate(part_a), np.concatenate(part_b), np.concatenate(part_area)
    keep = area > 0
    key = pa[keep].astype(np.int64) * n_b + pb[keep]
    uniq, pos = np.unique(key, return_inverse=True)
    summed = np.bincount(pos, area[keep], minlength=len(uniq))
    a_pos, b_pos, planar = uniq // n_b, uniq % n_b, summed
    if keep_whole:
        # One B per A inside several (overlapping B): its whole area is listed once.
        wa, wb = np.concatenate(whole_a), np.concatenate(whole_b)
        wa, first = np.unique(wa, return_index=True)
        wb = wb[first]
        a_pos, b_pos = np.r_[a_pos, wa], np.r_[b_pos, wb]
        planar = np.r_[planar, shapely.area(ga[wa])]
    frame = pd.DataFrame({"a_pos": a_pos, "b_pos": b_pos, "planar_m2": planar})
    return Overlap(inside, frame, n_a)


# Pairs measured at a time (200k): each block's edge tables and work arrays are freed
# before the next (at 1M parcels × 3M buildings, all pairs at once held ~0.5 GB more at the
# peak). A multiple of the clip kernel's own job size, so its jobs, and every result bit, are the
# same as in one call.
_PAIR_BLOCK = 10 * _CLIP_CHUNK


def _pair_areas_in_blocks(ga: GeometryArray, gb: GeometryArray, pair_a: IntArray,
                          pair_b: IntArray, *, threads: int, a_bounds: FloatArray | None = None
                          ) -> tuple[FloatArray, BoolArray]:
    """:func:`.clip.pair_areas`, ``_PAIR_BLOCK`` pairs at a time (the same results)."""
    area = np.empty(len(pair_a))
    within = np.empty(len(pair_a), dtype=bool)
    for s in range(0, len(pair_a), _PAIR_BLOCK):
        area[s:s + _PAIR_BLOCK], within[s:s + _PAIR_BLOCK] = pair_areas(
            ga, gb, pair_a[s:s + _PAIR_BLOCK], pair_b[s:s + _PAIR_BLOCK], threads=threads,
            a_bounds=a_bounds)
    return area, within


# A piece of A takes A's areal scale factor when A is under this size (to ~2e-6 at worst,
# at a Gauss-Krüger zone edge), so its planar area is all that has to be measured.
_SHARED_SCALE_MAX_M = 500.0


def area_inside(a: gpd.GeoSeries, b: gpd.GeoSeries, *, max_vertices: int = 256,
                threads: int = THREADS, b_disjoint: bool = False,
                factors: FloatArray | Callable[[], FloatArray | None] | None = None,
                a_bounds: FloatArray | None = None) -> pd.Series:
    """Ellipsoidal area (m²) of each A inside the union of B; overlapping Bs count once.

    Most A meet one B, or several B that do not overlap each other, or lie inside one: their
    pieces are measured as planar areas without building any geometry (:mod:`.clip`) and
    turned ellipsoidal with A's own areal scale factor. A meeting two B that overlap each
    other, A of 500 m or more, and every A in a CRS where planar areas mean nothing, are cut
    out and measured whole (pieces unioned; large B clipped near each A first).
    ``factors``: A's areal scale factors (:func:`.area.areal_scale_factors`) when the
    caller has them, so a layer asked about several B pays for them once, or a function
    giving them, called once the pieces are measured (the caller may compute them
    meanwhile); ``a_bounds`` (``shapely.bounds`` of A) as ``factors``.

    Examples
    --------
    >>> a = gpd.GeoSeries([shapely.box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> b = gpd.GeoSeries([shapely.box(500050, 3400000, 500200, 3400100),
    ...                    shapely.box(500050, 3400000, 500300, 3400100)], crs=4544)
    >>> round(float(area_inside(a, b).iloc[0]), 3)   # half the square, counted once
    5000.0
    """
    values = np.zeros(len(a))
    box = shapely.bounds(np.asarray(a.values)) if a_bounds is None else a_bounds
    if factors is None:
        factors = areal_scale_factors(a, box)
    gb = np.asarray(b.values, dtype=object)
    if factors is None:
        return _area_inside_cut(a, b, max_vertices=max_vertices, threads=threads)
    result = overlap(a, b, max_vertices=max_vertices, threads=threads, b_disjoint=b_disjoint,
                     geometries=False, keep_whole_pieces=False, a_bounds=box)
    pieces = result.pieces
    a_pos = pieces["a_pos"].to_numpy()
    b_pos = pieces["b_pos"].to_numpy()
    meets = np.bincount(a_pos, minlength=len(a))   # distinct B per A (pieces are merged)
    small = np.fmax(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]) < _SHARED_SCALE_MAX_M
    # An A meeting several B whose interiors do not overlap (farmland patches, mostly) adds
    # its pieces; only where two of its B overlap must the pieces be unioned.
    several = (meets > 1) & small & ~result.inside
    summed = several & ~_b_overlap_within(a_pos, b_pos, several, gb, threads)
    simple = ((meets == 1) & small & ~result.inside) | summed
    if callable(factors):
        factors = factors()
        if factors is None:   # a CRS where planar areas mean nothing
            return _area_inside_cut(a, b, max_vertices=max_vertices, threads=threads)
    own = simple[a_pos]
    np.add.at(values, a_pos[own], pieces["planar_m2"].to_numpy()[own] / factors[a_pos[own]])
    cut = np.flatnonzero((meets > 0) & ~simple & ~result.inside)
    if len(cut):
        # types-geopandas types GeoSeries.iloc as a plain Series; it is a GeoSeries.
        values[cut] = _area_inside_cut(a.iloc[cut], b,  # type: ignore[arg-type]
                                       max_vertices=max_vertices, threads=threads,
                                       a_bounds=box[cut]).to_numpy()
    whole = np.flatnonzero(result.inside)
    if len(whole):
        wide = box[whole]
        if (np.fmax(wide[:, 2] - wide[:, 0], wide[:, 3] - wide[:, 1]) < _SMALL_EXTENT_M).all():
            # What ellipsoidal_area makes of features this small, from the factors and
            # bounds in hand: planar area ÷ factor, to the bit.
            values[whole] = shapely.area(np.asarray(a.values)[whole]) / factors[whole]
        else:
            values[whole] = ellipsoidal_area(a.iloc[whole],  # type: ignore[arg-type]
                                             factors=factors[whole]).to_numpy()
    return pd.Series(values, index=a.index, name="area_inside_m2")


def _b_overlap_within(a_pos: IntArray, b_pos: IntArray, chosen: BoolArray, gb: GeometryArray,
                      threads: int) -> BoolArray:
    """Per A (``chosen`` ones only): whether two of the B it meets overlap each other (their
    interiors meet); touching along an edge or at a point is no overlap."""
    out = np.zeros(len(chosen), dtype=bool)
    sel = chosen[a_pos]
    a_sel, b_sel = a_pos[sel], b_pos[sel]
    if not len(a_sel):
        return out
    order = np.lexsort((b_sel, a_sel))
    a_sel, b_sel = a_sel[order], b_sel[order]
    # Every pair of B met by one A (few per A): pieces sorted by A, pairs within runs.
    starts = np.flatnonzero(np.r_[True, a_sel[1:] != a_sel[:-1]])
    sizes = np.diff(np.r_[starts, len(a_sel)])
    pairs_a, pairs_i, pairs_j = [], [], []
    for size in np.unique(sizes):
        first = starts[sizes == size]
        i, j = np.triu_indices(int(size), 1)
        pairs_a.append(np.repeat(a_sel[first], len(i)))
        pairs_i.append(b_sel[(first[:, None] + i).ravel()])
        pairs_j.append(b_sel[(first[:, None] + j).ravel()])
    pa, bi, bj = np.concatenate(pairs_a), np.concatenate(pairs_i), np.concatenate(pairs_j)
    key = bi.astype(np.int64) * len(gb) + bj
    uniq, inverse = np.unique(key, return_inverse=True)
    gi, gj = gb[uniq // len(gb)], gb[uniq % len(gb)]
    meet = chunked(shapely.intersects, gi, gj, threads=threads)
    overlapping = meet.copy()
    if meet.any():
        # Interiors meet unless the two only touch.
        overlapping[meet] = ~chunked(shapely.touches, gi[meet], gj[meet], threads=threads)
    np.logical_or.at(out, pa, overlapping[inverse])
    return out


def _area_inside_cut(a: gpd.GeoSeries, b: gpd.GeoSeries, *, max_vertices: int,
                     threads: int, a_bounds: FloatArray | None = None) -> pd.Series:
    """:func:`area_inside` by cutting every piece out and measuring it (pieces of an A
    that meets several B unioned first).

    A large B is first clipped to a box a little larger than A's (A ∩ B is unchanged):
    GEOS's rectangle clipper reads B once, where an overlay with the whole B would node
    all of it (~0.8 ms a pair on 20,000-vertex red lines, against ~0.06 ms).
    ``a_bounds``: A's bounds, when the caller has them.
    """
    ga = np.asarray(a.values, dtype=object)
    gb = np.asarray(b.values, dtype=object)
    values = np.zeros(len(ga))
    # Boxes only: the predicate on a whole 20,000-vertex B costs more than the clip.
    pa, pb = query_pairs(shapely.STRtree(gb), ga, threads=threads)
    if not len(pa):
        return pd.Series(values, index=a.index, name="area_inside_m2")
    others = gb[pb].copy()
    large = np.flatnonzero(shapely.get_num_coordinates(others) > max_vertices)
    if len(large):
        near = pa[large]
        others[large] = _clip_near(others[large], shapely.bounds(ga[near]) if a_bounds is None
                                   else a_bounds[near], threads)
    frags = _polygonal(chunked(shapely.intersection, ga[pa], others, threads=threads))
    keep = ~shapely.is_empty(frags) & (shapely.area(frags) > 0)
    owner, merged = _union_by_key(pa[keep], frags[keep])
    values[owner] = ellipsoidal_area(gpd.GeoSeries(merged, crs=a.crs)).to_numpy()
    return pd.Series(values, index=a.index, name="area_inside_m2")


def _clip_near(geoms: GeometryArray, boxes: FloatArray, threads: int) -> GeometryArray:
    """Each geometry clipped to its box grown by 1 % (+1 cm) on every side, so the cut
    lines stay off the polygon the box bounds; the overlay where the clipper's output is
    not valid (it does not promise validity; checking the small outputs is cheap)."""
    pad = 0.01 * np.fmax(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])[:, None] + 0.01
    grown = boxes + np.c_[-pad, -pad, pad, pad]
    spans = np.array_split(np.arange(len(geoms)), max(1, min(threads, len(geoms) // 1000)))

    def clip(idx: IntArray) -> GeometryArray:
        return np.array([shapely.clip_by_rect(g, *r) for g, r in
                         zip(geoms[idx], grown[idx].tolist(), strict=True)], dtype=object)

    with ThreadPoolExecutor(len(spans)) as pool:
        out = np.concatenate(list(pool.map(clip, spans)))
    bad = np.flatnonzero(~shapely.is_valid(out))
    if len(bad):
        out[bad] = shapely.intersection(geoms[bad], shapely.box(*grown[bad].T))
    return out
