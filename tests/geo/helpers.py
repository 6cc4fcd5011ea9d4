"""Reference areas for the geo tests: pyproj.Geod on finely densified rings."""

from __future__ import annotations

import geopandas as gpd
import shapely
from pyproj import CRS, Geod

GEOD = Geod(ellps="GRS80")


def geod_area(geom: shapely.Geometry) -> float:
    """Area (m²) of a lon/lat geometry by pyproj.Geod on GRS80, whatever its orientation."""
    oriented = shapely.orient_polygons(geom, exterior_cw=False)
    return abs(GEOD.geometry_area_perimeter(oriented)[0])


def file_area(geom: shapely.Geometry, crs: int | CRS) -> float:
    """Area (m²) of the region a file defines: edges straight in ``crs``.

    The polygon is densified very finely in that CRS, taken to lon/lat, and measured by
    pyproj.Geod (whose geodesic pieces are then ≤ 1/2000 of the feature: converged to ~1e-9).
    """
    xmin, ymin, xmax, ymax = geom.bounds
    fine = shapely.segmentize(geom, max(xmax - xmin, ymax - ymin) / 2000)
    lon_lat = gpd.GeoSeries([fine], crs=crs).to_crs(4490).iloc[0]
    return geod_area(lon_lat)
