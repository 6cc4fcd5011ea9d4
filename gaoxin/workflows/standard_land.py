"""``gaoxin standard-land``: 标准地 readiness of unsupplied parcels; load, run, write.

Writes ``summary.json`` (figures + provenance), ``results.gpkg`` (every candidate with every
condition), ``standard_land.xlsx`` (one row per parcel, one column per condition; the zone
summary; the blocking reasons ranked by the land each would unlock; the rules), ``map.html``
(ready / conditional / blocked, the popup listing each condition) and, for each ready parcel,
a printable indicator sheet ``sheets/sheet_NNNN.html`` (A4) with ``sheets/index.html``.
Sheet files are numbered, never named after a parcel id (user text is never a path).
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..analysis import standard_land as sl
from ..analysis.ruleset import RuleSet
from ..errors import InputError
from ..geo.units import M2_PER_HA, M2_PER_MU
from ..layers.extent import read_raster_window
from ..layers.load import Loaded, load
from ..layers.workspace import Workspace
from ..layers.write import geopackage_started, output_run, write_json
from ..report.excel import write_excel
from ..report.html import write_page
from ..report.labels import column, label
from ..report.tables import labelled, rules_sheet
from ._common import (
    MAX_ROWS,
    MapOptions,
    Run,
    import_in_background,
    phase_timings,
    provenance,
    workspace_rules,
)

_LAYERS = ("redlines", "farmland", "dev_boundary", "roads", "assessments")
# The rule a reason's sentence quotes as its limit.
_LIMITS = {"area_small": "shape.min_area_mu", "area_large": "shape.max_area_mu",
           "irregular": "shape.min_compactness", "narrow": "shape.min_width_m",
           "slope": "terrain.max_mean_slope_deg", "steep_share": "terrain.steep_slope_deg",
           "no_road": "servicing.max_road_distance_m"}


def _field_name(field: str, lang: str) -> str:
    return column(field, lang, "parcels").split("(")[0]


def reason_short(code: str, lang: str) -> str:
    """A blocking reason as a short phrase: ``洪水影响评价未完成``, ``指标包缺少亩均税收``.

    Examples
    --------
    >>> reason_short("assessment:洪水影响评价", "zh"), reason_short("redline", "en")
    ('洪水影响评价未完成', 'overlaps the ecological red line')
    >>> reason_short("package_missing:tax_per_mu", "zh")
    '指标包缺少亩均税收'
    """
    kind, _, arg = code.partition(":")
    if kind == "assessment":
        return label("sl_short.assessment", lang).format(type=arg)
    if kind in ("package_missing", "package_below", "case_by_case"):
        return label(f"sl_short.{kind}", lang).format(field=_field_name(arg, lang))
    if kind == "unverified":
        return label("sl_short.unverified", lang).format(what=label(f"sl_what.{arg}", lang))
    return label(f"sl_short.{kind}", lang)


def reason_detail(code: str, row: pd.Series, rules: RuleSet, lang: str) -> str:
    """A reason with the parcel's figures: ``与生态保护红线重叠 3.20 亩``.

    Examples
    --------
    >>> from gaoxin.analysis.ruleset import load_ruleset
    >>> row = pd.Series({"redline_mu": 3.2, "area_mu": 8.0})
    >>> reason_detail("redline", row, load_ruleset("standard_land"), "zh")
    '与生态保护红线重叠 3.20 亩'
    >>> reason_detail("area_small", row, load_ruleset("standard_land"), "en")
    'area 8.00 mu, below 10 mu'
    """
    kind, _, arg = code.partition(":")
    limit = rules.get(_LIMITS[kind]) if kind in _LIMITS else None
    values = {
        "redline": {"mu": row.get("redline_mu")}, "farmland": {"mu": row.get("farmland_mu")},
        "outside_boundary": {"mu": row.get("outside_boundary_mu")},
        "use_not_allowed": {"code": row.get("land_use", "")},
        "area_small": {"area": row.get("area_mu"), "limit": limit},
        "area_large": {"area": row.get("area_mu"), "limit": limit},
        "irregular": {"value": row.get("compactness"), "limit": limit},
        "narrow": {"share": row.get("usable_share"), "limit": limit},
        "slope": {"value": row.get("mean_slope_deg"), "limit": limit},
        "steep_share": {"share": row.get("steep_share"), "limit": limit},
        "servicing_below": {"have": row.get("servicing_level", ""),
                            "need": rules.text("servicing.level")},
        "no_road": {"dist": row.get("road_distance_m"), "limit": limit},
    }.get(kind)
    if values is None:
        if kind == "package_below":
            floor = rules.get(str(sl.PACKAGE[arg]))
            return label("sl_detail.package_below", lang).format(
                field=_field_name(arg, lang), value=_num(row.get(arg)), limit=_limit(floor))
        return reason_short(code, lang)
    text = {k: (_limit(v) if k == "limit" else _num(v)
                if k not in ("share", "code", "have", "need") else v)
            for k, v in values.items()}
    if "share" in text:
        share = values["share"]
        text["share"] = f"{100 * float(share):.1f}%" if _finite(share) else "—"
    if kind == "no_road" and not _finite(values["dist"]):
        return label("sl_detail.no_road_at_all", lang)
    return label(f"sl_detail.{kind}", lang).format(**text)


def _limit(v: object) -> str:
    """A rule's value as written: 10, 0.35, 2,000 (no trailing zeros)."""
    return _num(v).rstrip("0").rstrip(".") if "." in _num(v) else _num(v)


