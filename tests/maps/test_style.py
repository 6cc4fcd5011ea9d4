"""maps/style.py: classes of choropleths and categorical colourings, with their legends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gaoxin.errors import InputError
from gaoxin.maps.style import classify
from gaoxin.report.symbology import (
    CATEGORY_PALETTE,
    DIVERGING,
    NODATA_COLOR,
    SEQUENTIAL,
    kind_style,
)

BASE = kind_style("parcels")


def test_thresholds_give_open_ended_classes_and_a_nodata_class() -> None:
    values = pd.Series([0.2, 1.0, 1.5, 2.0, 3.5, np.nan])
    c = classify(values, BASE, method="thresholds", thresholds=[2.0, 1.0], unit="",
                 label="容积率", lang="zh")
    # thresholds are sorted; a value equal to a threshold belongs to the class above it
    assert c.codes.tolist() == [0, 1, 1, 2, 2, 3]
    assert c.labels == ["< 1", "1 – 2", "≥ 2", "无数据"]
    assert [s["fill"] for s in c.styles] == [DIVERGING[0], DIVERGING[2], DIVERGING[4],
                                             NODATA_COLOR]
    assert c.caption == "容积率"


def test_one_threshold_is_fail_or_pass() -> None:
    c = classify(pd.Series([0.9, 1.1]), BASE, method="thresholds", thresholds=[1.0],
                 unit="倍", label="容积率", lang="en")
    assert [s["fill"] for s in c.styles[:2]] == ["#d7191c", "#1a9641"]  # red, green
    assert c.labels[-1] == "No data" and c.caption == "容积率(倍)"


def test_few_distinct_values_get_one_class_each() -> None:
    c = classify(pd.Series([3.0, 1.0, 3.0, None]), BASE, method=None, thresholds=None,
                 unit=None, label="x", lang="zh")
    assert c.codes.tolist() == [1, 0, 1, 2] and c.labels == ["1", "3", "无数据"]
    assert c.styles[0]["fill"] == SEQUENTIAL[0] and c.styles[1]["fill"] == SEQUENTIAL[-1]


def test_quantiles_of_many_values_make_five_classes_in_order() -> None:
    values = pd.Series(np.arange(100.0))
    c = classify(values, BASE, method="quantiles", thresholds=None, unit="", label="x",
                 lang="zh")
    assert len(c.labels) == 6 and c.labels[0] == "0 – 19.8"
    assert np.bincount(c.codes).tolist() == [20, 20, 20, 20, 20]
    assert (np.diff(c.codes) >= 0).all()  # sorted values, non-decreasing classes


def test_categories_take_their_meaning_colours_in_meaning_order() -> None:
    c = classify(pd.Series(["blocked", "ready", "河道", None, "ready"]), BASE, method=None,
                 thresholds=None, unit=None, label="status", lang="zh")
    assert c.labels == ["ready", "blocked", "河道", "无数据"]
    assert [s["fill"] for s in c.styles] == ["#1a9641", "#d7191c", CATEGORY_PALETTE[0],
                                             NODATA_COLOR]
    assert c.codes.tolist() == [1, 0, 2, 3, 0]


def test_bad_classification_requests_are_input_errors() -> None:
    with pytest.raises(InputError, match="needs a list of thresholds"):
        classify(pd.Series([1.0]), BASE, method="thresholds", thresholds=None, unit="",
                 label="x", lang="zh")
    with pytest.raises(InputError, match="unknown classification 'equal'"):
        classify(pd.Series([1.0]), BASE, method="equal", thresholds=None, unit="", label="x",
                 lang="zh")
