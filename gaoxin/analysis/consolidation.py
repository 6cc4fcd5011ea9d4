"""一区多园 consolidation: which scattered parks each zone should integrate or entrust, and the
plan that does the most good under the layout limits.

国发〔2020〕7号 encourages zones to integrate or entrust (整合或托管) industrial parks that are
区位相邻、产业相近、分布零散. Every (park, host zone) pair within ``pairs.max_distance_km`` of
each other gets one factor per criterion, each in [0, 1], and a score, their weighted mean:

``proximity``
    1 / (1 + d / ``proximity.half_distance_km``), with d the travel distance along the road
    layer when there is one (a graph of the road segments, shortest paths by Dijkstra in
    :mod:`scipy.sparse.csgraph`: no new dependency, and a CSR matrix of a province's roads
    is built in a fraction of a second), else the distance between the boundaries (never
    the centroids: a 10 km² zone's centroid is kilometres from its edge);
``admin``
    same county, adjacent county (from a county layer) or same prefecture;
``industry``
    the similarity of the leading industries (主导产业 names mapped to GB/T 4754 two-digit codes
    by the rule set's table): every code of either side scores 1 when both have it, the
    rule set's partial credit when the other side has a code of the same section (门类; in
    manufacturing, of the same group 13–24 light, 25–32 materials, 33–43 equipment, since
    section C alone holds 31 codes), else 0, over the number of distinct codes. It is the
    Jaccard index with partial credit: symmetric, 1 only for the same set, and unlike a
    cosine it does not reward a zone for listing many industries;
``fragmentation``
    the park's own: small size, separate blocks and spread (1 − area / convex hull).

The plan assigns each park to at most one host, or leaves it alone, maximising the total
score under the hard constraints (≤ ``constraints.max_blocks`` blocks per zone, a park adding
a block unless it lies within ``constraints.touch_m`` of one of the host's blocks; at most
``constraints.provincial_per_county`` provincial zones in a county), solved exactly as an
integer program (:func:`scipy.optimize.milp`, HiGHS), and compared with the greedy choice of
the best remaining pair. Parks already hosted (``host_zone_id``) are not candidates.

Compute-only: reads, writes and prints nothing.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse import csgraph

from ..errors import InputError
from ..geo.area import ellipsoidal_area
from ..geo.arrays import FloatArray, GeometryArray, IntArray
from ..geo.crs import lon_lat_bounds, working_crs
from ..geo.units import M2_PER_KM2
from .ruleset import RuleSet, load_ruleset

FACTORS = ("proximity", "admin", "industry", "fragmentation")
RELATIONS = ("same_county", "adjacent_county", "same_city", "other", "unknown")
SPLITS = ("area", "output", "fixed")
_SPLIT_NAMES = re.compile(r"[,,、;;/|\s]+")
_LIST_SEPARATOR = "、"  # how staff list several ids in one cell
# Groups of the GB/T 4754-2017 two-digit codes: the section letter, and within
# manufacturing (C, 13–43) a group by kind of industry.
_SECTIONS = ((1, 5, "A"), (6, 12, "B"), (13, 24, "C1"), (25, 32, "C2"), (33, 43, "C3"),
             (44, 46, "D"), (47, 50, "E"), (51, 52, "F"), (53, 60, "G"), (61, 62, "H"),
             (63, 65, "I"), (66, 69, "J"), (70, 70, "K"), (71, 72, "L"), (73, 75, "M"),
             (76, 79, "N"), (80, 82, "O"), (83, 83, "P"), (84, 85, "Q"), (86, 90, "R"),
             (91, 96, "S"), (97, 97, "T"))
# Parameters the sensitivity table varies: every ⚙ threshold and weight of the score.
SENSITIVE = ("pairs.max_distance_km", "proximity.half_distance_km", "industry.partial_credit",
             "fragmentation.small_area_km2", "admin.adjacent_county", "admin.same_city",
             "weights.proximity", "weights.admin", "weights.industry", "weights.fragmentation",
             "plan.min_score")


def code_group(code: str) -> str:
    """The section (门类) of a GB/T 4754 two-digit code; manufacturing by group.

    Examples
    --------
    >>> code_group("39"), code_group("27"), code_group("14"), code_group("65"), code_group("x")
    ('C3', 'C2', 'C1', 'I', '')
    """
    if not code[:2].isdigit():
        return ""
    n = int(code[:2])
    return next((g for lo, hi, g in _SECTIONS if lo <= n <= hi), "")


def industry_codes(text: object, table: Mapping[str, list[str]]
                   ) -> tuple[frozenset[str], list[str]]:
    """The two-digit codes of a 主导产业 text (names separated by 、;, …) and the names the
    table does not know. A name that is itself a code (``39``, ``3911``) is taken as one.

    Examples
    --------
    >>> t = {"电子信息": ["39"], "软件服务": ["65"]}
    >>> codes, unknown = industry_codes("电子信息、软件服务;文旅", t)
    >>> sorted(codes), unknown
    (['39', '65'], ['文旅'])
    >>> industry_codes(None, t)
    (frozenset(), [])
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return frozenset(), []
    codes: set[str] = set()
    unknown: list[str] = []
    for name in (n.strip() for n in _SPLIT_NAMES.split(str(text))):
        if not name:
            continue
        if name in table:
            codes.update(c[:2] for c in table[name])
        elif name[:2].isdigit() and code_group(name):
            codes.add(name[:2])
        else:
            unknown.append(name)
    return frozenset(codes), unknown


class Credits(TypedDict):
    exact: int
    partial: int
    union: int


def industry_credits(a: frozenset[str], b: frozenset[str]) -> Credits:
    """Codes on both sides, codes with a same-group code on the other side, all codes.

    Examples
    --------
    >>> industry_credits(frozenset({"39", "65"}), frozenset({"39", "38"}))
    {'exact': 1, 'partial': 1, 'union': 3}
    """
    union = a | b
    exact = a & b
    ga = {code_group(c) for c in a}
    gb = {code_group(c) for c in b}
    partial = sum(1 for c in union - exact
                  if code_group(c) in (gb if c in a else ga))
    return Credits(exact=len(exact), partial=partial, union=len(union))


