"""analysis/standard_land.py: each condition on hand-made parcels, whose expected outcomes are
worked out by hand; rule changes move parcels as they should (hypothesis); the zone summary
adds up."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely import LineString, Polygon, box

from gaoxin.analysis import standard_land as sl
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.geo.raster import Raster
from gaoxin.geo.units import M2_PER_MU

X0, Y0 = 500_000.0, 3_400_000.0
SIDE = 150.0  # a 150 m square: 22,500 m² ≈ 33.75 亩, inside every default range
# The eight assessment types, all done.
ALL_DONE = "、".join(load_ruleset("standard_land").texts("assessments.required"))


def square(i: int, side: float = SIDE) -> Polygon:
    """The i-th parcel of a row, 300 m apart."""
    return box(X0 + 300 * i, Y0, X0 + 300 * i + side, Y0 + side)


def good(i: int, **changes: object) -> dict[str, object]:
    """A parcel that meets every condition, with ``changes``."""
    row: dict[str, object] = {
        "parcel_id": f"P{i}", "zone_id": "Z", "status": "E21", "land_use": "100101",
        "servicing": "七通一平", "acquisition_done": "是", "ownership_dispute": "否",
        "assessments_done": ALL_DONE, "investment_intensity": 200.0, "tax_per_mu": 12.0,
        "planned_far_min": 1.2, "output_intensity": 300.0, "environment": "达标",
        "rd_intensity_pct": 2.0, "case_by_case": "否", "geometry": square(i)}
    row.update(changes)
    return row


def layers(parcels: gpd.GeoDataFrame, **changes: object) -> sl.Layers:
    """Red line, farmland and boundary far from the parcels; a road beside every parcel;
    a flat DEM over them."""
    extent = shapely.box(X0 - 1000, Y0 - 1000, X0 + 300 * len(parcels) + 1000, Y0 + 1000)
    far = box(X0 - 5000, Y0 - 5000, X0 - 4000, Y0 - 4000)
    road = LineString([(X0 - 100, Y0 - 20), (X0 + 300 * len(parcels) + 100, Y0 - 20)])
    flat = Raster(np.zeros((80, 400)), Affine(30, 0, X0 - 1000, 0, -30, Y0 + 1000),
                  CRS.from_epsg(4544))
    base = {"redlines": gpd.GeoDataFrame(geometry=[far], crs=4544),
            "farmland": gpd.GeoDataFrame(geometry=[far], crs=4544),
            "dev_boundary": gpd.GeoDataFrame(geometry=[extent], crs=4544),
            "roads": gpd.GeoDataFrame(geometry=[road], crs=4544), "dem": flat}
    base.update(changes)
    return sl.Layers(**base)  # type: ignore[arg-type]


def frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=4544)


def outcomes(result: pd.DataFrame, pid: str) -> dict[str, str]:
    row = result.set_index("parcel_id").loc[pid]
    return {c: row[f"cond_{c}"] for c in sl.CONDITIONS if row[f"cond_{c}"] != "pass"}


def test_a_parcel_meeting_every_condition_is_ready() -> None:
    p = frame([good(0)])
    r = sl.run(p, layers(p))
    row = r.parcels.iloc[0]
    assert row["readiness"] == "ready" and row["reasons"] == []
    assert row["area_mu"] == pytest.approx(SIDE ** 2 / M2_PER_MU, rel=1e-3)
    assert r.summary["ready"] == 1 and r.summary["unlock"] == []


# Each parcel fails exactly one condition; the expected outcome and reason worked by hand.
ONE_FAILURE: list[tuple[dict[str, object], str, str, str]] = [
    ({"land_use": "0701"}, "use", "fail", "use_not_allowed"),       # 城镇住宅用地
    ({"land_use": "R2"}, "use", "fail", "use_not_allowed"),
    ({"geometry": square(0, 60.0)}, "shape", "fail", "area_small"),  # 3,600 m² = 5.4 亩
    ({"servicing": "未平整"}, "servicing", "fail", "not_levelled"),
    ({"servicing": "三通一平"}, "servicing", "conditional", "servicing_below"),
    ({"assessments_done": ALL_DONE.replace("洪水影响评价", "")}, "assessment", "fail",
     "assessment:洪水影响评价"),
    ({"acquisition_done": "否"}, "acquisition", "fail", "not_acquired"),
    ({"ownership_dispute": "是"}, "acquisition", "fail", "dispute"),
    ({"tax_per_mu": None}, "indicators", "fail", "package_missing:tax_per_mu"),
    ({"environment": ""}, "indicators", "fail", "package_missing:environment"),
    ({"tax_per_mu": 5.0}, "indicators", "fail", "package_below:tax_per_mu"),
    ({"tax_per_mu": 5.0, "case_by_case": "是"}, "indicators", "conditional",
     "case_by_case:tax_per_mu"),
]


@pytest.mark.parametrize(("changes", "condition", "outcome", "reason"), ONE_FAILURE)
def test_each_condition_alone(changes: dict[str, object], condition: str, outcome: str,
                              reason: str) -> None:
    p = frame([good(0, **changes)])
    r = sl.run(p, layers(p)).parcels
    assert outcomes(r, "P0") == {condition: outcome}
    assert r["reasons"].iloc[0] == [reason]
    assert r["readiness"].iloc[0] == ("blocked" if outcome == "fail" else "conditional")


def test_spatial_conflicts_in_mu() -> None:
    """Red line over the east 30 m of P0: 30 × 150 = 4,500 m² = 6.75 亩; farmland over the
    north 20 m of P1: 3,000 m² = 4.5 亩; the boundary stops 50 m short of P2's east edge:
    7,500 m² = 11.25 亩 outside."""
    p = frame([good(0), good(1), good(2)])
    red = gpd.GeoDataFrame(geometry=[box(X0 + 120, Y0 - 50, X0 + 200, Y0 + 200)], crs=4544)
    farm = gpd.GeoDataFrame(geometry=[box(X0 + 300, Y0 + 130, X0 + 500, Y0 + 200)], crs=4544)
    dev = gpd.GeoDataFrame(geometry=[box(X0 - 100, Y0 - 100, X0 + 700, Y0 + 300)], crs=4544)
    r = sl.run(p, layers(p, redlines=red, farmland=farm, dev_boundary=dev)).parcels
    r = r.set_index("parcel_id")
    assert r.loc["P0", "redline_mu"] == pytest.approx(6.75, rel=1e-3)
    assert r.loc["P1", "farmland_mu"] == pytest.approx(4.5, rel=1e-3)
    assert r.loc["P2", "outside_boundary_mu"] == pytest.approx(11.25, rel=1e-3)
    assert [outcomes(r.reset_index(), f"P{i}") for i in range(3)] == [{"spatial": "fail"}] * 3
    assert [r.loc[f"P{i}", "reasons"] for i in range(3)] == [
        ["redline"], ["farmland"], ["outside_boundary"]]


def test_spatial_conflicts_scale_the_parcels_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parcels' areal scale factors serve the red line, farmland and boundary passes
    alike (at 1M parcels each computation cost ~3.6 s), and the areas are unchanged."""
    from gaoxin.geo import area, overlap

    p = frame([good(0), good(1), good(2)])
    red = gpd.GeoDataFrame(geometry=[box(X0 + 120, Y0 - 50, X0 + 200, Y0 + 200)], crs=4544)
    farm = gpd.GeoDataFrame(geometry=[box(X0 + 300, Y0 + 130, X0 + 500, Y0 + 200)], crs=4544)
    dev = gpd.GeoDataFrame(geometry=[box(X0 - 100, Y0 - 100, X0 + 700, Y0 + 300)], crs=4544)
    want = sl.spatial_conflicts(p, red, farm, dev)
    calls: list[int] = []

    def counted(geoms: gpd.GeoSeries, *bounds: np.ndarray) -> object:
        calls.append(len(geoms))
        return area.areal_scale_factors(geoms, *bounds)

    monkeypatch.setattr(overlap, "areal_scale_factors", counted)
    monkeypatch.setattr(sl, "areal_scale_factors", counted, raising=False)
    got = sl.spatial_conflicts(p, red, farm, dev)
    assert calls == [3]
    pd.testing.assert_frame_equal(got, want)


