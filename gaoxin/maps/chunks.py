"""Level of detail for big layers: spatial chunks of parcels, and grid cells when zoomed out.

A layer of more than :data:`CHUNKED_ABOVE` features is not embedded as one encoding
(:mod:`gaoxin.maps.encode`) but cut along a grid into chunks of a few thousand features, each
its own zlib blob in base64 that the runtime inflates (``DecompressionStream``) only when its
area is in view at a zoom where parcels are drawn. Zoomed out, the runtime draws the grid's
cells instead, each coloured by the layer's own classes (the area-weighted mean of the
coloured column, or the class covering most of the cell), with its count in the popup.

Inside a chunk, polygons of a coverage share their vertices with their neighbours: each vertex
is written once (delta-coded, as in :func:`gaoxin.maps.encode.encode_geometry`) and repeated
as a back-reference, which halves the bytes of cadastral parcels (16 vertices each, 7 of them
new). Coordinates stay quantised to 1e-6° (≈ 0.1 m), so every zoom draws what a small layer
would. A search index (the id column, chunk by chunk) is one more blob, inflated on the
first search.

Blob layout (before zlib): the number of sections and each section's length as varints, then
the sections: parts per feature (runs), part types (runs), rings per part (runs), vertices
per ring, vertex references (0: a new vertex, k: the k-th last new vertex), the new vertices'
coordinate deltas (zigzag), class codes (runs; empty for one class), and the columns' values
as UTF-8 JSON.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from .drawn import DrawnLayer
from .encode import QUANT, ColumnArrays, GeometryArrays, Ints, runs_bytes, varint_bytes

# Layers with more features than this are chunked (below it, one encoding draws in < 0.3 s).
CHUNKED_ABOVE = 50_000
# Features per chunk on average: a parcel-zoom view of 1366 × 768 px holds a few chunks.
CHUNK_FEATURES = 4_000
# Features per grid cell on average, and the most cells along one side of the grid.
CELL_FEATURES = 16
MAX_CELLS_SIDE = 256
# Level 4 deflates chunks of parcels in half the CPU time of 6 for 1.5–5 % more bytes (200k, 1M).
ZLIB_LEVEL = 4
# Threads deflating chunks (the machine's cores, at most 4).
_THREADS = max(1, min(4, os.cpu_count() or 1))

Floats = npt.NDArray[np.float64]
Recode = Callable[[Floats], npt.NDArray[np.int_]]


class CellWords(TypedDict):
    """A grid cell's popup: its heading, the count's label and the value's label."""

    title: str
    count: str
    value: str | None


