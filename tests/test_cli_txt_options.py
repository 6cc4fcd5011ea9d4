"""The command line around 界址点 TXT files and CRS options (issue 11, "Terminal"): parcel
numbers in area tables, the CRS of the file written, zone ids kept in a TXT, one option name
for declaring a CRS, and advice a command-line user can follow."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import box

from gaoxin.cli import main
from gaoxin.layers.boundary_txt import read_boundary_txt

X0, Y0 = 400_000.0, 3_390_000.0  # CGCS2000 3° Gauss-Krüger CM 105°E (EPSG:4544)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, " ".join(captured.err.split())


def zones(tmp_path: Path) -> Path:
    path = tmp_path / "zones.gpkg"
    gpd.GeoDataFrame({"zone_id": ["G510001", "S510101", "S510102"],
                      "name": ["蜀西高新区", "金马园区", "五津园区"]}, crs=4544,
                     geometry=[box(X0 + i * 500, Y0, X0 + i * 500 + 200, Y0 + 100)
                               for i in range(3)]).to_file(path)
    return path


def test_area_of_a_txt_names_each_row_by_its_parcel_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    txt = tmp_path / "zones.txt"
    assert main(["convert", str(zones(tmp_path)), str(txt)]) == 0
    capsys.readouterr()
    code, out, _ = run(["area", str(txt), "--json"], capsys)
    rows = json.loads(out)
    assert code == 0
    assert [(r["parcel_id"], r["name"]) for r in rows] == [
        ("G510001", "蜀西高新区"), ("S510101", "金马园区"), ("S510102", "五津园区")]
    code, out, _ = run(["area", str(txt)], capsys)
    assert code == 0 and "地块编号" in out and "地块名称" in out and "G510001" in out
    assert "index" not in out and "0.0" not in out
    # 亩 at 2 decimals, as staff read them (30 亩 for 200 m × 100 m on the GK plane).
    assert f"{rows[0]['area_mu']:,.2f} │" in out and f"{rows[0]['area_mu']:,.4f}" not in out


def test_convert_to_txt_reports_the_crs_of_the_file_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    txt = tmp_path / "zones.txt"
    code, out, _ = run(["convert", str(zones(tmp_path)), str(txt), "--lang", "en"], capsys)
    written, _ = read_boundary_txt(txt)
    out = " ".join(out.split())
    assert code == 0 and written.crs.to_epsg() == 4523
    assert "EPSG:4523" in out and "EPSG:4544" not in out
    assert "zone 35" in out and "zone-prefixed" in out


def test_zones_written_as_txt_keep_their_zone_ids(tmp_path: Path) -> None:
    txt = tmp_path / "zones.txt"
    assert main(["convert", str(zones(tmp_path)), str(txt)]) == 0
    heads = [line for line in txt.read_text(encoding="gbk").splitlines() if line.endswith("@")]
    assert [h.split(",")[2:4] for h in heads] == [
        ["G510001", "蜀西高新区"], ["S510101", "金马园区"], ["S510102", "五津园区"]]
    written, warnings = read_boundary_txt(txt)
    assert warnings == [] and written["parcel_id"].tolist() == ["G510001", "S510101", "S510102"]


def test_tianditu_key_error_names_what_the_user_writes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    code, _, err = run(["map", str(zones(tmp_path)), "--basemap", "tianditu", "--out",
                        str(tmp_path / "m.html"), "-w", str(tmp_path / "none.toml")], capsys)
    assert code == 2 and err.startswith("error:")
    assert "[tianditu]" in err and 'key = "' in err and "TIANDITU_KEY" in err
    assert "tianditu_key" not in err


@pytest.mark.parametrize("option", ["--crs", "--from-crs"])
def test_convert_declares_the_input_crs_with_crs_and_its_old_name(
        tmp_path: Path, option: str, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "no_crs.csv"
    src.write_text(f'n,wkt\n1,"{box(X0, Y0, X0 + 100, Y0 + 100).wkt}"\n', encoding="utf-8")
    out_path = tmp_path / "out.gpkg"
    code, _, err = run(["convert", str(src), str(out_path), option, "EPSG:4544"], capsys)
    assert code == 0 and gpd.read_file(out_path).crs.to_epsg() == 4544
    # The old name still works, and says the new one.
    assert ("--crs" in err) == (option == "--from-crs")


def test_convert_refuses_crs_and_from_crs_that_disagree(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["convert", str(zones(tmp_path)), str(tmp_path / "o.gpkg"), "--crs",
                        "EPSG:4544", "--from-crs", "EPSG:4523"], capsys)
    assert code == 2 and err.startswith("error:") and "--crs" in err


def test_the_crs_option_is_one_name_in_every_command() -> None:
    import typer

    from gaoxin.cli import app

    group = typer.main.get_command(app)
    for name, command in getattr(group, "commands", {}).items():
        visible = {opt for p in command.params if not getattr(p, "hidden", False)
                   for opt in p.opts}
        assert "--from-crs" not in visible, name


def test_txt_without_zone_advice_is_an_option_that_works(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    txt = tmp_path / "simple.txt"
    e0, n0 = 410_000.0, Y0
    pts = [(n0, e0), (n0 + 100, e0), (n0 + 100, e0 + 100), (n0, e0 + 100), (n0, e0)]
    txt.write_text("[属性描述]\n坐标系=2000国家大地坐标系\n[地块坐标]\n5,1.0000,D1,无带号,面,,,,@\n"
                   + "".join(f"J{i},1,{n:.3f},{e:.3f}\n" for i, (n, e) in enumerate(pts, 1)),
                   encoding="gbk")
    for command in (["area", str(txt)], ["convert", str(txt), str(tmp_path / "o.gpkg")]):
        code, _, err = run(command, capsys)
        assert code == 2 and err.startswith("error:")
        assert "--crs EPSG:4544" in err
        assert "read_boundary_txt" not in err and "crs=" not in err and "--from-crs" not in err
        # Following the advice, as written, reads the file.
        assert main([*command, "--crs", "EPSG:4544"]) == 0
        capsys.readouterr()


def test_degrees_declared_as_gcj02_get_command_line_advice(tmp_path: Path) -> None:
    from gaoxin.errors import InputError

    txt = tmp_path / "deg.txt"
    pts = [(30.6, 104.1), (30.601, 104.1), (30.601, 104.101), (30.6, 104.101), (30.6, 104.1)]
    txt.write_text("[地块坐标]\n5,,D1,,面,,,,@\n" + "".join(
        f"J{i},1,{a:.6f},{b:.6f}\n" for i, (a, b) in enumerate(pts, 1)), encoding="gbk")
    with pytest.raises(InputError) as info:
        read_boundary_txt(txt, crs="gcj02")
    fix = info.value.fix or ""
    assert "--crs gcj02" in fix and "gaoxin." not in fix and "read_source" not in fix
