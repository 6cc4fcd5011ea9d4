"""The printed expansion report a bureau signs: areas explained, approved area used, the
界址点 table, reviewer block, page numbers, one number format, Chinese workbook headers."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import CRS
from shapely import box

from gaoxin.analysis import expansion
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.report.labels import label
from gaoxin.workflows.expansion import _summary, write_outputs

# A request far (≈ 1.4°) from the central meridian of CGCS2000 3° zone 35 (105° E), where the
# Gauss-Krüger scale error makes the plane area visibly larger than the ellipsoidal one.
X0, Y0 = 35_640_000.0, 3_400_000.0
ZONE_CRS = 4523  # CGCS2000 3° GK zone 35, zone-prefixed eastings


def _request() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": ["R1"]}, crs=ZONE_CRS,
                            geometry=[box(X0, Y0, X0 + 1000, Y0 + 800)])


def _run(tmp_path: Path, *, approved: float | None = 100.0,
         redline_name: str = "西河湿地生态保护红线") -> tuple[Path, dict[str, object]]:
    request = _request()
    zone = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲开发区"], "level": ["provincial"],
                             "approved_area_ha": [approved]}, crs=ZONE_CRS,
                            geometry=[box(X0 - 1200, Y0, X0 - 200, Y0 + 800)])
    redlines = gpd.GeoDataFrame({"patch_id": ["HX008"], "name": [redline_name]}, crs=ZONE_CRS,
                                geometry=[box(X0 + 900, Y0 + 700, X0 + 1100, Y0 + 900)])
    rules = load_ruleset("expansion", None)
    result = expansion.run(request, "Z1", zones=zone, rules=rules, parks=None, parcels=None,
                           buildings=None, redlines=redlines, farmland=None, dev_boundary=None,
                           dem=None, raw_invalid=[])
    summary = _summary(result, rules, CRS.from_epsg(ZONE_CRS), Path("r.txt"), "Z1", [])
    write_outputs(result, summary, rules, tmp_path, {"redlines": redlines}, lang="zh")
    return tmp_path / "report.html", summary


def test_request_area_gives_ellipsoidal_and_plane_area_with_the_difference(
        tmp_path: Path) -> None:
    report, summary = _run(tmp_path)
    areas = summary["request_area"]
    assert isinstance(areas, dict)
    # the TXT states the plane area: 80 ha exactly on the GK plane
    assert areas["planar"]["m2"] == pytest.approx(800_000.0, abs=0.01)
    assert areas["gk_zone"] == 35
    gap = areas["planar"]["m2"] - areas["ellipsoidal"]["m2"]
    assert gap > 100  # scale error ≈ 1 + y²/2R² ≈ 2.4e-4 at 140 km from the meridian
    assert areas["difference"]["m2"] == pytest.approx(gap, abs=0.02)
    html = report.read_text(encoding="utf-8")
    assert "椭球面积" in html and "平面面积" in html and "第 35 带" in html
    assert "1,200.00" in html  # plane area in 亩, 2 decimals
    assert f"{areas['difference']['mu']:,.2f} 亩" in html and "投影长度变形" in html


def test_size_counts_from_the_approved_area_and_says_so(tmp_path: Path) -> None:
    report, summary = _run(tmp_path, approved=100.0)
    size = next(c for c in summary["checks"] if c["key"] == "size")  # type: ignore[attr-defined]
    added_ha = size["figures"]["added"]["ha"]
    assert size["figures"]["after_basis"] == "approved"
    assert size["figures"]["after_basis_ha"] == pytest.approx(100.0 + added_ha, abs=1e-4)
    assert f"扩区后 {100.0 + added_ha:,.4f} 公顷" in size["message_zh"]
    assert "按核准面积 100.0000 公顷" in size["message_zh"]
    assert "approved area 100.0000 ha" in size["message_en"]
    assert "按核准面积" in report.read_text(encoding="utf-8")


def test_size_without_an_approved_area_says_it_used_the_gis_area(tmp_path: Path) -> None:
    _, summary = _run(tmp_path, approved=None)
    size = next(c for c in summary["checks"] if c["key"] == "size")  # type: ignore[attr-defined]
    assert size["figures"]["after_basis"] == "gis"
    assert size["figures"]["after_basis_ha"] == pytest.approx(size["figures"]["after"]["ha"])
    assert "无核准面积" in size["message_zh"]


def test_printed_report_has_points_names_reviewer_block_page_numbers_and_one_precision(
        tmp_path: Path) -> None:
    report, summary = _run(tmp_path)
    html = report.read_text(encoding="utf-8")
    # the 界址点 table is the TXT's: J1 at the box's north-west corner, zone-prefixed Y
    assert "<td>J1</td>" in html and f"{Y0 + 800:.3f}" in html and f"{X0:.3f}" in html
    assert "第 35 带" in html and "圈号" in html
    # 名称 of the red-line patch from the layer's name field
    assert re.search(r"<td>HX008</td><td>西河湿地生态保护红线</td>", html)
    for heading in ("审查意见", "审查人", "日期"):
        assert f"<th>{heading}</th>" in html
    assert 'counter(page)' in html and 'counter(pages)' in html and "@page" in html
    generated = summary["provenance"]["generated"]  # type: ignore[index]
    assert re.search(r"\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}", html)
    assert generated not in html
    # every 亩 at 2 decimals, every 公顷 at 4, in tables and sentences alike
    assert not re.search(r"\d\.(?:\d|\d{3,})\s*亩", html)
    assert not re.search(r"\d\.(?:\d{1,3}|\d{5,})\s*公顷", html)
    conflict_row = re.search(r"<td>西河湿地生态保护红线</td>\s*<td class=\"num\">[\d,]+\.\d{2}"
                             r"</td><td class=\"num\">\d+\.\d{4}</td>\s*"
                             r"<td class=\"num\">\d+\.\d{2}</td></tr>", html)
    assert conflict_row, "conflict row: m² at 2, 公顷 at 4, 亩 at 2"
    assert re.search(r"<td>HX008</td><td>[\d,]+\.\d</td><td>\d+\.\d{4}</td>"
                     r"<td>\d+\.\d{2}</td>", html), "feature rows: m² at 1, 公顷 at 4, 亩 at 2"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_checks_workbook_details_and_rules_are_headed_in_the_language(
        tmp_path: Path, lang: str) -> None:
    from openpyxl import load_workbook

    request = _request()
    zone = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲"], "level": ["provincial"]},
                            crs=ZONE_CRS, geometry=[box(X0 - 1200, Y0, X0 - 200, Y0 + 800)])
    rules = load_ruleset("expansion", None)
    result = expansion.run(request, "Z1", zones=zone, rules=rules, parks=None, parcels=None,
                           buildings=None, redlines=None, farmland=None, dev_boundary=None,
                           dem=None, raw_invalid=[])
    summary = _summary(result, rules, CRS.from_epsg(ZONE_CRS), Path("r.txt"), "Z1", [])
    write_outputs(result, summary, rules, tmp_path, {}, lang=lang)
    book = load_workbook(tmp_path / "checks.xlsx", read_only=True)
    headers = {ws.title: [c for c in next(ws.iter_rows(values_only=True)) if c is not None]
               for ws in book.worksheets}
    book.close()
    details = headers[label("sheet.details", lang)]
    rules_head = headers[label("sheet.rules", lang)]
    english = {"check", "part", "m2", "ha", "mu", "compactness", "distance_m", "adjacent",
               "key", "value", "unit", "source", "confidence", "overridden"}
    assert not english & set(details) and not english & set(rules_head)
    if lang == "zh":
        assert {"检查项", "区块", "面积(亩)", "紧凑度", "距现有区块(m)", "相邻"} <= set(details)
        assert {"规则", "取值", "单位", "依据", "可信度"} <= set(rules_head)
    else:
        assert {"Check", "Block", "Area (mu)", "Adjacent"} <= set(details)


def test_report_feature_tables_are_headed_and_worded_in_chinese(tmp_path: Path) -> None:
    report, _ = _run(tmp_path)
    html = report.read_text(encoding="utf-8")
    for english in ("<th>part</th>", "<th>mu</th>", "<th>ha</th>", "<th>m2</th>",
                    "<th>distance_m</th>", "<th>adjacent</th>", "<th>patch_id</th>",
                    "<td>True</td>", "<td>False</td>"):
        assert english not in html
    assert "<th>面积(亩)</th>" in html and "<th>距现有区块(m)</th>" in html
