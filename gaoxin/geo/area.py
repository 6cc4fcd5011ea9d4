"""Areas as the national land survey reports them: on the ellipsoid, in m², 公顷 and 亩.

Never from a geographic CRS or Web Mercator. The default method projects to a Lambert
azimuthal equal-area projection on the CGCS2000 ellipsoid centred on the data, which
preserves area exactly, and sums vectorised planar areas: it agrees with
``pyproj.Geod`` (geodesic edges) to about 1e-6 on parcels and 1e-5 on counties, and runs at
shapely speed. Small features in a projected CRS (parcels in Gauss-Krüger) take a faster
route: planar area divided by the projection's areal scale factor at the centroid, which is
the same to ~1e-8. ``method="geodesic"`` calls ``pyproj.Geod`` per feature (slower, exact).
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Proj, Transformer

from .errors import InputError
from .parallel import chunked
from .units import m2_to_ha, m2_to_mu

GRS80 = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid

AreaMethod = Literal["ellipsoidal", "geodesic", "planar"]


def _require_crs(geoms: gpd.GeoSeries) -> CRS:
    if geoms.crs is None:
        raise InputError("the layer has no CRS, so its area cannot be computed",
                         fix="declare the layer's CRS")
    return CRS.from_user_input(geoms.crs)


def local_equal_area_crs(geoms: gpd.GeoSeries) -> CRS:
    """A Lambert azimuthal equal-area CRS on GRS80 centred on the layer's extent.

    Examples
    --------
    >>> from shapely import box
    >>> s = gpd.GeoSeries([box(104, 30, 104.1, 30.1)], crs=4490)
    >>> local_equal_area_crs(s).coordinate_operation.method_name
    'Lambert Azimuthal Equal Area'
    """
    lon0, lat0 = _geographic_centre(geoms)
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 "
        "+ellps=GRS80 +units=m +no_defs +type=crs"
    )


def _geographic_centre(geoms: gpd.GeoSeries) -> tuple[float, float]:
    geo = geoms.to_crs(4490) if not _require_crs(geoms).is_geographic else geoms
    xmin, ymin, xmax, ymax = geo.total_bounds
    if not np.all(np.isfinite([xmin, ymin, xmax, ymax])):
        return 105.0, 30.0
    return (xmin + xmax) / 2, (ymin + ymax) / 2


def ellipsoidal_area(geoms: gpd.GeoSeries, method: AreaMethod = "ellipsoidal", *,
                     factors: np.ndarray | None = None) -> pd.Series:
    """Area of each geometry in m², on the CGCS2000 (GRS80) ellipsoid.

    Parameters
    ----------
    geoms
        Polygons in any CRS (geographic or projected); the CRS must be set.
    factors
        Areal scale factors from :func:`areal_scale_factors` for these geometries, when the
        caller already has them (they are not computed twice).
    method
        ``"ellipsoidal"`` (default): planar area in a local equal-area projection.
        ``"geodesic"``: ``pyproj.Geod`` with rings oriented first, so holes subtract.
        ``"planar"``: the area in the geometries' own projected CRS (e.g. Gauss-Krüger), as
        a 界址点 TXT header states it; refused for geographic or Web Mercator CRSs.

    Returns
    -------
    pandas.Series
        Area in m², indexed like ``geoms``; 0 for empty or missing geometries.

    Examples
    --------
    >>> from shapely import box
    >>> s = gpd.GeoSeries([box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> round(float(ellipsoidal_area(s, "planar").iloc[0]), 6)
    10000.0
    >>> abs(float(ellipsoidal_area(s).iloc[0]) / 10000.0 - 1) < 1e-3  # k0 = 1 on the CM
    True
    """
    crs = _require_crs(geoms)
    values = geoms.values
    if method == "planar":
        if crs.is_geographic or crs.to_epsg() in (3857, 900913, 3785):
            raise InputError(
                f"a planar area in {crs.name} is meaningless",
                fix="reproject to a Gauss-Krüger CRS or use the ellipsoidal area",
            )
        area = shapely.area(np.asarray(values))
    elif method == "geodesic":
        geo = geoms.to_crs(4490) if not crs.is_geographic else geoms
        oriented = shapely.orient_polygons(np.asarray(geo.values), exterior_cw=False)
        area = np.array(
            [0.0 if g is None or g.is_empty else abs(GRS80.geometry_area_perimeter(g)[0])
             for g in oriented]
        )
    elif method == "ellipsoidal":
        area = _ellipsoidal(geoms, crs, factors)
    else:
        raise InputError(f"unknown area method {method!r}",
                         fix="use ellipsoidal, geodesic or planar")
    area = np.where(np.isnan(area), 0.0, area)
    return pd.Series(area, index=geoms.index, name="area_m2", dtype=float)


_WEB_MERCATOR = (3857, 900913, 3785, 102100)
# Below this size a geometry's areal scale factor varies by < 1e-6 across it (second order in
# size/earth radius), so planar area ÷ the factor at its centroid is the ellipsoidal area.
_SMALL_EXTENT_M = 10_000.0


def _ellipsoidal(geoms: gpd.GeoSeries, crs: CRS, factors: np.ndarray | None = None
                 ) -> np.ndarray:
    arr = np.asarray(geoms.values)
    if crs.is_projected and crs.to_epsg() not in _WEB_MERCATOR:
        bounds = shapely.bounds(arr)
        size = np.fmax(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        small = size < _SMALL_EXTENT_M
        if small.all() or (small.mean() > 0.9):
            area = np.empty(len(arr))
            area[small] = (shapely.area(arr[small]) / factors[small] if factors is not None
                           else _scale_corrected_area(arr[small], crs))
            if (~small).any():
                big = geoms.iloc[np.flatnonzero(~small)]
                area[~small] = shapely.area(np.asarray(
                    big.to_crs(local_equal_area_crs(big)).values))
            return area
    projected = geoms.to_crs(local_equal_area_crs(geoms))
    return shapely.area(np.asarray(projected.values))


_GRID_STEP_M = 2_000.0


def areal_scale(x: np.ndarray, y: np.ndarray, crs: CRS) -> np.ndarray:
    """The projection's areal scale factor at projected points (``get_factors``).

    The factor is smooth (for Gauss-Krüger about 1 + E²/R²), so it is evaluated on a grid of
    at most 2 km steps over the points' extent and interpolated bilinearly: the error is
    below 1e-7, and millions of points cost one small grid.

    Examples
    --------
    >>> s = areal_scale(np.array([500000.0, 650000.0]), np.array([3.4e6, 3.4e6]),
    ...                 CRS.from_epsg(4544))
    >>> [round(float(v), 6) for v in s]
    [1.0, 1.000555]
    """
    x0, x1, y0, y1 = float(x.min()), float(x.max()), float(y.min()), float(y.max())
    nx = int(min(max(np.ceil((x1 - x0) / _GRID_STEP_M), 1), 600)) + 1
    ny = int(min(max(np.ceil((y1 - y0) / _GRID_STEP_M), 1), 600)) + 1
    gx, gy = np.linspace(x0, x1 + 1e-6, nx), np.linspace(y0, y1 + 1e-6, ny)
    mx, my = np.meshgrid(gx, gy)
    to_geo = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(mx.ravel(), my.ravel())
    grid = np.asarray(Proj(crs).get_factors(lon, lat).areal_scale).reshape(ny, nx)
    fx = np.clip((x - x0) / (gx[-1] - x0) * (nx - 1), 0, nx - 1) if nx > 1 else np.zeros_like(x)
    fy = np.clip((y - y0) / (gy[-1] - y0) * (ny - 1), 0, ny - 1) if ny > 1 else np.zeros_like(y)
    i0 = np.minimum(fx.astype(int), max(nx - 2, 0))
    j0 = np.minimum(fy.astype(int), max(ny - 2, 0))
    i1, j1 = np.minimum(i0 + 1, nx - 1), np.minimum(j0 + 1, ny - 1)
    tx, ty = fx - i0, fy - j0
    return ((grid[j0, i0] * (1 - tx) + grid[j0, i1] * tx) * (1 - ty)
            + (grid[j1, i0] * (1 - tx) + grid[j1, i1] * tx) * ty)


# The factor's gradient is ~2E/R² (≤ 7.4e-9 per metre at a 3° zone's edge). Below 250 m a
# feature's bbox centre lies within a few tens of metres of its area centroid: < 5e-7.
_CENTROID_ABOVE_M = 250.0


def _factors(arr: np.ndarray, crs: CRS) -> np.ndarray:
    b = shapely.bounds(arr)
    ok = np.isfinite(b).all(axis=1)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    big = ok & (np.fmax(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) > _CENTROID_ABOVE_M)
    if big.any():
        centre = shapely.get_coordinates(chunked(shapely.centroid, arr[big]))
        cx[big], cy[big] = centre[:, 0], centre[:, 1]
    out = np.full(len(arr), np.nan)
    if ok.any():
        out[ok] = areal_scale(cx[ok], cy[ok], crs)
    return out


def areal_scale_factors(geoms: gpd.GeoSeries) -> np.ndarray | None:
    """The areal scale factor of the CRS at each feature (None in a geographic CRS or Web
    Mercator, where planar areas are meaningless).

    Planar area ÷ factor is the ellipsoidal area for features under 10 km. Analyses that cut
    features into pieces (buildings by parcels) reuse one factor per parent feature.

    Examples
    --------
    >>> from shapely import box
    >>> s = gpd.GeoSeries([box(650000, 3400000, 650050, 3400050)], crs=4544)
    >>> round(float(areal_scale_factors(s)[0]), 6)
    1.000555
    """
    crs = _require_crs(geoms)
    if not crs.is_projected or crs.to_epsg() in _WEB_MERCATOR:
        return None
    arr = np.asarray(geoms.values)
    return _factors(arr, crs) if len(arr) else np.zeros(0)


def _scale_corrected_area(arr: np.ndarray, crs: CRS) -> np.ndarray:
    """Planar area divided by the projection's areal scale at each feature (conformal or
    not, ``get_factors`` gives the true areal scale of the projection on its ellipsoid).

    The factor is taken at the area centroid, which makes the first-order variation across
    the feature cancel exactly. Features under 250 m use their bounding-box centre instead
    (cheaper; see ``_CENTROID_ABOVE_M``).
    """
    planar = shapely.area(arr)
    if not len(arr):
        return planar
    return planar / _factors(arr, crs)


def area_table(geoms: gpd.GeoSeries, method: AreaMethod = "ellipsoidal") -> pd.DataFrame:
    """Area in m², 公顷 and 亩 for each geometry, index kept.

    Examples
    --------
    >>> from shapely import box
    >>> s = gpd.GeoSeries([box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> area_table(s, "planar").round(4).to_dict("records")
    [{'area_m2': 10000.0, 'area_ha': 1.0, 'area_mu': 15.0}]
    """
    m2 = ellipsoidal_area(geoms, method)
    return pd.DataFrame(
        {"area_m2": m2, "area_ha": m2_to_ha(m2), "area_mu": m2_to_mu(m2)}, index=geoms.index
    )
