"""扩区审核: check an expansion request against the 三区三线 and the applicant's own record.

:func:`run` takes canonical frames in one projected working CRS (constraint layers already
limited to the request's surroundings by ``layers``), a DEM window and a rule set, and returns
every check with its status (pass / fail / warn / info), figures in m², 公顷 and 亩, the
features involved, and the overlap pieces. It reads no files and draws nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.area import ellipsoidal_area
from ..geo.overlap import area_inside, overlap
from ..geo.raster import Raster
from ..geo.units import m2_to_ha, m2_to_mu
from .land_use import land_use_rates
from .plot_ratio import floor_area_by_parcel
from .ruleset import RuleSet
from .terrain import terrain_stats

PASS, FAIL, WARN, INFO = "pass", "fail", "warn", "info"
_ORDER = {FAIL: 3, WARN: 2, PASS: 1, INFO: 0}


@dataclass
class Check:
    """One check of the request: status, what happened, figures and the features involved.

    The check holds no sentence: its title and message are the report's
    (:mod:`gaoxin.report.checks`), made from ``key``, ``outcome`` and ``values``.

    Attributes
    ----------
    key
        Which check: ``geometry``, ``redline``, ``farmland``, ``dev_boundary``,
        ``other_zones``, ``contiguity``, ``size``, ``terrain`` or ``land_use``.
    status
        ``pass``, ``fail``, ``warn`` or ``info``.
    outcome
        Which of the check's cases happened: ``no_layer`` (the workspace lacks what the check
        reads), ``invalid`` / ``slivers`` / ``valid`` (geometry), ``overlap`` / ``tolerated``
        / ``none`` (red line, farmland, other zones), ``outside`` / ``inside`` (development
        boundary), ``blocks`` (contiguity), ``limit`` / ``no_limit`` (size), ``too_coarse``
        / ``not_covered`` / ``slopes`` (terrain), ``no_parcels`` / ``rates`` / ``below``
        (land use; ``below``: some rate is on the wrong side of its reference).
    values
        The exact values the outcome reports (areas in m², shares as fractions, distances in
        m), unrounded so a message prints them as the check measured them.
    figures
        The figures of record (``summary.json``), areas in m², 公顷 and 亩.
    features
        The features involved, one dict each.
    rules
        The keys of the rules the check applied.
    """

    key: str
    status: str
    outcome: str
    values: Mapping[str, object] = field(default_factory=dict)
    figures: Mapping[str, object] = field(default_factory=dict)
    features: list[dict[str, object]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


@dataclass
class ExpansionResult:
    """Verdict, checks and conflict pieces (one GeoDataFrame per constraint)."""

    verdict: str
    checks: list[Check]
    conflicts: dict[str, gpd.GeoDataFrame]
    request: gpd.GeoDataFrame
    zone: gpd.GeoDataFrame

    def check(self, key: str) -> Check:
        return next(c for c in self.checks if c.key == key)


def _areas(m2: float) -> dict[str, float]:
    return {"m2": round(float(m2), 2), "ha": round(float(m2_to_ha(m2)), 4),
            "mu": round(float(m2_to_mu(m2)), 4)}


def request_parts(request: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The request's blocks (区块): its polygons after dissolving touching features."""
    union = shapely.union_all(np.asarray(request.geometry.values))
    parts = [p for p in shapely.get_parts(union) if p.geom_type == "Polygon"]
    # A stable order (west to east, then south to north) so part numbers are reproducible.
    parts.sort(key=lambda p: (round(p.bounds[0], 3), round(p.bounds[1], 3)))
    return gpd.GeoSeries(parts, crs=request.crs)


def check_geometry(request: gpd.GeoDataFrame, raw_invalid: list[str], rules: RuleSet) -> Check:
    """Valid, closed, no self-intersection, no slivers; parts (区块) counted."""
    parts = request_parts(request)
    areas = ellipsoidal_area(parts).to_numpy()
    perimeter = shapely.length(np.asarray(parts.values))
    compact = 4 * np.pi * shapely.area(np.asarray(parts.values)) / np.maximum(perimeter, 1e-9) ** 2
    min_area = rules.number("geometry.min_part_area_m2", 0.0)
    min_compact = rules.number("geometry.min_part_compactness", 0.0)
    slivers = np.flatnonzero((areas < min_area) | (compact < min_compact))
    features: list[dict[str, object]] = [
        {"part": int(i) + 1, **_areas(areas[i]), "compactness": round(float(compact[i]), 4)}
        for i in range(len(parts))]
    total = float(areas.sum())
    if raw_invalid:
        status, outcome = FAIL, "invalid"
    elif len(slivers):
        status, outcome = WARN, "slivers"
    else:
        status, outcome = PASS, "valid"
    values = {"parts": len(parts), "area_m2": total, "invalid": list(raw_invalid),
              "slivers": [int(i) + 1 for i in slivers]}
    return Check("geometry", status, outcome, values,
                 {"parts": len(parts), "area": _areas(total), "invalid": raw_invalid},
                 features, ["geometry.min_part_area_m2", "geometry.min_part_compactness"])


