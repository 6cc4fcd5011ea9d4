"""Floor area and plot ratio (容积率), per building and per parcel.

Floor area = footprint × counted floors. Floors come from ``floors``; when missing, from
``height`` ÷ storey height. A storey higher than 8 m counts double (工业项目建设用地控制指标,
domain.md §2.1), so a 10 m single-storey workshop counts as 2 floors. A building straddling
parcels is split between them by footprint area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from ..errors import InputError
from ..geo.area import areal_scale_factors, ellipsoidal_area
from ..geo.arrays import BoolArray, FloatArray
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
    double_above = rules.number("floor_area.double_storey_height_m")
    default_storey = rules.number("floor_area.default_storey_height_m")
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


def _column(frame: pd.DataFrame, name: str, n: int) -> FloatArray:
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


_SHARED_SCALE_MAX_M = 500.0


def _piece_areas(pieces: pd.DataFrame, parcels: gpd.GeoDataFrame,
                 buildings: gpd.GeoDataFrame, factors: FloatArray | None) -> FloatArray:
    """Ellipsoidal areas of building pieces from their planar areas.

    A piece lies inside its parcel and inside its building, so the areal scale of whichever
    of the two is under 500 m is the piece's to ~2e-6 at worst (a Gauss-Krüger zone edge):
    millions of pieces need no geometry and no factor of their own. A piece of a large
    building on a large parcel is cut out and measured itself. Without factors (a CRS where
    planar areas mean nothing) every piece is cut out.
    """
    planar = pieces["planar_m2"].to_numpy()
    a_pos, b_pos = pieces["a_pos"].to_numpy(), pieces["b_pos"].to_numpy()
    out = np.full(len(pieces), np.nan)
    if factors is not None and len(pieces):
        p_geoms = np.asarray(parcels.geometry.values)
        pb = shapely.bounds(p_geoms)
        small = np.fmax(pb[:, 2] - pb[:, 0], pb[:, 3] - pb[:, 1]) < _SHARED_SCALE_MAX_M
        by_parcel = small[b_pos]
        out[by_parcel] = planar[by_parcel] / factors[b_pos[by_parcel]]
        rest = np.flatnonzero(~by_parcel)
        if len(rest):
            b_geoms = np.asarray(buildings.geometry.values)
            own = np.unique(a_pos[rest])
            bb = shapely.bounds(b_geoms[own])
            fits = np.zeros(len(b_geoms), dtype=bool)
            fits[own] = np.fmax(bb[:, 2] - bb[:, 0], bb[:, 3] - bb[:, 1]) < _SHARED_SCALE_MAX_M
            b_factor = np.full(len(b_geoms), np.nan)
            # types-geopandas types GeoSeries.iloc as a plain Series; it is a GeoSeries.
            b_factor[own] = areal_scale_factors(
                buildings.geometry.iloc[own])  # type: ignore[arg-type]
            by_building = rest[fits[a_pos[rest]]]
            out[by_building] = planar[by_building] / b_factor[a_pos[by_building]]
    cut = np.flatnonzero(np.isnan(out))
    if len(cut):
        geoms = shapely.intersection(np.asarray(buildings.geometry.values)[a_pos[cut]],
                                     np.asarray(parcels.geometry.values)[b_pos[cut]])
        out[cut] = ellipsoidal_area(gpd.GeoSeries(geoms, crs=parcels.crs)).to_numpy()
    return out


def floor_area_by_parcel(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                         rules: RuleSet | None = None, *,
                         parcel_factors: FloatArray | None = None) -> pd.DataFrame:
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
    result = overlap(buildings.geometry, parcels.geometry, b_disjoint=True, geometries=False)
    pieces = result.pieces
    if parcel_factors is None:
        parcel_factors = areal_scale_factors(parcels.geometry)
    piece_area = _piece_areas(pieces, parcels, buildings, parcel_factors)
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


# ---------------------------------------------------------------- per parcel and per zone


def min_plot_ratio_table(rules: RuleSet | None = None) -> pd.DataFrame:
    """Every minimum plot ratio of the rule set, keyed by (standard, code version, code).

    Rows of standards whose values were not retrieved (2023 national, Sichuan 2024) are
    listed with ``far_min`` NaN, so a user sees what is missing rather than a guess.

    Examples
    --------
    >>> t = min_plot_ratio_table()
    >>> row = t[(t.standard == "MLR-2008") & (t.code == "40")].iloc[0]
    >>> row.code_version, float(row.far_min), row.confidence
    ('GB/T 4754-2002', 1.0, '🟡')
    >>> int(t[t.standard == "MNR-2023"].far_min.notna().sum())
    0
    """
    rules = rules or load_ruleset("plot_ratio")
    names = _industry_names()
    rows = []
    for key, rule in rules.rules.items():
        if not key.startswith("min_plot_ratio."):
            continue
        _, standard, version, code = key.split(".", 3)
        value = rule.value
        far_min = float(value) if isinstance(value, (int, float)) else np.nan
        rows.append({"standard": standard, "code_version": version, "code": code,
                     "industry": names.get((standard, version, code), ""),
                     "far_min": far_min, "confidence": rule.confidence, "source": rule.source,
                     "overridden": rule.overridden})
    return pd.DataFrame(rows, columns=["standard", "code_version", "code", "industry", "far_min",
                                       "confidence", "source", "overridden"])


def _industry_names() -> dict[tuple[str, str, str], str]:
    import tomllib
    from importlib import resources

    text = resources.files("gaoxin.analysis").joinpath("rules", "plot_ratio.toml").read_text(
        encoding="utf-8")
    table = tomllib.loads(text).get("min_plot_ratio", {})
    return {(s, v, c): str(leaf.get("industry", ""))
            for s, versions in table.items() for v, codes in versions.items()
            for c, leaf in codes.items()}


def normalise_code(code: object) -> str:
    """The two-digit 大类 of a GB/T 4754 industry code ('C3911', '3911', 39.0 → '39').

    Examples
    --------
    >>> [normalise_code(c) for c in ("C3911", "3911", 39.0, "39", None, "x")]
    ['39', '39', '39', '39', '', '']
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return ""
    text = str(code).strip().upper()
    if text.endswith(".0"):
        text = text[:-2]
    text = text.lstrip("ABCDEFGHIJKLMNOPQRST")  # 门类 letter prefix
    return text[:2] if len(text) >= 2 and text[:2].isdigit() else ""


