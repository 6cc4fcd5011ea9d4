"""``gaoxin low-efficiency``: the 低效用地 list; load, run, write."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..analysis import intensity, per_mu
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
    MAX_ROWS,
    MapOptions,
    Run,
    provenance,
    workspace_rules,
)
from .plot_ratio import compute_plot_ratio


def run_low_efficiency_from(data: Loaded, out: gpd.GeoDataFrame, rows: pd.DataFrame | None,
                            rules: RuleSet, mu_rules: RuleSet, out_dir: Path, *,
                            lang: str = "zh", map_options: MapOptions | None = None
                            ) -> Run[intensity.LowEfficiencyResult]:
    """Write the 低效用地 list from already computed plot ratios and enterprise rows."""
    map_options = map_options or MapOptions()
    result = intensity.run_low_efficiency(data.vector("parcels"), out, rows, rules)
    low = result.parcels
    low["reason_label"] = low["reason"].map(lambda r: label(f"reason.{r}", lang))
    summary: dict[str, object] = {"command": "low-efficiency", **result.summary,
                                  "provenance": provenance([rules, mu_rules], data.crs, data)}
    with output_run(out_dir, command="low-efficiency") as stage:
        files: dict[str, Path] = {}
        files["gpkg"] = write_geopackage(stage.path / "results.gpkg", {"low_efficiency": low})
        files["xlsx"] = write_excel(stage.path / "low_efficiency.xlsx", {
            label("sheet.low_efficiency", lang): labelled(
                capped_table(low.drop(columns="reason"), MAX_ROWS), lang, "parcels"),
            label("sheet.rules", lang): rules_sheet(rules, lang=lang)})
        from ..maps import MapLayer, write_map

        cols = [c for c in ("rank", "parcel_id", "zone_id", "reason_label", "area_mu",
                            "plot_ratio", "far_min", "per_mu_tax") if c in low.columns]
        layers = []
        zones = data.frames.get("zones")
        if isinstance(zones, gpd.GeoDataFrame):
            layers.append(MapLayer(zones, kind="zones"))
        if len(low):
            layers.append(MapLayer(low[[*cols, "geometry"]], kind="result",
                                   columns=cols, name=label("layer.low_efficiency", lang),
                                   color_by="reason_label", highlight=True))
        files["map"] = write_map(layers, stage.path / "map.html", lang=lang,
                                 title=label("title.low_efficiency", lang),
                                 **map_options.write_args())
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


def run_low_efficiency(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                       basemap: str = "none") -> Run[intensity.LowEfficiencyResult]:
    """The 低效用地 list on its own (the intensity command also writes it)."""
    pr_rules = workspace_rules(ws, "plot_ratio")
    mu_rules = workspace_rules(ws, "per_mu")
    rules = workspace_rules(ws, "intensity")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones"))
    out = compute_plot_ratio(data, pr_rules).parcels
    return run_low_efficiency_from(data, out, enterprise_rows(data, mu_rules), rules, mu_rules,
                                   out_dir, lang=lang,
                                   map_options=MapOptions(offline, basemap, ws.tianditu_key))


def enterprise_rows(data: Loaded, mu_rules: RuleSet) -> pd.DataFrame | None:
    """Each enterprise's land on each parcel (per the land-share rule), when there is a table."""
    ents = data.table("enterprises")
    if ents is None:
        return None
    return per_mu.enterprise_land(ents, data.vector("parcels"), mu_rules.text("land_share"))
