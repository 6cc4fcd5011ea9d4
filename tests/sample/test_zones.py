"""sample/zones.py: the generated layer, read back from the written sample workspace."""

from __future__ import annotations

from pathlib import Path

import shapely

KM2 = 1e6


def test_zones(layers: dict) -> None:
    zones = layers["zones"]
    assert zones.crs.to_epsg() == 4544
    assert list(zones.level) == ["national", "provincial", "provincial"]
    national = zones.geometry.iloc[0]
    assert len(shapely.get_parts(national)) == 3
    assert 20 * KM2 <= national.area <= 40 * KM2
    assert all(3 * KM2 <= a <= 8 * KM2 for a in zones.area.iloc[1:])
    ratio = zones.approved_area_ha / (zones.area / 1e4)
    assert ((ratio - 1).abs() < 0.05).all() and (ratio != 1).all()
    assert zones.name.str.contains("高新").all()


def test_parks(layers: dict) -> None:
    parks, zones = layers["parks"], layers["zones"]
    assert 10 <= len(parks) <= 14
    assert parks["园区编号"].is_unique
    assert ((parks.area >= 0.3 * KM2) & (parks.area <= 6 * KM2)).all()
    assert parks.distance(zones.union_all()).min() >= 500
    to_national = parks.distance(zones.geometry.iloc[0])
    assert to_national.min() < 3_000 and to_national.max() > 20_000
    assert parks["托管高新区"].notna().sum() in (1, 2, 3)


def test_requests(layers: dict, workspace: Path) -> None:
    from gaoxin.layers.boundary_txt import read_boundary_txt

    clean = layers["request_clean"].to_crs(4544).geometry.iloc[0]
    assert 3 * KM2 <= clean.area <= 5 * KM2
    red = layers["redlines"].union_all()
    farm = layers["farmland"].union_all()
    dev = layers["dev_boundary"].union_all()
    assert not clean.intersects(red) and not clean.intersects(farm)
    assert clean.within(dev)
    assert clean.distance(layers["zones"].geometry.iloc[0]) < 1.0  # adjoins the zone
    conflict, _warnings = read_boundary_txt(workspace.parent / "requests" /
                                            "request_conflict.txt")
    geom = conflict.to_crs(4544).geometry.iloc[0]
    assert 4 * KM2 <= geom.area <= 6 * KM2
    assert geom.intersects(red)
    assert layers["farmland"].intersects(geom).sum() >= 3
    assert 0 < geom.difference(dev).area < geom.area
    raw = (workspace.parent / "requests" / "request_conflict.txt").read_bytes()
    assert "界址点".encode("gbk") in raw or "地块坐标".encode("gbk") in raw