def _overlap_check(key: str, parts: gpd.GeoSeries, layer: gpd.GeoDataFrame | None,
                   id_field: str, rule: str, rules: RuleSet) -> tuple[Check, gpd.GeoDataFrame]:
    empty = gpd.GeoDataFrame({"patch_id": [], "area_m2": []}, geometry=[], crs=parts.crs)
    if layer is None:
        return Check(key, INFO, "no_layer"), empty
    # types-geopandas types GeoSeries.reset_index as a plain Series; it is a GeoSeries.
    patches: gpd.GeoSeries = layer.geometry.reset_index(drop=True)  # type: ignore[assignment]
    result = overlap(parts, patches)
    pieces = result.pieces
    assert isinstance(pieces, gpd.GeoDataFrame)  # overlap() keeps geometries by default
    ids = (layer[id_field].astype(object).to_numpy() if id_field in layer.columns
           else np.asarray(layer.index))
    if len(pieces):
        by_patch = pieces.dissolve(by="b_pos").reset_index()
        by_patch["area_m2"] = ellipsoidal_area(by_patch.geometry).to_numpy()
        by_patch["patch_id"] = [str(ids[i]) for i in by_patch["b_pos"]]
        conflicts = gpd.GeoDataFrame(by_patch[["patch_id", "area_m2"]],
                                     geometry=by_patch.geometry.values, crs=parts.crs)
        conflicts = conflicts[conflicts["area_m2"] > 0].sort_values("area_m2", ascending=False)
    else:
        conflicts = empty
    total = float(area_inside(parts, patches).sum())
    limit = rules.number(rule, 0.0)
    features: list[dict[str, object]] = [
        {"patch_id": patch, **_areas(m2)}
        for patch, m2 in zip(conflicts["patch_id"].tolist(),
                             conflicts["area_m2"].to_numpy(dtype=float).tolist(), strict=True)]
    if total > limit:
        status, outcome = FAIL, "overlap"
    else:
        status, outcome = PASS, "tolerated" if total > 0 else "none"
    return Check(key, status, outcome, {"patches": len(conflicts), "area_m2": total},
                 {"overlap": _areas(total), "patches": len(conflicts), "limit_m2": limit},
                 features, [rule]), conflicts.reset_index(drop=True)


def check_dev_boundary(parts: gpd.GeoSeries, boundary: gpd.GeoDataFrame | None,
                       rules: RuleSet) -> tuple[Check, gpd.GeoDataFrame]:
    """Share of the request outside the urban development boundary (城镇开发边界)."""
    empty = gpd.GeoDataFrame({"area_m2": []}, geometry=[], crs=parts.crs)
    if boundary is None:
        return Check("dev_boundary", INFO, "no_layer"), empty
    total = float(ellipsoidal_area(parts).sum())
    # types-geopandas types GeoSeries.reset_index as a plain Series; it is a GeoSeries.
    boundary_geoms: gpd.GeoSeries = boundary.geometry.reset_index(  # type: ignore[assignment]
        drop=True)
    inside = float(area_inside(parts, boundary_geoms).sum())
    outside_m2 = max(total - inside, 0.0)
    share = outside_m2 / total if total else 0.0
    union = shapely.union_all(np.asarray(boundary.geometry.values))
    outside_geom = shapely.difference(shapely.union_all(np.asarray(parts.values)), union)
    outside = [g for g in shapely.get_parts(outside_geom) if g.geom_type == "Polygon"]
    pieces = gpd.GeoDataFrame(geometry=outside, crs=parts.crs)
    pieces["area_m2"] = ellipsoidal_area(pieces.geometry).to_numpy() if len(pieces) else []
    pieces = pieces[pieces["area_m2"] > 0.01].sort_values("area_m2", ascending=False)
    limit = rules.number("dev_boundary.max_outside_share", 0.0)
    status = FAIL if share > limit + 1e-9 else PASS
    # Less than 0.01 m² outside is the boundary's own digitising noise, not land outside it.
    outcome = "outside" if outside_m2 > 0.01 else "inside"
    features: list[dict[str, object]] = [{"piece": i + 1, **_areas(a)}
                                         for i, a in enumerate(pieces["area_m2"])]
    return Check("dev_boundary", status, outcome,
                 {"outside_share": share, "outside_m2": outside_m2},
                 {"outside": _areas(outside_m2), "outside_share": round(share, 6),
                  "limit_share": limit}, features,
                 ["dev_boundary.max_outside_share"]), pieces.reset_index(drop=True)


