"""Symbology: the look of each layer kind, and the colours of statuses and classes.

One definition for every output: the interactive maps (gaoxin.maps) and the printed
reports' SVG maps both draw from it, so a layer kind has one colour everywhere.

Every style is a dict understood by the map runtime: ``color`` (stroke), ``weight``,
``opacity``, ``fill``, ``fillOpacity``, ``dash`` and ``radius`` (points).
"""

from __future__ import annotations

import math
from typing import NotRequired, TypedDict


class KindStyle(TypedDict):
    """The look of a layer kind as defined here; :func:`kind_style` fills in the rest."""

    color: str  # stroke
    weight: float  # stroke width, px
    fill: str
    fillOpacity: float
    opacity: NotRequired[float]  # stroke
    dash: NotRequired[list[int] | None]  # stroke dash pattern, px
    radius: NotRequired[float]  # points, px


class Style(TypedDict):
    """A complete look, as the map runtime and the reports' SVG maps read it."""

    color: str
    weight: float
    fill: str
    fillOpacity: float
    opacity: float
    dash: list[int] | None
    radius: float


# The 三条控制线 (生态保护红线, 永久基本农田, 城镇开发边界) as staff see them on the plans of the
# 国土空间规划. Searched for RGB values in 《市级国土空间总体规划制图规范(试行)》(2021), the
# 《省级国土空间规划制图规范》 and TD/T 1063-2021, and for published style sheets of 三区三线
# layers: none of the texts was found with its colour table, so no RGB here is quoted from a
# standard. The colours follow the common practice of the published 三区三线 and 控制线规划图
# maps instead (marked so until the tables are read): the ecological red line green, permanent
# basic farmland yellow, the urban development boundary a dashed purple line.
KIND_STYLES: dict[str, KindStyle] = {
    "zones": {"color": "#d7301f", "weight": 2.5, "fill": "#fc8d59", "fillOpacity": 0.05},
    "parks": {"color": "#6a3d9a", "weight": 2, "fill": "#cab2d6", "fillOpacity": 0.15},
    "parcels": {"color": "#7f5a2a", "weight": 0.6, "fill": "#fdbf6f", "fillOpacity": 0.55},
    "buildings": {"color": "#525252", "weight": 0.6, "fill": "#969696", "fillOpacity": 0.75},
    # Common practice, not from a standard (see above).
    "redlines": {"color": "#1b7837", "weight": 1.5, "fill": "#7fbf7b", "fillOpacity": 0.4},
    "farmland": {"color": "#bf9000", "weight": 1, "fill": "#ffd92f", "fillOpacity": 0.4},
    "dev_boundary": {"color": "#ae017e", "weight": 2, "fill": "#ae017e", "fillOpacity": 0.0,
                     "dash": [6, 4]},
    "roads": {"color": "#969696", "weight": 1.5, "fill": "#969696", "fillOpacity": 0.0},
    # County boundaries (一区多园): thin grey dash-dot lines under everything.
    "counties": {"color": "#737373", "weight": 1.0, "fill": "#f0f0f0", "fillOpacity": 0.0,
                 "dash": [8, 3, 2, 3]},
    # Completed regional assessments (标准地): a dashed teal outline over whatever they cover.
    "assessments": {"color": "#01665e", "weight": 1.2, "fill": "#80cdc1", "fillOpacity": 0.12,
                    "dash": [4, 3]},
    # A request is neither good nor bad: a neutral blue; its failing parts are the conflicts.
    "requests": {"color": "#1f78b4", "weight": 2.5, "fill": "#a6cee3", "fillOpacity": 0.3},
    "result": {"color": "#ce1256", "weight": 1.5, "fill": "#df65b0", "fillOpacity": 0.45},
    # Parts of a request inside a constraint of unknown kind.
    "conflicts": {"color": "#67000d", "weight": 1.5, "fill": "#a50f15", "fillOpacity": 0.65},
}


# The layer kind each conflict of an expansion request is with (keys of its checks).
CONSTRAINT_KINDS: dict[str, str] = {
    "redline": "redlines", "farmland": "farmland", "dev_boundary_outside": "dev_boundary",
    "other_zones": "zones",
}


def _darker(color: str, factor: float = 0.55) -> str:
    """``color`` with each RGB channel scaled by ``factor``.

    Examples
    --------
    >>> _darker("#1b7837")
    '#0f421e'
    """
    rgb = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * factor):02x}" for c in rgb)


def _conflict_look(constraint: KindStyle) -> KindStyle:
    """A conflict with ``constraint``: its hue, filled solid, under a heavier darker outline.

    Drawn over the constraint itself, the part in conflict reads as the constraint's colour
    made emphatic, so a red-line conflict is never mistaken for a farmland one.
    """
    return {"color": _darker(constraint["color"]), "weight": max(3.0, constraint["weight"] + 1),
            "fill": constraint["color"], "fillOpacity": 0.7}


