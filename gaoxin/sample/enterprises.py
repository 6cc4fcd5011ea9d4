"""About 1,200 (firm, parcel) rows of 规上 enterprises, with valid credit codes.

Enterprise rows are (firm, parcel) pairs: a firm on several parcels has one row per parcel,
and its figures are split over those rows in proportion to the land it holds there, so the
rows sum to the firm's totals and to each parcel's totals. Figures are lognormal around
Sichuan's 2020 averages (domain.md §4.2); firms whose building straddles two parcels, and
some others, hold several parcels; some parcels hold several firms.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..geo.units import M2_PER_MU
from ._shapes import _county_of
from .parcels import _INDUSTRIAL_USES

# Industry names → GB/T 4754-2002 two-digit codes (domain.md §2.3; 58/65/72/75 services).
_INDUSTRY_CODES = {
    "电子信息": ("40", "41"), "软件服务": ("65",), "生物医药": ("27",),
    "高端装备制造": ("35", "36", "37"), "航空配套": ("37", "36"), "医疗器械": ("36", "41"),
    "健康食品": ("14", "15"), "轨道交通装备": ("37",), "新材料": ("26", "30", "31"),
    "智能制造": ("35", "39", "40"), "食品饮料": ("13", "14", "15"), "农产品加工": ("13",),
    "建材": ("31",), "家具": ("21", "20"), "纺织服装": ("17", "18"), "食品加工": ("13", "14"),
    "新能源": ("39", "26"), "电气机械": ("39",), "汽车零部件": ("37", "34"),
    "物流仓储": ("58",), "化工": ("26", "28", "29"),
}
_ALL_INDUSTRIAL = ("13", "14", "15", "17", "18", "20", "21", "22", "23", "24", "26", "27",
                   "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "39", "40",
                   "41", "42", "43")
_SERVICE_CODES = ("65", "72", "75")
_CODE_WORDS = {
    "13": "农副食品", "14": "食品", "15": "饮品", "17": "纺织", "18": "服饰", "20": "木业",
    "21": "家具", "22": "纸业", "23": "印务", "24": "文体用品", "26": "化工", "27": "药业",
    "28": "化纤", "29": "橡胶制品", "30": "塑胶", "31": "新型建材", "32": "钢铁",
    "33": "有色金属", "34": "金属制品", "35": "机械", "36": "智能装备", "37": "汽车部件",
    "39": "电气", "40": "电子科技", "41": "仪器仪表", "42": "工艺品", "43": "再生资源",
    "58": "物流", "65": "软件", "72": "企业管理咨询", "75": "技术研究院",
}
# Relative output per mu, energy intensity by code (1 = average).
_OUTPUT_FACTOR = {"40": 1.5, "41": 1.3, "27": 1.4, "37": 1.2, "36": 1.1, "39": 1.1,
                  "31": 0.6, "20": 0.6, "21": 0.7, "17": 0.7, "58": 0.5, "13": 0.9}
_ENERGY_FACTOR = {"26": 3.0, "31": 3.5, "32": 4.0, "33": 3.5, "28": 2.0, "22": 2.0,
                  "40": 0.5, "41": 0.4, "65": 0.2, "72": 0.2, "75": 0.3, "58": 0.4}

_BRAND_A = "蜀锦天华瑞博宏鑫通盛德源恒泰科嘉弘岷峨汇川锐振康安信达新启星"
_BRAND_B = "成创晟阳辉远禾丰宇邦腾拓众诚峰联融翔洲锋凯润越合智和"


def _credit_code(rng: np.random.Generator, region: str) -> str:
    """An 18-character 统一社会信用代码 with valid check characters (GB 32100-2015)."""
    alnum = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(rng.choice(list("0123456789"), 2)) + "".join(
        rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 6))
    # Organisation code check digit (GB 11714).
    vals = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
    c9 = 11 - sum(v * w for v, w in zip(vals, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    code17 = "91" + region + org
    weights = [pow(3, i, 31) for i in range(17)]
    s = sum(alnum.index(c) * w for c, w in zip(code17, weights, strict=True))
    return code17 + alnum[(31 - s % 31) % 31]


def _industry_of(rng: np.random.Generator, industries: str, use: str) -> str:
    if use == "W1":
        return "58"
    if use in ("B1", "B2"):
        return str(rng.choice(_SERVICE_CODES))
    if rng.random() < 0.75:
        codes = [c for ind in industries.split(";") for c in _INDUSTRY_CODES.get(ind, ())]
        codes = [c for c in codes if c not in ("58", "65")] or list(_ALL_INDUSTRIAL)
        return str(rng.choice(codes))
    return str(rng.choice(_ALL_INDUSTRIAL))


def generate_enterprises(
    rng: np.random.Generator,
    parcels: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """About 1,200 (firm, parcel) rows of 规上 enterprises on built industrial, warehouse
    and commercial parcels.

    Figures in 万元 (energy in tce, employees in persons), lognormal around Sichuan's 2020
    averages (domain.md §4.2: 亩均营收 427.4万元, 亩均税收 14.3万元, 人均营收 144.4万元,
    单位能耗营收 4.9万元/tce, R&D 1.5 %). Some parcels hold several firms; firms whose
    building straddles two parcels, and some others, hold several parcels (one row each,
    figures split by land share).

    Examples
    --------
    >>> from gaoxin.sample import (generate_buildings, generate_parcels, generate_parks,
    ...                            generate_zones)
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z)
    >>> parcels = generate_parcels(rng, z, p.iloc[[10]])   # one small park
    >>> parcels = parcels[parcels.zone_id == "YQ11"]
    >>> e = generate_enterprises(rng, parcels, generate_buildings(rng, parcels), z, p)
    >>> bool(e.parcel_id.isin(parcels.parcel_id).all()), set(e.enterprise_id.str.len())
    (True, {18})
    """
    pid = parcels.parcel_id.to_numpy()
    use = parcels.land_use.to_numpy()
    status = parcels.status.to_numpy()
    area_mu = shapely.area(parcels.geometry.to_numpy()) / M2_PER_MU
    industries = dict(zip(zones.zone_id, zones.industries, strict=True))
    industries |= dict(zip(parks.park_id, parks.industries, strict=True))
    owner_geom = dict(zip(zones.zone_id, zones.geometry, strict=True))
    owner_geom |= dict(zip(parks.park_id, parks.geometry, strict=True))
    regions = {k: _county_of(np.array(g.centroid.coords[0]))[2] for k, g in owner_geom.items()}

    firm_parcels: list[list[int]] = []
    # A quarter of the buildings across two parcels belong to a firm holding both.
    b_geoms = buildings.geometry.to_numpy()
    p_geoms = parcels.geometry.to_numpy()
    bi, pi = shapely.STRtree(p_geoms).query(b_geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(b_geoms[bi], p_geoms[pi]))
    hits = pd.DataFrame({"b": bi, "p": pi})[overlap > 1.0]
    multi = hits.groupby("b").p.agg(list)
    used: set[int] = set()
    for plist in multi[multi.map(len) > 1]:
        if not used.intersection(plist) and rng.random() < 0.25:
            firm_parcels.append(sorted(plist))
            used.update(plist)
    industrial = np.flatnonzero((status == "A2") & np.isin(use, _INDUSTRIAL_USES))
    commercial = np.flatnonzero(status == "A4")
    free = np.array([i for i in industrial if i not in used])
    chosen = np.sort(rng.choice(free, size=min(len(free), 640), replace=False))
    k = 0
    while k < len(chosen):  # some firms hold two or three parcels
        span = 1 if rng.random() > 0.07 else int(rng.integers(2, 4))
        firm_parcels.append([int(c) for c in chosen[k:k + span]])
        k += span
    shops = rng.choice(commercial, size=min(len(commercial), 60), replace=False)
    firm_parcels += [[int(c)] for c in np.sort(shops)]
    # Further, smaller firms sharing a parcel with the first one.
    n_first = len(firm_parcels)
    hosts = rng.choice(np.array([fp[0] for fp in firm_parcels]),
                       size=min(110, len(firm_parcels)), replace=False)
    for h in hosts:
        firm_parcels += [[int(h)]] * int(rng.integers(1, 3))
    weights = np.r_[np.ones(n_first), rng.uniform(0.2, 0.8, len(firm_parcels) - n_first)]
    share_of = np.zeros(len(pid))
    for fp, w in zip(firm_parcels, weights, strict=True):
        share_of[fp] += w
    rows = []
    names_seen: set[str] = set()
    for fp, w in zip(firm_parcels, weights, strict=True):
        owner = parcels.zone_id.iat[fp[0]]
        code = _industry_of(rng, industries[owner], use[fp[0]])
        land = np.array([area_mu[p] * w / share_of[p] for p in fp])
        per_mu = math.exp(rng.normal(math.log(427.4) - 0.85**2 / 2, 0.85))
        revenue = land.sum() * per_mu * _OUTPUT_FACTOR.get(code, 1.0)
        tax = revenue * math.exp(rng.normal(math.log(14.3 / 427.4) - 0.125, 0.5))
        value_added = revenue * rng.uniform(0.18, 0.35)
        energy = revenue / 4.9 * math.exp(rng.normal(-0.18, 0.6)) * _ENERGY_FACTOR.get(code,
                                                                                         1.0)
        employees = max(8.0, revenue / 144.4 * math.exp(rng.normal(-0.1, 0.45)))
        rd = 0.0 if rng.random() < 0.12 else revenue * 0.015 * math.exp(rng.normal(-0.3, 0.8))
        invest = land.sum() * math.exp(rng.normal(math.log(480.0) - 0.18, 0.6))
        name = _firm_name(rng, code, names_seen)
        ident = _credit_code(rng, regions[owner])
        for p, a in zip(fp, land / land.sum(), strict=True):
            rows.append({
                "enterprise_id": ident, "name": name, "parcel_id": pid[p],
                "industry_code": code, "industry_std": "GB/T 4754-2002",
                "revenue": round(revenue * a, 2), "tax": round(tax * a, 2),
                "value_added": round(value_added * a, 2), "energy_tce": round(energy * a, 1),
                "employees": float(max(1, round(employees * a))), "rd_spend": round(rd * a, 2),
                "fixed_investment": round(invest * a, 2),
            })
    return pd.DataFrame(rows)


def _firm_name(rng: np.random.Generator, code: str, seen: set[str]) -> str:
    word = _CODE_WORDS.get(code, "实业")
    form = "股份有限公司" if rng.random() < 0.15 else "有限公司"
    for _ in range(50):
        brand = str(rng.choice(list(_BRAND_A))) + str(rng.choice(list(_BRAND_B)))
        name = f"四川{brand}{word}{form}" if rng.random() < 0.4 else f"成都{brand}{word}{form}"
        if name not in seen:
            seen.add(name)
            return name
    name = f"成都{word}{len(seen)}号{form}"
    seen.add(name)
    return name
