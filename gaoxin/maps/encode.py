"""Compact encoding of a layer for the browser runtime (``static/gaoxin-map.js``).

Geometry: coordinates quantised to 1e-6° (≈0.1 m), delta-coded, zigzag varints, base64;
structure (parts per feature, part types, rings per part, vertices per ring) as varints, the
repetitive ones run-length coded; polygon rings without their closing vertex. A simple parcel
costs about 21 bytes instead of about 300 in GeoJSON. Attributes: columnar, categorical
columns as codes into a dictionary, numbers rounded to the digits shown.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Literal, NamedTuple, Required, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

QUANT = 1_000_000  # 1e-6 degree
# Vertices off a straight line by less than this many degrees (≈0.15 m, half a pixel at zoom
# 19, the deepest zoom the map offers) cannot be seen at any zoom the map shows.
SIMPLIFY_DEG = 1.5e-6
POLY, LINE, POINT = 0, 1, 2

# Shapely geometries, one per feature (or part).
Geoms = npt.NDArray[np.object_]
Ints = npt.NDArray[np.integer[Any]]


class EncodedGeometry(TypedDict):
    """A layer's geometry for the runtime: the quantum and the base64 varint streams."""

    q: int
    fparts: str  # parts per feature, run-length coded
    ptype: str  # type of each part (POLY, LINE, POINT), run-length coded
    prings: str  # rings per part, run-length coded
    rlen: str  # vertices per ring
    xy: str  # delta-coded quantised coordinates, zigzag varints


class EncodedColumn(TypedDict, total=False):
    """One attribute column: ``t`` says which keys follow (``n`` numbers with ``d`` decimals
    in ``v``; ``c`` dictionary ``k`` and codes ``i``; ``s`` texts in ``v``)."""

    t: Required[Literal["n", "c", "s"]]
    d: int
    v: list[float | int | None] | list[object]
    k: list[str]
    i: list[int]


class _Structure(TypedDict):
    feat_of_part: npt.NDArray[np.intp]
    ptype: Ints
    ring_part: npt.NDArray[np.intp]
    coords: npt.NDArray[np.float64]
    ring_of_coord: npt.NDArray[np.intp]
    n_rings: int


