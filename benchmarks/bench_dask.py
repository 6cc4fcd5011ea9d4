"""Dask benchmark: the plot-ratio kernel zone by zone on a LocalCluster, 1 vs 2 workers.

Usage::

    .venv/bin/python benchmarks/bench_dask.py [--zones 10] [--per-zone 100000] [--workers 0,1,2]

Generates (once, seed 42, with ``bench_plot_ratio.generate``) ``zones`` × ``per-zone`` parcels
in zones of equal width, ~3 buildings per parcel, as one GeoPackage under
``benchmarks/data/``. Then, each in its own process (so every peak is its own):

* ``0`` workers: in process: load parcels and buildings, run the kernel on all parcels;
* ``N`` workers: load the parcels only, start a LocalCluster of N one-thread worker
  processes, run one task per zone; each task reads its zone's buildings from the GeoPackage
  by bbox (:class:`gaoxin.workflows.cluster.SourceWindow`), so the client never holds them.

Records wall time (load, cluster start, the per-zone run), peak RSS of the client and of each
worker (and each worker's RSS before its first task), the tasks' compute time from Dask's
task stream (the workers import the kernels first, timed apart), and the scheduler's overhead
per task, measured as the round trip of 200 no-op
tasks and as (per-zone wall − compute / workers) / tasks. Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_plot_ratio import generate  # noqa: E402

RUN = """
import json, resource, sys, time
from pathlib import Path

import pyogrio
from pyproj import CRS

from gaoxin.analysis import plot_ratio as pr
from gaoxin.layers.load import load
from gaoxin.layers.workspace import load_workspace
from gaoxin.workflows._common import workspace_rules
from gaoxin.workflows.cluster import cluster_client, per_zone, source_windows


def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss carries over a parent's across exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def rss_mb():
    import psutil
    return psutil.Process().memory_info().rss // 2**20


ws = load_workspace(Path(sys.argv[1]))
workers = int(sys.argv[2])
rules = workspace_rules(ws, "plot_ratio")
out = {"workers": workers}
t0 = time.perf_counter()
if workers == 0:
    data = load(ws, ("parcels", "buildings"))
    parcels, buildings = data.vector("parcels"), data.vector("buildings")
    out["load_s"] = round(time.perf_counter() - t0, 2)
    t1 = time.perf_counter()
    result = pr.plot_ratio(parcels, buildings, rules)
    out["compute_s"] = round(time.perf_counter() - t1, 2)
else:
    from distributed import get_task_stream

    data = load(ws, ("parcels",))
    parcels = data.vector("parcels")
    out["load_s"] = round(time.perf_counter() - t0, 2)
    source = ws.layers["buildings"]
    crs = {"buildings": CRS.from_user_input(
        pyogrio.read_info(source.path, layer=source.layer)["crs"])}
    window = source_windows(ws.layers, ("buildings",), crs, data.crs)["buildings"]
    t1 = time.perf_counter()
    with cluster_client(f"local:{workers}") as client:
        out["cluster_start_s"] = round(time.perf_counter() - t1, 2)
        t2 = time.perf_counter()
        client.gather([client.submit(int, k, pure=False) for k in range(200)])
        out["noop_task_ms"] = round((time.perf_counter() - t2) / 200 * 1000, 2)
        # Each worker imports the kernels once; timed apart from the tasks' overhead.
        t2 = time.perf_counter()
        client.run(lambda: __import__("gaoxin.workflows.cluster"))
        out["worker_import_s"] = round(time.perf_counter() - t2, 2)
        out["worker_rss_before_mb"] = sorted(client.run(rss_mb).values())
        with get_task_stream(client) as stream:
            t3 = time.perf_counter()
            result = per_zone(client, pr.plot_ratio, parcels, [window], rules)
            wall = time.perf_counter() - t3
        tasks = [t for t in stream.data if "_zone_task" in str(t["key"])]
        compute = [sum(s["stop"] - s["start"] for s in t["startstops"]
                       if s["action"] == "compute") for t in tasks]
        out["per_zone_wall_s"] = round(wall, 2)
        out["tasks"] = len(tasks)
        out["task_compute_s"] = [round(c, 2) for c in compute]
        out["overhead_per_task_s"] = round((wall - sum(compute) / workers) / len(tasks), 3)
        out["worker_peak_mb"] = sorted(client.run(peak_mb).values())
out["parcels"] = len(parcels)
out["floor_area_m2"] = round(float(result["floor_area_m2"].sum()), 1)
out["total_s"] = round(time.perf_counter() - t0, 2)
out["client_peak_mb"] = peak_mb()
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zones", type=int, default=10)
    ap.add_argument("--per-zone", type=int, default=100_000)
    ap.add_argument("--workers", default="0,1,2", help="comma list; 0 = in process")
    args = ap.parse_args()
    n = args.zones * args.per_zone
    gpkg = HERE / "data" / f"dask_{args.zones}x{args.per_zone}.gpkg"
    ws = gpkg.parent / f"ws_{gpkg.stem}.toml"
    if not (gpkg.exists() and ws.exists()):
        t = time.perf_counter()
        generate(n, gpkg, zones=args.zones)
        print(f"generated {gpkg} in {time.perf_counter() - t:.1f} s", flush=True)
    root = HERE.parent
    for workers in args.workers.split(","):
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", RUN, str(ws), workers], cwd=root,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(root)})
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode or not lines:
            print(f"workers={workers} failed:", proc.stderr[-1500:], flush=True)
            continue
        result = json.loads(lines[-1])
        result["process_wall_s"] = round(time.perf_counter() - t, 2)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
