"""The Excel writer: tables staff open in Excel or WPS."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..layers.write import atomic_path


def write_excel(target: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write one or more tables to an .xlsx workbook atomically (openpyxl).

    Columns get a readable width; Chinese sheet names are kept.
    """
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
            sheet = xl.sheets[name[:31]]
            for i, col in enumerate(frame.columns, start=1):
                width = max([_display_width(str(col))]
                            + [_display_width(str(v)) for v in frame[col].head(200)])
                sheet.column_dimensions[_column_letter(i)].width = min(max(width + 2, 8), 60)
    return Path(target)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _column_letter(i: int) -> str:
    letters = ""
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
