"""errors.py: the one message of an InputError, and naming the file afterwards."""

from __future__ import annotations

import pytest

from gaoxin.errors import InputError


def test_message_names_file_feature_problem_and_fix_in_that_order() -> None:
    error = InputError("floors must be > 0", file="b.gpkg", feature="B7", fix="correct it")
    assert str(error) == "b.gpkg: feature B7: floors must be > 0. Fix: correct it"
    assert error.args == (str(error),)


@pytest.mark.parametrize(("kwargs", "text"), [
    ({}, "no CRS"),
    ({"feature": 0}, "feature 0: no CRS"),   # row 0 is a feature, not "no feature"
    ({"file": "", "fix": "x"}, "no CRS. Fix: x"),
])
def test_parts_left_out_leave_no_trace(kwargs: dict[str, object], text: str) -> None:
    assert str(InputError("no CRS", **kwargs)) == text


def test_is_a_value_error_keeping_its_parts() -> None:
    error = InputError("bad", file=3, feature="F", fix="y")
    assert isinstance(error, ValueError)
    assert (error.problem, error.file, error.feature, error.fix) == ("bad", "3", "F", "y")


def test_with_file_names_the_file_only_when_none_was_known() -> None:
    anonymous = InputError("bad value", feature="P1", fix="check it")
    named = anonymous.with_file("parcels.gpkg")
    assert str(named) == "parcels.gpkg: feature P1: bad value. Fix: check it"
    assert anonymous.file is None  # the original is not changed
    already = InputError("bad", file="a.shp")
    assert already.with_file("b.shp") is already
