"""analysis/declared_area.py: declared parcel area against the drawn area."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import box

from gaoxin.analysis.declared_area import compare_declared_area
from gaoxin.analysis.ruleset import load_ruleset

X0, Y0 = 500_000.0, 3_400_000.0


def _parcels(declared: list[float | None]) -> gpd.GeoDataFrame:
    # 1 ha squares on the central meridian: 15 亩 each (scale ≈ 1).
    return gpd.GeoDataFrame(
        {"parcel_id": [f"P{i + 1}" for i in range(len(declared))], "declared_area_mu": declared},
        crs=4544, geometry=[box(X0 + i * 100, Y0, X0 + i * 100 + 100, Y0 + 100)
                            for i in range(len(declared))])


def test_a_parcel_off_by_ten_percent_is_listed() -> None:
    found = compare_declared_area(_parcels([15.0, 16.5, 14.9, None]))
    assert found is not None
    assert found.listed["parcel_id"].tolist() == ["P2"]
    row = found.listed.iloc[0]
    assert row.declared_mu == 16.5 and row.drawn_mu == pytest.approx(15.0, rel=1e-3)
    assert row.difference_pct == pytest.approx(10.0, abs=0.1)
    assert found.summary == {"compared": 3, "listed": 1, "tolerance_pct": 5.0,
                             "likely_unit": None}


def test_the_tolerance_is_a_rule_the_workspace_can_set() -> None:
    rules = load_ruleset("declared_area", {"tolerance_pct": 12.0})
    found = compare_declared_area(_parcels([15.0, 16.5]), rules)
    assert found is not None and found.summary["listed"] == 0
    assert load_ruleset("declared_area").rules["tolerance_pct"].confidence == "⚙"


def test_square_metres_read_as_mu_are_named() -> None:
    found = compare_declared_area(_parcels([10_000.0, 10_000.0, 15.0]))
    assert found is not None and found.summary["likely_unit"] == "平方米"
    assert compare_declared_area(_parcels([15.0]).drop(columns="declared_area_mu")) is None