def test_spatial_conflicts_compute_the_areal_scale_once(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """Parcels wholly inside a red line and the boundary's totals take the factors the
    pass computed once (the areal scale costs ~1.5 s at 1M parcels); areas unchanged."""
    from gaoxin.geo import area

    p = frame([good(0), good(1), good(2)])
    red = gpd.GeoDataFrame(geometry=[box(X0 - 50, Y0 - 50, X0 + 200, Y0 + 200),
                                     box(X0 + 420, Y0 - 50, X0 + 500, Y0 + 200)], crs=4544)
    farm = gpd.GeoDataFrame(geometry=[box(X0 + 550, Y0 - 50, X0 + 800, Y0 + 200)], crs=4544)
    dev = gpd.GeoDataFrame(geometry=[box(X0 - 100, Y0 - 100, X0 + 700, Y0 + 300)], crs=4544)
    want = sl.spatial_conflicts(p, red, farm, dev)
    calls: list[int] = []
    real = area._factors

    def counted(arr: np.ndarray, crs: CRS, *bounds: np.ndarray) -> np.ndarray:
        calls.append(len(arr))
        return real(arr, crs, *bounds)

    monkeypatch.setattr(area, "_factors", counted)
    got = sl.spatial_conflicts(p, red, farm, dev)
    assert calls == [3]
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got["redline_m2"].iloc[0] == pytest.approx(SIDE * SIDE, rel=1e-3)


def test_spatial_conflicts_read_the_parcels_bounds_once(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """One reading of the parcels' bounds serves the areal scale and every layer's pass
    (a parcel across a red line's edge, one inside, one meeting two overlapping red lines,
    one across a farmland patch); areas unchanged."""
    p = frame([good(0), good(1), good(2), good(3)])
    red = gpd.GeoDataFrame(geometry=[box(X0 - 50, Y0 - 50, X0 + 200, Y0 + 200),
                                     box(X0 + 400, Y0 - 50, X0 + 420, Y0 + 200),
                                     box(X0 + 630, Y0 - 50, X0 + 700, Y0 + 200),
                                     box(X0 + 660, Y0 - 50, X0 + 800, Y0 + 200)], crs=4544)
    farm = gpd.GeoDataFrame(geometry=[box(X0 + 850, Y0 - 50, X0 + 1000, Y0 + 100)],
                            crs=4544)
    want = sl.spatial_conflicts(p, red, farm, None)
    mine = {id(g) for g in p.geometry.values}
    reads: list[int] = []
    real = shapely.bounds

    def counted(geoms: object, **kwargs: object) -> np.ndarray:
        arr = np.atleast_1d(np.asarray(geoms, dtype=object))
        if any(id(g) in mine for g in arr):
            reads.append(len(arr))
        return real(geoms, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shapely, "bounds", counted)
    got = sl.spatial_conflicts(p, red, farm, None)
    assert reads == [4]
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert (got["redline_m2"] > 0).tolist() == [True, True, True, False]
    assert (got["farmland_m2"] > 0).tolist() == [False, False, False, True]


def _blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> Polygon:
    """A wavy closed curve of ``n`` vertices (a red line), repaired if it crosses itself."""
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = r * (1 + 0.3 * np.sin(3 * t + rng.uniform(0, 6))) * rng.uniform(0.85, 1.0, n)
    return shapely.make_valid(Polygon(np.c_[cx + rad * np.cos(t), cy + rad * np.sin(t)]))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), turn=st.floats(0, 90))
