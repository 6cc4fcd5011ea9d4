"""Maps in a real browser: Debian's Chromium driven by Playwright, network blocked.

Skipped only when /usr/bin/chromium (or the playwright package) is absent. A screenshot of
the demo map is saved to tests/artifacts/maps_demo.png. Cross-cutting (the map builder, its
encoding, styles and the JavaScript runtime together in a browser), so it stays at the top
of ``tests/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from shapely import box

from gaoxin.maps import MapLayer, write_map

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
XSS = '<img src=x onerror="window.__xss=1">'
N = 240

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None,
                       reason=f"Debian's Chromium is not installed at {CHROMIUM} "
                              "(apt-get install chromium fonts-wqy-microhei)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def demo_layers() -> list[MapLayer]:
    x0, y0 = 404_000.0, 3_391_000.0
    cols = 20
    geoms = [box(x0 + 60 * (i % cols), y0 + 60 * (i // cols), x0 + 60 * (i % cols) + 50,
                 y0 + 60 * (i // cols) + 50) for i in range(N)]
    parcels = gpd.GeoDataFrame({
        "parcel_id": [f"P{i:03d}" for i in range(N)],
        "land_use": np.array(["M1", "M2", "W1"])[np.arange(N) % 3],
        "name": [XSS if i == 0 else f"地块{i}" for i in range(N)],
        "far": np.round(np.linspace(0.3, 2.2, N), 2),
    }, geometry=geoms, crs=4544)
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["成都高新区"]},
                             geometry=[box(x0 - 40, y0 - 40, x0 + 60 * cols + 30,
                                           y0 + 60 * (N // cols) + 30)], crs=4544)
    request = parcels.iloc[[5, 6]][["parcel_id", "name", "geometry"]]
    return [MapLayer(zones, "zones"),
            MapLayer(parcels, "parcels", color_by="far", classify="thresholds",
                     thresholds=[1.0]),
            MapLayer(request, "requests", highlight=True)]


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_map(demo_layers(), tmp_path_factory.mktemp("map") / "demo.html",
                     title="高新区土地 示例")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class Page:
    """A page with the network blocked: anything not file: or data: is aborted and counted."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("document.querySelector('[data-gx-ready]') !== null")
        self.page.wait_for_timeout(150)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def js(self, expr: str) -> Any:
        return self.page.evaluate(expr)

    def screen_point(self, lat: float, lon: float) -> tuple[float, float]:
        pt = self.js(f"""(() => {{
            const m = window[document.querySelector('.folium-map').id];
            const p = m.latLngToContainerPoint([{lat}, {lon}]);
            const r = m.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }})()""")
        return pt[0], pt[1]

    def click_parcel(self, i: int) -> None:
        c = demo_layers()[1].gdf.to_crs(4326).geometry.iloc[i].centroid
        self.page.mouse.click(*self.screen_point(c.y, c.x))
        self.page.wait_for_timeout(400)


@pytest.fixture
def page(browser: Any, demo_html: Path) -> Iterator[Page]:
    p = Page(browser, demo_html)
    yield p
    p.page.close()


def test_every_feature_is_drawn(page: Page) -> None:
    drawn = page.js("gaoxin.drawn")
    assert drawn == {"L0": 1, "L1": N, "L2": 2}
    attrs = page.js("[...document.querySelectorAll('canvas.gx-canvas')]"
                    ".map(c => +c.dataset.gxDrawn)")
    assert attrs == [1, N, 2]


def test_click_opens_popup_with_values(page: Page) -> None:
    page.click_parcel(47)
    # the parcel first, then the zone it lies in (every feature under the click)
    assert page.page.locator(".gx-popup h4").all_inner_texts() == ["地块", "高新区"]
    popup = page.page.locator(".gx-popup").first
    values = page.js("""Object.fromEntries([...document.querySelectorAll('.gx-popup')[0]
                        .querySelectorAll('td')].map(td => [td.dataset.col, td.textContent]))""")
    far = demo_layers()[1].gdf["far"].iloc[47]
    assert values["parcel_id"] == "P047" and values["name"] == "地块47"
    assert values["land_use"] == ["M1", "M2", "W1"][47 % 3]
    assert values["area_mu"] == "3.75"  # 50 m × 50 m = 2,500 m² = 3.75 亩
    assert values["far"] == f"{far:.2f}"
    assert "面积(亩)" in popup.inner_text() and "地块" in popup.inner_text()


def test_hover_shows_tooltip(page: Page) -> None:
    c = demo_layers()[1].gdf.to_crs(4326).geometry.iloc[30].centroid
    x, y = page.screen_point(c.y, c.x)
    page.page.mouse.move(x, y)
    page.page.mouse.move(x + 1, y + 1)
    page.page.wait_for_timeout(200)
    assert "P030" in page.page.locator(".gx-tooltip").inner_text()


def test_layer_control_hides_layer(page: Page) -> None:
    page.page.locator(".leaflet-control-layers-overlays label", has_text="地块").click()
    page.page.wait_for_timeout(100)
    assert page.js("document.querySelector('canvas[data-gx-layer=L1]')") is None
    assert page.js("gaoxin.drawn.L1") == 0
    assert page.js("document.querySelector('.gx-legend-layer[data-gx-layer=L1]')"
                   ".style.display") == "none"
    page.page.locator(".leaflet-control-layers-overlays label", has_text="地块").click()
    page.page.wait_for_timeout(100)
    assert page.js("gaoxin.drawn.L1") == N


