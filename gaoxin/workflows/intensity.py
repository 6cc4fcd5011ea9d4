"""``gaoxin plot-ratio``, ``per-mu``, ``intensity`` and ``low-efficiency``: load, run, write.

Command level (may import layers, analysis and maps). Each workflow writes ``summary.json``
(figures + provenance), ``results.gpkg``, one ``.xlsx`` and ``map.html`` into its folder.
Large parcel sets stay fast: the per-parcel table goes whole into the GeoPackage, while the
workbook and the map carry the zone summary and the parcels that need attention, capped at
``max_rows`` / ``max_map_features`` (the cap is stated in the summary).
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..analysis import intensity
from ..errors import InputError
from ..layers.load import Loaded, load
from ..layers.workspace import (
    Workspace,
)
from ..layers.write import output_run, write_geopackage, write_json
from ..report.excel import write_excel
from ..report.labels import label
from ..report.tables import benchmark_sheet, labelled, rules_sheet
from ._common import (
    MapOptions,
    Run,
    provenance,
    with_zone_names,
    workspace_rules,
)
from .low_efficiency import enterprise_rows, run_low_efficiency_from
from .plot_ratio import compute_plot_ratio

# ---------------------------------------------------------------- plot ratio


# ---------------------------------------------------------------- 亩均


# ---------------------------------------------------------------- zone evaluation


def _population(data: Loaded) -> pd.Series | None:
    values = []
    for kind, key in (("zones", "zone_id"), ("parks", "park_id")):
        f = data.frames.get(kind)
        if isinstance(f, gpd.GeoDataFrame):
            col = next((c for c in ("population", "常住人口") if c in f.columns), None)
            if col:
                values.append(pd.Series(pd.to_numeric(f[col], errors="coerce").to_numpy(),
                                        index=f[key].astype(str)))
    return pd.concat(values) if values else None


def run_intensity(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                  basemap: str = "none", cluster: str | None = None
                  ) -> Run[intensity.IntensityResult]:
    """开发区土地集约利用评价 of every zone / park in the parcels layer, plus the low-efficiency
    list (written to ``out_dir/low_efficiency``); ``basemap`` is both maps'. ``cluster`` runs
    the plot-ratio kernel zone by zone on Dask."""
    options = MapOptions(offline, basemap, ws.tianditu_key)
    t0 = time.perf_counter()
    pr_rules = workspace_rules(ws, "plot_ratio")
    mu_rules = workspace_rules(ws, "per_mu")
    rules = workspace_rules(ws, "intensity")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones", "parks"))
    parcels = data.vector("parcels")
    if "status" not in parcels.columns:
        raise InputError("the evaluation needs land-status codes (domain.md §1.2) on parcels",
                         file=ws.layers["parcels"].path, fix="map the status field (土地状态)")
    out = compute_plot_ratio(data, pr_rules, cluster, ws).parcels
    rows = enterprise_rows(data, mu_rules)
    result = intensity.run(parcels, out, rows, rules, population=_population(data))
    ind = result.indicators.join(result.scores)
    geoms = _zone_geometries(data, ind.index)
    zone_gdf = gpd.GeoDataFrame(ind.reset_index(), geometry=geoms, crs=data.crs)
    zone_gdf["zone_type_label"] = zone_gdf["zone_type"].map(
        lambda t: label(f"zone_type.{t}", lang))
    summary = {"command": "intensity", **result.summary,
               "indicators": {str(z): {k: _num(v) for k, v in row.items()}
                              for z, row in result.indicators.iterrows()},
               "notes": data.notes[:50],
               "provenance": provenance([rules, pr_rules, mu_rules], data.crs, data)}
    with output_run(out_dir, command="intensity") as stage:
        files: dict[str, Path] = {}
        files["gpkg"] = write_geopackage(stage.path / "results.gpkg",
                                         {"zones_intensity": zone_gdf})
        files["xlsx"] = write_excel(stage.path / "intensity.xlsx", {
            label("sheet.evaluation", lang): labelled(with_zone_names(
                pd.DataFrame(zone_gdf.drop(columns="geometry")), data), lang, "zones"),
            label("sheet.benchmarks", lang): benchmark_sheet(result.benchmarks, lang),
            label("sheet.weights", lang): rules_sheet(rules, lang=lang),
        })
        from ..maps import MapLayer, write_map

        cols = [c for c in ("zone_id", "zone_type_label", "score", "plot_ratio",
                            "industrial_plot_ratio", "built_rate", "idle_rate") if c in zone_gdf]
        files["map"] = write_map([
            MapLayer(zone_gdf[[*cols, "geometry"]], kind="result", columns=cols,
                     name=label("layer.intensity_score", lang), color_by="score",
                     classify="thresholds", thresholds=[40, 50, 60, 70, 80, 90]),
            MapLayer(zone_gdf[[*cols, "geometry"]], kind="result", columns=cols,
                     name=label("layer.zone_type", lang), color_by="zone_type_label",
                     show=False),
        ], stage.path / "map.html", lang=lang, title=label("title.intensity", lang),
            **options.write_args())
        low = run_low_efficiency_from(data, out, rows, rules, mu_rules,
                                      stage.path / "low_efficiency", lang=lang, map_options=options)
        summary["low_efficiency"] = {k: low.summary[k] for k in ("parcels", "area_mu", "area_ha")}
        summary["timings"] = {"total_s": round(time.perf_counter() - t0, 3)}
        files["summary"] = write_json(stage.path / "summary.json", summary)
        files.update({f"low_{k}": v for k, v in low.files.items()})
    files = stage.published(files)
    return Run(summary, files, result, data)


def _num(v: object) -> object:
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else round(float(v), 6)
    return v


def _zone_geometries(data: Loaded, ids: pd.Index) -> list[shapely.Geometry]:
    """Each zone's polygon from the zones/parks layer, else the union of its parcels."""
    known: dict[str, shapely.Geometry] = {}
    for kind, key in (("zones", "zone_id"), ("parks", "park_id")):
        f = data.frames.get(kind)
        if isinstance(f, gpd.GeoDataFrame) and key in f.columns:
            known |= dict(zip(f[key].astype(str), f.geometry, strict=True))
    parcels = data.frames["parcels"]
    out = []
    for z in ids:
        g = known.get(str(z))
        if g is None:
            sub = parcels[parcels["zone_id"].astype(str) == str(z)] if "zone_id" in parcels \
                else parcels
            g = shapely.union_all(np.asarray(sub.geometry.values))
        out.append(g)
    return out


