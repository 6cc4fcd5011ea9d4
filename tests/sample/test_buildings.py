"""sample/buildings.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gaoxin.layers.schema import normalise_fields


def test_buildings(layers: dict, parcels) -> None:
    buildings = normalise_fields(layers["buildings"], "buildings")
    assert 13_000 <= len(buildings) <= 17_000
    b = buildings.geometry.to_numpy()
    p = parcels.geometry.to_numpy()
    bi, pi = shapely.STRtree(p).query(b, predicate="intersects")
    area = shapely.area(shapely.intersection(b[bi], p[pi]))
    hits = pd.DataFrame({"b": bi, "p": pi})[area > 1.0]
    per_building = hits.groupby("b").size().reindex(range(len(b)), fill_value=0)
    assert (per_building >= 1).all()
    assert 0.03 <= (per_building >= 2).mean() <= 0.05
    on = parcels.status.to_numpy()[hits.p]
    assert not np.isin(on, ["G", "B21", "B22", "E1", "E21", "E22", "D1", "D21"]).any()
    floors = buildings.floors
    assert floors.min() == 1 and floors.max() <= 25 and floors.median() <= 3
    assert 0.08 <= floors.isna().mean() <= 0.12
    assert (floors.isna() & buildings.height.notna()).sum() > 0
    assert 0 < (floors.isna() & buildings.height.isna()).sum() < 0.02 * len(buildings)
    tall = (floors == 1) & buildings.height.between(9, 14)
    assert tall.sum() > 100
