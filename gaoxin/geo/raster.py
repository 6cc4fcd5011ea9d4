"""A raster window in memory: what ``layers`` reads and analyses consume."""

from __future__ import annotations

from dataclasses import dataclass

from affine import Affine
from pyproj import CRS

from .arrays import FloatArray


@dataclass(frozen=True)
class Raster:
    """Values (float, NaN where nodata), their affine transform and CRS."""

    values: FloatArray
    transform: Affine
    crs: CRS
