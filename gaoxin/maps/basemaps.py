"""Basemaps: 天地图 (vector / imagery with annotation), OpenStreetMap, AMap (GCJ-02), none.

天地图 tiles are CGCS2000, which lines up with WGS84 at web-map precision: overlays are drawn
as they are. AMap tiles are GCJ-02: overlays must be shifted with
:func:`gaoxin.geo.offsets.convert_geometries` (the builder does it when ``basemap="amap"``).
"""

from __future__ import annotations

import os
from typing import TypedDict, Unpack

import folium

from ..errors import InputError
from ..report.labels import TEXT, locale

BASEMAPS = ("tianditu", "osm", "amap", "none")

_TDT = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
_TDT_ATTR = "&copy; 天地图 Tianditu"
_AMAP = ("https://webrd0{{s}}.is.autonavi.com/appmaptile?lang={lang}&size=1&scale=1&style=8"
         "&x={{x}}&y={{y}}&z={{z}}")
_AMAP_IMG = "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}"


def tianditu_key(key: str | None = None) -> str:
    """The 天地图 key: the argument, else ``TIANDITU_KEY``.

    Raises
    ------
    InputError
        When there is no key.

    Examples
    --------
    >>> tianditu_key("abc")
    'abc'
    """
    key = key or os.environ.get("TIANDITU_KEY")
    if not key:
        raise InputError(
            "the 天地图 (Tianditu) basemap needs a key",
            fix='write key = "…" under [tianditu] in the workspace file (gaoxin.toml), or '
                "set the TIANDITU_KEY environment variable (a free key from the Tianditu "
                "console), or use --basemap osm|amap|none",
        )
    return key


class _TileOptions(TypedDict, total=False):
    subdomains: str  # the {s} of the URL; Leaflet's default is "abc"


def add_basemap(m: folium.Map, basemap: str, lang: str,
                key: str | None = None) -> list[folium.TileLayer]:
    """Add the tile layers of ``basemap`` to ``m`` (base layers in the layer control).

    Returns the tile layers added, so the page can report when they fail to load.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> [t.layer_name for t in add_basemap(m, "osm", "en")]
    ['OpenStreetMap']
    """
    if basemap not in BASEMAPS:
        raise InputError(f"unknown basemap {basemap!r}", fix=f"use one of {', '.join(BASEMAPS)}")
    t = TEXT[lang]
    added: list[folium.TileLayer] = []

    def tile(url: str, name: str, attr: str, *, show: bool = True, overlay: bool = False,
             control: bool = True, **kw: Unpack[_TileOptions]) -> folium.TileLayer:
        layer = folium.TileLayer(url, name=name, attr=attr, overlay=overlay, control=control,
                                 show=show, max_zoom=19, max_native_zoom=18, **kw)
        layer.add_to(m)
        added.append(layer)
        return layer

    if basemap == "tianditu":
        k = tianditu_key(key)
        sub = list("01234567")
        for i, (base, note, name) in enumerate((("vec", "cva", t["vec"]),
                                                 ("img", "cia", t["img"]))):
            grp = folium.FeatureGroup(name=name, overlay=False, show=i == 0).add_to(m)
            for layer in (base, note):
                tl = folium.TileLayer(_TDT.format(layer=layer, key=k), attr=_TDT_ATTR,
                                      # folium's docstring and Leaflet take a list:
                                      subdomains=sub,  # type: ignore[arg-type]  # stub: str
                                      max_zoom=19, max_native_zoom=18,
                                      control=False)
                tl.add_to(grp)
                added.append(tl)
    elif basemap == "osm":
        tile("https://tile.openstreetmap.org/{z}/{x}/{y}.png", t["osm"],
             "&copy; OpenStreetMap contributors")
    elif basemap == "amap":
        tile(_AMAP.format(lang=locale("amap", lang)), t["amap"], "&copy; 高德 AMap",
             subdomains="1234")
        tile(_AMAP_IMG, t["amap_img"], "&copy; 高德 AMap", subdomains="1234", show=False)
    return added
