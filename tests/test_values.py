"""Numbers and coordinates that are not numbers: refused or reported by feature id, never used.

A building of 1e308 floors, an infinite height, a negative floor count, a zero storey height or
a polygon with a NaN vertex must neither reach a figure nor make summary.json invalid JSON.
Cross-cutting (schema, geometry hygiene and the commands on one kind of bad value), so it stays
at the top of ``tests/``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import box

from gaoxin.cli import main
from gaoxin.geo.hygiene import repair_geometries
from gaoxin.layers.schema import normalise_fields

GK = 4544
X0, Y0 = 500000.0, 3400000.0


def strict_json(path: Path) -> dict:
    def refuse(token: str) -> float:
        raise AssertionError(f"{path.name} holds {token}: not JSON")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def workspace(tmp_path: Path, floors: list[float], height: list[float] | None = None,
              storey: list[float] | None = None) -> Path:
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲区"]},
                     geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=GK).to_file(
        tmp_path / "data.gpkg", layer="zones")
    gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "land_use": ["M1", "M1"],
                      "status": ["A2", "A2"], "zone_id": ["Z1", "Z1"]},
                     geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                               box(X0 + 200, Y0, X0 + 300, Y0 + 100)], crs=GK).to_file(
        tmp_path / "data.gpkg", layer="parcels")
    n = len(floors)
    cols: dict[str, list] = {"building_id": [f"B{i + 1}" for i in range(n)], "floors": floors}
    if height is not None:
        cols["height"] = height
    if storey is not None:
        cols["storey_height"] = storey
    gpd.GeoDataFrame(cols, geometry=[box(X0 + 10 + 20 * i, Y0 + 10, X0 + 25 + 20 * i, Y0 + 40)
                                     for i in range(n)], crs=GK).to_file(
        tmp_path / "data.gpkg", layer="buildings")
    ws = tmp_path / "gaoxin.toml"
    ws.write_text("".join(f'[layers.{k}]\npath = "data.gpkg"\nlayer = "{k}"\n'
                          for k in ("zones", "parcels", "buildings")), encoding="utf-8")
    return ws


def polygon_with_nan_vertex() -> shapely.Polygon:
    with np.errstate(invalid="ignore"):  # shapely warns when it builds one
        return shapely.Polygon([(X0, Y0), (X0 + 100, Y0), (math.nan, Y0 + 100), (X0, Y0 + 100)])


def test_infinite_floors_are_refused_naming_the_building(tmp_path, capsys) -> None:
    ws = workspace(tmp_path, [2.0, math.inf, 3.0])
    code = main(["plot-ratio", "-w", str(ws), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "feature B2" in err and "floors" in err and "Fix:" in err
    assert not (tmp_path / "o").exists()


def test_implausible_floors_are_unknown_and_named_and_json_stays_strict(tmp_path, capsys) -> None:
    ws = workspace(tmp_path, [2.0, 1e308, -1.0, 3.0], height=[7.0, 7.0, 7.0, 10.0],
                   storey=[3.5, 3.5, 3.5, 0.0])
    code = main(["plot-ratio", "-w", str(ws), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0, err
    # one note per field, naming each building and its value
    assert "B2 = 1e+308" in err and "B3 = -1" in err and "B4 = 0" in err
    summary = strict_json(tmp_path / "o" / "summary.json")
    assert any("floors" in n and "B2" in n for n in summary["notes"])
    # B2 and B3 take floors from height (7 m / 3.5 m = 2); B4's storey height is unknown, so
    # its 10 m are counted with the default storey height.
    res = gpd.read_file(tmp_path / "o" / "results.gpkg", layer="parcels_plot_ratio")
    assert np.isfinite(res.floor_area_m2).all()
    assert res.floor_area_m2.max() < 1e6


def test_normalise_fields_reports_without_a_notes_list() -> None:
    frame = gpd.GeoDataFrame({"building_id": ["a", "b"], "floors": [2.0, 500.0]},
                             geometry=[box(0, 0, 1, 1)] * 2, crs=GK)
    notes: list[str] = []
    out = normalise_fields(frame, "buildings", notes=notes)
    assert out.floors.tolist()[0] == 2.0 and math.isnan(out.floors.tolist()[1])
    assert notes == ["field floors (层数) must be > 0 and ≤ 200: 1 values treated as unknown "
                     "(b = 500)"]
    assert frame.floors.tolist() == [2.0, 500.0]  # the input frame is untouched


def test_nan_vertex_is_dropped_and_named_not_measured_as_zero(tmp_path, capsys) -> None:
    nan_poly = polygon_with_nan_vertex()
    g = gpd.GeoDataFrame({"pid": ["good", "bad"]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                                             nan_poly], crs=GK)
    fixed, report = repair_geometries(g, family="polygon", id_field="pid")
    assert report.dropped_non_finite == ["bad"] and not report.made_valid
    assert fixed.pid.tolist() == ["good"]
    path = tmp_path / "nan.gpkg"
    g.to_file(path)
    code = main(["area", str(path), "--by", "pid", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert "bad" in captured.err and "not a number" in captured.err
    rows = json.loads(captured.out)
    assert [r["pid"] for r in rows] == ["good"]
    assert rows[0]["area_mu"] == pytest.approx(15.0, rel=1e-3)


def test_layer_with_no_usable_geometry_exits_2(tmp_path, capsys) -> None:
    nan_poly = polygon_with_nan_vertex()
    path = tmp_path / "all_bad.gpkg"
    gpd.GeoDataFrame({"pid": ["a", "b"]}, geometry=[nan_poly, None], crs=GK).to_file(path)
    code = main(["area", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "no feature has a usable geometry" in err and "Fix:" in err
