"""``gaoxin expansion``: load what the check needs, run it, write every output.

Command level (may import layers, analysis and maps). Constraint layers are read only within
the request's extent; the outputs of a run replace the folder's earlier ones all at once
(:func:`..layers.write.output_run`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from markupsafe import Markup, escape
from pyproj import CRS

from ..analysis import expansion, intensity
from ..analysis.ruleset import RuleSet, load_ruleset
from ..errors import InputError
from ..geo.area import ellipsoidal_area
from ..geo.crs import gk_zone_of_crs, to_crs_densified
from ..geo.hygiene import repair_geometries
from ..geo.raster import Raster
from ..geo.units import m2_to_ha, m2_to_mu
from ..layers.extent import load_within, read_raster_window
from ..layers.load import choose_working_crs, load_vector_layer, require_family
from ..layers.provenance import FileDigest, digests_in_background
from ..layers.read import read_source
from ..layers.schema import normalise_fields
from ..layers.workspace import Workspace
from ..layers.write import output_run, write_geopackage, write_json
from ..report.checks import check_features, check_message, check_record, check_title
from ..report.excel import write_excel
from ..report.html import crs_text, date_text, write_page
from ..report.labels import LABELS, LANGS, column, label, layer_label
from ..report.tables import labelled, rule_rows, rules_sheet
from ._common import MapOptions, Run, provenance


def read_request(path: Path, *, crs: str | None = None, encoding: str | None = None,
                 close_rings: bool = False) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Read a request; return it repaired, the invalidity found before repair, and notes."""
    gdf, report = read_source(path, crs=crs, encoding=encoding, close_rings=close_rings)
    require_family(gdf, "polygon", path, "an expansion request")
    gdf = normalise_fields(gdf, "requests", source=path)
    geoms = np.asarray(gdf.geometry.values)
    invalid = []
    for i in np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)):
        ident = gdf["parcel_id"].iloc[i] if "parcel_id" in gdf.columns else i + 1
        invalid.append(f"{ident}: {shapely.is_valid_reason(geoms[i])}")
    repaired, fixes = repair_geometries(gdf, family="polygon", id_field="parcel_id"
                                        if "parcel_id" in gdf.columns else None)
    if not len(repaired):
        raise InputError("the request has no usable polygon", file=path,
                         fix="check the request file")
    return repaired, invalid, report.warnings + report.fixes + fixes.lines()


