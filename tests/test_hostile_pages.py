"""Security review item 2: user text is never markup in any page gaoxin writes.

Hostile names go everywhere a user's text can reach a page: file names, layer names, column
names, values, titles, legend labels and units, workspace paths, request names, report
headings and overview-map labels. The pages are built through the real command line
(``gaoxin map``), through :func:`build_map` and through the report renderers
(:mod:`gaoxin.report.html`, :func:`overview_svg`).

Two layers of tests:

* without a browser, on the produced HTML: each sink receives the text in the one encoding it
  needs (HTML text for Leaflet's layer control, which inserts names with ``innerHTML``; JSON
  that cannot end a ``<script>``; XML-escaped SVG text and attributes; relative URLs);
* in Debian's Chromium (``@pytest.mark.browser``): each page is opened, the layer control
  clicked, a popup opened, a tooltip shown, a search run; the test fails if any payload runs
  (a dialog, ``window.__pwned`` set, a console error from an injected element) and checks the
  hostile text is shown literally.

Cross-cutting (every page writer: maps, report, demo index, the CLI), so it stays at the top of
``tests/`` rather than beside one module.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.cli import main
from gaoxin.demo import Section
from gaoxin.layers.workspace import load_workspace
from gaoxin.maps import MapLayer, build_map, render_html, write_map
from gaoxin.report.html import render, write_page
from gaoxin.report.labels import label
from gaoxin.report.overview_svg import SvgLayer, overview_svg
from gaoxin.workflows.check import check_rows

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TEMPLATES = Path(__file__).resolve().parents[1] / "gaoxin" / "report" / "templates"

# Payloads: each either opens a dialog or sets window.__pwned when it runs as markup.
IMG = "<img src=x onerror=window.__pwned=1>"
IMG_ALERT = "<img src=x onerror=alert(1)>"
SVG_ATTR = '"><svg onload=window.__pwned=2>'
SCRIPT = "</script><script>window.__pwned=3</script>"
COMMENT = "<!--<script>"
JS_URL = "javascript:alert(1)"
TEMPLATE = "{{7*7}}"
SEPARATORS = "a\u2028b\u2029c"
ATTR = "' onmouseover='window.__pwned=4' x='"
HOSTILE = (IMG, IMG_ALERT, SVG_ATTR, SCRIPT, COMMENT, JS_URL, TEMPLATE, SEPARATORS, ATTR)
# Hostile strings that open a tag wherever they are written raw (the rest: in the browser).
MARKUP = tuple(h for h in HOSTILE if "<" in h)

# gaoxin map FILE…: one file per hostile stem (a file name cannot hold "/").
FILE_STEMS = (IMG_ALERT, SVG_ATTR, f"{TEMPLATE} {JS_URL}")
ID_COL = f"{SVG_ATTR}_id"  # ends in _id: the search column of a generic layer
TEXT_COL = SCRIPT
TPL_COL = TEMPLATE
TITLE = f"{IMG}{TEMPLATE}"
X0, Y0, W = 104.0, 30.0, 0.002


def feature_ids(f: int) -> list[str]:
    return [f"{IMG}#{f}{i}" for i in range(3)]


def feature_box(f: int, i: int) -> tuple[float, float, float, float]:
    x, y = X0 + i * (W * 1.5), Y0 + f * (W * 2)
    return x, y, x + W, y + W


def hostile_file_frame(f: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        ID_COL: feature_ids(f),
        TEXT_COL: [JS_URL, COMMENT, f"{SEPARATORS}{SCRIPT}"],
        TPL_COL: [TEMPLATE, ATTR, IMG_ALERT],
    }, geometry=[box(*feature_box(f, i)) for i in range(3)], crs=4326)


@dataclass
class Pages:
    """Every page built with hostile text, and what each should show."""

    cli_map: Path
    api_map: Path
    check: Path
    report: Path
    index: Path
    api_layer_names: list[str] = field(default_factory=list)


def build_cli_map(root: Path) -> Path:
    data = root / "data"
    data.mkdir()
    files = []
    for f, stem in enumerate(FILE_STEMS):
        path = data / f"{stem}.geojson"
        hostile_file_frame(f).to_file(path, layer="hostile")
        files.append(str(path))
    out = root / "cli_map.html"
    assert main(["map", *files, "--out", str(out), "--title", TITLE,
                 "-w", str(root / "no-workspace.toml")]) == 0
    return out


API_LAYERS = (SCRIPT, f"{IMG_ALERT}{TEMPLATE}", SEPARATORS)
CAT_COL = ATTR  # a categorical column coloured: its values are the legend entries


def api_layers() -> list[MapLayer]:
    layers = []
    for f, name in enumerate(API_LAYERS):
        g = hostile_file_frame(f).assign(**{CAT_COL: [SVG_ATTR, COMMENT, IMG]})
        layers.append(MapLayer(g, name=name, columns=[ID_COL, TEXT_COL, TPL_COL],
                               color_by=CAT_COL if f == 0 else None, unit=IMG_ALERT,
                               show=f != 2))
    return layers


def build_check_page(root: Path) -> Path:
    """``gaoxin check``'s HTML: a workspace whose folder, file and request names are hostile."""
    ws_dir = root / SVG_ATTR
    ws_dir.mkdir()
    zones = hostile_file_frame(0).rename(columns={ID_COL: "zone_id", TEXT_COL: "name"})
    zones.to_crs(4544).to_file(ws_dir / f"{IMG}.gpkg", layer="zones")
    toml = ws_dir / "gaoxin.toml"
    toml.write_text(f"[layers.zones]\npath = {json.dumps(IMG + '.gpkg')}\n"
                    f"[requests.{json.dumps(SCRIPT)}]\npath = {json.dumps(IMG_ALERT + '.txt')}\n",
                    encoding="utf-8")
    rows, blocking = check_rows(load_workspace(toml))
    return write_page(root / "check.html", "check.html", title=label("check.title", "zh"),
                      rows=rows, blocking=blocking, workspace=str(toml), lang="zh", crs=TITLE)


