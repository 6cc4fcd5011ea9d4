"""workflows/expansion.py: reading a request (invalidity named before repair) and its box.

The command end to end is tested with the analysis in ``tests/analysis/test_expansion.py``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely import Point, box

from gaoxin.errors import InputError
from gaoxin.workflows.expansion import _box, read_request

X0, Y0 = 500_000.0, 3_400_000.0


def test_invalid_parts_are_named_by_parcel_then_repaired(tmp_path: Path) -> None:
    bow_tie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    path = tmp_path / "request.gpkg"
    gpd.GeoDataFrame({"地块编号": ["K1", "K2"]}, crs=4544,
                     geometry=[box(X0 + 200, Y0, X0 + 300, Y0 + 100), bow_tie]).to_file(path)
    request, invalid, notes = read_request(path)
    assert invalid == ["K2: Self-intersection[500050 3400050]"]
    assert request["parcel_id"].tolist() == ["K1", "K2"] and request.is_valid.all()
    assert request.area.sum() == pytest.approx(10_000 + 5_000)
    assert any("made 1 invalid" in n for n in notes)
    assert _box(request) == (X0, Y0, X0 + 300, Y0 + 100)


def test_a_request_must_be_polygons(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"id": [1]}, geometry=[Point(X0, Y0)], crs=4544).to_file(path)
    with pytest.raises(InputError, match="expansion request"):
        read_request(path)