def run_expansion(
    request_path: Path,
    zone_id: str,
    out_dir: Path,
    ws: Workspace,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    close_rings: bool = False,
    lang: str = "zh",
    offline: bool = True,
    hashing: Future[list[FileDigest]] | None = None,
    basemap: str = "none",
) -> Run[expansion.ExpansionResult]:
    """Check ``request_path`` for zone ``zone_id`` with the workspace's layers; write outputs.

    ``basemap`` is the map's (see :func:`gaoxin.maps.build_map`).
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    if "zones" not in ws.layers:
        raise InputError("the workspace has no zones layer", file=ws.path,
                         fix="add [layers.zones] with the applicant zone")
    kinds = ("zones", "redlines", "farmland", "dev_boundary", "parks", "parcels", "buildings",
             "dem")
    digests_done = hashing or digests_in_background([request_path, ws.path] + [
        ws.layers[k].path for k in kinds if k in ws.layers])
    request, invalid, notes = read_request(request_path, crs=crs, encoding=encoding,
                                           close_rings=close_rings)
    working = choose_working_crs([request], ws.crs)
    request = to_crs_densified(request, working)
    zones = load_vector_layer(ws.layers["zones"], "zones", to_crs=working).geo
    if zone_id not in set(zones["zone_id"]):
        raise InputError(f"zone {zone_id!r} is not in the zones layer (zones: "
                         f"{', '.join(map(str, zones['zone_id'].head(20)))})",
                         file=ws.layers["zones"].path, fix="give --zone one of these ids")
    zone = zones[zones["zone_id"] == zone_id]
    timings["read_request_zones_s"] = time.perf_counter() - t0
    bounds = _box(request)
    layers: dict[str, gpd.GeoDataFrame | None] = {}
    for kind in ("redlines", "farmland", "dev_boundary", "parks"):
        src = ws.layers.get(kind)
        layers[kind] = None
        if src is not None:
            layers[kind] = load_within(src, kind, bounds, working, pad=10.0).geo
    zone_bounds = _box(zone)
    for kind in ("parcels", "buildings"):
        src = ws.layers.get(kind)
        layers[kind] = None
        if src is not None:
            layers[kind] = load_within(src, kind, zone_bounds, working).geo
    dem: Raster | None = None
    if "dem" in ws.layers:
        dem = read_raster_window(str(ws.layers["dem"].path), bounds, working)
    timings["read_layers_s"] = time.perf_counter() - t0 - timings["read_request_zones_s"]
    rules = load_ruleset("expansion", ws.rules.get("expansion"), origin=ws.path)
    t1 = time.perf_counter()
    result = expansion.run(request, zone_id, zones=zones, rules=rules,
                           parks=layers["parks"], parcels=layers["parcels"],
                           buildings=layers["buildings"], redlines=layers["redlines"],
                           farmland=layers["farmland"], dev_boundary=layers["dev_boundary"],
                           dem=dem, raw_invalid=invalid)
    timings["checks_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    summary = _summary(result, rules, working, request_path, zone_id, notes)
    cast(dict[str, object], summary["provenance"])["constraint_layers"] = constraint_layers(ws)
    with output_run(out_dir, command="expansion") as stage:
        files = write_outputs(result, summary, rules, stage.path, layers, lang=lang,
                              map_options=MapOptions(offline, basemap, ws.tianditu_key),
                              inputs=digests_done.result, timings=timings)
        timings["write_outputs_s"] = time.perf_counter() - t2
        timings["total_s"] = time.perf_counter() - t0
        summary["timings"] = {k: round(v, 3) for k, v in timings.items()}
        write_json(stage.path / "summary.json", summary)
    return Run(summary, stage.published(files), result)


# The 三区三线 layers a request is checked against, whose edition the report names.
CONSTRAINT_KINDS = ("redlines", "farmland", "dev_boundary")


def constraint_layers(ws: Workspace) -> list[dict[str, object]]:
    """Which 三区三线 data a check used: per constraint kind, its file, the file's
    modification day (ISO) and the edition the workspace declares (None when it declares
    none); a kind the workspace lacks has no path.

    Examples
    --------
    >>> ws = Workspace(Path("w/gaoxin.toml"), "w", {}, {})
    >>> constraint_layers(ws)[0]
    {'kind': 'redlines', 'path': None, 'layer': None, 'modified': None, 'edition': None}
    """
    out: list[dict[str, object]] = []
    for kind in CONSTRAINT_KINDS:
        src = ws.layers.get(kind)
        modified = None
        if src is not None and src.path.exists():
            modified = dt.date.fromtimestamp(src.path.stat().st_mtime).isoformat()
        out.append({"kind": kind, "path": str(src.path) if src else None,
                    "layer": src.layer if src else None, "modified": modified,
                    "edition": src.edition if src else None})
    return out


def _constraint_rows(summary: dict[str, object], lang: str) -> list[dict[str, str]]:
    """The report's lines on the 三区三线 data used, worded in ``lang``."""
    prov = cast(dict[str, object], summary.get("provenance") or {})
    records = cast(list[dict[str, object]], prov.get("constraint_layers") or [])
    return [{"layer": layer_label(str(r["kind"]), lang),
             "file": Path(str(r["path"])).name + (f" ({r['layer']})" if r["layer"] else "")
             if r["path"] else "",
             "modified": date_text(dt.date.fromisoformat(str(r["modified"])), lang)
             if r["modified"] else "",
             "edition": str(r["edition"]) if r["edition"] else "",
             "missing": "" if r["path"] else label("report.not_provided", lang)}
            for r in records]


def _box(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(v) for v in frame.total_bounds)
    return xmin, ymin, xmax, ymax


