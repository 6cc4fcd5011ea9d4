"""workflows/per_mu.py: the per-mu command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import shared_sample


def test_per_mu_command(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from gaoxin.cli import main

    ws = shared_sample(tmp_path_factory)
    out = tmp_path / "mu"
    assert main(["per-mu", "-w", str(ws), "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["rule_set"]["scheme"] == "sichuan" and s["rule_set"]["year"] == 2022
    assert s["class_shares_pct"]["A"] <= 30 and s["class_shares_pct"]["C"] >= 10
    for name in ("results.gpkg", "per_mu.xlsx", "map.html"):
        assert (out / name).exists()
    assert main(["per-mu", "-w", str(ws), "--out", str(out), "--scheme", "x"]) == 2


def test_zhejiang_outputs_say_what_was_left_out(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11: the dropped emission indicator and the firms under 5 亩 are stated in the
    terminal, summary.json, the workbook and the map; no raw dict is printed."""
    import re

    import openpyxl

    from gaoxin.cli import main
    from tests.analysis.test_per_mu_summary import assert_counts_add_up

    ws = shared_sample(tmp_path_factory)
    out = tmp_path / "zj"
    assert main(["per-mu", "-w", str(ws), "--out", str(out), "--scheme", "zhejiang"]) == 0
    printed = capsys.readouterr().out
    assert "{" not in printed and "亩均论英雄评价 — 浙江方案(2023)" in printed
    assert "单位排放增加值(10 分)未计算" in printed and "放大到 100 分" in printed
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert_counts_add_up(s)
    n_small = s["not_evaluated_by_reason"]["below_min_land"]
    assert n_small > 0 and f"用地不足5亩 {n_small} 家" in printed
    assert s["not_computed"][0]["indicator"] == "value_added_per_emission"
    book = openpyxl.load_workbook(out / "per_mu.xlsx", read_only=True)
    listed = list(book["未参评"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == s["not_evaluated"] and {r[-1] for r in listed} == {"用地不足5亩"}
    notes = [r[0] for r in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert any("单位排放增加值" in n for n in notes) and any("放大" in n for n in notes)
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["未参评(用地不足5亩)"] == n_small
    book.close()
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<title>亩均论英雄评价 — 浙江方案(2023)</title>" in html
    assert '"未参评(用地不足5亩)"' in html and "企业表无「主要污染物排放量」字段" in html
    assert not re.search(r'"label": ?"(far_min|rank|main_enterprise|per_mu_tax|land_mu|score)"',
                         html)


def test_per_mu_terminal_in_english(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import re

    from gaoxin.cli import main

    ws = shared_sample(tmp_path_factory)
    assert main(["per-mu", "-w", str(ws), "--out", str(tmp_path / "en"), "--scheme",
                 "zhejiang", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Per-mu evaluation — Zhejiang scheme (2023)" in printed
    assert "not evaluated (land under 5 mu:" in printed and "{" not in printed
    assert not re.search(r"[\u4e00-\u9fff]", printed)


def _staff_workspace(folder: Path, enterprises: dict[str, list[object]]) -> Path:
    """A parcel of 1 ha (15 亩) and an enterprise table with the headers staff write."""
    import geopandas as gpd
    import pandas as pd
    from shapely import box

    x0, y0 = 500_000.0, 3_400_000.0
    gpd.GeoDataFrame({"宗地编号": ["P1", "P2"]}, crs=4544, geometry=[
        box(x0, y0, x0 + 100, y0 + 100), box(x0 + 100, y0, x0 + 200, y0 + 100)]).to_file(
        folder / "parcels.gpkg")
    pd.DataFrame(enterprises).to_excel(folder / "企业.xlsx", index=False)
    ws = folder / "gaoxin.toml"
    ws.write_text('[workspace]\nname = "t"\n[layers.parcels]\npath = "parcels.gpkg"\n'
                  '[layers.enterprises]\npath = "企业.xlsx"\n', encoding="utf-8")
    return ws


def test_staff_table_without_tax_says_so_first_and_still_maps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: 3,000 万元 of revenue written as 30,000,000 元 on 15 亩 is 200 万元/亩; the
    missing tax column is said before the counts, and the map is written without its tax
    layer (no error about a colour column)."""
    from gaoxin.cli import main

    ws = _staff_workspace(tmp_path, {
        "统一社会信用代码": ["91510100MA0000001X", "91510100MA0000002X"],
        "单位名称": ["甲", "乙"], "宗地编号": ["P1", "P2"],
        "营业收入（元）": [30_000_000.0, 10_000_000.0], "从业人员(人)": [100, 50],
        "综合能耗(万吨标准煤)": [0.05, 0.01], "研发费用/万元": [90.0, 10.0]})
    out = tmp_path / "mu"
    assert main(["per-mu", "-w", str(ws), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.replace("\n", "")  # the console wraps long lines
    said = printed.find("企业表无「税收」列:亩均税收无法计算,四川方案(2022)评分缺其 20 分")
    assert 0 < said < printed.find("企业 2 家")
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["missing_inputs"][0] == {"field": "tax", "state": "no_field",
                                      "indicators": ["per_mu_tax"], "points": 20.0}
    assert s["totals"]["revenue"] == pytest.approx(4000.0)
    fields = {f["field"]: f for f in s["provenance"]["fields"]["enterprises"]}
    assert fields["revenue"]["column"] == "营业收入（元）" and fields["revenue"]["factor"] == 1e-4
    assert fields["energy_tce"]["factor"] == 1e4
    import geopandas as gpd

    parcels = gpd.read_file(out / "results.gpkg", layer="parcels_per_mu").set_index("parcel_id")
    assert parcels.loc["P1", "per_mu_revenue"] == pytest.approx(200.0, rel=2e-3)
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "亩均税收无法计算" in html


def test_a_table_with_no_figure_is_refused_up_front(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gaoxin.cli import main

    ws = _staff_workspace(tmp_path, {"信用代码": ["91510100MA0000001X"], "宗地号": ["P1"],
                                     "备注": ["x"]})
    assert main(["per-mu", "-w", str(ws), "--out", str(tmp_path / "mu")]) == 2
    err = capsys.readouterr().err
    assert "none of the sichuan scheme's indicators can be computed" in err
    assert "revenue (营业收入)" in err and "tax (税收)" in err and "Traceback" not in err
    assert not (tmp_path / "mu").exists()
