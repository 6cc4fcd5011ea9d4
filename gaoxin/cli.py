"""The ``gaoxin`` command line: parse, call, report. No analysis logic lives here.

Exit codes: 0 done; 1 a failing verdict with ``--strict``; 2 bad input or usage (one clear
message, no traceback unless ``--debug``); 3 an internal error.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ._version import __version__
from .errors import InputError
from .layers import DEFAULT_WORKSPACE
from .process import collector_paused, keep_heap_pages

if TYPE_CHECKING:  # heavy libraries load inside the commands: `gaoxin --help` stays instant
    import pandas as pd
    from pyproj import CRS

    from .layers.workspace import LayerSource

app = typer.Typer(
    name="gaoxin",
    help="Land analysis for China's high-tech development zones (高新区) and nearby parks.\n\n"
    "Every command that reads a workspace takes --workspace PATH (default ./gaoxin.toml). "
    "Areas are ellipsoidal (CGCS2000), in m², 公顷 and 亩.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
# User text (file, layer and field names, values) is never console markup: a file named
# `no[/x]such.gpkg` is printed as it is. Styling is applied only through `Text` objects.
out = Console(markup=False, highlight=False)
err = Console(stderr=True, markup=False, highlight=False)


def _note(line: str, where: str | None = None, lang: str = "zh") -> None:
    """Print one note (a fix or a warning about the input) to stderr."""
    from .report.labels import label

    err.print(Text.assemble((label("cli.note", lang), "yellow"),
                            f" {where}: " if where else ": ", line), soft_wrap=True)


def _crs_text(crs: CRS | None, lang: str) -> str:
    """A CRS as the terminal names it in ``lang``: the one naming every page uses
    (:func:`gaoxin.report.html.crs_text`, built from pyproj's facts)."""
    from .report.html import crs_text

    return crs_text(crs, lang)


def _described_crs_text(text: str, lang: str) -> str:
    """A CRS described as ``EPSG:4544 (name)`` (as the workspace check records it) in
    ``lang``; text naming no EPSG code stays as it is."""
    from pyproj import CRS

    code = re.match(r"EPSG:(\d+)\b", text)
    return _crs_text(CRS.from_epsg(int(code.group(1))), lang) if code else text


def _encoding_text(text: str, lang: str) -> str:
    """An encoding as the workspace check records it, ``gb18030 (heuristic)``, in ``lang``."""
    from .report.labels import LABELS, label

    found = re.fullmatch(r"(.+) \((\w+)\)", text)
    if found is None or f"encoding_how.{found.group(2)}" not in LABELS:
        return text
    return f"{found.group(1)} ({label(f'encoding_how.{found.group(2)}', lang)})"


def _wrote_outputs(folder: Path, files: tuple[str, ...], lang: str,
                   seconds: object = None) -> str:
    from .report.labels import label

    names = label("cli.file_separator", lang).join(files)
    if seconds is None:
        return label("cli.wrote_outputs_untimed", lang).format(folder=folder, files=names)
    return label("cli.wrote_outputs", lang).format(folder=folder, files=names, seconds=seconds)


def _error(label: str, message: str) -> None:
    err.print(Text.assemble((label, "bold red"), ": ", message), soft_wrap=True)

_STATE = {"debug": False}

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace TOML file.", show_default=True)
]
LangOpt = Annotated[str, typer.Option(help="Language of maps and reports: zh | en.")]
OfflineOpt = Annotated[bool, typer.Option(
    "--offline/--online", help="Self-contained HTML (default) or load JavaScript from CDNs.")]
BASEMAPS = ("tianditu", "osm", "amap", "none")
BasemapOpt = Annotated[str, typer.Option(
    help="Basemap of the map: tianditu | osm | amap | none (default: none, no tiles, works "
         "offline).")]