def _summary(result: expansion.ExpansionResult, rules: RuleSet, crs: CRS,
             request_path: Path, zone_id: str, notes: list[str]) -> dict[str, object]:
    return {
        "verdict": result.verdict,
        "request": str(request_path),
        "zone_id": zone_id,
        "zone_name": str(result.zone["name"].iloc[0]) if "name" in result.zone else "",
        "checks": [check_record(c) for c in result.checks],
        "notes": notes,
        # inputs are filled in when the background hashing is done
        "provenance": provenance([rules], crs, []),
    }


def _checks_table(result: expansion.ExpansionResult, lang: str) -> pd.DataFrame:
    rows = []
    for c in result.checks:
        rows.append({"check": check_title(c, lang),
                     "status": label(f"status.{c.status}", lang),
                     "details": check_message(c, lang)})
    return labelled(pd.DataFrame(rows, columns=["check", "status", "details"]), lang, "checks")


def _check_sections(result: expansion.ExpansionResult, lang: str) -> list[dict[str, object]]:
    """Each check as the report shows it: title, status, message and features."""
    return [{"title": check_title(c, lang), "status": c.status,
             "message": check_message(c, lang),
             "features": [{_detail_column(k, lang): v for k, v in
                           _feature_cells(_detail_row(_report_feature(f), lang)).items()}
                          for f in check_features(c)]}
            for c in result.checks]


def _report_feature(feature: dict[str, object]) -> dict[str, object]:
    """A check's feature as the report prints it: an indicator by its name only (its code
    stays in the workbook), its value and reference in the indicator's unit.

    Examples
    --------
    >>> _report_feature({"indicator": "idle_rate", "name_zh": "土地闲置率", "value": 0.0309,
    ...                  "reference": 0.0})
    {'name_zh': '土地闲置率', 'value': '3.09%', 'reference': '0.00%'}
    """
    code = feature.get("indicator")
    if not isinstance(code, str) or code not in intensity.INDICATOR_LABELS:
        return feature
    unit = intensity.INDICATOR_LABELS[code][2]
    return {k: (f"{v:.2%}" if unit == "%" else f"{v:,.2f}")
            if k in ("value", "reference") and isinstance(v, float) else v
            for k, v in feature.items() if k != "indicator"}


def _conflict_table(result: expansion.ExpansionResult, lang: str = "zh",
                    layers: dict[str, gpd.GeoDataFrame | None] | None = None) -> pd.DataFrame:
    """One row per conflicting patch, columns labelled in ``lang``.

    A patch's 名称 is its own where the analysis kept one (other zones, parks), else the
    constraint layer's ``name`` of that ``patch_id`` (``layers`` by kind).
    """
    rows = []
    for key, frame in result.conflicts.items():
        names = _patch_names((layers or {}).get(_CONFLICT_LAYER.get(key, key)))
        for r in frame.drop(columns=frame.geometry.name).to_dict("records"):
            m2 = float(r["area_m2"])
            name = r.get("name")
            if name is None or name != name or name == "":
                name = names.get(str(r.get("patch_id", "")), "")
            rows.append([label(f"conflict.{key}", lang), r.get("patch_id", ""), name,
                         round(m2, 2), round(float(m2_to_ha(m2)), 4),
                         round(float(m2_to_mu(m2)), 2)])
    return pd.DataFrame(rows, columns=_conflict_columns(lang))


# The layer kind each overlap check's conflicts come from.
_CONFLICT_LAYER = {"redline": "redlines", "farmland": "farmland"}


def _patch_names(layer: gpd.GeoDataFrame | None) -> dict[str, str]:
    if layer is None or "patch_id" not in layer.columns or "name" not in layer.columns:
        return {}
    named = layer[layer["name"].notna()]
    return dict(zip(named["patch_id"].astype(str), named["name"].astype(str), strict=True))


