"""A run's outputs appear together or not at all: real runs SIGKILLed at seeded random points
(during the final swap too), and two concurrent runs into one folder.

Each run is ``python -m gaoxin.cli expansion`` in a subprocess on a tiny workspace (the
command's fixed cost dominates, so the file stays fast on a loaded machine).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

from gaoxin.layers.boundary_txt import read_boundary_txt
from gaoxin.layers.write import RUN_MANIFEST, manifest_problems, output_run

ROOT = Path(__file__).resolve().parents[2]
X0, Y0 = 500_000.0, 3_400_000.0
REQUESTS = {"east": box(X0, Y0, X0 + 400, Y0 + 400), "west": box(X0 - 900, Y0, X0 - 600, Y0 + 300)}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A zone, a red line crossing the east request, and the two requests."""
    root = tmp_path_factory.mktemp("ws")
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲区"]},
                     geometry=[box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000)],
                     crs=4544).to_file(root / "zones.gpkg")
    gpd.GeoDataFrame({"patch_id": ["HX1"]}, geometry=[box(X0 + 300, Y0 + 300, X0 + 900, Y0 + 900)],
                     crs=4544).to_file(root / "constraints.gpkg", layer="redlines")
    for name, geom in REQUESTS.items():
        gpd.GeoDataFrame({"parcel_id": [name]}, geometry=[geom], crs=4544).to_file(
            root / f"{name}.gpkg")
    (root / "gaoxin.toml").write_text(
        '[layers.zones]\npath = "zones.gpkg"\n'
        '[layers.redlines]\npath = "constraints.gpkg"\nlayer = "redlines"\n', encoding="utf-8")
    return root


def start(ws: Path, request: str, out: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gaoxin.cli", "expansion", str(ws / f"{request}.gpkg"),
         "--zone", "Z1", "-w", str(ws / "gaoxin.toml"), "--out", str(out)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), "GAOXIN_CACHE_DIR": str(ws / "cache"),
             **env})


def finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[bytes], *,
               may_end: bool = False) -> None:
    """Poll ``condition``; the run ending first is an error unless ``may_end``."""
    deadline = time.monotonic() + 90
    while not condition():
        if proc.poll() is not None:
            assert may_end, "the run ended before the point to kill it"
            return
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def run_id(out: Path) -> str:
    return json.loads((out / RUN_MANIFEST).read_text(encoding="utf-8"))["run_id"]


def whole_set(out: Path) -> str:
    """Assert ``out`` holds exactly one run's files, all from one request; return its id."""
    assert manifest_problems(out) == []
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    request = Path(summary["request"]).stem
    txt, _ = read_boundary_txt(out / "request_cgcs2000_gk.txt")
    layer = gpd.read_file(out / "conflicts.gpkg", layer="request")
    for geom in (txt.to_crs(4544).geometry.iloc[0], layer.geometry.iloc[0]):
        assert geom.symmetric_difference(REQUESTS[request]).area < 1e-3
    assert ("HX1" in (out / "report.html").read_text(encoding="utf-8")) == (request == "east")
    return run_id(out)


def stages(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_killed_runs_leave_the_old_set_or_the_new_one(workspace: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "runs" / "out"
    t = time.monotonic()
    finish(start(workspace, "east", out))
    full = time.monotonic() - t
    whole_set(out)
    rng = random.Random(20260)
    for point in range(3):
        proc = start(workspace, ["west", "east"][point % 2], out)
        if point % 2:  # at any time of the run
            time.sleep(rng.uniform(0.2, full))
        else:  # while the outputs are being written
            wait_until(lambda: any("-run-" in s for s in stages(out)), proc, may_end=True)
            time.sleep(rng.uniform(0.0, 0.5))
        kill(proc)
        whole_set(out)

    # Right after the exchange, before the earlier set (now in the stage) is removed.
    before = run_id(out)
    proc = start(workspace, "west", out, GAOXIN_TEST_SWAP_PAUSE="60")
    wait_until(lambda: (out / RUN_MANIFEST).exists() and run_id(out) != before, proc)
    kill(proc)
    assert whole_set(out) != before
    (stale,) = (s for s in stages(out) if "-run-" in s)
    assert run_id(out.parent / stale) == before  # the earlier set, left for the next run

    # Where renameat2 is unavailable: rename aside, then in; killed between the two.
    before = run_id(out)
    proc = start(workspace, "east", out, GAOXIN_TEST_SWAP_PAUSE="60",
                 GAOXIN_TEST_SWAP_FALLBACK="1")
    wait_until(lambda: not out.exists(), proc)
    kill(proc)
    left = stages(out)
    assert stale not in left  # removed by the run that started after it
    assert sorted(s.split("-")[1] for s in left) == ["lock", "old", "run"]
    with pytest.raises(RuntimeError), output_run(out, command="test"):
        raise RuntimeError("a run that fails still recovers and cleans up when it starts")
    assert whole_set(out) == before
    assert stages(out) == [".out.gaoxin-lock"]


def test_concurrent_runs_into_one_folder_leave_one_whole_set(workspace: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    runs = [start(workspace, name, out) for name in REQUESTS]
    for proc in runs:
        finish(proc)
    whole_set(out)
    assert stages(out) == [".out.gaoxin-lock"]
