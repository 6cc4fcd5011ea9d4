"""Rules as staff read them: named by their label, units as staff write them, values
formatted, confidence as a plain-text badge (no emoji), sources citing documents."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from gaoxin.analysis.plot_ratio import min_plot_ratio_table
from gaoxin.analysis.ruleset import load_ruleset, rule_sets
from gaoxin.report.labels import label
from gaoxin.report.tables import minimum_table_sheet, rules_sheet
from tests.workflows.test_expansion_report import _run

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
BADGES = {"zh": {"原文", "转述", "默认", "未取得"},
          "en": {"official", "secondary", "default", "not found"}}


def _row(sheet: pd.DataFrame, key: str, lang: str = "zh") -> pd.Series:
    return sheet[sheet[label("rules.key", lang)] == key].iloc[0]


def _text(frame: pd.DataFrame) -> str:
    return " ".join(map(str, frame.columns)) + " " + " ".join(
        str(v) for v in frame.astype(str).to_numpy().ravel())


@pytest.mark.parametrize("name", rule_sets())
def test_zh_rules_sheet_names_each_rule_by_its_chinese_label(name: str) -> None:
    rules = load_ruleset(name)
    sheet = rules_sheet(rules, lang="zh")
    names = sheet["规则"].tolist()
    assert all(CJK.search(n) for n in names)
    assert not set(names) & set(rules.rules)          # no key stands as a rule's name
    assert sheet["键"].tolist() == list(rules.rules)  # the key stays, for overriding
    assert set(sheet["可信度"]) <= BADGES["zh"]
    assert not EMOJI.search(_text(sheet))
    assert not [s for s in sheet["规则集"] if not CJK.search(s)]


def test_en_rules_sheet_is_english_with_the_key_beside() -> None:
    rules = load_ruleset("expansion")
    sheet = rules_sheet(rules, lang="en")
    assert list(sheet.columns) == ["Rule", "Value", "Unit", "Source", "Confidence",
                                   "Overridden", "Rule set", "Key"]
    row = _row(sheet, "contiguity.max_blocks", "en")
    assert (row["Rule"], row["Value"], row["Confidence"]) == (
        "Maximum number of blocks", "3", "official")
    assert not [n for n in sheet["Rule"] if CJK.search(n)]
    assert set(sheet["Confidence"]) <= BADGES["en"]


def test_values_and_units_are_written_as_staff_write_them() -> None:
    sheet = rules_sheet(load_ruleset("expansion"), load_ruleset("intensity"), lang="zh")
    assert tuple(_row(sheet, "land_use.min_development_rate")[["取值", "单位"]]) == (
        "89.46%", "")
    assert _row(sheet, "dev_boundary.max_outside_share")["取值"] == "0%"
    assert tuple(_row(sheet, "contiguity.warn_gap_m")[["取值", "单位"]]) == ("2,000", "米")
    assert tuple(_row(sheet, "redline.max_overlap_m2")[["取值", "单位"]]) == ("0", "平方米")
    assert tuple(_row(sheet, "terrain.steep_slope_deg")[["取值", "单位"]]) == ("25", "度")
    assert "周长" in _row(sheet, "geometry.min_part_compactness")["单位"]
    assert "圆" in _row(sheet, "geometry.min_part_compactness")["单位"]   # explained
    assert _row(sheet, "ideal.industrial_investment_intensity")["取值"] == "8,984.3"
    assert _row(sheet, "ideal.population_density")["取值"] == "未取得"
    assert _row(sheet, "low_efficiency.include_idle")["取值"] == "是"
    # no value in the sheet reads 0.8946 or 2000.0 any more
    shown = set(sheet["取值"]) | set(sheet["单位"])
    assert not {"0.8946", "2000.0", "0.0", "share", "m²", "°", "比值"} & shown


def test_an_overridden_rule_says_so_in_the_report_language() -> None:
    rules = load_ruleset("expansion", {"dev_boundary.max_outside_share": 0.02})
    for lang in ("zh", "en"):
        row = _row(rules_sheet(rules, lang=lang), "dev_boundary.max_outside_share", lang)
        source = row[label("report.source", lang)]
        assert row[label("report.value", lang)] == "2%" and "0%" in source
        assert ("workspace" in source.lower()) == (lang == "en")
        assert bool(re.search(r"[A-Za-z]{4,}", source)) == (lang == "en")


def test_minimum_table_confidence_is_a_word() -> None:
    sheet = minimum_table_sheet(min_plot_ratio_table(), "zh")
    assert set(sheet["可信度"]) == {"转述", "未取得"}
    assert not EMOJI.search(_text(sheet))


def _rules_block(html: str) -> str:
    start = html.index("<h2>采用的规则")
    return html[start:html.index("</table>", start)]


def test_expansion_report_rules_table_names_rules_and_marks_confidence_in_text(
        tmp_path: Path) -> None:
    report, _ = _run(tmp_path)
    html = report.read_text(encoding="utf-8")
    block = _rules_block(html)
    rules = load_ruleset("expansion")
    names = re.findall(r'<td class="rule-name">([^<]*)</td>', block)
    assert names and all(CJK.search(n) for n in names)
    assert not set(names) & set(rules.rules)
    # the key a workspace overrides stays, as a small secondary column
    assert re.search(r'class="rule-key"[^>]*><code>contiguity\.<wbr>max_blocks</code>', block)
    assert not EMOJI.search(html)
    assert re.search(r'<span class="confidence c-official">原文</span>', block)
    assert re.search(r'<span class="confidence c-secondary">转述</span>', block)
    assert "domain" not in html
    legend = block[:block.index("<table")]
    for word in ("原文", "转述", "默认"):
        assert word in legend
    # The red-line rule: 0 平方米, 转述, citing 中办发〔2019〕48号
    assert re.search(r"0</td>\s*<td>平方米</td>", block)


def test_en_report_names_the_rule_set_and_rules_in_english(tmp_path: Path) -> None:
    from gaoxin.report.html import render
    from gaoxin.report.tables import rule_rows

    rules = load_ruleset("expansion")
    html = render("expansion.html", lang="en", title="t", checks=[], svg="", conflicts=[],
                  summary={"provenance": {"inputs": []}, "verdict": "pass"},
                  rules=rule_rows(rules.rules.values(), "en"), rule_set=rules, points=[],
                  page_counter="''", generated="")
    block = html[html.index("<h2>Rules used"):]
    block = block[:block.index("</table>")]
    assert "Expansion check rules (Sichuan defaults)" in block
    assert not CJK.search(re.sub(r"<td>[^<]*</td>", "", block.split("<table")[0]))
    assert "Maximum number of blocks" in block
