"""A deterministic sample workspace south-west of Chengdu, for demos and tests.

One national 高新区 in three 区块 and two provincial ones, twelve other industrial parks,
about 5,000 parcels tiling them, 15,000 buildings, 1,200 enterprise rows, the 三区三线
(生态保护红线, 永久基本农田, 城镇开发边界), roads, a 30 m DEM with the Longmen/Qionglai
mountain front in the west, and two expansion requests for the national zone: one clean
and one that crosses a red-line patch, several farmland patches and the development
boundary. Everything sits at real coordinates (about 103.4–104.3°E, 30.3–30.8°N), so every
analysis has something true to find.

The ``generate_*`` functions are pure: a :class:`numpy.random.Generator` (and the layers
they depend on) in, a GeoDataFrame in EPSG:4544 (CGCS2000 3° Gauss-Krüger, CM 105°E) out.
:func:`generate_sample` runs them all from one seed; :func:`write_sample_workspace` writes
the files in the mix of formats real workspaces arrive in, and a ``gaoxin.toml``.

Enterprise rows are (firm, parcel) pairs: a firm on several parcels has one row per parcel,
and its figures are split over those rows in proportion to the land it holds there, so the
rows sum to the firm's totals and to each parcel's totals.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from ..geo.units import M2_PER_KM2, M2_PER_MU

__all__ = [
    "CRS",
    "SampleData",
    "generate_buildings",
    "generate_dem",
    "generate_dev_boundary",
    "generate_enterprises",
    "generate_farmland",
    "generate_parcels",
    "generate_parks",
    "generate_redlines",
    "generate_requests",
    "generate_roads",
    "generate_sample",
    "generate_zones",
    "write_sample_workspace",
]

CRS = "EPSG:4544"
DEM_CELL = 30.0
DEM_NODATA = -9999.0
# Extent of the workspace (longitude, latitude; CGCS2000).
EXTENT_LONLAT = (103.40, 30.30, 104.30, 30.80)
_TO_XY = Transformer.from_crs(4490, 4544, always_xy=True)

# County seats (lon, lat, county, city, administrative code for credit codes).
_COUNTIES = (
    (103.923, 30.574, "双流区", "成都市", "510116"),
    (103.812, 30.410, "新津区", "成都市", "510132"),
    (103.672, 30.631, "崇州市", "成都市", "510184"),
    (103.521, 30.587, "大邑县", "成都市", "510129"),
    (103.464, 30.410, "邛崃市", "成都市", "510183"),
    (103.506, 30.200, "蒲江县", "成都市", "510131"),
    (103.837, 30.682, "温江区", "成都市", "510115"),
    (103.887, 30.808, "郫都区", "成都市", "510117"),
    (104.043, 30.642, "武侯区", "成都市", "510107"),
    (104.274, 30.557, "龙泉驿区", "成都市", "510112"),
    (104.070, 30.420, "双流区", "成都市", "510116"),
)

# The three 高新区: id, name, short name, level, county, industries, blocks
# (letter, block name, lon, lat, area range in km²).
_ZONES = (
    ("G510001", "蜀西高新技术产业开发区", "蜀西高新区", "national", "双流区",
     "电子信息;生物医药;高端装备制造",
     (("A", "核心区", 103.950, 30.565, (12.0, 15.0)),
      ("B", "南区", 104.060, 30.490, (7.0, 10.0)),
      ("C", "西区", 103.870, 30.480, (5.0, 7.0)))),
    ("S510101", "金马省级高新技术产业园区", "金马高新区", "provincial", "温江区",
     "生物医药;医疗器械;健康食品", (("", "", 103.800, 30.670, (4.0, 7.0)),)),
    ("S510102", "五津省级高新技术产业园区", "五津高新区", "provincial", "新津区",
     "轨道交通装备;新材料;智能制造", (("", "", 103.800, 30.395, (3.0, 6.0)),)),
)

# Other industrial parks: lon, lat, area range (km²), theme, industries, hosting zone.
_PARKS = (
    (103.978, 30.591, (0.9, 1.4), "电子信息产业园", "电子信息;软件服务", "G510001"),
    (104.115, 30.530, (1.6, 2.4), "航空配套产业园", "高端装备制造;航空配套", "G510001"),
    (103.835, 30.535, (0.6, 1.0), "生物医药产业园", "生物医药", ""),
    (103.720, 30.600, (3.0, 4.0), "食品饮料产业园", "食品饮料;农产品加工", ""),
    (103.620, 30.550, (1.2, 1.8), "建材家居产业园", "建材;家具", ""),
    (103.660, 30.420, (4.0, 5.0), "纺织服装产业园", "纺织服装;食品加工", ""),
    (103.935, 30.380, (2.0, 3.0), "新能源产业园", "新能源;电气机械", ""),
    (104.170, 30.400, (5.0, 6.0), "汽车零部件产业园", "汽车零部件;智能制造", ""),
    (103.760, 30.745, (0.8, 1.2), "医疗器械产业园", "医疗器械;生物医药", ""),
    (104.195, 30.625, (0.4, 0.6), "物流园", "物流仓储", ""),
    (103.985, 30.725, (0.3, 0.45), "农产品加工园", "农产品加工", ""),
    (103.570, 30.355, (5.0, 6.0), "化工新材料产业园", "化工;新材料", ""),
)

# Industry names → GB/T 4754-2002 two-digit codes (domain.md §2.3; 58/65/72/75 services).
_INDUSTRY_CODES = {
    "电子信息": ("40", "41"), "软件服务": ("65",), "生物医药": ("27",),
    "高端装备制造": ("35", "36", "37"), "航空配套": ("37", "36"), "医疗器械": ("36", "41"),
    "健康食品": ("14", "15"), "轨道交通装备": ("37",), "新材料": ("26", "30", "31"),
    "智能制造": ("35", "39", "40"), "食品饮料": ("13", "14", "15"), "农产品加工": ("13",),
    "建材": ("31",), "家具": ("21", "20"), "纺织服装": ("17", "18"), "食品加工": ("13", "14"),
    "新能源": ("39", "26"), "电气机械": ("39",), "汽车零部件": ("37", "34"),
    "物流仓储": ("58",), "化工": ("26", "28", "29"),
}
_ALL_INDUSTRIAL = ("13", "14", "15", "17", "18", "20", "21", "22", "23", "24", "26", "27",
                   "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "39", "40",
                   "41", "42", "43")
_SERVICE_CODES = ("65", "72", "75")
_CODE_WORDS = {
    "13": "农副食品", "14": "食品", "15": "饮品", "17": "纺织", "18": "服饰", "20": "木业",
    "21": "家具", "22": "纸业", "23": "印务", "24": "文体用品", "26": "化工", "27": "药业",
    "28": "化纤", "29": "橡胶制品", "30": "塑胶", "31": "新型建材", "32": "钢铁",
    "33": "有色金属", "34": "金属制品", "35": "机械", "36": "智能装备", "37": "汽车部件",
    "39": "电气", "40": "电子科技", "41": "仪器仪表", "42": "工艺品", "43": "再生资源",
    "58": "物流", "65": "软件", "72": "企业管理咨询", "75": "技术研究院",
}
# Relative output per mu, energy intensity by code (1 = average).
_OUTPUT_FACTOR = {"40": 1.5, "41": 1.3, "27": 1.4, "37": 1.2, "36": 1.1, "39": 1.1,
                  "31": 0.6, "20": 0.6, "21": 0.7, "17": 0.7, "58": 0.5, "13": 0.9}
_ENERGY_FACTOR = {"26": 3.0, "31": 3.5, "32": 4.0, "33": 3.5, "28": 2.0, "22": 2.0,
                  "40": 0.5, "41": 0.4, "65": 0.2, "72": 0.2, "75": 0.3, "58": 0.4}

_BRAND_A = "蜀锦天华瑞博宏鑫通盛德源恒泰科嘉弘岷峨汇川锐振康安信达新启星"
_BRAND_B = "成创晟阳辉远禾丰宇邦腾拓众诚峰联融翔洲锋凯润越合智和"

# Land-use mixes of districts (M1, M2, M3, W1, R2, B1, B2) by owner kind.
_DISTRICT_USES = ("M1", "M2", "M3", "W1", "R2", "B1", "B2")
_DISTRICT_MIX = {
    "national": (0.38, 0.14, 0.02, 0.07, 0.20, 0.10, 0.09),
    "provincial": (0.45, 0.20, 0.04, 0.09, 0.12, 0.06, 0.04),
    "park": (0.50, 0.22, 0.06, 0.12, 0.04, 0.04, 0.02),
}
_INDUSTRIAL_USES = ("M1", "M2", "M3", "W1")
_BUILT_STATUS = {"M1": "A2", "M2": "A2", "M3": "A2", "W1": "A2", "R2": "A1", "B1": "A4",
                 "B2": "A4", "A1": "A52", "U1": "A6", "G1": "A51", "S1": "A31"}
_BUILDING_STATUS = ("A1", "A2", "A4", "A52", "A6", "B12")

_CN_DIGITS = "零一二三四五六七八九"


# ---------------------------------------------------------------------------- helpers


def _xy(lon: float, lat: float) -> np.ndarray:
    """Longitude/latitude (CGCS2000) → EPSG:4544 metres."""
    x, y = _TO_XY.transform(lon, lat)
    return np.array([x, y])


def _bearing(degrees: float) -> np.ndarray:
    """Unit vector of a compass bearing (clockwise from north)."""
    r = math.radians(degrees)
    return np.array([math.sin(r), math.cos(r)])


def _cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (n < 100)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _blob(
    rng: np.random.Generator,
    centre: np.ndarray,
    area_m2: float,
    *,
    n: int = 48,
    rough: float = 0.18,
    harmonics: int = 5,
    aspect: float = 1.0,
    angle: float | None = None,
) -> shapely.Polygon:
    """An organic star-shaped polygon of a given area around ``centre``.

    Examples
    --------
    >>> p = _blob(np.random.default_rng(1), np.array([0.0, 0.0]), 1e6)
    >>> p.is_valid, round(p.area)
    (True, 1000000)
    """
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    k = np.arange(2, harmonics + 2)
    amp = rough * rng.uniform(0.4, 1.0, k.size) / (k - 1)
    phase = rng.uniform(0.0, 2 * np.pi, k.size)
    r = 1.0 + (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0)
    r = np.clip(r, 0.55, 1.35)
    a = rng.uniform(0.0, np.pi) if angle is None else angle
    x = r * np.cos(theta) * math.sqrt(aspect)
    y = r * np.sin(theta) / math.sqrt(aspect)
    xr = x * math.cos(a) - y * math.sin(a)
    yr = x * math.sin(a) + y * math.cos(a)
    unit = shapely.Polygon(np.c_[xr, yr])
    s = math.sqrt(area_m2 / unit.area)
    return shapely.Polygon(np.c_[xr * s + centre[0], yr * s + centre[1]])


def _edge_point(poly: shapely.Geometry, centre: np.ndarray, bearing: float) -> np.ndarray:
    """The farthest point of ``poly``'s boundary along a ray from ``centre``."""
    far = centre + _bearing(bearing) * 50_000.0
    hits = shapely.get_coordinates(
        shapely.intersection(shapely.LineString([centre, far]), shapely.boundary(poly))
    )
    d = np.hypot(*(hits - centre).T)
    return hits[int(np.argmax(d))]


