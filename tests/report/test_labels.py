"""The label catalogue: every word in both languages, Chinese words in Chinese, and no
language branch outside gaoxin/report/labels.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gaoxin.kinds import KINDS
from gaoxin.report.labels import COLUMNS, LABELS, LANGS, column, label, layer_label

PACKAGE = Path(__file__).resolve().parents[2] / "gaoxin"
CATALOGUE = PACKAGE / "report" / "labels.py"

# Latin text a Chinese label may hold: units, codes, standards and names that have no
# Chinese form (GB/T, R&D, the A–D classes of 亩均, GCJ-02, DEM, the tool and its commands).
ALLOWED_LATIN = re.compile(
    r"\{[a-z_]+(:[^}]*)?\}|m²|\bm\b|GB/T|R&D|\b[A-H]\d*\b|GCJ-02|CGCS2000|DEM|OpenStreetMap|"
    r"gaoxin check|gaoxin|Excel")


def latin_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", ALLOWED_LATIN.sub("", text))


def test_every_label_has_both_languages() -> None:
    for key, texts in LABELS.items():
        assert len(texts) == len(LANGS), key
        assert all(t.strip() for t in texts), key
    for key, (zh, en, _unit) in COLUMNS.items():
        assert zh.strip() and en.strip(), key


@pytest.mark.parametrize("table", ["LABELS", "COLUMNS"])
def test_chinese_labels_hold_no_latin_words(table: str) -> None:
    entries = LABELS if table == "LABELS" else COLUMNS
    bad = {k: v[0] for k, v in entries.items() if latin_words(v[0])}
    assert not bad
    in_rows = [(k.rsplit(".", 1)[-1], k.rsplit(".", 1)[0] if "." in k else None) for k in COLUMNS]
    assert not [(c, rows) for c, rows in in_rows if latin_words(column(c, "zh", rows))]


def test_allow_list_catches_words() -> None:
    assert latin_words("低效用地 list") == ["list"]
    assert latin_words("面积(m²) · GB/T 4754 · A 类 · {n} 个") == []


def test_every_canonical_field_has_a_column_label_in_both_languages() -> None:
    for kind, spec in KINDS.items():
        for f in spec.fields:
            zh, en = column(f.name, "zh", kind), column(f.name, "en", kind)
            assert zh.startswith(f.label_zh), (kind, f.name, zh)
            assert en != f.name and "_" not in en and not latin_words(zh), (kind, f.name, en)
            if f.unit:
                assert zh.endswith(f"({f.unit})") and en.endswith(")"), (kind, f.name)
        assert layer_label(kind, "zh") == spec.label_zh
        assert layer_label(kind, "en") == spec.label_en


def test_a_column_reads_in_its_language_with_its_unit() -> None:
    assert column("revenue", "zh", "enterprises") == "营业收入(万元)"
    assert column("revenue", "en", "enterprises") == "Revenue (10k CNY)"
    assert column("per_mu_tax", "zh") == "亩均税收(万元/亩)"
    assert column("per_mu_tax", "en") == "Tax per mu (10k CNY/mu)"
    # the row kind gives a name its meaning there: a parcel's zone, a zone's plot ratio
    assert column("zone_id", "zh", "parcels") == "所属园区"
    assert column("zone_id", "zh", "zones") == "园区代码"
    assert column("plot_ratio", "zh", "parcels") == "容积率"
    assert column("plot_ratio", "zh", "zones") == "综合容积率"
    assert column("my_own_field", "zh") == "my_own_field"


def test_templates_take_numbers() -> None:
    assert label("demo.n_layers", "zh").format(n=3) == "3 个图层"
    assert label("demo.n_layers", "en").format(n=3) == "3 layers"
    assert label("layer.lowest_n_note", "zh").format(n=20000, total=1_000_000) == (
        "图上只画容积率最低的 20,000 宗(共 1,000,000 宗)")


def language_branches(root: Path) -> list[str]:
    """``a if zh else b`` / ``a if lang == "zh" else b`` (any test naming zh) in ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == CATALOGUE.name and path.parent.name == "report":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.IfExp):
                continue
            test = node.test
            names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
            consts = {n.value for n in ast.walk(test) if isinstance(n, ast.Constant)}
            if "zh" in names or ("lang" in names and consts & {"zh", "en"}):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_no_language_branch_outside_the_catalogue() -> None:
    assert language_branches(PACKAGE) == []


def test_branch_finder_finds_branches(tmp_path: Path) -> None:
    pkg = tmp_path / "gaoxin"
    pkg.mkdir()
    (pkg / "a.py").write_text('x = "图" if zh else "map"\ny = 1 if lang == "zh" else 2\n'
                              'z = ("a", "b")[0 if lang != "en" else 1]\n', encoding="utf-8")
    assert language_branches(pkg) == ["gaoxin/a.py:1", "gaoxin/a.py:2", "gaoxin/a.py:3"]
