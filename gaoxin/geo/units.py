"""Area units used in Chinese land administration (domain.md §7.1).

1 亩 = 10000/15 m²; 1 公顷 = 15 亩; 1 km² = 1500 亩.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

M2_PER_MU = 10000.0 / 15.0
M2_PER_HA = 10000.0
M2_PER_KM2 = 1_000_000.0

# A scalar, an array or a column of areas: each converts to the same kind.
T = TypeVar("T", float, npt.NDArray[np.float64], "pd.Series[float]")


def m2_to_mu(area_m2: T) -> T:
    """Square metres to 亩.

    Examples
    --------
    >>> m2_to_mu(10000.0)
    15.0
    """
    return area_m2 / M2_PER_MU


def m2_to_ha(area_m2: T) -> T:
    """Square metres to 公顷.

    Examples
    --------
    >>> m2_to_ha(25000.0)
    2.5
    """
    return area_m2 / M2_PER_HA


def mu_to_m2(area_mu: T) -> T:
    """亩 to square metres.

    Examples
    --------
    >>> round(mu_to_m2(2.0), 3)
    1333.333
    """
    return area_mu * M2_PER_MU


def ha_to_m2(area_ha: T) -> T:
    """公顷 to square metres.

    Examples
    --------
    >>> ha_to_m2(1.5)
    15000.0
    """
    return area_ha * M2_PER_HA
