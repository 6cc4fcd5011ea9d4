"""The Excel writer: tables staff open in Excel or WPS.

Every workbook a workflow writes goes through :func:`write_excel`: a bold, frozen header row
with an autofilter, and a number format on every numeric cell chosen by :func:`cell_format`
from the column's header (its label and unit, see :func:`.labels.column`) and its values.
The rules are in one place, :data:`UNIT_FORMATS` and the column lists below it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..layers.write import atomic_path
from .labels import COLUMNS, LANGS, UNITS, column

TEXT = "@"
PERCENT = "0.0%"

# Number format by the unit in a column's header (Chinese unit; an English header's unit is
# read back to it through labels.UNITS), first match wins. The decimals are those staff
# expect: 亩 2, 公顷 4, m² 2; money in 万元 2; a percentage already in percent units (建筑系数
# 30.5) 1; a ratio 4.
UNIT_FORMATS: tuple[tuple[str, str], ...] = (
    ("亩", "#,##0.00"),
    ("公顷", "#,##0.0000"),
    ("m²", "#,##0.00"),
    ("m", "#,##0.0"),
    ("万元*", "#,##0.00"),
    ("吨标准煤", "#,##0.00"),
    ("人", "#,##0"),
    ("人/公顷", "#,##0.0"),
    ("%", "0.0"),
    ("比值", "0.0000"),
)

# Columns whose values are fractions (0.9519) although their label reads (%): stored as the
# fraction, shown as a percentage (95.2%). The indicators of land_use.land_use_rates and
# intensity.zone_indicators; plot_ratio's building_coverage and admin_share are already in %
# (PERCENT_UNIT_COLUMNS). A column with unit % must be in one of the two lists.
FRACTION_COLUMNS = frozenset({
    "development_rate", "supply_rate", "built_rate", "idle_rate", "industrial_rate",
    "high_tech_rate", "residential_rate", "building_density", "industrial_building_coefficient",
    "class_share", "steep_share", "usable_share", "host_share",
    *(f"{rate}_{when}" for rate in ("development_rate", "supply_rate", "built_rate",
                                    "idle_rate", "industrial_rate")
      for when in ("before", "after")),
})
PERCENT_UNIT_COLUMNS = frozenset({"building_coverage", "admin_share", "failed_pct",
                                  "rd_intensity_pct"})

# Identifiers and codes: written as text, so 18-character credit codes, leading zeros
# (行业代码 06) and codes that look like numbers survive a round trip through Excel.
ID_COLUMNS = frozenset({
    "parcel_id", "zone_id", "park_id", "host_zone_id", "building_id", "enterprise_id",
    "patch_id", "parcel_ids", "main_enterprise", "industry_code", "code", "status", "land_use",
    "codes",
})

# Yes/no columns: a cell reads TRUE/FALSE (1.0/0.0 where a missing value made them floats).
FLAG_COLUMNS = frozenset({
    "computable", "industrial", "far_ok", "coefficient_ok", "admin_ok", "evaluated",
    "adjacent", "meets_reference", "overridden",
})

# Columns without a unit in their header, by canonical name (pattern).
NAMED_FORMATS: tuple[tuple[str, str], ...] = (
    ("*plot_ratio*", "0.00"), ("far", "0.00"), ("far_min", "0.00"),
    ("s_*", "0.0000"), ("compactness", "0.0000"), ("score", "0.00"), ("score_*", "0.00"),
    ("rank", "0"), ("part", "0"), ("piece", "0"),
)

# A numeric cell of a column no rule names.
INTEGER = "#,##0"
DECIMAL = "#,##0.00##"
# A numeric cell among text (a rule's value: 2022, 0.05, 3.5): no thousands separator.
MIXED_INTEGER = "0"
MIXED_DECIMAL = "0.0###"

# A header's unit in parentheses: 面积(亩), Area (mu).
_UNIT_IN_HEADER = re.compile(r"\s*\(([^()]*)\)\s*$")
_ZH_UNIT = {en: zh for zh, en in UNITS.values()} | {zh: zh for zh, _ in UNITS.values()}
# Columns of detail tables that are named by a bare unit (expansion checks: m2, ha, mu).
_BARE_UNITS = {"m2": "m²", "ha": "公顷", "mu": "亩"}


# What a cell holds once written (missing values are None).
CellValue = str | float | int | bool | dt.datetime | dt.date | None


def write_excel(target: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write one or more tables to an .xlsx workbook atomically (openpyxl).

    Each sheet has its header row bold and frozen, an autofilter and readable column widths;
    Chinese sheet names are kept (cut to Excel's 31 characters). Cells take the number
    format :func:`cell_format` gives: 亩 at 2 decimals, 公顷 at 4, m² at 2, 万元 at 2, all
    with thousands separators; counts as integers; fractions labelled (%) as percentages;
    ids and codes as text. Missing values (NaN, None) are empty cells.
    """
    # The target is checked (atomic_path) before any row is streamed: a write-only sheet
    # left half-written holds an open generator that complains when it is collected.
    with atomic_path(target) as tmp:
        book = Workbook(write_only=True)
        try:
            for name, frame in sheets.items():
                _write_sheet(book.create_sheet(name[:31]), frame)
            book.save(tmp)
        except BaseException:
            for sheet in book.worksheets:
                with contextlib.suppress(Exception):
                    sheet.close()
            raise
    return Path(target)


