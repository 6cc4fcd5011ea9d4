"""Big layers in chunks: every vertex, class and value comes back exactly (decoded here, as
the runtime does), for concave, holed, rotated, invalid, multi-part, line and point
features; the cells carry the layer's own classes."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import affinity

from gaoxin.maps import MapLayer, build_map, chunks, render_html
from gaoxin.maps.encode import geometry_arrays, lighten

XSS = '<img src=x onerror="window.__xss=1">'


def _varints(raw: bytes, signed: bool = False) -> list[int]:
    out, v, shift = [], 0, 0
    for b in raw:
        v |= (b & 127) << shift
        shift += 7
        if not b & 128:
            out.append((-(v + 1) // 2 if v % 2 else v // 2) if signed else v)
            v, shift = 0, 0
    return out


def _runs(raw: bytes) -> list[int]:
    p = _varints(raw)
    return [value for value, count in zip(p[::2], p[1::2], strict=True) for _ in range(count)]


def inflate(blob: str) -> list[bytes]:
    """The sections of a chunk blob."""
    u = zlib.decompress(base64.b64decode(blob))
    head, i, v, shift = [], 0, 0, 0
    while len(head) < 1 + (head[0] if head else 0):
        b = u[i]
        i += 1
        v |= (b & 127) << shift
        shift += 7
        if not b & 128:
            head.append(v)
            v, shift = 0, 0
    out = []
    for n in head[1:]:
        out.append(u[i:i + n])
        i += n
    return out


def decode_chunk(blob: str) -> dict[str, Any]:
    """A chunk as the runtime decodes it: structure, quantised vertices, classes, values."""
    s = inflate(blob)
    refs, deltas = _varints(s[4]), _varints(s[5], signed=True)
    new: list[tuple[int, int]] = []
    xy: list[tuple[int, int]] = []
    x = y = 0
    for r in refs:
        if r == 0:
            x += deltas[2 * len(new)]
            y += deltas[2 * len(new) + 1]
            new.append((x, y))
        else:
            x, y = new[len(new) - r]
        xy.append((x, y))
    return {"fparts": _runs(s[0]), "ptype": _runs(s[1]), "prings": _runs(s[2]),
            "rlen": _varints(s[3]), "q": xy, "cls": _runs(s[6]) if s[6] else None,
            "cols": json.loads(s[7])}


def lod_payload(html: str) -> dict[str, Any]:
    start = html.index("gaoxin.fastLayer(") + len("gaoxin.fastLayer(")
    payload, _ = json.JSONDecoder().raw_decode(html[start:])
    assert payload["lod"], "the layer was not chunked"
    return dict(payload)


def coverage(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    """``n`` parcels tiling a block near Chengdu (Voronoi cells: neighbours share vertices),
    a few of them concave, holed, rotated, multi-part or invalid; EPSG:4544."""
    rng = np.random.default_rng(seed)
    pts = shapely.points(rng.uniform(0, 3000, (n, 2)) + np.array([404_000, 3_391_000]))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts),
                                                       extend_to=shapely.box(403_900,
                                                       3_390_900, 407_100, 3_394_100)))
    geoms = shapely.intersection(cells, shapely.box(404_000, 3_391_000, 407_000, 3_394_000))
    geoms = geoms[:n].copy()
    c = shapely.point_on_surface(geoms[0])
    hole = shapely.get_exterior_ring(shapely.buffer(c, 2, quad_segs=1))
    geoms[0] = shapely.Polygon(shapely.get_exterior_ring(geoms[0]).coords, [hole.coords])
    x, y = c.x, c.y
    geoms[1] = shapely.Polygon([(x, y), (x + 40, y + 40), (x + 40, y), (x, y + 40)])  # bow-tie
    geoms[2] = affinity.rotate(shapely.Polygon([(x, y), (x + 30, y), (x + 30, y + 10),
                                                (x + 10, y + 10), (x + 10, y + 30),
                                                (x, y + 30)]), 33, origin=(x, y))  # an L
    geoms[3] = shapely.MultiPolygon([shapely.box(x, y, x + 5, y + 5),
                                     shapely.box(x + 9, y, x + 14, y + 5)])
    ids = [f"P{i:05d}" for i in range(n)]
    ids[4] = XSS
    return gpd.GeoDataFrame({"parcel_id": ids,
                             "use": np.array(["M1", "R2", "W1"])[np.arange(n) % 3],
                             "far": np.round(rng.uniform(0.2, 3.0, n), 2)},
                            geometry=geoms, crs=4544)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "CHUNKED_ABOVE", 500)
    monkeypatch.setattr(chunks, "CHUNK_FEATURES", 200)


def check_round_trip(gdf: gpd.GeoDataFrame, **style: Any) -> dict[str, Any]:
    """Build the map, decode every chunk and compare with the source, feature by feature."""
    html = render_html(build_map([MapLayer(gdf, "parcels", columns=list(gdf.columns[:-1]),
                                           **style)]), offline=False)
    payload = lod_payload(html)
    lod = payload["lod"]
    ids = inflate(lod["ids"])[0].decode().split("\n")
    assert sorted(ids) == sorted(gdf["parcel_id"]) and sum(lod["cn"]) == len(gdf)
    order = pd.Index(gdf["parcel_id"]).get_indexer(ids)
    # As drawn: oriented (and simplified where it cannot be seen), like every layer.
    want = geometry_arrays(lighten(np.asarray(gdf.geometry.to_crs(4326).values))[order])
    got: dict[str, list[Any]] = {k: [] for k in ("fparts", "ptype", "prings", "rlen", "q")}
    values: list[list[Any]] = [[] for _ in payload["cols"]]
    for blob in lod["chunks"]:
        d = decode_chunk(blob)
        for k in got:
            got[k] += d[k]
        for j, col in enumerate(d["cols"]):
            values[j] += col.get("i", col.get("v"))
    assert got["fparts"] == want["parts_per_feat"].tolist()
    assert got["ptype"] == want["ptype"].tolist()
    assert got["prings"] == want["rings_per_part"].tolist()
    assert got["rlen"] == want["ring_len"].tolist()
    assert got["q"] == [tuple(p) for p in want["q"].tolist()]
    by_name = {c["name"]: v for c, v in zip(payload["cols"], values, strict=True)}
    assert by_name["parcel_id"] == ids
    assert by_name["far"] == gdf["far"].to_numpy()[order].tolist()
    return payload


def test_chunked_layer_round_trips_exactly(small_chunks: None) -> None:
    gdf = coverage(3000)
    payload = check_round_trip(gdf, color_by="far", classify="thresholds",
                               thresholds=[1.0, 2.0])
    lod = payload["lod"]
    assert len(lod["chunks"]) > 5
    assert all("v" not in c and "i" not in c for c in payload["cols"])
    # Neighbours share vertices: the chunks hold far fewer new vertices than references.
    d = decode_chunk(lod["chunks"][0])
    assert len(set(d["q"])) < 0.6 * len(d["q"])


def test_cells_take_the_layers_classes(small_chunks: None) -> None:
    gdf = coverage(1200)
    html = render_html(build_map([MapLayer(gdf, "parcels", color_by="far",
                                           classify="thresholds", thresholds=[1.0, 2.0])]),
                       offline=False)
    cells = lod_payload(html)["lod"]["cells"]
    s = inflate(cells["blob"])
    body = json.loads(s[2])
    cls, mean = np.array(_runs(s[1])), np.array(body["v"], dtype=float)
    assert sum(body["n"]) == len(gdf) and cells["value"] == "mean"
    assert cls.tolist() == np.digitize(mean, [1.0, 2.0]).tolist()
    # Each cell's mean lies within its features' values.
    assert mean.min() >= gdf["far"].min() and mean.max() <= gdf["far"].max()


def test_categorical_cells_take_the_class_covering_most(small_chunks: None) -> None:
    gdf = coverage(1200).assign(use="M1")
    gdf.loc[gdf.index[::7], "use"] = "R2"
    html = render_html(build_map([MapLayer(gdf, "parcels", color_by="use")]), offline=False)
    cells = lod_payload(html)["lod"]["cells"]
    assert cells["value"] == "class" and cells["labels"][:2] == ["M1", "R2"]
    assert set(_runs(inflate(cells["blob"])[1])) == {0}  # M1 covers most of every cell


def test_small_layers_are_not_chunked() -> None:
    html = render_html(build_map([MapLayer(coverage(300), "parcels")]), offline=False)
    assert '"lod":null' in html and '"xy":""' not in html


rings = st.lists(st.tuples(st.floats(-400, 400), st.floats(-400, 400)), min_size=3,
                 max_size=12)


@settings(max_examples=20, deadline=None)
@given(shells=st.lists(rings, min_size=1, max_size=6), angle=st.floats(0, 360),
       holed=st.booleans(), extra=st.sampled_from(["none", "line", "point"]))
def test_any_geometry_round_trips(shells: list[list[tuple[float, float]]], angle: float,
                                  holed: bool, extra: str) -> None:
    base = coverage(600)
    geoms = np.asarray(base.geometry.values).copy()
    x, y = 405_000.0, 3_392_000.0
    for k, ring in enumerate(shells):  # concave, self-crossing or degenerate: as they come
        poly = shapely.Polygon([(x + a, y + b) for a, b in ring],
                               [shapely.get_exterior_ring(shapely.Point(x, y).buffer(20, 2))
                                .coords] if holed else None)
        geoms[10 + k] = affinity.rotate(poly, angle, origin=(x, y))
    if extra == "line":
        geoms[20] = shapely.LineString([(x, y), (x + 50, y + 7), (x + 9, y + 90)])
    elif extra == "point":
        geoms[20] = shapely.Point(x + 3, y + 4)
    frame = base.set_geometry(geoms)
    frame = frame[~shapely.is_empty(geoms)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks, "CHUNKED_ABOVE", 100)
        mp.setattr(chunks, "CHUNK_FEATURES", 50)
        check_round_trip(frame)


def test_vertex_references_hold_for_coordinates_far_outside_lon_lat() -> None:
    """A layer in a wrong CRS has huge 'degrees': one integer key per vertex would overflow."""
    # 2³² rows of 2³² columns: row by row, (2³², 0) would be key 2⁶⁴, the same int64 as (0, 0).
    q = np.array([[0, 0], [2**32, 0], [0, 2**32 - 1], [0, 0], [2**32, 0]])
    refs, new = chunks._vertex_refs(q)
    assert refs.tolist() == [0, 0, 0, 3, 2]
    assert new.tolist() == [True, True, True, False, False]


def test_chunk_blobs_join_the_page_only_as_it_is_written(small_chunks: None,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Any) -> None:
    """The page's rewrites (escapes, zoom, assets) read the page without its chunk blobs
    (45 MB at 1M parcels), and the file written is the rendered page, blobs and all, byte
    for byte; a chunk of a second map keeps to its own page."""
    from gaoxin.maps import builder, save_map

    seen: list[str] = []
    unescape = builder.unescape_cjk
    monkeypatch.setattr(builder, "unescape_cjk", lambda html: seen.append(html) or unescape(html))
    gdf = coverage(900)
    m = build_map([MapLayer(gdf, "parcels", color_by="parcel_id"),
                   MapLayer(gdf.iloc[:10], "parcels")], title="地块")
    other = build_map([MapLayer(coverage(800, seed=2), "parcels")])
    html = render_html(m, offline=False)
    blobs = lod_payload(html)["lod"]["chunks"]
    assert len(blobs) > 2 and all(len(b) > 100 and b not in seen[0] for b in blobs)
    written = save_map(m, tmp_path / "m.html", offline=False).read_bytes()
    assert written == html.encode("utf-8")
    assert not set(lod_payload(render_html(other, offline=False))["lod"]["chunks"]) & set(blobs)
    assert len(inflate(blobs[0])) == 8


def test_a_big_layer_is_drawn_beside_its_columns(small_chunks: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawing of a big layer runs in its own thread while the columns are coded (the
    same page); when both fail, the drawing's error is the one raised, as before."""
    import threading

    from gaoxin.errors import InputError
    from gaoxin.maps import builder

    gdf = coverage(900)
    plain = render_html(build_map([MapLayer(gdf, "parcels", color_by="parcel_id")]),
                        offline=False)
    where: list[str] = []
    draw = builder.drawn_layer

    def watched(*args: Any, **kwargs: Any) -> Any:
        where.append(threading.current_thread().name)
        return draw(*args, **kwargs)

    monkeypatch.setattr(builder, "drawn_layer", watched)
    watched_html = render_html(build_map([MapLayer(gdf, "parcels", color_by="parcel_id"),
                                          MapLayer(gdf.iloc[:5], "parcels")]), offline=False)
    assert where[0].startswith("gaoxin-map-draw") and where[1] == threading.main_thread().name
    assert lod_payload(watched_html)["lod"]["chunks"] == lod_payload(plain)["lod"]["chunks"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise InputError("the drawing failed")

    def unclassifiable(*args: Any, **kwargs: Any) -> Any:
        raise InputError("the classes failed")

    monkeypatch.setattr(builder, "drawn_layer", broken)
    monkeypatch.setattr(builder, "classify", unclassifiable)
    with pytest.raises(InputError, match="drawing failed"):
        build_map([MapLayer(gdf, "parcels", color_by="parcel_id")])


def _reference_column_json(col: Any, order: np.ndarray, f0: int, f1: int) -> str:
    """A chunk's column JSON as first written: the Python values factorized in chunk order."""
    key = "i" if col.t == "c" else "v"
    values = col.values[order]
    if col.t == "s":
        items = json.dumps(values[f0:f1].tolist(), ensure_ascii=False, separators=(",", ":"))
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        table = np.array([*(json.dumps(u) for u in uniques.tolist()), "null"], dtype=object)
        items = "[" + ",".join(table[codes[f0:f1]].tolist()) + "]"
    return f'{{"{key}":{items}}}'


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(),
                          st.sampled_from([0.0, -0.0, 1.5, 2.0, 1e300, np.inf, -np.inf, np.nan]),
                          st.floats(-1e6, 1e6), st.integers(-(2**62), 2**62 - 1),
                          st.sampled_from([2**53, 2**53 + 1, 2**53 + 2, -(2**60) - 1]))),
       st.integers(0, 3), st.randoms(use_true_random=False))