def hostile_svg() -> str:
    g = hostile_file_frame(0).to_crs(4544)
    return overview_svg([SvgLayer(g, IMG_ALERT, fill=SVG_ATTR, stroke=ATTR, dash=SCRIPT),
                         SvgLayer(g, SCRIPT)], title=IMG)


def build_report_page(root: Path) -> Path:
    """The expansion report (``report.html``) with hostile names in every field."""
    h = IMG
    summary = {"zone_name": SCRIPT, "zone_id": SVG_ATTR, "request": IMG_ALERT, "verdict": "fail",
               "notes": [COMMENT, ATTR],
               "provenance": {"generated": h, "version": h, "working_crs": h,
                              "area_method": h, "inputs": [{"path": IMG, "sha256": ATTR}]}}
    check = {"title": SCRIPT, "status": "fail", "message": IMG, "features": [{SVG_ATTR: IMG_ALERT}]}
    rule = SimpleNamespace(key=IMG, value=SCRIPT, unit=ATTR, source=JS_URL, confidence=TEMPLATE)
    return write_page(root / "report.html", "expansion.html", lang="zh",
                      title=f"{SCRIPT}{TEMPLATE}", summary=summary, checks=[check],
                      svg=hostile_svg() + hostile_svg(), rules=[rule],
                      rule_set=SimpleNamespace(title=IMG, version=SVG_ATTR),
                      conflicts=[[IMG, SCRIPT, ATTR, 1.0, 2.0, 3.0]],
                      conflict_columns=[IMG, SCRIPT, ATTR, "m²", "ha", "亩"])


def build_index_page(root: Path) -> Path:
    section = Section(f"{IMG}{TEMPLATE}", text=SCRIPT)
    section.add(JS_URL, IMG_ALERT, SVG_ATTR)
    section.add(f"{SVG_ATTR}/map.html", ATTR)
    return write_page(root / "index.html", "index.html", title=SCRIPT, lang="zh",
                      sections=[section], subtitle=IMG)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Pages:
    root = tmp_path_factory.mktemp("hostile")
    api = write_map(api_layers(), root / "api_map.html", title=TITLE, lang="en")
    return Pages(cli_map=build_cli_map(root), api_map=api, check=build_check_page(root),
                 report=build_report_page(root), index=build_index_page(root),
                 api_layer_names=list(API_LAYERS))


# ------------------------------------------------------------------ the HTML, no browser

_DECODER = json.JSONDecoder()


