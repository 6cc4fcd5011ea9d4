"""Rule sets: every value validated (finite, in range, right type), refusals name the workspace."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.analysis.ruleset import Rule, load_ruleset, rule_sets, validate_value
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
