"""The Python API: gaoxin's analyses on GeoDataFrames, for a notebook or a script.

Each function computes and returns; none writes a file (except :func:`write_map`, whose job
it is) or prints. Rule sets are the packaged defaults unless given, as a
:class:`~gaoxin.analysis.ruleset.RuleSet` or as a dict of overrides (the same keys as a
workspace's ``[rules.<name>]``).

A session on the sample workspace:

>>> import tempfile
>>> from pathlib import Path
>>> import gaoxin
>>> from gaoxin.sample import write_sample_workspace
>>> toml = write_sample_workspace(Path(tempfile.mkdtemp()) / "ws")
>>> ws = gaoxin.load_workspace(toml)
>>> layers = gaoxin.load_layers(ws, ["zones", "parcels", "buildings", "enterprises"])
>>> layers.crs.to_epsg()                        # the CGCS2000 3° Gauss-Krüger zone of the data
4544
>>> zones = gaoxin.area_table(layers.frames["zones"], by="zone_id")
>>> zones.columns.tolist()
['zone_id', 'area_m2', 'area_ha', 'area_mu']
>>> far = gaoxin.plot_ratio(layers.frames["parcels"], layers.frames["buildings"],
...                         layers.frames["enterprises"])
>>> far.summary["parcels"] == len(layers.frames["parcels"])
True
>>> mu = gaoxin.per_mu(layers.frames["parcels"], layers.frames["enterprises"])
>>> sorted(mu.summary["classes"])
['A', 'B', 'C', 'D']
>>> zones_eval = gaoxin.evaluate_intensity(layers.frames["parcels"], layers.frames["buildings"],
...                                        layers.frames["enterprises"])
>>> zones_eval.scores["score"].index.tolist()[:3]      # every zone and park with parcels
['G510001', 'S510101', 'S510102']
>>> try:
...     gaoxin.plot_ratio(layers.frames["parcels"], layers.frames["buildings"],
...                       rules={"floor_area.default_storey_height_m": float("nan")})
... except gaoxin.InputError as exc:
...     print(exc.problem)
rule 'floor_area.default_storey_height_m' must be a finite number, not nan
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .analysis import consolidation as _consolidation
from .analysis import expansion as _expansion
from .analysis import intensity as _intensity
from .analysis import per_mu as _per_mu
from .analysis import plot_ratio as _plot_ratio
from .analysis import standard_land as _standard_land
from .analysis.ruleset import RuleSet, load_ruleset
from .errors import InputError
from .geo.hygiene import repair_geometries
from .geo.raster import Raster
from .kinds import KINDS
from .layers.load import Loaded, load_vector_layer
from .layers.load import load_layers as _load_layers
from .layers.read import read_source
from .layers.workspace import LayerSource, Workspace, load_workspace
from .maps import MapLayer
from .maps import write_map as _write_map
from .workflows.area import feature_areas

RulesArg = RuleSet | Mapping[str, object] | None

__all__ = [
    "InputError", "MapLayer", "RuleSet", "Workspace", "area_table", "check_expansion",
    "consolidate",
    "evaluate_intensity", "load_layers", "load_ruleset", "load_workspace", "low_efficiency",
    "per_mu", "plot_ratio", "read_layer", "standard_land", "write_map",
]


def _rules(name: str, rules: RulesArg) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    return load_ruleset(name, rules, origin="rules=")


def read_layer(path: str | Path, kind: str | None = None, *, layer: str | None = None,
               crs: str | None = None, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read any supported file (GDAL formats, GeoParquet, CSV/XLSX, 界址点 TXT) as gaoxin does.

    With ``kind`` (``"parcels"``, ``"buildings"`` …) the layer is checked, repaired and its
    fields renamed to the canonical schema; without, it is read as it is (encoding and CRS
    detected, invalid geometries made valid). Bad input raises :class:`InputError`.
    """
    path = Path(path)
    if kind is not None:
        if kind not in KINDS or KINDS[kind].geometry in ("table", "raster"):
            raise InputError(f"{kind!r} is not a kind of map layer", file=path,
                             fix="use one of " + ", ".join(
                                 k for k, v in KINDS.items() if v.geometry not in
                                 ("table", "raster")) + "; read tables through load_layers")
        return load_vector_layer(LayerSource(kind, path, layer, crs, encoding, {}, None),
                                 kind).geo
    gdf, _ = read_source(path, layer=layer, crs=crs, encoding=encoding)
    return repair_geometries(gdf)[0]


def load_layers(ws: Workspace, kinds: Sequence[str] | None = None) -> Loaded:
    """The workspace's layers (all vector and table kinds, or ``kinds``) in one working CRS:
    ``.frames[kind]``, ``.crs``, ``.notes``."""
    return _load_layers(ws, list(kinds) if kinds is not None else None)


def area_table(gdf: gpd.GeoDataFrame, by: str | None = None, *, planar: bool = False
               ) -> pd.DataFrame:
    """Ellipsoidal area (CGCS2000) of each feature in m², 公顷 and 亩, keyed by ``by``."""
    return feature_areas(gdf, by=by, planar=planar)


def plot_ratio(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
               enterprises: pd.DataFrame | None = None, *, rules: RulesArg = None
               ) -> _plot_ratio.PlotRatioResult:
    """容积率 and 建筑系数 of every parcel and zone; industrial parcels against the control
    table (:func:`gaoxin.analysis.plot_ratio.run`)."""
    return _plot_ratio.run(parcels, buildings, enterprises, _rules("plot_ratio", rules))