def _finite(v: object) -> bool:
    return isinstance(v, (int, float, np.floating)) and bool(np.isfinite(v))


def _num(v: object) -> str:
    if not _finite(v):
        return "—"
    x = float(v)  # type: ignore[arg-type]
    return f"{x:,.2f}" if abs(x) < 1e6 else f"{x:,.0f}"


def readable(result: pd.DataFrame, rules: RuleSet, lang: str) -> pd.DataFrame:
    """The per-parcel table with every outcome in words and the reasons as one sentence each.

    One column per condition (``通过`` / ``有条件`` / ``不通过`` / ``无法核验``), the readiness in
    words and ``reasons`` joining each reason with the parcel's figures.
    """
    out = result.drop(columns=["reasons", "blocking", "assessment_source"], errors="ignore")
    out = pd.DataFrame(out.drop(columns="geometry", errors="ignore"))
    for c in sl.CONDITIONS:
        out[f"cond_{c}"] = result[f"cond_{c}"].map(lambda o: label(f"sl_outcome.{o}", lang))
    out["readiness"] = result["readiness"].map(lambda r: label(f"sl_readiness.{r}", lang))
    sep = label("pr_check.separator", lang)
    out["reasons"] = [sep.join(reason_detail(code, row, rules, lang) for code in reasons)
                      for reasons, (_, row) in zip(result["reasons"], result.iterrows(),
                                                   strict=True)]
    return out


def unlock_sheet(unlock: list[sl.Unlock], lang: str) -> pd.DataFrame:
    """The blocking reasons ranked by the land fixing each alone would unblock."""
    rows = [{"reason": reason_short(u["reason"], lang), "only": u["only"],
             "only_mu": u["only_mu"], "blocks": u["blocks"], "blocks_mu": u["blocks_mu"]}
            for u in unlock]
    frame = pd.DataFrame(rows, columns=["reason", "only", "only_mu", "blocks", "blocks_mu"])
    return labelled(frame, lang, "unlock")


def unlock_lines(unlock: list[sl.Unlock], lang: str, top: int = 10) -> list[str]:
    """``洪水影响评价未完成:单独阻碍 9 宗 412.00 亩(共阻碍 20 宗 800.00 亩)`` per reason."""
    return [label("sl.unlock_line", lang).format(
        reason=reason_short(u["reason"], lang), only=u["only"], only_mu=u["only_mu"],
        blocks=u["blocks"], blocks_mu=u["blocks_mu"]) for u in unlock[:top]]


def summary_lines(summary: sl.StandardLandSummary, lang: str) -> list[str]:
    """The run's summary in words: candidates, ready / conditional / blocked in 宗 and 亩,
    the data that could not be checked, and the top unlocking steps."""
    lines = [label("sl.summary_line", lang).format(**summary)]
    for what, n in summary["unverified"].items():
        lines.append(label("sl.unverified_line", lang).format(
            what=label(f"sl_what.{what}", lang), n=n))
    if summary["unlock"]:
        lines.append(label("sl.unlock_heading", lang))
        lines += [f"  {line}" for line in unlock_lines(summary["unlock"], lang, 5)]
    return lines


