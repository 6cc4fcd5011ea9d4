"""Tables for workbooks: columns labelled in the report language, the rules sheet, caps."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from ..analysis.ruleset import CONFIDENCE, Rule, RuleSet
from .labels import LABELS, bilingual, column, label, unit_label


def labelled(frame: pd.DataFrame, lang: str, rows: str | None = None) -> pd.DataFrame:
    """``frame`` with every column headed by its catalogue label in ``lang``.

    ``rows`` is the kind of the rows (``"parcels"``, ``"zones"`` …), see
    :func:`.labels.column`.

    Examples
    --------
    >>> list(labelled(pd.DataFrame({"parcel_id": [], "area_mu": []}), "zh", "parcels").columns)
    ['地块编号', '面积(亩)']
    """
    return frame.rename(columns={c: column(str(c), lang, rows) for c in frame.columns})


def benchmark_sheet(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The national benchmarks sheet: :func:`..analysis.intensity.benchmark_table` headed in
    ``lang``, each row's indicator named by its label with unit (``土地供应率(%)``, from
    which the workbook writer takes the row's number format), a column per zone, then the
    national value of each monitoring year.

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["supply_rate"], "label_zh": ["土地供应率"],
    ...                   "label_en": ["Land supply rate"], "unit": ["%"], "Z1": [0.95],
    ...                   "national_2022": [0.9284]})
    >>> benchmark_sheet(t, "zh").iloc[0].to_dict()
    {'指标': '土地供应率(%)', 'Z1': 0.95, '2022年全国监测值': 0.9284}
    >>> list(benchmark_sheet(t, "en").columns)
    ['Indicator', 'Z1', 'National value 2022']
    """
    national = column("national", lang, "benchmarks")
    headers = {"indicator": column("indicator", lang, "benchmarks")}
    headers |= {str(c): national.format(year=str(c).removeprefix("national_"))
                for c in table.columns if str(c).startswith("national_")}
    out = table.drop(columns=["label_zh", "label_en", "unit"])
    out["indicator"] = [column(str(k), lang) for k in table["indicator"]]
    return out.rename(columns=headers)