def boundary_points(txt: Path) -> list[tuple[str, str, str, str, str]]:
    """The 界址点 of a TXT gaoxin wrote: (地块编号, 点号, 圈号, X, Y) as the file gives them.

    Read back from the file rather than recomputed so the report's table is exactly what the
    bureau receives (X northing, Y zone-prefixed easting, to the millimetre).
    """
    points: list[tuple[str, str, str, str, str]] = []
    parcel = ""
    in_data = False
    for line in txt.read_text(encoding="gbk").splitlines():
        fields = line.strip().split(",")
        if line.startswith("["):
            in_data = line.strip() == "[地块坐标]"
        elif in_data and fields[-1] == "@":
            parcel = fields[2]
        elif in_data and len(fields) == 4:
            points.append((parcel, fields[0], fields[1], fields[2], fields[3]))
    return points


def page_counter(lang: str) -> Markup:
    """The CSS ``content`` of the printed page's footer: ``"第 " counter(page) " 页,…"``.

    Examples
    --------
    >>> str(page_counter("en"))
    '"Page " counter(page) " of " counter(pages) ""'
    """
    # the catalogue's text is ours, not user text, so it may become CSS unescaped
    text = label("report.page_of", lang).replace('"', "")
    return Markup('"' + text.replace("{page}", '" counter(page) "')
                  .replace("{pages}", '" counter(pages) "') + '"')


def report_time(generated: str, lang: str) -> str:
    """The report's timestamp as a reader writes it: ``2026年12月06日 14:08`` in zh.

    Examples
    --------
    >>> report_time("2026-12-06T14:08:31+0800", "zh"), report_time("2026-12-06T14:08:31", "en")
    ('2026年12月06日 14:08', '2026-12-06 14:08')
    """
    stamp = dt.datetime.fromisoformat(generated)
    return label("report.datetime", lang).format(year=stamp.year, month=stamp.month,
                                                 day=stamp.day, hour=stamp.hour,
                                                 minute=stamp.minute)


def _feature_cells(feature: dict[str, object]) -> dict[str, object]:
    """A check's feature with its areas at the report's one precision (亩 2, 公顷 4, m² 1)."""
    return {k: f"{v:,.{_CELL_DECIMALS[k]}f}" if k in _CELL_DECIMALS and isinstance(v, float)
            else v for k, v in feature.items()}


_CELL_DECIMALS = {"mu": 2, "ha": 4, "m2": 1}


def details_table(result: expansion.ExpansionResult, lang: str = "zh") -> pd.DataFrame:
    """The 明细 sheet: every check's features, one a row, headed and worded in ``lang``.

    A row names its check by title; areas carry the catalogue's area columns (面积(亩) …);
    an indicator keeps its code beside its name in ``lang``; yes/no reads 是/否.

    Examples
    --------
    >>> from gaoxin.analysis.expansion import Check, ExpansionResult
    >>> c = Check("contiguity", "pass", "near", features=[
    ...     {"part": 1, "distance_m": 0.0, "adjacent": True}])
    >>> r = ExpansionResult("pass", [c], {}, None, None)
    >>> details_table(r, "zh").to_dict("records")
    [{'检查项': '集中连片', '区块': 1, '距现有区块(m)': 0.0, '相邻': '是'}]
    """
    frame = pd.DataFrame([{"check": check_title(c, lang), **_detail_row(f, lang)}
                          for c in result.checks for f in check_features(c)])
    return frame.rename(columns={c: _detail_column(str(c), lang) for c in frame.columns})


def _detail_row(feature: dict[str, object], lang: str) -> dict[str, object]:
    """A check's feature as ``lang`` reads it: its name in ``lang`` only, yes/no as words."""
    other_names = {f"name_{other}" for other in LANGS if other != lang}
    return {key: label("yes" if value else "no", lang) if isinstance(value, bool) else value
            for key, value in feature.items() if key not in other_names}


def _detail_column(name: str, lang: str) -> str:
    if name in ("m2", "ha", "mu"):
        return column(f"area_{name}", lang)
    if name == "check":
        return label("report.check", lang)
    if name.startswith("name_"):
        return label("report.detail.name", lang)
    if f"report.detail.{name}" in LABELS:
        return label(f"report.detail.{name}", lang)
    return column(name, lang)


