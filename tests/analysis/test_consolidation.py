"""一区多园 consolidation: factors, ranking, the exact plan against brute force and the hard
constraints, invariance to feature order and CRS, and a real-geography case."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.analysis import consolidation as c
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.errors import InputError

X0, Y0 = 500000.0, 3400000.0


def square(x_km: float, y_km: float, side_km: float = 1.0) -> shapely.Polygon:
    x, y = X0 + x_km * 1000, Y0 + y_km * 1000
    return box(x, y, x + side_km * 1000, y + side_km * 1000)


def zones_frame(rows: list[tuple[str, str, str, str, shapely.Geometry]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone_id": [r[0] for r in rows], "level": [r[1] for r in rows],
                             "county": [r[2] for r in rows], "industries": [r[3] for r in rows]},
                            geometry=[r[4] for r in rows], crs=4544)


def parks_frame(rows: list[tuple[str, str, str, shapely.Geometry]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"park_id": [r[0] for r in rows], "county": [r[1] for r in rows],
                             "industries": [r[2] for r in rows]},
                            geometry=[r[3] for r in rows], crs=4544)


def test_obvious_layout_ranks_the_two_matching_neighbours_first() -> None:
    zones = zones_frame([("Z", "provincial", "甲县", "电子信息;生物医药", square(0, 0, 3))])
    parks = parks_frame([("NEAR1", "甲县", "电子信息", square(4, 0)),
                         ("NEAR2", "甲县", "生物医药", square(0, 4)),
                         ("FAR", "乙县", "物流仓储", square(25, 0))])
    r = c.run(parks, zones, with_sensitivity=False)
    ranked = r.pairs["park_id"].tolist()
    assert ranked[:2] == ["NEAR1", "NEAR2"] or ranked[:2] == ["NEAR2", "NEAR1"]
    assert ranked[-1] == "FAR"
    far = r.pairs.set_index("park_id").loc["FAR"]
    assert far["industry"] == 0.0 and far["admin"] == 0.0
    assert r.summary["hosts"] == {"Z": ["NEAR1", "NEAR2"]}
    plan = r.plan.set_index("park_id")
    assert plan.loc["FAR", "decision"] == "alone"
    assert plan.loc["NEAR1", "host_blocks_after"] == 3


def test_distance_is_between_boundaries_not_centroids() -> None:
    zones = zones_frame([("Z", "national", "甲县", "电子信息", square(0, 0, 10))])
    parks = parks_frame([("P", "甲县", "电子信息", square(11, 0))])
    pair = c.run(parks, zones, with_sensitivity=False).pairs.iloc[0]
    assert pair["boundary_km"] == pytest.approx(1.0, abs=1e-3)


def test_road_distance_follows_the_road_graph() -> None:
    from shapely import LineString
    zones = zones_frame([("Z", "national", "甲县", "电子信息", square(0, 0, 1))])
    parks = parks_frame([("P", "甲县", "电子信息", square(3, 0))])
    # A detour: up 5 km, across, down again; it joins at shared vertices.
    roads = gpd.GeoDataFrame(geometry=[
        LineString([(X0 + 500, Y0 + 500), (X0 + 500, Y0 + 5500)]),
        LineString([(X0 + 500, Y0 + 5500), (X0 + 3500, Y0 + 5500)]),
        LineString([(X0 + 3500, Y0 + 5500), (X0 + 3500, Y0 + 500)])], crs=4544)
    pair = c.run(parks, zones, c.Layers(roads=roads), with_sensitivity=False).pairs.iloc[0]
    assert pair["boundary_km"] == pytest.approx(2.0, abs=1e-3)
    assert pair["road_km"] == pytest.approx(13.0, abs=1e-3)
    assert pair["travel_km"] == pytest.approx(13.0, abs=1e-3)


def test_industry_similarity_is_jaccard_with_partial_credit() -> None:
    a, b = frozenset({"39", "65"}), frozenset({"39", "38"})
    assert c.industry_similarity(a, b, 0.0) == pytest.approx(1 / 3)
    assert c.industry_similarity(a, b, 0.25) == pytest.approx((1 + 0.25) / 3)
    assert c.industry_similarity(a, b, 0.25) == c.industry_similarity(b, a, 0.25)
    assert np.isnan(c.industry_similarity(frozenset(), b, 0.25))


def test_adjacent_county_comes_from_the_county_layer() -> None:
    counties = gpd.GeoDataFrame({"name": ["甲县", "乙县", "丙县"], "city": ["A市", "A市", "A市"]},
                                geometry=[square(-5, -5, 10), square(5, -5, 10),
                                          square(30, -5, 10)], crs=4544)
    zones = zones_frame([("Z", "provincial", "", "电子信息", square(0, 0, 1))])
    parks = parks_frame([("ADJ", "", "电子信息", square(6, 0)),
                         ("CITY", "", "电子信息", square(31, 0))])
    r = c.run(parks, zones, c.Layers(counties=counties), with_sensitivity=False)
    rel = r.pairs.set_index("park_id")["relation"]
    assert rel["ADJ"] == "adjacent_county" and rel["CITY"] == "same_city"


def test_duplicate_ids_are_refused_as_input_errors() -> None:
    zones = zones_frame([("Z", "provincial", "甲县", "电子信息", square(0, 0))])
    parks = parks_frame([("P", "甲县", "", square(3, 0)), ("P", "甲县", "", square(6, 0))])
    with pytest.raises(InputError, match="unique"):
        c.run(parks, zones, with_sensitivity=False)


def test_block_limit_binds_and_a_touching_park_adds_no_block() -> None:
    blocks = shapely.MultiPolygon([square(0, 0), square(10, 0)])
    zones = zones_frame([("Z", "provincial", "甲县", "电子信息", blocks)])
    parks = parks_frame([("TOUCH", "甲县", "电子信息", square(1.02, 0)),
                         ("A", "甲县", "电子信息", square(3, 0)),
                         ("B", "甲县", "电子信息", square(6, 0))])
    r = c.run(parks, zones, with_sensitivity=False)
    hosts = r.summary["hosts"]["Z"]
    assert "TOUCH" in hosts and len(hosts) == 2   # one new block left: A or B, not both
    assert r.plan.set_index("park_id").loc["TOUCH", "adds_block"] == False  # noqa: E712


def test_one_provincial_zone_per_county() -> None:
    zones = zones_frame([("S1", "provincial", "甲县", "电子信息", square(0, 0)),
                         ("S2", "provincial", "乙县", "电子信息", square(10, 0))])
    parks = parks_frame([("P1", "丙县", "电子信息", square(4, 0)),
                         ("P2", "丙县", "电子信息", square(6, 0))])
    r = c.run(parks, zones, with_sensitivity=False)
    hosts = set(r.plan.loc[r.plan["decision"] == "assign", "host_zone_id"])
    assert len(hosts) == 1   # 丙县 may gain one provincial zone only


def test_exact_plan_is_never_worse_than_greedy_and_matches_brute_force() -> None:
    # S1 has room for one more block and both parks want it most.
    s1 = shapely.MultiPolygon([square(0, 0), square(20, 0)])
    zones = zones_frame([("S1", "national", "甲县", "电子信息", s1),
                         ("S2", "national", "乙县", "电子信息", square(0, 8))])
    parks = parks_frame([("P1", "甲县", "电子信息", square(0, 3)),
                         ("P2", "甲县", "电子信息", square(-4, 0))])
    rules = load_ruleset("consolidation", {"constraints.max_blocks": 3, "admin.same_county": 0.0})
    m = c.measure(parks, zones, rules=rules)
    pairs = c.eligible(c.score(m, rules), rules)
    lim = c.limits(m, rules)
    exact, greedy = c.plan_exact(pairs, m, lim), c.plan_greedy(pairs, m, lim)
    assert c.total_score(exact, pairs) >= c.total_score(greedy, pairs) - 1e-12
    assert c.total_score(exact, pairs) == pytest.approx(c.brute_force(pairs, m, lim))


# ------------------------------------------------------------------ properties

INDUSTRIES = ("电子信息", "生物医药", "化工", "食品饮料", "汽车零部件", "物流仓储")


@st.composite
def layouts(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    n_zones = draw(st.integers(1, 3))
    n_parks = draw(st.integers(1, 6))
    cells = draw(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)),
                          min_size=n_zones + n_parks, max_size=n_zones + n_parks, unique=True))
    counties = ("甲县", "乙县", "丙县")
    zones = []
    for i in range(n_zones):
        x, y = cells[i]
        parts = [square(x * 3, y * 3, 1.0)]
        if draw(st.booleans()):
            parts.append(square(x * 3 + 1.5, y * 3, 0.8))
        zones.append((f"Z{i}", draw(st.sampled_from(("national", "provincial"))),
                      draw(st.sampled_from(counties)),
                      ";".join(draw(st.sets(st.sampled_from(INDUSTRIES), min_size=1,
                                            max_size=2))), shapely.MultiPolygon(parts)))
    parks = []
    for j in range(n_parks):
        x, y = cells[n_zones + j]
        parks.append((f"P{j}", draw(st.sampled_from(counties)),
                      draw(st.sampled_from(INDUSTRIES)),
                      square(x * 3, y * 3, draw(st.sampled_from((0.5, 1.0, 2.0))))))
    return zones_frame(zones), parks_frame(parks)


FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(layouts())
def test_ranking_is_invariant_to_feature_order_and_crs(
        layout: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    zones, parks = layout
    base = c.run(parks, zones, with_sensitivity=False)
    shuffled_parks = parks.sample(frac=1.0, random_state=1).to_crs(4326)
    shuffled_zones = zones.iloc[::-1].to_crs(32648)
    other = c.run(shuffled_parks, shuffled_zones, with_sensitivity=False)
    key = ["park_id", "zone_id"]
    assert base.pairs[key].values.tolist() == other.pairs[key].values.tolist()
    np.testing.assert_allclose(base.pairs["score"], other.pairs["score"], atol=1e-7)
    assert base.summary["hosts"] == other.summary["hosts"]


@FAST
@given(layouts(), st.sampled_from((1, 2, 3)), st.booleans())
def test_the_plan_never_breaks_a_hard_constraint_and_equals_brute_force(
        layout: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], max_blocks: int,
        area_hard: bool) -> None:
    zones, parks = layout
    rules = load_ruleset("consolidation", {"constraints.max_blocks": max_blocks,
                                           "constraints.area_is_hard": area_hard,
                                           "constraints.max_area_km2": 3.0,
                                           "plan.min_score": 0.1})
    m = c.measure(parks, zones, rules=rules)
    pairs = c.eligible(c.score(m, rules), rules)
    lim = c.limits(m, rules)
    exact = c.plan_exact(pairs, m, lim)
    greedy = c.plan_greedy(pairs, m, lim)
    assert c.violations(exact, pairs, m, lim) == []
    assert c.violations(greedy, pairs, m, lim) == []
    best = c.brute_force(pairs, m, lim)
    assert c.total_score(exact, pairs) == pytest.approx(best, abs=1e-6)
    assert c.total_score(greedy, pairs) <= best + 1e-9


def test_violations_sees_a_broken_limit() -> None:
    zones = zones_frame([("Z", "provincial", "甲县", "电子信息", square(0, 0))])
    parks = parks_frame([(f"P{i}", "甲县", "电子信息", square(3 + 2 * i, 0)) for i in range(3)])
    rules = load_ruleset("consolidation", {"constraints.max_blocks": 2})
    m = c.measure(parks, zones, rules=rules)
    pairs = c.score(m, rules)
    assert c.violations({0: 0, 1: 0}, pairs, m, c.limits(m, rules)) == ["blocks:0"]


def test_sensitivity_varies_every_parameter_both_ways() -> None:
    zones = zones_frame([("Z", "provincial", "甲县", "电子信息", square(0, 0, 3))])
    parks = parks_frame([("A", "甲县", "电子信息", square(4, 0)),
                         ("B", "乙县", "化工", square(0, 20))])
    r = c.run(parks, zones)
    assert set(r.sensitivity["parameter"]) == set(c.SENSITIVE)
    assert len(r.sensitivity) == 2 * len(c.SENSITIVE)
    assert r.sensitivity["rank_correlation"].between(-1, 1).all()
    shrink = r.sensitivity.set_index(["parameter", "factor"]).loc[("pairs.max_distance_km",
                                                                   0.5)]
    assert shrink["pairs"] == 1   # B, 17 km away, falls outside 15 km


def test_small_parks_far_from_any_zone_form_a_new_zone_cluster() -> None:
    zones = zones_frame([("Z", "provincial", "甲县", "电子信息", square(0, 0))])
    parks = parks_frame([("Q1", "丁县", "食品饮料", square(60, 0)),
                         ("Q2", "丁县", "食品饮料", square(63, 0)),
                         ("Q3", "丁县", "食品饮料", square(120, 0))])
    groups = c.run(parks, zones, with_sensitivity=False).clusters
    assert groups["park_ids"].tolist() == ["Q1、Q2"]


def test_real_sichuan_zones_rank_same_county_parks_first(real_data: Path) -> None:
    """Provincial parks as candidates for the national zones' sub-areas, on the real zone
    points (as circles of their area) and county boundaries: each park's best host is in
    its own county wherever one is."""
    pts = gpd.read_file(real_data / "sichuan_dev_zones.geojson")
    pts = pts[pts.geometry.notna() & (pts["location_method"] == "host_county_representative_point")]
    pts = pts.to_crs(c.working_crs(97.3, 26.0, 108.6, 34.4))
    radius = np.sqrt(pts["area_ha"].astype(float).to_numpy() * 1e4 / np.pi)
    circles = shapely.buffer(pts.geometry.values, np.minimum(radius, 3000.0))
    frame = gpd.GeoDataFrame({"id": pts["zone_id"], "level": pts["level"],
                              "industries": pts["industries"], "city": pts["city"]},
                             geometry=circles, crs=pts.crs)
    hosts = frame[frame["level"] == "national"].rename(columns={"id": "zone_id"})
    parks = frame[frame["level"] == "provincial"].rename(columns={"id": "park_id"})
    counties = pd.concat([gpd.read_file(real_data / f"sichuan_county_{p}_wgs84.gpkg")
                          for p in ("basin", "west")], ignore_index=True)
    r = c.run(parks, hosts, c.Layers(counties=gpd.GeoDataFrame(counties[["name", "geometry"]])),
              with_sensitivity=False)
    best = r.pairs.drop_duplicates("park_id")
    same = r.pairs[r.pairs["relation"] == "same_county"]
    assert len(same) >= 1   # 双流 (SLED) with the bio-town, at least
    for park in same["park_id"].unique():
        assert best.set_index("park_id").loc[park, "relation"] == "same_county", park
    ranks = r.pairs["relation"].map({"same_county": 0, "adjacent_county": 1}).fillna(2)
    first = r.pairs.groupby("park_id").head(1)
    assert (ranks.loc[first.index] <= ranks.groupby(r.pairs["park_id"]).transform("min")
            .loc[first.index]).all()



def test_host_land_use_before_and_after_by_hand() -> None:
    """Host Z: 1 ha built (A2) + 1 ha ready (E21); its park P: 1 ha built, 1 ha idle (G);
    park Q has no parcels. Before: supply 50 % (1 of 2 ha built or ready supplied), built
    100 %, idle 0. After: supplied 3 ha (2 built + G), built 2 of 3, idle 1 of 3."""
    from gaoxin.analysis.consolidation import host_land_use

    cells = [box(500000 + i * 100, 3400000, 500100 + i * 100, 3400100) for i in range(4)]
    parcels = gpd.GeoDataFrame({"zone_id": ["Z", "Z", "P", "P"],
                                "status": ["A2", "E21", "A2", "G"]}, geometry=cells, crs=4544)
    row = host_land_use({"Z": ["P", "Q"]}, parcels).iloc[0]
    assert row["total_ha_before"] == pytest.approx(2.0, rel=1e-3)
    assert row["total_ha_after"] == pytest.approx(4.0, rel=1e-3)
    assert row["supply_rate_before"] == pytest.approx(0.5, rel=1e-3)
    assert row["built_rate_before"] == pytest.approx(1.0) and row["idle_rate_before"] == 0
    assert row["built_rate_after"] == pytest.approx(2 / 3, rel=1e-3)
    assert row["idle_rate_after"] == pytest.approx(1 / 3, rel=1e-3)
    assert row["parks_without_parcels"] == ["Q"]
