"""Symbology: the look of each layer kind, and the colours of statuses and classes.

One definition for every output: the interactive maps (gaoxin.maps) and the printed
reports' SVG maps both draw from it, so a layer kind has one colour everywhere.

Every style is a dict understood by the map runtime: ``color`` (stroke), ``weight``,
``opacity``, ``fill``, ``fillOpacity``, ``dash`` and ``radius`` (points).
"""

from __future__ import annotations

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


KIND_STYLES: dict[str, KindStyle] = {
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
    # Parts of a request inside a constraint: drawn over the constraint itself.
    "conflicts": {"color": "#67000d", "weight": 1.5, "fill": "#a50f15", "fillOpacity": 0.65},
}


GENERIC_STYLE: KindStyle = {"color": "#3182bd", "weight": 1.2, "fill": "#6baed6",
                             "fillOpacity": 0.35}


HIGHLIGHT_STYLE: KindStyle = {"color": "#ff0000", "weight": 3, "fill": "#ff0000",
                               "fillOpacity": 0.45}


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


def kind_style(kind: str | None, highlight: bool = False) -> Style:
    """Base style of a layer kind.

    Examples
    --------
    >>> kind_style("parcels")["fill"]
    '#fdbf6f'
    >>> kind_style(None, highlight=True)["color"]
    '#ff0000'
    """
    look = HIGHLIGHT_STYLE if highlight else KIND_STYLES.get(kind or "", GENERIC_STYLE)
    # Keys the look already has keep their place (the map page's JSON is stable).
    return {**look, "opacity": look.get("opacity", 1.0), "dash": look.get("dash"),
            "radius": look.get("radius", 4)}
