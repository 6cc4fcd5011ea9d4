"""Styling: one look per layer kind, classified choropleths, categorical colours, labels.

Every style is a dict understood by the runtime: ``color`` (stroke), ``weight``, ``opacity``,
``fill``, ``fillOpacity``, ``dash`` and ``radius`` (points).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InputError
from ..report.labels import LANGS, TEXT, label, with_unit
from ..report.symbology import (
    CATEGORY_COLORS,
    CATEGORY_PALETTE,
    CONSTRAINT_KINDS,
    DIVERGING,
    KIND_STYLES,
    LAND_STATUS_COLORS,
    NODATA_COLOR,
    SEQUENTIAL,
    Style,
    delta_e,
)

# One style class per feature: an index into ``Classes.styles``.
Codes = npt.NDArray[np.int_]
# The class of each value.
Rule = Callable[[npt.NDArray[np.float64]], Codes]


@dataclass
class Classes:
    """Per-feature style class and the legend rows of a layer."""

    codes: Codes
    styles: list[Style]
    labels: list[str]
    caption: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # The class of any value by the same rule (a map's zoomed-out cells colour their mean
    # with it); None where classes are values, not ranges.
    recode: Rule | None = None


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if np.isfinite(x) else str(x)


def _palette(colors: list[str], k: int) -> list[str]:
    """``k`` colours spread along ``colors``, all distinct.

    Examples
    --------
    >>> len(set(_palette(["#d7191c", "#ffffbf", "#1a9641"], 7)))
    7
    """
    if k <= 1:
        return [colors[len(colors) // 2]]
    pos = np.linspace(0, len(colors) - 1, k)
    if k <= len(colors):
        return [colors[i] for i in pos.round().astype(int)]
    # More classes than colours: picking the nearest colour would give neighbouring classes
    # one colour, so blend the two colours each class falls between.
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colors], dtype=float)
    low = np.minimum(pos.astype(int), len(colors) - 2)
    t = (pos - low)[:, None]
    mixed = np.rint(rgb[low] * (1 - t) + rgb[low + 1] * t).astype(int)
    return ["#{:02x}{:02x}{:02x}".format(*row) for row in mixed]


def classify(values: pd.Series, base: Style, *, method: str | None,
             thresholds: list[float] | None, unit: str | None, label: str,
             lang: str) -> Classes:
    """Class each feature for a choropleth or categorical colouring.

    Numeric columns: ``quantiles`` (default), ``natural_breaks`` (Fisher-Jenks on a sample)
    or ``thresholds`` (``[t1, t2, …]`` gives classes ``< t1``, ``t1 – t2``, …, ``≥ tk``; a
    single minimum such as a plot ratio of 1.0 gives fail/pass). Text columns: one colour
    per value, statuses and classes with their meaning colours (A…D, ready/blocked).
    Missing values get their own grey class.

    Examples
    --------
    >>> from gaoxin.report.symbology import kind_style
    >>> c = classify(pd.Series([0.5, 1.2, None]), kind_style("parcels"), method="thresholds",
    ...              thresholds=[1.0], unit="", label="容积率", lang="zh")
    >>> c.codes.tolist(), c.labels
    ([0, 1, 2], ['< 1', '≥ 1', '无数据'])
    """
    nodata = TEXT[lang]["nodata"]
    numeric = values.dtype.kind in "iuf" or method is not None
    caption = with_unit(label, unit or "")
    if not numeric:
        return _categorical(values, base, lang, caption)
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(x)
    method = method or "quantiles"
    if method == "thresholds":
        if not thresholds:
            raise InputError("classify='thresholds' needs a list of thresholds",
                             fix="pass thresholds=[...], e.g. a minimum plot ratio [1.0]")
        bins = np.sort(np.asarray(thresholds, dtype=float))
        rule: Rule | None = _threshold_rule(bins)
        codes = np.digitize(x, bins, right=False)
        labels = [f"< {_fmt(bins[0])}"]
        labels += [f"{_fmt(a)} – {_fmt(b)}" for a, b in itertools.pairwise(bins)]
        labels.append(f"≥ {_fmt(bins[-1])}")
        colors = _palette(DIVERGING, len(labels)) if len(labels) > 2 else [DIVERGING[0],
                                                                            DIVERGING[-1]]
    elif method in ("quantiles", "natural_breaks"):
        codes, labels, rule = _breaks(x[ok], method)
        full = np.zeros(len(x), dtype=int)
        full[ok] = codes
        codes = full
        colors = _palette(SEQUENTIAL, len(labels))
    else:
        raise InputError(f"unknown classification {method!r}",
                         fix="use quantiles, natural_breaks or thresholds")
    styles: list[Style] = [{**base, "fill": c, "fillOpacity": max(base["fillOpacity"], 0.7)}
                           for c in colors]
    codes = np.where(ok, codes, len(styles))
    styles.append({**base, "fill": NODATA_COLOR, "fillOpacity": 0.5})
    labels.append(nodata)
    return Classes(codes.astype(int), styles, labels, caption,
                   recode=None if rule is None else _or_nodata(rule, len(styles) - 1))


def _threshold_rule(bins: npt.NDArray[np.float64]) -> Rule:
    def rule(v: npt.NDArray[np.float64]) -> Codes:
        return np.digitize(v, bins, right=False)
    return rule


def _or_nodata(rule: Rule, nodata: int) -> Rule:
    """``rule``, with missing values in the ``nodata`` class.

    Examples
    --------
    >>> f = _or_nodata(_threshold_rule(np.array([1.0])), 2)
    >>> f(np.array([0.5, 1.5, np.nan])).tolist()
    [0, 1, 2]
    """
    def recode(v: npt.NDArray[np.float64]) -> Codes:
        return np.where(np.isfinite(v), rule(np.nan_to_num(v)), nodata)
    return recode


def _breaks(x: npt.NDArray[np.float64], method: str,
            k: int = 5) -> tuple[Codes, list[str], Rule | None]:
    uniq = np.unique(x)
    if len(uniq) <= k:
        codes = np.searchsorted(uniq, x)
        return codes, [_fmt(u) for u in uniq], None
    # Imported here: mapclassify pulls in scipy.stats, ~2.5 s of start-up every command pays.
    import mapclassify

    if method == "quantiles":
        cls = mapclassify.Quantiles(x, k=k)
    else:
        sample = min(1.0, 2000 / len(x))
        cls = (mapclassify.FisherJenksSampled(x, k=k, pct=sample) if sample < 1
               else mapclassify.FisherJenks(x, k=k))
    bins = np.asarray(cls.bins, dtype=float)

    def rule(v: npt.NDArray[np.float64]) -> Codes:
        return np.minimum(np.searchsorted(bins, v, side="left"), len(bins) - 1)
    lows = [float(x.min()), *bins[:-1].tolist()]
    labels = [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, bins.tolist(), strict=True)]
    return rule(x), labels, rule


# Distinct colours of one legend are at least this far apart (CIEDE2000).
MIN_COLOUR_DIFFERENCE = 10.0


def _conflict_kinds() -> dict[str, str]:
    """The style key of each conflict as the expansion map names it, in every language."""
    return {label(f"conflict.{check}", lang): f"conflicts.{check}"
            for check in CONSTRAINT_KINDS for lang in LANGS}


def _categorical(values: pd.Series, base: Style, lang: str, caption: str) -> Classes:
    """One class per value: land-status codes named and in their colours, conflicts in the
    colour of their constraint, statuses in their meaning colours, other values from the
    palette, no two alike (values beyond the palette share an "other" class).
    """
    nodata = TEXT[lang]["nodata"]
    text = [None if pd.isna(v) else str(v) for v in values.astype(object)]
    present = {v for v in text if v is not None}
    land_status = values.name == "status" and bool(present) and present <= set(LAND_STATUS_COLORS)
    order = list(LAND_STATUS_COLORS)
    cats = (sorted(present, key=order.index) if land_status
            else sorted(present, key=_category_order))
    conflicts = _conflict_kinds()
    fixed: dict[str, Style] = {}
    for c in cats:
        if land_status:
            fixed[c] = {**base, "fill": LAND_STATUS_COLORS[c]}
        elif c in conflicts:
            fixed[c] = {**base, **KIND_STYLES[conflicts[c]]}
        elif (color := CATEGORY_COLORS.get(c) or CATEGORY_COLORS.get(c.lower())) is not None:
            fixed[c] = {**base, "fill": color}
    used = [st["fill"] for st in fixed.values()]
    # Palette colours near a colour a value already has would make two classes look alike.
    spare = iter([c for c in CATEGORY_PALETTE
                  if all(delta_e(c, u) >= MIN_COLOUR_DIFFERENCE for u in used)])
    styles: list[Style] = []
    labels: list[str] = []
    index: dict[str, int] = {}
    for c in cats:
        look = fixed.get(c)
        if look is None:
            color = next(spare, None)
            if color is None:
                continue
            look = {**base, "fill": color}
        index[c] = len(styles)
        styles.append({**look, "fillOpacity": max(look["fillOpacity"], 0.65)})
        labels.append(f"{c} {label(f'land_status.{c}', lang)}" if land_status else c)
    other = len(styles)
    styles.append({**base, "fill": NODATA_COLOR, "fillOpacity": 0.5})
    labels.append(nodata if len(index) == len(cats)
                  else f"{label('map.other', lang)} / {nodata}")
    codes = np.array([index.get(v, other) if v is not None else other for v in text], dtype=int)
    return Classes(codes, styles, labels, caption)


def _category_order(v: str) -> tuple[int, str]:
    order = ["A", "B", "C", "D", "ready", "pass", "ok", "通过", "达标", "warning", "review",
             "待核实", "blocked", "fail", "conflict", "不通过", "不达标", "冲突"]
    return (order.index(v), v) if v in order else (len(order), v)
