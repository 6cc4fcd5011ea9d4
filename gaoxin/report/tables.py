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
