"""maps/drawn.py: a layer flattened once from its source CRS is exactly what the GEOS path
(reproject, shift, orient, flatten) gives, for concave, holed, rotated, invalid, degenerate,
flat-topped, multi-part, line and point features."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import affinity

from gaoxin.geo.offsets import convert_geometries
from gaoxin.maps import drawn
from gaoxin.maps.drawn import drawn_layer, ring_is_ccw, take_features
from gaoxin.maps.encode import geometry_arrays, lighten

X0, Y0 = 405_000.0, 3_392_000.0  # near Chengdu, EPSG:4544


def geos_path(geoms: np.ndarray, gcj02: bool) -> tuple[dict[str, np.ndarray], np.ndarray,
                                                        np.ndarray]:
    """What the builder did before: GeoSeries.to_crs, GCJ-02, lighten, flatten."""
    import geopandas as gpd

    lonlat = np.asarray(gpd.GeoSeries(geoms, crs=4544).to_crs(4326).values, dtype=object)
    if gcj02:
        lonlat = convert_geometries(lonlat, "wgs84", "gcj02")
    out = lighten(lonlat)
    return dict(geometry_arrays(out)), shapely.bounds(out), shapely.area(out)


def assert_same(geoms: np.ndarray, gcj02: bool = False) -> None:
    want, bounds, area = geos_path(geoms, gcj02)
    got = drawn_layer(geoms, 4544, gcj02=gcj02)
    for key, value in want.items():
        assert np.array_equal(got.arrays[key], value), key  # type: ignore[literal-required]
    assert np.array_equal(got.bounds, bounds, equal_nan=True)
    assert np.allclose(got.area, area, rtol=1e-9, atol=1e-18)


points = st.tuples(st.floats(-400, 400), st.floats(-400, 400))
rings = st.lists(points, min_size=3, max_size=12)
# Coordinates on a 10 m lattice: flat tops, repeated vertices, collinear and zero-area rings.
lattice = st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=3, max_size=9)


@settings(max_examples=40, deadline=None)
@given(shells=st.lists(rings | lattice.map(lambda r: [(10.0 * a, 10.0 * b) for a, b in r]),
                       min_size=1, max_size=5),
       angle=st.floats(0, 360), holed=st.booleans(), multi=st.booleans(),
       extra=st.sampled_from(["none", "line", "point", "collection"]), gcj02=st.booleans())
def test_drawn_layer_is_the_geos_path(shells: list[list[tuple[float, float]]], angle: float,
                                      holed: bool, multi: bool, extra: str,
                                      gcj02: bool) -> None:
    hole = shapely.get_exterior_ring(shapely.Point(X0, Y0).buffer(20, quad_segs=2)).coords
    geoms = []
    for ring in shells:  # concave, self-crossing or degenerate: as they come
        poly = shapely.Polygon([(X0 + a, Y0 + b) for a, b in ring], [hole] if holed else None)
        geoms.append(affinity.rotate(poly, angle, origin=(X0, Y0)))
    geoms.append(shapely.box(X0, Y0, X0 + 30, Y0 + 20))  # a flat top, decided by GEOS
    if multi:
        geoms.append(shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 5, Y0 + 5),
                                           affinity.rotate(shapely.box(X0 + 9, Y0, X0 + 14,
                                                                       Y0 + 5), angle)]))
    if extra == "line":
        geoms.append(shapely.LineString([(X0, Y0), (X0 + 50, Y0 + 7), (X0 + 9, Y0 + 90)]))
    elif extra == "point":
        geoms.append(shapely.Point(X0 + 3, Y0 + 4))
    elif extra == "collection":
        geoms.append(shapely.GeometryCollection([shapely.Point(X0, Y0), geoms[0]]))
    arr = np.array(geoms, dtype=object)
    arr = arr[~shapely.is_empty(arr)]
    assert_same(arr, gcj02)


def test_parcels_of_one_ring_are_never_taken_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's parcels are single rings: no shapely part or ring object is made for
    them (at 1M parcels that was seconds), and GEOS orients none of them."""
    rng = np.random.default_rng(3)
    t = np.linspace(0, 2 * np.pi, 14, endpoint=False)
    geoms = np.array([shapely.Polygon(np.c_[X0 + 300 * i + 100 * np.cos(t + i),
                                            Y0 + 100 * rng.uniform(0.5, 1, 14) * np.sin(t + i)])
                      for i in range(40)], dtype=object)
    want, bounds, _ = geos_path(geoms, False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("took a single-ring parcel apart")

    for name in ("get_parts", "get_rings", "orient_polygons", "is_ccw", "set_coordinates"):
        monkeypatch.setattr(shapely, name, refuse)
    got = drawn_layer(geoms, 4544)
    assert np.array_equal(got.arrays["q"], want["q"])
    assert np.array_equal(got.bounds, bounds)


def test_dense_curves_are_still_simplified() -> None:
    circle = shapely.Point(X0, Y0).buffer(500, quad_segs=256)
    overlapping = np.array([circle, affinity.translate(circle, 300)], dtype=object)
    assert_same(overlapping)
    got = drawn_layer(overlapping, 4544)
    assert len(got.arrays["q"]) < shapely.get_num_coordinates(overlapping).sum() / 2


def test_orientation_of_rings_follows_geos() -> None:
    bow_tie = [(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)]  # zero area, GEOS: counter-clockwise
    spike = [(0, 0), (3, 3), (3, 0), (0, 1), (0, 0)]
    line = [(0, 0), (1, 1), (2, 2), (0, 0)]  # flat: not counter-clockwise
    xy = np.array(bow_tie + spike + line, dtype=float)
    got = ring_is_ccw(xy, np.array([0, 5, 10]), np.array([5, 5, 4]))
    lines = [shapely.LineString(r) for r in (bow_tie, spike, line)]
    assert got.tolist() == shapely.is_ccw(lines).tolist() == [True, False, False]


def test_take_features_keeps_each_feature_whole() -> None:
    geoms = np.array([shapely.box(0, 0, 1, 1),
                      shapely.MultiPolygon([shapely.box(2, 2, 3, 3), shapely.box(4, 4, 5, 5)]),
                      shapely.Point(9, 9)], dtype=object)
    order = np.array([2, 0, 1])
    got = take_features(geometry_arrays(geoms), order)
    want = geometry_arrays(geoms[order])
    for key, value in want.items():
        assert np.array_equal(got[key], value), key  # type: ignore[literal-required]



def test_a_layer_drawn_in_blocks_is_the_layer_drawn_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Big layers go block by block (65,536 features): the blocks join into the same arrays."""
    rng = np.random.default_rng(5)
    geoms = []
    for i in range(40):
        x, y = X0 + 50 * i, Y0 + rng.uniform(0, 500)
        kind = i % 5
        if kind == 0:
            geoms.append(shapely.Polygon(shapely.box(x, y, x + 30, y + 30).exterior.coords,
                                         [shapely.box(x + 5, y + 5, x + 9, y + 9).exterior.coords]))
        elif kind == 1:
            geoms.append(shapely.MultiPolygon([shapely.box(x, y, x + 5, y + 5),
                                               shapely.box(x + 9, y, x + 14, y + 7)]))
        elif kind == 2:
            geoms.append(shapely.LineString([(x, y), (x + 20, y + 3), (x + 4, y + 40)]))
        else:
            geoms.append(affinity.rotate(shapely.Point(x, y).buffer(12, quad_segs=2), i))
    arr = np.array(geoms, dtype=object)
    monkeypatch.setattr(drawn, "BLOCK_FEATURES", 7)
    assert_same(arr)
    assert_same(arr, gcj02=True)
    monkeypatch.setattr(drawn, "PIECE_FEATURES", 3)  # blocks drawn in pieces, too
    assert_same(arr)
    assert_same(arr, gcj02=True)


@pytest.mark.parametrize("piece", [1, 2, 3])
def test_a_block_drawn_in_pieces_counts_the_vertices_of_the_whole_block(
        piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The simplification estimate of a block drawn piece by piece is the block's own,
    triples across the pieces' ends included (the layer's choice to simplify stays main's),
    and so are its arrays."""
    import pyproj

    circles = [affinity.scale(shapely.Point(X0 + 40 * i, Y0).buffer(15, quad_segs=2 + i % 5),
                              1, 1 + i % 3) for i in range(23)]
    arr = np.array([*circles[:7], shapely.Point(X0, Y0), *circles[7:], shapely.Polygon(),
                    shapely.LineString([(X0, Y0), (X0 + 1, Y0)])], dtype=object)
    transformer = pyproj.Transformer.from_crs(4544, 4326, always_xy=True)
    whole = drawn._drawn_block(arr, transformer, False, 1e-5)
    monkeypatch.setattr(drawn, "PIECE_FEATURES", piece)  # pieces of 1 vertex or none too
    pieces = drawn._drawn_block(arr, transformer, False, 1e-5)
    assert whole[1:] == pieces[1:] and whole[1] > 0
    for key, values in whole[0].arrays.items():
        np.testing.assert_array_equal(values, pieces[0].arrays[key])
    np.testing.assert_array_equal(whole[0].bounds, pieces[0].bounds)
    np.testing.assert_array_equal(whole[0].area, pieces[0].area)


def test_a_big_layer_asks_proj_for_its_transformation_once(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Making a transformer searches PROJ's database (0.08–0.2 s): once per source CRS for
    every block of every layer, not once per block (16 at 1M parcels)."""
    import pyproj

    made: list[object] = []
    from_crs = pyproj.Transformer.from_crs

    def counted(*args: object, **kwargs: object) -> pyproj.Transformer:
        made.append(args)
        return from_crs(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pyproj.Transformer, "from_crs", staticmethod(counted))
    drawn._to_wgs84.cache_clear()
    monkeypatch.setattr(drawn, "BLOCK_FEATURES", 4)
    boxes = shapely.box(X0 + 50 * np.arange(40.0), Y0, X0 + 50 * np.arange(40.0) + 30, Y0 + 30)
    first = drawn_layer(boxes, 4544)
    again = drawn_layer(boxes[:3], 4544)
    assert len(made) == 1
    np.testing.assert_array_equal(first.arrays["q"][:12], again.arrays["q"])


def test_a_shell_through_its_first_vertex_twice_is_one_ring() -> None:
    """A shell that passes its first vertex again mid-way (a figure of eight, invalid) has
    no holes: drawn as one ring, it is the GEOS path's drawing, as are single-part
    multi-polygons with and without holes."""
    x, y = X0, Y0
    eight = shapely.Polygon([(x, y), (x + 20, y), (x + 20, y + 20), (x, y),
                             (x - 20, y + 20), (x - 20, y), (x, y)])
    holed = shapely.Polygon(shapely.box(x, y, x + 30, y + 30).exterior.coords,
                            [shapely.box(x + 5, y + 5, x + 9, y + 9).exterior.coords])
    assert_same(np.array([eight, shapely.MultiPolygon([eight]), shapely.MultiPolygon([holed]),
                          affinity.rotate(holed, 30), shapely.MultiPolygon([shapely.box(
                              x, y, x + 3, y + 4)])], dtype=object))


class _CountingTransformer:
    """A transformer that counts the vertices PROJ is asked for."""

    def __init__(self) -> None:
        import pyproj

        self.inner = pyproj.Transformer.from_crs(4544, 4326, always_xy=True)
        self.vertices = 0

    def transform(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.vertices += len(x)
        out: tuple[np.ndarray, np.ndarray] = self.inner.transform(x, y)
        return out


def test_proj_sees_each_vertex_neighbours_share_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A coverage's parcels share their corners: PROJ projects each distinct vertex once
    (a realistic parcel's 17 vertices hold 7 new ones), and the drawing is the same."""
    counting = _CountingTransformer()
    monkeypatch.setattr(drawn, "_to_wgs84", lambda source: counting)
    xs, ys = np.meshgrid(X0 + 30 * np.arange(12.0), Y0 + 20 * np.arange(9.0))
    boxes = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + 30, ys.ravel() + 20)
    assert_same(boxes)
    assert counting.vertices == 13 * 10  # the grid's corners, not 5 per box (540)


bits = st.sampled_from([X0, X0 + 0.5, -0.0, 0.0, np.nan, np.inf, Y0, Y0 - 1e-9, 1e300])


@settings(max_examples=60, deadline=None)
@given(pool=st.lists(st.tuples(bits, bits), min_size=1, max_size=6),
       picks=st.lists(st.integers(0, 5), min_size=1, max_size=40),
       gcj02=st.booleans(), collide=st.booleans())
def test_each_distinct_vertex_projected_once_is_every_vertex_projected(
        pool: list[tuple[float, float]], picks: list[int], gcj02: bool, collide: bool
        ) -> None:
    """Projecting distinct bit patterns once gives every vertex the bits a call on every
    vertex gives: repeats, signed zeros, NaN and infinities, and keys two patterns share
    (a multiplier of 0 keys rows by y alone)."""
    import pyproj

    from gaoxin.geo.offsets import wgs84_to_gcj02

    coords = np.array([pool[i % len(pool)] for i in picks], dtype=np.float64)
    transformer = drawn._to_wgs84(pyproj.CRS.from_epsg(4544))
    with np.errstate(invalid="ignore"):  # the shift of an infinity, either way
        x, y = transformer.transform(coords[:, 0].copy(), coords[:, 1].copy())
        if gcj02:
            x, y = wgs84_to_gcj02(np.asarray(x), np.asarray(y))
    want = np.column_stack([x, y])
    with pytest.MonkeyPatch.context() as patch, np.errstate(invalid="ignore"):
        if collide:
            patch.setattr(drawn, "_MIX", np.uint64(0))
        got = drawn._lonlat(coords, transformer, gcj02)
    assert got.view(np.uint64).tolist() == want.view(np.uint64).tolist()


def test_a_new_drawing_thread_does_not_ask_proj_database(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """Each thread's first use of the layer's transformer made it again from the CRS
    (PROJ's database: 0.13 s a thread, three threads in a run); one found operation is
    remade from its pipeline instead."""
    import threading

    import pyproj
    import pyproj.transformer

    asked: list[object] = []
    maker = pyproj.transformer.TransformerFromCRS.__call__

    def counted(self: pyproj.transformer.TransformerFromCRS) -> object:
        asked.append(self)
        return maker(self)

    drawn._to_wgs84.cache_clear()
    transformer = drawn._to_wgs84(pyproj.CRS.from_epsg(4544))
    monkeypatch.setattr(pyproj.transformer.TransformerFromCRS, "__call__", counted)
    got: list[tuple[float, float]] = []
    thread = threading.Thread(target=lambda: got.append(transformer.transform(X0, Y0)))
    thread.start()
    thread.join()
    assert got and not asked
    drawn._to_wgs84.cache_clear()


lonlat = st.tuples(st.floats(60, 140), st.floats(0, 55))


@settings(max_examples=20, deadline=None)
@given(points=st.lists(lonlat, min_size=1, max_size=50),
       code=st.sampled_from([4544, 3857, 32650, 4214]))
def test_the_transformer_remade_from_its_pipeline_gives_the_same_bits(
        points: list[tuple[float, float]], code: int) -> None:
    """Gauss-Krüger, Web Mercator and UTM sources (one operation each, remade from the
    pipeline) and Beijing 1954 (several, left to PROJ's choice) project as
    ``Transformer.from_crs`` does, to the bit."""
    import pyproj

    source = pyproj.CRS.from_epsg(code)
    to_source = _proj(4326, code)
    x, y = to_source.transform(*np.array(points, dtype=np.float64).T)
    want = np.array(_proj(code, 4326).transform(x, y))
    got = np.array(drawn._to_wgs84(source).transform(x, y))
    assert got.view(np.uint64).tolist() == want.view(np.uint64).tolist()


@functools.cache
def _proj(source: int, target: int) -> Any:
    import pyproj

    return pyproj.Transformer.from_crs(source, target, always_xy=True)


@settings(max_examples=40, deadline=None)
@given(block=st.integers(1, 9), rows=st.lists(st.integers(0, 29), max_size=30),
       ascending=st.booleans())
def test_features_taken_from_the_blocks_are_those_of_the_joined_layer(
        block: int, rows: list[int], ascending: bool) -> None:
    """A chunk takes its features from the blocks a layer was drawn in, as from the whole
    layer's arrays: rows across any blocks, in ascending order or not, or none."""
    rng = np.random.default_rng(len(rows))
    geoms = [shapely.MultiPolygon([shapely.box(X0 + 40 * i, Y0, X0 + 40 * i + 9, Y0 + 9),
                                   shapely.box(X0 + 40 * i + 20, Y0, X0 + 40 * i + 29,
                                               Y0 + 9)]) if i % 4 == 0
             else affinity.rotate(shapely.Point(X0 + 40 * i, Y0).buffer(12, quad_segs=1 + i % 3),
                                  float(rng.uniform(0, 90))) for i in range(30)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drawn, "BLOCK_FEATURES", block)
        layer = drawn_layer(np.array(geoms, dtype=object), 4544)
    assert len(layer.runs) == -(-30 // block)
    picked = np.array(sorted(set(rows)) if ascending else rows, dtype=np.intp)
    got = layer.taker()(picked)
    want = take_features(drawn._joined_arrays(list(layer.runs)), picked)
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value)  # type: ignore[literal-required]


def test_a_chunked_layer_is_not_joined_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A big layer's chunks take their features from its blocks: its 17M vertices (1M
    parcels) are not copied into one set of arrays first."""
    from gaoxin.maps import chunks

    monkeypatch.setattr(drawn, "BLOCK_FEATURES", 7)
    xs, ys = np.meshgrid(X0 + 30 * np.arange(10.0), Y0 + 20 * np.arange(6.0))
    layer = drawn_layer(shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + 30, ys.ravel() + 20),
                        4544)
    monkeypatch.setattr(chunks, "CHUNK_FEATURES", 10)
    lod = chunks.chunk_layer(layer, np.zeros(60, dtype=np.intp), ["all"], [], None,
                             cell_words={"title": "", "count": "", "value": None})
    assert len(layer.runs) == 9 and len(lod["chunks"]) > 1
    assert "arrays" not in vars(layer)  # never joined
