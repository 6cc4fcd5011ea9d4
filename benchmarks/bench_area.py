"""Ellipsoidal area at scale: our equal-area projection vs. pyproj.Geod per feature.

Run: .venv/bin/python benchmarks/bench_area.py [--geographic] [N ...]
(default 10000 100000 1000000)

Parcels are jittered squares of 20–300 m spread over Sichuan's basin in CGCS2000 / GK 105°E
(EPSG:4544), or with ``--geographic`` the same parcels in CGCS2000 lon/lat (EPSG:4490).
Both methods run in the same process on the same data; the script prints one Markdown row
per N for benchmarks/RESULTS.md. Geod is timed on a 20,000-feature sample and extrapolated
linearly above that (it is a Python loop: the per-feature cost is constant).
"""

from __future__ import annotations

import platform
import sys
import time

import geopandas as gpd
import numpy as np
import shapely

from gaoxin.geo.area import ellipsoidal_area


def parcels(n: int, seed: int = 42) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    x = rng.uniform(330_000, 670_000, n)
    y = rng.uniform(3_250_000, 3_600_000, n)
    w = rng.uniform(20, 300, n)
    h = rng.uniform(20, 300, n)
    return gpd.GeoSeries(shapely.box(x, y, x + w, y + h), crs=4544)


def main(sizes: list[int], *, geographic: bool = False) -> None:
    print(f"# {platform.node()} · {platform.processor() or platform.machine()} · "
          f"Python {platform.python_version()} · EPSG:{4490 if geographic else 4544}")
    print("| N | ellipsoidal (ours) s | geodesic (pyproj.Geod) s | speed-up | max rel. diff |")
    print("|---|---|---|---|---|")
    for n in sizes:
        geoms = parcels(n).to_crs(4490) if geographic else parcels(n)
        t = time.perf_counter()
        ours = ellipsoidal_area(geoms)
        t_ours = time.perf_counter() - t
        sample = geoms.iloc[: min(n, 20_000)]
        t = time.perf_counter()
        ref = ellipsoidal_area(sample, "geodesic")
        t_geod = (time.perf_counter() - t) * n / len(sample)
        rel = float(np.abs(ours.iloc[: len(sample)].to_numpy() / ref.to_numpy() - 1).max())
        approx = "" if len(sample) == n else " (extrapolated)"
        print(f"| {n:,} | {t_ours:.2f} | {t_geod:.2f}{approx} | {t_geod / t_ours:.0f}× | "
              f"{rel:.1e} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([int(a) for a in args if a != "--geographic"] or [10_000, 100_000, 1_000_000],
         geographic="--geographic" in args)