def test_chunk_column_json_is_the_reference_json(values: list[Any], decimals: int,
                                                 rnd: Any) -> None:
    """Numbers told apart as floats write every chunk's JSON as the Python values did
    (whole numbers beyond 2⁵³ and 2⁶², negative zero, missing ones); codes and texts too."""
    from gaoxin.maps.encode import column_arrays

    series = pd.Series([v if v is None or isinstance(v, int) else float(v) for v in values],
                       dtype=object)
    number = pd.to_numeric(series, errors="coerce")
    order = np.array(rnd.sample(range(len(values)), len(values)), dtype=np.intp)
    cut = rnd.randint(0, len(values))
    whole = pd.Series([v if isinstance(v, int) else 7 for v in values], dtype="int64")
    for col in (column_arrays(number, decimals=decimals), column_arrays(whole),
                column_arrays(series.astype(str).where(series.notna())),
                column_arrays(pd.Series([str(v)[:2] for v in values], dtype=object))):
        written = chunks.ColumnJson(col)
        for f0, f1 in ((0, cut), (cut, len(values))):
            assert written.json(order[f0:f1]) == _reference_column_json(col, order, f0, f1)


def _reference_refs(q: np.ndarray) -> tuple[list[int], list[bool]]:
    """Back-references by a dictionary of the vertices seen, vertex by vertex."""
    number: dict[tuple[int, int], int] = {}
    refs, new = [], []
    for x, y in q.tolist():
        if (x, y) in number:
            refs.append(len(number) - number[(x, y)])
            new.append(False)
        else:
            number[(x, y)] = len(number)
            refs.append(0)
            new.append(True)
    return refs, new


