"""标准地 (industrial "standard land") readiness of unsupplied parcels.

A parcel can be offered as 标准地 once it is free of the 三区三线 conflicts, planned for an
allowed use, fit in size and shape, not too steep, serviced, covered by the regional
assessments (区域评估), acquired (净地) and carries its indicator package (川办发〔2021〕11号;
domain-tables.md §4.1). Each of the eight conditions gives every candidate parcel one outcome:

``pass``
    met;
``conditional``
    can be offered with a condition attached (a 一事一议 package, servicing one step short
    of the rule set's level, an irregular shape that needs a layout study);
``fail``
    blocks the offer;
``unverified``
    the data to check it is missing (the layer or the field): the parcel cannot be called
    ready, and the summary says which data would settle it.

A parcel is ``ready`` when every condition passes, ``blocked`` when any fails, otherwise
``conditional``. Each outcome other than ``pass`` carries reason codes (``assessment:洪水影响评价``,
``package_below:tax_per_mu`` …) that the report turns into plain sentences.

Compute-only: reads, writes and prints nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import ClassVar, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.area import areal_scale_factors, ellipsoidal_area
from ..geo.arrays import BoolArray, FloatArray
from ..geo.overlap import area_inside
from ..geo.raster import Raster
from ..geo.units import M2_PER_MU
from .ruleset import RuleSet, load_ruleset

CONDITIONS = ("spatial", "use", "shape", "terrain", "servicing", "assessment", "acquisition",
              "indicators")
OUTCOMES = ("pass", "conditional", "fail", "unverified")
READINESS = ("ready", "conditional", "blocked")
# Site-servicing levels in order; a parcel's level must reach the rule set's.
SERVICING_LEVELS = ("未平整", "三通一平", "五通一平", "七通一平")
# The indicator package of a Sichuan 标准地 (domain-tables.md §4.1): field → rule of its floor.
PACKAGE = {"investment_intensity": "indicators.min_investment_intensity",
           "tax_per_mu": "indicators.min_tax_per_mu",
           "planned_far_min": None,
           "output_intensity": "indicators.min_output_intensity",
           "environment": None,
           "rd_intensity_pct": "indicators.min_rd_intensity_pct"}
LAND_USE_SYSTEMS = ("land_sea", "gbt_21010", "gb_50137")
# How staff write yes and no in a table, and how they list several items in one cell.
_TRUE = {"true", "1", "1.0", "yes", "y", "是", "已完成", "完成", "有", "t"}
_FALSE = {"false", "0", "0.0", "no", "n", "否", "未完成", "无", "f", ""}


def flag(values: pd.Series) -> pd.Series:
    """Yes/no attributes as staff write them (是/否, 1/0, True/False, 已完成): True, False or NA.

    Examples
    --------
    >>> flag(pd.Series(["是", "否", True, 0, None, "待定"])).tolist()
    [True, False, True, False, <NA>, <NA>]
    """
    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        text = str(v).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE and text != "":
            return False
        return pd.NA
    return values.map(one).astype("boolean")


def land_use_category(land_use: pd.Series, rules: RuleSet, categories: list[str]) -> pd.Series:
    """The first of ``categories`` whose codes (any of the three systems) ``land_use`` has.

    A code matches a listed code or any sub-level of it (100101 is under 1001, M1 under M).
    Returns the category, "" when the code is in none of them, NA when there is no code.

    Examples
    --------
    >>> rs = load_ruleset("standard_land")
    >>> land_use_category(pd.Series(["100102", "0604", "M0", "R2", None, 1001.0]), rs,
    ...                   ["industrial", "logistics"]).tolist()
    ['industrial', 'logistics', 'industrial', '', <NA>, 'industrial']
    """
    prefixes = {c: tuple(code.strip().upper() for s in LAND_USE_SYSTEMS
                         for code in rules.texts(f"land_use_codes.{c}.{s}", []) if code.strip())
                for c in categories}

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        text = str(v).strip().upper()
        text = text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text
        if not text:
            return pd.NA
        return next((c for c, p in prefixes.items() if p and text.startswith(p)), "")
    uniques = land_use.drop_duplicates()
    lookup = {u: one(u) for u in uniques}
    return land_use.map(lookup).astype("string")


def candidates(parcels: gpd.GeoDataFrame, rules: RuleSet) -> BoolArray:
    """Unsupplied parcels inside a zone: status in ``candidates.statuses`` and a zone id.

    Examples
    --------
    >>> p = gpd.GeoDataFrame({"status": ["E21", "A2", "B22", "E1"],
    ...                       "zone_id": ["Z", "Z", None, "Z"]}, geometry=[None] * 4)
    >>> candidates(p, load_ruleset("standard_land")).tolist()
    [True, False, False, True]
    """
    statuses = {s.strip().upper() for s in rules.texts("candidates.statuses")}
    status = parcels["status"].astype("string").str.strip().str.upper() \
        if "status" in parcels else pd.Series(pd.NA, index=parcels.index, dtype="string")
    zone = parcels["zone_id"] if "zone_id" in parcels else pd.Series(pd.NA, index=parcels.index)
    has_zone = zone.notna() & (zone.astype("string").str.strip() != "")
    return np.asarray(status.isin(statuses).fillna(False) & has_zone.fillna(False), dtype=bool)


class Outcome:
    """One condition's outcome per parcel, with its reasons, built up check by check."""

    _rank: ClassVar[dict[str, int]] = {o: i for i, o in enumerate(OUTCOMES[:3])}

    def __init__(self, n: int) -> None:
        self.status = np.full(n, "pass", dtype=object)
        # (reason, its outcome) per parcel: a failed condition may also carry conditions.
        self.reasons: list[list[tuple[str, str]]] = [[] for _ in range(n)]

    def mark(self, where: BoolArray | pd.Series, outcome: str, reason: str) -> None:
        """Set ``outcome`` (unless a worse one is set) and add ``reason`` where ``where``.

        Worst first: fail, then unverified (cannot be called ready), conditional, pass.
        """
        for i in np.flatnonzero(np.asarray(where, dtype=bool)):
            current = self.status[i]
            if outcome == "unverified":
                if current != "fail":
                    self.status[i] = "unverified"
            elif current == "unverified":
                if outcome == "fail":
                    self.status[i] = "fail"
            elif self._rank[outcome] > self._rank[current]:
                self.status[i] = outcome
            self.reasons[i].append((reason, outcome))