def test_shared_tables_give_the_per_pass_results(seed: int, turn: float) -> None:
    """The bounds and areal scale read once for every layer give, to the bit, what each
    layer's own pass gives: concave parcels (some invalid and repaired, some holed, some
    wholly inside a red line or containing a patch), the layout rotated, 100 km off the
    central meridian, against overlapping 600-vertex red lines, patches and a boundary;
    and the exact union's ellipsoidal areas within 1e-7."""
    from gaoxin.geo.area import ellipsoidal_area
    from gaoxin.geo.overlap import area_inside
    from tests.geo.helpers import bow_tie, building, concave_parcel

    rng = np.random.default_rng(seed)
    x0 = X0 + 100_000
    shapes = []
    for i in range(7):
        for j in range(7):
            p = concave_parcel(rng, x0 + i * 60.0, Y0 + j * 60.0, 50.0, 0.08)
            if rng.random() < 0.08:
                p = bow_tie(p)
            elif rng.random() < 0.1:
                c = p.centroid
                p = p.difference(shapely.box(c.x - 5, c.y - 5, c.x + 5, c.y + 5))
            shapes.append(p)
    centre = shapely.Point(x0 + 210, Y0 + 210)
    parcels = gpd.GeoDataFrame(geometry=shapely.make_valid(np.array(
        [shapely.affinity.rotate(p, turn, origin=centre) for p in shapes])), crs=4544)
    red = gpd.GeoDataFrame(geometry=[
        _blob(rng, x0 + rng.uniform(0, 420), Y0 + rng.uniform(0, 420), rng.uniform(60, 160),
              600) for _ in range(3)], crs=4544)
    farm = gpd.GeoDataFrame(geometry=[
        building(rng, x0 + rng.uniform(0, 420), Y0 + rng.uniform(0, 420),
                 rng.uniform(10, 70)) for _ in range(25)], crs=4544)
    farm = farm[shapely.is_valid(farm.geometry.values)]
    dev = gpd.GeoDataFrame(geometry=[_blob(rng, x0 + 210, Y0 + 210, 200, 300)], crs=4544)
    got = sl.spatial_conflicts(parcels, red, farm, dev)
    geoms = parcels.geometry
    for col, layer in (("redline_m2", red), ("farmland_m2", farm)):
        alone = area_inside(geoms, layer.geometry).to_numpy()
        assert np.array_equal(got[col].to_numpy(), alone)
        exact = ellipsoidal_area(gpd.GeoSeries(shapely.intersection(
            geoms.values, shapely.union_all(layer.geometry.values)), crs=4544)).to_numpy()
        assert np.allclose(alone, exact, rtol=1e-7, atol=1e-4)
    outside = np.maximum(ellipsoidal_area(geoms).to_numpy()
                         - area_inside(geoms, dev.geometry).to_numpy(), 0.0)
    assert np.array_equal(got["outside_boundary_m2"].to_numpy(), outside)


