"""宗地面积核对: each parcel's declared area against the area of its drawn geometry.

A register's 宗地面积 (converted to 亩 from the unit its header names, gaoxin.layers.headers)
is compared with the ellipsoidal area of the parcel; parcels whose difference exceeds the
rule set's share are listed. When most parcels are off by the same factor as between two
units (declared in 平方米 but read as 亩), the likely unit is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.area import ellipsoidal_area
from ..geo.units import M2_PER_HA, M2_PER_MU, m2_to_mu
from .ruleset import RuleSet, load_ruleset

# Ratio declared ÷ drawn when the header's unit was wrong, and the unit it then likely was.
_UNIT_SLIPS = {M2_PER_MU: "平方米", M2_PER_MU / M2_PER_HA: "公顷"}


class DeclaredAreaSummary(TypedDict):
    """What the comparison found (``gaoxin check --json``, the check page)."""

    compared: int
    listed: int
    tolerance_pct: float
    likely_unit: str | None


@dataclass
class DeclaredAreaResult:
    """The parcels beyond the tolerance (parcel_id, declared_mu, drawn_mu, difference_pct)
    and the summary."""

    listed: pd.DataFrame
    summary: DeclaredAreaSummary


def compare_declared_area(parcels: gpd.GeoDataFrame, rules: RuleSet | None = None
                          ) -> DeclaredAreaResult | None:
    """Parcels whose declared area differs from the drawn area by more than the tolerance.

    None when the layer has no ``declared_area_mu``. Parcels without a declared value are
    not compared. ``difference_pct`` is (declared − drawn) ÷ drawn in %.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "declared_area_mu": [15.0, 16.5]},
    ...     geometry=[box(500000, 3400000, 500100, 3400100),
    ...               box(500100, 3400000, 500200, 3400100)], crs=4544)
    >>> r = compare_declared_area(p)
    >>> r.listed[["parcel_id", "difference_pct"]].round(1).values.tolist(), r.summary["compared"]
    ([['P2', 10.0]], 2)
    """
    if "declared_area_mu" not in parcels.columns:
        return None
    rules = rules or load_ruleset("declared_area")
    tolerance = rules.number("tolerance_pct", 5.0)
    declared = pd.to_numeric(parcels["declared_area_mu"], errors="coerce").to_numpy(float)
    drawn = m2_to_mu(ellipsoidal_area(parcels.geometry).to_numpy(float))
    ok = np.isfinite(declared) & (drawn > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.where(ok, (declared - drawn) / np.where(drawn > 0, drawn, 1.0) * 100.0,
                        np.nan)
    off = ok & (np.abs(diff) > tolerance)
    ids = (parcels["parcel_id"] if "parcel_id" in parcels.columns
           else pd.Series([f"row {i + 1}" for i in range(len(parcels))]))
    listed = pd.DataFrame({"parcel_id": ids.to_numpy()[off], "declared_mu": declared[off],
                           "drawn_mu": drawn[off], "difference_pct": diff[off]})
    listed = listed.reindex(listed["difference_pct"].abs().sort_values(
        ascending=False, kind="stable").index).reset_index(drop=True)
    return DeclaredAreaResult(listed, {
        "compared": int(ok.sum()), "listed": int(off.sum()), "tolerance_pct": tolerance,
        "likely_unit": _likely_unit(declared[ok] / drawn[ok]) if off.sum() > ok.sum() / 2
        else None})


def _likely_unit(ratios: np.ndarray) -> str | None:
    """The unit the declared areas were likely in when most are off by one unit's factor."""
    median = float(np.median(ratios)) if len(ratios) else float("nan")
    for factor, unit in _UNIT_SLIPS.items():
        if abs(median / factor - 1.0) < 0.05:
            return unit
    return None
