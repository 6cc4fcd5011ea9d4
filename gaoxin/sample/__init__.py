"""A deterministic sample workspace south-west of Chengdu, for demos and tests.

One national 高新区 in three 区块 and two provincial ones, twelve other industrial parks,
about 5,000 parcels tiling them, 15,000 buildings, 1,200 enterprise rows, the 三区三线
(生态保护红线, 永久基本农田, 城镇开发边界), roads, a 30 m DEM with the Longmen/Qionglai
mountain front in the west, and two expansion requests for the national zone: one clean
and one that crosses a red-line patch, several farmland patches and the development
boundary. Everything sits at real coordinates (about 103.4–104.3°E, 30.3–30.8°N), so every
analysis has something true to find.

The ``generate_*`` functions are pure: a :class:`numpy.random.Generator` (and the layers
they depend on) in, a GeoDataFrame in EPSG:4544 (CGCS2000 3° Gauss-Krüger, CM 105°E) out.
:func:`generate_sample` runs them all from one seed; :func:`write_sample_workspace` writes
the files in the mix of formats real workspaces arrive in, and a ``gaoxin.toml``.

Enterprise rows are (firm, parcel) pairs: a firm on several parcels has one row per parcel,
and its figures are split over those rows in proportion to the land it holds there, so the
rows sum to the firm's totals and to each parcel's totals.

One module per kind of data: :mod:`~gaoxin.sample.zones` (zones, parks, expansion
requests), :mod:`~gaoxin.sample.constraints` (三区三线), :mod:`~gaoxin.sample.parcels`,
:mod:`~gaoxin.sample.buildings`, :mod:`~gaoxin.sample.enterprises`,
:mod:`~gaoxin.sample.roads`, :mod:`~gaoxin.sample.dem`, and
:mod:`~gaoxin.sample.workspace` for the files on disk.
"""

from ._shapes import CRS, EXTENT_LONLAT
from .buildings import generate_buildings
from .constraints import generate_dev_boundary, generate_farmland, generate_redlines
from .dem import DEM_CELL, DEM_NODATA, generate_dem
from .enterprises import generate_enterprises
from .parcels import generate_parcels
from .roads import generate_roads
from .workspace import SampleData, generate_sample, write_sample_workspace
from .zones import generate_parks, generate_requests, generate_zones

__all__ = [
    "CRS",
    "DEM_CELL",
    "DEM_NODATA",
    "EXTENT_LONLAT",
    "SampleData",
    "generate_buildings",
    "generate_dem",
    "generate_dev_boundary",
    "generate_enterprises",
    "generate_farmland",
    "generate_parcels",
    "generate_parks",
    "generate_redlines",
    "generate_requests",
    "generate_roads",
    "generate_sample",
    "generate_zones",
    "write_sample_workspace",
]
