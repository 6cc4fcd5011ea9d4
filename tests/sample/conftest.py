"""The sample workspace, written once per session for every test module of gaoxin.sample."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gaoxin import sample
from gaoxin.layers.schema import normalise_fields
from tests.sample.helpers import read_all


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample.write_sample_workspace(tmp_path_factory.mktemp("sample") / "ws")


@pytest.fixture(scope="session")
def layers(workspace: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    return read_all(workspace.parent)


@pytest.fixture(scope="session")
def parcels(layers: dict) -> gpd.GeoDataFrame:
    return normalise_fields(layers["parcels"], "parcels")
