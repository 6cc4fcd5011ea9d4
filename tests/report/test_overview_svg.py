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


def _boxes(svg: str, cls: str) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of the rects of class ``cls``."""
    out = []
    for m in re.finditer(rf'<rect class="{cls}" x="([-\d.]+)" y="([-\d.]+)" '
                         r'width="([-\d.]+)" height="([-\d.]+)"', svg):
        x, y, w, h = (float(v) for v in m.groups())
        out.append((x, y, x + w, y + h))
    return out


def test_the_legend_never_covers_a_drawn_feature() -> None:
    # a zone filling the whole drawing, as a context map of a large zone does: whatever
    # corner a legend took inside the drawing, it would hide part of the zone
    zone = frame(box(0, 0, 4000, 3000))
    layers = [SvgLayer(zone, f"图层{i}", fill="#c00") for i in range(6)]
    svg = str(overview_svg(layers, bounds=(500, 500, 3500, 2500), width=700, height=500))
    legends, areas = _boxes(svg, "legend"), _boxes(svg, "map-area")
    assert len(legends) == 1 and len(areas) == 1, "legend and drawing area are marked"
    legend, area = legends[0], areas[0]
    drawn = re.search(r'<g clip-path="url\(#([\w-]+)\)">(.*?)</g>', svg)
    assert drawn is not None and f'<clipPath id="{drawn[1]}"><rect class="map-area"' in svg
    for d in re.findall(r'<path d="([^"]+)"', drawn[2]):
        xy = [float(v) for v in re.findall(r"[-\d.]+", d)]
        xs, ys = xy[0::2], xy[1::2]
        # what is seen of the feature: its box cut to the drawing area
        seen = (max(min(xs), area[0]), max(min(ys), area[1]),
                min(max(xs), area[2]), min(max(ys), area[3]))
        assert seen[0] < seen[2] and seen[1] < seen[3]
        assert seen[3] <= legend[1] or seen[1] >= legend[3] or \
            seen[2] <= legend[0] or seen[0] >= legend[2], (seen, legend)
    # every legend entry is inside the legend band, and the band inside the picture
    view = re.search(r'viewBox="([^"]+)"', svg)
    assert view is not None
    width, height = (float(v) for v in view[1].split()[2:])
    assert legend[3] <= height and legend[2] <= width
    for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="18"', svg):
        assert legend[1] <= float(y) <= legend[3] - 12


def test_two_drawings_of_one_page_clip_with_their_own_ids() -> None:
    ids = []
    for title in ("详图", "总览"):
        svg = str(overview_svg([SvgLayer(frame(box(0, 0, 10, 10)), "甲")], title=title))
        found = re.search(r'clipPath id="([\w-]+)"', svg)
        assert found is not None
        ids.append(found[1])
    assert ids[0] != ids[1]
