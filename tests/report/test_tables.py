"""report/tables.py: result frames labelled for workbooks and tables."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
from shapely import Point

from gaoxin.analysis.ruleset import load_ruleset
from gaoxin.report.tables import capped_table, labelled, rules_sheet


def test_result_columns_of_the_workbooks_are_labelled_in_chinese() -> None:
    """The snake_case keys zh workbooks and popups used to show have Chinese labels."""
    keys = ["far_min", "per_mu_tax", "rank", "reason_label", "score", "zone_type_label",
            "built_rate", "idle_rate", "industrial_plot_ratio", "main_enterprise", "land_mu",
            "total_ha", "s_plot_ratio", "score_per_mu_tax", "evaluated", "firms", "name"]
    frame = labelled(pd.DataFrame(columns=keys), "zh", "parcels")
    assert not [c for c in frame.columns if re.search(r"[A-Za-z_]{2,}", str(c))]


def test_rules_sheet_lists_every_rule_of_every_set() -> None:
    expansion = load_ruleset("expansion", {"contiguity.max_blocks": 4})
    per_mu = load_ruleset("per_mu")
    sheet = rules_sheet(expansion, per_mu, lang="en")
    assert len(sheet) == len(expansion.rules) + len(per_mu.rules)
    assert list(sheet.columns) == ["Rule", "Value", "Unit", "Source", "Confidence",
                                   "Overridden", "Rule set"]
    row = sheet[sheet["Rule"] == "contiguity.max_blocks"].iloc[0]
    assert (row["Value"], row["Overridden"], row["Rule set"]) == (4, True, "expansion")
    assert rules_sheet(per_mu).columns[0] == "规则"   # zh by default


def test_capped_table_drops_geometry_caps_rows_and_frees_nullable_booleans() -> None:
    frame = gpd.GeoDataFrame({"ok": pd.array([True, None, False], dtype="boolean"),
                              "n": [1, 2, 3]},
                             geometry=[Point(0, 0), Point(1, 1), Point(2, 2)], crs=4544)
    table = capped_table(frame, 2)
    assert list(table.columns) == ["ok", "n"] and len(table) == 2
    assert table["ok"].tolist() == [True, None]  # pd.NA would not reach a workbook cell
    assert frame["ok"].dtype == "boolean"  # the input is untouched
