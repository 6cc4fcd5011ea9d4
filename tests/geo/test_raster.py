"""geo/raster.py: a raster window is one immutable value of cells, transform and CRS."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from affine import Affine
from pyproj import CRS

from gaoxin.geo.raster import Raster


def test_a_window_places_its_cells_by_its_transform() -> None:
    values = np.array([[1.0, np.nan], [3.0, 4.0]])
    window = Raster(values, Affine(30, 0, 500_000, 0, -30, 3_400_060), CRS.from_epsg(4544))
    # Cell (row 1, col 0) has its top-left corner one cell down from the origin.
    assert window.transform * (0, 1) == (500_000, 3_400_030)
    assert np.isnan(window.values[0, 1]) and window.crs.to_epsg() == 4544


def test_a_window_cannot_be_changed_after_it_is_made() -> None:
    window = Raster(np.zeros((1, 1)), Affine.identity(), CRS.from_epsg(4544))
    with pytest.raises(dataclasses.FrozenInstanceError):
        window.crs = CRS.from_epsg(4490)  # type: ignore[misc]
