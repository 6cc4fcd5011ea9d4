"""The sample workspace on disk: every layer from one seed, written as real ones arrive.

:func:`generate_sample` runs the generators from one seed, each on its own child stream;
:func:`write_sample_workspace` writes the files in the mix of formats real workspaces
arrive in (GeoPackages, a GBK shapefile without ``.cpg`` and with Chinese field names, an
Excel table with Chinese headers, GeoJSON in EPSG:4326, a GBK 界址点坐标 TXT, a GeoTIFF)
and a ``gaoxin.toml``. GDAL's date is pinned so the same seed gives the same GeoPackages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
from openpyxl.xml.functions import tostring

from ._shapes import CRS
from .buildings import generate_buildings
from .consolidation import add_economy, generate_counties
from .constraints import generate_dev_boundary, generate_farmland, generate_redlines
from .dem import DEM_CELL, DEM_NODATA, generate_dem
from .enterprises import generate_enterprises
from .parcels import generate_parcels
from .roads import generate_roads
from .standard_land import add_conflicts, add_indicator_packages, generate_assessments
from .zones import generate_parks, generate_requests, generate_zones


@dataclass(frozen=True)
class SampleData:
    """Every layer of the sample workspace, in EPSG:4544."""

    zones: gpd.GeoDataFrame
    parks: gpd.GeoDataFrame
    parcels: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    enterprises: pd.DataFrame
    redlines: gpd.GeoDataFrame
    farmland: gpd.GeoDataFrame
    dev_boundary: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    requests: gpd.GeoDataFrame
    assessments: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame


def generate_sample(seed: int = 2026) -> SampleData:
    """All vector layers and the enterprise table from one seed (the DEM is separate).

    Each layer draws from its own child stream of ``numpy.random.SeedSequence(seed)``.

    Examples
    --------
    >>> s = generate_sample(7)  # doctest: +SKIP
    >>> s.zones.zone_id.tolist()  # doctest: +SKIP
    ['G510001', 'S510101', 'S510102']
    """
    r = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(10)]
    zones = generate_zones(r[0])
    parks = generate_parks(r[1], zones)
    requests = generate_requests(r[2], zones)
    redlines = generate_redlines(r[3], zones, parks, requests)
    dev = generate_dev_boundary(r[4], zones, parks, requests, redlines)
    farmland = generate_farmland(r[5], dev, redlines, requests)
    parcels = generate_parcels(r[6], zones, parks)
    buildings = generate_buildings(r[7], parcels)
    enterprises = generate_enterprises(r[8], parcels, buildings, zones, parks)
    roads = generate_roads(r[9], parcels, zones, parks)
    # 标准地: its own stream (child 11; the DEM takes child 10), so no other layer changes.
    rs = np.random.default_rng(np.random.SeedSequence(seed).spawn(12)[11])
    parcels = add_indicator_packages(rs, parcels)
    redlines, farmland, dev = add_conflicts(rs, parcels, redlines, farmland, dev, requests)
    assessments = generate_assessments(zones, parks)
    # 一区多园: GDP and fiscal revenue from their own stream (child 12), after every other
    # draw, so no other layer changes; the counties are drawn without randomness.
    economy_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(13)[12])
    zones = add_economy(economy_rng, zones)
    parks = add_economy(economy_rng, parks)
    return SampleData(zones.drop(columns="block_names"), parks, parcels, buildings,
                      enterprises, redlines, farmland, dev, roads, requests, assessments,
                      generate_counties())


# Chinese headers of the enterprise table (aliases in schema.py) and units for the notes.
_ENTERPRISE_HEADERS = {
    "enterprise_id": ("统一社会信用代码", ""), "name": ("企业名称", ""),
    "parcel_id": ("地块编号", ""), "industry_code": ("行业代码", "GB/T 4754-2002 两位码"),
    "industry_std": ("行业分类标准", ""), "revenue": ("营业收入", "万元"),
    "tax": ("税收", "万元"), "value_added": ("增加值", "万元"),
    "energy_tce": ("综合能耗", "吨标准煤"), "employees": ("从业人员", "人"),
    "rd_spend": ("研发投入", "万元"), "fixed_investment": ("固定资产投资", "万元"),
}
_PARK_HEADERS = {"park_id": "园区编号", "name": "名称", "city": "所在市", "county": "区县",
                 "industries": "主导产业", "host_zone_id": "托管高新区",
                 # dBase names hold 10 bytes: 4 GBK characters at most.
                 "gdp": "GDP", "fiscal_revenue": "财政收入"}


@contextlib.contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    """Keep GDAL from stamping the current time into GeoPackage metadata."""
    key = "OGR_CURRENT_DATE"
    old = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: "2026-01-01T00:00:00Z"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: old})


def _write_xlsx(table: pd.DataFrame, path: Path) -> None:
    headers = {k: v[0] for k, v in _ENTERPRISE_HEADERS.items()}
    notes = pd.DataFrame(
        [(v[0], k, v[1]) for k, v in _ENTERPRISE_HEADERS.items()],
        columns=["字段", "标准字段", "单位"],
    )
    stamp = dt.datetime(2026, 1, 1)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.rename(columns=headers).to_excel(writer, sheet_name="规上企业", index=False)
        notes.to_excel(writer, sheet_name="说明", index=False)
        properties = writer.book.properties
        properties.created = stamp
        properties.creator = "gaoxin"
    # Saving overwrites ``modified`` with the current time and stamps it on every zip
    # entry too: repack with both pinned, so the same seed gives the same bytes.
    properties.modified = stamp
    with zipfile.ZipFile(path) as book:
        members = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w") as book:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = tostring(properties.to_tree())
            pinned = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            pinned.external_attr = info.external_attr
            book.writestr(pinned, data, compress_type=info.compress_type)


def _write_dem(elevation: npt.NDArray[np.float32], origin: tuple[float, float],
               path: Path) -> None:
    import rasterio
    from rasterio.transform import Affine

    profile = {
        "driver": "GTiff", "dtype": "float32", "count": 1, "height": elevation.shape[0],
        "width": elevation.shape[1], "crs": CRS, "nodata": DEM_NODATA,
        "transform": Affine(DEM_CELL, 0.0, origin[0], 0.0, -DEM_CELL, origin[1]),
        "compress": "deflate", "predictor": 3, "tiled": True, "blockxsize": 512,
        "blockysize": 512, "zlevel": 1,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(elevation, 1)
        dst.update_tags(AREA_OR_POINT="Area", source="gaoxin sample (synthetic)")
        dst.set_band_unit(1, "metre")


def _toml_text(national: str) -> str:
    return f'''# gaoxin sample workspace (synthetic data, written by gaoxin.sample).
# A national 高新区 in three 区块 and two provincial ones south-west of Chengdu, with the
# parks, parcels, buildings, enterprises and 三区三线 around them. Paths are relative to
# this file. Coordinates: CGCS2000 3° Gauss-Krüger CM 105°E (EPSG:4544) unless stated.

[workspace]
name = "成都西南示例高新区"
# crs = "EPSG:4544"   # optional working-CRS override

[layers.zones]
path = "zones.gpkg"
layer = "zones"

[layers.parks]
path = "parks/parks.shp"
# encoding = "GBK"    # optional: this file has no .cpg and gaoxin detects GBK by itself

[layers.parcels]
path = "parcels.gpkg"
[layers.parcels.fields]   # optional: canonical = "column in the file"
# parcel_id = "地块编号"

[layers.buildings]
path = "buildings.gpkg"

[layers.enterprises]
path = "enterprises.xlsx"   # Chinese headers: 统一社会信用代码, 企业名称, 地块编号 …

[layers.redlines]           # 生态保护红线
path = "constraints.gpkg"
layer = "redlines"

[layers.farmland]           # 永久基本农田
path = "constraints.gpkg"
layer = "farmland"

[layers.dev_boundary]       # 城镇开发边界
path = "constraints.gpkg"
layer = "dev_boundary"

[layers.roads]
path = "constraints.gpkg"
layer = "roads"
# crs = "..." may declare a CRS for files with none

[layers.assessments]        # 已完成的区域评估 (标准地), one polygon per type and site
path = "assessments.gpkg"

[layers.counties]           # 县级行政区 (一区多园: same / adjacent county)
path = "counties.gpkg"

[layers.dem]                # 30 m elevation, metres
path = "dem.tif"

[requests.request_clean]    # GeoJSON, EPSG:4326
path = "requests/request_clean.geojson"
zone = "{national}"

[requests.request_conflict] # 界址点坐标 TXT, GBK
path = "requests/request_conflict.txt"
zone = "{national}"
'''


def write_sample_workspace(dest: Path, *, seed: int = 2026) -> Path:
    """Write the sample workspace into ``dest`` and return its ``gaoxin.toml``.

    Files: ``zones.gpkg``; ``parks/parks.shp`` (GBK, Chinese field names, no ``.cpg``);
    ``parcels.gpkg`` (地块编号 and 用地性质 as column names); ``buildings.gpkg``;
    ``enterprises.xlsx`` (Chinese headers); ``constraints.gpkg`` (layers redlines,
    farmland, dev_boundary, roads); ``counties.gpkg``; ``dem.tif`` (30 m, float32,
    deflate, nodata −9999);
    ``requests/request_clean.geojson`` (EPSG:4326) and
    ``requests/request_conflict.txt`` (界址点坐标, GBK). The same seed gives the same
    attribute values and geometries; it takes about 10 s.

    Parameters
    ----------
    dest
        Folder to write into (created if needed; existing sample files are replaced).
    seed
        Seed of the random generator.

    Returns
    -------
    pathlib.Path
        The workspace file ``dest / "gaoxin.toml"``.

    Examples
    --------
    >>> import tempfile, tomllib
    >>> toml = write_sample_workspace(Path(tempfile.mkdtemp()))  # doctest: +SKIP
    >>> tomllib.loads(toml.read_text(encoding="utf-8"))["workspace"]["name"]  # doctest: +SKIP
    '成都西南示例高新区'
    """
    from ..layers.boundary_txt import write_boundary_txt

    dest = Path(dest)
    (dest / "parks").mkdir(parents=True, exist_ok=True)
    (dest / "requests").mkdir(parents=True, exist_ok=True)
    data = generate_sample(seed)
    dem_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(11)[10])
    for name in ("zones.gpkg", "parcels.gpkg", "buildings.gpkg", "constraints.gpkg",
                 "assessments.gpkg", "counties.gpkg"):
        (dest / name).unlink(missing_ok=True)
    with _fixed_gdal_date():
        data.zones.to_file(dest / "zones.gpkg", layer="zones", driver="GPKG")
        parcels = data.parcels.rename(columns={"parcel_id": "地块编号", "land_use": "用地性质"})
        parcels.to_file(dest / "parcels.gpkg", layer="parcels", driver="GPKG")
        data.buildings.to_file(dest / "buildings.gpkg", layer="buildings", driver="GPKG")
        data.assessments.to_file(dest / "assessments.gpkg", layer="assessments", driver="GPKG")
        data.counties.to_file(dest / "counties.gpkg", layer="counties", driver="GPKG")
        for layer in ("redlines", "farmland", "dev_boundary", "roads"):
            getattr(data, layer).to_file(dest / "constraints.gpkg", layer=layer,
                                         driver="GPKG", SPATIAL_INDEX="YES")
    shp = dest / "parks" / "parks.shp"
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        shp.with_suffix(suffix).unlink(missing_ok=True)
    data.parks.rename(columns=_PARK_HEADERS).to_file(shp, driver="ESRI Shapefile",
                                                     encoding="GBK")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    _write_xlsx(data.enterprises, dest / "enterprises.xlsx")
    requests = data.requests.set_index("request")
    clean = requests.loc[["request_clean"], ["parcel_id", "name", "geometry"]]
    clean_path = dest / "requests" / "request_clean.geojson"
    clean_path.unlink(missing_ok=True)
    clean.reset_index(drop=True).to_crs(4326).to_file(clean_path, driver="GeoJSON")
    conflict = requests.loc[["request_conflict"], ["parcel_id", "name", "geometry"]]
    write_boundary_txt(conflict.reset_index(drop=True), dest / "requests" /
                       "request_conflict.txt", encoding="gbk")
    elevation, origin = generate_dem(dem_rng)
    _write_dem(elevation, origin, dest / "dem.tif")
    toml = dest / "gaoxin.toml"
    toml.write_text(_toml_text(data.zones.zone_id.iloc[0]), encoding="utf-8")
    return toml