class Cells(TypedDict):
    """The zoomed-out grid: origin, cell size (zoom-0 Web Mercator pixels), columns, rows,
    what a cell's value is (``mean`` of the coloured column or the ``class`` covering most
    of it), the value's decimals, and the cells themselves (a zlib blob)."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int
    value: str | None
    d: int
    words: CellWords
    labels: list[str]  # the classes' legend labels (a cell's class, in words)
    blob: str


class Chunked(TypedDict):
    """What the runtime needs of a chunked layer besides its styles and names."""

    q: int
    chunks: list[str]
    cn: list[int]  # features per chunk
    cbb: list[float]  # chunk bounds, zoom-0 Web Mercator pixels, 4 per chunk
    cells: Cells
    ids: str | None  # the search index blob: the id column's texts, one a line


def mercator(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """Zoom-0 Web Mercator pixels (256 px around the world), as the runtime computes them.

    Examples
    --------
    >>> x, y = mercator(np.array([0.0]), np.array([0.0]))
    >>> float(x[0]), float(y[0])
    (128.0, 128.0)
    """
    s = np.sin(np.clip(lat, -85.0511, 85.0511) * np.pi / 180)
    return (lon + 180) * (256 / 360), 128 - 128 / np.pi * 0.5 * np.log((1 + s) / (1 - s))


def blob(sections: Sequence[bytes]) -> str:
    """Base64 of the zlib-compressed sections, each announced by its length.

    Examples
    --------
    >>> zlib.decompress(base64.b64decode(blob([b"ab", b""])))
    b'\\x02\\x02\\x00ab'
    """
    head = varint_bytes(np.array([len(sections), *map(len, sections)]))
    return base64.b64encode(zlib.compress(head + b"".join(sections), ZLIB_LEVEL)).decode("ascii")


class _Grid(TypedDict):
    x0: float
    y0: float
    size: float
    nx: int
    ny: int
    cell: npt.NDArray[np.intp]  # each feature's cell
    chunk: npt.NDArray[np.intp]  # each feature's chunk (grid order, not yet numbered 0…)


def _grid(cx: Floats, cy: Floats) -> _Grid:
    """Cells of about :data:`CELL_FEATURES` features and chunks of whole cells."""
    n = len(cx)
    x0, y0 = float(cx.min()), float(cy.min())
    w, h = max(float(cx.max()) - x0, 1e-9), max(float(cy.max()) - y0, 1e-9)
    size = max(np.sqrt(w * h / max(n / CELL_FEATURES, 1)), max(w, h) / (MAX_CELLS_SIDE - 1))
    nx, ny = int(w // size) + 1, int(h // size) + 1
    ix = np.minimum((cx - x0) // size, nx - 1).astype(np.intp)
    iy = np.minimum((cy - y0) // size, ny - 1).astype(np.intp)
    cell = iy * nx + ix
    per_cell = n / len(np.unique(cell))
    side = max(1, round(float(np.sqrt(CHUNK_FEATURES / per_cell))))
    chunk = (iy // side) * (nx // side + 1) + ix // side
    return {"x0": x0, "y0": y0, "size": float(size), "nx": nx, "ny": ny, "cell": cell,
            "chunk": chunk}


def _vertex_refs(q: Ints) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Back-references of repeated vertices within one chunk, and which vertices are new.

    A vertex seen before in the chunk is written as ``k`` ≥ 1: the k-th last new vertex so
    far; a new one as 0. Vertices are told apart by one integer key (their offset from the
    chunk's lower left corner, row by row: under 2⁶³ even for the whole world at 1e-6°),
    numbered by a hash table in order of first occurrence (twice as fast as sorting the
    keys): the n-th distinct vertex is the n-th new one.

    Examples
    --------
    >>> q = np.array([[0, 0], [1, 0], [0, 0], [5, 5], [1, 0]])
    >>> refs, new = _vertex_refs(q)
    >>> refs.tolist(), new.tolist()
    ([0, 0, 2, 0, 2], [True, True, False, True, False])
    """
    nv = len(q)
    if nv == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    x, y = q[:, 0] - q[:, 0].min(), q[:, 1] - q[:, 1].min()
    rows = int(y.max()) + 1
    if (int(x.max()) + 1) * rows >= 2**62:
        return _vertex_refs_sorted(x, y)
    distinct, _ = pd.factorize(x * rows + y)
    new = np.empty(nv, dtype=bool)
    new[0] = True
    known = np.maximum.accumulate(distinct)
    np.greater(known[1:], known[:-1], out=new[1:])
    seen = np.cumsum(new)  # new vertices up to and including each one
    return np.where(new, 0, seen - distinct), new


def _vertex_refs_sorted(x: Ints, y: Ints) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """:func:`_vertex_refs` of coordinates far outside lon/lat (a layer in a wrong CRS),
    whose one key would overflow: the vertices sorted by two keys, each run of equal ones
    taking its smallest position as its first occurrence."""
    nv = len(x)
    order = np.lexsort((y, x))
    key = np.empty(nv, dtype=np.int64)
    key[order] = np.cumsum(np.concatenate([[0], (np.diff(x[order]) != 0)
                                           | (np.diff(y[order]) != 0)]))
    sk = key[order]
    starts = np.ones(nv, dtype=bool)
    starts[1:] = sk[1:] != sk[:-1]
    at = np.flatnonzero(starts)
    group = np.cumsum(starts) - 1
    first = np.empty(nv, dtype=np.intp)
    first[order] = np.minimum.reduceat(order, at)[group]
    new = first == np.arange(nv)
    seen = np.cumsum(new)
    return np.where(new, 0, seen - (seen[first] - 1)), new


