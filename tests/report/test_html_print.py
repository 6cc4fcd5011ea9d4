"""The expansion report printed to A4 in Chromium: the overview-map heading always shares a
page with its drawing, and the 界址点 table flows in columns with no row split."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gaoxin.layers.workspace import load_workspace
from gaoxin.report.labels import label
from gaoxin.workflows.expansion import run_expansion
from tests.report.test_html_pages import sample_workspace

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None or shutil.which("pdftotext") is None,
                       reason="Chromium or pdftotext is not installed"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# A4 less the report's 15 mm side margins, in CSS pixels (96 per inch).
A4_CONTENT_PX = round((210 - 30) / 25.4 * 96)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws")
    ws = load_workspace(sample_workspace(root))
    return run_expansion(root / "req.geojson", "Z1", root / "out", ws, lang="zh").files["report"]


@pytest.fixture(scope="module")
def page(report: Path) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser.new_page(viewport={"width": A4_CONTENT_PX, "height": 900})
        browser.close()


def _pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          check=True, text=True).stdout
    return text.split("\f")


def test_the_overview_heading_is_never_stranded_at_a_page_foot(
        page: Any, report: Path, tmp_path: Path) -> None:
    heading = label("report.overview_map", "zh")
    drawing = label("title.request_detail", "zh")
    # Whatever comes before the map (more checks, longer messages), the heading must land
    # on the page of its drawing: push it down the page in steps and print each time.
    for spacer_mm in range(0, 260, 40):
        page.goto(report.as_uri())
        page.evaluate("""([text, mm]) => {
            const h = [...document.querySelectorAll('h2')].find(e => e.textContent === text);
            const spacer = document.createElement('div');
            spacer.style.height = mm + 'mm';
            (h.closest('section') || h).before(spacer);
        }""", [heading, spacer_mm])
        pdf = tmp_path / f"report-{spacer_mm}.pdf"
        page.pdf(path=str(pdf), format="A4")
        pages = _pages_text(pdf)
        on = [i for i, t in enumerate(pages) if any(line.strip() == heading
                                                     for line in t.splitlines())]
        assert len(on) == 1, (spacer_mm, on)
        assert drawing in pages[on[0]], f"heading alone at the foot of page {on[0] + 1} " \
                                        f"with {spacer_mm} mm before it"


def test_the_boundary_point_table_flows_in_columns_on_a4(page: Any, report: Path) -> None:
    page.emulate_media(media="print")
    try:
        page.goto(report.as_uri())
        rows = page.evaluate("""() => [...document.querySelectorAll('table.points tbody tr')]
            .map(r => [...r.getClientRects()].map(b => [b.left, b.top, b.width]))""")
    finally:
        page.emulate_media(media="screen")
    assert len(rows) >= 5
    assert all(len(r) == 1 for r in rows), "a row is split across columns"
    lefts = sorted({round(r[0][0]) for r in rows})
    assert 2 <= len(lefts) <= 3, lefts
    # a column is no narrow strip: together they fill the page's width
    assert max(r[0][2] for r in rows) * len(lefts) > 0.75 * A4_CONTENT_PX