def test_xss_probe_does_not_execute(page: Page) -> None:
    page.click_parcel(0)
    assert page.js("window.__xss") is None
    assert XSS in page.page.locator(".gx-popup").first.inner_text()
    assert page.page.locator(".gx-popup img").count() == 0


def test_search_finds_parcel(page: Page) -> None:
    page.page.locator(".gx-search input").fill("p123")
    page.page.keyboard.press("Enter")
    page.page.wait_for_timeout(600)
    assert "P123" in page.page.locator(".gx-popup").first.inner_text()


def test_offline_no_errors_no_requests_and_screenshot(page: Page) -> None:
    page.click_parcel(47)
    page.page.wait_for_timeout(400)
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "maps_demo.png"))
    assert page.errors == []
    assert page.requests == []
    assert page.js("document.title") == "高新区土地 示例"
    assert page.js("typeof L.Control.Measure") == "function"
    assert page.js("typeof L.Control.FullScreen") == "function"


def test_basemap_offline_degrades_with_notice(browser: Any, tmp_path: Path) -> None:
    path = write_map(demo_layers()[:2], tmp_path / "osm.html", basemap="osm", lang="en")
    p = Page(browser, path)
    p.page.wait_for_timeout(300)
    note = p.page.locator(".gx-basemap-offline")
    assert note.is_visible() and "Basemap unavailable" in note.inner_text()
    assert all("tile.openstreetmap.org" in u for u in p.requests)  # only tiles were tried
    assert p.js("gaoxin.drawn.L1") == N
    p.page.screenshot(path=str(ARTIFACTS / "maps_osm_offline_en.png"))
    p.page.close()


def zone_and_parcels() -> list[MapLayer]:
    """Zone G510001 (2 km) with parcels G510001-A0001… in its south-west corner only."""
    x0, y0 = 404_000.0, 3_391_000.0
    zones = gpd.GeoDataFrame({"zone_id": ["G510001"], "name": ["蜀西高新区"]},
                             geometry=[box(x0, y0, x0 + 2000, y0 + 2000)], crs=4544)
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"G510001-A{i + 1:04d}" for i in range(4)], "zone_id": "G510001"},
        geometry=[box(x0 + 100 + 200 * i, y0 + 100, x0 + 250 + 200 * i, y0 + 250)
                  for i in range(4)], crs=4544)
    return [MapLayer(zones, "zones"), MapLayer(parcels, "parcels")]


@pytest.fixture(scope="module")
def zone_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_map(zone_and_parcels(), tmp_path_factory.mktemp("zone") / "zone.html")


@pytest.fixture
def zone_page(browser: Any, zone_html: Path) -> Iterator[Page]:
    p = Page(browser, zone_html)
    yield p
    p.page.close()


def _click(page: Page, x: float, y: float) -> list[tuple[str, str]]:
    """Click at projected (x, y) of EPSG:4544; the popup's (layer name, id) pairs."""
    lonlat = gpd.GeoSeries(gpd.points_from_xy([x], [y]), crs=4544).to_crs(4326).iloc[0]
    page.page.mouse.click(*page.screen_point(lonlat.y, lonlat.x))
    page.page.wait_for_timeout(300)
    return page.js("""[...document.querySelectorAll('.gx-popup')].map(p =>
        [p.querySelector('h4').textContent,
         p.querySelector('td[data-col$=_id]').textContent])""")


def test_click_lists_every_feature_under_it_topmost_first(zone_page: Page) -> None:
    assert _click(zone_page, 405_500, 3_392_500) == [["高新区", "G510001"]]  # zone only
    assert _click(zone_page, 404_175, 3_391_175) == [["地块", "G510001-A0001"],
                                                     ["高新区", "G510001"]]
    # the topmost is outlined; a click on the zone's heading outlines the zone instead
    zone_page.page.locator(".gx-popup h4", has_text="高新区").click()
    assert zone_page.js("document.querySelector('.gx-popup.gx-selected h4').textContent") \
        == "高新区"


def test_search_exact_zone_id_wins_over_parcel_prefix(zone_page: Page) -> None:
    zone_page.page.locator(".gx-search input").fill("G510001")
    zone_page.page.keyboard.press("Enter")
    zone_page.page.wait_for_timeout(400)
    assert zone_page.page.locator(".gx-popup h4").all_inner_texts() == ["高新区"]
    zone_page.page.locator(".gx-search input").fill("g510001-a000")
    zone_page.page.keyboard.press("Enter")
    zone_page.page.wait_for_timeout(400)
    assert "G510001-A0001" in zone_page.page.locator(".gx-popup").inner_text()


def test_scale_bar_is_metric_only(zone_page: Page) -> None:
    text = zone_page.page.locator(".leaflet-control-scale").inner_text()
    assert re.search(r"\d+ (m|km)\b", text), text
    assert not re.search(r"\b(mi|ft)\b", text), text