def compute_standard_land(data: Loaded, ws: Workspace, rules: RuleSet,
                          cluster: str | None = None) -> sl.StandardLandResult:
    """The analysis on the loaded layers (:func:`gaoxin.analysis.standard_land.run`), the DEM
    read for the candidates' extent only.

    With ``cluster`` (``local:N`` or ``tcp://host:port``) the conditions are evaluated as one
    Dask task per zone, each reading its zone's window of the layers (by bbox from
    GeoPackage, GeoParquet or PostGIS sources) and of the DEM; the results are the same.
    """
    parcels = data.vector("parcels")
    frames = {k: data.vector(k) if k in data.frames else None for k in _LAYERS}
    dem_path = ws.layers["dem"].path if "dem" in ws.layers else None
    if cluster is not None:
        from .cluster import (
            cluster_client,
            dem_source,
            source_windows,
            standard_land_per_zone,
        )

        sources = source_windows(ws.layers, _LAYERS, data.source_crs, data.crs)
        with cluster_client(cluster) as client:
            def zone_by_zone(cand: gpd.GeoDataFrame, layers: sl.Layers, r: RuleSet
                             ) -> pd.DataFrame:
                return standard_land_per_zone(client, cand, layers, r, sources,
                                              dem_source(dem_path, data.crs))

            return sl.run(parcels, sl.Layers(dem=None, **frames), rules,
                          per_parcel=zone_by_zone)
    dem = None
    if dem_path is not None:
        cand = parcels[sl.candidates(parcels, rules)]
        if len(cand):
            x0, y0, x1, y1 = (float(v) for v in cand.total_bounds)
            dem = read_raster_window(str(dem_path), (x0, y0, x1, y1), data.crs)
    layers = sl.Layers(dem=dem, **frames)
    return sl.run(parcels, layers, rules)


def run_standard_land(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                      basemap: str = "none", max_rows: int = MAX_ROWS,
                      cluster: str | None = None) -> Run[sl.StandardLandResult]:
    """标准地 readiness: which unsupplied parcels can be offered with their indicator package
    today, and what blocks the rest. ``basemap`` is the map's (see
    :func:`gaoxin.maps.build_map`); ``cluster`` evaluates zone by zone on Dask."""
    t0 = time.perf_counter()
    rules = workspace_rules(ws, "standard_land")
    data = load(ws, ("parcels",), ("zones", *_LAYERS))
    parcels = data.vector("parcels")
    if "status" not in parcels.columns:
        raise InputError("standard land needs the land-status code of each parcel to find the "
                         "unsupplied ones (B21/B22/E1/E21/E22)", file=ws.layers["parcels"].path,
                         fix="map the status field (土地状态) in [layers.parcels.fields]")
    import_in_background("gaoxin.maps")
    t1 = time.perf_counter()
    result = compute_standard_land(data, ws, rules, cluster)
    t2 = time.perf_counter()
    summary: dict[str, object] = {
        "command": "standard-land", **result.summary,
        "notes": data.notes[:50], "provenance": provenance([rules], data.crs, data)}
    frame = result.parcels
    words = readable(frame, rules, lang)
    with output_run(out_dir, command="standard-land") as stage:
        files: dict[str, Path] = {}
        gpkg = frame.drop(columns=["reasons", "blocking"]).copy()
        gpkg["reasons"] = words["reasons"].to_numpy()
        # Written (by a worker process when large) while the workbook, map and sheets are made.
        with geopackage_started(stage.path / "results.gpkg", {"standard_land": gpkg}) as pending:
            del gpkg
            zones = pd.DataFrame([{"zone_id": z, **v}
                                  for z, v in result.summary["zones"].items()])
            files["xlsx"] = write_excel(stage.path / "standard_land.xlsx", {
                label("sheet.sl_parcels", lang): labelled(words.head(max_rows), lang,
                                                          "parcels"),
                label("sheet.sl_zones", lang): labelled(zones, lang, "sl_zones"),
                label("sheet.sl_unlock", lang): unlock_sheet(result.summary["unlock"], lang),
                label("sheet.rules", lang): rules_sheet(rules, lang=lang),
            })
            files["map"] = _map(frame, words, data, stage.path / "map.html", lang,
                                MapOptions(offline, basemap, ws.tianditu_key))
            files["sheets"] = _indicator_sheets(frame, words, data, rules,
                                                stage.path / "sheets", lang)
            files["gpkg"] = pending.result()
        t3 = time.perf_counter()
        summary["timings"] = phase_timings(t0, t1, t2, t3)
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


