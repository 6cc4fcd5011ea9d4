"""What the 标准地 readiness analysis reads beyond the parcels' own readiness fields.

- ``assessments``: the completed regional assessments (区域评估), one polygon per type and
  site, covering the site's block with a margin; some sites lack some types (the national
  zone's 西区 has no 洪水影响评价, one provincial zone has only the environmental ones, the
  earthquake survey of the 核心区 covers its eastern half only), so parcels fail by type.
- Parcel attributes: ``ownership_dispute`` (a few), and the indicator package of unsupplied
  industrial parcels — 固定资产投资强度, 亩均税收, 产出强度 (万元/亩), R&D 投入强度 (%), 环境标准 —
  drawn around the Sichuan example floors (隆府办发〔2022〕58号), with some packages
  missing a field, some below the floor and some of those agreed case by case (一事一议).
- A few conflicts on candidate parcels far from the expansion requests: a small 生态保护红线
  strip (a stream corridor), a 永久基本农田 patch and a notch cut from the development
  boundary (which also gives way to the new red line and farmland: the 三线 never overlap),
  so each spatial condition has parcels that fail it. They are added after the
  other layers are drawn, from their own random stream, so no other figure moves.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from ._shapes import CRS, _zone_blocks

ASSESSMENT_TYPES = ("规划环评", "节能评价", "地质灾害危险性评估", "地震安全性评价",
                    "压覆重要矿产资源评估", "水土保持", "水资源论证", "洪水影响评价",
                    "文物考古调查")
_CANDIDATE = ("B21", "B22", "E1", "E21", "E22")
_INDUSTRIAL = ("M1", "M2", "M3", "W1")
# Sites whose assessments are incomplete: site → types not done.
_NOT_DONE = {"G510001B": ("洪水影响评价",), "S510102": ASSESSMENT_TYPES[3:],
             "G510001C": ("文物考古调查", "水资源论证")}


def generate_assessments(zones: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Completed regional assessments, one polygon per type and site.

    Examples
    --------
    >>> from gaoxin.sample import generate_parks, generate_zones
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); a = generate_assessments(z, generate_parks(rng, z))
    >>> sorted(a.assessment_type.unique()) == sorted(ASSESSMENT_TYPES)
    True
    """
    sites: list[tuple[str, BaseGeometry]] = [(f"{z}{b}", g) for z, b, g in _zone_blocks(zones)]
    sites += list(zip(parks.park_id.astype(str), parks.geometry, strict=True))
    rows: list[dict[str, object]] = []
    for site, geom in sites:
        area = shapely.buffer(geom, 50.0)
        for n, kind in enumerate(ASSESSMENT_TYPES):
            if kind in _NOT_DONE.get(site, ()):
                continue
            cover: BaseGeometry = area
            if site == "G510001A" and kind == "地震安全性评价":
                x0, y0, x1, y1 = area.bounds
                cover = shapely.intersection(area, shapely.box((x0 + x1) / 2, y0, x1, y1))
            rows.append({"assessment_type": kind, "name": f"{site} {kind}",
                         "approval": f"示例批复〔2024〕{len(rows) + 1}号",
                         "completed": f"2024-{n + 1:02d}-15", "geometry": cover})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def add_indicator_packages(rng: np.random.Generator, parcels: gpd.GeoDataFrame
                           ) -> gpd.GeoDataFrame:
    """The parcels with ``ownership_dispute`` and, on unsupplied industrial parcels, the
    indicator package (some incomplete, some below the floor, some 一事一议)."""
    out = parcels.copy()
    n = len(out)
    candidate = out["status"].isin(_CANDIDATE).to_numpy() & out["land_use"].isin(
        _INDUSTRIAL).to_numpy()
    draw = rng.random((n, 6))
    out["ownership_dispute"] = np.where(candidate & (draw[:, 0] < 0.04), "是", "否")
    invest = np.round(rng.uniform(160, 320, n), 1)
    tax = np.round(rng.uniform(8.5, 25, n), 1)
    output = np.round(rng.uniform(260, 600, n), 1)
    rd = np.round(rng.uniform(1.2, 4.5, n), 1)
    low = candidate & (draw[:, 1] < 0.12)
    tax[low] = np.round(rng.uniform(4, 7.5, int(low.sum())), 1)
    case = low & (draw[:, 2] < 0.5)
    frame = pd.DataFrame({"investment_intensity": invest, "tax_per_mu": tax,
                          "output_intensity": output, "rd_intensity_pct": rd})
    frame["environment"] = "符合园区规划环评及排放标准"
    frame.loc[~candidate] = np.nan
    gaps = candidate & (draw[:, 3] < 0.08)
    missing = np.array(["tax_per_mu", "output_intensity", "environment"])[
        (draw[:, 4] * 3).astype(int)]
    for col in frame.columns:
        frame.loc[gaps & (missing == col), col] = np.nan
    for col in frame.columns:
        out[col] = frame[col].to_numpy()
    out["case_by_case"] = pd.Series(np.where(case, "是", "否"), index=out.index).where(
        candidate)
    return out


def add_conflicts(rng: np.random.Generator, parcels: gpd.GeoDataFrame,
                  redlines: gpd.GeoDataFrame, farmland: gpd.GeoDataFrame,
                  dev_boundary: gpd.GeoDataFrame, requests: gpd.GeoDataFrame
                  ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A stream corridor of red line, a farmland patch and a notch in the development
    boundary, each on a different unsupplied industrial parcel ≥ 2 km from any request."""
    cand = parcels[parcels["status"].isin(_CANDIDATE) & parcels["land_use"].isin(_INDUSTRIAL)]
    far = shapely.distance(cand.geometry.values, shapely.union_all(requests.geometry.values))
    cand = cand[far > 2000]
    picks = cand.iloc[rng.choice(len(cand), size=3, replace=False)].geometry.values
    # A 20 m corridor across the first parcel's centre.
    c = shapely.centroid(picks[0])
    stream = shapely.buffer(shapely.LineString([(c.x - 200, c.y - 60), (c.x + 200, c.y + 60)]),
                            10.0)
    red = pd.concat([redlines, gpd.GeoDataFrame(
        {"patch_id": ["HX-S01"], "name": ["示例溪流生态保护红线"]}, geometry=[stream],
        crs=redlines.crs)], ignore_index=True)
    # A field patch over a corner of the second parcel.
    x0, y0, x1, y1 = picks[1].bounds
    field = shapely.box(x0 - 40, y0 - 40, (x0 + x1) / 2, (y0 + y1) / 2)
    farm = pd.concat([farmland, gpd.GeoDataFrame(
        {"patch_id": ["JBNT-S01"]}, geometry=[field], crs=farmland.crs)], ignore_index=True)
    # The boundary leaves out the third parcel's northern half.
    x0, y0, x1, y1 = picks[2].bounds
    notch = shapely.box(x0 - 30, (y0 + y1) / 2, x1 + 30, y1 + 30)
    # The 三线 never overlap: the new red line and farmland are cut from the boundary too.
    dev = dev_boundary.copy()
    dev["geometry"] = shapely.difference(dev.geometry.values,
                                         shapely.union_all([notch, stream, field]))
    return (gpd.GeoDataFrame(red, geometry="geometry", crs=redlines.crs),
            gpd.GeoDataFrame(farm, geometry="geometry", crs=farmland.crs), dev)
