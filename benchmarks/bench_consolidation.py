"""一区多园 at the scale of Sichuan: ≈150 zones (1–3 blocks) and ≈1,000 parks, synthetic, over
the province's extent, with a road grid (10 km spacing, a vertex every 1 km, ≈170k nodes):
pairs, road distances and the optimal plan (without the sensitivity table).

Run: ``PYTHONPATH=. python benchmarks/bench_consolidation.py``; the result goes in
RESULTS.md.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import shapely

from gaoxin.analysis import consolidation as cons

INDUSTRIES = ("电子信息", "生物医药", "化工", "食品饮料", "汽车零部件", "物流仓储", "新材料",
              "装备制造", "建材", "纺织服装")


def synthetic(seed: int = 1) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    rng = np.random.default_rng(seed)
    x0, y0, w, h = -500_000.0, 2_900_000.0, 1_000_000.0, 900_000.0  # Albers-like metres
    def site(cx: float, cy: float, km2: float) -> shapely.Polygon:
        r = np.sqrt(km2 * 1e6 / np.pi)
        return shapely.Point(cx, cy).buffer(r, quad_segs=4)
    zones, zrows = [], []
    for i in range(150):
        cx, cy = rng.uniform(x0, x0 + w), rng.uniform(y0, y0 + h)
        parts = [site(cx + k * 6000, cy, rng.uniform(2, 8)) for k in range(rng.integers(1, 4))]
        zones.append(shapely.MultiPolygon(parts))
        zrows.append({"zone_id": f"Z{i:03d}", "level": "national" if i < 20 else "provincial",
                      "county": f"C{rng.integers(0, 180):03d}",
                      "industries": "、".join(rng.choice(INDUSTRIES, 2, replace=False))})
    parks, prows = [], []
    for j in range(1000):
        parks.append(site(rng.uniform(x0, x0 + w), rng.uniform(y0, y0 + h), rng.uniform(0.3, 6)))
        prows.append({"park_id": f"P{j:04d}", "county": f"C{rng.integers(0, 180):03d}",
                      "industries": str(rng.choice(INDUSTRIES))})
    lines = [shapely.LineString([(x, y0), *[(x, y) for y in np.arange(y0, y0 + h, 1000.0)]])
             for x in np.arange(x0, x0 + w, 10_000.0)]
    lines += [shapely.LineString([(x, y) for x in np.arange(x0, x0 + w, 1000.0)])
              for y in np.arange(y0, y0 + h, 10_000.0)]
    crs = "+proj=aea +lat_1=27 +lat_2=33 +lat_0=30 +lon_0=103 +ellps=GRS80 +units=m"
    return (gpd.GeoDataFrame(zrows, geometry=zones, crs=crs),
            gpd.GeoDataFrame(prows, geometry=parks, crs=crs),
            gpd.GeoDataFrame(geometry=lines, crs=crs))


def main() -> None:
    zones, parks, roads = synthetic()
    t = time.perf_counter()
    r = cons.run(parks, zones, cons.Layers(roads=roads), with_sensitivity=False)
    s = time.perf_counter() - t
    print(f"zones {len(zones)}, parks {len(parks)}, road lines {len(roads)}, "
          f"pairs {r.summary['pairs']}, assigned {r.summary['assigned']} "
          f"(greedy {r.summary['greedy_assigned']}), plan score {r.summary['plan_score']} "
          f"(greedy {r.summary['greedy_score']}): {s:.1f} s")


if __name__ == "__main__":
    main()
