"""workflows/standard_land.py: ``gaoxin standard-land`` end to end on the sample workspace."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest

from gaoxin.cli import main
from tests.helpers import shared_sample


@pytest.fixture(scope="module")
def run_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = shared_sample(tmp_path_factory)
    out = tmp_path_factory.mktemp("sl") / "out"
    assert main(["standard-land", "-w", str(ws), "--out", str(out)]) == 0
    return out


def test_outputs_and_summary_add_up(run_zh: Path) -> None:
    s = json.loads((run_zh / "summary.json").read_text(encoding="utf-8"))
    assert s["ready"] + s["conditional"] + s["blocked"] == s["candidates"] > 100
    assert s["ready_mu"] + s["conditional_mu"] + s["blocked_mu"] == pytest.approx(
        s["candidates_mu"], abs=0.05)
    for z in s["zones"].values():
        assert z["ready"] + z["conditional"] + z["blocked"] == z["candidates"]
    assert sum(z["candidates"] for z in s["zones"].values()) == s["candidates"]
    for c in s["conditions"].values():
        assert sum(c.values()) == s["candidates"]
    # The sample has parcels that fail each condition it can (terrain: the sample zones are
    # flat, covered by the hand-made tests).
    for cond in ("spatial", "use", "shape", "servicing", "assessment", "acquisition",
                 "indicators"):
        assert s["conditions"][cond]["fail"] > 0, cond
    assert s["assessment_source"] == "layer"
    reasons = {u["reason"] for u in s["unlock"]}
    assert {"redline", "farmland", "outside_boundary", "assessment:洪水影响评价",
            "not_acquired", "dispute", "package_below:tax_per_mu"} <= reasons
    assert s["unlock"] == sorted(s["unlock"], key=lambda u: (-u["only_mu"], -u["blocks_mu"],
                                                             u["reason"]))
    assert s["provenance"]["rule_sets"][0]["name"] == "standard_land"
    gpkg = gpd.read_file(run_zh / "results.gpkg", layer="standard_land")
    assert len(gpkg) == s["candidates"]
    assert (gpkg["readiness"] == "ready").sum() == s["ready"]


def test_one_indicator_sheet_per_ready_parcel(run_zh: Path) -> None:
    s = json.loads((run_zh / "summary.json").read_text(encoding="utf-8"))
    sheets = sorted((run_zh / "sheets").glob("sheet_*.html"))
    assert len(sheets) == s["ready"] > 0
    index = (run_zh / "sheets" / "index.html").read_text(encoding="utf-8")
    assert index.count('href="sheet_') == s["ready"]
    page = sheets[0].read_text(encoding="utf-8")
    for words in ("标准地出让指标表", "固定资产投资强度", "亩均税收", "审查意见", "通过"):
        assert words in page
    gpkg = gpd.read_file(run_zh / "results.gpkg", layer="standard_land")
    first = re.search(r"<th>地块编号</th><td>([^<]+)</td>", page)
    assert first is not None
    parcel = gpkg.set_index("parcel_id").loc[first[1]]
    assert parcel["readiness"] == "ready"
    named = re.search(r"<th>地块名称</th><td>([^<]*)</td>", page)
    assert named is not None and named[1] == parcel["name"]   # not the row's index label


def test_workbook_one_row_per_parcel_one_column_per_condition(run_zh: Path) -> None:
    book = openpyxl.load_workbook(run_zh / "standard_land.xlsx")
    assert book.sheetnames == ["候选地块", "园区汇总", "阻碍排序", "规则"]
    sheet = book["候选地块"]
    headers = [c.value for c in sheet[1]]
    for name in ("三区三线", "规划用途", "面积与形状", "地形坡度", "基础设施配套条件", "区域评估",
                 "征收与权属", "指标包", "出让条件", "原因"):
        assert name in headers
    s = json.loads((run_zh / "summary.json").read_text(encoding="utf-8"))
    assert sheet.max_row - 1 == s["candidates"]
    readiness = {r[headers.index("出让条件")] for r in sheet.iter_rows(min_row=2,
                                                                   values_only=True)}
    assert readiness == {"可出让", "有条件出让", "暂不具备出让条件"}
    unlock = book["阻碍排序"]
    assert [c.value for c in unlock[1]][:3] == ["阻碍", "单独阻碍地块", "单独阻碍面积(亩)"]


def test_english_throughout(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                            capsys: pytest.CaptureFixture[str]) -> None:
    ws = shared_sample(tmp_path_factory)
    assert main(["standard-land", "-w", str(ws), "--out", str(tmp_path / "en"),
                 "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "candidate parcels" in printed and not re.search(r"[\u4e00-\u9fff]{2}亩", printed)
    book = openpyxl.load_workbook(tmp_path / "en" / "standard_land.xlsx")
    assert book.sheetnames[0] == "Candidate parcels"


def test_a_rule_override_moves_parcels(run_zh: Path, tmp_path: Path,
                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    """Asking only 三通一平 turns every parcel held back by 五通一平 alone into a ready one."""
    ws = shared_sample(tmp_path_factory)
    base = json.loads((run_zh / "summary.json").read_text(encoding="utf-8"))
    local = tmp_path / "ws"
    shutil.copytree(ws.parent, local)
    toml = local / "gaoxin.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[rules.standard_land]\n'
                    '"servicing.level" = "三通一平"\n', encoding="utf-8")
    assert main(["standard-land", "-w", str(toml), "--out", str(tmp_path / "o")]) == 0
    s = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert s["servicing_level"] == "三通一平"
    assert s["conditions"]["servicing"]["conditional"] == 0
    # Conditional on servicing alone before (一步之差, e.g. 三通一平 of 五通一平): ready now.
    before = gpd.read_file(run_zh / "results.gpkg", layer="standard_land")
    others = [c for c in before.columns if c.startswith("cond_") and c != "cond_servicing"]
    servicing_only = ((before["cond_servicing"] == "conditional")
                      & (before[others] == "pass").all(axis=1)).sum()
    assert servicing_only > 0
    assert s["ready"] == base["ready"] + servicing_only
    assert s["blocked"] == base["blocked"]  # one step short was conditional, never blocking


def test_without_status_codes_exit_2(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    ws = shared_sample(tmp_path_factory)
    local = tmp_path / "ws"
    shutil.copytree(ws.parent, local)
    parcels = gpd.read_file(local / "parcels.gpkg").drop(columns="status")
    parcels.to_file(local / "parcels.gpkg", layer="parcels", driver="GPKG")
    assert main(["standard-land", "-w", str(local / "gaoxin.toml"),
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "parcels.gpkg" in err and "Fix:" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