def _basemap_ok(basemap: str, tianditu_key: str | None) -> None:
    """Refuse an unknown basemap, or 天地图 without a key, before any analysis runs."""
    if basemap not in BASEMAPS:
        raise InputError(f"unknown basemap {basemap!r}", fix=f"use {', '.join(BASEMAPS)}")
    if basemap == "tianditu":
        from .maps.basemaps import tianditu_key as key_of

        key_of(tianditu_key)


def _lang_ok(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise InputError(f"unknown language {lang!r}", fix="use zh or en")


def _version(value: bool) -> None:
    if value:
        out.print(f"gaoxin {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[bool | None, typer.Option("--version", callback=_version,
                                                 is_eager=True, help="Print the version.")] = None,
) -> None:
    _STATE["debug"] = debug


# ---------------------------------------------------------------- init / check


@app.command()
def init(
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    name: Annotated[str, typer.Option(help="Workspace name.")] = "我的高新区",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    lang: LangOpt = "zh",
) -> None:
    """Write a commented workspace template (gaoxin.toml)."""
    from .layers.workspace import init_template
    from .layers.write import write_text
    from .report.labels import label

    _lang_ok(lang)
    if workspace.exists() and not force:
        raise InputError("already exists", file=workspace,
                         fix="use --force to overwrite, or choose another --workspace path")
    write_text(workspace, init_template(name))
    out.print(label("cli.init_done", lang).format(path=workspace, option="-w"))


_STATUS_STYLE = {"ok": "green", "fixed": "yellow", "warning": "dark_orange", "refused": "bold red"}


@app.command()
def check(
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    json_out: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    lang: LangOpt = "zh",
) -> None:
    """Validate every layer of a workspace: what was found, fixed and refused.

    Exits 2 when a layer is refused (a blocking problem).
    """
    from .layers.workspace import load_workspace
    from .report.labels import bilingual, label
    from .workflows.check import check_rows, field_lines, kind_of

    _lang_ok(lang)
    ws = load_workspace(workspace)
    rows, blocking = check_rows(ws)
    if json_out:
        out.print_json(json.dumps({"workspace": str(ws.path), "blocking": blocking,
                                   "layers": rows}, ensure_ascii=False, default=str))
    else:
        table = Table(title=label("cli.check_title", lang).format(name=ws.name),
                      show_lines=False)
        for key in ("layer", "status", "features", "crs_short", "encoding", "notes"):
            table.add_column(label(f"check.{key}", lang), overflow="fold")
        for r in rows:
            status = str(r["status"])
            name = bilingual(str(r["label_zh"]), str(r["label_en"]), lang)
            # The key the workspace file gives the layer ([layers.zones]) or the request.
            key = str(r["kind"]).removeprefix("request ")
            table.add_row(f"{name} ({key})",
                          Text(label(f"check.{status}", lang), style=_STATUS_STYLE[status]),
                          str(r["features"]), _described_crs_text(str(r["crs"]), lang),
                          _encoding_text(str(r["encoding"]), lang), str(r["notes"]))
        out.print(table)
        # Below the table: one paragraph per layer would make each row pages long.
        out.print(label("check.fields", lang))
        for r in rows:
            lines = field_lines(kind_of(str(r["kind"])), r.get("fields"), lang)
            if lines:
                name = bilingual(str(r["label_zh"]), str(r["label_en"]), lang)
                out.print(label("check.fields_of", lang).format(
                    layer=name, fields=label("check.fields_separator", lang).join(lines)))
    if blocking:
        err.print(Text(label("check.verdict_bad", lang), style="bold red"))
        raise typer.Exit(2)


# ---------------------------------------------------------------- area


