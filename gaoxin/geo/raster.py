"""A raster window in memory: what ``layers`` reads and analyses consume."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from affine import Affine
from pyproj import CRS


@dataclass(frozen=True)
class Raster:
    """Values (float, NaN where nodata), their affine transform and CRS."""

    values: np.ndarray
    transform: Affine
    crs: CRS
