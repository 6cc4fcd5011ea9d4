"""The words of the expansion checks live in the report, none in the analysis.

- Each check's title and each outcome's message, in Chinese and English, written out here by
  hand: :mod:`gaoxin.report.checks` makes them from the catalogue and the check's values.
- No string of an analysis module is Chinese prose (the rule is :func:`prose_in`).
- No report template chooses a language or holds a word of its own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gaoxin.analysis.expansion import Check
from gaoxin.report.checks import check_features, check_message, check_record, check_title
from gaoxin.report.labels import LABELS

ROOT = Path(__file__).resolve().parents[2]
ANALYSIS = ROOT / "gaoxin" / "analysis"
TEMPLATES = ROOT / "gaoxin" / "report" / "templates"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

# --------------------------------------------------------------------- titles and messages

TITLES = {
    "geometry": ("申请范围几何", "Request geometry"),
    "redline": ("生态保护红线", "ecological red line"),
    "farmland": ("永久基本农田", "permanent basic farmland"),
    "dev_boundary": ("城镇开发边界", "Urban development boundary"),
    "other_zones": ("其他开发区与园区", "other zones and parks"),
    "contiguity": ("集中连片", "Contiguity"),
    "size": ("面积", "Size"),
    "terrain": ("地形", "Terrain"),
    "land_use": ("现状土地利用", "Current land use"),
}

# 6,666.67 m² is 10.000005 亩 and 0.666667 公顷.
TEN_MU = 6666.67

# (check, outcome, values) -> (Chinese message, English message), each of every check's cases.
MESSAGES: list[tuple[str, str, dict[str, object], str, str]] = [
    ("geometry", "invalid",
     {"parts": 1, "area_m2": 1.0, "slivers": [],
      "invalid": ["1: Self-intersection[1 1]", "2: Ring Self-intersection[2 2]", "3: a",
                  "4: b", "5: c", "6: never listed"]},
     "申请范围几何无效:1: Self-intersection[1 1]; 2: Ring Self-intersection[2 2]; 3: a; 4: b; "
     "5: c",
     "invalid request geometry: 1: Self-intersection[1 1]; 2: Ring Self-intersection[2 2]; "
     "3: a; 4: b; 5: c"),
    ("geometry", "slivers", {"parts": 3, "area_m2": 1.0, "invalid": [], "slivers": [2, 3]},
     "3 个区块,其中 2 个为碎片或狭长图形(区块 2, 3)",
     "3 blocks, 2 of them slivers (blocks 2, 3)"),
    ("geometry", "valid", {"parts": 1, "area_m2": 1234567.891, "invalid": [], "slivers": []},
     "几何有效、闭合、无自相交;1 个区块,共 1,851.85 亩 (123.4568 公顷, 1,234,567.9 m²)",
     "valid, closed, no self-intersection; 1 blocks, 1,851.85 mu (123.4568 ha, 1,234,567.9 m²) "
     "in all"),
    ("redline", "no_layer", {},
     "工作区未提供生态保护红线图层,未检查",
     "no ecological red line layer in the workspace: not checked"),
    ("redline", "overlap", {"patches": 1, "area_m2": 646190.3},
     "与生态保护红线重叠 1 处,共 969.29 亩 (64.6190 公顷, 646,190.3 m²)",
     "overlaps 1 ecological red line patches, 969.29 mu (64.6190 ha, 646,190.3 m²) in all"),
    ("redline", "none", {"patches": 0, "area_m2": 0.0},
     "不占用生态保护红线", "no ecological red line overlap"),
    ("farmland", "no_layer", {},
     "工作区未提供永久基本农田图层,未检查",
     "no permanent basic farmland layer in the workspace: not checked"),
    ("farmland", "overlap", {"patches": 10, "area_m2": TEN_MU},
     "与永久基本农田重叠 10 处,共 10.00 亩 (0.6667 公顷, 6,666.7 m²)",
     "overlaps 10 permanent basic farmland patches, 10.00 mu (0.6667 ha, 6,666.7 m²) in all"),
    ("farmland", "tolerated", {"patches": 1, "area_m2": TEN_MU},
     "不占用永久基本农田(重叠 10.00 亩 (0.6667 公顷, 6,666.7 m²),在允许范围内)",
     "no permanent basic farmland overlap (10.00 mu (0.6667 ha, 6,666.7 m²), within tolerance)"),
    ("other_zones", "overlap", {"patches": 2, "area_m2": TEN_MU},
     "与其他开发区与园区重叠 2 处,共 10.00 亩 (0.6667 公顷, 6,666.7 m²)",
     "overlaps 2 other zones and parks patches, 10.00 mu (0.6667 ha, 6,666.7 m²) in all"),
    ("other_zones", "none", {"patches": 0, "area_m2": 0.0},
     "不占用其他开发区与园区", "no other zones and parks overlap"),
    ("dev_boundary", "no_layer", {},
     "工作区未提供城镇开发边界,未检查",
     "no urban development boundary in the workspace: not checked"),
    ("dev_boundary", "outside", {"outside_share": 0.737, "outside_m2": 4095558.7},
     "73.70% 位于城镇开发边界外(6,143.34 亩 (409.5559 公顷, 4,095,558.7 m²))",
     "73.70% lies outside the urban development boundary (6,143.34 mu (409.5559 ha, "
     "4,095,558.7 m²))"),
    ("dev_boundary", "inside", {"outside_share": 0.0, "outside_m2": 0.0},
     "全部位于城镇开发边界内", "entirely inside the urban development boundary"),
    ("contiguity", "blocks",
     {"existing_blocks": 1, "blocks_after": 4, "max_blocks": 3,
      "distances_m": [0.0, 2236.07, 12345.5]},
     "现有 1 个区块,扩区后 4 个(上限 3);申请区块距现有区块 0 m, 2,236 m, 12,346 m",
     "1 existing blocks, 4 after expansion (limit 3); request parts lie 0 m, 2,236 m, "
     "12,346 m from them"),
    ("size", "no_limit", {"after_m2": 31937024.5, "level": "national"},
     "扩区后 3,193.70 公顷;国家级开发区无面积上限规定",
     "3,193.70 ha after expansion; no maximum for level national"),
    ("size", "no_limit", {"after_m2": 31937024.5, "level": "provincial"},
     "扩区后 3,193.70 公顷;省级开发区无面积上限规定",
     "3,193.70 ha after expansion; no maximum for level provincial"),
    ("size", "no_limit", {"after_m2": 31937024.5, "level": ""},
     "扩区后 3,193.70 公顷;该开发区无面积上限规定",
     "3,193.70 ha after expansion; no maximum for level (unknown)"),
    ("size", "no_limit", {"after_m2": 31937024.5, "level": "municipal"},
     "扩区后 3,193.70 公顷;municipal开发区无面积上限规定",
     "3,193.70 ha after expansion; no maximum for level municipal"),
    ("size", "limit", {"after_m2": 14_000_000.0, "limit_ha": 1000.0},
     "扩区后 1,400.00 公顷,上限 1,000 公顷", "1,400.00 ha after expansion, limit 1,000 ha"),
    ("terrain", "no_layer", {},
     "工作区未提供 DEM,未检查", "no DEM in the workspace: not checked"),
    ("terrain", "too_coarse", {"cell_size": 5000.0, "cell_unit": "m"},
     "DEM 分辨率(5000 m)相对申请范围过粗,无法计算坡度;请提供更细的 DEM",
     "the DEM's cells (5000 m) are too coarse for the request: no slope can be computed "
     "inside it; give a finer DEM"),
    ("terrain", "too_coarse", {"cell_size": 0.05, "cell_unit": "deg"},
     "DEM 分辨率(0.05°)相对申请范围过粗,无法计算坡度;请提供更细的 DEM",
     "the DEM's cells (0.05°) are too coarse for the request: no slope can be computed "
     "inside it; give a finer DEM"),
    ("terrain", "not_covered", {},
     "DEM 未覆盖申请范围", "the DEM does not cover the request"),
    ("terrain", "slopes",
     {"steep_slope_deg": 25.0, "mean_slope_deg": 15.06, "max_slope_deg": 27.84,
      "steep_share": 0.0212, "min_elevation_m": 1467.4, "max_elevation_m": 2153.6},
     "平均坡度 15.1°,最大 27.8°;坡度大于 25° 的面积占 2.1%;高程 1467–2154 m",
     "mean slope 15.1°, max 27.8°; 2.1% steeper than 25°; elevation 1467–2154 m"),
    ("land_use", "no_layer", {},
     "工作区未提供带土地状态的地块图层,未检查",
     "no parcels with land-status codes in the workspace: not checked"),
    ("land_use", "no_parcels", {},
     "申请开发区内没有地块数据", "no parcels of the applicant zone"),
    ("land_use", "rates",
     {"rates": {"development_rate": 0.952, "built_rate": 0.9277, "plot_ratio": 1.0512},
      "below": []},
     "土地开发率 95.2%; 土地建成率 92.8%; 综合容积率 1.05",
     "land development rate 95.2%; land built rate 92.8%; overall plot ratio 1.05"),
    ("land_use", "below",
     {"rates": {"supply_rate": 0.9226, "idle_rate": 0.031, "plot_ratio": 0.8},
      "below": ["supply_rate", "idle_rate", "plot_ratio"]},
     "土地供应率 92.3%; 土地闲置率 3.1%; 综合容积率 0.80。未达参考线:土地供应率, 土地闲置率, "
     "综合容积率",
     "land supply rate 92.3%; idle land rate 3.1%; overall plot ratio 0.80. Below the "
     "reference: land supply rate, idle land rate, overall plot ratio"),
]


@pytest.mark.parametrize(("key", "outcome", "values", "zh", "en"), MESSAGES,
                         ids=[f"{m[0]}-{m[1]}-{i}" for i, m in enumerate(MESSAGES)])
def test_message_of_each_outcome(key: str, outcome: str, values: dict[str, object], zh: str,
                                 en: str) -> None:
    check = Check(key, "info", outcome, values)
    assert check_message(check, "zh") == zh
    assert check_message(check, "en") == en


def test_every_message_template_of_the_catalogue_is_written_out_here() -> None:
    written = {f"check.{'overlap' if k in ('redline', 'farmland', 'other_zones') else k}.{o}"
               for k, o, *_ in MESSAGES}
    # Parts of a message rather than a message: a title, a number's or a unit's form.
    parts = {"title", "cell_deg", "cell_m", "rate", "percent", "ratio"}
    templates = {k for k in LABELS if k.count(".") == 2 and k.split(".")[0] == "check"
                 and k.split(".")[1] in {*TITLES, "overlap"} and k.split(".")[2] not in parts}
    assert templates == written


@pytest.mark.parametrize("key", list(TITLES))
def test_a_check_has_one_title_whatever_happened(key: str) -> None:
    outcomes = {o for k, o, *_ in MESSAGES if k == key}
    for outcome in outcomes:
        check = Check(key, "info", outcome)
        assert (check_title(check, "zh"), check_title(check, "en")) == TITLES[key]


def test_the_record_keeps_the_summary_fields_and_names_each_indicator() -> None:
    check = Check("land_use", "warn", "below",
                  {"rates": {"idle_rate": 0.031}, "below": ["idle_rate"]},
                  {"idle_rate": 0.031, "parcels": 12},
                  [{"indicator": "idle_rate", "value": 0.031, "reference": 0.0,
                    "meets_reference": False}],
                  ["land_use.max_idle_rate"])
    record = check_record(check)
    assert list(record) == ["key", "title_zh", "title_en", "status", "message_zh",
                            "message_en", "figures", "features", "rules"]
    assert record["message_zh"] == "土地闲置率 3.1%。未达参考线:土地闲置率"
    assert record["figures"] == {"idle_rate": 0.031, "parcels": 12}
    assert record["rules"] == ["land_use.max_idle_rate"]
    # The names come right after the indicator: the report's and the workbook's column order.
    assert check_features(check) == [
        {"indicator": "idle_rate", "name_zh": "土地闲置率", "name_en": "idle land rate",
         "value": 0.031, "reference": 0.0, "meets_reference": False}]
    assert check.features[0] == {"indicator": "idle_rate", "value": 0.031, "reference": 0.0,
                                 "meets_reference": False}
    plain = Check("contiguity", "pass", "blocks", features=[{"part": 1, "distance_m": 0.0}])
    assert check_features(plain) == [{"part": 1, "distance_m": 0.0}]


# --------------------------------------------------------------------- no prose in an analysis

# Module-level tables of domain data: the official names of the evaluation's indicators and
# zone types with their units (开发区土地集约利用评价规程, 亩均论英雄 schemes). They are what a
# thing is called, not a sentence; the label catalogue reads them.
DOMAIN_TABLES = {"intensity.py": {"INDICATOR_LABELS", "ZONE_TYPES"}, "per_mu.py": {"INDICATORS"},
                 # the servicing levels as parcels carry them, yes/no and list separators
                 # as staff write them in tables
                 "standard_land.py": {"SERVICING_LEVELS", "_TRUE", "_FALSE", "_SPLIT",
                                      "_LIST_SEPARATOR"},
                 "consolidation.py": {"_SPLIT_NAMES", "_LIST_SEPARATOR"},
                 # the unit a declared area was most likely written in, as a header names it
                 "declared_area.py": {"_UNIT_SLIPS"}}

# The source text of a rule record, written like the rule TOML files' sources (in Chinese).
RULE_TEXT = {("ruleset.py", "工作区覆盖 (workspace override; default ")}

# Prose still in analyses outside the expansion checks: 亩均's reasons an enterprise is not
# evaluated and the land-intensity evaluation's note on its default weights. They are to move
# to the catalogue as the checks' messages did; a new entry here is a regression.
NOT_YET_MOVED = {
    ("per_mu.py", "未参评"), ("per_mu.py", "无用地"), ("per_mu.py", "用地小于"),
    ("per_mu.py", "亩"),
    ("intensity.py", "无官方权重与理想值 (domain.md §1.5):权重与理想值为项目默认 ⚙,请在工作区 "
                     "[rules.intensity] 中按省级/园区目标修改"),
}


def prose_in(source: str, file: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal of ``source`` holding a Chinese character that is
    not allowed there.

    Allowed: docstrings (comments are no strings); the text of an exception a ``raise``
    builds (English, naming a term as the data spells it: the 地块编号 column); strings inside
    a module-level table of :data:`DOMAIN_TABLES`; the rule-record text of :data:`RULE_TEXT`;
    and, until they move, :data:`NOT_YET_MOVED`.
    """
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)):
            allowed.add(id(body[0].value))
        if isinstance(node, ast.Raise):
            allowed |= {id(n) for n in ast.walk(node)}
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if names & DOMAIN_TABLES.get(file, set()):
            allowed |= {id(n) for n in ast.walk(node)}
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and CJK.search(node.value) and id(node) not in allowed
                  and (file, node.value) not in RULE_TEXT | NOT_YET_MOVED)