def spatial_conflicts(parcels: gpd.GeoDataFrame, redlines: gpd.GeoDataFrame | None,
                      farmland: gpd.GeoDataFrame | None, dev_boundary: gpd.GeoDataFrame | None
                      ) -> pd.DataFrame:
    """Area (m², ellipsoidal) of each parcel in the red line, in farmland, outside the boundary.

    NaN where the layer is absent (the condition cannot be checked).

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame(geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> red = gpd.GeoDataFrame(geometry=[box(500090, 3400000, 500200, 3400100)], crs=4544)
    >>> dev = gpd.GeoDataFrame(geometry=[box(499000, 3399000, 500050, 3401000)], crs=4544)
    >>> spatial_conflicts(p, red, None, dev).round(0).values.tolist()
    [[1000.0, nan, 5000.0]]
    """
    n = len(parcels)
    out = pd.DataFrame(index=parcels.index)
    geoms = parcels.geometry
    # The parcels' bounds, once for every layer (at 1M parcels each pass read them three
    # times).
    bounds = shapely.bounds(np.asarray(geoms.values))
    # The layers' passes run side by side: each spends much of its time in single-threaded
    # steps (edge tables, its tree, the unions), so two at once keep both cores busy
    # (1M parcels: 14.6–20.2 s one after the other, 11.8–12.9 s side by side; same bits).
    # The areal scale (one per parcel for every layer) is computed beside them too: a pass
    # needs it only once its pieces are measured (at 1M it was ~0.7 s before any pass began).
    # A worker per task: a pass waiting for the scale must not hold the worker it needs.
    with ThreadPoolExecutor(4, thread_name_prefix="gaoxin-conflicts") as pool:
        scale = pool.submit(areal_scale_factors, geoms, bounds) if n else None
        factors = None if scale is None else scale.result
        inside = {
            col: pool.submit(area_inside, geoms, layer.geometry, factors=factors,
                             a_bounds=bounds)
            for col, layer in (("redline_m2", redlines), ("farmland_m2", farmland),
                               ("boundary_m2", dev_boundary))
            if layer is not None and len(layer) and n
        }
        for col, layer in (("redline_m2", redlines), ("farmland_m2", farmland)):
            out[col] = (np.nan if layer is None else
                        inside[col].result().to_numpy() if col in inside else 0.0)
        if dev_boundary is None:
            out["outside_boundary_m2"] = np.nan
        else:
            total = (ellipsoidal_area(geoms, factors=scale.result()).to_numpy()
                     if scale is not None else np.zeros(0))
            within = (inside["boundary_m2"].result().to_numpy() if "boundary_m2" in inside
                      else np.zeros(n))
            out["outside_boundary_m2"] = np.maximum(total - within, 0.0)
    return out


