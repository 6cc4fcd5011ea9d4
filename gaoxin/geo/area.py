"""Areas as the national land survey reports them: on the ellipsoid, in m², 公顷 and 亩.

Never from a geographic CRS or Web Mercator. An edge is what the file defines: a straight
line in its own coordinates (lon/lat in a geographic file, the plane in Gauss-Krüger). The
reference is therefore ``pyproj.Geod(ellps="GRS80").geometry_area_perimeter`` of the polygon
densified very finely in its own CRS, which converges to the area of that region; the default
method agrees with it to 1e-6 for any polygon, parcels to 5° boxes (tests/geo/test_area.py):

- geographic CRS: the area is integrated exactly along the lon/lat edges on the CGCS2000
  (GRS80) ellipsoid (Lambert's cylindrical equal-area coordinates, each edge's curve by
  Gauss-Legendre quadrature), to ~1e-10, and faster than projecting;
- projected CRS, features under 10 km (parcels in Gauss-Krüger): planar area divided by the
  projection's areal scale factor at the centroid, the same to ~1e-8;
- other projected features: projected to a Lambert azimuthal equal-area projection on GRS80
  centred on the data, which preserves area exactly, after densifying edges long enough for
  their bending between the two projections to matter (:func:`_laea_area`).

``method="geodesic"`` calls ``pyproj.Geod`` per feature: exact for geodesic edges, which are
not the file's edges — a 1°×1° lon/lat box differs by up to ~2e-5 from the region the file
defines, a 5°×5° box by up to ~4e-4, and a triangle with a 100 m east-west edge at 50°N by
1e-6 already.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Proj, Transformer

from ..errors import InputError
from .arrays import FloatArray, GeometryArray, IntArray
from .crs import (
    lon_lat_bounds,
    metres_to_crs_units,
    straight_line_curvature,
)
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


def _laea_area(geoms: gpd.GeoSeries, crs: CRS) -> FloatArray:
    """Area in a local Lambert azimuthal equal-area projection, edges densified first.

    An edge straight in ``crs`` and the straight chord between its projected ends differ by
    curves whose curvatures on the ellipsoid are bounded by κ (both CRSs,
    :func:`straight_line_curvature`); a piece of length d encloses at most κ·d³/12 between
    them, so a polygon of area A and perimeter P cut into pieces ≤ d is off by at most
    κ·P·d²/(12·A). Each feature's step is chosen for half of the 1e-6 budget; features whose
    bounding-box diagonal is below it (parcels: κ ≈ 0.05/R in Gauss-Krüger near the data)
    are projected as they are. The step never goes below 1 m (slivers thinner than ~5 cm may
    then exceed the budget).
    """
    laea = local_equal_area_crs(geoms)
    arr = np.asarray(geoms.values)
    bounds = shapely.bounds(arr)
    ok = np.isfinite(bounds).all(axis=1)
    if ok.any():
        extent = lon_lat_bounds(np.array([bounds[ok, 0].min(), bounds[ok, 1].min(),
                                          bounds[ok, 2].max(), bounds[ok, 3].max()]), crs)
        curvature = straight_line_curvature(crs, extent) + straight_line_curvature(laea, extent)
        ratio = np.divide(shapely.area(arr), shapely.length(arr),
                          out=np.zeros(len(arr)), where=shapely.length(arr) > 0)
        step = np.maximum(np.sqrt(12 * _DENSIFY_BUDGET * ratio / curvature),
                          metres_to_crs_units(1.0, crs))
        diagonal = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        long = np.flatnonzero(ok & (diagonal > step))
        if len(long):
            arr = arr.copy()
            arr[long] = shapely.segmentize(arr[long], step[long])
    projected = gpd.GeoSeries(arr, crs=crs).to_crs(laea)
    return shapely.area(np.asarray(projected.values))


# Half of the 1e-6 promised: the rest is margin for the curvature bounds and rounding.
_DENSIFY_BUDGET = 0.5e-6


def ellipsoidal_area(geoms: gpd.GeoSeries, method: AreaMethod = "ellipsoidal", *,
                     factors: FloatArray | None = None) -> pd.Series:
    """Area of each geometry in m², on the CGCS2000 (GRS80) ellipsoid.

    Parameters
    ----------
    geoms
        Polygons in any CRS (geographic or projected); the CRS must be set.
    factors
        Areal scale factors from :func:`areal_scale_factors` for these geometries, when the
        caller already has them (they are not computed twice).
    method
        ``"ellipsoidal"`` (default): the region with the file's own straight edges, within
        1e-6 (module docstring: lon/lat integrated exactly, GK parcels by scale factor,
        others in a local equal-area projection with long edges densified).
        ``"geodesic"``: ``pyproj.Geod`` with rings oriented first, so holes subtract (geodesic
        edges: not the file's edges for large features).
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


def _ellipsoidal(geoms: gpd.GeoSeries, crs: CRS, factors: FloatArray | None = None
                 ) -> FloatArray:
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
                # types-geopandas types GeoSeries.iloc as a plain Series; it is a GeoSeries.
                area[~small] = _laea_area(geoms.iloc[np.flatnonzero(~small)],  # type: ignore[arg-type]
                                          crs)
            return area
    if crs.is_geographic:
        return lon_lat_area(arr)
    return _laea_area(geoms, crs)


# GRS80 (CGCS2000) and its authalic sphere: area element R_q²·d(sin β)·dλ, β the authalic
# latitude, sin β = q(φ)/q_p.
_GRS80_A = 6_378_137.0
_GRS80_E2 = (1 / 298.257222101) * (2 - 1 / 298.257222101)
_GRS80_E = float(np.sqrt(_GRS80_E2))


def _authalic_q(phi: FloatArray) -> FloatArray:
    s = np.sin(phi)
    q: FloatArray = (1 - _GRS80_E2) * (s / (1 - _GRS80_E2 * s * s)
                                       - np.log((1 - _GRS80_E * s) / (1 + _GRS80_E * s))
                                       / (2 * _GRS80_E))
    return q


_Q_POLE = float(_authalic_q(np.array(np.pi / 2)))
_AUTHALIC_R2 = _GRS80_A**2 * _Q_POLE / 2
# Gauss-Legendre nodes on [0, 1]. sin β is smooth in φ, so 3 nodes leave ≤ 1e-13 of an
# edge's contribution for a 5° change of latitude; 8 nodes above 3° make it ≤ 1e-12 at 45°.
QuadratureRule: TypeAlias = tuple[tuple[float, ...], tuple[float, ...]]


def _gauss_legendre(n: int) -> QuadratureRule:
    """``n`` Gauss-Legendre nodes and their weights, on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(n)
    return tuple(float(v) for v in (x + 1) / 2), tuple(float(v) for v in w / 2)


_GL3 = _gauss_legendre(3)
_GL8 = _gauss_legendre(8)
_GL8_ABOVE_RAD = np.radians(3.0)


def lon_lat_area(geoms: GeometryArray) -> FloatArray:
    """Area in m² on GRS80 of polygons whose edges are straight in lon/lat (degrees).

    Lambert's cylindrical equal-area coordinates (λ, sin β) map the ellipsoid to the plane
    with area × R_q², so a ring's area is R_q²·|∮ sin β dλ|. Along an edge straight in lon/lat,
    λ is linear and φ too, so the integral is Δλ times the mean of sin β(φ) over the edge,
    taken by Gauss-Legendre quadrature: exact to ~1e-10 whatever the edge's length, with no
    densifying and no projection. Holes subtract; points and lines have no area.

    Examples
    --------
    >>> from shapely import box
    >>> a = lon_lat_area(np.array([box(104, 30, 105, 31), None]))
    >>> round(float(a[0]) / 1e6, 3), float(a[1])
    (10642.393, 0.0)
    """
    arr = np.asarray(geoms, dtype=object)
    area = np.zeros(len(arr))
    type_ids = shapely.get_type_id(arr)
    simple = (type_ids == 3) & (shapely.get_num_interior_rings(arr) == 0)
    if simple.any():
        # One ring per feature (parcels): no ring bookkeeping.
        xy, feature = shapely.get_coordinates(arr[simple], return_index=True)
        area[simple] = np.abs(_ring_integrals(xy, feature, int(simple.sum())))
    other = np.flatnonzero(~simple & np.isin(type_ids, (3, 6, 7)))
    if len(other):
        parts, owner = shapely.get_parts(arr[other], return_index=True)
        while (multi := np.isin(shapely.get_type_id(parts), (6, 7))).any():
            nested, nested_owner = shapely.get_parts(parts[multi], return_index=True)
            parts = np.concatenate([parts[~multi], nested])
            owner = np.concatenate([owner[~multi], owner[multi][nested_owner]])
        polygons = shapely.get_type_id(parts) == 3
        rings, ring_polygon = shapely.get_rings(parts[polygons], return_index=True)
        xy, ring = shapely.get_coordinates(rings, return_index=True)
        exterior = np.ones(len(rings), dtype=bool)
        exterior[1:] = ring_polygon[1:] != ring_polygon[:-1]
        ring_area = np.abs(_ring_integrals(xy, ring, len(rings))) * np.where(exterior, 1, -1)
        area[other] = np.bincount(owner[polygons][ring_polygon], weights=ring_area,
                                  minlength=len(other))
    return area


def _ring_integrals(xy: FloatArray, ring: IntArray, n_rings: int) -> FloatArray:
    """R_q²·∮ sin β dλ for each closed ring; ``ring`` numbers each coordinate's ring."""
    lam, phi = np.radians(xy[:, 0]), np.radians(xy[:, 1])
    edge = np.flatnonzero(ring[1:] == ring[:-1])
    # sin β at each ring's first vertex is subtracted (a constant integrates to 0 over a closed
    # ring), so that a parcel's small sum is not lost next to terms ~0.5.
    first = np.ones(len(ring), dtype=bool)
    first[1:] = ring[1:] != ring[:-1]
    reference = np.zeros(n_rings)
    reference[ring[first]] = _authalic_q(phi[first]) / _Q_POLE
    phi0, dphi = phi[edge], phi[edge + 1] - phi[edge]
    mean = _mean_sin_beta(phi0, dphi, _GL3)
    steep = np.flatnonzero(np.abs(dphi) > _GL8_ABOVE_RAD)
    if len(steep):
        mean[steep] = _mean_sin_beta(phi0[steep], dphi[steep], _GL8)
    terms = (lam[edge + 1] - lam[edge]) * (mean - reference[ring[edge]])
    # numpy's stub types bincount as integer; with weights it is float64.
    per_ring: FloatArray = np.bincount(ring[edge], weights=terms,  # type: ignore[assignment]
                                       minlength=n_rings)
    return _AUTHALIC_R2 * per_ring


def _mean_sin_beta(phi0: FloatArray, dphi: FloatArray, rule: QuadratureRule) -> FloatArray:
    nodes, weights = rule
    total = np.zeros(len(phi0))
    for t, w in zip(nodes, weights, strict=True):
        total += w * _authalic_q(phi0 + t * dphi)
    return total / _Q_POLE


_GRID_STEP_M = 2_000.0


def areal_scale(x: FloatArray, y: FloatArray, crs: CRS) -> FloatArray:
    """The projection's areal scale factor at projected points (``get_factors``).

    The factor is smooth (for Gauss-Krüger about 1 + E²/R²), so it is evaluated at the nodes
    of a fixed 2 km lattice around the points and interpolated bilinearly: the error is
    below 1e-7, and millions of points cost a few thousand nodes.

    Examples
    --------
    >>> s = areal_scale(np.array([500000.0, 650000.0]), np.array([3.4e6, 3.4e6]),
    ...                 CRS.from_epsg(4544))
    >>> [round(float(v), 6) for v in s]
    [1.0, 1.000555]
    """
    # Nodes sit on a fixed lattice (multiples of the step), not on the points' extent, so a
    # point's factor does not depend on which other points are measured with it: a zone
    # measured alone (one task of a cluster run) gets the figures of the whole run.
    fx, fy = x / _GRID_STEP_M, y / _GRID_STEP_M
    i0, j0 = np.floor(fx), np.floor(fy)
    tx, ty = fx - i0, fy - j0
    node_i, node_j, where = _lattice_nodes(i0, j0)
    to_geo = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(node_i * _GRID_STEP_M, node_j * _GRID_STEP_M)
    at_node = np.asarray(Proj(crs).get_factors(lon, lat).areal_scale)[where]
    f00, f10, f01, f11 = at_node.reshape(4, len(x))
    scale: FloatArray = (f00 * (1 - tx) + f10 * tx) * (1 - ty) + (f01 * (1 - tx) + f11 * tx) * ty
    return scale


_DENSE_LATTICE_NODES = 1 << 22


def _lattice_nodes(i0: FloatArray, j0: FloatArray
                   ) -> tuple[FloatArray, FloatArray, IntArray]:
    """The distinct lattice nodes at the four corners of each point's cell, and where each
    corner's node is among them (the corners (i, j), (i+1, j), (i, j+1), (i+1, j+1) of all
    points, in that order).

    Nodes are numbered by their place in the lattice window spanning the points: a boolean
    mark and a running count when the window is small (a province: a few thousand nodes),
    a sort of integer keys otherwise. ``np.unique(..., axis=0)`` on the coordinate pairs did
    the same by sorting rows as opaque bytes: 38 s for 3M scattered points.

    Examples
    --------
    >>> ni, nj, where = _lattice_nodes(np.array([0.0, 1.0]), np.array([5.0, 5.0]))
    >>> ni.tolist(), nj.tolist()
    ([0.0, 0.0, 1.0, 1.0, 2.0, 2.0], [5.0, 6.0, 5.0, 6.0, 5.0, 6.0])
    >>> where.tolist()
    [0, 2, 2, 4, 1, 3, 3, 5]
    """
    if not len(i0):
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, dtype=np.int64)
    i_min, j_min = float(i0.min()), float(j0.min())
    width = float(j0.max()) - j_min + 2
    height = float(i0.max()) - i_min + 2
    if width * height >= 2.0 ** 62:  # beyond exact int64 keys (coordinates of no place)
        corners = np.stack([np.concatenate([i0, i0 + 1, i0, i0 + 1]),
                            np.concatenate([j0, j0, j0 + 1, j0 + 1])], axis=1)
        nodes, inverse = np.unique(corners, axis=0, return_inverse=True)
        return nodes[:, 0], nodes[:, 1], inverse.ravel()
    cols = int(width)
    base = (i0 - i_min).astype(np.int64) * cols + (j0 - j_min).astype(np.int64)
    keys = np.concatenate([base, base + cols, base + 1, base + cols + 1])
    if width * height <= max(_DENSE_LATTICE_NODES, 2 * len(keys)):
        used = np.zeros(int(width * height), dtype=bool)
        used[keys] = True
        present = np.flatnonzero(used)
        rank = np.cumsum(used) - 1
        where: IntArray = rank[keys]
    else:
        present, where = np.unique(keys, return_inverse=True)
    node_i: FloatArray = (present // cols).astype(np.float64) + i_min
    node_j: FloatArray = (present % cols).astype(np.float64) + j_min
    return node_i, node_j, where


# The factor's gradient is ~2E/R² (≤ 7.4e-9 per metre at a 3° zone's edge). Below 250 m a
# feature's bbox centre lies within a few tens of metres of its area centroid: < 5e-7.
_CENTROID_ABOVE_M = 250.0


def _factors(arr: GeometryArray, crs: CRS, bounds: FloatArray | None = None) -> FloatArray:
    b = shapely.bounds(arr) if bounds is None else bounds
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


def areal_scale_factors(geoms: gpd.GeoSeries, bounds: FloatArray | None = None
                        ) -> FloatArray | None:
    """The areal scale factor of the CRS at each feature (None in a geographic CRS or Web
    Mercator, where planar areas are meaningless). ``bounds``: ``shapely.bounds`` of the
    geometries, when the caller has them.

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
    return _factors(arr, crs, bounds) if len(arr) else np.zeros(0)


def _scale_corrected_area(arr: GeometryArray, crs: CRS) -> FloatArray:
    """Planar area divided by the projection's areal scale at each feature (conformal or
    not, ``get_factors`` gives the true areal scale of the projection on its ellipsoid).

    The factor is taken at the area centroid, which makes the first-order variation across
    the feature cancel exactly. Features under 250 m use their bounding-box centre instead
    (cheaper; see ``_CENTROID_ABOVE_M``).
    """
    planar: FloatArray = shapely.area(arr)
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
