"""Tables for workbooks: columns labelled in the report language, the rules sheet, caps."""

from __future__ import annotations

import pandas as pd

from ..analysis.ruleset import RuleSet
from .labels import column


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
