"""``gaoxin per-mu``: 亩均论英雄 indicators, scores and classes; load, run, write."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..analysis import per_mu
from ..analysis.ruleset import RuleSet
from ..geo.arrays import FloatArray
from ..layers.load import Loaded, load
from ..layers.workspace import (
    Workspace,
)
from ..layers.write import geopackage_started, output_run, write_json
from ..report.excel import write_excel
from ..report.labels import COLUMNS, LABELS, bilingual, column, label
from ..report.tables import capped_table, labelled, rules_sheet
from ._common import (
    MAX_MAP_FEATURES,
    MAX_ROWS,
    MapOptions,
    Run,
    capped_note,
    map_subset,
    provenance,
    workspace_rules,
)


def compute_per_mu(data: Loaded, rules: RuleSet, cluster: str | None = None
                   ) -> per_mu.PerMuResult:
    """The analysis on the loaded layers (:func:`gaoxin.analysis.per_mu.run`).

    With ``cluster`` (``local:N`` or ``tcp://host:port``) the parcels' areas are measured as
    one Dask task per zone; the results are the same.
    """
    parcels, enterprises = data.vector("parcels"), data.frames["enterprises"]
    if cluster is None:
        return per_mu.run(parcels, enterprises, rules)
    from .cluster import cluster_client, per_zone

    with cluster_client(cluster) as client:
        def zone_by_zone(p: gpd.GeoDataFrame) -> FloatArray:
            areas: FloatArray = per_zone(client, per_mu.parcel_mu, p, [])
            return areas

        return per_mu.run(parcels, enterprises, rules, per_parcel=zone_by_zone)


def run_per_mu(ws: Workspace, out_dir: Path, *, lang: str = "zh", offline: bool = True,
               scheme: str | None = None, basemap: str = "none", cluster: str | None = None
               ) -> Run[per_mu.PerMuResult]:
    """亩均效益 per enterprise and parcel, scored and classed per the chosen rule set.

    Every output says who was not evaluated and why (summary counts, the 未参评 sheet, their
    own class on the map) and which indicators were left out of the score and how the other
    weights were treated (summary ``not_computed``, the 说明 sheet, the map legend's notes).
    ``basemap`` is the map's (see :func:`gaoxin.maps.build_map`); ``cluster`` measures the
    parcels zone by zone on Dask.
    """
    t0 = time.perf_counter()
    rules = workspace_rules(ws, "per_mu", {"scheme": scheme} if scheme else None)
    data = load(ws, ("parcels", "enterprises"), ("zones",))
    result = compute_per_mu(data, rules, cluster)
    summary = {"command": "per-mu", **result.summary, "notes": data.notes[:50],
               "provenance": provenance([rules], data.crs, data)}
    s = result.summary
    with output_run(out_dir, command="per-mu") as stage:
        files: dict[str, Path] = {}
        parcels = result.parcels
        # Written (by a worker process when large) while the workbook and the map are made.
        with geopackage_started(stage.path / "results.gpkg",
                                {"parcels_per_mu": parcels}) as pending:
            firms = result.firms.sort_values("score", ascending=False, na_position="last")
            shown = _shown_firms(firms, s, lang)
            excluded = shown[~firms["evaluated"].to_numpy()]
            files["xlsx"] = write_excel(stage.path / "per_mu.xlsx", {
                label("sheet.summary", lang): summary_sheet(s, lang),
                label("sheet.notes", lang): notes_sheet(s, rules, lang),
                label("sheet.enterprises", lang): labelled(shown, lang, "enterprises"),
                label("sheet.not_evaluated", lang): labelled(
                    excluded[[c for c in ("enterprise_id", "name", "parcel_ids", "land_mu",
                                          "reason") if c in excluded.columns]],
                    lang, "enterprises"),
                label("sheet.parcels", lang): labelled(
                    capped_table(parcels[parcels.firms > 0], MAX_ROWS), lang, "parcels"),
                label("sheet.rules", lang): rules_sheet(rules, lang=lang)})
            from ..maps import MapLayer, write_map

            cols = [c for c in ("parcel_id", "zone_id", "main_enterprise", "class", "per_mu_tax",
                                "per_mu_revenue", "land_mu") if c in parcels.columns]
            with_firms = parcels[parcels.firms > 0].assign(
                **{"class": _class_text(parcels.loc[parcels.firms > 0], s, lang)})
            layers = []
            zones = data.frames.get("zones")
            if isinstance(zones, gpd.GeoDataFrame):
                layers.append(MapLayer(zones, kind="zones"))
            layers.append(MapLayer(with_firms[[*cols, "geometry"]], kind="result",
                                   name=label("layer.per_mu_class", lang),
                                   columns=cols, color_by="class"))
            # Without a tax column there is no 亩均税收 to colour by: the layer is left out and
            # the map's notes say why (missing_notes).
            if "per_mu_tax" in with_firms.columns and with_firms["per_mu_tax"].notna().any():
                taxed = map_subset(with_firms, MAX_MAP_FEATURES)
                layers.append(MapLayer(
                    taxed[[*cols, "geometry"]], kind="result",
                    name=label("layer.per_mu_tax", lang), columns=cols, color_by="per_mu_tax",
                    classify="quantiles", show=False,
                    note=capped_note(len(taxed), len(with_firms), lang)))
            files["map"] = write_map(layers, stage.path / "map.html", lang=lang,
                                     title=label("title.per_mu", lang).format(
                                         rule_set=scheme_name(s, lang)),
                                     notes=[*missing_notes(s, lang), *not_computed_notes(s, lang),
                                            *excluded_notes(s, lang)],
                                     **MapOptions(offline, basemap, ws.tianditu_key).write_args())
            files["gpkg"] = pending.result()
        summary["timings"] = {"total_s": round(time.perf_counter() - t0, 3)}
        files["summary"] = write_json(stage.path / "summary.json", summary)
    files = stage.published(files)
    return Run(summary, files, result, data)


def scheme_name(summary: per_mu.PerMuSummary, lang: str) -> str:
    """The scheme and its year as staff name it: 四川方案(2022).

    Examples
    --------
    >>> from gaoxin.analysis.per_mu import run
    >>> s = {"rule_set": {"scheme": "zhejiang", "year": 2023}}
    >>> scheme_name(s, "zh"), scheme_name(s, "en")  # type: ignore[arg-type]
    ('浙江方案(2023)', 'Zhejiang scheme (2023)')
    """
    rs = summary["rule_set"]
    key = f"per_mu.scheme.{rs['scheme']}"
    name = label(key, lang) if key in LABELS else rs["scheme"]
    if rs["year"] is None:
        return name
    return label("per_mu.scheme_year", lang).format(scheme=name, year=rs["year"])


def reason_text(reason: str, summary: per_mu.PerMuSummary, lang: str) -> str:
    """Why a firm is not evaluated (a key of :data:`.per_mu.EXCLUSIONS`), in ``lang``.

    Examples
    --------
    >>> s = {"rule_set": {"min_land_mu": 5.0}}
    >>> reason_text("below_min_land", s, "zh")  # type: ignore[arg-type]
    '用地不足5亩'
    """
    return label(f"per_mu.reason.{reason}", lang).format(
        min_land=summary["rule_set"]["min_land_mu"] or 0.0)


def not_computed_notes(summary: per_mu.PerMuSummary, lang: str) -> list[str]:
    """One sentence per indicator left out of the score, then how the weights were treated."""
    weights = weights_note(summary, lang)
    return [*indicator_notes(summary, lang), *([weights] if weights else [])]


def missing_notes(summary: per_mu.PerMuSummary, lang: str) -> list[str]:
    """One sentence per figure the scheme scores on that the enterprise table lacks: which
    indicators cannot be computed and the points the score loses.

    Examples
    --------
    >>> s = {"rule_set": {"scheme": "sichuan", "year": 2022}, "missing_inputs": [
    ...     {"field": "tax", "state": "no_field", "indicators": ["per_mu_tax"],
    ...      "points": 20.0}]}
    >>> print(missing_notes(s, "zh")[0])  # type: ignore[arg-type]
    企业表无「税收」列:亩均税收无法计算,四川方案(2022)评分缺其 20 分,只按其余指标折算,不是完整评分
    """
    out = []
    for item in summary.get("missing_inputs", []):
        cost = label("per_mu.missing.cost", lang).format(
            scheme=scheme_name(summary, lang), points=item["points"])
        out.append(label(f"per_mu.missing.{item['state']}", lang).format(
            field=_name(item["field"], lang, "enterprises"),
            indicators=label("per_mu.list_separator", lang).join(
                _name(k, lang) for k in item["indicators"]),
            cost=cost))
    return out


def indicator_notes(summary: per_mu.PerMuSummary, lang: str) -> list[str]:
    """One sentence per indicator left out of the score: its points and why."""
    out = []
    for item in summary["not_computed"]:
        fields = label("per_mu.separator", lang).join(
            _name(f, lang, "enterprises") for f in item["fields"])
        why = label(f"per_mu.not_computed.{item['reason']}", lang).format(fields=fields)
        out.append(label("per_mu.not_computed.item", lang).format(
            name=_name(item["indicator"], lang), points=item["points"], why=why))
    return out


def weights_note(summary: per_mu.PerMuSummary, lang: str) -> str | None:
    """How the other weights were treated when an indicator was left out (None: none was)."""
    points = summary["score_points"]
    if points["treatment"] != "renormalised":
        return None
    return label("per_mu.renormalised", lang).format(
        computed=points["computed"], total=points["total"], scale=points["scale"])


def _name(key: str, lang: str, rows: str | None = None) -> str:
    """A column's name in ``lang`` without its unit, as a sentence names it."""
    entry = COLUMNS.get(f"{rows}.{key}") or COLUMNS.get(key)
    return bilingual(entry[0], entry[1], lang) if entry else key


def excluded_notes(summary: per_mu.PerMuSummary, lang: str) -> list[str]:
    """The exclusion rule of the scheme and where the firms it kept out are listed."""
    out = []
    min_land = summary["rule_set"]["min_land_mu"]
    if min_land:
        out.append(label("per_mu.excluded_rule", lang).format(min_land=min_land))
    if summary["not_evaluated"]:
        out.append(label("per_mu.excluded_list", lang).format(
            n=summary["not_evaluated"], sheet=label("sheet.not_evaluated", lang)))
    return out


def summary_lines(summary: per_mu.PerMuSummary, lang: str) -> list[str]:
    """What the command prints: the scheme, the counts by reason and class, what was left out.

    Examples
    --------
    >>> s = {"rule_set": {"scheme": "sichuan", "year": 2022, "min_land_mu": None},
    ...      "enterprises": 3, "evaluated": 2, "not_evaluated": 1,
    ...      "not_evaluated_by_reason": {"no_land": 1, "below_min_land": 0},
    ...      "classes": {"A": 1, "B": 0, "C": 1, "D": 0},
    ...      "class_shares_pct": {"A": 50.0, "B": 0.0, "C": 50.0, "D": 0.0},
    ...      "not_computed": [], "score_points": {"treatment": "full"}}
    >>> print("\\n".join(summary_lines(s, "zh")))  # type: ignore[arg-type]
    亩均论英雄评价 — 四川方案(2022)
    企业 3 家:参评 2 家,未参评 1 家(无用地面积 1 家)
    分类:A 类 1 家(50.0%),B 类 0 家(0.0%),C 类 1 家(50.0%),D 类 0 家(0.0%)
    """
    sep = label("per_mu.separator", lang)
    reasons = sep.join(
        label("per_mu.terminal.reason_item", lang).format(
            reason=reason_text(r, summary, lang), n=n)
        for r, n in summary["not_evaluated_by_reason"].items() if n)
    counts = label("per_mu.terminal.counts", lang).format(
        total=summary["enterprises"], evaluated=summary["evaluated"],
        excluded=summary["not_evaluated"],
        reasons=label("per_mu.terminal.reasons", lang).format(items=reasons) if reasons else "")
    classes = sep.join(
        label("per_mu.terminal.class_item", lang).format(
            c=c, n=summary["classes"][c], pct=_pct(summary["class_shares_pct"][c]))
        for c in per_mu.CLASSES)
    return [label("title.per_mu", lang).format(rule_set=scheme_name(summary, lang)),
            *missing_notes(summary, lang), counts,
            label("per_mu.terminal.classes", lang).format(items=classes),
            *not_computed_notes(summary, lang)]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def summary_sheet(summary: per_mu.PerMuSummary, lang: str) -> pd.DataFrame:
    """The 汇总 sheet: scheme, counts of firms evaluated, not evaluated by reason and by class
    (with the share of the evaluated as a percentage), indicators not computed."""
    item, firms, share, note = (label("per_mu.item", lang), column("firms", lang),
                                column("class_share", lang), label("per_mu.note", lang))
    rs = summary["rule_set"]
    shares = summary["class_shares_pct"]
    rows: list[dict[str, object]] = [
        {item: label("per_mu.rule_set", lang),
         note: label("per_mu.rule_version", lang).format(scheme=scheme_name(summary, lang),
                                                         version=rs["version"])},
        {item: label("per_mu.enterprises", lang), firms: summary["enterprises"]},
        {item: label("per_mu.evaluated", lang), firms: summary["evaluated"]},
        {item: label("per_mu.not_evaluated", lang), firms: summary["not_evaluated"]},
    ]
    rows += [{item: label("per_mu.not_evaluated_because", lang).format(
                  reason=reason_text(r, summary, lang)), firms: n}
             for r, n in summary["not_evaluated_by_reason"].items() if n]
    # Shares stored as fractions: the workbook shows them as percentages (25.0%).
    rows += [{item: label("per_mu.class", lang).format(c=c), firms: summary["classes"][c],
              share: None if (pct := shares[c]) is None else pct / 100.0}
             for c in per_mu.CLASSES]
    rows += [{item: label("per_mu.missing", lang), note: text}
             for text in missing_notes(summary, lang)]
    rows += [{item: label("per_mu.not_computed", lang), note: text}
             for text in indicator_notes(summary, lang)]
    weights = weights_note(summary, lang)
    if weights:
        rows.append({item: label("per_mu.weights", lang), note: weights})
    return pd.DataFrame(rows, columns=[item, firms, share, note])


def notes_sheet(summary: per_mu.PerMuSummary, rules: RuleSet, lang: str) -> pd.DataFrame:
    """The 说明 sheet: every indicator left out and why, the weights' treatment, the exclusion
    rule with its source, where the firms not evaluated are listed."""
    notes = [*missing_notes(summary, lang), *not_computed_notes(summary, lang),
             *excluded_notes(summary, lang)]
    key = f"{summary['rule_set']['scheme']}.min_land_mu"
    if summary["rule_set"]["min_land_mu"] and key in rules.rules:
        notes.append(label("per_mu.source", lang).format(source=rules.rules[key].source))
    return pd.DataFrame({label("per_mu.note", lang): notes}, dtype=object)


def _shown_firms(firms: pd.DataFrame, summary: per_mu.PerMuSummary,
                 lang: str) -> pd.DataFrame:
    """The firms as the workbook shows them: class and reason in words of ``lang``."""
    out = firms.copy()
    out["reason"] = [reason_text(r, summary, lang) if r else None for r in out["reason"]]
    out["class"] = out["class"].replace({per_mu.NOT_EVALUATED: label("per_mu.not_evaluated",
                                                                     lang)})
    return out


def _class_text(parcels: pd.DataFrame, summary: per_mu.PerMuSummary, lang: str) -> list[str]:
    """A parcel's class as the map shows it; a parcel whose main firm is not evaluated reads
    未参评(用地不足5亩), one class per reason, so these parcels do not vanish."""
    reasons = parcels["reason"] if "reason" in parcels.columns else pd.Series(
        "", index=parcels.index)
    return [label("per_mu.not_evaluated_because", lang).format(
                reason=reason_text(str(r), summary, lang)) if c == per_mu.NOT_EVALUATED
            else str(c) for c, r in zip(parcels["class"], reasons, strict=True)]