def _standard_version(standard: str) -> str:
    return {"MLR-2008": "GB/T 4754-2002", "MNR-2023": "GB/T 4754-2017",
            "SC-2024": "GB/T 4754-2017"}.get(standard, "")


def min_plot_ratio(industry_code: pd.Series, industry_std: pd.Series,
                   rules: RuleSet | None = None, standard: str | None = None) -> pd.Series:
    """Minimum plot ratio for each (code, code version) under ``standard``; NaN when none.

    A code of another GB/T 4754 version than the standard's gets no minimum: the codes
    shifted between versions, so they are never matched by number alone.

    Examples
    --------
    >>> codes = pd.Series(["39", "3911", "39", "99"])
    >>> std = pd.Series(["GB/T 4754-2002", "GB/T 4754-2002", "GB/T 4754-2017", "GB/T 4754-2002"])
    >>> min_plot_ratio(codes, std).tolist()
    [0.7, 0.7, nan, nan]
    """
    rules = rules or load_ruleset("plot_ratio")
    standard = standard or rules.text("control.standard", "MLR-2008")
    table = min_plot_ratio_table(rules)
    table = table[table.standard == standard]
    lookup = {(r.code_version, r.code): r.far_min for r in table.itertuples()}
    # Few distinct codes and versions: look each up once, then index (millions of parcels).
    code_pos, code_uniq = pd.factorize(industry_code.astype(object), use_na_sentinel=False)
    std_pos, std_uniq = pd.factorize(industry_std.astype(object), use_na_sentinel=False)
    grid = np.array([[lookup.get((_version_label(v), normalise_code(c)), np.nan)
                      for c in code_uniq] for v in std_uniq], dtype=float).reshape(
        len(std_uniq), len(code_uniq))
    values = grid[std_pos, code_pos] if len(industry_code) else np.zeros(0)
    return pd.Series(values, index=industry_code.index, name="far_min", dtype=float)


def _map_unique(values: pd.Series, func: Callable[[object], object]
                ) -> npt.NDArray[np.object_]:
    """``values.map(func)`` computed once per distinct value."""
    pos, uniq = pd.factorize(values.astype(object), use_na_sentinel=False)
    mapped = np.array([func(u) for u in uniq], dtype=object)
    return mapped[pos] if len(values) else np.zeros(0, dtype=object)


def _missing(value: object) -> bool:
    """``pd.isna`` of one cell value, whatever its type."""
    # pandas-stubs list only known scalar types for isna; any cell value is accepted.
    return bool(pd.isna(value))  # type: ignore[call-overload]


def _version_label(value: object) -> str:
    text = "" if value is None or value != value else str(value)
    for year in ("2002", "2011", "2017"):
        if year in text:
            return f"GB/T 4754-{year}"
    return text.strip()


