"""Plot-ratio benchmark: ``gaoxin plot-ratio`` end to end vs read+write, overlay, DuckDB.

Usage::

    .venv/bin/python benchmarks/bench_plot_ratio.py --parcels 200000 [--overlay-timeout 600]
        [--repeat 3] [--skip overlay,duckdb] [--shapes quads|realistic]

``--shapes realistic`` takes the data of ``benchmarks/realistic.py`` instead (concave 12–20-gon
parcels, L/U/T/courtyard buildings rotated off the grid, 0.05 % invalid parcels); DuckDB then
puts parcels through ``ST_MakeValid`` (without it: TopologyException) and the overlay through
``shapely.make_valid``, both inside their timed compute.

Generates (once, seed 42) a jittered-grid parcel coverage (widths/heights log-uniform
30–300 m, irregular quadrilaterals sharing edges) with 1–5 buildings per parcel (mean 3),
5 % pushed across the top edge into the neighbour, floors 1 + ⌊20·U²⌋ and tall one-storey
workshops, in EPSG:4544, as one GeoPackage under ``benchmarks/data/`` (gitignored). Then runs
each method as its own process under ``/usr/bin/time -v`` (wall time and peak RSS):

* ``readwrite``: read both layers (pyogrio, arrow) and write a per-parcel result layer;
* ``gaoxin``: ``gaoxin plot-ratio`` (read, repair, compute, write gpkg + xlsx + map + json);
* ``overlay``: ``geopandas.overlay`` + groupby (cut off at ``--overlay-timeout``);
* ``duckdb``: DuckDB spatial, ``ST_Read`` + ``SPATIAL_JOIN`` with a ``ST_ContainsProperly``
  shortcut (the best SQL of docs performance.md §2).

Prints one Markdown table row per method for ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PY = sys.executable


def generate(n: int, path: Path, seed: int = 42, zones: int | None = None) -> Path:
    """Write the parcels and buildings to ``path`` and a workspace beside it; return its path.

    ``zones`` cuts the parcels into that many zones of equal width (default: 125 × 125 cell
    blocks)."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    nx = round(float(np.sqrt(n * 1.25)))
    ny = int(np.ceil(n / nx))
    w = np.exp(rng.uniform(np.log(30), np.log(300), nx))
    h = np.exp(rng.uniform(np.log(30), np.log(300), ny))
    xs = 440_000 + np.r_[0, np.cumsum(w)]
    ys = 3_330_000 + np.r_[0, np.cumsum(h)]
    gx, gy = np.meshgrid(xs, ys, indexing="ij")          # (nx+1, ny+1)
    sx = np.minimum(np.r_[w[0], w], np.r_[w, w[-1]])[:, None] * np.ones((1, ny + 1))
    sy = np.ones((nx + 1, 1)) * np.minimum(np.r_[h[0], h], np.r_[h, h[-1]])[None, :]
    jx = gx + rng.uniform(-0.2, 0.2, gx.shape) * sx
    jy = gy + rng.uniform(-0.2, 0.2, gy.shape) * sy
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    i, j = i.ravel()[:n], j.ravel()[:n]
    corners_x = np.stack([jx[i, j], jx[i + 1, j], jx[i + 1, j + 1], jx[i, j + 1]], axis=1)
    corners_y = np.stack([jy[i, j], jy[i + 1, j], jy[i + 1, j + 1], jy[i, j + 1]], axis=1)
    rings = np.stack([corners_x, corners_y], axis=2)
    parcels = shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1))
    # Inner axis-aligned box of each quad, where the buildings go.
    x0 = np.maximum(corners_x[:, 0], corners_x[:, 3])
    x1 = np.minimum(corners_x[:, 1], corners_x[:, 2])
    y0 = np.maximum(corners_y[:, 0], corners_y[:, 1])
    y1 = np.minimum(corners_y[:, 2], corners_y[:, 3])
    k = rng.integers(1, 6, n)
    owner = np.repeat(np.arange(n), k)
    slot = np.concatenate([np.arange(c) for c in k])
    kk = k[owner]
    sw = (x1 - x0)[owner] / kk
    bx0 = x0[owner] + slot * sw + sw * rng.uniform(0.05, 0.15, len(owner))
    bx1 = x0[owner] + (slot + 1) * sw - sw * rng.uniform(0.05, 0.15, len(owner))
    hh = (y1 - y0)[owner]
    by0 = y0[owner] + hh * rng.uniform(0.05, 0.3, len(owner))
    by1 = y1[owner] - hh * rng.uniform(0.05, 0.3, len(owner))
    straddle = rng.random(len(owner)) < 0.05
    top = np.maximum(corners_y[owner, 2], corners_y[owner, 3])
    by1 = np.where(straddle, top + rng.uniform(3, 15, len(owner)), by1)
    buildings = shapely.box(bx0, by0, bx1, by1)
    floors = 1 + np.floor(20 * rng.random(len(owner)) ** 2)
    storey = np.where((floors == 1) & (rng.random(len(owner)) < 0.3), 10.0, 3.5)
    height = np.round(floors * storey + 0.5, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    zone_ids = ([f"Z{a // 125:02d}{b // 125:02d}" for a, b in zip(i, j, strict=True)]
                if zones is None else [f"Z{a * zones // nx:02d}" for a in i])
    p = gpd.GeoDataFrame({"parcel_id": [f"P{x:07d}" for x in range(n)], "zone_id": zone_ids,
                          "land_use": np.where(rng.random(n) < 0.6, "M1", "R2")},
                         geometry=parcels, crs=4544)
    b = gpd.GeoDataFrame({"building_id": [f"B{x:08d}" for x in range(len(owner))],
                          "floors": floors, "height": height}, geometry=buildings, crs=4544)
    p.to_file(path, layer="parcels", engine="pyogrio", use_arrow=True)
    b.to_file(path, layer="buildings", engine="pyogrio", use_arrow=True, append=True)
    ws = path.parent / (f"ws_{n}.toml" if zones is None else f"ws_{path.stem}.toml")
    ws.write_text(
        f'[workspace]\nname = "bench {n}"\ncrs = "EPSG:4544"\n'
        f'[layers.parcels]\npath = "{path.name}"\nlayer = "parcels"\n'
        f'[layers.buildings]\npath = "{path.name}"\nlayer = "buildings"\n', encoding="utf-8")
    return ws


READWRITE = """
import sys, time, numpy as np, pyogrio, shapely
t = time.perf_counter()
p = pyogrio.read_dataframe(sys.argv[1], layer="parcels", use_arrow=True)
b = pyogrio.read_dataframe(sys.argv[1], layer="buildings", use_arrow=True)
t1 = time.perf_counter()
for c in ("parcel_area_m2", "floor_area_m2", "footprint_m2", "plot_ratio", "building_coverage"):
    p[c] = np.zeros(len(p))
pyogrio.write_dataframe(p, sys.argv[2], layer="parcels_plot_ratio", use_arrow=True)
print({"read_s": t1 - t, "write_s": time.perf_counter() - t1, "buildings": len(b)})
"""

OVERLAY = """
import sys, time, numpy as np, geopandas as gpd, pyogrio, shapely
p = pyogrio.read_dataframe(sys.argv[1], layer="parcels", use_arrow=True)
b = pyogrio.read_dataframe(sys.argv[1], layer="buildings", use_arrow=True)
t = time.perf_counter()
bad = ~p.geometry.is_valid
if bad.any():
    p.loc[bad, "geometry"] = shapely.make_valid(p.geometry[bad].values, method="structure")
b["counted"] = np.where(b.height / b.floors > 8, 2 * b.floors, b.floors)
o = gpd.overlay(b[["counted", "geometry"]], p[["parcel_id", "geometry"]], how="intersection")
fa = (o.area * o.counted).groupby(o.parcel_id).sum()
print({"compute_s": time.perf_counter() - t, "total_floor_m2": float(fa.sum())})
"""

DUCKDB = """
import sys, time, importlib.util, pathlib, duckdb
ext = (pathlib.Path(importlib.util.find_spec("duckdb_extension_spatial")
       .submodule_search_locations[0]) / "extensions" / f"v{duckdb.__version__}"
       / "spatial.duckdb_extension")
con = duckdb.connect()
con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
con.execute(f"LOAD '{ext}'"); con.execute("SET threads=2")
t = time.perf_counter()
src = sys.argv[1]
valid = "ST_MakeValid(geom)" if sys.argv[2] == "realistic" else "geom"
con.execute(f"CREATE TABLE p0 AS SELECT parcel_id, geom FROM ST_Read('{src}', layer='parcels')")
con.execute(f"CREATE TABLE b AS SELECT floors, height, geom FROM ST_Read('{src}', "
            "layer='buildings')")
t1 = time.perf_counter()
con.execute(f"CREATE TABLE p AS SELECT parcel_id, {valid} AS geom FROM p0")
total = con.execute('''
  SELECT SUM(fa) FROM (
    SELECT p.parcel_id, SUM(CASE WHEN ST_ContainsProperly(p.geom, b.geom) THEN ST_Area(b.geom)
                            ELSE ST_Area(ST_Intersection(p.geom, b.geom)) END
               * CASE WHEN b.height / b.floors > 8 THEN 2 * b.floors ELSE b.floors END) AS fa
    FROM p JOIN b ON ST_Intersects(p.geom, b.geom) GROUP BY p.parcel_id)''').fetchone()[0]
print({"load_s": t1 - t, "compute_s": time.perf_counter() - t1, "total_floor_m2": total})
"""


def _tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of ``root`` and every process under it, read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
        found = re.search(r"VmRSS:\s+(\d+)", status)
        rss[int(entry.name)] = int(found.group(1)) if found else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def timed(cmd: list[str], timeout: float | None = None) -> dict[str, object]:
    """Wall time, peak RSS (``/usr/bin/time``: the largest single process) and the peak of
    the whole process tree summed (sampled every 0.1 s): ``gaoxin plot-ratio`` writes a
    large GeoPackage in a worker process beside itself, and both count."""
    t = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    tree_peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            tree_peak[0] = max(tree_peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"wall_s": time.perf_counter() - t, "timeout": True}
    sampler.join()
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    out = {"wall_s": round(time.perf_counter() - t, 2), "rc": proc.returncode,
           "peak_mb": int(rss.group(1)) // 1024 if rss else None,
           "tree_peak_mb": tree_peak[0] // 1024}
    last = [line for line in stdout.splitlines() if line.startswith("{")]
    if last:
        out["detail"] = last[-1]
    if proc.returncode:
        out["stderr"] = stderr[-800:]
    return out


def _workspace(gpkg: Path) -> Path:
    """The workspace file naming both layers of ``gpkg`` (beside it)."""
    ws = gpkg.with_name(f"ws_{gpkg.stem}.toml")
    ws.write_text(f'[workspace]\nname = "bench {gpkg.stem}"\ncrs = "EPSG:4544"\n'
                  f'[layers.parcels]\npath = "{gpkg.name}"\nlayer = "parcels"\n'
                  f'[layers.buildings]\npath = "{gpkg.name}"\nlayer = "buildings"\n',
                  encoding="utf-8")
    return ws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=200_000)
    ap.add_argument("--overlay-timeout", type=float, default=600)
    ap.add_argument("--skip", default="", help="comma list of methods to skip")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (best and median reported)")
    ap.add_argument("--shapes", choices=("quads", "realistic"), default="quads")
    ap.add_argument("--duckdb-python", default=PY,
                    help="a Python with duckdb 1.5.5 and duckdb-extension-spatial")
    args = ap.parse_args()
    data = HERE / "data"
    gpkg = data / f"plot_{args.parcels}.gpkg"
    if args.shapes == "realistic":
        sys.path.insert(0, str(HERE))
        import realistic

        gpkg = realistic.cached(args.parcels)
    if not gpkg.exists():
        t = time.perf_counter()
        generate(args.parcels, gpkg)
        print(f"generated {gpkg} in {time.perf_counter() - t:.1f} s", flush=True)
    skip = set(args.skip.split(","))
    runs = {
        "readwrite": [PY, "-c", READWRITE, str(gpkg), str(data / "rw_out.gpkg")],
        # The installed command's entry point (it ends with os._exit), on this checkout.
        "gaoxin": [PY, "-c", "from gaoxin.cli import console; console()", "plot-ratio",
                   "-w", str(_workspace(gpkg)), "--out", str(data / "gaoxin_out")],
        "duckdb": [args.duckdb_python, "-c", DUCKDB, str(gpkg), args.shapes],
        "overlay": [PY, "-c", OVERLAY, str(gpkg)],
    }
    walls: dict[str, list[float]] = {name: [] for name in runs if name not in skip}
    # Rounds interleave the methods, so a slow spell of this shared machine hits them alike;
    # the overlay (minutes) runs in the first round only.
    for rnd in range(args.repeat):
        for name, cmd in runs.items():
            if name in skip or (name == "overlay" and rnd):
                continue
            (data / "rw_out.gpkg").unlink(missing_ok=True)
            result = timed(cmd, args.overlay_timeout if name == "overlay" else None)
            walls[name].append(float(result["wall_s"]))  # type: ignore[arg-type]
            print(f"round {rnd + 1}", name, json.dumps(result, ensure_ascii=False), flush=True)
            if name == "gaoxin":
                s = json.loads((data / "gaoxin_out" / "summary.json").read_text(encoding="utf-8"))
                print("  gaoxin timings", s["timings"], "floor_area_m2", s["floor_area_m2"],
                      flush=True)
    best = {name: min(v) for name, v in walls.items() if v}
    print("best of", args.repeat, {k: round(v, 2) for k, v in best.items()})
    print("median", {k: round(statistics.median(v), 2) for k, v in walls.items() if v})
    if "gaoxin" in best and "readwrite" in best:
        print(f"gaoxin / read+write (best): {best['gaoxin'] / best['readwrite']:.2f}x")


if __name__ == "__main__":
    main()
