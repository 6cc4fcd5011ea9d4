"""Rule sets: every value validated (finite, in range, right type), refusals name the workspace."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.analysis.ruleset import CONFIDENCE, Rule, load_ruleset, rule_sets, validate_value
from gaoxin.cli import main
from gaoxin.errors import InputError
from tests.analysis.test_expansion import _workspace


@pytest.mark.parametrize("name", rule_sets())
def test_every_shipped_rule_is_valid(name: str) -> None:
    rs = load_ruleset(name)
    assert rs.rules
    for rule in rs.rules.values():
        assert validate_value(rule, rule.value) is None, rule.key


@pytest.mark.parametrize(("key", "value", "says"), [
    ("redline.max_overlap_m2", math.nan, "finite"),
    ("redline.max_overlap_m2", math.inf, "finite"),
    ("redline.max_overlap_m2", -1.0, "≥ 0"),
    ("redline.max_overlap_m2", "0", "must be a number"),
    ("redline.max_overlap_m2", True, "must be a number"),
    ("dev_boundary.max_outside_share", 1.5, "between 0 and 1"),
    ("dev_boundary.max_outside_share", -0.01, "between 0 and 1"),
    ("contiguity.max_blocks", 2.5, "whole number"),
    ("terrain.steep_slope_deg", 91.0, "between 0 and 90"),
])
def test_bad_override_is_refused_naming_workspace_and_rule(key, value, says) -> None:
    if key not in load_ruleset("expansion").rules:
        pytest.skip(f"{key} not in this rule set")
    with pytest.raises(InputError) as info:
        load_ruleset("expansion", {key: value}, origin="ws/gaoxin.toml")
    text = str(info.value)
    assert text.startswith("ws/gaoxin.toml [rules.expansion]: ")
    assert key in text and says in text and "Fix: " in text


def test_text_rules_take_only_their_choices() -> None:
    assert load_ruleset("per_mu", {"scheme": "zhejiang"}).get("scheme") == "zhejiang"
    with pytest.raises(InputError, match="must be one of sichuan, zhejiang"):
        load_ruleset("per_mu", {"scheme": "hubei"})
    with pytest.raises(InputError, match="must be a text"):
        load_ruleset("per_mu", {"scheme": 3})


def test_a_number_not_found_takes_a_number_or_stays_empty() -> None:
    key = "min_plot_ratio.MNR-2023.GB/T 4754-2017.13"
    rs = load_ruleset("plot_ratio", {key: 1.2})
    assert rs.get(key) == 1.2
    assert load_ruleset("plot_ratio", {key: ""}).get(key) == ""
    with pytest.raises(InputError, match="finite"):
        load_ruleset("plot_ratio", {key: math.inf})


def test_unknown_rule_set_and_rule_are_refused() -> None:
    with pytest.raises(InputError, match="unknown rule set 'expansoin'"):
        load_ruleset("expansoin", {}, origin="w.toml")
    with pytest.raises(InputError, match="not part of rule set"):
        load_ruleset("expansion", {"redline.max_overlap": 0.0}, origin="w.toml")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6)),
       st.sampled_from(["m²", "share", "%", "°", "区块", "万元/亩"]))
def test_numbers_pass_exactly_when_finite_and_in_range(value, unit) -> None:
    low, high = {"share": (0, 1), "%": (0, 100), "°": (0, 90)}.get(unit, (0, math.inf))
    rule = Rule("k", 0.0, unit=unit)
    ok = math.isfinite(value) and low <= value <= high
    assert (validate_value(rule, value) is None) == ok


def test_nan_threshold_cannot_pass_a_conflicting_request(tmp_path: Path, capsys) -> None:
    """TOML allows nan: it used to make a red-line overlap 'within the allowed range'."""
    ws, request = _workspace(tmp_path)
    text = ws.read_text(encoding="utf-8")
    ws.write_text(text + '[rules.expansion]\n"redline.max_overlap_m2" = nan\n', encoding="utf-8")
    code = main(["expansion", str(request), "--zone", "Z1", "--out", str(tmp_path / "o"),
                 "-w", str(ws), "--strict"])
    err = capsys.readouterr().err
    assert code == 2
    assert str(ws) in err and "redline.max_overlap_m2" in err and "finite" in err
    assert not (tmp_path / "o").exists()


def test_typed_accessors_give_the_rule_in_its_type() -> None:
    pr = load_ruleset("plot_ratio")
    assert pr.number("floor_area.double_storey_height_m") == 8.0
    assert pr.text("control.standard") == "MLR-2008"
    assert pr.texts("control.industrial_status_codes") == ["A2", "H1", "H2"]
    assert load_ruleset("intensity").flag("low_efficiency.include_idle") is True
    ex = load_ruleset("expansion", {"contiguity.max_blocks": 5.0})
    assert ex.integer("contiguity.max_blocks") == 5 and isinstance(
        ex.integer("contiguity.max_blocks"), int)
    # absent: the default, else a KeyError naming the rule and the rule set
    assert pr.number("no.such.rule", 1.5) == 1.5 and pr.texts("no.such.rule", []) == []
    with pytest.raises(KeyError, match=r"rule set 'plot_ratio' has no rule 'no\.such\.rule'"):
        pr.number("no.such.rule")
    # an official number not found ("") is no number, but an optional one that is unset
    key = "min_plot_ratio.MNR-2023.GB/T 4754-2017.13"
    assert pr.optional_number(key) is None
    assert load_ruleset("plot_ratio", {key: 1.2}).optional_number(key) == 1.2
    with pytest.raises(TypeError, match=f"rule '{key}' of rule set 'plot_ratio' holds ''"):
        pr.number(key)


@pytest.mark.parametrize(("accessor", "key", "kind"), [
    ("number", "control.standard", "not a number"),
    ("number", "control.industrial_status_codes", "not a number"),
    ("integer", "floor_area.double_storey_height_m", None),
    ("text", "floor_area.double_storey_height_m", "not a text"),
    ("texts", "control.standard", "not a list of texts"),
    ("flag", "floor_area.double_storey_height_m", "not true or false"),
])
def test_typed_accessors_refuse_a_rule_of_another_type(accessor: str, key: str,
                                                       kind: str | None) -> None:
    rules = load_ruleset("plot_ratio")
    if kind is None:   # 8.0 is a whole number: it counts
        assert getattr(rules, accessor)(key) == 8
        rules = load_ruleset("plot_ratio", {key: 8.5})
        kind = "not a whole number"
    with pytest.raises(TypeError, match=f"rule '{key}' of rule set 'plot_ratio' holds .*, {kind}"):
        getattr(rules, accessor)(key)


# --------------------------------------------------------------------- rules as staff read them

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Emoji and pictographs (U+1F300–U+1FAFF) and the symbols that render as them (U+2600–U+27BF:
# ✅ ⚙ ❌): boxes of tofu without an emoji font, on screen and in print.
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
# A document named as staff cite it: a title 《…》, a 文号 (国土资发〔2008〕24号), a standard, or
# the official programme where no document number was found (the national monitoring, an
# evaluation scheme).
DOCUMENT = re.compile(r"《[^》]+》|〔\d{4}〕\d+号|GB(?:/T)? \d+|监测统计|效益评价")
ALL_RULES = [(name, rule) for name in rule_sets() for rule in load_ruleset(name).rules.values()]


def test_every_rule_has_a_chinese_and_an_english_label() -> None:
    missing = [(name, r.key) for name, r in ALL_RULES
               if not CJK.search(r.label) or not r.label_en or CJK.search(r.label_en)
               or r.label_en == r.key or "_" in r.label_en]
    assert missing == []


def test_every_source_names_documents_not_the_research_notes() -> None:
    """Sources cited "domain.md §x", a file users never get, and carried emoji tags."""
    bad = [(name, r.key, r.source) for name, r in ALL_RULES
           if "domain" in r.source or ".md" in r.source or "http" in r.source
           or EMOJI.search(r.source) or not r.source
           or (r.confidence in ("✅", "🟡") and not DOCUMENT.search(r.source))]
    assert bad == []


def test_confidence_is_one_of_the_four_and_words_are_accepted(tmp_path: Path) -> None:
    assert {r.confidence for _, r in ALL_RULES} <= set(CONFIDENCE)
    rule_file = tmp_path / "own.toml"
    rule_file.write_text('[a]\nvalue = 1.0\nlabel = "甲"\nlabel_en = "A"\n'
                         'source = "《某文件》"\nconfidence = "secondary"\n', encoding="utf-8")
    assert load_ruleset("own", path=rule_file).rules["a"].confidence == "🟡"
    rule_file.write_text('[a]\nvalue = 1.0\nconfidence = "sure"\n', encoding="utf-8")
    with pytest.raises(InputError, match="confidence"):
        load_ruleset("own", path=rule_file)


# Where the research notes say the official text was not read (a blog or news reprint, a
# document-sharing copy, a recalled rule), the mark is 转述 (🟡), never 原文 (✅).
@pytest.mark.parametrize(("name", "key"), [
    ("expansion", "dev_boundary.max_outside_share"),      # 中办发〔2019〕48号, not re-read
    ("expansion", "redline.max_overlap_m2"),
    ("plot_ratio", "min_plot_ratio.MLR-2008.GB/T 4754-2002.13"),  # blog copies of the table
    ("plot_ratio", "min_plot_ratio.MLR-2008.GB/T 4754-2002.33"),
    ("plot_ratio", "min_plot_ratio.MLR-2008.GB/T 4754-2002.40"),
    ("per_mu", "sichuan.weights.per_mu_revenue"),           # a blog post
    ("per_mu", "zhejiang.weights.per_mu_tax"),              # a policy-service site's summary
    ("intensity", "benchmarks.y2020.supply_rate"),          # a news report; year attribution 🟡
    ("intensity", "benchmarks.y2024.plot_ratio"),           # 新华日报 as quoted elsewhere
])
def test_a_reprint_is_secondary_not_official(name: str, key: str) -> None:
    assert load_ruleset(name).rules[key].confidence == "🟡"


@pytest.mark.parametrize(("name", "key"), [
    ("expansion", "contiguity.max_blocks"),           # 川 2019 办法, articles read
    ("intensity", "benchmarks.y2022.supply_rate"),    # 自然资办函〔2023〕215号, text read
    ("plot_ratio", "sichuan_2024.plot_ratio_increment"),  # 四川省经济和信息化厅 site
])
def test_official_text_read_stays_official(name: str, key: str) -> None:
    assert load_ruleset(name).rules[key].confidence == "✅"


def test_the_2023_document_number_is_not_invented() -> None:
    """domain.md: 自然资发〔2023〕72号 is unverified; no rule may cite it as the 2023 text."""
    assert not [r.key for _, r in ALL_RULES if "〔2023〕72号" in r.source]


def test_rate_rules_are_shares() -> None:
    """A rate held as a fraction (0.8966) is a share, shown as 89.66 %, not a bare 比值."""
    rates = [(name, r.key) for name, r in ALL_RULES if r.unit == "比值"]
    assert rates == []
    assert load_ruleset("intensity").rules["ideal.development_rate"].unit == "share"
