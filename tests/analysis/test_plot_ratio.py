"""analysis/plot_ratio.py: plot ratio, coverage and the industrial control: hand-computed
cases, conservation, the control table and the real central-Chengdu OSM extract."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.analysis import plot_ratio as pr
from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.geo.area import ellipsoidal_area

X0, Y0 = 500_000.0, 3_400_000.0  # on the central meridian of EPSG:4544: scale ≈ 1


def _gdf(geoms: list[shapely.Geometry], **cols: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(cols), geometry=geoms, crs=4544)


def test_two_storey_building_on_a_hectare() -> None:
    parcel = _gdf([box(X0, Y0, X0 + 100, Y0 + 100)], parcel_id=["P"])
    building = _gdf([box(X0 + 10, Y0 + 10, X0 + 50, Y0 + 60)], floors=[2])
    r = pr.plot_ratio(parcel, building).iloc[0]
    scale = ellipsoidal_area(parcel.geometry).iloc[0] / 10_000  # same for both: cancels
    assert r.plot_ratio == pytest.approx(0.4, abs=1e-9)
    assert r.building_coverage == pytest.approx(20.0, abs=1e-7)
    assert r.floor_area_m2 == pytest.approx(4000 * scale, rel=1e-9)
    assert bool(r.computable)


def test_tall_single_storey_workshop_counts_twice() -> None:
    b = pd.DataFrame({"floors": [1, 1, np.nan, 2], "height": [10.0, 8.0, 10.0, 20.0]})
    # 10 m one storey → 2; exactly 8 m is not "over 8 m" → 1; 10 m from height (3.5 m
    # storeys) → 3; 2 storeys of 10 m → 4.
    assert pr.counted_floors(b).tolist() == [2.0, 1.0, 3.0, 4.0]
    parcel = _gdf([box(X0, Y0, X0 + 100, Y0 + 100)])
    shed = _gdf([box(X0, Y0, X0 + 50, Y0 + 40)], floors=[1], height=[10.0])
    assert pr.plot_ratio(parcel, shed).plot_ratio.iloc[0] == pytest.approx(0.4, abs=1e-9)


def test_straddling_building_split_by_area_and_unknown_floors_reported() -> None:
    parcels = _gdf([box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100)],
                   parcel_id=["W", "E"])
    buildings = _gdf([box(X0 + 70, Y0, X0 + 110, Y0 + 10),     # 30 m west, 10 m east
                      box(X0 + 150, Y0 + 50, X0 + 160, Y0 + 60)],  # no floors, no height
                     floors=[3, np.nan], height=[np.nan, np.nan])
    r = pr.plot_ratio(parcels, buildings)
    assert r.floor_area_m2.tolist() == pytest.approx([900.0, 300.0], rel=1e-6)
    assert r.footprint_m2.tolist() == pytest.approx([300.0, 200.0], rel=1e-6)
    assert r.computable.tolist() == [True, False]
    assert np.isnan(r.plot_ratio.iloc[1]) and r.plot_ratio_known.iloc[1] > 0


def test_floor_area_is_conserved_over_parcels() -> None:
    rng = np.random.default_rng(7)
    parcels = _gdf([box(X0 + i * 50, Y0 + j * 50, X0 + i * 50 + 50, Y0 + j * 50 + 50)
                    for i in range(8) for j in range(8)])
    xs, ys = rng.uniform(X0, X0 + 370, 300), rng.uniform(Y0, Y0 + 370, 300)
    w, h = rng.uniform(5, 30, 300), rng.uniform(5, 30, 300)
    buildings = _gdf(list(shapely.box(xs, ys, xs + w, ys + h)),
                     floors=rng.integers(1, 12, 300).astype(float))
    # Overlapping buildings are fine here: each one's floor area is split, not unioned.
    by_parcel = pr.floor_area_by_parcel(parcels, buildings)["floor_area_m2"].sum()
    expected = pr.building_floor_area(buildings).sum()  # all lie inside the 400 m square
    assert by_parcel == pytest.approx(expected, rel=1e-9)


def test_piece_areas_match_cut_geometries_for_every_size() -> None:
    """Small and large parcels and buildings, rotated shapes, 150 km off the meridian."""
    x0, y0 = 650_000.0, 3_400_000.0
    rot = shapely.affinity.rotate
    parcels = _gdf([box(x0, y0, x0 + 800, y0 + 800), box(x0 + 800, y0, x0 + 1600, y0 + 800),
                    rot(box(x0, y0 + 800, x0 + 120, y0 + 900), 7, origin=(x0, y0 + 800)),
                    rot(box(x0 + 120, y0 + 800, x0 + 240, y0 + 900), 7, origin=(x0, y0 + 800))])
    buildings = _gdf([rot(box(x0 + 780, y0 + 100, x0 + 830, y0 + 140), 20),   # small, big parcels
                      box(x0 + 300, y0 + 300, x0 + 1100, y0 + 400),           # 800 m, big parcels
                      rot(box(x0 + 100, y0 + 820, x0 + 140, y0 + 860), 31),   # small, small parcels
                      box(x0 + 100, y0 + 100, x0 + 200, y0 + 200)],           # inside one
                     floors=[2.0, 1.0, 4.0, 3.0])
    got = pr.floor_area_by_parcel(parcels, buildings)["floor_area_m2"].to_numpy()
    pairs = [(i, j) for i in range(4) for j in range(4)]
    cut = shapely.intersection(buildings.geometry.values[[i for i, _ in pairs]],
                               parcels.geometry.values[[j for _, j in pairs]])
    area = ellipsoidal_area(gpd.GeoSeries(cut, crs=parcels.crs)).to_numpy()
    floors = buildings["floors"].to_numpy()
    want = np.zeros(4)
    for (i, j), a in zip(pairs, area, strict=True):
        want[j] += a * floors[i]
    assert got == pytest.approx(want, rel=3e-6)
    assert (got > 0).all()


def test_zone_summary_and_industrial_control() -> None:
    parcels = _gdf([box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100),
                    box(X0 + 200, Y0, X0 + 300, Y0 + 100)],
                   parcel_id=["P1", "P2", "P3"], zone_id=["Z"] * 3, status=["A2", "A2", "A1"],
                   land_use=["M1", "M1", "R2"])
    buildings = _gdf([box(X0 + 10, Y0 + 10, X0 + 60, Y0 + 90),       # 4000 m² × 2
                      box(X0 + 110, Y0 + 10, X0 + 170, Y0 + 60),      # 3000 m² × 1 (12 m)
                      box(X0 + 210, Y0 + 10, X0 + 260, Y0 + 50)],     # 2000 m² × 10
                     floors=[2, 1, 10], height=[8.0, 12.0, 30.0],
                     use=["厂房", "办公楼", "住宅"])
    ents = pd.DataFrame({"parcel_id": ["P1", "P2"], "industry_code": ["C3911", "27"],
                         "industry_std": ["GB/T 4754-2002", "GB/T4754—2002"],
                         "revenue": [1.0, 1.0]})
    rules = load_ruleset("plot_ratio")
    r = pr.plot_ratio(parcels, buildings, rules)
    admin = pr.admin_share(parcels, buildings, rules)
    c = pr.industrial_control(parcels, r, ents, rules, admin)
    assert c.far_min.tolist()[:2] == [0.7, 0.7] and np.isnan(c.far_min.iloc[2])
    assert c.far_ok.tolist()[:2] == [True, False]          # 0.8 ≥ 0.7; 0.6 < 0.7
    assert c.coefficient_ok.tolist()[:2] == [True, True]  # 40 % and 30 % ≥ 30 %
    assert admin.round(6).tolist()[:2] == [0.0, 100.0]
    assert c.admin_ok.tolist()[:2] == [True, False]
    assert c.far_ok.isna().iloc[2]
    z = pr.zone_plot_ratio(parcels, r, rules=rules).loc["Z"]
    assert z.plot_ratio == pytest.approx((8000 + 6000 + 20000) / 30000, rel=1e-6)
    assert z.industrial_plot_ratio == pytest.approx(14000 / 20000, rel=1e-6)
    # A fraction, as the land-intensity evaluation gives it under the same name.
    assert z.industrial_building_coefficient == pytest.approx(0.35, rel=1e-6)


def test_min_table_is_keyed_by_standard_and_code_version() -> None:
    t = pr.min_plot_ratio_table()
    mlr = t[t.standard == "MLR-2008"]
    assert set(mlr.code_version) == {"GB/T 4754-2002"}
    assert len(mlr) == 30 and "38" not in set(mlr.code)  # 38 is not in the 2008 table
    assert dict(zip(mlr.code, mlr.far_min, strict=True))["25"] == 0.5
    assert set(mlr[mlr.code.astype(int) >= 34].confidence) == {"🟡"}
    for std in ("MNR-2023", "SC-2024"):
        rows = t[t.standard == std]
        assert len(rows) == 31 and rows.far_min.isna().all()
        assert set(rows.code_version) == {"GB/T 4754-2017"}
    # A 2017-coded firm is never matched against the 2002-coded table …
    assert np.isnan(pr.min_plot_ratio(pd.Series(["39"]), pd.Series(["GB/T 4754-2017"])).iloc[0])
    # … and filling a 2023 value in the workspace rules makes it usable.
    rules = load_ruleset("plot_ratio", {"control": {"standard": "MNR-2023"},
                                        "min_plot_ratio.MNR-2023.GB/T 4754-2017.39": 1.2})
    got = pr.min_plot_ratio(pd.Series(["39"]), pd.Series(["GB/T 4754-2017"]), rules)
    assert got.iloc[0] == 1.2


def test_run_refuses_an_unknown_control_standard() -> None:
    from dataclasses import replace

    from gaoxin.errors import InputError

    parcels = _gdf([box(X0, Y0, X0 + 100, Y0 + 100)], parcel_id=["P"])
    rules = load_ruleset("plot_ratio")   # as from a rule file of one's own, without choices
    rules.rules["control.standard"] = replace(rules.rules["control.standard"], value="XX-1999")
    with pytest.raises(InputError, match="unknown control standard 'XX-1999'"):
        pr.run(parcels, _gdf([], floors=[]), rules=rules)


@pytest.mark.realdata
def test_real_osm_chengdu_reports_what_it_cannot_compute(real_data: Path) -> None:
    path = real_data / "chengdu_central_osm_2018.gpkg"
    landuse = gpd.read_file(path, layer="landuse").to_crs(4544)
    buildings = gpd.read_file(path, layer="buildings").to_crs(4544)
    buildings = buildings.rename(columns={"building_levels": "floors"})
    for col in ("floors", "height"):
        buildings[col] = pd.to_numeric(buildings[col], errors="coerce")
    landuse = landuse[landuse.geometry.is_valid].reset_index(drop=True)
    r = pr.plot_ratio(landuse, buildings)
    touched = r.footprint_m2 > 0
    assert touched.sum() > 10
    # OSM levels are sparse: most built-on parcels cannot be computed, and say so.
    assert (~r.computable[touched]).sum() > 0
    assert r.plot_ratio[~r.computable].isna().all()
    assert (r.plot_ratio[r.computable & touched] > 0).all()
    assert (r.building_coverage.dropna() <= 100 + 1e-6).all()


def test_is_industrial_with_missing_values_of_every_kind() -> None:
    p = pd.DataFrame({"status": pd.array(["A2", None, " a2", "B1"], dtype="string[pyarrow]"),
                      "land_use": pd.array([None, "m1", "R2", None], dtype="string")})
    assert pr.is_industrial(p).tolist() == [True, True, True, False]
    q = pd.DataFrame({"status": ["A2", None, np.nan, "B1"], "land_use": [None, "M2", "R", np.nan]})
    assert pr.is_industrial(q).tolist() == [True, True, False, False]


def _check_status_by_strings(applies: np.ndarray, passed: np.ndarray,
                             reasons: list[tuple[str, np.ndarray]]
                             ) -> tuple[np.ndarray, np.ndarray]:
    """The status and reason columns as they were first made, from arrays of strings."""
    conditions = [np.asarray(m, dtype=bool) for _, m in reasons]
    reason = np.select(conditions, [r for r, _ in reasons], default="").astype(object)
    status = np.where(reason != "", "not_comparable",
                      np.where(np.asarray(passed, dtype=bool), "pass", "fail")).astype(object)
    status[~applies] = ""
    reason[~applies] = ""
    return status, reason


@given(st.integers(0, 60).flatmap(lambda n: st.tuples(
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=1, max_size=4))))
@settings(max_examples=60, deadline=None)
def test_check_status_columns_equal_the_string_built_ones(
        data: tuple[list[bool], list[bool], list[list[bool]]]) -> None:
    applies, passed, masks = (np.array(data[0], dtype=bool), np.array(data[1], dtype=bool),
                              [np.array(m, dtype=bool) for m in data[2]])
    reasons = list(zip(pr.REASONS, masks, strict=False))
    status, reason, ok = pr._check_status(applies, passed, reasons)
    old_status, old_reason = _check_status_by_strings(applies, passed, reasons)
    index = pd.RangeIndex(len(applies))
    for new, old in ((status, old_status), (reason, old_reason)):
        assert pd.Series(new, index=index).equals(pd.Series(old, index=index, dtype="str"))
    compared = (old_status == "pass") | (old_status == "fail")
    assert ok.tolist() == [bool(s == "pass") if c else pd.NA
                           for s, c in zip(old_status, compared, strict=True)]


def _check_counts_by_comparison(status: pd.Series, reason: pd.Series) -> pr.CheckCounts:
    """check_counts as it was: every value made text, compared once per word. (It raised
    where a missing reason met an unknown one: sorting NaN among texts; missing values
    have no text and are left out of the sort here, as they counted 0.)"""
    s = status.astype(str).to_numpy()
    r = reason.astype(str).to_numpy()
    passed, failed = int((s == "pass").sum()), int((s == "fail").sum())
    nc = r[s == "not_comparable"]
    texts = {v for v in nc if isinstance(v, str)}
    by_reason = {k: int((nc == k).sum()) for k in (*pr.REASONS,
                                                   *sorted(texts - set(pr.REASONS)))}
    return {"total": passed + failed + len(nc), "compared": passed + failed, "passed": passed,
            "failed": failed, "not_comparable": {k: n for k, n in by_reason.items() if n}}


_STATUS_VALUES = st.sampled_from(["pass", "fail", "not_comparable", "", None, float("nan"),
                                  "PASS", 1])
_REASON_VALUES = st.one_of(st.sampled_from([*pr.REASONS, "", None, float("nan"), 1, "1"]),
                           st.text(max_size=4))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_STATUS_VALUES, _REASON_VALUES), max_size=60))
def test_check_counts_equal_the_counts_by_comparison(rows: list[tuple[object, object]]) -> None:
    status = pd.Series([s for s, _ in rows], dtype=object)
    reason = pd.Series([r for _, r in rows], dtype=object)
    expected = _check_counts_by_comparison(status, reason)
    assert pr.check_counts(status, reason) == expected
    if all(isinstance(v, str) or v is None for v in [*status, *reason]):
        # The checks' own columns are Arrow-backed text.
        assert pr.check_counts(status.astype("str"), reason.astype("str")) == expected
