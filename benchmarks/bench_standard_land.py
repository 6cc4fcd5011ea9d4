"""Standard land's conflict pass at province scale: ``spatial_conflicts`` vs geopandas.overlay.

Usage::

    .venv/bin/python benchmarks/bench_standard_land.py --parcels 1000000 [--overlay-parcels 20000]
        [--repeat 5]

Data (made once, cached under ``benchmarks/data/``): the realistic parcels of
``benchmarks/realistic.py`` (its cached ``realistic_N.gpkg``; concave 12–20-gons, 0.05 %
invalid) as candidate parcels; 300
red-line polygons as in shared/docs/performance.md (200 noisy closed curves with 10
harmonics and smoothed fine noise, 100 buffered persistent random walks, some with holes;
2,000–20,000 vertices each, ≈ 2.2 M in all, scaled to the parcels' extent); 500,000
farmland patches (irregular 12–40-gons in the cells of a 340 m grid over an extent twice the
parcels' in each direction, so about a quarter of them lie among parcels).
Every layer is repaired as the loader repairs it (``make_valid``) before anything is timed.

Measured in one process, one after the other on the same arrays (compute only, the layers
already in memory):

1. ``gaoxin.analysis.standard_land.spatial_conflicts`` on every parcel (red line and
   farmland; the development boundary is not part of this pass's benchmark);
2. ``geopandas.overlay`` (intersection) of the parcels with each layer + area by parcel
   (a union of the red lines first, so overlaps count once, as ``area_inside`` does) — on the
   first ``--overlay-parcels`` parcels only (a strip of the grid), extrapolated linearly by
   parcel count (a lower bound: the overlay's cost per parcel grows with the pieces it meets).

Each side's CPU seconds and their share of the machine's cores are printed beside its wall
time, with the load average at the start and the end (the machine may be shared); peak RSS
of the process at the end (``resource.getrusage``).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import realistic  # noqa: E402  (the generator beside this file)

CRS = 4544


def _noisy_curve(rng: np.random.Generator, cx: float, cy: float, radius: float,
                 vertices: int) -> shapely.Polygon:
    th = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = np.ones(vertices)
    for k in range(2, 12):
        r += rng.uniform(0, 0.25 / k) * np.cos(k * th + rng.uniform(0, 2 * np.pi))
    noise = np.convolve(rng.normal(0, 1, vertices), np.ones(25) / 25, mode="same")
    r = np.maximum(r + 0.04 * noise, 0.3) * radius
    stretch, turn = rng.uniform(0.6, 1.6), rng.uniform(0, np.pi)
    x, y = r * np.cos(th) * stretch, r * np.sin(th) / stretch
    return shapely.Polygon(np.c_[cx + x * np.cos(turn) - y * np.sin(turn),
                                 cy + x * np.sin(turn) + y * np.cos(turn)])


def _corridor(rng: np.random.Generator, cx: float, cy: float, length: float, width: float,
              steps: int) -> shapely.Geometry:
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.25, steps))
    step = length / steps
    x, y = cx + np.cumsum(step * np.cos(heading)), cy + np.cumsum(step * np.sin(heading))
    return shapely.buffer(shapely.LineString(np.c_[x, y]), width, quad_segs=8)


def _fit_vertices(g: shapely.Geometry, target: int) -> shapely.Geometry:
    tol = 0.05
    while shapely.get_num_coordinates(g) > min(20_000, 1.1 * target):
        g = shapely.simplify(g, tol)
        tol *= 1.3
    seg = shapely.length(g) / target
    for _ in range(8):
        if shapely.get_num_coordinates(g) >= max(2000, 0.9 * target):
            break
        g = shapely.segmentize(g, seg)
        seg *= 0.7
    return g


def redlines(bounds: tuple[float, float, float, float], seed: int = 43) -> np.ndarray:
    """300 red-line polygons over ``bounds`` (≈ 15 % of it), 2,000–20,000 vertices each."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    side = np.sqrt((x1 - x0) * (y1 - y0))
    out = []
    for q in range(300):
        target = int(np.exp(rng.uniform(np.log(2000), np.log(20000))))
        cx = rng.uniform(x0 + 0.03 * (x1 - x0), x1 - 0.03 * (x1 - x0))
        cy = rng.uniform(y0 + 0.03 * (y1 - y0), y1 - 0.03 * (y1 - y0))
        if q % 3 != 2:
            g = _noisy_curve(rng, cx, cy, side * 0.0115 * np.exp(rng.normal(0, 0.35)), target)
        else:
            g = _corridor(rng, cx, cy, side * rng.uniform(0.12, 0.3),
                          side * rng.uniform(0.0012, 0.003), int(rng.integers(80, 300)))
        out.append(_fit_vertices(g, target))
    return np.array(out, dtype=object)


