"""``gaoxin consolidate``: 一区多园 consolidation; load, run, write.

Writes ``summary.json`` (figures + provenance), ``candidates.xlsx`` (every pair ranked with
every factor; the plan with its reasons, blocks, areas and revenue sharing; new-zone
clusters; the sensitivity table; the rules), ``plan.gpkg`` (parks with their proposed host,
and a line from each park to its host), ``map.html`` (zones; parks coloured by proposed
host; the lines with the score in their popup; the sensitivity in the legend note) and
``plan.html``, the printable plan (A4) with the reasons for each park.
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..analysis import consolidation as cons
from ..analysis.ruleset import RuleSet
from ..layers.load import load
from ..layers.workspace import Workspace
from ..layers.write import output_run, write_geopackage, write_json
from ..report.excel import write_excel
from ..report.html import write_page
from ..report.labels import bilingual, column, label
from ..report.tables import labelled, rules_sheet
from ._common import (
    MapOptions,
    Run,
    import_in_background,
    phase_timings,
    provenance,
    workspace_rules,
)


def _money(v: object) -> str:
    return f"{float(v):,.0f}" if isinstance(v, (int, float)) and np.isfinite(v) else "—"


def reason_text(row: pd.Series, pairs: pd.DataFrame, rules: RuleSet, zone_names: dict[str, str],
                lang: str) -> str:
    """Why a park is, or is not, proposed for its host, with the figures."""
    decision = row["decision"]
    pid = row["park_id"]
    if decision == "hosted":
        return label("cons.reason_hosted", lang).format(
            zone=zone_names.get(str(row["host_zone_id"]), str(row["host_zone_id"])))
    if decision == "assign":
        host = str(row["host_zone_id"])
        road = bool(np.isfinite(row.get("travel_km", np.nan))) and \
            abs(float(row["travel_km"]) - float(row["boundary_km"])) > 1e-9
        text = label("cons.reason_assign", lang).format(
            zone=zone_names.get(host, host),
            relation=label(f"cons_relation.{row['relation']}", lang),
            distance_kind=label("cons.distance_road" if road else "cons.distance_boundary", lang),
            km=float(row["travel_km"]), industry=float(row["industry"]),
            fragmentation=float(row["fragmentation"]), score=float(row["score"]),
            blocks_before=int(row["host_blocks_before"]),
            blocks_after=int(row["host_blocks_after"]),
            area_before=float(row["host_area_before_km2"]),
            area_after=float(row["host_area_after_km2"]))
        share = row.get("host_share", np.nan)
        text += label("pr_check.separator", lang) + label("cons.sharing", lang).format(
            gdp=_money(row.get("gdp")), fiscal=_money(row.get("fiscal_revenue")),
            share=f"{100 * float(share):.1f}%" if np.isfinite(share) else "—")
        if bool(row.get("over_area_cap")):
            text += label("pr_check.separator", lang) + label("cons.over_area", lang).format(
                limit=rules.number("constraints.max_area_km2"))
        return text
    own = pairs[pairs["park_id"] == pid]
    if own.empty:
        return label("cons.reason_none", lang).format(km=rules.number("pairs.max_distance_km"))
    best = own.iloc[0]
    zone = zone_names.get(str(best["zone_id"]), str(best["zone_id"]))
    if float(best["score"]) >= rules.number("plan.min_score"):
        return label("cons.reason_constrained", lang).format(zone=zone, score=float(best["score"]))
    return label("cons.reason_low", lang).format(zone=zone, score=float(best["score"]),
                                                 limit=rules.number("plan.min_score"))


def summary_lines(summary: cons.ConsolidationSummary, rules: RuleSet, lang: str) -> list[str]:
    """The run in words: counts and scores, each host's parks, scattered land, clusters."""
    lines = [label("cons.summary_line", lang).format(**summary)]
    sep = label("per_mu.list_separator", lang)
    for zone, parks in summary["hosts"].items():
        lines.append("  " + label("cons.host_line", lang).format(zone=zone, parks=sep.join(parks)))
    lines.append(label("cons.scattered_line", lang).format(
        small=f"{rules.number('fragmentation.small_area_km2'):g}",
        share=summary["scattered_share"]))
    if summary["clusters"]:
        lines.append(label("cons.clusters_line", lang).format(n=summary["clusters"]))
    if summary["existing_violations"]:
        lines.append(label("cons.existing_line", lang).format(
            what=sep.join(summary["existing_violations"])))
    if summary["unknown_industries"]:
        lines.append(label("cons.unknown_industries", lang).format(
            names=sep.join(summary["unknown_industries"])))
    if summary["admin_source"] != "layer":
        lines.append(label("cons.no_counties", lang))
    if not summary["road_distances"]:
        lines.append(label("cons.no_roads", lang))
    return lines