def industry_similarity(a: frozenset[str], b: frozenset[str], partial_credit: float) -> float:
    """Jaccard index of two code sets with partial credit for same-group codes; NaN when a
    side has no code.

    Examples
    --------
    >>> industry_similarity(frozenset({"39"}), frozenset({"39"}), 0.25)
    1.0
    >>> industry_similarity(frozenset({"39", "65"}), frozenset({"39", "38"}), 0.25)
    0.4166666666666667
    >>> industry_similarity(frozenset({"27"}), frozenset({"59"}), 0.25)
    0.0
    """
    if not a or not b:
        return float("nan")
    c = industry_credits(a, b)
    return (c["exact"] + partial_credit * c["partial"]) / c["union"]


def fragmentation_measures(geoms: gpd.GeoSeries) -> pd.DataFrame:
    """Size (km², ellipsoidal), number of separate blocks and spread of each park.

    ``spread`` = 1 − area / area of the convex hull: 0 for a convex park, towards 1 for
    parts scattered over a wide hull.

    Examples
    --------
    >>> from shapely import box, MultiPolygon
    >>> g = gpd.GeoSeries([box(500000, 3400000, 501000, 3401000),
    ...     MultiPolygon([box(500000, 3400000, 500500, 3400500),
    ...                   box(503500, 3400000, 504000, 3400500)])], crs=4544)
    >>> m = fragmentation_measures(g)
    >>> m["blocks"].tolist(), m["spread"].round(3).tolist()
    ([1, 2], [0.0, 0.75])
    """
    arr = geoms.values
    planar = shapely.area(arr)
    hull = shapely.area(shapely.convex_hull(arr))
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(hull > 0, 1.0 - planar / hull, 0.0)
    return pd.DataFrame({"area_km2": ellipsoidal_area(geoms).to_numpy() / M2_PER_KM2,
                         "blocks": shapely.get_num_geometries(arr).astype(int),
                         "spread": np.clip(spread, 0.0, 1.0)}, index=geoms.index)


