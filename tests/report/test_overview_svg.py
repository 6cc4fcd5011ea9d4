"""report/overview_svg.py: layers drawn to scale in SVG, with legend, scale bar and north."""

from __future__ import annotations

import re

import geopandas as gpd
from markupsafe import Markup
from shapely import LineString, Point, box

from gaoxin.report.overview_svg import SvgLayer, overview_svg
from gaoxin.report.symbology import kind_style


def frame(*geoms: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=4544)


def test_a_box_is_drawn_to_scale_with_a_round_scale_bar() -> None:
    # 1000 m × 500 m with 5 % margins: 1100 m over 700 px, so 0.6364 px/m; the map band is
    # 470 px high below a 30 px title strip, so the box is centred at y = 90 … 424 px.
    svg = overview_svg([SvgLayer(frame(box(0, 0, 1000, 500)), "区块")], width=700, height=500)
    assert isinstance(svg, Markup)
    assert 'd="M668.2,424.1 L668.2,105.9 L31.8,105.9 L31.8,424.1 L668.2,424.1Z"' in svg
    # a fifth of 1100 m is 220 m: the bar is the round 200 m, 127.3 px long
    assert '<rect width="127.3" height="5" fill="#333"/><text y="-4" font-size="11">200 m' in svg
    assert ">北</text>" in svg


def test_holes_lines_and_points() -> None:
    holed = box(0, 0, 100, 100).difference(box(40, 40, 60, 60))
    svg = overview_svg([SvgLayer(frame(holed, LineString([(0, 0), (100, 100)]),
                                       Point(50, 50)), "x")], bounds=(0, 0, 100, 100))
    (d,) = re.findall(r'<path d="([^"]+)" fill="none"', svg)
    # outer ring and hole closed with Z (even-odd fill), the line open, the point not drawn
    assert d.count("M") == 3 and d.count("Z") == 2 and not d.endswith("Z")
    assert 'fill-rule="evenodd"' in svg


def test_scale_bar_in_kilometres_and_empty_layers_only_in_the_legend() -> None:
    empty = SvgLayer(frame(), "无要素")
    svg = overview_svg([SvgLayer(frame(box(0, 0, 50_000, 10_000)), "a"), empty],
                       title="总图", lang="en")
    assert ">10 km</text>" in svg and ">N</text>" in svg and ">总图</text>" in svg
    assert svg.count("<path d=\"M") == 1 + 1  # the layer and the north arrow
    assert ">无要素</text>" in svg  # still in the legend


def test_of_kind_takes_the_kinds_look() -> None:
    red = SvgLayer.of_kind(frame(), "redlines", "红线")
    style = kind_style("redlines")
    assert (red.fill, red.stroke, red.fill_opacity, red.stroke_width, red.dash) == (
        style["fill"], style["color"], style["fillOpacity"], style["weight"], None)
    boundary = SvgLayer.of_kind(frame(), "dev_boundary", "边界")
    assert boundary.fill == "none" and boundary.dash == "6,4"  # no fill when transparent
