"""A chunked layer in Chromium: cells zoomed out, parcels zoomed in, the runtime's decoding
equal to the source, a click's popup, search by id, hostile ids kept as text."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from gaoxin.maps import MapLayer, chunks, write_map
from gaoxin.maps.encode import QUANT, lighten
from tests.maps.test_chunks import XSS, coverage
from tests.test_maps_browser import ARGS, CHROMIUM

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None,
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]
N = 3000
SETTLED = """(() => { const c = document.querySelector('canvas.gx-canvas');
    return c && c.dataset.gxDrawn !== undefined && c.dataset.gxPending === '0'; })()"""
MAP = "window[document.querySelector('.folium-map').id]"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks, "CHUNKED_ABOVE", 1000)
        mp.setattr(chunks, "CHUNK_FEATURES", 300)
        path = write_map([MapLayer(coverage(N), "parcels", color_by="far",
                                   classify="thresholds", thresholds=[1.0, 2.0])],
                         tmp_path_factory.mktemp("chunks") / "big.html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                 else r.abort())
        # Cells whenever a view holds more than 300 parcels (the runtime's default: 60,000).
        pg.add_init_script("window.gaoxin = {LOD_LIMIT: 300};")
        pg.goto(Path(path).as_uri())
        pg.wait_for_function(SETTLED)
        yield pg
        assert errors == []
        browser.close()


def settle(page: Any) -> None:
    page.wait_for_timeout(100)
    page.wait_for_function(SETTLED)


def test_zoomed_out_shows_cells_and_their_popup(page: Any) -> None:
    canvas = page.locator("canvas.gx-canvas")
    assert canvas.get_attribute("data-gx-mode") == "cells"
    assert "3,000" in page.locator(".gx-legend-lod").inner_text()
    page.mouse.click(683, 384)
    page.wait_for_selector(".gx-popup")
    cells = page.evaluate("gaoxin.layers[0].cells.n.reduce((a, b) => a + b, 0)")
    assert cells == N
    assert page.locator(".gx-popup td[data-col=count]").count() == 1
    assert page.locator(".gx-popup td[data-col=value]").count() == 1
    page.keyboard.press("Escape")


def test_runtime_decodes_every_vertex(page: Any) -> None:
    got = page.evaluate("""(async () => {
        const l = gaoxin.layers[0], out = {};
        for (const c of l.chunks) {
          const p = await l._decode(c);
          const ids = p.cols.find(col => col.name === 'parcel_id');
          for (let f = 0; f < p.g.n; f++) {
            out[ids.v[f]] = l.latlngs(p.base + f).map(r => r.ring);
          }
        }
        return out; })()""")
    gdf = coverage(N)
    geoms = lighten(np.asarray(gdf.geometry.to_crs(4326).values))
    assert len(got) == N
    for pid, geom in zip(gdf["parcel_id"], geoms, strict=True):
        rings = [r for part in shapely.get_parts(geom) for r in shapely.get_rings(part)]
        want = [np.rint(shapely.get_coordinates(r)[:-1] * QUANT) for r in rings]
        have = [np.rint(np.array(r)[:, ::-1] * QUANT) for r in got[pid]]
        assert len(want) == len(have), pid
        for w, h in zip(want, have, strict=True):
            keep = np.ones(len(w), dtype=bool)
            keep[1:] = np.any(w[1:] != w[:-1], axis=1)
            assert np.array_equal(w[keep], h), pid


def test_zoomed_in_click_and_search(page: Any) -> None:
    gdf = coverage(N).to_crs(4326)
    c = gdf.geometry.iloc[1234].representative_point()
    page.evaluate(f"void {MAP}.setView([{c.y}, {c.x}], 18, {{animate: false}})")
    settle(page)
    assert page.locator("canvas.gx-canvas").get_attribute("data-gx-mode") == "features"
    page.mouse.click(683, 384)
    page.wait_for_selector(".gx-popup td[data-col=parcel_id]")
    assert page.locator(".gx-popup td[data-col=parcel_id]").first.inner_text() == "P01234"
    page.keyboard.press("Escape")
    page.evaluate(f"void {MAP}.setZoom(12, {{animate: false}})")
    settle(page)
    box = page.locator(".gx-search input")
    box.fill("p02345")
    box.press("Enter")
    page.wait_for_function("document.querySelector('.gx-popup td[data-col=parcel_id]')"
                           "?.textContent === 'P02345'")
    settle(page)
    assert page.locator("canvas.gx-canvas").get_attribute("data-gx-mode") == "features"
    box.fill("<img")
    box.press("Enter")
    page.wait_for_function("document.querySelector('.gx-popup td[data-col=parcel_id]')"
                           f"?.textContent === {XSS!r}")
    assert page.evaluate("window.__xss") is None
    assert page.locator(".gx-popup img").count() == 0
    box.fill("nothing-like-this")
    box.press("Enter")
    page.wait_for_function("document.querySelector('.gx-search-msg').textContent !== ''")