@settings(max_examples=100, deadline=None)
@given(pool=st.lists(st.tuples(st.integers(-(2**40), 2**40), st.integers(-(2**40), 2**40)),
                     min_size=1, max_size=20)
       | st.lists(st.tuples(st.integers(104_000_000, 104_000_030),
                            st.integers(30_000_000, 30_000_030)), min_size=1, max_size=20),
       picks=st.lists(st.integers(0, 19), max_size=80))
def test_vertex_references_are_the_first_occurrences(pool: list[tuple[int, int]],
                                                     picks: list[int]) -> None:
    """Hashed keys and, far outside lon/lat, sorted pairs number the vertices as a
    dictionary of the vertices seen does (repeats near and far back, one vertex alone)."""
    q = np.array([pool[i % len(pool)] for i in picks], dtype=np.int64).reshape(-1, 2)
    refs, new = chunks._vertex_refs(q)
    want_refs, want_new = _reference_refs(q)
    assert refs.tolist() == want_refs and new.tolist() == want_new


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=200))
def test_occupied_cells_are_the_sorted_unique_cells(cell: list[int]) -> None:
    """Cells counted, not sorted: the same occupied cells and places as ``np.unique``."""
    arr = np.array(cell, dtype=np.intp)
    used, inverse = chunks._occupied(arr, 41)
    want_used, want_inverse = np.unique(arr, return_inverse=True)
    assert used.tolist() == want_used.tolist() and inverse.tolist() == want_inverse.tolist()