def layer_control_names(page: str) -> list[str]:
    """The names handed to ``L.control.layers`` (base layers and overlays), JSON-decoded."""
    names = []
    for block in re.finditer(r"(base_layers|overlays) :\s*\{", page):
        i = block.end()
        while True:
            while page[i].isspace():
                i += 1
            if page[i] == "}":
                break
            name, i = _DECODER.raw_decode(page, i)
            names.append(name)
            i = page.index(",", i) + 1
    return names


def inline_scripts(page: str) -> list[str]:
    """The bodies of the page's ``<script>`` elements, cut where an HTML parser cuts them."""
    return re.findall(r"<script[^>]*>(.*?)</script", page, flags=re.DOTALL | re.IGNORECASE)


def assert_scripts_cannot_be_broken(page: str) -> None:
    """No script holds what would end it early or keep it open (``<!--<script``), nor a line
    separator that ends a string literal in older engines."""
    for body in inline_scripts(page):
        assert "<!--" not in body and "<script" not in body.lower()
        assert "\u2028" not in body and "\u2029" not in body


def script_calls(page: str, call: str) -> list[Any]:
    """The first JSON argument of each ``call(`` in the page's scripts."""
    out = []
    for m in re.finditer(re.escape(call) + r"\((?:\w+, )?", page):
        out.append(_DECODER.raw_decode(page, m.end())[0])
    return out


def test_layer_control_gets_names_as_html_text(pages: Pages) -> None:
    # Leaflet's layer control writes each name with innerHTML: it must receive HTML text.
    for path, expected in ((pages.cli_map, FILE_STEMS), (pages.api_map, API_LAYERS)):
        names = layer_control_names(path.read_text(encoding="utf-8"))
        assert names == [html_lib.escape(n) for n in expected]
        assert [html_lib.unescape(n) for n in names] == list(expected)


def test_map_data_reaches_the_runtime_intact(pages: Pages) -> None:
    page = pages.cli_map.read_text(encoding="utf-8")
    layers = script_calls(page, "gaoxin.fastLayer")
    assert [p["name"] for p in layers] == list(FILE_STEMS)
    cols = {c["name"]: c for c in layers[0]["cols"]}
    assert {ID_COL, TEXT_COL, TPL_COL} <= set(cols)
    assert cols[ID_COL]["v"] == feature_ids(0)
    (ui,) = script_calls(page, "gaoxin.ui")
    assert ui["title"] == TITLE
    api = pages.api_map.read_text(encoding="utf-8")
    (ui,) = script_calls(api, "gaoxin.ui")
    legend = ui["legend"][0]
    assert legend["caption"] == f"{CAT_COL}({IMG_ALERT})"
    assert [e["label"] for e in legend["entries"]] == sorted([SVG_ATTR, COMMENT, IMG])


def test_no_user_text_is_raw_markup_in_any_page(pages: Pages) -> None:
    for path in (pages.cli_map, pages.api_map, pages.check, pages.report, pages.index):
        page = path.read_text(encoding="utf-8")
        for text in MARKUP:
            assert text not in page, (path.name, text)
        assert_scripts_cannot_be_broken(page)


def test_page_title_is_escaped_once(pages: Pages) -> None:
    page = pages.cli_map.read_text(encoding="utf-8")
    assert f"<title>{html_lib.escape(TITLE)}</title>" in page


def test_overview_svg_escapes_text_and_attributes() -> None:
    svg = hostile_svg()
    for text in MARKUP:
        assert text not in svg
    assert f'fill="{html_lib.escape(SVG_ATTR)}"' in svg
    assert f'stroke="{html_lib.escape(ATTR)}"' in svg
    assert f">{html_lib.escape(IMG_ALERT)}</text>" in svg
    assert svg.count("<svg") == 1 and "<script" not in svg and "<img" not in svg


def test_templates_autoescape_and_mark_nothing_safe() -> None:
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", text), path.name
        assert "autoescape false" not in text, path.name
    assert "&lt;img" in render("index.html", title=IMG, lang="zh", sections=[], subtitle="")


