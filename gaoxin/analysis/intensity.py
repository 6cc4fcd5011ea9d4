"""开发区土地集约利用评价 and the low-efficiency land list (低效用地, for 腾笼换鸟).

:func:`zone_indicators` computes every indicator of domain.md §1.3 per zone from parcel
status codes (:mod:`.land_use`), floor areas (:mod:`.plot_ratio`) and the enterprise rows
(:mod:`.per_mu`); :func:`zone_type` applies the 工业主导型 / 产城融合型 split (§1.4);
:func:`evaluate` scores each zone against ideal values with weights — **no official weights
or ideal values exist** (§1.5), so the rule set's are ⚙ defaults the user replaces — and
:func:`benchmark_table` sets each zone beside the national monitoring values (§1.6).
:func:`low_efficiency` lists idle parcels and industrial parcels below both their minimum
plot ratio and a 亩均税收 threshold, ranked by the land they would free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.area import ellipsoidal_area
from ..geo.units import m2_to_ha, m2_to_mu
from .land_use import HIGH_TECH, INDUSTRIAL, land_use_rates, status_category
from .per_mu import parcel_figures
from .ruleset import RuleSet, load_ruleset

__all__ = [
    "INDICATOR_LABELS",
    "IntensityResult",
    "LowEfficiencyResult",
    "benchmark_table",
    "evaluate",
    "low_efficiency",
    "run",
    "run_low_efficiency",
    "zone_indicators",
    "zone_type",
]

# key: (label_zh, label_en, unit, positive?)
INDICATOR_LABELS: dict[str, tuple[str, str, str, bool]] = {
    "development_rate": ("土地开发率", "Land development rate", "%", True),
    "supply_rate": ("土地供应率", "Land supply rate", "%", True),
    "built_rate": ("土地建成率", "Land built rate", "%", True),
    "industrial_rate": ("工业用地率", "Industrial land share", "%", True),
    "high_tech_rate": ("高新技术产业用地率", "High-tech land share", "%", True),
    "plot_ratio": ("综合容积率", "Overall plot ratio", "", True),
    "building_density": ("建筑密度", "Building density", "%", True),
    "industrial_plot_ratio": ("工业用地综合容积率", "Industrial plot ratio", "", True),
    "industrial_building_coefficient": ("工业用地建筑系数", "Industrial building coefficient",
                                        "%", True),
    "industrial_investment_intensity": ("工业用地固定资产投入强度",
                                        "Industrial fixed-investment intensity", "万元/公顷",
                                        True),
    "industrial_tax_per_ha": ("工业用地地均税收", "Industrial tax per ha", "万元/公顷", True),
    "tax_per_ha": ("综合地均税收", "Tax per ha (all built land)", "万元/公顷", True),
    "population_density": ("人口密度", "Population density", "人/公顷", True),
    "idle_rate": ("土地闲置率", "Idle land rate", "%", False),
    "industrial_output_intensity": ("工业用地产出强度", "Industrial output intensity",
                                    "万元/公顷", True),
    "high_tech_output_intensity": ("高新技术产业用地产出强度", "High-tech output intensity",
                                   "万元/公顷", True),
}
ZONE_TYPES = {"industrial": ("工业主导型", "Industry-led"),
              "integrated": ("产城融合型", "Industry-city integrated"),
              "other": ("其他", "Other")}


def zone_indicators(parcels: gpd.GeoDataFrame, floor: pd.DataFrame,
                    rows: pd.DataFrame | None = None, *, by: str = "zone_id",
                    population: pd.Series | None = None) -> pd.DataFrame:
    """Every indicator of domain.md §1.3 for each zone (rates as fractions, money in 万元).

    Parameters
    ----------
    parcels
        Canonical parcels with ``status`` codes and ``by``.
    floor
        Per parcel (index as ``parcels``): ``floor_area_m2`` and ``footprint_m2``
        (:func:`gaoxin.analysis.plot_ratio.plot_ratio`).
    rows
        Enterprise rows with ``parcel_id`` and figures (:func:`.per_mu.enterprise_land`).
    population
        常住人口 per zone id, for 人口密度.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["1", "2", "3", "4"], "zone_id": "Z",
    ...     "status": ["A2", "A1", "D21", "G"]}, crs=4544,
    ...     geometry=[box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100) for i in range(4)])
    >>> f = pd.DataFrame({"floor_area_m2": [8000.0, 20000, 0, 0],
    ...                   "footprint_m2": [4000.0, 3000, 0, 0]}, index=p.index)
    >>> e = pd.DataFrame({"parcel_id": ["1"], "tax": [500.0], "revenue": [9000.0],
    ...                   "fixed_investment": [7000.0]})
    >>> z = zone_indicators(p, f, e).loc["Z"]
    >>> [round(float(z[k]), 2) for k in ("built_rate", "idle_rate", "plot_ratio",
    ...                                  "industrial_plot_ratio", "industrial_tax_per_ha")]
    [0.5, 0.25, 1.4, 0.8, 500.0]
    """
    keys = parcels[by].astype(str) if by in parcels.columns else pd.Series(
        "all", index=parcels.index)
    codes = parcels["status"].astype(str).str.strip().str.upper()
    cat = status_category(parcels["status"])
    area_ha = m2_to_ha(ellipsoidal_area(parcels.geometry))
    firms = _firm_sums(parcels, rows)
    has_firms = rows is not None and len(rows) > 0
    out = []
    for zone, idx in keys.groupby(keys.to_numpy(), sort=True).groups.items():
        sub = parcels.loc[idx]
        fa = floor["floor_area_m2"].reindex(idx)
        r = land_use_rates(sub, fa)
        built = (cat.loc[idx] == "built").to_numpy()
        ind = codes.loc[idx].isin(INDUSTRIAL).to_numpy()
        high = codes.loc[idx].isin(HIGH_TECH).to_numpy()
        a = r["built_ha"] or 0.0
        a2 = r["industrial_ha"] or 0.0
        h = r["high_tech_ha"] or 0.0
        foot = floor["footprint_m2"].reindex(idx).fillna(0.0).to_numpy() / 10_000
        fsum = firms.reindex(idx).fillna(0.0)
        residential_ha = float(area_ha.loc[idx][(codes.loc[idx] == "A1").to_numpy()].sum())
        row: dict[str, object] = {
            by: zone, **r,
            "residential_ha": residential_ha,
            "building_density": _div(float(foot[built].sum()), a),
            "industrial_building_coefficient": _div(float(foot[ind].sum()), a2),
            "industrial_investment_intensity": _div(float(fsum["fixed_investment"][ind]
                                                          .sum()), a2),
            "industrial_tax_per_ha": _div(float(fsum["tax"][ind].sum()), a2),
            "tax_per_ha": _div(float(fsum["tax"][built].sum()), a),
            "industrial_output_intensity": _div(float(fsum["revenue"][ind].sum()), a2),
            "high_tech_output_intensity": _div(float(fsum["revenue"][high].sum()), h),
            "high_tech_rate": _div(h, a)}
        if not has_firms:  # no enterprise table: unknown, not zero
            for key in ("industrial_investment_intensity", "industrial_tax_per_ha", "tax_per_ha",
                        "industrial_output_intensity", "high_tech_output_intensity"):
                row[key] = None
        row["residential_rate"] = _div(residential_ha, a)
        pop = None if population is None else population.get(zone)
        people = None if pop is None or pd.isna(pop) else float(pop)
        row["population"] = people
        row["population_density"] = None if people is None else _div(people, a)
        out.append(row)
    return pd.DataFrame(out).set_index(by)


def _firm_sums(parcels: gpd.GeoDataFrame, rows: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["tax", "revenue", "fixed_investment"]
    if rows is None or not len(rows) or "parcel_id" not in parcels.columns:
        return pd.DataFrame(0.0, index=parcels.index, columns=cols)
    r = rows[rows["matched"]] if "matched" in rows.columns else rows
    r = r.assign(**{c: pd.to_numeric(r[c], errors="coerce") if c in r else 0.0 for c in cols})
    per = r.groupby(r["parcel_id"].astype(str).str.strip())[cols].sum()
    pid = parcels["parcel_id"].astype(str).str.strip()
    return pd.DataFrame(per.reindex(pid.to_numpy()).fillna(0.0).to_numpy(),
                        index=parcels.index, columns=cols)


def _div(num: float, den: float | None) -> float | None:
    return None if not den or den <= 0 else num / den


def zone_type(indicators: pd.DataFrame, rules: RuleSet | None = None) -> pd.Series:
    """工业主导型 (``industrial``), 产城融合型 (``integrated``) or ``other`` (domain.md §1.4).

    Examples
    --------
    >>> t = pd.DataFrame({"industrial_rate": [0.5, 0.2, 0.2], "residential_rate": [0.1, 0.3, 0.1]})
    >>> zone_type(t).tolist()
    ['industrial', 'integrated', 'other']
    """
    rules = rules or load_ruleset("intensity")
    ind_min = rules.number("zone_type.industrial_rate_min", 0.30)
    res_min = rules.number("zone_type.residential_rate_min", 0.25)
    ind = pd.to_numeric(indicators["industrial_rate"], errors="coerce").fillna(0.0)
    res = pd.to_numeric(indicators["residential_rate"], errors="coerce").fillna(0.0)
    out = np.select([(ind > ind_min) & (res < res_min), (ind <= ind_min) & (res >= res_min)],
                    ["industrial", "integrated"], default="other")
    return pd.Series(out, index=indicators.index, name="zone_type")


def evaluate(indicators: pd.DataFrame, types: pd.Series, rules: RuleSet | None = None, *,
             expansion_area: bool = False) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """集约度分值 = 100 × Σ wᵢSᵢ ÷ Σ wᵢ with Sᵢ = actual ÷ ideal capped at 1 (inverted for
    negative indicators); zones of type ``other`` use the 工业主导型 set.

    Indicators whose value or ideal value is missing are left out (and named per zone);
    the weights of the rest are renormalised. Returns per-zone standardised values
    ``s_<indicator>`` and ``score``.

    Examples
    --------
    >>> t = pd.DataFrame({"supply_rate": [0.9284], "built_rate": [0.4623], "plot_ratio": [1.06],
    ...     "building_density": [0.3387], "tax_per_ha": [539.96], "idle_rate": [0.02],
    ...     "population_density": [None]}, index=["Z"])
    >>> s, left_out = evaluate(t, pd.Series(["integrated"], index=["Z"]))
    >>> round(float(s.loc["Z", "score"]), 2), left_out["Z"]
    (83.33, ['population_density'])
    """
    rules = rules or load_ruleset("intensity")
    out = pd.DataFrame(index=indicators.index)
    left_out: dict[str, list[str]] = {}
    scores = []
    for zone in indicators.index:
        kind = "integrated" if types.loc[zone] == "integrated" else "industrial"
        weights = {k.split(".")[-1]: rules.number(k)
                   for k in rules.rules if k.startswith(f"weights.{kind}.")}
        if expansion_area:
            weights["development_rate"] = rules.number(
                "weights.development_rate_for_expansion_areas", 1.0)
        num = den = 0.0
        missing = []
        for key, w in weights.items():
            if w <= 0:
                continue
            actual = indicators.loc[zone].get(key)
            ideal = rules.optional_number(f"ideal.{key}")
            if actual is None or pd.isna(actual) or ideal is None:
                missing.append(key)
                continue
            s = _standardise(float(actual), ideal, INDICATOR_LABELS[key][3])
            out.loc[zone, f"s_{key}"] = s
            num += w * s
            den += w
        scores.append(100.0 * num / den if den else np.nan)
        left_out[str(zone)] = missing
    out["score"] = scores
    return out, left_out


def _standardise(actual: float, ideal: float, positive: bool) -> float:
    if positive:
        return min(actual / ideal, 1.0) if ideal > 0 else 1.0
    return 1.0 if actual <= ideal else (ideal / actual if actual > 0 else 1.0)


def benchmark_table(indicators: pd.DataFrame, rules: RuleSet | None = None) -> pd.DataFrame:
    """Each zone's indicators beside the national monitoring values (domain.md §1.6).

    Examples
    --------
    >>> t = pd.DataFrame({"supply_rate": [0.95]}, index=["Z"])
    >>> b = benchmark_table(t)
    >>> cols = ["Z", "national_2020", "national_2022"]
    >>> b.loc[b.indicator == "supply_rate", cols].iloc[0].tolist()
    [0.95, 0.9268, 0.9284]
    """
    rules = rules or load_ruleset("intensity")
    years = sorted({k.split(".")[1][1:] for k in rules.rules if k.startswith("benchmarks.")})
    rows = []
    for key, (zh, en, unit, _) in INDICATOR_LABELS.items():
        if key not in indicators.columns:
            continue
        row: dict[str, object] = {"indicator": key, "label_zh": zh, "label_en": en,
                                  "unit": unit}
        for zone in indicators.index:
            v = indicators.loc[zone, key]
            row[str(zone)] = None if v is None or pd.isna(v) else float(v)
        for y in years:
            row[f"national_{y}"] = rules.get(f"benchmarks.y{y}.{key}")
        rows.append(row)
    return pd.DataFrame(rows)


def low_efficiency(parcels: gpd.GeoDataFrame, plot: pd.DataFrame, control: pd.DataFrame,
                   per_mu_tax: pd.Series, rules: RuleSet | None = None) -> gpd.GeoDataFrame:
    """低效用地: idle parcels, and industrial parcels below their minimum plot ratio whose
    亩均税收 is under the threshold; ranked by the land they would free (largest first).

    ``plot`` and ``control`` are :func:`.plot_ratio.plot_ratio` and
    :func:`.plot_ratio.industrial_control` frames, ``per_mu_tax`` the parcel's 亩均税收
    (万元/亩; NaN where no firm is registered — such parcels are not listed as low-tax,
    since missing data is not a zero). ``densify_floor_m2`` is the floor area the parcel
    lacks to reach its minimum.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["1", "2", "3"], "status": ["G", "A2", "A2"]},
    ...     crs=4544, geometry=[box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100)
    ...                         for i in range(3)])
    >>> plot = pd.DataFrame({"plot_ratio": [0.0, 0.5, 0.5]}, index=p.index)
    >>> ctl = pd.DataFrame({"industrial": [False, True, True], "far_min": [None, 1.0, 1.0],
    ...                     "far_ok": pd.array([pd.NA, False, False], dtype="boolean")},
    ...                    index=p.index)
    >>> low = low_efficiency(p, plot, ctl, pd.Series([None, 5.0, 40.0], index=p.index))
    >>> low[["parcel_id", "reason"]].values.tolist()
    [['1', 'idle'], ['2', 'low_far_low_tax']]
    """
    rules = rules or load_ruleset("intensity")
    max_tax = rules.number("low_efficiency.max_per_mu_tax", 14.3)
    include_idle = rules.flag("low_efficiency.include_idle", True)
    codes = (parcels["status"].astype(str).str.strip().str.upper() if "status" in parcels
             else pd.Series("", index=parcels.index))
    idle = (codes == "G").to_numpy() & include_idle
    far_low = (control["far_ok"].fillna(True) == False).to_numpy()  # noqa: E712 (NA-aware)
    tax = pd.to_numeric(per_mu_tax.reindex(parcels.index), errors="coerce").to_numpy()
    low = far_low & (tax < max_tax)
    mask = idle | low
    cols = [c for c in ("parcel_id", "zone_id", "status", "land_use") if c in parcels.columns]
    out = parcels.loc[mask, [*cols, parcels.geometry.name]].copy()
    area = ellipsoidal_area(out.geometry).to_numpy()
    out["reason"] = np.where(idle[mask], "idle", "low_far_low_tax")
    out["area_m2"] = area
    out["area_ha"] = m2_to_ha(area)
    out["area_mu"] = m2_to_mu(area)
    out["plot_ratio"] = plot["plot_ratio"].reindex(out.index).to_numpy()
    out["far_min"] = pd.to_numeric(control["far_min"], errors="coerce").reindex(out.index)
    out["per_mu_tax"] = tax[mask]
    gap = (out["far_min"] - out["plot_ratio"]).clip(lower=0) * out["area_m2"]
    out["densify_floor_m2"] = gap.where(out["reason"] == "low_far_low_tax")
    out["freed_mu"] = out["area_mu"]  # 腾笼换鸟 frees the whole parcel for a new user
    out = out.sort_values("freed_mu", ascending=False, kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


class LowEfficiencySummary(TypedDict):
    """The figures of a low-efficiency list (``summary.json`` of ``gaoxin low-efficiency``)."""

    parcels: int
    area_mu: float
    area_ha: float
    by_reason: dict[str, int]
    threshold_per_mu_tax: float | None      # 万元/亩
    industrial_without_enterprise_data: int


@dataclass
class LowEfficiencyResult:
    """The ranked 低效用地 list, each parcel's 亩均税收, and the figures."""

    parcels: gpd.GeoDataFrame
    per_mu_tax: pd.Series
    summary: LowEfficiencySummary