def _words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    if "relation" in out:
        out["relation"] = out["relation"].map(
            lambda r: label(f"cons_relation.{r}", lang) if isinstance(r, str) else r)
    if "decision" in out:
        out["decision"] = out["decision"].map(lambda d: label(f"cons_decision.{d}", lang))
    return out


def run_consolidation(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                      basemap: str = "none") -> Run[cons.ConsolidationResult]:
    """一区多园: rank every (park, host zone) pair, find the optimal plan, write it."""
    t0 = time.perf_counter()
    rules = workspace_rules(ws, "consolidation")
    data = load(ws, ("zones", "parks"), ("counties", "roads", "parcels"))
    import_in_background("gaoxin.maps")
    t1 = time.perf_counter()
    layers = cons.Layers(counties=data.vector("counties") if "counties" in data.frames else None,
                         roads=data.vector("roads") if "roads" in data.frames else None,
                         parcels=data.vector("parcels") if "parcels" in data.frames else None)
    result = cons.run(data.vector("parks"), data.vector("zones"), layers, rules)
    t2 = time.perf_counter()
    zones = result.zones
    zone_names = dict(zip(zones["zone_id"].astype(str),
                          zones["name"].astype(str) if "name" in zones else zones["zone_id"],
                          strict=True))
    plan = result.plan.copy()
    plan["reasons_text"] = [reason_text(row, result.pairs, rules, zone_names, lang)
                            for _, row in plan.iterrows()]
    summary: dict[str, object] = {"command": "consolidate", **result.summary,
                                  "notes": data.notes[:50],
                                  "provenance": provenance([rules], data.crs, data)}
    with output_run(out_dir, command="consolidate") as stage:
        files: dict[str, Path] = {}
        parks = result.parks.to_crs(data.crs)
        links = _links(result, data.crs)
        files["gpkg"] = write_geopackage(stage.path / "plan.gpkg", {
            "parks": parks.drop(columns=["codes"], errors="ignore"), "links": links})
        pairs = result.pairs.drop(columns=["industry_known"])
        files["xlsx"] = write_excel(stage.path / "candidates.xlsx", {
            label("sheet.cons_pairs", lang): labelled(_words(pairs, lang), lang, "cons"),
            label("sheet.cons_plan", lang): labelled(_words(plan, lang), lang, "cons"),
            label("sheet.cons_clusters", lang): labelled(result.clusters, lang, "cons"),
            label("sheet.cons_sensitivity", lang): labelled(
                _sensitivity_words(result.sensitivity, rules, lang, keep_key=True), lang, "cons"),
            label("sheet.cons_land_use", lang): labelled(_land_use_table(result, zone_names),
                                                         lang, "cons"),
            label("sheet.rules", lang): rules_sheet(rules, lang=lang),
        })
        files["map"] = _map(result, parks, links, data.vector("zones"), stage.path / "map.html",
                            lang, MapOptions(offline, basemap, ws.tianditu_key), rules)
        files["report"] = write_page(
            stage.path / "plan.html", "consolidation.html", lang=lang,
            title=label("cons.report_title", lang), summary_lines=summary_lines(
                result.summary, rules, lang),
            rows=[(r["park_id"], r.get("name", ""), zone_names.get(str(r["host_zone_id"]),
                                                                  str(r["host_zone_id"])),
                   label(f"cons_decision.{r['decision']}", lang), r["reasons_text"],
                   str(r["greedy_host_zone_id"])) for _, r in plan.iterrows()],
            constraints=_constraint_lines(rules, lang),
            sensitivity=labelled(_sensitivity_words(result.sensitivity, rules, lang), lang,
                                 "cons"),
            clusters=labelled(result.clusters, lang, "cons"), rule_set=rules,
            land_use=_land_use_rows(result, zone_names, lang),
            has_parcels="parcels" in data.frames)
        t3 = time.perf_counter()
        summary["timings"] = phase_timings(t0, t1, t2, t3)
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


def _sensitivity_words(sens: pd.DataFrame, rules: RuleSet, lang: str, *,
                       keep_key: bool = False) -> pd.DataFrame:
    """The sensitivity table with each parameter named by its rule's label (the key, which a
    workspace overrides, kept as the last column of the workbook only)."""
    if sens.empty or "parameter" not in sens:
        return sens
    out = sens.copy()
    keys = out["parameter"].astype(str)
    out["parameter"] = [bilingual(rules.rules[k].label, rules.rules[k].label_en, lang)
                        if k in rules.rules else k for k in keys]
    if keep_key:
        out["key"] = keys.to_numpy()
    return out
