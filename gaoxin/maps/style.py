"""Styling: one look per layer kind, classified choropleths, categorical colours, labels.

Every style is a dict understood by the runtime: ``color`` (stroke), ``weight``, ``opacity``,
``fill``, ``fillOpacity``, ``dash`` and ``radius`` (points).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..kinds import KINDS

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "legend": "图例", "search": "搜索地块/园区编号", "notFound": "未找到",
        "basemapOffline": "底图无法加载（无网络或离线），已显示为纯色背景",
        "gcj02": "叠加图层已转换为 GCJ-02 坐标，以与高德底图对齐",
        "nodata": "无数据", "layers": "图层", "result": "分析结果", "layer": "图层",
        "vec": "天地图 矢量", "img": "天地图 影像", "osm": "OpenStreetMap",
        "amap": "高德地图", "amap_img": "高德 影像", "fullscreen": "全屏",
        "exit_fullscreen": "退出全屏", "highlight": "重点",
    },
    "en": {
        "legend": "Legend", "search": "Search parcel / zone id", "notFound": "Not found",
        "basemapOffline": "Basemap unavailable (no network or offline): plain background shown",
        "gcj02": "Overlays shifted to GCJ-02 to line up with the AMap basemap",
        "nodata": "No data", "layers": "Layers", "result": "Results", "layer": "Layer",
        "vec": "Tianditu vector", "img": "Tianditu imagery", "osm": "OpenStreetMap",
        "amap": "AMap", "amap_img": "AMap imagery", "fullscreen": "Full screen",
        "exit_fullscreen": "Exit full screen", "highlight": "highlighted",
    },
}

AREA_LABELS: dict[str, dict[str, str]] = {
    "zh": {"area_mu": "面积(亩)", "area_ha": "面积(公顷)", "area_m2": "面积(m²)"},
    "en": {"area_mu": "Area (mu)", "area_ha": "Area (ha)", "area_m2": "Area (m²)"},
}
AREA_DECIMALS = {"area_mu": 2, "area_ha": 4, "area_m2": 1}

# Common result columns of the analyses (label_zh, label_en, unit).
RESULT_LABELS: dict[str, tuple[str, str, str]] = {
    "far": ("容积率", "Plot ratio", ""), "plot_ratio": ("容积率", "Plot ratio", ""),
    "building_coverage": ("建筑系数", "Building coverage", "%"),
    "status": ("状态", "Status", ""), "verdict": ("结论", "Verdict", ""),
    "class": ("类别", "Class", ""), "grade": ("等级", "Grade", ""),
    "conflict_area_mu": ("冲突面积", "Conflict area", "亩"),
    "conflict_area_ha": ("冲突面积", "Conflict area", "公顷"),
    "output_per_mu": ("亩均产出", "Output per mu", "万元/亩"),
    "tax_per_mu": ("亩均税收", "Tax per mu", "万元/亩"),
    "revenue": ("营业收入", "Revenue", "万元"), "tax": ("税收", "Tax", "万元"),
    "reason": ("原因", "Reason", ""), "layer": ("图层", "Layer", ""),
    "constraint": ("约束", "Constraint", ""), "patch_id": ("图斑编号", "Patch", ""),
    "area_m2": ("面积", "Area", "m²"),
}

KIND_STYLES: dict[str, dict[str, Any]] = {
    "zones": {"color": "#d7301f", "weight": 2.5, "fill": "#fc8d59", "fillOpacity": 0.05},
    "parks": {"color": "#6a3d9a", "weight": 2, "fill": "#cab2d6", "fillOpacity": 0.15},
    "parcels": {"color": "#7f5a2a", "weight": 0.6, "fill": "#fdbf6f", "fillOpacity": 0.55},
    "buildings": {"color": "#525252", "weight": 0.6, "fill": "#969696", "fillOpacity": 0.75},
    "redlines": {"color": "#e31a1c", "weight": 1.5, "fill": "#fb9a99", "fillOpacity": 0.35},
    "farmland": {"color": "#33a02c", "weight": 1, "fill": "#b2df8a", "fillOpacity": 0.4},
    "dev_boundary": {"color": "#ff7f00", "weight": 2, "fill": "#ff7f00", "fillOpacity": 0.0,
                     "dash": [6, 4]},
    "roads": {"color": "#636363", "weight": 1.5, "fill": "#636363", "fillOpacity": 0.0},
    "requests": {"color": "#1f78b4", "weight": 2.5, "fill": "#a6cee3", "fillOpacity": 0.3},
    "result": {"color": "#ce1256", "weight": 1.5, "fill": "#df65b0", "fillOpacity": 0.45},
}
GENERIC_STYLE = {"color": "#3182bd", "weight": 1.2, "fill": "#6baed6", "fillOpacity": 0.35}
HIGHLIGHT_STYLE = {"color": "#ff0000", "weight": 3, "fill": "#ff0000", "fillOpacity": 0.45}
NODATA_COLOR = "#bdbdbd"

# Statuses and classes with a meaning: green is good, red is bad.
CATEGORY_COLORS: dict[str, str] = {
    "A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c",
    "ready": "#1a9641", "blocked": "#d7191c", "pass": "#1a9641", "fail": "#d7191c",
    "ok": "#1a9641", "conflict": "#d7191c", "warning": "#fdae61", "review": "#fdae61",
    "通过": "#1a9641", "不通过": "#d7191c", "可用": "#1a9641", "受限": "#d7191c",
    "冲突": "#d7191c", "达标": "#1a9641", "不达标": "#d7191c", "待核实": "#fdae61",
}
CATEGORY_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
SEQUENTIAL = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494", "#081d58"]
DIVERGING = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]


def kind_style(kind: str | None, highlight: bool = False) -> dict[str, Any]:
    """Base style of a layer kind.

    Examples
    --------
    >>> kind_style("parcels")["fill"]
    '#fdbf6f'
    >>> kind_style(None, highlight=True)["color"]
    '#ff0000'
    """
    base = dict(HIGHLIGHT_STYLE if highlight else KIND_STYLES.get(kind or "", GENERIC_STYLE))
    base.setdefault("opacity", 1.0)
    base.setdefault("dash", None)
    base.setdefault("radius", 4)
    return base


def layer_label(kind: str | None, lang: str) -> str:
    """Display name of a layer kind.

    Examples
    --------
    >>> layer_label("parcels", "zh"), layer_label("parcels", "en")
    ('地块', 'Parcels')
    """
    if kind in KINDS:
        return KINDS[kind].label_zh if lang == "zh" else KINDS[kind].label_en
    return TEXT[lang]["result" if kind == "result" else "layer"]


def column_label(column: str, kind: str | None, lang: str) -> str:
    """Label of an attribute column, with its unit: ``面积(亩)``, ``核准面积(公顷)``.

    Examples
    --------
    >>> column_label("area_mu", "parcels", "zh")
    '面积(亩)'
    >>> column_label("approved_area_ha", "zones", "zh")
    '核准面积(公顷)'
    >>> column_label("parcel_id", "parcels", "en")
    'Parcel id'
    """
    if column in AREA_LABELS[lang]:
        return AREA_LABELS[lang][column]
    spec = next((f for k in ([kind] if kind in KINDS else list(KINDS))
                 for f in KINDS[k].fields if f.name == column), None)
    if column in RESULT_LABELS and (spec is None or kind not in KINDS):
        zh, en, unit = RESULT_LABELS[column]
        return _with_unit(zh if lang == "zh" else en, unit)
    if spec is not None:
        name = spec.label_zh if lang == "zh" else column.replace("_", " ").capitalize()
        return _with_unit(name, spec.unit)
    return column


def _with_unit(name: str, unit: str) -> str:
    return f"{name}({unit})" if unit else name


@dataclass
class Classes:
    """Per-feature style class and the legend rows of a layer."""

    codes: np.ndarray
    styles: list[dict[str, Any]]
    labels: list[str]
    caption: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".") if np.isfinite(x) else str(x)


def _palette(colors: list[str], k: int) -> list[str]:
    if k <= 1:
        return [colors[len(colors) // 2]]
    idx = np.linspace(0, len(colors) - 1, k).round().astype(int)
    return [colors[i] for i in idx]


def classify(values: pd.Series, base: dict[str, Any], *, method: str | None,
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
    >>> c = classify(pd.Series([0.5, 1.2, None]), kind_style("parcels"), method="thresholds",
    ...              thresholds=[1.0], unit="", label="容积率", lang="zh")
    >>> c.codes.tolist(), c.labels
    ([0, 1, 2], ['< 1', '≥ 1', '无数据'])
    """
    nodata = TEXT[lang]["nodata"]
    numeric = values.dtype.kind in "iuf" or method is not None
    caption = _with_unit(label, unit or "")
    if not numeric:
        return _categorical(values, base, nodata, caption)
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(x)
    method = method or "quantiles"
    if method == "thresholds":
        if not thresholds:
            raise InputError("classify='thresholds' needs a list of thresholds",
                             fix="pass thresholds=[...], e.g. a minimum plot ratio [1.0]")
        bins = np.sort(np.asarray(thresholds, dtype=float))
        codes = np.digitize(x, bins, right=False)
        labels = [f"< {_fmt(bins[0])}"]
        labels += [f"{_fmt(a)} – {_fmt(b)}" for a, b in itertools.pairwise(bins)]
        labels.append(f"≥ {_fmt(bins[-1])}")
        colors = _palette(DIVERGING, len(labels)) if len(labels) > 2 else [DIVERGING[0],
                                                                            DIVERGING[-1]]
    elif method in ("quantiles", "natural_breaks"):
        codes, labels = _breaks(x[ok], method)
        full = np.zeros(len(x), dtype=int)
        full[ok] = codes
        codes = full
        colors = _palette(SEQUENTIAL, len(labels))
    else:
        raise InputError(f"unknown classification {method!r}",
                         fix="use quantiles, natural_breaks or thresholds")
    styles = [{**base, "fill": c, "fillOpacity": max(base["fillOpacity"], 0.7)} for c in colors]
    codes = np.where(ok, codes, len(styles))
    styles.append({**base, "fill": NODATA_COLOR, "fillOpacity": 0.5})
    labels.append(nodata)
    return Classes(codes.astype(int), styles, labels, caption)


