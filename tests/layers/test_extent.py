"""layers/extent.py: reading only what lies near an area: vector features and DEM windows."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS, Transformer
from rasterio.transform import from_origin
from shapely import box

from gaoxin.errors import InputError
from gaoxin.layers.extent import load_within, read_raster_window, transform_bounds
from gaoxin.layers.workspace import LayerSource

GK = CRS.from_epsg(4544)
X0, Y0 = 500_000.0, 3_400_000.0


def test_transform_bounds_is_identity_in_the_same_crs_and_covers_curved_edges() -> None:
    b = (X0, Y0, X0 + 1000, Y0 + 1000)
    assert transform_bounds(b, GK, CRS.from_epsg(4544)) == b
    # A lon/lat box across the central meridian (105°E): its southern edge, a parallel, bows
    # south in Gauss-Krüger, below the corners. Every point of the edge must be inside.
    lon_lat = (104.0, 30.0, 106.0, 31.0)
    xmin, ymin, xmax, ymax = transform_bounds(lon_lat, CRS.from_epsg(4490), GK)
    edge = shapely.segmentize(box(*lon_lat).exterior, 0.01)
    x, y = Transformer.from_crs(4490, GK, always_xy=True).transform(
        *shapely.get_coordinates(edge).T)
    assert xmin <= x.min() and x.max() <= xmax and ymin <= y.min() and y.max() <= ymax
    _, corner_y = Transformer.from_crs(4490, GK, always_xy=True).transform(
        [104.0, 106.0], [30.0, 30.0])
    assert y.min() < min(corner_y) - 100  # the corners alone would cut the edge off


def squares_file(folder: Path, crs: int) -> Path:
    """Five 100 m squares along x (ids S0…S4) every 1 km, stored in ``crs``."""
    squares = gpd.GeoDataFrame(
        {"patch_id": [f"S{i}" for i in range(5)]},
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * i + 100, Y0 + 100) for i in range(5)],
        crs=4544).to_crs(crs)
    path = folder / "red.gpkg"
    squares.to_file(path, layer="red")
    return path


@pytest.mark.parametrize("stored_in", [4544, 4490])
def test_load_within_keeps_features_meeting_the_padded_bounds(tmp_path: Path,
                                                              stored_in: int) -> None:
    source = LayerSource("redlines", squares_file(tmp_path, stored_in), layer="red")
    # Bounds over S1 and S2 only; a 950 m pad reaches the edges of S0 and S3 as well.
    bounds = (X0 + 1050, Y0, X0 + 2050, Y0 + 100)
    near = load_within(source, "redlines", bounds, GK)
    assert near.frame["patch_id"].tolist() == ["S1", "S2"]
    assert near.report.features == 2 and near.frame.crs.equals(GK)
    padded = load_within(source, "redlines", bounds, GK, pad=960.0)
    assert padded.frame["patch_id"].tolist() == ["S0", "S1", "S2", "S3"]


def test_load_within_an_empty_area_is_an_empty_layer(tmp_path: Path) -> None:
    source = LayerSource("redlines", squares_file(tmp_path, 4544), layer="red")
    far = load_within(source, "redlines", (X0 + 50_000, Y0, X0 + 51_000, Y0 + 1000), GK)
    assert len(far.frame) == 0 and far.report.features == 0


def dem_file(folder: Path, nodata_at: tuple[int, int] = (1, 1)) -> Path:
    """A 10 × 10 DEM of 30 m cells whose value is 10 × row + column; one cell nodata."""
    values = (np.arange(10)[:, None] * 10 + np.arange(10)[None, :]).astype("float32")
    values[nodata_at] = -9999
    path = folder / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1,
                       dtype="float32", crs="EPSG:4544", nodata=-9999,
                       transform=from_origin(X0, Y0 + 300, 30, 30)) as dst:
        dst.write(values, 1)
    return path


def test_raster_window_covers_the_bounds_with_a_margin_and_nan_for_nodata(tmp_path: Path) -> None:
    path = str(dem_file(tmp_path))
    # Cells of rows 3–4 and columns 2–3: the window adds one cell each side, inside the DEM.
    bounds = (X0 + 60, Y0 + 300 - 150, X0 + 120, Y0 + 300 - 90)
    window = read_raster_window(path, bounds, GK, pad_cells=1)
    assert window.values.shape == (4, 4)
    assert window.values[0].tolist() == [21.0, 22.0, 23.0, 24.0]
    assert window.transform.c == X0 + 30 and window.transform.f == Y0 + 300 - 60
    whole = read_raster_window(path, (X0, Y0, X0 + 300, Y0 + 300), GK)
    assert whole.values.shape == (10, 10) and np.isnan(whole.values[1, 1])


def test_raster_window_outside_the_dem_is_empty(tmp_path: Path) -> None:
    path = str(dem_file(tmp_path))
    window = read_raster_window(path, (X0 + 10_000, Y0, X0 + 11_000, Y0 + 1000), GK)
    assert window.values.shape == (0, 0)


def test_a_file_that_is_no_raster_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    path.write_text("not a raster", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as a raster") as info:
        read_raster_window(str(path), (X0, Y0, X0 + 1, Y0 + 1), GK)
    assert info.value.fix == "use a GeoTIFF"
