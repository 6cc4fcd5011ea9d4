"""Every page the demo writes, read as a reviewer reads it (issue 11), in Debian's Chromium.

For each HTML page of ``gaoxin demo`` in zh and in en, at 1366×768:

- no visible text is a canonical column name or a snake_case token (``far_min``,
  ``dev_boundary``), and in zh no English word at all, apart from names that are not words:
  file names, codes (G510001, EPSG:4523), acronyms (TXT, DEM), the map library's credit, and
  what a page sets as code (file paths, the rule keys a workspace overrides);
- the labels a map carries for its popups and layer control are labels, not column names;
- on maps, the legend, layer control, title, measure button, search box, zoom, fullscreen
  button and scale bar do not overlap;
- no character renders as tofu (the empty box of a missing glyph): each non-ASCII character
  on the page is drawn on a canvas in the page's font and compared with a code point no font
  has.

Cross-cutting (every output of every workflow), so it stays at the top of ``tests/``.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gaoxin.report.labels import COLUMNS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None,
                       reason=f"Debian's Chromium is not installed at {CHROMIUM} "
                              "(apt-get install chromium fonts-wqy-microhei)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# A token of Latin letters, digits, underscores, dots, slashes and hyphens, as it reads.
TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
# Extensions of the files a page may name (inputs and outputs).
FILE = re.compile(r"\.(gpkg|shp|zip|txt|tif|tiff|xlsx|xls|csv|dbf|json|html|toml|geojson|"
                  r"png|svg|pdf)$", re.I)
# Names that are not words: codes (G510001, A2, HX008, GB/T 4754-2002), EPSG codes, acronyms
# written in capitals (TXT, DEM, CGCS2000, SHA-256, GCJ-02), numbers with units, version
# strings, text encodings, the program's own name and the map library's credit.
NOT_WORDS = re.compile(
    r"^(?:[A-Z]{1,4}\d[\w.\-]*|[A-Z][A-Z0-9&]*(?:[-/][A-Z0-9]+)*|\d[\w.,\-/]*|EPSG:?\d*|"
    r"GB/T|TD/T|v?\d+(?:\.\d+)*|gaoxin|Leaflet|OpenStreetMap|km|m|mu|ha|m²|x|y|N|E|"
    r"gb18030|gbk|gb2312|utf-8|big5)$")
ALLOWED_PHRASES = ("© OpenStreetMap", "Leaflet")
MAP_BOXES = {
    "legend": ".gx-legend", "layers": ".leaflet-control-layers", "title": ".gx-title",
    "measure": ".leaflet-control-measure", "search": ".gx-search",
    "zoom": ".leaflet-control-zoom", "fullscreen": ".leaflet-control-fullscreen",
    "scale": ".leaflet-control-scale",
}
# JavaScript: the boxes of the map's controls that are shown.
BOXES_JS = """(sels) => {
  const out = {};
  for (const [k, s] of Object.entries(sels)) {
    for (const [i, e] of [...document.querySelectorAll(s)].entries()) {
      const r = e.getBoundingClientRect(), st = getComputedStyle(e);
      if (r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none')
        out[i ? k + i : k] = [r.left, r.top, r.right, r.bottom];
    }
  }
  return out;
}"""
# JavaScript: the characters whose drawing in the body font equals that of a code point no
# font has (U+10FFFD, private use), i.e. that render as the missing-glyph box.
TOFU_JS = """(chars) => {
  const font = getComputedStyle(document.body).fontFamily;
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => { g.clearRect(0, 0, 64, 64); g.font = '40px ' + font;
    g.fillText(ch, 4, 48); return Array.from(g.getImageData(0, 0, 64, 64).data).join(','); };
  const missing = draw(String.fromCodePoint(0x10FFFD));
  return chars.filter(ch => draw(ch) === missing);
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def pages(out: Path) -> list[Path]:
    """The HTML pages the demo writes (workspace/ holds its inputs)."""
    found = sorted(p for p in out.rglob("*.html") if "workspace" not in p.relative_to(out).parts)
    assert len(found) >= 10
    return found


def english_words(text: str, names: frozenset[str] = frozenset()) -> set[str]:
    """Tokens of ``text`` that read as English words, not names or codes (nor ``names``)."""
    for phrase in ALLOWED_PHRASES:
        text = text.replace(phrase, " ")
    words = set()
    for token in TOKEN.findall(text):
        token = token.strip(".-/")
        if not token or FILE.search(token) or NOT_WORDS.match(token) or token in names:
            continue
        if re.search(r"[A-Za-z]{2,}", token):
            words.add(token)
    return words


def snake_tokens(text: str, names: frozenset[str] = frozenset()) -> set[str]:
    """snake_case tokens and canonical column names that are not part of a file name, nor
    one of ``names`` (identifiers the user chose, such as the workspace's request names)."""
    found = set()
    for token in TOKEN.findall(text):
        token = token.strip(".-/")
        if FILE.search(token) or token in names:
            continue
        if SNAKE.match(token) or (token in COLUMNS and "_" in token):
            found.add(token)
    return found


def payload_labels(html: str) -> list[str]:
    """The layer names and column labels a map page carries for its layer control, tooltips
    and popups (the runtime shows them only on hover or click)."""
    labels = []
    for m in re.finditer(r"gaoxin\.fastLayer\((\{.*?\}), \{\}\)", html, re.S):
        payload = json.loads(m.group(1))
        labels.append(payload["name"])
        labels.extend(c["label"] for c in payload["cols"])
    return labels


def overlaps(boxes: dict[str, list[float]]) -> list[tuple[str, str]]:
    names = sorted(boxes)
    hits = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes[a], boxes[b]
            if min(r1, r2) - max(l1, l2) > 1 and min(b1, b2) - max(t1, t2) > 1:
                hits.append((a, b))
    return hits


def read_page(browser: Any, path: Path) -> tuple[str, dict[str, list[float]], list[str]]:
    """Visible text, control boxes and tofu characters of ``path`` at 1366×768."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("file:", "data:")) else route.abort())
    try:
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        # Text shown as code (file names, paths, rule keys for overrides) is a name the user
        # types or reads back, not a word: it is read apart.
        text = page.evaluate("""() => {
            const named = [...document.querySelectorAll('code, .rule-key, [translate=no]')];
            const was = named.map(e => e.style.display);
            named.forEach(e => { e.style.display = 'none'; });
            const t = document.body.innerText;
            named.forEach((e, i) => { e.style.display = was[i]; });
            return t; }""")
        boxes = page.evaluate(BOXES_JS, MAP_BOXES)
        chars = sorted({ch for ch in text if ord(ch) > 127 and not ch.isspace()
                        and unicodedata.category(ch)[0] not in "CZ"})
        tofu = page.evaluate(TOFU_JS, chars)
    finally:
        page.close()
    return text, boxes, tofu


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_demo_page_reads_as_a_reviewer_expects(
        lang: str, request: pytest.FixtureRequest, browser: Any) -> None:
    out: Path = request.getfixturevalue(f"demo_{lang}")
    workspace = tomllib.loads((out / "workspace" / "gaoxin.toml").read_text(encoding="utf-8"))
    names = frozenset(workspace.get("requests", {}))   # request_clean: the user's own names
    problems = []
    for path in pages(out):
        name = str(path.relative_to(out))
        html = path.read_text(encoding="utf-8")
        text, boxes, tofu = read_page(browser, path)
        labels = payload_labels(html)
        if snake := snake_tokens(text + "\n" + "\n".join(labels), names):
            problems.append(f"{name}: column names / snake_case shown: {sorted(snake)}")
        if lang == "zh" and (words := english_words(text + "\n" + "\n".join(labels), names)):
            problems.append(f"{name}: English words in a Chinese page: {sorted(words)}")
        if tofu:
            problems.append(f"{name}: characters without a glyph (tofu): {tofu}")
        if hits := overlaps(boxes):
            problems.append(f"{name}: overlapping at 1366×768: {hits}")
    assert not problems, "\n".join(problems)


def test_the_checks_find_what_they_look_for() -> None:
    """The detectors themselves: each flags what it is for and lets names through."""
    names = "请见 parcels.gpkg 与 G510001、EPSG:4523、TXT、A2、GB/T 4754-2002"
    assert english_words(names) == set()
    assert english_words("坐标系 Gauss-Kruger (heuristic)") == {"Gauss-Kruger", "heuristic"}
    assert snake_tokens("far_min 与 request_cgcs2000_gk.txt") == {"far_min"}
    assert snake_tokens("dev_boundary") == {"dev_boundary"}
    assert overlaps({"a": [0, 0, 10, 10], "b": [5, 5, 20, 20], "c": [30, 0, 40, 10]}) == [
        ("a", "b")]
