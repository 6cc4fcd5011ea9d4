"""sample/constraints.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

import shapely


def test_constraints_are_consistent(layers: dict) -> None:
    red, farm, dev = layers["redlines"], layers["farmland"], layers["dev_boundary"]
    assert 150 <= len(farm) <= 600
    zones_parks = shapely.union(layers["zones"].union_all(), layers["parks"].union_all())
    assert not farm.intersects(zones_parks).any()
    assert not red.intersects(zones_parks).any()
    assert dev.union_all().buffer(1e-6).contains(zones_parks)
    assert not farm.intersects(dev.union_all()).any()
    west = red.centroid.x < shapely.centroid(zones_parks).x - 20_000
    assert west.mean() > 0.5
    assert set(layers["roads"].road_class) == {"主干路", "次干路", "支路"}
    assert (layers["roads"].geom_type == "LineString").all()