def _occupied(cell: npt.NDArray[np.intp], cells: int
              ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The occupied cells in ascending order and each feature's place among them, as
    ``np.unique(cell, return_inverse=True)`` gives them, counted instead of sorted (the
    grid has at most 256 × 256 cells; 1M features: no sort of 1M keys).

    Examples
    --------
    >>> used, inverse = _occupied(np.array([5, 2, 5, 0]), 9)
    >>> used.tolist(), inverse.tolist()
    ([0, 2, 5], [2, 1, 2, 0])
    """
    present = np.bincount(cell, minlength=cells) > 0
    place = np.cumsum(present) - 1
    return np.flatnonzero(present), place[cell]


def _cells(grid: _Grid, codes: npt.NDArray[np.int_], n_styles: int, weight: Floats,
           values: Floats | None, recode: Recode | None, decimals: int, words: CellWords,
           labels: list[str]) -> Cells:
    """The grid's occupied cells: index (delta-coded), class, feature count, value."""
    used, inverse = _occupied(grid["cell"], grid["nx"] * grid["ny"])
    count = np.bincount(inverse, minlength=len(used))
    kind: str | None = None
    value: list[object] = []
    if values is not None and recode is not None:
        ok = np.isfinite(values)
        w = np.where(ok, weight, 0.0)
        wsum = np.bincount(inverse, w, minlength=len(used))
        # Cells of zero-area features only (lines, points): the plain mean.
        nsum = np.bincount(inverse, ok.astype(float), minlength=len(used))
        mean = np.where(wsum > 0,
                        np.bincount(inverse, np.where(ok, values * w, 0.0), len(used))
                        / np.where(wsum > 0, wsum, 1),
                        np.bincount(inverse, np.where(ok, values, 0.0), len(used))
                        / np.where(nsum > 0, nsum, 1))
        mean = np.where(nsum > 0, mean, np.nan)
        cls = recode(mean)
        kind = "mean"
        value = [None if not np.isfinite(m) else round(float(m), decimals) for m in mean]
    else:
        # The class covering most of the cell (by area; by count for lines and points).
        w = np.where(weight > 0, weight, 0.0) + 1e-30
        by_class = np.bincount(inverse * n_styles + codes, w, minlength=len(used) * n_styles)
        cls = by_class.reshape(len(used), n_styles).argmax(axis=1)
        kind = "class" if n_styles > 1 else None
    body = json.dumps({"n": count.tolist(), "v": value}, separators=(",", ":"),
                      allow_nan=False).encode()
    sections = [varint_bytes(np.diff(used, prepend=0)), runs_bytes(cls), body]
    return {"x0": grid["x0"], "y0": grid["y0"], "size": grid["size"], "nx": grid["nx"],
            "ny": grid["ny"], "value": kind, "d": decimals, "words": words, "labels": labels,
            "blob": blob(sections)}


def _chunk_sections(a: GeometryArrays, codes: Ints, n_styles: int,
                    data: Sequence[ColumnJson], rows: npt.NDArray[np.intp]) -> list[bytes]:
    """The sections of one chunk: ``a`` its features' geometry, ``codes`` and ``data`` the
    layer's classes and columns, ``rows`` the chunk's features (in its order)."""
    q = a["q"]
    refs, new = _vertex_refs(q)
    # From the vertex before (new or repeated); each chunk starts from (0, 0). The new
    # ones gathered by position (a boolean selection of rows is 5× slower).
    step = np.empty_like(q)
    if len(q):
        step[0] = q[0]
        np.subtract(q[1:], q[:-1], out=step[1:])
    delta = step.take(np.flatnonzero(new), axis=0)
    body = ("[" + ",".join(col.json(rows) for col in data) + "]").encode()
    return [
        runs_bytes(a["parts_per_feat"]),
        runs_bytes(a["ptype"]),
        runs_bytes(a["rings_per_part"]),
        varint_bytes(a["ring_len"]),
        varint_bytes(refs),
        varint_bytes(delta.ravel(), signed=True),
        runs_bytes(codes[rows]) if n_styles > 1 else b"",
        body,
    ]


class ColumnJson:
    """A column's values written as a chunk's JSON (``{"i":[…]}`` or ``{"v":[…]}``, as
    ``json.dumps`` writes them).

    Codes and numbers repeat (a plot ratio to two decimals takes a few hundred values in
    a million parcels): each distinct value is written once and a chunk joins the texts;
    text columns go through ``json.dumps`` chunk by chunk. Numbers are told apart as
    floats, not as the Python numbers they are written from (hashing 1M Python floats took
    0.1–0.7 s a column); a value's text is that of its first occurrence. Made before the
    layer is cut into chunks (the builder makes them while the layer is drawn).

    Examples
    --------
    >>> col = ColumnJson(ColumnArrays("n", 2, [], np.array([1.5, None, 2], dtype=object)))
    >>> col.json(np.array([2, 1, 0]))
    '{"v":[2,null,1.5]}'
    """

    def __init__(self, col: ColumnArrays) -> None:
        self.key = "i" if col.t == "c" else "v"
        self.values: npt.NDArray[Any] | None = None
        self.codes: npt.NDArray[np.intp] | None = None
        if col.t == "s":
            self.values = col.values
            return
        codes, first = _distinct(col)
        texts = [json.dumps(u, allow_nan=False) for u in col.values[first].tolist()]
        self.table = np.array([*texts, "null"], dtype=object)  # code -1: missing
        self.codes = codes

    def json(self, rows: npt.NDArray[np.intp]) -> str:
        """The values of features ``rows`` (a chunk's, in its order) as the chunk's JSON."""
        if self.codes is None:
            assert self.values is not None
            items = json.dumps(self.values[rows].tolist(), ensure_ascii=False,
                               separators=(",", ":"), allow_nan=False)
        else:
            items = "[" + ",".join(self.table[self.codes[rows]].tolist()) + "]"
        return f'{{"{self.key}":{items}}}'


def _distinct(col: ColumnArrays) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Each value's code (-1: missing) and where each code first occurs, codes numbered in
    order of first occurrence.

    Examples
    --------
    >>> _distinct(ColumnArrays("n", 1, [], np.array([2.5, None, 2.5, 7], dtype=object)))
    (array([ 0, -1,  0,  1]), array([0, 3]))
    """
    values = col.values
    if col.t == "n":
        # A column's numbers were float64 before they were Python numbers (``_numbers``):
        # as floats again they are the same numbers, told apart the same way (and a
        # value's text is its first occurrence's, whichever of equal floats it is).
        values = col.numbers if col.numbers is not None else np.where(
            pd.isna(values), np.nan, values).astype(np.float64)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    codes = codes.astype(np.intp)
    before = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))
    return codes, np.flatnonzero(codes > before)


def _id_text(ids: Sequence[str], order: npt.NDArray[np.intp]) -> str:
    """The search index: ids in chunk order, one a line (line breaks inside an id: spaces).

    Examples
    --------
    >>> _id_text(["a", "b\\nc"], np.array([1, 0]))
    'b c\\na'
    """
    listed: list[str] = np.asarray(ids, dtype=object)[order].tolist()
    text = "\n".join(listed)
    if text.count("\n") + text.count("\r") != max(len(listed) - 1, 0):
        text = "\n".join(i.replace("\n", " ").replace("\r", " ") for i in listed)
    return text


def chunk_layer(drawn: DrawnLayer, codes: npt.NDArray[np.int_], class_labels: list[str],
                columns: Sequence[ColumnArrays | ColumnJson], ids: Sequence[str] | None, *,
                values: Floats | None = None, recode: Recode | None = None,
                decimals: int = 2, cell_words: CellWords) -> Chunked:
    """Cut a layer (its geometry as drawn, class ``codes``, encoded ``columns``) into chunks.

    Parameters
    ----------
    drawn
        The features as drawn (:func:`gaoxin.maps.drawn.drawn_layer`), lon/lat.
    codes
        Style class of each feature.
    class_labels
        The legend label of each style class.
    columns
        The layer's encoded columns (:func:`gaoxin.maps.encode.column_arrays`), each holding
        every feature's value, or their :class:`ColumnJson` made beforehand.
    ids
        The id column's texts (the search index), or ``None``.
    values, recode
        The coloured column as numbers and the function giving a value's class: a cell then
        shows its area-weighted mean in that class. Without them a cell shows the class
        covering most of it.
    decimals
        Decimals of a cell's mean.
    cell_words
        The words of a cell's popup.

    Notes
    -----
    Chunks are made and compressed in threads (zlib, numpy's gathers and sorts release the
    GIL): one chunk's columns are written while another's vertices are sorted or deflated.
    """
    n_styles = len(class_labels)
    b = drawn.bounds
    mx0, my1 = mercator(b[:, 0], b[:, 1])
    mx1, my0 = mercator(b[:, 2], b[:, 3])
    grid = _grid((mx0 + mx1) / 2, (my0 + my1) / 2)
    chunk_key = grid["chunk"]
    order = np.argsort(chunk_key, kind="stable")
    # Where each chunk's run of features starts (the keys sorted: no second sort).
    sorted_key = chunk_key[order]
    feat_start = np.concatenate([[0], np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1,
                                 [len(order)]]) if len(order) else np.zeros(1, dtype=np.intp)
    n_chunks = len(feat_start) - 1
    data = [col if isinstance(col, ColumnJson) else ColumnJson(col) for col in columns]
    # Chunk bounds: the extremes of its features' bounds (features in chunk order).
    lo, hi = feat_start[:-1], feat_start[1:]
    nonempty = hi > lo
    cb = np.column_stack([mx0[order], my0[order], mx1[order], my1[order]])
    bounds_of = np.zeros((n_chunks, 4))
    if nonempty.any():
        at = lo[nonempty]
        bounds_of[nonempty, :2] = np.minimum.reduceat(cb[:, :2], at, axis=0)
        bounds_of[nonempty, 2:] = np.maximum.reduceat(cb[:, 2:], at, axis=0)
    # Each chunk gathers its own features' geometry (small arrays, not the layer reordered),
    # from the blocks the layer was drawn in: a chunk's rows ascend (a stable sort).
    take = drawn.taker()

    def chunk(c: int) -> str:
        rows = order[feat_start[c]:feat_start[c + 1]]
        return blob(_chunk_sections(take(rows), codes, n_styles, data, rows))

    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        made = pool.map(chunk, range(n_chunks))
        # The search index and the cells are made while the chunks are.
        id_blob = None if ids is None else blob([_id_text(ids, order).encode()])
        area = drawn.area * np.cos(np.radians((b[:, 1] + b[:, 3]) / 2))
        cells = _cells(grid, codes, n_styles, np.nan_to_num(area), values, recode, decimals,
                       cell_words, class_labels)
        blobs = list(made)
    return {"q": QUANT, "chunks": blobs, "cn": np.diff(feat_start).tolist(),
            "cbb": bounds_of.ravel().tolist(), "cells": cells, "ids": id_blob}