def test_index_links_are_relative_urls(pages: Pages) -> None:
    hrefs = re.findall(r'<a href="([^"]*)"', pages.index.read_text(encoding="utf-8"))
    assert len(hrefs) == 2
    for href in hrefs:
        url = urlsplit(html_lib.unescape(href))
        assert url.scheme == "" and url.netloc == "" and not url.query, href
    # The file a link names is still reached: only characters a URL path cannot hold are encoded.
    assert html_lib.unescape(hrefs[1]).endswith("/map.html")


def one_feature_map(name: str, column: str, value: str, title: str) -> str:
    g = gpd.GeoDataFrame({column: [value]}, geometry=[box(104, 30, 104.001, 30.001)], crs=4326)
    return render_html(build_map([MapLayer(g, name=name, columns=[column])], title=title),
                       offline=False)


def test_template_syntax_in_user_text_is_never_evaluated() -> None:
    # branca re-reads rendered macros as Jinja templates: "{{ … }}" in a name ran as Python.
    code = "{{ lipsum.__globals__.os.getcwd() }}"
    for text in (code, "{{7*7}}", "a{{b", "{% raw %}", "{#", "{% endraw %}}}"):
        page = one_feature_map(text, text, text, text)
        (payload,) = script_calls(page, "gaoxin.fastLayer")
        assert payload["name"] == text and payload["cols"][0]["name"] == text
        assert script_calls(page, "gaoxin.ui")[0]["title"] == text
        assert layer_control_names(page) == [html_lib.escape(text)]
        assert f"<title>{html_lib.escape(text)}</title>" in page
    assert str(Path.cwd()) not in one_feature_map(code, "c", "v", "t")


# Any text a user can give (names, column names, values, titles), rich in what is special to
# HTML, JavaScript string literals and Jinja.
_SPECIAL = st.sampled_from(["<", ">", "&", "'", '"', "\\", "/", "</script", "<!--", "-->",
                            "\u2028", "\u2029", "{{", "}}", "{%", "%}", "{#", "\\u003c",
                            "&lt;", "\n", "\x00"])
_ANY_TEXT = st.lists(_SPECIAL | st.characters(exclude_categories=("Cs",)),
                     min_size=1, max_size=12).map("".join)


@settings(max_examples=40, deadline=None)
@given(name=_ANY_TEXT, column=_ANY_TEXT, value=_ANY_TEXT, title=_ANY_TEXT)
def test_any_text_stays_data_in_the_map(name: str, column: str, value: str, title: str) -> None:
    assume(column != "geometry")
    page = one_feature_map(name, column, value, title)
    plain = one_feature_map("n", "c", "v", "t")
    assert len(inline_scripts(page)) == len(inline_scripts(plain))
    assert_scripts_cannot_be_broken(page)
    assert layer_control_names(page) == [html_lib.escape(name)]
    (payload,) = script_calls(page, "gaoxin.fastLayer")
    assert payload["name"] == name and payload["cols"][0]["name"] == column
    col = payload["cols"][0]
    assert (col["k"][col["i"][0]] if col["t"] == "c" else col["v"][0]) == value
    assert script_calls(page, "gaoxin.ui")[0]["title"] == title


