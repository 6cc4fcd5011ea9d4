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
from ..report.labels import column, label

# The columns a 界址点 TXT names its parcels by (地块编号, 地块名称 of each parcel header).
TXT_KEY, TXT_NAME = "parcel_id", "name"


@dataclass
class AreaRun:
    """The table (one row per feature, keyed by ``key``), the source CRS and the notes.

    ``from_txt`` says the file was a 界址点 TXT: the key is then each parcel's 地块编号 and
    a ``name`` column its 地块名称.
    """

    table: pd.DataFrame
    key: str
    source_crs: str
    notes: list[str] = field(default_factory=list)
    from_txt: bool = False
    crs: CRS | None = None


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
    from_txt = "txt_header" in gdf.attrs and by is None
    if from_txt:
        gdf = gdf.assign(**{TXT_KEY: txt_parcel_numbers(gdf[TXT_KEY])})
        by = TXT_KEY
    gdf, repair = repair_geometries(gdf, family="polygon", id_field=by)
    notes = report.warnings + repair.lines()
    require_geometry(gdf, file, notes)
    table = feature_areas(gdf, by=by, planar=planar)
    if from_txt:
        table.insert(1, TXT_NAME, gdf[TXT_NAME].to_numpy())
    data_crs = CRS.from_user_input(gdf.crs) if gdf.crs is not None else None
    return AreaRun(table, by or "index", report.crs, notes, from_txt=from_txt, crs=data_crs)


def txt_parcel_numbers(numbers: pd.Series) -> pd.Series:
    """The 地块编号 of each TXT parcel; a parcel whose header leaves it blank is named by
    its place in the file (1, 2 …), so every row can be told apart.

    Examples
    --------
    >>> txt_parcel_numbers(pd.Series(["KQ-1", "", "KQ-3"])).tolist()
    ['KQ-1', '2', 'KQ-3']
    """
    blank = numbers.fillna("").astype(str).str.strip() == ""
    order = pd.Series(np.arange(1, len(numbers) + 1).astype(str), index=numbers.index)
    return numbers.where(~blank, order)


def require_geometry(gdf: gpd.GeoDataFrame, file: Path, notes: list[str]) -> None:
    """Refuse a layer left with no feature, saying in the one message what was dropped."""
    if len(gdf) == 0:
        why = f" ({'; '.join(notes)})" if notes else ""
        raise InputError(f"no feature has a usable geometry{why}", file=file,
                         fix="check the layer's geometries in a GIS")


def area_headers(table: pd.DataFrame, key: str, lang: str, *, from_txt: bool = False
                 ) -> dict[str, str]:
    """The header of each column of an area table in ``lang``, with units: 面积(亩).

    The key keeps a field name the user gave (``--by``); the row number, and a TXT's
    地块编号 and 地块名称, are named in ``lang``.

    Examples
    --------
    >>> t = pd.DataFrame(columns=["index", "area_m2", "area_mu"])
    >>> area_headers(t, "index", "zh")
    {'index': '序号', 'area_m2': '面积(m²)', 'area_mu': '面积(亩)'}
    """
    names = {c: column(c, lang) for c in table.columns if c != key}
    if from_txt:
        names[key], names[TXT_NAME] = (label("cli.txt_parcel_id", lang),
                                       label("cli.txt_parcel_name", lang))
    elif key == "index":
        names[key] = label("cli.index", lang)
    return {c: names.get(c, c) for c in table.columns}


def write_area_table(table: pd.DataFrame, target: Path, *, key: str = "index",
                     lang: str = "zh", from_txt: bool = False) -> Path:
    """The table as .csv (UTF-8) or .xlsx, headed in ``lang`` with units."""
    labelled = table.rename(columns=area_headers(table, key, lang, from_txt=from_txt))
    if target.suffix.lower() == ".csv":
        return write_text(target, labelled.to_csv(index=False))
    return write_excel(target, {label("sheet.areas", lang): labelled})
