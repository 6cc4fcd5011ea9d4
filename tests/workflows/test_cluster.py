"""Per-zone analyses on Dask: one task per zone, the in-process run's tables byte for byte."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from gaoxin.errors import InputError
from gaoxin.layers.load import Loaded, load
from gaoxin.layers.workspace import load_workspace
from gaoxin.sample.workspace import write_sample_workspace
from gaoxin.workflows._common import workspace_rules
from gaoxin.workflows.cluster import check_cluster, cluster_client, source_windows, within
from gaoxin.workflows.per_mu import compute_per_mu
from gaoxin.workflows.plot_ratio import compute_plot_ratio
from gaoxin.workflows.standard_land import _LAYERS as SL_LAYERS
from gaoxin.workflows.standard_land import compute_standard_land


@pytest.fixture(scope="module")
def sample_layers(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    ws = load_workspace(write_sample_workspace(tmp_path_factory.mktemp("cluster") / "ws"))
    return load(ws, ("parcels", "buildings"), ("enterprises", "zones"))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler with two thread workers in this process (no process start-up to wait for):
    the run reaches it by its tcp:// address, as it would a remote one."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _csv(frame: object) -> bytes:
    import pandas as pd

    buf = io.StringIO()
    pd.DataFrame(frame).to_csv(buf)
    return buf.getvalue().encode("utf-8")


def test_plot_ratio_on_a_cluster_is_the_in_process_run(sample_layers: Loaded,
                                                        scheduler: str) -> None:
    rules = workspace_rules(load_workspace(Path(sample_layers.files[0])), "plot_ratio")
    alone = compute_plot_ratio(sample_layers, rules)
    spread = compute_plot_ratio(sample_layers, rules, scheduler)
    assert spread.parcels["zone_id"].nunique() > 1  # there were several tasks
    assert _csv(spread.parcels.to_wkb()) == _csv(alone.parcels.to_wkb())
    assert _csv(spread.zones) == _csv(alone.zones)
    assert spread.summary == alone.summary


@pytest.mark.parametrize("spec", ["local:0", "local", "tcp://", "dask://x:1", "tcp://a b:1"])
def test_a_bad_cluster_is_an_input_error(spec: str) -> None:
    with pytest.raises(InputError, match="names no cluster"):
        check_cluster(spec)


def test_an_unreachable_scheduler_is_an_input_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"), \
            cluster_client(f"tcp://127.0.0.1:{port}"):
        pass


@pytest.fixture(scope="module")
def sample_workspace(sample_layers: Loaded) -> Path:
    return Path(sample_layers.files[0])


def test_per_mu_on_a_cluster_is_the_in_process_run(sample_workspace: Path,
                                                    scheduler: str) -> None:
    ws = load_workspace(sample_workspace)
    data = load(ws, ("parcels", "enterprises"), ("zones",))
    rules = workspace_rules(ws, "per_mu")
    alone = compute_per_mu(data, rules)
    spread = compute_per_mu(data, rules, scheduler)
    assert spread.parcels["zone_id"].nunique() > 1
    assert _csv(spread.parcels.to_wkb()) == _csv(alone.parcels.to_wkb())
    assert _csv(spread.firms) == _csv(alone.firms)
    assert spread.summary == alone.summary


def test_standard_land_on_a_cluster_is_the_in_process_run(sample_workspace: Path,
                                                          scheduler: str) -> None:
    ws = load_workspace(sample_workspace)
    data = load(ws, ("parcels",), ("zones", *SL_LAYERS))
    rules = workspace_rules(ws, "standard_land")
    alone = compute_standard_land(data, ws, rules)
    spread = compute_standard_land(data, ws, rules, scheduler)
    assert spread.parcels["zone_id"].nunique() > 1
    assert alone.summary["unverified"].get("roads") is None  # the nearest-road reads ran
    assert _csv(spread.parcels.to_wkb()) == _csv(alone.parcels.to_wkb())
    assert spread.summary == alone.summary


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet"])
def test_a_task_reads_only_its_zones_rows(sample_layers: Loaded, sample_workspace: Path,
                                          tmp_path: Path, suffix: str) -> None:
    ws = load_workspace(sample_workspace)
    source = ws.layers["buildings"]
    if suffix == ".parquet":
        from dataclasses import replace

        import geopandas as gpd

        path = tmp_path / "buildings.parquet"
        gpd.read_file(source.path, layer=source.layer).to_parquet(path, write_covering_bbox=True)
        source = replace(source, path=path, layer=None)
    window = source_windows({"buildings": source}, ("buildings",), sample_layers.source_crs,
                            sample_layers.crs)["buildings"]
    buildings, parcels = sample_layers.vector("buildings"), sample_layers.vector("parcels")
    zone = parcels[parcels["zone_id"] == parcels["zone_id"].dropna().iloc[0]]
    bounds = tuple(float(v) for v in zone.total_bounds)
    features, rows_read = window.read(bounds)  # type: ignore[arg-type]
    expected = within(buildings, bounds)  # type: ignore[arg-type]
    assert 0 < len(expected) <= rows_read < len(buildings) / 2
    assert features.geometry.to_wkb().tolist() == expected.geometry.to_wkb().tolist()


def test_plot_ratio_with_tasks_reading_their_buildings(sample_layers: Loaded,
                                                       sample_workspace: Path,
                                                       scheduler: str) -> None:
    ws = load_workspace(sample_workspace)
    rules = workspace_rules(ws, "plot_ratio")
    alone = compute_plot_ratio(sample_layers, rules)
    spread = compute_plot_ratio(sample_layers, rules, scheduler, ws)
    assert _csv(spread.parcels.to_wkb()) == _csv(alone.parcels.to_wkb())


def test_geoparquet_without_a_bbox_column_is_sliced_by_the_client(sample_layers: Loaded,
                                                                  tmp_path: Path) -> None:
    from dataclasses import replace

    import geopandas as gpd

    ws = load_workspace(Path(sample_layers.files[0]))
    source = ws.layers["buildings"]
    path = tmp_path / "buildings.parquet"
    gpd.read_file(source.path, layer=source.layer).to_parquet(path)
    plain = replace(source, path=path, layer=None)
    assert source_windows({"buildings": plain}, ("buildings",), sample_layers.source_crs,
                          sample_layers.crs) == {}


@pytest.mark.parametrize("command", ["per-mu", "standard-land"])
def test_a_bad_cluster_on_the_command_line_is_one_message(
        command: str, sample_workspace: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from gaoxin.cli import main

    rc = main([command, "-w", str(sample_workspace), "--cluster", "local:0",
               "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and "--cluster: 'local:0' names no cluster" in err and "Fix:" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "summary.json").exists()
