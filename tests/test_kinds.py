"""kinds.py: the layer kinds, their canonical fields and aliases, the land-status codes."""

from __future__ import annotations

import math

import pytest

from gaoxin.kinds import KINDS, LAND_STATUS_CODES, Field, LayerKind, _f


def test_id_field_is_the_unique_field_or_none() -> None:
    assert KINDS["parcels"].id_field == "parcel_id"
    assert KINDS["buildings"].id_field == "building_id"
    assert KINDS["enterprises"].id_field is None  # a firm has one row per parcel it holds
    assert KINDS["dem"].id_field is None and KINDS["dem"].fields == ()


def test_positive_fields_exclude_zero_and_keep_their_maximum() -> None:
    floors = _f("floors", "float", positive=True, maximum=200.0)
    assert (floors.minimum, floors.maximum, floors.positive) == (0.0, 200.0, True)
    assert _f("x", "float", positive=True, minimum=5.0).minimum == 5.0
    free = _f("tax", "float")  # tax may be negative (refunds)
    assert math.isinf(free.minimum) and free.minimum < 0 and math.isinf(free.maximum)


def test_aliases_never_name_two_fields_of_one_kind() -> None:
    for kind in KINDS.values():
        names = [n for f in kind.fields for n in (f.name, *f.aliases)]
        clashing = {n for n in names if names.count(n) > 1}
        assert not clashing, (kind.name, clashing)


def test_every_kind_is_keyed_by_its_name_with_a_known_geometry() -> None:
    assert all(name == kind.name for name, kind in KINDS.items())
    assert {k.geometry for k in KINDS.values()} <= {"polygon", "line", "point", "table",
                                                    "raster"}
    assert KINDS["roads"].geometry == "line" and KINDS["enterprises"].geometry == "table"


def test_land_status_codes_of_the_survey() -> None:
    assert LAND_STATUS_CODES["A2"] == "工矿仓储用地" and LAND_STATUS_CODES["G"] == "闲置土地"
    assert len(LAND_STATUS_CODES) == 26


def test_kinds_and_fields_are_immutable() -> None:
    with pytest.raises(AttributeError):
        KINDS["zones"].label_zh = "x"  # type: ignore[misc]
    assert isinstance(KINDS["zones"], LayerKind) and isinstance(KINDS["zones"].fields[0], Field)