def _largest_part(geom: shapely.Geometry) -> shapely.Polygon:
    parts = shapely.get_parts(geom)
    return parts[int(np.argmax(shapely.area(parts)))]


def _county_of(point: np.ndarray) -> tuple[str, str, str]:
    """(county, city, administrative code) of the nearest county seat."""
    seats = np.array([_xy(c[0], c[1]) for c in _COUNTIES])
    i = int(np.argmin(np.hypot(*(seats - point).T)))
    return _COUNTIES[i][2], _COUNTIES[i][3], _COUNTIES[i][4]


def _random_points_in(
    rng: np.random.Generator, geom: shapely.Geometry, n: int
) -> np.ndarray:
    """``n`` uniform random points inside ``geom`` (rejection sampling)."""
    xmin, ymin, xmax, ymax = geom.bounds
    shapely.prepare(geom)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        pts = rng.uniform((xmin, ymin), (xmax, ymax), size=(max(4 * n, 16), 2))
        pts = pts[shapely.contains_xy(geom, pts[:, 0], pts[:, 1])]
        out.append(pts)
        got += len(pts)
    return np.concatenate(out)[:n]


def _frame(data: dict[str, object], geometry: Sequence[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=list(geometry), crs=CRS)


# ------------------------------------------------------------------------------ zones


def generate_zones(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The three 高新区: a national zone of three 区块 and two provincial single-block zones.

    Every zone is a MultiPolygon of its 区块. ``approved_area_ha`` (核准面积) is within
    ±4 % of the drawn area, as approved and surveyed areas differ. A ``block_names``
    column lists the 区块 names in part order.

    Examples
    --------
    >>> z = generate_zones(np.random.default_rng(0))
    >>> list(z.zone_id), list(z.level)
    (['G510001', 'S510101', 'S510102'], ['national', 'provincial', 'provincial'])
    >>> len(shapely.get_parts(z.geometry.iloc[0]))
    3
    """
    rows: dict[str, list[object]] = {k: [] for k in (
        "zone_id", "name", "level", "city", "county", "approved_area_ha", "industries",
        "block_names")}
    geoms = []
    for zone_id, name, _short, level, county, industries, blocks in _ZONES:
        parts = [
            _blob(rng, _xy(lon, lat), rng.uniform(*area) * M2_PER_KM2, n=14, rough=0.10,
                  harmonics=3, aspect=rng.uniform(1.0, 1.6))
            for _letter, _bname, lon, lat, area in blocks
        ]
        geom = shapely.MultiPolygon(parts)
        geoms.append(geom)
        rows["zone_id"].append(zone_id)
        rows["name"].append(name)
        rows["level"].append(level)
        rows["city"].append("成都市")
        rows["county"].append(county)
        rows["approved_area_ha"].append(round(geom.area / 1e4 * rng.uniform(0.96, 1.04), 2))
        rows["industries"].append(industries)
        rows["block_names"].append(";".join(b[1] for b in blocks if b[1]))
    return _frame(rows, geoms)


def _zone_blocks(zones: gpd.GeoDataFrame) -> list[tuple[str, str, shapely.Polygon]]:
    """(zone_id, block letter, polygon) for every 区块, in the order of ``_ZONES``."""
    out = []
    for (zone_id, *_rest, blocks), geom in zip(_ZONES, zones.geometry, strict=True):
        parts = shapely.get_parts(geom)
        for (letter, *_), part in zip(blocks, parts, strict=True):
            out.append((zone_id, letter, part))
    return out


# ------------------------------------------------------------------------------ parks


def generate_parks(rng: np.random.Generator, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Twelve other industrial parks, 1–30 km from the zones, 0.3–6 km² each.

    Some share a zone's industries (candidates for 一区多园), some do not; two are
    already hosted (托管) by the national zone.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = generate_parks(rng, generate_zones(rng))
    >>> len(p), bool(p.intersects(generate_zones(np.random.default_rng(0)).union_all()).any())
    (12, False)
    """
    taken = zones.geometry.union_all()
    rows: dict[str, list[object]] = {k: [] for k in (
        "park_id", "name", "city", "county", "industries", "host_zone_id")}
    geoms = []
    for i, (lon, lat, area, theme, industries, host) in enumerate(_PARKS, start=1):
        centre = _xy(lon, lat)
        geom = _blob(rng, centre, rng.uniform(*area) * M2_PER_KM2, n=12, rough=0.12,
                     harmonics=3, aspect=rng.uniform(1.0, 1.8))
        if geom.distance(taken) < 500.0:  # never: the layout keeps them apart
            raise RuntimeError(f"sample park {i} collides with another site")
        taken = shapely.union(taken, geom)
        county, city, _code = _county_of(centre)
        stem = county.removesuffix("区").removesuffix("县").removesuffix("市")
        stem = stem.removesuffix("驿") if stem.endswith("泉驿") else stem
        geoms.append(geom)
        rows["park_id"].append(f"YQ{i:02d}")
        rows["name"].append(f"{stem}{theme}")
        rows["city"].append(city)
        rows["county"].append(county)
        rows["industries"].append(industries)
        rows["host_zone_id"].append(host or None)
    return _frame(rows, geoms)


# --------------------------------------------------------------------------- requests


def generate_requests(
    rng: np.random.Generator, zones: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Two expansion requests (扩区申请) of the national zone.

    ``request_clean`` (~3–5 km²) adjoins the 核心区 to the north-west, in open land the
    development boundary will include. ``request_conflict`` (~5 km²) adjoins the 西区 to
    the west-south-west, reaching out into farmland and towards a wetland red-line patch
    (:func:`generate_redlines` places that patch across it).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> r = generate_requests(rng, generate_zones(rng))
    >>> list(r.request), [bool(a) for a in (r.area / 1e6).between(3, 6)]
    (['request_clean', 'request_conflict'], [True, True])
    """
    blocks = {f"{z}{b}": g for z, b, g in _zone_blocks(zones)}
    specs = (
        ("request_clean", "G510001A", 315.0, (3.8, 4.6), "KQ-1", "蜀西高新区核心区扩区地块"),
        ("request_conflict", "G510001C", 250.0, (5.4, 6.0), "KQ-2",
         "蜀西高新区西区扩区地块"),
    )
    rows: dict[str, list[object]] = {k: [] for k in ("request", "zone_id", "parcel_id",
                                                     "name")}
    geoms = []
    for request, block_key, bearing, area, pid, name in specs:
        block = blocks[block_key]
        centre = np.array(block.centroid.coords[0])
        edge = _edge_point(block, centre, bearing)
        a = rng.uniform(*area) * M2_PER_KM2
        radius = math.sqrt(a / math.pi)
        blob = _blob(rng, edge + _bearing(bearing) * radius * 0.8, a, n=16, rough=0.08,
                     harmonics=3, aspect=1.2, angle=math.radians(90.0 - bearing))
        geoms.append(_largest_part(shapely.difference(blob, block)))
        rows["request"].append(request)
        rows["zone_id"].append("G510001")
        rows["parcel_id"].append(pid)
        rows["name"].append(name)
    return _frame(rows, geoms)


# ---------------------------------------------------------------------- 三区三线


def _mountain_front_x(y: np.ndarray) -> np.ndarray:
    """Easting (EPSG:4544) of the Longmen/Qionglai mountain front at northing ``y``."""
    (x0, y0), (x1, y1) = _xy(103.475, 30.30), _xy(103.575, 30.80)
    return x0 + (np.asarray(y) - y0) * (x1 - x0) / (y1 - y0)


def _extent_box() -> shapely.Polygon:
    lon0, lat0, lon1, lat1 = EXTENT_LONLAT
    lon = np.r_[np.linspace(lon0, lon1, 20), np.full(20, lon1), np.linspace(lon1, lon0, 20),
                np.full(20, lon0)]
    lat = np.r_[np.full(20, lat0), np.linspace(lat0, lat1, 20), np.full(20, lat1),
                np.linspace(lat1, lat0, 20)]
    x, y = _TO_XY.transform(lon, lat)
    return shapely.box(*shapely.Polygon(np.c_[x, y]).bounds)


def generate_redlines(
    rng: np.random.Generator,
    zones: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    requests: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """生态保护红线: large organic patches in the western mountains, a forest patch on the
    Longquan ridge in the east, and one wetland patch beside the national zone's 西区 that
    ``request_conflict`` crosses.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z); r = generate_requests(rng, z)
    >>> red = generate_redlines(rng, z, p, r)
    >>> bool(red.intersects(r.geometry.iloc[1]).any()), bool(red.intersects(z.union_all()).any())
    (True, False)
    """
    box = _extent_box()
    patches = []
    names = []
    for k, lat in enumerate(np.linspace(30.33, 30.77, 7)):
        front = _mountain_front_x(_xy(103.5, lat)[1])
        centre = np.array([front - rng.uniform(7_000, 12_000), _xy(103.5, lat)[1]])
        patches.append(_blob(rng, centre, rng.uniform(40, 90) * M2_PER_KM2, n=96,
                             rough=0.35, harmonics=9, aspect=rng.uniform(1.5, 2.5),
                             angle=math.radians(rng.uniform(60, 80))))
        names.append("龙门山生物多样性维护生态保护红线" if k >= 4
                     else "邛崃山水源涵养生态保护红线")
    patches.append(_blob(rng, _xy(104.285, 30.50), rng.uniform(8, 12) * M2_PER_KM2, n=72,
                         rough=0.3, harmonics=8, aspect=3.0, angle=math.radians(75)))
    names.append("龙泉山城市森林公园生态保护红线")
    # The wetland patch: across the outer part of request_conflict.
    conflict = requests.geometry.iloc[1]
    rc = np.array(conflict.centroid.coords[0])
    zone_c = _zone_blocks(zones)[2][2]
    out = rc - np.array(zone_c.centroid.coords[0])
    out /= np.hypot(*out)
    side = np.array([-out[1], out[0]])
    patches.append(_blob(rng, rc + out * 700.0 + side * 1_100.0,
                         rng.uniform(1.3, 1.7) * M2_PER_KM2, n=64, rough=0.3, harmonics=7))
    names.append("西河湿地生态保护红线")
    keep_out = shapely.union_all([
        zones.geometry.buffer(150.0).union_all(), parks.geometry.buffer(150.0).union_all(),
        requests.geometry.iloc[0].buffer(300.0),
    ])
    geoms: list[shapely.Geometry] = []
    out_names: list[str] = []
    taken = shapely.Polygon()
    for patch, name in zip(patches, names, strict=True):
        clipped = shapely.difference(shapely.intersection(patch, box),
                                     shapely.union(keep_out, taken))
        for part in shapely.get_parts(clipped):
            if part.area > 0.2 * M2_PER_KM2:
                geoms.append(part)
                out_names.append(name)
        taken = shapely.union(taken, patch)
    ids = [f"HX{i:03d}" for i in range(1, len(geoms) + 1)]
    return _frame({"patch_id": ids, "name": out_names}, geoms)


def generate_dev_boundary(
    rng: np.random.Generator,
    zones: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    requests: gpd.GeoDataFrame,
    redlines: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """城镇开发边界: the zones and parks with a margin, ``request_clean``, the Chengdu
    urban area and the county towns, less the red lines (the 三线 do not overlap).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z); r = generate_requests(rng, z)
    >>> red = generate_redlines(rng, z, p, r)
    >>> dev = generate_dev_boundary(rng, z, p, r, red)
    >>> bool(dev.union_all().contains(z.union_all())), bool(dev.intersects(red.union_all()).any())
    (True, False)
    """
    pieces = [g.buffer(rng.uniform(350.0, 800.0)) for *_ids, g in _zone_blocks(zones)]
    pieces += [g.buffer(rng.uniform(250.0, 600.0)) for g in parks.geometry]
    pieces.append(requests.geometry.iloc[0].buffer(250.0))
    pieces.append(_blob(rng, _xy(104.07, 30.665), 150 * M2_PER_KM2, n=64, rough=0.2,
                        harmonics=6))
    for lon, lat, *_ in _COUNTIES[1:7]:
        if lon > 103.55:  # county towns on the plain
            pieces.append(_blob(rng, _xy(lon, lat), rng.uniform(6, 14) * M2_PER_KM2, n=40,
                                rough=0.2, harmonics=5))
    merged = shapely.union_all(pieces).buffer(200.0).buffer(-200.0)
    merged = shapely.difference(merged, redlines.geometry.union_all())
    merged = shapely.intersection(merged, _extent_box())
    parts = [p for p in shapely.get_parts(merged) if p.area > 0.05 * M2_PER_KM2]
    parts.sort(key=lambda p: (-p.area))
    ids = [f"KFBJ{i:03d}" for i in range(1, len(parts) + 1)]
    return _frame({"patch_id": ids}, parts)


def generate_farmland(
    rng: np.random.Generator,
    dev_boundary: gpd.GeoDataFrame,
    redlines: gpd.GeoDataFrame,
    requests: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """永久基本农田: a few hundred field-like patches on the plain outside the development
    boundary and the red lines, including a cluster where ``request_conflict`` leaves the
    boundary.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z); r = generate_requests(rng, z)
    >>> red = generate_redlines(rng, z, p, r)
    >>> dev = generate_dev_boundary(rng, z, p, r, red)
    >>> farm = generate_farmland(rng, dev, red, r)
    >>> 200 <= len(farm) <= 600, bool(farm.intersects(dev.union_all()).any())
    (True, False)
    """
    blocked = shapely.union(dev_boundary.geometry.union_all().buffer(40.0),
                            redlines.geometry.union_all().buffer(40.0))
    box = _extent_box()
    _xmin, ymin, _xmax, ymax = box.bounds
    plain = shapely.Polygon([
        (_mountain_front_x(ymin) + 4_000.0, ymin), (_xy(104.22, 30.3)[0], ymin),
        (_xy(104.22, 30.8)[0], ymax), (_mountain_front_x(ymax) + 4_000.0, ymax)])
    region = shapely.difference(requests.geometry.iloc[1], blocked)
    cluster = _random_points_in(rng, region, 8)
    seeds = np.concatenate([cluster, _random_points_in(rng, plain, 1_400)])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=box))
    # Match cells to seeds so the cluster's cells are always kept.
    _d, owner = cKDTree(seeds).query(shapely.get_coordinates(shapely.point_on_surface(cells)))
    cells = cells[np.argsort(owner)]
    keep = rng.random(len(cells)) < 0.28
    keep[: len(cluster)] = True
    cells = cells[keep]
    blobs = np.array([
        _blob(rng, np.array(c.centroid.coords[0]), c.area * rng.uniform(0.5, 0.9), n=28,
              rough=0.2, harmonics=4, aspect=rng.uniform(1.0, 2.5))
        for c in cells
    ], dtype=object)
    fields = shapely.difference(shapely.intersection(shapely.intersection(blobs, cells),
                                                     plain), blocked)
    geoms: list[shapely.Geometry] = []
    for g in fields:
        geoms.extend(p for p in shapely.get_parts(g) if p.area > 2e4)
    ids = [f"JBNT{i:04d}" for i in range(1, len(geoms) + 1)]
    return _frame({"patch_id": ids}, geoms)


# ---------------------------------------------------------------------------- parcels


@dataclass(frozen=True)
class _Owner:
    owner_id: str  # zone_id or park_id
    block: str  # 区块 letter ("" for single-block zones and parks)
    kind: str  # "national", "provincial", "park"
    short: str  # short name for parcel names
    geom: shapely.Polygon


def _owners(zones: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> list[_Owner]:
    shorts = {z[0]: z[2] for z in _ZONES}
    levels = {z[0]: z[3] for z in _ZONES}
    out = [_Owner(zid, b, levels[zid], shorts[zid], g) for zid, b, g in _zone_blocks(zones)]
    for pid, name, g in zip(parks.park_id, parks.name, parks.geometry, strict=True):
        out.append(_Owner(pid, "", "park", name, g))
    return out


def _grid_edges(rng: np.random.Generator, lo: float, hi: float, cell: float, road: float,
                period: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of grid lines from ``lo`` past ``hi``; every ``period+1``-th band a road."""
    pos = [lo]
    is_road: list[bool] = []
    k = int(rng.integers(period + 1))
    while pos[-1] < hi:
        r = k % (period + 1) == period
        pos.append(pos[-1] + (road if r else cell * rng.uniform(0.8, 1.2)))
        is_road.append(r)
        k += 1
    return np.array(pos), np.array(is_road)


