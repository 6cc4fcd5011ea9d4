"""report/tables.py: result frames labelled for workbooks and tables."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely import Point

from gaoxin.analysis.intensity import benchmark_table
from gaoxin.analysis.plot_ratio import min_plot_ratio_table
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.report.excel import ID_COLUMNS, column_format, header_names, write_excel
from gaoxin.report.tables import (
    benchmark_sheet,
    capped_table,
    labelled,
    minimum_table_sheet,
    rules_sheet,
)


def test_result_columns_of_the_workbooks_are_labelled_in_chinese() -> None:
    """The snake_case keys zh workbooks and popups used to show have Chinese labels."""
    keys = ["far_min", "per_mu_tax", "rank", "reason_label", "score", "zone_type_label",
            "built_rate", "idle_rate", "industrial_plot_ratio", "main_enterprise", "land_mu",
            "total_ha", "s_plot_ratio", "score_per_mu_tax", "evaluated", "firms", "name"]
    frame = labelled(pd.DataFrame(columns=keys), "zh", "parcels")
    assert not [c for c in frame.columns if re.search(r"[A-Za-z_]{2,}", str(c))]


def test_rules_sheet_lists_every_rule_of_every_set() -> None:
    expansion = load_ruleset("expansion", {"contiguity.max_blocks": 4})
    per_mu = load_ruleset("per_mu")
    sheet = rules_sheet(expansion, per_mu, lang="en")
    assert len(sheet) == len(expansion.rules) + len(per_mu.rules)
    assert list(sheet.columns) == ["Rule", "Value", "Unit", "Source", "Confidence",
                                   "Overridden", "Rule set", "Key"]
    row = sheet[sheet["Key"] == "contiguity.max_blocks"].iloc[0]
    assert (row["Value"], row["Overridden"], row["Rule set"]) == (
        "4", "yes", "Expansion check rules (Sichuan defaults)")
    assert rules_sheet(per_mu).columns[0] == "规则"   # zh by default


def test_capped_table_drops_geometry_caps_rows_and_frees_nullable_booleans() -> None:
    frame = gpd.GeoDataFrame({"ok": pd.array([True, None, False], dtype="boolean"),
                              "n": [1, 2, 3]},
                             geometry=[Point(0, 0), Point(1, 1), Point(2, 2)], crs=4544)
    table = capped_table(frame, 2)
    assert list(table.columns) == ["ok", "n"] and len(table) == 2
    assert table["ok"].tolist() == [True, None]  # pd.NA would not reach a workbook cell
    assert frame["ok"].dtype == "boolean"  # the input is untouched


def _has_english_word(text: str) -> bool:
    return bool(re.search(r"[A-Za-z_]{2,}", re.sub(r"GB/T|[A-Z]\d+", "", text)))


def test_benchmark_sheet_is_headed_in_the_report_language_and_keeps_row_formats(
        tmp_path: Path) -> None:
    """全国对比 was headed indicator/label_zh/label_en/unit/national_2022 in zh workbooks."""
    zones = pd.DataFrame({"supply_rate": [0.95], "tax_per_ha": [539.96],
                          "building_density": [0.3387]}, index=["G510001"])
    table = benchmark_table(zones)
    zh = benchmark_sheet(table, "zh")
    assert not [c for c in zh.columns if _has_english_word(str(c))]
    assert zh["指标"].tolist()[:1] == ["土地供应率(%)"] and "2022年全国监测值" in zh.columns
    en = benchmark_sheet(table, "en")
    assert list(en.columns)[:2] == ["Indicator", "G510001"]
    assert "Land supply rate (%)" in en["Indicator"].tolist()
    assert list(table.columns)[:4] == ["indicator", "label_zh", "label_en", "unit"]  # untouched
    # The writer still finds each row's format from the labelled indicator.
    book = openpyxl.load_workbook(write_excel(tmp_path / "b.xlsx", {"全国对比": zh}))
    formats = {row[0].value: row[1].number_format for row in book.active.iter_rows(min_row=2)}
    assert formats["土地供应率(%)"] == formats["建筑密度(%)"] == "0.0%"
    assert formats["综合地均税收(万元/公顷)"] == "#,##0.00"


def test_minimum_table_sheet_is_headed_in_the_report_language() -> None:
    """控制指标表 was headed standard/code_version/code/industry/far_min… in zh workbooks."""
    table = min_plot_ratio_table()
    zh = minimum_table_sheet(table, "zh")
    assert not [c for c in zh.columns if _has_english_word(str(c))]
    assert list(minimum_table_sheet(table, "en").columns)[:3] == [
        "Standard", "Code version", "Industry code"]
    assert header_names("行业代码") <= ID_COLUMNS   # codes stay text (leading zeros)


def test_residential_rate_is_headed_as_a_percentage() -> None:
    """住宅用地率 is a fraction shown as a percentage: its header carries the unit."""
    assert labelled(pd.DataFrame(columns=["residential_rate"]), "zh", "zones").columns[0] == \
        "住宅用地率(%)"
    assert column_format("住宅用地率(%)") == "0.0%"
