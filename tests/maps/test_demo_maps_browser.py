"""Every map the demo writes, in Chromium: controls apart at 1366×768, folded on a phone.

The maps come from the demo's own workflows on a small sample workspace (one parcel in
eight): the same layers, names and legends as ``gaoxin demo``, in a few seconds. Skipped
when /usr/bin/chromium or playwright is absent; the network is blocked.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.maps.helpers import small_sample
from tests.test_maps_browser import ARGS, CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
MAPS = ["map.html", "plot_ratio/map.html", "per_mu/map.html", "intensity/map.html",
        "intensity/low_efficiency/map.html", "expansion/request_clean/map.html",
        "expansion/request_conflict/map.html"]
CONTROLS = {"legend": ".gx-legend", "layer control": ".leaflet-control-layers",
            "title": ".gx-title", "measure": ".leaflet-control-measure",
            "search": ".gx-search", "zoom": ".leaflet-control-zoom",
            "fullscreen": ".leaflet-control-zoom-fullscreen",
            "scale bar": ".leaflet-control-scale"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None,
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


@pytest.fixture(scope="module")
def demo_maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's maps, written by the demo's workflows (``gaoxin.demo``) into one folder."""
    from gaoxin.demo import _overview_map
    from gaoxin.layers.load import load_layers
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows.expansion import run_expansion
    from gaoxin.workflows.intensity import run_intensity
    from gaoxin.workflows.per_mu import run_per_mu
    from gaoxin.workflows.plot_ratio import run_plot_ratio

    ws = load_workspace(small_sample(tmp_path_factory))
    out = tmp_path_factory.mktemp("demo_maps")
    _overview_map(out / "map.html", load_layers(ws), ws, "zh")
    for name, req in ws.requests.items():
        run_expansion(req.path, req.zone or "", out / "expansion" / name, ws, crs=req.crs,
                      encoding=req.encoding, close_rings=req.close_rings)
    run_plot_ratio(ws, out / "plot_ratio")
    run_per_mu(ws, out / "per_mu")
    run_intensity(ws, out / "intensity")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        yield p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


