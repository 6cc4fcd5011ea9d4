"""Per-zone analyses on a Dask cluster: one task per zone, the same kernel inside.

``--cluster local:N`` starts a LocalCluster of N worker processes for the run;
``--cluster tcp://host:port`` uses a running scheduler. Each zone's parcels, and the features
of the other layers whose boxes meet the zone's parcels (read by bounding box through the
spatial index), go to one task; the per-parcel results come back in the parcels' order, so the
tables written are the in-process run's, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError

if TYPE_CHECKING:
    from distributed import Client

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


def per_zone(client: Client, kernel: Callable[..., pd.DataFrame], parcels: gpd.GeoDataFrame,
             others: list[gpd.GeoDataFrame], *args: object) -> pd.DataFrame:
    """``kernel(parcels, *others, *args)`` run as one task per zone, results in parcel order.

    The kernel must give each parcel a row computed from that parcel and the features that
    meet it only (as the plot-ratio kernel does), so the slices change nothing.
    """
    tasks, positions = [], []
    for pos, slices in zone_slices(parcels, others):
        positions.append(pos)
        tasks.append(client.submit(kernel, parcels.iloc[pos], *slices, *args, pure=False))
    parts: list[pd.DataFrame] = client.gather(tasks)  # type: ignore[no-untyped-call]
    if not parts:
        return kernel(parcels, *others, *args)
    order = np.argsort(np.concatenate(positions), kind="stable")
    return pd.concat(parts).iloc[order]
