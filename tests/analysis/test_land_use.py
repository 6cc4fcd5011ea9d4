"""analysis/land_use.py: status categories and the land-use rates of domain.md §1.3 by hand."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely import box

from gaoxin.analysis.land_use import land_use_rates, status_category

X0, Y0 = 500_000.0, 3_400_000.0  # on the central meridian: 100 m squares are 1 ha


def hectares(*status: str | None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"status": list(status)}, crs=4544, geometry=[
        box(X0 + 100 * i, Y0, X0 + 100 * i + 100, Y0 + 100) for i in range(len(status))])


def test_codes_are_read_trimmed_and_in_any_case() -> None:
    got = status_category(pd.Series([" a2 ", "h1", "e21", "b11", "c3", None, float("nan"), ""]))
    assert got.tolist() == ["built", "built", "ready", "not_ready", "unbuildable", "unknown",
                            "unknown", "unknown"]


def test_rates_by_hand() -> None:
    # built: A2, A2, A1 (3 ha); ready: D21, G, E21 (3 ha); not ready: B22 (1 ha); C1 (1 ha)
    p = hectares("A2", "A2", "A1", "D21", "G", "E21", "B22", "C1", "XX")
    r = land_use_rates(p, floor_area=pd.Series([20_000.0, 10_000, 30_000], index=[0, 1, 2]))
    assert r["total_ha"] == pytest.approx(9.0, rel=1e-6)
    assert r["unknown_status_ha"] == pytest.approx(1.0, rel=1e-6)
    assert r["development_rate"] == pytest.approx(6 / 7, rel=1e-6)
    assert r["supply_rate"] == pytest.approx(5 / 6, rel=1e-6)      # built 3 + D21 + G
    assert r["built_rate"] == pytest.approx(3 / 5, rel=1e-6)
    assert r["idle_rate"] == pytest.approx(1 / 5, rel=1e-6)
    assert r["industrial_rate"] == pytest.approx(2 / 3, rel=1e-6)
    assert r["plot_ratio"] == pytest.approx(6 / 3, rel=1e-6)       # 6 ha of floors on 3 ha
    assert r["industrial_plot_ratio"] == pytest.approx(3 / 2, rel=1e-6)


def test_a_rate_over_nothing_is_none_and_status_is_required() -> None:
    r = land_use_rates(hectares("C1", "C2"))
    assert r["development_rate"] is None and r["built_rate"] is None
    assert "plot_ratio" not in r  # only with floor areas
    with pytest.raises(ValueError, match="status column"):
        land_use_rates(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=4544))
