"""report/tables.py: result frames labelled for workbooks and tables."""

from __future__ import annotations

import re

import pandas as pd

from gaoxin.report.tables import labelled


def test_result_columns_of_the_workbooks_are_labelled_in_chinese() -> None:
    """The snake_case keys zh workbooks and popups used to show have Chinese labels."""
    keys = ["far_min", "per_mu_tax", "rank", "reason_label", "score", "zone_type_label",
            "built_rate", "idle_rate", "industrial_plot_ratio", "main_enterprise", "land_mu",
            "total_ha", "s_plot_ratio", "score_per_mu_tax", "evaluated", "firms", "name"]
    frame = labelled(pd.DataFrame(columns=keys), "zh", "parcels")
    assert not [c for c in frame.columns if re.search(r"[A-Za-z_]{2,}", str(c))]