def test_a_conflict_within_the_tolerance_is_a_digitising_sliver() -> None:
    p = frame([good(0)])
    sliver = gpd.GeoDataFrame(geometry=[box(X0 + 149.995, Y0, X0 + 151, Y0 + 150)], crs=4544)
    assert sl.run(p, layers(p, redlines=sliver)).parcels["cond_spatial"].iloc[0] == "pass"


def test_terrain_from_the_dem() -> None:
    """A DEM rising 10 m per 30 m cell (18.4°) under P0 only: mean slope above 10° fails it,
    but nothing is steeper than 25°; P1 stays flat. Rising 30 m per cell (45°): steep too."""
    p = frame([good(0), good(1)])
    z = np.zeros((80, 400))
    cols = (np.arange(400) * 30 + X0 - 1000)
    z[:, cols < X0 + 250] = (np.arange(400) * 10.0)[None, :][:, cols < X0 + 250]
    dem = Raster(z, Affine(30, 0, X0 - 1000, 0, -30, Y0 + 1000), CRS.from_epsg(4544))
    r = sl.run(p, layers(p, dem=dem)).parcels.set_index("parcel_id")
    assert r.loc["P0", "mean_slope_deg"] == pytest.approx(np.degrees(np.arctan(1 / 3)), abs=0.5)
    assert r.loc["P0", "cond_terrain"] == "fail" and r.loc["P0", "reasons"] == ["slope"]
    assert r.loc["P0", "steep_share"] == 0
    assert r.loc["P1", "cond_terrain"] == "pass" and r.loc["P1", "mean_slope_deg"] == 0
    steep = Raster(z * 3, dem.transform, dem.crs)
    r = sl.run(p, layers(p, dem=steep)).parcels.set_index("parcel_id")
    assert r.loc["P0", "steep_share"] == pytest.approx(1.0)
    assert r.loc["P0", "reasons"] == ["slope", "steep_share"]


