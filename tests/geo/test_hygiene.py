"""geo/hygiene.py: geometry repair reports what it changed and leaves the input alone."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely import Polygon, box

from gaoxin.geo.hygiene import repair_geometries


def test_repair_reports_and_does_not_touch_input():
    bow = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    line = shapely.LineString([(0, 0), (1, 1)])
    gdf = gpd.GeoDataFrame({"pid": ["a", "b", "c", "d"]},
                           geometry=[bow, None, box(0, 0, 1, 1),
                                     shapely.GeometryCollection([box(5, 5, 6, 6), line])],
                           crs=4544)
    before = gdf.copy()
    fixed, report = repair_geometries(gdf, family="polygon", id_field="pid")
    assert report.made_valid == ["a"]
    assert report.dropped_empty == ["b"]
    assert report.dropped_parts == ["d"]
    assert fixed["pid"].tolist() == ["a", "c", "d"]
    assert fixed.geometry.is_valid.all()
    assert set(fixed.geom_type) <= {"Polygon", "MultiPolygon"}
    assert before.geometry.equals(gdf.geometry)
    assert any("made 1 invalid" in line for line in report.lines())
