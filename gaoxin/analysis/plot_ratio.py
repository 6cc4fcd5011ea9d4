"""Floor area and plot ratio (容积率), per building and per parcel.

Floor area = footprint × counted floors. Floors come from ``floors``; when missing, from
``height`` ÷ storey height. A storey higher than 8 m counts double (工业项目建设用地控制指标,
domain.md §2.1), so a 10 m single-storey workshop counts as 2 floors. A building straddling
parcels is split between them by footprint area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.area import ellipsoidal_area
from ..geo.overlap import overlap
from .ruleset import RuleSet, load_ruleset


def counted_floors(buildings: pd.DataFrame, rules: RuleSet | None = None) -> pd.Series:
    """Floors as counted for floor area (8 m storeys double); NaN when unknown.

    Examples
    --------
    >>> b = pd.DataFrame({"floors": [2, 1, None, None], "height": [7, 10, 14, None]})
    >>> counted_floors(b).tolist()
    [2.0, 2.0, 4.0, nan]
    """
    rules = rules or load_ruleset("plot_ratio")
    double_above = float(rules.get("floor_area.double_storey_height_m"))  # type: ignore[arg-type]
    default_storey = float(rules.get("floor_area.default_storey_height_m"))  # type: ignore[arg-type]
    n = len(buildings)
    floors = _column(buildings, "floors", n)
    height = _column(buildings, "height", n)
    storey = _column(buildings, "storey_height", n)
    storey = np.where(np.isnan(storey) | (storey <= 0), default_storey, storey)
    from_height = np.maximum(np.round(height / storey), 1.0)
    floors = np.where(np.isnan(floors) | (floors <= 0), from_height, floors)
    # Storey height actually built: measured height ÷ floors when both are known.
    per_storey = np.where(~np.isnan(height) & (floors > 0), height / floors, storey)
    counted = np.where(per_storey > double_above, floors * 2.0, floors)
    return pd.Series(counted, index=buildings.index, name="counted_floors", dtype=float)


def _column(frame: pd.DataFrame, name: str, n: int) -> np.ndarray:
    if name not in frame.columns:
        return np.full(n, np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)


def building_floor_area(buildings: gpd.GeoDataFrame, rules: RuleSet | None = None) -> pd.Series:
    """Floor area (m²) of each building: ellipsoidal footprint × counted floors.

    Examples
    --------
    >>> from shapely import box
    >>> b = gpd.GeoDataFrame({"floors": [2]}, geometry=[box(499980, 3400000, 500020, 3400050)],
    ...                      crs=4544)
    >>> round(float(building_floor_area(b).iloc[0]))
    4000
    """
    footprint = ellipsoidal_area(buildings.geometry)
    return (footprint * counted_floors(buildings, rules)).rename("floor_area_m2")


def floor_area_by_parcel(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                         rules: RuleSet | None = None) -> pd.DataFrame:
    """Floor area and building footprint of each parcel; straddling buildings split by area.

    Returns a frame indexed like ``parcels`` with ``floor_area_m2``, ``footprint_m2`` and
    ``unknown_floors`` (buildings on the parcel with neither floors nor height).

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame(geometry=[box(499900, 3400000, 500000, 3400100),
    ...                                 box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> b = gpd.GeoDataFrame({"floors": [3]}, geometry=[box(499990, 3400010, 500010, 3400030)],
    ...                      crs=4544)
    >>> floor_area_by_parcel(p, b)["floor_area_m2"].round(1).tolist()
    [600.0, 600.0]
    """
    floors = counted_floors(buildings, rules).to_numpy()
    result = overlap(buildings.geometry, parcels.geometry)
    pieces = result.pieces
    piece_area = ellipsoidal_area(pieces.geometry).to_numpy()
    b_pos = pieces["a_pos"].to_numpy()
    p_pos = pieces["b_pos"].to_numpy()
    # Parcels are a coverage: a building's pieces sum to its footprint inside parcels.
    floor_piece = np.nan_to_num(piece_area * floors[b_pos])
    out = pd.DataFrame(index=parcels.index)
    out["floor_area_m2"] = np.bincount(p_pos, floor_piece, minlength=len(parcels))
    out["footprint_m2"] = np.bincount(p_pos, piece_area, minlength=len(parcels))
    out["unknown_floors"] = np.bincount(p_pos, np.isnan(floors[b_pos]).astype(float),
                                        minlength=len(parcels)).astype(int)
    return out
