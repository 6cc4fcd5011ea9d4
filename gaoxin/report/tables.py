"""Tables for workbooks: columns labelled in the report language, the rules sheet, caps."""

from __future__ import annotations

import pandas as pd

from ..analysis.ruleset import RuleSet


def labelled(frame: pd.DataFrame, zh: bool, labels: dict[str, tuple[str, str]]) -> pd.DataFrame:
    return frame.rename(columns={k: v[0 if zh else 1] for k, v in labels.items()})


def rules_sheet(*rules: RuleSet) -> pd.DataFrame:
    return pd.concat([pd.DataFrame(r.as_records()).assign(rule_set=r.name) for r in rules],
                     ignore_index=True)


def capped_table(frame: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    cols = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", "geometry")]
    t = pd.DataFrame(frame[cols]).head(max_rows).copy()
    for c in t.columns:
        if str(t[c].dtype) == "boolean":
            t[c] = t[c].astype(object).where(t[c].notna(), None)
    return t
