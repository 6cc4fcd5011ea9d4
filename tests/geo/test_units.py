"""geo/units.py: 亩, 公顷 and m², for scalars, arrays and columns alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaoxin.geo.units import (
    M2_PER_HA,
    M2_PER_KM2,
    M2_PER_MU,
    ha_to_m2,
    m2_to_ha,
    m2_to_mu,
    mu_to_m2,
)


def test_the_units_of_land_administration() -> None:
    # 1 公顷 = 15 亩 and 1 km² = 1500 亩 (domain.md §7.1).
    assert pytest.approx(15.0, abs=1e-12) == M2_PER_HA / M2_PER_MU
    assert pytest.approx(1500.0, abs=1e-9) == M2_PER_KM2 / M2_PER_MU
    assert m2_to_mu(2000.0) == pytest.approx(3.0, abs=1e-12)  # 1 亩 = 666.67 m²
    assert m2_to_ha(7500.0) == 0.75


def test_arrays_and_columns_convert_element_by_element() -> None:
    m2 = np.array([0.0, 10_000.0, 1_000_000.0])
    np.testing.assert_allclose(m2_to_mu(m2), [0.0, 15.0, 1500.0], atol=1e-9)
    column = pd.Series([20_000.0, 5_000.0], index=["P1", "P2"])
    hectares = m2_to_ha(column)
    assert isinstance(hectares, pd.Series) and hectares.to_dict() == {"P1": 2.0, "P2": 0.5}


def test_conversions_are_inverse_pairs() -> None:
    areas = np.array([1.0, 666.0, 1e7])
    np.testing.assert_allclose(mu_to_m2(m2_to_mu(areas)), areas, rtol=1e-15)
    np.testing.assert_allclose(ha_to_m2(m2_to_ha(areas)), areas, rtol=1e-15)
    assert mu_to_m2(15.0) == pytest.approx(ha_to_m2(1.0), abs=1e-9)
