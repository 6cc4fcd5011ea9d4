"""analysis/per_mu.py (issue 11): the summary says who was not evaluated and why, which
indicators were left out of the score and how the weights were treated, and its counts add up."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.analysis import per_mu
from gaoxin.analysis.per_mu import PerMuSummary
from gaoxin.layers.schema import normalise_fields

X0, Y0 = 500_000.0, 3_400_000.0


def _parcels(n: int) -> gpd.GeoDataFrame:
    # n parcels of 1 ha (15 亩) each in a row, two zones.
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(n)], "zone_id": ["Z1", "Z2"] * (n // 2)
         + ["Z1"] * (n % 2)}, crs=4544,
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n)])


def _firms(n: int, **extra: list[float]) -> pd.DataFrame:
    return pd.DataFrame({
        "enterprise_id": [f"e{i}" for i in range(n)], "parcel_id": [f"P{i}" for i in range(n)],
        "revenue": [1000.0 + 100 * i for i in range(n)], "tax": [30.0 + i for i in range(n)],
        "value_added": [250.0 + 10 * i for i in range(n)],
        "energy_tce": [100.0 + 5 * i for i in range(n)],
        "employees": [20.0 + i for i in range(n)], "rd_spend": [30.0 + i for i in range(n)],
        **extra})


def assert_counts_add_up(s: PerMuSummary) -> None:
    """Every count of a per-mu summary adds up: evaluated + not evaluated = enterprises, the
    reasons make the not evaluated, the classes the evaluated; the same for the parcels."""
    assert s["evaluated"] + s["not_evaluated"] == s["enterprises"]
    assert set(s["not_evaluated_by_reason"]) == set(per_mu.EXCLUSIONS)
    assert sum(s["not_evaluated_by_reason"].values()) == s["not_evaluated"]
    assert sum(s["classes"].values()) == s["evaluated"]
    shares = [v for v in s["class_shares_pct"].values() if v is not None]
    assert not shares or sum(shares) == pytest.approx(100.0, abs=0.05)
    assert sum(s["parcel_classes"].values()) == s["parcels_with_enterprises"]
    assert sum(s["parcels_not_evaluated_by_reason"].values()) == \
        s["parcel_classes"]["not_evaluated"]
    points = s["score_points"]
    assert points["computed"] + sum(i["points"] for i in s["not_computed"]) == \
        pytest.approx(points["total"])
    assert [i["indicator"] for i in s["not_computed"]] == s["indicators_dropped"]


def test_dropped_indicator_is_reported_with_its_points_and_the_weights_treatment() -> None:
    r = per_mu.run(_parcels(4), _firms(4), scheme="zhejiang")
    s = r.summary
    assert s["not_computed"] == [{"indicator": "value_added_per_emission", "points": 10.0,
                                  "reason": "no_field", "fields": ["emission"]}]
    assert s["score_points"] == {"total": 100.0, "computed": 90.0,
                                 "treatment": "renormalised", "scale": pytest.approx(10 / 9)}
    # What the summary states is what the score did: a firm at every benchmark of the
    # indicators computed scores the full 100, not 90.
    rules = per_mu._scheme_rules(per_mu.load_ruleset("per_mu"), "zhejiang")
    at_benchmark = pd.DataFrame([{k: v for k, v in rules.benchmarks.items()
                                  if k != "value_added_per_emission"}])
    score, _, dropped = per_mu.score(at_benchmark, rules.weights, rules.benchmarks)
    assert dropped == ["value_added_per_emission"] and score.iloc[0] == pytest.approx(100.0)
    assert_counts_add_up(s)


def test_emission_is_scored_when_the_table_has_it() -> None:
    table = _firms(4).assign(主要污染物排放量=[0.05, 0.1, 0.2, 0.4])
    # The enterprise table as a bureau sends it: the Chinese header maps to the field.
    firms = normalise_fields(table, "enterprises")
    assert "emission" in firms.columns
    r = per_mu.run(_parcels(4), firms, scheme="zhejiang")
    assert r.summary["not_computed"] == [] and r.summary["indicators_dropped"] == []
    assert r.summary["score_points"]["treatment"] == "full"
    f = r.firms.set_index("enterprise_id")
    assert f.loc["e0", "value_added_per_emission"] == pytest.approx(250.0 / 0.05)
    assert f["score_value_added_per_emission"].notna().all()
    # An emission field left empty is named as such, not as missing.
    empty = per_mu.run(_parcels(4), firms.assign(emission=float("nan")), scheme="zhejiang")
    assert [(i["reason"], i["fields"]) for i in empty.summary["not_computed"]] == [
        ("no_values", ["value_added", "emission"])]


def test_excluded_firms_are_listed_by_reason() -> None:
    # e0 holds 3 亩 (< 5), e1 names a parcel the layer lacks, e2/e3 are evaluated.
    firms = _firms(4).assign(parcel_id=["P0", "nope", "P2", "P3"],
                             land_mu=[3.0, 9.0, 12.0, 15.0])
    r = per_mu.run(_parcels(4), firms, scheme="zhejiang")
    s = r.summary
    assert s["enterprises"] == 4 and s["evaluated"] == 2
    assert s["not_evaluated_by_reason"] == {"parcel_not_found": 1, "no_land": 0,
                                            "below_min_land": 1, "no_indicator": 0}
    f = r.firms.set_index("enterprise_id")
    assert f.loc["e1", "reason"] == "parcel_not_found" and not f.loc["e1", "evaluated"]
    assert f.loc["e0", "reason"] == "below_min_land"
    assert (f.loc[["e0", "e1"], "class"] == per_mu.NOT_EVALUATED).all()
    # The small firm's parcel keeps its place, as not evaluated and why.
    p = r.parcels.set_index("parcel_id")
    assert p.loc["P0", "class"] == per_mu.NOT_EVALUATED
    assert p.loc["P0", "reason"] == "below_min_land"
    assert s["parcel_classes"]["not_evaluated"] == 1
    assert_counts_add_up(s)


firm = st.tuples(st.integers(0, 7),                      # parcel index; 6 and 7 are unknown
                 st.sampled_from([0.0, 1.0, 4.99, 5.0, 20.0, float("nan")]),   # land (亩)
                 st.floats(0, 1e4, allow_subnormal=False),   # revenue, tax
                 st.floats(0, 500, allow_subnormal=False))


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(firm, min_size=1, max_size=14), scheme=st.sampled_from(
    ["sichuan", "zhejiang"]), group=st.booleans())
def test_summary_counts_add_up_on_any_input(rows: list[tuple[int, float, float, float]],
                                            scheme: str, group: bool) -> None:
    table = pd.DataFrame({
        "enterprise_id": [f"e{i % 9}" for i in range(len(rows))],
        "parcel_id": [f"P{p}" for p, *_ in rows], "land_mu": [a for _, a, *_ in rows],
        "revenue": [r for *_, r, _ in rows], "tax": [t for *_, t in rows],
        "employees": 10.0, "energy_tce": 50.0, "value_added": 100.0, "rd_spend": 5.0})
    if not table["parcel_id"].isin([f"P{i}" for i in range(6)]).any():
        return   # no row names a parcel: refused with an InputError (tested elsewhere)
    r = per_mu.run(_parcels(6), table, scheme=scheme, group_by="zone_id" if group else None)
    assert_counts_add_up(r.summary)
    assert r.summary["enterprises"] == table["enterprise_id"].nunique()
    assert set(r.firms["enterprise_id"]) == set(table["enterprise_id"])
    assert (r.firms["evaluated"] == (r.firms["class"] != per_mu.NOT_EVALUATED)).all()
    assert (r.firms["evaluated"] == (r.firms["reason"] == "")).all()