def varint_bytes(values: Ints, *, signed: bool = False) -> bytes:
    """LEB128 varints (zigzag-coded when ``signed``).

    Values under 2⁵⁶ are each written as one little-endian word (32 bits when the largest
    is under 2²⁸, else 64) holding its 7-bit groups and continuation bits; a second word
    marks its used bytes, and those bytes, value by value, are the stream (one gather
    instead of a boolean selection across a transposed byte matrix: 4× faster on a
    chunk's vertex references). Larger values go through :func:`_varint_matrix`.

    Examples
    --------
    >>> varint_bytes(np.array([0, 1, 300]))
    b'\\x00\\x01\\xac\\x02'
    >>> varint_bytes(np.array([2**56, 1])) == _varint_matrix(np.array([2**56, 1], np.uint64))
    True
    """
    v = np.asarray(values, dtype=np.int64)
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64) if signed else v.astype(np.uint64)
    if len(z) == 0:
        return b""
    width = max(1, (int(z.max()).bit_length() + 6) // 7)
    if width == 1:
        return z.astype(np.uint8).tobytes()
    if width > 8:
        return _varint_matrix(z)
    word_type: type[np.unsignedinteger[Any]] = np.uint32 if width <= 4 else np.uint64
    zw: npt.NDArray[np.unsignedinteger[Any]] = z.astype(word_type)
    word = zw & word_type(0x7F)
    used = np.ones(len(zw), dtype=zw.dtype)  # byte k is 1 where the value has a k-th group
    for k in range(1, width):
        more = (zw >= word_type(1 << (7 * k))).astype(zw.dtype)
        word |= more << word_type(8 * k - 1)
        word |= ((zw >> word_type(7 * k)) & word_type(0x7F)) << word_type(8 * k)
        used |= more << word_type(8 * k)
    little = np.dtype(word_type).newbyteorder("<")  # a value's first group first
    first_to_last = word.astype(little, copy=False).view(np.uint8)
    present = used.astype(little, copy=False).view(np.bool_)
    return first_to_last.take(np.flatnonzero(present)).tobytes()


def _varint_matrix(z: npt.NDArray[np.uint64]) -> bytes:
    """:func:`varint_bytes` of zigzagged values of any size.

    Each value's 7-bit groups are laid out as a column of a byte matrix as tall as the
    largest value needs, with the continuation bit where the value goes on; the used bytes,
    read value by value, are the stream.
    """
    width = max(1, (int(z.max()).bit_length() + 6) // 7)
    groups = np.empty((width, len(z)), dtype=np.uint8)
    used = np.empty((width, len(z)), dtype=bool)  # whether value i has a k-th group
    used[0] = True
    for k in range(width):
        group = np.bitwise_and(np.right_shift(z, np.uint64(7 * k)), np.uint64(0x7F)
                               ).astype(np.uint8)
        if k + 1 < width:
            used[k + 1] = z >= np.uint64(1 << (7 * (k + 1)))
            group |= used[k + 1].view(np.uint8) << np.uint8(7)
        groups[k] = group
    return groups.T[used.T].tobytes()


def varint_b64(values: Ints, *, signed: bool = False) -> str:
    """Base64 of LEB128 varints (zigzag-coded when ``signed``).

    Examples
    --------
    >>> varint_b64(np.array([0, 1, 300]))
    'AAGsAg=='
    >>> varint_b64(np.array([-1, 1]), signed=True)
    'AQI='
    """
    return base64.b64encode(varint_bytes(values, signed=signed)).decode("ascii")


def runs_bytes(values: Ints) -> bytes:
    """Run-length code ``values`` as (value, count) varint pairs.

    Examples
    --------
    >>> runs_bytes(np.array([1, 1, 1, 2]))
    b'\\x01\\x03\\x02\\x01'
    """
    v = np.asarray(values, dtype=np.int64)
    if len(v) == 0:
        return b""
    starts = np.flatnonzero(np.concatenate([[True], v[1:] != v[:-1]]))
    counts = np.diff(np.concatenate([starts, [len(v)]]))
    return varint_bytes(np.column_stack([v[starts], counts]).ravel())


def runs_b64(values: Ints) -> str:
    """Base64 of :func:`runs_bytes`.

    Examples
    --------
    >>> runs_b64(np.array([1, 1, 1, 2]))
    'AQMCAQ=='
    """
    return base64.b64encode(runs_bytes(values)).decode("ascii")


def _parts_rings(geoms: Geoms) -> tuple[npt.NDArray[np.intp], Ints, npt.NDArray[np.intp], Geoms]:
    """Non-empty parts of ``geoms`` (feature of each, type) and their rings (or the part
    itself for lines and points), rings in coordinate order, with the part of each."""
    parts, feat_of_part = shapely.get_parts(geoms, return_index=True)
    # Nested collections: flatten once more (rare: GeometryCollection of multi-geometries).
    while np.any(np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))):
        parts, idx = shapely.get_parts(parts, return_index=True)
        feat_of_part = feat_of_part[idx]
    keep = ~shapely.is_empty(parts)
    parts, feat_of_part = parts[keep], feat_of_part[keep]
    tid = shapely.get_type_id(parts)
    ptype = np.where(tid == 3, POLY, np.where(tid == 0, POINT, LINE))
    is_poly = ptype == POLY
    rings, part_of_ring = shapely.get_rings(parts[is_poly], return_index=True)
    poly_idx = np.flatnonzero(is_poly)
    ring_part = np.concatenate([poly_idx[part_of_ring], np.flatnonzero(~is_poly)])
    ring_geom = np.concatenate([rings, parts[~is_poly]])
    order = np.argsort(ring_part, kind="stable")
    return feat_of_part, ptype, ring_part[order], ring_geom[order]


def _open_rings(ptype: Ints, ring_part: npt.NDArray[np.intp], ring_len: Ints
                ) -> npt.NDArray[np.bool_]:
    """Which coordinates to keep: all but the closing vertex of polygon rings (the canvas
    closes the path)."""
    last = np.cumsum(ring_len) - 1
    drop = np.zeros(int(np.sum(ring_len)), dtype=bool)
    drop[last[(ptype[ring_part] == POLY) & (ring_len > 0)]] = True
    return ~drop


def _structure(geoms: Geoms) -> _Structure:
    """Parts, rings and coordinates of ``geoms`` (lon/lat), flattened."""
    feat_of_part, ptype, ring_part, ring_geom = _parts_rings(geoms)
    coords, ring_of_coord = shapely.get_coordinates(ring_geom, return_index=True)
    ring_len = np.bincount(ring_of_coord, minlength=len(ring_geom))
    keep = _open_rings(ptype, ring_part, ring_len)
    return {
        "feat_of_part": feat_of_part, "ptype": ptype, "ring_part": ring_part,
        "coords": coords[keep], "ring_of_coord": ring_of_coord[keep], "n_rings": len(ring_geom),
    }


