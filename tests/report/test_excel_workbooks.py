"""Workbooks as staff expect them (issue 11): every .xlsx the demo writes has a bold, frozen
header row in Chinese, a number format on every numeric cell, percentages stored as
percent-formatted fractions and ids as text; and the format rules of gaoxin.report.excel."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from gaoxin.report.excel import (
    FRACTION_COLUMNS,
    ID_COLUMNS,
    PERCENT_UNIT_COLUMNS,
    column_format,
    header_names,
    write_excel,
)
from gaoxin.report.labels import COLUMNS, LANGS, column
from gaoxin.report.tables import rules_sheet


@pytest.fixture
def demo_out(demo_zh: Path) -> Path:
    return demo_zh


@pytest.fixture(params=["zh", "en"])
def demo_any(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """The demo in each language: the formats hold in both (issue 11: "in zh and en")."""
    lang: str = request.param
    return lang, request.getfixturevalue(f"demo_{lang}")


def demo_workbooks(out: Path) -> list[Path]:
    """Every workbook the demo writes; workspace/ holds the sample inputs (the enterprise
    table as a bureau sends it), not outputs."""
    books = sorted(p for p in out.rglob("*.xlsx") if "workspace" not in p.relative_to(out).parts)
    assert len(books) >= 7
    return books


# Sheets whose headers are still canonical English names: none is left; a new one must be
# listed here with where it comes from, (workbook, sheet) -> origin, until it is labelled.
ENGLISH_SHEETS: dict[tuple[str, str], str] = {}
# A header in English letters that is a code or a unit, not a word: G510001, m², GB/T, R&D.
ALLOWED_ASCII = re.compile(r"^([A-Z]{1,2}\d+|[A-D]|national_\d{4}|GB/T.*|R&D.*)$")


def is_english(header: str) -> bool:
    """A header with no Chinese character that is not a code (snake_case or a plain word)."""
    if re.search(r"[\u4e00-\u9fff]", header):
        return False
    return bool(re.search(r"[A-Za-z]", header)) and not ALLOWED_ASCII.match(header)


def test_every_workbook_has_a_bold_frozen_header_in_its_language(
        demo_any: tuple[str, Path]) -> None:
    lang, demo_out = demo_any
    english = set()
    for path in demo_workbooks(demo_out):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            where = f"{path.name}:{sheet.title}"
            assert sheet.freeze_panes == "A2", where
            assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), where
            header = next(sheet.iter_rows(min_row=1, max_row=1))
            assert all(c.font.b for c in header), where
            if any(is_english(str(c.value)) for c in header):
                english.add((path.name, sheet.title))
    # The sheets left in English are exactly those named above (made outside the report
    # floor); a sheet fixed elsewhere is taken off the list. In English every header is.
    if lang == "zh":
        assert english == set(ENGLISH_SHEETS)
    else:
        assert english


def test_every_numeric_cell_has_a_number_format_and_ids_are_text(
        demo_any: tuple[str, Path]) -> None:
    _, demo_out = demo_any
    seen_ids = 0
    for path in demo_workbooks(demo_out):
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            rows = sheet.iter_rows()
            headers = [str(c.value) for c in next(rows)]
            for row in rows:
                for header, cell in zip(headers, row, strict=True):
                    where = f"{path.name}:{sheet.title}:{cell.coordinate} {header}"
                    assert cell.value != "", where   # missing values are empty cells
                    names = header_names(header)
                    if names and names <= ID_COLUMNS and cell.value is not None:
                        assert cell.data_type == "s" and cell.number_format == "@", where
                        seen_ids += 1
                    elif isinstance(cell.value, (int, float)) and not isinstance(cell.value,
                                                                                 bool):
                        assert cell.number_format != "General", where
    assert seen_ids > 1000


def test_percentages_are_percent_formatted_fractions(demo_out: Path) -> None:
    book = openpyxl.load_workbook(demo_out / "intensity" / "intensity.xlsx")
    sheet = book["评价结果"]
    headers = [c.value for c in sheet[1]]
    development = sheet.cell(2, headers.index("土地开发率(%)") + 1)
    assert development.number_format == "0.0%"
    assert 0.9 < development.value < 1   # 95.2 %, not 0.95 %
    checked = 0
    for path in demo_workbooks(demo_out):
        for sheet in openpyxl.load_workbook(path).worksheets:
            headers = [str(c.value) for c in sheet[1]]
            for row in sheet.iter_rows(min_row=2):
                for header, cell in zip(headers, row, strict=True):
                    if not isinstance(cell.value, (int, float)):
                        continue
                    if "%" in cell.number_format:
                        assert 0 <= cell.value <= 1, f"{path.name}:{cell.coordinate}"
                        checked += 1
                    names = header_names(header)
                    if header.endswith("(%)") and names and names <= FRACTION_COLUMNS:
                        assert cell.number_format == "0.0%", f"{path.name}:{cell.coordinate}"
    assert checked > 50
    # The plot-ratio zone summary gives 建筑密度 and 工业用地建筑系数 as fractions, like the
    # land-intensity evaluation under the same labels: one scale per name.
    zones = openpyxl.load_workbook(demo_out / "plot_ratio" / "plot_ratio.xlsx")["园区汇总"]
    headers = [c.value for c in zones[1]]
    for name in ("建筑密度(%)", "工业用地建筑系数(%)"):
        cell = zones.cell(2, headers.index(name) + 1)
        assert cell.number_format == "0.0%" and 0.2 < cell.value < 0.5, name
    # 建筑系数 is computed in percent units: it keeps its value, shown at one decimal.
    plot = openpyxl.load_workbook(demo_out / "plot_ratio" / "plot_ratio.xlsx")["全部地块"]
    headers = [c.value for c in plot[1]]
    coverage = [r[headers.index("建筑系数(%)")] for r in plot.iter_rows(min_row=2)]
    assert {c.number_format for c in coverage} == {"0.0"}
    assert max(c.value for c in coverage if c.value is not None) > 1


# ---------------------------------------------------------------- the format rules


def test_format_rules_on_a_small_table(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "统一社会信用代码": ["91510116406A9D8F8A", "915101160000000001"],
        "行业代码": [6.0, np.nan],
        "地块编号": ["0012", None],
        "面积(亩)": [28047157.60982307, 1.0],
        "面积(公顷)": [2.5, np.nan],
        "面积(m²)": [1.25, 2.0],
        "土地开发率(%)": [0.9519, 0.5],
        "建筑系数(%)": [30.5, 0.0],
        "亩均税收(万元/亩)": [12.345, 0.0],
        "地块数": [3, 4],
        "综合容积率": [1.05, 0.8],
        "容积率达标": [1.0, np.nan],
        "备注": ["说明", None],
    })
    target = write_excel(tmp_path / "t.xlsx", {"表": frame})
    sheet = openpyxl.load_workbook(target)["表"]
    headers = [c.value for c in sheet[1]]
    first = dict(zip(headers, sheet[2], strict=True))
    second = dict(zip(headers, sheet[3], strict=True))
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    assert first["统一社会信用代码"].value == "91510116406A9D8F8A"
    assert (first["行业代码"].value, first["行业代码"].number_format) == ("6", "@")
    assert (first["地块编号"].value, first["地块编号"].data_type) == ("0012", "s")
    assert second["地块编号"].value is None and second["面积(公顷)"].value is None
    assert first["面积(亩)"].number_format == "#,##0.00"
    assert first["面积(亩)"].value == pytest.approx(28047157.60982307)   # values not rounded
    assert first["面积(公顷)"].number_format == "#,##0.0000"
    assert first["面积(m²)"].number_format == "#,##0.00"
    assert (first["土地开发率(%)"].value, first["土地开发率(%)"].number_format) == (0.9519,
                                                                                "0.0%")
    assert (first["建筑系数(%)"].value, first["建筑系数(%)"].number_format) == (30.5, "0.0")
    assert first["亩均税收(万元/亩)"].number_format == "#,##0.00"
    assert first["地块数"].number_format == "#,##0"
    assert first["综合容积率"].number_format == "0.00"
    assert first["容积率达标"].value is True and second["容积率达标"].value is None
    assert first["备注"].value == "说明" and second["备注"].value is None


@pytest.mark.parametrize("lang", LANGS)
def test_headers_in_both_languages_take_the_same_format(lang: str) -> None:
    for name in ("area_mu", "area_ha", "area_m2", "development_rate", "building_coverage",
                 "per_mu_tax", "plot_ratio", "parcel_id"):
        assert column_format(column(name, lang)) == column_format(column(name, "zh")), name
    assert column_format(column("idle_rate", lang)) == "0.0%"
    assert column_format(column("enterprise_id", lang, "enterprises")) == "@"


def test_every_percent_column_is_declared_fraction_or_percent_units() -> None:
    """A new column labelled (%) must be put in one list: 0.95 shown as 0.95 % is the bug."""
    percent = {key.rpartition(".")[2] for key, (_, _, unit) in COLUMNS.items() if unit == "%"}
    assert percent <= FRACTION_COLUMNS | PERCENT_UNIT_COLUMNS
    assert not FRACTION_COLUMNS & PERCENT_UNIT_COLUMNS
    # No header stands both for a fraction and for something else.
    for name in FRACTION_COLUMNS & set(COLUMNS):
        for lang in LANGS:
            assert header_names(column(name, lang)) == {name}


@pytest.mark.parametrize("lang", LANGS)
def test_rules_sheet_headed_in_the_report_language(lang: str) -> None:
    from gaoxin.analysis.ruleset import load_ruleset

    sheet = rules_sheet(load_ruleset("plot_ratio"), lang=lang)
    assert len(sheet) > 10
    if lang == "zh":
        assert not [h for h in sheet.columns if is_english(h)]
    else:
        assert "Rule" in sheet.columns


def test_a_rate_has_one_scale_whatever_its_values(tmp_path: Path) -> None:
    """建筑密度 is a fraction wherever it is computed (the evaluation and the plot-ratio
    summary): the writer formats it by its name, not by guessing from the values."""
    for values in ([0.22, 0.241], [22.0, 24.1]):
        frame = pd.DataFrame({"建筑密度(%)": values})
        sheet = openpyxl.load_workbook(write_excel(tmp_path / "t.xlsx", {"表": frame}))["表"]
        assert (sheet["A2"].value, sheet["A2"].number_format) == (values[0], "0.0%")


def test_zone_summaries_name_the_zones(demo_out: Path) -> None:
    """A reviewer reads names, not only codes: 园区汇总 and 评价结果 give both."""
    for book, sheet in (("plot_ratio/plot_ratio.xlsx", "园区汇总"),
                        ("intensity/intensity.xlsx", "评价结果")):
        rows = list(openpyxl.load_workbook(demo_out / book)[sheet].iter_rows(values_only=True))
        headers = list(rows[0])
        assert headers[:2] == ["园区代码", "名称"], (book, headers[:3])
        names = {r[0]: r[1] for r in rows[1:]}
        assert names["G510001"] and all(names.values()), names
