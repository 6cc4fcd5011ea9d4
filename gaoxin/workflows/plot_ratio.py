"""``gaoxin plot-ratio``: 容积率 and 建筑系数 per parcel and zone; load, run, write."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis import plot_ratio as pr
from ..analysis.ruleset import RuleSet
from ..layers.load import Loaded, load
from ..layers.workspace import (
    Workspace,
)
from ..layers.write import geopackage_started, output_run, write_json
from ..report.excel import write_excel
from ..report.labels import label
from ..report.tables import capped_table, labelled, minimum_table_sheet, rules_sheet
from ._common import (
    MAX_MAP_FEATURES,
    MAX_ROWS,
    MapOptions,
    Run,
    capped_note,
    import_in_background,
    map_subset,
    phase_timings,
    provenance,
    with_zone_names,
    workspace_rules,
)


def check_count_text(check: str, counts: pr.CheckCounts, lang: str) -> str:
    """One check's counts as one line: total, compared, passed, failed, not comparable, why.

    The terminal, the workbook's summary sheet and the map legend all print this line.

    Examples
    --------
    >>> counts: pr.CheckCounts = {"total": 10, "compared": 4, "passed": 1, "failed": 3,
    ...                           "not_comparable": {"unbuilt": 5, "no_industry_code": 1}}
    >>> check_count_text("far_min", counts, "en")  # doctest: +NORMALIZE_WHITESPACE
    'Minimum plot ratio: 10 industrial parcels, 4 compared, 1 pass, 3 fail (75 % of compared);
     6 not comparable (unbuilt / not applicable 5, no industry code 1)'
    """
    reasons = counts["not_comparable"]
    items = _reasons_text(reasons, lang)
    failed_pct = (label("pr_check.failed_pct", lang).format(
        pct=100.0 * counts["failed"] / counts["compared"]) if counts["compared"] else "")
    return label("pr_check.counts", lang).format(
        check=label(f"pr_check.{check}", lang), total=counts["total"],
        compared=counts["compared"], passed=counts["passed"], failed=counts["failed"],
        failed_pct=failed_pct, not_comparable=sum(reasons.values()),
        reasons=label("pr_check.reasons", lang).format(items=items) if items else "")


def _reasons_text(reasons: dict[str, int], lang: str) -> str:
    """Why parcels were not compared, with counts: ``无行业代码 1,315,未建/不适用 787``."""
    return label("pr_check.separator", lang).join(
        label("pr_check.reason_item", lang).format(reason=label(f"pr_reason.{r}", lang), n=n)
        for r, n in reasons.items())


def check_counts_sheet(checks: dict[str, pr.CheckCounts], lang: str) -> pd.DataFrame:
    """The workbook's check-count sheet: one row per check, the same figures as the terminal."""
    rows = []
    for check, c in checks.items():
        reasons = _reasons_text(c["not_comparable"], lang)
        rows.append({"check": label(f"pr_check.{check}", lang), "total": c["total"],
                     "compared": c["compared"], "passed": c["passed"], "failed": c["failed"],
                     "failed_pct": (round(100.0 * c["failed"] / c["compared"], 1)
                                    if c["compared"] else None),
                     "not_comparable": sum(c["not_comparable"].values()), "reasons": reasons})
    return labelled(pd.DataFrame(rows), lang, "check_counts")


Frame = TypeVar("Frame", pd.DataFrame, gpd.GeoDataFrame)

def _check_words(frame: Frame, lang: str) -> Frame:
    """``frame`` with the checks' status and reason codes in words of ``lang``."""
    out = frame.copy()
    for _, prefix in pr.CHECKS:
        for col, group in ((f"{prefix}_status", "pr_status"), (f"{prefix}_reason", "pr_reason")):
            if col in out.columns:
                out[col] = _in_words(out[col], group, lang)
    return out


def _in_words(codes: pd.Series, group: str, lang: str) -> pd.Series:
    """A check's codes (a few distinct ones in up to 1M rows) as words: each distinct code
    looked up once; Arrow-backed text is recoded in Arrow (``Series.map`` of a dict made
    1M Python strings, 0.12 s a column), else mapped. Missing codes stay missing.

    Examples
    --------
    >>> _in_words(pd.Series(["pass", "", None, "fail"], dtype="str"), "pr_status", "zh"
    ...           ).tolist()
    ['达标', '', nan, '不达标']
    """
    import pyarrow as pa

    position, distinct = pd.factorize(codes)
    words = [label(f"{group}.{v}", lang) if v else "" for v in distinct.tolist()]
    if not isinstance(codes.array, pd.arrays.ArrowStringArray) or not words:
        # (``map`` makes a column of nothing but missing codes float: so does this.)
        return codes.map(dict(zip(distinct.tolist(), words, strict=True)))
    recoded = pa.array(words, type=pa.large_string()).take(
        pa.array(position, mask=position < 0))
    # pandas-stubs lack the ``dtype`` pandas 3 takes (NaN, not NA, for missing text).
    text = pd.arrays.ArrowStringArray(recoded, dtype=codes.dtype)  # type: ignore[call-arg]
    return pd.Series(text,
                     index=codes.index, name=codes.name)


