"""maps/encode.py: compact geometry encoding and edge-sharing simplification."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import Point, box

from gaoxin.maps.encode import encode_geometry, lighten
from tests.maps.helpers import parcels


def test_lighten_keeps_shared_edges() -> None:
    circle = Point(0, 0).buffer(0.01, quad_segs=64)
    left = circle.intersection(box(-1, -1, 0, 1))
    right = circle.intersection(box(0, -1, 1, 1))
    out = lighten(np.array([left, right], dtype=object), tolerance=1e-4)
    assert out[0].intersection(out[1]).length > 0.019  # still share the cut edge
    assert len(out[0].exterior.coords) < len(left.exterior.coords)


def test_lighten_leaves_corner_only_parcels_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Concave 16-gons whose every vertex is a corner: nothing to remove at 0.15 m, so
    no coverage check and no simplification (they cost seconds at a province's size)."""
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    r = 4e-4 * np.where(np.arange(16) % 2, 0.8, 1.0)          # a 16-pointed star
    rings = [np.c_[104 + i * 1e-3 + r * np.cos(t + i), 30 + r * np.sin(t + i)]
             for i in range(50)]
    geoms = np.array([shapely.Polygon(r) for r in rings], dtype=object)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simplified a layer with nothing to remove")

    for name in ("coverage_is_valid", "coverage_simplify", "simplify"):
        monkeypatch.setattr(shapely, name, refuse)
    out = lighten(geoms)
    assert shapely.equals_exact(out, shapely.orient_polygons(geoms), tolerance=0).all()


def test_encoding_is_compact() -> None:
    g = parcels(300).to_crs(4326)
    enc = encode_geometry(np.asarray(g.geometry.values))
    assert len(enc["xy"]) / 300 < 40  # base64 chars per parcel (GeoJSON: ~300)
