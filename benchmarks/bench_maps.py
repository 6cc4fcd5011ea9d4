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

**Realistic** (``--realistic N``, issue 14): the cached realistic parcels of
``benchmarks/realistic.py`` (concave 12–20-gons tiling the plane), a plot-ratio-like column
(log-normal, seeded) coloured by the plot-ratio workflow's thresholds, 5 columns. Layers above
:data:`gaoxin.maps.chunks.CHUNKED_ABOVE` features are chunked, so this measures the level of
detail: build (Python, in-process: build + render + write), file size, first draw at
1366 × 768 (navigation start until the canvas has drawn and nothing is left inflating),
a click's popup zoomed out (a grid cell), the time to draw parcels after zooming to one
(zoom 17), a click's popup there, a search by id (index inflated on first use, the view
moved, its chunks inflated, popup open), and the JS heap (CDP ``JSHeapUsedSize``).

**Build** (``--build RESULTS_GPKG``, issue 14 round 2): the map of ``gaoxin plot-ratio``'s
result layer as its workflow draws it (its 11 columns, the checks' codes in words, coloured by
plot ratio), built and written in-process from the ``results.gpkg`` of a plot-ratio run: wall
and CPU seconds (every thread's) of ``write_map`` alone, the file's size, the load.

**Workflow map** (``--workflow WORKSPACE_TOML``, issue 14 round 3): the whole
``_plot_ratio_map`` of ``gaoxin plot-ratio`` (every layer: the parcels, the not-applicable
ones, the checks' layers and the parcels to review), in-process, on the analysis of the
workspace (loaded and computed once, then kept in ``--cache``, a pickle, for the next run):
wall and CPU seconds, peak RSS growth, the file's size, the load; ``--first N`` keeps the
workspace's first N parcels, ``--profile`` prints cProfile's top functions by cumulative time.

Usage::

    .venv/bin/python benchmarks/bench_maps.py [--sizes 10000 100000 300000] [--canvas-baseline]
    .venv/bin/python benchmarks/bench_maps.py --realistic 1000000
    .venv/bin/python benchmarks/bench_maps.py --build out/plot_ratio/results.gpkg
    .venv/bin/python benchmarks/bench_maps.py --workflow benchmarks/data/ws_realistic_1000000.toml \
        --cache /tmp/pr_1m.pickle [--first 200000] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def _open(p: Any, width: int, height: int) -> tuple[Any, Any, list[str]]:
    """A fresh Chromium, a page of ``width`` × ``height`` and the page errors it collects."""
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return browser, page, errors


def render(path: Path, n: int, timeout_s: float = 600) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page, errors = _open(p, 1200, 800)
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


SETTLED = """(() => { const cs = [...document.querySelectorAll('canvas.gx-canvas')];
    return cs.length > 0 && cs.every(c => c.dataset.gxDrawn !== undefined
                                        && (c.dataset.gxPending || '0') === '0'); })()"""
MAP = "window[document.querySelector('.folium-map').id]"
THRESHOLDS = [0.5, 0.8, 1.0, 1.5, 2.0, 3.0]  # the plot-ratio workflow's map classes


def realistic_parcels(n: int) -> gpd.GeoDataFrame:
    """The cached realistic parcels with a seeded plot ratio and their area in 亩."""
    import pyogrio

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from realistic import cached

    gdf = pyogrio.read_dataframe(cached(n), layer="parcels", use_arrow=True)
    rng = np.random.default_rng(14)
    return gdf.assign(plot_ratio=np.round(rng.lognormal(0.1, 0.6, len(gdf)), 2),
                      area_mu=np.round(shapely.area(gdf.geometry.values) * 0.0015, 2))


def _timed(page: Any, action: str, until: str, timeout_s: float) -> float:
    t = time.perf_counter()
    page.evaluate(action)
    page.wait_for_function(until, timeout=timeout_s * 1000, polling=20)
    return round(time.perf_counter() - t, 3)


def run_realistic(n: int, out: Path, timeout_s: float = 600) -> dict[str, object]:
    """Build, open and use a map of ``n`` realistic parcels (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    gdf = realistic_parcels(n)
    path = out / f"realistic_{n}.html"
    t = time.perf_counter()
    write_map([MapLayer(gdf, "parcels", columns=["parcel_id", "zone_id", "land_use",
                                                  "plot_ratio", "area_mu"],
                        color_by="plot_ratio", classify="thresholds", thresholds=THRESHOLDS)],
              path, title="realistic")
    row: dict[str, object] = {"n": n, "mb": round(path.stat().st_size / 1e6, 2),
                              "build_s": round(time.perf_counter() - t, 2)}
    target = gdf.iloc[n // 2]
    c = target.geometry.representative_point()
    lon, lat = gpd.GeoSeries([c], crs=gdf.crs).to_crs(4326).iloc[0].coords[0]
    wanted = f"P{(n * 3) // 4:07d}"
    popup = ("document.querySelector('.gx-popup td[data-col=parcel_id]')?.textContent")
    with sync_playwright() as p:
        browser, page, errors = _open(p, 1366, 768)
        page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(SETTLED, timeout=timeout_s * 1000, polling=20)
        row["first_draw_s"] = round(page.evaluate("performance.now()") / 1000, 2)
        row["mode_out"] = page.locator("canvas.gx-canvas").get_attribute("data-gx-mode")
        page.screenshot(path=str(out / "zoomed_out.png"))
        t = time.perf_counter()
        page.mouse.click(683, 384)
        page.wait_for_selector(".gx-popup", timeout=timeout_s * 1000)
        row["cell_popup_s"] = round(time.perf_counter() - t, 3)
        page.keyboard.press("Escape")
        row["zoom_in_s"] = _timed(
            page, f"void {MAP}.setView([{lat}, {lon}], 17, {{animate: false}})",
            f"{SETTLED} && document.querySelector('canvas.gx-canvas').dataset.gxMode"
            " === 'features'", timeout_s)
        page.screenshot(path=str(out / "zoomed_in.png"))
        t = time.perf_counter()
        page.mouse.click(683, 384)
        page.wait_for_function(f"{popup} === {target.parcel_id!r}", timeout=timeout_s * 1000,
                               polling=20)
        row["parcel_popup_s"] = round(time.perf_counter() - t, 3)
        page.keyboard.press("Escape")
        t = time.perf_counter()
        page.locator(".gx-search input").fill(wanted)
        page.locator(".gx-search input").press("Enter")
        page.wait_for_function(f"{popup} === {wanted!r}", timeout=timeout_s * 1000,
                               polling=20)
        page.wait_for_function(SETTLED, timeout=timeout_s * 1000, polling=20)
        row["search_s"] = round(time.perf_counter() - t, 3)
        page.screenshot(path=str(out / "search.png"))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        row["js_heap_mb"] = round(metrics["JSHeapUsedSize"] / 1e6, 1)
        row["errors"] = errors
        browser.close()
    return row


PLOT_RATIO_COLUMNS = ("parcel_id", "zone_id", "status", "plot_ratio", "building_coverage",
                      "far_min", "industry_code", "far_status", "far_reason",
                      "coefficient_status", "coefficient_reason")


def run_build(results: Path, out: Path) -> dict[str, object]:
    """Build the plot-ratio map's parcel layer from a plot-ratio run's ``results.gpkg``."""
    import pyogrio

    from gaoxin.workflows.plot_ratio import _check_words

    layer = str(pyogrio.list_layers(results)[0][0])
    gdf = pyogrio.read_dataframe(results, layer=layer, use_arrow=True)
    cols = [c for c in PLOT_RATIO_COLUMNS if c in gdf.columns]
    frame = _check_words(gdf[[*cols, "geometry"]], "zh")
    del gdf
    path = out / "plot_ratio_map.html"
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    write_map([MapLayer(frame, kind="result", name="容积率", columns=cols, color_by="plot_ratio",
                        classify="thresholds", thresholds=THRESHOLDS)], path, title="容积率")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"n": len(frame), "columns": len(cols), "build_wall_s": round(wall, 2),
            "build_cpu_s": round(cpu, 2), "mb": round(path.stat().st_size / 1e6, 2),
            "load": [round(load, 2), round(os.getloadavg()[0], 2)]}


def workflow_inputs(ws_toml: Path, cache: Path | None, first: int | None
                    ) -> tuple[Any, Any, Any, Any]:
    """``_plot_ratio_map``'s inputs from the analysis of ``ws_toml`` (pickled in ``cache``)."""
    import pickle
    import types

    if cache is not None and cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)  # the harness's own file
    from gaoxin.layers.load import load
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows._common import workspace_rules
    from gaoxin.workflows.plot_ratio import _plot_ratio_workbook, compute_plot_ratio

    ws = load_workspace(ws_toml)
    rules = workspace_rules(ws, "plot_ratio")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones", "parks"))
    if first is not None:
        data.frames["parcels"] = data.frames["parcels"].iloc[:first]
    result = compute_plot_ratio(data, rules)
    with tempfile.TemporaryDirectory() as tmp:
        _, attention = _plot_ratio_workbook(result, data, rules, Path(tmp), "zh", 20_000)
    # The map reads only the zones of the loaded layers.
    loaded = types.SimpleNamespace(frames={k: v for k, v in data.frames.items() if k == "zones"})
    inputs = (result, attention, loaded, rules)
    if cache is not None:
        with cache.open("wb") as fh:
            pickle.dump(inputs, fh, protocol=5)
    return inputs


def run_workflow_map(ws_toml: Path, cache: Path | None, first: int | None, profile: bool,
                     out: Path) -> dict[str, object]:
    """Time ``gaoxin plot-ratio``'s whole ``_plot_ratio_map`` in-process."""
    import resource

    from gaoxin.workflows._common import MapOptions
    from gaoxin.workflows.plot_ratio import _plot_ratio_map

    result, attention, loaded, rules = workflow_inputs(ws_toml, cache, first)
    path = out / "map.html"
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load = os.getloadavg()[0]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    _plot_ratio_map(result, attention, loaded, rules, path, "zh", MapOptions())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": len(result.parcels), "map_wall_s": round(wall, 2), "map_cpu_s": round(cpu, 2),
            "mb": round(path.stat().st_size / 1e6, 2), "peak_rss_mb": round(rss1 / 1024),
            "peak_growth_mb": round((rss1 - rss0) / 1024),
            "load": [round(load, 2), round(os.getloadavg()[0], 2)]}


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
    ap.add_argument("--realistic", type=int, nargs="+", metavar="N",
                    help="measure maps of N realistic parcels (level of detail) instead")
    ap.add_argument("--build", type=Path, metavar="RESULTS_GPKG",
                    help="time building the plot-ratio map from this results.gpkg instead")
    ap.add_argument("--workflow", type=Path, metavar="WORKSPACE_TOML",
                    help="time the plot-ratio workflow's whole map of this workspace instead")
    ap.add_argument("--cache", type=Path, help="--workflow: the analysis pickled here")
    ap.add_argument("--first", type=int, help="--workflow: keep the first N parcels")
    ap.add_argument("--profile", action="store_true", help="--workflow: cProfile to stderr")
    ap.add_argument("--keep", type=Path, help="write pages and screenshots here")
    a = ap.parse_args()
    print(f"# {platform.platform()} {platform.processor()} python {sys.version.split()[0]} "
          f"folium {folium.__version__} load {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = a.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        if a.workflow:
            print(json.dumps(run_workflow_map(a.workflow, a.cache, a.first, a.profile, out),
                             ensure_ascii=False), flush=True)
        elif a.build:
            print(json.dumps(run_build(a.build, out), ensure_ascii=False), flush=True)
        elif a.realistic:
            for n in a.realistic:
                row = run_realistic(n, out)
                row["load"] = round(os.getloadavg()[0], 2)
                print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            run(a.sizes, a.canvas_baseline, out)


if __name__ == "__main__":
    main()
