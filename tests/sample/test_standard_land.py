"""sample/standard_land.py: the assessments layer, indicator packages and conflict sites, read
back from the written sample workspace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gaoxin.sample.standard_land import ASSESSMENT_TYPES

CANDIDATES = ("B21", "B22", "E1", "E21", "E22")


def test_assessments_cover_each_site_by_type_with_gaps(layers: dict) -> None:
    a = layers["assessments"]
    assert set(a.assessment_type) == set(ASSESSMENT_TYPES)
    assert a.approval.str.match(r"示例批复〔2024〕\d+号").all()
    # every site has some but not all sites have every type
    per_type = a.groupby("assessment_type").size()
    assert per_type.max() > per_type.min()
    zones = layers["zones"]
    west = zones[zones.zone_id == "G510001"].geometry.iloc[0]
    flood = a[a.assessment_type == "洪水影响评价"].union_all()
    # the national zone's 西区 (its second block) has no flood assessment
    block_b = shapely.get_parts(west)[1]
    assert not flood.covers(block_b)


def test_packages_only_on_unsupplied_industrial_parcels(layers: dict) -> None:
    p = layers["parcels"]
    cand = p["status"].isin(CANDIDATES) & p["用地性质"].isin(("M1", "M2", "M3", "W1"))
    assert p.loc[~cand, "investment_intensity"].isna().all()
    package = p.loc[cand, ["investment_intensity", "tax_per_mu", "output_intensity",
                           "rd_intensity_pct"]]
    assert package.notna().mean().min() > 0.85          # some fields missing on purpose
    assert (p.loc[cand, "tax_per_mu"] < 8).sum() > 0      # some below the Sichuan floor
    assert set(p.loc[cand, "case_by_case"].dropna()) == {"是", "否"}
    assert set(p["ownership_dispute"]) == {"是", "否"}
    assert (p.loc[~cand, "ownership_dispute"] == "否").all()
    low_case = cand & (p["tax_per_mu"] < 8) & (p["case_by_case"] == "是")
    assert low_case.sum() > 0
    assert pd.api.types.is_float_dtype(p["tax_per_mu"]) and np.isfinite(
        p.loc[cand, "tax_per_mu"].dropna()).all()


def test_conflict_sites_lie_on_unsupplied_industrial_parcels(layers: dict) -> None:
    p = layers["parcels"]
    cand = p[p["status"].isin(CANDIDATES) & p["用地性质"].isin(("M1", "M2", "M3", "W1"))]
    red = layers["redlines"]
    farm = layers["farmland"]
    for site in (red[red.patch_id == "HX-S01"], farm[farm.patch_id == "JBNT-S01"]):
        assert len(site) == 1
        assert cand.intersects(site.geometry.iloc[0]).any()
    requests = shapely.union_all([layers["request_clean"].to_crs(p.crs).union_all()])
    assert shapely.distance(red[red.patch_id == "HX-S01"].geometry.iloc[0], requests) > 2000