INDUSTRIAL_CODE_SYSTEMS = ("land_sea", "gbt_21010", "gb_50137")


def industrial_land_use_codes(rules: RuleSet | None = None) -> tuple[str, ...]:
    """The land-use codes (and parent codes) the rule set counts as industrial, all systems.

    Examples
    --------
    >>> industrial_land_use_codes()
    ('1001', '0601', '061', 'M')
    """
    rules = rules or load_ruleset("plot_ratio")
    return tuple(c.strip().upper() for system in INDUSTRIAL_CODE_SYSTEMS
                 for c in rules.texts(f"land_use_codes.industrial.{system}", []) if c.strip())


def _code_text(value: object) -> str:
    """A land-use code as text: '1001', 1001 and 1001.0 (read from a spreadsheet) → '1001'."""
    if _missing(value):
        return ""
    text = str(value).strip().upper()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


def is_industrial(parcels: pd.DataFrame, rules: RuleSet | None = None) -> pd.Series:
    """Industrial parcels: status code A2/H1/H2, or an industrial land-use code.

    Land-use codes come in three systems (用地用海分类 1001, GB/T 21010 0601, GB 50137 M);
    a code is industrial when it is one of the rule set's codes or a sub-level of one.

    Examples
    --------
    >>> p = pd.DataFrame({"status": ["A2", "A1", None, "D21", None, None, "B22"],
    ...                   "land_use": ["M1", "R2", "M2", "B1", "100101", "0601", 1001.0]})
    >>> is_industrial(p).tolist()
    [True, False, True, False, True, True, True]
    """
    rules = rules or load_ruleset("plot_ratio")
    codes = tuple(rules.texts("control.industrial_status_codes", ["A2"]))
    prefixes = industrial_land_use_codes(rules)
    out = np.zeros(len(parcels), dtype=bool)
    # Few distinct codes: test each once (string methods on 1M rows cost ~0.3 s).
    if "status" in parcels.columns:
        out |= _map_unique(parcels["status"], lambda v: not _missing(v) and str(
            v).strip().upper() in codes).astype(bool)
    if "land_use" in parcels.columns and prefixes:
        out |= _map_unique(parcels["land_use"], lambda v: _code_text(v).startswith(
            prefixes)).astype(bool)
    return pd.Series(out, index=parcels.index, name="industrial")