@app.command()
def area(
    file: Annotated[Path, typer.Argument(help="Any supported vector file or 界址点 TXT.")],
    by: Annotated[str | None, typer.Option(help="Field naming each feature.")] = None,
    crs: Annotated[str | None, typer.Option(
        help="Declare the file's CRS (EPSG code, cgcs2000, gk35, gcj02, bd09).")] = None,
    layer: Annotated[str | None, typer.Option(help="Layer of a multi-layer file.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Shapefile text encoding.")] = None,
    planar: Annotated[bool, typer.Option(
        help="Also give the planar Gauss-Krüger area (labelled), as a TXT header states it.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    table_out: Annotated[Path | None, typer.Option("--out",
                                                   help="Write the table (.xlsx or .csv).")] = None,
    close_rings: Annotated[bool, typer.Option(help="TXT: close unclosed rings.")] = False,
    lang: LangOpt = "zh",
) -> None:
    """Area of each feature in m², 公顷 and 亩, correct in any CRS (ellipsoidal, CGCS2000).

    A 界址点 TXT's rows carry each parcel's 地块编号 and 地块名称 from its parcel header.
    """
    from .report.labels import label
    from .workflows.area import run_area, write_area_table

    _lang_ok(lang)
    run = run_area(file, by=by, crs=crs, layer=layer, encoding=encoding, planar=planar,
                   close_rings=close_rings)
    for line in run.notes:
        _note(line, lang=lang)
    if json_out:
        records = json.loads(run.table.to_json(orient="records", force_ascii=False))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    else:
        _print_area_table(run.table, run.key, file, _crs_text(run.crs, lang), lang,
                          from_txt=run.from_txt)
    if table_out is not None:
        write_area_table(run.table, table_out, key=run.key, lang=lang, from_txt=run.from_txt)
        err.print(label("cli.wrote", lang).format(path=table_out))


# Decimals of the area columns as staff read them: 亩 2, 公顷 4, m² 2.
_AREA_DECIMALS = {"planar_area_m2": 2, "area_m2": 2, "area_ha": 4, "area_mu": 2}


def _print_area_table(result: pd.DataFrame, key: str, file: Path, crs: str, lang: str, *,
                      from_txt: bool) -> None:
    from .report.labels import label
    from .workflows.area import area_headers

    headers = area_headers(result, key, lang, from_txt=from_txt)
    table = Table(title=label("cli.area_title", lang).format(file=file.name, crs=crs))
    labels = [c for c in result.columns if c not in _AREA_DECIMALS]
    cols = [c for c in _AREA_DECIMALS if c in result]
    for c in labels:
        table.add_column(headers[c])
    for c in cols:
        table.add_column(headers[c], justify="right")
    # Records keep each column's type: an integer row number prints as 0, not 0.0.
    for row in result.head(200).to_dict("records"):
        table.add_row(*(str(row[c]) for c in labels),
                      *(f"{row[c]:,.{_AREA_DECIMALS[c]}f}" for c in cols))
    if len(result) > 200:
        table.add_row(label("cli.more_rows", lang).format(n=len(result) - 200),
                      *([""] * (len(labels) + len(cols) - 1)))
    table.add_row(Text(label("cli.total", lang), style="bold"), *([""] * (len(labels) - 1)),
                  *(Text(f"{result[c].sum():,.{_AREA_DECIMALS[c]}f}", style="bold")
                    for c in cols))
    out.print(table)


# ---------------------------------------------------------------- convert


