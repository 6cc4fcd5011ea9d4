"""亩均效益 (亩均论英雄): output per mu of each enterprise and parcel, scores and A/B/C/D classes.

The enterprise table has one row per (firm, parcel) pair (domain.md §4, design.md). Land is
attributed to rows by a stated rule (:func:`enterprise_land`): several firms on one parcel
share its area (equally by default, or by revenue / employees, or by a ``land_mu`` column
when the table has one); a firm on several parcels sums its rows. Indicators follow the
formulas of domain.md §4.1–4.2; a score is Σ weight × value ÷ benchmark (capped where the
rule set says), and classes are cut by rank so that the rule set's quotas hold on any input
(:func:`assign_classes`). Two rule sets ship: Sichuan 2022 (20/20/20/5/5 + 30 local,
A ≤ 30 %, C ≥ 10 %) and Zhejiang-style benchmark scoring (台州黄岩 2023 formula).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NotRequired, TypedDict

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InputError
from ..geo.area import ellipsoidal_area
from ..geo.arrays import FloatArray
from ..geo.units import m2_to_mu
from ..kinds import KINDS
from .ruleset import RuleSet, load_ruleset

__all__ = [
    "CLASSES",
    "EXCLUSIONS",
    "INDICATORS",
    "MissingInput",
    "NotComputed",
    "PerMuResult",
    "PerMuSummary",
    "SchemeRules",
    "assign_classes",
    "enterprise_land",
    "firm_totals",
    "missing_inputs",
    "parcel_figures",
    "per_mu_indicators",
    "run",
    "score",
]

FIGURES = ("revenue", "tax", "value_added", "energy_tce", "employees", "rd_spend",
           "fixed_investment", "emission")

# key: (label_zh, label_en, unit, numerator, denominator)
INDICATORS: dict[str, tuple[str, str, str, str, str]] = {
    "per_mu_revenue": ("亩均营业收入", "Revenue per mu", "万元/亩", "revenue", "land_mu"),
    "per_mu_tax": ("亩均税收", "Tax per mu", "万元/亩", "tax", "land_mu"),
    "per_mu_value_added": ("亩均增加值", "Value added per mu", "万元/亩", "value_added",
                           "land_mu"),
    "revenue_per_employee": ("人均营业收入", "Revenue per employee", "万元/人", "revenue",
                             "employees"),
    "revenue_per_tce": ("单位能耗营业收入", "Revenue per tce", "万元/吨标准煤", "revenue",
                        "energy_tce"),
    "value_added_per_tce": ("单位能耗增加值", "Value added per tce", "万元/吨标准煤",
                            "value_added", "energy_tce"),
    "value_added_per_employee": ("全员劳动生产率", "Value added per employee", "万元/人",
                                 "value_added", "employees"),
    "value_added_per_emission": ("单位排放增加值", "Value added per emission", "万元/吨",
                                 "value_added", "emission"),
    "rd_intensity": ("R&D投入强度", "R&D intensity", "比值", "rd_spend", "revenue"),
    "fixed_investment_per_mu": ("亩均固定资产投资", "Fixed investment per mu", "万元/亩",
                                "fixed_investment", "land_mu"),
}
CLASSES = ("A", "B", "C", "D")
NOT_EVALUATED = "未参评"
# Why an enterprise is not evaluated, tested in this order (the first that holds is its
# reason): none of its rows names a parcel of the layer; it holds no land; it holds less
# than the scheme's minimum; none of the scheme's indicators could be computed for it.
EXCLUSIONS = ("parcel_not_found", "no_land", "below_min_land", "no_indicator")


def parcel_mu(parcels: gpd.GeoDataFrame) -> FloatArray:
    """Each parcel's ellipsoidal area in 亩: the per-parcel kernel of the analysis.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame(geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> parcel_mu(p).round(2).tolist()
    [15.0]
    """
    return np.asarray(m2_to_mu(ellipsoidal_area(parcels.geometry).to_numpy()), dtype=float)


def enterprise_land(enterprises: pd.DataFrame, parcels: gpd.GeoDataFrame,
                    rule: str = "equal", area_mu: FloatArray | None = None) -> pd.DataFrame:
    """The enterprise rows with the land (亩) each holds on its parcel.

    Rows of one firm on one parcel are summed first. ``rule`` shares a parcel among the
    firms on it: ``"equal"``, ``"revenue"`` or ``"employees"`` (equal where the figures are
    all zero); a numeric ``land_mu`` column in the table takes precedence. Rows whose parcel
    is not in ``parcels`` get ``matched`` False and no land. ``area_mu`` is
    :func:`parcel_mu` of ``parcels`` when already computed.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1"]},
    ...     geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)   # 15 亩
    >>> e = pd.DataFrame({"enterprise_id": ["a", "b"], "parcel_id": ["P1", "P1"],
    ...                   "revenue": [30.0, 10.0]})
    >>> enterprise_land(e, p, "revenue").land_mu.round(2).tolist()
    [11.25, 3.75]
    >>> enterprise_land(e, p).land_mu.round(2).tolist()
    [7.5, 7.5]
    """
    if rule not in ("equal", "revenue", "employees"):
        raise InputError(f"unknown land-share rule {rule!r}", file="[rules.per_mu] land_share",
                         fix="use equal, revenue or employees")
    for col in ("enterprise_id", "parcel_id"):
        if col not in enterprises.columns:
            raise InputError(f"the enterprise table has no {col} column",
                             fix=f"map the {col} field in the workspace")
    e = enterprises.copy()
    e["enterprise_id"] = e["enterprise_id"].astype(str).str.strip()
    e["parcel_id"] = e["parcel_id"].astype(str).str.strip()
    for col in FIGURES:
        if col in e.columns:
            e[col] = pd.to_numeric(e[col], errors="coerce")
    has_land = "land_mu" in e.columns and pd.to_numeric(e["land_mu"], errors="coerce").notna().any()
    if has_land:
        e["land_mu"] = pd.to_numeric(e["land_mu"], errors="coerce")
    sums = {c: "sum" for c in (*FIGURES, "land_mu") if c in e.columns}
    firsts = {c: "first" for c in e.columns if c not in sums
              and c not in ("enterprise_id", "parcel_id")}
    e = e.groupby(["enterprise_id", "parcel_id"], sort=False, as_index=False).agg(
        {**firsts, **sums}) if len(e) else e
    pid = parcels["parcel_id"].astype(str).str.strip()
    areas = pd.Series(parcel_mu(parcels) if area_mu is None else area_mu,
                      index=pid.to_numpy())
    e["parcel_mu"] = e["parcel_id"].map(areas.groupby(level=0).sum())
    e["matched"] = e["parcel_mu"].notna()
    if not has_land:
        weight_col = {"equal": None, "revenue": "revenue", "employees": "employees"}[rule]
        w = (pd.Series(1.0, index=e.index) if weight_col is None or weight_col not in e
             else e[weight_col].clip(lower=0).fillna(0.0))
        total = w.groupby(e["parcel_id"]).transform("sum")
        count = e.groupby("parcel_id")["parcel_id"].transform("size")
        share = np.where(total > 0, w / total.where(total > 0), 1.0 / count)
        e["land_mu"] = e["parcel_mu"] * share
    e.loc[~e["matched"], "land_mu"] = np.nan
    return e


def firm_totals(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per enterprise: its figures and land summed over its parcels.

    Examples
    --------
    >>> rows = pd.DataFrame({"enterprise_id": ["a", "a"], "parcel_id": ["P1", "P2"],
    ...     "name": ["甲", "甲"], "revenue": [10.0, 20.0], "land_mu": [1.0, 2.0],
    ...     "matched": [True, True]})
    >>> firm_totals(rows)[["revenue", "land_mu", "parcels"]].to_dict("records")
    [{'revenue': 30.0, 'land_mu': 3.0, 'parcels': 2}]
    """
    m = rows[rows["matched"]] if "matched" in rows.columns else rows
    sums = {c: (c, lambda s: s.sum(min_count=1)) for c in (*FIGURES, "land_mu")
            if c in m.columns}
    firsts = {c: (c, "first") for c in ("name", "industry_code", "industry_std", "zone_id")
              if c in m.columns}
    out = m.groupby("enterprise_id", sort=False).agg(
        **firsts, **sums, parcels=("parcel_id", "nunique"),
        parcel_ids=("parcel_id", lambda s: ";".join(map(str, s))))
    return out


