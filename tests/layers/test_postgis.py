"""PostGIS as a layer source and a sink, against a real server on loopback (conftest)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
from shapely import box

from gaoxin.cli import main
from gaoxin.errors import InputError
from gaoxin.layers.load import load
from gaoxin.layers.postgis import DatabaseSource, read_postgis, write_postgis
from gaoxin.layers.read import read_source
from gaoxin.layers.workspace import load_workspace
from gaoxin.sample.workspace import write_sample_workspace

IN_DATABASE = ("zones", "parcels", "buildings", "redlines", "farmland", "dev_boundary",
               "roads", "assessments")


@pytest.fixture(scope="module")
def workspaces(postgis_url: str, tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, Path]:
    """The sample workspace from files, and the same with its map layers loaded into PostGIS."""
    files = write_sample_workspace(tmp_path_factory.mktemp("pg") / "ws")
    ws = load_workspace(files)
    tables = {}
    for kind in IN_DATABASE:
        source = ws.layers[kind]
        tables[kind], _ = read_source(source.path, layer=source.layer)
    write_postgis(postgis_url, tables, schema="sample")
    text = [f'[workspace]\nname = "{ws.name}"\n']
    for kind in IN_DATABASE:
        text.append(f'[layers.{kind}]\nurl = "{postgis_url}"\nschema = "sample"\n'
                    f'table = "{kind}"\n')
    text.append(f'[layers.enterprises]\npath = "{ws.layers["enterprises"].path}"\n')
    db = files.parent / "postgis.toml"
    db.write_text("\n".join(text), encoding="utf-8")
    return files, db


def test_layers_from_postgis_are_the_files_layers(workspaces: tuple[Path, Path]) -> None:
    from_files = load(load_workspace(workspaces[0]), IN_DATABASE)
    from_db = load(load_workspace(workspaces[1]), IN_DATABASE)
    assert from_db.crs.equals(from_files.crs)
    for kind in IN_DATABASE:
        a, b = from_files.vector(kind), from_db.vector(kind)
        assert len(a) == len(b), kind
        for column in a.columns:
            if column == a.geometry.name:
                assert a.geometry.geom_equals_exact(b.geometry, 0).all(), kind
            else:
                pd.testing.assert_series_equal(a[column], b[column], check_dtype=False,
                                               obj=f"{kind}.{column}")
    assert set(from_db.databases) == set(IN_DATABASE)


@pytest.mark.parametrize("command", ["plot-ratio"])
def test_every_figure_is_the_same_from_postgis(workspaces: tuple[Path, Path], tmp_path: Path,
                                               command: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "never-written-anywhere")
    summaries = []
    for i, ws in enumerate(workspaces):
        assert main([command, "-w", str(ws), "--out", str(tmp_path / str(i))]) == 0
        summaries.append(json.loads((tmp_path / str(i) / "summary.json").read_text("utf-8")))
    files, db = summaries
    drop = ("provenance", "timings", "notes")
    assert {k: v for k, v in db.items() if k not in drop} == {
        k: v for k, v in files.items() if k not in drop}
    recorded = db["provenance"]["databases"]["parcels"]
    assert recorded["table"] == "sample.parcels" and recorded["rows"] == files["parcels"] \
        if "parcels" in files else recorded["rows"] > 0
    assert recorded["server_version"].startswith("15") and recorded["srid"] == 4544
    assert len(recorded["rows_sha256"]) == 64
    assert "never-written-anywhere" not in (tmp_path / "1").joinpath("summary.json").read_text(
        "utf-8")


def test_a_bbox_read_keeps_the_features_around_it(postgis_url: str) -> None:
    source = DatabaseSource(postgis_url, "parcels", "sample")
    everything, _ = read_postgis(source, "parcels")
    x0, y0, x1, y1 = everything.total_bounds
    window = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    part, read = read_postgis(source, "parcels", window)
    expected = everything[everything.intersects(box(*window).envelope)
                          | everything.envelope.intersects(box(*window))]
    assert 0 < len(part) < len(everything) and len(part) == len(expected)
    assert read["rows"] == len(part)
    with psycopg.connect(postgis_url) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT * FROM sample.parcels WHERE geom && "
            "ST_MakeEnvelope(%s, %s, %s, %s, 4544)", window).fetchall())
    assert "parcels_geom_idx" in plan


def test_results_written_back_with_srid_key_and_index(postgis_url: str) -> None:
    frame = gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "plot_ratio": [1.5, None]},
                             geometry=[box(500000, 3400000, 500100, 3400100),
                                       box(500100, 3400000, 500200, 3400100)], crs=4544)
    write_postgis(postgis_url, {"results": frame}, schema="out")
    write_postgis(postgis_url, {"results": frame.iloc[:1]}, schema="out")  # swapped in
    with psycopg.connect(postgis_url) as conn:
        assert conn.execute("SELECT count(*) FROM out.results").fetchone() == (1,)
        assert conn.execute("SELECT Find_SRID('out', 'results', 'geom')").fetchone() == (4544,)
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'out'").fetchall()}
        assert indexes == {"results_pkey", "results_geom_idx"}


def test_a_failed_write_leaves_the_old_table(postgis_url: str) -> None:
    good = gpd.GeoDataFrame({"v": [1]}, geometry=[box(0, 0, 1, 1)], crs=4544)
    write_postgis(postgis_url, {"kept": good}, schema="out")
    bad = gpd.GeoDataFrame({"v": [2]}, geometry=[box(0, 0, 1, 1)], crs=None)
    with pytest.raises(InputError):
        write_postgis(postgis_url, {"kept": good.iloc[:0], "broken": bad}, schema="out")
    with psycopg.connect(postgis_url) as conn:
        assert conn.execute("SELECT count(*) FROM out.kept").fetchone() == (1,)


@pytest.mark.parametrize(("command", "table", "folder"), [
    ("plot-ratio", "parcels_plot_ratio", "plot_ratio_out"),
    ("per-mu", "parcels_per_mu", "per_mu_out"),
    ("standard-land", "standard_land", "standard_land_out")])
def test_out_postgresql_writes_the_result_tables(workspaces: tuple[Path, Path],
                                                 postgis_url: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, command: str,
                                                 table: str, folder: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([command, "-w", str(workspaces[1]), "--out", postgis_url]) == 0
    with psycopg.connect(postgis_url) as conn:
        rows = conn.execute(f"SELECT count(*) FROM public.{table}").fetchone()
    assert rows is not None and rows[0] > 0
    assert (tmp_path / folder / "summary.json").is_file()


def test_cluster_tasks_read_their_zone_from_postgis(workspaces: tuple[Path, Path]) -> None:
    """Standard land on Dask with every layer read by the tasks from PostGIS (&& on the GiST
    index, in table order) is the in-process run; a task reads only the rows around its
    zone."""
    from distributed import LocalCluster

    from gaoxin.workflows._common import workspace_rules
    from gaoxin.workflows.cluster import source_windows, within
    from gaoxin.workflows.standard_land import _LAYERS, compute_standard_land

    db = load_workspace(workspaces[1])
    rules = workspace_rules(db, "standard_land")
    data = load(db, ("parcels",), ("zones", *_LAYERS))
    alone = compute_standard_land(data, db, rules)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address=None) as cluster:
        spread = compute_standard_land(data, db, rules, cluster.scheduler_address)
    assert spread.parcels.to_wkb().to_csv() == alone.parcels.to_wkb().to_csv()
    assert spread.summary == alone.summary
    loaded = load(db, ("parcels", "buildings"))
    window = source_windows(db.layers, ("buildings",), loaded.source_crs, loaded.crs)
    parcels, buildings = loaded.vector("parcels"), loaded.vector("buildings")
    zone = parcels[parcels["zone_id"] == parcels["zone_id"].dropna().iloc[0]]
    bounds = tuple(float(v) for v in zone.total_bounds)
    features, rows_read = window["buildings"].read(bounds)  # type: ignore[arg-type]
    assert 0 < len(features) <= rows_read < len(buildings) / 2
    assert features.geometry.to_wkb().tolist() == within(
        buildings, bounds).geometry.to_wkb().tolist()  # type: ignore[arg-type]


def _refused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("entry", "problem"), [
    ('url = "postgresql://u@h/db?bogus=1"\ntable = "t"', "connection string is not valid"),
    ('url = "postgresql://u:secret@h/db"\ntable = "t"', "holds a password"),
    ('url = "REFUSED"\ntable = "parcels"\nschema = "sample"', "cannot connect"),
    ('url = "URL"\ntable = "nope"', "table public.nope does not exist"),
    ('url = "URL"\ntable = "parcels"\nschema = "sample"\ngeometry = "shape"',
     "has no geometry column 'shape'"),
    ('url = "URL"\ntable = "no_srid"', "has no SRID"),
])
def test_database_problems_are_one_message(postgis_url: str, tmp_path: Path, entry: str,
                                           problem: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS no_srid (id int, geom geometry)")
        conn.execute("INSERT INTO no_srid SELECT 1, ST_MakeEnvelope(0, 0, 1, 1) "
                     "WHERE NOT EXISTS (SELECT 1 FROM no_srid)")
    refused = f"postgresql://postgres@127.0.0.1:{_refused_port()}/landuse"
    entry = entry.replace("REFUSED", refused).replace("URL", postgis_url)
    ws = tmp_path / "gaoxin.toml"
    ws.write_text(f"[layers.parcels]\n{entry}\n[layers.buildings]\npath = \"b.gpkg\"\n",
                  encoding="utf-8")
    assert main(["plot-ratio", "-w", str(ws), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert problem in err and "Fix:" in err and "Traceback" not in err
    assert "[layers.parcels]" in err and len(err.splitlines()) <= 3
    assert "secret" not in err
