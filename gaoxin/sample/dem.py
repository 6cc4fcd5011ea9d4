"""A 30 m DEM over the workspace extent.

The Chengdu plain (~450–560 m, falling to the south-east) rises steeply west of a mountain
front near 103.5°E to 1,500–3,000 m; a low Longquan ridge lies in the east; smooth noise
makes slopes > 25° in the mountains, so terrain checks have steep land to find.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ._shapes import _extent_box, _mountain_front_x, _xy

DEM_CELL = 30.0
DEM_NODATA = -9999.0


def _spline_matrix(n_fine: int, step: int) -> npt.NDArray[np.float32]:
    """Cubic B-spline weights (n_fine × n_coarse) upsampling a coarse grid by ``step``."""
    t = np.arange(n_fine) / step + 1.0  # coarse coordinate of each fine cell
    i0 = np.floor(t).astype(int)
    f = t - i0
    w = np.stack([(1 - f) ** 3, 3 * f**3 - 6 * f**2 + 4, -3 * f**3 + 3 * f**2 + 3 * f + 1,
                  f**3], axis=1) / 6.0
    out = np.zeros((n_fine, n_fine // step + 4), dtype=np.float32)
    rows = np.arange(n_fine)
    for k in range(4):
        out[rows, i0 - 1 + k] = w[:, k]
    return out


def _smooth_noise(rng: np.random.Generator, shape: tuple[int, int], step: int
                  ) -> npt.NDArray[np.float32]:
    """Smooth noise (about unit amplitude): a coarse random grid upsampled by cubic
    B-splines, as two matrix products."""
    wy, wx = _spline_matrix(shape[0], step), _spline_matrix(shape[1], step)
    coarse = rng.standard_normal((wy.shape[1], wx.shape[1])).astype(np.float32)
    # numpy's stub types (float32 @ float32) @ float32 as float64; the array is float32.
    noise: npt.NDArray[np.float32] = (
        (wy @ coarse) @ wx.T * np.float32(1.5))  # type: ignore[assignment]  # stub: float64
    return noise


def generate_dem(rng: np.random.Generator
                 ) -> tuple[npt.NDArray[np.float32], tuple[float, float]]:
    """A 30 m DEM over the workspace extent: the Chengdu plain (~450–560 m, falling to the
    south-east) rising steeply west of a mountain front near 103.5°E to 1,500–3,000 m,
    a low Longquan ridge in the east, and smooth noise that makes slopes > 25° in the
    mountains.

    Returns
    -------
    elevation, (west, north)
        float32 array (rows north → south) and the coordinates of its upper-left corner.
    """
    xmin, ymin, xmax, ymax = _extent_box().bounds
    west = math.floor(xmin / DEM_CELL) * DEM_CELL
    north = math.ceil(ymax / DEM_CELL) * DEM_CELL
    cols = math.ceil((xmax - west) / DEM_CELL)
    rows = math.ceil((north - ymin) / DEM_CELL)
    x = (west + (np.arange(cols, dtype=np.float32) + 0.5) * DEM_CELL)[None, :]
    y = (north - (np.arange(rows, dtype=np.float32) + 0.5) * DEM_CELL)[:, None]
    # Plain: higher to the north-west (alluvial fan of the Min river).
    u = (x - west) / (cols * DEM_CELL)
    v = (north - y) / (rows * DEM_CELL)
    plain = 560.0 - 70.0 * (0.6 * u + 0.4 * v)
    # Mountains west of the front.
    d_west = (_mountain_front_x(y) - x) / 1000.0  # km west of the front
    soft = np.logaddexp(0.0, d_west / 0.8) * 0.8  # smooth onset
    mountain = 1.0 - np.exp(-soft / 7.0)
    relief = 2_250.0 * mountain
    # Longquan ridge: a low NNE ridge in the east.
    rx = _xy(104.285, 30.55)
    ridge_d = ((x - rx[0]) - (y - rx[1]) * 0.25) / 1000.0
    relief = relief + 280.0 * np.exp(-(ridge_d / 2.5) ** 2)
    shape = (rows, cols)
    noise = (_smooth_noise(rng, shape, 200) * 1.0 + _smooth_noise(rng, shape, 100) * 0.6
             + _smooth_noise(rng, shape, 50) * 0.5 + _smooth_noise(rng, shape, 25) * 0.35
             + _smooth_noise(rng, shape, 12) * 0.2)
    amp = 6.0 + 480.0 * mountain + 60.0 * np.exp(-(ridge_d / 2.5) ** 2)
    elevation = plain + relief + amp * noise
    return elevation.astype(np.float32), (west, north)
