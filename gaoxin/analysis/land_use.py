"""Land-use rates of a development zone from parcel land-status codes (domain.md §1.2–1.3).

A survey layer gives each parcel one status code. The 规程's categories overlap (built land
is also supplied land), so we derive them from the single code as follows — the mapping is
explicit here so that users can check it against their survey:

======================  ==============================================================
category                codes
======================  ==============================================================
A   已建成城镇建设用地      A, A1, A2, A31, A32, A4, A51, A52, A6, H1, H2
ready 已达到供地条件        B21, D1, D21, D22, E1, E21, E22, G (supplied or supplyable)
not ready              B11, B12, B22, F
C   不可建设              C1, C2, C3
D   已供应                A (built land was supplied) + D1, D21, D22 + G
G   闲置                  G
A2  工矿仓储              A2 (and H1/H2 are high-tech industry on built land)
======================  ==============================================================

土地开发率 = (A + ready) / (A + ready + not ready); 土地供应率 = D / (A + ready);
土地建成率 = A / D; 土地闲置率 = G / D; 工业用地率 = A2 / A; 综合容积率 = floor area on A / A.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.area import ellipsoidal_area

BUILT = ("A", "A1", "A2", "A31", "A32", "A4", "A51", "A52", "A6", "H1", "H2")
READY = ("B21", "D1", "D21", "D22", "E1", "E21", "E22", "G")
NOT_READY = ("B11", "B12", "B22", "F")
UNBUILDABLE = ("C1", "C2", "C3")
SUPPLIED_UNBUILT = ("D1", "D21", "D22", "G")
INDUSTRIAL = ("A2",)
HIGH_TECH = ("H1", "H2")


def status_category(status: pd.Series) -> pd.Series:
    """The category (``built``, ``ready``, ``not_ready``, ``unbuildable``, ``unknown``).

    Examples
    --------
    >>> status_category(pd.Series(["A2", "G", "B22", "C1", "X"])).tolist()
    ['built', 'ready', 'not_ready', 'unbuildable', 'unknown']
    """
    codes = status.astype(object).map(lambda v: str(v).strip().upper() if v is not None
                                      and v == v else "")
    out = np.select(
        [codes.isin(BUILT), codes.isin(READY), codes.isin(NOT_READY), codes.isin(UNBUILDABLE)],
        ["built", "ready", "not_ready", "unbuildable"], default="unknown")
    return pd.Series(out, index=status.index, name="status_category")


def land_use_rates(parcels: gpd.GeoDataFrame, floor_area: pd.Series | None = None
                   ) -> dict[str, float | None]:
    """Areas (公顷) per category and the rates of domain.md §1.3 for a set of parcels.

    ``floor_area`` (m², indexed like ``parcels``) adds 综合容积率 and 工业用地综合容积率.
    A rate whose denominator is zero is None.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"status": ["A2", "A1", "D21", "G", "B22"]},
    ...     geometry=[box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100)
    ...               for i in range(5)], crs=4544)
    >>> r = land_use_rates(p)
    >>> round(r["development_rate"], 3), round(r["supply_rate"], 3), round(r["built_rate"], 3)
    (0.8, 1.0, 0.5)
    """
    if "status" not in parcels.columns:
        raise ValueError("parcels need a status column (land-status codes)")
    area_ha = ellipsoidal_area(parcels.geometry) / 10_000
    cat = status_category(parcels["status"])
    codes = parcels["status"].astype(str).str.strip().str.upper()

    def total(mask: pd.Series) -> float:
        return float(area_ha[mask].sum())

    built = total(cat == "built")
    ready = total(cat == "ready")
    not_ready = total(cat == "not_ready")
    supplied = built + total(codes.isin(SUPPLIED_UNBUILT))
    idle = total(codes == "G")
    industrial = total(codes.isin(INDUSTRIAL))
    result: dict[str, float | None] = {
        "total_ha": float(area_ha.sum()), "built_ha": built, "ready_ha": ready,
        "not_ready_ha": not_ready, "unbuildable_ha": total(cat == "unbuildable"),
        "unknown_status_ha": total(cat == "unknown"), "supplied_ha": supplied,
        "idle_ha": idle, "industrial_ha": industrial, "high_tech_ha": total(codes.isin(HIGH_TECH)),
        "development_rate": _ratio(built + ready, built + ready + not_ready),
        "supply_rate": _ratio(supplied, built + ready),
        "built_rate": _ratio(built, supplied),
        "idle_rate": _ratio(idle, supplied),
        "industrial_rate": _ratio(industrial, built),
    }
    if floor_area is not None:
        fa = floor_area.reindex(parcels.index).fillna(0.0) / 10_000
        floor_ha = float(fa[cat == "built"].sum())
        result["floor_area_ha"] = floor_ha
        result["plot_ratio"] = _ratio(floor_ha, built)
        result["industrial_plot_ratio"] = _ratio(float(fa[codes.isin(INDUSTRIAL)].sum()),
                                                 industrial)
    return result


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else num / den
