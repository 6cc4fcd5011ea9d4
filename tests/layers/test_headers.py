"""layers/headers.py: headers as offices write them (units, synonyms, widths), converted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from gaoxin.errors import InputError
from gaoxin.kinds import KINDS
from gaoxin.layers.headers import parse_unit, split_header, synonyms
from gaoxin.layers.load import load_table_layer
from gaoxin.layers.schema import normalise_fields
from gaoxin.layers.workspace import LayerSource


@pytest.mark.parametrize(("header", "name", "unit"), [
    ("营业收入（万元）", "营业收入", "万元"), ("营业收入(万元)", "营业收入", "万元"),
    (" 税收总额 ( 元 ) ", "税收总额", "元"), ("综合能耗【吨标准煤】", "综合能耗", "吨标准煤"),
    ("工业增加值/亿元", "工业增加值", "亿元"), ("用地面积／平方米", "用地面积", "平方米"),
    ("营业收入(单位：万元)", "营业收入", "万元"), ("亩均税收(万元/亩)", "亩均税收", "万元/亩"),
    ("税收/营收", "税收/营收", None), ("宗地编号", "宗地编号", None),
])
def test_header_name_and_unit(header: str, name: str, unit: str | None) -> None:
    assert split_header(header) == (name, unit)


def test_unit_factors() -> None:
    assert parse_unit("元") == ("money", 1.0) and parse_unit("亿元") == ("money", 1e8)
    assert parse_unit("万吨标准煤") == ("energy", 1e4) and parse_unit("万人") == ("people", 1e4)
    assert parse_unit("公顷") == ("area", 1e4) and parse_unit("㎡") == ("area", 1.0)
    assert parse_unit("亩") == ("area", pytest.approx(666.6667))
    assert parse_unit("美元") is None and parse_unit("元/吨/亩") is None


def _staff_table() -> pd.DataFrame:
    """One firm as four offices would write it, every figure in a unit other than gaoxin's:
    3,000 万元 revenue, 150 万元 tax, 500 吨标准煤, 120 人, 15 亩 of land."""
    return pd.DataFrame({
        "社会信用代码 ": ["91510100MA0000001X"], "单位名称": ["甲公司"], "宗地编号": ["P1"],
        "营业收入（元）": [30_000_000.0], "入库税金(亿元)": [0.015],
        "能源消费量/万吨标准煤": [0.05], "年末从业人员(万人)": [0.012],
        "用地面积(平方米)": [10_000.0]})


def test_staff_headers_are_matched_and_converted() -> None:
    matches: list = []
    out = normalise_fields(_staff_table(), "enterprises", matches=matches)
    row = out.iloc[0]
    assert (row.enterprise_id, row["name"], row.parcel_id) == ("91510100MA0000001X", "甲公司",
                                                               "P1")
    assert row.revenue == pytest.approx(3000.0) and row.tax == pytest.approx(150.0)
    assert row.energy_tce == pytest.approx(500.0) and row.employees == pytest.approx(120.0)
    assert row.land_mu == pytest.approx(15.0)
    by_field = {m.field: m for m in matches}
    assert by_field["revenue"].unit == "元" and by_field["revenue"].factor == 1e-4
    assert by_field["tax"].matched_by == "synonym" and "税务" in str(by_field["tax"].source)
    assert by_field["parcel_id"].column == "宗地编号"


def test_a_header_without_unit_takes_the_canonical_one_and_says_so() -> None:
    matches: list = []
    normalise_fields(pd.DataFrame({"信用代码": ["x"], "地块编号": ["P1"], "税收": ["7"]}),
                     "enterprises", matches=matches)
    tax = next(m for m in matches if m.field == "tax").record()
    assert tax["unit"] == "万元" and tax["unit_from_header"] is False and tax["factor"] == 1.0


def _write(fmt: str, table: pd.DataFrame, folder: Path) -> Path:
    if fmt == "xlsx":
        path = folder / "企业.xlsx"
        table.to_excel(path, index=False)
    elif fmt == "csv":
        path = folder / "企业.csv"
        path.write_bytes(table.to_csv(index=False).encode("gbk"))
    else:
        # A DBF names a field in at most 10 bytes (5 characters in GBK): offices shorten the
        # headers and leave out units that do not fit, which then read as gaoxin's.
        path = folder / "qiye.dbf"
        short = pd.DataFrame({"信用代码": table["社会信用代码 "], "宗地号": table["宗地编号"],
                              "营收/元": table["营业收入（元）"],
                              "税收/亿元": table["入库税金(亿元)"],
                              "能耗": [500.0], "从业人数": [120.0], "占地面积": [15.0]})
        pyogrio.write_dataframe(short, path, driver="ESRI Shapefile", encoding="GBK")
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "dbf"])
def test_each_table_format_reads_staff_headers(fmt: str, tmp_path: Path) -> None:
    path = _write(fmt, _staff_table(), tmp_path)
    before = path.read_bytes()
    loaded = load_table_layer(LayerSource(kind="enterprises", path=path))
    row = loaded.frame.iloc[0]
    assert row.parcel_id == "P1" and row.revenue == pytest.approx(3000.0)
    assert row.tax == pytest.approx(150.0)
    assert row.employees == pytest.approx(120.0) and row.energy_tce == pytest.approx(500.0)
    assert row.land_mu == pytest.approx(15.0)
    assert {m.field for m in loaded.report.fields} >= {"revenue", "tax", "employees"}
    assert path.read_bytes() == before  # inputs are never modified


def test_unit_that_cannot_convert_is_refused() -> None:
    frame = pd.DataFrame({"信用代码": ["x"], "地块编号": ["P1"], "营业收入(美元)": [1.0]})
    with pytest.raises(InputError, match=r"'营业收入\(美元\)'.*美元.*cannot convert to 万元"):
        normalise_fields(frame, "enterprises", source="e.xlsx")
    frame = pd.DataFrame({"信用代码": ["x"], "地块编号": ["P1"], "营业收入(亩)": [1.0]})
    with pytest.raises(InputError, match="cannot convert"):
        normalise_fields(frame, "enterprises")


def test_headers_that_read_the_same_are_refused() -> None:
    frame = pd.DataFrame({"信用代码": ["x"], "地块编号": ["P1"], "营业收入（万元）": [1.0],
                          "营业收入 (元)": [10000.0]})
    with pytest.raises(InputError) as err:
        normalise_fields(frame, "enterprises", source="e.xlsx")
    assert "2 columns read as revenue (营业收入)" in err.value.message()
    assert "[layers.enterprises.fields] revenue" in err.value.message()


def test_hostile_headers_are_clipped_in_messages() -> None:
    long_name = "<script>alert(1)</script>" + "营" * 5000
    frame = pd.DataFrame({long_name: ["x"], "[bold red]地块[/]": ["P1"]})
    with pytest.raises(InputError) as err:
        normalise_fields(frame, "enterprises", source="e.xlsx")
    text = err.value.message()
    assert len(text) < 600 and "[bold red]地块[/]" in text and "…" in text


def test_the_synonym_table_names_sources_and_no_clash() -> None:
    table = synonyms()
    assert "宗地编号" in {s["name"] for s in table["enterprises"]["parcel_id"]}
    for kind, fields in table.items():
        names = [n for f in KINDS[kind].fields for n in (f.name, *f.aliases)]
        names += [s["name"] for entries in fields.values() for s in entries]
        assert len(names) == len(set(names)), kind
        for entries in fields.values():
            assert all(s["source"] and s["confidence"] in ("✅", "🟡", "⚙") for s in entries)
