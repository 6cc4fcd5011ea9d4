"""扩区审核 at province scale: the whole ``gaoxin expansion`` command vs. the naive approach.

Run: .venv/bin/python benchmarks/bench_expansion.py [--farmland 500000] [--redlines 20000]
        [--shapes noisy|realistic]

``--shapes realistic`` replaces the one smooth ≈ 5 km² request by 500 cadastral parcels as
they arrive (``benchmarks/realistic.py``: concave 12–20-gons tiling ≈ 4.5 km² around the same
centre, bow-tie and spike parcels among them), written beside the constraints as
``request_realistic.geojson``; the constraints are the same.

Data (generated once into benchmarks/data/expansion/, seed 7, reused when present):
- ``constraints.gpkg`` in CGCS2000 lon/lat (EPSG:4490), as provincial 三区三线 data is
  delivered, with R-tree indexes: 20,000 red-line patches of realistic complexity (noisy
  closed curves with 1,000–6,000 vertices, 300 m–4 km across) and 500,000 farmland patches
  (irregular 12–40-gons, 50–400 m) over a Sichuan-sized extent (≈ 900 × 700 km), plus an
  urban development boundary layer;
- a zone next to a ≈ 5 km² request placed where it crosses red-line and farmland patches;
- a 30 m DEM of the surroundings.

Measured in one run, same machine:
1. ``gaoxin expansion`` end to end (process start to every output written, maps included);
2. the naive approach: read the three layers whole with pyogrio, then ``geopandas.overlay``
   of the request with each (the checks' core figures only: no outputs at all).
The overlap areas of both are compared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer

ROOT = Path(__file__).resolve().parent / "data" / "expansion"
DATA = ROOT  # set per size in main()
WORK = 4544  # generation plane: CGCS2000 GK CM 105°E (metres)
EXTENT = (100_000.0, 2_900_000.0, 1_000_000.0, 3_600_000.0)  # ≈ 900 × 700 km


def noisy_ring(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> np.ndarray:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rad = np.ones(n)
    for k in range(1, 9):
        rad += rng.normal(0, 0.25 / k) * np.cos(k * t + rng.uniform(0, 6.3))
    noise = np.convolve(rng.normal(0, 0.02, n + 20), np.ones(21) / 21, mode="valid")[:n]
    rad = np.clip(rad + noise, 0.3, None) * r
    return np.column_stack([cx + rad * np.cos(t), cy + rad * np.sin(t)])


def polygons_from_rings(rings: list[np.ndarray]) -> np.ndarray:
    counts = np.array([len(r) + 1 for r in rings])
    coords = np.concatenate([np.vstack([r, r[:1]]) for r in rings])
    idx = np.repeat(np.arange(len(rings)), counts)
    linear = shapely.linearrings(coords, indices=idx)
    return shapely.make_valid(shapely.polygons(linear))


def to_4490(geoms: np.ndarray) -> np.ndarray:
    t = Transformer.from_crs(WORK, 4490, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def generate(n_farm: int, n_red: int, seed: int = 7) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    DATA.mkdir(parents=True, exist_ok=True)
    # The request and its zone sit in the middle; patches are placed so some cross it.
    cx, cy = 520_000.0, 3_300_000.0
    request = shapely.Polygon(noisy_ring(rng, cx, cy, 1300, 400))  # ≈ 5 km²
    zone = shapely.box(cx - 6000, cy - 1500, cx - 1200, cy + 1500).difference(request)
    # red lines: mostly random over the province, a few over the request's edge
    xs = np.r_[rng.uniform(EXTENT[0], EXTENT[2], n_red - 3), cx + np.array([1200, -400, 300])]
    ys = np.r_[rng.uniform(EXTENT[1], EXTENT[3], n_red - 3), cy + np.array([300, 1300, -1400])]
    radii = np.r_[np.exp(rng.uniform(np.log(300), np.log(4000), n_red - 3)), [600, 500, 400]]
    nverts = rng.integers(1000, 4001, n_red)
    red = polygons_from_rings([noisy_ring(rng, x, y, r, int(n))
                               for x, y, r, n in zip(xs, ys, radii, nverts, strict=True)])
    # farmland: clustered around random centres, dense near the request
    centres = np.column_stack([rng.uniform(EXTENT[0], EXTENT[2], n_farm // 50),
                               rng.uniform(EXTENT[1], EXTENT[3], n_farm // 50)])
    pick = rng.integers(0, len(centres), n_farm - 200)
    fx = np.r_[centres[pick, 0] + rng.normal(0, 3000, n_farm - 200),
               cx + rng.uniform(-2500, 2500, 200)]
    fy = np.r_[centres[pick, 1] + rng.normal(0, 3000, n_farm - 200),
               cy + rng.uniform(-2500, 2500, 200)]
    fr = np.exp(rng.uniform(np.log(50), np.log(400), n_farm))
    fn = rng.integers(12, 41, n_farm)
    farm = polygons_from_rings([noisy_ring(rng, x, y, r, int(n))
                                for x, y, r, n in zip(fx, fy, fr, fn, strict=True)])
    dev = shapely.box(cx - 8000, cy - 3000, cx + 800, cy + 3000)
    t0 = time.perf_counter()
    layers = {
        "redlines": gpd.GeoDataFrame({"patch_id": [f"HX{i:05d}" for i in range(n_red)]},
                                     geometry=to_4490(red), crs=4490),
        "farmland": gpd.GeoDataFrame({"patch_id": [f"NT{i:06d}" for i in range(n_farm)]},
                                     geometry=to_4490(farm), crs=4490),
        "dev_boundary": gpd.GeoDataFrame({"patch_id": ["KF1"]}, geometry=to_4490(
            np.array([dev])), crs=4490),
    }
    gpkg = DATA / "constraints.gpkg"
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, gpkg, layer=name, promote_to_multi=True,
                                layer_options={"SPATIAL_INDEX": "YES"})
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["测试高新区"], "level": ["provincial"]},
                     geometry=[zone], crs=WORK).to_file(DATA / "zones.gpkg")
    gpd.GeoDataFrame({"parcel_id": ["Q1"], "name": ["扩区"]}, geometry=[request],
                     crs=WORK).to_crs(4326).to_file(DATA / "request.geojson")
    z = (500 + 40 * np.sin(np.arange(700)[None, :] / 40) + np.arange(700)[:, None] * 0.2)
    with rasterio.open(DATA / "dem.tif", "w", driver="GTiff", width=700, height=700, count=1,
                       dtype="float32", crs=f"EPSG:{WORK}", nodata=-9999, tiled=True,
                       compress="deflate",
                       transform=Affine(30, 0, cx - 10_500, 0, -30, cy + 10_500)) as dst:
        dst.write(z.astype("float32"), 1)
    (DATA / "gaoxin.toml").write_text(
        '[layers.zones]\npath = "zones.gpkg"\n'
        '[layers.redlines]\npath = "constraints.gpkg"\nlayer = "redlines"\n'
        '[layers.farmland]\npath = "constraints.gpkg"\nlayer = "farmland"\n'
        '[layers.dev_boundary]\npath = "constraints.gpkg"\nlayer = "dev_boundary"\n'
        '[layers.dem]\npath = "dem.tif"\n', encoding="utf-8")
    return {"write_s": round(time.perf_counter() - t0, 1),
            "red_vertices": int(shapely.get_num_coordinates(red).sum()),
            "farm_vertices": int(shapely.get_num_coordinates(farm).sum()),
            "gpkg_mb": round(gpkg.stat().st_size / 1e6, 1)}


def realistic_request(n: int = 500) -> Path:
    """``n`` realistic parcels around the request's centre, as the request (made once)."""
    path = DATA / "request_realistic.geojson"
    if not path.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import realistic

        rng = np.random.default_rng(11)
        parcels, *_ = realistic.parcel_grid(n, rng)
        realistic._break(parcels, 0.01, rng)
        box = shapely.total_bounds(parcels)
        dx = 520_000.0 - (box[0] + box[2]) / 2
        dy = 3_300_000.0 - (box[1] + box[3]) / 2
        moved = shapely.transform(parcels, lambda xy: xy + np.array([dx, dy]))
        gpd.GeoDataFrame({"parcel_id": [f"Q{i:04d}" for i in range(n)], "name": "扩区"},
                         geometry=moved, crs=WORK).to_crs(4326).to_file(path)
    return path


