"""analysis/terrain.py: Horn slopes on planes of known gradient, and area statistics."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine
from pyproj import CRS
from shapely import box

from gaoxin.analysis.terrain import slope_degrees, terrain_stats
from gaoxin.geo.raster import Raster

GK = CRS.from_epsg(4544)


def plane(rise_east: float, rise_north: float, n: int = 6, cell: float = 10.0) -> Raster:
    """Elevations of a plane rising ``rise_*`` metres per metre, ``n`` × ``n`` cells."""
    cols, rows = np.meshgrid(np.arange(n), np.arange(n))
    z = 100.0 + rise_east * cols * cell + rise_north * (n - 1 - rows) * cell
    return Raster(z, Affine(cell, 0, 500_000, 0, -cell, 3_400_000 + n * cell), GK)


def test_slope_of_a_plane_is_its_gradient_inside_and_nan_on_the_border() -> None:
    # rises 3 m east and 4 m north per 10 m: gradient 0.5, slope atan(0.5)
    slope = slope_degrees(plane(0.3, 0.4))
    inner = slope[1:-1, 1:-1]
    np.testing.assert_allclose(inner, math.degrees(math.atan(0.5)), rtol=1e-12)
    border = np.ones_like(slope, dtype=bool)
    border[1:-1, 1:-1] = False
    assert np.isnan(slope[border]).all()


def test_nodata_spoils_only_its_neighbours() -> None:
    dem = plane(0.1, 0.0, n=7)
    dem.values[3, 3] = np.nan
    slope = slope_degrees(dem)
    ring = np.ones((3, 3), dtype=bool)
    ring[1, 1] = False
    assert np.isnan(slope[2:5, 2:5][ring]).all()
    # Horn's window leaves out its centre: the nodata cell's own slope stands, as do the rest
    expected = math.degrees(math.atan(0.1))
    assert slope[3, 3] == pytest.approx(expected) and slope[1, 1] == pytest.approx(expected)


def test_geographic_dem_cells_are_converted_to_metres() -> None:
    # 0.001° cells at the equator are 111.32 m east-west and 110.54 m north-south; rising
    # 111.32 m per cell eastward is a 45° slope.
    z = np.tile(np.arange(5.0) * 111.32, (5, 1))
    dem = Raster(z, Affine(0.001, 0, 10.0, 0, -0.001, 0.0025), CRS.from_epsg(4490))
    assert float(slope_degrees(dem)[2, 2]) == pytest.approx(45.0, abs=1e-3)


def test_terrain_stats_of_the_cells_whose_centres_fall_inside() -> None:
    dem = plane(0.3, 0.4, n=8)  # x 500000…500080, y 3400000…3400080
    area = gpd.GeoSeries([box(500_020, 3_400_020, 500_050, 3_400_040)], crs=4544)
    stats = terrain_stats(area, dem, steep_deg=20.0)
    assert stats["cells"] == 3 * 2
    assert stats["mean_slope_deg"] == pytest.approx(math.degrees(math.atan(0.5)))
    assert stats["steep_share"] == 1.0  # 26.6° > 20°
    # cell centres at x 25, 35, 45 and y 25, 35: z = 100 + 0.3·(x−5) + 0.4·(y−5)
    assert stats["min_elevation_m"] == pytest.approx(100 + 0.3 * 20 + 0.4 * 20)
    assert stats["elevation_range_m"] == pytest.approx(0.3 * 20 + 0.4 * 10)


def test_an_area_off_the_dem_or_an_empty_dem_has_no_cells() -> None:
    far = gpd.GeoSeries([box(600_000, 3_500_000, 600_100, 3_500_100)], crs=4544)
    assert terrain_stats(far, plane(0.1, 0.1))["cells"] == 0
    empty = Raster(np.zeros((0, 0)), Affine.identity(), GK)
    stats = terrain_stats(far, empty)
    assert stats["cells"] == 0 and math.isnan(stats["mean_slope_deg"])
