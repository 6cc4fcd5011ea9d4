"""The sample workspace read back from disk, shared by the tests of gaoxin.sample."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

LAYERS = ("redlines", "farmland", "dev_boundary", "roads")


def read_all(root: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Every layer of the sample workspace at ``root``, as written (no normalisation)."""
    out: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {
        "zones": gpd.read_file(root / "zones.gpkg", layer="zones"),
        "parks": gpd.read_file(root / "parks" / "parks.shp", encoding="GBK"),
        "parcels": gpd.read_file(root / "parcels.gpkg"),
        "buildings": gpd.read_file(root / "buildings.gpkg"),
        "enterprises": pd.read_excel(root / "enterprises.xlsx", dtype=str),
        "request_clean": gpd.read_file(root / "requests" / "request_clean.geojson"),
    }
    for layer in LAYERS:
        out[layer] = gpd.read_file(root / "constraints.gpkg", layer=layer)
    out["assessments"] = gpd.read_file(root / "assessments.gpkg", layer="assessments")
    return out
