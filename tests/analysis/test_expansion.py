"""扩区审核: hand-made cases with known answers, the command end to end, and real data."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Geod, Transformer
from rasterio.features import geometry_mask
from shapely import Polygon, box

from gaoxin.analysis import expansion
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.cli import main
from gaoxin.geo.crs import gk3_crs, to_crs_densified
from gaoxin.layers.boundary_txt import read_boundary_txt, write_boundary_txt

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
GK = 4544
X0, Y0 = 500000.0, 3400000.0  # on the central meridian: scale factor 1
RULES = load_ruleset("expansion")
GEOD = Geod(ellps="GRS80")


def frame(geoms, crs=GK, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=crs)


def zones() -> gpd.GeoDataFrame:
    return frame([box(X0 - 2000, Y0, X0, Y0 + 1000), box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)],
                 zone_id=["Z1", "Z2"], name=["甲区", "乙区"], level=["provincial", "provincial"])


def geodesic_area(geom: shapely.Geometry, crs) -> float:
    """Independent ellipsoidal area: densify, go to lon/lat, pyproj.Geod."""
    dense = shapely.segmentize(geom, 5.0)
    t = Transformer.from_crs(crs, 4490, always_xy=True)
    lonlat = shapely.transform(dense, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    total = 0.0
    for poly in shapely.get_parts(lonlat):
        total += abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(poly))[0])
    return total


def test_overlap_of_exactly_two_mu_fails():
    side = np.sqrt(2 * 10000 / 15)  # a square of exactly 2 亩
    request = frame([box(X0, Y0, X0 + 500, Y0 + 500)])
    red = frame([box(X0 + 500 - side, Y0 + 500 - side, X0 + 500 + 300, Y0 + 500 + 300)],
                patch_id=["HX1"])
    r = expansion.run(request, "Z1", zones=zones(), redlines=red, rules=RULES)
    check = r.check("redline")
    assert check.status == "fail" and r.verdict == "fail"
    assert check.figures["overlap"]["mu"] == pytest.approx(2.0, abs=1e-4)
    assert check.features == [{"patch_id": "HX1", **check.figures["overlap"]}]
    assert r.conflicts["redline"]["area_m2"].iloc[0] == pytest.approx(2 * 10000 / 15, rel=1e-6)


def test_touching_is_not_overlapping():
    request = frame([box(X0, Y0, X0 + 500, Y0 + 500)])
    red = frame([box(X0 + 500, Y0, X0 + 900, Y0 + 500)], patch_id=["HX1"])
    farm = frame([box(X0, Y0 + 500, X0 + 500, Y0 + 900)], patch_id=["NT1"])
    r = expansion.run(request, "Z1", zones=zones(), redlines=red, farmland=farm, rules=RULES)
    assert r.check("redline").status == "pass" and r.check("farmland").status == "pass"
    assert r.check("redline").figures["overlap"]["m2"] == 0
    assert len(r.conflicts["redline"]) == 0


def test_hole_over_farmland_is_not_an_overlap():
    outer = [(X0, Y0), (X0 + 1000, Y0), (X0 + 1000, Y0 + 1000), (X0, Y0 + 1000)]
    hole = [(X0 + 300, Y0 + 300), (X0 + 700, Y0 + 300), (X0 + 700, Y0 + 700), (X0 + 300, Y0 + 700)]
    request = frame([Polygon(outer, [hole])])
    inside_hole = box(X0 + 350, Y0 + 350, X0 + 650, Y0 + 650)
    across = box(X0 + 600, Y0 + 400, X0 + 800, Y0 + 500)  # half in the hole, half in the request
    farm = frame([inside_hole, across], patch_id=["NT-hole", "NT-edge"])
    r = expansion.run(request, "Z1", zones=zones(), farmland=farm, rules=RULES)
    check = r.check("farmland")
    assert check.status == "fail"
    assert [f["patch_id"] for f in check.features] == ["NT-edge"]
    assert check.figures["overlap"]["m2"] == pytest.approx(100 * 100, rel=1e-6)


def test_request_straddling_two_gk_zones():
    # 106.5°E is the edge between zone 35 (CM 105) and zone 36 (CM 108). The request comes in
    # zone 35 with prefix, the red line in degrees: areas must still be ellipsoidal.
    t35 = Transformer.from_crs(4490, 4523, always_xy=True)
    x, y = t35.transform(106.49, 30.5)
    request = frame([box(x, y, x + 2000, y + 1500)], crs=4523)
    red = frame([box(106.50, 30.49, 106.52, 30.51)], crs=4490, patch_id=["HX"])
    work = gk3_crs(36)
    zone = frame([box(x - 3000, y, x, y + 1500)], crs=4523, zone_id=["Z"], name=["丙"],
                 level=["national"]).to_crs(work)
    r = expansion.run(request.to_crs(work), "Z", zones=zone, redlines=red.to_crs(work),
                      rules=RULES)
    expected_geom = shapely.intersection(request.to_crs(work).geometry.iloc[0],
                                         red.to_crs(work).geometry.iloc[0])
    expected = geodesic_area(expected_geom, work)
    assert r.check("redline").figures["overlap"]["m2"] == pytest.approx(expected, rel=1e-6)
    size = r.check("size")
    assert size.status == "info"  # no maximum for national zones (domain.md: none found)
    assert size.figures["after"]["m2"] == pytest.approx(
        geodesic_area(shapely.union_all([zone.geometry.iloc[0],
                                         request.to_crs(work).geometry.iloc[0]]), work), rel=1e-6)


def test_dev_boundary_share_other_zones_contiguity_and_size():
    request = frame([box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 3000, Y0, X0 + 3100, Y0 + 100)])
    boundary = frame([box(X0 - 100, Y0 - 100, X0 + 750, Y0 + 1100)])
    parks = frame([box(X0 + 3050, Y0, X0 + 3200, Y0 + 100)], park_id=["YQ1"], name=["园"],
                  host_zone_id=[None])
    r = expansion.run(request, "Z1", zones=zones(), dev_boundary=boundary, parks=parks,
                      rules=RULES)
    dev = r.check("dev_boundary")
    total = 1000 * 1000 + 100 * 100
    assert dev.status == "fail"
    assert dev.figures["outside_share"] == pytest.approx((250 * 1000 + 100 * 100) / total,
                                                         rel=1e-6)
    other = r.check("other_zones")
    assert other.status == "fail" and other.features[0]["patch_id"] == "YQ1"
    assert other.features[0]["m2"] == pytest.approx(50 * 100, rel=1e-6)
    cont = r.check("contiguity")
    # Z1 has 1 block; the request adds one adjoining part and one 2 km away: 2 blocks after
    assert cont.figures["blocks_after"] == 2 and cont.figures["distances_m"] == [0.0, 3000.0]
    assert cont.status == "warn"  # beyond the 2 km project default gap
    assert r.check("size").figures["after"]["ha"] == pytest.approx(300.0 + 1.0, rel=1e-6)
    geom = r.check("geometry")
    assert geom.figures["parts"] == 2 and geom.status == "pass"


def test_too_many_blocks_and_too_large_fail():
    parts = [box(X0 + 1000 + i * 3000, Y0 + 3000, X0 + 1200 + i * 3000, Y0 + 3200)
             for i in range(3)]
    r = expansion.run(frame(parts), "Z1", zones=zones(), rules=RULES)
    assert r.check("contiguity").figures["blocks_after"] == 4
    assert r.check("contiguity").status == "fail"
    big = frame([box(X0, Y0, X0 + 4000, Y0 + 3000)])  # 1200 ha, over the 1000 ha provincial cap
    assert expansion.run(big, "Z1", zones=zones(), rules=RULES).check("size").status == "fail"


def test_invalid_request_fails_geometry_check():
    bow = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    fixed = frame([shapely.make_valid(bow)]).explode(ignore_index=True)
    r = expansion.run(fixed, "Z1", zones=zones(), rules=RULES,
                      raw_invalid=["1: Self-intersection[500050 3400050]"])
    assert r.check("geometry").status == "fail" and r.verdict == "fail"


def test_rules_override_changes_verdict():
    side = np.sqrt(2 * 10000 / 15)
    request = frame([box(X0, Y0, X0 + 500, Y0 + 500)])
    red = frame([box(X0 + 500 - side, Y0, X0 + 600, Y0 + side)], patch_id=["HX1"])
    lenient = load_ruleset("expansion", {"redline.max_overlap_m2": 2000})
    assert expansion.run(request, "Z1", zones=zones(), redlines=red,
                         rules=lenient).check("redline").status == "pass"


# ---------------------------------------------------------------- the command, end to end


def _workspace(tmp_path: Path, red_id: str = "HX1") -> tuple[Path, Path]:
    zones().to_file(tmp_path / "zones.gpkg", layer="zones")
    side = np.sqrt(2 * 10000 / 15)
    red = frame([box(X0 + 500 - side, Y0 + 500 - side, X0 + 800, Y0 + 800)], patch_id=[red_id])
    red.to_file(tmp_path / "constraints.gpkg", layer="redlines")
    frame([box(X0 + 2000, Y0 + 2000, X0 + 2500, Y0 + 2500)], patch_id=["NT1"]).to_file(
        tmp_path / "constraints.gpkg", layer="farmland")
    frame([box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)]).to_file(
        tmp_path / "constraints.gpkg", layer="dev_boundary")
    # a DEM: a 10 % east-facing ramp (5.7°) with one 45° strip
    z = np.tile(np.arange(200) * 3.0, (200, 1)).astype("float32")
    z[:, 120:] = z[:, 120:] + (np.arange(80) * 27.0)[None, :]
    with rasterio.open(tmp_path / "dem.tif", "w", driver="GTiff", height=200, width=200,
                       count=1, dtype="float32", crs="EPSG:4544", nodata=-9999,
                       transform=Affine(30, 0, X0 - 1000, 0, -30, Y0 + 2000)
                       ) as dst:
        dst.write(z, 1)
    ws = tmp_path / "gaoxin.toml"
    ws.write_text(
        '[layers.zones]\npath = "zones.gpkg"\n'
        '[layers.redlines]\npath = "constraints.gpkg"\nlayer = "redlines"\n'
        '[layers.farmland]\npath = "constraints.gpkg"\nlayer = "farmland"\n'
        '[layers.dev_boundary]\npath = "constraints.gpkg"\nlayer = "dev_boundary"\n'
        '[layers.dem]\npath = "dem.tif"\n', encoding="utf-8")
    request = tmp_path / "申请.txt"
    write_boundary_txt(frame([box(X0, Y0, X0 + 500, Y0 + 500)], parcel_id=["Q1"],
                             name=["东扩区块"]), request, encoding="gbk")
    return ws, request


def test_command_writes_every_output(tmp_path, capsys):
    ws, request = _workspace(tmp_path, red_id='<img src=x onerror="alert(1)">')
    out = tmp_path / "out"
    code = main(["expansion", str(request), "--zone", "Z1", "--out", str(out), "-w", str(ws)])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "fail"
    red = next(c for c in summary["checks"] if c["key"] == "redline")
    assert red["figures"]["overlap"]["mu"] == pytest.approx(2.0, abs=1e-4)
    prov = summary["provenance"]
    assert prov["working_crs"].startswith("EPSG:4544")
    assert prov["rule_sets"][0]["name"] == "expansion"
    assert all(len(i["sha256"]) == 64 for i in prov["inputs"])
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(out / "conflicts.gpkg")}
    assert {"request", "redline"} <= layers
    for name in ("report.html", "map.html", "checks.xlsx", "request_cgcs2000_gk.txt"):
        assert (out / name).stat().st_size > 0
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "不通过" in report and "&lt;img src=x" in report and "<img src=x" not in report
    back, _ = read_boundary_txt(out / "request_cgcs2000_gk.txt")
    assert back.crs.to_epsg() == 4523
    assert back.to_crs(GK).geometry.iloc[0].symmetric_difference(
        box(X0, Y0, X0 + 500, Y0 + 500)).area < 1e-3
    terrain = next(c for c in summary["checks"] if c["key"] == "terrain")
    assert terrain["figures"]["cells"] > 200
    # --strict turns a fail into exit code 1
    code = main(["expansion", str(request), "--zone", "Z1", "--out", str(out), "-w", str(ws),
                 "--strict"])
    assert code == 1
    capsys.readouterr()


def test_command_bad_zone_and_bad_request(tmp_path, capsys):
    ws, request = _workspace(tmp_path)
    code = main(["expansion", str(request), "--zone", "NOPE", "-w", str(ws),
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "NOPE" in err and "Z1" in err and "Traceback" not in err
    pts = tmp_path / "pts.geojson"
    frame([shapely.Point(X0, Y0)]).to_file(pts)
    code = main(["expansion", str(pts), "--zone", "Z1", "-w", str(ws), "--out", str(tmp_path)])
    assert code == 2 and "needs polygon geometries" in capsys.readouterr().err


# ---------------------------------------------------------------- real data


@pytest.mark.realdata
def test_real_dayi_request_against_bamboo_habitat_and_qionglai_dem(tmp_path, capsys):
    if not REAL.is_dir():
        pytest.skip("real data folder ../shared/data/real not present")
    county = gpd.read_file(REAL / "sichuan_county_basin_wgs84.gpkg", layer="county")
    dayi = county[county["adcode"].astype(str) == "510129"].to_crs(GK).geometry.iloc[0]
    bamboo = gpd.read_file(REAL / "qionglai_bamboo_habitat_proxy.geojson").to_crs(GK)
    # A 3 km × 2 km request centred on the habitat's edge inside Dayi.
    edge = shapely.intersection(shapely.union_all(bamboo.geometry.values).boundary, dayi)
    cx, cy = shapely.line_interpolate_point(max(shapely.get_parts(edge), key=lambda g: g.length),
                                            0.5, normalized=True).coords[0]
    request = box(cx - 1500, cy - 1000, cx + 1500, cy + 1000)
    zone = box(cx - 6000, cy - 1000, cx - 1500, cy + 1000)
    frame([zone], zone_id=["DY"], name=["大邑测试区"], level=["provincial"]).to_file(
        tmp_path / "zones.gpkg")
    frame([request]).to_crs(4326).to_file(tmp_path / "request.geojson")
    (tmp_path / "gaoxin.toml").write_text(
        '[layers.zones]\npath = "zones.gpkg"\n'
        f'[layers.redlines]\npath = "{REAL / "qionglai_bamboo_habitat_proxy.geojson"}"\n'
        f'[layers.dem]\npath = "{REAL / "qionglai_dem_250m_utm48n.tif"}"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["expansion", str(tmp_path / "request.geojson"), "--zone", "DY", "--out",
                 str(out), "-w", str(tmp_path / "gaoxin.toml")]) == 0
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    checks = {c["key"]: c for c in summary["checks"]}
    # Independent computation in the same working CRS (edges are straight in lon/lat, as the
    # files define them, so densified before reprojecting): the request read back from its
    # file, shapely, pyproj.Geod.
    work = int(summary["provenance"]["working_crs"].split()[0].split(":")[1])
    assert work == 4543  # Dayi (~103.4°E) lies in zone 34, CM 102°E
    req = to_crs_densified(gpd.read_file(tmp_path / "request.geojson"), work).geometry.iloc[0]
    habitat = to_crs_densified(gpd.read_file(REAL / "qionglai_bamboo_habitat_proxy.geojson"),
                               work)
    exact = shapely.intersection(req, shapely.union_all(habitat.geometry.values))
    expected = geodesic_area(exact, work)
    assert expected > 1e5  # the request really straddles the habitat edge
    assert checks["redline"]["figures"]["overlap"]["m2"] == pytest.approx(expected, rel=1e-6)
    assert checks["redline"]["status"] == "fail"
    # Slope share by a direct rasterio computation on the whole DEM (Horn, cell centres).
    with rasterio.open(REAL / "qionglai_dem_250m_utm48n.tif") as src:
        z = src.read(1, masked=True).astype(float).filled(np.nan)
        mask = ~geometry_mask([gpd.GeoSeries([req], crs=work).to_crs(src.crs).iloc[0]],
                              out_shape=z.shape, transform=src.transform)
        res = src.res[0]
    p = np.pad(z, 1, constant_values=np.nan)
    gx = ((p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2]
                                                       + p[2:, :-2])) / (8 * res)
    gy = ((p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1]
                                                       + p[:-2, 2:])) / (8 * res)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))[mask & np.isfinite(z)]
    terrain = checks["terrain"]["figures"]
    assert terrain["cells"] == slope.size > 50
    assert terrain["steep_share"] == pytest.approx(float((slope > 25).mean()), abs=1e-12)
    assert terrain["mean_slope_deg"] == pytest.approx(float(slope.mean()), rel=1e-9)


def test_terrain_missing_or_too_coarse_dem_is_a_warning_not_an_error():
    from pyproj import CRS

    from gaoxin.geo.raster import Raster

    request = frame([box(X0, Y0, X0 + 500, Y0 + 500)])
    coarse = Raster(np.full((3, 3), 500.0), Affine(5000, 0, X0 - 7000, 0, -5000, Y0 + 7000),
                    CRS.from_epsg(GK))
    check = expansion.run(request, "Z1", zones=zones(), dem=coarse, rules=RULES).check("terrain")
    assert (check.status, check.outcome) == ("warn", "too_coarse")
    assert check.values == {"cell_size": 5000.0, "cell_unit": "m"}
    empty = Raster(np.zeros((0, 0)), Affine(30, 0, 0, 0, -30, 0), CRS.from_epsg(GK))
    check = expansion.run(request, "Z1", zones=zones(), dem=empty, rules=RULES).check("terrain")
    assert (check.status, check.outcome) == ("warn", "not_covered")


def test_command_in_english(tmp_path, capsys):
    ws, request = _workspace(tmp_path)
    out = tmp_path / "en"
    assert main(["expansion", str(request), "--zone", "Z1", "--out", str(out), "-w", str(ws),
                 "--lang", "en"]) == 0
    capsys.readouterr()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Expansion check report" in report and "Red-line conflicts" in report
    assert 'lang="en"' in report and "不通过" not in report.split("Rules used")[0]