def _land_use_table(result: cons.ConsolidationResult, zone_names: dict[str, str]
                    ) -> pd.DataFrame:
    """Each host's land use before and after (one row per host), named."""
    table = result.host_land_use.copy()
    if table.empty:
        return table
    table.insert(1, "name", [zone_names.get(str(z), "") for z in table["zone_id"]])
    table["parks_without_parcels"] = table["parks_without_parcels"].map(", ".join)
    return table


def _land_use_rows(result: cons.ConsolidationResult, zone_names: dict[str, str],
                   lang: str) -> pd.DataFrame:
    """The same for a printed page: one row per host and figure (area, then each rate),
    before and after side by side — four columns fit A4 where fourteen do not."""
    rows = []
    for r in result.host_land_use.to_dict("records"):
        host = f"{zone_names.get(str(r['zone_id']), '')} ({r['zone_id']})"
        rows.append({"cons.host": host, "cons.figure": column("total_ha", lang),
                     "cons.before": f"{float(r['total_ha_before']):,.4f}",
                     "cons.after": f"{float(r['total_ha_after']):,.4f}"})
        for rate in cons.LAND_USE_RATES:
            before, after = r[f"{rate}_before"], r[f"{rate}_after"]
            rows.append({"cons.host": host, "cons.figure": column(rate, lang),
                         "cons.before": "—" if before is None else f"{100 * before:.1f}%",
                         "cons.after": "—" if after is None else f"{100 * after:.1f}%"})
    frame = pd.DataFrame(rows, columns=["cons.host", "cons.figure", "cons.before",
                                        "cons.after"])
    return frame.rename(columns={c: label(c, lang) for c in frame.columns})


def _constraint_lines(rules: RuleSet, lang: str) -> list[str]:
    levels = label("per_mu.list_separator", lang).join(
        label(f"zone_level.{lv}", lang) if f"zone_level.{lv}" in _LEVELS else lv
        for lv in rules.texts("constraints.max_blocks_levels"))
    return [label("cons.constraint_blocks", lang).format(
                n=rules.integer("constraints.max_blocks"), levels=levels),
            label("cons.constraint_county", lang).format(
                n=rules.integer("constraints.provincial_per_county")),
            label("cons.constraint_area", lang).format(
                n=rules.number("constraints.max_area_km2"),
                how=label("cons.hard" if rules.flag("constraints.area_is_hard")
                          else "cons.flag_only", lang))]


_LEVELS = ("zone_level.national", "zone_level.provincial")


def _links(result: cons.ConsolidationResult, crs: CRS) -> gpd.GeoDataFrame:
    """A line from each proposed park to the nearest point of its host, with the score."""
    parks = result.parks.set_index("park_id")
    zones = result.zones.set_index("zone_id")
    plan = result.plan[result.plan["decision"] == "assign"]
    lines = []
    for _, row in plan.iterrows():
        a, b = shapely.shortest_line(parks.geometry.loc[row["park_id"]],
                                     zones.geometry.loc[row["host_zone_id"]]).coords
        lines.append(shapely.LineString([shapely.point_on_surface(
            parks.geometry.loc[row["park_id"]]).coords[0], b]) if a != b else
            shapely.LineString([a, b]))
    frame = gpd.GeoDataFrame({"park_id": plan["park_id"].to_numpy(),
                              "host_zone_id": plan["host_zone_id"].to_numpy(),
                              "score": plan["score"].round(3).to_numpy()},
                             geometry=lines, crs=result.parks.crs)
    return frame.to_crs(crs)


def _map(result: cons.ConsolidationResult, parks: gpd.GeoDataFrame, links: gpd.GeoDataFrame,
         zones: gpd.GeoDataFrame, path: Path, lang: str, options: MapOptions,
         rules: RuleSet) -> Path:
    from ..maps import MapLayer, write_map

    shown = parks[["park_id", "name", "proposed_host", "geometry"]].copy() \
        if "name" in parks else parks[["park_id", "proposed_host", "geometry"]].copy()
    shown["proposed_host"] = shown["proposed_host"].replace("", label("cons.none", lang))
    sens = _sensitivity_words(result.sensitivity, rules, lang)
    note = ""
    if len(sens):
        note = label("cons.sensitivity_heading", lang) + ": " + "; ".join(
            f"{r['parameter']} ×{r['factor']:g}: ρ={r['rank_correlation']:.2f}, "
            f"{int(r['plan_changes'])}" for _, r in sens.iterrows() if r["plan_changes"] > 0
        )[:400]
    layers = [MapLayer(zones, "zones"),
              MapLayer(shown, kind="result", name=label("layer.cons_parks", lang),
                       columns=[c for c in shown.columns if c != "geometry"],
                       color_by="proposed_host", note=note),
              MapLayer(links, kind="result", name=label("layer.cons_links", lang),
                       columns=["park_id", "host_zone_id", "score"], highlight=True)]
    return write_map(layers, path, lang=lang, title=label("title.consolidation", lang),
                     **options.write_args())
