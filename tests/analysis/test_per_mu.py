"""analysis/per_mu.py (亩均): land sharing, indicators, scores, quota-safe classes (property)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.analysis import per_mu
from gaoxin.analysis.ruleset import load_ruleset

X0, Y0 = 500_000.0, 3_400_000.0


def _parcels() -> gpd.GeoDataFrame:
    # Two 15-亩 parcels (1 ha each).
    return gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "zone_id": ["Z", "Z"]}, crs=4544,
                            geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                      box(X0 + 100, Y0, X0 + 200, Y0 + 100)])


def test_shared_parcel_and_firm_on_two_parcels() -> None:
    e = pd.DataFrame({"enterprise_id": ["a", "b", "a"], "parcel_id": ["P1", "P1", "P2"],
                      "revenue": [300.0, 100.0, 600.0], "tax": [9.0, 3.0, 18.0]})
    rows = per_mu.enterprise_land(e, _parcels(), "revenue")
    firms = per_mu.firm_totals(rows)
    land = (firms["land_mu"] / 15.0).round(6)  # in hectares ≈ parcels (scale ≈ 1 on the CM)
    assert land.to_dict() == pytest.approx({"a": 1.75, "b": 0.25}, rel=1e-3)
    ind = per_mu.per_mu_indicators(firms)
    assert ind.loc["a", "per_mu_revenue"] == pytest.approx(900 / 26.25, rel=1e-3)
    # Equal split: a gets half of P1 and all of P2.
    eq = per_mu.firm_totals(per_mu.enterprise_land(e, _parcels()))
    assert eq.loc["a", "land_mu"] == pytest.approx(22.5, rel=1e-3)
    # Land is conserved: the firms hold exactly the parcels.
    assert eq["land_mu"].sum() == pytest.approx(30.0, rel=1e-3)


def test_indicator_formulas() -> None:
    f = pd.DataFrame({"revenue": [1000.0], "tax": [50.0], "value_added": [250.0],
                      "energy_tce": [200.0], "employees": [10.0], "rd_spend": [20.0],
                      "fixed_investment": [3000.0], "land_mu": [5.0]})
    ind = per_mu.per_mu_indicators(f).iloc[0]
    assert ind.per_mu_revenue == 200.0 and ind.per_mu_tax == 10.0
    assert ind.per_mu_value_added == 50.0 and ind.revenue_per_employee == 100.0
    assert ind.revenue_per_tce == 5.0 and ind.value_added_per_tce == 1.25
    assert ind.value_added_per_employee == 25.0 and ind.rd_intensity == 0.02
    assert ind.fixed_investment_per_mu == 600.0


def test_huangyan_formula_reproduced() -> None:
    rules = load_ruleset("per_mu")
    cfg = per_mu._scheme_rules(rules, "zhejiang")
    at_benchmark = pd.DataFrame([cfg.benchmarks])
    s, _, dropped = per_mu.score(at_benchmark, cfg.weights, cfg.benchmarks)
    assert s.iloc[0] == pytest.approx(100.0) and dropped == []
    cfg = per_mu._scheme_rules(rules, "sichuan")
    assert sum(cfg.weights.values()) == pytest.approx(100.0)
    assert cfg.weights["per_mu_tax"] == 20.0
    double = pd.DataFrame([{k: 10 * v for k, v in cfg.benchmarks.items()}])
    s, _, _ = per_mu.score(double, cfg.weights, cfg.benchmarks, cfg.cap)
    assert s.iloc[0] == pytest.approx(150.0)  # capped at 1.5 × weight


scores = st.lists(st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(np.nan),
                            st.sampled_from([0.0, 1.0, 50.0])), min_size=0, max_size=120)


@settings(max_examples=300, deadline=None)
@given(values=scores, a=st.sampled_from([30.0, 25.0, 0.0, 50.0]),
       c=st.sampled_from([10.0, 25.0, 0.0]), d=st.sampled_from([0.0, 5.0, 10.0]))
def test_class_quotas_hold_on_any_input(values: list[float], a: float, c: float,
                                        d: float) -> None:
    s = pd.Series(values, dtype=float)
    cls = per_mu.assign_classes(s, a_max_pct=a, c_min_pct=c, d_pct=d)
    valid = s.notna()
    n = int(valid.sum())
    assert cls[~valid].isna().all() and cls[valid].notna().all()
    counts = cls[valid].value_counts()
    if n:
        assert counts.get("A", 0) <= math.floor(a * n / 100 + 1e-9)
        assert counts.get("C", 0) >= math.ceil(c * n / 100 - 1e-9)
        assert counts.get("D", 0) <= math.floor(d * n / 100 + 1e-9)
    # A better score never gets a worse class; equal scores get the same class.
    rank = cls[valid].map({"A": 0, "B": 1, "C": 2, "D": 3})
    order = s[valid].sort_values(ascending=False, kind="stable").index
    assert rank.loc[order].is_monotonic_increasing
    assert (s[valid].groupby(s[valid]).apply(lambda g: rank.loc[g.index].nunique()) == 1).all()


def test_class_quotas_per_group() -> None:
    s = pd.Series(np.arange(20, dtype=float))
    g = pd.Series(["成都"] * 10 + ["绵阳"] * 10)
    cls = per_mu.assign_classes(s, a_max_pct=30, c_min_pct=10, groups=g)
    assert (cls.groupby(g).apply(lambda x: (x == "A").sum()) == 3).all()


def test_min_land_size_and_rule_set_reported() -> None:
    e = pd.DataFrame({"enterprise_id": ["a", "b", "c"], "parcel_id": ["P1", "P2", "P2"],
                      "revenue": [900.0, 500.0, 10.0], "tax": [40.0, 20.0, 1.0],
                      "value_added": [200.0, 100.0, 2.0], "energy_tce": [100.0, 90.0, 1.0],
                      "employees": [30.0, 20.0, 2.0], "rd_spend": [20.0, 5.0, 0.0]})
    land = pd.Series([15.0, 12.0, 3.0], name="land_mu")
    r = per_mu.run(_parcels(), e.assign(land_mu=land), scheme="zhejiang")
    assert r.summary["rule_set"]["scheme"] == "zhejiang"
    assert r.summary["rule_set"]["year"] == 2023
    assert "value_added_per_emission" in r.summary["indicators_dropped"]
    c = r.firms.set_index("enterprise_id")
    assert c.loc["c", "class"] == per_mu.NOT_EVALUATED and c.loc["c", "reason"] == "below_min_land"
    assert r.summary["evaluated"] == 2


def test_unmatched_parcels_are_refused_or_reported() -> None:
    from gaoxin.errors import InputError

    e = pd.DataFrame({"enterprise_id": ["a"], "parcel_id": ["nope"], "revenue": [1.0]})
    with pytest.raises(InputError, match="parcel_id"):
        per_mu.run(_parcels(), e)
    e = pd.DataFrame({"enterprise_id": ["a", "b"], "parcel_id": ["P1", "nope"],
                      "revenue": [1.0, 2.0], "tax": [1.0, 1.0]})
    r = per_mu.run(_parcels(), e)
    assert r.summary["unmatched_parcel_ids"] == ["nope"]