def farmland(bounds: tuple[float, float, float, float], n: int = 500_000,
             seed: int = 44) -> np.ndarray:
    """``n`` disjoint irregular 12–40-gons, one per cell of a square grid over an extent
    twice ``bounds`` in each direction (centred on it)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    w, h = 2 * (x1 - x0), 2 * (y1 - y0)
    cell = np.sqrt(w * h / n)
    ny = int(np.ceil(h / cell))
    i, j = np.divmod(np.arange(n), ny)
    cx = x0 - (x1 - x0) / 2 + (i + 0.5) * cell + rng.uniform(-0.05, 0.05, n) * cell
    cy = y0 - (y1 - y0) / 2 + (j + 0.5) * cell + rng.uniform(-0.05, 0.05, n) * cell
    k = 40
    verts = rng.integers(12, 41, n)
    th = np.sort(rng.uniform(0, 2 * np.pi, (n, k)), axis=1)
    keep = np.arange(k) < verts[:, None]
    th = np.where(keep, th, 7.0)
    th = np.sort(th, axis=1)
    r = cell * rng.uniform(0.15, 0.42, (n, 1)) * (1 - 0.35 * rng.random((n, k)))
    x, y = cx[:, None] + r * np.cos(th), cy[:, None] + r * np.sin(th)
    closed_x = np.concatenate([x, x[:, :1]], axis=1)
    closed_y = np.concatenate([y, y[:, :1]], axis=1)
    mask = np.concatenate([keep, np.ones((n, 1), dtype=bool)], axis=1)
    rings = shapely.linearrings(np.c_[closed_x[mask], closed_y[mask]],
                                indices=np.repeat(np.arange(n), verts + 1))
    return np.asarray(shapely.polygons(rings), dtype=object)


def load(n: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Parcels (repaired), red lines and farmland, cached as one GeoPackage."""
    import pyogrio

    # The parcels are realistic.py's cached layer (shared with the plot-ratio benchmark);
    # only the red lines and the farmland are this benchmark's own.
    parcels_path = realistic.cached(n)
    path = HERE / "data" / f"standard_land_{n}.gpkg"
    parcels = pyogrio.read_dataframe(parcels_path, layer="parcels", columns=[],
                                     use_arrow=True)
    parcels.insert(0, "parcel_id", np.arange(len(parcels)))
    if not path.exists():
        bounds = tuple(parcels.total_bounds)
        red = gpd.GeoDataFrame(geometry=redlines(bounds), crs=CRS)
        farm = gpd.GeoDataFrame(geometry=farmland(bounds), crs=CRS)
        for name, frame in (("redlines", red), ("farmland", farm)):
            frame.to_file(path, layer=name, engine="pyogrio", use_arrow=True,
                          append=name != "redlines")
    frames = [parcels] + [pyogrio.read_dataframe(path, layer=name, use_arrow=True)
                          for name in ("redlines", "farmland")]
    # Repaired as the loader repairs every layer (bow-tie parcels; red lines whose vertex
    # count was fitted by simplification can self-touch).
    for frame in frames:
        bad = ~shapely.is_valid(frame.geometry.values)
        frame.loc[bad, "geometry"] = shapely.make_valid(frame.geometry.values[bad],
                                                        method="structure")
    return frames[0], frames[1], frames[2]