def _breaks(x: np.ndarray, method: str, k: int = 5) -> tuple[np.ndarray, list[str]]:
    uniq = np.unique(x)
    if len(uniq) <= k:
        codes = np.searchsorted(uniq, x)
        return codes, [_fmt(u) for u in uniq]
    # Imported here: mapclassify pulls in scipy.stats, ~2.5 s of start-up every command pays.
    import mapclassify

    if method == "quantiles":
        cls = mapclassify.Quantiles(x, k=k)
    else:
        sample = min(1.0, 2000 / len(x))
        cls = (mapclassify.FisherJenksSampled(x, k=k, pct=sample) if sample < 1
               else mapclassify.FisherJenks(x, k=k))
    bins = np.asarray(cls.bins, dtype=float)
    codes = np.minimum(np.searchsorted(bins, x, side="left"), len(bins) - 1)
    lows = [float(x.min()), *bins[:-1].tolist()]
    labels = [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, bins.tolist(), strict=True)]
    return codes, labels


def _categorical(values: pd.Series, base: dict[str, Any], nodata: str,
                 caption: str) -> Classes:
    text = [None if pd.isna(v) else str(v) for v in values.astype(object)]
    cats = sorted({v for v in text if v is not None}, key=_category_order)
    styles, labels, spare = [], [], iter(CATEGORY_PALETTE * 4)
    for c in cats[:40]:
        color = CATEGORY_COLORS.get(c) or CATEGORY_COLORS.get(c.lower()) or next(spare)
        styles.append({**base, "fill": color, "fillOpacity": max(base["fillOpacity"], 0.65)})
        labels.append(c)
    index = {c: i for i, c in enumerate(labels)}
    other = len(styles)
    styles.append({**base, "fill": NODATA_COLOR, "fillOpacity": 0.5})
    labels.append(nodata if len(cats) <= 40 else f"{nodata} / …")
    codes = np.array([index.get(v, other) if v is not None else other for v in text], dtype=int)
    return Classes(codes, styles, labels, caption)


def _category_order(v: str) -> tuple[int, str]:
    order = ["A", "B", "C", "D", "ready", "pass", "ok", "通过", "达标", "warning", "review",
             "待核实", "blocked", "fail", "conflict", "不通过", "不达标", "冲突"]
    return (order.index(v), v) if v in order else (len(order), v)
