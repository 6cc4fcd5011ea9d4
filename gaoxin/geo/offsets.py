"""GCJ-02 and BD-09, the offset coordinates of AMap/Tencent and Baidu (domain.md §7.4).

The forward transforms are the published public formulas. Their inverses have no closed
form: we iterate the forward transform (fixed point), to a residual far below 0.5 m.
All functions are vectorised over numpy arrays of longitudes and latitudes in degrees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import shapely
from shapely import Geometry

from .arrays import BoolArray, FloatArray, GeometryArray

_A = 6378245.0  # Krasovsky semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

Array: TypeAlias = FloatArray  # longitudes or latitudes, degrees


def _outside_china(lon: Array, lat: Array) -> BoolArray:
    # The same rough box every public implementation uses, so results agree with them.
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: Array, lat: Array) -> tuple[Array, Array]:
    x, y = lon - 105.0, lat - 35.0
    sq = np.sqrt(np.abs(x))
    s6, s2 = np.sin(6.0 * x * np.pi), np.sin(2.0 * x * np.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq
    dlat += (20.0 * s6 + 20.0 * s2) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq
    dlon += (20.0 * s6 + 20.0 * s2) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: Array, lat: Array) -> tuple[Array, Array]:
    """WGS-84 (≈ CGCS2000) to GCJ-02. Points outside China are returned unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(np.array([104.066]), np.array([30.657]))
    >>> bool(0.002 < lon[0] - 104.066 < 0.004)
    True
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    out = _outside_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def _invert(
    forward: Callable[[Array, Array], tuple[Array, Array]],
    lon: Array,
    lat: Array,
    tol_deg: float = 1e-10,
    max_iter: int = 30,
) -> tuple[Array, Array]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(max_iter):
        flon, flat = forward(wlon, wlat)
        elon, elat = flon - lon, flat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if elon.size == 0 or max(np.nanmax(np.abs(elon)), np.nanmax(np.abs(elat))) < tol_deg:
            break
    return wlon, wlat


def gcj02_to_wgs84(lon: Array, lat: Array) -> tuple[Array, Array]:
    """GCJ-02 to WGS-84 by iterating the forward transform (residual < 1e-10°, ~0.01 mm).

    Examples
    --------
    >>> g = wgs84_to_gcj02(np.array([104.066]), np.array([30.657]))
    >>> w = gcj02_to_wgs84(*g)
    >>> bool(abs(w[0][0] - 104.066) < 1e-9 and abs(w[1][0] - 30.657) < 1e-9)
    True
    """
    return _invert(wgs84_to_gcj02, lon, lat)


def gcj02_to_bd09(lon: Array, lat: Array) -> tuple[Array, Array]:
    """GCJ-02 to BD-09 (Baidu).

    Examples
    --------
    >>> lon, lat = gcj02_to_bd09(np.array([104.0]), np.array([30.0]))
    >>> bool(0.005 < lon[0] - 104.0 < 0.008)
    True
    """
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: Array, lat: Array) -> tuple[Array, Array]:
    """BD-09 to GCJ-02, iterated to the exact inverse of :func:`gcj02_to_bd09`.

    Examples
    --------
    >>> b = gcj02_to_bd09(np.array([104.0]), np.array([30.0]))
    >>> bool(abs(bd09_to_gcj02(*b)[0][0] - 104.0) < 1e-9)
    True
    """
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon: Array, lat: Array) -> tuple[Array, Array]:
    """WGS-84 to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Array, lat: Array) -> tuple[Array, Array]:
    """BD-09 to WGS-84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_CONVERTERS = {
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("bd09", "wgs84"): bd09_to_wgs84,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
}


def convert_geometries(geoms: GeometryArray, source: str, target: str) -> GeometryArray:
    """Convert an array of shapely geometries (lon/lat degrees) between offset systems.

    ``source`` and ``target`` are ``"wgs84"`` (also meaning CGCS2000), ``"gcj02"`` or ``"bd09"``.

    Examples
    --------
    >>> from shapely import Point
    >>> g = convert_geometries(np.array([Point(104.066, 30.657)]), "wgs84", "gcj02")
    >>> back = convert_geometries(g, "gcj02", "wgs84")[0]
    >>> round(back.x, 7), round(back.y, 7)
    (104.066, 30.657)
    """
    if source == target:
        return np.asarray(geoms)
    func = _CONVERTERS[(source, target)]

    def apply(coords: Array) -> Array:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(np.asarray(geoms, dtype=object), apply)


def offset_geometry(geom: Geometry, source: str, target: str) -> Geometry:
    """One-geometry form of :func:`convert_geometries`."""
    converted: Geometry = convert_geometries(np.array([geom], dtype=object), source, target)[0]
    return converted
