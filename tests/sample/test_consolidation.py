"""sample/consolidation.py: the county layer and the zones' and parks' economy, read back from
the written sample workspace."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from gaoxin.layers.schema import normalise_fields


def test_counties_tile_the_extent_and_agree_with_the_parks_county(layers: dict,
                                                                   workspace: Path) -> None:
    counties = gpd.read_file(workspace.parent / "counties.gpkg", layer="counties")
    assert counties.name.is_unique and counties.county_id.str.fullmatch(r"\d{6}").all()
    # cells tile: no two overlap
    area = sum(counties.area)
    assert abs(shapely.union_all(counties.geometry.values).area - area) < 1e-3 * area
    parks = normalise_fields(layers["parks"], "parks")
    for _, park in parks.iterrows():
        home = counties[counties.contains(park.geometry.representative_point())]
        assert home.name.tolist() == [park["county"]], park["park_id"]


def test_gdp_and_fiscal_revenue_scale_with_area(layers: dict) -> None:
    for kind in ("zones", "parks"):
        frame = normalise_fields(layers[kind], kind)
        km2 = frame.geometry.area / 1e6
        per_km2 = frame["gdp"] / km2
        assert per_km2.between(150_000, 400_000).all(), kind
        share = frame["fiscal_revenue"] / frame["gdp"]
        assert share.between(0.059, 0.101).all(), kind
