"""report/excel.py: workbooks written atomically, Chinese sheets kept, columns wide enough."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from gaoxin.report.excel import _display_width, write_excel


def test_sheets_values_and_widths(tmp_path: Path) -> None:
    target = tmp_path / "out" / "结果.xlsx"
    target.parent.mkdir()
    parcels = pd.DataFrame({"地块编号": ["P1", "P2"], "area": [1.5, 22.25]})
    long_name = "一个非常非常非常非常长的工作表名称超过三十一个字符的限制应当截断"
    written = write_excel(target, {"地块": parcels, long_name: pd.DataFrame({"x": [1]})})
    assert written == target
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["地块", long_name[:31]]
    sheet = book["地块"]
    assert [c.value for c in sheet[1]] == ["地块编号", "area"]
    assert [c.value for c in sheet[3]] == ["P2", 22.25]
    # 4 CJK characters count 8 wide (+2); short columns get the minimum of 8
    assert sheet.column_dimensions["A"].width == 10
    assert sheet.column_dimensions["B"].width == 8
    assert [p.name for p in target.parent.iterdir()] == ["结果.xlsx"]  # no temporary left


def test_display_width_counts_cjk_double() -> None:
    assert _display_width("ab") == 2 and _display_width("容积率") == 6
    assert _display_width("A2地块") == 6