def _grid_cells(
    rng: np.random.Generator, owner: _Owner, cell: tuple[float, float], road: float,
    period: int, merge: float,
) -> tuple[list[shapely.Polygon], list[str], list[str]]:
    """Cells of a jittered, rotated street grid over an owner, not yet clipped.

    Returns polygons, their kind ("block" or "road") and a road name ("" for blocks).
    Block cells share edges exactly; straight road strips run between them; some
    neighbouring block cells are merged into larger parcels.
    """
    angle = math.radians(rng.uniform(-25.0, 25.0))
    ca, sa = math.cos(angle), math.sin(angle)
    origin = np.array(owner.geom.centroid.coords[0])
    local = shapely.get_coordinates(owner.geom) - origin
    lx = local[:, 0] * ca + local[:, 1] * sa
    ly = -local[:, 0] * sa + local[:, 1] * ca
    xs, xroad = _grid_edges(rng, lx.min() - cell[0], lx.max(), cell[0], road, period)
    ys, yroad = _grid_edges(rng, ly.min() - cell[1], ly.max(), cell[1], road, period)
    nx, ny = len(xs) - 1, len(ys) - 1

    def free(flags: np.ndarray) -> np.ndarray:
        # A grid line may move across itself only when no road band touches it.
        pad = np.r_[False, flags, False]
        return ~(pad[:-1] | pad[1:])

    jx = rng.uniform(-1, 1, (ny + 1, nx + 1)) * 0.12 * cell[0] * free(xroad)[None, :]
    jy = rng.uniform(-1, 1, (ny + 1, nx + 1)) * 0.12 * cell[1] * free(yroad)[:, None]
    gx = xs[None, :] + jx
    gy = ys[:, None] + jy
    world_x = origin[0] + gx * ca - gy * sa
    world_y = origin[1] + gx * sa + gy * ca

    def node(i: int, j: int) -> tuple[float, float]:
        return float(world_x[i, j]), float(world_y[i, j])

    polys: list[shapely.Polygon] = []
    kinds: list[str] = []
    roads: list[str] = []
    # Block cells, some merged with their right-hand neighbour.
    local_col = np.zeros(nx, dtype=int)
    for j in range(1, nx):
        local_col[j] = 0 if xroad[j - 1] else local_col[j - 1] + 1
    merge_draw = rng.random((ny, nx)) < merge
    for i in range(ny):
        if yroad[i]:
            continue
        j = 0
        while j < nx:
            if xroad[j]:
                j += 1
                continue
            span = 1
            if (merge_draw[i, j] and local_col[j] % 2 == 0 and j + 1 < nx
                    and not xroad[j + 1]):
                span = 2
            ring = [node(i, j + k) for k in range(span + 1)]
            ring += [node(i + 1, j + span - k) for k in range(span + 1)]
            polys.append(shapely.Polygon(ring))
            kinds.append("block")
            roads.append("")
            j += span
    # Road strips: whole columns (through the crossings) and row segments between them.
    row_no = 0
    for col_no, j in enumerate(np.flatnonzero(xroad), start=1):
        ring = [node(i, j) for i in range(ny + 1)] + [node(i, j + 1) for i in range(ny, -1, -1)]
        polys.append(shapely.Polygon(ring))
        kinds.append("road")
        roads.append(f"{owner.short}纵{_cn_number(col_no)}路")
    for i in np.flatnonzero(yroad):
        row_no += 1
        j = 0
        while j < nx:
            if xroad[j]:
                j += 1
                continue
            j1 = j
            while j1 + 1 < nx and not xroad[j1 + 1]:
                j1 += 1
            ring = [node(i, k) for k in range(j, j1 + 2)]
            ring += [node(i + 1, k) for k in range(j1 + 1, j - 1, -1)]
            polys.append(shapely.Polygon(ring))
            kinds.append("road")
            roads.append(f"{owner.short}横{_cn_number(row_no)}路")
            j = j1 + 1
    return polys, kinds, roads


