"""The 三区三线: 生态保护红线, 城镇开发边界 and 永久基本农田.

Red lines are large organic patches in the western mountains, a forest patch on the
Longquan ridge in the east, and one wetland patch beside the national zone's 西区 that
``request_conflict`` crosses. The development boundary wraps the zones and parks with a
margin, ``request_clean``, the Chengdu urban area and the county towns, less the red
lines (the 三线 do not overlap). Farmland is a few hundred field-like patches on the plain
outside both, including a cluster where ``request_conflict`` leaves the boundary, so the
expansion review of that request has conflicts to find.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from ..geo.units import M2_PER_KM2
from ._shapes import (
    _COUNTIES,
    _blob,
    _extent_box,
    _frame,
    _mountain_front_x,
    _random_points_in,
    _xy,
    _zone_blocks,
)


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
    >>> from gaoxin.sample import generate_parks, generate_requests, generate_zones
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
    taken: BaseGeometry = shapely.Polygon()
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
    >>> from gaoxin.sample import generate_parks, generate_requests, generate_zones
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
    merged: BaseGeometry = shapely.union_all(pieces).buffer(200.0).buffer(-200.0)
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
    >>> from gaoxin.sample import generate_parks, generate_requests, generate_zones
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