def _open(browser: Any, path: Path, *, phone: bool = False) -> Any:
    """A page of ``path`` at 1366×768, or 390×844 with touch; network blocked."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1366, "height": 768},
        has_touch=phone, is_mobile=phone)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
               else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelector('[data-gx-ready]') !== null")
    page.wait_for_timeout(150)
    return page


def _boxes(page: Any) -> dict[str, list[float]]:
    """Bounding boxes of the controls shown, as [x0, y0, x1, y1]."""
    boxes = {}
    for name, selector in CONTROLS.items():
        box = page.locator(selector).first.bounding_box() if page.locator(selector).count() \
            else None
        if box and box["width"] > 0:
            boxes[name] = [box["x"], box["y"], box["x"] + box["width"],
                           box["y"] + box["height"]]
    return boxes


def _nested(page: Any, a: str, b: str) -> bool:
    """One control inside the other (the full-screen button sits in the zoom bar)."""
    return bool(page.evaluate(
        "([a, b]) => { const x = document.querySelector(a), y = document.querySelector(b);"
        " return x.contains(y) || y.contains(x); }", [CONTROLS[a], CONTROLS[b]]))


@pytest.mark.parametrize("name", MAPS)
def test_controls_do_not_overlap_at_1366x768(browser: Any, demo_maps: Path, name: str) -> None:
    page = _open(browser, demo_maps / name)
    boxes = _boxes(page)
    assert {"legend", "layer control", "title", "measure", "search", "zoom",
            "scale bar"} <= set(boxes), boxes
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in list(boxes)[i + 1:]
                if boxes[a][0] < boxes[b][2] and boxes[b][0] < boxes[a][2]
                and boxes[a][1] < boxes[b][3] and boxes[b][1] < boxes[a][3]
                and not _nested(page, a, b)]
    assert overlaps == [], f"{name}: {overlaps} overlap ({boxes})"
    assert all(x1 <= 1366 and y1 <= 768 for _, _, x1, y1 in boxes.values()), boxes
    page.context.close()


def test_legend_folds_on_desktop(browser: Any, demo_maps: Path) -> None:
    page = _open(browser, demo_maps / "plot_ratio/map.html")
    body = page.locator(".gx-legend .gx-legend-body")
    assert body.is_visible()
    page.locator(".gx-legend .gx-fold").click()
    assert not body.is_visible()
    assert page.locator(".gx-legend").bounding_box()["height"] < 40
    page.context.close()


def test_plot_ratio_layers_have_short_names_and_counts_in_the_legend(
        browser: Any, demo_maps: Path) -> None:
    page = _open(browser, demo_maps / "plot_ratio/map.html")
    names = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert max(len(n.strip()) for n in names) <= 16, names
    assert "容积率控制指标核查" in [n.strip() for n in names]
    layers = page.locator(".leaflet-control-layers").bounding_box()
    assert layers["width"] <= 360 and layers["height"] <= 300, layers
    # the check's counts, once its layer is shown, are in the legend
    page.locator(".leaflet-control-layers-overlays label", has_text="容积率控制指标核查").click()
    note = page.locator(".gx-legend-layer", has_text="容积率控制指标核查") \
        .locator(".gx-legend-note").inner_text()
    assert "比较" in note and "达标" in note and "不可比较" in note
    page.context.close()


@pytest.mark.parametrize("name", [MAPS[0], MAPS[1], MAPS[-1]])
def test_phone_controls_start_folded_and_cover_under_a_quarter(
        browser: Any, demo_maps: Path, name: str) -> None:
    page = _open(browser, demo_maps / name, phone=True)
    boxes = _boxes(page)
    area = sum((x1 - x0) * (y1 - y0) for key, (x0, y0, x1, y1) in boxes.items()
               if key in ("legend", "layer control"))
    assert area < 0.25 * 390 * 844, f"{name}: legend and layers cover {area / 390 / 844:.0%}"
    assert not page.locator(".gx-legend-body").is_visible()
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    page.locator(".gx-legend .gx-fold").tap()
    assert page.locator(".gx-legend-body").is_visible()
    page.locator(".leaflet-control-layers .gx-fold").tap()
    assert page.locator(".leaflet-control-layers-list").is_visible()
    page.context.close()


def test_phone_tap_opens_a_popup_that_fits_the_screen(browser: Any, demo_maps: Path) -> None:
    page = _open(browser, demo_maps / "per_mu/map.html", phone=True)
    # the centre of the first parcel of the topmost layer, zoomed in (parcels are convex)
    x, y = page.evaluate("""(() => {
        const m = window[document.querySelector('.folium-map').id];
        const b = gaoxin.shown(m)[0].featureBounds(0);
        m.fitBounds(b, {animate: false, maxZoom: 17});
        const p = m.latLngToContainerPoint(b.getCenter());
        return [p.x, p.y]; })()""")
    page.wait_for_timeout(200)
    page.touchscreen.tap(x, y)
    page.wait_for_timeout(400)
    popup = page.locator(".leaflet-popup")
    assert popup.count() == 1
    # the parcel, then the zone it lies in
    assert page.locator(".gx-popup h4").all_inner_texts()[-1] == "高新区"
    box = popup.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["width"] <= 390 - 40 + 16
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    page.context.close()


def test_phone_pinch_zooms_the_map(browser: Any, demo_maps: Path) -> None:
    page = _open(browser, demo_maps / "per_mu/map.html", phone=True)
    viewport = page.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "user-scalable=no" not in viewport and "maximum-scale=1" not in viewport
    zoom = "window[document.querySelector('.folium-map').id].getZoom()"
    before = page.evaluate(zoom)
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, spread: float) -> None:
        points = [{"x": 195 - spread, "y": 450, "id": 1}, {"x": 195 + spread, "y": 450, "id": 2}]
        cdp.send("Input.dispatchTouchEvent",
                 {"type": kind, "touchPoints": [] if kind == "touchEnd" else points})

    touch("touchStart", 20)
    for step in range(1, 11):
        touch("touchMove", 20 + 12 * step)
        page.wait_for_timeout(16)
    touch("touchEnd", 0)
    page.wait_for_timeout(600)
    assert page.evaluate(zoom) > before
    page.context.close()
