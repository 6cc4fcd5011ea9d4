"""Maps: one folium map builder for every analysis, written as self-contained offline HTML.

See :mod:`gaoxin.maps.builder`. Layers are embedded in a compact encoding and drawn on one
canvas per layer by a small runtime (``static/gaoxin-map.js``) that hit-tests clicks itself.
"""

from .builder import MapLayer, build_map, render_html, save_map, write_map

__all__ = ["MapLayer", "build_map", "render_html", "save_map", "write_map"]
