"""sample/_shapes.py: the geometry helpers the sample generators share."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from gaoxin.sample import _shapes
from gaoxin.sample._shapes import (
    EXTENT_LONLAT,
    _bearing,
    _blob,
    _county_of,
    _edge_point,
    _extent_box,
    _largest_part,
    _mountain_front_x,
    _random_points_in,
    _xy,
)


def test_bearings_are_clockwise_from_north() -> None:
    np.testing.assert_allclose(_bearing(0), [0, 1], atol=1e-15)
    np.testing.assert_allclose(_bearing(90), [1, 0], atol=1e-15)
    np.testing.assert_allclose(_bearing(225), [-np.sqrt(0.5), -np.sqrt(0.5)], atol=1e-15)


def test_xy_is_gauss_kruger_zone_35() -> None:
    # 105°E is the central meridian of EPSG:4544: easting 500 km there
    x, y = _xy(105.0, 30.0)
    assert x == pytest.approx(500_000.0, abs=1e-6)
    assert (x, y) == pytest.approx(Transformer.from_crs(4490, 4544, always_xy=True)
                                   .transform(105.0, 30.0))


@pytest.mark.parametrize("aspect", [1.0, 3.0])
def test_blob_has_the_asked_area_around_its_centre(aspect: float) -> None:
    centre = np.array([400_000.0, 3_390_000.0])
    blob = _blob(np.random.default_rng(5), centre, 2.5e6, aspect=aspect, angle=0.0)
    assert blob.is_valid and blob.area == pytest.approx(2.5e6, rel=1e-9)
    assert blob.contains(shapely.Point(centre))


def test_edge_point_and_largest_part() -> None:
    square = shapely.box(-10, -10, 10, 10)
    np.testing.assert_allclose(_edge_point(square, np.array([0.0, 0.0]), 90), [10, 0],
                               atol=1e-9)
    parts = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 8, 8)])
    assert _largest_part(parts).equals(shapely.box(5, 5, 8, 8))


def test_random_points_fall_inside() -> None:
    ring = shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 8, 8))
    pts = _random_points_in(np.random.default_rng(1), ring, 500)
    assert pts.shape == (500, 2) and shapely.contains_xy(ring, pts[:, 0], pts[:, 1]).all()


def test_county_of_the_nearest_seat_and_the_mountain_front() -> None:
    seat = _shapes._COUNTIES[0]
    assert _county_of(_xy(seat[0], seat[1]) + 10.0) == (seat[2], seat[3], seat[4])
    y = np.array([_xy(103.475, 30.30)[1], _xy(103.575, 30.80)[1]])
    np.testing.assert_allclose(_mountain_front_x(y),
                               [_xy(103.475, 30.30)[0], _xy(103.575, 30.80)[0]])


def test_extent_box_holds_the_lon_lat_extent() -> None:
    lon0, lat0, lon1, lat1 = EXTENT_LONLAT
    extent = _extent_box()
    corners = [_xy(lon, lat) for lon in (lon0, lon1) for lat in (lat0, lat1)]
    assert all(extent.buffer(1e-6).contains(shapely.Point(c)) for c in corners)
