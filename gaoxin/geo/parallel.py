"""Run vectorised shapely functions over chunks in threads (GEOS releases the GIL)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

THREADS = max(1, min(os.cpu_count() or 1, 4))
_MIN_CHUNK = 20_000


def chunked(func: Callable[..., np.ndarray], *arrays: np.ndarray,
            threads: int = THREADS) -> np.ndarray:
    """``func(*arrays)`` computed on ``threads`` slices at once, results concatenated.

    Only for element-wise functions (predicates, intersections, validity). Small inputs
    run in the calling thread.

    Examples
    --------
    >>> import shapely
    >>> g = shapely.points(np.arange(5.0), np.zeros(5))
    >>> chunked(shapely.get_x, g).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0]
    """
    n = len(arrays[0])
    if threads <= 1 or n < 2 * _MIN_CHUNK:
        return func(*arrays)
    parts = np.array_split(np.arange(n), threads)
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda idx: func(*(a[idx] for a in arrays)), parts))
    return np.concatenate(results)