def check_other_zones(parts: gpd.GeoSeries, zone_id: str, zones: gpd.GeoDataFrame,
                      parks: gpd.GeoDataFrame | None, rules: RuleSet
                      ) -> tuple[Check, gpd.GeoDataFrame]:
    """Overlap with any zone other than the applicant, and parks not hosted by it."""
    others = [zones.loc[zones["zone_id"] != zone_id, ["zone_id", "name", "geometry"]]
              .rename(columns={"zone_id": "patch_id"})]
    if parks is not None and len(parks):
        hosted = parks.get("host_zone_id", pd.Series(None, index=parks.index)).astype(object)
        foreign = parks.loc[hosted.fillna("") != zone_id, ["park_id", "name", "geometry"]]
        others.append(foreign.rename(columns={"park_id": "patch_id"}))
    layer = gpd.GeoDataFrame(pd.concat(others, ignore_index=True), crs=parts.crs)
    check, conflicts = _overlap_check("other_zones", parts, layer, "patch_id",
                                      "other_zones.max_overlap_m2", rules)
    names = dict(zip(layer["patch_id"].astype(str), layer["name"].astype(str), strict=False))
    for feat in check.features:
        feat["name"] = names.get(str(feat["patch_id"]), "")
    if len(conflicts):
        conflicts["name"] = conflicts["patch_id"].map(names)
    return check, conflicts


def check_contiguity(parts: gpd.GeoSeries, zone: gpd.GeoDataFrame, rules: RuleSet) -> Check:
    """Distance of each request part to the applicant's blocks; blocks after expansion."""
    existing = [p for g in zone.geometry for p in shapely.get_parts(g)]
    zone_union = shapely.union_all(existing)
    after = shapely.union_all([zone_union, *parts.values])
    blocks_after = len([p for p in shapely.get_parts(after) if p.geom_type == "Polygon"])
    max_blocks = rules.integer("contiguity.max_blocks", 3)
    warn_gap = rules.number("contiguity.warn_gap_m", np.inf)
    distances = [float(shapely.distance(p, zone_union)) for p in parts.values]
    features: list[dict[str, object]] = [{"part": i + 1, "distance_m": round(d, 1),
                 "adjacent": bool(d == 0.0)} for i, d in enumerate(distances)]
    far = [i + 1 for i, d in enumerate(distances) if d > warn_gap]
    if blocks_after > max_blocks:
        status = FAIL
    elif far:
        status = WARN
    else:
        status = PASS
    values = {"existing_blocks": len(existing), "blocks_after": blocks_after,
              "max_blocks": max_blocks, "distances_m": distances}
    return Check("contiguity", status, "blocks", values,
                 {"existing_blocks": len(existing), "blocks_after": blocks_after,
                  "max_blocks": max_blocks, "distances_m": [round(d, 1) for d in distances]},
                 features, ["contiguity.max_blocks", "contiguity.warn_gap_m"])


