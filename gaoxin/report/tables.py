"""Tables for workbooks: columns labelled in the report language, the rules sheet, caps."""

from __future__ import annotations

import pandas as pd

from ..analysis.ruleset import RuleSet
from .labels import column, label


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
    return labelled(table, lang, "minimum_table")


# Columns of the rules sheet: a rule's record field -> its label key.
RULE_COLUMNS = {"key": "report.rule", "value": "report.value", "unit": "report.unit",
                "source": "report.source", "confidence": "rules.confidence",
                "overridden": "rules.overridden", "rule_set": "rules.rule_set"}


def rules_sheet(*rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """Every rule of ``rules``, one a row, headed in ``lang``: the rule's key (what a
    workspace overrides), value, unit, source, confidence mark, whether the workspace
    overrode it, and the rule set.

    Examples
    --------
    >>> from gaoxin.analysis.ruleset import load_ruleset
    >>> list(rules_sheet(load_ruleset("plot_ratio")).columns)
    ['规则', '取值', '单位', '依据', '可信度', '工作区已修改', '规则集']
    """
    frame = pd.concat([pd.DataFrame(r.as_records()).assign(rule_set=r.name) for r in rules],
                      ignore_index=True)
    return frame.rename(columns={c: label(k, lang) for c, k in RULE_COLUMNS.items()})


def capped_table(frame: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    cols = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", "geometry")]
    t = pd.DataFrame(frame[cols]).head(max_rows).copy()
    for c in t.columns:
        if str(t[c].dtype) == "boolean":
            t[c] = t[c].astype(object).where(t[c].notna(), None)
    return t
