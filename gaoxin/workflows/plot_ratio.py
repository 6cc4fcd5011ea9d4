"""``gaoxin plot-ratio``: 容积率 and 建筑系数 per parcel and zone; load, run, write."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..analysis import plot_ratio as pr
from ..analysis.ruleset import RuleSet
from ..layers.load import Loaded, load
from ..layers.workspace import (
    Workspace,
)
from ..layers.write import output_run, write_geopackage, write_json
from ..report.excel import write_excel
from ..report.labels import label
from ..report.tables import capped_table, labelled, rules_sheet
from ._common import (
    MAX_MAP_FEATURES,
    MAX_ROWS,
    Run,
    import_in_background,
    map_subset,
    provenance,
    workspace_rules,
    writer_thread,
)


def compute_plot_ratio(data: Loaded, rules: RuleSet) -> pr.PlotRatioResult:
    """The analysis on the loaded layers (:func:`gaoxin.analysis.plot_ratio.run`)."""
    parcels, buildings = data.vector("parcels"), data.vector("buildings")
    return pr.run(parcels, buildings, data.table("enterprises"), rules)


def run_plot_ratio(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                   standard: str | None = None, max_rows: int = MAX_ROWS,
                   max_map_features: int = MAX_MAP_FEATURES) -> Run[pr.PlotRatioResult]:
    """容积率 / 建筑系数 per parcel and zone; industrial parcels against the control table."""
    t0 = time.perf_counter()
    rules = workspace_rules(ws, "plot_ratio", {"control.standard": standard} if standard else None)
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones"))
    t1 = time.perf_counter()
    import_in_background("gaoxin.maps")
    result = compute_plot_ratio(data, rules)
    out, zones, below, unknown = (result.parcels, result.zones, result.below_minimum,
                                  result.not_computable)
    t2 = time.perf_counter()
    summary: dict[str, object] = {
        "command": "plot-ratio",
        **result.summary,
        "caps": {"xlsx_rows": max_rows, "map_features": max_map_features},
        "notes": data.notes[:50],
        "provenance": provenance([rules], data.crs, data),
    }
    with output_run(out_dir, command="plot-ratio") as stage:
        files: dict[str, Path] = {}
        with writer_thread() as writer:
            gpkg = writer.submit(write_geopackage, stage.path / "results.gpkg",
                                 {"parcels_plot_ratio": out})
            files["xlsx"], files["map"] = _plot_ratio_tables_and_map(
                out, zones, below, unknown, data, rules, stage.path, lang, offline, max_rows,
                max_map_features)
            files["gpkg"] = gpkg.result()
        t3 = time.perf_counter()
        summary["timings"] = {"read_s": round(t1 - t0, 3), "compute_s": round(t2 - t1, 3),
                              "write_s": round(t3 - t2, 3), "total_s": round(t3 - t0, 3)}
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


def _plot_ratio_tables_and_map(out: gpd.GeoDataFrame, zones: pd.DataFrame,
                               below: gpd.GeoDataFrame, unknown: gpd.GeoDataFrame,
                               data: Loaded, rules: RuleSet, out_dir: Path, lang: str,
                               offline: bool, max_rows: int, max_map_features: int
                               ) -> tuple[Path, Path]:
    attention = pd.concat([below, unknown]).drop_duplicates(subset=None if "parcel_id" not in out
                                                            else ["parcel_id"])
    sheets = {
        label("sheet.zones", lang): labelled(zones.reset_index(), lang, "zones"),
        label("sheet.below_minimum", lang):
            labelled(capped_table(below.sort_values("plot_ratio"), max_rows), lang, "parcels"),
        label("sheet.not_computable", lang):
            labelled(capped_table(unknown, max_rows), lang, "parcels"),
        label("sheet.minimum_table", lang): pr.min_plot_ratio_table(rules),
        label("sheet.rules", lang): rules_sheet(rules, lang=lang),
    }
    if len(out) <= max_rows:
        sheets[label("sheet.all_parcels", lang)] = labelled(capped_table(out, max_rows), lang,
                                                            "parcels")
    xlsx = write_excel(out_dir / "plot_ratio.xlsx", sheets)
    return xlsx, _plot_ratio_map(out, attention, data, out_dir / "map.html", lang, offline,
                                 max_map_features)


def _plot_ratio_map(out: gpd.GeoDataFrame, attention: gpd.GeoDataFrame, data: Loaded,
                    path: Path, lang: str, offline: bool, limit: int) -> Path:
    from ..maps import MapLayer, write_map

    layers = []
    zones = data.frames.get("zones")
    if isinstance(zones, gpd.GeoDataFrame) and len(zones):
        layers.append(MapLayer(zones, kind="zones", show=True))
    cols = [c for c in ("parcel_id", "zone_id", "status", "plot_ratio", "building_coverage",
                        "far_min", "industry_code") if c in out.columns]
    shown = map_subset(out, limit, "plot_ratio")
    name = label("layer.parcel_plot_ratio", lang) + (
        "" if len(shown) == len(out) else label("layer.lowest_n", lang).format(n=limit))
    layers.append(MapLayer(shown[[*cols, "geometry"]], kind="result", name=name, columns=cols,
                           color_by="plot_ratio", classify="thresholds",
                           thresholds=[0.5, 0.8, 1.0, 1.5, 2.0, 3.0]))
    if len(attention):
        a = map_subset(attention, limit)
        layers.append(MapLayer(a[[*cols, "geometry"]], kind="result", columns=cols,
                               name=label("layer.parcels_to_check", lang),
                               highlight=True, show=False))
    return write_map(layers, path, offline=offline, lang=lang,
                     title=label("title.plot_ratio", lang))