def per_mu(parcels: gpd.GeoDataFrame, enterprises: pd.DataFrame, *, rules: RulesArg = None,
           scheme: str | None = None) -> _per_mu.PerMuResult:
    """亩均论英雄: per-mu indicators, scores and A/B/C/D classes
    (:func:`gaoxin.analysis.per_mu.run`)."""
    return _per_mu.run(parcels, enterprises, _rules("per_mu", rules), scheme=scheme)


def evaluate_intensity(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                       enterprises: pd.DataFrame | None = None, *, rules: RulesArg = None,
                       plot_ratio_rules: RulesArg = None, per_mu_rules: RulesArg = None,
                       population: pd.Series | None = None) -> _intensity.IntensityResult:
    """开发区土地集约利用评价 of every zone in ``parcels.zone_id``
    (:func:`gaoxin.analysis.intensity.run` on the plot ratios)."""
    far = _plot_ratio.run(parcels, buildings, enterprises, _rules("plot_ratio", plot_ratio_rules))
    rows = None
    if enterprises is not None:
        share = _rules("per_mu", per_mu_rules).text("land_share")
        rows = _per_mu.enterprise_land(enterprises, parcels, share)
    return _intensity.run(parcels, far.parcels, rows, _rules("intensity", rules),
                          population=population)


def low_efficiency(parcels: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame,
                   enterprises: pd.DataFrame | None = None, *, rules: RulesArg = None,
                   plot_ratio_rules: RulesArg = None, per_mu_rules: RulesArg = None
                   ) -> _intensity.LowEfficiencyResult:
    """The 低效用地 list: idle parcels, and industrial parcels below their minimum plot ratio
    with 亩均税收 under the threshold (:func:`gaoxin.analysis.intensity.run_low_efficiency`)."""
    far = _plot_ratio.run(parcels, buildings, enterprises, _rules("plot_ratio", plot_ratio_rules))
    rows = None
    if enterprises is not None:
        share = _rules("per_mu", per_mu_rules).text("land_share")
        rows = _per_mu.enterprise_land(enterprises, parcels, share)
    return _intensity.run_low_efficiency(parcels, far.parcels, rows, _rules("intensity", rules))


def standard_land(parcels: gpd.GeoDataFrame, *, redlines: gpd.GeoDataFrame | None = None,
                  farmland: gpd.GeoDataFrame | None = None,
                  dev_boundary: gpd.GeoDataFrame | None = None,
                  roads: gpd.GeoDataFrame | None = None,
                  assessments: gpd.GeoDataFrame | None = None, dem: Raster | None = None,
                  rules: RulesArg = None) -> _standard_land.StandardLandResult:
    """标准地 readiness of every unsupplied parcel in a zone: each condition with its reasons,
    ready / conditional / blocked, and what would unlock most land
    (:func:`gaoxin.analysis.standard_land.run`). Layers left out are reported as not
    verified, never as passed."""
    layers = _standard_land.Layers(redlines, farmland, dev_boundary, roads, assessments, dem)
    return _standard_land.run(parcels, layers, _rules("standard_land", rules))


def consolidate(parks: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *,
                counties: gpd.GeoDataFrame | None = None,
                roads: gpd.GeoDataFrame | None = None, rules: RulesArg = None,
                sensitivity: bool = True) -> _consolidation.ConsolidationResult:
    """一区多园: every (park, host zone) pair ranked with every factor, the optimal plan under
    the block and county limits, the greedy plan beside it, new-zone clusters and the
    sensitivity table (:func:`gaoxin.analysis.consolidation.run`). Frames in any CRS."""
    return _consolidation.run(parks, zones, _consolidation.Layers(counties, roads),
                              _rules("consolidation", rules), with_sensitivity=sensitivity)


def check_expansion(request: gpd.GeoDataFrame, zone_id: str, *, zones: gpd.GeoDataFrame,
                    rules: RulesArg = None, parks: gpd.GeoDataFrame | None = None,
                    parcels: gpd.GeoDataFrame | None = None,
                    buildings: gpd.GeoDataFrame | None = None,
                    redlines: gpd.GeoDataFrame | None = None,
                    farmland: gpd.GeoDataFrame | None = None,
                    dev_boundary: gpd.GeoDataFrame | None = None,
                    dem: Raster | None = None) -> _expansion.ExpansionResult:
    """扩区审核 of a requested boundary against the 三区三线 and its zone
    (:func:`gaoxin.analysis.expansion.run`). Frames in one projected CRS."""
    invalid = [str(i) for i, ok in zip(request.index, shapely.is_valid(request.geometry.values),
                                       strict=True) if not ok]
    request = repair_geometries(request, family="polygon")[0]
    return _expansion.run(request, zone_id, zones=zones, rules=_rules("expansion", rules),
                          parks=parks, parcels=parcels, buildings=buildings, redlines=redlines,
                          farmland=farmland, dev_boundary=dev_boundary, dem=dem,
                          raw_invalid=invalid)


def write_map(layers: Sequence[MapLayer | gpd.GeoDataFrame], path: str | Path, *,
              title: str | None = None, lang: str = "zh", basemap: str = "none",
              offline: bool = True) -> Path:
    """One self-contained interactive HTML map of ``layers`` (frames or :class:`MapLayer`)."""
    wrapped = [lyr if isinstance(lyr, MapLayer) else MapLayer(lyr) for lyr in layers]
    return _write_map(wrapped, path, title=title, lang=lang, basemap=basemap, offline=offline)