def compute_plot_ratio(data: Loaded, rules: RuleSet, cluster: str | None = None,
                       ws: Workspace | None = None) -> pr.PlotRatioResult:
    """The analysis on the loaded layers (:func:`gaoxin.analysis.plot_ratio.run`).

    With ``cluster`` (``local:N`` or ``tcp://host:port``) the per-parcel kernel runs as one
    Dask task per zone (:mod:`.cluster`); the results are the same. Given ``ws``, tasks read
    their zone's buildings from the source by bbox where it allows (GeoPackage, GeoParquet,
    PostGIS) instead of getting a slice of the loaded frame.
    """
    parcels, buildings = data.vector("parcels"), data.vector("buildings")
    if cluster is None:
        return pr.run(parcels, buildings, data.table("enterprises"), rules)
    from .cluster import cluster_client, per_zone, source_windows

    sources = source_windows(ws.layers, ("buildings",), data.source_crs,
                             data.crs) if ws is not None else {}
    with cluster_client(cluster) as client:
        def zone_by_zone(p: gpd.GeoDataFrame, b: gpd.GeoDataFrame, r: RuleSet | None
                         ) -> pd.DataFrame:
            frame: pd.DataFrame = per_zone(client, pr.plot_ratio, p,
                                           [sources.get("buildings", b)], r)
            return frame

        return pr.run(parcels, buildings, data.table("enterprises"), rules,
                      per_parcel=zone_by_zone)


def run_plot_ratio(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
                   standard: str | None = None, max_rows: int = MAX_ROWS,
                   max_map_features: int = MAX_MAP_FEATURES,
                   basemap: str = "none", cluster: str | None = None
                   ) -> Run[pr.PlotRatioResult]:
    """容积率 / 建筑系数 per parcel and zone; industrial parcels against the control table.

    ``basemap`` is the map's (see :func:`gaoxin.maps.build_map`); a 天地图 key comes from
    the workspace. ``cluster`` runs the per-parcel kernel zone by zone on Dask.
    """
    t0 = time.perf_counter()
    rules = workspace_rules(ws, "plot_ratio", {"control.standard": standard} if standard else None)
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones", "parks"))
    t1 = time.perf_counter()
    import_in_background("gaoxin.maps")
    result = compute_plot_ratio(data, rules, cluster, ws)
    # Outputs are of parcels: the buildings' shapes go before the write phase's copies come.
    data.release_geometries("buildings")
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
        # The GeoPackage is written (by a worker process when large: GDAL's writer holds
        # the GIL) while the workbook and the map are made.
        with geopackage_started(stage.path / "results.gpkg",
                                {"parcels_plot_ratio": result.parcels}) as gpkg:
            files["xlsx"], attention = _plot_ratio_workbook(result, data, rules, stage.path,
                                                            lang, max_rows)
            files["map"] = _plot_ratio_map(
                result, attention, data, rules, stage.path / "map.html", lang,
                MapOptions(offline, basemap, ws.tianditu_key, max_map_features))
            files["gpkg"] = gpkg.result()
        t3 = time.perf_counter()
        summary["timings"] = phase_timings(t0, t1, t2, t3)
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


