"""layers/read.py: read_source settles the CRS, refuses bad files, reads within a bbox."""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod
from shapely import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from gaoxin.errors import InputError
from gaoxin.geo.offsets import (
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from gaoxin.layers.read import read_source

GEOD = Geod(ellps="WGS84")
CHENGDU = (104.066, 30.657)  # Tianfu Square, WGS84 ≈ CGCS2000


def layer_file(folder: Path, geoms: list[BaseGeometry], crs: int | None,
               name: str = "园区.gpkg") -> Path:
    """A GeoPackage of ``geoms`` (CRS may be absent) with a Chinese attribute."""
    gdf = gpd.GeoDataFrame({"名称": [f"地块{i}" for i in range(len(geoms))]}, geometry=geoms,
                           crs=crs)
    path = folder / name
    if crs is None:
        with warnings.catch_warnings():  # geopandas warns that the output will have no CRS
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            gdf.to_file(path)
    else:
        gdf.to_file(path)
    return path


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


# --- CRS ---------------------------------------------------------------------------------


def test_no_crs_with_zone_prefixed_eastings_names_epsg_4523(tmp_path: Path) -> None:
    """35 500 000 m: zone 35 in the false easting → CGCS2000 3° GK zone 35, EPSG:4523."""
    path = layer_file(tmp_path, [box(35500000, 3400000, 35500100, 3400100)], None)
    with pytest.raises(InputError) as err:
        read_source(path)
    text = str(err.value)
    assert text.startswith(f"{path}: has no CRS")
    assert "zone 35 with zone prefix" in text
    assert 'Fix: add the .prj, or declare the CRS in the workspace: crs = "EPSG:4523"' in text


def test_no_crs_with_plain_gk_numbers(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(500000, 3400000, 500100, 3400100)], None)
    with pytest.raises(InputError, match="Gauss-Krüger or UTM metres without a zone prefix"):
        read_source(path)


def test_declared_crs_fixes_missing_crs(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(35500000, 3400000, 35500100, 3400100)], None)
    gdf, report = read_source(path, crs="gk35p")
    assert gdf.crs.to_epsg() == 4523
    assert report.crs_how == "declared"
    assert gdf.geometry.iloc[0].bounds == (35500000, 3400000, 35500100, 3400100)


def test_declared_crs_overriding_the_file_is_reported(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(500000, 3400000, 500100, 3400100)], 4544)
    gdf, report = read_source(path, crs="EPSG:4545")  # CM 108°E instead of 105°E
    assert gdf.crs.to_epsg() == 4545
    assert report.warnings == ["the file says EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger "
                               "CM 105E); using the declared EPSG:4545 (CGCS2000 / 3-degree "
                               "Gauss-Kruger CM 108E)"]


@pytest.mark.parametrize(("declared", "forward"), [("gcj02", wgs84_to_gcj02),
                                                   ("bd09", wgs84_to_bd09)])
def test_declared_offset_coordinates_come_back_true(
        tmp_path: Path, declared: str,
        forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> None:
    lon, lat = forward(np.array([CHENGDU[0]]), np.array([CHENGDU[1]]))
    shifted = (float(lon[0]), float(lat[0]))
    assert 300 < metres(shifted, CHENGDU) < 1000  # the offset is hundreds of metres
    path = layer_file(tmp_path, [Point(shifted)], 4326)
    gdf, report = read_source(path, crs=declared)
    back = gdf.geometry.iloc[0]
    assert metres((back.x, back.y), CHENGDU) < 0.5
    assert gdf.crs.to_epsg() == 4490
    assert report.crs_how == f"declared {declared}"
    assert report.fixes == [f"converted {declared.upper()} coordinates to CGCS2000"]


def test_offset_declared_on_projected_file_is_refused(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(500000, 3400000, 500100, 3400100)], 4544)
    with pytest.raises(InputError, match="declared GCJ02 but its CRS is projected"):
        read_source(path, crs="gcj02")


def test_swapped_lat_lon_is_named(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [Point(CHENGDU[1], CHENGDU[0])], 4326)
    with pytest.raises(InputError) as err:
        read_source(path)
    assert "latitude and longitude are swapped" in str(err.value)
    assert "Fix: swap the columns" in str(err.value)


def test_swapped_lon_lat_columns_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "点.csv"
    path.write_text("名称,lon,lat\n天府广场,30.657,104.066\n", encoding="utf-8")
    with pytest.raises(InputError, match="swapped"):
        read_source(path, crs="EPSG:4490")