def per_mu_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of :data:`INDICATORS` the frame's columns allow; NaN where a
    denominator is zero or missing, index kept.

    Examples
    --------
    >>> f = pd.DataFrame({"revenue": [400.0], "tax": [14.0], "land_mu": [2.0],
    ...                   "employees": [4.0], "energy_tce": [0.0]})
    >>> per_mu_indicators(f)[["per_mu_revenue", "per_mu_tax", "revenue_per_employee",
    ...                       "revenue_per_tce"]].iloc[0].tolist()
    [200.0, 7.0, 100.0, nan]
    """
    out = pd.DataFrame(index=frame.index)
    for key, (_, _, _, num, den) in INDICATORS.items():
        if num not in frame.columns or den not in frame.columns:
            continue
        n = pd.to_numeric(frame[num], errors="coerce").to_numpy(dtype=float)
        d = pd.to_numeric(frame[den], errors="coerce").to_numpy(dtype=float)
        # A denominator near zero (revenue 1e-308) overflows: no figure, not an infinite one.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            value = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
        out[key] = np.where(np.isfinite(value), value, np.nan)
    return out


@dataclass(frozen=True)
class SchemeRules:
    """One 亩均 scheme of the rule set (``sichuan.*`` or ``zhejiang.*``), typed."""

    weights: dict[str, float]
    benchmarks: dict[str, float]
    cap: float | None            # score cap, in multiples of the weight
    year: int | None
    min_land_mu: float | None    # firms on less land are not evaluated
    a_max: float                 # class quotas, %
    c_min: float
    d_pct: float


def _scheme_rules(rules: RuleSet, scheme: str) -> SchemeRules:
    prefix = f"{scheme}."
    if not any(k.startswith(prefix) for k in rules.rules):
        raise InputError(f"unknown 亩均 scheme {scheme!r}", file="[rules.per_mu] scheme",
                         fix="use sichuan or zhejiang")
    weights = {k[len(prefix + "weights."):]: rules.number(k)
               for k in rules.rules if k.startswith(prefix + "weights.")}
    bench = {k[len(prefix + "benchmarks."):]: rules.number(k)
             for k, r in rules.rules.items() if k.startswith(prefix + "benchmarks.")
             and r.value != ""}
    local = rules.texts(prefix + "local_indicators", [])
    local_w = rules.optional_number(prefix + "local_weight") or 0.0
    if local_w > 0 and local:
        each = local_w / len(local)
        for key in local:
            if key not in INDICATORS:
                raise InputError(f"unknown local indicator {key!r}",
                                 file=f"[rules.per_mu] {scheme}.local_indicators",
                                 fix=f"use some of {', '.join(INDICATORS)}")
            weights[key] = weights.get(key, 0.0) + each
    year = rules.get(prefix + "year", "")
    return SchemeRules(weights=weights, benchmarks=bench,
                       cap=rules.optional_number(prefix + "score_cap"),
                       year=None if year == "" else rules.integer(prefix + "year"),
                       min_land_mu=rules.optional_number(prefix + "min_land_mu"),
                       a_max=rules.number(prefix + "class_a_max_pct", 30.0),
                       c_min=rules.number(prefix + "class_c_min_pct", 10.0),
                       d_pct=rules.number(prefix + "class_d_pct", 0.0))


def score(indicators: pd.DataFrame, weights: dict[str, float], benchmarks: dict[str, float],
          cap: float | None = None) -> tuple[pd.Series, pd.DataFrame, list[str]]:
    """Score = Σ wᵢ × min(xᵢ ÷ benchmarkᵢ, cap); index kept.

    An indicator the data does not give at all (a missing column, or no firm with a value)
    is dropped and the other weights are scaled up to the same total; its name is returned.
    A single firm's missing value scores 0 on that indicator.

    Examples
    --------
    >>> ind = pd.DataFrame({"per_mu_tax": [24.097, 48.194], "rd_intensity": [0.0302, np.nan]})
    >>> s, parts, dropped = score(ind, {"per_mu_tax": 30, "rd_intensity": 10,
    ...     "value_added_per_emission": 10}, {"per_mu_tax": 24.097, "rd_intensity": 0.0302,
    ...     "value_added_per_emission": 4929.81})
    >>> s.round(3).tolist(), dropped
    ([50.0, 75.0], ['value_added_per_emission'])
    """
    usable = {k: w for k, w in weights.items() if w > 0 and k in indicators.columns
              and indicators[k].notna().any() and benchmarks.get(k, 0) > 0}
    dropped = [k for k, w in weights.items() if w > 0 and k not in usable]
    total = sum(w for w in weights.values() if w > 0)
    scale = total / sum(usable.values()) if usable else 0.0
    parts = pd.DataFrame(index=indicators.index)
    for key, w in usable.items():
        ratio = indicators[key].to_numpy(dtype=float) / benchmarks[key]
        ratio = np.where(np.isfinite(ratio), np.maximum(ratio, 0.0), 0.0)
        if cap is not None:
            ratio = np.minimum(ratio, cap)
        parts[f"score_{key}"] = w * scale * ratio
    s = parts.sum(axis=1) if len(parts.columns) else pd.Series(np.nan, index=indicators.index)
    return s.rename("score"), parts, dropped


class NotComputed(TypedDict):
    """An indicator of the scheme left out of the score, and why.

    ``reason`` is ``"no_field"`` (the enterprise table lacks a field the indicator needs,
    named in ``fields``), ``"no_values"`` (the fields are there but no firm has a value) or
    ``"no_benchmark"`` (the rule set gives no benchmark).
    """

    indicator: str
    points: float
    reason: str
    fields: list[str]


class MissingInput(TypedDict):
    """A figure the scheme scores on that the enterprise table does not give, and its cost.

    ``state`` is ``"no_field"`` (no column holds it) or ``"no_values"`` (the column is
    empty); ``indicators`` are every indicator that needs it, ``points`` those the scheme
    gives the ones it scores.
    """

    field: str
    state: str
    indicators: list[str]
    points: float


def missing_inputs(enterprises: pd.DataFrame, weights: dict[str, float]) -> list[MissingInput]:
    """The figures of :data:`FIGURES` the scheme's weighted indicators need and the table
    lacks (no column, or no value in it), each with what cannot be computed without it.

    Examples
    --------
    >>> e = pd.DataFrame({"revenue": [1.0], "employees": [np.nan]})
    >>> missing_inputs(e, {"per_mu_tax": 20.0, "revenue_per_employee": 20.0,
    ...                    "per_mu_revenue": 20.0})  # doctest: +NORMALIZE_WHITESPACE
    [{'field': 'tax', 'state': 'no_field', 'indicators': ['per_mu_tax'], 'points': 20.0},
     {'field': 'employees', 'state': 'no_values',
      'indicators': ['revenue_per_employee', 'value_added_per_employee'], 'points': 20.0}]
    """
    out: list[MissingInput] = []
    for name in FIGURES:
        needing = [k for k, spec in INDICATORS.items() if name in spec[3:]]
        points = sum(weights.get(k, 0.0) for k in needing if weights.get(k, 0.0) > 0)
        if not points:
            continue
        if name not in enterprises.columns:
            state = "no_field"
        elif not pd.to_numeric(enterprises[name], errors="coerce").notna().any():
            state = "no_values"
        else:
            continue
        out.append({"field": name, "state": state, "indicators": needing,
                    "points": float(points)})
    return out


class ScorePoints(TypedDict):
    """How the score's points were shared when indicators were left out.

    ``treatment`` is ``"full"`` (every indicator computed) or ``"renormalised"``: the
    computed indicators' weights were multiplied by ``scale`` so scores are still out of
    ``total``.
    """

    total: float
    computed: float
    treatment: str
    scale: float


def not_computed(dropped: list[str], weights: dict[str, float], benchmarks: dict[str, float],
                 firms: pd.DataFrame) -> list[NotComputed]:
    """Why each indicator :func:`score` dropped was left out, with the points it carried.

    Examples
    --------
    >>> f = pd.DataFrame({"value_added": [1.0], "employees": [np.nan]})
    >>> not_computed(["value_added_per_emission", "value_added_per_employee"],
    ...     {"value_added_per_emission": 10.0, "value_added_per_employee": 10.0},
    ...     {"value_added_per_emission": 4929.81, "value_added_per_employee": 18.14}, f)
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'indicator': 'value_added_per_emission', 'points': 10.0, 'reason': 'no_field',
      'fields': ['emission']},
     {'indicator': 'value_added_per_employee', 'points': 10.0, 'reason': 'no_values',
      'fields': ['value_added', 'employees']}]
    """
    out: list[NotComputed] = []
    for key in dropped:
        fields = [f for f in INDICATORS[key][3:] if f != "land_mu"] if key in INDICATORS else []
        absent = [f for f in fields if f not in firms.columns]
        reason = ("no_field" if absent or key not in INDICATORS
                  else "no_benchmark" if benchmarks.get(key, 0) <= 0 else "no_values")
        out.append({"indicator": key, "points": float(weights[key]), "reason": reason,
                    "fields": absent or fields})
    return out


def score_points(weights: dict[str, float], dropped: list[str]) -> ScorePoints:
    """The points of the scheme, those of the computed indicators and the scale applied.

    Examples
    --------
    >>> score_points({"per_mu_tax": 30.0, "value_added_per_emission": 10.0,
    ...               "rd_intensity": 60.0}, ["value_added_per_emission"])
    {'total': 100.0, 'computed': 90.0, 'treatment': 'renormalised', 'scale': 1.111111}
    """
    total = float(sum(w for w in weights.values() if w > 0))
    computed = float(sum(w for k, w in weights.items() if w > 0 and k not in dropped))
    return {"total": total, "computed": computed,
            "treatment": "renormalised" if dropped else "full",
            "scale": round(total / computed, 6) if computed else 0.0}


def assign_classes(scores: pd.Series, *, a_max_pct: float, c_min_pct: float,
                   d_pct: float = 0.0, groups: pd.Series | None = None) -> pd.Series:
    """A/B/C/D by rank within each group so that the quotas hold on any input.

    At most ``a_max_pct`` % of the scored firms are A, at least ``c_min_pct`` % are C, and
    about ``d_pct`` % (never more) are D; the rest are B. Equal scores always get the same
    class: a tie at the A cut moves the tied firms down to B, a tie at the C cut pulls them
    into C, a tie at the D cut keeps them in C. Firms without a score get NA.

    Examples
    --------
    >>> s = pd.Series([90, 80, 70, 60, 50, 40, 30, 20, 10, 0], dtype=float)
    >>> "".join(assign_classes(s, a_max_pct=30, c_min_pct=10, d_pct=10))
    'AAABBBBBCD'
    >>> "".join(assign_classes(pd.Series([5.0, 5.0, 5.0, 1.0]), a_max_pct=30, c_min_pct=10))
    'BBBC'
    """
    if a_max_pct + c_min_pct + d_pct > 100:
        raise InputError(f"class quotas A ≤ {a_max_pct} %, C ≥ {c_min_pct} % and D "
                         f"{d_pct} % add up to more than 100 %", file="[rules.per_mu]",
                         fix="lower the quotas")
    out = pd.Series(pd.NA, index=scores.index, dtype="string", name="class")
    keys = (groups.astype(str) if groups is not None
            else pd.Series("", index=scores.index))
    for _, idx in scores.groupby(keys.to_numpy(), sort=False).groups.items():
        s = scores.loc[idx]
        s = s[np.isfinite(s.to_numpy(dtype=float))]
        if len(s):
            out.loc[s.index] = _classes_one(s.to_numpy(dtype=float), a_max_pct, c_min_pct,
                                            d_pct)
    return out


def _classes_one(values: FloatArray, a_max: float, c_min: float, d_pct: float
                 ) -> npt.NDArray[np.object_]:
    n = len(values)
    order = np.argsort(-values, kind="stable")
    s = values[order]

    def cut_down(k: int) -> int:
        # Largest k' ≤ k with no tie across position k' (s[k'-1] > s[k']).
        while 0 < k < n and s[k - 1] == s[k]:
            k -= 1
        return k

    eps = 1e-9
    k = cut_down(min(n, math.floor(a_max * n / 100 + eps)))
    n_c = min(n - k, math.ceil(c_min * n / 100 - eps))
    m = math.floor(d_pct * n / 100 + eps)
    m = min(m, n - k - n_c)
    while 0 < m < n and s[n - m] == s[n - m - 1]:  # no tie across the C/D cut
        m -= 1
    j = n - m - n_c
    while n_c > 0 and j > k and s[j - 1] == s[j]:  # ties at the C cut join C
        j -= 1
    labels = np.empty(n, dtype=object)
    labels[:k] = "A"
    labels[k:j] = "B"
    labels[j:n - m] = "C"
    labels[n - m:] = "D"
    result = np.empty(n, dtype=object)
    result[order] = labels
    return result


class PerMuRules(TypedDict):
    """The rule set a 亩均 evaluation used, as its summary states it."""

    scheme: str
    year: int | None
    name: str
    version: str
    weights: dict[str, float]
    benchmarks: dict[str, float]
    score_cap: float | None
    quotas: dict[str, float]      # A_max_pct, C_min_pct, D_pct
    min_land_mu: float | None
    land_share: str


class PerMuSummary(TypedDict):
    """The figures of a 亩均 evaluation (``summary.json`` of ``gaoxin per-mu``)."""

    rule_set: PerMuRules
    enterprises: int
    evaluated: int
    not_evaluated: int
    not_evaluated_by_reason: dict[str, int]   # a key of EXCLUSIONS each
    classes: dict[str, int]
    class_shares_pct: dict[str, float | None]
    parcels_with_enterprises: int
    parcel_classes: dict[str, int]            # A…D and not_evaluated, by the main firm
    parcels_not_evaluated_by_reason: dict[str, int]
    indicators_dropped: list[str]
    not_computed: list[NotComputed]
    score_points: ScorePoints
    unmatched_parcel_ids: list[str]
    unmatched_rows: int
    totals: dict[str, float | None]
    # Only when a figure the scheme scores on is missing (the demo's summary stays as it was).
    missing_inputs: NotRequired[list[MissingInput]]


def _totals(firms: pd.DataFrame) -> dict[str, float | None]:
    sums = {c: float(firms[c].sum()) for c in (*FIGURES, "land_mu") if c in firms.columns}
    ind = per_mu_indicators(pd.DataFrame([sums]))
    return {**{k: round(v, 4) for k, v in sums.items()},
            **{str(k): (None if np.isnan(v) else round(float(v), 4))
               for k, v in ind.iloc[0].items()}}


def _parcels(parcels: gpd.GeoDataFrame, rows: pd.DataFrame, firms: pd.DataFrame,
             area_mu: FloatArray) -> gpd.GeoDataFrame:
    """Per parcel: its firms' figures summed over the parcel's area, and its main firm's class."""
    m = rows[rows["matched"]]
    cols = [c for c in FIGURES if c in m.columns]
    per = m.groupby("parcel_id")[cols].sum(min_count=1)
    per["firms"] = m.groupby("parcel_id")["enterprise_id"].nunique()
    main = m.sort_values("land_mu", ascending=False, kind="stable").drop_duplicates("parcel_id")
    cls = firms.set_index("enterprise_id")["class"]
    per["main_enterprise"] = main.set_index("parcel_id")["enterprise_id"]
    per["class"] = per["main_enterprise"].map(cls)
    if "reason" in firms.columns:
        per["reason"] = per["main_enterprise"].map(firms.set_index("enterprise_id")["reason"])
    pid = parcels["parcel_id"].astype(str).str.strip()
    out = parcels[[c for c in ("parcel_id", "zone_id", "status", "land_use")
                   if c in parcels.columns] + [parcels.geometry.name]].copy()
    out["land_mu"] = area_mu
    joined = per.reindex(pid.to_numpy())
    for c in [*cols, "firms", "main_enterprise", "class",
              *(["reason"] if "reason" in per.columns else [])]:
        out[c] = joined[c].to_numpy()
    out["firms"] = out["firms"].fillna(0).astype(int)
    ind = per_mu_indicators(out)
    for c in ind.columns:
        out[c] = ind[c].to_numpy()
    out.loc[out["firms"] == 0, list(ind.columns)] = np.nan
    return out


