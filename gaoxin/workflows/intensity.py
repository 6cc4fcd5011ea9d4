"""``gaoxin plot-ratio``, ``per-mu``, ``intensity`` and ``low-efficiency``: load, run, write.

Command level (may import layers, analysis and maps). Each workflow writes ``summary.json``
(figures + provenance), ``results.gpkg``, one ``.xlsx`` and ``map.html`` into its folder.
Large parcel sets stay fast: the per-parcel table goes whole into the GeoPackage, while the
workbook and the map carry the zone summary and the parcels that need attention, capped at
``max_rows`` / ``max_map_features`` (the cap is stated in the summary).
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .. import __version__
from ..analysis import intensity, per_mu
from ..analysis import plot_ratio as pr
from ..analysis.ruleset import RuleSet, load_ruleset
from ..errors import InputError
from ..geo.crs import describe_crs, to_crs_densified
from ..geo.units import m2_to_ha, m2_to_mu
from ..layers.provenance import digests, digests_in_background
from ..layers.workspace import (
    Workspace,
    choose_working_crs,
    load_table_layer,
    load_vector_layer,
)
from ..layers.write import output_run, write_geopackage, write_json
from ..report.excel import write_excel
from ..report.labels import FIRM_LABELS, PARCEL_LABELS, ZONE_LABELS

MAX_ROWS = 20_000


MAX_MAP_FEATURES = 20_000


@dataclass
class Loaded:
    """The layers a workflow needs, in one working CRS, and the files they came from."""

    crs: CRS
    frames: dict[str, gpd.GeoDataFrame | pd.DataFrame]
    files: list[Path]
    notes: list[str]
    hashing: Future[list[dict[str, object]]] | None = None


def load(ws: Workspace, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Loaded:
    """Read the layers; the working CRS comes from their bounding boxes only (cheap at 1M)."""
    frames: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
    files: list[Path] = [ws.path]
    notes: list[str] = []
    # Provenance digests are computed while the layers load (hashlib releases the GIL).
    hashing = digests_in_background([ws.path] + [ws.layers[k].path for k in (
        *required, *optional) if k in ws.layers])
    for kind in required:
        if kind not in ws.layers:
            raise InputError(f"the workspace has no {kind} layer", file=ws.path,
                             fix=f"add [layers.{kind}] with its path")
    kinds = [k for k in (*required, *optional) if k in ws.layers]
    # Layers load side by side: GDAL reads and GEOS validity checks release the GIL, so the
    # buildings' read overlaps the parcels' decoding. Results are taken in order, so notes
    # and the first error do not depend on timing.
    with ThreadPoolExecutor(2, thread_name_prefix="gaoxin-read") as pool:
        pending = [(k, pool.submit(load_table_layer if k == "enterprises" else
                                   load_vector_layer, ws.layers[k],
                                   *(() if k == "enterprises" else (k,)))) for k in kinds]
        for kind, future in pending:
            layer = future.result()
            frames[kind] = layer.frame
            files.append(ws.layers[kind].path)
            notes += [f"{kind}: {line}" for line in layer.report.warnings + layer.report.fixes]
    boxes = [gpd.GeoDataFrame(geometry=[shapely.box(*f.total_bounds)], crs=f.crs)
             for f in frames.values() if isinstance(f, gpd.GeoDataFrame) and len(f)]
    crs = choose_working_crs(boxes, ws.crs)
    for kind, f in frames.items():
        if isinstance(f, gpd.GeoDataFrame) and not CRS.from_user_input(f.crs).equals(crs):
            frames[kind] = to_crs_densified(f, crs)
    return Loaded(crs, frames, files, notes, hashing)


def import_in_background(*modules: str) -> None:
    """Import output modules (maps: folium compiles ~100 templates) in a thread.

    Called when the analysis starts: it then runs mostly in GEOS and NumPy with the GIL
    released, so the ~0.5–0.9 s of imports costs nothing. A failing import is left for the
    real import to report.
    """
    def work() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # reported by the import that needs it
                continue

    threading.Thread(target=work, name="gaoxin-import", daemon=True).start()


@contextmanager
def writer_thread() -> Iterator[ThreadPoolExecutor]:
    """A thread for the GeoPackage write while the workbook and map are built.

    pyogrio holds the GIL for most of its write, so the two overlap only in part: at 1M
    parcels this saves ~1.3 s of the ~7 s they take one after the other. Leaving the block
    waits for the write.
    """
    pool = ThreadPoolExecutor(1, thread_name_prefix="gaoxin-write")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True)


def provenance(rules: list[RuleSet], crs: CRS, files: list[Path] | Loaded) -> dict[str, object]:
    """Input files with SHA-256, rule sets and versions, working CRS, tool version."""
    return {
        "tool": "gaoxin", "version": __version__,
        "rule_sets": [{"name": r.name, "title": r.title, "version": r.version,
                       "overridden": [x.key for x in r.rules.values() if x.overridden]}
                      for r in rules],
        "working_crs": describe_crs(crs),
        "area_method": "ellipsoidal (CGCS2000/GRS80)",
        "inputs": (files.hashing.result() if isinstance(files, Loaded) and files.hashing
                   else digests(files.files if isinstance(files, Loaded) else files)),
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _rules(ws: Workspace, name: str, extra: dict[str, object] | None = None) -> RuleSet:
    overrides = dict(ws.rules.get(name, {}) or {})  # type: ignore[call-overload]
    overrides.update(extra or {})
    return load_ruleset(name, overrides, origin=ws.path)


def _labelled(frame: pd.DataFrame, zh: bool, labels: dict[str, tuple[str, str]]) -> pd.DataFrame:
    return frame.rename(columns={k: v[0 if zh else 1] for k, v in labels.items()})


def _rules_sheet(*rules: RuleSet) -> pd.DataFrame:
    return pd.concat([pd.DataFrame(r.as_records()).assign(rule_set=r.name) for r in rules],
                     ignore_index=True)


# ---------------------------------------------------------------- plot ratio


@dataclass
class Run:
    """What a workflow produced, and the layers it read.

    ``inputs`` keeps the loaded layers referenced, so the installed command can end without
    freeing them one by one (see ``gaoxin.cli.console``).
    """

    summary: dict[str, object]
    files: dict[str, Path]
    result: object = None
    inputs: Loaded | None = None


def compute_plot_ratio(data: Loaded, rules: RuleSet) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Per-parcel plot ratio + industrial control, and the per-zone summary."""
    parcels = data.frames["parcels"]
    buildings = data.frames["buildings"]
    enterprises = data.frames.get("enterprises")
    result = pr.plot_ratio(parcels, buildings, rules)  # type: ignore[arg-type]
    admin = (pr.admin_share(parcels, buildings, rules)  # type: ignore[arg-type]
             if "use" in buildings.columns else None)
    control = pr.industrial_control(parcels, result, enterprises, rules, admin)  # type: ignore[arg-type]
    keep = [c for c in ("parcel_id", "zone_id", "status", "land_use", "name")
            if c in parcels.columns]
    out = gpd.GeoDataFrame(pd.concat([parcels[keep], result, control], axis=1),
                           geometry=parcels.geometry, crs=parcels.crs)
    zones = pr.zone_plot_ratio(parcels, result, rules=rules)
    return out, zones


