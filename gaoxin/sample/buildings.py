"""About 15,000 building footprints: rectangles aligned with their parcel.

Only on built parcels (status A1/A2/A4/A52/A6 and B12 villages), laid out per planning use
with setbacks and the odd open yard. Like real survey data they are imperfect: industrial
buildings are mostly 1–4 floors, with tall single-storey workshops (floors 1, height
9–14 m) whose storey over 8 m counts double for floor area (容积率); ~10 % lack floors but
have a height, a few have neither; and ~3–5 % straddle two parcels (one firm on two
parcels, or an old mistake).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from ._shapes import _frame

# Land statuses that carry buildings (B12: a village not yet cleared).
_BUILDING_STATUS = ("A1", "A2", "A4", "A52", "A6", "B12")

_Range = tuple[float, float]
# slot length, slot depth, fill fraction, setback, (floor values, weights), storey height
_Layout = tuple[_Range, _Range, _Range, float, tuple[tuple[int, ...], tuple[int, ...]], _Range]

# Per planning use: slot length and depth ranges (m), fill fraction, setback (m),
# floors (values, weights), storey height range (m).
_LAYOUTS: dict[str, _Layout] = {
    "industrial": ((42, 72), (28, 44), (0.6, 0.88), 7.0,
                   ((1, 2, 3, 4, 5, 6, 8, 10, 12), (46, 20, 14, 10, 4, 2, 2, 1, 1)),
                   (4.2, 5.5)),
    "W1": ((60, 100), (36, 56), (0.75, 0.9), 8.0, ((1, 2, 3), (75, 18, 7)), (6.0, 8.0)),
    "R2": ((36, 48), (40, 52), (0.42, 0.55), 10.0,
          ((6, 9, 11, 15, 18, 24, 25), (10, 10, 25, 15, 20, 10, 10)), (2.9, 3.1)),
    "B": ((40, 70), (34, 52), (0.5, 0.8), 8.0,
          ((2, 3, 4, 5, 8, 12, 18, 22), (20, 20, 15, 15, 10, 10, 6, 4)), (3.8, 4.6)),
    "A1": ((40, 60), (28, 40), (0.5, 0.7), 10.0, ((3, 4, 5, 6, 8), (20, 25, 25, 20, 10)),
           (3.6, 4.2)),
    "U1": ((30, 50), (24, 36), (0.3, 0.5), 6.0, ((1, 2), (70, 30)), (4.5, 6.0)),
    "village": ((14, 20), (12, 18), (0.5, 0.7), 3.0, ((1, 2, 3), (25, 50, 25)), (3.0, 3.3)),
}


def _layout_key(use: str, status: str) -> str:
    if status == "B12":
        return "village"
    if use in ("M1", "M2", "M3"):
        return "industrial"
    if use in ("B1", "B2"):
        return "B"
    return use


def _rect(cx: float, cy: float, length: float, depth: float, ca: float, sa: float
          ) -> list[tuple[float, float]]:
    hx, hy = length / 2, depth / 2
    return [(cx + dx * ca - dy * sa, cy + dx * sa + dy * ca)
            for dx, dy in ((-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy))]


def _parcel_frame(geom: shapely.Polygon
                  ) -> tuple[npt.NDArray[np.float64], float, float, float, float]:
    """Centre, orientation (cos, sin) of the longer side, and length/depth of the
    parcel's minimum rotated rectangle."""
    rect = shapely.get_coordinates(shapely.oriented_envelope(geom))[:4]
    e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
    l1, l2 = float(np.hypot(*e1)), float(np.hypot(*e2))
    axis, length, depth = (e1, l1, l2) if l1 >= l2 else (e2, l2, l1)
    ca, sa = axis / max(length, 1e-9)
    return rect.mean(axis=0), float(ca), float(sa), length, depth


