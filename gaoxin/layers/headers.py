"""Column headers as offices write them: a name, its unit, and the canonical field they hold.

Staff tables say ``营业收入（万元）``, ``税收总额(元)``, ``工业增加值/亿元``,
``用地面积(平方米)``. A header is split into its name and unit (:func:`split_header`:
trimmed, full- and half-width alike, the unit in brackets or after a slash); the name is
looked up among the field's name, its aliases (gaoxin.kinds) and the synonyms offices use
(``synonyms.toml``, each with where it comes from); the unit gives the factor to the
field's canonical unit (:func:`parse_unit`). What was matched and converted is kept as
:class:`FieldMatch`, for ``gaoxin check`` and the provenance of every summary.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypedDict

from ..errors import InputError
from ..kinds import KINDS, Field

SYNONYMS_FILE = Path(__file__).with_name("synonyms.toml")

# Factor of each unit to its dimension's base (元, 吨标准煤, 人, 平方米, 吨, 米, %). Written
# forms are compared after NFKC (㎡ reads m2, ／ reads /) and lower-casing.
UNITS: dict[str, tuple[str, float]] = {
    **{u: ("money", f) for u, f in (
        ("元", 1.0), ("人民币元", 1.0), ("千元", 1e3), ("万元", 1e4), ("百万元", 1e6),
        ("亿元", 1e8))},
    **{u: ("energy", f) for u, f in (
        ("吨标准煤", 1.0), ("吨标煤", 1.0), ("tce", 1.0), ("千克标准煤", 1e-3),
        ("kgce", 1e-3), ("万吨标准煤", 1e4), ("万吨标煤", 1e4))},
    **{u: ("people", f) for u, f in (("人", 1.0), ("万人", 1e4))},
    **{u: ("area", f) for u, f in (
        ("平方米", 1.0), ("m2", 1.0), ("平米", 1.0), ("亩", 10000.0 / 15.0), ("公顷", 1e4),
        ("ha", 1e4), ("hm2", 1e4), ("平方公里", 1e6), ("平方千米", 1e6), ("km2", 1e6))},
    **{u: ("mass", f) for u, f in (("吨", 1.0), ("t", 1.0), ("千克", 1e-3), ("kg", 1e-3),
                                   ("万吨", 1e4))},
    **{u: ("length", f) for u, f in (("米", 1.0), ("m", 1.0))},
    **dict.fromkeys(("%", "百分比"), ("percent", 1.0)),
}


_TRAILING_GROUP = re.compile(r"^(?P<name>.*?)[\(\[【〔](?P<unit>[^()\[\]【】〔〕]*)[\)\]】〕]$")
_SHOWN_MAX = 40


def clip(text: object, limit: int = _SHOWN_MAX) -> str:
    """A header as a message shows it: at most ``limit`` characters.

    Examples
    --------
    >>> clip("营业收入" * 20, 10)
    '营业收入营业收入营…'
    """
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _canonical_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _unit_key(text: str) -> str:
    key = _canonical_text(text)
    return key.removeprefix("单位:").removeprefix("单位").replace("²", "2")


def parse_unit(text: str) -> tuple[str, float] | None:
    """The dimension and factor to its base of a written unit, or None when not known.

    A rate such as ``万元/亩`` is the quotient of its parts.

    Examples
    --------
    >>> parse_unit("万元")
    ('money', 10000.0)
    >>> parse_unit("㎡")
    ('area', 1.0)
    >>> dim, f = parse_unit("元/平方米"); dim, round(f, 6)
    ('money/area', 1.0)
    >>> parse_unit("美元") is None
    True
    """
    key = _unit_key(text)
    if key in UNITS:
        return UNITS[key]
    if key.count("/") == 1:
        top, bottom = (UNITS.get(part) for part in key.split("/"))
        if top and bottom:
            return f"{top[0]}/{bottom[0]}", top[1] / bottom[1]
    return None


def split_header(header: object) -> tuple[str, str | None]:
    """A header's name and the unit it names (None when none), trimmed and width-folded.

    The unit is a trailing group in any bracket (``(万元)``, ``（万元）``, ``【万元】``,
    ``(单位:万元)``) or what follows the last slash when that is a known unit
    (``工业增加值/万元``; ``税收/营收`` stays a name).

    Examples
    --------
    >>> split_header(" 营业收入（万元） ")
    ('营业收入', '万元')
    >>> split_header("工业增加值 / 亿元")
    ('工业增加值', '亿元')
    >>> split_header("亩均税收(万元/亩)")
    ('亩均税收', '万元/亩')
    >>> split_header("宗地编号")
    ('宗地编号', None)
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header)))
    group = _TRAILING_GROUP.match(text)
    if group and group["name"]:
        unit = group["unit"].removeprefix("单位:").removeprefix("单位")
        return group["name"], unit or None
    name, slash, unit = text.rpartition("/")
    if slash and name and parse_unit(unit) is not None:
        return name, unit
    return text, None


class Synonym(TypedDict):
    """One header an office uses for a canonical field, and where it is used."""

    name: str
    source: str
    confidence: str


