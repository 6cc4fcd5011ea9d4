"""sample/parcels.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

import shapely

from gaoxin.kinds import LAND_STATUS_CODES


def test_parcels_tile_zones_and_parks_without_overlap(layers: dict, parcels) -> None:
    assert 4_500 <= len(parcels) <= 5_500
    assert parcels.parcel_id.is_unique
    geoms = parcels.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    union = shapely.union_all(geoms)
    assert abs(shapely.area(geoms).sum() - union.area) <= 1e-6 * union.area
    owners = dict(zip(layers["zones"].zone_id, layers["zones"].geometry, strict=True))
    owners |= dict(zip(layers["parks"]["园区编号"], layers["parks"].geometry, strict=True))
    for owner, group in parcels.groupby("zone_id"):
        site = owners[owner].buffer(1e-6)
        assert group.within(site).all(), owner
        assert group.area.sum() > 0.995 * owners[owner].area, owner


def test_parcel_attributes(parcels) -> None:
    assert set(parcels.status) <= set(LAND_STATUS_CODES)
    share = parcels.status.value_counts(normalize=True)
    assert 0.03 <= share["G"] <= 0.05
    assert share["A2"] > 0.3
    assert {"B21", "B22", "E21", "D1", "D21", "A1", "A4", "A6"} <= set(share.index)
    industrial = parcels.land_use.isin(["M1", "M2", "M3", "W1"])
    assert parcels.loc[industrial, "planned_far_min"].notna().all()
    assert (parcels.planned_far_max > parcels.planned_far_min).loc[industrial].all()
    assert parcels.loc[~industrial, "planned_far_min"].isna().all()
    assert set(parcels.servicing) == {"三通一平", "五通一平", "七通一平", "未平整"}
    ready = (parcels.status == "E21") & parcels.regional_assessment.astype(bool) \
        & parcels.acquisition_done.astype(bool) & parcels.servicing.isin(["五通一平", "七通一平"])
    assert ready.sum() >= 10  # candidates for 标准地
