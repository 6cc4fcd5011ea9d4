"""Per-zone analyses on a Dask cluster: one task per zone, the same kernel inside.

``--cluster local:N`` starts a LocalCluster of N worker processes for the run;
``--cluster tcp://host:port`` uses a running scheduler. Each zone's parcels go to one task
with a :class:`Window` on every other layer: the task reads the features whose boxes meet
its zone's parcels, either from the source itself (:class:`SourceWindow`: GeoPackage or
GeoParquet read with ``bbox=``, PostGIS with ``&&`` on the GiST index) or from a slice the
client cut of a frame it holds (:class:`FrameSlice`). Layers a kernel measures the *nearest*
feature of (roads) are read in widening windows until every parcel's nearest lies inside
(:func:`read_nearest`). The per-parcel results come back in the parcels' order, so the
tables written are the in-process run's, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..analysis import standard_land as sl
from ..analysis.ruleset import RuleSet
from ..errors import InputError
from ..layers.extent import read_raster_window
from ..layers.load import load_vector_layer
from ..layers.workspace import LayerSource

if TYPE_CHECKING:
    from distributed import Client
    from pyproj import CRS

Bounds = tuple[float, float, float, float]
# A window wider than this holds every feature of any layer in a projected CRS of China.
_WHOLE_LAYER_M = 1.0e7

_LOCAL = re.compile(r"^local:(\d{1,3})$")
_REMOTE = re.compile(r"^tcp://[^\s/:]+:\d{1,5}$")
_CLUSTER_FIX = "write --cluster local:N (N worker processes here) or --cluster tcp://HOST:PORT"


def check_cluster(spec: str) -> str:
    """``spec`` when it names a local cluster or a scheduler, else an :class:`InputError`.

    Examples
    --------
    >>> check_cluster("local:2"), check_cluster("tcp://10.0.0.5:8786")
    ('local:2', 'tcp://10.0.0.5:8786')
    >>> check_cluster("local:0")
    Traceback (most recent call last):
    ...
    gaoxin.errors.InputError: --cluster: 'local:0' names no cluster. Fix: write --cluster \
local:N (N worker processes here) or --cluster tcp://HOST:PORT
    """
    local = _LOCAL.match(spec)
    if (local and int(local.group(1)) > 0) or _REMOTE.match(spec):
        return spec
    raise InputError(f"{spec!r} names no cluster", file="--cluster", fix=_CLUSTER_FIX)


@contextmanager
def cluster_client(spec: str) -> Iterator[Client]:
    """A Dask client for ``spec``; a local cluster lives as long as the block."""
    from distributed import Client, LocalCluster

    spec = check_cluster(spec)
    local = _LOCAL.match(spec)
    if local:
        # one thread per worker: the kernels are GEOS and NumPy, parallel across processes
        with LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=int(local.group(1)), threads_per_worker=1, processes=True,
                dashboard_address=None) as cluster, \
                Client(cluster) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    try:
        client = Client(spec, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise InputError(f"cannot reach the Dask scheduler ({exc})", file="--cluster",
                         fix="start one with 'dask scheduler' and workers with 'dask worker "
                             "tcp://HOST:PORT', or use --cluster local:N") from None
    with client:
        yield client


def zone_slices(parcels: gpd.GeoDataFrame, others: list[gpd.GeoDataFrame]
                ) -> Iterator[tuple[np.ndarray[Any, np.dtype[np.intp]], list[gpd.GeoDataFrame]]]:
    """Per zone: the positions of its parcels, and each other layer's features around them.

    Parcels without a zone form one more slice. Rows keep their order in every slice.

    Examples
    --------
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"zone_id": ["A", "B", "A"]},
    ...     geometry=[box(0, 0, 1, 1), box(10, 0, 11, 1), box(2, 0, 3, 1)])
    >>> b = gpd.GeoDataFrame(geometry=[box(0.2, 0.2, 0.5, 0.5), box(10.2, 0.2, 10.5, 0.5)])
    >>> [(pos.tolist(), len(o[0])) for pos, o in zone_slices(p, [b])]
    [([0, 2], 1), ([1], 1)]
    """
    zone = (parcels["zone_id"].astype(object).where(parcels["zone_id"].notna(), None)
            if "zone_id" in parcels.columns else pd.Series(None, index=parcels.index))
    codes, _ = pd.factorize(zone, use_na_sentinel=True)
    for code in sorted(set(codes.tolist())):
        positions = np.flatnonzero(codes == code)
        bounds = shapely.total_bounds(np.asarray(parcels.geometry.values)[positions])
        window = shapely.box(*bounds)
        slices = [other.iloc[np.sort(other.sindex.query(window))] for other in others]
        yield positions, slices


def per_zone(client: Client, kernel: Callable[..., Any], parcels: gpd.GeoDataFrame,
             others: list[gpd.GeoDataFrame | SourceWindow], *args: object) -> Any:
    """``kernel(parcels, *others, *args)`` run as one task per zone, results in parcel order.

    Each of ``others`` is a frame the client holds (each task gets the slice around its
    zone) or a :class:`SourceWindow` the task reads around its zone itself. The kernel must
    give each parcel a row (a frame's or a series') computed from that parcel and the
    features that meet it only (as the plot-ratio kernel does), so the slices change nothing.
    """
    tasks, positions = [], []
    for pos, _ in zone_slices(parcels, []):
        part = parcels.iloc[pos]
        bounds: Bounds = tuple(float(v) for v in part.total_bounds)  # type: ignore[assignment]
        windows = [o if isinstance(o, SourceWindow) else FrameSlice(within(o, bounds))
                   for o in others]
        positions.append(pos)
        tasks.append(client.submit(_zone_task, kernel, part, windows, *args, pure=False))
    parts: list[Any] = client.gather(tasks)  # type: ignore[no-untyped-call]
    if not parts:  # no parcels: nothing around them either
        return kernel(parcels, *[gpd.GeoDataFrame(geometry=[], crs=parcels.crs)
                                 if isinstance(o, SourceWindow) else o for o in others], *args)
    order = np.argsort(np.concatenate(positions), kind="stable")
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)[order]
    return pd.concat(parts).iloc[order]


def _zone_task(kernel: Callable[..., Any], parcels: gpd.GeoDataFrame, windows: list[Window],
               *args: object) -> Any:
    """One zone's task: each layer's window around the zone's parcels, then the kernel."""
    bounds: Bounds = tuple(float(v) for v in parcels.total_bounds)  # type: ignore[assignment]
    return kernel(parcels, *(w.read(bounds)[0] for w in windows), *args)


