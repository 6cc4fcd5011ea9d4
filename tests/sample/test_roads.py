"""sample/roads.py: road axes of the road parcels, classed by length, and the arterials."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gaoxin.sample import generate_parks, generate_zones
from gaoxin.sample.roads import generate_roads


def test_road_parcels_become_their_long_axes_classed_by_length() -> None:
    rng = np.random.default_rng(0)
    zones = generate_zones(rng)
    parks = generate_parks(rng, zones)
    strip = shapely.box(400_000, 3_390_000, 402_000, 3_390_030)      # 2 km × 30 m
    turned = shapely.box(0, 0, 20, 500)                              # 500 m north-south
    parcels = gpd.GeoDataFrame(
        {"land_use": ["S1", "S1", "S1", "M1"], "name": ["长路", "中路", "短路", "厂房"]},
        geometry=[strip, turned, shapely.box(10, 10, 110, 22), shapely.box(0, 0, 5000, 10)],
        crs=4544)
    roads = generate_roads(rng, parcels, zones, parks)
    axes = roads.iloc[:3]
    assert axes["name"].tolist() == ["长路", "中路", "短路"]
    assert axes["road_class"].tolist() == ["主干路", "次干路", "支路"]
    np.testing.assert_allclose(axes.length, [2000.0, 500.0, 100.0], rtol=1e-9)
    # the axis runs down the middle of the strip
    assert axes.geometry.iloc[0].centroid.y == pytest.approx(3_390_015.0)
    arterials = roads.iloc[3:]
    assert len(arterials) == 10 and set(arterials["road_class"]) == {"主干路"}
    assert "科创大道" in arterials["name"].tolist() and roads.crs.to_epsg() == 4544