def _conflict_columns(lang: str) -> list[str]:
    return [column(c, lang) for c in CONFLICT_COLUMNS]


# Columns of the conflict table, one row per conflicting patch.
CONFLICT_COLUMNS = ("constraint", "patch_id", "name", "area_m2", "area_ha", "area_mu")


def write_outputs(result: expansion.ExpansionResult, summary: dict[str, object], rules: RuleSet,
                  out_dir: Path, layers: dict[str, gpd.GeoDataFrame | None], *,
                  lang: str = "zh", map_options: MapOptions | None = None,
                  inputs: Callable[[], list[FileDigest]] | None = None,
                  timings: dict[str, float] | None = None) -> dict[str, Path]:
    """conflicts.gpkg, checks.xlsx, map.html, report.html and the request as 界址点 TXT.

    ``inputs`` returns the input digests (hashed in the background); it is called last,
    just before the report, so hashing overlaps everything else.
    """
    from ..layers.boundary_txt import write_boundary_txt
    from ..maps import MapLayer, write_map
    from ..report.overview_svg import SvgLayer, overview_svg

    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    files["conflicts"] = write_geopackage(out_dir / "conflicts.gpkg",
                                          {"request": result.request, **result.conflicts})
    sheets = [label(f"sheet.{s}", lang) for s in ("checks", "conflicts", "details", "rules")]
    files["checks"] = write_excel(out_dir / "checks.xlsx", dict(zip(sheets, (
        _checks_table(result, lang), _conflict_table(result, lang, layers),
        details_table(result, lang), rules_sheet(rules, lang=lang)), strict=True)))
    req = result.request.copy()
    if "parcel_id" not in req.columns or req["parcel_id"].isna().any():
        req["parcel_id"] = [f"{i + 1}" for i in range(len(req))]
    if "name" not in req.columns:
        req["name"] = "扩区申请"
    files["txt"] = out_dir / "request_cgcs2000_gk.txt"
    write_boundary_txt(req, files["txt"], encoding="gbk")
    summary["request_area"] = request_areas(result.request, files["txt"])

    map_layers = []
    for kind in ("dev_boundary", "farmland", "redlines", "parks"):
        frame = layers.get(kind)
        if frame is not None and len(frame):
            map_layers.append(MapLayer(frame, kind=kind, show=kind != "parks"))
    map_layers.append(MapLayer(result.zone, kind="zones",
                               name=label("layer.applicant_zone", lang)))
    map_layers.append(MapLayer(result.request, kind="requests",
                               name=label("layer.requested_area", lang), highlight=True, fit=True))
    conflict_frames = [frame.assign(constraint=label(f"conflict.{key}", lang))
                       for key, frame in result.conflicts.items() if len(frame)]
    if conflict_frames:
        conflicts = gpd.GeoDataFrame(pd.concat(conflict_frames, ignore_index=True),
                                     crs=result.request.crs)
        conflicts["area_m2"] = conflicts["area_m2"].astype(float)
        columns = [c for c in ("constraint", "patch_id", "name", "area_m2")
                   if c in conflicts.columns]
        map_layers.append(MapLayer(conflicts, kind="result",
                                   name=layer_label("conflicts", lang), color_by="constraint",
                                   columns=columns,
                                   highlight=True, fit=True))
    files["map"] = write_map(map_layers, out_dir / "map.html", lang=lang,
                             title=label("title.expansion_map", lang).format(
                                 zone=summary.get("zone_name", "")),
                             **(map_options or MapOptions()).write_args())
    svg_layers = [
        *(SvgLayer.of_kind(_or_empty(layers.get(k), result.request), k, layer_label(k, lang))
          for k in ("dev_boundary", "farmland", "redlines")),
        SvgLayer.of_kind(result.zone, "zones", layer_label("zones", lang)),
        SvgLayer.of_kind(result.request, "requests", layer_label("requests", lang)),
    ]
    # Each conflict in its constraint's colour, named as the map's legend names it; the
    # broadest (outside the boundary, other zones) drawn first, the red line last, on top.
    svg_layers += [SvgLayer.of_kind(frame, f"conflicts.{key}", label(f"conflict.{key}", lang))
                   for key, frame in reversed(result.conflicts.items()) if len(frame)]
    rb = result.request.total_bounds
    pad = max(rb[2] - rb[0], rb[3] - rb[1]) * 0.35
    detail = overview_svg(svg_layers, bounds=(rb[0] - pad, rb[1] - pad, rb[2] + pad, rb[3] + pad),
                          lang=lang, title=label("title.request_detail", lang))
    zb = result.zone.total_bounds
    context = overview_svg(svg_layers, bounds=(min(zb[0], rb[0]), min(zb[1], rb[1]),
                                               max(zb[2], rb[2]), max(zb[3], rb[3])),
                           lang=lang, title=label("title.context", lang))
    svg = detail + context
    used_rules = sorted({k for c in result.checks for k in c.rules if k in rules.rules})
    if inputs is not None:
        t = time.perf_counter()
        prov = summary["provenance"]
        if isinstance(prov, dict):
            prov["inputs"] = inputs()
        if timings is not None:
            timings["wait_for_sha256_s"] = time.perf_counter() - t
    files["report"] = write_page(
        out_dir / "report.html", "expansion.html", lang=lang,
        title=label("title.expansion_report", lang), summary=summary,
        checks=_check_sections(result, lang), svg=svg,
        rules=rule_rows([rules.rules[k] for k in used_rules], lang), rule_set=rules,
        conflicts=_conflict_table(result, lang, layers).values.tolist(),
        conflict_columns=_conflict_columns(lang), points=boundary_points(files["txt"]),
        page_counter=page_counter(lang),
        working_crs=crs_text(CRS.from_user_input(result.request.crs), lang),
        constraint_rows=_constraint_rows(summary, lang),
        # the catalogue's sentence is ours; the file and key in it are shown as code
        no_edition_fix=Markup(escape(label("report.no_edition_fix", lang))).format(
            file=Markup("<code>gaoxin.toml</code>"),
            key=Markup('<code>edition = "…"</code>')),
        generated=report_time(str(cast(dict[str, object], summary["provenance"])["generated"]),
                              lang))
    return files


