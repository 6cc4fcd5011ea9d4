"""Plot-ratio check counts that do not overstate compliance (issue 11): every check says
compared / passed / failed / not comparable and why; unbuilt land is never a failure; a built
status without buildings is a data problem; the three land-use code systems are recognised."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.analysis import plot_ratio as pr
from gaoxin.maps.style import _palette
from gaoxin.report.symbology import DIVERGING

X0, Y0 = 500_000.0, 3_400_000.0


def _run(status: list[str | None], land_use: list[str | None], built: list[bool],
         codes: list[str]) -> pr.PlotRatioResult:
    """Parcels of one hectare side by side; a 2-storey 40 × 50 m building where ``built``."""
    n = len(status)
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(n)], "zone_id": "Z", "status": status,
         "land_use": land_use},
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(n)],
        crs=4544)
    on = [i for i in range(n) if built[i]]
    # One building away from every parcel: a layer without buildings is another matter.
    buildings = gpd.GeoDataFrame(
        {"floors": [2.0] * (len(on) + 1)}, crs=4544,
        geometry=[box(X0 - 500, Y0, X0 - 400, Y0 + 100)]
        + [box(X0 + 100 * i + 10, Y0 + 10, X0 + 100 * i + 50, Y0 + 60) for i in on])
    enterprises = pd.DataFrame({"parcel_id": [f"P{i}" for i in range(n) if codes[i]],
                                "industry_code": [c for c in codes if c],
                                "industry_std": "GB/T 4754-2002", "revenue": 1.0})
    return pr.run(parcels, buildings, enterprises)


def test_industrial_parcel_without_code_is_not_comparable() -> None:
    r = _run(["A2", "A2"], ["M1", "M1"], [True, True], ["40", ""])
    assert r.parcels["far_status"].tolist() == ["fail", "not_comparable"]
    assert r.parcels["far_reason"].tolist() == ["", "no_industry_code"]
    assert r.summary["checks"]["far_min"] == {
        "total": 2, "compared": 1, "passed": 0, "failed": 1,
        "not_comparable": {"no_industry_code": 1}}
    assert r.summary["industrial_below_minimum"] == 1


def test_unbuilt_parcel_is_not_a_coefficient_failure() -> None:
    r = _run(["E21", "A2"], ["M1", "M1"], [False, True], ["", "40"])
    p = r.parcels
    assert p["coefficient_status"].tolist() == ["not_comparable", "fail"]  # 20 % < 30 %
    assert p["coefficient_reason"].iloc[0] == "unbuilt"
    assert pd.isna(p["coefficient_ok"].iloc[0]) and not bool(p["coefficient_ok"].iloc[1])
    assert r.summary["industrial_coefficient_below_30pct"] == 1
    assert r.summary["checks"]["building_coefficient"]["not_comparable"] == {"unbuilt": 1}


def test_built_industrial_parcel_without_building_is_a_data_problem() -> None:
    r = _run(["A2", "A2"], ["M1", "M1"], [False, True], ["40", "40"])
    p = r.parcels
    for prefix in ("far", "coefficient"):
        assert p[f"{prefix}_status"].iloc[0] == "not_comparable"
        assert p[f"{prefix}_reason"].iloc[0] == "no_buildings_but_built_status"
    assert r.summary["built_status_without_buildings"] == 1
    assert r.summary["built_status_without_buildings_ids"] == ["P0"]
    assert r.data_problems["parcel_id"].tolist() == ["P0"]
    assert r.summary["industrial_below_minimum"] == 1  # only P1 (0.4 < 1.0)


@pytest.mark.parametrize("code", ["1001", "100101", "100103", "0601", "061", "M1", "M0"])
def test_land_use_codes_of_the_three_systems_are_industrial(code: str) -> None:
    p = pd.DataFrame({"status": [None], "land_use": [code]})
    assert pr.is_industrial(p).tolist() == [True]


@pytest.mark.parametrize("code", ["1101", "0701", "R2", "1207", "", None, "0602"])
def test_other_land_use_codes_are_not_industrial(code: str | None) -> None:
    p = pd.DataFrame({"status": [None], "land_use": [code]})
    assert pr.is_industrial(p).tolist() == [False]


def test_an_office_adds_its_local_code_in_the_workspace_rules() -> None:
    from gaoxin.analysis.ruleset import load_ruleset

    rules = load_ruleset("plot_ratio", {"land_use_codes.industrial.land_sea": ["1001", "X9"]})
    p = pd.DataFrame({"land_use": ["X9", "X8"]})
    assert pr.is_industrial(p, rules).tolist() == [True, False]


STATUSES = st.sampled_from(["A2", "A1", "A31", "E21", "D21", "B22", "G", "B21", "B12", "X",
                            None])
LAND_USES = st.sampled_from(["M1", "1001", "100102", "0601", "R2", "W1", None])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(STATUSES, LAND_USES, st.booleans(),
                          st.sampled_from(["", "40", "34", "99"])), min_size=1, max_size=8))
def test_every_check_count_adds_up(rows: list[tuple[str | None, str | None, bool, str]]) -> None:
    status, land_use, built, codes = (list(c) for c in zip(*rows, strict=True))
    r = _run(status, land_use, built, codes)
    industrial = int(r.parcels["industrial"].sum())
    for check, prefix in pr.CHECKS:
        c = r.summary["checks"][check]
        assert c["total"] == industrial
        assert c["compared"] + sum(c["not_comparable"].values()) == c["total"]
        assert c["passed"] + c["failed"] == c["compared"]
        assert all(n > 0 for n in c["not_comparable"].values())
        statuses = r.parcels.loc[r.parcels["industrial"], f"{prefix}_status"]
        assert (statuses == "fail").sum() == c["failed"]
        unbuilt = r.parcels[f"{prefix}_reason"] == "unbuilt"
        assert not (r.parcels.loc[unbuilt, f"{prefix}_status"] == "fail").any()


def test_threshold_classes_have_distinct_colours() -> None:
    for k in range(2, 10):
        assert len(set(_palette(DIVERGING, k))) == k


def test_summary_json_counts_add_up_and_say_why(tmp_path: Path) -> None:
    from gaoxin.cli import main
    from gaoxin.sample import write_sample_workspace

    ws = tmp_path / "ws"
    write_sample_workspace(ws)
    out = tmp_path / "out"
    assert main(["plot-ratio", "-w", str(ws / "gaoxin.toml"), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["checks"]) == {"far_min", "building_coefficient", "admin_share"}
    for check in summary["checks"].values():
        assert check["compared"] + sum(check["not_comparable"].values()) == check["total"]
        assert check["passed"] + check["failed"] == check["compared"]
    far = summary["checks"]["far_min"]
    assert far["failed"] == summary["industrial_below_minimum"]
    assert far["not_comparable"]["no_industry_code"] > 0
    assert summary["checks"]["building_coefficient"]["not_comparable"]["unbuilt"] > 0
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "不可比较" in html and "未建/不适用" in html