def test_road_access() -> None:
    """P0 lies 20 m from the road, P1 (raised 200 m) 220 m; a road parcel beside P1 gives it
    access."""
    p = frame([good(0), good(1, geometry=shapely.affinity.translate(square(1), 0, 200))])
    r = sl.run(p, layers(p)).parcels.set_index("parcel_id")
    assert r.loc["P0", "road_distance_m"] == pytest.approx(20)
    assert r.loc["P1", "road_distance_m"] == pytest.approx(220)
    assert r.loc["P1", "reasons"] == ["no_road"]
    lane = good(9, land_use="S1", status="A31", geometry=box(X0 + 450, Y0 + 200, X0 + 460,
                                                              Y0 + 350))
    r = sl.run(frame([*p.to_dict("records"), lane]), layers(p)).parcels.set_index("parcel_id")
    assert r.loc["P1", "cond_servicing"] == "pass"


def test_shape_measures_of_a_plant_site() -> None:
    """An L of two 150×40 m arms: usable at 40 m; at 50 m only the 40 m arms fail. A square
    with a 200 m long, 10 m wide tail: the tail (2,000 of 24,500 m²) is unusable."""
    ell = shapely.union(box(0, 0, 150, 40), box(0, 0, 40, 150))
    tail = shapely.union(box(0, 0, 150, 150), box(150, 70, 350, 80))
    g = gpd.GeoSeries([ell, tail], crs=4544).translate(X0, Y0)
    m40 = sl.shape_measures(g, 40.0)
    # The tail's root, where the square is wider than 40 m on its account, keeps ~9 m².
    assert m40["usable_share"].tolist() == pytest.approx([1.0, 22_500 / 24_500], abs=0.001)
    assert sl.shape_measures(g, 50.0)["usable_share"].iloc[0] == pytest.approx(0.0, abs=0.02)
    # The L's widest point is its corner (a circle of ~47 m fits there); tolerance 0.5 m radius.
    width = m40["inscribed_width_m"].tolist()
    assert 40 <= width[0] <= 60 and width[1] == pytest.approx(150, abs=2)


def test_layers_left_out_are_not_verified_never_passed() -> None:
    p = frame([good(0)]).drop(columns=["servicing", "acquisition_done"])
    r = sl.run(p)  # no layers at all
    row = r.parcels.iloc[0]
    assert row["readiness"] == "conditional"
    assert {row[f"cond_{c}"] for c in ("spatial", "terrain", "servicing", "acquisition")} == {
        "unverified"}
    assert set(r.summary["unverified"]) == {"redlines", "farmland", "dev_boundary", "dem",
                                            "servicing", "roads", "acquisition"}


def test_only_unsupplied_parcels_in_a_zone_are_candidates() -> None:
    p = frame([good(0), good(1, status="A2"), good(2, zone_id=None), good(3, status="B22")])
    assert sl.run(p, layers(p)).parcels["parcel_id"].tolist() == ["P0", "P3"]


