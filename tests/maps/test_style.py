"""maps/style.py: classes of choropleths and categorical colourings, with their legends."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from gaoxin.errors import InputError
from gaoxin.maps.style import Classes, classify
from gaoxin.report.labels import label
from gaoxin.report.symbology import (
    CATEGORY_PALETTE,
    CONSTRAINT_KINDS,
    DIVERGING,
    LAND_STATUS_COLORS,
    NODATA_COLOR,
    SEQUENTIAL,
    delta_e,
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


def _categories(values: list[str | None], name: str | None = None,
                lang: str = "zh") -> Classes:
    return classify(pd.Series(values, name=name, dtype=object), BASE, method=None,
                    thresholds=None, unit=None, label="x", lang=lang)


def test_land_status_legend_names_each_code_and_gives_it_its_own_colour() -> None:
    codes = ["G", "A2", "D21", "A52", "A1", "B22", "E21", "A2", None]
    c = _categories(codes, name="status")
    # in the survey's code order, each with its name from the catalogue
    assert c.labels == ["A1 住宅用地", "A2 工矿仓储用地", "A52 其他公共管理与公共服务用地",
                        "B22 未达到供地条件的其他土地", "D21 已供应(有偿未到期)",
                        "E21 尚可供应(工矿仓储)", "G 闲置土地", "无数据"]
    assert [s["fill"] for s in c.styles[:-1]] == [LAND_STATUS_COLORS[k] for k in
                                                  ("A1", "A2", "A52", "B22", "D21", "E21", "G")]
    assert c.codes.tolist() == [6, 1, 4, 2, 0, 3, 5, 1, 7]
    assert _categories(["A2"], name="status", lang="en").labels[0] == "A2 Industrial and storage"


def test_codes_of_another_column_or_other_values_are_not_taken_for_land_status() -> None:
    assert _categories(["A", "B"], name="class").labels == ["A", "B", "无数据"]
    assert _categories(["A2", "工业"], name="status").labels == ["A2", "工业", "无数据"]


def test_expansion_conflicts_take_their_constraints_colours_in_both_languages() -> None:
    for lang in ("zh", "en"):
        names = [label(f"conflict.{check}", lang) for check in CONSTRAINT_KINDS]
        c = _categories(names, name="constraint", lang=lang)
        by_label = dict(zip(c.labels, c.styles, strict=True))
        for check, name in zip(CONSTRAINT_KINDS, names, strict=True):
            look = kind_style(f"conflicts.{check}")
            assert {k: by_label[name][k] for k in ("color", "fill", "weight")} == {
                k: look[k] for k in ("color", "fill", "weight")}


def test_no_two_categories_of_a_legend_look_alike() -> None:
    # 25 values without a meaning beside two with one: the palette skips colours close to the
    # meaning colours, and values it cannot colour distinctly share an "other" class.
    values = ["ready", "blocked", *[f"类{i:02d}" for i in range(25)]]
    c = _categories(values)
    fills = [s["fill"] for s in c.styles[:-1]]
    for a, b in itertools.combinations(fills, 2):
        assert delta_e(a, b) >= 10, (a, b)
    assert c.labels[-1] == "其他 / 无数据" and c.styles[-1]["fill"] == NODATA_COLOR
    assert (c.codes == len(c.styles) - 1).sum() == len(values) - len(fills)
    assert len(fills) >= 12
