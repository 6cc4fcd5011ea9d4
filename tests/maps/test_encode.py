"""maps/encode.py: compact geometry encoding and edge-sharing simplification."""

from __future__ import annotations

import numpy as np
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


def test_encoding_is_compact() -> None:
    g = parcels(300).to_crs(4326)
    enc = encode_geometry(np.asarray(g.geometry.values))
    assert len(enc["xy"]) / 300 < 40  # base64 chars per parcel (GeoJSON: ~300)