def run_low_efficiency(parcels: gpd.GeoDataFrame, plot: pd.DataFrame,
                       rows: pd.DataFrame | None = None, rules: RuleSet | None = None
                       ) -> LowEfficiencyResult:
    """The 低效用地 list (:func:`low_efficiency`) from plot ratios and enterprise rows.

    Computes only: reads, writes and prints nothing.

    Parameters
    ----------
    parcels
        Canonical parcels with ``status`` codes.
    plot
        Per parcel (index as ``parcels``): ``plot_ratio``, ``industrial``, ``far_min`` and
        ``far_ok``, as in :attr:`.plot_ratio.PlotRatioResult.parcels`.
    rows
        Enterprise rows with their land (:func:`.per_mu.enterprise_land`); without them no
        parcel has a 亩均税收 and only idle land is listed.
    rules
        The ``intensity`` rule set (default: the packaged one).

    Returns
    -------
    LowEfficiencyResult
        The list ranked by the land it would free, each parcel's 亩均税收 (NaN where no
        firm is registered) and the summary.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["1", "2", "3"], "status": ["G", "A2", "A2"]},
    ...     crs=4544, geometry=[box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100)
    ...                         for i in range(3)])
    >>> plot = pd.DataFrame({"plot_ratio": [0.0, 0.5, 0.5], "industrial": [False, True, True],
    ...     "far_min": [None, 1.0, 1.0],
    ...     "far_ok": pd.array([pd.NA, False, False], dtype="boolean")}, index=p.index)
    >>> rows = pd.DataFrame({"enterprise_id": ["a"], "parcel_id": ["2"], "tax": [30.0],
    ...                      "land_mu": [15.0], "matched": [True]})
    >>> r = run_low_efficiency(p, plot, rows)
    >>> r.parcels[["parcel_id", "reason"]].values.tolist()
    [['1', 'idle'], ['2', 'low_far_low_tax']]
    >>> r.summary["by_reason"], r.summary["industrial_without_enterprise_data"]
    ({'idle': 1, 'low_far_low_tax': 1}, 1)
    """
    rules = rules or load_ruleset("intensity")
    tax = pd.Series(np.nan, index=parcels.index)
    # An enterprise table without a tax column leaves 亩均税收 unknown, not an error.
    if rows is not None and len(rows) and "tax" in rows.columns:
        figures = parcel_figures(parcels, rows)
        tax = pd.Series(figures["per_mu_tax"].to_numpy(), index=parcels.index)
    low = low_efficiency(parcels, plot, plot, tax, rules)
    summary: LowEfficiencySummary = {
        "parcels": len(low),
        "area_mu": round(float(low["area_mu"].sum()), 4),
        "area_ha": round(float(low["area_ha"].sum()), 4),
        "by_reason": {str(k): int(v) for k, v in low["reason"].value_counts().items()},
        "threshold_per_mu_tax": rules.optional_number("low_efficiency.max_per_mu_tax"),
        "industrial_without_enterprise_data": int((plot["industrial"] & tax.isna()).sum()),
    }
    return LowEfficiencyResult(low, tax, summary)