def check_size(parts: gpd.GeoSeries, zone: gpd.GeoDataFrame, rules: RuleSet) -> Check:
    """Total area after expansion against the maximum for the zone's level."""
    zone_union = shapely.union_all(np.asarray(zone.geometry.values))
    after = gpd.GeoSeries([shapely.union_all([zone_union, *parts.values])], crs=parts.crs)
    existing_m2 = float(ellipsoidal_area(gpd.GeoSeries([zone_union], crs=parts.crs)).iloc[0])
    after_m2 = float(ellipsoidal_area(after).iloc[0])
    level = str(zone["level"].iloc[0]) if "level" in zone.columns else ""
    rule = f"size.max_area_ha.{level}"
    limit = rules.optional_number(rule)
    figures: dict[str, object] = {"existing": _areas(existing_m2), "after": _areas(after_m2),
                                  "added": _areas(after_m2 - existing_m2), "level": level}
    # The zone's 核准面积 is its legal size: where the record has one, "after expansion" is
    # that plus the GIS area the request adds, not the GIS area of the drawn blocks.
    basis: dict[str, object] = {"added_m2": after_m2 - existing_m2}
    after_ha = float(m2_to_ha(after_m2))
    if "approved_area_ha" in zone.columns and pd.notna(zone["approved_area_ha"].iloc[0]):
        figures["approved_area_ha"] = float(zone["approved_area_ha"].iloc[0])
        basis["approved_area_ha"] = figures["approved_area_ha"]
        after_ha = float(zone["approved_area_ha"].iloc[0]) + float(
            m2_to_ha(after_m2 - existing_m2))
    figures["after_basis"] = "approved" if "approved_area_ha" in basis else "gis"
    figures["after_basis_ha"] = round(after_ha, 4)
    if limit is None:
        return Check("size", INFO, "no_limit", {"after_m2": after_m2, "level": level, **basis},
                     figures, [], [])
    figures["limit_ha"] = limit
    ok = after_ha <= limit
    return Check("size", PASS if ok else FAIL, "limit",
                 {"after_m2": after_m2, "limit_ha": limit, **basis}, figures, [], [rule])


def check_terrain(parts: gpd.GeoSeries, dem: Raster | None, rules: RuleSet) -> Check:
    """Mean and max slope, share steeper than the steep-slope threshold, elevation range."""
    if dem is None:
        return Check("terrain", INFO, "no_layer")
    steep = rules.number("terrain.steep_slope_deg", 25.0)
    stats = terrain_stats(parts, dem, steep)
    keys = ["terrain.steep_slope_deg", "terrain.warn_steep_share", "terrain.fail_steep_share",
            "terrain.warn_mean_slope_deg"]
    if stats["cells"] == 0:
        if dem.values.size and np.isfinite(dem.values).any():
            cell = {"cell_size": abs(dem.transform.a),
                    "cell_unit": "deg" if dem.crs.is_geographic else "m"}
            return Check("terrain", WARN, "too_coarse", cell, stats, [], keys)
        return Check("terrain", WARN, "not_covered", {}, stats, [], keys)
    share = stats["steep_share"]
    if share > rules.number("terrain.fail_steep_share", 1.0):
        status = FAIL
    elif (share > rules.number("terrain.warn_steep_share", 1.0)
          or stats["mean_slope_deg"] > rules.number("terrain.warn_mean_slope_deg", 90.0)):
        status = WARN
    else:
        status = PASS
    values = {"steep_slope_deg": steep, **{k: stats[k] for k in (
        "mean_slope_deg", "max_slope_deg", "steep_share", "min_elevation_m", "max_elevation_m")}}
    return Check("terrain", status, "slopes", values, stats, [], keys)


# Indicator, rule giving its reference value, and which side of it is good (1: at least).
_RATE_RULES = [
    ("development_rate", "land_use.min_development_rate", 1),
    ("supply_rate", "land_use.min_supply_rate", 1),
    ("built_rate", "land_use.min_built_rate", 1),
    ("idle_rate", "land_use.max_idle_rate", -1),
    ("plot_ratio", "land_use.min_plot_ratio", 1),
]