def _plot_ratio_workbook(result: pr.PlotRatioResult, data: Loaded, rules: RuleSet,
                         out_dir: Path, lang: str, max_rows: int
                         ) -> tuple[Path, gpd.GeoDataFrame]:
    """Write plot_ratio.xlsx; return it and the parcels needing attention (for the map)."""
    out, below, unknown = result.parcels, result.below_minimum, result.not_computable
    problems = result.data_problems
    attention = pd.concat([below, unknown, problems]).drop_duplicates(
        subset=None if "parcel_id" not in out else ["parcel_id"])

    notes: list[str] = []
    layer = "parcels_plot_ratio"

    def parcels_sheet(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
        if len(frame) > max_rows:   # a workbook says what it leaves out, and where it is
            notes.append(label("xlsx.capped", lang).format(
                sheet=sheet, shown=max_rows, total=len(frame), layer=layer, file="results.gpkg"))
        return labelled(_check_words(capped_table(frame, max_rows), lang), lang, "parcels")

    sheets = {
        label("sheet.check_counts", lang): check_counts_sheet(result.summary["checks"], lang),
        label("sheet.zones", lang): labelled(with_zone_names(result.zones.reset_index(), data),
                                             lang, "zones"),
        label("sheet.below_minimum", lang): parcels_sheet(below.sort_values("plot_ratio"),
                                                          label("sheet.below_minimum", lang)),
        label("sheet.data_problems", lang): parcels_sheet(problems,
                                                          label("sheet.data_problems", lang)),
        label("sheet.not_computable", lang): parcels_sheet(unknown,
                                                           label("sheet.not_computable", lang)),
        label("sheet.minimum_table", lang): minimum_table_sheet(pr.min_plot_ratio_table(rules),
                                                                lang),
        label("sheet.rules", lang): rules_sheet(rules, lang=lang),
    }
    if len(out) <= max_rows:
        sheets[label("sheet.all_parcels", lang)] = parcels_sheet(out, "")
    else:
        notes.append(label("xlsx.omitted", lang).format(total=len(out), cap=max_rows,
                                                        layer=layer, file="results.gpkg"))
    if notes:
        sheets[label("sheet.notes", lang)] = labelled(pd.DataFrame({"note": notes}), lang,
                                                      "notes")
    return write_excel(out_dir / "plot_ratio.xlsx", sheets), attention


def plot_ratio_applies(parcels: pd.DataFrame, rules: RuleSet) -> pd.Series:
    """Parcels a plot ratio means something on: not unbuilt, not roads or green space.

    Parcels without a land-status code keep their plot ratio (nothing says they are unbuilt).

    Examples
    --------
    >>> from gaoxin.analysis.ruleset import load_ruleset
    >>> p = pd.DataFrame({"status": ["A2", "E21", "A31", "A51", None, "G"]})
    >>> plot_ratio_applies(p, load_ruleset("plot_ratio")).tolist()
    [True, False, False, False, True, False]
    """
    if "status" not in parcels.columns:
        return pd.Series(True, index=parcels.index)
    excluded = {*rules.texts("status.unbuilt_codes", []),
                *rules.texts("status.no_plot_ratio_codes", [])}
    code = parcels["status"].astype(object).map(
        lambda v: "" if v is None or v != v else str(v).strip().upper())
    return ~code.isin(excluded)


def _plot_ratio_map(result: pr.PlotRatioResult, attention: gpd.GeoDataFrame, data: Loaded,
                    rules: RuleSet, path: Path, lang: str, options: MapOptions) -> Path:
    from ..maps import MapLayer, write_map

    limit = options.max_features
    out = result.parcels
    layers = []
    zones = data.frames.get("zones")
    if isinstance(zones, gpd.GeoDataFrame) and len(zones):
        layers.append(MapLayer(zones, kind="zones", show=True))
    cols = [c for c in ("parcel_id", "zone_id", "status", "plot_ratio", "building_coverage",
                        "far_min", "industry_code", "far_status", "far_reason",
                        "coefficient_status", "coefficient_reason") if c in out.columns]
    shown = [*cols, "geometry"]
    applies = plot_ratio_applies(out, rules).to_numpy()
    # Rows are taken by position and only where some go: a boolean mask copies every column
    # of the 1M-row layer even when it keeps every row.
    built = out[shown] if applies.all() else out[shown].iloc[np.flatnonzero(applies)]
    # Every parcel (a big layer is drawn in chunks). Layer names stay short (the layer
    # control lists them); what they hold, with counts, is each layer's note in the legend.
    layers.append(MapLayer(_check_words(built, lang), kind="result",
                           name=label("layer.built_plot_ratio", lang),
                           columns=cols, color_by="plot_ratio",
                           classify="thresholds", thresholds=[0.5, 0.8, 1.0, 1.5, 2.0, 3.0]))
    if not applies.all():
        rest = out[shown].iloc[np.flatnonzero(~applies)]
        layers.append(MapLayer(_check_words(rest, lang),
                               kind=None, columns=cols, show=True,
                               name=label("layer.not_applicable", lang),
                               note=label("layer.not_applicable_note", lang).format(
                                   n=len(rest))))
    for check, prefix in pr.CHECKS:
        counts = result.summary["checks"][check]
        if not counts["compared"]:
            continue
        # The first ``limit`` industrial parcels, as ``map_subset`` takes them, found by
        # position before any of the layer's rows is copied.
        industrial = np.flatnonzero((out[f"{prefix}_status"] != "").to_numpy())
        subset = map_subset(out.iloc[industrial[:limit]], limit)
        classes = np.where(subset[f"{prefix}_reason"] == "unbuilt", "unbuilt",
                           subset[f"{prefix}_status"].to_numpy())
        frame = _check_words(subset[shown], lang).assign(
            check_class=[label(f"pr_status.{c}", lang) for c in classes])
        layers.append(MapLayer(frame, kind="result", columns=cols, show=False,
                               name=label(f"layer.check.{check}", lang),
                               note=capped_note(len(subset), len(industrial), lang,
                                                check_count_text(check, counts, lang)),
                               color_by="check_class"))
    if len(attention):
        a = map_subset(attention, limit)
        layers.append(MapLayer(_check_words(a[shown], lang), kind="result",
                               columns=cols, name=label("layer.parcels_to_check", lang),
                               note=capped_note(len(a), len(attention), lang),
                               highlight=True, show=False))
    return write_map(layers, path, lang=lang, title=label("title.plot_ratio", lang),
                     **options.write_args())
