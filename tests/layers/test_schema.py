"""layers/schema.py: canonical field names from Chinese, pinyin and mapped columns; values typed."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.errors import InputError
from gaoxin.layers.schema import normalise_fields


def test_aliases_map_chinese_and_pinyin_names():
    df = pd.DataFrame({"DKBH": ["1", "2"], "用地性质": ["M1", "R2"], "容积率下限": ["1.0", ""]})
    out = normalise_fields(df, "parcels")
    assert out["parcel_id"].tolist() == ["1", "2"]
    assert out["land_use"].tolist() == ["M1", "R2"]
    assert out["planned_far_min"].iloc[0] == 1.0 and pd.isna(out["planned_far_min"].iloc[1])


def test_workspace_mapping_wins_and_bad_mapping_is_named():
    df = pd.DataFrame({"编号": ["a"], "id": ["x"]})
    assert normalise_fields(df, "parcels", {"parcel_id": "编号"})["parcel_id"].tolist() == ["a"]
    with pytest.raises(InputError, match="maps field 'parcel_id' to column 'ZDH'"):
        normalise_fields(df, "parcels", {"parcel_id": "ZDH"}, source="p.gpkg")


def test_float_ids_from_excel_become_text():
    df = pd.DataFrame({"enterprise_id": ["91510100X"], "parcel_id": [12.0]})
    assert normalise_fields(df, "enterprises")["parcel_id"].tolist() == ["12"]


def test_numbers_with_thousands_separators():
    df = pd.DataFrame({"统一社会信用代码": ["a"], "地块编号": ["p"], "营业收入": ["1,234.5"]})
    assert normalise_fields(df, "enterprises")["revenue"].iloc[0] == 1234.5


def test_zone_levels_as_staff_write_them_become_the_codes_rules_are_keyed_by() -> None:
    import pandas as pd

    from gaoxin.layers.schema import normalise_fields

    frame = pd.DataFrame({"园区代码": ["G1", "S1", "S2", "X"], "名称": ["甲", "乙", "丙", "丁"],
                          "级别": ["国家级", "省级", " provincial", "市级"]})
    out = normalise_fields(frame, "zones")
    assert out["level"].tolist() == ["national", "provincial", "provincial", "市级"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([None, "B1", " B1", "B1\u3000", "B2", "\tB3 ", "", "建1"]),
                min_size=1, max_size=12),
       st.sampled_from(["str", "object"]))
def test_building_ids_are_checked_once_missing_then_repeated(ids: list[str | None],
                                                             dtype: str) -> None:
    """Ids as GDAL gives them (Arrow text) or as tables do (objects): the first repeated id
    (stripped) and its rows are named, else the first missing one; otherwise they are kept,
    stripped, as Python text with None for the missing."""
    frame = pd.DataFrame({"建筑编号": pd.Series(ids, dtype=dtype)})
    text = [None if i is None else i.strip() for i in ids]
    counts = Counter(t for t in text if t is not None)
    repeated = [t for t in text if t is not None and counts[t] > 1]
    if repeated:
        rows = [n + 1 for n, t in enumerate(text) if t == repeated[0]]
        with pytest.raises(InputError) as err:
            normalise_fields(frame, "buildings", source="b.gpkg")
        assert str(err.value) == (
            f"b.gpkg: feature {repeated[0]}: duplicate building_id {repeated[0]!r} "
            f"(rows {rows[:5]}); {len(set(repeated))} ids repeat. Fix: give every feature "
            "its own building_id")
    elif None in text:
        with pytest.raises(InputError, match=f"feature row {text.index(None) + 1}: "
                                             "building_id is empty"):
            normalise_fields(frame, "buildings", source="b.gpkg")
    else:
        out = normalise_fields(frame, "buildings")
        assert out["building_id"].dtype == object and out["building_id"].tolist() == text