class ZoneScore(TypedDict):
    """One zone's type and 集约度分值, and the indicators its score leaves out."""

    zone_type: str
    zone_type_zh: str
    score: float | None
    left_out: list[str]


class IntensitySummary(TypedDict):
    """The figures of a zone evaluation (``summary.json`` of ``gaoxin intensity``)."""

    zones: dict[str, ZoneScore]
    weights_note: str


@dataclass
class IntensityResult:
    """Per-zone indicators, types, scores and the national side-by-side."""

    indicators: pd.DataFrame
    scores: pd.DataFrame
    benchmarks: pd.DataFrame
    left_out: dict[str, list[str]]
    summary: IntensitySummary


def run(parcels: gpd.GeoDataFrame, floor: pd.DataFrame, rows: pd.DataFrame | None = None,
        rules: RuleSet | None = None, *, by: str = "zone_id",
        population: pd.Series | None = None) -> IntensityResult:
    """Evaluate every zone: indicators, zone type, score and the national side-by-side.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["1", "2"], "zone_id": "Z", "status": ["A2", "G"]},
    ...     crs=4544, geometry=[box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100)
    ...                         for i in range(2)])
    >>> f = pd.DataFrame({"floor_area_m2": [9000.0, 0], "footprint_m2": [4000.0, 0]},
    ...                  index=p.index)
    >>> r = run(p, f)
    >>> r.indicators.loc["Z", "zone_type"], round(float(r.scores.loc["Z", "score"]), 1)
    ('industrial', 79.7)
    """
    rules = rules or load_ruleset("intensity")
    ind = zone_indicators(parcels, floor, rows, by=by, population=population)
    ind["zone_type"] = zone_type(ind, rules)
    scores, left_out = evaluate(ind, ind["zone_type"], rules)
    bench = benchmark_table(ind, rules)
    summary: IntensitySummary = {
        "zones": {str(z): {"zone_type": str(ind.loc[z, "zone_type"]),
                           "zone_type_zh": ZONE_TYPES[str(ind.loc[z, "zone_type"])][0],
                           "score": None if pd.isna(scores.loc[z, "score"])
                           else round(float(scores.loc[z, "score"]), 2),
                           "left_out": left_out[str(z)]} for z in ind.index},
        "weights_note": "无官方权重与理想值 (domain.md §1.5):权重与理想值为项目默认 ⚙,"
                        "请在工作区 [rules.intensity] 中按省级/园区目标修改",
    }
    return IntensityResult(ind, scores, bench, left_out, summary)