class GeometryArrays(TypedDict):
    """A layer's geometry flattened: counts per feature, part and ring, and quantised
    coordinates (polygon rings open, consecutive duplicates dropped)."""

    parts_per_feat: Ints
    ptype: Ints
    rings_per_part: Ints
    ring_len: Ints
    q: Ints  # (vertices, 2) coordinates in units of 1 / QUANT degree


def geometry_arrays(geoms: Geoms) -> GeometryArrays:
    """Flatten and quantise lon/lat shapely geometries (see :class:`GeometryArrays`).

    Examples
    --------
    >>> from shapely import box
    >>> a = geometry_arrays(np.array([box(104.0, 30.0, 104.001, 30.001)]))
    >>> a["ring_len"].tolist(), a["q"][0].tolist()
    ([4], [104001000, 30000000])
    """
    s = _structure(np.asarray(geoms, dtype=object))
    return _quantised(s, len(geoms))


def _quantised(s: _Structure, n_features: int) -> GeometryArrays:
    """Quantise a flattened layer; consecutive duplicates after quantisation add nothing:
    they are dropped (each ring keeps its first)."""
    q = np.rint(s["coords"] * QUANT).astype(np.int64)
    ring = s["ring_of_coord"]
    same = np.zeros(len(q), dtype=bool)
    if len(q) > 1:
        same[1:] = (ring[1:] == ring[:-1]) & (q[1:, 0] == q[:-1, 0]) & (q[1:, 1] == q[:-1, 1])
    q, ring = q[~same], ring[~same]
    return {
        "parts_per_feat": np.bincount(s["feat_of_part"], minlength=n_features),
        "ptype": s["ptype"],
        "rings_per_part": np.bincount(s["ring_part"], minlength=len(s["ptype"])),
        "ring_len": np.bincount(ring, minlength=s["n_rings"]),
        "q": q,
    }


def encode_geometry(geoms: Geoms) -> EncodedGeometry:
    """Encode lon/lat shapely geometries for the runtime.

    Examples
    --------
    >>> from shapely import box
    >>> enc = encode_geometry(np.array([box(104.0, 30.0, 104.001, 30.001)]))
    >>> enc["q"], enc["fparts"], enc["rlen"]
    (1000000, 'AQE=', 'BA==')
    """
    return encode_arrays(geometry_arrays(geoms))


def encode_arrays(a: GeometryArrays) -> EncodedGeometry:
    """Encode a flattened layer (:func:`geometry_arrays`, :func:`drawn_layer`)."""
    delta = np.diff(a["q"], axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return {
        "q": QUANT,
        "fparts": runs_b64(a["parts_per_feat"]),
        "ptype": runs_b64(a["ptype"]),
        "prings": runs_b64(a["rings_per_part"]),
        "rlen": varint_b64(a["ring_len"]),
        "xy": varint_b64(delta.ravel(), signed=True),
    }


# Below this share of removable vertices, simplifying saves too few bytes to pay for itself
# (realistic cadastral parcels: ~5 %; curves digitised densely: ~100 %).
_MIN_REMOVABLE = 0.25


def _share_removable(geoms: Geoms, tolerance: float) -> float:
    """Share of vertices closer than ``tolerance`` to the line through their neighbours.

    Neighbours are taken along the flat coordinate list, across ring ends too: an estimate
    of whether simplification would remove anything, not a simplification.

    Examples
    --------
    >>> from shapely import Point, box
    >>> round(_share_removable(np.array([Point(0, 0).buffer(1, quad_segs=256)]), 1e-3), 2)
    1.0
    >>> _share_removable(np.array([box(0, 0, 1, 1)]), 1e-3)
    0.0
    """
    return _share_removable_xy(shapely.get_coordinates(geoms), tolerance)


def _share_removable_xy(xy: npt.NDArray[np.float64], tolerance: float) -> float:
    """:func:`_share_removable` of a layer's coordinates, in GEOS's order."""
    close, triples = _close_vertices(xy, tolerance)
    return close / triples if triples else 0.0


def _close_vertices(xy: npt.NDArray[np.float64], tolerance: float) -> tuple[int, int]:
    """Vertices closer than ``tolerance`` to the line through their neighbours (along the
    flat coordinate list), and the vertices that have two neighbours."""
    if len(xy) < 3:
        return 0, 0
    d1, d2 = xy[1:-1] - xy[:-2], xy[2:] - xy[:-2]
    twice_area = np.abs(d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])
    base = np.hypot(d2[:, 0], d2[:, 1])
    # A repeated vertex (base 0, e.g. a ring's closing one) is not counted as removable.
    close = (base > 0) & (twice_area < tolerance * base)
    return int(close.sum()), len(close)