def check_land_use(zone_id: str, zone: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame | None,
                   buildings: gpd.GeoDataFrame | None, rules: RuleSet) -> Check:
    """The applicant's land use as it stands (domain.md §1.3) against reference values."""
    if parcels is None or "status" not in parcels.columns:
        return Check("land_use", INFO, "no_layer")
    if "zone_id" in parcels.columns and (parcels["zone_id"] == zone_id).any():
        own = parcels[parcels["zone_id"] == zone_id]
    else:
        zone_union = shapely.union_all(np.asarray(zone.geometry.values))
        shapely.prepare(zone_union)
        own = parcels[shapely.intersects(zone_union, np.asarray(
            shapely.point_on_surface(parcels.geometry.values)))]
    if not len(own):
        return Check("land_use", WARN, "no_parcels")
    floor = None
    if buildings is not None and len(buildings):
        floor = floor_area_by_parcel(own, buildings)["floor_area_m2"]
    rates = land_use_rates(own, floor)
    features: list[dict[str, object]] = []
    shown: dict[str, float] = {}
    below: list[str] = []
    for key, rule, sign in _RATE_RULES:
        value = rates.get(key)
        ref = rules.optional_number(rule)
        if value is None or ref is None:
            continue
        bad = value < ref if sign > 0 else value > ref
        # The rate is reported as recorded (4 decimals), the message included.
        value = round(float(value), 4)
        features.append({"indicator": key, "value": value, "reference": ref,
                         "meets_reference": not bad})
        shown[key] = value
        if bad:
            below.append(key)
    status = WARN if below else PASS
    figures: dict[str, object] = {k: (round(v, 4) if isinstance(v, float) else v)
                                  for k, v in rates.items()}
    figures["parcels"] = len(own)
    return Check("land_use", status, "below" if below else "rates",
                 {"rates": shown, "below": below}, figures,
                 features, [r[1] for r in _RATE_RULES])


def run(
    request: gpd.GeoDataFrame,
    zone_id: str,
    *,
    zones: gpd.GeoDataFrame,
    rules: RuleSet,
    parks: gpd.GeoDataFrame | None = None,
    parcels: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    redlines: gpd.GeoDataFrame | None = None,
    farmland: gpd.GeoDataFrame | None = None,
    dev_boundary: gpd.GeoDataFrame | None = None,
    dem: Raster | None = None,
    raw_invalid: list[str] | None = None,
) -> ExpansionResult:
    """Run every check of an expansion request.

    Parameters
    ----------
    request
        The requested boundary (any number of polygons), in the working CRS, already repaired;
        ``raw_invalid`` lists the problems found before repair (they fail check 1).
    zone_id
        The applicant zone's ``zone_id`` in ``zones``.
    zones, parks, parcels, buildings, redlines, farmland, dev_boundary
        Canonical layers in the same CRS (constraint layers may be limited to the request's
        surroundings).
    dem
        A DEM window covering the request, or None.
    rules
        The ``expansion`` rule set.

    Returns
    -------
    ExpansionResult
        ``verdict`` is ``fail`` if any check fails, ``warn`` if any warns, else ``pass``.

    Examples
    --------
    >>> from shapely import box
    >>> from gaoxin.analysis.ruleset import load_ruleset
    >>> zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲"], "level": ["provincial"]},
    ...     geometry=[box(500000, 3400000, 501000, 3401000)], crs=4544)
    >>> red = gpd.GeoDataFrame({"patch_id": ["R1"]},
    ...     geometry=[box(501100, 3400000, 501300, 3400200)], crs=4544)
    >>> req = gpd.GeoDataFrame(geometry=[box(501000, 3400000, 501200, 3400500)], crs=4544)
    >>> r = run(req, "Z1", zones=zones, redlines=red, rules=load_ruleset("expansion"))
    >>> r.verdict, r.check("redline").figures["overlap"]["mu"]
    ('fail', 30.0)
    """
    if zone_id not in set(zones["zone_id"]):
        raise ValueError(f"zone {zone_id!r} is not in the zones layer")
    zone = zones[zones["zone_id"] == zone_id]
    parts = request_parts(request)
    checks: list[Check] = [check_geometry(request, raw_invalid or [], rules)]
    conflicts: dict[str, gpd.GeoDataFrame] = {}
    for key, layer in (("redline", redlines), ("farmland", farmland)):
        check, pieces = _overlap_check(key, parts, layer, "patch_id", f"{key}.max_overlap_m2",
                                       rules)
        checks.append(check)
        conflicts[key] = pieces
    check, pieces = check_dev_boundary(parts, dev_boundary, rules)
    checks.append(check)
    conflicts["dev_boundary_outside"] = pieces
    check, pieces = check_other_zones(parts, zone_id, zones, parks, rules)
    checks.append(check)
    conflicts["other_zones"] = pieces
    checks.append(check_contiguity(parts, zone, rules))
    checks.append(check_size(parts, zone, rules))
    checks.append(check_terrain(parts, dem, rules))
    checks.append(check_land_use(zone_id, zone, parcels, buildings, rules))
    verdict = max((c.status for c in checks), key=lambda s: _ORDER[s])
    verdict = PASS if verdict == INFO else verdict
    return ExpansionResult(verdict, checks, conflicts, request, zone)
