"""The pages a reviewer reads in zh have no English or snake_case word in their visible text
(check.html, the expansion report, the demo index); the report names the 三区三线 data used."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from pyproj import CRS
from rasterio.transform import from_origin
from shapely import box

from gaoxin.errors import InputError
from gaoxin.layers.workspace import load_workspace
from gaoxin.report.html import crs_text, render
from gaoxin.report.labels import label
from gaoxin.workflows.check import check_rows, write_check_page
from gaoxin.workflows.expansion import run_expansion

X0, Y0 = 500_000.0, 3_400_000.0
# Names, not words: codes and standards a Chinese page writes in Latin letters.
NAMES = {"EPSG", "CGCS", "SHA", "WGS", "DEM", "gaoxin"}


class _VisibleText(HTMLParser):
    """The text a reader sees; what a page shows as a name (<code>) is left out."""

    hidden = frozenset({"style", "script", "title", "code", "head"})

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.hidden:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 0:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def foreign_words(html: str, names: frozenset[str] = frozenset()) -> set[str]:
    """English words (3+ letters) and snake_case tokens a zh reader would see."""
    text = visible_text(html)
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[A-Za-z]{3,}", text))
    return {w for w in words if w not in NAMES | names and not w.startswith("CGCS")}


def sample_workspace(root: Path, *, edition: str | None = "2023年批复版") -> Path:
    zone = box(X0, Y0, X0 + 1000, Y0 + 1000)
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲区"], "level": ["provincial"]},
                     geometry=[zone], crs=4544).to_file(root / "zones.gpkg")
    gpd.GeoDataFrame({"patch_id": ["HX1"], "name": ["乙红线"]}, crs=4544,
                     geometry=[box(X0 + 1500, Y0, X0 + 1700, Y0 + 200)]).to_file(
        root / "constraints.gpkg", layer="redlines")
    gpd.GeoDataFrame({"patch_id": ["JB1"]}, crs=4544,
                     geometry=[box(X0 + 1800, Y0, X0 + 1900, Y0 + 200)]).to_file(
        root / "constraints.gpkg", layer="farmland")
    # a Shapefile of Chinese text with no .cpg: its encoding is guessed
    parks = gpd.GeoDataFrame({"park_id": ["P1"], "name": ["丙园区"]}, crs=4544,
                             geometry=[box(X0, Y0, X0 + 100, Y0 + 100)])
    parks.to_file(root / "parks.shp", encoding="gbk")
    (root / "parks.cpg").unlink(missing_ok=True)
    gpd.GeoDataFrame({"DKBH": ["R1"]}, geometry=[box(X0 + 1000, Y0, X0 + 1400, Y0 + 400)],
                     crs=4544).to_crs(4326).to_file(root / "req.geojson")
    with rasterio.open(root / "dem.tif", "w", driver="GTiff", width=4, height=3, count=1,
                       dtype="float32", crs="EPSG:4544",
                       transform=from_origin(X0, Y0 + 90, 30, 30)) as dst:
        dst.write(np.zeros((3, 4), dtype="float32"), 1)
    declared = f'edition = "{edition}"\n' if edition else ""
    toml = root / "gaoxin.toml"
    toml.write_text('[layers.zones]\npath = "zones.gpkg"\n[layers.parks]\npath = "parks.shp"\n'
                    '[layers.dem]\npath = "dem.tif"\n'
                    '[layers.redlines]\npath = "constraints.gpkg"\nlayer = "redlines"\n'
                    + declared +
                    '[layers.farmland]\npath = "constraints.gpkg"\nlayer = "farmland"\n'
                    '[requests.east_part]\npath = "req.geojson"\nzone = "Z1"\n',
                    encoding="utf-8")
    return toml


# ---------------------------------------------------------------- check.html


def test_check_page_names_layers_crs_and_encodings_in_chinese(tmp_path: Path) -> None:
    ws = load_workspace(sample_workspace(tmp_path))
    rows, blocking = check_rows(ws)
    page = write_check_page(tmp_path / "check.html", ws, rows, blocking, CRS.from_epsg(4544))
    html = page.read_text(encoding="utf-8")
    # the request's own name is the user's, a name
    assert foreign_words(html, frozenset({"east_part"})) == set()
    text = visible_text(html)
    assert "CGCS2000 / 3度带高斯-克吕格投影 第35带" in text and "WGS 84 地理坐标系" in text
    assert "推断" in text and "未声明编码" in text          # why the encoding was guessed
    assert "4×3 像元" in text and "产业园区" in text

    assert 'title="parks"' in html                           # the key: a tooltip only


def test_check_page_in_english_stays_english(tmp_path: Path) -> None:
    ws = load_workspace(sample_workspace(tmp_path))
    rows, blocking = check_rows(ws)
    html = write_check_page(tmp_path / "check.html", ws, rows, blocking, CRS.from_epsg(4544),
                            "en").read_text(encoding="utf-8")
    text = visible_text(html)
    assert "3-degree Gauss-Krüger zone 35" in text and "guessed" in text
    assert not re.search(r"[\u4e00-\u9fff]", text.replace("丙园区", "").replace("甲区", ""))


@pytest.mark.parametrize(("epsg", "zh"), [
    (4523, "CGCS2000 / 3度带高斯-克吕格投影 第35带(中央经线 105°E,横坐标含带号) (EPSG:4523)"),
    (2357, "西安1980 / 3度带高斯-克吕格投影 第33带(中央经线 99°E,横坐标含带号) (EPSG:2357)"),
    (4495, "CGCS2000 / 6度带高斯-克吕格投影 第17带(中央经线 99°E,横坐标含带号) (EPSG:4495)"),
    (4326, "WGS 84 地理坐标系(经纬度) (EPSG:4326)"),
])
def test_crs_text_reads_pyproj_facts(epsg: int, zh: str) -> None:
    assert crs_text(CRS.from_epsg(epsg), "zh") == zh
    # the same CRS given as WKT without its code reads the same, less the code
    wkt = CRS.from_wkt(CRS.from_epsg(epsg).to_wkt().replace(f'ID["EPSG",{epsg}]', ""))
    assert crs_text(wkt, "zh").startswith(zh.rsplit(" (EPSG", 1)[0])


# ---------------------------------------------------------------- the expansion report


@pytest.fixture(scope="module")
def expansion_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("ws")
    ws = load_workspace(sample_workspace(root))
    run = run_expansion(root / "req.geojson", "Z1", root / "out", ws, lang="zh")
    return run.files["report"], run.summary


def _without_rules_table(html: str) -> str:
    """The report less the rules table, which another part of the report owns."""
    start = html.index(f"<h2>{label('report.rules_used', 'zh')}")
    return html[:start] + html[html.index("</table>", start):]


def test_expansion_report_has_no_english_word_in_zh(
        expansion_report: tuple[Path, dict[str, object]]) -> None:
    html = expansion_report[0].read_text(encoding="utf-8")
    assert foreign_words(_without_rules_table(html)) == set()
    text = visible_text(html)
    assert "椭球面积(CGCS2000 椭球)" in text
    assert "工作坐标系: CGCS2000 / 3度带高斯-克吕格投影" in text


def test_expansion_report_names_the_edition_of_the_control_line_data(
        expansion_report: tuple[Path, dict[str, object]]) -> None:
    report = expansion_report[0]
    text = visible_text(report.read_text(encoding="utf-8"))
    assert "三区三线数据版本" in text
    assert "2023年批复版" in text                  # redlines: declared
    assert "未注明版本" in text and "edition" in report.read_text(encoding="utf-8")
    assert re.search(r"constraints\.gpkg \(redlines\)</code></td><td>\d{4}年\d{2}月\d{2}日",
                     report.read_text(encoding="utf-8"))
    saved = json.loads((report.parent / "summary.json").read_text(encoding="utf-8"))
    layers = {r["kind"]: r for r in saved["provenance"]["constraint_layers"]}
    assert layers["redlines"]["edition"] == "2023年批复版"
    assert layers["redlines"]["path"].endswith("constraints.gpkg")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", layers["redlines"]["modified"])
    assert layers["farmland"]["edition"] is None
    assert layers["dev_boundary"]["path"] is None   # not in the workspace, and said so
    assert label("report.not_provided", "zh") in text


@pytest.mark.parametrize("edition", ["", "  ", "1"])
def test_an_edition_must_be_a_non_empty_text(tmp_path: Path, edition: str) -> None:
    toml = sample_workspace(tmp_path)
    bad = f"edition = {edition}" if edition == "1" else f'edition = "{edition}"'
    toml.write_text(toml.read_text(encoding="utf-8").replace('edition = "2023年批复版"', bad),
                    encoding="utf-8")
    with pytest.raises(InputError, match="edition must be a non-empty text"):
        load_workspace(toml)


def test_an_edition_is_read_from_the_layer(tmp_path: Path) -> None:
    ws = load_workspace(sample_workspace(tmp_path))
    assert ws.layers["redlines"].edition == "2023年批复版"
    assert ws.layers["farmland"].edition is None


# ---------------------------------------------------------------- index.html


def test_index_words_are_chinese_file_names_are_names() -> None:
    from gaoxin.demo import Section

    section = Section(label("check.title", "zh"))
    section.add("check.html", label("demo.check_report", "zh"))
    section.add("check.json", label("demo.check_data", "zh"), label("demo.data_note", "zh"),
                file="check.json")
    section.add("x/summary.json", label("demo.summary_data", "zh").format(name="东区"),
                file="summary.json")
    section.add("p.xlsx", label("demo.plot_ratio_tables", "zh"), file="plot_ratio.xlsx")
    html = render("index.html", title="示例", lang="zh", subtitle=crs_text(
        CRS.from_epsg(4544), "zh"), sections=[section])
    assert foreign_words(html) == set()
    assert "<code" in html and "summary.json" in html
