"""About 5,000 parcels tiling every zone block and park along jittered street grids.

Block parcels share edges exactly; straight road strips (S1) run between them; some
neighbouring cells are merged into larger parcels and slivers are folded into their
neighbours, so no two parcels overlap and every parcel lies inside its zone or park.
Planning land use comes in districts of one use with a few scattered A1/U1/G1; land
status is built at the core and unbuilt towards the edge (domain.md §1.2), with 标准地
readiness (regional assessment, servicing, acquisition) to match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from ..geo.units import M2_PER_KM2
from ._shapes import _ZONES, CRS, XY, _largest_part, _random_points_in, _zone_blocks

# One value per cell or parcel: geometries, text codes (land use, status …), yes/no flags.
_Geoms = npt.NDArray[np.object_]
_Codes = npt.NDArray[np.object_]
_Flags = npt.NDArray[np.bool_]

# Land-use mixes of districts (M1, M2, M3, W1, R2, B1, B2) by owner kind.
_DISTRICT_USES = ("M1", "M2", "M3", "W1", "R2", "B1", "B2")
_DISTRICT_MIX = {
    "national": (0.38, 0.14, 0.02, 0.07, 0.20, 0.10, 0.09),
    "provincial": (0.45, 0.20, 0.04, 0.09, 0.12, 0.06, 0.04),
    "park": (0.50, 0.22, 0.06, 0.12, 0.04, 0.04, 0.02),
}
_INDUSTRIAL_USES = ("M1", "M2", "M3", "W1")
_BUILT_STATUS = {"M1": "A2", "M2": "A2", "M3": "A2", "W1": "A2", "R2": "A1", "B1": "A4",
                 "B2": "A4", "A1": "A52", "U1": "A6", "G1": "A51", "S1": "A31"}

_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (n < 100)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class _Owner:
    owner_id: str  # zone_id or park_id
    block: str  # 区块 letter ("" for single-block zones and parks)
    kind: str  # "national", "provincial", "park"
    short: str  # short name for parcel names
    geom: BaseGeometry  # a polygon: a zone's 区块 or a park


def _owners(zones: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> list[_Owner]:
    shorts = {z[0]: z[2] for z in _ZONES}
    levels = {z[0]: z[3] for z in _ZONES}
    out = [_Owner(zid, b, levels[zid], shorts[zid], g) for zid, b, g in _zone_blocks(zones)]
    for pid, name, g in zip(parks.park_id, parks.name, parks.geometry, strict=True):
        out.append(_Owner(pid, "", "park", name, g))
    return out


def _grid_edges(rng: np.random.Generator, lo: float, hi: float, cell: float, road: float,
                period: int) -> tuple[XY, _Flags]:
    """Positions of grid lines from ``lo`` past ``hi``; every ``period+1``-th band a road."""
    pos = [lo]
    is_road: list[bool] = []
    k = int(rng.integers(period + 1))
    while pos[-1] < hi:
        r = k % (period + 1) == period
        pos.append(pos[-1] + (road if r else cell * rng.uniform(0.8, 1.2)))
        is_road.append(r)
        k += 1
    return np.array(pos), np.array(is_road)


def _grid_cells(
    rng: np.random.Generator, owner: _Owner, cell: tuple[float, float], road: float,
    period: int, merge: float,
) -> tuple[list[shapely.Polygon], list[str], list[str]]:
    """Cells of a jittered, rotated street grid over an owner, not yet clipped.

    Returns polygons, their kind ("block" or "road") and a road name ("" for blocks).
    Block cells share edges exactly; straight road strips run between them; some
    neighbouring block cells are merged into larger parcels.
    """
    angle = math.radians(rng.uniform(-25.0, 25.0))
    ca, sa = math.cos(angle), math.sin(angle)
    origin = np.array(owner.geom.centroid.coords[0])
    local = shapely.get_coordinates(owner.geom) - origin
    lx = local[:, 0] * ca + local[:, 1] * sa
    ly = -local[:, 0] * sa + local[:, 1] * ca
    xs, xroad = _grid_edges(rng, lx.min() - cell[0], lx.max(), cell[0], road, period)
    ys, yroad = _grid_edges(rng, ly.min() - cell[1], ly.max(), cell[1], road, period)
    nx, ny = len(xs) - 1, len(ys) - 1

    def free(flags: _Flags) -> _Flags:
        # A grid line may move across itself only when no road band touches it.
        pad: _Flags = np.r_[False, flags, False]
        return ~(pad[:-1] | pad[1:])

    jx = rng.uniform(-1, 1, (ny + 1, nx + 1)) * 0.12 * cell[0] * free(xroad)[None, :]
    jy = rng.uniform(-1, 1, (ny + 1, nx + 1)) * 0.12 * cell[1] * free(yroad)[:, None]
    gx = xs[None, :] + jx
    gy = ys[:, None] + jy
    world_x = origin[0] + gx * ca - gy * sa
    world_y = origin[1] + gx * sa + gy * ca

    def node(i: int, j: int) -> tuple[float, float]:
        return float(world_x[i, j]), float(world_y[i, j])

    polys: list[shapely.Polygon] = []
    kinds: list[str] = []
    roads: list[str] = []
    # Block cells, some merged with their right-hand neighbour.
    local_col = np.zeros(nx, dtype=int)
    for j in range(1, nx):
        local_col[j] = 0 if xroad[j - 1] else local_col[j - 1] + 1
    merge_draw = rng.random((ny, nx)) < merge
    for i in range(ny):
        if yroad[i]:
            continue
        j = 0
        while j < nx:
            if xroad[j]:
                j += 1
                continue
            span = 1
            if (merge_draw[i, j] and local_col[j] % 2 == 0 and j + 1 < nx
                    and not xroad[j + 1]):
                span = 2
            ring = [node(i, j + k) for k in range(span + 1)]
            ring += [node(i + 1, j + span - k) for k in range(span + 1)]
            polys.append(shapely.Polygon(ring))
            kinds.append("block")
            roads.append("")
            j += span
    # Road strips: whole columns (through the crossings) and row segments between them.
    row_no = 0
    for col_no, j in enumerate(np.flatnonzero(xroad).tolist(), start=1):
        ring = [node(i, j) for i in range(ny + 1)] + [node(i, j + 1) for i in range(ny, -1, -1)]
        polys.append(shapely.Polygon(ring))
        kinds.append("road")
        roads.append(f"{owner.short}纵{_cn_number(col_no)}路")
    for i in np.flatnonzero(yroad).tolist():
        row_no += 1
        j = 0
        while j < nx:
            if xroad[j]:
                j += 1
                continue
            j1 = j
            while j1 + 1 < nx and not xroad[j1 + 1]:
                j1 += 1
            ring = [node(i, k) for k in range(j, j1 + 2)]
            ring += [node(i + 1, k) for k in range(j1 + 1, j - 1, -1)]
            polys.append(shapely.Polygon(ring))
            kinds.append("road")
            roads.append(f"{owner.short}横{_cn_number(row_no)}路")
            j = j1 + 1
    return polys, kinds, roads


def _clip_cells(owner: _Owner, polys: list[shapely.Polygon], kinds: list[str],
                roads: list[str]) -> tuple[_Geoms, _Codes, _Codes]:
    """Clip grid cells to the owner, split multi-part pieces, fold slivers into neighbours."""
    shapely.prepare(owner.geom)
    clipped = shapely.intersection(np.array(polys, dtype=object), owner.geom)
    parts, index = shapely.get_parts(clipped, return_index=True)
    parts = shapely.make_valid(parts)
    keep = shapely.get_type_id(parts) == 3
    parts, index = parts[keep], index[keep]
    kind = np.array(kinds, dtype=object)[index]
    road = np.array(roads, dtype=object)[index]
    area = shapely.area(parts)
    small = (kind == "block") & (area < 1_500.0)
    big = ~small & (area >= 1.0)
    if small.any():
        targets = np.flatnonzero(big & (kind == "block"))
        tree = shapely.STRtree(parts[targets])
        s_idx, t_pos = tree.query(parts[small], predicate="intersects")
        shared = shapely.length(shapely.intersection(
            shapely.boundary(parts[small][s_idx]), shapely.boundary(parts[targets][t_pos])))
        best: dict[int, tuple[float, int]] = {}
        for s, t, length in zip(s_idx.tolist(), t_pos.tolist(), shared.tolist(), strict=True):
            if length > 5.0 and length > best.get(s, (0.0, -1))[0]:
                best[s] = (length, int(targets[t]))
        small_pos = np.flatnonzero(small)
        groups: dict[int, list[shapely.Geometry]] = {}
        for s, (_len, t) in sorted(best.items()):
            groups.setdefault(t, []).append(parts[small_pos[s]])
        for t, extra in groups.items():
            merged = shapely.union_all([parts[t], *extra])
            parts[t] = merged if merged.geom_type == "Polygon" else _largest_part(merged)
        orphans = np.array([i for i in range(len(small_pos)) if i not in best], dtype=int)
        keep_small = np.zeros(len(parts), dtype=bool)
        keep_small[small_pos[orphans]] = area[small_pos[orphans]] >= 300.0
        keep = big | keep_small
    else:
        keep = big
    keep &= ~((kind == "road") & (area < 200.0))
    return parts[keep], kind[keep], road[keep]


def _assign_land_use(rng: np.random.Generator, owner: _Owner, cents: XY,
                     kind: _Codes) -> _Codes:
    """Planning land-use codes: districts of one use, a few scattered A1/U1/G1, roads S1."""
    n_seeds = max(3, round(owner.geom.area / M2_PER_KM2 * 2.5))
    seeds = _random_points_in(rng, owner.geom, n_seeds)
    seed_use = rng.choice(_DISTRICT_USES, size=n_seeds, p=_DISTRICT_MIX[owner.kind])
    seed_use[0] = "M1"  # every site has an industrial core
    _d, nearest = cKDTree(seeds).query(cents)
    use = seed_use[nearest].astype(object)
    noise = rng.random(len(use))
    use[noise < 0.06] = rng.choice(_DISTRICT_USES, size=int((noise < 0.06).sum()),
                                   p=_DISTRICT_MIX[owner.kind])
    extra = rng.random(len(use))
    use[extra < 0.05] = "G1"
    use[(extra >= 0.05) & (extra < 0.075)] = "A1"
    use[(extra >= 0.075) & (extra < 0.10)] = "U1"
    use[kind == "road"] = "S1"
    return use


def _assign_status(rng: np.random.Generator, owner: _Owner, cents: XY,
                   use: _Codes) -> _Codes:
    """Land-status codes (domain.md §1.2): built at the core, unbuilt towards the edge."""
    core = np.array(owner.geom.centroid.coords[0])
    d = np.hypot(*(cents - core).T)
    rho = d / max(float(d.max()), 1.0)
    base, slope = {"national": (0.05, 0.45), "provincial": (0.08, 0.5),
                   "park": (0.10, 0.55)}[owner.kind]
    unbuilt = rng.random(len(use)) < base + slope * rho**2
    status = np.array([_BUILT_STATUS[u] for u in use], dtype=object)
    industrial = np.isin(use, _INDUSTRIAL_USES)
    public = np.isin(use, ("A1", "U1", "G1"))
    draw = rng.random(len(use))
    for i in np.flatnonzero(unbuilt & (use != "S1")):
        u = draw[i]
        if u < 0.06:
            status[i] = "B12"  # a village not yet cleared
        elif public[i]:
            status[i] = "D1" if u < 0.4 else "E1" if u < 0.6 else "B21" if u < 0.75 else "B22"
        elif u < 0.30:
            status[i] = "D21"
        elif u < 0.46:
            status[i] = "G"
        elif u < 0.70:
            status[i] = "E21" if industrial[i] else "E22"
        elif u < 0.82:
            status[i] = "B21"
        else:
            status[i] = "B22"
    return status


def _readiness(rng: np.random.Generator, owner: _Owner, status: _Codes
               ) -> tuple[_Flags, _Codes, _Flags]:
    """标准地 readiness: regional assessment (per site), site servicing, acquisition."""
    assessed = {"G510001A": True, "G510001B": True, "G510001C": False, "S510101": True,
                "S510102": False}.get(owner.owner_id + owner.block)
    if assessed is None:
        assessed = bool(rng.random() < 0.4)
    n = len(status)
    regional = np.full(n, assessed)
    best = "七通一平" if owner.kind == "national" else "五通一平"
    servicing = np.full(n, best, dtype=object)
    acquisition = np.ones(n, dtype=bool)
    draw = rng.random(n)
    ready = np.isin(status, ("B21", "E1", "E21", "E22", "D1", "D21", "G"))
    servicing[ready] = np.where(draw[ready] < 0.35, "三通一平",
                                np.where(draw[ready] < 0.75, "五通一平", best))
    raw = np.isin(status, ("B22", "B12"))
    servicing[raw] = np.where(draw[raw] < 0.7, "未平整", "三通一平")
    acquisition[raw] = draw[raw] >= 0.8
    # B22 means 未达到供地条件: not acquired, or not even 三通一平.
    stuck = (status == "B22") & acquisition & (servicing != "未平整")
    servicing[stuck] = "未平整"
    return regional, servicing, acquisition


def generate_parcels(
    rng: np.random.Generator, zones: gpd.GeoDataFrame, parks: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """About 5,000 parcels tiling every zone block and park along jittered street grids.

    Block parcels share edges; road strips (S1) run between them; no two parcels overlap
    and every parcel lies inside its zone or park. Fields: parcel_id, land_use (GB 50137
    planning codes M1/M2/M3/W1/R2/B1/B2/A1/U1/G1/S1), status (domain.md §1.2), zone_id,
    planned_far_min/max (industrial parcels), name, regional_assessment, servicing,
    acquisition_done.

    Examples
    --------
    >>> from gaoxin.sample import generate_parks, generate_zones
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z)
    >>> parcels = generate_parcels(rng, z, p)
    >>> 4000 < len(parcels) < 6500, parcels.parcel_id.is_unique
    (True, True)
    """
    frames = []
    for owner in _owners(zones, parks):
        cell = (130.0, 105.0) if owner.kind == "park" else (118.0, 96.0)
        polys, kinds, roads = _grid_cells(rng, owner, cell, road=rng.choice([30.0, 40.0]),
                                          period=int(rng.integers(4, 6)), merge=0.22)
        geoms, kind, road = _clip_cells(owner, polys, kinds, roads)
        cents = shapely.get_coordinates(shapely.point_on_surface(geoms))
        use = _assign_land_use(rng, owner, cents, kind)
        status = _assign_status(rng, owner, cents, use)
        regional, servicing, acquisition = _readiness(rng, owner, status)
        n = len(geoms)
        far_min = np.full(n, np.nan)
        far_max = np.full(n, np.nan)
        for u, lo_choices in (("M1", (1.0, 1.2)), ("M2", (0.8, 1.0)), ("M3", (0.6, 0.7)),
                              ("W1", (0.8, 1.0))):
            m = use == u
            far_min[m] = rng.choice(lo_choices, size=int(m.sum()))
            far_max[m] = far_min[m] + rng.choice((1.0, 1.5, 2.0), size=int(m.sum()))
        prefix = f"{owner.owner_id}-{owner.block}"
        ids = [f"{prefix}{k:04d}" for k in range(1, n + 1)]
        block_name = f"{owner.block}区" if owner.block else ""
        names = [r if r else f"{owner.short}{block_name}{u}-{k:04d}地块"
                 for k, (r, u) in enumerate(zip(road, use, strict=True), start=1)]
        frames.append(pd.DataFrame({
            "parcel_id": ids, "land_use": use, "status": status,
            "zone_id": owner.owner_id, "planned_far_min": far_min,
            "planned_far_max": far_max, "name": names, "regional_assessment": regional,
            "servicing": servicing, "acquisition_done": acquisition, "geometry": geoms,
        }))
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)
