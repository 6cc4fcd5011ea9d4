"""One symbology: a layer kind has the same colours on the interactive maps and in the printed
report, and no two classes of one legend look alike (CIEDE2000 ΔE ≥ 10)."""

from __future__ import annotations

import html
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from gaoxin.kinds import KINDS, LAND_STATUS_CODES
from gaoxin.report.labels import label, layer_label
from gaoxin.report.symbology import (
    CATEGORY_COLORS,
    CATEGORY_PALETTE,
    CONSTRAINT_KINDS,
    DIVERGING,
    LAND_STATUS_COLORS,
    delta_e,
    kind_style,
)
from tests.helpers import shared_sample

DISTINCT = 10.0
SVG_PATH = re.compile(r'<path d="[^"]*" fill="([^"]*)" fill-opacity="[^"]*" stroke="([^"]*)"'
                      r'[^>]*><title>([^<]*)</title></path>')


@dataclass
class MapLayerLook:
    """A layer of a map page: its kind, name and legend entries (label, fill, stroke …)."""

    kind: str | None
    name: str
    entries: list[dict[str, object]]

    def looks(self) -> list[tuple[str, str]]:
        """(fill, stroke) of each entry, the fill ``none`` where none is drawn (as in SVG)."""
        return [("none" if e["fillOpacity"] == 0 else str(e["fill"]), str(e["color"]))
                for e in self.entries]


@dataclass
class Drawn:
    """What the pages built from the sample draw: map layers, and the report's SVG looks."""

    expansion_map: list[MapLayerLook]
    overview_map: list[MapLayerLook]
    report_svg: dict[str, set[tuple[str, str]]]


def map_layers(page: Path) -> list[MapLayerLook]:
    """The layers of a map page: kinds from the layer payloads, looks from the legend."""
    text = page.read_text(encoding="utf-8")
    kinds = {p["id"]: p["kind"] for p in map(json.loads, re.findall(
        r"gaoxin\.fastLayer\((\{.*?\}), \{\}\);", text))}
    ui = json.loads(re.search(r"gaoxin\.ui\(\w+, (\{.*?\})\);\n", text).group(1))
    return [MapLayerLook(kinds[item["id"]], item["name"], item["entries"])
            for item in ui["legend"]]


def svg_looks(page: Path) -> dict[str, set[tuple[str, str]]]:
    """(fill, stroke) of every path the report's SVG maps draw, by the path's title."""
    looks: dict[str, set[tuple[str, str]]] = {}
    for fill, stroke, title in SVG_PATH.findall(page.read_text(encoding="utf-8")):
        looks.setdefault(html.unescape(title), set()).add((fill, stroke))
    return looks


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Drawn:
    from gaoxin.demo import _overview_map
    from gaoxin.layers.load import load_layers
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows.expansion import run_expansion

    ws = load_workspace(shared_sample(tmp_path_factory))
    out = tmp_path_factory.mktemp("colours")
    req = ws.requests["request_conflict"]
    run_expansion(req.path, req.zone or "", out / "expansion", ws, crs=req.crs,
                  encoding=req.encoding, close_rings=req.close_rings, lang="zh")
    _overview_map(out / "map.html", load_layers(ws), ws, "zh")
    return Drawn(map_layers(out / "expansion" / "map.html"), map_layers(out / "map.html"),
                 svg_looks(out / "expansion" / "report.html"))


def test_each_kind_has_the_same_colours_on_the_map_and_in_the_report(drawn: Drawn) -> None:
    compared = set()
    for layer in drawn.expansion_map:
        if layer.kind in KINDS:
            # the map names the zone and the request by their role, the SVG by their kind
            assert drawn.report_svg[layer_label(layer.kind, "zh")] == set(layer.looks()), \
                layer.kind
            compared.add(layer.kind)
    assert {"zones", "requests", "redlines", "farmland", "dev_boundary"} <= compared


def test_each_conflict_has_the_same_colours_on_the_map_and_in_the_report(drawn: Drawn) -> None:
    conflicts = next(lay for lay in drawn.expansion_map
                     if lay.name == layer_label("conflicts", "zh"))
    on_map = dict(zip((str(e["label"]) for e in conflicts.entries), conflicts.looks(),
                      strict=True))
    compared = 0
    for check, kind in CONSTRAINT_KINDS.items():
        name = label(f"conflict.{check}", "zh")
        if name in on_map or name in drawn.report_svg:
            look = kind_style(f"conflicts.{check}")
            assert drawn.report_svg[name] == {on_map[name]} == {(look["fill"], look["color"])}
            assert look["fill"] == kind_style(kind)["color"]  # the constraint's own hue
            compared += 1
    assert compared >= 2  # the sample request crosses the red line and the farmland


def test_the_overview_map_draws_each_kind_as_the_report_does(drawn: Drawn) -> None:
    requests = [lay for lay in drawn.overview_map if lay.kind == "requests"]
    assert len(requests) == 2  # one passes, one fails: the same neutral look
    for layer in drawn.overview_map:
        if layer.kind in ("requests", "redlines", "farmland", "dev_boundary", "zones"):
            assert drawn.report_svg[layer_label(layer.kind, "zh")] == set(layer.looks())


def _as_drawn(fill: str, opacity: float) -> str:
    """``fill`` at ``opacity`` over white, as the reader sees it."""
    rgb = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * opacity + 255 * (1 - opacity)):02x}" for c in rgb)


def test_the_land_status_legend_names_16_classes_in_distinct_colours(drawn: Drawn) -> None:
    parcels = next(lay for lay in drawn.overview_map if lay.kind == "parcels")
    classes = parcels.entries[:-1] if parcels.entries[-1]["label"] == "无数据" \
        else parcels.entries
    assert len(classes) == 16  # the sample's codes
    for entry in classes:
        code, name = str(entry["label"]).split(" ", 1)
        assert name == LAND_STATUS_CODES[code]  # "A2 工矿仓储用地", not "A2"
    seen = [_as_drawn(str(e["fill"]), float(str(e["fillOpacity"]))) for e in classes]
    for (a, ea), (b, eb) in itertools.combinations(zip(seen, classes, strict=True), 2):
        assert delta_e(a, b) >= DISTINCT, (ea["label"], eb["label"])


@pytest.mark.parametrize("palette", [
    pytest.param(list(LAND_STATUS_COLORS.values()), id="land status, all codes"),
    pytest.param(CATEGORY_PALETTE, id="categories without a meaning"),
    pytest.param(sorted(set(CATEGORY_COLORS.values())), id="meaning colours"),
    pytest.param([kind_style(f"conflicts.{c}")["fill"] for c in CONSTRAINT_KINDS],
                 id="conflicts"),
    pytest.param(DIVERGING, id="pass / fail classes"),
])
def test_no_two_colours_of_a_categorical_palette_look_alike(palette: list[str]) -> None:
    for a, b in itertools.combinations(palette, 2):
        assert delta_e(a, b) >= DISTINCT, (a, b)


def test_every_land_status_code_has_a_colour() -> None:
    assert list(LAND_STATUS_COLORS) == list(LAND_STATUS_CODES)
