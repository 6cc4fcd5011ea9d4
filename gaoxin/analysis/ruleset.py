"""Rule sets: editable numbers, each with its name, unit, source document and confidence.

Defaults live in ``gaoxin/analysis/rules/<name>.toml``. A rule is any TOML table with a
``value``; its key is the dotted path (``contiguity.max_blocks``), which is what a workspace
overrides; ``label``/``label_en`` name it for staff (最大区块数 / Maximum number of blocks). A
workspace overrides values under ``[rules.<name>]``, either flat (``"contiguity.max_blocks" =
4``) or nested; an overridden rule keeps its shipped default and says so in every report.

A rule's ``confidence`` is one of :data:`CONFIDENCE`: the official text was read, the number
is secondary (a reprint, a news report, a recalled rule), a project default, or an official
number not found. A rule file may write it as the mark or as the word.

Every value — shipped or overridden — is validated when the set is loaded: numbers are finite
(TOML allows ``nan`` and ``inf``), whole where the rule counts something, and inside the
rule's range (``min``/``max`` in the rule's table, else implied by its unit: a ``share`` lies in
[0, 1], a ``%`` in [0, 100], an angle in ° in [0, 90], every other quantity is ≥ 0); a text
rule with ``choices`` takes one of them; a rule whose official number was not found (value
``""``) takes a number or stays empty.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from ..errors import InputError

# The confidence of a rule, as rule files mark it, and the word that stands for the mark
# (a rule file may use either; reports show the word's label from the catalogue).
CONFIDENCE: dict[str, str] = {"✅": "official", "🟡": "secondary", "⚙": "default",
                              "❌": "not_found"}


@dataclass(frozen=True)
class Rule:
    """One number of a rule set.

    ``label``/``label_en`` name the rule for staff; ``default`` is the shipped value of a rule
    the workspace overrode (None otherwise).
    """

    key: str
    value: object
    unit: str = ""
    source: str = ""
    confidence: str = ""
    overridden: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    label: str = ""
    label_en: str = ""
    default: object = None

    @property
    def confidence_word(self) -> str:
        """The confidence as a word (``official`` …), the key of its label in the catalogue.

        Examples
        --------
        >>> Rule("k", 1.0, confidence="🟡").confidence_word
        'secondary'
        """
        return CONFIDENCE.get(self.confidence, "")


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned set of rules."""

    name: str
    title: str
    version: str
    rules: dict[str, Rule]
    title_en: str = ""

    def get(self, key: str, default: object = None) -> object:
        """The value of a rule, or ``default`` when the rule set has none.

        Examples
        --------
        >>> load_ruleset("expansion").get("contiguity.max_blocks")
        3
        """
        rule = self.rules.get(key)
        return default if rule is None else rule.value

    def number(self, key: str, default: float | None = None) -> float:
        """The value of a numeric rule; ``default`` when the rule set has none.

        Raises ``TypeError`` when the rule holds something else (a text, or ``""``: an
        official number not found, see :meth:`optional_number`) and ``KeyError`` when the
        rule is missing and there is no default.

        Examples
        --------
        >>> rs = load_ruleset("plot_ratio")
        >>> rs.number("floor_area.double_storey_height_m"), rs.number("no.such.rule", 2.5)
        (8.0, 2.5)
        >>> rs.number("control.standard")
        Traceback (most recent call last):
        ...
        TypeError: rule 'control.standard' of rule set 'plot_ratio' holds 'MLR-2008', not a number
        """
        value = self._value(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._wrong(key, value, "a number")
        return float(value)

    def optional_number(self, key: str) -> float | None:
        """A numeric rule that may be unset (``""``: no official number found) or absent: None.

        Examples
        --------
        >>> rs = load_ruleset("per_mu")
        >>> rs.optional_number("sichuan.min_land_mu"), rs.optional_number("sichuan.score_cap")
        (None, 1.5)
        """
        value = self.get(key, "")
        return None if value == "" else self.number(key)

    def integer(self, key: str, default: int | None = None) -> int:
        """The value of a counting rule (a whole number; ``4.0`` from an override counts).

        Examples
        --------
        >>> rs = load_ruleset("expansion", {"contiguity.max_blocks": 4.0})
        >>> rs.integer("contiguity.max_blocks")
        4
        """
        value = self._value(key, default)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(key, value, "a whole number")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        """The value of a text rule.

        Examples
        --------
        >>> load_ruleset("per_mu").text("land_share")
        'equal'
        """
        value = self._value(key, default)
        if not isinstance(value, str):
            raise self._wrong(key, value, "a text")
        return value

    def texts(self, key: str, default: list[str] | None = None) -> list[str]:
        """The value of a rule that lists texts.

        Examples
        --------
        >>> load_ruleset("plot_ratio").texts("land_use_codes.industrial.gbt_21010")
        ['0601', '061']
        """
        value = self._value(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, value, "a list of texts")
        return [str(v) for v in value]

    def flag(self, key: str, default: bool | None = None) -> bool:
        """The value of a true/false rule.

        Examples
        --------
        >>> load_ruleset("expansion").flag("contiguity.max_blocks")
        Traceback (most recent call last):
        ...
        TypeError: rule 'contiguity.max_blocks' of rule set 'expansion' holds 3, not true or false
        """
        value = self._value(key, default)
        if not isinstance(value, bool):
            raise self._wrong(key, value, "true or false")
        return value

    def _value(self, key: str, default: object) -> object:
        rule = self.rules.get(key)
        if rule is not None:
            return rule.value
        if default is None:
            raise KeyError(f"rule set {self.name!r} has no rule {key!r}")
        return default

    def _wrong(self, key: str, value: object, kind: str) -> TypeError:
        return TypeError(f"rule {key!r} of rule set {self.name!r} holds {value!r}, not {kind}")

    def used(self, keys: list[str]) -> list[Rule]:
        """The rules among ``keys`` that exist, for a report's "rules used" table."""
        return [self.rules[k] for k in keys if k in self.rules]

    def as_records(self) -> list[dict[str, object]]:
        return [{"key": r.key, "value": r.value, "unit": r.unit, "source": r.source,
                 "confidence": r.confidence_word, "overridden": r.overridden}
                for r in self.rules.values()]


def _leaves(table: Mapping[str, object], prefix: str = "") -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if "value" in value:
                out[path] = dict(value)
            else:
                out.update(_leaves(value, path + "."))
    return out


def _flatten(overrides: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


# Ranges implied by a rule's unit when its table gives no min/max.
_UNIT_RANGES: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0), "%": (0.0, 100.0), "°": (0.0, 90.0), "4πA/P²": (0.0, 1.0),
}


