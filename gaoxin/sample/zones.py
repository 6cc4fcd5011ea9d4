"""The sites: the three 高新区, twelve other industrial parks, and two expansion requests.

One national 高新区 in three 区块 and two provincial ones; twelve other industrial parks,
some sharing a zone's industries (candidates for 一区多园), two already hosted (托管) by the
national zone; and two expansion requests (扩区申请) of the national zone, one clean and
one that crosses a red-line patch, several farmland patches and the development boundary
(:mod:`gaoxin.sample.constraints` places those across it).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from ..geo.units import M2_PER_KM2
from ._shapes import (
    _ZONES,
    _bearing,
    _blob,
    _county_of,
    _edge_point,
    _frame,
    _largest_part,
    _xy,
    _zone_blocks,
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