def request_areas(request: gpd.GeoDataFrame, txt: Path) -> dict[str, object]:
    """The request's ellipsoidal area beside the plane area its 界址点 TXT states.

    The checks measure on the CGCS2000 ellipsoid; the TXT gaoxin writes (and most requests'
    own headers) give the Gauss-Krüger plane area of the 3° zone, which the projection's
    scale error makes differ. Both are reported, labelled, so the two numbers a reviewer
    sees side by side are explained rather than contradictory.

    Parameters
    ----------
    request
        The request's polygons, in the working CRS.
    txt
        The 界址点 TXT written from ``request``; its plane area and zone are read back from it.

    Returns
    -------
    dict
        ``ellipsoidal`` and ``planar`` (each m2/ha/mu), ``difference`` (planar − ellipsoidal)
        and ``gk_zone`` (the TXT's 3° zone).
    """
    from ..layers.boundary_txt import read_boundary_txt

    written, _ = read_boundary_txt(txt)
    gk = gk_zone_of_crs(CRS.from_user_input(written.crs))
    ellipsoidal_m2 = float(ellipsoidal_area(request.geometry).sum())
    planar_m2 = float(written["planar_area_m2"].sum())
    return {"ellipsoidal": _area_figures(ellipsoidal_m2), "planar": _area_figures(planar_m2),
            "difference": _area_figures(planar_m2 - ellipsoidal_m2),
            "gk_zone": gk[1] if gk is not None else None}


def _area_figures(m2: float) -> dict[str, float]:
    return {"m2": round(m2, 2), "ha": round(float(m2_to_ha(m2)), 4),
            "mu": round(float(m2_to_mu(m2)), 4)}


def _or_empty(frame: gpd.GeoDataFrame | None, like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame if frame is not None else _empty(like)


def _empty(like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=like.crs))