def rule_sets() -> list[str]:
    """The names of the packaged rule sets.

    Examples
    --------
    >>> "expansion" in rule_sets()
    True
    """
    folder = resources.files("gaoxin.analysis").joinpath("rules")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _range(rule: Rule) -> tuple[float, float]:
    low, high = _UNIT_RANGES.get(rule.unit, (0.0, math.inf))
    return (low if rule.minimum is None else rule.minimum,
            high if rule.maximum is None else rule.maximum)


def _fmt(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:g}"


def validate_value(rule: Rule, value: object) -> str | None:
    """Why ``value`` is not acceptable for ``rule`` (None when it is).

    ``rule`` carries the shipped default, which decides the type the value must have.

    Examples
    --------
    >>> r = Rule("redline.max_overlap_m2", 0.0, unit="m²")
    >>> validate_value(r, float("nan"))
    'must be a finite number, not nan'
    >>> validate_value(r, -1.0)
    'must be ≥ 0 m², not -1.0'
    >>> validate_value(Rule("x", 0.1, unit="share"), 1.5)
    'must lie between 0 and 1 (a share, 0.05 = 5 %), not 1.5'
    >>> validate_value(r, 25) is None
    True
    """
    default = rule.value
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"must be true or false, not {value!r}"
    if isinstance(default, list):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        return f"must be a list of texts, e.g. {default!r}, not {value!r}"
    if isinstance(default, str) and default != "":
        if not isinstance(value, str):
            return f"must be a text, not {value!r}"
        if rule.choices and value not in rule.choices:
            return f"must be one of {', '.join(rule.choices)}, not {value!r}"
        return None
    if default == "" and value == "":
        return None  # an official number not found: the rule stays unset
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {value!r}"
    if not math.isfinite(value):
        return f"must be a finite number, not {value!r}"
    if isinstance(default, int) and not float(value).is_integer():
        return f"must be a whole number, not {value!r}"
    low, high = _range(rule)
    if low <= value <= high:
        return None
    unit = f" {rule.unit}" if rule.unit and rule.unit not in ("share", "%") else ""
    if rule.unit == "share":
        return f"must lie between {_fmt(low)} and {_fmt(high)} (a share, 0.05 = 5 %), not {value!r}"
    if math.isinf(high):
        return f"must be ≥ {_fmt(low)}{unit}, not {value!r}"
    return f"must lie between {_fmt(low)} and {_fmt(high)}{unit or ' ' + rule.unit}, not {value!r}"


