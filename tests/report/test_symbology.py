"""report/symbology.py: one complete look per layer kind, and colours that mean something."""

from __future__ import annotations

from gaoxin.kinds import KINDS
from gaoxin.report.symbology import (
    CATEGORY_COLORS,
    GENERIC_STYLE,
    HIGHLIGHT_STYLE,
    KIND_STYLES,
    kind_style,
)

KEYS = ["color", "weight", "fill", "fillOpacity", "opacity", "dash", "radius"]


def test_kind_style_fills_in_defaults_after_the_kinds_own_keys() -> None:
    zones = kind_style("zones")
    assert list(zones) == KEYS  # a stable key order keeps the map page's JSON stable
    assert zones == {"color": "#d7301f", "weight": 2.5, "fill": "#fc8d59", "fillOpacity": 0.05,
                     "opacity": 1.0, "dash": None, "radius": 4}
    assert kind_style("dev_boundary")["dash"] == [6, 4]


def test_unknown_kinds_look_generic_and_highlight_wins() -> None:
    assert kind_style(None)["fill"] == kind_style("river")["fill"] == GENERIC_STYLE["fill"]
    assert kind_style("parcels", highlight=True)["color"] == HIGHLIGHT_STYLE["color"]


def test_every_polygon_and_line_kind_has_its_own_look() -> None:
    drawn = {name for name, kind in KINDS.items() if kind.geometry in ("polygon", "line")}
    assert drawn <= set(KIND_STYLES)
    fills = [KIND_STYLES[k]["color"] for k in sorted(drawn)]
    assert len(set(fills)) == len(fills)  # no two kinds share a stroke colour


def test_good_is_green_and_bad_is_red_in_both_languages() -> None:
    green, red = "#1a9641", "#d7191c"
    assert {CATEGORY_COLORS[k] for k in ("pass", "通过", "达标", "ready", "A")} == {green}
    assert {CATEGORY_COLORS[k] for k in ("fail", "不通过", "不达标", "blocked", "D")} == {red}
