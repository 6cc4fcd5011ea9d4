"""maps/basemaps.py: the tile layers of each basemap, and the 天地图 key."""

from __future__ import annotations

import folium
import pytest

from gaoxin.errors import InputError
from gaoxin.maps import MapLayer, build_map, render_html
from gaoxin.maps.basemaps import BASEMAPS, add_basemap, tianditu_key
from tests.maps.helpers import zones


def tile_urls(layers: list[folium.TileLayer]) -> list[str]:
    return [layer.tiles for layer in layers]


def test_each_basemap_adds_its_tiles() -> None:
    osm = add_basemap(folium.Map(tiles=None), "osm", "zh")
    assert tile_urls(osm) == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]
    amap = add_basemap(folium.Map(tiles=None), "amap", "en")
    assert len(amap) == 2 and "lang=en" in amap[0].tiles and "style=6" in amap[1].tiles
    assert "lang=zh_cn" in add_basemap(folium.Map(tiles=None), "amap", "zh")[0].tiles
    tdt = add_basemap(folium.Map(tiles=None), "tianditu", "zh", key="k9")
    # vector and imagery, each with its annotation layer
    assert [u.split(".tianditu.gov.cn/")[1][:5] for u in tile_urls(tdt)] == [
        "vec_w", "cva_w", "img_w", "cia_w"]
    assert all(u.endswith("&tk=k9") for u in tile_urls(tdt))
    assert add_basemap(folium.Map(tiles=None), "none", "zh") == []


def test_unknown_basemap_names_the_choices() -> None:
    with pytest.raises(InputError, match="unknown basemap 'google'") as info:
        add_basemap(folium.Map(tiles=None), "google", "zh")
    assert info.value.fix == f"use one of {', '.join(BASEMAPS)}"


def test_key_from_argument_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIANDITU_KEY", "from-env")
    assert tianditu_key("given") == "given" and tianditu_key() == "from-env"
    monkeypatch.setenv("TIANDITU_KEY", "")
    with pytest.raises(InputError, match="needs a key"):
        tianditu_key()


def test_tianditu_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(InputError, match="TIANDITU_KEY"):
        build_map([MapLayer(zones(), "zones")], basemap="tianditu")
    monkeypatch.setenv("TIANDITU_KEY", "k123")
    html = render_html(build_map([MapLayer(zones(), "zones")], basemap="tianditu"))
    assert "tianditu.gov.cn/vec_w" in html and "cia_w" in html and "tk=k123" in html