def _clip_cells(owner: _Owner, polys: list[shapely.Polygon], kinds: list[str],
                roads: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clip grid cells to the owner, split multi-part pieces, fold slivers into neighbours."""
    shapely.prepare(owner.geom)
    clipped = shapely.intersection(np.array(polys, dtype=object), owner.geom)
    parts, index = shapely.get_parts(clipped, return_index=True)
    parts = shapely.make_valid(parts)
    keep = shapely.get_type_id(parts) == 3
    parts, index = parts[keep], index[keep]
    kind = np.array(kinds, dtype=object)[index]
    road = np.array(roads, dtype=object)[index]
    area = shapely.area(parts)
    small = (kind == "block") & (area < 1_500.0)
    big = ~small & (area >= 1.0)
    if small.any():
        targets = np.flatnonzero(big & (kind == "block"))
        tree = shapely.STRtree(parts[targets])
        s_idx, t_pos = tree.query(parts[small], predicate="intersects")
        shared = shapely.length(shapely.intersection(
            shapely.boundary(parts[small][s_idx]), shapely.boundary(parts[targets][t_pos])))
        best: dict[int, tuple[float, int]] = {}
        for s, t, length in zip(s_idx.tolist(), t_pos.tolist(), shared.tolist(), strict=True):
            if length > 5.0 and length > best.get(s, (0.0, -1))[0]:
                best[s] = (length, int(targets[t]))
        small_pos = np.flatnonzero(small)
        groups: dict[int, list[shapely.Geometry]] = {}
        for s, (_len, t) in sorted(best.items()):
            groups.setdefault(t, []).append(parts[small_pos[s]])
        for t, extra in groups.items():
            merged = shapely.union_all([parts[t], *extra])
            parts[t] = merged if merged.geom_type == "Polygon" else _largest_part(merged)
        orphans = np.array([i for i in range(len(small_pos)) if i not in best], dtype=int)
        keep_small = np.zeros(len(parts), dtype=bool)
        keep_small[small_pos[orphans]] = area[small_pos[orphans]] >= 300.0
        keep = big | keep_small
    else:
        keep = big
    keep &= ~((kind == "road") & (area < 200.0))
    return parts[keep], kind[keep], road[keep]


def _assign_land_use(rng: np.random.Generator, owner: _Owner, cents: np.ndarray,
                     kind: np.ndarray) -> np.ndarray:
    """Planning land-use codes: districts of one use, a few scattered A1/U1/G1, roads S1."""
    n_seeds = max(3, round(owner.geom.area / M2_PER_KM2 * 2.5))
    seeds = _random_points_in(rng, owner.geom, n_seeds)
    seed_use = rng.choice(_DISTRICT_USES, size=n_seeds, p=_DISTRICT_MIX[owner.kind])
    seed_use[0] = "M1"  # every site has an industrial core
    _d, nearest = cKDTree(seeds).query(cents)
    use = seed_use[nearest].astype(object)
    noise = rng.random(len(use))
    use[noise < 0.06] = rng.choice(_DISTRICT_USES, size=int((noise < 0.06).sum()),
                                   p=_DISTRICT_MIX[owner.kind])
    extra = rng.random(len(use))
    use[extra < 0.05] = "G1"
    use[(extra >= 0.05) & (extra < 0.075)] = "A1"
    use[(extra >= 0.075) & (extra < 0.10)] = "U1"
    use[kind == "road"] = "S1"
    return use


def _assign_status(rng: np.random.Generator, owner: _Owner, cents: np.ndarray,
                   use: np.ndarray) -> np.ndarray:
    """Land-status codes (domain.md §1.2): built at the core, unbuilt towards the edge."""
    core = np.array(owner.geom.centroid.coords[0])
    d = np.hypot(*(cents - core).T)
    rho = d / max(float(d.max()), 1.0)
    base, slope = {"national": (0.05, 0.45), "provincial": (0.08, 0.5),
                   "park": (0.10, 0.55)}[owner.kind]
    unbuilt = rng.random(len(use)) < base + slope * rho**2
    status = np.array([_BUILT_STATUS[u] for u in use], dtype=object)
    industrial = np.isin(use, _INDUSTRIAL_USES)
    public = np.isin(use, ("A1", "U1", "G1"))
    draw = rng.random(len(use))
    for i in np.flatnonzero(unbuilt & (use != "S1")):
        u = draw[i]
        if u < 0.06:
            status[i] = "B12"  # a village not yet cleared
        elif public[i]:
            status[i] = "D1" if u < 0.4 else "E1" if u < 0.6 else "B21" if u < 0.75 else "B22"
        elif u < 0.30:
            status[i] = "D21"
        elif u < 0.46:
            status[i] = "G"
        elif u < 0.70:
            status[i] = "E21" if industrial[i] else "E22"
        elif u < 0.82:
            status[i] = "B21"
        else:
            status[i] = "B22"
    return status


def _readiness(rng: np.random.Generator, owner: _Owner, status: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """标准地 readiness: regional assessment (per site), site servicing, acquisition."""
    assessed = {"G510001A": True, "G510001B": True, "G510001C": False, "S510101": True,
                "S510102": False}.get(owner.owner_id + owner.block)
    if assessed is None:
        assessed = bool(rng.random() < 0.4)
    n = len(status)
    regional = np.full(n, assessed)
    best = "七通一平" if owner.kind == "national" else "五通一平"
    servicing = np.full(n, best, dtype=object)
    acquisition = np.ones(n, dtype=bool)
    draw = rng.random(n)
    ready = np.isin(status, ("B21", "E1", "E21", "E22", "D1", "D21", "G"))
    servicing[ready] = np.where(draw[ready] < 0.35, "三通一平",
                                np.where(draw[ready] < 0.75, "五通一平", best))
    raw = np.isin(status, ("B22", "B12"))
    servicing[raw] = np.where(draw[raw] < 0.7, "未平整", "三通一平")
    acquisition[raw] = draw[raw] >= 0.8
    # B22 means 未达到供地条件: not acquired, or not even 三通一平.
    stuck = (status == "B22") & acquisition & (servicing != "未平整")
    servicing[stuck] = "未平整"
    return regional, servicing, acquisition


def generate_parcels(
    rng: np.random.Generator, zones: gpd.GeoDataFrame, parks: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """About 5,000 parcels tiling every zone block and park along jittered street grids.

    Block parcels share edges; road strips (S1) run between them; no two parcels overlap
    and every parcel lies inside its zone or park. Fields: parcel_id, land_use (GB 50137
    planning codes M1/M2/M3/W1/R2/B1/B2/A1/U1/G1/S1), status (domain.md §1.2), zone_id,
    planned_far_min/max (industrial parcels), name, regional_assessment, servicing,
    acquisition_done.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z)
    >>> parcels = generate_parcels(rng, z, p)
    >>> 4000 < len(parcels) < 6500, parcels.parcel_id.is_unique
    (True, True)
    """
    frames = []
    for owner in _owners(zones, parks):
        cell = (130.0, 105.0) if owner.kind == "park" else (118.0, 96.0)
        polys, kinds, roads = _grid_cells(rng, owner, cell, road=rng.choice([30.0, 40.0]),
                                          period=int(rng.integers(4, 6)), merge=0.22)
        geoms, kind, road = _clip_cells(owner, polys, kinds, roads)
        cents = shapely.get_coordinates(shapely.point_on_surface(geoms))
        use = _assign_land_use(rng, owner, cents, kind)
        status = _assign_status(rng, owner, cents, use)
        regional, servicing, acquisition = _readiness(rng, owner, status)
        n = len(geoms)
        far_min = np.full(n, np.nan)
        far_max = np.full(n, np.nan)
        for u, lo_choices in (("M1", (1.0, 1.2)), ("M2", (0.8, 1.0)), ("M3", (0.6, 0.7)),
                              ("W1", (0.8, 1.0))):
            m = use == u
            far_min[m] = rng.choice(lo_choices, size=int(m.sum()))
            far_max[m] = far_min[m] + rng.choice((1.0, 1.5, 2.0), size=int(m.sum()))
        prefix = f"{owner.owner_id}-{owner.block}"
        ids = [f"{prefix}{k:04d}" for k in range(1, n + 1)]
        block_name = f"{owner.block}区" if owner.block else ""
        names = [r if r else f"{owner.short}{block_name}{u}-{k:04d}地块"
                 for k, (r, u) in enumerate(zip(road, use, strict=True), start=1)]
        frames.append(pd.DataFrame({
            "parcel_id": ids, "land_use": use, "status": status,
            "zone_id": owner.owner_id, "planned_far_min": far_min,
            "planned_far_max": far_max, "name": names, "regional_assessment": regional,
            "servicing": servicing, "acquisition_done": acquisition, "geometry": geoms,
        }))
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


# -------------------------------------------------------------------------- buildings

# Per planning use: slot length and depth ranges (m), fill fraction, setback (m),
# floors (values, weights), storey height range (m).
_LAYOUTS: dict[str, tuple] = {
    "industrial": ((42, 72), (28, 44), (0.6, 0.88), 7.0,
                   ((1, 2, 3, 4, 5, 6, 8, 10, 12), (46, 20, 14, 10, 4, 2, 2, 1, 1)),
                   (4.2, 5.5)),
    "W1": ((60, 100), (36, 56), (0.75, 0.9), 8.0, ((1, 2, 3), (75, 18, 7)), (6.0, 8.0)),
    "R2": ((36, 48), (40, 52), (0.42, 0.55), 10.0,
          ((6, 9, 11, 15, 18, 24, 25), (10, 10, 25, 15, 20, 10, 10)), (2.9, 3.1)),
    "B": ((40, 70), (34, 52), (0.5, 0.8), 8.0,
          ((2, 3, 4, 5, 8, 12, 18, 22), (20, 20, 15, 15, 10, 10, 6, 4)), (3.8, 4.6)),
    "A1": ((40, 60), (28, 40), (0.5, 0.7), 10.0, ((3, 4, 5, 6, 8), (20, 25, 25, 20, 10)),
           (3.6, 4.2)),
    "U1": ((30, 50), (24, 36), (0.3, 0.5), 6.0, ((1, 2), (70, 30)), (4.5, 6.0)),
    "village": ((14, 20), (12, 18), (0.5, 0.7), 3.0, ((1, 2, 3), (25, 50, 25)), (3.0, 3.3)),
}


def _layout_key(use: str, status: str) -> str:
    if status == "B12":
        return "village"
    if use in ("M1", "M2", "M3"):
        return "industrial"
    if use in ("B1", "B2"):
        return "B"
    return use


def _rect(cx: float, cy: float, length: float, depth: float, ca: float, sa: float
          ) -> list[tuple[float, float]]:
    hx, hy = length / 2, depth / 2
    return [(cx + dx * ca - dy * sa, cy + dx * sa + dy * ca)
            for dx, dy in ((-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy))]


def _parcel_frame(geom: shapely.Polygon) -> tuple[np.ndarray, float, float, float, float]:
    """Centre, orientation (cos, sin) of the longer side, and length/depth of the
    parcel's minimum rotated rectangle."""
    rect = shapely.get_coordinates(shapely.oriented_envelope(geom))[:4]
    e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
    l1, l2 = float(np.hypot(*e1)), float(np.hypot(*e2))
    axis, length, depth = (e1, l1, l2) if l1 >= l2 else (e2, l2, l1)
    ca, sa = axis / max(length, 1e-9)
    return rect.mean(axis=0), float(ca), float(sa), length, depth