def within(frame: gpd.GeoDataFrame, bounds: Bounds) -> gpd.GeoDataFrame:
    """The features of ``frame`` whose boxes meet ``bounds``, in their order."""
    return frame.iloc[np.sort(frame.sindex.query(shapely.box(*bounds)))]


class Window(Protocol):
    """One layer as a task sees it: the features around a box."""

    def read(self, bounds: Bounds) -> tuple[gpd.GeoDataFrame, int]:
        """The features whose boxes meet ``bounds`` (working CRS), and the rows read."""
        ...


@dataclass(frozen=True)
class FrameSlice:
    """Features the client holds, cut to what the task may ask for and shipped with it."""

    frame: gpd.GeoDataFrame

    def read(self, bounds: Bounds) -> tuple[gpd.GeoDataFrame, int]:
        """The shipped features whose boxes meet ``bounds``."""
        part = within(self.frame, bounds)
        return part, len(part)


@dataclass(frozen=True)
class SourceWindow:
    """A workspace layer the task reads itself by bounding box: from a GeoPackage or
    GeoParquet (``bbox=``) or a PostGIS table (``&&``, the GiST index). Only the source's
    description travels with the task, never its features."""

    source: LayerSource
    kind: str
    source_crs: str
    working_crs: str

    def read(self, bounds: Bounds) -> tuple[gpd.GeoDataFrame, int]:
        """Read the features whose boxes meet ``bounds`` (working CRS) and the rows read."""
        from pyproj import CRS
        from pyproj.transformer import Transformer

        source, working = CRS.from_user_input(self.source_crs), CRS.from_user_input(
            self.working_crs)
        box = bounds
        if not source.equals(working):
            box = Transformer.from_crs(working, source, always_xy=True).transform_bounds(
                *bounds, densify_pts=21)
        layer = load_vector_layer(self.source, self.kind, bbox=box, allow_empty=True,
                                  to_crs=None if source.equals(working) else working)
        # The source's box test is its own (in its CRS; PostGIS boxes are single precision):
        # the same test as a client-side slice keeps the two alike.
        return within(layer.geo, bounds), len(layer.frame)


def source_windows(ws_layers: dict[str, LayerSource], kinds: tuple[str, ...],
                   source_crs: dict[str, CRS], working_crs: CRS) -> dict[str, SourceWindow]:
    """A :class:`SourceWindow` for each of ``kinds`` whose source a task can read by bbox."""
    return {k: SourceWindow(ws_layers[k], k, source_crs[k].to_wkt(), working_crs.to_wkt())
            for k in kinds if k in ws_layers and k in source_crs
            and _reads_by_bbox(ws_layers[k])}


