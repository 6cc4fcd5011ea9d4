"""The one loader: read a workspace's layers into canonical frames in one working CRS.

Every command and the demo load through :func:`load`: layers are read side by side,
checked, repaired, normalised to their kind's fields and reprojected (long edges densified)
to the working CRS; what was fixed or doubted is kept as notes, by layer.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError
from ..geo.crs import describe_crs, parse_crs, to_crs_densified, working_crs
from ..geo.hygiene import FAMILIES, repair_geometries
from ..kinds import KINDS, LAND_STATUS_CODES
from ..process import return_freed_memory
from .headers import FieldMatchRecord
from .postgis import DatabaseRead, read_postgis
from .provenance import FileDigest, digests_in_background
from .read import ReadReport, read_source, read_table
from .schema import normalise_fields
from .workspace import LayerSource, RequestSource, Workspace


@dataclass
class LoadedLayer:
    """A layer in canonical form, plus what reading it found and fixed."""

    kind: str
    frame: gpd.GeoDataFrame | pd.DataFrame
    report: ReadReport
    # what was read from PostGIS (server, table, rows, digest), for provenance
    database: DatabaseRead | None = None

    @property
    def geo(self) -> gpd.GeoDataFrame:
        """The frame of a map layer (every kind but the enterprise table)."""
        if not isinstance(self.frame, gpd.GeoDataFrame):
            raise TypeError(f"layer {self.kind!r} is a table, not a map layer")
        return self.frame


def load_vector_layer(
    source: LayerSource | RequestSource,
    kind: str,
    *,
    to_crs: CRS | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    allow_empty: bool = False,
) -> LoadedLayer:
    """Read, check the geometry type, repair, normalise fields and reproject one layer.

    ``allow_empty`` gives an empty frame where ``bbox`` meets no feature (a cluster task
    reading its zone's window), instead of an error.
    """
    spec = KINDS[kind]
    database = getattr(source, "database", None)
    read: DatabaseRead | None = None
    if database is not None:
        gdf, read = read_postgis(database, str(source.path), bbox)
        report = ReadReport(path=str(source.path), driver="PostGIS", crs=describe_crs(gdf.crs),
                            crs_how=f"SRID {read['srid']}", features=len(gdf))
        if len(gdf) == 0 and not allow_empty:
            raise InputError("the table is empty" + (" inside the requested extent"
                                                     if bbox else ""), file=source.path,
                             fix="check the table (or query) holds the layer's features")
    else:
        gdf, report = read_source(source.path, layer=source.layer, crs=source.crs,
                                  encoding=source.encoding, bbox=bbox,
                                  close_rings=getattr(source, "close_rings", False),
                                  allow_empty=allow_empty)
    family = spec.geometry if spec.geometry in FAMILIES else None
    if family:
        require_family(gdf, family, source.path, f"layer kind {kind!r}")
    mapping = getattr(source, "fields", None)
    gdf = normalise_fields(gdf, kind, mapping, source=source.path, notes=report.warnings,
                           matches=report.fields)
    gdf, repair = repair_geometries(gdf, family=family, id_field=spec.id_field)
    report.fixes.extend(repair.lines())
    if len(gdf) == 0 and not allow_empty:
        raise InputError("no usable geometry left after dropping empty features",
                         file=source.path, fix="check the layer's geometries")
    if kind == "parcels" and "status" in gdf.columns:
        unknown = sorted(set(gdf["status"].dropna()) - set(LAND_STATUS_CODES))
        if unknown:
            report.warnings.append(f"unknown land-status codes {unknown[:8]} (domain.md §1.2)")
    if to_crs is not None:
        gdf = to_crs_densified(gdf, to_crs)
    return LoadedLayer(kind, gdf, report, read)


_TYPE_IDS = {"Point": 0, "LineString": 1, "LinearRing": 2, "Polygon": 3, "MultiPoint": 4,
             "MultiLineString": 5, "MultiPolygon": 6, "GeometryCollection": 7}


def require_family(gdf: gpd.GeoDataFrame, family: str, path: object, purpose: str) -> None:
    """Refuse features whose geometry is not of ``family`` (``polygon``, ``line``, ``point``).

    ``purpose`` starts the message, e.g. ``"layer kind 'parcels'"`` or ``"an expansion request"``.
    """
    allowed = FAMILIES[family]
    # Type ids, not geom_type strings: this runs on millions of features.
    ids = shapely.get_type_id(np.asarray(gdf.geometry.values))
    ok_ids = [_TYPE_IDS[name] for name in allowed if name in _TYPE_IDS]
    wrong_mask = (ids >= 0) & ~np.isin(ids, ok_ids)
    if wrong_mask.any():
        i = int(np.flatnonzero(wrong_mask)[0])
        raise InputError(
            f"{purpose} needs {family} geometries but the feature is a "
            f"{gdf.geometry.iloc[i].geom_type} ({int(wrong_mask.sum())} such features)",
            file=path, feature=gdf.index[i],
            fix=f"give a {family} layer (name the right one with layer = … if the file has "
                "several)",
        )


def load_table_layer(source: LayerSource) -> LoadedLayer:
    """Read a table layer (enterprises) and normalise its fields."""
    suffix = source.path.suffix.lower()
    report = ReadReport(path=str(source.path), driver="table")
    if suffix in (".csv", ".xlsx", ".xls", ".xlsm", ".dbf"):
        frame = read_table(source.path, sheet=source.sheet)
    else:
        frame, report = read_source(source.path, layer=source.layer)
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if len(frame) == 0:
        raise InputError("the table is empty", file=source.path, fix="check the export")
    frame = normalise_fields(frame, source.kind, source.fields, source=source.path,
                             notes=report.warnings, matches=report.fields)
    report.features = len(frame)
    return LoadedLayer(source.kind, frame, report)


def choose_working_crs(frames: list[gpd.GeoDataFrame], override: str | None = None) -> CRS:
    """The workspace's working CRS: the override, else from the data's extent (design.md)."""
    if override:
        crs, _ = parse_crs(override)
        if crs.is_geographic:
            raise InputError(f"the working CRS {describe_crs(crs)} is geographic",
                             fix="use a projected CRS in metres, e.g. EPSG:4544")
        return crs
    bounds = np.array([f.to_crs(4490).total_bounds for f in frames if len(f)])
    if not len(bounds):
        return CRS.from_epsg(4544)
    return working_crs(bounds[:, 0].min(), bounds[:, 1].min(),
                       bounds[:, 2].max(), bounds[:, 3].max())


@dataclass
class Loaded:
    """The layers a workflow needs, in one working CRS, and the files they came from."""

    crs: CRS
    frames: dict[str, gpd.GeoDataFrame | pd.DataFrame]
    files: list[Path]
    notes: list[str]
    hashing: Future[list[FileDigest]] | None = None
    dem_path: Path | None = None
    # Per layer: which column each canonical field came from and its unit conversion.
    fields: dict[str, list[FieldMatchRecord]] = field(default_factory=dict)
    # the layers read from PostGIS, by kind: what provenance can truthfully say of them
    databases: dict[str, DatabaseRead] = field(default_factory=dict)
    # each map layer's CRS as read, before reprojection (a cluster task reads its window there)
    source_crs: dict[str, CRS] = field(default_factory=dict)

    def frame(self, kind: str) -> gpd.GeoDataFrame | pd.DataFrame | None:
        """The layer of ``kind``, or None when the workspace has none."""
        return self.frames.get(kind)

    def vector(self, kind: str) -> gpd.GeoDataFrame:
        """The map layer of ``kind`` (the workflow required it, so it is there)."""
        frame = self.frames[kind]
        if not isinstance(frame, gpd.GeoDataFrame):
            raise TypeError(f"layer {kind!r} is a table, not a map layer")
        return frame

    def optional_vector(self, kind: str) -> gpd.GeoDataFrame | None:
        """The map layer of ``kind``, or None when the workspace has none."""
        return self.vector(kind) if kind in self.frames else None

    def table(self, kind: str) -> pd.DataFrame | None:
        """The table of ``kind`` (enterprises), or None when the workspace has none."""
        return self.frames.get(kind)

    def release_geometries(self, kind: str) -> None:
        """Let go of the geometries of ``kind``'s layer; its fields stay, as a table.

        For a workflow whose outputs need a layer's fields but no longer its shapes: the
        plot ratio's write phase draws and writes parcels, not the 3M buildings that
        would hold ~1.5 GB through it. The memory is handed back to the system at once.
        """
        frame = self.frames.get(kind)
        if isinstance(frame, gpd.GeoDataFrame):
            self.frames[kind] = pd.DataFrame(frame.drop(columns=frame.geometry.name))
            del frame
            return_freed_memory()


def load_layers(ws: Workspace, kinds: list[str] | None = None) -> Loaded:
    """Every layer of the workspace (or ``kinds``) in one working CRS: the demo's loader,
    :func:`load` with nothing required. A DEM is checked to exist and its path kept."""
    wanted = tuple(k for k in (kinds or list(ws.layers))
                   if k in ws.layers and KINDS[k].geometry != "raster" and k != "requests")
    loaded = load(ws, (), wanted)
    dem = ws.layers.get("dem")
    if dem is not None and not dem.path.exists():
        raise InputError("file not found", file=dem.path, fix="check the DEM path")
    loaded.dem_path = dem.path if dem else None
    return loaded


def load(ws: Workspace, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Loaded:
    """Read the layers; the working CRS comes from their bounding boxes only (cheap at 1M)."""
    frames: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
    files: list[Path] = [ws.path]
    notes: list[str] = []
    fields: dict[str, list[FieldMatchRecord]] = {}
    # Provenance digests are computed while the layers load (hashlib releases the GIL).
    hashing = digests_in_background([ws.path] + [ws.layers[k].path for k in (
        *required, *optional) if k in ws.layers and ws.layers[k].database is None])
    databases: dict[str, DatabaseRead] = {}
    for kind in required:
        if kind not in ws.layers:
            raise InputError(f"the workspace has no {kind} layer", file=ws.path,
                             fix=f"add [layers.{kind}] with its path")
    kinds = [k for k in (*required, *optional) if k in ws.layers]
    # Layers load side by side: GDAL reads and GEOS validity checks release the GIL, so the
    # buildings' read overlaps the parcels' decoding. Results are taken in order, so notes
    # and the first error do not depend on timing.
    with ThreadPoolExecutor(2, thread_name_prefix="gaoxin-read") as pool:
        pending = [(k, pool.submit(_load_kind, ws.layers[k], k)) for k in kinds]
        for kind, future in pending:
            layer = future.result()
            frames[kind] = layer.frame
            fields[kind] = [m.record() for m in layer.report.fields]
            if layer.database is not None:
                databases[kind] = layer.database
            else:
                files.append(ws.layers[kind].path)
            notes += [f"{kind}: {line}" for line in layer.report.warnings + layer.report.fixes]
    source_crs = {k: CRS.from_user_input(f.crs) for k, f in frames.items()
                  if isinstance(f, gpd.GeoDataFrame) and f.crs is not None}
    # A named working CRS needs no extents (a pass over 4M geometries: 0.5 s at 1M parcels).
    boxes = [] if ws.crs else [
        gpd.GeoDataFrame(geometry=[shapely.box(*f.total_bounds)], crs=f.crs)
        for f in frames.values() if isinstance(f, gpd.GeoDataFrame) and len(f)]
    crs = choose_working_crs(boxes, ws.crs)
    for kind, f in frames.items():
        if isinstance(f, gpd.GeoDataFrame) and not CRS.from_user_input(f.crs).equals(crs):
            frames[kind] = to_crs_densified(f, crs)
    # Reading leaves the heap holed by decoded batches and replaced columns (~0.3 GB at 1M
    # parcels and 3M buildings): handed back before the analysis allocates its arrays.
    return_freed_memory()
    return Loaded(crs, frames, files, notes, hashing, fields=fields, databases=databases,
                  source_crs=source_crs)


def _load_kind(source: LayerSource, kind: str) -> LoadedLayer:
    """The enterprises are a table (no geometry needed); every other kind is a vector layer."""
    return load_table_layer(source) if kind == "enterprises" else load_vector_layer(source, kind)
