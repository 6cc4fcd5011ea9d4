"""Road centre lines: the S1 road parcels' axes and 主干路 linking the sites.

The axes are classed 主干路/次干路/支路 by length; ten named arterials join the zone blocks
and parks, so the road layer is a line layer next to the polygon layers, as it arrives
in real workspaces.
"""

from __future__ import annotations

from typing import cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from ._shapes import _frame, _zone_blocks


def generate_roads(
    rng: np.random.Generator, parcels: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Road centre lines: the S1 road parcels' axes (主干路/次干路/支路 by length) and
    主干路 linking the sites.

    Examples
    --------
    >>> from gaoxin.sample import generate_parcels, generate_parks, generate_zones
    >>> rng = np.random.default_rng(0)
    >>> z = generate_zones(rng); p = generate_parks(rng, z)
    >>> r = generate_roads(rng, generate_parcels(rng, z, p), z, p)
    >>> sorted(r.road_class.unique())
    ['主干路', '支路', '次干路']
    """
    strips = parcels[parcels.land_use == "S1"]
    env = shapely.get_coordinates(shapely.oriented_envelope(strips.geometry.to_numpy()))
    env = env.reshape(len(strips), 5, 2)[:, :4]
    e1 = np.hypot(*(env[:, 1] - env[:, 0]).T)
    e2 = np.hypot(*(env[:, 2] - env[:, 1]).T)
    long1 = e1 >= e2
    a = np.where(long1[:, None], (env[:, 0] + env[:, 3]) / 2, (env[:, 0] + env[:, 1]) / 2)
    b = np.where(long1[:, None], (env[:, 1] + env[:, 2]) / 2, (env[:, 3] + env[:, 2]) / 2)
    # (n, 2, 2) coordinates give n lines; the stub cannot tell a line from an array by shape.
    lines = cast(npt.NDArray[np.object_], shapely.linestrings(np.stack([a, b], axis=1)))
    lengths = shapely.length(lines)
    cls = np.where(lengths >= 1_500.0, "主干路", np.where(lengths >= 400.0, "次干路", "支路"))
    names = strips.name.to_numpy()
    sites = {f"{z}{b}": np.array(g.centroid.coords[0]) for z, b, g in _zone_blocks(zones)}
    sites |= {p: np.array(g.centroid.coords[0])
              for p, g in zip(parks.park_id, parks.geometry, strict=True)}
    links = (("G510001A", "G510001B", "科创大道"), ("G510001A", "G510001C", "西航港大道"),
             ("G510001C", "S510102", "五津大道"), ("G510001A", "S510101", "金马大道"),
             ("G510001B", "YQ08", "天府南线"), ("G510001A", "YQ01", "蜀西北路"),
             ("S510101", "YQ04", "崇温路"), ("YQ04", "YQ05", "大崇路"),
             ("S510102", "YQ06", "津邛路"), ("YQ06", "YQ12", "邛蒲路"))
    arterials = []
    for s, t, _name in links:
        p0, p1 = sites[s], sites[t]
        d = p1 - p0
        mid = (p0 + p1) / 2 + np.array([-d[1], d[0]]) * rng.uniform(-0.08, 0.08)
        arterials.append(shapely.LineString([p0, mid, p1]))
    return _frame({
        "road_class": [*cls.tolist(), *["主干路"] * len(links)],
        "name": [*names.tolist(), *[n for *_st, n in links]],
    }, [*lines, *arterials])
