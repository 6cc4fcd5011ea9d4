"""What the 一区多园 consolidation analysis reads beyond the zones and parks.

- ``counties``: the county-level units of the sample's extent, drawn as the Voronoi cells of
  the county seats (so a park's ``county`` attribute, its nearest seat, agrees with the
  layer), clipped to the extent; a county with two seats is one unit.
- ``gdp`` and ``fiscal_revenue`` (万元) of every zone and park, for the revenue sharing: about
  15–40 亿元 of GDP per km², fiscal revenue 6–10 % of it. They come from their own random
  stream, drawn after every other layer, so no other figure moves.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ..geo.units import M2_PER_KM2
from ._shapes import _COUNTIES, _extent_box, _frame, _xy


def generate_counties() -> gpd.GeoDataFrame:
    """County units: the Voronoi cells of the county seats within the sample's extent.

    Examples
    --------
    >>> c = generate_counties()
    >>> len(c), c.name.is_unique, round(float(c.area.sum() / _extent_box().area), 6)
    (10, True, 1.0)
    """
    box = _extent_box()
    seats = shapely.MultiPoint([_xy(lon, lat) for lon, lat, *_ in _COUNTIES])
    cells = shapely.get_parts(shapely.voronoi_polygons(seats, extend_to=box))
    points = [shapely.Point(_xy(lon, lat)) for lon, lat, *_ in _COUNTIES]
    units: dict[str, list[shapely.Geometry]] = {}
    info: dict[str, tuple[str, str]] = {}
    for (_lon, _lat, county, city, code), point in zip(_COUNTIES, points, strict=True):
        cell = next(c for c in cells if c.contains(point))
        units.setdefault(county, []).append(shapely.intersection(cell, box))
        info.setdefault(county, (city, code))
    names = sorted(units, key=lambda n: info[n][1])
    geoms = [shapely.union_all(units[n]) for n in names]
    return _frame({"county_id": [info[n][1] for n in names], "name": names,
                   "city": [info[n][0] for n in names]}, geoms)


def add_economy(rng: np.random.Generator, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``sites`` with ``gdp`` and ``fiscal_revenue`` (万元) in proportion to their area.

    Examples
    --------
    >>> from shapely import box
    >>> s = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs=4544)
    >>> e = add_economy(np.random.default_rng(0), s)
    >>> bool(150_000 <= e.gdp.iloc[0] <= 400_000), bool(e.fiscal_revenue.iloc[0] < e.gdp.iloc[0])
    (True, True)
    """
    km2 = sites.geometry.area.to_numpy() / M2_PER_KM2
    gdp = np.round(km2 * rng.uniform(150_000, 400_000, len(sites)), 0)
    fiscal = np.round(gdp * rng.uniform(0.06, 0.10, len(sites)), 0)
    return sites.assign(gdp=gdp, fiscal_revenue=fiscal)