def run_plot_ratio(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                   standard: str | None = None, max_rows: int = MAX_ROWS,
                   max_map_features: int = MAX_MAP_FEATURES) -> Run:
    """容积率 / 建筑系数 per parcel and zone; industrial parcels against the control table."""
    t0 = time.perf_counter()
    rules = _rules(ws, "plot_ratio", {"control.standard": standard} if standard else None)
    if str(rules.get("control.standard")) not in ("MLR-2008", "MNR-2023", "SC-2024"):
        raise InputError(f"unknown control standard {rules.get('control.standard')!r}",
                         fix="use MLR-2008, MNR-2023 or SC-2024")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones"))
    t1 = time.perf_counter()
    import_in_background("gaoxin.maps")
    out, zones = compute_plot_ratio(data, rules)
    t2 = time.perf_counter()
    unknown = out[~out["computable"]]
    industrial = out[out["industrial"]]
    below = industrial[industrial["far_ok"].fillna(True) == False]  # noqa: E712
    no_min = industrial[industrial["far_min"].isna()]
    total_floor = float(out["floor_area_m2"].sum())
    summary: dict[str, object] = {
        "command": "plot-ratio",
        "control_standard": rules.get("control.standard"),
        "parcels": len(out), "buildings": len(data.frames["buildings"]),
        "parcels_not_computable": len(unknown),
        "not_computable_ids": unknown["parcel_id"].astype(str).head(200).tolist()
        if "parcel_id" in out else [],
        "floor_area_m2": round(total_floor, 2),
        "floor_area_ha": round(total_floor / 10_000, 4),
        "industrial_parcels": len(industrial),
        "industrial_below_minimum": len(below),
        "industrial_without_minimum": len(no_min),
        "industrial_coefficient_below_30pct": int((industrial["coefficient_ok"] == False)  # noqa: E712
                                                  .sum()),
        "admin_share_checked": bool(out["admin_share"].notna().any()),
        "zones": {str(z): {k: (None if pd.isna(v) else round(float(v), 4))
                           for k, v in row.items()} for z, row in zones.iterrows()},
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
    return Run(summary, files, out, data)


def _plot_ratio_tables_and_map(out: gpd.GeoDataFrame, zones: pd.DataFrame,
                               below: gpd.GeoDataFrame, unknown: gpd.GeoDataFrame,
                               data: Loaded, rules: RuleSet, out_dir: Path, lang: str,
                               offline: bool, max_rows: int, max_map_features: int
                               ) -> tuple[Path, Path]:
    zh = lang == "zh"
    attention = pd.concat([below, unknown]).drop_duplicates(subset=None if "parcel_id" not in out
                                                            else ["parcel_id"])
    sheets = {
        "园区汇总" if zh else "Zones": _labelled(zones.reset_index(), zh, ZONE_LABELS),
        "容积率不达标工业地块" if zh else "Below minimum":
            _labelled(_table(below.sort_values("plot_ratio"), max_rows), zh, PARCEL_LABELS),
        "无法计算地块" if zh else "Not computable":
            _labelled(_table(unknown, max_rows), zh, PARCEL_LABELS),
        "控制指标表" if zh else "Minimum table": pr.min_plot_ratio_table(rules),
        "规则" if zh else "Rules": _rules_sheet(rules),
    }
    if len(out) <= max_rows:
        sheets["全部地块" if zh else "All parcels"] = _labelled(_table(out, max_rows), zh,
                                                             PARCEL_LABELS)
    xlsx = write_excel(out_dir / "plot_ratio.xlsx", sheets)
    return xlsx, _plot_ratio_map(out, attention, data, out_dir / "map.html", lang, offline,
                                 max_map_features)


def _table(frame: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    cols = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", "geometry")]
    t = pd.DataFrame(frame[cols]).head(max_rows).copy()
    for c in t.columns:
        if str(t[c].dtype) == "boolean":
            t[c] = t[c].astype(object).where(t[c].notna(), None)
    return t


def _map_subset(frame: gpd.GeoDataFrame, limit: int, order: str | None = None
                ) -> gpd.GeoDataFrame:
    if len(frame) <= limit:
        return frame
    if order and order in frame:
        values = frame[order].to_numpy()
        if values.dtype.kind in "iuf":
            # argsort of one column, then take rows: sorting the whole GeoDataFrame copies
            # every geometry (1.4 s at 1M parcels). NaN sorts last, as sort_values does.
            return frame.iloc[np.argsort(values, kind="stable")[:limit]]
        return frame.sort_values(order, kind="stable").head(limit)
    return frame.head(limit)


def _plot_ratio_map(out: gpd.GeoDataFrame, attention: gpd.GeoDataFrame, data: Loaded,
                    path: Path, lang: str, offline: bool, limit: int) -> Path:
    from ..maps import MapLayer, write_map

    zh = lang == "zh"
    layers = []
    zones = data.frames.get("zones")
    if isinstance(zones, gpd.GeoDataFrame) and len(zones):
        layers.append(MapLayer(zones, kind="zones", show=True))
    cols = [c for c in ("parcel_id", "zone_id", "status", "plot_ratio", "building_coverage",
                        "far_min", "industry_code") if c in out.columns]
    shown = _map_subset(out, limit, "plot_ratio")
    name = ("地块容积率" if zh else "Parcel plot ratio") + (
        "" if len(shown) == len(out) else (f"(最低 {limit:,} 宗)" if zh else
                                           f" (lowest {limit:,})"))
    layers.append(MapLayer(shown[[*cols, "geometry"]], kind="result", name=name, columns=cols,
                           color_by="plot_ratio", classify="thresholds",
                           thresholds=[0.5, 0.8, 1.0, 1.5, 2.0, 3.0]))
    if len(attention):
        a = _map_subset(attention, limit)
        layers.append(MapLayer(a[[*cols, "geometry"]], kind="result", columns=cols,
                               name="需关注地块(不达标/无法计算)" if zh else
                               "Parcels to check (below minimum / not computable)",
                               highlight=True, show=False))
    return write_map(layers, path, offline=offline, lang=lang,
                     title="容积率与建筑系数" if zh else "Plot ratio and building coverage")


# ---------------------------------------------------------------- 亩均


def run_per_mu(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
               scheme: str | None = None) -> Run:
    """亩均效益 per enterprise and parcel, scored and classed per the chosen rule set."""
    t0 = time.perf_counter()
    rules = _rules(ws, "per_mu", {"scheme": scheme} if scheme else None)
    data = load(ws, ("parcels", "enterprises"), ("zones",))
    result = per_mu.run(data.frames["parcels"], data.frames["enterprises"], rules)  # type: ignore[arg-type]
    zh = lang == "zh"
    summary = {"command": "per-mu", **result.summary, "notes": data.notes[:50],
               "provenance": provenance([rules], data.crs, data)}
    with output_run(out_dir, command="per-mu") as stage:
        files: dict[str, Path] = {}
        parcels = result.parcels
        files["gpkg"] = write_geopackage(stage.path / "results.gpkg", {"parcels_per_mu": parcels})
        firms = result.firms.sort_values("score", ascending=False, na_position="last")
        rs = result.summary["rule_set"]
        head = pd.DataFrame([
            {"项目" if zh else "item": "评价规则" if zh else "rule set",
             "值" if zh else "value": f"{rs['scheme']} {rs['year']}"},  # type: ignore[index]
            *[{"项目" if zh else "item": f"{c} 类" if zh else f"class {c}",
               "值" if zh else "value": f"{result.summary['classes'][c]} "  # type: ignore[index]
               f"({result.summary['class_shares_pct'][c]} %)"} for c in per_mu.CLASSES],  # type: ignore[index]
        ])
        files["xlsx"] = write_excel(stage.path / "per_mu.xlsx", {
            "汇总" if zh else "Summary": head,
            "企业" if zh else "Enterprises": _labelled(firms, zh, FIRM_LABELS),
            "地块" if zh else "Parcels": _labelled(_table(parcels[parcels.firms > 0], MAX_ROWS),
                                                    zh, {**PARCEL_LABELS, **FIRM_LABELS}),
            "规则" if zh else "Rules": _rules_sheet(rules)})
        from ..maps import MapLayer, write_map

        cols = [c for c in ("parcel_id", "zone_id", "main_enterprise", "class", "per_mu_tax",
                            "per_mu_revenue", "land_mu") if c in parcels.columns]
        with_firms = parcels[parcels.firms > 0]
        layers = []
        zones = data.frames.get("zones")
        if isinstance(zones, gpd.GeoDataFrame):
            layers.append(MapLayer(zones, kind="zones"))
        layers.append(MapLayer(_map_subset(with_firms, MAX_MAP_FEATURES)[[*cols, "geometry"]],
                               kind="result", name="亩均评价类别" if zh else "Per-mu class",
                               columns=cols, color_by="class"))
        layers.append(MapLayer(_map_subset(with_firms, MAX_MAP_FEATURES)[[*cols, "geometry"]],
                               kind="result", name="亩均税收" if zh else "Tax per mu", columns=cols,
                               color_by="per_mu_tax", classify="quantiles", unit="万元/亩",
                               show=False))
        files["map"] = write_map(layers, stage.path / "map.html", offline=offline, lang=lang,
                                 title=("亩均论英雄 — " if zh else "Per-mu evaluation — ")
                                 + f"{rs['scheme']} {rs['year']}")  # type: ignore[index]
        summary["timings"] = {"total_s": round(time.perf_counter() - t0, 3)}
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


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


def run_intensity(ws: Workspace, out_dir: Path, *, lang: str = "zh",
                  offline: bool = True) -> Run:
    """开发区土地集约利用评价 of every zone / park in the parcels layer, plus the low-efficiency
    list (written to ``out_dir/low_efficiency``)."""
    t0 = time.perf_counter()
    pr_rules = _rules(ws, "plot_ratio")
    mu_rules = _rules(ws, "per_mu")
    rules = _rules(ws, "intensity")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones", "parks"))
    parcels = data.frames["parcels"]
    if "status" not in parcels.columns:
        raise InputError("the evaluation needs land-status codes (domain.md §1.2) on parcels",
                         file=ws.layers["parcels"].path, fix="map the status field (土地状态)")
    out, _ = compute_plot_ratio(data, pr_rules)
    rows = None
    ents = data.frames.get("enterprises")
    if ents is not None:
        rows = per_mu.enterprise_land(ents, parcels,  # type: ignore[arg-type]
                                      str(mu_rules.get("land_share", "equal")))
    result = intensity.run(parcels, out, rows, rules, population=_population(data))  # type: ignore[arg-type]
    zh = lang == "zh"
    ind = result.indicators.join(result.scores)
    geoms = _zone_geometries(data, ind.index)
    zone_gdf = gpd.GeoDataFrame(ind.reset_index(), geometry=geoms, crs=data.crs)
    zone_gdf["zone_type_label"] = zone_gdf["zone_type"].map(
        lambda t: intensity.ZONE_TYPES[t][0 if zh else 1])
    summary = {"command": "intensity", **result.summary,
               "indicators": {str(z): {k: _num(v) for k, v in row.items()}
                              for z, row in result.indicators.iterrows()},
               "notes": data.notes[:50],
               "provenance": provenance([rules, pr_rules, mu_rules], data.crs, data)}
    with output_run(out_dir, command="intensity") as stage:
        files: dict[str, Path] = {}
        files["gpkg"] = write_geopackage(stage.path / "results.gpkg",
                                         {"zones_intensity": zone_gdf})
        labels = {k: (f"{v[0]}" + (f"({v[2]})" if v[2] else ""),
                      f"{v[1]}" + (f" ({v[2]})" if v[2] else ""))
                  for k, v in intensity.INDICATOR_LABELS.items()}
        files["xlsx"] = write_excel(stage.path / "intensity.xlsx", {
            "评价结果" if zh else "Evaluation": _labelled(
                pd.DataFrame(zone_gdf.drop(columns="geometry")), zh,
                {**labels, "score": ("集约度分值", "Score"), "zone_type_label": ("类型", "Type")}),
            "全国对比" if zh else "National benchmarks": result.benchmarks,
            "权重与理想值(默认⚙)" if zh else "Weights & ideals (defaults)": _rules_sheet(rules),
        })
        from ..maps import MapLayer, write_map

        cols = [c for c in ("zone_id", "zone_type_label", "score", "plot_ratio",
                            "industrial_plot_ratio", "built_rate", "idle_rate") if c in zone_gdf]
        files["map"] = write_map([
            MapLayer(zone_gdf[[*cols, "geometry"]], kind="result", columns=cols,
                     name="集约度分值" if zh else "Intensity score", color_by="score",
                     classify="thresholds", thresholds=[40, 50, 60, 70, 80, 90]),
            MapLayer(zone_gdf[[*cols, "geometry"]], kind="result", columns=cols,
                     name="评价类型" if zh else "Zone type", color_by="zone_type_label",
                     show=False),
        ], stage.path / "map.html", offline=offline, lang=lang,
            title="开发区土地集约利用评价" if zh else "Development-zone land-intensity evaluation")
        low = run_low_efficiency_from(data, out, rows, rules, mu_rules,
                                      stage.path / "low_efficiency", lang=lang, offline=offline)
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


def run_low_efficiency_from(data: Loaded, out: gpd.GeoDataFrame, rows: pd.DataFrame | None,
                            rules: RuleSet, mu_rules: RuleSet, out_dir: Path, *,
                            lang: str = "zh", offline: bool = True) -> Run:
    """Write the 低效用地 list from already computed plot ratios and enterprise rows."""
    parcels = data.frames["parcels"]
    tax = pd.Series(np.nan, index=parcels.index)
    if rows is not None and len(rows):
        per_parcel = per_mu._parcels(parcels, rows, pd.DataFrame(  # type: ignore[arg-type]
            {"enterprise_id": rows["enterprise_id"].unique(), "class": ""}))
        tax = pd.Series(per_parcel["per_mu_tax"].to_numpy(), index=parcels.index)
    low = intensity.low_efficiency(parcels, out, out, tax, rules)  # type: ignore[arg-type]
    zh = lang == "zh"
    reason_zh = {"idle": "闲置土地", "low_far_low_tax": "容积率低于控制值且亩均税收低于阈值"}
    low["reason_label"] = low["reason"].map(lambda r: reason_zh[r] if zh else r)
    summary = {"command": "low-efficiency", "parcels": len(low),
               "area_mu": round(float(low["area_mu"].sum()), 4),
               "area_ha": round(float(low["area_ha"].sum()), 4),
               "by_reason": low["reason"].value_counts().to_dict(),
               "threshold_per_mu_tax": rules.get("low_efficiency.max_per_mu_tax"),
               "industrial_without_enterprise_data": int(
                   (out["industrial"] & tax.isna()).sum()),
               "provenance": provenance([rules, mu_rules], data.crs, data)}
    with output_run(out_dir, command="low-efficiency") as stage:
        files: dict[str, Path] = {}
        files["gpkg"] = write_geopackage(stage.path / "results.gpkg", {"low_efficiency": low})
        labels = {**PARCEL_LABELS, "rank": ("排序", "Rank"), "reason_label": ("原因", "Reason"),
                  "per_mu_tax": ("亩均税收(万元/亩)", "Tax per mu"),
                  "densify_floor_m2": ("达到控制值尚缺建筑面积(m²)", "Floor area to reach minimum"),
                  "freed_mu": ("可腾退面积(亩)", "Land freed (mu)"),
                  "area_m2": ("面积(m²)", "Area (m²)")}
        files["xlsx"] = write_excel(stage.path / "low_efficiency.xlsx", {
            "低效用地清单" if zh else "Low-efficiency land": _labelled(
                _table(low.drop(columns="reason"), MAX_ROWS), zh, labels),
            "规则" if zh else "Rules": _rules_sheet(rules)})
        from ..maps import MapLayer, write_map

        cols = [c for c in ("rank", "parcel_id", "zone_id", "reason_label", "area_mu",
                            "plot_ratio", "far_min", "per_mu_tax") if c in low.columns]
        layers = []
        zones = data.frames.get("zones")
        if isinstance(zones, gpd.GeoDataFrame):
            layers.append(MapLayer(zones, kind="zones"))
        if len(low):
            layers.append(MapLayer(low[[*cols, "geometry"]].head(MAX_MAP_FEATURES), kind="result",
                                   columns=cols, name="低效用地" if zh else "Low-efficiency land",
                                   color_by="reason_label", highlight=True))
        files["map"] = write_map(layers, stage.path / "map.html", offline=offline, lang=lang,
                                 title="低效用地(腾笼换鸟)" if zh else "Low-efficiency land")
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, low, data)


def run_low_efficiency(ws: Workspace, out_dir: Path, *, lang: str = "zh",
                       offline: bool = True) -> Run:
    """The 低效用地 list on its own (the intensity command also writes it)."""
    pr_rules = _rules(ws, "plot_ratio")
    mu_rules = _rules(ws, "per_mu")
    rules = _rules(ws, "intensity")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones"))
    out, _ = compute_plot_ratio(data, pr_rules)
    rows = None
    ents = data.frames.get("enterprises")
    if ents is not None:
        rows = per_mu.enterprise_land(ents, data.frames["parcels"],  # type: ignore[arg-type]
                                      str(mu_rules.get("land_share", "equal")))
    return run_low_efficiency_from(data, out, rows, rules, mu_rules, out_dir, lang=lang,
                                   offline=offline)


def _areas(m2: float) -> dict[str, float]:
    return {"m2": round(m2, 2), "ha": round(float(m2_to_ha(m2)), 4),
            "mu": round(float(m2_to_mu(m2)), 4)}
