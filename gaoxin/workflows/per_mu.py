"""``gaoxin per-mu``: 亩均论英雄 indicators, scores and classes; load, run, write."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..analysis import per_mu
from ..layers.load import load
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
    MapOptions,
    Run,
    map_subset,
    provenance,
    workspace_rules,
)


def run_per_mu(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
               scheme: str | None = None, basemap: str = "none") -> Run[per_mu.PerMuResult]:
    """亩均效益 per enterprise and parcel, scored and classed per the chosen rule set.

    ``basemap`` is the map's (see :func:`gaoxin.maps.build_map`).
    """
    t0 = time.perf_counter()
    rules = workspace_rules(ws, "per_mu", {"scheme": scheme} if scheme else None)
    data = load(ws, ("parcels", "enterprises"), ("zones",))
    result = per_mu.run(data.vector("parcels"), data.frames["enterprises"], rules)
    summary = {"command": "per-mu", **result.summary, "notes": data.notes[:50],
               "provenance": provenance([rules], data.crs, data)}
    with output_run(out_dir, command="per-mu") as stage:
        files: dict[str, Path] = {}
        parcels = result.parcels
        files["gpkg"] = write_geopackage(stage.path / "results.gpkg", {"parcels_per_mu": parcels})
        firms = result.firms.sort_values("score", ascending=False, na_position="last")
        rs = result.summary["rule_set"]
        item, value = label("per_mu.item", lang), label("per_mu.value", lang)
        head = pd.DataFrame([
            {item: label("per_mu.rule_set", lang),
             value: f"{rs['scheme']} {rs['year']}"},
            *[{item: label("per_mu.class", lang).format(c=c),
               value: f"{result.summary['classes'][c]} "
               f"({result.summary['class_shares_pct'][c]} %)"} for c in per_mu.CLASSES],
        ])
        files["xlsx"] = write_excel(stage.path / "per_mu.xlsx", {
            label("sheet.summary", lang): head,
            label("sheet.enterprises", lang): labelled(firms, lang, "enterprises"),
            label("sheet.parcels", lang): labelled(
                capped_table(parcels[parcels.firms > 0], MAX_ROWS), lang, "parcels"),
            label("sheet.rules", lang): rules_sheet(rules, lang=lang)})
        from ..maps import MapLayer, write_map

        cols = [c for c in ("parcel_id", "zone_id", "main_enterprise", "class", "per_mu_tax",
                            "per_mu_revenue", "land_mu") if c in parcels.columns]
        with_firms = parcels[parcels.firms > 0]
        layers = []
        zones = data.frames.get("zones")
        if isinstance(zones, gpd.GeoDataFrame):
            layers.append(MapLayer(zones, kind="zones"))
        layers.append(MapLayer(map_subset(with_firms, MAX_MAP_FEATURES)[[*cols, "geometry"]],
                               kind="result", name=label("layer.per_mu_class", lang),
                               columns=cols, color_by="class"))
        layers.append(MapLayer(map_subset(with_firms, MAX_MAP_FEATURES)[[*cols, "geometry"]],
                               kind="result", name=label("layer.per_mu_tax", lang),
                               columns=cols, color_by="per_mu_tax", classify="quantiles",
                               show=False))
        files["map"] = write_map(layers, stage.path / "map.html", lang=lang,
                                 title=label("title.per_mu", lang).format(
                                     rule_set=f"{rs['scheme']} {rs['year']}"),
                                 **MapOptions(offline, basemap, ws.tianditu_key).write_args())
        summary["timings"] = {"total_s": round(time.perf_counter() - t0, 3)}
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)