def minimum_table_sheet(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The minimum plot-ratio table (:func:`..analysis.plot_ratio.min_plot_ratio_table`)
    headed in ``lang``.

    Examples
    --------
    >>> from gaoxin.analysis.plot_ratio import min_plot_ratio_table
    >>> list(minimum_table_sheet(min_plot_ratio_table(), "zh").columns)[:5]
    ['控制标准', '行业分类版本', '行业代码', '行业名称', '容积率控制值']
    """
    out = table.assign(confidence=[confidence_label(str(c), lang) for c in table["confidence"]])
    return labelled(out, lang, "minimum_table")


@dataclass(frozen=True)
class RuleRow:
    """A rule as staff read it, in one language: the report's rules table and the 规则
    sheet show these fields.

    ``name`` is the rule's label; ``key`` what a workspace overrides; ``value`` and ``unit``
    as staff write them (5%, 2,000 米); ``confidence`` the badge's text and ``mark`` its word
    (``official`` …), the CSS class of the badge in a page.
    """

    name: str
    key: str
    value: str
    unit: str
    source: str
    confidence: str
    mark: str
    overridden: bool


def rule_value(rule: Rule, lang: str) -> str:
    """The value of ``rule`` as staff write it: a share or percentage as 5%, thousands
    separators, no trailing zeros, words for yes/no, empty values and choices.

    Examples
    --------
    >>> rule_value(Rule("k", 0.8946, unit="share"), "zh"), rule_value(Rule("k", 2000.0), "zh")
    ('89.46%', '2,000')
    >>> rule_value(Rule("k", 7.0, unit="%"), "en"), rule_value(Rule("k", 2022, unit="年"), "zh")
    ('7%', '2022')
    >>> rule_value(Rule("k", "", confidence="❌"), "zh"), rule_value(Rule("k", ["A2", "H1"]), "zh")
    ('未取得', 'A2、H1')
    >>> rule_value(Rule("k", "sichuan"), "zh"), rule_value(Rule("k", True), "en")
    ('四川方案(sichuan)', 'yes')
    """
    value = rule.value
    if isinstance(value, bool):
        return label("yes" if value else "no", lang)
    if isinstance(value, list):
        return label("rules.list_separator", lang).join(str(v) for v in value)
    if value == "":
        return label("rules.value_not_found" if rule.confidence_word == "not_found"
                     else "rules.value_none", lang)
    if isinstance(value, str):
        key = f"rules.choice.{value}"
        return (label("rules.choice_value", lang).format(label=label(key, lang), value=value)
                if key in LABELS else value)
    if not isinstance(value, (int, float)):
        return str(value)
    if rule.unit == "年":  # a year has no thousands separator
        return f"{value:.0f}"
    if rule.unit == "share":
        return f"{_number(value * 100)}%"
    if rule.unit == "%":
        return f"{_number(value)}%"
    return _number(value)


def _number(x: float) -> str:
    # Four decimals hold every shipped rule (0.0302, 24.097) and drop float noise
    # (0.8946 × 100 = 89.46000000000001).
    if not math.isfinite(x):
        return str(x)
    text = f"{x:,.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def rule_unit(rule: Rule, lang: str) -> str:
    """The unit of ``rule`` as staff write it: 平方米 for m², 度 for °, the compactness
    explained; empty for a share or percentage (the value carries the %).

    Examples
    --------
    >>> rule_unit(Rule("k", 1.0, unit="m²"), "zh"), rule_unit(Rule("k", 1.0, unit="公顷"), "en")
    ('平方米', 'ha')
    """
    if rule.unit in _NO_UNIT:
        return ""
    key = f"rules.unit.{rule.unit}"
    return label(key, lang) if key in LABELS else unit_label(rule.unit, lang)


# Units that read as nothing: a share (0.05) and a percentage (5.0) both show as 5% in the
# value; a plot ratio has no unit.
_NO_UNIT = frozenset({"share", "%", "—", ""})


def rule_source(rule: Rule, lang: str) -> str:
    """The source of ``rule``; for a rule the workspace overrode, that it did and the
    shipped default with its source."""
    if not rule.overridden:
        return rule.source
    shipped = replace(rule, value=rule.default)
    default = " ".join(t for t in (rule_value(shipped, lang), rule_unit(shipped, lang)) if t)
    return label("rules.overridden_source", lang).format(default=default, source=rule.source)


def confidence_label(mark: str, lang: str) -> str:
    """The plain-text badge of a confidence mark (``🟡`` → 转述), empty for none.

    Examples
    --------
    >>> confidence_label("✅", "zh"), confidence_label("⚙", "en"), confidence_label("", "zh")
    ('原文', 'default', '')
    """
    word = CONFIDENCE.get(mark, "")
    return label(f"rules.confidence.{word}", lang) if word else ""


def rule_rows(rules: Iterable[Rule], lang: str) -> list[RuleRow]:
    """``rules`` as staff read them in ``lang`` (see :class:`RuleRow`).

    Examples
    --------
    >>> from gaoxin.analysis.ruleset import load_ruleset
    >>> row = rule_rows([load_ruleset("expansion").rules["contiguity.warn_gap_m"]], "zh")[0]
    >>> row.name, row.value, row.unit, row.confidence, row.key
    ('新区块与现有区块间距提示值', '2,000', '米', '默认', 'contiguity.warn_gap_m')
    """
    return [RuleRow(name=bilingual(r.label, r.label_en, lang) or r.key, key=r.key,
                    value=rule_value(r, lang), unit=rule_unit(r, lang),
                    source=rule_source(r, lang), confidence=confidence_label(r.confidence, lang),
                    mark=r.confidence_word, overridden=r.overridden)
            for r in rules]


# Columns of the rules sheet: a RuleRow field (or the rule set) -> its label key. The key a
# workspace overrides comes last: the rule is named by its label.
RULE_COLUMNS = {"name": "report.rule", "value": "report.value", "unit": "report.unit",
                "source": "report.source", "confidence": "rules.confidence",
                "overridden": "rules.overridden", "rule_set": "rules.rule_set",
                "key": "rules.key"}


def rules_sheet(*rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """Every rule of ``rules``, one a row, headed in ``lang``: the rule's name, value, unit,
    source, confidence, whether the workspace overrode it, the rule set, and the key a
    workspace overrides.

    Examples
    --------
    >>> from gaoxin.analysis.ruleset import load_ruleset
    >>> list(rules_sheet(load_ruleset("plot_ratio")).columns)
    ['规则', '取值', '单位', '依据', '可信度', '工作区已修改', '规则集', '键']
    """
    records = [{"name": row.name, "value": row.value, "unit": row.unit, "source": row.source,
                "confidence": row.confidence,
                "overridden": label("yes" if row.overridden else "no", lang),
                "rule_set": bilingual(rs.title, rs.title_en, lang), "key": row.key}
               for rs in rules for row in rule_rows(rs.rules.values(), lang)]
    frame = pd.DataFrame(records, columns=list(RULE_COLUMNS))
    return frame.rename(columns={c: label(k, lang) for c, k in RULE_COLUMNS.items()})


def capped_table(frame: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    cols = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", "geometry")]
    t = pd.DataFrame(frame[cols]).head(max_rows).copy()
    for c in t.columns:
        if str(t[c].dtype) == "boolean":
            t[c] = t[c].astype(object).where(t[c].notna(), None)
    return t
