"""The GeoPackage worker process and geopackage_started, which hands it large layers."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

import gaoxin.layers.write as write
from gaoxin.errors import InputError
from gaoxin.layers.gpkg_worker import main
from gaoxin.layers.write import geopackage_started, write_geopackage
from tests.helpers import geopackage_contents

Workers = list[subprocess.Popen[bytes]]


def _parcels(n: int, x0: float = 500000.0) -> gpd.GeoDataFrame:
    """Concave parcels, one holed and one of two parts, text, numbers and nullable flags."""
    geoms: list[shapely.Geometry] = [
        Polygon([(x0 + 10 * i, 0), (x0 + 10 * i + 8, 0), (x0 + 10 * i + 8, 8),
                 (x0 + 10 * i + 4, 3), (x0 + 10 * i, 8)]) for i in range(n)]
    geoms[0] = box(x0, 0, x0 + 8, 8).difference(box(x0 + 2, 2, x0 + 4, 4))
    geoms[-1] = shapely.MultiPolygon([box(x0 - 20, 0, x0 - 12, 8), box(x0 - 40, 0, x0 - 32, 8)])
    return gpd.GeoDataFrame({
        "parcel_id": [f"宗地{i}" for i in range(n)],
        "plot_ratio": [i / 7 for i in range(n)],
        "far_ok": pd.array([True, False, None] * (n // 3) + [True] * (n % 3),
                                             dtype="boolean"),
    }, geometry=geoms, crs=4544)


@pytest.fixture
def worker_calls(monkeypatch: pytest.MonkeyPatch) -> Workers:
    """Every layer goes to the worker process; the processes started."""
    calls: Workers = []
    real = subprocess.Popen

    def popen(cmd: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        calls.append(real(cmd, **kwargs))  # type: ignore[call-overload]
        return calls[-1]

    monkeypatch.setattr(write, "WORKER_FEATURES", 1)
    monkeypatch.setattr(write.subprocess, "Popen", popen)
    return calls


def test_worker_writes_what_write_geopackage_writes(tmp_path: Path,
                                                    worker_calls: Workers) -> None:
    layers = {"parcels": _parcels(30), "others": _parcels(4, x0=600000.0)}
    with geopackage_started(tmp_path / "w.gpkg", layers) as pending:
        assert not (tmp_path / "w.gpkg").exists()   # appears whole, when the block ends
    assert pending.result() == tmp_path / "w.gpkg"
    assert len(worker_calls) == 1
    reference = write_geopackage(tmp_path / "r.gpkg", layers)
    for layer in layers:
        assert (geopackage_contents(tmp_path / "w.gpkg", layer)
                == geopackage_contents(reference, layer))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.gpkg", "w.gpkg"]  # no scratch


def test_small_layers_are_written_by_a_thread(tmp_path: Path) -> None:
    calls: list[object] = []
    with geopackage_started(tmp_path / "s.gpkg", {"p": _parcels(5)}) as pending:
        calls.append(pending.result())
    assert calls == [tmp_path / "s.gpkg"]
    assert geopackage_contents(tmp_path / "s.gpkg", "p")[0] == "MultiPolygon"


def test_an_error_in_the_block_stops_the_worker_and_leaves_nothing(
        tmp_path: Path, worker_calls: Workers) -> None:
    with (pytest.raises(RuntimeError, match="map failed"),
          geopackage_started(tmp_path / "x.gpkg", {"p": _parcels(30)})):
        deadline = time.monotonic() + 30
        while not worker_calls and time.monotonic() < deadline:
            time.sleep(0.01)   # the worker is started by the handoff's thread
        assert worker_calls
        raise RuntimeError("map failed")
    assert len(worker_calls) == 1 and worker_calls[0].returncode is not None   # not left running
    assert list(tmp_path.iterdir()) == []


def test_an_error_before_the_worker_starts_starts_none(
        tmp_path: Path, worker_calls: Workers, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run fails while the thread still makes the tables: no worker is started after."""
    release = threading.Event()
    real = write.geopackage_plan

    def slow(gdf: gpd.GeoDataFrame) -> object:
        release.wait(30)
        return real(gdf)

    monkeypatch.setattr(write, "geopackage_plan", slow)
    with (pytest.raises(RuntimeError, match="map failed"),
          geopackage_started(tmp_path / "x.gpkg", {"p": _parcels(30)})):
        release.set()   # the table is made while the block fails
        raise RuntimeError("map failed")
    assert worker_calls == [] or worker_calls[0].returncode is not None
    assert list(tmp_path.iterdir()) == []


