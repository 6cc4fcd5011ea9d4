"""Shared helpers of the geo tests: reference areas (pyproj.Geod on finely densified rings)
and realistic shapes (concave parcels; L, T, U and courtyard buildings; invalid rings)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
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


# ---------------------------------------------------------------- realistic shapes

_TEMPLATES = {
    "rect": [(-.5, -.5), (.5, -.5), (.5, .5), (-.5, .5)],
    "L": [(-.5, -.5), (.5, -.5), (.5, -.1), (-.1, -.1), (-.1, .5), (-.5, .5)],
    "T": [(-.15, -.5), (.15, -.5), (.15, .1), (.5, .1), (.5, .5), (-.5, .5), (-.5, .1),
          (-.15, .1)],
    "U": [(-.5, -.5), (.5, -.5), (.5, .5), (.2, .5), (.2, -.2), (-.2, -.2), (-.2, .5),
          (-.5, .5)],
}


def concave_parcel(rng: np.random.Generator, x0: float, y0: float, size: float,
                   push: float = 0.08) -> shapely.Polygon:
    """A jittered quadrilateral whose edges carry 2–4 vertices pushed sideways (concave).

    ``push`` is the largest sideways move as a share of ``size``; one parcel in ten comes
    clockwise.
    """
    corners = np.array([(0, 0), (1, 0), (1, 1), (0, 1)], dtype=float)
    corners = (corners + rng.uniform(-0.15, 0.15, (4, 2))) * size + (x0, y0)
    ring = []
    for k in range(4):
        p, q = corners[k], corners[(k + 1) % 4]
        normal = np.array([p[1] - q[1], q[0] - p[0]]) / np.hypot(*(q - p))
        ring.append(p)
        for t in np.sort(rng.uniform(0.15, 0.85, rng.integers(2, 5))):
            ring.append(p + t * (q - p) + normal * rng.uniform(-push, push) * size)
    coords = np.array(ring)
    return shapely.Polygon(coords[::-1] if rng.random() < 0.1 else coords)


def building(rng: np.random.Generator, cx: float, cy: float, width: float,
             kind: str | None = None) -> shapely.Polygon:
    """An L, T, U, rectangle or courtyard (with a hole) building, rotated by any angle."""
    kind = kind or str(rng.choice([*_TEMPLATES, "court"]))
    unit = np.array(_TEMPLATES.get(kind, _TEMPLATES["rect"]))
    scale = np.array([width, width * rng.uniform(0.4, 1.2)])
    angle = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shell = (unit * scale) @ rot.T + np.array([cx, cy])
    if kind != "court":
        return shapely.Polygon(shell)
    hole = (np.array([(-.25, -.25), (-.25, .25), (.25, .25), (.25, -.25)]) * scale) @ rot.T
    return shapely.Polygon(shell, [hole + np.array([cx, cy])])


def bow_tie(polygon: shapely.Polygon) -> shapely.Polygon:
    """``polygon`` made invalid as real data arrives: a vertex swapped across the ring."""
    ring = shapely.get_coordinates(polygon.exterior)[:-1]
    far = len(ring) // 2
    ring[[1, far]] = ring[[far, 1]]
    return shapely.Polygon(ring)
