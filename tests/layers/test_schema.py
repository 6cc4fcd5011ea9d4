"""layers/schema.py: canonical field names from Chinese, pinyin and mapped columns; values typed."""

from __future__ import annotations

import pandas as pd
import pytest

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