def parcel_figures(parcels: gpd.GeoDataFrame, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """Per parcel: its firms' figures summed and the 亩均 indicators over its area (no classes).

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1", "P2"]}, crs=4544, geometry=[
    ...     box(500000, 3400000, 500100, 3400100), box(500100, 3400000, 500200, 3400100)])
    >>> rows = pd.DataFrame({"enterprise_id": ["a", "b"], "parcel_id": ["P1", "P1"],
    ...     "tax": [30.0, 15.0], "land_mu": [7.5, 7.5], "matched": [True, True]})
    >>> parcel_figures(p, rows)[["firms", "per_mu_tax"]].round(6).values.tolist()
    [[2.0, 3.0], [0.0, nan]]
    """
    no_classes = pd.DataFrame({"enterprise_id": rows["enterprise_id"].unique(), "class": ""})
    return _parcels(parcels, rows, no_classes, parcel_mu(parcels))


def _with_unmatched_firms(firms: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``firms`` and, with no land, the firms none of whose rows names a parcel of the layer:
    they are listed as not evaluated rather than left out."""
    lost = rows[~rows["enterprise_id"].isin(firms.index)]
    if not len(lost):
        return firms
    firsts = {c: (c, "first") for c in ("name", "industry_code", "industry_std")
              if c in lost.columns}
    extra = lost.groupby("enterprise_id", sort=False).agg(
        **firsts, parcel_ids=("parcel_id", lambda s: ";".join(map(str, s))))
    extra["parcels"] = 0
    return pd.concat([firms, extra])


def _exclusions(firms: pd.DataFrame, min_land_mu: float | None) -> pd.Series:
    """Per firm, the first reason of :data:`EXCLUSIONS` that keeps it out, or ``""``."""
    land = pd.to_numeric(firms["land_mu"], errors="coerce")
    reasons = pd.Series("", index=firms.index, dtype=object)
    reasons[firms["parcels"].fillna(0) == 0] = "parcel_not_found"
    reasons[(reasons == "") & ~(land.fillna(0) > 0)] = "no_land"
    if min_land_mu is not None:
        reasons[(reasons == "") & (land < min_land_mu)] = "below_min_land"
    return reasons


@dataclass
class PerMuResult:
    """亩均 results: firms, parcels, and a summary saying which rule set and year."""

    firms: pd.DataFrame
    parcels: gpd.GeoDataFrame
    rows: pd.DataFrame
    summary: PerMuSummary


def run(parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame, rules: RuleSet | None = None,
        *, scheme: str | None = None, group_by: str | None = None,
        per_parcel: Callable[[gpd.GeoDataFrame], FloatArray] | None = None) -> PerMuResult:
    """亩均效益 of every enterprise and parcel, scored and classed per the rule set.

    Parameters
    ----------
    parcels
        Canonical parcels (``parcel_id``) in a projected CRS.
    enterprises
        Canonical enterprise table, one row per (firm, parcel).
    rules
        The ``per_mu`` rule set.
    scheme
        ``"sichuan"`` or ``"zhejiang"``; default the rule set's ``scheme``.
    group_by
        Column of the firms (e.g. ``zone_id``) within which quotas apply; default all firms.
    per_parcel
        What computes :func:`parcel_mu` (default: that function here); a cluster run passes
        one that runs it zone by zone on workers.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1", "P2"]}, crs=4544, geometry=[
    ...     box(500000, 3400000, 500100, 3400100), box(500100, 3400000, 500200, 3400100)])
    >>> e = pd.DataFrame({"enterprise_id": ["a", "b"], "parcel_id": ["P1", "P2"],
    ...     "revenue": [6000.0, 3000.0], "tax": [300.0, 60.0], "employees": [40.0, 30.0],
    ...     "energy_tce": [1000.0, 900.0], "rd_spend": [120.0, 10.0],
    ...     "value_added": [1500.0, 600.0]})
    >>> r = run(p, e)
    >>> r.firms["class"].tolist(), r.summary["rule_set"]["year"]
    (['B', 'C'], 2022)
    """
    rules = rules or load_ruleset("per_mu")
    scheme = scheme or rules.text("scheme", "sichuan")
    cfg = _scheme_rules(rules, scheme)
    land_share = rules.text("land_share", "equal")
    if "parcel_id" not in parcels.columns:
        raise InputError("parcels need a parcel_id to join the enterprise table",
                         fix="map parcel_id in the workspace")
    area_mu = (per_parcel or parcel_mu)(parcels)
    rows = enterprise_land(enterprises, parcels, land_share, area_mu)
    unmatched = [str(p) for p in rows.loc[~rows["matched"], "parcel_id"].unique()]
    if len(rows) and not rows["matched"].any():
        raise InputError("no enterprise row names a parcel_id of the parcels layer "
                         f"(e.g. {unmatched[:3]})", fix="check the 地块编号 column mapping")
    zone = parcels.set_index(parcels["parcel_id"].astype(str).str.strip())
    if "zone_id" in parcels.columns and "zone_id" not in rows.columns:
        rows["zone_id"] = rows["parcel_id"].map(zone["zone_id"].groupby(level=0).first())
    firms = _with_unmatched_firms(firm_totals(rows), rows)
    ind = per_mu_indicators(firms)
    missing = missing_inputs(enterprises, cfg.weights)
    _refuse_when_nothing_scores(ind, cfg, scheme, missing)
    firms = firms.join(ind)
    reasons = _exclusions(firms, cfg.min_land_mu)
    s, parts, dropped = score(ind[reasons == ""], cfg.weights, cfg.benchmarks, cfg.cap)
    firms = firms.join(parts)
    firms["score"] = s.reindex(firms.index)
    reasons[(reasons == "") & firms["score"].isna()] = "no_indicator"
    evaluated = reasons == ""
    firms["score"] = firms["score"].where(evaluated)
    groups = firms[group_by] if group_by and group_by in firms.columns else None
    firms["class"] = assign_classes(firms["score"], a_max_pct=cfg.a_max, c_min_pct=cfg.c_min,
                                    d_pct=cfg.d_pct, groups=groups).fillna(NOT_EVALUATED)
    firms["evaluated"] = evaluated
    firms["reason"] = reasons
    firms = firms.reset_index()
    parcel_out = _parcels(parcels, rows, firms, area_mu)
    counts = firms.loc[firms.evaluated, "class"].value_counts()
    n_eval = int(firms.evaluated.sum())
    excluded = firms.loc[~firms.evaluated, "reason"].value_counts()
    on_parcels = parcel_out[parcel_out["firms"] > 0]
    parcel_counts = on_parcels["class"].value_counts()
    parcel_excluded = on_parcels.loc[on_parcels["class"] == NOT_EVALUATED,
                                     "reason"].value_counts()
    summary: PerMuSummary = {
        "rule_set": {"scheme": scheme, "year": cfg.year, "name": rules.name,
                     "version": rules.version, "weights": cfg.weights,
                     "benchmarks": cfg.benchmarks, "score_cap": cfg.cap,
                     "quotas": {"A_max_pct": cfg.a_max, "C_min_pct": cfg.c_min,
                                "D_pct": cfg.d_pct},
                     "min_land_mu": cfg.min_land_mu or None,
                     "land_share": land_share},
        "enterprises": len(firms), "evaluated": n_eval,
        "not_evaluated": int((~firms.evaluated).sum()),
        "not_evaluated_by_reason": {r: int(excluded.get(r, 0)) for r in EXCLUSIONS},
        "classes": {c: int(counts.get(c, 0)) for c in CLASSES},
        "class_shares_pct": {c: (round(100.0 * counts.get(c, 0) / n_eval, 2) if n_eval else None)
                             for c in CLASSES},
        "parcels_with_enterprises": len(on_parcels),
        "parcel_classes": {**{c: int(parcel_counts.get(c, 0)) for c in CLASSES},
                           "not_evaluated": int(parcel_counts.get(NOT_EVALUATED, 0))},
        "parcels_not_evaluated_by_reason": {r: int(parcel_excluded.get(r, 0))
                                            for r in EXCLUSIONS},
        "indicators_dropped": dropped,
        "not_computed": not_computed(dropped, cfg.weights, cfg.benchmarks, firms),
        "score_points": score_points(cfg.weights, dropped),
        "unmatched_parcel_ids": unmatched[:50], "unmatched_rows": int((~rows.matched).sum()),
        "totals": _totals(firms),
    }
    if missing:
        summary["missing_inputs"] = missing
    return PerMuResult(firms, parcel_out, rows, summary)


def _refuse_when_nothing_scores(indicators: pd.DataFrame, cfg: SchemeRules, scheme: str,
                                missing: list[MissingInput]) -> None:
    """Refuse a table from which none of the scheme's indicators can be computed for any
    firm: every firm would come out 未参评 and the reason would be the table, not the firms."""
    scored = [k for k, w in cfg.weights.items() if w > 0 and cfg.benchmarks.get(k, 0) > 0
              and k in indicators.columns and indicators[k].notna().any()]
    if scored or not len(indicators):
        return
    labels = {f.name: f"{f.name} ({f.label_zh})" for f in KINDS["enterprises"].fields}
    absent = [labels[m["field"]] for m in missing if m["state"] == "no_field"]
    empty = [labels[m["field"]] for m in missing if m["state"] == "no_values"]
    what = "; ".join(part for part in (
        f"no column for {', '.join(absent)}" if absent else "",
        f"no values in {', '.join(empty)}" if empty else "") if part)
    raise InputError(
        f"none of the {scheme} scheme's indicators can be computed from the enterprise table "
        f"({what or 'no firm has a value'}), so no enterprise can be scored",
        fix="give the figures with headers such as 营业收入(万元), 税收(万元), 从业人员(人), "
            "综合能耗(吨标准煤), or map them in [layers.enterprises.fields]")