def overlay_areas(parcels: gpd.GeoDataFrame, layer: gpd.GeoDataFrame, *, union: bool
                  ) -> pd.Series:
    """Area of each parcel inside the layer by geopandas.overlay (planar m²)."""
    other = layer[["geometry"]]
    if union:
        other = gpd.GeoDataFrame(geometry=[shapely.union_all(layer.geometry.values)],
                                 crs=layer.crs).explode(ignore_index=True)
    pieces = gpd.overlay(parcels[["parcel_id", "geometry"]], other, how="intersection")
    return pieces.area.groupby(pieces.parcel_id).sum()


def main() -> None:
    from gaoxin.analysis.standard_land import spatial_conflicts

    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--overlay-parcels", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=1,
                    help="time the pass this many times (each run printed; median quoted)")
    args = ap.parse_args()
    t = time.perf_counter()
    parcels, red, farm = load(args.parcels)
    print(f"data: {len(parcels):,} parcels, {len(red)} red lines "
          f"({int(shapely.get_num_coordinates(red.geometry.values).sum()):,} vertices), "
          f"{len(farm):,} farmland patches "
          f"({int(shapely.get_num_coordinates(farm.geometry.values).sum()):,} vertices); "
          f"loaded in {time.perf_counter() - t:.1f} s", flush=True)
    print(f"load average at the start: {_load()}", flush=True)
    runs = []
    for _ in range(args.repeat):
        t, cpu = time.perf_counter(), time.process_time()
        ours = spatial_conflicts(parcels, red, farm, None)
        runs.append(time.perf_counter() - t)
        print(f"  run {len(runs)}: {runs[-1]:.2f} s ({_share(cpu, runs[-1])}), load {_load()}",
              flush=True)
    ours_s = float(np.median(runs))
    print(f"gaoxin spatial_conflicts: {ours_s:.2f} s (median of {len(runs)}: "
          f"{', '.join(f'{r:.2f}' for r in runs)}); red line "
          f"{ours.redline_m2.sum():,.1f} m², farmland {ours.farmland_m2.sum():,.1f} m², "
          f"parcels touching: red {int((ours.redline_m2 > 0).sum()):,}, "
          f"farmland {int((ours.farmland_m2 > 0).sum()):,}", flush=True)
    sub = parcels.iloc[:args.overlay_parcels]
    t, cpu = time.perf_counter(), time.process_time()
    red_o = overlay_areas(sub, red, union=True)
    farm_o = overlay_areas(sub, farm, union=False)
    over_s = time.perf_counter() - t
    scale = len(parcels) / len(sub)
    mine = ours.iloc[:len(sub)]
    print(f"geopandas.overlay on the first {len(sub):,} parcels: {over_s:.2f} s "
          f"({_share(cpu, over_s)}) "
          f"(× {scale:.0f} → ≥ {over_s * scale:.0f} s for all); red line "
          f"{red_o.sum():,.1f} m² vs ours {mine.redline_m2.sum():,.1f}; farmland "
          f"{farm_o.sum():,.1f} vs {mine.farmland_m2.sum():,.1f}", flush=True)
    print(f"speed-up (overlay extrapolated ÷ gaoxin): ≥ {over_s * scale / ours_s:.0f}×; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB; "
          f"load average at the end: {_load()}")


def _load() -> str:
    """The machine's 1/5/15-minute load averages (other jobs share its cores)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _share(cpu_start: float, wall_s: float) -> str:
    """CPU seconds since ``cpu_start`` and their share of the machine's cores over
    ``wall_s`` (below 100 % the process waited: for other jobs, or on one thread)."""
    used = time.process_time() - cpu_start
    return f"{used:.2f} s CPU, {100 * used / (wall_s * (os.cpu_count() or 1)):.0f} % of " \
           f"{os.cpu_count()} cores"


if __name__ == "__main__":
    main()