def test_the_tables_are_made_while_the_block_runs(tmp_path: Path, worker_calls: Workers,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The block (the workbook, the map) does not wait for the Arrow tables to be made."""
    release = threading.Event()
    real = write.geopackage_plan

    def held(gdf: gpd.GeoDataFrame) -> object:
        assert release.wait(30), "the block never ran while the table was being made"
        return real(gdf)

    monkeypatch.setattr(write, "geopackage_plan", held)
    layers = {"p": _parcels(30)}
    with geopackage_started(tmp_path / "w.gpkg", layers) as pending:
        release.set()   # reached only if geopackage_started returned before the table
    assert pending.result().exists() and len(worker_calls) == 1
    assert geopackage_contents(tmp_path / "w.gpkg", "p") == geopackage_contents(
        write_geopackage(tmp_path / "r.gpkg", layers), "p")


def test_a_layer_only_pyogrio_writes_is_written_whole_by_the_thread(
        tmp_path: Path, worker_calls: Workers) -> None:
    """A layer of points has no Arrow table here: every layer goes through pyogrio, in the
    thread, into the one file; no worker."""
    points = gpd.GeoDataFrame({"n": [1, 2]}, geometry=shapely.points([500000.0, 500001.0],
                                                                    [0.0, 1.0]), crs=4544)
    layers = {"parcels": _parcels(30), "points": points}
    with geopackage_started(tmp_path / "m.gpkg", layers) as pending:
        pass
    assert pending.result().exists() and worker_calls == []
    reference = write_geopackage(tmp_path / "r.gpkg", layers)
    for layer in layers:
        assert (geopackage_contents(tmp_path / "m.gpkg", layer)
                == geopackage_contents(reference, layer))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.gpkg", "r.gpkg"]


def test_a_failing_write_is_one_input_error_naming_the_file(
        tmp_path: Path, worker_calls: Workers) -> None:
    bad = _parcels(6).assign(PLOT_RATIO=1.0)   # SQLite: the same column name twice
    with (pytest.raises(InputError) as caught,
          geopackage_started(tmp_path / "x.gpkg", {"p": bad}) as pending):
        pending.result()
    message = caught.value.message()
    assert "x.gpkg" in message and "PLOT_RATIO" in message and "Fix:" in message
    assert len(worker_calls) == 1
    assert list(tmp_path.iterdir()) == []


def test_worker_main_says_why_in_one_line(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"target": str(tmp_path / "o.gpkg"),
                                "digest": str(tmp_path / "sha256"), "layers": [
        {"stream": str(tmp_path / "missing.arrows"), "name": "a", "geometry_name": "geometry",
         "geometry_type": "Polygon", "crs": "EPSG:4544"}]}), encoding="utf-8")
    assert main(["gpkg_worker.py", str(spec)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.arrows" in err
    assert not (tmp_path / "o.gpkg").exists()


def test_without_a_process_the_write_runs_in_a_thread(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(write, "WORKER_FEATURES", 1)
    monkeypatch.setattr(write.subprocess, "Popen", refused)
    layers = {"p": _parcels(12)}
    with geopackage_started(tmp_path / "t.gpkg", layers) as pending:
        pass
    assert pending.result().exists()
    assert geopackage_contents(tmp_path / "t.gpkg", "p") == geopackage_contents(
        write_geopackage(tmp_path / "r.gpkg", layers), "p")
    bad = _parcels(6).assign(PLOT_RATIO=1.0)
    with (pytest.raises(InputError, match="PLOT_RATIO"),
          geopackage_started(tmp_path / "x.gpkg", {"p": bad})):
        pass
    assert not (tmp_path / "x.gpkg").exists()


def test_the_run_manifest_takes_the_workers_digest(tmp_path: Path, worker_calls: Workers,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[str] = []
    real = write._digest

    def counted(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(write, "_digest", counted)
    out = tmp_path / "out"
    with write.output_run(out, command="test") as stage:
        with geopackage_started(stage.path / "results.gpkg", {"p": _parcels(9)}) as pending:
            (stage.path / "map.html").write_text("<html></html>", encoding="utf-8")
        pending.result()
    assert len(worker_calls) == 1
    assert hashed == ["map.html"]   # results.gpkg: the worker's SHA-256
    monkeypatch.setattr(write, "_digest", real)
    assert write.manifest_problems(out) == []   # and it is the file's true digest


def test_the_worker_starts_before_the_batches_are_encoded(
        tmp_path: Path, worker_calls: Workers, monkeypatch: pytest.MonkeyPatch) -> None:
    """The layer reaches the worker through a pipe, batch by batch: GDAL is running while
    the later batches are still being encoded."""
    running_at_batch: list[bool] = []
    real = write.GeoPackagePlan.batches

    def batches(self: write.GeoPackagePlan, size: int = 65_536) -> object:
        for batch in real(self, size=7):   # several batches
            running_at_batch.append(bool(worker_calls) and worker_calls[0].poll() is None)
            yield batch

    monkeypatch.setattr(write.GeoPackagePlan, "batches", batches)
    layers = {"parcels": _parcels(30), "others": _parcels(4, x0=600000.0)}
    with geopackage_started(tmp_path / "p.gpkg", layers) as pending:
        pass
    assert pending.result().exists()
    assert len(running_at_batch) == 6 and all(running_at_batch)
    reference = write_geopackage(tmp_path / "r.gpkg", layers)
    for layer in layers:
        assert (geopackage_contents(tmp_path / "p.gpkg", layer)
                == geopackage_contents(reference, layer))


def test_a_worker_that_dies_unfed_is_reported_not_waited_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker ending before it opens its pipe leaves the feeding thread no reader: the
    run reports the worker's end instead of waiting for ever."""
    real = subprocess.Popen

    def dying(cmd: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        return real([cmd[0], "-c", "import sys; print('killed by a limit', file=sys.stderr);"
                     " sys.exit(9)"], **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(write, "WORKER_FEATURES", 1)
    monkeypatch.setattr(write.subprocess, "Popen", dying)
    with (pytest.raises(InputError, match="killed by a limit"),
          geopackage_started(tmp_path / "d.gpkg", {"p": _parcels(12)}) as pending):
        pending.result()
    assert list(tmp_path.iterdir()) == []


def test_a_worker_failing_mid_feed_is_the_error_named(tmp_path: Path,
                                                      worker_calls: Workers) -> None:
    """A batch larger than the pipe's buffer: GDAL refuses the layer while the thread still
    writes, the pipe breaks, and the worker's own message is the one error."""
    bad = _parcels(3000).assign(PLOT_RATIO=1.0)   # SQLite: the same column name twice
    with (pytest.raises(InputError) as caught,
          geopackage_started(tmp_path / "x.gpkg", {"p": bad}) as pending):
        pending.result()
    assert "PLOT_RATIO" in caught.value.message() and "x.gpkg" in caught.value.message()
    assert len(worker_calls) == 1 and worker_calls[0].returncode not in (None, 0)
    assert list(tmp_path.iterdir()) == []
