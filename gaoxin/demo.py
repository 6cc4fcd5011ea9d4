"""``gaoxin demo``: write the sample workspace and run everything on it.

Part of the command layer (it may import maps, analysis and layers). Each analysis adds its
outputs here and a link in ``index.html``.
"""

from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from rich.console import Console
from rich.text import Text

from ._version import __version__
from .geo.crs import describe_crs
from .layers.load import Loaded, load_layers, load_vector_layer
from .layers.workspace import Workspace, load_workspace
from .layers.write import RunStage, output_run, write_json
from .report.excel import write_excel
from .report.html import crs_text, write_page
from .report.labels import label
from .report.tables import labelled
from .sample import write_sample_workspace
from .workflows.area import feature_areas
from .workflows.check import check_rows, write_check_page

# The demo's steps, in order: each prints "n/8" and its line of the catalogue
# (demo.step.<step>) before it runs.
STEPS = ("sample", "check", "areas", "map", "expansion", "land", "standard_land",
         "consolidation")


def _step(console: Console, step: str, lang: str) -> None:
    number = f"{STEPS.index(step) + 1}/{len(STEPS)}"
    console.print(Text.assemble((number, "bold"), " ", label(f"demo.step.{step}", lang)))


@dataclass
class Section:
    """One block of links in the demo index."""

    title: str
    links: list[dict[str, str]] = field(default_factory=list)
    text: str = ""

    def add(self, href: str, label: str, note: str = "", file: str = "") -> None:
        """A link to ``href``; ``file`` names the file beside the words, as a name."""
        self.links.append({"href": href, "label": label, "note": note, "file": file})


def run_demo(out_dir: Path, *, seed: int = 2026, lang: str = "zh",
             console: Console | None = None) -> Path:
    """Write ``out_dir/workspace`` and every demo output; return the index path.

    The whole folder is one run: it replaces an earlier demo output all at once, and a
    failure leaves that one as it was.
    """
    with output_run(out_dir, command="demo") as stage:
        console = console or Console(stderr=True, markup=False, highlight=False)
        _write_demo(stage.path, seed=seed, lang=lang, console=console)
        _name_published_paths(stage)
    return out_dir / "index.html"


def _name_published_paths(stage: RunStage) -> None:
    """Name the published folder, not the stage, in the paths the pages and JSON record.

    The runs read the sample workspace inside the stage, so the input paths they record
    start with the stage's name: a random one nothing else contains.
    """
    old, new = stage.path.name, stage.target.name
    forms = {(old, new), (html.escape(old), html.escape(new)),
             (json.dumps(old, ensure_ascii=False)[1:-1], json.dumps(new, ensure_ascii=False)[1:-1])}
    for path in stage.path.rglob("*"):
        if path.suffix in (".json", ".html") and path.is_file():
            text = path.read_text(encoding="utf-8")
            renamed = text
            for stage_form, published_form in forms:
                renamed = renamed.replace(stage_form, published_form)
            if renamed != text:
                path.write_text(renamed, encoding="utf-8")