@app.command()
def convert(
    src: Annotated[Path, typer.Argument(help="Input file (any supported format, TXT too).")],
    dst: Annotated[Path, typer.Argument(
        help="Output file; format from the suffix: .gpkg .shp .zip .geojson .kml .fgb .gdb "
             ".parquet .csv .xlsx .txt (界址点坐标, GBK).")],
    crs: Annotated[str | None, typer.Option(
        "--crs",
        help="Declare the input's CRS (needed when it has none; gcj02/bd09 are converted).")
    ] = None,
    from_crs: Annotated[str | None, typer.Option(
        "--from-crs", hidden=True, help="Old name of --crs (still works).")] = None,
    to_crs: Annotated[str | None, typer.Option(
        help="Output CRS: EPSG code, cgcs2000, gk35, gcj02 or bd09.")] = None,
    layer: Annotated[str | None, typer.Option(help="Input layer.")] = None,
    out_layer: Annotated[str | None, typer.Option(help="Output layer name.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Input Shapefile/TXT encoding.")] = None,
    out_encoding: Annotated[str | None, typer.Option(
        help="Output encoding for .shp (default UTF-8 with .cpg) or .txt (default GBK).")
    ] = None,
    close_rings: Annotated[bool, typer.Option(help="TXT input: close unclosed rings.")] = False,
    lang: LangOpt = "zh",
) -> None:
    """Convert between formats and CRSs, 界址点坐标 TXT, GCJ-02 and BD-09 included."""
    from .report.labels import label
    from .workflows.convert import run_convert

    _lang_ok(lang)
    crs = _renamed_option(crs, from_crs, "--crs", "--from-crs", lang)
    run = run_convert(src, dst, crs=crs, to_crs=to_crs, layer=layer,
                      out_layer=out_layer, encoding=encoding, out_encoding=out_encoding,
                      close_rings=close_rings, lang=lang)
    for line in run.notes:
        _note(line, lang=lang)
    out.print(label("cli.wrote_features", lang).format(n=len(run.frame), path=dst,
                                                       crs=_crs_text(run.crs, lang)))


def _renamed_option(value: str | None, old_value: str | None, name: str, old_name: str,
                    lang: str) -> str | None:
    """The value of an option given under its name or its old one (which still works, with
    a note); both, differing, is a usage error."""
    from .report.labels import label

    if old_value is None:
        return value
    if value is not None and value != old_value:
        raise InputError(f"{name} {value} and {old_name} {old_value} disagree",
                         fix=f"give {name} only ({old_name} is its old name)")
    _note(label("cli.deprecated_option", lang).format(old=old_name, new=name), lang=lang)
    return old_value


# ---------------------------------------------------------------- map