def lighten(geoms: Geoms, *, tolerance: float = SIMPLIFY_DEG) -> Geoms:
    """Simplify polygons/lines where it cannot be seen, keeping shared edges shared.

    Polygon layers that form a valid coverage (parcels, zones) are simplified with GEOS
    coverage simplification, so neighbours keep one common edge and no gaps appear; other
    geometries are simplified one by one with topology preserved. Layers whose features have
    at most 8 vertices on average (simple parcels) are returned as they are: there is nothing
    to remove, and so are layers where under a quarter of the vertices lie within the
    tolerance of the line through their neighbours (cadastral parcels: 12–20 vertices,
    nearly all corners): GEOS would check the coverage and simplify for seconds at a
    province's size to save a few per cent of the bytes.
    Polygons are oriented (shells counter-clockwise) for non-zero filling.

    Examples
    --------
    >>> from shapely import Point
    >>> circle = Point(104, 30).buffer(0.01, quad_segs=256)
    >>> out = lighten(np.array([circle]), tolerance=1e-5)
    >>> bool(shapely.get_num_coordinates(out)[0] < shapely.get_num_coordinates(circle))
    True
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return geoms
    nverts = shapely.get_num_coordinates(geoms)
    if nverts.mean() > 8 and _share_removable(geoms, tolerance) >= _MIN_REMOVABLE:
        polys = np.isin(shapely.get_type_id(geoms), (3, 6))
        out = geoms.copy()
        if polys.any():
            p = geoms[polys]
            try:
                valid = bool(shapely.coverage_is_valid(p))
            except shapely.errors.GEOSException:
                valid = False
            out[polys] = (shapely.coverage_simplify(p, tolerance) if valid
                          else shapely.simplify(p, tolerance, preserve_topology=True))
        if (~polys).any():
            out[~polys] = shapely.simplify(geoms[~polys], tolerance, preserve_topology=True)
        geoms = out
    return shapely.orient_polygons(geoms)


def safe_json(obj: object) -> str:
    """JSON for an inline ``<script>``: UTF-8 text kept (no ``\\uXXXX`` for Chinese), but
    ``<``, ``>``, ``&`` and line separators escaped so no value can close the script.

    Examples
    --------
    >>> safe_json({"name": "地块</script>"})
    '{"name":"地块\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _numbers(values: pd.Series, decimals: int) -> npt.NDArray[np.object_]:
    """``values`` rounded to ``decimals`` as JSON-ready Python numbers (whole numbers as
    ``int``), missing ones ``None``.

    Examples
    --------
    >>> _numbers(pd.Series([1.234, 2.0, None, -0.0]), 2).tolist()
    [1.23, 2, None, 0]
    """
    return _python_numbers(_rounded(values, decimals), decimals)


def _rounded(values: pd.Series, decimals: int) -> npt.NDArray[np.float64]:
    """``values`` as floats rounded to ``decimals`` (missing and non-numbers: NaN)."""
    arr: npt.NDArray[np.float64] = np.round(
        pd.to_numeric(values, errors="coerce").to_numpy(dtype=float), decimals)
    return arr


def _python_numbers(arr: npt.NDArray[np.float64], decimals: int) -> npt.NDArray[np.object_]:
    """:func:`_numbers` of values already rounded."""
    finite = np.isfinite(arr)
    whole = finite & (arr == np.floor(arr)) if decimals else finite
    if np.any(np.abs(arr[whole]) >= 2.0**62):  # beyond int64: Python's int does it
        out = np.array([int(x) if w else (x if ok else None) for x, w, ok
                        in zip(arr.tolist(), whole.tolist(), finite.tolist(), strict=True)]
                       + [None], dtype=object)[:-1]
        return out
    if decimals == 0:
        out = np.where(finite, arr, 0.0).astype(np.int64).astype(object)
    else:
        out = arr.astype(object)
        out[whole] = arr[whole].astype(np.int64).astype(object)
    out[~finite] = None
    return out