def test_no_analysis_holds_chinese_prose() -> None:
    found = {path.name: prose_in(path.read_text(encoding="utf-8"), path.name)
             for path in sorted(ANALYSIS.glob("*.py"))}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_rule_tells_prose_from_what_is_allowed() -> None:
    source = '''
"""模块说明: a docstring."""
INDICATORS = {"tax_per_mu": ("亩均税收", "Tax per mu", "万元/亩")}
def check(x):
    """检查: a docstring."""
    if not x:
        raise ValueError(f"check the 地块编号 column mapping: {x}")
    return {"message": f"与生态保护红线重叠 {x} 处"}  # a comment: 注释
NAMES = {"a": "不是领域数据表"}
'''
    assert prose_in(source, "per_mu.py") == [(8, " 处"), (8, "与生态保护红线重叠 "),
                                             (9, "不是领域数据表")]
    # The table is domain data only in the module whose table it is.
    assert [line for line, _ in prose_in(source, "expansion.py")] == [3, 3, 8, 8, 9]


# --------------------------------------------------------------------- templates

# What a language branch looks like in a template: a test on the language or the old `zh` flag.
LANGUAGE_BRANCH = re.compile(r"\blang\s*(==|!=|in\b)|\bif\s+(not\s+)?zh\b|\bzh\s+else\b|"
                             r"_zh\s+if\b|'zh'|\"zh\"")


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_choose_no_language_and_hold_no_words_of_their_own(template: str) -> None:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not LANGUAGE_BRANCH.findall(text)
    # Every Chinese word of a page comes from the catalogue, so none is written in a template.
    assert not CJK.findall(text)
    for key in re.findall(r"\bt\('([^']+)'\)", text):
        assert key in LABELS, key
    for prefix in re.findall(r"\bt\('([^']+)' ~", text):
        assert any(k.startswith(prefix) for k in LABELS), prefix


@pytest.mark.parametrize("branch", [
    "{{ '申请开发区' if zh else 'Applicant zone' }}", "{{ c.title_zh if zh else c.title_en }}",
    "{% if zh %}通过{% else %}{{ summary.verdict | upper }}{% endif %}",
    "{{ 'zh-CN' if lang == 'zh' else 'en' }}", "{{ r.label_zh if lang == 'zh' else r.label_en }}",
    "{% if lang != \"en\" %}"])
def test_the_branch_pattern_finds_a_language_branch(branch: str) -> None:
    assert LANGUAGE_BRANCH.search(branch)
    assert not LANGUAGE_BRANCH.search("{{ t('report.verdict') }} {{ bilingual(a, b, lang) }}")
