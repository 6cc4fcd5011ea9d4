"""maps/encode.py: compact geometry encoding and edge-sharing simplification."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, box

from gaoxin.maps.encode import _texts, encode_column, encode_geometry, lighten, varint_bytes
from tests.maps.helpers import parcels


def test_lighten_keeps_shared_edges() -> None:
    circle = Point(0, 0).buffer(0.01, quad_segs=64)
    left = circle.intersection(box(-1, -1, 0, 1))
    right = circle.intersection(box(0, -1, 1, 1))
    out = lighten(np.array([left, right], dtype=object), tolerance=1e-4)
    assert out[0].intersection(out[1]).length > 0.019  # still share the cut edge
    assert len(out[0].exterior.coords) < len(left.exterior.coords)


def test_lighten_leaves_corner_only_parcels_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concave 16-gons whose every vertex is a corner: nothing to remove at 0.15 m, so
    no coverage check and no simplification (they cost seconds at a province's size)."""
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    r = 4e-4 * np.where(np.arange(16) % 2, 0.8, 1.0)          # a 16-pointed star
    rings = [np.c_[104 + i * 1e-3 + r * np.cos(t + i), 30 + r * np.sin(t + i)]
             for i in range(50)]
    geoms = np.array([shapely.Polygon(r) for r in rings], dtype=object)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simplified a layer with nothing to remove")

    for name in ("coverage_is_valid", "coverage_simplify", "simplify"):
        monkeypatch.setattr(shapely, name, refuse)
    out = lighten(geoms)
    assert shapely.equals_exact(out, shapely.orient_polygons(geoms), tolerance=0).all()


def test_encoding_is_compact() -> None:
    g = parcels(300).to_crs(4326)
    enc = encode_geometry(np.asarray(g.geometry.values))
    assert len(enc["xy"]) / 300 < 40  # base64 chars per parcel (GeoJSON: ~300)


values = st.one_of(st.none(), st.text(max_size=4), st.sampled_from(["M1", "甲", "<b>"]))


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(values, max_size=30), dtype=st.sampled_from([object, "str"]))
def test_text_columns_coded_on_the_values_are_the_value_by_value_coding(
        texts: list[str | None], dtype: object) -> None:
    """Text columns are factorised as they are: the same codes, words and texts as turning
    each value into text first (the way mixed columns still go)."""
    series = pd.Series(texts, dtype=dtype)
    fast = encode_column(series)
    text = _texts(series)  # each value in turn
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    by_value = ({"t": "c", "k": [str(u) for u in uniques], "i": codes.tolist()}
                if len(uniques) <= max(1, len(text) // 2)
                else {"t": "s", "v": [None if v is None or v != v else v for v in text]})
    assert fast == by_value


def test_missing_text_in_a_string_column_is_missing_not_a_word() -> None:
    enc = encode_column(pd.Series(["x", None, "y", "x"], dtype="string"))
    assert enc == {"t": "c", "k": ["x", "y"], "i": [0, -1, 1, 0]}


@settings(max_examples=60, deadline=None)
@given(numbers=st.lists(st.one_of(st.none(), st.floats(-1e12, 1e12),
                                  st.sampled_from([np.inf, -np.inf, 2.5, -0.0, 1e-9])),
                        max_size=30),
       decimals=st.integers(0, 3))
def test_numbers_are_rounded_and_whole_ones_written_as_integers(
        numbers: list[float | None], decimals: int) -> None:
    enc = encode_column(pd.Series(numbers, dtype=float), decimals=decimals)
    want: list[float | int | None] = []
    for x, got in zip(numbers, enc["v"], strict=True):
        r = None if x is None or not np.isfinite(x) else round(x, decimals)
        if r is not None and got is not None and got != r and _near_tie(x, decimals):
            # numpy scales by 10**decimals before rounding, Python rounds the exact binary
            # value: on a tie to within a few ulps they may pick neighbouring last digits.
            assert abs(float(got) - r) <= 10.0 ** -decimals + 4 * np.spacing(abs(x))
            r = float(got)
        want.append(None if r is None else int(r) if decimals == 0 or r.is_integer() else r)
    assert enc["v"] == want
    assert [type(v) for v in enc["v"]] == [type(v) for v in want]


def _near_tie(x: float | None, decimals: int) -> bool:
    if x is None:
        return False
    scaled = abs(x) * 10.0 ** decimals
    return abs(scaled - np.floor(scaled) - 0.5) <= 4 * np.spacing(scaled)


def _reference_varints(values: np.ndarray, signed: bool) -> bytes:
    """LEB128 as first written: one selection of the values per byte position."""
    v = np.asarray(values, dtype=np.int64)
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64) if signed else v.astype(np.uint64)
    nbytes = np.ones(len(z), dtype=np.int64)
    for k in range(1, 10):
        nbytes += z >= np.uint64(1 << (7 * k))
    start = np.concatenate([[0], np.cumsum(nbytes)[:-1]])
    out = np.zeros(int(nbytes.sum()), dtype=np.uint8)
    for k in range(int(nbytes.max(initial=1))):
        sel = nbytes > k
        byte = (z[sel] >> np.uint64(7 * k)) & np.uint64(0x7F)
        more = (nbytes[sel] > k + 1).astype(np.uint64) << np.uint64(7)
        out[start[sel] + k] = (byte | more).astype(np.uint8)
    return out.tobytes()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-300, 300),
                          st.integers(0, 2**21)), max_size=60),
       st.booleans())
def test_varints_are_the_reference_varints(values: list[int], signed: bool) -> None:
    """Every byte as before, for values of every width (1 to 10 bytes), signed or not."""
    arr = np.array(values, dtype=np.int64)
    assert varint_bytes(arr, signed=signed) == _reference_varints(arr, signed)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10).flatmap(lambda width: st.lists(
    st.integers(0, 2 ** min(63, 7 * width) - 1), min_size=1, max_size=60)), st.booleans())
def test_varints_of_each_width_are_the_reference_varints(values: list[int], signed: bool
                                                         ) -> None:
    """Every byte as before where the largest value takes 2 to 4 bytes (32-bit words), 5 to
    8 (64-bit words) or 9 to 10 (the byte matrix), values of fewer bytes beside it."""
    arr = np.array(values, dtype=np.int64)
    if signed:
        arr = arr // 2 * np.where(np.arange(len(arr)) % 2, 1, -1)
    assert varint_bytes(arr, signed=signed) == _reference_varints(arr, signed)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=4), st.booleans()), min_size=3, max_size=30),
       st.sampled_from(["object", "str"]))
def test_column_texts_are_each_value_as_text(values: list[tuple[str, bool]], dtype: str
                                             ) -> None:
    """A text column's texts are its values as they are (missing ones empty), as writing
    each one through ``str`` gave."""
    from gaoxin.maps.encode import column_arrays

    # Distinct texts, every third one possibly missing: a column of texts, not of codes.
    texts = [None if gone and i % 3 == 1 else f"{t}#{i}" for i, (t, gone) in enumerate(values)]
    col = column_arrays(pd.Series(texts, dtype=dtype))
    assert col.t == "s"
    reference = ["" if v is None else str(v) for v in col.values.tolist()]
    assert col.texts() == reference
    assert all(type(t) is str for t in col.texts())