@app.command("map")
def map_(
    files: Annotated[list[Path], typer.Argument(help="Vector files to show (any format).")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Output HTML.")] = Path("map.html"),
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
    lang: LangOpt = "zh",
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    crs: Annotated[str | None, typer.Option(help="Declare the files' CRS.")] = None,
    title: Annotated[str | None, typer.Option(help="Map title.")] = None,
) -> None:
    """Draw any layers on one interactive map (one self-contained HTML file)."""
    from .geo.hygiene import repair_geometries
    from .layers.load import load_vector_layer
    from .layers.read import read_source
    from .maps import MapLayer, write_map
    from .report.labels import label
    from .workflows.area import require_geometry

    _lang_ok(lang)
    sources, key = _workspace_sources(workspace)
    _basemap_ok(basemap, key)
    layers = []
    for f in files:
        source = sources.get(f.resolve())
        if source is not None and crs is None:
            loaded = load_vector_layer(source, source.kind)
            gdf, kind, notes = loaded.geo, source.kind, loaded.report.warnings
        else:
            gdf, report = read_source(f, crs=crs)
            gdf, repair = repair_geometries(gdf)
            kind, notes = None, report.warnings + repair.lines()
        require_geometry(gdf, f, notes)
        for line in notes:
            _note(line, f.name, lang)
        layers.append(MapLayer(gdf, kind=kind, name=None if kind else f.stem))
    path = write_map(layers, out_path, offline=offline, basemap=basemap, lang=lang, title=title,
                     tianditu_key=key or os.environ.get("TIANDITU_KEY"))
    out.print(label("cli.wrote", lang).format(path=path))


def _workspace_sources(workspace: Path) -> tuple[dict[Path, LayerSource], str | None]:
    """Workspace layers by resolved path, so a file the workspace knows is styled by kind."""
    from .layers.workspace import load_workspace

    if not workspace.exists():
        return {}, None
    ws = load_workspace(workspace)
    sources = {src.path.resolve(): src for src in ws.layers.values()
               if src.kind != "dem" and src.kind != "enterprises"}
    return sources, ws.tianditu_key


# ---------------------------------------------------------------- expansion


@app.command()
def expansion(
    request: Annotated[Path, typer.Argument(
        help="The requested boundary: any supported vector file or 界址点坐标 TXT.")],
    zone: Annotated[str, typer.Option("--zone", help="zone_id of the applicant zone.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(
        "expansion_out"),
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    crs: Annotated[str | None, typer.Option(help="Declare the request's CRS.")] = None,
    encoding: Annotated[str | None, typer.Option(help="The request's text encoding.")] = None,
    close_rings: Annotated[bool, typer.Option(help="TXT: close unclosed rings.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 when the verdict is fail.")] = False,
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
) -> None:
    """扩区审核: check an expansion request against the 三区三线 and the zone's record.

    Writes summary.json, conflicts.gpkg, checks.xlsx, map.html, report.html and the request
    as 界址点坐标 TXT (CGCS2000 Gauss-Krüger with zone prefix) to --out.
    """
    from .layers.provenance import digests_in_background, workspace_paths

    _lang_ok(lang)
    # Hash the inputs for provenance while the heavy libraries load and the checks run:
    # a province-wide GeoPackage takes seconds to hash.
    hashing = digests_in_background([request, *workspace_paths(workspace)])
    from .layers.workspace import load_workspace
    from .report.checks import check_message, check_title
    from .report.labels import label
    from .workflows.expansion import run_expansion

    ws = load_workspace(workspace)
    _basemap_ok(basemap, ws.tianditu_key)
    run = run_expansion(request, zone, out_dir, ws, crs=crs, encoding=encoding,
                        close_rings=close_rings, lang=lang, offline=offline, hashing=hashing,
                        basemap=basemap)
    verdict = label(f"status.{run.result.verdict}", lang)
    table = Table(title=label("title.expansion_table", lang).format(
        request=request.name, zone=zone, verdict=verdict))
    for col in ("cli.check", "cli.status", "cli.details"):
        table.add_column(label(col, lang), overflow="fold")
    colours = {"pass": "green", "fail": "bold red", "warn": "dark_orange", "info": "cyan"}
    for c in run.result.checks:
        table.add_row(check_title(c, lang),
                      Text(label(f"status.{c.status}", lang), style=colours[c.status]),
                      check_message(c, lang))
    out.print(table)
    out.print(_wrote_outputs(out_dir, ("report.html", "map.html", "summary.json",
                                       "conflicts.gpkg", "checks.xlsx",
                                       "request_cgcs2000_gk.txt"), lang,
                             _total_s(run.summary)))
    if strict and run.result.verdict == "fail":
        raise typer.Exit(1)


# ---------------------------------------------------------------- plot ratio, 亩均, intensity

T = TypeVar("T")
# Results of the command being run, kept until the process ends (see ``console``).
_KEPT: list[object] = []


def _total_s(summary: dict[str, object]) -> object:
    timings = summary.get("timings")
    return timings.get("total_s") if isinstance(timings, dict) else "?"


def _kept(run: T, lang: str) -> T:
    _KEPT.append(run)
    notes = getattr(run, "summary", {}).get("notes") or []
    for line in notes:
        _note(str(line), lang=lang)
    return run


# The output of a command that can write its result tables to PostGIS as well as to files.
OutOrSinkOpt = Annotated[str, typer.Option(
    "--out", help="Output folder, or postgresql://… to write the result tables there.")]
ClusterOpt = Annotated[str | None, typer.Option(
    "--cluster", help="Run zone by zone on Dask: local:N (N worker processes) or "
                      "tcp://HOST:PORT (a running scheduler).")]


def _out_target(out_arg: str, default: str, ws: object) -> tuple[Path, object]:
    """The output folder, and where result tables also go: ``--out postgresql://…`` (files
    then go to the default folder) or the workspace's ``[sink]``."""
    from .layers.postgis import DatabaseSource, check_url, is_database_url

    if is_database_url(out_arg):
        return Path(default), DatabaseSource(check_url(out_arg, "--out"))
    return Path(out_arg), getattr(ws, "sink", None)


def _sink(run: object, sink: object, lang: str) -> None:
    """Write the run's results.gpkg layers to the PostGIS sink, if there is one."""
    from .layers.postgis import DatabaseSource, write_gpkg_to_postgis

    if not isinstance(sink, DatabaseSource):
        return
    gpkg = getattr(run, "files", {}).get("gpkg")
    if gpkg is None:
        return
    tables = write_gpkg_to_postgis(gpkg, sink.url, schema=sink.schema, where="--out")
    _note(", ".join(tables), lang=lang)


@app.command("plot-ratio")
def plot_ratio_cmd(
    out_arg: OutOrSinkOpt = "plot_ratio_out",
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    standard: Annotated[str | None, typer.Option(
        help="Control standard: MLR-2008 (default), MNR-2023 or SC-2024 (values must be "
             "filled in the workspace rules).")] = None,
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
    cluster: ClusterOpt = None,
) -> None:
    """容积率 and 建筑系数 per parcel and zone; industrial parcels against their minimum.

    Writes summary.json, results.gpkg, plot_ratio.xlsx and map.html to --out.
    """
    from .layers.workspace import load_workspace
    from .report.labels import label
    from .workflows.plot_ratio import check_count_text, run_plot_ratio

    _lang_ok(lang)
    ws = load_workspace(workspace)
    out_dir, sink = _out_target(out_arg, "plot_ratio_out", ws)
    _basemap_ok(basemap, ws.tianditu_key)
    run = _kept(run_plot_ratio(ws, out_dir, lang=lang, offline=offline, standard=standard,
                               basemap=basemap, cluster=cluster), lang)
    _sink(run, sink, lang)
    s = run.summary
    out.print(label("cli.plot_ratio_parcels", lang).format(
        parcels=s["parcels"], not_computable=s["parcels_not_computable"]))
    for check, counts in run.result.summary["checks"].items():
        out.print(check_count_text(check, counts, lang))
    problems = run.result.summary["built_status_without_buildings"]
    if problems:
        out.print(label("pr_check.data_problems", lang).format(n=problems))
    out.print(_wrote_outputs(out_dir, ("summary.json", "results.gpkg", "plot_ratio.xlsx",
                                       "map.html"), lang, _total_s(s)))


@app.command("per-mu")
def per_mu_cmd(
    out_arg: OutOrSinkOpt = "per_mu_out",
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    scheme: Annotated[str | None, typer.Option(
        help="Rule set: sichuan (2022, default) or zhejiang (benchmark scoring).")] = None,
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
    cluster: ClusterOpt = None,
) -> None:
    """亩均论英雄: per-mu indicators, scores and A/B/C/D classes of enterprises and parcels.

    Writes summary.json, results.gpkg, per_mu.xlsx and map.html to --out.
    """
    from .layers.workspace import load_workspace
    from .report.labels import label
    from .workflows.per_mu import run_per_mu, summary_lines

    _lang_ok(lang)
    if scheme is not None and scheme not in ("sichuan", "zhejiang"):
        raise InputError(f"unknown scheme {scheme!r}", fix="use sichuan or zhejiang")
    ws = load_workspace(workspace)
    out_dir, sink = _out_target(out_arg, "per_mu_out", ws)
    _basemap_ok(basemap, ws.tianditu_key)
    run = _kept(run_per_mu(ws, out_dir, lang=lang, offline=offline, scheme=scheme,
                           basemap=basemap, cluster=cluster), lang)
    _sink(run, sink, lang)
    for line in summary_lines(run.result.summary, lang):
        out.print(line)
    out.print(label("per_mu.wrote", lang).format(
        out=out_dir, files=label("per_mu.list_separator", lang).join(
            ("summary.json", "results.gpkg", "per_mu.xlsx", "map.html"))))


@app.command("standard-land")
def standard_land_cmd(
    out_arg: OutOrSinkOpt = "standard_land_out",
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
    cluster: ClusterOpt = None,
) -> None:
    """标准地: which unsupplied parcels can be offered with their indicator package today, and
    what blocks the rest.

    Writes summary.json, results.gpkg, standard_land.xlsx, map.html and an A4 indicator sheet
    per ready parcel (sheets/) to --out.
    """
    from .layers.workspace import load_workspace
    from .workflows.standard_land import run_standard_land, summary_lines

    _lang_ok(lang)
    ws = load_workspace(workspace)
    out_dir, sink = _out_target(out_arg, "standard_land_out", ws)
    _basemap_ok(basemap, ws.tianditu_key)
    run = _kept(run_standard_land(ws, out_dir, lang=lang, offline=offline, basemap=basemap,
                                  cluster=cluster), lang)
    _sink(run, sink, lang)
    for line in summary_lines(run.result.summary, lang):
        out.print(line)
    out.print(_wrote_outputs(out_dir, ("summary.json", "results.gpkg", "standard_land.xlsx",
                                       "map.html", "sheets/"), lang, _total_s(run.summary)))


@app.command("consolidate")
def consolidate_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(
        "consolidate_out"),
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
) -> None:
    """一区多园: which nearby, related, scattered parks each zone should integrate or entrust,
    and the optimal plan under the block and county limits.

    Writes summary.json, candidates.xlsx, plan.gpkg, map.html and plan.html to --out.
    """
    from .layers.workspace import load_workspace
    from .workflows._common import workspace_rules
    from .workflows.consolidation import run_consolidation, summary_lines

    _lang_ok(lang)
    ws = load_workspace(workspace)
    _basemap_ok(basemap, ws.tianditu_key)
    run = _kept(run_consolidation(ws, out_dir, lang=lang, offline=offline, basemap=basemap),
                lang)
    for line in summary_lines(run.result.summary, workspace_rules(ws, "consolidation"), lang):
        out.print(line)
    out.print(_wrote_outputs(out_dir, ("summary.json", "candidates.xlsx", "plan.gpkg",
                                       "map.html", "plan.html"), lang, _total_s(run.summary)))


@app.command()
def intensity(
    out_arg: OutOrSinkOpt = "intensity_out",
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
    cluster: ClusterOpt = None,
) -> None:
    """开发区土地集约利用评价 of every zone, and the low-efficiency land list.

    Weights and ideal values are project defaults (no official ones exist): set yours under
    [rules.intensity]. Writes summary.json, results.gpkg, intensity.xlsx, map.html and
    low_efficiency/ to --out.
    """
    from .layers.workspace import load_workspace
    from .report.labels import label
    from .workflows.intensity import run_intensity

    _lang_ok(lang)
    ws = load_workspace(workspace)
    out_dir, sink = _out_target(out_arg, "intensity_out", ws)
    _basemap_ok(basemap, ws.tianditu_key)
    run = _kept(run_intensity(ws, out_dir, lang=lang, offline=offline, basemap=basemap,
                              cluster=cluster), lang)
    _sink(run, sink, lang)
    table = Table(title=label("title.intensity_table", lang))
    for col in ("cli.zone", "cli.type", "cli.score", "cli.left_out"):
        table.add_column(label(col, lang))
    for z, info in run.result.summary["zones"].items():
        table.add_row(z, label(f"zone_type.{info['zone_type']}", lang),
                      str(info["score"]), ", ".join(info["left_out"]))
    out.print(table)
    out.print(_wrote_outputs(out_dir, ("summary.json", "results.gpkg", "intensity.xlsx",
                                       "map.html", "low_efficiency/"), lang))


@app.command("low-efficiency")
def low_efficiency_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(
        "low_efficiency_out"),
    workspace: WorkspaceOpt = Path(DEFAULT_WORKSPACE),
    lang: LangOpt = "zh",
    offline: OfflineOpt = True,
    basemap: BasemapOpt = "none",
) -> None:
    """低效用地 list (腾笼换鸟): idle parcels, and industrial parcels below their minimum plot
    ratio with 亩均税收 under the threshold, ranked by the land they would free."""
    from .layers.workspace import load_workspace
    from .report.labels import label
    from .workflows.low_efficiency import run_low_efficiency

    _lang_ok(lang)
    ws = load_workspace(workspace)
    _basemap_ok(basemap, ws.tianditu_key)
    run = _kept(run_low_efficiency(ws, out_dir, lang=lang, offline=offline,
                                   basemap=basemap), lang)
    s = run.summary
    out.print(label("cli.low_efficiency_line", lang).format(parcels=s["parcels"],
                                                            mu=s["area_mu"], ha=s["area_ha"]))
    out.print(_wrote_outputs(out_dir, ("summary.json", "results.gpkg", "low_efficiency.xlsx",
                                       "map.html"), lang))