def run_gaoxin(cache: Path, request: Path) -> tuple[float, dict[str, object]]:
    out = DATA / "out"
    exe = Path(sys.executable).with_name("gaoxin")
    t0 = time.perf_counter()
    # /usr/bin/time gives the command's own peak RSS (getrusage of children would count the
    # pages this process had when it forked).
    done = subprocess.run(["/usr/bin/time", "-f", "%M", str(exe), "expansion",
                           str(request), "--zone", "Z1", "--out", str(out),
                           "-w", str(DATA / "gaoxin.toml")], check=True, capture_output=True,
                          text=True, env={**os.environ, "GAOXIN_CACHE_DIR": str(cache)})
    wall = time.perf_counter() - t0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary["peak_rss_mb"] = int(done.stderr.strip().splitlines()[-1]) / 1024
    return wall, summary


def run_naive(request_path: Path) -> tuple[float, dict[str, float]]:
    t0 = time.perf_counter()
    request = gpd.read_file(request_path).to_crs(WORK)
    bad = ~request.geometry.is_valid
    request.loc[bad, "geometry"] = shapely.make_valid(request.geometry.values[bad],
                                                      method="structure")
    figures = {}
    for layer in ("redlines", "farmland", "dev_boundary"):
        frame = pyogrio.read_dataframe(DATA / "constraints.gpkg", layer=layer).to_crs(WORK)
        pieces = gpd.overlay(request, frame, how="intersection", keep_geom_type=True)
        # patches may overlap each other: count overlapped ground once, as gaoxin does
        figures[layer] = float(shapely.union_all(pieces.geometry.values).area)
    return time.perf_counter() - t0, figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--farmland", type=int, default=500_000)
    parser.add_argument("--redlines", type=int, default=20_000)
    parser.add_argument("--shapes", choices=("noisy", "realistic"), default="noisy")
    args = parser.parse_args()
    global DATA
    DATA = ROOT / f"{args.redlines}_{args.farmland}"
    info: dict[str, object] = {}
    if not (DATA / "gaoxin.toml").exists():
        t0 = time.perf_counter()
        info = generate(args.farmland, args.redlines)
        info["generate_s"] = round(time.perf_counter() - t0, 1)
    import tempfile

    request = (realistic_request() if args.shapes == "realistic"
               else DATA / "request.geojson")
    cache = Path(tempfile.mkdtemp())  # empty: the first run hashes every input (cold)
    ours, summary = run_gaoxin(cache, request)
    ours2, summary2 = run_gaoxin(cache, request)
    naive, figures = run_naive(request)
    checks = {c["key"]: c for c in summary["checks"]}
    peak = max(summary["peak_rss_mb"], summary2["peak_rss_mb"])  # type: ignore[type-var]
    print(f"# {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(json.dumps(info))
    print(f"gaoxin expansion end to end: first run {ours:.2f} s (inputs hashed: "
          f"{summary['timings']}), second run {ours2:.2f} s (digests cached: "
          f"{summary2['timings']}); peak RSS of the command {peak:.0f} MB")
    print(f"naive read-whole + overlay (figures only, no outputs): {naive:.2f} s")
    print(f"speed-up: {naive / ours:.1f}× (first run), {naive / ours2:.1f}× (cached digests)")
    print(f"red line overlap m²: gaoxin {checks['redline']['figures']['overlap']['m2']:.2f} "
          f"(ellipsoidal), naive {figures['redlines']:.2f} (planar GK, union of pieces)")
    print(f"farmland overlap m²: gaoxin {checks['farmland']['figures']['overlap']['m2']:.2f} "
          f"(ellipsoidal), naive {figures['farmland']:.2f} (planar GK, union of pieces)")


if __name__ == "__main__":
    main()
