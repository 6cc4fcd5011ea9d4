"""What every part of the sample shares: where it is, and the shapes it is drawn with.

The workspace lies south-west of Chengdu at real coordinates (about 103.4–104.3°E,
30.3–30.8°N) in EPSG:4544 (CGCS2000 3° Gauss-Krüger, CM 105°E), so every analysis has
something true to find. This module holds that frame (:data:`CRS`, the extent, the county
seats, the three 高新区 and their 区块, the Longmen/Qionglai mountain front) and the
geometry helpers the generators draw with: organic star-shaped blobs, rays to a boundary,
uniform random points inside a polygon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

CRS = "EPSG:4544"
# Extent of the workspace (longitude, latitude; CGCS2000).
EXTENT_LONLAT = (103.40, 30.30, 104.30, 30.80)
_TO_XY = Transformer.from_crs(4490, 4544, always_xy=True)

# EPSG:4544 metres: one (x, y) point, a 2-vector, or (n, 2) points.
XY = npt.NDArray[np.float64]
# Northings of any float precision (the DEM grid is float32).
_Floats = npt.NDArray[np.floating[Any]]
# A column of a sample layer: one value per feature.
Column = Sequence[object] | npt.NDArray[np.generic]

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


def _xy(lon: float, lat: float) -> XY:
    """Longitude/latitude (CGCS2000) → EPSG:4544 metres."""
    x, y = _TO_XY.transform(lon, lat)
    return np.array([x, y])


def _bearing(degrees: float) -> XY:
    """Unit vector of a compass bearing (clockwise from north)."""
    r = math.radians(degrees)
    return np.array([math.sin(r), math.cos(r)])


def _blob(
    rng: np.random.Generator,
    centre: XY,
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


def _edge_point(poly: shapely.Geometry, centre: XY, bearing: float) -> XY:
    """The farthest point of ``poly``'s boundary along a ray from ``centre``."""
    far = centre + _bearing(bearing) * 50_000.0
    hits = shapely.get_coordinates(
        shapely.intersection(shapely.LineString([centre, far]), shapely.boundary(poly))
    )
    d = np.hypot(*(hits - centre).T)
    farthest: XY = hits[int(np.argmax(d))]
    return farthest


def _largest_part(geom: shapely.Geometry) -> shapely.Polygon:
    parts = shapely.get_parts(geom)
    largest: shapely.Polygon = parts[int(np.argmax(shapely.area(parts)))]
    return largest


def _county_of(point: XY) -> tuple[str, str, str]:
    """(county, city, administrative code) of the nearest county seat."""
    seats = np.array([_xy(c[0], c[1]) for c in _COUNTIES])
    i = int(np.argmin(np.hypot(*(seats - point).T)))
    return _COUNTIES[i][2], _COUNTIES[i][3], _COUNTIES[i][4]


def _random_points_in(
    rng: np.random.Generator, geom: BaseGeometry, n: int
) -> XY:
    """``n`` uniform random points inside ``geom`` (rejection sampling)."""
    xmin, ymin, xmax, ymax = geom.bounds
    shapely.prepare(geom)
    out: list[XY] = []
    got = 0
    while got < n:
        pts = rng.uniform((xmin, ymin), (xmax, ymax), size=(max(4 * n, 16), 2))
        pts = pts[shapely.contains_xy(geom, pts[:, 0], pts[:, 1])]
        out.append(pts)
        got += len(pts)
    return np.concatenate(out)[:n]


def _frame(data: Mapping[str, Column],
           geometry: Sequence[shapely.Geometry] | npt.NDArray[np.object_]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(data), geometry=list(geometry), crs=CRS)


def _zone_blocks(zones: gpd.GeoDataFrame) -> list[tuple[str, str, shapely.Polygon]]:
    """(zone_id, block letter, polygon) for every 区块, in the order of ``_ZONES``."""
    out = []
    for (zone_id, *_rest, blocks), geom in zip(_ZONES, zones.geometry, strict=True):
        parts = shapely.get_parts(geom)
        for (letter, *_), part in zip(blocks, parts, strict=True):
            out.append((zone_id, letter, part))
    return out


@overload
def _mountain_front_x(y: float) -> float: ...
@overload
def _mountain_front_x(y: _Floats) -> _Floats: ...
def _mountain_front_x(y: float | _Floats) -> float | _Floats:
    """Easting (EPSG:4544) of the Longmen/Qionglai mountain front at northing ``y``."""
    (x0, y0), (x1, y1) = _xy(103.475, 30.30), _xy(103.575, 30.80)
    front: float | _Floats = x0 + (np.asarray(y) - y0) * (x1 - x0) / (y1 - y0)
    return front


def _extent_box() -> shapely.Polygon:
    lon0, lat0, lon1, lat1 = EXTENT_LONLAT
    lon = np.r_[np.linspace(lon0, lon1, 20), np.full(20, lon1), np.linspace(lon1, lon0, 20),
                np.full(20, lon0)]
    lat = np.r_[np.full(20, lat0), np.linspace(lat0, lat1, 20), np.full(20, lat1),
                np.linspace(lat1, lat0, 20)]
    x, y = _TO_XY.transform(lon, lat)
    return shapely.box(*shapely.Polygon(np.c_[x, y]).bounds)