# Keyed "conflicts.<check>", a layer kind the reports' SVG maps draw as it is.
KIND_STYLES.update({f"conflicts.{check}": _conflict_look(KIND_STYLES[kind])
                    for check, kind in CONSTRAINT_KINDS.items()})


GENERIC_STYLE: KindStyle = {"color": "#3182bd", "weight": 1.2, "fill": "#6baed6",
                             "fillOpacity": 0.35}


NODATA_COLOR = "#bdbdbd"


# Statuses and classes with a meaning: green is good, red is bad.
CATEGORY_COLORS: dict[str, str] = {
    "A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c",
    "ready": "#1a9641", "blocked": "#d7191c", "pass": "#1a9641", "fail": "#d7191c",
    "ok": "#1a9641", "conflict": "#d7191c", "warning": "#fdae61", "review": "#fdae61",
    "通过": "#1a9641", "不通过": "#d7191c", "可用": "#1a9641", "受限": "#d7191c",
    "冲突": "#d7191c", "达标": "#1a9641", "不达标": "#d7191c", "待核实": "#fdae61",
    # 标准地 readiness, as the map's legend names it in each language.
    "可出让": "#1a9641", "有条件出让": "#fdae61", "暂不具备出让条件": "#d7191c",
    "Ready": "#1a9641", "Ready with conditions": "#fdae61", "Blocked": "#d7191c",
}


# Colours of categories without a meaning, in order: dark then light of ten hues (Tableau 20),
# any two at least 12 apart in CIEDE2000.
CATEGORY_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78",
                    "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
                    "#dbdb8d", "#9edae5"]


# Land-status codes (gaoxin.kinds.LAND_STATUS_CODES), a colour each: built land in the colours
# of its use as land-use maps draw it (residential yellow, industrial brown, commercial red,
# green space green, public services pink, streets grey), land ready or not for supply in light
# greens, unbuildable land in blue and dark green, supplied land in oranges, land still
# available in teals, idle land near black. Any two at least 12 apart in CIEDE2000, so no two
# classes of one legend look alike.
LAND_STATUS_COLORS: dict[str, str] = {
    "A": "#fddbc7", "A1": "#ffe45c", "A2": "#a6761d", "A31": "#969696", "A32": "#d4d4d4",
    "A4": "#e31a1c", "A51": "#4daf4a", "A52": "#f781bf", "A6": "#e7d4e8",
    "B11": "#c7b299", "B12": "#8c6bb1", "B21": "#b8e186", "B22": "#fff7bc",
    "C1": "#4575b4", "C2": "#1b5e20", "C3": "#9fa86a",
    "D1": "#fdb863", "D21": "#e66101", "D22": "#7f3b08",
    "E1": "#92d3e8", "E21": "#35978f", "E22": "#003c30",
    "F": "#5c5c5c", "G": "#1a1a1a", "H1": "#54278f", "H2": "#9e9ac8",
}


SEQUENTIAL = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494", "#081d58"]


DIVERGING = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]


def kind_style(kind: str | None, highlight: bool = False) -> Style:
    """Base style of a layer kind; ``highlight`` draws it more heavily in the same colours.

    A highlighted layer is one to look at first (the request under review), not a problem:
    it keeps its kind's colours, so it reads the same on the map and in the report.

    Examples
    --------
    >>> kind_style("parcels")["fill"]
    '#fdbf6f'
    >>> kind_style("requests", highlight=True)["color"] == kind_style("requests")["color"]
    True
    >>> kind_style("conflicts.redline")["fill"] == kind_style("redlines")["color"]
    True
    """
    look = KIND_STYLES.get(kind or "", GENERIC_STYLE)
    if highlight:
        look = {**look, "weight": max(3.0, look["weight"] * 1.5), "opacity": 1.0}
    # Keys the look already has keep their place (the map page's JSON is stable).
    return {**look, "opacity": look.get("opacity", 1.0), "dash": look.get("dash"),
            "radius": look.get("radius", 4)}


def _lab(color: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB ``#rrggbb`` colour."""
    srgb = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb)
    xyz = ((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047,
           0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
           (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883)
    fx, fy, fz = (t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e_lab(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 colour difference of two L*a*b* colours (Sharma, Wu & Dalal 2005).

    Examples
    --------
    >>> round(delta_e_lab((50, 2.6772, -79.7751), (50, 0, -82.7485)), 4)
    2.0425
    """
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_hue = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + (360 if h1 + h2 < 360 else -360)) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30))
         + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6))
         - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * c_mean
    s_h = 1 + 0.015 * c_mean * t
    r_c = 2 * math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7))
    r_t = -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_hue / s_h
    return math.sqrt(dl ** 2 + dc ** 2 + dhh ** 2 + r_t * dc * dhh)


def delta_e(color1: str, color2: str) -> float:
    """CIEDE2000 difference of two ``#rrggbb`` colours; below about 10 two classes look alike.

    Examples
    --------
    >>> delta_e("#1b7837", "#1b7837")
    0.0
    >>> round(delta_e("#1f77b4", "#d62728"), 1)
    48.6
    """
    return delta_e_lab(_lab(color1), _lab(color2))