# ------------------------------------------------------------------ in Chromium

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class Probe:
    """A page with the network blocked that records every sign of a payload running."""

    def __init__(self, browser: Any, path: Path, *, map_page: bool) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 800})
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:")) else r.abort())
        self.page.goto(path.as_uri())
        if map_page:
            self.page.wait_for_function("document.querySelector('[data-gx-ready]') !== null")
        self.page.wait_for_timeout(150)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expr: str) -> Any:
        return self.page.evaluate(expr)

    def assert_nothing_ran(self) -> None:
        self.page.wait_for_timeout(100)
        assert self.dialogs == []
        assert self.js("window.__pwned") is None
        assert self.errors == []  # an <img src=x> that became markup logs a failed load
        assert self.js("document.querySelectorAll('[onerror], [onload], [onmouseover]')"
                       ".length") == 0

    def map_point(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.js(f"""(() => {{
            const m = window[document.querySelector('.folium-map').id];
            const p = m.latLngToContainerPoint([{lat}, {lon}]);
            const r = m.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }})()""")
        return x, y


@pytest.fixture
def probe(browser: Any) -> Iterator[Any]:
    opened: list[Probe] = []

    def open_page(path: Path, *, map_page: bool = False) -> Probe:
        opened.append(Probe(browser, path, map_page=map_page))
        return opened[-1]

    yield open_page
    for p in opened:
        p.page.close()


def exercise_map(p: Probe, names: list[str]) -> None:
    """Click every entry of the layer control, open a popup, a tooltip and run a search."""
    p.assert_nothing_ran()  # while loading
    overlays = p.page.locator(".leaflet-control-layers-overlays")
    assert [s.strip() for s in overlays.locator("label span span").all_text_contents()] == names
    labels = overlays.locator("label")
    for i in range(labels.count()):
        labels.nth(i).click()
        labels.nth(i).click()
    x0, y0, x1, y1 = feature_box(1, 1)
    x, y = p.map_point((y0 + y1) / 2, (x0 + x1) / 2)
    p.page.mouse.move(x, y)
    p.page.mouse.move(x + 1, y + 1)
    p.page.wait_for_timeout(150)
    assert feature_ids(1)[1] in p.page.locator(".gx-tooltip").inner_text()
    p.page.mouse.click(x, y)
    p.page.wait_for_timeout(200)
    popup = p.page.locator(".gx-popup")
    assert names[1] in popup.locator("h4").inner_text()
    cells = p.js("""Object.fromEntries([...document.querySelectorAll('.gx-popup tr')]
                    .map(tr => [tr.querySelector('th').textContent,
                                tr.querySelector('td').textContent]))""")
    assert cells[ID_COL] == feature_ids(1)[1] and cells[TPL_COL] == ATTR
    assert cells[TEXT_COL] == COMMENT
    p.page.locator(".gx-search input").fill(feature_ids(0)[2])
    p.page.keyboard.press("Enter")
    p.page.wait_for_timeout(300)
    assert p.js("document.querySelector('.gx-popup td').textContent") == feature_ids(0)[2]
    assert p.js("document.querySelectorAll('.leaflet-container img').length") == 0


@pytest.mark.browser
def test_cli_map_runs_no_user_text(probe: Any, pages: Pages) -> None:
    p = probe(pages.cli_map, map_page=True)
    exercise_map(p, list(FILE_STEMS))
    assert p.js("document.title") == TITLE
    assert p.page.locator(".gx-title").inner_text() == TITLE
    p.assert_nothing_ran()


@pytest.mark.browser
def test_build_map_runs_no_user_text(probe: Any, pages: Pages) -> None:
    p = probe(pages.api_map, map_page=True)
    # The separators layer starts hidden: show it so the legend lists it.
    third = p.page.locator(".leaflet-control-layers-overlays label").nth(2)
    third.click()
    exercise_map(p, list(API_LAYERS))
    legend = p.page.locator(".gx-legend").inner_text()
    for text in (SVG_ATTR, COMMENT, IMG, f"{CAT_COL}({IMG_ALERT})", SCRIPT):
        assert text in legend
    p.assert_nothing_ran()


@pytest.mark.browser
def test_reports_run_no_user_text(probe: Any, pages: Pages) -> None:
    p = probe(pages.check)
    text = p.page.locator("table").inner_text()
    assert SCRIPT in text and f"{IMG}.gpkg" in text   # the request name, literally
    assert p.js("document.querySelectorAll('img, svg, script').length") == 0
    p.assert_nothing_ran()

    p = probe(pages.report)
    assert p.page.locator("h1").inner_text() == f"{SCRIPT}{TEMPLATE}"
    assert p.js("document.querySelectorAll('img, script').length") == 0
    assert p.js("document.querySelectorAll('.maps svg').length") == 2
    labels = p.js("[...document.querySelectorAll('.maps svg text')].map(t => t.textContent)")
    assert IMG in labels and IMG_ALERT in labels and SCRIPT in labels
    p.assert_nothing_ran()


@pytest.mark.browser
def test_index_links_run_no_script(probe: Any, pages: Pages) -> None:
    p = probe(pages.index)
    assert p.page.locator("h1").inner_text() == SCRIPT
    assert p.js("[...document.links].map(a => a.protocol)") == ["file:", "file:"]
    assert p.page.locator("a").first.inner_text() == IMG_ALERT
    p.assert_nothing_ran()
    p.page.locator("a").first.click()
    p.page.wait_for_timeout(200)
    assert p.dialogs == []
