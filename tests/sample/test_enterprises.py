"""sample/enterprises.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

import zipfile
from pathlib import Path

from gaoxin.layers.schema import normalise_fields


def test_enterprises_xlsx(layers: dict, parcels) -> None:
    raw = layers["enterprises"]
    for header in ("统一社会信用代码", "企业名称", "地块编号", "行业代码", "营业收入", "税收"):
        assert header in raw.columns
    table = normalise_fields(raw, "enterprises")
    assert 1_100 <= len(table) <= 1_300
    assert table.enterprise_id.str.fullmatch(r"91\d{6}[0-9A-HJ-NPQRTUWXY]{10}").all()
    assert table.parcel_id.isin(parcels.parcel_id).all()
    assert table.enterprise_id.duplicated().any()  # firms on several parcels
    assert table.parcel_id.duplicated().any()  # parcels with several firms
    assert (table.industry_std == "GB/T 4754-2002").all()
    # Plausible against land: Sichuan 2020 亩均营收 427.4 / 亩均税收 14.3 万元 (domain §4.2).
    mu = parcels.set_index("parcel_id").area / (10000 / 15)
    land = mu.loc[table.parcel_id.unique()].sum()
    assert 250 < table.revenue.sum() / land < 700
    assert 8 < table.tax.sum() / land < 25


def test_enterprises_xlsx_carries_no_save_time(workspace: Path) -> None:
    # openpyxl stamps the save time into docProps/core.xml and every zip entry, which
    # would make the same seed give a different file every second.
    with zipfile.ZipFile(workspace.parent / "enterprises.xlsx") as book:
        assert {info.date_time for info in book.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        core = book.read("docProps/core.xml").decode("utf-8")
    assert ">2026-01-01T00:00:00Z</dcterms:modified>" in core
    assert ">2026-01-01T00:00:00Z</dcterms:created>" in core