@cache
def synonyms() -> dict[str, dict[str, tuple[Synonym, ...]]]:
    """``{kind: {field: synonyms}}`` from ``synonyms.toml``, checked against gaoxin.kinds."""
    data = tomllib.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    out: dict[str, dict[str, tuple[Synonym, ...]]] = {}
    for kind, fields in data.items():
        known = {f.name for f in KINDS[kind].fields}
        for name, entry in fields.items():
            if name not in known:
                raise ValueError(f"synonyms.toml: {kind}.{name} is not a canonical field")
            out.setdefault(kind, {})[name] = tuple(
                Synonym(name=str(s["name"]), source=str(s["source"]),
                        confidence=str(s["confidence"])) for s in entry["synonyms"])
    return out


class FieldMatchRecord(TypedDict):
    """A :class:`FieldMatch` as summary.json and ``gaoxin check --json`` record it."""

    field: str
    column: str
    matched_by: str
    source: str | None
    unit: str | None
    unit_from_header: bool
    canonical_unit: str
    factor: float


@dataclass(frozen=True)
class FieldMatch:
    """Which column holds a canonical field, how it was recognised, and its conversion.

    ``matched_by`` is ``name``, ``alias``, ``synonym`` (``source`` then says where the synonym
    is used) or ``workspace``. ``unit`` is the unit the header names (None: none, the
    canonical unit is assumed); values are multiplied by ``factor`` to reach
    ``canonical_unit``.
    """

    field: str
    column: str
    matched_by: str
    source: str | None = None
    unit: str | None = None
    canonical_unit: str = ""
    factor: float = 1.0

    @property
    def converted(self) -> bool:
        """Whether the values were scaled to the canonical unit."""
        return self.factor != 1.0

    def record(self) -> FieldMatchRecord:
        """The match as plain data (summary.json, ``check --json``)."""
        return {"field": self.field, "column": self.column, "matched_by": self.matched_by,
                "source": self.source, "unit": self.unit or self.canonical_unit or None,
                "unit_from_header": self.unit is not None,
                "canonical_unit": self.canonical_unit, "factor": self.factor}


def _candidates(kind: str, spec: Field) -> list[tuple[str, str, str | None]]:
    """(name, matched_by, source) in the order they are tried."""
    out: list[tuple[str, str, str | None]] = [(spec.name, "name", None)]
    out += [(a, "alias", None) for a in spec.aliases]
    out += [(s["name"], "synonym", s["source"])
            for s in synonyms().get(kind, {}).get(spec.name, ())]
    return out


def _conversion(spec: Field, column: str, unit: str | None, source: object
                ) -> float:
    """The factor from the header's unit to the field's; InputError when it cannot convert."""
    if unit is None or not spec.unit:
        return 1.0
    have, want = parse_unit(unit), parse_unit(spec.unit)
    if want is None:
        return 1.0
    if have is None or have[0] != want[0]:
        raise InputError(
            f"column {clip(column)!r} holds {spec.name} ({spec.label_zh}) in {clip(unit)!r}, "
            f"which gaoxin cannot convert to {spec.unit}",
            file=source,
            fix=f"write the unit as one of {', '.join(_same_dimension(spec.unit))} in the "
                f"header, e.g. {spec.label_zh}({spec.unit}), or convert the values")
    return have[1] / want[1]


def _same_dimension(unit: str) -> list[str]:
    want = parse_unit(unit)
    if want is None or "/" in want[0]:
        return [unit]
    return [u for u, (dim, _) in UNITS.items() if dim == want[0] and not u.isascii()] or [unit]


def match_column(kind: str, spec: Field, columns: list[str], source: object = None
                 ) -> FieldMatch | None:
    """The column of ``columns`` holding ``spec``, or None.

    The field's name, aliases and synonyms are tried in turn; a header matches one when it
    is the same text, or when its name (:func:`split_header`) is, ignoring case, width and
    spaces. Two headers that both match the first name found are refused: which one holds
    the figure cannot be told.

    Examples
    --------
    >>> revenue = next(f for f in KINDS["enterprises"].fields if f.name == "revenue")
    >>> m = match_column("enterprises", revenue, ["单位名称", "销售收入（元）"])
    >>> m.column, m.matched_by, m.unit, m.factor
    ('销售收入（元）', 'synonym', '元', 0.0001)
    """
    keyed = [(c, c.lower().strip(), _canonical_text(split_header(c)[0])) for c in columns]
    for name, how, where in _candidates(kind, spec):
        raw, key = name.lower(), _canonical_text(name)
        hits = [c for c, whole, named in keyed if whole == raw or named == key]
        if not hits:
            continue
        if len(hits) > 1:
            shown = ", ".join(repr(clip(c)) for c in hits[:5])
            raise InputError(
                f"{len(hits)} columns read as {spec.name} ({spec.label_zh}): {shown}",
                file=source,
                fix=f"keep one of them, or name the one to use in the workspace: "
                    f'[layers.{kind}.fields] {spec.name} = "<column>"')
        column = hits[0]
        # A unit only means something for a field that has one: 地块编号(必填) is an id.
        unit = (split_header(column)[1] if spec.unit and column.lower().strip() != raw
                else None)
        return FieldMatch(spec.name, column, how, where, unit, spec.unit,
                          _conversion(spec, column, unit, source))
    return None


def mapped_column(spec: Field, column: str, source: object = None) -> FieldMatch:
    """The match of a column the workspace names for ``spec``; its header's unit converts."""
    unit = split_header(column)[1] if spec.unit else None
    return FieldMatch(spec.name, column, "workspace", None, unit, spec.unit,
                      _conversion(spec, column, unit, source))
