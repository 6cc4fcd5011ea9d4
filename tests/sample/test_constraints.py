"""sample/constraints.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

import shapely


def test_constraints_are_consistent(layers: dict) -> None:
    red, farm, dev = layers["redlines"], layers["farmland"], layers["dev_boundary"]
    assert 150 <= len(farm) <= 600
    zones_parks = shapely.union(layers["zones"].union_all(), layers["parks"].union_all())
    # The 三线 never overlap one another (they may share an edge where one is cut from another).
    boundary = dev.union_all()
    assert farm.intersection(boundary).area.max() < 1e-3
    assert red.intersection(boundary).area.max() < 1e-3
    # Outside the zones and parks by design, but for the three conflict sites that
    # gaoxin.sample.standard_land puts on unsupplied parcels (a stream's red line, a farmland
    # patch, a notch in the boundary), so the standard-land conditions have parcels to fail.
    site = red.patch_id.str.endswith("-S01")
    assert site.sum() == 1 and (farm.patch_id.str.endswith("-S01")).sum() == 1
    assert not farm[~farm.patch_id.str.endswith("-S01")].intersects(zones_parks).any()
    assert not red[~site].intersects(zones_parks).any()
    outside = shapely.difference(zones_parks, dev.union_all().buffer(1e-6))
    sites = shapely.union_all([*red[site].geometry, *farm[farm.patch_id.str.endswith(
        "-S01")].geometry])
    notch = shapely.difference(outside, sites.buffer(1.0))
    assert 0 < notch.area < 0.002 * zones_parks.area   # the notch: one parcel's half
    west = red.centroid.x < shapely.centroid(zones_parks).x - 20_000
    assert west.mean() > 0.5
    assert set(layers["roads"].road_class) == {"主干路", "次干路", "支路"}
    assert (layers["roads"].geom_type == "LineString").all()
