"""Small layers for the map tests: 100 m parcels (one with markup in its name) and a zone;
and a small sample workspace for the analysis maps."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely import box

from tests.helpers import shared_sample

XSS = '<img src=x onerror="window.__xss=1">'


def parcels(n: int = 12) -> gpd.GeoDataFrame:
    """Parcels of 100 m in EPSG:4544 (CGCS2000 GK 105°E) near Chengdu."""
    x0, y0 = 404_000.0, 3_391_000.0
    geoms = [box(x0 + 110 * (i % 4), y0 + 110 * (i // 4), x0 + 110 * (i % 4) + 100,
                 y0 + 110 * (i // 4) + 100) for i in range(n)]
    return gpd.GeoDataFrame({
        "parcel_id": [f"P{i:03d}" for i in range(n)],
        "land_use": ["M1", "M2", "R2"] * (n // 3),
        "name": [XSS, *[f"一号地{i}" for i in range(1, n)]],
        "far": np.linspace(0.4, 2.0, n),
        "owner": ["机密业主"] * n,
    }, geometry=geoms, crs=4544)


def zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["成都高新区"]},
                            geometry=[box(403_900, 3_390_900, 404_600, 3_391_500)], crs=4544)


def small_sample(factory: pytest.TempPathFactory) -> Path:
    """The sample workspace with one parcel in eight (and the buildings on them).

    Its maps have the demo's layers, names and legends; its analyses take a second, not
    several. Written once per session beside the full sample.
    """
    import shutil

    root = factory.getbasetemp() / "small_sample_ws"
    toml = root / "gaoxin.toml"
    if toml.exists():
        return toml
    shutil.copytree(shared_sample(factory).parent, root)
    parcels = gpd.read_file(root / "parcels.gpkg").iloc[::8]
    buildings = gpd.read_file(root / "buildings.gpkg")
    on_kept = gpd.sjoin(buildings.set_geometry(buildings.geometry.representative_point()),
                        parcels[["geometry"]], predicate="within").index.unique()
    parcels.to_file(root / "parcels.gpkg", layer="parcels")
    buildings.loc[on_kept].to_file(root / "buildings.gpkg", layer="buildings")
    return toml
