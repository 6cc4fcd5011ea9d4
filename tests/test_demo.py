"""``gaoxin demo`` end to end: every link of out/index.html leads to a written output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest


@pytest.fixture
def demo_out(demo_zh: Path) -> Path:
    return demo_zh


def test_every_link_of_the_index_is_a_written_file(demo_out: Path) -> None:
    html = (demo_out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', html)
    local = [link for link in links if "://" not in link]
    assert len(local) >= 19
    for link in local:
        target = demo_out / link
        assert target.is_file() and target.stat().st_size > 0, link


def test_issue_5_outputs_each_with_map_and_table(demo_out: Path) -> None:
    html = (demo_out / "index.html").read_text(encoding="utf-8")
    for folder, table in (("plot_ratio", "plot_ratio.xlsx"), ("per_mu", "per_mu.xlsx"),
                          ("intensity", "intensity.xlsx"),
                          ("intensity/low_efficiency", "low_efficiency.xlsx")):
        assert f'href="{folder}/map.html"' in html and f'href="{folder}/{table}"' in html
        summary = json.loads((demo_out / folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["provenance"]["inputs"], folder
        book = openpyxl.load_workbook(demo_out / folder / table, read_only=True)
        assert len(book.sheetnames) >= 2
        book.close()
    plot = json.loads((demo_out / "plot_ratio" / "summary.json").read_text(encoding="utf-8"))
    parcels = gpd.read_file(demo_out / "plot_ratio" / "results.gpkg")
    assert len(parcels) == plot["parcels"] > 5000
    assert parcels["floor_area_m2"].sum() == pytest.approx(plot["floor_area_m2"], rel=1e-6)
    per_mu = json.loads((demo_out / "per_mu" / "summary.json").read_text(encoding="utf-8"))
    assert set(per_mu["classes"]) == {"A", "B", "C", "D"}


# ---------------------------------------------------------------- the demo's figures stay put

FIGURES = Path(__file__).parent / "data" / "demo_figures.json"


def demo_figures(out: Path) -> dict[str, object]:
    """Every figure of every summary.json the demo writes, without what differs run to run
    (provenance: paths, digests, versions; timings), floats to 9 significant digits."""

    def clean(value: object) -> object:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in ("provenance", "timings")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, float):
            return float(f"{value:.9g}")
        if isinstance(value, str):
            return value.replace(str(out), "<out>")
        return value

    return {str(p.relative_to(out).parent): clean(json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(out.rglob("summary.json")) if "workspace" not in p.parts}


def test_demo_figures_are_unchanged(demo_out: Path) -> None:
    """The figures of record (tests/data/demo_figures.json) came from the demo before the
    package was restructured. A change that is meant to change a figure regenerates the file
    with GAOXIN_UPDATE_FIGURES=1 and says why in its commit."""
    import os

    got = demo_figures(demo_out)
    if os.environ.get("GAOXIN_UPDATE_FIGURES") == "1":
        FIGURES.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                           encoding="utf-8")
    want = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name


def _counts(node: object, where: str = "") -> list[tuple[str, dict[str, object]]]:
    """Every count of a check in a summary: a mapping holding ``compared``."""
    found = []
    if isinstance(node, dict):
        if "compared" in node:
            found.append((where, node))
        for key, value in node.items():
            if key != "provenance":
                found.extend(_counts(value, f"{where}.{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_counts(value, f"{where}[{i}]"))
    return found


def test_every_count_in_every_summary_adds_up(demo_out: Path) -> None:
    """Issue 11: a count says compared / passed / failed / not comparable, and they add up:
    compared + not comparable = total, passed + failed = compared; every enterprise of the
    亩均 evaluation is evaluated or said not to be, and every evaluated one has a class."""
    seen = 0
    for path in sorted(demo_out.rglob("summary.json")):
        summary = json.loads(path.read_text(encoding="utf-8"))
        for where, c in _counts(summary):
            name = f"{path.relative_to(demo_out)}{where}"
            not_comparable = c["not_comparable"]
            assert isinstance(not_comparable, dict), name
            assert all(isinstance(n, int) and n > 0 for n in not_comparable.values()), name
            assert c["compared"] + sum(not_comparable.values()) == c["total"], name
            assert c["passed"] + c["failed"] == c["compared"], name
            seen += 1
    assert seen >= 3
    per_mu = json.loads((demo_out / "per_mu" / "summary.json").read_text(encoding="utf-8"))
    assert per_mu["evaluated"] + per_mu["not_evaluated"] == per_mu["enterprises"]
    assert sum(per_mu["classes"].values()) == per_mu["evaluated"]