def _map(frame: gpd.GeoDataFrame, words: pd.DataFrame, data: Loaded, path: Path, lang: str,
         options: MapOptions) -> Path:
    from ..maps import MapLayer, write_map

    shown = gpd.GeoDataFrame(words[[c for c in ("parcel_id", "name", "readiness",
                                                *(f"cond_{c}" for c in sl.CONDITIONS),
                                                "area_mu", "reasons") if c in words]],
                             geometry=frame.geometry, crs=frame.crs)
    cols = [c for c in shown.columns if c != "geometry"]
    layers = []
    for kind in ("zones", "redlines", "farmland", "dev_boundary", "assessments"):
        if kind in data.frames:
            layers.append(MapLayer(data.vector(kind), kind, show=kind != "assessments"))
    # The view opens on the candidates, not on the whole extent of the 三区三线 around them.
    layers.append(MapLayer(shown, kind="result", name=label("layer.standard_land", lang),
                           columns=cols, color_by="readiness", fit=True))
    return write_map(layers, path, lang=lang, title=label("title.standard_land", lang),
                     **options.write_args())


def _indicator_sheets(frame: gpd.GeoDataFrame, words: pd.DataFrame, data: Loaded,
                      rules: RuleSet, folder: Path, lang: str) -> Path:
    """One A4 indicator sheet per ready parcel (the document that goes with an offer) and an
    index of them; returns the index."""
    folder.mkdir(parents=True, exist_ok=True)
    ready = frame[frame["readiness"] == "ready"]
    zone_names = {}
    zones = data.frames.get("zones")
    if isinstance(zones, gpd.GeoDataFrame) and "name" in zones:
        zone_names = dict(zip(zones["zone_id"].astype(str), zones["name"].astype(str),
                              strict=True))
    entries = []
    centres = shapely.get_coordinates(shapely.point_on_surface(
        ready.geometry.to_crs(4490).values)) if len(ready) else np.zeros((0, 2))
    for n, (pos, (_, row)) in enumerate(zip(range(len(ready)), ready.iterrows(),
                                            strict=True), start=1):
        name = f"sheet_{n:04d}.html"
        centre = centres[pos]
        package = [(column(f, lang, "parcels"), _package_value(row.get(f)),
                    _package_floor(f, rules)) for f in sl.PACKAGE]
        conditions = [(label(f"sl_cond.{c}", lang), words[f"cond_{c}"].iloc[
            words.index.get_loc(ready.index[pos])]) for c in sl.CONDITIONS]
        area_m2 = float(row["area_mu"]) * M2_PER_MU
        # A dict, not the Series: in a template ``row.name`` would be the Series' index label.
        write_page(folder / name, "standard_land_sheet.html", lang=lang,
                   title=label("sl.sheet_title", lang), row=row.drop("geometry").to_dict(),
                   zone_name=zone_names.get(str(row.get("zone_id")), ""),
                   area={"mu": row["area_mu"], "ha": area_m2 / M2_PER_HA, "m2": area_m2},
                   centre=(float(centre[0]), float(centre[1])), package=package,
                   conditions=conditions,
                   servicing=row.get("servicing_level", ""), outline=_outline_svg(row.geometry),
                   rule_set=rules)
        entries.append((name, str(row.get("parcel_id", "")), str(row.get("name", "")),
                        float(row["area_mu"])))
    return write_page(folder / "index.html", "standard_land_index.html", lang=lang,
                      title=label("sl.sheets_title", lang), entries=entries)


def _package_value(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "—"
    return _num(v) if isinstance(v, (int, float, np.floating)) else str(v)


def _package_floor(field: str, rules: RuleSet) -> str:
    rule = sl.PACKAGE[field]
    floor = rules.optional_number(rule) if rule else None
    return f"≥ {_num(floor)}" if floor is not None else ""


def _outline_svg(geom: object) -> str:
    """The parcel's outline as an SVG path in a 200×200 box (north up), for the sheet."""
    if not isinstance(geom, (shapely.Polygon, shapely.MultiPolygon)) or geom.is_empty:
        return ""
    g = geom
    x0, y0, x1, y1 = g.bounds
    scale = 180.0 / max(x1 - x0, y1 - y0, 1e-9)
    parts = []
    for poly in shapely.get_parts(g):
        for ring in (poly.exterior, *poly.interiors):
            pts = " ".join(f"{10 + (x - x0) * scale:.1f},{190 - (y - y0) * scale:.1f}"
                           for x, y in ring.coords)
            parts.append(f"M {pts} Z")
    return " ".join(parts)
