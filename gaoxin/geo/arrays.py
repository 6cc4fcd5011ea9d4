"""NumPy array types by element type, for the signatures of the geometry and analysis code."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.integer]        # positions and counts, any width
BoolArray: TypeAlias = npt.NDArray[np.bool_]
GeometryArray: TypeAlias = npt.NDArray[np.object_]  # shapely geometries
