"""report/symbology.py: one complete look per layer kind, and colours that mean something."""

from __future__ import annotations

import colorsys
import itertools

import pytest

from gaoxin.kinds import KINDS
from gaoxin.report.symbology import (
    CATEGORY_COLORS,
    CONSTRAINT_KINDS,
    GENERIC_STYLE,
    KIND_STYLES,
    delta_e,
    delta_e_lab,
    kind_style,
)

KEYS = ["color", "weight", "fill", "fillOpacity", "opacity", "dash", "radius"]


def hue_degrees(color: str) -> float:
    r, g, b = (int(color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_kind_style_fills_in_defaults_after_the_kinds_own_keys() -> None:
    zones = kind_style("zones")
    assert list(zones) == KEYS  # a stable key order keeps the map page's JSON stable
    assert zones == {"color": "#d7301f", "weight": 2.5, "fill": "#fc8d59", "fillOpacity": 0.05,
                     "opacity": 1.0, "dash": None, "radius": 4}
    assert kind_style("dev_boundary")["dash"] == [6, 4]


def test_unknown_kinds_look_generic() -> None:
    assert kind_style(None)["fill"] == kind_style("river")["fill"] == GENERIC_STYLE["fill"]


def test_a_highlighted_layer_keeps_its_kinds_colours_and_is_drawn_heavier() -> None:
    # A request under review is highlighted; bright red would say it failed before any check.
    for kind in ("requests", "parcels", "result", None):
        plain, shown = kind_style(kind), kind_style(kind, highlight=True)
        assert (shown["color"], shown["fill"]) == (plain["color"], plain["fill"])
        assert shown["weight"] > plain["weight"] and shown["opacity"] == 1.0
        assert list(shown) == KEYS


def test_the_three_control_lines_are_drawn_as_on_the_spatial_plans() -> None:
    # 生态保护红线 green, 永久基本农田 yellow, 城镇开发边界 a dashed line without fill.
    red_line, farmland, boundary = (kind_style(k) for k in ("redlines", "farmland",
                                                             "dev_boundary"))
    for look in (red_line["color"], red_line["fill"]):
        assert 90 <= hue_degrees(look) <= 150
    for look in (farmland["color"], farmland["fill"]):
        assert 40 <= hue_degrees(look) <= 60
    assert boundary["dash"] and boundary["fillOpacity"] == 0


def test_a_conflict_is_drawn_in_its_constraints_hue_emphasised() -> None:
    for check, kind in CONSTRAINT_KINDS.items():
        constraint, conflict = kind_style(kind), kind_style(f"conflicts.{check}")
        assert conflict["fill"] == constraint["color"]
        assert abs(hue_degrees(conflict["color"]) - hue_degrees(constraint["color"])) < 3
        assert delta_e(conflict["color"], constraint["color"]) >= 10  # a darker outline
        assert conflict["weight"] > constraint["weight"]
        assert conflict["fillOpacity"] > constraint["fillOpacity"]


def test_every_polygon_and_line_kind_has_its_own_look() -> None:
    drawn = {name for name, kind in KINDS.items() if kind.geometry in ("polygon", "line")}
    assert drawn <= set(KIND_STYLES)
    kinds = sorted(drawn | {"result"})
    for a, b in itertools.combinations(kinds, 2):
        # no two kinds' outlines look alike (buildings and roads were both mid grey)
        assert delta_e(KIND_STYLES[a]["color"], KIND_STYLES[b]["color"]) >= 10, (a, b)


def test_good_is_green_and_bad_is_red_in_both_languages() -> None:
    green, red = "#1a9641", "#d7191c"
    assert {CATEGORY_COLORS[k] for k in ("pass", "通过", "达标", "ready", "A")} == {green}
    assert {CATEGORY_COLORS[k] for k in ("fail", "不通过", "不达标", "blocked", "D")} == {red}


@pytest.mark.parametrize(("lab1", "lab2", "expected"), [
    # Sharma, Wu & Dalal (2005), the CIEDE2000 test data: pairs 1, 7, 17, 25 and 34.
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
])
def test_colour_difference_is_ciede2000(lab1: tuple[float, float, float],
                                        lab2: tuple[float, float, float],
                                        expected: float) -> None:
    assert delta_e_lab(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert delta_e_lab(lab2, lab1) == pytest.approx(expected, abs=5e-5)
