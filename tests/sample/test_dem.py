"""sample/dem.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio


def test_dem(workspace: Path, layers: dict) -> None:
    with rasterio.open(workspace.parent / "dem.tif") as src:
        assert src.crs.to_epsg() == 4544
        assert src.res == (30.0, 30.0)
        assert src.dtypes[0] == "float32" and src.nodata == -9999
        assert src.compression.name.lower() == "deflate"
        dem = src.read(1)
        rows, cols = rasterio.transform.rowcol(
            src.transform, *np.array(layers["zones"].centroid.apply(lambda p: p.coords[0])
                                     .tolist()).T)
    assert dem[:, :20].mean() > dem[:, -20:].mean() + 500
    assert 1_500 <= dem[:, :20].mean() <= 3_000
    assert all(430 <= dem[r, c] <= 620 for r, c in zip(rows, cols, strict=True))
    gy, gx = np.gradient(dem.astype(float), 30.0)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    assert (slope > 25).any()
