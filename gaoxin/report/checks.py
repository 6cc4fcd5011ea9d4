"""The words of an expansion request's checks: title and message of each, in zh or en.

An :class:`~gaoxin.analysis.expansion.Check` says which of its cases happened (``outcome``)
and the exact values that case reports (``values``); this module makes the sentence from the
catalogue's template ``check.<check>.<outcome>`` (:mod:`.labels`), formatting the values the
one way every output shows them (亩 to 2 decimals, 公顷 to 4, m² to 1, thousands separated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from ..analysis.expansion import Check
from ..geo.units import m2_to_ha, m2_to_mu
from .labels import LABELS, LANGS, label

# Checks that measure an overlap with a constraint layer; their messages share one template.
OVERLAP_CHECKS = ("redline", "farmland", "other_zones")


def check_title(check: Check, lang: str) -> str:
    """The check's title in ``lang``.

    Examples
    --------
    >>> check_title(Check("redline", "pass", "none"), "zh")
    '生态保护红线'
    """
    return label(f"check.{check.key}.title", lang)


def check_message(check: Check, lang: str) -> str:
    """What the check found, as one sentence in ``lang``.

    Examples
    --------
    >>> c = Check("redline", "fail", "overlap", {"patches": 2, "area_m2": 6666.67})
    >>> check_message(c, "zh")
    '与生态保护红线重叠 2 处,共 10.00 亩 (0.6667 公顷, 6,666.7 m²)'
    >>> check_message(c, "en")
    'overlaps 2 ecological red line patches, 10.00 mu (0.6667 ha, 6,666.7 m²) in all'
    """
    group = "overlap" if check.key in OVERLAP_CHECKS else check.key
    fields = _FIELDS.get(check.key, _no_fields)(check.values, lang)
    if check.key in OVERLAP_CHECKS:
        fields["name"] = check_title(check, lang)
    template = f"check.{group}.{check.outcome}"
    if "basis" in fields:
        # a size stating which area "after expansion" counts from (approved or GIS)
        template += ".basis"
    return label(template, lang).format(**fields)


def check_features(check: Check) -> list[dict[str, object]]:
    """The check's features as the outputs list them: an indicator with its names.

    Examples
    --------
    >>> check_features(Check("land_use", "pass", "rates", features=[
    ...     {"indicator": "idle_rate", "value": 0.01}]))[0]["name_en"]
    'idle land rate'
    """
    out: list[dict[str, object]] = []
    for feature in check.features:
        if "indicator" in feature:
            key = f"check.{check.key}.indicator.{feature['indicator']}"
            names = {f"name_{lang}": label(key, lang) for lang in LANGS}
            out.append({"indicator": feature["indicator"], **names, **feature})
        else:
            out.append(dict(feature))
    return out


def check_record(check: Check) -> dict[str, object]:
    """The check as ``summary.json`` records it: titles and messages in both languages.

    Examples
    --------
    >>> r = check_record(Check("terrain", "info", "no_layer"))
    >>> r["title_en"], r["message_zh"]
    ('Terrain', '工作区未提供 DEM,未检查')
    """
    return {"key": check.key, "title_zh": check_title(check, "zh"),
            "title_en": check_title(check, "en"), "status": check.status,
            "message_zh": check_message(check, "zh"), "message_en": check_message(check, "en"),
            "figures": check.figures, "features": check_features(check), "rules": check.rules}


def area_text(m2: float, lang: str) -> str:
    """An area in 亩, 公顷 and m², as a check's message gives it.

    Examples
    --------
    >>> area_text(1234567.891, "en")
    '1,851.85 mu (123.4568 ha, 1,234,567.9 m²)'
    """
    return label("check.area", lang).format(mu=m2_to_mu(m2), ha=m2_to_ha(m2), sq_m=m2)


def _no_fields(values: Mapping[str, object], lang: str) -> dict[str, object]:
    return {}


def _number(values: Mapping[str, object], key: str) -> float:
    return float(cast(float, values[key]))


def _geometry(values: Mapping[str, object], lang: str) -> dict[str, object]:
    invalid = cast(Sequence[str], values.get("invalid", []))
    slivers = cast(Sequence[int], values.get("slivers", []))
    fields: dict[str, object] = {
        "parts": values.get("parts"), "problems": "; ".join(invalid[:5]),
        "n_slivers": len(slivers), "slivers": ", ".join(str(i) for i in slivers)}
    if "area_m2" in values:
        fields["area"] = area_text(_number(values, "area_m2"), lang)
    return fields


def _overlap(values: Mapping[str, object], lang: str) -> dict[str, object]:
    if "area_m2" not in values:
        return {}
    return {"patches": values["patches"], "area": area_text(_number(values, "area_m2"), lang)}


def _dev_boundary(values: Mapping[str, object], lang: str) -> dict[str, object]:
    if "outside_m2" not in values:
        return {}
    return {"share": _number(values, "outside_share"),
            "area": area_text(_number(values, "outside_m2"), lang)}


def _contiguity(values: Mapping[str, object], lang: str) -> dict[str, object]:
    distances = cast(Sequence[float], values["distances_m"])
    return {**values, "distances": ", ".join(label("check.distance", lang).format(m=d)
                                             for d in distances)}


def _size(values: Mapping[str, object], lang: str) -> dict[str, object]:
    level = str(values.get("level", ""))
    if f"zone_level.{level}" in LABELS:
        level = label(f"zone_level.{level}", lang)
    fields = {**values, "after_ha": m2_to_ha(_number(values, "after_m2")),
              "level": level or label("zone_level.unknown", lang)}
    if "added_m2" not in values:
        return fields
    added_ha = float(m2_to_ha(_number(values, "added_m2")))
    if "approved_area_ha" in values:
        approved = _number(values, "approved_area_ha")
        fields["after_ha"] = approved + added_ha
        fields["basis"] = label("check.size.basis.approved", lang).format(
            approved=approved, added=added_ha)
    else:
        fields["basis"] = label("check.size.basis.gis", lang)
    return fields


def _terrain(values: Mapping[str, object], lang: str) -> dict[str, object]:
    if "cell_size" not in values:
        return dict(values)
    return {"cell": label(f"check.terrain.cell_{values['cell_unit']}", lang).format(
        size=values["cell_size"])}


def _land_use(values: Mapping[str, object], lang: str) -> dict[str, object]:
    if "rates" not in values:
        return {}
    rates = cast(Mapping[str, float], values["rates"])
    below = cast(Sequence[str], values.get("below", []))

    def name(indicator: str) -> str:
        return label(f"check.land_use.indicator.{indicator}", lang)

    shown = [label("check.land_use.rate", lang).format(
        name=name(k), value=label(f"check.land_use.{_RATE_FORMAT.get(k, 'percent')}",
                                  lang).format(value=v)) for k, v in rates.items()]
    return {"rates": "; ".join(shown), "below": ", ".join(name(k) for k in below)}


# A plot ratio reads as a number (1.05), every other land-use rate as a percentage.
_RATE_FORMAT = {"plot_ratio": "ratio"}

_FIELDS: dict[str, Callable[[Mapping[str, object], str], dict[str, object]]] = {
    "geometry": _geometry, **dict.fromkeys(OVERLAP_CHECKS, _overlap),
    "dev_boundary": _dev_boundary, "contiguity": _contiguity, "size": _size,
    "terrain": _terrain, "land_use": _land_use,
}