def test_unlock_ranking_and_zone_summary_add_up() -> None:
    """P1 is blocked by 洪水影响评价 alone, P2 by it and by acquisition: fixing 洪水影响评价 alone
    unblocks P1 (33.75 亩), and it blocks 67.5 亩 in all."""
    no_flood = ALL_DONE.replace("洪水影响评价", "")
    rows = [good(0), good(1, assessments_done=no_flood),
            good(2, assessments_done=no_flood, acquisition_done="否"),
            good(3, servicing="三通一平", zone_id="Y")]
    p = frame(rows)
    s = sl.run(p, layers(p)).summary
    first = s["unlock"][0]
    mu = SIDE ** 2 / M2_PER_MU
    assert first["reason"] == "assessment:洪水影响评价" and first["only"] == 1
    assert first["only_mu"] == pytest.approx(mu, abs=0.01)
    assert first["blocks_mu"] == pytest.approx(2 * mu, abs=0.02)
    assert (s["ready"], s["conditional"], s["blocked"]) == (1, 1, 2)
    for z in s["zones"].values():
        assert z["ready"] + z["conditional"] + z["blocked"] == z["candidates"]
        assert z["ready_mu"] + z["conditional_mu"] + z["blocked_mu"] == pytest.approx(
            z["candidates_mu"], abs=0.02)


# ---------------------------------------------------------------- rule changes (hypothesis)

READINESS_ORDER = {"blocked": 0, "conditional": 1, "ready": 2}


@settings(max_examples=25, deadline=None)
@given(tax=st.floats(0, 30), floor=st.floats(0, 30), case=st.booleans(),
       side=st.floats(60, 400), min_mu=st.floats(1, 100))
def test_rule_changes_move_parcels_as_expected(tax: float, floor: float, case: bool,
                                               side: float, min_mu: float) -> None:
    """A parcel is blocked on tax exactly when its 亩均税收 is below the floor and not agreed
    case by case; on size exactly when its area is below the minimum; and loosening a rule
    never makes any parcel less ready."""
    p = frame([good(0, tax_per_mu=tax, case_by_case="是" if case else "否",
                    geometry=square(0, side))])
    lay = layers(p)
    strict = load_ruleset("standard_land", {"indicators.min_tax_per_mu": floor,
                                            "shape.min_area_mu": min_mu})
    r = sl.run(p, lay, strict).parcels.iloc[0]
    area_mu = side ** 2 / M2_PER_MU
    assert ("package_below:tax_per_mu" in r["reasons"]) == (tax < floor and not case)
    assert ("case_by_case:tax_per_mu" in r["reasons"]) == (tax < floor and case)
    assert ("area_small" in r["reasons"]) == (area_mu < min_mu - 1e-6 * area_mu) or abs(
        area_mu - min_mu) < 1e-3 * min_mu
    loose = load_ruleset("standard_land", {"indicators.min_tax_per_mu": floor / 2,
                                           "shape.min_area_mu": min_mu / 2})
    relaxed = sl.run(p, lay, loose).parcels.iloc[0]
    assert READINESS_ORDER[relaxed["readiness"]] >= READINESS_ORDER[r["readiness"]]


def test_land_use_codes_of_the_three_systems() -> None:
    rs = load_ruleset("standard_land")
    codes = pd.Series(["1001", "100103", "0601", "061", "M", "M2", "1101", "0604", "W1",
                       "0701", "R2", "1207"])
    got = sl.land_use_category(codes, rs, ["industrial", "logistics"]).tolist()
    assert got == ["industrial"] * 6 + ["logistics"] * 3 + [""] * 3
    allow = load_ruleset("standard_land", {"use.categories": ["industrial", "logistics"]})
    p = frame([good(0, land_use="1101")])
    assert sl.run(p, layers(p), allow).parcels["readiness"].iloc[0] == "ready"
    assert sl.run(p, layers(p)).parcels["cond_use"].iloc[0] == "fail"