def _write_demo(out_dir: Path, *, seed: int, lang: str, console: Console) -> None:
    t0 = time.perf_counter()

    _step(console, "sample", lang)
    toml = write_sample_workspace(out_dir / "workspace", seed=seed)
    ws = load_workspace(toml)
    sections = [Section(label("demo.sample_workspace", lang),
                        text=label("demo.sample_workspace_text", lang))]
    sections[0].add("workspace/gaoxin.toml", label("demo.layer_list", lang), file="gaoxin.toml")

    _step(console, "check", lang)
    rows, blocking = check_rows(ws)
    loaded = load_layers(ws)
    write_check_page(out_dir / "check.html", ws, rows, blocking, loaded.crs, lang)
    write_json(out_dir / "check.json", {"workspace": str(toml), "blocking": blocking,
                                        "working_crs": describe_crs(loaded.crs),
                                        "layers": rows, "version": __version__})
    checks = Section(label("check.title", lang))
    checks.add("check.html", label("demo.check_report", lang),
               label("demo.n_layers", lang).format(n=len(rows)))
    checks.add("check.json", label("demo.check_data", lang), label("demo.data_note", lang),
               file="check.json")
    sections.append(checks)

    _step(console, "areas", lang)
    areas = Section(label("demo.areas", lang))
    sheets = {}
    for kind, key in (("zones", "zone_id"), ("parks", "park_id")):
        frame = loaded.frame(kind)
        if isinstance(frame, gpd.GeoDataFrame):
            table = feature_areas(frame, by=key)
            table.insert(1, "name", frame["name"].to_numpy())
            if "approved_area_ha" in frame:
                table["approved_area_ha"] = frame["approved_area_ha"].to_numpy()
            sheets[label(f"sheet.{kind.removesuffix('s')}_areas", lang)] = labelled(table, lang)
    write_excel(out_dir / "areas.xlsx", sheets)
    areas.add("areas.xlsx", label("demo.areas_table", lang), file="areas.xlsx")
    sections.append(areas)

    _step(console, "map", lang)
    maps = Section(label("demo.maps", lang))
    _overview_map(out_dir / "map.html", loaded, ws, lang)
    maps.add("map.html", label("demo.all_layers", lang))
    sections.append(maps)

    _step(console, "expansion", lang)
    exp = Section(label("demo.expansion", lang), text=label("demo.expansion_text", lang))
    from .workflows.expansion import run_expansion

    for name, req in ws.requests.items():
        run = run_expansion(req.path, req.zone or "", out_dir / "expansion" / name, ws,
                            crs=req.crs, encoding=req.encoding, close_rings=req.close_rings,
                            lang=lang)
        verdict = label(f"verdict.{run.result.verdict}", lang)
        exp.add(f"expansion/{name}/report.html", f"{name}: {verdict}", label("demo.report", lang))
        exp.add(f"expansion/{name}/map.html", label("demo.request_map", lang).format(name=name))
        exp.add(f"expansion/{name}/summary.json", label("demo.summary_data", lang).format(
            name=name), label("demo.data_note", lang), file="summary.json")
    sections.append(exp)

    _step(console, "land", lang)
    from .workflows.intensity import run_intensity
    from .workflows.per_mu import run_per_mu
    from .workflows.plot_ratio import run_plot_ratio

    land = Section(label("demo.land", lang), text=label("demo.land_text", lang))
    pr_run = run_plot_ratio(ws, out_dir / "plot_ratio", lang=lang)
    land.add("plot_ratio/map.html", label("demo.plot_ratio_map", lang),
             label("demo.n_parcels", lang).format(n=pr_run.summary["parcels"]))
    land.add("plot_ratio/plot_ratio.xlsx", label("demo.plot_ratio_tables", lang),
             file="plot_ratio.xlsx")
    mu_run = run_per_mu(ws, out_dir / "per_mu", lang=lang)
    land.add("per_mu/map.html", label("demo.per_mu_map", lang),
             " · ".join(f"{k} {v}" for k, v in mu_run.result.summary["classes"].items()))
    land.add("per_mu/per_mu.xlsx", label("demo.per_mu_tables", lang), file="per_mu.xlsx")
    run_intensity(ws, out_dir / "intensity", lang=lang)
    land.add("intensity/map.html", label("demo.intensity_map", lang))
    land.add("intensity/intensity.xlsx", label("demo.intensity_tables", lang),
             file="intensity.xlsx")
    land.add("intensity/low_efficiency/map.html", label("demo.low_efficiency_map", lang))
    land.add("intensity/low_efficiency/low_efficiency.xlsx",
             label("demo.low_efficiency_list", lang), file="low_efficiency.xlsx")
    sections.append(land)

    _step(console, "standard_land", lang)
    from .workflows.standard_land import run_standard_land

    sl_run = run_standard_land(ws, out_dir / "standard_land", lang=lang)
    ready = Section(label("demo.standard_land", lang), text=label("demo.standard_land_text", lang))
    ready.add("standard_land/map.html", label("demo.standard_land_map", lang),
              label("sl.summary_line", lang).format(**sl_run.result.summary))
    ready.add("standard_land/standard_land.xlsx", label("demo.standard_land_tables", lang),
              file="standard_land.xlsx")
    ready.add("standard_land/sheets/index.html", label("sl.sheets_title", lang),
              label("demo.n_sheets", lang).format(n=sl_run.result.summary["ready"]))
    sections.append(ready)

    _step(console, "consolidation", lang)
    from .workflows.consolidation import run_consolidation

    cons_run = run_consolidation(ws, out_dir / "consolidation", lang=lang)
    plan = Section(label("demo.consolidation", lang), text=label("demo.consolidation_text", lang))
    plan.add("consolidation/plan.html", label("demo.consolidation_report", lang),
             label("cons.summary_line", lang).format(**cons_run.result.summary))
    plan.add("consolidation/map.html", label("demo.consolidation_map", lang))
    plan.add("consolidation/candidates.xlsx", label("demo.consolidation_tables", lang),
             file="candidates.xlsx")
    sections.append(plan)

    write_page(out_dir / "index.html", "index.html", title=label("demo.title", lang), lang=lang,
               sections=sections,
               subtitle=f"gaoxin {__version__} · {ws.name} · {crs_text(loaded.crs, lang)} · "
                        f"{time.perf_counter() - t0:.1f} s")


def _overview_map(path: Path, loaded: Loaded, ws: Workspace, lang: str) -> Path:
    from .maps import MapLayer, write_map

    order = ["dev_boundary", "farmland", "redlines", "roads", "zones", "parks", "parcels",
             "buildings"]
    layers = []
    for kind in order:
        frame = loaded.frame(kind)
        if isinstance(frame, gpd.GeoDataFrame):
            layers.append(MapLayer(frame, kind=kind, show=kind not in ("buildings",),
                                   color_by="status" if kind == "parcels" else None))
    for name, req in ws.requests.items():
        gdf = load_vector_layer(req, "requests", to_crs=loaded.crs).geo
        layers.append(MapLayer(gdf.assign(request=name), kind="requests",
                               name=label("check.request", lang).format(name=name),
                               highlight=True))
    return write_map(layers, path, offline=True, lang=lang,
                     title=ws.name, tianditu_key=ws.tianditu_key)
