"""Map size and first render: gaoxin's map builder against plain ``folium.GeoJson``.

For each N, the same synthetic parcels (a jittered grid near Chengdu, EPSG:4544) are written
twice, both self-contained (assets inlined from ``.assets``, Leaflet only, so both load from
file):

* **baseline**: ``folium.GeoJson(gdf, tooltip=GeoJsonTooltip([...3 fields]))`` (SVG, folium's
  default) and, with ``--canvas-baseline``, the same with ``prefer_canvas=True``;
  (canvas only up to 100,000 features, to keep the run short);
* **gaoxin**: ``write_map([MapLayer(gdf, "parcels", columns=[...same 3 fields])])``.

**First render** is measured in headless Chromium (Debian's, 1200 × 800) as the time from
navigation start (``performance.timeOrigin``) until every parcel has been drawn — baseline:
the GeoJSON layer holds N Leaflet layers; gaoxin: the runtime's drawn counter equals N — plus
two ``requestAnimationFrame`` ticks, so the frame holding them has been painted. Each page is
then hovered at the map centre to check that a tooltip appears, and clicked (gaoxin) to check
that a popup opens. Each render uses a fresh browser.

Usage::

    .venv/bin/python benchmarks/bench_maps.py [--sizes 10000 100000 300000] [--canvas-baseline]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import shapely

from gaoxin.maps import MapLayer, write_map
from gaoxin.maps.assets import inline_assets
from gaoxin.maps.builder import MINIMAL_CSS, MINIMAL_JS

COLUMNS = ["parcel_id", "land_use", "area_m2"]
LAND_USE = np.array(["M1", "M2", "M3", "W1", "A3", "B1"])
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROBE = """
(() => {
  const t0 = performance.now();
  function count() {
    if (window.gaoxin && window.gaoxin.drawn) {
      return Object.values(window.gaoxin.drawn).reduce((a, b) => a + b, 0);
    }
    let n = 0;
    for (const k of Object.keys(window)) {
      if (k.startsWith("geo_json_") && window[k] && window[k].getLayers) {
        n += window[k].getLayers().length;
      }
    }
    return n;
  }
  const timer = setInterval(() => {
    if (count() >= window.__expected) {
      clearInterval(timer);
      requestAnimationFrame(() => requestAnimationFrame(() => {
        window.__drawnAt = performance.now();
      }));
    }
  }, 20);
})();
"""


def parcels(n: int, seed: int = 42) -> gpd.GeoDataFrame:
    """A jittered grid of ``n`` quadrilateral parcels (a coverage) near Chengdu, EPSG:4544."""
    rng = np.random.default_rng(seed)
    ncols = int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    w, h = rng.uniform(30, 150, ncols), rng.uniform(30, 150, nrows)
    xs = 400_000 + np.concatenate([[0], np.cumsum(w)])
    ys = 3_390_000 + np.concatenate([[0], np.cumsum(h)])
    jx = rng.uniform(-6, 6, (nrows + 1, ncols + 1))
    jy = rng.uniform(-6, 6, (nrows + 1, ncols + 1))
    nx, ny = xs[None, :] + jx, ys[:, None] + jy
    i, j = np.divmod(np.arange(n), ncols)
    ring = np.empty((n, 5, 2))
    for k, (di, dj) in enumerate([(0, 0), (0, 1), (1, 1), (1, 0), (0, 0)]):
        ring[:, k, 0] = nx[i + di, j + dj]
        ring[:, k, 1] = ny[i + di, j + dj]
    geom = shapely.polygons(ring)
    return gpd.GeoDataFrame({
        "parcel_id": np.char.add("CD-", np.char.zfill(np.arange(n).astype(str), 6)),
        "land_use": LAND_USE[rng.integers(0, len(LAND_USE), n)],
        "area_m2": np.round(shapely.area(geom), 2),
        "owner": "某某公司",  # a column not shown: dropped by gaoxin
    }, geometry=geom, crs=4544)


def write_baseline(gdf: gpd.GeoDataFrame, path: Path, *, canvas: bool) -> Path:
    m = folium.Map(tiles=None, prefer_canvas=canvas)
    m.default_js, m.default_css = list(MINIMAL_JS), list(MINIMAL_CSS)
    g = gdf.to_crs(4326)
    folium.GeoJson(g, name="parcels",
                   tooltip=folium.GeoJsonTooltip(COLUMNS)).add_to(m)
    x0, y0, x1, y1 = g.total_bounds
    m.fit_bounds([[y0, x0], [y1, x1]])
    path.write_text(inline_assets(m.get_root().render()), encoding="utf-8")
    return path


def write_ours(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    return write_map([MapLayer(gdf, "parcels", columns=COLUMNS)], path)


def render(path: Path, n: int, timeout_s: float = 600) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(f"window.__expected = {n};\n{PROBE}")
        page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function("window.__drawnAt !== undefined", timeout=timeout_s * 1000,
                               polling=100)
        drawn_ms = page.evaluate("window.__drawnAt")
        page.mouse.move(600, 400)
        page.mouse.move(601, 401)
        page.wait_for_timeout(300)
        tip = page.locator(".leaflet-tooltip").count() > 0
        popup = None
        if "gaoxin" in path.name:
            page.mouse.click(601, 401)
            page.wait_for_timeout(400)
            popup = page.locator(".gx-popup").count() > 0
        browser.close()
    return {"drawn_s": round(drawn_ms / 1000, 2), "tooltip": tip, "popup": popup,
            "errors": errors}


def run(sizes: list[int], canvas_baseline: bool, out: Path) -> list[dict[str, object]]:
    rows = []
    for n in sizes:
        gdf = parcels(n)
        variants = [("baseline_svg", lambda p, g=gdf: write_baseline(g, p, canvas=False))]
        if canvas_baseline and n <= 100_000:
            variants.append(("baseline_canvas",
                             lambda p, g=gdf: write_baseline(g, p, canvas=True)))
        variants.append(("gaoxin", lambda p, g=gdf: write_ours(g, p)))
        for name, write in variants:
            path = out / f"{name}_{n}.html"
            t = time.perf_counter()
            write(path)
            write_s = time.perf_counter() - t
            row = {"n": n, "variant": name, "mb": round(path.stat().st_size / 1e6, 2),
                   "write_s": round(write_s, 1), **render(path, n)}
            print(json.dumps(row, ensure_ascii=False), flush=True)
            rows.append(row)
            path.unlink()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    ap.add_argument("--canvas-baseline", action="store_true")
    a = ap.parse_args()
    print(f"# {platform.platform()} {platform.processor()} python {sys.version.split()[0]} "
          f"folium {folium.__version__}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        run(a.sizes, a.canvas_baseline, Path(tmp))


if __name__ == "__main__":
    main()