# ---------------------------------------------------------------- demo


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    seed: Annotated[int, typer.Option(help="Seed of the sample data.")] = 2026,
    lang: LangOpt = "zh",
) -> None:
    """Write the sample workspace to OUT/workspace/ and run everything on it."""
    from .demo import run_demo
    from .report.labels import label

    _lang_ok(lang)
    index = run_demo(out_dir, seed=seed, lang=lang, console=err)
    out.print(label("cli.open", lang).format(path=index))


# ---------------------------------------------------------------- entry point


def console() -> None:
    """The installed ``gaoxin`` command: :func:`main`, then end the process at once.

    After a run on a province's parcels, freeing millions of GEOS geometries and frames one
    by one takes seconds (~2 s at 1M parcels and 3M buildings) although every output is
    written and closed; so, like mypy, the command flushes its streams and ends with
    ``os._exit`` instead. :func:`main` itself returns normally (tests call it in-process).
    The command also sets glibc's heap to grow in large steps (:func:`keep_heap_pages`):
    the process is its own, unlike a library user's.
    """
    keep_heap_pages()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (gaoxin … | head) has nothing left to flush to.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _argv_lang(argv: list[str] | None) -> str:
    """The language a command line asks for (``--lang en``), for what ``main`` prints."""
    args = argv if argv is not None else sys.argv[1:]
    for i, arg in enumerate(args):
        value = arg.removeprefix("--lang=") if arg.startswith("--lang=") else (
            args[i + 1] if arg == "--lang" and i + 1 < len(args) else None)
        if value in ("zh", "en"):
            return value
    return "zh"