def _reads_by_bbox(source: LayerSource) -> bool:
    """Whether a task can read ``source`` by bbox: PostGIS, GeoPackage (its R-tree), and
    GeoParquet written with a bbox covering column (``write_covering_bbox=True``)."""
    import json

    from ..layers.read import PARQUET_SUFFIXES

    suffix = source.path.suffix.lower()
    if source.database is not None or suffix == ".gpkg":
        return True
    if suffix not in PARQUET_SUFFIXES:
        return False
    import pyarrow.parquet as pq

    try:
        geo = json.loads((pq.read_schema(source.path).metadata or {})[b"geo"])
        return bool(geo["columns"][geo["primary_column"]].get("covering"))
    except (OSError, KeyError, ValueError, TypeError):
        return False


def read_nearest(window: Window, bounds: Bounds, geoms: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """The features of ``window`` that hold each geometry's nearest one.

    Read around ``bounds`` (which hold ``geoms``), widened until every geometry's nearest
    feature is no farther than the widening: a feature outside the window read has its box
    farther than that from every geometry, so it cannot be nearer.
    """
    x0, y0, x1, y1 = bounds
    reach = max(x1 - x0, y1 - y0, 1.0)
    while True:
        part, _ = window.read((x0 - reach, y0 - reach, x1 + reach, y1 + reach))
        if len(part) and (len(geoms) == 0
                          or float(sl.road_distance(geoms, part).max()) <= reach):
            return part
        if reach > _WHOLE_LAYER_M:
            return part
        reach *= 4.0


def nearest_slice(frame: gpd.GeoDataFrame, bounds: Bounds) -> FrameSlice:
    """The client's cut of ``frame`` that holds the nearest feature of every point in
    ``bounds``: those within the box's distance to its nearest feature plus its diagonal."""
    if len(frame) == 0:
        return FrameSlice(frame)
    _, dist = frame.sindex.nearest(shapely.box(*bounds), return_all=False,
                                   return_distance=True)
    x0, y0, x1, y1 = bounds
    r = float(dist[0]) + float(np.hypot(x1 - x0, y1 - y0))
    return FrameSlice(within(frame, (x0 - r, y0 - r, x1 + r, y1 + r)))


_NEAREST = ("roads", "road_parcels")
_OVERLAID = ("redlines", "farmland", "dev_boundary", "assessments")


def standard_land_zone(candidates: gpd.GeoDataFrame, windows: dict[str, Window],
                       dem: tuple[str, str] | None, rules: RuleSet) -> pd.DataFrame:
    """:func:`~gaoxin.analysis.standard_land.evaluate` of one zone's candidates, reading
    each layer's window and the DEM (path, working CRS as WKT) around them."""
    from pyproj import CRS

    bounds: Bounds = tuple(float(v) for v in candidates.total_bounds)  # type: ignore[assignment]
    frames = {k: (read_nearest(w, bounds, candidates.geometry) if k in _NEAREST
                  else w.read(bounds)[0]) for k, w in windows.items()}
    raster = (read_raster_window(dem[0], bounds, CRS.from_wkt(dem[1]))
              if dem is not None and len(candidates) else None)
    return sl.evaluate(candidates, sl.Layers(dem=raster, **frames), rules)


def standard_land_per_zone(client: Client, candidates: gpd.GeoDataFrame, layers: sl.Layers,
                           rules: RuleSet, sources: dict[str, SourceWindow],
                           dem: tuple[str, str] | None) -> pd.DataFrame:
    """:func:`standard_land_zone` as one task per zone, gathered in the candidates' order.

    Layers in ``sources`` are read by the tasks; the others are cut from ``layers``.
    """
    tasks, positions = [], []
    for pos, _ in zone_slices(candidates, []):
        part = candidates.iloc[pos]
        bounds: Bounds = tuple(float(v) for v in part.total_bounds)  # type: ignore[assignment]
        windows: dict[str, Window] = {}
        for kind in (*_OVERLAID, *_NEAREST):
            frame = getattr(layers, kind)
            if kind in sources:
                windows[kind] = sources[kind]
            elif frame is not None:
                windows[kind] = (nearest_slice(frame, bounds) if kind in _NEAREST
                                 else FrameSlice(within(frame, bounds)))
        positions.append(pos)
        tasks.append(client.submit(standard_land_zone, part, windows, dem, rules, pure=False))
    parts: list[pd.DataFrame] = client.gather(tasks)  # type: ignore[no-untyped-call]
    if not parts:
        return sl.evaluate(candidates, layers, rules)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pd.concat(parts).iloc[order]


def dem_source(path: Path | None, crs: CRS) -> tuple[str, str] | None:
    """What a task needs to read its window of the DEM: the path and the working CRS."""
    return None if path is None else (str(path), crs.to_wkt())
