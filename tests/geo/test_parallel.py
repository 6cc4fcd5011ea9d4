"""geo/parallel.py: work split over threads gives the one-thread answer."""

from __future__ import annotations

import numpy as np
import shapely


def test_chunked_by_owner_keeps_order_and_owners_apart():
    from gaoxin.geo.parallel import chunked_by_owner

    rng = np.random.default_rng(3)
    squares = shapely.box(np.arange(500.0), 0, np.arange(500.0) + 1, 1)
    shapely.prepare(squares)
    owner = rng.integers(0, 500, 60_000)
    pts = shapely.points(owner + rng.uniform(-0.5, 1.5, len(owner)), rng.uniform(0, 1, len(owner)))
    seen: list[set[int]] = []

    def probe(polys: np.ndarray, points: np.ndarray) -> np.ndarray:
        seen.append(set(shapely.get_x(shapely.centroid(polys)).astype(int).tolist()))
        return shapely.contains_properly(polys, points)

    got = chunked_by_owner(probe, owner, 500, squares[owner], pts, threads=3)
    assert got.tolist() == shapely.contains_properly(squares[owner], pts).tolist()
    assert len(seen) == 3
    assert not (seen[0] & seen[1]) and not (seen[1] & seen[2]) and not (seen[0] & seen[2])


def test_query_pairs_in_threads_equals_one_query():
    from gaoxin.geo.parallel import query_pairs

    rng = np.random.default_rng(9)
    x, y = rng.uniform(0, 5000, 60_000), rng.uniform(0, 5000, 60_000)
    tree = shapely.STRtree(shapely.box(x, y, x + 30, y + 30))
    probes = shapely.box(x[::-1] + 5, y + 5, x[::-1] + 12, y + 12)
    for predicate in (None, "intersects"):
        one = tree.query(probes, predicate=predicate)
        a, b = query_pairs(tree, probes, predicate=predicate, threads=3)
        assert np.array_equal(a, one[0]) and np.array_equal(b, one[1])