def load_ruleset(name: str, overrides: Mapping[str, object] | None = None,
                 path: str | Path | None = None, *, origin: str | Path | None = None
                 ) -> RuleSet:
    """Load a packaged rule set (or the TOML at ``path``) and apply overrides.

    ``origin`` (the workspace file the overrides come from) is named in every refusal.

    Examples
    --------
    >>> rs = load_ruleset("expansion", {"contiguity": {"max_blocks": 4}})
    >>> rs.get("contiguity.max_blocks"), rs.rules["contiguity.max_blocks"].overridden
    (4, True)
    >>> try:
    ...     load_ruleset("expansion", {"redline.max_overlap_m2": float("nan")}, origin="ws.toml")
    ... except InputError as exc:
    ...     print(exc.file, "|", exc.problem)
    ws.toml [rules.expansion] | rule 'redline.max_overlap_m2' must be a finite number, not nan
    """
    where = f"{origin} [rules.{name}]" if origin is not None else f"[rules.{name}]"
    if path is None:
        if name not in rule_sets():
            raise InputError(f"unknown rule set {name!r}", file=where,
                             fix=f"rule sets: {', '.join(rule_sets())}")
        text = resources.files("gaoxin.analysis").joinpath("rules", f"{name}.toml").read_text(
            encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    meta = data.pop("meta", {})
    file = path or f"rules/{name}.toml"
    rules = {key: Rule(key, leaf["value"], str(leaf.get("unit", "")),
                       str(leaf.get("source", "")), _confidence(key, leaf, file),
                       minimum=_bound(leaf.get("min")), maximum=_bound(leaf.get("max")),
                       choices=_choices(leaf.get("choices")), label=str(leaf.get("label", "")),
                       label_en=str(leaf.get("label_en", "")))
             for key, leaf in _leaves(data).items()}
    for rule in rules.values():
        problem = validate_value(rule, rule.value)
        if problem:  # a damaged rule file, ours or the user's
            raise InputError(f"rule {rule.key!r} {problem}", file=file,
                             fix="correct the rule file")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InputError(f"must be a table of rules, not {overrides!r}", file=where,
                         fix='e.g. "contiguity.max_blocks" = 3')
    for key, value in _flatten(overrides or {}).items():
        if key not in rules:
            raise InputError(f"rule {key!r} is not part of rule set {name!r}", file=where,
                             fix=f"known rules: {', '.join(sorted(rules))}")
        old = rules[key]
        problem = validate_value(old, value)
        if problem:
            raise InputError(f"rule {key!r} {problem}", file=where, fix=_fix(old))
        rules[key] = replace(old, value=value, overridden=True, default=old.value)
    return RuleSet(name=name, title=str(meta.get("title", name)),
                   version=str(meta.get("version", "")), rules=rules,
                   title_en=str(meta.get("title_en", meta.get("title", name))))


def _confidence(key: str, leaf: Mapping[str, object], file: str | Path) -> str:
    """The confidence mark of a rule written as a mark or as its word (empty: none given)."""
    given = str(leaf.get("confidence", ""))
    marks = {word: mark for mark, word in CONFIDENCE.items()}
    if given == "" or given in CONFIDENCE:
        return given
    if given in marks:
        return marks[given]
    raise InputError(f"rule {key!r} has confidence {given!r}", file=file,
                     fix=f"write one of {', '.join(marks)}")


def _bound(value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float, str)):
        raise TypeError(f"a rule's min/max must be a number, not {value!r}")
    return float(value)


def _choices(value: object) -> tuple[str, ...]:
    return tuple(str(c) for c in value) if isinstance(value, (list, tuple)) else ()


def _fix(rule: Rule) -> str:
    default = rule.value
    if rule.choices:
        return f"use one of {', '.join(rule.choices)}"
    if isinstance(default, bool):
        return f"write true or false, e.g. {rule.key} = {str(default).lower()} (the default)"
    if isinstance(default, list):
        return f"write a list of texts, e.g. {rule.key} = {default!r} (the default)"
    if isinstance(default, str) and default:
        return f"write a text, e.g. {rule.key} = {default!r} (the default)"
    unit = f" in {rule.unit}" if rule.unit else ""
    if default == "":
        return f"write a number{unit}, or leave it empty (no official number was found)"
    return f"write a number{unit}, e.g. {rule.key} = {default!r} (the default)"
