"""A static overview map as inline SVG, for printable reports (no browser, no tiles).

Layers are drawn in a projected CRS (metres) with a scale bar, north arrow and legend.
Every text and attribute value is escaped where it is written (:func:`html.escape`, whose
output is also valid XML), so the SVG is returned as :class:`markupsafe.Markup`: a report
template includes it as it is, with no ``|safe`` that could let unescaped text through.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import numpy as np
import shapely
from markupsafe import Markup

from . import labels as catalogue
from .symbology import kind_style

# Width of the scale bar's place at the left of the legend band, and of one legend entry.
_SCALE_BAR_W = 170
_LEGEND_ITEM_W = 175


@dataclass
class SvgLayer:
    """A layer and how to draw it."""

    gdf: gpd.GeoDataFrame
    label: str
    fill: str = "none"
    stroke: str = "#333"
    fill_opacity: float = 0.4
    stroke_width: float = 1.0
    dash: str | None = None

    @classmethod
    def of_kind(cls, gdf: gpd.GeoDataFrame, kind: str, label: str) -> SvgLayer:
        """A layer drawn as its kind is drawn on every map (gaoxin.report.symbology).

        Examples
        --------
        >>> from gaoxin.report.symbology import kind_style
        >>> layer = SvgLayer.of_kind(gpd.GeoDataFrame(geometry=[]), "redlines", "红线")
        >>> (layer.fill, layer.stroke) == (kind_style("redlines")["fill"],
        ...                                kind_style("redlines")["color"])
        True
        """
        style = kind_style(kind)
        fill = style["fill"] if style["fillOpacity"] > 0 else "none"
        dash = ",".join(str(d) for d in style["dash"]) if style["dash"] else None
        return cls(gdf, label, fill=fill, stroke=style["color"],
                   fill_opacity=float(style["fillOpacity"]),
                   stroke_width=float(style["weight"]), dash=dash)


def _path(geom: shapely.Geometry, sx: Callable[[float], float],
          sy: Callable[[float], float]) -> str:
    """SVG path data of ``geom``'s rings and lines; ``sx``/``sy`` map metres to pixels."""
    parts = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type == "Polygon":
            rings = [poly.exterior, *poly.interiors]
        elif poly.geom_type in ("LineString", "LinearRing"):
            rings = [poly]
        else:
            continue
        for ring in rings:
            xy = np.asarray(ring.coords)
            if len(xy) < 2:
                continue
            pts = " L".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in xy)
            parts.append(f"M{pts}" + ("Z" if poly.geom_type == "Polygon" else ""))
    return " ".join(parts)


def overview_svg(layers: list[SvgLayer], *, bounds: tuple[float, float, float, float] | None = None,
                 width: int = 700, height: int = 500, title: str = "",
                 lang: str = "zh") -> Markup:
    """Render layers to SVG markup, every label and style value escaped.

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"n": ["<b>"]}, geometry=[box(0, 0, 1000, 500)], crs=4544)
    >>> svg = overview_svg([SvgLayer(g, "区<界>", fill='#f00" onclick="x')])
    >>> svg.startswith("<svg") and "区&lt;界&gt;" in svg and "<b>" not in svg
    True
    >>> 'fill="#f00&quot; onclick=&quot;x"' in svg
    True
    """
    frames = [lay for lay in layers if len(lay.gdf)]
    if bounds is None:
        b = np.array([lay.gdf.total_bounds for lay in frames]) if frames else np.array(
            [[0, 0, 1, 1]])
        bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    xmin, ymin, xmax, ymax = bounds
    dx, dy = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    xmin, xmax = xmin - dx * 0.05, xmax + dx * 0.05
    ymin, ymax = ymin - dy * 0.05, ymax + dy * 0.05
    # The legend has its own band under the drawing, so it can never hide a feature.
    per_row = max(1, (width - _SCALE_BAR_W) // _LEGEND_ITEM_W)
    legend_rows = -(-len(layers) // per_row)
    legend_h = max(22 * legend_rows + 12, 34)
    map_h = height - 30
    scale = min(width / (xmax - xmin), map_h / (ymax - ymin))
    ox = (width - (xmax - xmin) * scale) / 2
    oy = (map_h - (ymax - ymin) * scale) / 2 + 30

    def sx(x: float) -> float:
        return ox + (x - xmin) * scale

    def sy(y: float) -> float:
        return oy + (ymax - y) * scale

    paths = []
    for lay in layers:
        dash = f' stroke-dasharray="{escape(lay.dash)}"' if lay.dash else ""
        d = " ".join(_path(g, sx, sy) for g in lay.gdf.geometry if g is not None)
        if d:
            paths.append(f'<path d="{d}" fill="{escape(lay.fill)}" '
                         f'fill-opacity="{float(lay.fill_opacity):g}" '
                         f'stroke="{escape(lay.stroke)}" '
                         f'stroke-width="{float(lay.stroke_width):g}"'
                         f'{dash} fill-rule="evenodd"><title>{escape(lay.label)}</title></path>')
    # Two drawings share a page: the clip's id is unique to the drawing's content.
    clip = "gx-clip-" + hashlib.sha1("".join([*paths, title]).encode()).hexdigest()[:12]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + legend_h}" '
           f'width="100%" style="max-width:{width}px;background:#fbfbf8;border:1px solid #ccc;'
           f'font-family:sans-serif">',
           f'<defs><clipPath id="{clip}"><rect class="map-area" x="0" y="30" width="{width}" '
           f'height="{map_h}"/></clipPath></defs>']
    if title:
        out.append(f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>')
    out.append(f'<g clip-path="url(#{clip})">{"".join(paths)}</g>')
    out.append(f'<rect class="legend" x="0" y="{height}" width="{width}" '
               f'height="{legend_h}" fill="white" stroke="#bbb"/>')
    for i, lay in enumerate(layers):
        x = _SCALE_BAR_W + (i % per_row) * _LEGEND_ITEM_W
        y = height + 8 + (i // per_row) * 22
        out.append(f'<rect x="{x}" y="{y}" width="18" height="12" fill="{escape(lay.fill)}" '
                   f'fill-opacity="{max(float(lay.fill_opacity), 0.2):g}" '
                   f'stroke="{escape(lay.stroke)}"/>'
                   f'<text x="{x + 26}" y="{y + 11}" font-size="12">{escape(lay.label)}</text>')
    # scale bar: a round length near a fifth of the width
    target = (xmax - xmin) / 5
    nice = 10 ** np.floor(np.log10(target))
    length = max(n * nice for n in (1, 2, 5) if n * nice <= target)
    px = length * scale
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    out.append(f'<g transform="translate(15,{height + 22})"><rect width="{px:.1f}" height="5" '
               f'fill="#333"/><text y="-4" font-size="11">{label}</text></g>')
    out.append(f'<g transform="translate({width - 25},45)"><path d="M0,-15 L6,5 L0,0 L-6,5 Z" '
               f'fill="#333"/><text x="-4" y="18" font-size="11">'
               f'{catalogue.label("map.north", lang)}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))