def test_london_is_outside_china(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [Point(-0.1276, 51.5072)], 4326)
    with pytest.raises(InputError) as err:
        read_source(path)
    assert "coordinates fall outside China (first bad feature at lon -0.1276, lat 51.5072" in (
        str(err.value))
    assert str(err.value).startswith(f"{path}: feature 0: ")


def test_gk_metres_in_a_geographic_file_name_the_projected_crs(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(35500000, 3400000, 35500100, 3400100)], 4490)
    with pytest.raises(InputError) as err:
        read_source(path)
    text = str(err.value)
    assert "claims EPSG:4490" in text and "coordinates are metres" in text
    assert 'Fix: declare the projected CRS: crs = "EPSG:4523"' in text


def test_wrong_zone_moves_data_out_of_china(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(500000, 3400000, 500100, 3400100)], 4544)
    with pytest.raises(InputError, match=r"outside China.*Fix: check the CRS"):
        read_source(path, crs="EPSG:32630")  # UTM 30N: CM 3°W


# --- bad files ---------------------------------------------------------------------------


def shapefile(folder: Path) -> Path:
    gdf = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[box(500000, 3400000, 500100, 3400100)],
                           crs=4544)
    path = folder / "地块.shp"
    gdf.to_file(path)
    return path


def no_shx(folder: Path) -> Path:
    path = shapefile(folder)
    path.with_suffix(".shx").unlink()
    return path


def half_shp(folder: Path) -> Path:
    path = shapefile(folder)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # header still says the full length (236 bytes)
    return path


def garbage_shp(folder: Path) -> Path:
    path = shapefile(folder)
    path.write_bytes(os.urandom(300))
    return path


def random_gpkg(folder: Path) -> Path:
    path = folder / "坏.gpkg"
    path.write_bytes(os.urandom(4096))
    return path


def truncated_gpkg(folder: Path) -> Path:
    path = layer_file(folder, [box(500000 + i, 3400000, 500100 + i, 3400100) for i in range(300)],
                      4544, name="截断.gpkg")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])  # a copy or download broken off
    return path


def overwritten_gpkg(folder: Path) -> Path:
    path = layer_file(folder, [box(500000 + i, 3400000, 500100 + i, 3400100) for i in range(300)],
                      4544, name="损坏.gpkg")
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xa5" * 4096  # the second database page: a bad sector
    path.write_bytes(bytes(data))
    return path


def empty_file_gpkg(folder: Path) -> Path:
    path = folder / "零字节.gpkg"
    path.write_bytes(b"")
    return path


def text_zip(folder: Path) -> Path:
    path = folder / "数据.zip"
    path.write_text("not a zip at all")
    return path


def zip_without_gis(folder: Path) -> Path:
    path = folder / "说明.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("说明.txt", "无数据")
    return path


def empty_gpkg(folder: Path) -> Path:
    path = folder / "空.gpkg"
    gpd.GeoDataFrame({"名称": []}, geometry=[], crs=4544).to_file(path)
    return path


def csv_without_geometry(folder: Path) -> Path:
    path = folder / "企业.csv"
    path.write_text("企业名称,税收\n甲,1.5\n", encoding="utf-8")
    return path


def csv_bad_numbers(folder: Path) -> Path:
    path = folder / "点.csv"
    path.write_text("名称,经度,纬度\n甲,104.06,30.65\n乙,一百零四,30.7\n", encoding="utf-8")
    return path


def csv_bad_wkt(folder: Path) -> Path:
    path = folder / "面.csv"
    path.write_text("名称,wkt\n甲,\"POLYGON ((0 0, 1 0\"\n", encoding="utf-8")
    return path


def corrupt_parquet(folder: Path) -> Path:
    path = folder / "坏.parquet"
    path.write_bytes(os.urandom(200))
    return path


