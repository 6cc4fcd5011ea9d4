"""界址点坐标 TXT: reading every variant seen in the wild, writing, and the round trip.

Coordinates in the hand-made files are invented (near 成都, CGCS2000 3° zone 35).
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Polygon, box

from gaoxin.errors import InputError
from gaoxin.geo.units import m2_to_mu
from gaoxin.layers.boundary_txt import COLUMNS, read_boundary_txt, write_boundary_txt

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "boundary_txt"

N0, E0 = 3_390_000.0, 35_410_000.0  # a northing and a zone-35-prefixed easting

HEADER = """\
[属性描述]
格式版本号=1.01版本
数据产生单位=测试测绘有限公司
数据产生日期=2024-3-8
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=35
精度=0.001
转换参数=0,0,0,0,0,0,0
[地块坐标]
"""


def square(n0: float, e0: float, size: float, *, ring: int = 1, start: int = 1,
           prefix: str = "J", swap: bool = False, close: bool = True) -> list[str]:
    """Point rows of a square, clockwise on the map, as 点号,圈号,X,Y."""
    corners = [(n0, e0), (n0 + size, e0), (n0 + size, e0 + size), (n0, e0 + size)]
    rows = []
    for i, (n, e) in enumerate([*corners, corners[0]] if close else corners):
        name = f"{prefix}{start + i if i < 4 else start}"
        a, b = (e, n) if swap else (n, e)
        rows.append(f"{name},{ring},{a:.3f},{b:.3f}")
    return rows


def make(tmp_path: Path, lines: list[str] | str, *, header: str = HEADER,
         encoding: str = "utf-8", newline: str = "\r\n", name: str = "t.txt") -> Path:
    body = lines if isinstance(lines, str) else "\n".join(lines) + "\n"
    path = tmp_path / name
    path.write_bytes((header + body).replace("\n", newline).encode(encoding))
    return path


def one_square(tmp_path: Path, *, size: float = 100.0, area: str = "1.0000",
               **kwargs: object) -> Path:
    rows = [f"5,{area},DK1,测试地块,面,,,,@", *square(N0, E0, size)]
    return make(tmp_path, rows, **kwargs)


def read_error(path: Path, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        read_boundary_txt(path, **kwargs)
    return info.value


# ----------------------------------------------------------------------------------------
# Standard file
# ----------------------------------------------------------------------------------------


def test_full_header_two_parcels_and_hole(tmp_path: Path) -> None:
    rows = [
        "5,1.0000,DK-01,一号地块,面,,工业用地,0601,@",
        *square(N0, E0, 100),
        "10,0.8400,DK-02,二号地块,面,,,,@",
        *square(N0, E0 + 500, 100),
        *square(N0 + 30, E0 + 530, 40, ring=2, start=6),  # J numbering runs on
    ]
    project = "[项目信息]\n项目名称=测试项目\n项目所在县区代码=510107\n"
    gdf, warnings = read_boundary_txt(make(tmp_path, rows, header=project + HEADER))
    assert warnings == []
    assert list(gdf.columns) == [*COLUMNS, "geometry"]
    assert list(gdf.index) == [0, 1]
    assert gdf.crs.to_epsg() == 4523
    assert gdf.parcel_id.tolist() == ["DK-01", "DK-02"]
    assert gdf.name.tolist() == ["一号地块", "二号地块"]
    assert gdf.land_use.tolist() == ["工业用地", ""]
    assert gdf.land_code.tolist() == ["0601", ""]
    assert gdf.geometry_kind.tolist() == ["面", "面"]
    assert gdf.point_count.tolist() == [5, 10]
    assert gdf.header_area.tolist() == [1.0, 0.84]
    assert gdf.header_area_m2.tolist() == pytest.approx([10000.0, 8400.0])
    assert gdf.planar_area_m2.tolist() == pytest.approx([10000.0, 8400.0], abs=1e-6)
    hole = gdf.geometry[1]
    assert hole.geom_type == "Polygon" and len(hole.interiors) == 1
    header = gdf.attrs["txt_header"]
    assert header["坐标系"] == "2000国家大地坐标系"
    assert header["数据产生单位"] == "测试测绘有限公司"
    assert header["项目名称"] == "测试项目"
    assert header["转换参数"] == "0,0,0,0,0,0,0"


def test_square_is_exactly_10000_m2_and_15_mu(tmp_path: Path) -> None:
    gdf, _ = read_boundary_txt(one_square(tmp_path))
    assert gdf.planar_area_m2[0] == 10000.0
    assert m2_to_mu(gdf.planar_area_m2[0]) == 15.0


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_encodings_and_line_ends(tmp_path: Path, encoding: str, newline: str) -> None:
    name = "彭埠单元B/R-14地块"
    if encoding == "gb18030":
        name = "𠮷字地块"  # needs GB18030's four-byte codes; GBK cannot hold it
        with pytest.raises(UnicodeEncodeError):
            name.encode("gbk")
    rows = [f"5,1.0000,1,{name},面,,,,@", *square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(
        make(tmp_path, rows, encoding=encoding, newline=newline)
    )
    assert gdf.name[0] == name
    assert gdf.attrs["txt_header"]["坐标系"] == "2000国家大地坐标系"
    assert warnings == []
    expected = {"gbk": "gb18030", "utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    assert gdf.attrs["txt_encoding"] == expected


def test_explicit_encoding_and_undecodable_bytes(tmp_path: Path) -> None:
    path = one_square(tmp_path, encoding="gbk")
    gdf, _ = read_boundary_txt(path, encoding="gbk")
    assert gdf.name[0] == "测试地块"
    err = read_error(path, encoding="utf-8")
    assert "not valid utf-8" in err.problem
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"[\xff\xff]\n")
    assert "neither UTF-8 nor GBK" in read_error(bad).problem


def test_missing_file(tmp_path: Path) -> None:
    err = read_error(tmp_path / "nope.txt")
    assert err.file and err.file.endswith("nope.txt") and err.fix


def test_point_names_spaces_and_6_digit_names(tmp_path: Path) -> None:
    rows = [
        "5,1.0000,1,a,面,,,,@",
        f"1,1,{N0:.3f}, {E0:.3f}",
        f"2,1, {N0 + 100:.3f}, {E0:.3f}",
        f"3,1,{N0 + 100:.3f},{E0 + 100:.3f}",
        f"4,1,{N0:.3f},{E0 + 100:.3f}",
        f"1,1,{N0:.3f},{E0:.3f}",
        "5,1.0000,2,b,面,,,,@",
        *square(N0, E0 + 300, 100, prefix="J0"),
    ]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == []
    assert gdf.planar_area_m2.tolist() == [10000.0, 10000.0]


def test_second_ring_outside_is_another_part(tmp_path: Path) -> None:
    rows = ["10,2.0000,1,两块,面,,,,@", *square(N0, E0, 100),
            *square(N0, E0 + 300, 100, ring=2, start=6)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == []
    assert gdf.geometry[0].geom_type == "MultiPolygon"
    assert gdf.planar_area_m2[0] == 20000.0


def test_island_in_a_hole_is_another_part(tmp_path: Path) -> None:
    rows = ["15,0.6500,1,岛,面,,,,@", *square(N0, E0, 100),
            *square(N0 + 20, E0 + 20, 60, ring=2, start=6),
            *square(N0 + 40, E0 + 40, 20, ring=3, start=11)]
    gdf, _ = read_boundary_txt(make(tmp_path, rows))
    geom = gdf.geometry[0]
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert gdf.planar_area_m2[0] == pytest.approx(10000 - 3600 + 400)


# ----------------------------------------------------------------------------------------
# Rings nest by geometry, not by listing order (issue item 5)
# ----------------------------------------------------------------------------------------


def rectangle(n0: float, e0: float, north: float, east: float, *, ring: int,
              start: int) -> list[str]:
    """Point rows of a north × east rectangle, closed, as 点号,圈号,X,Y."""
    corners = [(n0, e0), (n0 + north, e0), (n0 + north, e0 + east), (n0, e0 + east), (n0, e0)]
    return [f"J{start + i % 4},{ring},{n:.3f},{e:.3f}" for i, (n, e) in enumerate(corners)]


def test_hole_listed_before_the_outer_ring(tmp_path: Path) -> None:
    # 2000 m × 1900 m = 3 800 000 m² less a 400 m × 440 m hole = 3 624 000 m² (362.4 公顷).
    # Nested in file order, the hole came first and was lost (read as an overlapping part).
    outer = rectangle(N0, E0, 2000, 1900, ring=1, start=1)
    hole = rectangle(N0 + 500, E0 + 600, 400, 440, ring=2, start=5)
    for rings in ([*hole, *outer], [*outer, *hole]):
        gdf, warnings = read_boundary_txt(make(tmp_path, ["10,362.4000,DK1,a,面,,,,@", *rings]))
        assert warnings == []
        geom = gdf.geometry[0]
        assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
        assert gdf.planar_area_m2[0] == 3_624_000.0
        assert gdf.header_area_m2[0] == pytest.approx(3_624_000.0)


def test_hole_numbered_1_and_listed_first(tmp_path: Path) -> None:
    # 圈号 by convention marks the outer ring 1, but the geometry decides: the 40 m square
    # lies inside the 100 m one, so it is the hole whatever its number.
    rows = ["10,0.8400,DK1,a,面,,,,@", *square(N0 + 30, E0 + 30, 40, ring=1),
            *square(N0, E0, 100, ring=2, start=5)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == []
    geom = gdf.geometry[0]
    assert geom.geom_type == "Polygon" and geom.exterior.length == 400.0
    assert gdf.planar_area_m2[0] == 10000.0 - 1600.0


def test_island_in_a_hole_listed_inside_out(tmp_path: Path) -> None:
    rows = ["15,0.6800,1,岛,面,,,,@", *square(N0 + 40, E0 + 40, 20, ring=3, start=11),
            *square(N0 + 20, E0 + 20, 60, ring=2, start=6), *square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == []
    geom = gdf.geometry[0]
    assert geom.geom_type == "MultiPolygon"
    assert [len(part.interiors) for part in geom.geoms] == [1, 0]  # 圈号 order: outer first
    assert gdf.planar_area_m2[0] == 10000.0 - 3600.0 + 400.0


def test_two_parts_listed_in_reverse(tmp_path: Path) -> None:
    rows = ["10,1.2500,1,两块,面,,,,@", *square(N0, E0 + 300, 50, ring=2, start=6),
            *square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == []
    geom = gdf.geometry[0]
    assert geom.geom_type == "MultiPolygon"
    assert [part.area for part in geom.geoms] == [10000.0, 2500.0]
    assert gdf.planar_area_m2[0] == 12500.0


def test_rings_touching_at_a_corner_are_two_parts(tmp_path: Path) -> None:
    rows = ["10,2.0000,1,a,面,,,,@", *square(N0, E0, 100),
            *square(N0 + 100, E0 + 100, 100, ring=2, start=6)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == [] and gdf.geometry[0].geom_type == "MultiPolygon"
    assert gdf.planar_area_m2[0] == 20000.0


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        (square(N0 + 50, E0 + 50, 100, ring=2, start=6), "cross or overlap"),  # sticks out
        (square(N0 + 50, E0 + 150, 100, ring=2, start=6), None),  # touches along an edge
        (square(N0, E0, 100, ring=2, start=6), "listed twice"),
    ],
)
def test_ambiguous_rings_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     second: list[str], problem: str | None) -> None:
    from gaoxin.cli import main

    path = make(tmp_path, ["10,0,DK-7,a,面,,,,@", *square(N0, E0, 100), *second])
    if problem is None:
        gdf, _ = read_boundary_txt(path)
        assert gdf.planar_area_m2[0] == 20000.0
        return
    err = read_error(path)
    assert err.file == str(path) and "DK-7" in str(err.feature)
    assert "ring 1 (from line 14) and ring 2 (from line 19)" in err.problem
    assert problem in err.problem and err.fix
    assert main(["area", str(path)]) == 2
    message = " ".join(capsys.readouterr().err.split())
    assert str(path) in message and "DK-7" in message and "ring 2 (from line 19)" in message


def ring_rows(ring: int, n0: float, e0: float, size: int) -> list[str]:
    return square(n0, e0, size, ring=ring, prefix=f"R{ring}-")


@settings(max_examples=40, deadline=None)
@given(
    chains=st.lists(
        st.lists(st.integers(1, 20), min_size=1, max_size=4, unique=True),
        min_size=1, max_size=3,
    ),
    data=st.data(),
)
def test_area_does_not_depend_on_ring_order(chains: list[list[int]],
                                            data: st.DataObject) -> None:
    # Each chain is a set of concentric squares in its own 1 km cell: outer ring, hole,
    # island, hole in the island … The area alternates: s0² − s1² + s2² − …
    squares, expected = [], 0.0
    for cell, halves in enumerate(chains):
        centre_n, centre_e = N0 + 500, E0 + 1000 * cell + 500
        for depth, half in enumerate(sorted(halves, reverse=True)):
            size = 20 * half
            squares.append((centre_n - size / 2, centre_e - size / 2, size))
            expected += size * size * (-1) ** depth
    numbers = data.draw(st.permutations(range(1, len(squares) + 1)), label="圈号")
    listing = data.draw(st.permutations(range(len(squares))), label="listing order")
    rows = [f"{5 * len(squares)},,1,a,面,,,,@"]
    for i in listing:
        rows += ring_rows(numbers[i], *squares[i])
    in_number_order = [rows[0]]
    for i in sorted(range(len(squares)), key=lambda k: numbers[k]):
        in_number_order += ring_rows(numbers[i], *squares[i])
    with tempfile.TemporaryDirectory() as folder:
        gdf, warnings = read_boundary_txt(make(Path(folder), rows))
        reference, _ = read_boundary_txt(make(Path(folder), in_number_order, name="ref.txt"))
    assert warnings == []
    assert gdf.planar_area_m2[0] == expected
    assert gdf.geometry[0].equals_exact(reference.geometry[0], 0.0)  # same rings, same order


def test_swapped_columns_are_detected(tmp_path: Path) -> None:
    gdf_ok, _ = read_boundary_txt(one_square(tmp_path, name="ok.txt"))
    rows = ["5,1.0000,DK1,测试地块,面,,,,@", *square(N0, E0, 100, swap=True)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert any("swapped" in w for w in warnings)
    assert gdf.crs.to_epsg() == 4523
    assert gdf.geometry[0].equals(gdf_ok.geometry[0])


def test_swapped_unprefixed_columns_are_detected(tmp_path: Path) -> None:
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, 410_000, 100, swap=True)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert any("swapped" in w for w in warnings)
    assert gdf.crs.to_epsg() == 4544  # 带号=35, no prefix
    assert gdf.geometry[0].bounds == (410_000, N0, 410_100, N0 + 100)


def test_mixed_column_order_is_refused(tmp_path: Path) -> None:
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, E0, 100)]
    rows[2] = f"J2,1,{E0:.3f},{N0 + 100:.3f}"
    err = read_error(make(tmp_path, rows))
    assert "swapped" in err.problem or "X,Y" in err.problem


def test_longjie_style_header_empty_zone_and_other_spellings(tmp_path: Path) -> None:
    header = ("[属性描述]\n投影类型=高斯克吕格\n坐标系=2000国家大地坐标系\n分带=3度带\n带号=\n"
              "数据生产单位=某单位\n转换坐标=,,,,,,\n[地块坐标]\n")
    rows = ["5,,010031, 32,,,地块1,,@", *square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows, header=header, newline="\n"))
    assert warnings == []
    assert gdf.crs.to_epsg() == 4523
    assert gdf.parcel_id[0] == "010031"
    assert math.isnan(gdf.header_area[0]) and math.isnan(gdf.header_area_m2[0])
    assert gdf.attrs["txt_header"]["数据生产单位"] == "某单位"


def test_zone_from_header_when_eastings_have_no_prefix(tmp_path: Path) -> None:
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, 410_000, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == [] and gdf.crs.to_epsg() == 4544


def test_zone_header_disagreeing_with_prefix_warns(tmp_path: Path) -> None:
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, 34_500_000, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert gdf.crs.to_epsg() == 4522
    assert any("带号=35" in w for w in warnings)


def test_six_degree_zone(tmp_path: Path) -> None:
    header = HEADER.replace("几度分带=3", "几度分带=6").replace("带号=35", "带号=18")
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, 18_500_000, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows, header=header))
    assert warnings == []
    assert gdf.crs.to_epsg() == 4496
    assert gdf.planar_area_m2[0] == 10000.0


@pytest.mark.parametrize(
    ("datum", "epsg"),
    [("80国家大地坐标系", 2359), ("1980西安坐标系", 2359), ("1954北京坐标系", 2411)],
)
def test_older_datums(tmp_path: Path, datum: str, epsg: int) -> None:
    header = HEADER.replace("2000国家大地坐标系", datum)
    gdf, warnings = read_boundary_txt(one_square(tmp_path, header=header))
    assert warnings == [] and gdf.crs.to_epsg() == epsg


def test_six_degree_xian80_unprefixed(tmp_path: Path) -> None:
    header = (HEADER.replace("2000国家大地坐标系", "1980西安坐标系")
              .replace("几度分带=3", "几度分带=6度带").replace("带号=35", "带号=18"))
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, 500_000, 100)]
    gdf, _ = read_boundary_txt(make(tmp_path, rows, header=header))
    assert gdf.crs.to_epsg() == 2343  # Xian 1980 / Gauss-Kruger CM 105E


def test_zone_written_as_central_meridian(tmp_path: Path) -> None:
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, 410_000, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows, header=HEADER.replace("=35", "=105")))
    assert gdf.crs.to_epsg() == 4544
    assert warnings == ["带号=105 read as the central meridian 105°E: zone 35"]


def test_bracketed_points_without_parcel_line(tmp_path: Path) -> None:
    rows = [f"[{r}]" for r in square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert gdf.planar_area_m2[0] == 10000.0
    assert warnings == ["line 13: points before any parcel line (…,@) form parcel 1"]


def test_several_zone_prefixes_are_refused(tmp_path: Path) -> None:
    rows = ["5,1.0000,1,a,面,,,,@", *square(N0, E0, 100),
            "5,1.0000,2,b,面,,,,@", *square(N0, 36_410_000, 100)]
    assert "different zone prefixes" in read_error(make(tmp_path, rows)).problem


def test_bao_sheng_bu_biao_parcel_line(tmp_path: Path) -> None:
    rows = ["5,1.0000,330106104,横桥村,D8-003,地块4,面,,,,@", *square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == []
    assert (gdf.parcel_id[0], gdf.name[0], gdf.geometry_kind[0]) == ("D8-003", "地块4", "面")


def test_full_width_commas(tmp_path: Path) -> None:
    rows = ["5，1.0000，DK1，测试地块，面，，，，@",
            *[r.replace(",", "，") for r in square(N0, E0, 100)]]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert any("full-width" in w for w in warnings)
    assert gdf.parcel_id[0] == "DK1" and gdf.planar_area_m2[0] == 10000.0


def test_full_width_comma_inside_a_name_is_kept(tmp_path: Path) -> None:
    rows = ["5,1.0000,DK1,甲，乙地块,面,,,,@", *square(N0, E0, 100)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows))
    assert warnings == [] and gdf.name[0] == "甲，乙地块"


def test_full_and_half_width_section_brackets(tmp_path: Path) -> None:
    variants = ["【属性描述】", "[ 属性描述 ]", "【 属性 描述 】", "【\u3000属性描述\u3000】",
                "[属性描述】"]
    for i, main in enumerate(variants):
        data = main.replace("属性描述", "地块坐标").replace("属性 描述", "地块 坐标")
        header = HEADER.replace("[属性描述]", main).replace("[地块坐标]", data)
        gdf, warnings = read_boundary_txt(one_square(tmp_path, header=header, name=f"{i}.txt"))
        assert warnings == [], main
        assert gdf.attrs["txt_header"]["坐标系"] == "2000国家大地坐标系"
        assert gdf.crs.to_epsg() == 4523 and gdf.planar_area_m2[0] == 10000.0


def test_markup_like_text_before_the_header_is_plain_text(tmp_path: Path) -> None:
    lines = ["hello [/red] world", "[bold]标题[/bold]", "<b>x</b> & [link=file:///etc]"]
    gdf, warnings = read_boundary_txt(one_square(tmp_path, header="\n".join(lines) + "\n" + HEADER))
    assert gdf.planar_area_m2[0] == 10000.0
    assert [w.split(": ", 1)[1] for w in warnings] == [
        f"text before the first [section] ignored: {line!r}" for line in lines
    ]


# ----------------------------------------------------------------------------------------
# Coordinates in degrees (issue item 10)
# ----------------------------------------------------------------------------------------

LAT0, LON0 = 30.6, 104.1


def degree_rows(*, lon_first: bool = False) -> list[str]:
    """A 0.001° square near 成都 with X = latitude and Y = longitude (or swapped)."""
    corners = [(LAT0, LON0), (LAT0 + 0.001, LON0), (LAT0 + 0.001, LON0 + 0.001),
               (LAT0, LON0 + 0.001), (LAT0, LON0)]
    rows = ["5,,DK1,a,面,,,,@"]
    for i, (lat, lon) in enumerate(corners):
        x, y = (lon, lat) if lon_first else (lat, lon)
        rows.append(f"J{i % 4 + 1},1,{x:.6f},{y:.6f}")
    return rows


@pytest.mark.parametrize("header", [HEADER, HEADER.replace("带号=35", "带号="), ""])
def test_degrees_are_refused_with_command_line_advice(tmp_path: Path, header: str) -> None:
    path = make(tmp_path, degree_rows(), header=header)
    err = read_error(path)
    assert err.file == str(path)
    assert "latitude/longitude in degrees (X=30.6, Y=104.1)" in err.problem
    assert "Gauss-Krüger" in err.problem and "metres" in err.problem
    fix = err.fix or ""
    assert "--crs cgcs2000" in fix and "--from-crs" not in fix
    assert "EPSG:4544" not in fix and "crs=" not in fix and "read_boundary_txt" not in fix


@pytest.mark.parametrize("lon_first", [False, True])
def test_degrees_read_when_a_geographic_crs_is_declared(tmp_path: Path, lon_first: bool) -> None:
    from pyproj import Transformer

    gdf, warnings = read_boundary_txt(
        make(tmp_path, degree_rows(lon_first=lon_first)), crs="cgcs2000")
    assert gdf.crs.to_epsg() == 4490
    assert gdf.geometry[0].bounds == pytest.approx((LON0, LAT0, LON0 + 0.001, LAT0 + 0.001))
    assert len(warnings) == lon_first and all("longitudes" in w for w in warnings)
    # The planar area is the one on the 3° Gauss-Krüger plane, as a header 面积 would be.
    to_gk = Transformer.from_crs(4490, 4544, always_xy=True)
    east, north = to_gk.transform([LON0, LON0, LON0 + 0.001, LON0 + 0.001],
                                  [LAT0, LAT0 + 0.001, LAT0 + 0.001, LAT0])
    e, n = np.subtract(east, east[0]), np.subtract(north, north[0])
    shoelace = 0.5 * abs(np.dot(e, np.roll(n, -1)) - np.dot(n, np.roll(e, -1)))
    assert gdf.planar_area_m2[0] == pytest.approx(shoelace, rel=1e-9)


@pytest.mark.parametrize(("crs", "problem"), [("EPSG:4544", "is in metres"),
                                              ("gcj02", "must be converted")])
def test_degrees_with_a_crs_that_does_not_fit(tmp_path: Path, crs: str, problem: str) -> None:
    err = read_error(make(tmp_path, degree_rows()), crs=crs)
    assert "in degrees" in err.problem and problem in err.problem and err.fix


def test_degrees_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gaoxin.cli import main

    path = make(tmp_path, degree_rows())
    assert main(["area", str(path)]) == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "in degrees" in message and "--crs cgcs2000" in message
    # The advice works: the options it names read the file.
    assert main(["area", str(path), "--crs", "cgcs2000", "--json"]) == 0
    assert main(["convert", str(path), str(tmp_path / "out.gpkg"), "--crs", "cgcs2000"]) == 0
    assert gpd.read_file(tmp_path / "out.gpkg").crs.to_epsg() == 4490


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------


def test_unclosed_ring_is_refused_naming_file_parcel_and_ring(tmp_path: Path) -> None:
    rows = ["9,0.8400,DK1,a,面,,,,@", *square(N0, E0, 100),
            *square(N0 + 30, E0 + 30, 40, ring=2, start=6, close=False)]
    path = make(tmp_path, rows)
    err = read_error(path)
    assert err.file == str(path)
    assert "DK1" in str(err.feature)
    assert "ring 2 is not closed" in err.problem
    assert "repeat the first point at the end of ring 2" in (err.fix or "")
    assert "--close-rings" in (err.fix or "") and "close_rings=" not in (err.fix or "")


def test_unclosed_ring_closed_on_request(tmp_path: Path) -> None:
    rows = ["4,1.0000,DK1,a,面,,,,@", *square(N0, E0, 100, close=False)]
    gdf, warnings = read_boundary_txt(make(tmp_path, rows), close_rings=True)
    assert gdf.planar_area_m2[0] == 10000.0
    assert len(warnings) == 1 and "ring 1 was not closed" in warnings[0]
    assert gdf.point_count[0] == 4


def test_masked_coordinates_are_refused(tmp_path: Path) -> None:
    rows = ["5,1.0000,DK1,a,面,,,,@", *square(N0, E0, 100)]
    rows[3] = "J3,1,8889*.***,****3.838"
    err = read_error(make(tmp_path, rows))
    assert "masked" in err.problem and "line 16" in err.problem
    assert "DK1" in str(err.feature) and err.fix


def test_non_numeric_coordinates_are_refused(tmp_path: Path) -> None:
    rows = ["5,1.0000,DK1,a,面,,,,@", *square(N0, E0, 100)]
    rows[3] = f"J2,1,{N0 + 100:.3f}米,{E0:.3f}"
    err = read_error(make(tmp_path, rows))
    assert "not a number" in err.problem and err.fix


@pytest.mark.parametrize("number", ["1" + "0" * 400, "3390100000000.0"])
def test_absurdly_large_coordinates_are_refused(tmp_path: Path, number: str) -> None:
    rows = ["5,1.0000,DK1,a,面,,,,@", *square(N0, E0, 100)]
    rows[2] = f"J2,1,{number},{E0:.3f}"
    err = read_error(make(tmp_path, rows))
    assert "line 15" in err.problem and "far too large" in err.problem
    assert len(err.problem) < 200 and "DK1" in str(err.feature)


@pytest.mark.parametrize("row", ["J2,1,3390100.0", "J2,x,3390100.0,35410000.0"])
def test_bad_point_rows_are_refused(tmp_path: Path, row: str) -> None:
    rows = ["5,1.0000,DK1,a,面,,,,@", *square(N0, E0, 100)]
    rows[2] = row
    err = read_error(make(tmp_path, rows))
    assert "line 15" in err.problem and err.fix


def test_fewer_than_four_points_are_refused(tmp_path: Path) -> None:
    rows = ["3,0,DK1,a,面,,,,@", f"J1,1,{N0},{E0}", f"J2,1,{N0 + 1},{E0}", f"J1,1,{N0},{E0}"]
    err = read_error(make(tmp_path, rows))
    assert "at least 3 distinct points" in err.problem


def test_point_count_mismatch_warns(tmp_path: Path) -> None:
    rows = ["6,1.0000,DK1,a,面,,,,@", *square(N0, E0, 100)]
    _, warnings = read_boundary_txt(make(tmp_path, rows))
    assert any("says 6 points but 5" in w for w in warnings)


@pytest.mark.parametrize("kind", ["线", "点"])
def test_line_and_point_records_are_refused(tmp_path: Path, kind: str) -> None:
    rows = [f"5,1.0000,DK1,a,{kind},,,,@", *square(N0, E0, 100)]
    err = read_error(make(tmp_path, rows))
    assert "only parcels (面)" in err.problem and "DK1" in str(err.feature)


def test_no_parcels_is_refused(tmp_path: Path) -> None:
    assert "no parcels" in read_error(make(tmp_path, [])).problem


# ----------------------------------------------------------------------------------------
# Header area
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area", "value", "m2"),
    [("1.0000", 1.0, 10000.0), ("10000", 10000.0, 10000.0), ("1公顷", 1.0, 10000.0),
     ("15亩", 15.0, 10000.0), ("1.00004", 1.00004, 10000.4)],
)
def test_header_area_units(tmp_path: Path, area: str, value: float, m2: float) -> None:
    gdf, warnings = read_boundary_txt(one_square(tmp_path, area=area))
    assert warnings == []
    assert gdf.header_area[0] == value
    assert gdf.header_area_m2[0] == pytest.approx(m2)


def test_header_area_mismatch_warns_with_both_figures(tmp_path: Path) -> None:
    gdf, warnings = read_boundary_txt(one_square(tmp_path, area="1.0050"))
    assert gdf.header_area_m2[0] == pytest.approx(10050.0)
    assert len(warnings) == 1
    assert "10050.000 m²" in warnings[0] and "10000.000 m²" in warnings[0]
    assert "公顷" in warnings[0]


def test_header_area_in_no_known_unit(tmp_path: Path) -> None:
    gdf, warnings = read_boundary_txt(one_square(tmp_path, area="2.5"))
    assert gdf.header_area[0] == 2.5 and math.isnan(gdf.header_area_m2[0])
    assert len(warnings) == 1 and "unit unknown" in warnings[0]


def test_header_area_rounding_does_not_warn_on_small_parcels(tmp_path: Path) -> None:
    # 21.6 m × 21.6 m = 466.56 m² is written 0.0467 公顷: 0.1 % off only by rounding.
    gdf, warnings = read_boundary_txt(one_square(tmp_path, size=21.6, area="0.0467"))
    assert warnings == [] and gdf.header_area_m2[0] == pytest.approx(467.0)


# ----------------------------------------------------------------------------------------
# 简单坐标 (headerless id,x,y)
# ----------------------------------------------------------------------------------------


def simple_rows(e0: float, *, close: bool = True) -> str:
    pts = [(N0, e0), (N0 + 100, e0), (N0 + 100, e0 + 100), (N0, e0 + 100)]
    if close:
        pts.append(pts[0])
    return "id,x,y\n" + "".join(f"{i},{n:.3f},{e:.3f}\n" for i, (n, e) in enumerate(pts, 1))


def test_simple_list_needs_a_crs(tmp_path: Path) -> None:
    path = make(tmp_path, simple_rows(410_000), header="", name="simple.txt")
    err = read_error(path)
    assert err.file == str(path)
    assert "EPSG:4544" in err.problem
    # Command-line advice, not a Python call (read_boundary_txt(path, crs=…)).
    assert "--crs EPSG:4544" in (err.fix or "") and "--from-crs" not in (err.fix or "")
    assert "crs=" not in (err.fix or "") and "read_boundary_txt" not in (err.fix or "")
    gdf, warnings = read_boundary_txt(path, crs="EPSG:4544")
    assert warnings == [] and gdf.crs.to_epsg() == 4544
    assert gdf.planar_area_m2[0] == 10000.0
    gdf, _ = read_boundary_txt(path, crs="gk35")
    assert gdf.crs.to_epsg() == 4544


def test_simple_list_with_prefix_needs_no_crs(tmp_path: Path) -> None:
    gdf, warnings = read_boundary_txt(make(tmp_path, simple_rows(E0), header=""))
    assert gdf.crs.to_epsg() == 4523
    assert warnings == ["the file has no header: assumed CGCS2000 (2000国家大地坐标系)"]


@pytest.mark.parametrize(
    ("crs", "spelled"), [("EPSG:4523", "EPSG:4523 ("), ("EPSG:4326", "EPSG:4326 ("),
                         ("gcj02", "GCJ02"), (4544, "4544 = EPSG:4544 (")],
)
def test_simple_list_with_an_unfitting_crs(tmp_path: Path, crs: str | int, spelled: str) -> None:
    rows = simple_rows(410_000 if crs != 4544 else E0)
    err = read_error(make(tmp_path, rows, header=""), crs=crs)
    assert f"the declared CRS {spelled}" in err.problem and err.fix


def test_simple_list_unclosed(tmp_path: Path) -> None:
    path = make(tmp_path, simple_rows(410_000, close=False), header="")
    assert "not closed" in read_error(path, crs=4544).problem
    gdf, warnings = read_boundary_txt(path, crs=4544, close_rings=True)
    assert gdf.planar_area_m2[0] == 10000.0 and len(warnings) == 1


# ----------------------------------------------------------------------------------------
# Writer
# ----------------------------------------------------------------------------------------


def _signed_area(rows: list[list[str]]) -> float:
    e = np.array([float(r[3]) for r in rows])
    n = np.array([float(r[2]) for r in rows])
    return 0.5 * float(np.dot(e[:-1], n[1:]) - np.dot(e[1:], n[:-1]))


def _same_rings(a: object, b: object) -> bool:
    return shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-3)


def test_write_then_read_hole_and_multipolygon(tmp_path: Path) -> None:
    with_hole = Polygon(box(500_000, 3_400_000, 500_200, 3_400_150).exterior,
                        [box(500_050, 3_400_050, 500_100, 3_400_100).exterior.coords[::-1]])
    multi = MultiPolygon([
        Polygon(box(501_000, 3_400_000, 501_100, 3_400_100).exterior,
                [box(501_010, 3_400_010, 501_020, 3_400_020).exterior]),
        Polygon([(501_300.1234, 3_400_000.5678), (501_400, 3_400_050), (501_350, 3_400_120)]),
    ])
    gdf = gpd.GeoDataFrame(
        {"parcel_id": ["A-1", "A-2"], "name": ["有洞地块", "甲,乙"], "land_use": ["工业", None]},
        geometry=[with_hole, multi], crs=4544,
    )
    path = tmp_path / "out.txt"
    write_boundary_txt(gdf, path, producer="测试单位")
    assert os.listdir(tmp_path) == ["out.txt"]  # no temporary file left behind

    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    lines = raw.decode("gbk").split("\r\n")
    assert lines[:12] == [
        "[属性描述]", "格式版本号=1.01版本", "数据产生单位=测试单位",
        lines[3], "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格",
        "计量单位=米", "带号=35", "精度=0.001", "转换参数=0,0,0,0,0,0,0", "[地块坐标]",
    ]
    assert lines[3].startswith("数据产生日期=20")
    assert lines[12] == "10,2.7500,A-1,有洞地块,面,,工业,,@"
    rows = [line.split(",") for line in lines[13:23]]
    assert [r[1] for r in rows] == ["1"] * 5 + ["2"] * 5
    assert [r[0] for r in rows] == ["J1", "J2", "J3", "J4", "J1", "J5", "J6", "J7", "J8", "J5"]
    assert _signed_area(rows[:5]) < 0 < _signed_area(rows[5:])  # exterior clockwise (E,N)
    assert all(float(r[3]) > 35_000_000 for r in rows)  # zone-prefixed easting last
    second = lines[23].split(",")
    assert second[:4] == ["14", f"{multi.area / 10000:.4f}", "A-2", "甲，乙"]
    rings = [line.split(",")[1] for line in lines[24:38]]
    assert rings == ["1"] * 5 + ["2"] * 5 + ["3"] * 4

    back, warnings = read_boundary_txt(path)
    assert warnings == []
    assert back.crs.to_epsg() == 4523
    expected = gdf.to_crs(4523)
    for got, want in zip(back.geometry, expected.geometry, strict=True):
        assert got.geom_type == want.geom_type
        assert _same_rings(got, want)
    want = shapely.area(expected.geometry.values)
    assert back.planar_area_m2.tolist() == pytest.approx(want.tolist(), rel=1e-6)
    # the only change is rounding to the millimetre
    rounded = shapely.area(shapely.set_precision(expected.geometry.values, 0.001))
    assert back.planar_area_m2.tolist() == pytest.approx(rounded.tolist(), rel=1e-9)
    assert back.name.tolist() == ["有洞地块", "甲，乙"]
    assert back.land_use.tolist() == ["工业", ""]


def test_write_geographic_input_picks_zone_from_centroid(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(geometry=[box(104.06, 30.65, 104.07, 30.66)], crs=4490)
    path = tmp_path / "cd.txt"
    write_boundary_txt(gdf, path, encoding="utf-8")
    back, warnings = read_boundary_txt(path)
    assert warnings == [] and back.crs.to_epsg() == 4523
    assert back.parcel_id[0] == "1" and back.name[0] == ""
    want = float(shapely.area(gdf.to_crs(4523).geometry[0]))
    assert back.planar_area_m2[0] == pytest.approx(want, rel=1e-6)

    write_boundary_txt(gdf, path, zone=34)  # overwrite, zone forced
    back, _ = read_boundary_txt(path)
    assert back.crs.to_epsg() == 4522


def test_write_xian80(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(geometry=[box(500_000, 3_400_000, 500_100, 3_400_100)], crs=2380)
    path = tmp_path / "x80.txt"
    write_boundary_txt(gdf, path, datum="xian80")
    assert "坐标系=1980西安坐标系" in path.read_text(encoding="gbk")
    back, warnings = read_boundary_txt(path)
    assert warnings == [] and back.crs.to_epsg() == 2359
    assert back.planar_area_m2[0] == 10000.0


@pytest.mark.parametrize(
    ("gdf", "problem"),
    [
        (gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs=4544), "LineString"),
        (gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), "no CRS"),
        (gpd.GeoDataFrame(geometry=[Polygon()], crs=4544), "no geometry"),
        (gpd.GeoDataFrame(geometry=[], crs=4544), "no features"),
    ],
)
def test_write_refuses(tmp_path: Path, gdf: gpd.GeoDataFrame, problem: str) -> None:
    path = tmp_path / "bad.txt"
    with pytest.raises(InputError) as info:
        write_boundary_txt(gdf, path)
    assert problem in info.value.problem and info.value.file == str(path)
    assert not path.exists()


def test_write_encoding_that_cannot_hold_a_name(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"name": ["𠮷字地块"]},
                           geometry=[box(500_000, 3_400_000, 500_100, 3_400_100)], crs=4544)
    with pytest.raises(InputError) as info:
        write_boundary_txt(gdf, tmp_path / "a.txt")
    assert "gb18030" in (info.value.fix or "")
    write_boundary_txt(gdf, tmp_path / "a.txt", encoding="gb18030")
    back, _ = read_boundary_txt(tmp_path / "a.txt")
    assert back.name[0] == "𠮷字地块"


def test_write_into_missing_folder_or_under_a_file(tmp_path: Path) -> None:
    """Like every output: a missing folder is made; a path through a file is refused."""
    gdf = gpd.GeoDataFrame(geometry=[box(500_000, 3_400_000, 500_100, 3_400_100)], crs=4544)
    write_boundary_txt(gdf, tmp_path / "missing" / "a.txt")
    assert (tmp_path / "missing" / "a.txt").is_file()
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="afile"):
        write_boundary_txt(gdf, tmp_path / "afile" / "a.txt")


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.integers(0, 3_000_000), st.integers(0, 3_000_000)),
        min_size=3, max_size=25, unique=True,
    ),
    hole=st.booleans(),
)
def test_round_trip_keeps_area(points: list[tuple[int, int]], hole: bool) -> None:
    coords = [(35_400_000 + e / 1000, 3_390_000 + n / 1000) for e, n in points]  # mm grid
    shell = shapely.convex_hull(MultiPoint(coords))
    assume(shell.geom_type == "Polygon" and shell.area > 100.0)
    poly = shell
    if hole:
        inner = affinity.scale(shell, 0.5, 0.5, origin="centroid")
        poly = Polygon(shell.exterior, [inner.exterior])
    poly = shapely.set_precision(poly, 0.001)
    assume(poly.geom_type == "Polygon" and poly.is_valid)
    gdf = gpd.GeoDataFrame(geometry=[poly], crs=4523)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.txt"
        write_boundary_txt(gdf, path)
        back, warnings = read_boundary_txt(path)
    assert warnings == []
    assert back.planar_area_m2[0] == pytest.approx(poly.area, rel=1e-6)
    assert len(back.geometry[0].interiors) == len(poly.interiors)
    assert _same_rings(back.geometry[0], poly)


# ----------------------------------------------------------------------------------------
# Real files (never copied into the repository)
# ----------------------------------------------------------------------------------------


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real sample {path} is not available")
    return path


@pytest.mark.realdata
def test_real_longjie_file() -> None:
    path = real("longjie-sir_txt2shp_testfile")
    assert "not closed" in read_error(path).problem
    gdf, warnings = read_boundary_txt(path, close_rings=True)
    assert gdf.crs.to_epsg() == 4523  # zone 35 from the prefix; 带号 is empty
    assert len(gdf) == 1 and gdf.point_count[0] == 63
    # Exact rational shoelace: 466.17097 m². The README's 466.164 is a float artefact of a
    # shoelace on raw 8-digit eastings (it gives 466.1640625); shapely shifts the origin.
    assert gdf.planar_area_m2[0] == pytest.approx(466.17097, abs=1e-3)
    assert gdf.parcel_id[0] == "010031"
    assert warnings == ["parcel 1 (地块编号 010031): ring 1 was not closed; "
                        "closed it by repeating its first point J1"]


@pytest.mark.realdata
def test_real_htoooth_simple_list() -> None:
    path = real("htoooth_txt2shp_TEST1.txt")
    err = read_error(path)
    assert "EPSG:4544" in err.problem  # the probable CRS, named in the message
    gdf, warnings = read_boundary_txt(path, crs="EPSG:4544", close_rings=True)
    assert gdf.point_count[0] == 429
    assert gdf.planar_area_m2[0] == pytest.approx(798902.275, abs=0.01)
    assert len(warnings) == 1 and "not closed" in warnings[0]