def _storeys(rng: np.random.Generator, key: str, n: int
             ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Floors and storey height for ``n`` buildings of a layout; tall workshops included."""
    *_shape, (values, weights), (h_lo, h_hi) = _LAYOUTS[key]
    p = np.array(weights, dtype=float)
    floors = rng.choice(np.array(values, dtype=float), size=n, p=p / p.sum())
    storey = rng.uniform(h_lo, h_hi, n)
    if key == "industrial":
        one = floors == 1
        storey[one] = rng.uniform(5.0, 7.5, int(one.sum()))
        tall = one & (rng.random(n) < 0.2)  # single-storey workshops over 8 m
        storey[tall] = rng.uniform(8.6, 13.0, int(tall.sum()))
    return floors, storey


def _straddle_pairs(rng: np.random.Generator, parcels: gpd.GeoDataFrame, n: int
                    ) -> list[tuple[int, int]]:
    """Up to ``n`` disjoint pairs of adjacent built industrial parcels with a long shared edge."""
    ok = np.flatnonzero((parcels.status.to_numpy() == "A2")
                        & parcels.land_use.isin(("M1", "M2", "M3")).to_numpy())
    geoms = parcels.geometry.to_numpy()[ok]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="touches")
    m = a < b
    a, b = a[m], b[m]
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[a]),
                                                 shapely.boundary(geoms[b])))
    m = shared > 60.0
    a, b = a[m], b[m]
    order = rng.permutation(len(a))
    used = np.zeros(len(ok), dtype=bool)
    out: list[tuple[int, int]] = []
    for k in order:
        i, j = int(a[k]), int(b[k])
        if used[i] or used[j]:
            continue
        used[i] = used[j] = True
        out.append((int(ok[i]), int(ok[j])))
        if len(out) >= n:
            break
    out.sort()
    return out


def generate_buildings(
    rng: np.random.Generator, parcels: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """About 15,000 building footprints: rectangles aligned with their parcel.

    Only on built parcels (status A1/A2/A4/A52/A6 and B12 villages). Industrial buildings
    are mostly 1–4 floors, with tall single-storey workshops (floors 1, height 9–14 m);
    ~10 % lack floors but have a height, a few have neither; ~3–5 % straddle two parcels.

    Examples
    --------
    >>> from shapely import box
    >>> from gaoxin.sample import CRS
    >>> p = gpd.GeoDataFrame({"parcel_id": ["P1"], "land_use": ["M1"], "status": ["A2"]},
    ...                      geometry=[box(0, 0, 150, 100)], crs=CRS)
    >>> b = generate_buildings(np.random.default_rng(0), p)
    >>> len(b) > 0, bool(b.within(p.geometry.iloc[0]).all())
    (True, True)
    """
    status = parcels.status.to_numpy()
    use = parcels.land_use.to_numpy()
    geoms = parcels.geometry.to_numpy()
    built = np.flatnonzero(np.isin(status, _BUILDING_STATUS))
    rings: list[list[tuple[float, float]]] = []
    owner: list[int] = []
    keys: list[str] = []
    for i in built.tolist():
        key = _layout_key(use[i], status[i])
        (l_lo, l_hi), (d_lo, d_hi), (f_lo, f_hi), setback, _fl, _st = _LAYOUTS[key]
        centre, ca, sa, length, depth = _parcel_frame(geoms[i])
        inner_l, inner_d = length - 2 * setback, depth - 2 * setback
        if inner_l < 8 or inner_d < 6:
            continue
        nl = max(1, round(inner_l / rng.uniform(l_lo, l_hi)))
        nd = max(1, round(inner_d / rng.uniform(d_lo, d_hi)))
        sl, sd = inner_l / nl, inner_d / nd
        fill_l, fill_d = rng.uniform(f_lo, f_hi, 2)
        for u in range(nl):
            for v in range(nd):
                if nl * nd > 1 and rng.random() < 0.08:
                    continue  # an open yard
                ox = -inner_l / 2 + (u + 0.5) * sl
                oy = -inner_d / 2 + (v + 0.5) * sd
                cx = centre[0] + ox * ca - oy * sa
                cy = centre[1] + ox * sa + oy * ca
                rings.append(_rect(cx, cy, sl * fill_l, sd * fill_d, ca, sa))
                owner.append(int(i))
                keys.append(key)
        if key == "industrial" and rng.random() < 0.35:  # a gatehouse by the entrance
            ox, oy = -length / 2 + setback / 2 + 4, -depth / 2 + setback / 2 + 1
            cx = centre[0] + ox * ca - oy * sa
            cy = centre[1] + ox * sa + oy * ca
            rings.append(_rect(cx, cy, 6.0, 4.0, ca, sa))
            owner.append(int(i))
            keys.append("U1")
    polys = shapely.polygons(rings)
    owner_arr = np.array(owner)
    inner = shapely.buffer(geoms[owner_arr], -1.0)
    ok = shapely.within(polys, inner)
    polys, owner_arr, key_arr = polys[ok], owner_arr[ok], np.array(keys, dtype=object)[ok]

    # Buildings across a shared parcel line (one firm on two parcels, or an old mistake).
    pairs = _straddle_pairs(rng, parcels, n=round(len(polys) * 0.05))
    straddlers: list[shapely.Polygon] = []
    for i, j in pairs:
        line = shapely.line_merge(shapely.intersection(shapely.boundary(geoms[i]),
                                                       shapely.boundary(geoms[j])))
        seg = _largest_line(line)
        if seg is None:
            continue
        (x0, y0), (x1, y1) = shapely.get_coordinates(seg)[[0, -1]]
        seg_len = math.hypot(x1 - x0, y1 - y0)
        ca, sa = (x1 - x0) / seg_len, (y1 - y0) / seg_len
        mid = shapely.get_coordinates(shapely.line_interpolate_point(seg, 0.5,
                                                                     normalized=True))[0]
        both = shapely.buffer(shapely.union(geoms[i], geoms[j]), -1.0)
        size = (min(0.5 * seg_len, rng.uniform(30.0, 60.0)), 2 * rng.uniform(14.0, 24.0))
        for shrink in (1.0, 0.6):
            rect = shapely.Polygon(_rect(mid[0], mid[1], size[0] * shrink, size[1] * shrink,
                                         ca, sa))
            if rect.within(both):
                straddlers.append(rect)
                break
    if straddlers:
        st = np.array(straddlers, dtype=object)
        hit = np.unique(shapely.STRtree(polys).query(shapely.buffer(st, 4.0),
                                                     predicate="intersects")[1])
        keep = np.ones(len(polys), dtype=bool)
        keep[hit] = False
        polys = np.concatenate([polys[keep], st])
        key_arr = np.concatenate([key_arr[keep], np.full(len(st), "industrial", dtype=object)])

    n = len(polys)
    floors = np.empty(n)
    storey = np.empty(n)
    for key in _LAYOUTS:
        m = key_arr == key
        if m.any():
            floors[m], storey[m] = _storeys(rng, key, int(m.sum()))
    height = np.round(floors * storey + rng.uniform(0.3, 1.2, n), 1)
    tall = (key_arr == "industrial") & (floors == 1) & (storey > 8.0)
    height[tall] = np.round(np.minimum(storey[tall] + rng.uniform(0.3, 1.0, int(tall.sum())),
                                       14.0), 1)
    storey = np.round(storey, 1)
    draw = rng.random(n)
    no_floors = draw < 0.10
    neither = draw > 0.995
    floors[no_floors | neither] = np.nan
    storey[no_floors | neither] = np.nan
    height[neither] = np.nan
    ids = [f"JZ{k:06d}" for k in range(1, n + 1)]
    return _frame({"building_id": ids, "floors": floors, "height": height,
                   "storey_height": storey}, polys)


def _largest_line(geom: shapely.Geometry) -> shapely.LineString | None:
    lines: list[shapely.LineString] = [g for g in shapely.get_parts(geom)
                                       if g.geom_type == "LineString"]
    if not lines:
        return None
    return max(lines, key=lambda g: g.length)
