"""maps/builder.py without a browser: offline HTML, escaping, columns, precision, legend, GCJ-02."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import branca.colormap
import geopandas as gpd
import numpy as np
import pytest
from shapely import Point, box

from gaoxin.errors import InputError
from gaoxin.geo.offsets import wgs84_to_gcj02
from gaoxin.maps import MapLayer, build_map, render_html, save_map, write_map
from tests.maps.helpers import XSS, parcels, zones


def payloads(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"gaoxin\.fastLayer\((\{.*?\}), \{\}\);", html)]


def varints(b64: str, signed: bool = False) -> list[int]:
    out, v, shift = [], 0, 0
    for b in base64.b64decode(b64):
        v |= (b & 127) << shift
        shift += 7
        if not b & 128:
            out.append((v >> 1) ^ -(v & 1) if signed else v)
            v, shift = 0, 0
    return out


def coords(payload: dict) -> np.ndarray:
    return np.cumsum(np.array(varints(payload["xy"], True)).reshape(-1, 2), axis=0) / payload["q"]


@pytest.fixture(scope="module")
def html() -> str:
    m = build_map([MapLayer(zones(), "zones"),
                   MapLayer(parcels(), "parcels", color_by="far", classify="thresholds",
                            thresholds=[1.0])], title="测试地图")
    return render_html(m, offline=True)


def test_offline_html_has_no_external_script_or_link(html: str) -> None:
    assert not re.search(r"<script[^>]+src=\"https?:", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert "L.map(" in html and "gaoxin.fastLayer(" in html
    assert html.count("<script>") >= 3  # leaflet, plugins, runtime inlined


def test_online_keeps_cdn_links() -> None:
    m = build_map([MapLayer(zones(), "zones")])
    assert re.search(r"<script[^>]+src=\"https://", render_html(m, offline=False))


def test_chinese_text_is_not_unicode_escaped(html: str) -> None:
    assert "一号地1" in html and "成都高新区" in html and "测试地图" in html
    assert not re.search(r"\\u[4-9][0-9a-f]{3}", html)


def test_attribute_markup_cannot_leave_the_script(html: str) -> None:
    assert XSS not in html
    assert "\\u003cimg src=x onerror=" in html
    assert payloads(html)[1]["cols"][2]["v"][0] == XSS  # intact as data


def test_only_shown_columns_are_embedded(html: str) -> None:
    assert "机密业主" not in html
    cols = [c["name"] for c in payloads(html)[1]["cols"]]
    assert cols == ["parcel_id", "land_use", "name", "area_mu", "area_ha", "far"]


def test_explicit_columns() -> None:
    m = build_map([MapLayer(parcels(), "parcels", columns=["parcel_id"])])
    (p,) = payloads(render_html(m))
    assert [c["name"] for c in p["cols"]] == ["parcel_id"]


def test_coordinates_at_display_precision(html: str) -> None:
    p = payloads(html)[1]
    xy = coords(p)
    expected = np.array(parcels().to_crs(4326).geometry.iloc[0].exterior.coords)[:4]
    np.testing.assert_allclose(xy[:4], np.round(expected, 6), atol=1e-9)
    assert varints(p["rlen"]) == [4] * 12  # closing vertex dropped


def test_areas_in_mu_and_hectares(html: str) -> None:
    cols = {c["name"]: c for c in payloads(html)[1]["cols"]}
    assert cols["area_mu"]["label"] == "面积(亩)" and cols["area_ha"]["label"] == "面积(公顷)"
    assert cols["area_mu"]["v"][0] == pytest.approx(15.0, abs=0.01)  # 100 m × 100 m = 15 亩
    assert cols["area_ha"]["v"][0] == pytest.approx(1.0, abs=1e-3)


def test_legend_states_classes_and_units() -> None:
    m = build_map([MapLayer(parcels(), "parcels", color_by="far", classify="quantiles",
                            unit="倍")])
    html = render_html(m)
    assert "容积率(倍)" in html and "图例" in html and "地块" in html
    en = render_html(build_map([MapLayer(parcels(), "parcels", color_by="far",
                                         classify="thresholds", thresholds=[1.0])], lang="en"))
    assert '"Legend"' in en and "Parcels" in en and "≥ 1" in en and "Area (mu)" in en


def test_categorical_status_colours() -> None:
    g = parcels().assign(status=["ready", "blocked", None] * 4)
    (p,) = payloads(render_html(build_map([MapLayer(g, "parcels", color_by="status")])))
    fills = [s["fill"] for s in p["styles"]]
    assert fills[:2] == ["#1a9641", "#d7191c"]  # ready green, blocked red
    assert len(fills) == 3  # + no data


def test_amap_overlay_is_shifted_to_gcj02() -> None:
    g = parcels()
    m = build_map([MapLayer(g, "parcels")], basemap="amap")
    html = render_html(m)
    (p,) = payloads(html)
    lon, lat = np.array(g.to_crs(4326).geometry.iloc[0].exterior.coords[0])
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    np.testing.assert_allclose(coords(p)[0], [glon[0], glat[0]], atol=1.1e-6)
    assert abs(coords(p)[0][0] - lon) > 1e-3  # hundreds of metres
    assert "GCJ-02" in html and "autonavi" in html


def test_basemap_degrade_message_present() -> None:
    html = render_html(build_map([MapLayer(zones(), "zones")], basemap="osm"))
    assert "底图无法加载" in html and "tileerror" in html and "tile.openstreetmap.org" in html


def test_branca_legend_works_offline(tmp_path: Path) -> None:
    m = build_map([MapLayer(zones(), "zones")])
    branca.colormap.LinearColormap(["#ffffff", "#ff0000"], vmin=0, vmax=1, caption="x").add_to(m)
    html = save_map(m, tmp_path / "b.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert 'version:"3.5.5"' in html  # branca's d3 inlined


def test_missing_assets_tell_to_run_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAOXIN_ASSETS", str(tmp_path))
    with pytest.raises(InputError, match="make setup"):
        write_map([MapLayer(zones(), "zones")], tmp_path / "m.html")
    assert not (tmp_path / "m.html").exists()
    online = write_map([MapLayer(zones(), "zones")], tmp_path / "o.html", offline=False)
    assert online.exists()


def test_save_is_atomic_and_returns_path(tmp_path: Path) -> None:
    out = write_map([MapLayer(zones(), "zones")], tmp_path / "sub" / "m.html")
    assert out == tmp_path / "sub" / "m.html" and out.stat().st_size > 100_000
    assert [p.name for p in out.parent.iterdir()] == ["m.html"]


def test_generic_and_mixed_geometries() -> None:
    g = gpd.GeoDataFrame({"code": ["a", "b", "c"]},
                         geometry=[Point(104.0, 30.0), box(104, 30, 104.01, 30.01).exterior,
                                   box(104, 30, 104.01, 30.01)], crs=4326)
    (p,) = payloads(render_html(build_map([MapLayer(g)])))
    assert p["n"] == 3 and varints(p["ptype"]) == [2, 1, 1, 1, 0, 1]  # runs: point, line, poly
    assert p["name"] == "图层"


def test_bad_input_is_reported() -> None:
    with pytest.raises(InputError, match="no CRS"):
        build_map([MapLayer(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), "zones")])
    with pytest.raises(InputError, match="color_by"):
        build_map([MapLayer(zones(), "zones", color_by="nope")])
    with pytest.raises(InputError, match="basemap"):
        build_map([MapLayer(zones(), "zones")], basemap="google")


def test_coded_columns_read_as_words_in_popups() -> None:
    import json
    import re

    import geopandas as gpd
    from shapely import box

    from gaoxin.maps import MapLayer
    from gaoxin.maps.builder import build_map

    zones = gpd.GeoDataFrame({"zone_id": ["G1"], "name": ["甲"], "level": ["national"]},
                             geometry=[box(0, 0, 1, 1)], crs=4326)
    parcels = gpd.GeoDataFrame({"parcel_id": ["P1"], "status": ["A2"]},
                               geometry=[box(0, 0, 0.5, 0.5)], crs=4326)
    for lang, level, status in (("zh", "国家级", "A2 工矿仓储用地"), ("en", "national", "A2 ")):
        html = build_map([MapLayer(zones, "zones"), MapLayer(parcels, "parcels")],
                         lang=lang).get_root().render()
        payloads = [json.loads(m) for m in re.findall(r"gaoxin\.fastLayer\((\{.*?\}), \{\}\)",
                                                       html, re.S)]
        text = json.dumps(payloads, ensure_ascii=False)
        assert level in text and status in text
