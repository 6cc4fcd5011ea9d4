"""The command line: every bad input gets exit code 2 and one clear message, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point, box

from gaoxin.cli import main

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
GK = 4544
X0, Y0 = 400000.0, 3390000.0  # near Chengdu in CGCS2000 / GK CM 105E


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def squares(n: int = 3, size: float = 100.0, **cols) -> gpd.GeoDataFrame:
    geoms = [box(X0 + i * 200, Y0, X0 + i * 200 + size, Y0 + size) for i in range(n)]
    return gpd.GeoDataFrame(cols or {"pid": [f"P{i}" for i in range(n)]}, geometry=geoms, crs=GK)


def one_message(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    text = " ".join(lines)
    assert text.startswith("error:"), err
    return text


# ---------------------------------------------------------------- area / convert happy paths


def test_area_json_hundred_metre_square_is_15_mu(tmp_path, capsys):
    path = tmp_path / "p.gpkg"
    squares(2).to_file(path)
    code, out, _ = run(["area", str(path), "--by", "pid", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["pid"] for r in rows] == ["P0", "P1"]
    # 100 m × 100 m in GK 105°E at 4e5 m easting: the GK scale there is ~1+1.2e-4
    for r in rows:
        assert r["area_mu"] == pytest.approx(15.0, rel=3e-4)
        assert r["area_ha"] == pytest.approx(r["area_m2"] / 10000)
        assert r["area_mu"] == pytest.approx(r["area_m2"] * 15 / 10000)


def test_area_planar_column_and_index_key(tmp_path, capsys):
    path = tmp_path / "p.geojson"
    squares(1).to_file(path)
    code, out, _ = run(["area", str(path), "--json", "--planar"], capsys)
    rows = json.loads(out)
    assert code == 0 and rows[0]["index"] == 0
    assert rows[0]["planar_area_m2"] == pytest.approx(10000.0, abs=0.01)


def test_area_writes_excel(tmp_path, capsys):
    path, xlsx = tmp_path / "p.gpkg", tmp_path / "areas.xlsx"
    squares(2).to_file(path)
    code, _, _ = run(["area", str(path), "--by", "pid", "--out", str(xlsx)], capsys)
    import pandas as pd

    table = pd.read_excel(xlsx)
    assert code == 0 and list(table.columns) == ["pid", "面积(m²)", "面积(公顷)", "面积(亩)"]


def test_convert_to_gcj02_and_back(tmp_path, capsys):
    src = tmp_path / "pts.geojson"
    gpd.GeoDataFrame({"n": ["天府广场"]}, geometry=[Point(104.066, 30.657)], crs=4326).to_file(src)
    gcj = tmp_path / "gcj.geojson"
    assert run(["convert", str(src), str(gcj), "--to-crs", "gcj02"], capsys)[0] == 0
    back = tmp_path / "back.gpkg"
    assert run(["convert", str(gcj), str(back), "--from-crs", "gcj02", "--to-crs", "4544"],
               capsys)[0] == 0
    moved = gpd.read_file(gcj).geometry.iloc[0]
    assert abs(moved.x - 104.066) > 0.002
    result = gpd.read_file(back)
    assert result.crs.to_epsg() == 4544
    expected = gpd.GeoSeries([Point(104.066, 30.657)], crs=4326).to_crs(4544).iloc[0]
    assert result.geometry.iloc[0].distance(expected) < 0.5
    assert result["n"].iloc[0] == "天府广场"


def test_convert_refuses_to_overwrite_input(tmp_path, capsys):
    src = tmp_path / "a.gpkg"
    squares().to_file(src)
    code, _, err = run(["convert", str(src), str(src)], capsys)
    assert code == 2 and "overwrite the input" in one_message(err)


# ---------------------------------------------------------------- bad input, one by one


def test_missing_file(tmp_path, capsys):
    code, _, err = run(["area", str(tmp_path / "nope.shp")], capsys)
    msg = one_message(err)
    assert code == 2 and "nope.shp" in msg and "file not found" in msg and "Fix:" in msg


def test_corrupt_file(tmp_path, capsys):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(os.urandom(4096))
    code, _, err = run(["area", str(bad)], capsys)
    msg = one_message(err)
    assert code == 2 and "broken.gpkg" in msg and "cannot be read" in msg


def test_empty_layer(tmp_path, capsys):
    path = tmp_path / "empty.gpkg"
    squares().iloc[:0].to_file(path)
    code, _, err = run(["area", str(path)], capsys)
    assert code == 2 and "empty" in one_message(err)


def test_no_crs_names_the_probable_gk_crs(tmp_path, capsys):
    path = tmp_path / "nocrs.shp"
    gdf = squares()
    gdf.geometry = gdf.geometry.translate(35_000_000, 0)  # zone-prefixed eastings
    with pytest.warns(UserWarning, match="crs"):
        gdf.set_crs(None, allow_override=True).to_file(path)
    code, _, err = run(["area", str(path)], capsys)
    msg = one_message(err)
    assert code == 2 and "no CRS" in msg and "EPSG:4523" in msg and "--crs" in msg
    code, out, _ = run(["area", str(path), "--crs", "EPSG:4523", "--json"], capsys)
    assert code == 0 and len(json.loads(out)) == 3


def test_lat_lon_swapped(tmp_path, capsys):
    path = tmp_path / "swapped.csv"
    path.write_text("name,lon,lat\nA,30.65,104.06\n", encoding="utf-8")
    code, _, err = run(["convert", str(path), str(tmp_path / "o.gpkg"), "--from-crs", "4326"],
                       capsys)
    msg = one_message(err)
    assert code == 2 and "swapped" in msg


def test_outside_china(tmp_path, capsys):
    path = tmp_path / "london.geojson"
    gpd.GeoDataFrame(geometry=[box(-0.2, 51.4, -0.1, 51.5)], crs=4326).to_file(path)
    code, _, err = run(["area", str(path)], capsys)
    assert code == 2 and "outside China" in one_message(err)


def test_wrong_geometry_type_for_area(tmp_path, capsys):
    path = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame(geometry=[Point(104, 30)], crs=4326).to_file(path)
    code, _, err = run(["area", str(path)], capsys)
    assert code == 2 and "needs polygon geometries" in one_message(err)


def _workspace(tmp_path: Path, parcels: gpd.GeoDataFrame, extra: str = "") -> Path:
    parcels.to_file(tmp_path / "parcels.gpkg")
    toml = tmp_path / "gaoxin.toml"
    toml.write_text(f'[layers.parcels]\npath = "parcels.gpkg"\n{extra}', encoding="utf-8")
    return toml


def test_check_ok_and_alias_fields(tmp_path, capsys):
    ws = _workspace(tmp_path, squares(2, 地块编号=["A", "B"], 用地性质=["M1", "M2"]))
    code, out, _ = run(["check", "-w", str(ws), "--json"], capsys)
    data = json.loads(out)
    assert code == 0 and data["blocking"] is False
    assert data["layers"][0]["status"] == "ok" and data["layers"][0]["features"] == 2


def test_check_missing_required_field(tmp_path, capsys):
    ws = _workspace(tmp_path, squares(2, code=["A", "B"]))
    code, out, err = run(["check", "-w", str(ws), "--json"], capsys)
    notes = json.loads(out)["layers"][0]["notes"]
    assert code == 2 and "parcel_id" in notes and "columns found: code" in notes
    assert "Traceback" not in err


def test_check_duplicate_ids(tmp_path, capsys):
    ws = _workspace(tmp_path, squares(3, parcel_id=["A", "B", "A"]))
    code, out, _ = run(["check", "-w", str(ws), "--json"], capsys)
    notes = json.loads(out)["layers"][0]["notes"]
    assert code == 2 and "duplicate parcel_id 'A'" in notes and "rows [1, 3]" in notes


def test_check_non_numeric_value(tmp_path, capsys):
    ws = _workspace(tmp_path, squares(2, parcel_id=["A", "B"], 容积率下限=["1.2", "一点五"]))
    code, out, _ = run(["check", "-w", str(ws), "--json"], capsys)
    notes = json.loads(out)["layers"][0]["notes"]
    assert code == 2 and "planned_far_min" in notes and "一点五" in notes and "feature B" in notes


def test_check_wrong_geometry_type(tmp_path, capsys):
    pts = gpd.GeoDataFrame({"parcel_id": ["A"]}, geometry=[Point(X0, Y0)], crs=GK)
    ws = _workspace(tmp_path, pts)
    code, out, _ = run(["check", "-w", str(ws), "--json"], capsys)
    notes = json.loads(out)["layers"][0]["notes"]
    assert code == 2 and "needs polygon geometries" in notes and "Point" in notes


def test_check_reports_fixed_geometry(tmp_path, capsys):
    from shapely import Polygon

    bow = Polygon([(X0, Y0), (X0 + 50, Y0 + 50), (X0 + 50, Y0), (X0, Y0 + 50)])
    gdf = gpd.GeoDataFrame({"parcel_id": ["A", "B"]}, geometry=[bow, box(X0, Y0, X0 + 9, Y0 + 9)],
                           crs=GK)
    ws = _workspace(tmp_path, gdf)
    code, out, _ = run(["check", "-w", str(ws), "--json"], capsys)
    row = json.loads(out)["layers"][0]
    assert code == 0 and row["status"] == "fixed" and "ids: A" in row["notes"]


def test_missing_workspace(tmp_path, capsys):
    code, _, err = run(["check", "-w", str(tmp_path / "gaoxin.toml")], capsys)
    assert code == 2 and "gaoxin init" in one_message(err)


def test_bad_toml(tmp_path, capsys):
    ws = tmp_path / "gaoxin.toml"
    ws.write_text("[layers.parcels\npath=", encoding="utf-8")
    code, _, err = run(["check", "-w", str(ws)], capsys)
    assert code == 2 and "not valid TOML" in one_message(err)


def test_init_writes_template_and_refuses_overwrite(tmp_path, capsys):
    ws = tmp_path / "gaoxin.toml"
    assert run(["init", "-w", str(ws)], capsys)[0] == 0
    import tomllib

    assert "zones" in tomllib.loads(ws.read_text(encoding="utf-8"))["layers"]
    code, _, err = run(["init", "-w", str(ws)], capsys)
    assert code == 2 and "--force" in one_message(err)


def test_console_script_exit_code_and_no_traceback(tmp_path):
    exe = Path(sys.executable).with_name("gaoxin")
    result = subprocess.run([str(exe), "area", str(tmp_path / "missing.gpkg")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "file not found" in result.stderr
    helped = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0 and "convert" in helped.stdout


@pytest.mark.realdata
def test_area_on_real_gcj02_file_declared(capsys):
    if not REAL.is_dir():
        pytest.skip("real data folder ../shared/data/real not present")
    path = REAL / "sichuan_province_city_gcj02.gpkg"
    code, out, _ = run(["area", str(path), "--layer", "province", "--crs", "gcj02", "--json"],
                       capsys)
    assert code == 0
    km2 = json.loads(out)[0]["area_m2"] / 1e6
    assert 480_000 < km2 < 490_000


def test_txt_with_unclosed_ring(tmp_path, capsys):
    path = tmp_path / "报件.txt"
    text = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n带号=35\n[地块坐标]\n"
            "4,1.0000,D1,东区,面,,,,@\n"
            "J1,1,3390000.000,35400000.000\nJ2,1,3390000.000,35400100.000\n"
            "J3,1,3390100.000,35400100.000\nJ4,1,3390100.000,35400000.000\n")
    path.write_bytes(text.encode("gbk"))
    code, _, err = run(["area", str(path)], capsys)
    msg = one_message(err)
    assert code == 2 and "报件.txt" in msg and "D1" in msg and "ring" in msg.lower()
    code, out, _ = run(["area", str(path), "--close-rings", "--planar", "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["planar_area_m2"] == pytest.approx(10000.0)


def test_boundary_txt_without_suffix_is_recognised(tmp_path, capsys):
    path = tmp_path / "报件坐标"  # exports often drop the .txt
    text = ("[属性描述]\n坐标系=2000国家大地坐标系\n带号=35\n[地块坐标]\n5,1.0000,D1,东区,面,,,,@\n"
            "J1,1,3390000.000,35400000.000\nJ2,1,3390000.000,35400100.000\n"
            "J3,1,3390100.000,35400100.000\nJ4,1,3390100.000,35400000.000\n"
            "J1,1,3390000.000,35400000.000\n")
    path.write_bytes(text.encode("gbk"))
    code, out, _ = run(["area", str(path), "--planar", "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["planar_area_m2"] == pytest.approx(10000.0)


def test_csv_rows_without_coordinates_are_kept_as_missing(tmp_path, capsys):
    path = tmp_path / "zones.csv"
    path.write_text("name,lon,lat\n甲,104.06,30.65\n乙,,\n", encoding="utf-8")
    out = tmp_path / "z.gpkg"
    code, _, err = run(["convert", str(path), str(out), "--from-crs", "4490"], capsys)
    assert code == 0
    back = gpd.read_file(out)
    assert back["name"].tolist() == ["甲", "乙"] and back.geometry.isna().tolist() == [False, True]
    path.write_text("name,lon,lat\n甲,104.06,三十\n", encoding="utf-8")
    code, _, err = run(["convert", str(path), str(out), "--from-crs", "4490"], capsys)
    assert code == 2 and "not numbers" in one_message(err)


@pytest.mark.parametrize(("args", "code"), [
    ([], 0),                                   # help
    (["nope"], 2),                             # unknown command
    (["area"], 2),                             # missing argument
    (["area", "x.gpkg", "--bogus"], 2),        # unknown option
    (["--version"], 0),
])
def test_usage_errors_exit_2_without_traceback(args, code, capsys):
    assert main(args) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err


def test_convert_through_boundary_txt_and_bd09(tmp_path, capsys):
    src = tmp_path / "zone.gpkg"
    squares(2, parcel_id=["D1", "D2"], name=["东区", "西区"]).to_file(src)
    txt = tmp_path / "zone.txt"
    assert run(["convert", str(src), str(txt)], capsys)[0] == 0
    assert "[地块坐标]" in txt.read_bytes().decode("gbk")
    back = tmp_path / "back.gpkg"
    assert run(["convert", str(txt), str(back), "--to-crs", "EPSG:4544"], capsys)[0] == 0
    got = gpd.read_file(back)
    assert got["parcel_id"].tolist() == ["D1", "D2"] and got["name"].tolist() == ["东区", "西区"]
    assert got.geometry.iloc[0].symmetric_difference(squares(1).geometry.iloc[0]).area < 1e-4
    bd = tmp_path / "bd.geojson"
    assert run(["convert", str(src), str(bd), "--to-crs", "bd09"], capsys)[0] == 0
    again = tmp_path / "again.gpkg"
    assert run(["convert", str(bd), str(again), "--from-crs", "bd09", "--to-crs", "4544"],
               capsys)[0] == 0
    moved = gpd.read_file(again).geometry.iloc[0]
    assert moved.symmetric_difference(squares(1).geometry.iloc[0]).area < 1.0  # < 1 m² drift


# ---------------------------------------------------------------- user text is never markup


@pytest.mark.parametrize("name", ["no[/x]such.gpkg", "[bold]nope.gpkg", "a[/]b[red]c.gpkg"])
def test_file_names_with_brackets_are_printed_literally(tmp_path, capsys, name):
    code, _, err = run(["area", str(tmp_path / name)], capsys)
    assert code == 2
    assert name in one_message(err)


def test_layer_names_and_values_with_brackets_are_printed_literally(tmp_path, capsys):
    path = tmp_path / "p.gpkg"
    squares(2, pid=["[/x]P1", "[bold]P2"]).to_file(path, layer="a", SPATIAL_INDEX="NO")
    squares(1).to_file(path, layer="b", SPATIAL_INDEX="NO")
    _rename_gpkg_layers(path, {"a": "[/x]地块", "b": "[red]other"})
    code, _, err = run(["area", str(path), "--layer", "nope"], capsys)
    assert code == 2
    text = one_message(err)
    assert "[/x]地块" in text and "[red]other" in text
    code, out, err = run(["area", str(path), "--layer", "[/x]地块", "--by", "pid"], capsys)
    assert code == 0, err
    assert "[/x]P1" in out and "[bold]P2" in out


def _rename_gpkg_layers(path: Path, names: dict[str, str]) -> None:
    """GDAL refuses such names when it creates a layer; other tools write them."""
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        for old, new in names.items():
            db.execute(f'ALTER TABLE "{old}" RENAME TO "{new}"')
            for table in ("gpkg_contents", "gpkg_geometry_columns"):
                db.execute(f"UPDATE {table} SET table_name = ? WHERE table_name = ?", (new, old))


def test_workspace_messages_keep_their_brackets(tmp_path, capsys):
    ws = tmp_path / "gaoxin.toml"
    ws.write_text('[layers.zones]\npath = "z.gpkg"\nfilter = "x"\n', encoding="utf-8")
    code, _, err = run(["check", "-w", str(ws)], capsys)
    assert code == 2
    text = one_message(err)
    assert "[layers.zones]" in text and "unknown key(s) filter" in text
    assert "Fix: allowed keys: crs, edition, encoding, fields, layer, path, sheet" in text


def test_workspace_given_a_folder_or_bad_crs_exits_2_naming_the_file(tmp_path, capsys):
    code, _, err = run(["check", "-w", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in one_message(err)
    ws = tmp_path / "gaoxin.toml"
    ws.write_text('[workspace]\ncrs = "EPSG:999999"\n[layers.zones]\npath = "z.gpkg"\n',
                  encoding="utf-8")
    code, _, err = run(["check", "-w", str(tmp_path)], capsys)
    assert code == 2 and f"-w {ws}" in one_message(err)
    code, _, err = run(["check", "-w", str(ws)], capsys)
    assert code == 2
    assert one_message(err).startswith(f"error: {ws} [workspace] crs: unknown CRS 'EPSG:999999'")


def test_os_refusals_are_input_errors_not_bugs(tmp_path, capsys):
    """A path through a file is the user's mistake: exit 2 with the path, never exit 3."""
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    path = tmp_path / "sq.gpkg"
    squares(1).to_file(path)
    code, _, err = run(["area", str(path), "--out", str(blocker / "areas.xlsx")], capsys)
    assert code == 2, err
    text = one_message(err)
    assert "afile" in text and "Fix:" in text