def _write_sheet(sheet: WriteOnlyWorksheet, frame: pd.DataFrame) -> None:
    headers = [str(c) for c in frame.columns]
    for i, col in enumerate(frame.columns, start=1):
        width = max([_display_width(str(col))]
                    + [_display_width(str(v)) for v in frame[col].head(200)])
        # types-openpyxl leaves these off WriteOnlyWorksheet; openpyxl has and writes them.
        sheet.column_dimensions[get_column_letter(i)].width = min(  # type: ignore[attr-defined]
            max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = (  # type: ignore[attr-defined]  # as above
            f"A1:{get_column_letter(len(headers))}{len(frame) + 1}")
    bold = Font(bold=True)
    row = []
    for h in headers:
        cell = WriteOnlyCell(sheet, _clean_text(h))
        cell.font = bold
        row.append(cell)
    sheet.append(row)
    columns = [_ColumnFormat(h, frame.iloc[:, i]) for i, h in enumerate(headers)]
    indicators = _row_indicators(frame, headers)
    for r, values in enumerate(frame.itertuples(index=False, name=None)):
        row = []
        for fmt, value in zip(columns, values, strict=True):
            v, number_format = fmt.cell(value, indicators[r] if indicators else None)
            cell = WriteOnlyCell(sheet, v)  # type: ignore[arg-type]  # stub: openpyxl takes dates
            if number_format:
                cell.number_format = number_format
            row.append(cell)
        sheet.append(row)


def _row_indicators(frame: pd.DataFrame, headers: list[str]) -> list[str | None] | None:
    """The indicator of each row of a long table (one indicator per row), as a header
    :func:`column_format` reads: its canonical name or its label with unit (土地供应率(%))."""
    where = next((i for i, h in enumerate(headers) if header_names(h) == {"indicator"}), None)
    if where is None:
        return None
    return [v if isinstance(v, str) and (v in COLUMNS or header_names(v)) else None
            for v in frame.iloc[:, where]]


class _ColumnFormat:
    """How the cells of one column are written: their value and number format."""

    def __init__(self, header: str, values: pd.Series) -> None:
        names = header_names(header)
        self.text = bool(names) and names <= ID_COLUMNS
        self.flag = bool(names) and names <= FLAG_COLUMNS
        self.format = column_format(header)
        self.mixed = values.dtype == object

    def cell(self, value: object, indicator: str | None) -> tuple[CellValue, str | None]:
        v = _cell_value(value)
        if v is None or isinstance(v, (str, dt.datetime, dt.date)):
            return (str(v) if v is not None and self.text else v), TEXT if self.text else None
        if self.text:
            return _as_text(v), TEXT
        if self.flag or isinstance(v, bool):
            return bool(v), None
        if self.format:
            return v, self.format
        by_row = column_format(indicator) if indicator is not None else None
        if by_row:
            return v, by_row
        integral = isinstance(v, int) or (isinstance(v, float) and v.is_integer())
        if self.mixed:
            return v, MIXED_INTEGER if integral else MIXED_DECIMAL
        return v, INTEGER if integral else DECIMAL


def cell_format(header: str, value: object) -> str | None:
    """Number format of a cell holding ``value`` under ``header`` (None: no format, a text).

    Examples
    --------
    >>> cell_format("面积(亩)", 1.5), cell_format("Area (ha)", 1.5), cell_format("地块编号", 7)
    ('#,##0.00', '#,##0.0000', '@')
    >>> cell_format("土地开发率(%)", 0.95), cell_format("建筑系数(%)", 30.5)
    ('0.0%', '0.0')
    >>> cell_format("地块数", 12), cell_format("备注", "x")
    ('#,##0', None)
    """
    return _ColumnFormat(header, pd.Series([value])).cell(value, None)[1]


def column_format(header: str) -> str | None:
    """The number format a column's header asks for (None: decided by the values).

    Examples
    --------
    >>> column_format("土地开发率(%)"), column_format("Land development rate (%)")
    ('0.0%', '0.0%')
    >>> column_format("亩均税收(万元/亩)"), column_format("综合容积率"), column_format("备注")
    ('#,##0.00', '0.00', None)
    """
    names = header_names(header)
    if names and names <= ID_COLUMNS:
        return TEXT
    if names and names <= FRACTION_COLUMNS:
        return PERCENT
    match = _UNIT_IN_HEADER.search(header)
    unit = (_ZH_UNIT.get(match.group(1), match.group(1)) if match
            else _BARE_UNITS.get(header) or (COLUMNS[header][2] if header in COLUMNS else ""))
    if unit:
        found = next((fmt for pattern, fmt in UNIT_FORMATS if fnmatchcase(unit, pattern)), None)
        if found:
            return found
    return next((fmt for pattern, fmt in NAMED_FORMATS for n in sorted(names)
                 if fnmatchcase(n, pattern)), None)


@cache
def _headers() -> dict[str, frozenset[str]]:
    """Every header a table can have (a column's label in each language, or its canonical
    name) and the canonical column names it stands for."""
    out: dict[str, set[str]] = {}
    for key in COLUMNS:
        rows, _, name = key.rpartition(".")
        out.setdefault(name, set()).add(name)
        for lang in LANGS:
            out.setdefault(column(name, lang, rows or None), set()).add(name)
    for name in ID_COLUMNS | FLAG_COLUMNS | FRACTION_COLUMNS:
        out.setdefault(name, set()).add(name)
    return {h: frozenset(n) for h, n in out.items()}


def header_names(header: str) -> frozenset[str]:
    """The canonical column names a header stands for (empty for a column of the user's own).

    Examples
    --------
    >>> sorted(header_names("面积(亩)")), sorted(header_names("统一社会信用代码"))
    (['area_mu'], ['enterprise_id'])
    """
    return _headers().get(header, frozenset())


def _cell_value(value: object) -> CellValue:
    """``value`` as openpyxl writes it: Python scalars, missing values as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return None
        return f if math.isfinite(f) else str(f)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime() if value.tzinfo is None else value.isoformat()
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    return _clean_text(str(value))


def _as_text(value: object) -> str:
    """An id or code read as a number (行业代码 27.0) as the text it was: ``27``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean_text(text: str) -> str:
    # Control characters make openpyxl refuse the whole workbook.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