def plot_ratio(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
               rules: RuleSet | None = None) -> pd.DataFrame:
    """容积率 and 建筑系数 of each parcel, index kept.

    Columns: ``parcel_area_m2``, ``floor_area_m2`` (counted floors, 8 m rule, straddling
    buildings split by area), ``footprint_m2``, ``plot_ratio`` (NaN when a building on the
    parcel has neither floors nor height: it cannot be computed), ``plot_ratio_known`` (from
    the buildings whose floors are known: a lower bound), ``building_coverage`` (%),
    ``unknown_floors`` and ``computable``.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame(geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> b = gpd.GeoDataFrame({"floors": [2]}, geometry=[box(500010, 3400010, 500050, 3400060)],
    ...                      crs=4544)
    >>> r = plot_ratio(p, b)
    >>> round(float(r.plot_ratio.iloc[0]), 4), round(float(r.building_coverage.iloc[0]), 2)
    (0.4, 20.0)
    """
    factors = areal_scale_factors(parcels.geometry)  # once, for parcels and their pieces
    fa = floor_area_by_parcel(parcels, buildings, rules, parcel_factors=factors)
    area = ellipsoidal_area(parcels.geometry, factors=factors).to_numpy()
    out = pd.DataFrame(index=parcels.index)
    out["parcel_area_m2"] = area
    out["floor_area_m2"] = fa["floor_area_m2"].to_numpy()
    out["footprint_m2"] = fa["footprint_m2"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        known = np.where(area > 0, out["floor_area_m2"].to_numpy() / area, np.nan)
        coverage = np.where(area > 0, out["footprint_m2"].to_numpy() / area * 100.0, np.nan)
    out["unknown_floors"] = fa["unknown_floors"].to_numpy()
    out["computable"] = out["unknown_floors"].to_numpy() == 0
    out["plot_ratio"] = np.where(out["computable"].to_numpy(), known, np.nan)
    out["plot_ratio_known"] = known
    out["building_coverage"] = coverage
    return out


def admin_share(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                rules: RuleSet | None = None) -> pd.Series:
    """行政办公及生活服务设施 share (%) of each parcel, apportioned by floor area.

    The 2008 rule measures it as a share of land; when that land cannot be separated it is
    apportioned by those buildings' share of the total floor area (domain.md §2.1), which is
    what a building layer allows. Buildings count as administrative when their ``use``
    column contains a configured keyword (办公, 宿舍, 食堂 …). NaN where buildings have no
    ``use`` column or the parcel has no floor area.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame(geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> b = gpd.GeoDataFrame({"floors": [1, 1], "use": ["厂房", "办公楼"]},
    ...     geometry=[box(500000, 3400000, 500090, 3400050), box(500000, 3400060, 500010,
    ...               3400070)], crs=4544)
    >>> round(float(admin_share(p, b).iloc[0]), 2)   # 100 m² of 4,600 m²
    2.17
    """
    rules = rules or load_ruleset("plot_ratio")
    if "use" not in buildings.columns or not len(buildings):
        return pd.Series(np.nan, index=parcels.index, name="admin_share")
    words = rules.texts("control.admin_use_keywords", [])
    use = buildings["use"].astype(object).where(buildings["use"].notna(), "").astype(str)
    admin = use.str.contains("|".join(map(_escape, words)), case=False, regex=True)
    total = floor_area_by_parcel(parcels, buildings, rules)["floor_area_m2"]
    part = (floor_area_by_parcel(parcels, buildings[admin.to_numpy()], rules)["floor_area_m2"]
            if admin.any() else total * 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, part / total * 100.0, np.nan)
    return pd.Series(share, index=parcels.index, name="admin_share")


def _escape(word: str) -> str:
    import re

    return re.escape(word)


def parcel_industry(parcels: pd.DataFrame, enterprises: pd.DataFrame | None) -> pd.DataFrame:
    """Industry code and code version of each parcel: those of its largest firm by revenue.

    Examples
    --------
    >>> p = pd.DataFrame({"parcel_id": ["P1", "P2"]})
    >>> e = pd.DataFrame({"parcel_id": ["P1", "P1"], "industry_code": ["40", "34"],
    ...                   "industry_std": ["GB/T 4754-2002"] * 2, "revenue": [10.0, 90.0]})
    >>> parcel_industry(p, e).industry_code.tolist()
    ['34', '']
    """
    out = pd.DataFrame({"industry_code": "", "industry_std": ""}, index=parcels.index)
    if enterprises is None or not len(enterprises) or "parcel_id" not in parcels.columns:
        return out
    e = enterprises.copy()
    revenue = e["revenue"] if "revenue" in e.columns else pd.Series(0.0, index=e.index)
    e["revenue"] = pd.to_numeric(revenue, errors="coerce").fillna(0.0)
    for col in ("industry_code", "industry_std"):
        if col not in e.columns:
            e[col] = ""
    main = (e.sort_values("revenue", ascending=False, kind="stable")
             .drop_duplicates("parcel_id").set_index("parcel_id"))
    pid = parcels["parcel_id"]
    out["industry_code"] = pid.map(main["industry_code"]).fillna("").astype(str).to_numpy()
    out["industry_std"] = pid.map(main["industry_std"]).fillna("").astype(str).to_numpy()
    return out


def industrial_control(parcels: gpd.GeoDataFrame, result: pd.DataFrame,
                       enterprises: pd.DataFrame | None = None,
                       rules: RuleSet | None = None,
                       admin: pd.Series | None = None) -> pd.DataFrame:
    """Compare industrial parcels with the 工业项目建设用地控制指标.

    ``result`` is :func:`plot_ratio`'s frame. Adds ``industrial``, ``industry_code``,
    ``industry_std``, ``far_min``, ``admin_share`` and, for each check of :data:`CHECKS`, a
    status (``far_status``: ``pass``, ``fail`` or ``not_comparable``; empty on a parcel that
    is not industrial) and the reason a parcel could not be compared (``far_reason``, one of
    :data:`REASONS`). ``far_ok`` (容积率 ≥ minimum), ``coefficient_ok`` (建筑系数 ≥ 30 %) and
    ``admin_ok`` (≤ 7 %) say the same as booleans, NA where the check could not be made.

    Unbuilt land (status codes ``status.unbuilt_codes``) is not compared: 0 % coverage on
    a parcel nobody has built on yet is not a failure. A parcel with a built status and no
    building at all is not compared either: it is a data problem.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1"], "status": ["A2"]},
    ...     geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> b = gpd.GeoDataFrame({"floors": [2]}, geometry=[box(500010, 3400010, 500050, 3400060)],
    ...                      crs=4544)
    >>> e = pd.DataFrame({"parcel_id": ["P1"], "industry_code": ["40"],
    ...                   "industry_std": ["GB/T 4754-2002"], "revenue": [1.0]})
    >>> c = industrial_control(p, plot_ratio(p, b), e)
    >>> float(c.far_min.iloc[0]), bool(c.far_ok.iloc[0]), bool(c.coefficient_ok.iloc[0])
    (1.0, False, False)
    >>> c.admin_status.iloc[0], c.admin_reason.iloc[0]
    ('not_comparable', 'no_building_use')
    """
    rules = rules or load_ruleset("plot_ratio")
    out = pd.DataFrame(index=parcels.index)
    industrial = is_industrial(parcels, rules).to_numpy()
    out["industrial"] = industrial
    ind = parcel_industry(parcels, enterprises)
    out["industry_code"] = _map_unique(ind["industry_code"], normalise_code)
    out["industry_std"] = _map_unique(ind["industry_std"], _version_label)
    far_min = min_plot_ratio(ind["industry_code"], ind["industry_std"], rules)
    out["far_min"] = far_min.where(industrial).to_numpy()
    far = result["plot_ratio"].to_numpy()
    coverage = result["building_coverage"].to_numpy()
    coef_min = rules.number("control.building_coefficient_min_pct", 30.0)
    admin_max = rules.number("control.admin_share_max_pct", 7.0)
    share = (admin if admin is not None
             else pd.Series(np.nan, index=parcels.index)).reindex(parcels.index).to_numpy()
    out["admin_share"] = np.where(industrial, share, np.nan)

    built, unbuilt = _built_status(parcels, rules)
    area = result["parcel_area_m2"].to_numpy()
    no_buildings = ~(result["footprint_m2"].to_numpy() > 0)
    # Reasons in order of precedence: the first that holds is the parcel's.
    land = [("no_parcel_area", ~(area > 0)), ("unbuilt", unbuilt),
            ("no_buildings_but_built_status", no_buildings & built),
            ("no_buildings_status_unknown", no_buildings & ~built)]
    far_min_v = out["far_min"].to_numpy()
    no_code = (out["industry_code"] == "").to_numpy()
    checks = {
        "far": (far >= far_min_v, [*land, ("no_industry_code", no_code),
                                    ("no_minimum_for_code", np.isnan(far_min_v)),
                                    ("floors_unknown", np.isnan(far))]),
        "coefficient": (coverage >= coef_min, land),
        "admin": (share <= admin_max, [
            *land, ("no_building_use", np.full(len(out), admin is None)),
            ("floors_unknown", np.isnan(share))]),
    }
    for name, (passed, reasons) in checks.items():
        status, reason, ok = _check_status(industrial, passed, reasons)
        out[f"{name}_status"] = status
        out[f"{name}_reason"] = reason
        out[f"{name}_ok"] = ok
    return out


# The checks of an industrial parcel: (summary key, column prefix).
CHECKS = (("far_min", "far"), ("building_coefficient", "coefficient"), ("admin_share", "admin"))

# Why a check could not be made on a parcel, in order of precedence.
REASONS = ("no_parcel_area", "unbuilt", "no_buildings_but_built_status",
           "no_buildings_status_unknown", "no_industry_code", "no_minimum_for_code",
           "no_building_use", "floors_unknown")


def _built_status(parcels: pd.DataFrame, rules: RuleSet) -> tuple[BoolArray, BoolArray]:
    """Whether each parcel's land-status code says built, and whether it says unbuilt."""
    n = len(parcels)
    if "status" not in parcels.columns:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    built = set(rules.texts("status.built_codes", []))
    unbuilt = set(rules.texts("status.unbuilt_codes", []))
    code = _map_unique(parcels["status"], _code_text)
    return (np.fromiter((c in built for c in code), dtype=bool, count=n),
            np.fromiter((c in unbuilt for c in code), dtype=bool, count=n))


_STATUSES = ("", "pass", "fail", "not_comparable")


def _check_status(applies: BoolArray, passed: BoolArray,
                  reasons: list[tuple[str, BoolArray]]
                  ) -> tuple[pd.api.extensions.ExtensionArray, pd.api.extensions.ExtensionArray,
                             pd.arrays.BooleanArray]:
    """Status (pass / fail / not_comparable, '' where the check does not apply), reason, and
    the check as a boolean (NA where it could not be made).

    Made as small integer codes and turned into text columns through Arrow dictionaries:
    the same ``str`` columns as from arrays of Python strings, without 2M string objects a
    check (1M parcels: 0.5 → 0.07 s a check).

    Examples
    --------
    >>> status, reason, ok = _check_status(np.array([True, True, True, False]),
    ...     np.array([True, False, True, True]),
    ...     [("unbuilt", np.array([False, False, True, False]))])
    >>> list(status), list(reason), ok.tolist()
    (['pass', 'fail', 'not_comparable', ''], ['', '', 'unbuilt', ''], [True, False, <NA>, <NA>])
    """
    import pyarrow as pa

    reason = np.select([np.asarray(m, dtype=bool) for _, m in reasons],
                       list(range(1, len(reasons) + 1)), default=0).astype(np.int32)
    status = np.where(reason > 0, 3, np.where(np.asarray(passed, dtype=bool), 1, 2)
                      ).astype(np.int32)
    status[~applies] = 0
    reason[~applies] = 0

    def words(codes: npt.NDArray[np.int32], vocabulary: list[str]
              ) -> pd.api.extensions.ExtensionArray:
        coded = pa.DictionaryArray.from_arrays(pa.array(codes),
                                               pa.array(vocabulary, pa.large_string()))
        text: pd.api.extensions.ExtensionArray = pd.array(coded.cast(pa.large_string()),
                                                          dtype="str")
        return text

    compared = (status == 1) | (status == 2)
    return (words(status, list(_STATUSES)), words(reason, ["", *(r for r, _ in reasons)]),
            _tri(status == 1, compared))


class CheckCounts(TypedDict):
    """How one check went over the parcels it applies to; compared + not comparable = total."""

    total: int
    compared: int
    passed: int
    failed: int
    not_comparable: dict[str, int]


def check_counts(status: pd.Series, reason: pd.Series) -> CheckCounts:
    """Counts of a check's per-parcel statuses; reasons in :data:`REASONS` order.

    Examples
    --------
    >>> status = pd.Series(["pass", "fail", "not_comparable", "not_comparable", ""])
    >>> reason = pd.Series(["", "", "unbuilt", "no_industry_code", ""])
    >>> check_counts(status, reason)  # doctest: +NORMALIZE_WHITESPACE
    {'total': 4, 'compared': 2, 'passed': 1, 'failed': 1,
     'not_comparable': {'unbuilt': 1, 'no_industry_code': 1}}
    """
    # Counted by distinct value (one hash pass; Arrow's own on the Arrow-backed text the
    # checks make), keyed by the values' text as ``astype(str)`` gives it: not by comparing
    # 1M strings once per word.
    status_count = _counts_by_text(status)
    passed, failed = status_count.get("pass", 0), status_count.get("fail", 0)
    nc = (status == "not_comparable").to_numpy(dtype=bool, na_value=False)
    reason_count = _counts_by_text(reason[nc])
    by_reason = {k: reason_count.get(k, 0)
                 for k in (*REASONS, *sorted(set(reason_count) - set(REASONS)))}
    return {"total": passed + failed + int(nc.sum()), "compared": passed + failed,
            "passed": passed, "failed": failed,
            "not_comparable": {k: n for k, n in by_reason.items() if n}}


def _counts_by_text(values: pd.Series) -> dict[str, int]:
    """How many values have each text; missing values have none (as ``astype(str)``
    leaves them missing) and 1 and "1" are one text."""
    counts: dict[str, int] = {}
    for value, n in values.value_counts(dropna=True, sort=False).items():
        counts[str(value)] = counts.get(str(value), 0) + int(n)
    return counts


def _tri(values: BoolArray, known: BoolArray | pd.Series) -> pd.arrays.BooleanArray:
    """A boolean column that is NA where the check could not be made."""
    known = np.asarray(known, dtype=bool)
    return pd.arrays.BooleanArray(np.where(known, np.asarray(values, dtype=bool), False),
                                  ~known)


def zone_plot_ratio(parcels: pd.DataFrame, result: pd.DataFrame, *, by: str = "zone_id",
                    rules: RuleSet | None = None) -> pd.DataFrame:
    """综合容积率, 建筑密度 and 工业用地综合容积率 / 建筑系数 of each zone (domain.md §1.3).

    综合容积率 = floor area on built land (status category ``built``; every parcel when the
    layer has no status codes) ÷ that land; 工业用地综合容积率 = floor area on industrial
    parcels ÷ their land. Parcels whose plot ratio cannot be computed are counted in
    ``parcels_unknown`` and contribute their known floor area (so the figure is a lower bound
    when that count is not 0).

    Examples
    --------
    >>> p = pd.DataFrame({"zone_id": ["Z", "Z"], "status": ["A2", "A1"]})
    >>> r = pd.DataFrame({"parcel_area_m2": [10000.0, 10000.0], "floor_area_m2": [8000.0, 20000.0],
    ...                   "footprint_m2": [4000.0, 3000.0], "computable": [True, True]})
    >>> z = zone_plot_ratio(p, r)
    >>> z.loc["Z", ["plot_ratio", "industrial_plot_ratio", "building_density"]].tolist()
    [1.4, 0.8, 0.35]
    """
    from .land_use import status_category

    keys = parcels[by] if by in parcels.columns else pd.Series("all", index=parcels.index)
    if "status" in parcels.columns:
        built = (status_category(parcels["status"]) == "built").to_numpy()
    else:
        built = np.ones(len(parcels), dtype=bool)
    industrial = is_industrial(parcels, rules).to_numpy() & built
    frame = pd.DataFrame({
        "zone": keys.astype(str).to_numpy(),
        "area": result["parcel_area_m2"].to_numpy(),
        "floor": result["floor_area_m2"].to_numpy(),
        "foot": result["footprint_m2"].to_numpy(),
        "unknown": ~result["computable"].to_numpy(dtype=bool),
        "built": built, "ind": industrial})
    for col in ("area", "floor", "foot"):
        frame[f"b_{col}"] = np.where(built, frame[col], 0.0)
        frame[f"i_{col}"] = np.where(industrial, frame[col], 0.0)
    g = frame.groupby("zone", sort=True)
    agg = g.agg(parcels=("area", "size"), parcels_unknown=("unknown", "sum"),
                area_m2=("area", "sum"), built_m2=("b_area", "sum"),
                floor_area_m2=("b_floor", "sum"), footprint_m2=("b_foot", "sum"),
                industrial_m2=("i_area", "sum"), industrial_floor_area_m2=("i_floor", "sum"),
                industrial_footprint_m2=("i_foot", "sum"))
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["plot_ratio"] = agg.floor_area_m2 / agg.built_m2.where(agg.built_m2 > 0)
        # Fractions (0.35), as the land-intensity evaluation gives them under the same names.
        agg["building_density"] = agg.footprint_m2 / agg.built_m2.where(agg.built_m2 > 0)
        den = agg.industrial_m2.where(agg.industrial_m2 > 0)
        agg["industrial_plot_ratio"] = agg.industrial_floor_area_m2 / den
        agg["industrial_building_coefficient"] = agg.industrial_footprint_m2 / den
    agg.index.name = by
    return agg


# ---------------------------------------------------------------- entry point

# Decimals of a zone's figure in summary.json: a fraction keeps the 0.01 % of a percentage.
_ZONE_DECIMALS = {"building_density": 6, "industrial_building_coefficient": 6}

CONTROL_STANDARDS = ("MLR-2008", "MNR-2023", "SC-2024")
_PARCEL_COLUMNS = ("parcel_id", "zone_id", "status", "land_use", "name")


class PlotRatioSummary(TypedDict):
    """The figures of a plot-ratio run (``summary.json`` of ``gaoxin plot-ratio``)."""

    control_standard: str
    parcels: int
    buildings: int
    parcels_not_computable: int
    not_computable_ids: list[str]          # the first 200
    floor_area_m2: float
    floor_area_ha: float
    industrial_parcels: int
    industrial_below_minimum: int
    industrial_without_minimum: int
    industrial_coefficient_below_30pct: int
    admin_share_checked: bool
    checks: dict[str, CheckCounts]
    built_status_without_buildings: int
    built_status_without_buildings_ids: list[str]  # the first 200
    zones: dict[str, dict[str, float | None]]


@dataclass
class PlotRatioResult:
    """Plot ratio per parcel (with the industrial control) and per zone, and the figures.

    ``parcels`` keeps the parcels' identifying columns and geometry beside the columns of
    :func:`plot_ratio` and :func:`industrial_control`; ``below_minimum`` and
    ``not_computable`` are its rows that need attention, ``data_problems`` the industrial
    parcels with a built status and no building.
    """

    parcels: gpd.GeoDataFrame
    zones: pd.DataFrame
    below_minimum: gpd.GeoDataFrame
    not_computable: gpd.GeoDataFrame
    data_problems: gpd.GeoDataFrame
    summary: PlotRatioSummary


def run(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
        enterprises: pd.DataFrame | None = None, rules: RuleSet | None = None, *,
        per_parcel: Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame, RuleSet | None],
                             pd.DataFrame] | None = None) -> PlotRatioResult:
    """容积率 / 建筑系数 of every parcel and zone, industrial parcels against the control table.

    Computes only: reads, writes and prints nothing.

    Parameters
    ----------
    parcels
        Canonical parcels (``parcel_id``, ``zone_id``, ``status``, ``land_use`` where known)
        in a projected working CRS.
    buildings
        Canonical buildings (``floors``, ``height``, ``use`` where known), same CRS.
    enterprises
        Canonical enterprise table (``parcel_id``, ``industry_code``, ``industry_std``,
        ``revenue``): gives each parcel the industry of its largest firm.
    rules
        The ``plot_ratio`` rule set (default: the packaged one).
    per_parcel
        What computes :func:`plot_ratio` (default: that function here); a cluster run passes
        one that runs it zone by zone on workers.

    Returns
    -------
    PlotRatioResult
        The parcels' and zones' frames, the parcels needing attention and the summary.

    Raises
    ------
    InputError
        When the rule set names an unknown control standard.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "zone_id": "Z", "status": "A2"},
    ...     geometry=[box(500000, 3400000, 500100, 3400100),
    ...               box(500100, 3400000, 500200, 3400100)], crs=4544)
    >>> b = gpd.GeoDataFrame({"floors": [2, None]}, crs=4544,
    ...     geometry=[box(500010, 3400010, 500050, 3400060), box(500110, 3400010, 500120, 3400020)])
    >>> e = pd.DataFrame({"parcel_id": ["P1"], "industry_code": ["40"],
    ...                   "industry_std": ["GB/T 4754-2002"], "revenue": [1.0]})
    >>> r = run(p, b, e)
    >>> r.parcels[["parcel_id", "plot_ratio", "far_min"]].round(4).values.tolist()
    [['P1', 0.4, 1.0], ['P2', nan, nan]]
    >>> s = r.summary
    >>> s["industrial_below_minimum"], s["parcels_not_computable"], s["not_computable_ids"]
    (1, 1, ['P2'])
    >>> s["floor_area_m2"], s["zones"]["Z"]["parcels_unknown"]
    (4000.0, 1.0)
    >>> s["checks"]["far_min"]  # doctest: +NORMALIZE_WHITESPACE
    {'total': 2, 'compared': 1, 'passed': 0, 'failed': 1,
     'not_comparable': {'no_industry_code': 1}}
    """
    rules = rules or load_ruleset("plot_ratio")
    standard = rules.text("control.standard", "MLR-2008")
    if standard not in CONTROL_STANDARDS:
        raise InputError(f"unknown control standard {standard!r}",
                         fix="use MLR-2008, MNR-2023 or SC-2024")
    result = (per_parcel or plot_ratio)(parcels, buildings, rules)
    admin = admin_share(parcels, buildings, rules) if "use" in buildings.columns else None
    control = industrial_control(parcels, result, enterprises, rules, admin)
    keep = [c for c in _PARCEL_COLUMNS if c in parcels.columns]
    out = gpd.GeoDataFrame(pd.concat([parcels[keep], result, control], axis=1),
                           geometry=parcels.geometry, crs=parcels.crs)
    zones = zone_plot_ratio(parcels, result, rules=rules)
    unknown = out[~out["computable"]]
    # Counts only: a masked copy of the 1M-row layer cost ~0.6 s.
    industrial = out["industrial"].to_numpy(dtype=bool)
    below = out[out["far_status"] == "fail"]
    problems = out[out["far_reason"] == "no_buildings_but_built_status"]
    checks = {key: check_counts(out[f"{prefix}_status"], out[f"{prefix}_reason"])
              for key, prefix in CHECKS}
    total_floor = float(out["floor_area_m2"].sum())
    summary: PlotRatioSummary = {
        "control_standard": standard,
        "parcels": len(out), "buildings": len(buildings),
        "parcels_not_computable": len(unknown),
        "not_computable_ids": (unknown["parcel_id"].astype(str).head(200).tolist()
                               if "parcel_id" in out else []),
        "floor_area_m2": round(total_floor, 2),
        "floor_area_ha": round(total_floor / 10_000, 4),
        "industrial_parcels": int(industrial.sum()),
        "industrial_below_minimum": len(below),
        "industrial_without_minimum": int(out["far_min"].isna().to_numpy()[industrial].sum()),
        "industrial_coefficient_below_30pct": checks["building_coefficient"]["failed"],
        "admin_share_checked": checks["admin_share"]["compared"] > 0,
        "checks": checks,
        "built_status_without_buildings": len(problems),
        "built_status_without_buildings_ids": (problems["parcel_id"].astype(str).head(200)
                                               .tolist() if "parcel_id" in out else []),
        "zones": {str(z): {str(k): (None if pd.isna(v)
                                    else round(float(v), _ZONE_DECIMALS.get(str(k), 4)))
                           for k, v in row.items()} for z, row in zones.iterrows()},
    }
    return PlotRatioResult(out, zones, below, unknown, problems, summary)
