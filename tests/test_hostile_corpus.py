"""The hostile-input corpus: broken, odd and malicious inputs, each one command line.

Every case runs ``gaoxin.cli.main`` in-process and must keep the contract (see
``hostile/harness.py``): the exit code; on exit 2 exactly one ``error:`` line naming the file
(or zip member, workspace), the feature id where there is one, and a ``Fix:``; never a
traceback or "internal error"; no input byte changed; for valid-but-odd inputs, the area
within 1e-6 of pyproj.Geod. To add a case: write a builder (inputs into the folder it gets)
and one ``Case(...)`` row in the table of its class.

Cross-cutting: one corpus through every command, so it stays at the top of ``tests/`` rather
than beside one module (``tests/test_layout.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from shapely import MultiPolygon, Polygon, box

from tests.hostile.harness import Case, run_case, snapshot, strict_json
from tests.hostile.make import (
    E0,
    GK,
    GK35_PREFIXED,
    N0,
    TXT_HEADER,
    X0,
    Y0,
    expansion_workspace,
    geod_area,
    nan_vertex_square,
    parcel_block,
    plot_ratio_workspace,
    rename_gpkg_layer,
    ring_rows,
    shapefile_parts,
    square_corners,
    squares,
    txt_polygon,
    write_layer,
    write_text,
    write_workspace,
    write_zip,
    zipped_shapefile,
)

AREA = ("area", "IN/t.txt", "--json")  # 界址点 TXT cases write IN/t.txt
EXPANSION = ("expansion", "IN/request.gpkg", "--zone", "Z1", "--out", "OUT/result",
             "-w", "IN/gaoxin.toml")
PLOT_RATIO = ("plot-ratio", "--out", "OUT/result", "-w", "IN/gaoxin.toml")
SQUARE_M2 = geod_area(squares(1)[0], GK, 1.0)  # the square of make.shapefile_parts


# ---------------------------------------------------------------- 1. zip-slip and zip oddities


def victim_shapefile(inputs: Path) -> None:
    """An innocent Shapefile at <case>/x/parcels.*, where "../../x/parcels.shp" resolves."""
    victim = inputs.parent / "x"
    victim.mkdir()
    for suffix, data in shapefile_parts(inputs).items():
        (victim / f"parcels{suffix}").write_bytes(data)


def zip_slip(stem: Callable[[Path], str], *, victim: bool = True) -> Callable[[Path], None]:
    """A zipped Shapefile named ``stem(inputs)`` + suffix, its DBF field name cut mid-UTF-8."""
    def build(inputs: Path) -> None:
        if victim:
            victim_shapefile(inputs)
        parts = shapefile_parts(inputs, cut_field_name=True)
        zipped_shapefile(inputs / "parcels.zip", stem(inputs), parts)
    return build


def zip_with_symlink(inputs: Path) -> None:
    victim_shapefile(inputs)
    parts = shapefile_parts(inputs)
    write_zip(inputs / "parcels.zip",
              {f"parcels{s}": data for s, data in parts.items() if s != ".dbf"},
              symlinks={"parcels.dbf": "../x/parcels.dbf"})


def zip_without_shx(*, cut_field_name: bool) -> Callable[[Path], None]:
    def build(inputs: Path) -> None:
        parts = shapefile_parts(inputs, cut_field_name=cut_field_name)
        zipped_shapefile(inputs / "parcels.zip", "parcels", parts, skip=(".shx",))
    return build


def zip_in_subfolder(inputs: Path) -> None:
    parts = shapefile_parts(inputs, cut_field_name=True)
    zipped_shapefile(inputs / "parcels.zip", "数据/parcels", parts)


def not_a_zip(inputs: Path) -> None:
    (inputs / "parcels.zip").write_bytes(b"PK\x03\x04 but nothing of a zip follows")


def zip_of_text(inputs: Path) -> None:
    write_zip(inputs / "parcels.zip", {"说明.txt": "没有数据".encode()})


ZIP_CASES = [
    Case("zip-slip ../ member with cut DBF name, victim present",
         zip_slip(lambda _: "../../x/parcels"), ("area", "IN/parcels.zip"),
         mentions=("parcels.zip", "../../x/parcels.")),
    Case("zip-slip ../ member, no victim", zip_slip(lambda _: "../../x/parcels", victim=False),
         ("area", "IN/parcels.zip"), mentions=("parcels.zip", "../../x/parcels."),
         absent=("StopIteration",)),
    Case("zip-slip absolute member", zip_slip(lambda i: f"{i.parent}/x/parcels"),
         ("area", "IN/parcels.zip"), mentions=("parcels.zip",)),
    Case("zip-slip backslash member", zip_slip(lambda _: "..\\..\\x\\parcels"),
         ("area", "IN/parcels.zip"), mentions=("parcels.zip",)),
    Case("zip-slip drive-letter member", zip_slip(lambda _: "C:/x/parcels"),
         ("area", "IN/parcels.zip"), mentions=("parcels.zip",)),
    Case("zip with a symlink member", zip_with_symlink, ("area", "IN/parcels.zip"),
         mentions=("parcels.zip", "parcels.dbf")),
    Case("zip without .shx", zip_without_shx(cut_field_name=False), ("area", "IN/parcels.zip"),
         mentions=("parcels.zip", "shx"), absent=("/vsizip/", "gaoxin-shp")),
    Case("zip without .shx, cut DBF name", zip_without_shx(cut_field_name=True),
         ("area", "IN/parcels.zip"), mentions=("parcels.zip", "shx"),
         absent=("/vsizip/", "gaoxin-shp")),
    Case("zip Shapefile in a subfolder, cut DBF name (valid)", zip_in_subfolder,
         ("area", "IN/parcels.zip", "--json"), code=0, area_m2=lambda: SQUARE_M2),
    Case("not a zip", not_a_zip, ("area", "IN/parcels.zip"), mentions=("parcels.zip",)),
    Case("zip holding no GIS file", zip_of_text, ("area", "IN/parcels.zip"),
         mentions=("parcels.zip",)),
]


# ---------------------------------------------------------------- 2. names reaching HTML

IMG = "<img src=x onerror=alert(1)>"
# How a name may legitimately appear in the page: HTML-escaped or escaped inside JSON/JS.
ESCAPED_LT = ("&lt;", "\\u003c", "\\u003C", "\\x3c", "\\x3C", "&#60;", "&#x3c;")


def lonlat_layer(name: str, **columns: list[object]) -> Callable[[Path], None]:
    def build(inputs: Path) -> None:
        write_layer(inputs / name, [box(104.06, 30.65, 104.07, 30.66)], 4490,
                    **(columns or {"名称": ["甲"]}))
    return build


def page_without(raw: str, text: str) -> Callable[[Path], None]:
    """The map holds no ``raw`` markup, but still shows ``text`` (escaped, not dropped)."""
    def check(outputs: Path) -> None:
        page = (outputs / "map.html").read_text(encoding="utf-8")
        assert raw not in page, f"raw {raw!r} in map.html"
        escaped = [lt + text for lt in ESCAPED_LT]
        assert any(form in page for form in escaped), f"{text!r} is not shown escaped"
    return check


HTML_CASES = [
    Case("map of a file named like an <img> tag", lonlat_layer(f"{IMG}.geojson"),
         ("map", f"IN/{IMG}.geojson", "--out", "OUT/map.html"), code=0,
         check=page_without("<img src=x", "img src=x")),
    Case("map of a file named like an <svg> tag", lonlat_layer('"><svg onload=alert(1)>.geojson'),
         ("map", 'IN/"><svg onload=alert(1)>.geojson', "--out", "OUT/map.html"), code=0,
         check=page_without("<svg onload", "svg onload")),
    Case("map title like an <img> tag", lonlat_layer("zone.geojson"),
         ("map", "IN/zone.geojson", "--title", IMG, "--out", "OUT/map.html"), code=0,
         check=page_without("<img src=x", "img src=x")),
    Case("map value closing the script element",
         lonlat_layer("zone.geojson", 名称=["</script><script>alert(1)</script>"]),
         ("map", "IN/zone.geojson", "--out", "OUT/map.html"), code=0,
         check=page_without("</script><script>alert(1)", "/script")),
    Case("map column named like an <svg> tag",
         lonlat_layer("zone.geojson", **{"<svg onload=alert(1)>": ["甲"]}),
         ("map", "IN/zone.geojson", "--out", "OUT/map.html"), code=0,
         check=page_without("<svg onload", "svg onload")),
]


# ---------------------------------------------------------------- 3. console markup


def gk_layer(name: str, **columns: list[object]) -> Callable[[Path], None]:
    """Two 100 m squares in EPSG:4544 written to ``name``."""
    def build(inputs: Path) -> None:
        write_layer(inputs / name, squares(2), GK, **(columns or {"名称": ["甲", "乙"]}))
    return build


def markup_layers(inputs: Path) -> None:
    gpkg = inputs / "layers.gpkg"
    write_layer(gpkg, squares(1), GK, layer="first", spatial_index=False, 名称=["甲"])
    write_layer(gpkg, squares(2), GK, layer="农田", 名称=["乙", "丙"])
    rename_gpkg_layer(gpkg, "first", "[/x]红线")


def txt_with_markup_preamble(inputs: Path) -> None:
    block = parcel_block("DK1", [ring_rows(square_corners(N0, E0, 100), 1)])
    write_text(inputs / "t.txt", "hello [/red] world\n" + TXT_HEADER + block)


TWO_SQUARES_M2 = 2 * SQUARE_M2
TXT_SQUARE_M2 = geod_area(txt_polygon(square_corners(N0, E0, 100)), GK35_PREFIXED, 1.0)

MARKUP_CASES = [
    Case("missing file named with a closing tag", lambda _: None,
         ("area", "IN/no[/x]such.gpkg"), mentions=("no[/x]such.gpkg",)),
    Case("missing file named with an opening tag", lambda _: None,
         ("area", "IN/[bold]nope.gpkg"), mentions=("[bold]nope.gpkg",)),
    Case("file named with markup, table title", gk_layer("[red]plot.geojson"),
         ("area", "IN/[red]plot.geojson"), code=0, mentions=("[red]plot.geojson",)),
    Case("feature names with markup in the table", gk_layer("p.gpkg", 名称=["[/red]甲", "[b]乙"]),
         ("area", "IN/p.gpkg", "--by", "名称"), code=0, mentions=("[/red]甲", "[b]乙")),
    Case("--by naming a field with markup", gk_layer("p.gpkg"),
         ("area", "IN/p.gpkg", "--by", "[bold]名称"), mentions=("p.gpkg", "[bold]名称")),
    Case("GeoPackage layer named [/x]…, note", markup_layers,
         ("area", "IN/layers.gpkg", "--json"), code=0, mentions=("[/x]红线",),
         area_m2=lambda: SQUARE_M2),
    Case("GeoPackage layer named [/x]…, unknown --layer", markup_layers,
         ("area", "IN/layers.gpkg", "--layer", "无此层"), mentions=("layers.gpkg", "[/x]红线")),
    Case("TXT with markup before [属性描述]", txt_with_markup_preamble, AREA, code=0,
         area_m2=lambda: TXT_SQUARE_M2),
    Case("zone id with markup", lambda i: expansion_workspace(i),
         ("expansion", "IN/request.gpkg", "--zone", "[/x]Z9", "--out", "OUT/result",
          "-w", "IN/gaoxin.toml"), mentions=("zones.gpkg", "[/x]Z9")),
]


# ---------------------------------------------------------------- 4. rule values


def rules(toml: str) -> Callable[[Path], None]:
    return lambda inputs: expansion_workspace(inputs, toml)


def plot_ratio_rules(toml: str) -> Callable[[Path], None]:
    def build(inputs: Path) -> None:
        with (plot_ratio_workspace(inputs)).open("a", encoding="utf-8") as fh:
            fh.write(toml)
    return build


RULE = '[rules.expansion]\n"redline.max_overlap_m2" = '
RULE_CASES = [
    Case("rule value nan", rules(RULE + "nan\n"), EXPANSION,
         mentions=("gaoxin.toml", "redline.max_overlap_m2")),
    Case("rule value inf", rules(RULE + "inf\n"), EXPANSION,
         mentions=("gaoxin.toml", "redline.max_overlap_m2")),
    Case("rule value -inf", rules(RULE + "-inf\n"), EXPANSION,
         mentions=("gaoxin.toml", "redline.max_overlap_m2")),
    Case("rule value negative", rules(RULE + "-5.0\n"), EXPANSION,
         mentions=("gaoxin.toml", "redline.max_overlap_m2")),
    Case("rule value a string", rules(RULE + '"zero"\n'), EXPANSION,
         mentions=("gaoxin.toml", "redline.max_overlap_m2")),
    Case("rule value a boolean", rules('[rules.expansion]\n"contiguity.max_blocks" = true\n'),
         EXPANSION, mentions=("gaoxin.toml", "contiguity.max_blocks")),
    Case("rule nested nan", rules("[rules.expansion.contiguity]\nmax_blocks = nan\n"),
         EXPANSION, mentions=("gaoxin.toml", "contiguity.max_blocks")),
    Case("unknown rule key", rules('[rules.expansion]\n"redline.max_overlap" = 0.0\n'),
         EXPANSION, mentions=("gaoxin.toml", "redline.max_overlap")),
    Case("unknown rule set", rules('[rules.expanson]\n"redline.max_overlap_m2" = 0.0\n'),
         EXPANSION, mentions=("gaoxin.toml", "expanson")),
    Case("plot-ratio rule nan",
         plot_ratio_rules('[rules.plot_ratio]\n"floor_area.default_storey_height_m" = nan\n'),
         PLOT_RATIO, mentions=("gaoxin.toml", "floor_area.default_storey_height_m")),
]


# ---------------------------------------------------------------- 5. 界址点坐标 TXT

OUTER = square_corners(N0, E0, 300)
HOLE = square_corners(N0 + 100, E0 + 100, 100)
ISLAND = square_corners(N0 + 125, E0 + 125, 50)
APART = square_corners(N0 + 1000, E0, 100)


def txt(*rings: tuple[list[tuple[float, float]], int], header: str = TXT_HEADER,
        encoding: str = "utf-8", newline: str = "\r\n", name: str = "t.txt",
        text: Callable[[str], str] = lambda s: s) -> Callable[[Path], None]:
    """A one-parcel (DK1) TXT of ``rings`` (corners, 圈号) in the order given."""
    def build(inputs: Path) -> None:
        block = parcel_block("DK1", [ring_rows(c, n, start=1 + 10 * i)
                                     for i, (c, n) in enumerate(rings)])
        write_text(inputs / name, text(header + block), encoding=encoding, newline=newline)
    return build


def txt_area(geom: Polygon | MultiPolygon) -> Callable[[], float]:
    return lambda: geod_area(geom, GK35_PREFIXED, 1.0)


SQUARE_100 = txt((square_corners(N0, E0, 100), 1))
WITH_HOLE_M2 = txt_area(txt_polygon(OUTER, [HOLE]))
DEGREES_HEADER = "[属性描述]\n坐标系=2000国家大地坐标系\n[地块坐标]\n"
PLAIN_EAST = [(n, e - 35_000_000) for n, e in square_corners(N0, E0, 100)]


def junk(inputs: Path) -> None:
    (inputs / "t.txt").write_bytes(random.Random(7).randbytes(4096))


def txt_in_degrees(inputs: Path) -> None:
    rows = [f"J{i + 1},1,{lat:.6f},{lon:.6f}" for i, (lat, lon) in enumerate(
        [(30.60, 104.10), (30.61, 104.10), (30.61, 104.11), (30.60, 104.11), (30.60, 104.10)])]
    write_text(inputs / "t.txt", DEGREES_HEADER + "5,,DK1,测试地块,面,,,,@\n" + "\n".join(rows))


TXT_CASES = [
    Case("TXT ring 2 listed before ring 1", txt((HOLE, 2), (OUTER, 1)), AREA, code=0,
         area_m2=WITH_HOLE_M2),
    Case("TXT island in a hole, listed inside out", txt((ISLAND, 3), (HOLE, 2), (OUTER, 1)),
         AREA, code=0, area_m2=txt_area(MultiPolygon(
             [txt_polygon(OUTER, [HOLE]), txt_polygon(ISLAND)]))),
    Case("TXT two separate parts", txt((OUTER, 1), (APART, 2)), AREA, code=0,
         area_m2=txt_area(MultiPolygon([txt_polygon(OUTER), txt_polygon(APART)]))),
    Case("TXT crossing rings", txt((OUTER, 1), (square_corners(N0 + 250, E0 + 250, 100), 2)),
         AREA, mentions=("t.txt", "DK1")),
    Case("TXT unclosed ring", txt((OUTER, 1), text=lambda s: s.rsplit("\n", 2)[0] + "\n"),
         AREA, mentions=("t.txt", "DK1", "--close-rings"), absent=("close_rings=",)),
    Case("TXT 【属性描述】 full-width brackets",
         txt((OUTER, 1), (HOLE, 2), text=lambda s: s.replace("[属性描述]", "【属性描述】")
             .replace("[地块坐标]", "【地块坐标】")), AREA, code=0, area_m2=WITH_HOLE_M2),
    Case("TXT [ 属性描述 ] with spaces",
         txt((OUTER, 1), (HOLE, 2), text=lambda s: s.replace("[属性描述]", "[ 属性描述 ]")),
         AREA, code=0, area_m2=WITH_HOLE_M2),
    Case("TXT coordinates in degrees", txt_in_degrees, AREA, mentions=("t.txt",),
         absent=("read_boundary_txt", "crs='")),
    Case("TXT without 带号, plain eastings", txt((PLAIN_EAST, 1),
                                            text=lambda s: s.replace("带号=35\n", "")),
         AREA, mentions=("t.txt",), absent=("read_boundary_txt", "crs='")),
    Case("TXT 带号 against the zone prefix", txt((OUTER, 1), (HOLE, 2),
                                              text=lambda s: s.replace("带号=35", "带号=36")),
         AREA, code=0, mentions=("带号",), area_m2=WITH_HOLE_M2),
    Case("TXT 带号 far from China, plain eastings",
         txt((PLAIN_EAST, 1), text=lambda s: s.replace("带号=35", "带号=13")), AREA,
         mentions=("t.txt",)),
    Case("TXT 带号 not a number", txt((PLAIN_EAST, 1),
                                      text=lambda s: s.replace("带号=35", "带号=三十五号带")),
         AREA, mentions=("t.txt",), absent=("read_boundary_txt", "crs='")),
    Case("TXT damaged number", txt((OUTER, 1), text=lambda s: s.replace("3390300.000",
                                                                         "339O3OO.000", 1)),
         AREA, mentions=("t.txt", "DK1")),
    Case("TXT two decimal points", txt((OUTER, 1), text=lambda s: s.replace("3390300.000",
                                                                             "3390.300.000", 1)),
         AREA, mentions=("t.txt", "DK1")),
    Case("TXT truncated mid-row", txt((OUTER, 1), text=lambda s: s[:-25]), AREA,
         mentions=("t.txt",)),
    Case("TXT empty file", lambda i: (i / "t.txt").write_bytes(b""), AREA, mentions=("t.txt",)),
    Case("TXT binary junk", junk, AREA, mentions=("t.txt",)),
    Case("TXT in GBK", txt((OUTER, 1), (HOLE, 2), encoding="gbk"), AREA, code=0,
         area_m2=WITH_HOLE_M2),
    Case("TXT in UTF-8 with BOM", txt((OUTER, 1), (HOLE, 2), encoding="utf-8-sig"), AREA,
         code=0, area_m2=WITH_HOLE_M2),
    Case("TXT with CR-only line endings", txt((OUTER, 1), (HOLE, 2), newline="\r"), AREA,
         code=0, area_m2=WITH_HOLE_M2),
    Case("TXT with mixed line endings",
         txt((OUTER, 1), (HOLE, 2), newline="\n",
             text=lambda s: s.replace("\nJ1", "\r\nJ1").replace("\nJ3", "\rJ3")),
         AREA, code=0, area_m2=WITH_HOLE_M2),
    Case("TXT in UTF-16 with BOM", txt((OUTER, 1), (HOLE, 2), encoding="utf-16"), AREA,
         code=0, area_m2=WITH_HOLE_M2),
]


# ---------------------------------------------------------------- 6. output mistakes


def with_entries(build: Callable[[Path], object] | None = None,
                 files: tuple[str, ...] = ("afile",),
                 folders: tuple[str, ...] = ()) -> Callable[[Path], None]:
    """``build``, plus an existing file and/or folder where an output or input will be named."""
    def wrapped(inputs: Path) -> None:
        if build is not None:
            build(inputs)
        for name in files:
            (inputs / name).write_text("the user's own file\n", encoding="utf-8")
        for name in folders:
            (inputs / name).mkdir()
            (inputs / name / "keep.txt").write_text("the user's own file\n", encoding="utf-8")
    return wrapped


def read_only_folder(inputs: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the path-under-a-file cases cover "
                    "an unwritable --out")
    plot_ratio_workspace(inputs)
    (inputs / "ro").mkdir()
    (inputs / "ro").chmod(0o555)


OUTPUT_CASES = [
    Case("expansion --out an existing file", with_entries(expansion_workspace),
         ("expansion", "IN/request.gpkg", "--zone", "Z1", "--out", "IN/afile",
          "-w", "IN/gaoxin.toml"), mentions=("afile",)),
    Case("plot-ratio --out an existing file", with_entries(plot_ratio_workspace),
         ("plot-ratio", "--out", "IN/afile", "-w", "IN/gaoxin.toml"), mentions=("afile",)),
    Case("expansion --out under a file", with_entries(expansion_workspace),
         ("expansion", "IN/request.gpkg", "--zone", "Z1", "--out", "IN/afile/result",
          "-w", "IN/gaoxin.toml"), mentions=("afile",)),
    Case("map --out an existing folder", with_entries(lonlat_layer("zone.geojson"),
                                                      folders=("adir",)),
         ("map", "IN/zone.geojson", "--out", "IN/adir"), mentions=("adir",)),
    Case("area --out under a file", with_entries(gk_layer("p.gpkg")),
         ("area", "IN/p.gpkg", "--out", "IN/afile/areas.xlsx"), mentions=("afile",)),
    Case("area --out an existing folder", with_entries(gk_layer("p.gpkg"), folders=("adir",)),
         ("area", "IN/p.gpkg", "--out", "IN/adir"), mentions=("adir",)),
    Case("convert to a path under a file", with_entries(gk_layer("p.gpkg")),
         ("convert", "IN/p.gpkg", "IN/afile/p.geojson"), mentions=("afile",)),
    Case("check -w a folder", with_entries(folders=("adir",)), ("check", "-w", "IN/adir"),
         mentions=("adir",)),
    Case("plot-ratio -w a folder", with_entries(folders=("adir",)),
         ("plot-ratio", "--out", "OUT/result", "-w", "IN/adir"), mentions=("adir",)),
    Case("init --force over a folder", with_entries(folders=("adir",)),
         ("init", "--force", "-w", "IN/adir"), mentions=("adir",)),
    Case("plot-ratio --out in a read-only folder", read_only_folder,
         ("plot-ratio", "--out", "IN/ro/result", "-w", "IN/gaoxin.toml"), mentions=("ro",)),
]


# ---------------------------------------------------------------- 7. non-finite values

NAN_SQUARE = nan_vertex_square()


def buildings(**columns: list[object]) -> Callable[[Path], None]:
    return lambda inputs: plot_ratio_workspace(inputs, **columns)


def null_geometries(inputs: Path) -> None:
    write_layer(inputs / "null.geojson", [None, None], GK, 名称=["甲", "乙"])


def null_buildings(inputs: Path) -> None:
    plot_ratio_workspace(inputs)
    write_layer(inputs / "buildings.geojson", [None, None], GK, building_id=["B1", "B2"])
    write_workspace(inputs, {"parcels": "parcels.gpkg", "buildings": "buildings.geojson"})


REFUSED_OR_REPORTED = (0, 2)
NONFINITE_CASES = [
    Case("floors = 1e308", buildings(building_id=["B-HUGE", "B2"], floors=[1e308, 3.0]),
         PLOT_RATIO, code=REFUSED_OR_REPORTED, mentions=("B-HUGE",)),
    Case("height = inf", buildings(building_id=["B-INF", "B2"], floors=[None, 3.0],
                                   height=[float("inf"), 10.0]),
         PLOT_RATIO, code=REFUSED_OR_REPORTED, mentions=("B-INF",)),
    Case("negative floors", buildings(building_id=["B-NEG", "B2"], floors=[-3.0, 3.0]),
         PLOT_RATIO, code=REFUSED_OR_REPORTED, mentions=("B-NEG",)),
    Case("zero storey height", buildings(building_id=["B-ZERO", "B2"], floors=[None, 3.0],
                                         height=[10.0, 10.0], storey_height=[0.0, 3.5]),
         PLOT_RATIO, code=REFUSED_OR_REPORTED, mentions=("B-ZERO",)),
    Case("parcel with a NaN vertex",
         lambda i: plot_ratio_workspace(i, parcels=[NAN_SQUARE, squares(2)[1]],
                                        parcel_ids=("P-NAN", "P2")),
         # a coordinate that is not a number: the parcel is dropped and named, never measured
         PLOT_RATIO, code=(0, 2), mentions=("P-NAN",)),
    Case("area of a polygon with a NaN vertex",
         lambda i: write_layer(i / "nan.gpkg", [squares(1)[0], NAN_SQUARE], GK, pid=["A", "B"]),
         ("area", "IN/nan.gpkg", "--by", "pid", "--json"), code=(0, 2),
         mentions=("B", "not a number")),
    Case("all-null geometry layer", null_geometries, ("area", "IN/null.geojson"),
         mentions=("null.geojson",)),
    Case("all-null buildings layer", null_buildings, PLOT_RATIO,
         mentions=("buildings.geojson",)),
]


# ---------------------------------------------------------------- 9. large polygons, few vertices


def lonlat_box(name: str, crs: int | str, bounds: tuple[float, float, float, float]
               ) -> Callable[[Path], None]:
    return lambda inputs: write_layer(inputs / name, [box(*bounds)], crs, 名称=["大"])


def box_m2(crs: int | str, bounds: tuple[float, float, float, float],
           step: float) -> Callable[[], float]:
    return lambda: geod_area(box(*bounds), crs, step)


ONE_DEGREE = (104.0, 30.0, 105.0, 31.0)
FIVE_DEGREES = (100.0, 25.0, 105.0, 30.0)
NORTH_EAST = (125.0, 45.0, 126.0, 46.0)
GK_200KM = (X0 - 100_000, Y0, X0 + 100_000, Y0 + 200_000)
LARGE_CASES = [
    Case("1°×1° box in EPSG:4490", lonlat_box("box.gpkg", 4490, ONE_DEGREE),
         ("area", "IN/box.gpkg", "--json"), code=0, area_m2=box_m2(4490, ONE_DEGREE, 0.005)),
    Case("5°×5° box in EPSG:4490", lonlat_box("box.gpkg", 4490, FIVE_DEGREES),
         ("area", "IN/box.gpkg", "--json"), code=0, area_m2=box_m2(4490, FIVE_DEGREES, 0.005)),
    Case("1°×1° box at 45°N", lonlat_box("box.gpkg", 4490, NORTH_EAST),
         ("area", "IN/box.gpkg", "--json"), code=0, area_m2=box_m2(4490, NORTH_EAST, 0.005)),
    Case("5°×5° box in GeoJSON", lonlat_box("box.geojson", 4326, FIVE_DEGREES),
         ("area", "IN/box.geojson", "--json"), code=0,
         area_m2=box_m2(4326, FIVE_DEGREES, 0.005)),
    Case("200 km square in EPSG:4544", lonlat_box("box.gpkg", GK, GK_200KM),
         ("area", "IN/box.gpkg", "--json"), code=0, area_m2=box_m2(GK, GK_200KM, 100.0)),
]


# ---------------------------------------------------------------- 10. readers, CRS, encodings


def truncated_gpkg(inputs: Path) -> None:
    whole = inputs / "whole.gpkg"
    geoms = [box(X0 + i, Y0, X0 + i + 1, Y0 + 1) for i in range(0, 4000, 2)]
    write_layer(whole, geoms, GK, 名称=[f"地块{i}" for i in range(len(geoms))])
    data = whole.read_bytes()
    whole.unlink()
    (inputs / "cut.gpkg").write_bytes(data[: len(data) // 2])


def cpg_shapefile(cpg: str, encoding: str, name: str) -> Callable[[Path], None]:
    """A Shapefile whose DBF text is in ``encoding`` and whose .cpg says ``cpg``."""
    def build(inputs: Path) -> None:
        write_layer(inputs / "cpg.shp", squares(1), GK, NAME=[name])
        # Re-encode the DBF's one text value: GDAL wrote it as UTF-8.
        dbf = inputs / "cpg.dbf"
        utf8 = name.encode()
        dbf.write_bytes(dbf.read_bytes().replace(utf8, name.encode(encoding).ljust(len(utf8)), 1))
        (inputs / "cpg.cpg").write_text(cpg, encoding="ascii")
    return build


def cpg_case(cpg: str, encoding: str, name: str) -> Case:
    return Case(f".cpg {cpg}", cpg_shapefile(cpg, encoding, name),
                ("area", "IN/cpg.shp", "--by", "NAME", "--json"), code=0, mentions=(name,),
                area_m2=lambda: SQUARE_M2)


def no_crs(inputs: Path) -> None:
    prefixed = [box(35_500_000, 3_400_000, 35_500_100, 3_400_100)]
    write_layer(inputs / "nocrs.gpkg", prefixed, None, 名称=["甲"])


def csv(name: str, text: str) -> Callable[[Path], None]:
    return lambda inputs: (inputs / name).write_text(text, encoding="utf-8")


def empty_file(name: str) -> Callable[[Path], None]:
    return lambda inputs: (inputs / name).write_bytes(b"")


def workspace_with(toml: str) -> Callable[[Path], None]:
    def build(inputs: Path) -> None:
        expansion_workspace(inputs)
        (inputs / "gaoxin.toml").write_text(toml, encoding="utf-8")
    return build


def parcels_path_is_folder(inputs: Path) -> None:
    plot_ratio_workspace(inputs)
    (inputs / "adir").mkdir()
    write_workspace(inputs, {"parcels": "adir", "buildings": "buildings.gpkg"})


def duplicate_zone_ids(inputs: Path) -> None:
    expansion_workspace(inputs)
    write_layer(inputs / "zones.gpkg", squares(2), GK, zone_id=["Z1", "Z1"], name=["甲", "乙"])


READER_CASES = [
    Case("workspace crs EPSG:999999", workspace_with(
        '[workspace]\ncrs = "EPSG:999999"\n[layers.zones]\npath = "zones.gpkg"\n'),
        ("check", "-w", "IN/gaoxin.toml"), mentions=("gaoxin.toml", "EPSG:999999")),
    Case("workspace crs EPSG:999999, expansion", workspace_with(
        '[workspace]\ncrs = "EPSG:999999"\n[layers.zones]\npath = "zones.gpkg"\n'),
        EXPANSION, mentions=("gaoxin.toml", "EPSG:999999")),
    Case("truncated GeoPackage", truncated_gpkg, ("area", "IN/cut.gpkg"),
         mentions=("cut.gpkg",), absent=("SELECT", "sqlite", "SQLITE")),
    cpg_case("Big-5", "big5", "高新區南區"),
    cpg_case("936", "gbk", "高新区南区"),
    cpg_case("ANSI 936", "gbk", "高新区南区"),
    cpg_case("CP936", "gbk", "高新区南区"),
    cpg_case("65001", "utf-8", "高新区南区"),
    Case("CSV with WKT garbage",
         csv("wkt.csv", '名称,wkt\n甲,POINT (104 30)\n乙,"POLYGON ((1 2, 3"\n'),
         ("convert", "IN/wkt.csv", "OUT/wkt.gpkg", "--from-crs", "4490"),
         mentions=("wkt.csv", "row 2")),
    Case("CSV with WKT of NaN", csv("wkt.csv", "名称,wkt\n甲,\"POINT (nan nan)\"\n"),
         ("convert", "IN/wkt.csv", "OUT/wkt.gpkg", "--from-crs", "4490"),
         mentions=("wkt.csv",)),
    Case("empty .gpkg", empty_file("empty.gpkg"), ("area", "IN/empty.gpkg"),
         mentions=("empty.gpkg",)),
    Case("empty .geojson", empty_file("empty.geojson"), ("area", "IN/empty.geojson"),
         mentions=("empty.geojson",)),
    Case("empty .csv", empty_file("empty.csv"), ("area", "IN/empty.csv"),
         mentions=("empty.csv",)),
    Case("empty .zip", empty_file("empty.zip"), ("area", "IN/empty.zip"),
         mentions=("empty.zip",)),
    Case("empty workspace file", empty_file("gaoxin.toml"), PLOT_RATIO,
         mentions=("gaoxin.toml", "[layers.parcels]")),
    Case("a folder given as the file", with_entries(folders=("adir",)), ("area", "IN/adir"),
         mentions=("adir",)),
    Case("a workspace layer path that is a folder", parcels_path_is_folder, PLOT_RATIO,
         mentions=("adir",)),
    Case("no CRS", no_crs, ("area", "IN/nocrs.gpkg"), mentions=("nocrs.gpkg", "EPSG:4523")),
    Case("lat/lon swapped", lonlat_box("swapped.geojson", 4490, (30.6, 104.0, 30.7, 104.1)),
         ("area", "IN/swapped.geojson"), mentions=("swapped.geojson", "swapped")),
    Case("GK metres in a geographic file", lonlat_box("gk.geojson", 4490, GK_200KM),
         ("area", "IN/gk.geojson"), mentions=("gk.geojson",)),
    Case("duplicate parcel ids", lambda i: plot_ratio_workspace(i, parcel_ids=("P1", "P1")),
         PLOT_RATIO, mentions=("parcels.gpkg", "P1")),
    Case("duplicate building ids", buildings(building_id=["B1", "B1"]), PLOT_RATIO,
         mentions=("buildings.gpkg", "B1")),
    Case("duplicate zone ids", duplicate_zone_ids, EXPANSION, mentions=("zones.gpkg", "Z1")),
]

CORPUS = [*ZIP_CASES, *HTML_CASES, *MARKUP_CASES, *RULE_CASES, *TXT_CASES, *OUTPUT_CASES,
          *NONFINITE_CASES, *LARGE_CASES, *READER_CASES]


def test_snapshot_sees_changed_bytes_new_entries_and_retargeted_links(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"1")
    (tmp_path / "link").symlink_to("a.txt")
    (tmp_path / "out").mkdir()
    before = snapshot(tmp_path)
    (tmp_path / "out" / "result.json").write_text("{}")  # outputs are not inputs
    assert snapshot(tmp_path) == before
    for change in (lambda: (tmp_path / "a.txt").write_bytes(b"2"),
                   lambda: (tmp_path / ".stale").mkdir(),
                   lambda: ((tmp_path / "link").unlink(), (tmp_path / "link").symlink_to("x"))):
        change()
        assert snapshot(tmp_path) != before
        before = snapshot(tmp_path)


def test_strict_json_refuses_nan_and_infinity() -> None:
    assert strict_json('{"a": 1.5}') == {"a": 1.5}
    for text in ('{"a": NaN}', '[Infinity]', '[-Infinity]'):
        with pytest.raises(ValueError, match="is not JSON"):
            strict_json(text)


def test_corpus_is_large_and_names_are_unique() -> None:
    names = [case.name for case in CORPUS]
    assert len(names) >= 60 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_hostile_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    run_case(case, tmp_path, monkeypatch, capsys)