def main(argv: list[str] | None = None) -> int:
    """Entry point with the exit-code contract (0 ok, 1 --strict fail, 2 bad input, 3 bug)."""
    _KEPT.clear()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # A run makes millions of objects in no cycle; the collector's passes over them
        # cost seconds at province scale (gaoxin.process).
        with collector_paused():
            rc = app(args=argv, standalone_mode=False)
    except InputError as exc:
        if debug:
            traceback.print_exc()
        _error("error", exc.message())
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.BadParameter, typer.Abort) as exc:
        _error("error", str(exc))
        return 2
    except typer.exceptions.TyperException as exc:
        # Usage errors of the command line (unknown command, missing argument): typer vendors
        # click, so its exception classes are typer's own.
        show = getattr(exc, "show", None)  # click's usage errors print themselves
        if type(exc).__name__ == "NoArgsIsHelpError" and show is not None:
            show()
            return 0
        if show is not None:
            show()
            return 2
        _error("error", str(exc))
        return 2
    except OSError as exc:
        # The machine refused a read or write (permissions, a full disk, a path through a
        # file): the user's environment, not a bug in gaoxin.
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        _error("error", f"{where}{exc.strerror or exc}. Fix: check the path, its permissions "
                        "and the free disk space")
        return 2
    except KeyboardInterrupt:
        from .report.labels import label

        err.print(label("cli.interrupted", _argv_lang(argv)))
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        _error("internal error", f"{type(exc).__name__}: {exc}\n"
               "This is a bug in gaoxin; run again with --debug and report the traceback.")
        return 3
    return int(rc or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
