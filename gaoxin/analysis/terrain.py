"""Terrain of an area from a DEM: slope (Horn's method) and elevation statistics.

Cells count when their centre lies inside the area (the rasterio ``geometry_mask``
convention), so shares are shares of cells; with a projected DEM all cells have one area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from affine import Affine  # noqa: F401  (used in the examples)
from pyproj import CRS  # noqa: F401
from rasterio.features import geometry_mask

from ..geo.arrays import FloatArray
from ..geo.raster import Raster


def slope_degrees(dem: Raster) -> FloatArray:
    """Slope in degrees by Horn's 3×3 method; NaN on the border and next to nodata.

    Geographic DEMs are converted to metres per cell at each row's latitude.

    Examples
    --------
    >>> z = np.tile(np.arange(5.0) * 10, (5, 1))          # rises 10 m per 10 m cell eastward
    >>> r = Raster(z, Affine(10, 0, 0, 0, -10, 50), CRS.from_epsg(4544))
    >>> float(np.nanmax(slope_degrees(r)))
    45.0
    """
    z = dem.values.astype(float)
    dx = abs(dem.transform.a)
    dy = abs(dem.transform.e)
    if dem.crs.is_geographic:
        rows = np.arange(z.shape[0])
        lat = dem.transform.f + (rows + 0.5) * dem.transform.e
        dx = (dx * 111_320.0 * np.cos(np.radians(lat)))[:, None]
        dy = dy * 110_540.0
    p = np.pad(z, 1, constant_values=np.nan)
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * dx)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * dy)
    slope: FloatArray = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    return slope


def terrain_stats(area: gpd.GeoSeries, dem: Raster, steep_deg: float = 25.0) -> dict[str, float]:
    """Slope and elevation statistics of the cells whose centres fall in ``area``.

    Returns mean and max slope (°), the share of cells steeper than ``steep_deg``, min, max
    and range of elevation (m), and the number of cells used. ``cells`` is 0 when the area
    misses the DEM.

    Examples
    --------
    >>> from shapely import box
    >>> z = np.tile(np.arange(20.0) * 10, (20, 1))
    >>> r = Raster(z, Affine(10, 0, 500000, 0, -10, 3400200), CRS.from_epsg(4544))
    >>> s = terrain_stats(gpd.GeoSeries([box(500050, 3400050, 500150, 3400150)], crs=4544), r)
    >>> s["cells"], round(s["mean_slope_deg"], 1), s["steep_share"]
    (100, 45.0, 1.0)
    """
    empty = {"cells": 0, "mean_slope_deg": float("nan"), "max_slope_deg": float("nan"),
             "steep_share": float("nan"), "min_elevation_m": float("nan"),
             "max_elevation_m": float("nan"), "elevation_range_m": float("nan")}
    if dem.values.size == 0:
        return empty
    geoms = area.to_crs(dem.crs).values
    inside = ~geometry_mask(list(geoms), out_shape=dem.values.shape, transform=dem.transform)
    slope = slope_degrees(dem)
    valid = inside & ~np.isnan(slope)
    elev = dem.values[inside & ~np.isnan(dem.values)]
    if not valid.any():
        return empty
    s = slope[valid]
    return {
        "cells": int(valid.sum()),
        "mean_slope_deg": float(s.mean()),
        "max_slope_deg": float(s.max()),
        "steep_share": float((s > steep_deg).mean()),
        "min_elevation_m": float(elev.min()),
        "max_elevation_m": float(elev.max()),
        "elevation_range_m": float(elev.max() - elev.min()),
    }