# maker, expected message fragment (the file path always starts the message)
BAD_FILES: list[tuple[Callable[[Path], Path], str]] = [
    (lambda d: d / "没有.gpkg", "file not found"),
    (random_gpkg, "GDAL does not recognise the format"),
    (truncated_gpkg, "is damaged or truncated. Fix: re-export it"),
    (overwritten_gpkg, "is damaged or truncated. Fix: re-export it"),
    (empty_file_gpkg, "is damaged or truncated. Fix: re-export it"),
    (no_shx, "the Shapefile's .shx file is missing"),
    (half_shp, "the .shp is truncated (118 of 236 bytes)"),
    (garbage_shp, "is not a Shapefile"),
    (text_zip, "is not a valid zip file"),
    (zip_without_gis, "the zip holds no GIS file"),
    (empty_gpkg, "the layer is empty"),
    (csv_without_geometry, "columns found: 企业名称, 税收"),
    (csv_bad_numbers, "feature row 2: 经度/纬度 are not numbers: '一百零四', '30.7'"),
    (csv_bad_wkt, "feature row 1: column 'wkt' holds text that is not WKT"),
    (corrupt_parquet, "cannot be read as GeoParquet"),
]


@pytest.mark.parametrize(("make", "fragment"), BAD_FILES,
                         ids=[f[1][:30] for f in BAD_FILES])
