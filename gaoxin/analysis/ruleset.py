"""Rule sets: editable numbers, each with its unit, source document and confidence tag.

Defaults live in ``gaoxin/analysis/rules/<name>.toml``. A rule is any TOML table with a
``value``; its key is the dotted path (``contiguity.max_blocks``). A workspace overrides
values under ``[rules.<name>]``, either flat (``"contiguity.max_blocks" = 4``) or nested;
an overridden rule says so in every report.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from ..geo.errors import InputError


@dataclass(frozen=True)
class Rule:
    """One number of a rule set."""

    key: str
    value: object
    unit: str = ""
    source: str = ""
    confidence: str = ""
    overridden: bool = False


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned set of rules."""

    name: str
    title: str
    version: str
    rules: dict[str, Rule]

    def get(self, key: str, default: object = None) -> object:
        """The value of a rule, or ``default`` when the rule set has none.

        Examples
        --------
        >>> load_ruleset("expansion").get("contiguity.max_blocks")
        3
        """
        rule = self.rules.get(key)
        return default if rule is None else rule.value

    def used(self, keys: list[str]) -> list[Rule]:
        """The rules among ``keys`` that exist, for a report's "rules used" table."""
        return [self.rules[k] for k in keys if k in self.rules]

    def as_records(self) -> list[dict[str, object]]:
        return [{"key": r.key, "value": r.value, "unit": r.unit, "source": r.source,
                 "confidence": r.confidence, "overridden": r.overridden}
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


def load_ruleset(name: str, overrides: Mapping[str, object] | None = None,
                 path: str | Path | None = None) -> RuleSet:
    """Load a packaged rule set (or the TOML at ``path``) and apply overrides.

    Examples
    --------
    >>> rs = load_ruleset("expansion", {"contiguity": {"max_blocks": 4}})
    >>> rs.get("contiguity.max_blocks"), rs.rules["contiguity.max_blocks"].overridden
    (4, True)
    """
    if path is None:
        text = resources.files("gaoxin.analysis").joinpath("rules", f"{name}.toml").read_text(
            encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    meta = data.pop("meta", {})
    rules = {key: Rule(key, leaf["value"], str(leaf.get("unit", "")),
                       str(leaf.get("source", "")), str(leaf.get("confidence", "")))
             for key, leaf in _leaves(data).items()}
    for key, value in _flatten(overrides or {}).items():
        if key not in rules:
            raise InputError(f"rule {key!r} is not part of rule set {name!r}",
                             file=f"[rules.{name}]",
                             fix=f"known rules: {', '.join(sorted(rules))}")
        old = rules[key]
        if isinstance(old.value, (int, float)) and not isinstance(value, (int, float)):
            raise InputError(f"rule {key!r} must be a number, not {value!r}",
                             file=f"[rules.{name}]", fix="write a number")
        rules[key] = replace(old, value=value, overridden=True,
                             source=f"工作区覆盖 (workspace override; default {old.value}: "
                                    f"{old.source})")
    return RuleSet(name=name, title=str(meta.get("title", name)),
                   version=str(meta.get("version", "")), rules=rules)
