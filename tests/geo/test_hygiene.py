"""geo/hygiene.py: geometry repair reports what it changed and leaves the input alone."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Polygon, box

from gaoxin.geo import hygiene
from gaoxin.geo.hygiene import repair_geometries
from gaoxin.geo.parallel import chunked
from tests.geo.helpers import bow_tie, building, concave_parcel


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


def _mixed_layer(seed: int, size: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    makers = [
        lambda: concave_parcel(rng, 4e5, 3.4e6, 150),
        lambda: bow_tie(concave_parcel(rng, 4e5, 3.4e6, 150)),
        lambda: building(rng, 4e5, 3.4e6, 20),
        lambda: bow_tie(building(rng, 0, 0, 20, "L")),
        lambda: shapely.MultiPolygon([building(rng, 0, 0, 20, "U")]),
        lambda: shapely.MultiPolygon([box(0, 0, 1, 1), box(0.5, 0.5, 2, 2)]),
        lambda: Polygon([(0, 0), (2, 0), (2, 2), (3, 3), (2, 2), (0, 2)]),      # spike
        lambda: shapely.LineString([(0, 0), (1, 1)]),
        lambda: None,
        lambda: Polygon(),
    ]
    picks = rng.integers(0, len(makers), size)
    return gpd.GeoDataFrame({"pid": [f"p{k}" for k in range(size)]},
                            geometry=[makers[k]() for k in picks], crs=4544)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.sampled_from([None, "polygon"]))
def test_repair_is_the_same_as_with_geos_alone(seed, size, family):
    gdf = _mixed_layer(seed, size)
    fixed, report = repair_geometries(gdf, family=family, id_field="pid")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hygiene, "certainly_valid", lambda g: np.zeros(len(g), dtype=bool))
        geos_fixed, geos_report = repair_geometries(gdf, family=family, id_field="pid")
    assert report == geos_report
    assert fixed["pid"].tolist() == geos_fixed["pid"].tolist()
    assert shapely.to_wkb(fixed.geometry.values).tolist() == \
        shapely.to_wkb(geos_fixed.geometry.values).tolist()


def test_geos_judges_only_what_the_certificate_leaves(monkeypatch):
    rng = np.random.default_rng(3)
    kinds = ["rect", "L", "T", "U", "court"] * 20
    proven = [building(rng, 30 * k, 0, 20, kind) for k, kind in enumerate(kinds)]
    two_holes = Polygon([(0, 0), (9, 0), (9, 9), (0, 9)], [[(1, 1), (1, 2), (2, 2), (2, 1)],
                                                          [(5, 5), (5, 6), (6, 6), (6, 5)]])
    left = [two_holes, bow_tie(concave_parcel(rng, 0, 0, 100))]
    gdf = gpd.GeoDataFrame(geometry=proven + left + [None], crs=4544)
    asked: list[int] = []

    def counting(func, *arrays, **kwargs):
        asked.append(len(arrays[0]))
        return chunked(func, *arrays, **kwargs)

    monkeypatch.setattr(hygiene, "chunked", counting)
    fixed, report = repair_geometries(gdf, family="polygon")
    assert asked == [len(left)]
    assert report.made_valid == [len(proven) + 1]
    assert len(fixed) == len(proven) + len(left)
