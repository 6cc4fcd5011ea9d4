"""``gaoxin convert``: between formats and CRSs, 界址点坐标 TXT, GCJ-02 and BD-09 included."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
from pyproj import CRS

from ..errors import InputError
from ..geo.crs import parse_crs
from ..geo.offsets import convert_geometries
from ..layers.read import TXT_SUFFIXES, read_source
from ..layers.write import write_vector
from ..report.labels import label


@dataclass
class ConvertRun:
    """What was written: the frame (in the CRS it had before writing), the file, the CRS
    of the coordinates in that file (a 界址点 TXT is always Gauss-Krüger with zone prefix)
    and the notes."""

    frame: gpd.GeoDataFrame
    target: Path
    notes: list[str] = field(default_factory=list)
    crs: CRS | None = None


def to_output_crs(gdf: gpd.GeoDataFrame, spec: str, lang: str = "zh"
                  ) -> tuple[gpd.GeoDataFrame, str | None]:
    """Reproject to ``spec``; for ``gcj02``/``bd09`` shift the coordinates and say so.

    Examples
    --------
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(104.06, 30.67)], crs=4490)
    >>> moved, note = to_output_crs(g, "gcj02", "en")
    >>> bool(moved.geometry.x.iloc[0] != 104.06), note.startswith("coordinates are GCJ02")
    (True, True)
    """
    crs, offset = parse_crs(spec)
    if offset is None:
        return gdf.to_crs(crs), None
    geo = gdf.to_crs(4490)
    moved = convert_geometries(np.asarray(geo.geometry.values), "wgs84", offset)
    # AMap/Baidu data is distributed tagged as EPSG:4326 although offset; do the same.
    result = geo.set_geometry(gpd.GeoSeries(moved, index=geo.index, crs=4326))
    return result, label("cli.gcj02_output", lang).format(offset=offset.upper(),
                                                           tag="EPSG:4326")


def written_crs(gdf: gpd.GeoDataFrame, dst: Path) -> CRS | None:
    """The CRS of the coordinates ``write_vector`` puts in ``dst``: the frame's own, but a
    界址点 TXT is written in CGCS2000 3° Gauss-Krüger with zone prefix."""
    if dst.suffix.lower() in TXT_SUFFIXES:
        from ..layers.boundary_txt import boundary_txt_crs

        return boundary_txt_crs(gdf)
    return CRS.from_user_input(gdf.crs) if gdf.crs is not None else None


def run_convert(src: Path, dst: Path, *, crs: str | None = None,
                to_crs: str | None = None, layer: str | None = None,
                out_layer: str | None = None, encoding: str | None = None,
                out_encoding: str | None = None, close_rings: bool = False,
                lang: str = "zh") -> ConvertRun:
    """Read ``src`` (its CRS declared by ``crs`` when it has none) and write it to ``dst``
    (format from the suffix), never over the input."""
    if dst.resolve() == src.resolve():
        raise InputError("the output would overwrite the input", file=dst,
                         fix="choose another output path (inputs are never modified)")
    gdf, report = read_source(src, layer=layer, crs=crs, encoding=encoding,
                              close_rings=close_rings)
    notes = report.warnings + report.fixes
    if to_crs is not None:
        gdf, note = to_output_crs(gdf, to_crs, lang)
        notes += [note] if note else []
    write_vector(gdf, dst, layer=out_layer, encoding=out_encoding)
    return ConvertRun(gdf, dst, notes, written_crs(gdf, dst))