def shape_measures(geoms: gpd.GeoSeries, min_width_m: float) -> pd.DataFrame:
    """Size and shape of each parcel, as an industrial plant needs it.

    ``area_mu`` (ellipsoidal); ``compactness`` = 4πA/P² (1 for a circle, 0.785 a square);
    ``inscribed_width_m``, the diameter of the largest circle inside the parcel (its widest
    point); ``usable_share``, the share of the parcel lying in parts at least ``min_width_m``
    wide: its morphological opening (shrunk by half the width, grown back) over its area.
    A 40 m wide strip has usable share 1 at 40 m and 0 at 41 m; a square with a long 10 m
    wide tail keeps only the square.

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoSeries([box(500000, 3400000, 500100, 3400100),
    ...                    box(500000, 3400000, 500400, 3400020)], crs=4544)
    >>> m = shape_measures(g, 40.0)
    >>> m["compactness"].round(3).tolist(), m["inscribed_width_m"].round(0).tolist()
    ([0.785, 0.142], [100.0, 20.0])
    >>> m["usable_share"].round(2).tolist()
    [1.0, 0.0]
    """
    geoms_arr = geoms.values
    planar = shapely.area(geoms_arr)
    perimeter = shapely.length(geoms_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        compactness = np.where(perimeter > 0, 4 * np.pi * planar / perimeter ** 2, np.nan)
    width = np.full(len(geoms_arr), np.nan)
    valid = ~shapely.is_empty(geoms_arr) & shapely.is_valid(geoms_arr)
    if valid.any():
        # The radius tolerance: 0.5 m is well below any width that matters for a plant.
        circles = shapely.maximum_inscribed_circle(geoms_arr[valid], 0.5)
        width[valid] = 2 * shapely.length(circles)
    half = min_width_m / 2.0
    # A small negative tolerance keeps a strip exactly min_width_m wide (rounding).
    opened = shapely.buffer(shapely.buffer(geoms_arr, -(half - 1e-6), quad_segs=4), half,
                            quad_segs=4, join_style="mitre")
    opened = shapely.intersection(opened, geoms_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        usable = np.where(planar > 0, shapely.area(opened) / planar, np.nan)
    return pd.DataFrame({"area_mu": ellipsoidal_area(geoms).to_numpy() / M2_PER_MU,
                         "compactness": compactness, "inscribed_width_m": width,
                         "usable_share": np.clip(usable, 0.0, 1.0)}, index=geoms.index)


def terrain_measures(geoms: gpd.GeoSeries, dem: Raster, steep_deg: float) -> pd.DataFrame:
    """Mean slope (°) and share of area steeper than ``steep_deg`` of each parcel.

    Cells are weighted by the share of each cell the parcel covers (exactextract), so a
    parcel smaller than a cell still gets the slope of the cells it lies on. NaN where the
    parcel misses the DEM.

    Examples
    --------
    >>> from affine import Affine
    >>> from pyproj import CRS
    >>> from shapely import box
    >>> z = np.tile(np.arange(20.0) * 10, (20, 1))   # 45° everywhere inside
    >>> r = Raster(z, Affine(10, 0, 500000, 0, -10, 3400200), CRS.from_epsg(4544))
    >>> g = gpd.GeoSeries([box(500050, 3400050, 500150, 3400150)], crs=4544)
    >>> terrain_measures(g, r, 25.0).round(1).values.tolist()
    [[45.0, 1.0]]
    """
    # exactextract ships no type information.
    from exactextract import exact_extract  # type: ignore[import-untyped]
    from exactextract.raster import NumPyRasterSource  # type: ignore[import-untyped]

    from .terrain import slope_degrees

    out = pd.DataFrame({"mean_slope_deg": np.nan, "steep_share": np.nan}, index=geoms.index)
    if dem.values.size == 0 or len(geoms) == 0:
        return out
    slope = slope_degrees(dem)
    rows, cols = slope.shape
    t = dem.transform
    xmin, ymax = t.c, t.f
    xmax, ymin = xmin + cols * t.a, ymax + rows * t.e
    wkt = dem.crs.to_wkt()
    steep = np.where(np.isnan(slope), np.nan, (slope > steep_deg).astype(float))
    sources = [NumPyRasterSource(np.ma.masked_invalid(a), xmin, ymin, xmax, ymax, name=name,
                                 srs_wkt=wkt) for a, name in ((slope, "slope"),
                                                              (steep, "steep"))]
    frame = gpd.GeoDataFrame({"row": np.arange(len(geoms))},
                             geometry=geoms.to_crs(dem.crs).values, crs=dem.crs)
    stats = exact_extract(sources, frame, ["mean"], include_cols=["row"], output="pandas")
    stats = stats.set_index("row").reindex(np.arange(len(geoms)))
    out["mean_slope_deg"] = stats["slope_mean"].to_numpy(dtype=float)
    out["steep_share"] = stats["steep_mean"].to_numpy(dtype=float)
    return out


def road_distance(geoms: gpd.GeoSeries, roads: gpd.GeoDataFrame) -> FloatArray:
    """Distance (m, planar in the working CRS) from each parcel to the nearest road.

    Examples
    --------
    >>> from shapely import box, LineString
    >>> g = gpd.GeoSeries([box(0, 0, 10, 10), box(0, 100, 10, 110)], crs=4544)
    >>> r = gpd.GeoDataFrame(geometry=[LineString([(0, 20), (10, 20)])], crs=4544)
    >>> road_distance(g, r).tolist()
    [10.0, 80.0]
    """
    if len(roads) == 0:
        return np.full(len(geoms), np.inf)
    a_pos, b_pos = roads.sindex.nearest(geoms.values, return_all=False)
    dist = np.full(len(geoms), np.inf)
    dist[a_pos] = shapely.distance(geoms.values[a_pos], roads.geometry.values[b_pos])
    return dist


_SPLIT = re.compile(r"[,,、;;/|\s]+")
_LIST_SEPARATOR = "、"


def assessment_coverage(geoms: gpd.GeoSeries, assessments: gpd.GeoDataFrame,
                        required: list[str]) -> pd.DataFrame:
    """Share of each parcel covered by completed assessments of each required type.

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoSeries([box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> a = gpd.GeoDataFrame({"assessment_type": ["规划环评", "洪水影响评价"]}, crs=4544,
    ...     geometry=[box(499000, 3399000, 501000, 3401000), box(500000, 3400000, 500050, 3400100)])
    >>> assessment_coverage(g, a, ["规划环评", "洪水影响评价", "节能评价"]).round(2).values.tolist()
    [[1.0, 0.5, 0.0]]
    """
    total = ellipsoidal_area(geoms).to_numpy()
    out = pd.DataFrame(index=geoms.index)
    kinds = assessments["assessment_type"].astype("string").str.strip()
    for kind in required:
        layer = assessments[(kinds == kind).fillna(False).to_numpy()]
        if len(layer) == 0 or len(geoms) == 0:
            out[kind] = 0.0
            continue
        inside = area_inside(geoms, layer.geometry).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            out[kind] = np.where(total > 0, np.minimum(inside / total, 1.0), 0.0)
    return out


def _done_by_attribute(parcels: pd.DataFrame, required: list[str]) -> pd.DataFrame | None:
    """Assessments done per parcel from attributes: ``assessments_done`` lists the types done;
    ``regional_assessment`` = yes means all of them. None when the parcels carry neither."""
    has_list = "assessments_done" in parcels
    has_flag = "regional_assessment" in parcels
    if not (has_list or has_flag):
        return None
    out = pd.DataFrame(False, index=parcels.index, columns=required, dtype="boolean")
    known = pd.Series(False, index=parcels.index)
    if has_list:
        listed = parcels["assessments_done"]
        sets = listed.map(lambda v: set() if v is None or (isinstance(v, float) and np.isnan(v))
                          else {s for s in _SPLIT.split(str(v)) if s})
        for kind in required:
            out[kind] = sets.map(lambda s, k=kind: k in s).astype("boolean")
        known |= listed.notna()
    if has_flag:
        every = flag(parcels["regional_assessment"])
        all_done = every.fillna(False).to_numpy(dtype=bool)
        out.loc[all_done, :] = True
        known |= every.notna()
    out.loc[~known.to_numpy(), :] = pd.NA
    return out


def _number(parcels: pd.DataFrame, col: str) -> FloatArray:
    if col not in parcels:
        return np.full(len(parcels), np.nan)
    return pd.to_numeric(parcels[col], errors="coerce").to_numpy(dtype=float)


def _present(parcels: pd.DataFrame, col: str) -> BoolArray:
    if col not in parcels:
        return np.zeros(len(parcels), dtype=bool)
    values = parcels[col]
    text = values.astype("string").str.strip()
    return np.asarray(values.notna() & (text != "").fillna(False) & (text != "/").fillna(False),
                      dtype=bool)


def _servicing_rank(values: pd.Series) -> FloatArray:
    ranks = {name: i for i, name in enumerate(SERVICING_LEVELS)}
    return values.map(lambda v: ranks.get(str(v).strip(), np.nan) if pd.notna(v) else np.nan
                      ).to_numpy(dtype=float)


@dataclass
class Layers:
    """The layers the conditions read; None where the workspace has none."""

    redlines: gpd.GeoDataFrame | None = None
    farmland: gpd.GeoDataFrame | None = None
    dev_boundary: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    assessments: gpd.GeoDataFrame | None = None
    dem: Raster | None = None
    road_parcels: gpd.GeoDataFrame | None = None  # parcels planned as roads (any code system)


def evaluate(parcels: gpd.GeoDataFrame, layers: Layers, rules: RuleSet) -> pd.DataFrame:
    """Every condition for every parcel of ``parcels`` (the candidates): measures, outcomes,
    reasons and the readiness.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1"], "land_use": ["M1"], "servicing": ["七通一平"],
    ...     "acquisition_done": ["是"], "ownership_dispute": ["否"], "regional_assessment": ["是"],
    ...     "investment_intensity": [200.0], "tax_per_mu": [10.0], "planned_far_min": [1.2],
    ...     "output_intensity": [300.0], "environment": ["达标"], "rd_intensity_pct": [2.0]},
    ...     geometry=[box(500000, 3400000, 500150, 3400150)], crs=4544)
    >>> r = evaluate(p, Layers(), load_ruleset("standard_land"))
    >>> r[["cond_spatial", "cond_use", "cond_shape", "cond_servicing", "cond_acquisition",
    ...    "cond_indicators"]].values.tolist()
    [['unverified', 'pass', 'pass', 'unverified', 'pass', 'pass']]
    >>> r["readiness"].tolist(), r["reasons"].tolist()[0][:2]
    (['conditional'], ['unverified:redlines', 'unverified:farmland'])
    """
    n = len(parcels)
    geoms = parcels.geometry
    cond = {c: Outcome(n) for c in CONDITIONS}
    out = pd.DataFrame(index=parcels.index)

    # 1 spatial conflicts
    tol = rules.number("spatial.tolerance_m2")
    conflicts = spatial_conflicts(parcels, layers.redlines, layers.farmland, layers.dev_boundary)
    for col, layer, rule, reason in (
            ("redline_m2", "redlines", "spatial.max_redline_overlap_m2", "redline"),
            ("farmland_m2", "farmland", "spatial.max_farmland_overlap_m2", "farmland"),
            ("outside_boundary_m2", "dev_boundary", "spatial.max_outside_dev_boundary_m2",
             "outside_boundary")):
        m2 = conflicts[col].to_numpy()
        cond["spatial"].mark(np.isnan(m2), "unverified", f"unverified:{layer}")
        cond["spatial"].mark(m2 > max(rules.number(rule), tol), "fail", reason)
        out[col.replace("_m2", "_mu")] = m2 / M2_PER_MU

    # 2 planned use
    allowed = rules.texts("use.categories")
    category = (land_use_category(parcels["land_use"], rules, allowed) if "land_use" in parcels
                else pd.Series(pd.NA, index=parcels.index, dtype="string"))
    out["use_category"] = category
    cond["use"].mark(category.isna().to_numpy(), "unverified", "unverified:land_use")
    cond["use"].mark((category == "").fillna(False).to_numpy(), "fail", "use_not_allowed")

    # 3 shape and size
    shape = shape_measures(geoms, rules.number("shape.min_width_m"))
    out = out.join(shape)
    area = shape["area_mu"].to_numpy()
    cond["shape"].mark(area < rules.number("shape.min_area_mu"), "fail", "area_small")
    cond["shape"].mark(area > rules.number("shape.max_area_mu"), "fail", "area_large")
    cond["shape"].mark(shape["compactness"].to_numpy() < rules.number("shape.min_compactness"),
                       "conditional", "irregular")
    cond["shape"].mark(shape["usable_share"].to_numpy() < rules.number("shape.min_usable_share"),
                       "conditional", "narrow")

    # 4 terrain
    if layers.dem is None:
        out["mean_slope_deg"] = np.nan
        out["steep_share"] = np.nan
    else:
        out = out.join(terrain_measures(geoms, layers.dem, rules.number("terrain.steep_slope_deg")))
    slope = out["mean_slope_deg"].to_numpy()
    cond["terrain"].mark(np.isnan(slope), "unverified",
                         "unverified:dem" if layers.dem is None else "unverified:dem_extent")
    cond["terrain"].mark(slope > rules.number("terrain.max_mean_slope_deg"), "fail", "slope")
    cond["terrain"].mark(out["steep_share"].to_numpy() > rules.number("terrain.max_steep_share"),
                         "conditional", "steep_share")

    # 5 site servicing
    need = SERVICING_LEVELS.index(rules.text("servicing.level"))
    level = (_servicing_rank(parcels["servicing"]) if "servicing" in parcels
             else np.full(n, np.nan))
    out["servicing_level"] = (parcels["servicing"].astype("string") if "servicing" in parcels
                              else pd.Series(pd.NA, index=parcels.index, dtype="string"))
    cond["servicing"].mark(np.isnan(level), "unverified", "unverified:servicing")
    cond["servicing"].mark(level < 1, "fail", "not_levelled")
    cond["servicing"].mark((level >= 1) & (level < need), "conditional", "servicing_below")
    road_parcels = layers.road_parcels
    if layers.roads is None and road_parcels is None:
        out["road_distance_m"] = np.nan
        cond["servicing"].mark(np.ones(n, dtype=bool), "unverified", "unverified:roads")
    else:
        # Road access: the nearest road centre line, or a road parcel (street strips are
        # often parcels of their own, not in the roads layer).
        dist = np.full(n, np.inf)
        for road_layer in (layers.roads, road_parcels):
            if road_layer is not None:
                dist = np.minimum(dist, road_distance(geoms, road_layer))
        out["road_distance_m"] = np.where(np.isinf(dist), np.nan, dist)
        cond["servicing"].mark(dist > rules.number("servicing.max_road_distance_m"), "fail",
                               "no_road")

    # 6 regional assessments: from the assessments layer where there is one, else attributes
    required = rules.texts("assessments.required")
    missing: list[list[str]] = [[] for _ in range(n)]
    done: pd.DataFrame | None
    if layers.assessments is not None:
        cover = assessment_coverage(geoms, layers.assessments, required)
        done = (cover >= rules.number("assessments.min_cover_share")).astype("boolean")
        source = "layer"
    else:
        done = _done_by_attribute(parcels, required)
        source = "attributes" if done is not None else "none"
    if done is None:
        cond["assessment"].mark(np.ones(n, dtype=bool), "unverified", "unverified:assessments")
    else:
        for kind in required:
            done_kind = done[kind]
            unknown = done_kind.isna().to_numpy(dtype=bool)
            not_done = ~done_kind.fillna(True).to_numpy(dtype=bool)
            cond["assessment"].mark(unknown, "unverified", "unverified:assessments")
            cond["assessment"].mark(not_done, "fail", f"assessment:{kind}")
            for i in np.flatnonzero(not_done):
                missing[i].append(kind)
    out["assessments_missing"] = [_LIST_SEPARATOR.join(m) for m in missing]
    out["assessment_source"] = source

    # 7 acquisition and ownership
    acquired = (flag(parcels["acquisition_done"]) if "acquisition_done" in parcels
                else pd.Series(pd.NA, index=parcels.index, dtype="boolean"))
    cond["acquisition"].mark(acquired.isna().to_numpy(), "unverified", "unverified:acquisition")
    cond["acquisition"].mark((~acquired).fillna(False).to_numpy(dtype=bool), "fail",
                             "not_acquired")
    if "ownership_dispute" in parcels:
        dispute = flag(parcels["ownership_dispute"])
        cond["acquisition"].mark(dispute.fillna(False).to_numpy(dtype=bool), "fail", "dispute")
        cond["acquisition"].mark(dispute.isna().to_numpy(), "unverified", "unverified:dispute")

    # 8 indicator package
    case_by_case = (flag(parcels["case_by_case"]).fillna(False).to_numpy(dtype=bool)
                    if "case_by_case" in parcels else np.zeros(n, dtype=bool))
    for field, floor_rule in PACKAGE.items():
        cond["indicators"].mark(~_present(parcels, field), "fail", f"package_missing:{field}")
        if floor_rule is None or (floor := rules.optional_number(floor_rule)) is None:
            continue
        below = _number(parcels, field) < floor
        cond["indicators"].mark(below & ~case_by_case, "fail", f"package_below:{field}")
        cond["indicators"].mark(below & case_by_case, "conditional", f"case_by_case:{field}")

    for c in CONDITIONS:
        out[f"cond_{c}"] = cond[c].status
    status = out[[f"cond_{c}" for c in CONDITIONS]].to_numpy()
    blocked = (status == "fail").any(axis=1)
    ready = (status == "pass").all(axis=1)
    out["readiness"] = np.where(blocked, "blocked", np.where(ready, "ready", "conditional"))
    out["reasons"] = [[r for c in CONDITIONS for r, _ in cond[c].reasons[i]] for i in range(n)]
    out["blocking"] = [[r for c in CONDITIONS for r, o in cond[c].reasons[i] if o == "fail"]
                       for i in range(n)]
    return out


class ZoneReadiness(TypedDict):
    candidates: int
    candidates_mu: float
    ready: int
    ready_mu: float
    conditional: int
    conditional_mu: float
    blocked: int
    blocked_mu: float


class Unlock(TypedDict):
    reason: str
    blocks: int  # parcels this reason blocks (among others)
    blocks_mu: float
    only: int  # parcels this reason alone blocks: fixing it unblocks them
    only_mu: float


def zone_readiness(result: pd.DataFrame, by: str = "zone_id") -> dict[str, ZoneReadiness]:
    """Candidates, ready, conditional and blocked per zone, in count and 亩.

    Examples
    --------
    >>> r = pd.DataFrame({"zone_id": ["Z", "Z", "Y"], "readiness": ["ready", "blocked", "ready"],
    ...                   "area_mu": [10.0, 5.0, 2.0]})
    >>> zone_readiness(r)["Z"]["blocked_mu"], zone_readiness(r)["Y"]["candidates"]
    (5.0, 1)
    """
    frame = pd.DataFrame({"zone": result[by].astype(str).to_numpy(),
                          "readiness": result["readiness"].to_numpy(),
                          "mu": result["area_mu"].to_numpy(dtype=float)})
    counts = pd.crosstab(frame["zone"], frame["readiness"]).reindex(columns=list(READINESS),
                                                                    fill_value=0)
    areas = frame.pivot_table(index="zone", columns="readiness", values="mu", aggfunc="sum",
                              fill_value=0.0).reindex(columns=list(READINESS), fill_value=0.0)
    out: dict[str, ZoneReadiness] = {}
    for zone in counts.index:
        row: dict[str, float | int] = {"candidates": int(counts.loc[zone].sum()),
                                       "candidates_mu": round(float(areas.loc[zone].sum()), 2)}
        for status in READINESS:
            row[status] = int(counts.loc[zone, status])
            row[f"{status}_mu"] = round(float(areas.loc[zone, status]), 2)
        out[str(zone)] = ZoneReadiness(**row)  # type: ignore[typeddict-item]
    return out


def unlock_ranking(result: pd.DataFrame) -> list[Unlock]:
    """Blocking reasons ranked by the land that fixing each alone would unblock (亩), then by
    the land each blocks at all.

    Examples
    --------
    >>> r = pd.DataFrame({"blocking": [["a"], ["a", "b"], ["b"], []],
    ...                   "area_mu": [10.0, 5.0, 1.0, 7.0]})
    >>> [(u["reason"], u["only_mu"], u["blocks_mu"]) for u in unlock_ranking(r)]
    [('a', 10.0, 15.0), ('b', 1.0, 6.0)]
    """
    rows: dict[str, dict[str, float]] = {}
    for reasons, mu in zip(result["blocking"], result["area_mu"], strict=True):
        for reason in dict.fromkeys(reasons):
            r = rows.setdefault(reason, {"blocks": 0, "blocks_mu": 0.0, "only": 0,
                                         "only_mu": 0.0})
            r["blocks"] += 1
            r["blocks_mu"] += float(mu)
            if len(set(reasons)) == 1:
                r["only"] += 1
                r["only_mu"] += float(mu)
    ranked = sorted(rows.items(), key=lambda kv: (-kv[1]["only_mu"], -kv[1]["blocks_mu"], kv[0]))
    return [Unlock(reason=k, blocks=int(v["blocks"]), blocks_mu=round(v["blocks_mu"], 2),
                   only=int(v["only"]), only_mu=round(v["only_mu"], 2)) for k, v in ranked]


class StandardLandSummary(ZoneReadiness):
    """The counts and 亩 of :class:`ZoneReadiness` for all zones, and more."""

    parcels: int
    conditions: dict[str, dict[str, int]]
    unverified: dict[str, int]
    unlock: list[Unlock]
    zones: dict[str, ZoneReadiness]
    servicing_level: str
    assessment_source: str


@dataclass
class StandardLandResult:
    """Candidates with every condition (``parcels``) and the summary."""

    parcels: gpd.GeoDataFrame
    summary: StandardLandSummary


_KEEP = ("parcel_id", "name", "zone_id", "status", "land_use", "planned_far_min",
         "planned_far_max", "investment_intensity", "tax_per_mu", "output_intensity",
         "environment", "rd_intensity_pct", "case_by_case")


def run(parcels: gpd.GeoDataFrame, layers: Layers | None = None,
        rules: RuleSet | None = None, *,
        per_parcel: Callable[[gpd.GeoDataFrame, Layers, RuleSet], pd.DataFrame] | None = None
        ) -> StandardLandResult:
    """标准地 readiness of every unsupplied parcel in a zone.

    Parameters
    ----------
    parcels
        Canonical parcels (``parcel_id``, ``zone_id``, ``status``, ``land_use`` and the
        readiness and indicator-package fields where known) in a projected working CRS.
    layers
        The 三区三线, roads, completed regional assessments and DEM, same CRS.
    rules
        The ``standard_land`` rule set (default: the packaged one).
    per_parcel
        What computes :func:`evaluate` of the candidates (default: that function here); a
        cluster run passes one that runs it zone by zone on workers.

    Returns
    -------
    StandardLandResult
        One row per candidate parcel (every condition's outcome and measures, the reasons,
        the readiness) and the summary: counts and 亩 per readiness, per zone, and the
        blocking reasons ranked by the land fixing each alone would unblock.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1", "P2", "P3"], "zone_id": "Z",
    ...     "status": ["E21", "E21", "A2"], "land_use": ["M1", "R2", "M1"]}, crs=4544,
    ...     geometry=[box(500000, 3400000, 500150, 3400150), box(500200, 3400000, 500350,
    ...               3400150), box(500400, 3400000, 500550, 3400150)])
    >>> r = run(p)
    >>> r.summary["candidates"], r.summary["blocked"], r.summary["conditional"]
    (2, 2, 0)
    >>> r.parcels.set_index("parcel_id").loc["P2", "cond_use"]
    'fail'
    """
    rules = rules or load_ruleset("standard_land")
    layers = layers or Layers()
    if layers.road_parcels is None and "land_use" in parcels:
        roads = (land_use_category(parcels["land_use"], rules, ["roads"]) == "roads").fillna(False)
        if roads.any():
            layers = replace(layers, road_parcels=parcels[roads.to_numpy(dtype=bool)])
    is_candidate = candidates(parcels, rules)
    cand = parcels[is_candidate]
    result = (per_parcel or evaluate)(cand, layers, rules)
    keep = [c for c in _KEEP if c in cand.columns]
    frame = gpd.GeoDataFrame(pd.concat([cand[keep], result], axis=1), geometry=cand.geometry,
                             crs=parcels.crs)
    summary_rows: dict[str, float | int] = {
        "candidates": len(frame), "candidates_mu": round(float(frame["area_mu"].sum()), 2)}
    readiness, area_mu = frame["readiness"].to_numpy(), frame["area_mu"].to_numpy(dtype=float)
    for status in READINESS:
        summary_rows[status] = int((readiness == status).sum())
        summary_rows[f"{status}_mu"] = round(float(area_mu[readiness == status].sum()), 2)
    unverified: dict[str, int] = {}
    for reasons in frame["reasons"]:
        for r in dict.fromkeys(reasons):
            if r.startswith("unverified:"):
                unverified[r.split(":", 1)[1]] = unverified.get(r.split(":", 1)[1], 0) + 1
    summary = StandardLandSummary(
        parcels=len(parcels), **summary_rows,  # type: ignore[typeddict-item]
        conditions={c: {o: int((frame[f"cond_{c}"] == o).sum()) for o in OUTCOMES}
                    for c in CONDITIONS},
        unverified=unverified, unlock=unlock_ranking(frame),
        zones=zone_readiness(frame) if "zone_id" in frame else {},
        servicing_level=rules.text("servicing.level"),
        assessment_source=str(frame["assessment_source"].iloc[0]) if len(frame) else "none")
    return StandardLandResult(frame, summary)