def _storeys(rng: np.random.Generator, key: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Floors and storey height for ``n`` buildings of a layout; tall workshops included."""
    *_shape, (values, weights), (h_lo, h_hi) = _LAYOUTS[key]
    p = np.array(weights, dtype=float)
    floors = rng.choice(np.array(values, dtype=float), size=n, p=p / p.sum())
    storey = rng.uniform(h_lo, h_hi, n)
    if key == "industrial":
        one = floors == 1
        storey[one] = rng.uniform(5.0, 7.5, int(one.sum()))
        tall = one & (rng.random(n) < 0.2)  # single-storey workshops over 8 m
        storey[tall] = rng.uniform(8.6, 13.0, int(tall.sum()))
    return floors, storey


def _straddle_pairs(rng: np.random.Generator, parcels: gpd.GeoDataFrame, n: int
                    ) -> list[tuple[int, int]]:
    """Up to ``n`` disjoint pairs of adjacent built industrial parcels with a long shared edge."""
    ok = np.flatnonzero((parcels.status.to_numpy() == "A2")
                        & parcels.land_use.isin(("M1", "M2", "M3")).to_numpy())
    geoms = parcels.geometry.to_numpy()[ok]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="touches")
    m = a < b
    a, b = a[m], b[m]
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[a]),
                                                 shapely.boundary(geoms[b])))
    m = shared > 60.0
    a, b = a[m], b[m]
    order = rng.permutation(len(a))
    used = np.zeros(len(ok), dtype=bool)
    out: list[tuple[int, int]] = []
    for k in order:
        i, j = int(a[k]), int(b[k])
        if used[i] or used[j]:
            continue
        used[i] = used[j] = True
        out.append((int(ok[i]), int(ok[j])))
        if len(out) >= n:
            break
    out.sort()
    return out


def generate_buildings(
    rng: np.random.Generator, parcels: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """About 15,000 building footprints: rectangles aligned with their parcel.

    Only on built parcels (status A1/A2/A4/A52/A6 and B12 villages). Industrial buildings
    are mostly 1–4 floors, with tall single-storey workshops (floors 1, height 9–14 m);
    ~10 % lack floors but have a height, a few have neither; ~3–5 % straddle two parcels.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1"], "land_use": ["M1"], "status": ["A2"]},
    ...                      geometry=[box(0, 0, 150, 100)], crs=CRS)
    >>> b = generate_buildings(np.random.default_rng(0), p)
    >>> len(b) > 0, bool(b.within(p.geometry.iloc[0]).all())
    (True, True)
    """
    status = parcels.status.to_numpy()
    use = parcels.land_use.to_numpy()
    geoms = parcels.geometry.to_numpy()
    built = np.flatnonzero(np.isin(status, _BUILDING_STATUS))
    rings: list[list[tuple[float, float]]] = []
    owner: list[int] = []
    keys: list[str] = []
    for i in built:
        key = _layout_key(use[i], status[i])
        (l_lo, l_hi), (d_lo, d_hi), (f_lo, f_hi), setback, _fl, _st = _LAYOUTS[key]
        centre, ca, sa, length, depth = _parcel_frame(geoms[i])
        inner_l, inner_d = length - 2 * setback, depth - 2 * setback
        if inner_l < 8 or inner_d < 6:
            continue
        nl = max(1, round(inner_l / rng.uniform(l_lo, l_hi)))
        nd = max(1, round(inner_d / rng.uniform(d_lo, d_hi)))
        sl, sd = inner_l / nl, inner_d / nd
        fill_l, fill_d = rng.uniform(f_lo, f_hi, 2)
        for u in range(nl):
            for v in range(nd):
                if nl * nd > 1 and rng.random() < 0.08:
                    continue  # an open yard
                ox = -inner_l / 2 + (u + 0.5) * sl
                oy = -inner_d / 2 + (v + 0.5) * sd
                cx = centre[0] + ox * ca - oy * sa
                cy = centre[1] + ox * sa + oy * ca
                rings.append(_rect(cx, cy, sl * fill_l, sd * fill_d, ca, sa))
                owner.append(int(i))
                keys.append(key)
        if key == "industrial" and rng.random() < 0.35:  # a gatehouse by the entrance
            ox, oy = -length / 2 + setback / 2 + 4, -depth / 2 + setback / 2 + 1
            cx = centre[0] + ox * ca - oy * sa
            cy = centre[1] + ox * sa + oy * ca
            rings.append(_rect(cx, cy, 6.0, 4.0, ca, sa))
            owner.append(int(i))
            keys.append("U1")
    polys = shapely.polygons(np.array(rings))
    owner_arr = np.array(owner)
    inner = shapely.buffer(geoms[owner_arr], -1.0)
    ok = shapely.within(polys, inner)
    polys, owner_arr, key_arr = polys[ok], owner_arr[ok], np.array(keys, dtype=object)[ok]

    # Buildings across a shared parcel line (one firm on two parcels, or an old mistake).
    pairs = _straddle_pairs(rng, parcels, n=round(len(polys) * 0.05))
    straddlers: list[shapely.Polygon] = []
    for i, j in pairs:
        line = shapely.line_merge(shapely.intersection(shapely.boundary(geoms[i]),
                                                       shapely.boundary(geoms[j])))
        seg = _largest_line(line)
        if seg is None:
            continue
        (x0, y0), (x1, y1) = shapely.get_coordinates(seg)[[0, -1]]
        seg_len = math.hypot(x1 - x0, y1 - y0)
        ca, sa = (x1 - x0) / seg_len, (y1 - y0) / seg_len
        mid = shapely.get_coordinates(shapely.line_interpolate_point(seg, 0.5,
                                                                     normalized=True))[0]
        both = shapely.buffer(shapely.union(geoms[i], geoms[j]), -1.0)
        size = (min(0.5 * seg_len, rng.uniform(30.0, 60.0)), 2 * rng.uniform(14.0, 24.0))
        for shrink in (1.0, 0.6):
            rect = shapely.Polygon(_rect(mid[0], mid[1], size[0] * shrink, size[1] * shrink,
                                         ca, sa))
            if rect.within(both):
                straddlers.append(rect)
                break
    if straddlers:
        st = np.array(straddlers, dtype=object)
        hit = np.unique(shapely.STRtree(polys).query(shapely.buffer(st, 4.0),
                                                     predicate="intersects")[1])
        keep = np.ones(len(polys), dtype=bool)
        keep[hit] = False
        polys = np.concatenate([polys[keep], st])
        key_arr = np.concatenate([key_arr[keep], np.full(len(st), "industrial", dtype=object)])

    n = len(polys)
    floors = np.empty(n)
    storey = np.empty(n)
    for key in _LAYOUTS:
        m = key_arr == key
        if m.any():
            floors[m], storey[m] = _storeys(rng, key, int(m.sum()))
    height = np.round(floors * storey + rng.uniform(0.3, 1.2, n), 1)
    tall = (key_arr == "industrial") & (floors == 1) & (storey > 8.0)
    height[tall] = np.round(np.minimum(storey[tall] + rng.uniform(0.3, 1.0, int(tall.sum())),
                                       14.0), 1)
    storey = np.round(storey, 1)
    draw = rng.random(n)
    no_floors = draw < 0.10
    neither = draw > 0.995
    floors[no_floors | neither] = np.nan
    storey[no_floors | neither] = np.nan
    height[neither] = np.nan
    ids = [f"JZ{k:06d}" for k in range(1, n + 1)]
    return _frame({"building_id": ids, "floors": floors, "height": height,
                   "storey_height": storey}, polys)


def _largest_line(geom: shapely.Geometry) -> shapely.LineString | None:
    lines = [g for g in shapely.get_parts(geom) if g.geom_type == "LineString"]
    if not lines:
        return None
    return max(lines, key=lambda g: g.length)


# ------------------------------------------------------------------------ enterprises


def _credit_code(rng: np.random.Generator, region: str) -> str:
    """An 18-character 统一社会信用代码 with valid check characters (GB 32100-2015)."""
    alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(rng.choice(list("0123456789"), 2)) + "".join(
        rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 6))
    # Organisation code check digit (GB 11714).
    vals = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    c9 = 11 - sum(v * w for v, w in zip(vals, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    code17 = "91" + region + org
    weights = [pow(3, i, 31) for i in range(17)]
    s = sum(alnum.index(c) * w for c, w in zip(code17, weights, strict=True))
    return code17 + alnum[(31 - s % 31) % 31]


def _industry_of(rng: np.random.Generator, industries: str, use: str) -> str:
    if use == "W1":
        return "58"
    if use in ("B1", "B2"):
        return str(rng.choice(_SERVICE_CODES))
    if rng.random() < 0.75:
        codes = [c for ind in industries.split(";") for c in _INDUSTRY_CODES.get(ind, ())]
        codes = [c for c in codes if c not in ("58", "65")] or list(_ALL_INDUSTRIAL)
        return str(rng.choice(codes))
    return str(rng.choice(_ALL_INDUSTRIAL))


def generate_enterprises(
    rng: np.random.Generator,
    parcels: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """About 1,200 (firm, parcel) rows of 规上 enterprises on built industrial, warehouse
    and commercial parcels.

    Figures in 万元 (energy in tce, employees in persons), lognormal around Sichuan's 2020
    averages (domain.md §4.2: 亩均营收 427.4万元, 亩均税收 14.3万元, 人均营收 144.4万元,
    单位能耗营收 4.9万元/tce, R&D 1.5 %). Some parcels hold several firms; firms whose
    building straddles two parcels, and some others, hold several parcels (one row each,
    figures split by land share).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z)
    >>> parcels = generate_parcels(rng, z, p.iloc[[10]])   # one small park
    >>> parcels = parcels[parcels.zone_id == "YQ11"]
    >>> e = generate_enterprises(rng, parcels, generate_buildings(rng, parcels), z, p)
    >>> bool(e.parcel_id.isin(parcels.parcel_id).all()), set(e.enterprise_id.str.len())
    (True, {18})
    """
    pid = parcels.parcel_id.to_numpy()
    use = parcels.land_use.to_numpy()
    status = parcels.status.to_numpy()
    area_mu = shapely.area(parcels.geometry.to_numpy()) / M2_PER_MU
    industries = dict(zip(zones.zone_id, zones.industries, strict=True))
    industries |= dict(zip(parks.park_id, parks.industries, strict=True))
    owner_geom = dict(zip(zones.zone_id, zones.geometry, strict=True))
    owner_geom |= dict(zip(parks.park_id, parks.geometry, strict=True))
    regions = {k: _county_of(np.array(g.centroid.coords[0]))[2] for k, g in owner_geom.items()}

    firm_parcels: list[list[int]] = []
    # A quarter of the buildings across two parcels belong to a firm holding both.
    b_geoms = buildings.geometry.to_numpy()
    p_geoms = parcels.geometry.to_numpy()
    bi, pi = shapely.STRtree(p_geoms).query(b_geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(b_geoms[bi], p_geoms[pi]))
    hits = pd.DataFrame({"b": bi, "p": pi})[overlap > 1.0]
    multi = hits.groupby("b").p.agg(list)
    used: set[int] = set()
    for plist in multi[multi.map(len) > 1]:
        if not used.intersection(plist) and rng.random() < 0.25:
            firm_parcels.append(sorted(plist))
            used.update(plist)
    industrial = np.flatnonzero((status == "A2") & np.isin(use, _INDUSTRIAL_USES))
    commercial = np.flatnonzero(status == "A4")
    free = np.array([i for i in industrial if i not in used])
    chosen = np.sort(rng.choice(free, size=min(len(free), 640), replace=False))
    k = 0
    while k < len(chosen):  # some firms hold two or three parcels
        span = 1 if rng.random() > 0.07 else int(rng.integers(2, 4))
        firm_parcels.append([int(c) for c in chosen[k:k + span]])
        k += span
    shops = rng.choice(commercial, size=min(len(commercial), 60), replace=False)
    firm_parcels += [[int(c)] for c in np.sort(shops)]
    # Further, smaller firms sharing a parcel with the first one.
    n_first = len(firm_parcels)
    hosts = rng.choice(np.array([fp[0] for fp in firm_parcels]),
                       size=min(110, len(firm_parcels)), replace=False)
    for h in hosts:
        firm_parcels += [[int(h)]] * int(rng.integers(1, 3))
    weights = np.r_[np.ones(n_first), rng.uniform(0.2, 0.8, len(firm_parcels) - n_first)]
    share_of = np.zeros(len(pid))
    for fp, w in zip(firm_parcels, weights, strict=True):
        share_of[fp] += w
    rows = []
    names_seen: set[str] = set()
    for fp, w in zip(firm_parcels, weights, strict=True):
        owner = parcels.zone_id.iat[fp[0]]
        code = _industry_of(rng, industries[owner], use[fp[0]])
        land = np.array([area_mu[p] * w / share_of[p] for p in fp])
        per_mu = math.exp(rng.normal(math.log(427.4) - 0.85**2 / 2, 0.85))
        revenue = land.sum() * per_mu * _OUTPUT_FACTOR.get(code, 1.0)
        tax = revenue * math.exp(rng.normal(math.log(14.3 / 427.4) - 0.125, 0.5))
        value_added = revenue * rng.uniform(0.18, 0.35)
        energy = revenue / 4.9 * math.exp(rng.normal(-0.18, 0.6)) * _ENERGY_FACTOR.get(code,
                                                                                         1.0)
        employees = max(8.0, revenue / 144.4 * math.exp(rng.normal(-0.1, 0.45)))
        rd = 0.0 if rng.random() < 0.12 else revenue * 0.015 * math.exp(rng.normal(-0.3, 0.8))
        invest = land.sum() * math.exp(rng.normal(math.log(480.0) - 0.18, 0.6))
        name = _firm_name(rng, code, names_seen)
        ident = _credit_code(rng, regions[owner])
        for p, a in zip(fp, land / land.sum(), strict=True):
            rows.append({
                "enterprise_id": ident, "name": name, "parcel_id": pid[p],
                "industry_code": code, "industry_std": "GB/T 4754-2002",
                "revenue": round(revenue * a, 2), "tax": round(tax * a, 2),
                "value_added": round(value_added * a, 2), "energy_tce": round(energy * a, 1),
                "employees": float(max(1, round(employees * a))), "rd_spend": round(rd * a, 2),
                "fixed_investment": round(invest * a, 2),
            })
    return pd.DataFrame(rows)


def _firm_name(rng: np.random.Generator, code: str, seen: set[str]) -> str:
    word = _CODE_WORDS.get(code, "实业")
    form = "股份有限公司" if rng.random() < 0.15 else "有限公司"
    for _ in range(50):
        brand = str(rng.choice(list(_BRAND_A))) + str(rng.choice(list(_BRAND_B)))
        name = f"四川{brand}{word}{form}" if rng.random() < 0.4 else f"成都{brand}{word}{form}"
        if name not in seen:
            seen.add(name)
            return name
    name = f"成都{word}{len(seen)}号{form}"
    seen.add(name)
    return name


# ------------------------------------------------------------------------------ roads


def generate_roads(
    rng: np.random.Generator, parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Road centre lines: the S1 road parcels' axes (主干路/次干路/支路 by length) and
    主干路 linking the sites.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z)
    >>> r = generate_roads(rng, generate_parcels(rng, z, p), z, p)
    >>> sorted(r.road_class.unique())
    ['主干路', '支路', '次干路']
    """
    strips = parcels[parcels.land_use == "S1"]
    env = shapely.get_coordinates(shapely.oriented_envelope(strips.geometry.to_numpy()))
    env = env.reshape(len(strips), 5, 2)[:, :4]
    e1 = np.hypot(*(env[:, 1] - env[:, 0]).T)
    e2 = np.hypot(*(env[:, 2] - env[:, 1]).T)
    long1 = e1 >= e2
    a = np.where(long1[:, None], (env[:, 0] + env[:, 3]) / 2, (env[:, 0] + env[:, 1]) / 2)
    b = np.where(long1[:, None], (env[:, 1] + env[:, 2]) / 2, (env[:, 3] + env[:, 2]) / 2)
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    lengths = shapely.length(lines)
    cls = np.where(lengths >= 1_500.0, "主干路", np.where(lengths >= 400.0, "次干路", "支路"))
    names = strips.name.to_numpy()
    sites = {f"{z}{b}": np.array(g.centroid.coords[0]) for z, b, g in _zone_blocks(zones)}
    sites |= {p: np.array(g.centroid.coords[0])
              for p, g in zip(parks.park_id, parks.geometry, strict=True)}
    links = (("G510001A", "G510001B", "科创大道"), ("G510001A", "G510001C", "西航港大道"),
             ("G510001C", "S510102", "五津大道"), ("G510001A", "S510101", "金马大道"),
             ("G510001B", "YQ08", "天府南线"), ("G510001A", "YQ01", "蜀西北路"),
             ("S510101", "YQ04", "崇温路"), ("YQ04", "YQ05", "大崇路"),
             ("S510102", "YQ06", "津邛路"), ("YQ06", "YQ12", "邛蒲路"))
    arterials = []
    for s, t, _name in links:
        p0, p1 = sites[s], sites[t]
        d = p1 - p0
        mid = (p0 + p1) / 2 + np.array([-d[1], d[0]]) * rng.uniform(-0.08, 0.08)
        arterials.append(shapely.LineString([p0, mid, p1]))
    return _frame({
        "road_class": [*cls.tolist(), *["主干路"] * len(links)],
        "name": [*names.tolist(), *[n for *_st, n in links]],
    }, [*lines, *arterials])


