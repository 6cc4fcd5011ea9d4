"""``gaoxin area``: the ellipsoidal area of each feature of any file, in m², 公顷 and 亩."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from ..errors import InputError
from ..geo.area import area_table, ellipsoidal_area
from ..geo.crs import gk3_crs, gk3_zone, to_crs_densified
from ..geo.hygiene import repair_geometries
from ..layers.load import require_family
from ..layers.read import read_source
from ..layers.write import write_text
from ..report.excel import write_excel

# Workbook headers of the area table (the terminal and JSON keep the canonical keys).
AREA_HEADERS = {"area_m2": "面积(m²)", "area_ha": "面积(公顷)", "area_mu": "面积(亩)",
                "planar_area_m2": "高斯平面面积(m²)"}


@dataclass
class AreaRun:
    """The table (one row per feature, keyed by ``key``), the source CRS and the notes."""

    table: pd.DataFrame
    key: str
    source_crs: str
    notes: list[str] = field(default_factory=list)


def feature_areas(gdf: gpd.GeoDataFrame, *, by: str | None = None, planar: bool = False
                  ) -> pd.DataFrame:
    """Area of each feature: ellipsoidal m², 公顷 and 亩, keyed by ``by`` (else the index).

    With ``planar`` a ``planar_area_m2`` column gives the Gauss-Krüger plane area, as a 界址点
    TXT header states it (the data's own GK zone when the file is in lon/lat).

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"pid": ["P1"]}, geometry=[box(500000, 3400000, 500100, 3400100)],
    ...                      crs=4544)
    >>> feature_areas(g, by="pid").round(2).to_dict("records")
    [{'pid': 'P1', 'area_m2': 10000.0, 'area_ha': 1.0, 'area_mu': 15.0}]
    """
    table = area_table(gdf.geometry)
    if planar:
        table.insert(0, "planar_area_m2", planar_area(gdf))
    table.insert(0, by or "index", gdf[by].to_numpy() if by else gdf.index.to_numpy())
    return table


def planar_area(gdf: gpd.GeoDataFrame) -> pd.Series:
    """The Gauss-Krüger plane area of each feature (labelled as such wherever it is shown)."""
    crs = CRS.from_user_input(gdf.crs)
    if crs.is_geographic:
        lon = float(np.mean(gdf.to_crs(4490).total_bounds[[0, 2]]))
        return ellipsoidal_area(to_crs_densified(gdf.geometry, gk3_crs(gk3_zone(lon))), "planar")
    return ellipsoidal_area(gdf.geometry, "planar")


def run_area(file: Path, *, by: str | None = None, crs: str | None = None,
             layer: str | None = None, encoding: str | None = None, planar: bool = False,
             close_rings: bool = False) -> AreaRun:
    """Read ``file``, repair what can be repaired, and measure every feature."""
    gdf, report = read_source(file, layer=layer, crs=crs, encoding=encoding,
                              close_rings=close_rings)
    require_family(gdf, "polygon", file, "area")
    if by is not None and by not in gdf.columns:
        raise InputError(f"field {by!r} not found; fields: "
                         f"{', '.join(c for c in gdf.columns if c != gdf.geometry.name)}",
                         file=file, fix="give --by one of these fields")
    gdf, repair = repair_geometries(gdf, family="polygon", id_field=by)
    notes = report.warnings + repair.lines()
    require_geometry(gdf, file, notes)
    return AreaRun(feature_areas(gdf, by=by, planar=planar), by or "index", report.crs, notes)


def require_geometry(gdf: gpd.GeoDataFrame, file: Path, notes: list[str]) -> None:
    """Refuse a layer left with no feature, saying in the one message what was dropped."""
    if len(gdf) == 0:
        why = f" ({'; '.join(notes)})" if notes else ""
        raise InputError(f"no feature has a usable geometry{why}", file=file,
                         fix="check the layer's geometries in a GIS")


def write_area_table(table: pd.DataFrame, target: Path) -> Path:
    """The table as .csv (UTF-8) or .xlsx, headers in Chinese with units."""
    labelled = table.rename(columns=AREA_HEADERS)
    if target.suffix.lower() == ".csv":
        return write_text(target, labelled.to_csv(index=False))
    return write_excel(target, {"面积": labelled})
