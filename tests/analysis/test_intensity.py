"""analysis/intensity.py: zone land-intensity evaluation and the low-efficiency list, by hand."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from gaoxin.analysis import intensity
from gaoxin.analysis.ruleset import load_ruleset

X0, Y0 = 500_000.0, 3_400_000.0


def _zone(status: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": [str(i) for i in range(len(status))], "zone_id": "Z",
                             "status": status}, crs=4544,
                            geometry=[box(X0 + i * 100, Y0, X0 + i * 100 + 100, Y0 + 100)
                                      for i in range(len(status))])


def test_indicators_by_hand() -> None:
    # 1 ha each: A2, A2, A1, A4, D21 (supplied, unbuilt), G (idle), E21, B22, C1.
    p = _zone(["A2", "A2", "A1", "A4", "D21", "G", "E21", "B22", "C1"])
    floor = pd.DataFrame({"floor_area_m2": [8000.0, 6000, 20000, 10000, 0, 0, 0, 0, 0],
                          "footprint_m2": [4000.0, 3000, 2000, 3000, 0, 0, 0, 0, 0]},
                         index=p.index)
    rows = pd.DataFrame({"parcel_id": ["0", "1", "3"], "tax": [600.0, 200.0, 400.0],
                         "revenue": [9000.0, 3000.0, 1000.0],
                         "fixed_investment": [10000.0, 8000.0, 0.0]})
    z = intensity.zone_indicators(p, floor, rows).loc["Z"]
    approx = pytest.approx
    # A = 4 ha, ready = D21 + G + E21 = 3, not ready = B22 = 1, supplied D = A + D21 + G = 6.
    assert z.development_rate == approx(7 / 8, rel=1e-6)
    assert z.supply_rate == approx(6 / 7, rel=1e-6)
    assert z.built_rate == approx(4 / 6, rel=1e-6)
    assert z.idle_rate == approx(1 / 6, rel=1e-6)
    assert z.industrial_rate == approx(0.5, rel=1e-6)
    assert z.plot_ratio == approx(44000 / 40000, rel=1e-4)
    assert z.building_density == approx(12000 / 40000, rel=1e-4)
    assert z.industrial_plot_ratio == approx(0.7, rel=1e-4)
    assert z.industrial_building_coefficient == approx(0.35, rel=1e-4)
    assert z.industrial_investment_intensity == approx(9000.0, rel=1e-4)   # 万元/公顷
    assert z.industrial_tax_per_ha == approx(400.0, rel=1e-4)
    assert z.tax_per_ha == approx(300.0, rel=1e-4)
    assert z.industrial_output_intensity == approx(6000.0, rel=1e-4)
    assert z.residential_rate == approx(0.25, rel=1e-6)


def test_score_uses_user_weights_and_ideals() -> None:
    t = pd.DataFrame({"supply_rate": [0.5], "built_rate": [1.0], "idle_rate": [0.04]},
                     index=["Z"])
    off = ("industrial_rate", "plot_ratio", "building_density", "industrial_plot_ratio",
           "industrial_building_coefficient", "industrial_investment_intensity",
           "industrial_tax_per_ha")
    rules = load_ruleset("intensity", {"weights.industrial": dict.fromkeys(off, 0.0),
                                       "weights.industrial.supply_rate": 2.0,
                                       "ideal.supply_rate": 1.0})
    s, left = intensity.evaluate(t, pd.Series(["industrial"], index=["Z"]), rules)
    # (2 × 0.5 + 1 × 1 + 1 × 0.01/0.04) / 4 × 100
    assert s.loc["Z", "score"] == pytest.approx(100 * (1 + 1 + 0.25) / 4)
    assert left["Z"] == []
    assert all(r.confidence == "⚙" for k, r in load_ruleset("intensity").rules.items()
               if k.startswith("weights."))


def test_low_efficiency_ranked_by_land_freed() -> None:
    p = gpd.GeoDataFrame({"parcel_id": ["small_idle", "big_low", "ok_tax", "big_idle"],
                          "status": ["G", "A2", "A2", "G"]}, crs=4544,
                         geometry=[box(X0, Y0, X0 + 50, Y0 + 50),
                                   box(X0 + 100, Y0, X0 + 300, Y0 + 200),
                                   box(X0 + 300, Y0, X0 + 400, Y0 + 100),
                                   box(X0 + 400, Y0, X0 + 500, Y0 + 100)])
    plot = pd.DataFrame({"plot_ratio": [0.0, 0.3, 0.3, 0.0]}, index=p.index)
    ctl = pd.DataFrame({"far_min": [None, 0.7, 0.7, None],
                        "far_ok": pd.array([pd.NA, False, False, pd.NA], dtype="boolean")},
                       index=p.index)
    low = intensity.low_efficiency(p, plot, ctl, pd.Series([None, 2.0, 30.0, None]))
    assert low.parcel_id.tolist() == ["big_low", "big_idle", "small_idle"]
    assert low["rank"].tolist() == [1, 2, 3]
    big = low.iloc[0]
    assert big.densify_floor_m2 == pytest.approx(0.4 * big.area_m2)
    assert big.area_mu == pytest.approx(60.0, rel=1e-3)



def test_low_efficiency_tolerates_an_enterprise_table_without_tax() -> None:
    """Issue 16: no tax column leaves 亩均税收 unknown (idle land still listed), no KeyError."""
    from shapely import box as square

    from gaoxin.analysis.intensity import run_low_efficiency

    p = gpd.GeoDataFrame({"parcel_id": ["1", "2"], "status": ["G", "A2"]}, crs=4544,
                         geometry=[square(500000 + i * 100, 3400000, 500100 + i * 100, 3400100)
                                   for i in range(2)])
    plot = pd.DataFrame({"plot_ratio": [0.0, 0.5], "industrial": [False, True],
                         "far_min": [None, 1.0],
                         "far_ok": pd.array([pd.NA, False], dtype="boolean")}, index=p.index)
    rows = pd.DataFrame({"enterprise_id": ["a"], "parcel_id": ["2"], "revenue": [300.0],
                         "land_mu": [15.0], "matched": [True]})
    r = run_low_efficiency(p, plot, rows)
    assert r.parcels["parcel_id"].tolist() == ["1"] and r.summary["by_reason"]["idle"] == 1