# -------------------------------------------------------------------------------- DEM


def _spline_matrix(n_fine: int, step: int) -> np.ndarray:
    """Cubic B-spline weights (n_fine × n_coarse) upsampling a coarse grid by ``step``."""
    t = np.arange(n_fine) / step + 1.0  # coarse coordinate of each fine cell
    i0 = np.floor(t).astype(int)
    f = t - i0
    w = np.stack([(1 - f) ** 3, 3 * f**3 - 6 * f**2 + 4, -3 * f**3 + 3 * f**2 + 3 * f + 1,
                  f**3], axis=1) / 6.0
    out = np.zeros((n_fine, n_fine // step + 4), dtype=np.float32)
    rows = np.arange(n_fine)
    for k in range(4):
        out[rows, i0 - 1 + k] = w[:, k]
    return out


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], step: int) -> np.ndarray:
    """Smooth noise (about unit amplitude): a coarse random grid upsampled by cubic
    B-splines, as two matrix products."""
    wy, wx = _spline_matrix(shape[0], step), _spline_matrix(shape[1], step)
    coarse = rng.standard_normal((wy.shape[1], wx.shape[1])).astype(np.float32)
    return (wy @ coarse) @ wx.T * np.float32(1.5)


def generate_dem(rng: np.random.Generator) -> tuple[np.ndarray, tuple[float, float]]:
    """A 30 m DEM over the workspace extent: the Chengdu plain (~450–560 m, falling to the
    south-east) rising steeply west of a mountain front near 103.5°E to 1,500–3,000 m,
    a low Longquan ridge in the east, and smooth noise that makes slopes > 25° in the
    mountains.

    Returns
    -------
    elevation, (west, north)
        float32 array (rows north → south) and the coordinates of its upper-left corner.
    """
    xmin, ymin, xmax, ymax = _extent_box().bounds
    west = math.floor(xmin / DEM_CELL) * DEM_CELL
    north = math.ceil(ymax / DEM_CELL) * DEM_CELL
    cols = math.ceil((xmax - west) / DEM_CELL)
    rows = math.ceil((north - ymin) / DEM_CELL)
    x = (west + (np.arange(cols, dtype=np.float32) + 0.5) * DEM_CELL)[None, :]
    y = (north - (np.arange(rows, dtype=np.float32) + 0.5) * DEM_CELL)[:, None]
    # Plain: higher to the north-west (alluvial fan of the Min river).
    u = (x - west) / (cols * DEM_CELL)
    v = (north - y) / (rows * DEM_CELL)
    plain = 560.0 - 70.0 * (0.6 * u + 0.4 * v)
    # Mountains west of the front.
    d_west = (_mountain_front_x(y) - x) / 1000.0  # km west of the front
    soft = np.logaddexp(0.0, d_west / 0.8) * 0.8  # smooth onset
    mountain = 1.0 - np.exp(-soft / 7.0)
    relief = 2_250.0 * mountain
    # Longquan ridge: a low NNE ridge in the east.
    rx = _xy(104.285, 30.55)
    ridge_d = ((x - rx[0]) - (y - rx[1]) * 0.25) / 1000.0
    relief = relief + 280.0 * np.exp(-(ridge_d / 2.5) ** 2)
    shape = (rows, cols)
    noise = (_smooth_noise(rng, shape, 200) * 1.0 + _smooth_noise(rng, shape, 100) * 0.6
             + _smooth_noise(rng, shape, 50) * 0.5 + _smooth_noise(rng, shape, 25) * 0.35
             + _smooth_noise(rng, shape, 12) * 0.2)
    amp = 6.0 + 480.0 * mountain + 60.0 * np.exp(-(ridge_d / 2.5) ** 2)
    elevation = plain + relief + amp * noise
    return elevation.astype(np.float32), (west, north)