def test_bad_file_is_an_input_error(tmp_path: Path, make: Callable[[Path], Path],
                                    fragment: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as err:
        read_source(path, crs="EPSG:4544" if path.suffix == ".csv" else None)
    text = str(err.value)
    assert text.startswith(f"{path}: ")
    assert fragment in text
    assert ". Fix: " in text and ".. Fix" not in text
    assert "sqlite" not in text.lower() and "SELECT" not in text  # no raw SQL or GDAL text


def test_unknown_layer_lists_the_layers(tmp_path: Path) -> None:
    path = tmp_path / "成果.gpkg"
    for name in ("南区", "北区"):
        layer = gpd.GeoDataFrame({"名称": [name]},
                                 geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
        layer.to_file(path, layer=name)
    with pytest.raises(InputError) as err:
        read_source(path, layer="东区")
    assert str(err.value) == (f"{path}: has no layer '东区'; layers: 南区, 北区. "
                              "Fix: name one of these layers")
    gdf, report = read_source(path)  # no layer named: the first, with a note
    assert gdf["名称"].tolist() == ["南区"]
    assert report.warnings == ["2 layers in the file; read '南区' (name one with layer = …)"]


def test_unknown_layer_in_a_zip_of_shapefiles(tmp_path: Path) -> None:
    shp = shapefile(tmp_path)
    archive = tmp_path / "两个.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(tmp_path.glob("地块.*")):
            zf.write(part, part.name)
            zf.write(part, part.name.replace("地块", "道路"))
    with pytest.raises(InputError, match="has no layer '绿地'; layers: 地块, 道路"):
        read_source(archive, layer="绿地")
    gdf, _ = read_source(archive, layer="道路")
    assert gdf["名称"].tolist() == ["甲"]
    assert shp.exists()


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    """Hash every input before and after reading it, across formats and failures."""
    (tmp_path / "sub").mkdir()
    paths = [shapefile(tmp_path), layer_file(tmp_path, [Point(CHENGDU)], 4326),
             layer_file(tmp_path, [Point(CHENGDU)], None, name="无坐标系.gpkg"),
             half_shp(tmp_path / "sub"), csv_bad_numbers(tmp_path)]
    before = hashes(tmp_path)
    for path in paths:
        with contextlib.suppress(InputError):
            read_source(path, crs="EPSG:4490" if path.suffix == ".csv" else None)
    assert hashes(tmp_path) == before


def hashes(folder: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_null_geometries_are_reported(tmp_path: Path) -> None:
    path = layer_file(tmp_path, [box(500000, 3400000, 500100, 3400100), None], 4544)
    gdf, report = read_source(path)
    assert len(gdf) == 2
    assert report.warnings == ["1 of 2 features have no geometry"]


# --- bbox --------------------------------------------------------------------------------


def test_bbox_read_from_geopackage_returns_intersecting_features(tmp_path: Path) -> None:
    """The triangle's envelope meets the box but the triangle does not: it is left out."""
    triangle = Polygon([(500400, 3400000), (500500, 3400000), (500400, 3400100)])
    path = layer_file(tmp_path, [box(500000, 3400000, 500100, 3400100),
                                 box(500200, 3400000, 500300, 3400100),
                                 box(501000, 3400000, 501100, 3400100), triangle], 4544)
    gdf, _ = read_source(path, bbox=(500050, 3400000, 500250, 3400100))
    assert gdf["名称"].tolist() == ["地块0", "地块1"]
    gdf, _ = read_source(path, bbox=(500250, 3400050, 500480, 3400100))
    assert gdf["名称"].tolist() == ["地块1", "地块3"]
    with pytest.raises(InputError, match="the layer is empty inside the requested extent"):
        read_source(path, bbox=(500480, 3400080, 500500, 3400100))  # only the envelope
    assert pyogrio.read_info(path)["features"] == 4


# ---------------------------------------------------------------- large layers, streamed


def _mixed_layer() -> gpd.GeoDataFrame:
    """Polygons and multipolygons (one with a hole, one 3D), a missing and an empty
    geometry, text with gaps and Chinese, integers, floats with NaN."""
    x0, y0 = 500_000.0, 3_400_000.0
    shell = box(x0, y0, x0 + 100, y0 + 100)
    hole = box(x0 + 10, y0 + 10, x0 + 20, y0 + 20)
    holed = Polygon(shell.exterior.coords, [hole.exterior.coords])
    multi = shapely.MultiPolygon([box(x0 + 200, y0, x0 + 250, y0 + 50),
                                  box(x0 + 300, y0, x0 + 350, y0 + 50)])
    tall = Polygon([(x0, y0 + 200, 5.0), (x0 + 50, y0 + 200, 5.0), (x0 + 50, y0 + 250, 6.0),
                    (x0, y0 + 200, 5.0)])
    geoms = [shell, holed, multi, None, Polygon(), tall] * 7
    n = len(geoms)
    return gpd.GeoDataFrame(
        {"编号": [f"地块{i}" if i % 5 else None for i in range(n)], "n": np.arange(n),
         "floors": [float(i) if i % 4 else np.nan for i in range(n)]},
        geometry=geoms, crs=4544)


@pytest.mark.parametrize("fields", [True, False])
def test_a_streamed_read_gives_the_frame_of_a_whole_read(tmp_path: Path, fields: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from gaoxin.layers import read

    frame = _mixed_layer() if fields else _mixed_layer()[["geometry"]]
    path = tmp_path / "层.gpkg"
    frame.to_file(path, engine="pyogrio")
    monkeypatch.setattr(read, "STREAM_FROM_FEATURES", 10**12)
    whole, _ = read_source(path)
    monkeypatch.setattr(read, "STREAM_FROM_FEATURES", 1)
    monkeypatch.setattr(read, "_STREAM_BATCH", 4)   # several batches
    opened: list[object] = []
    real_open = pyogrio.open_arrow
    monkeypatch.setattr(read.pyogrio, "open_arrow",
                        lambda *a, **k: opened.append(a) or real_open(*a, **k))
    streamed, _ = read_source(path)
    assert opened   # the streamed path was taken
    pd.testing.assert_frame_equal(pd.DataFrame(streamed.drop(columns="geometry")),
                                  pd.DataFrame(whole.drop(columns="geometry")))
    assert list(streamed.columns) == list(whole.columns)
    assert streamed.geometry.name == whole.geometry.name and streamed.crs == whole.crs
    assert streamed.dtypes.equals(whole.dtypes) and streamed.geometry.values.crs == whole.crs
    a, b = np.asarray(streamed.geometry.values), np.asarray(whole.geometry.values)
    assert (shapely.is_missing(a) == shapely.is_missing(b)).all()
    assert shapely.equals_identical(a[~shapely.is_missing(a)], b[~shapely.is_missing(b)]).all()


def test_a_layer_of_dates_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyogrio parses dates after reading: such layers keep its whole read."""
    import pandas as pd

    from gaoxin.layers import read

    path = tmp_path / "dated.gpkg"
    gpd.GeoDataFrame({"day": pd.to_datetime(["2024-01-02", "2025-03-04"])},
                     geometry=[box(500_000, 3_400_000, 500_010, 3_400_010)] * 2,
                     crs=4544).to_file(path)
    monkeypatch.setattr(read, "STREAM_FROM_FEATURES", 1)
    assert not read._streams(pyogrio.read_info(path), None)
    gdf, _ = read_source(path)
    assert str(gdf["day"].dtype).startswith("datetime64")


def test_only_geopackages_are_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gaoxin.layers import read

    monkeypatch.setattr(read, "STREAM_FROM_FEATURES", 1)
    frame = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[box(500_000, 3_400_000, 500_010,
                                                          3_400_010)] * 2, crs=4544)
    frame.to_file(tmp_path / "a.fgb", engine="pyogrio")
    assert not read._streams(pyogrio.read_info(tmp_path / "a.fgb"), None)
