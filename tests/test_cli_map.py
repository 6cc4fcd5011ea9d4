"""cli.py, ``gaoxin map``: any files, styled by kind when a workspace knows them.

A second test module of ``gaoxin/cli.py`` beside ``test_cli.py``: the map command on files.
"""

from __future__ import annotations

import re

import geopandas as gpd
from shapely import box

from gaoxin.cli import main

X0, Y0 = 400000.0, 3390000.0


def test_map_styles_workspace_layers_by_kind_and_is_offline(tmp_path, capsys):
    parcels = gpd.GeoDataFrame({"地块编号": ["P1", "P2"], "用地性质": ["M1", "R2"]},
                               geometry=[box(X0, Y0, X0 + 100, Y0 + 100),
                                         box(X0 + 100, Y0, X0 + 200, Y0 + 100)], crs=4544)
    parcels.to_file(tmp_path / "parcels.gpkg")
    other = gpd.GeoDataFrame({"note": ["河道"]}, geometry=[box(X0, Y0 + 200, X0 + 50, Y0 + 400)],
                             crs=4544)
    other.to_file(tmp_path / "river.geojson")
    ws = tmp_path / "gaoxin.toml"
    ws.write_text('[layers.parcels]\npath = "parcels.gpkg"\n', encoding="utf-8")
    out = tmp_path / "map.html"
    code = main(["map", str(tmp_path / "parcels.gpkg"), str(tmp_path / "river.geojson"),
                 "--out", str(out), "-w", str(ws)])
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    assert "地块" in html and "river" in html  # kind label for parcels, file name otherwise
    assert "地块编号" in html  # canonical field shown with its Chinese label
    capsys.readouterr()


def test_map_online_and_bad_options(tmp_path, capsys):
    path = tmp_path / "z.gpkg"
    gpd.GeoDataFrame({"name": ["甲"]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)],
                     crs=4544).to_file(path)
    out = tmp_path / "m.html"
    assert main(["map", str(path), "--out", str(out), "--online", "-w",
                 str(tmp_path / "none.toml")]) == 0
    assert re.search(r'src="https://', out.read_text(encoding="utf-8"))
    assert main(["map", str(path), "--basemap", "google", "--out", str(out)]) == 2
    assert "unknown basemap" in capsys.readouterr().err
    assert main(["map", str(tmp_path / "missing.gpkg"), "--out", str(out)]) == 2
    assert "file not found" in capsys.readouterr().err