def _texts(values: pd.Series) -> pd.Series:
    def text(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, bool | np.bool_):
            return v
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)
    return values.astype(object).map(text)


class ColumnArrays(NamedTuple):
    """One attribute column encoded (see :class:`EncodedColumn`), its values as an array:
    dictionary codes (``c``) or JSON-ready Python objects (``n``, ``s``); a column of
    numbers also as the floats they were made from (``numbers``: NaN where missing), so
    that they are told apart without reading 1M Python numbers again."""

    t: Literal["n", "c", "s"]
    d: int
    k: list[str]
    values: npt.NDArray[Any]
    numbers: npt.NDArray[np.float64] | None = None

    def payload(self, *, with_values: bool = True) -> EncodedColumn:
        """The column as the runtime reads it (without its values: a chunked layer's are in
        its chunks)."""
        out: EncodedColumn = {"t": self.t}
        if self.t == "n":
            out["d"] = self.d
        elif self.t == "c":
            out["k"] = self.k
        if with_values:
            if self.t == "c":
                out["i"] = self.values.tolist()
            else:
                out["v"] = self.values.tolist()
        return out

    def texts(self) -> list[str]:
        """Each feature's value as text (missing: empty).

        Examples
        --------
        >>> column_arrays(pd.Series(["a", None, "a"])).texts()
        ['a', '', 'a']
        >>> column_arrays(pd.Series([7, None])).texts()
        ['7', '']
        """
        if self.t == "c":
            words: list[str] = np.array([*self.k, ""], dtype=object)[self.values].tolist()
            return words
        values: list[Any] = self.values.tolist()
        if self.t == "s" and None not in values:  # texts already (``column_arrays``)
            return values
        return ["" if v is None else str(v) for v in values]


def _all_text(values: pd.Series) -> bool:
    """Whether every value is a string or missing (then no value needs formatting)."""
    if isinstance(values.dtype, pd.StringDtype):
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in (
        "string", "empty")


def column_arrays(values: pd.Series, *, decimals: int | None = None,
                  yes_no: tuple[str, str] = ("是", "否")) -> ColumnArrays:
    """Columnar encoding of one attribute: ``n`` numbers, ``c`` dictionary codes, ``s`` text.

    Text columns are coded by :func:`pandas.factorize` on the values themselves; only
    columns mixing types (numbers, booleans and text in one ``object`` column) are turned
    into text value by value.

    Examples
    --------
    >>> column_arrays(pd.Series(["A", "B", "A", "A"]))
    ColumnArrays(t='c', d=0, k=['A', 'B'], values=array([0, 1, 0, 0]), numbers=None)
    """
    if values.dtype.kind in "iuf":
        d = (0 if values.dtype.kind in "iu" else 2) if decimals is None else decimals
        rounded = _rounded(values, d)
        return ColumnArrays("n", d, [], _python_numbers(rounded, d),
                            np.where(np.isfinite(rounded), rounded, np.nan))
    if values.dtype.kind == "b":
        values = values.map({True: yes_no[0], False: yes_no[1]})
    if _all_text(values):
        text = values
    else:
        text = _texts(values).map(
            lambda v: (yes_no[0] if v else yes_no[1]) if isinstance(v, bool | np.bool_) else v)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    if len(uniques) <= max(1, len(text) // 2):
        return ColumnArrays("c", 0, [str(u) for u in uniques], codes.astype(np.int64))
    out = text.to_numpy(dtype=object)
    missing = pd.isna(out)
    if missing.any():  # NaN, NA, NaT are no JSON (and the values may be the caller's)
        out = out.copy()
        out[missing] = None
    return ColumnArrays("s", 0, [], out)


def encode_column(values: pd.Series, *, decimals: int | None = None,
                  yes_no: tuple[str, str] = ("是", "否")) -> EncodedColumn:
    """Columnar encoding of one attribute: ``n`` numbers, ``c`` dictionary codes, ``s`` text.

    Examples
    --------
    >>> encode_column(pd.Series([1.234, None]), decimals=2)
    {'t': 'n', 'd': 2, 'v': [1.23, None]}
    >>> encode_column(pd.Series(["A", "B", "A", "A"]))
    {'t': 'c', 'k': ['A', 'B'], 'i': [0, 1, 0, 0]}
    >>> encode_column(pd.Series(["甲", None, "乙", "丙"], dtype="str"))["v"]
    ['甲', None, '乙', '丙']
    """
    return column_arrays(values, decimals=decimals, yes_no=yes_no).payload()