def fragmentation_score(measures: pd.DataFrame, rules: RuleSet) -> FloatArray:
    """分布零散 in [0, 1]: the weighted mean of small size (small area / area, capped at 1),
    separate blocks (1 − 1 / blocks) and spread.

    Examples
    --------
    >>> m = pd.DataFrame({"area_km2": [1.0, 6.0], "blocks": [1, 2], "spread": [0.0, 0.5]})
    >>> fragmentation_score(m, load_ruleset("consolidation")).round(3).tolist()
    [0.5, 0.5]
    """
    area = measures["area_km2"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(area > 0, np.minimum(rules.number("fragmentation.small_area_km2") / area,
                                             1.0), 1.0)
    blocks = 1.0 - 1.0 / np.maximum(measures["blocks"].to_numpy(dtype=float), 1.0)
    parts = (("size", size), ("blocks", blocks),
             ("spread", measures["spread"].to_numpy(dtype=float)))
    weights = np.array([rules.number(f"fragmentation.weight_{k}") for k, _ in parts])
    total = weights.sum()
    if total <= 0:
        raise InputError("the fragmentation weights add up to 0", file="[rules.consolidation]",
                         fix="give fragmentation.weight_size a positive weight")
    return np.asarray(sum(w * v for w, (_, v) in zip(weights, parts, strict=True)) / total,
                      dtype=float)


# ------------------------------------------------------------------ roads


@dataclass
class RoadGraph:
    """Road segments as an undirected graph: node coordinates and a CSR matrix of lengths."""

    nodes: FloatArray
    matrix: sparse.csr_matrix

    @classmethod
    def build(cls, roads: gpd.GeoSeries, snap_m: float) -> RoadGraph:
        """Nodes are the vertices of the lines, snapped to ``snap_m``; two lines join where
        they share a vertex (OSM ways do at junctions), not where they merely cross.

        Examples
        --------
        >>> from shapely import LineString
        >>> g = RoadGraph.build(gpd.GeoSeries([LineString([(0, 0), (100, 0)]),
        ...                                    LineString([(100, 0), (100, 50)])]), 1.0)
        >>> len(g.nodes), g.matrix.nnz
        (3, 2)
        """
        lines = shapely.get_parts(np.asarray(roads.values, dtype=object))
        lines = lines[shapely.get_type_id(lines) == 1] if len(lines) else lines
        if len(lines) == 0:
            return cls(np.zeros((0, 2)), sparse.csr_matrix((0, 0)))
        coords, line = shapely.get_coordinates(lines, return_index=True)
        keys = np.round(coords / snap_m).astype(np.int64)
        uniq, node = np.unique(keys, axis=0, return_inverse=True)
        node = node.ravel()
        same = line[1:] == line[:-1]
        a, b = node[:-1][same], node[1:][same]
        length = np.hypot(*(coords[1:][same] - coords[:-1][same]).T)
        keep = a != b
        a, b, length = np.minimum(a, b)[keep], np.maximum(a, b)[keep], length[keep]
        order = np.lexsort((length, b, a))
        a, b, length = a[order], b[order], length[order]
        first = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
        n = len(uniq)
        matrix = sparse.csr_matrix((length[first], (a[first], b[first])), shape=(n, n))
        return cls(uniq.astype(float) * snap_m, matrix)

    def site_distances(self, sources: GeometryArray, targets: GeometryArray, access_m: float,
                       limit_m: float, chunk: int = 16) -> FloatArray:
        """Travel distance (m) from each source site to each target site, ``inf`` beyond
        ``limit_m`` or where either has no road node within ``access_m`` of its boundary.

        Each site becomes a node joined to the road nodes within ``access_m`` of it by the
        straight distance to its boundary (0 inside), so a trip is: to the road, along the
        roads, from the road.
        """
        n, ns, nt = len(self.nodes), len(sources), len(targets)
        out = np.full((ns, nt), np.inf)
        if n == 0 or ns == 0 or nt == 0:
            return out
        points = np.asarray(shapely.points(self.nodes), dtype=object)
        tree = shapely.STRtree(points)
        sites = np.concatenate([sources, targets])
        site_idx, node_idx = tree.query(sites, predicate="dwithin", distance=access_m)
        w = shapely.distance(sites[site_idx], points[node_idx])
        w = np.maximum(w, 1e-6)  # a stored zero would be no edge
        size = n + len(sites)
        roads = self.matrix.tocoo()
        full = sparse.csr_matrix((np.concatenate([roads.data, w]),
                                  (np.concatenate([roads.row, n + site_idx]),
                                   np.concatenate([roads.col, node_idx]))), shape=(size, size))
        for start in range(0, ns, chunk):
            idx = np.arange(start, min(start + chunk, ns)) + n
            dist = csgraph.dijkstra(full, directed=False, indices=idx, limit=limit_m)
            out[start:start + len(idx)] = dist[:, n + ns:]
        return out


# ------------------------------------------------------------------ administrative units


def _relation_codes(park_county: np.ndarray, zone_counties: list[set[str]],
                    park_city: np.ndarray, zone_city: np.ndarray,
                    adjacent: Mapping[str, set[str]] | None, pi: IntArray, zi: IntArray
                    ) -> np.ndarray:
    out = np.empty(len(pi), dtype=object)
    for k, (p, z) in enumerate(zip(pi, zi, strict=True)):
        county = park_county[p]
        if not county:
            out[k] = "unknown"
        elif county in zone_counties[z]:
            out[k] = "same_county"
        elif adjacent is not None and adjacent.get(county, set()) & zone_counties[z]:
            out[k] = "adjacent_county"
        elif park_city[p] and park_city[p] == zone_city[z]:
            out[k] = "same_city"
        else:
            out[k] = "other"
    return out


def _text(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[col].astype("string").fillna("").str.strip().to_numpy(dtype=object)


@dataclass
class AdminUnits:
    """The county of each park, the counties of each zone's blocks, the city of each, and
    which counties touch (None without a county layer)."""

    park_county: np.ndarray
    park_city: np.ndarray
    zone_counties: list[set[str]]
    zone_city: np.ndarray
    adjacent: dict[str, set[str]] | None
    source: str  # "layer" or "attributes"


def admin_units(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                counties: gpd.GeoDataFrame | None, touch_m: float = 200.0) -> AdminUnits:
    """Counties and cities from the county layer (the county holding a park's or block's
    representative point; counties within ``touch_m`` are adjacent, as real boundary files
    leave slivers between neighbours), else from the ``county`` / ``city`` attributes."""
    if counties is None or len(counties) == 0:
        zone_county = _text(zones, "county")
        return AdminUnits(_text(parks, "county"), _text(parks, "city"),
                          [{c} if c else set() for c in zone_county], _text(zones, "city"),
                          None, "attributes")
    names = _text(counties, "name")
    cities = _text(counties, "city")
    cgeoms = counties.geometry.values
    tree = shapely.STRtree(cgeoms)

    def county_of(geoms: GeometryArray) -> np.ndarray:
        pts = shapely.point_on_surface(geoms)
        gi, ci = tree.query(pts, predicate="within")
        out = np.full(len(geoms), -1)
        out[gi] = ci  # a point on a shared edge: either county will do
        return out

    pc = county_of(np.asarray(parks.geometry.values, dtype=object))
    park_county = np.array([names[i] if i >= 0 else "" for i in pc], dtype=object)
    park_city = np.array([cities[i] if i >= 0 and cities[i] else c
                          for i, c in zip(pc, _text(parks, "city"), strict=True)], dtype=object)
    zone_counties: list[set[str]] = []
    zone_city = []
    for geom, attr_city in zip(zones.geometry.values, _text(zones, "city"), strict=True):
        blocks = shapely.get_parts(geom)
        zc = county_of(np.asarray(blocks, dtype=object))
        zone_counties.append({names[i] for i in zc if i >= 0})
        zone_city.append(next((cities[i] for i in zc if i >= 0 and cities[i]), attr_city))
    a, b = tree.query(cgeoms, predicate="dwithin", distance=touch_m)
    adjacent: dict[str, set[str]] = {}
    for i, j in zip(a, b, strict=True):
        if i != j and names[i] != names[j]:
            adjacent.setdefault(names[i], set()).add(names[j])
    return AdminUnits(park_county, park_city, zone_counties,
                      np.array(zone_city, dtype=object), adjacent, "layer")


# ------------------------------------------------------------------ pairs


@dataclass
class Layers:
    """What the measures read beyond zones and parks; None where the workspace has none."""

    counties: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    # Parcels with land-status codes and the zone or park they lie in (``zone_id``): the
    # host's land-use figures before and after taking its parks.
    parcels: gpd.GeoDataFrame | None = None


@dataclass
class Measures:
    """Everything measured once; scoring and the plan under any rule values read it."""

    parks: gpd.GeoDataFrame  # candidates and hosted, sorted by park_id, with fragmentation
    zones: gpd.GeoDataFrame  # sorted by zone_id
    pairs: pd.DataFrame  # one row per (park, zone) within the measured distance
    admin: AdminUnits
    roads_used: bool
    unknown_industries: list[str] = field(default_factory=list)


def _sorted(frame: gpd.GeoDataFrame, key: str, what: str) -> gpd.GeoDataFrame:
    if key not in frame:
        raise InputError(f"the {what} have no {key} field", fix=f"map {key} in [layers.{what}]")
    ids = frame[key].astype("string").str.strip()
    dup = ids[ids.duplicated()].dropna()
    if ids.isna().any() or (ids == "").any() or len(dup):
        bad = dup.iloc[0] if len(dup) else "(empty)"
        raise InputError(f"{key} must be unique and non-empty; {bad!r} is not",
                         feature=str(bad), fix=f"give every one of the {what} its own {key}")
    out = frame.assign(**{key: ids.to_numpy()})
    return out.iloc[np.argsort(ids.to_numpy(dtype=str), kind="stable")].reset_index(drop=True)


def _table(rules: RuleSet) -> dict[str, list[str]]:
    return {key.split(".", 1)[1]: rules.texts(key) for key in rules.rules
            if key.startswith("industry_codes.")}


def measure(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, layers: Layers | None = None,
            rules: RuleSet | None = None, *, reach: float = 1.5) -> Measures:
    """Every pair's distances, administrative relation and industry codes, and every park's
    fragmentation, for pairs up to ``reach`` × ``pairs.max_distance_km`` (the sensitivity
    table widens the distance by half).

    The layers are taken to the working CRS of their extent (design.md), so the same data
    in any CRS gives the same figures; rows are sorted by id, so their order does not count.
    """
    rules = rules or load_ruleset("consolidation")
    layers = layers or Layers()
    zones = _sorted(zones, "zone_id", "zones")
    parks = _sorted(parks, "park_id", "parks")
    crs = _common_crs([zones, parks])
    zones, parks = zones.to_crs(crs), parks.to_crs(crs)
    counties = layers.counties.to_crs(crs) if layers.counties is not None else None
    roads = layers.roads.to_crs(crs) if layers.roads is not None else None
    zones = zones[~(zones.geometry.isna() | zones.geometry.is_empty).to_numpy()]
    parks = parks[~(parks.geometry.isna() | parks.geometry.is_empty).to_numpy()]
    zones, parks = zones.reset_index(drop=True), parks.reset_index(drop=True)

    frag = fragmentation_measures(parks.geometry)
    parks = parks.join(frag)
    zones = zones.assign(area_km2=ellipsoidal_area(zones.geometry).to_numpy() / M2_PER_KM2,
                         blocks=shapely.get_num_geometries(zones.geometry.values))
    hosted = _text(parks, "host_zone_id") != ""
    parks = parks.assign(hosted=hosted)

    table = _table(rules)
    park_codes, zone_codes, unknown = [], [], set()
    for text in parks["industries"] if "industries" in parks else [None] * len(parks):
        codes, miss = industry_codes(text, table)
        park_codes.append(codes)
        unknown.update(miss)
    for text in zones["industries"] if "industries" in zones else [None] * len(zones):
        codes, miss = industry_codes(text, table)
        zone_codes.append(codes)
        unknown.update(miss)
    parks = parks.assign(codes=[",".join(sorted(c)) for c in park_codes])
    zones = zones.assign(codes=[",".join(sorted(c)) for c in zone_codes])

    limit = rules.number("pairs.max_distance_km") * 1000.0 * reach
    pgeoms = np.asarray(parks.geometry.values, dtype=object)
    zgeoms = np.asarray(zones.geometry.values, dtype=object)
    zi, pi = shapely.STRtree(pgeoms).query(zgeoms, predicate="dwithin", distance=limit)
    candidate = ~hosted[pi]
    zi, pi = zi[candidate], pi[candidate]
    order = np.lexsort((zi, pi))
    pi, zi = pi[order], zi[order]
    boundary = shapely.distance(pgeoms[pi], zgeoms[zi])
    touch = rules.number("constraints.touch_m")
    adds_block = boundary > touch

    road = np.full(len(pi), np.nan)
    used = roads is not None and len(roads) > 0
    if used and len(pi):
        assert roads is not None
        graph = RoadGraph.build(roads.geometry, rules.number("roads.snap_m"))
        ups, inv = np.unique(pi, return_inverse=True)
        uzs, zinv = np.unique(zi, return_inverse=True)
        # From the zones: far fewer sources than parks.
        dist = graph.site_distances(zgeoms[uzs], pgeoms[ups], rules.number("roads.access_m"),
                                    limit * 2)
        road = dist[zinv, inv]
        road = np.where(np.isfinite(road), road, np.nan)

    admin = admin_units(parks, zones, counties)
    relation = _relation_codes(admin.park_county, admin.zone_counties, admin.park_city,
                               admin.zone_city, admin.adjacent, pi, zi)
    credits = [industry_credits(park_codes[p], zone_codes[z]) for p, z in zip(pi, zi,
                                                                              strict=True)]
    known = np.array([bool(park_codes[p]) and bool(zone_codes[z]) for p, z in zip(pi, zi,
                                                                                 strict=True)],
                     dtype=bool)
    pairs = pd.DataFrame({
        "park": pi, "zone": zi,
        "park_id": parks["park_id"].to_numpy()[pi], "zone_id": zones["zone_id"].to_numpy()[zi],
        "boundary_km": boundary / 1000.0, "road_km": road / 1000.0,
        "relation": relation,
        "ind_exact": np.array([c["exact"] for c in credits], dtype=int),
        "ind_partial": np.array([c["partial"] for c in credits], dtype=int),
        "ind_union": np.array([c["union"] for c in credits], dtype=int),
        "industry_known": known, "adds_block": adds_block,
    })
    return Measures(parks, zones, pairs, admin, used, sorted(unknown))


def _common_crs(frames: Iterable[gpd.GeoDataFrame]) -> CRS:
    bounds = []
    for f in frames:
        if f.crs is None:
            raise InputError("a layer has no coordinate reference system",
                             fix="declare its CRS (crs = \"EPSG:…\") in the workspace")
        if len(f):
            bounds.append(lon_lat_bounds(np.asarray(f.total_bounds, dtype=float),
                                         CRS.from_user_input(f.crs)))
    if not bounds:
        return CRS.from_epsg(4544)
    b = np.array(bounds)
    return working_crs(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())


def score(m: Measures, rules: RuleSet) -> pd.DataFrame:
    """Every pair within ``pairs.max_distance_km`` with its factors, score and rank.

    The rank orders pairs by score (rounded to 1e-9, so the last bits of a projection do
    not reorder equal scores), then park and zone id.
    """
    p = m.pairs
    keep = p["boundary_km"].to_numpy() <= rules.number("pairs.max_distance_km")
    p = p[keep].copy()
    detour = rules.number("proximity.detour_factor")
    road = p["road_km"].to_numpy(dtype=float)
    travel = np.where(np.isfinite(road), road, p["boundary_km"].to_numpy() * detour) \
        if m.roads_used else p["boundary_km"].to_numpy()
    p["travel_km"] = travel
    p["proximity"] = 1.0 / (1.0 + travel / rules.number("proximity.half_distance_km"))
    admin_score = {"same_county": rules.number("admin.same_county"),
                   "adjacent_county": rules.number("admin.adjacent_county"),
                   "same_city": rules.number("admin.same_city"), "other": 0.0, "unknown": 0.0}
    p["admin"] = p["relation"].map(admin_score).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = (p["ind_exact"] + rules.number("industry.partial_credit") * p["ind_partial"]) \
            / p["ind_union"]
    p["industry"] = np.where(p["industry_known"], sim, 0.0)
    frag = fragmentation_score(m.parks, rules)
    p["fragmentation"] = frag[p["park"].to_numpy()]
    weights = np.array([rules.number(f"weights.{f}") for f in FACTORS])
    if weights.sum() <= 0:
        raise InputError("the score weights add up to 0", file="[rules.consolidation]",
                         fix="give at least one of weights.* a positive value")
    p["score"] = sum(w * p[f].to_numpy() for w, f in zip(weights, FACTORS, strict=True)) \
        / weights.sum()
    p = p.assign(_key=-np.round(p["score"].to_numpy(), 9))
    p = p.sort_values(["_key", "park_id", "zone_id"], kind="stable").drop(columns="_key")
    p["rank"] = np.arange(1, len(p) + 1)
    return p.reset_index(drop=True)


# ------------------------------------------------------------------ the plan


@dataclass
class Limits:
    """The hard constraints as the plan needs them, per zone and county."""

    free_blocks: dict[int, int]  # zone → blocks it may still add (capped zones only)
    provincial: set[int]
    zone_counties: list[set[str]]
    county_room: dict[str, int]  # county → provincial zones it may still gain
    area_room: dict[int, float]  # zone → km² it may still add (when the area cap binds)
    existing_over: list[str]  # constraints the zones break before any merger


def limits(m: Measures, rules: RuleSet) -> Limits:
    """Room left under each hard constraint; constraints broken already are listed, and
    leave no room (a plan never makes them worse)."""
    levels = set(rules.texts("constraints.max_blocks_levels"))
    cap = rules.integer("constraints.max_blocks")
    level = _text(m.zones, "level")
    free, over = {}, []
    for z, (zid, blocks, lv) in enumerate(zip(m.zones["zone_id"], m.zones["blocks"], level,
                                             strict=True)):
        if lv in levels or not levels:
            free[z] = max(cap - int(blocks), 0)
            if blocks > cap:
                over.append(f"blocks:{zid}")
    provincial = {z for z, lv in enumerate(level) if lv == "provincial"}
    per_county = rules.integer("constraints.provincial_per_county")
    count: dict[str, int] = {}
    for z in provincial:
        for c in m.admin.zone_counties[z]:
            count[c] = count.get(c, 0) + 1
    counties = set(count) | {c for c in m.admin.park_county if c}
    room = {c: max(per_county - count.get(c, 0), 0) for c in counties}
    over += [f"county:{c}" for c, n in sorted(count.items()) if n > per_county]
    area_room: dict[int, float] = {}
    if rules.flag("constraints.area_is_hard"):
        limit = rules.number("constraints.max_area_km2")
        for z in provincial:
            area_room[z] = max(limit - float(m.zones["area_km2"].iloc[z]), 0.0)
    return Limits(free, provincial, m.admin.zone_counties, room, area_room, over)


def violations(assignment: Mapping[int, int], pairs: pd.DataFrame, m: Measures,
               lim: Limits) -> list[str]:
    """The hard constraints an assignment (park → zone, positional) breaks; [] when none.

    Written from the rules, not from the integer program, so the tests can hold the solver
    to it.
    """
    out: list[str] = []
    adds = {(int(p), int(z)): bool(a) for p, z, a in zip(pairs["park"], pairs["zone"],
                                                         pairs["adds_block"], strict=True)}
    new_blocks: dict[int, int] = {}
    new_area: dict[int, float] = {}
    entering: dict[str, set[int]] = {}
    for p, z in assignment.items():
        if (p, z) not in adds:
            out.append(f"not_a_pair:{p}:{z}")
            continue
        new_blocks[z] = new_blocks.get(z, 0) + int(adds[(p, z)])
        new_area[z] = new_area.get(z, 0.0) + float(m.parks["area_km2"].iloc[p])
        county = m.admin.park_county[p]
        if z in lim.provincial and county and county not in lim.zone_counties[z]:
            entering.setdefault(county, set()).add(z)
    out += [f"blocks:{z}" for z, n in new_blocks.items() if z in lim.free_blocks
            and n > lim.free_blocks[z]]
    out += [f"county:{c}" for c, zs in entering.items() if len(zs) > lim.county_room.get(c, 1)]
    out += [f"area:{z}" for z, a in new_area.items() if z in lim.area_room
            and a > lim.area_room[z] + 1e-9]
    return out


def eligible(pairs: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """The pairs the plan may choose: score at least ``plan.min_score``."""
    return pairs[pairs["score"].to_numpy() >= rules.number("plan.min_score")]


def plan_exact(pairs: pd.DataFrame, m: Measures, lim: Limits) -> dict[int, int]:
    """The assignment (park → zone) of highest total score under the hard constraints, as a
    binary integer program solved by HiGHS (:func:`scipy.optimize.milp`).

    Variables: x[k] for each pair k; y[z, c] = 1 when provincial zone z gains a park in a
    county c it is not in yet (y ≥ x of every such pair). Rows: each park ≤ 1 host; each
    capped zone's new blocks ≤ its room; each county's entering provincial zones ≤ its
    room; each zone's added area ≤ its room when the area cap binds.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    if len(pairs) == 0:
        return {}
    park = pairs["park"].to_numpy()
    zone = pairs["zone"].to_numpy()
    n = len(pairs)
    ys: dict[tuple[int, str], int] = {}
    for k in range(n):
        c = m.admin.park_county[park[k]]
        if zone[k] in lim.provincial and c and c not in lim.zone_counties[zone[k]]:
            ys.setdefault((int(zone[k]), c), n + len(ys))
    nv = n + len(ys)
    rows: list[tuple[list[int], list[float], float]] = []
    for p in np.unique(park):
        rows.append((list(np.flatnonzero(park == p)), [1.0] * int((park == p).sum()), 1.0))
    adds = pairs["adds_block"].to_numpy(dtype=bool)
    for z, room in lim.free_blocks.items():
        ks = np.flatnonzero((zone == z) & adds)
        if len(ks):
            rows.append((list(ks), [1.0] * len(ks), float(room)))
    areas = m.parks["area_km2"].to_numpy(dtype=float)
    for z, room_km2 in lim.area_room.items():
        ks = np.flatnonzero(zone == z)
        if len(ks):
            rows.append((list(ks), list(areas[park[ks]]), room_km2))
    for (z, c), y in ys.items():  # x[k] − y ≤ 0
        for kz in np.flatnonzero(zone == z):
            if m.admin.park_county[park[kz]] == c:
                rows.append(([int(kz), y], [1.0, -1.0], 0.0))
    by_county: dict[str, list[int]] = {}
    for (_z, c), y in ys.items():
        by_county.setdefault(c, []).append(y)
    for c, yv in by_county.items():
        rows.append((yv, [1.0] * len(yv), float(lim.county_room.get(c, 1))))
    r_idx = np.concatenate([[i] * len(cols) for i, (cols, _, _) in enumerate(rows)])
    c_idx = np.concatenate([cols for cols, _, _ in rows])
    vals = np.concatenate([v for _, v, _ in rows])
    a = sparse.csr_matrix((vals, (r_idx, c_idx)), shape=(len(rows), nv))
    ub = np.array([u for _, _, u in rows])
    cost = np.zeros(nv)
    cost[:n] = -pairs["score"].to_numpy(dtype=float)
    res = milp(cost, constraints=LinearConstraint(a, -np.inf, ub),
               integrality=np.ones(nv, dtype=np.int64),
               bounds=Bounds(0, 1), options={"disp": False})
    if res.x is None:  # x = 0 is always feasible: only a solver failure lands here
        raise RuntimeError(f"the integer program found no solution: {res.message}")
    chosen = np.flatnonzero(res.x[:n] > 0.5)
    return {int(park[k]): int(zone[k]) for k in chosen}


def plan_greedy(pairs: pd.DataFrame, m: Measures, lim: Limits) -> dict[int, int]:
    """Best pair first: take it when the park is free and no constraint breaks."""
    out: dict[int, int] = {}
    for p, z in zip(pairs["park"], pairs["zone"], strict=True):
        if int(p) in out:
            continue
        trial = {**out, int(p): int(z)}
        if not violations(trial, pairs, m, lim):
            out = trial
    return out


def total_score(assignment: Mapping[int, int], pairs: pd.DataFrame) -> float:
    """Sum of the scores of the chosen pairs."""
    lookup = {(int(p), int(z)): float(s) for p, z, s in zip(pairs["park"], pairs["zone"],
                                                            pairs["score"], strict=True)}
    return float(sum(lookup[(p, z)] for p, z in assignment.items()))


# ------------------------------------------------------------------ new zones, sharing


def clusters(m: Measures, assignment: Mapping[int, int], rules: RuleSet) -> pd.DataFrame:
    """Groups of small parks with no host zone within reach that could form a new zone's
    blocks: unassigned, not hosted, at most ``fragmentation.small_area_km2``, farther than
    ``pairs.max_distance_km`` from every zone, linked when within ``clusters.link_km``.
    ``over_blocks`` flags a group of more parks than the block limit."""
    parks = m.parks
    reach = rules.number("pairs.max_distance_km") * 1000.0
    geoms = parks.geometry.values
    zones = m.zones.geometry.values
    near = np.zeros(len(parks), dtype=bool)
    if len(zones):
        idx, _ = shapely.STRtree(zones).query(geoms, predicate="dwithin", distance=reach)
        near[idx] = True
    small = parks["area_km2"].to_numpy() <= rules.number("fragmentation.small_area_km2")
    free = np.array([i not in assignment for i in range(len(parks))])
    pick = np.flatnonzero(small & free & ~near & ~parks["hosted"].to_numpy(dtype=bool))
    cols = ["cluster", "parks", "park_ids", "area_km2", "over_blocks"]
    if len(pick) == 0:
        return pd.DataFrame(columns=cols)
    sub = geoms[pick]
    a, b = shapely.STRtree(sub).query(sub, predicate="dwithin",
                                      distance=rules.number("clusters.link_km") * 1000.0)
    graph = sparse.csr_matrix((np.ones(len(a)), (a, b)), shape=(len(pick), len(pick)))
    n, label = csgraph.connected_components(graph, directed=False)
    rows = []
    for c in range(n):
        members = pick[label == c]
        if len(members) < rules.integer("clusters.min_parks"):
            continue
        rows.append({"parks": len(members),
                     "park_ids": _LIST_SEPARATOR.join(parks["park_id"].iloc[members]),
                     "area_km2": float(parks["area_km2"].iloc[members].sum()),
                     "over_blocks": len(members) > rules.integer("constraints.max_blocks")})
    frame = pd.DataFrame(rows, columns=cols[1:])
    frame = frame.sort_values("park_ids", kind="stable").reset_index(drop=True)
    frame.insert(0, "cluster", [f"XQ{i + 1:02d}" for i in range(len(frame))])
    return frame


def host_share(split: str, park_area: float, zone_area: float, park_gdp: float,
               zone_gdp: float, fixed: float) -> float:
    """The host zone's share of a park's GDP and fiscal revenue after consolidation.

    ``area``: the host's share of the combined land; ``output``: its share of the combined
    GDP; ``fixed``: the agreed ratio. NaN where the figures it needs are missing.

    Examples
    --------
    >>> host_share("area", 2.0, 6.0, 1.0, 1.0, 0.5), host_share("fixed", 2, 6, 1, 1, 0.4)
    (0.75, 0.4)
    >>> host_share("output", 2.0, 6.0, 10.0, 30.0, 0.5)
    0.75
    """
    if split == "fixed":
        return fixed
    a, b = (zone_area, park_area) if split == "area" else (zone_gdp, park_gdp)
    total = a + b
    return a / total if np.isfinite(total) and total > 0 else float("nan")


def _number(frame: pd.DataFrame, col: str) -> FloatArray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def plan_table(assignment: Mapping[int, int], pairs: pd.DataFrame, m: Measures,
               rules: RuleSet, greedy: Mapping[int, int]) -> pd.DataFrame:
    """One row per park: its proposed host (or none, or its current host), the pair's
    factors, the host's blocks and area before and after, and the revenue sharing."""
    split = rules.text("sharing.split")
    fixed = rules.number("sharing.fixed_host_share")
    by_pair = {(int(p), int(z)): i for i, (p, z) in enumerate(zip(pairs["park"], pairs["zone"],
                                                                  strict=True))}
    zones = m.zones
    zid = zones["zone_id"].to_numpy()
    zarea = zones["area_km2"].to_numpy(dtype=float)
    zgdp = _number(zones, "gdp")
    added_blocks: dict[int, int] = {}
    added_area: dict[int, float] = {}
    for p, z in assignment.items():
        added_blocks[z] = added_blocks.get(z, 0) + int(pairs["adds_block"].iloc[by_pair[(p, z)]])
        added_area[z] = added_area.get(z, 0.0) + float(m.parks["area_km2"].iloc[p])
    gdp = _number(m.parks, "gdp")
    fiscal = _number(m.parks, "fiscal_revenue")
    area_cap = rules.number("constraints.max_area_km2")
    rows = []
    for p in range(len(m.parks)):
        park = m.parks.iloc[p]
        row: dict[str, object] = {"park_id": park["park_id"], "name": park.get("name", ""),
                                  "county": m.admin.park_county[p],
                                  "area_km2": float(park["area_km2"]),
                                  "gdp": gdp[p], "fiscal_revenue": fiscal[p]}
        if bool(park["hosted"]):
            row |= {"decision": "hosted", "host_zone_id": str(park.get("host_zone_id", ""))}
        elif p in assignment:
            z = assignment[p]
            k = by_pair[(p, z)]
            share = host_share(split, float(park["area_km2"]), zarea[z], gdp[p], zgdp[z], fixed)
            over_area = (z in _provincial(m) and zarea[z] + added_area[z] > area_cap)
            row |= {"decision": "assign", "host_zone_id": zid[z],
                    "score": float(pairs["score"].iloc[k]),
                    **{f: float(pairs[f].iloc[k]) for f in FACTORS},
                    "relation": pairs["relation"].iloc[k],
                    "travel_km": float(pairs["travel_km"].iloc[k]),
                    "boundary_km": float(pairs["boundary_km"].iloc[k]),
                    "adds_block": bool(pairs["adds_block"].iloc[k]),
                    "host_blocks_before": int(zones["blocks"].iloc[z]),
                    "host_blocks_after": int(zones["blocks"].iloc[z]) + added_blocks[z],
                    "host_area_before_km2": float(zarea[z]),
                    "host_area_after_km2": float(zarea[z] + added_area[z]),
                    "over_area_cap": bool(over_area), "host_share": share,
                    "host_gdp": gdp[p] * share, "host_fiscal": fiscal[p] * share}
        else:
            row |= {"decision": "alone", "host_zone_id": ""}
        row["greedy_host_zone_id"] = zid[greedy[p]] if p in greedy else ""
        rows.append(row)
    return pd.DataFrame(rows)


def _provincial(m: Measures) -> set[int]:
    return {z for z, lv in enumerate(_text(m.zones, "level")) if lv == "provincial"}


# ------------------------------------------------------------------ sensitivity


def _spearman(a: FloatArray, b: FloatArray) -> float:
    if len(a) < 2:
        return 1.0
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if np.std(ra) == 0 or np.std(rb) == 0:
        return 1.0 if np.array_equal(ra, rb) else float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def sensitivity(m: Measures, rules: RuleSet, base: pd.DataFrame, plan: Mapping[int, int],
                factors: tuple[float, ...] = (0.5, 1.5), top: int = 10) -> pd.DataFrame:
    """How the ranking and the plan move when each ⚙ parameter is multiplied by each factor.

    Per change: Spearman's rank correlation of the scores of the pairs both rankings hold,
    how many of the top ``top`` pairs stay in the top ``top``, the pairs gained or lost at
    the distance limit, and the parks whose proposed host changes.
    """
    rows = []
    key = ["park_id", "zone_id"]
    base_top = set(map(tuple, base[key].head(top).to_numpy()))
    for name in SENSITIVE:
        value = rules.number(name)
        for f in factors:
            new = value * f
            if rules.rules[name].unit == "share":
                new = min(new, 1.0)
            changed = load_ruleset("consolidation", {**_overrides(rules), name: new})
            scored = score(m, changed)
            both = base.merge(scored, on=key, suffixes=("", "_new"))
            new_top = set(map(tuple, scored[key].head(top).to_numpy()))
            new_plan = plan_exact(eligible(scored, changed), m, limits(m, changed))
            moved = sum(1 for p in set(plan) | set(new_plan) if plan.get(p) != new_plan.get(p))
            rows.append({"parameter": name, "factor": f, "value": value, "new_value": new,
                         "pairs": len(scored), "pairs_change": len(scored) - len(base),
                         "rank_correlation": _spearman(both["score"].to_numpy(),
                                                       both["score_new"].to_numpy()),
                         "top_kept": len(base_top & new_top), "top": min(top, len(base)),
                         "plan_changes": moved})
    return pd.DataFrame(rows)


def _overrides(rules: RuleSet) -> dict[str, object]:
    return {r.key: r.value for r in rules.rules.values() if r.overridden}


# ------------------------------------------------------------------ run


class ConsolidationSummary(TypedDict):
    zones: int
    parks: int
    hosted: int
    pairs: int
    assigned: int
    alone: int
    plan_score: float
    greedy_assigned: int
    greedy_score: float
    gain_over_greedy: float
    hosts: dict[str, list[str]]
    clusters: int
    scattered_share: float
    existing_violations: list[str]
    road_distances: bool
    admin_source: str
    unknown_industries: list[str]
    split: str
    host_land_use: dict[str, dict[str, object]]


@dataclass
class ConsolidationResult:
    """Ranked pairs, the plan per park, new-zone clusters, the sensitivity and the summary."""

    pairs: pd.DataFrame
    plan: pd.DataFrame
    clusters: pd.DataFrame
    sensitivity: pd.DataFrame
    parks: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    summary: ConsolidationSummary
    # Each host's land-use figures before and after (empty without parcels).
    host_land_use: pd.DataFrame = field(default_factory=pd.DataFrame)


def run(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, layers: Layers | None = None,
        rules: RuleSet | None = None, *, with_sensitivity: bool = True) -> ConsolidationResult:
    """Rank every (park, host zone) pair and find the best consolidation plan.

    Parameters
    ----------
    parks
        Industrial parks (``park_id``, ``industries``, ``host_zone_id`` where already hosted,
        ``county``/``city``, ``gdp``/``fiscal_revenue`` where known), any CRS.
    zones
        High-tech zones (``zone_id``, ``level``, ``industries``, ``county``/``city``), one
        (Multi)Polygon of its 区块 each.
    layers
        A county layer (``name``, ``city``) and a road layer, where there are.
    rules
        The ``consolidation`` rule set (default: the packaged one).

    Returns
    -------
    ConsolidationResult

    Examples
    --------
    >>> from shapely import box
    >>> z = gpd.GeoDataFrame({"zone_id": ["Z"], "level": ["provincial"], "county": ["甲县"],
    ...     "industries": ["电子信息"]}, geometry=[box(0, 0, 2000, 2000)], crs=4544)
    >>> p = gpd.GeoDataFrame({"park_id": ["P1", "P2"], "county": ["甲县", "乙县"],
    ...     "industries": ["电子信息", "化工"]}, crs=4544,
    ...     geometry=[box(3000, 0, 4000, 1000), box(60000, 0, 61000, 1000)])
    >>> r = run(p, z, with_sensitivity=False)
    >>> r.pairs[["park_id", "zone_id"]].values.tolist(), r.summary["hosts"]
    ([['P1', 'Z']], {'Z': ['P1']})
    """
    rules = rules or load_ruleset("consolidation")
    split = rules.text("sharing.split")
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}", file="[rules.consolidation]",
                         fix="sharing.split = \"area\", \"output\" or \"fixed\"")
    m = measure(parks, zones, layers, rules)
    pairs = score(m, rules)
    lim = limits(m, rules)
    chosen = eligible(pairs, rules)
    exact = plan_exact(chosen, m, lim)
    greedy = plan_greedy(chosen, m, lim)
    plan = plan_table(exact, pairs, m, rules, greedy)
    groups = clusters(m, exact, rules)
    sens = sensitivity(m, rules, pairs, exact) if with_sensitivity else pd.DataFrame()
    hosts: dict[str, list[str]] = {}
    zid = m.zones["zone_id"].to_numpy()
    pid = m.parks["park_id"].to_numpy()
    for p, z in sorted(exact.items(), key=lambda kv: (zid[kv[1]], pid[kv[0]])):
        hosts.setdefault(str(zid[z]), []).append(str(pid[p]))
    small = (m.parks["area_km2"].to_numpy() <= rules.number("fragmentation.small_area_km2")) | \
        (m.parks["blocks"].to_numpy() > 1)
    land = float(m.parks["area_km2"].sum() + m.zones["area_km2"].sum())
    exact_score, greedy_score = total_score(exact, chosen), total_score(greedy, chosen)
    summary = ConsolidationSummary(
        zones=len(m.zones), parks=len(m.parks), hosted=int(m.parks["hosted"].sum()),
        pairs=len(pairs), assigned=len(exact),
        alone=int(len(m.parks) - m.parks["hosted"].sum() - len(exact)),
        plan_score=round(exact_score, 4), greedy_assigned=len(greedy),
        greedy_score=round(greedy_score, 4),
        gain_over_greedy=round(exact_score - greedy_score, 4), hosts=hosts,
        clusters=len(groups),
        scattered_share=round(float(m.parks["area_km2"].to_numpy()[small].sum()) / land, 4)
        if land > 0 else 0.0,
        existing_violations=lim.existing_over, road_distances=m.roads_used,
        admin_source=m.admin.source, unknown_industries=m.unknown_industries, split=split,
        host_land_use={})
    land_use = pd.DataFrame()
    if layers is not None and layers.parcels is not None and {"zone_id", "status"} <= set(
            layers.parcels.columns):
        land_use = host_land_use(hosts, layers.parcels)
        summary["host_land_use"] = {
            str(r["zone_id"]): {str(k): (round(float(v), 4) if isinstance(v, float) else v)
                                for k, v in r.items() if k != "zone_id"}
            for r in land_use.to_dict("records")}
    parks_out = m.parks.drop(columns=["hosted"]).merge(
        plan[["park_id", "decision", "host_zone_id"]].rename(
            columns={"host_zone_id": "proposed_host"}), on="park_id", how="left")
    return ConsolidationResult(pairs.drop(columns=["park", "zone"]), plan, groups, sens,
                               gpd.GeoDataFrame(parks_out, geometry="geometry", crs=m.parks.crs),
                               m.zones, summary, land_use)


# The land-use rates of the 开发区土地集约利用评价 a host is compared on before and after.
LAND_USE_RATES = ("development_rate", "supply_rate", "built_rate", "idle_rate",
                  "industrial_rate")


def host_land_use(hosts: Mapping[str, list[str]], parcels: gpd.GeoDataFrame) -> pd.DataFrame:
    """Each host's land-use figures before and after taking its parks, from the parcels.

    Before: the parcels whose ``zone_id`` is the host; after: those of the host and of the
    parks the plan gives it (their parcels carry the park's id). Areas in 公顷, rates as
    fractions (:func:`gaoxin.analysis.land_use.land_use_rates`); a park without parcels adds
    nothing and is named in ``parks_without_parcels``.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"zone_id": ["Z", "Z", "P"], "status": ["A2", "E21", "A2"]},
    ...     geometry=[box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100)
    ...               for i in range(3)], crs=4544)
    >>> t = host_land_use({"Z": ["P"]}, p)
    >>> t[["zone_id", "total_ha_before", "total_ha_after"]].round(2).values.tolist()
    [['Z', 2.0, 3.0]]
    >>> t[["built_rate_before", "built_rate_after"]].round(3).values.tolist()
    [[1.0, 1.0]]
    >>> t[["development_rate_before", "development_rate_after"]].round(3).values.tolist()
    [[1.0, 1.0]]
    """
    from .land_use import land_use_rates

    rows = []
    zone_of = parcels["zone_id"].astype(str).to_numpy() if len(parcels) else np.array([])
    for host, parks in sorted(hosts.items()):
        row: dict[str, object] = {"zone_id": host}
        members = {"before": {host}, "after": {host, *parks}}
        for when, ids in members.items():
            part = parcels[np.isin(zone_of, list(ids))]
            rates = land_use_rates(part) if len(part) else {}
            row[f"total_ha_{when}"] = rates.get("total_ha", 0.0)
            for rate in LAND_USE_RATES:
                row[f"{rate}_{when}"] = rates.get(rate)
        row["parks_without_parcels"] = [p for p in parks if p not in set(zone_of)]
        rows.append(row)
    columns = ["zone_id", "total_ha_before", "total_ha_after",
               *(f"{r}_{w}" for r in LAND_USE_RATES for w in ("before", "after")),
               "parks_without_parcels"]
    return pd.DataFrame(rows, columns=columns)


def brute_force(pairs: pd.DataFrame, m: Measures, lim: Limits) -> float:
    """The best total score by trying every assignment (small cases only: tests)."""
    options: dict[int, list[int]] = {}
    for p, z in zip(pairs["park"], pairs["zone"], strict=True):
        options.setdefault(int(p), []).append(int(z))
    parks = sorted(options)
    best = 0.0
    for combo in itertools.product(*[[-1, *options[p]] for p in parks]):
        assignment = {p: z for p, z in zip(parks, combo, strict=True) if z >= 0}
        if not violations(assignment, pairs, m, lim):
            best = max(best, total_score(assignment, pairs))
    return best
