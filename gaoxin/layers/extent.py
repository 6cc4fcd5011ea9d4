"""Read only what lies near an area of interest: province-scale layers, DEM windows.

Constraint layers cover a whole province; an expansion request is a few km². GeoPackage and
FileGDB answer a bbox query from their spatial index, so we transform the area's bounds to
each source's CRS and let GDAL filter, then clip exactly to the bounds in the working CRS.
"""

from __future__ import annotations

import numpy as np
import pyogrio
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.windows import Window, from_bounds

from ..errors import InputError
from ..geo.crs import parse_crs
from ..geo.raster import Raster
from .load import LoadedLayer, load_vector_layer
from .read import _gdal_path
from .workspace import LayerSource, RequestSource

Bounds = tuple[float, float, float, float]


def transform_bounds(bounds: Bounds, src: CRS, dst: CRS) -> Bounds:
    """Bounds of a box after reprojection (edges densified, so curved edges are covered).

    Examples
    --------
    >>> b = transform_bounds((400000, 3390000, 401000, 3391000), CRS.from_epsg(4544),
    ...                      CRS.from_epsg(4490))
    >>> [round(v, 3) for v in b]
    [103.957, 30.626, 103.967, 30.635]
    """
    if src.equals(dst):
        return bounds
    t = Transformer.from_crs(src, dst, always_xy=True)
    xmin, ymin, xmax, ymax = t.transform_bounds(*bounds, densify_pts=21)
    return xmin, ymin, xmax, ymax


def _source_crs(source: LayerSource | RequestSource) -> tuple[CRS | None, str | None]:
    if source.crs:
        crs, offset = parse_crs(source.crs)
        return crs, offset
    suffix = source.path.suffix.lower()
    if suffix in (".txt", ".csv", ".xlsx", ".xls", ".parquet", ".geoparquet"):
        return None, None
    try:
        info = pyogrio.read_info(_gdal_path(source.path), layer=source.layer)
    except Exception:
        return None, None  # read_source will give the proper error
    return (CRS.from_user_input(info["crs"]) if info.get("crs") else None), None


def load_within(source: LayerSource, kind: str, bounds: Bounds, crs: CRS,
                pad: float = 0.0) -> LoadedLayer:
    """Load a layer's features that intersect ``bounds`` (in ``crs``, padded by ``pad`` m).

    The result is in ``crs`` and clipped to no feature outside the padded bounds (features
    are kept whole). Sources without a spatial index are read whole and then filtered.
    """
    box = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
    src_crs, offset = _source_crs(source)
    bbox = None
    if src_crs is not None:
        bbox = transform_bounds(box, crs, src_crs)
        if offset:  # offset coordinates sit up to ~1 km from the true ones
            bbox = (bbox[0] - 0.02, bbox[1] - 0.02, bbox[2] + 0.02, bbox[3] + 0.02)
    try:
        loaded = load_vector_layer(source, kind, to_crs=crs, bbox=bbox)
    except InputError as exc:
        if "empty" in exc.problem and bbox is not None:
            loaded = _empty_layer(source, kind, crs)
        else:
            raise
    frame = loaded.frame
    hits = shapely.intersects(np.asarray(frame.geometry.values), shapely.box(*box))
    loaded.frame = frame.loc[hits]
    loaded.report.features = int(hits.sum())
    return loaded


def _empty_layer(source: LayerSource, kind: str, crs: CRS) -> LoadedLayer:
    import geopandas as gpd

    from .read import ReadReport

    frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs))
    return LoadedLayer(kind, frame, ReadReport(path=str(source.path), features=0))


def read_raster_window(path: str, bounds: Bounds, crs: CRS, pad_cells: int = 3) -> Raster:
    """Read the part of a DEM covering ``bounds`` (in ``crs``) plus a margin of cells.

    Nodata becomes NaN. A window outside the raster gives an empty (0 × 0) array.
    """
    try:
        src = rasterio.open(path)
    except Exception as exc:
        raise InputError(f"cannot be read as a raster ({str(exc)[:160]})", file=path,
                         fix="use a GeoTIFF") from None
    with src:
        if src.crs is None:
            raise InputError("the raster has no CRS", file=path,
                             fix="assign one, e.g. gdal_edit.py -a_srs EPSG:4544")
        dem_crs = CRS.from_user_input(src.crs)
        b = transform_bounds(bounds, crs, dem_crs)
        win = from_bounds(*b, transform=src.transform)
        col0 = max(int(np.floor(win.col_off)) - pad_cells, 0)
        row0 = max(int(np.floor(win.row_off)) - pad_cells, 0)
        col1 = min(int(np.ceil(win.col_off + win.width)) + pad_cells, src.width)
        row1 = min(int(np.ceil(win.row_off + win.height)) + pad_cells, src.height)
        if col1 <= col0 or row1 <= row0:
            return Raster(np.zeros((0, 0)), src.transform, dem_crs)
        window = Window(col0, row0, col1 - col0, row1 - row0)
        data = src.read(1, window=window, masked=True).astype(float)
        values = np.ma.filled(data, np.nan)
        return Raster(values, src.window_transform(window), dem_crs)