# ---------------------------------------------------------------------- the workspace


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
    return SampleData(zones.drop(columns="block_names"), parks, parcels, buildings,
                      enterprises, redlines, farmland, dev, roads, requests)


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
                 "industries": "主导产业", "host_zone_id": "托管高新区"}


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
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        table.rename(columns=headers).to_excel(writer, sheet_name="规上企业", index=False)
        notes.to_excel(writer, sheet_name="说明", index=False)
        stamp = dt.datetime(2026, 1, 1)
        writer.book.properties.created = stamp
        writer.book.properties.modified = stamp
        writer.book.properties.creator = "gaoxin"


def _write_dem(elevation: np.ndarray, origin: tuple[float, float], path: Path) -> None:
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
    farmland, dev_boundary, roads); ``dem.tif`` (30 m, float32, deflate, nodata −9999);
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
    for name in ("zones.gpkg", "parcels.gpkg", "buildings.gpkg", "constraints.gpkg"):
        (dest / name).unlink(missing_ok=True)
    with _fixed_gdal_date():
        data.zones.to_file(dest / "zones.gpkg", layer="zones", driver="GPKG")
        parcels = data.parcels.rename(columns={"parcel_id": "地块编号", "land_use": "用地性质"})
        parcels.to_file(dest / "parcels.gpkg", layer="parcels", driver="GPKG")
        data.buildings.to_file(dest / "buildings.gpkg", layer="buildings", driver="GPKG")
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
