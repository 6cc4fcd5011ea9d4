"""Imports flow one way: cli → demo → workflows → sample, maps → report → analysis, layers →
geo → errors, kinds, _version. A module may import its own package and any floor below it,
never a floor above it nor a sibling on its own floor (analysis and layers know nothing of
each other). The test reads every import of the package, those inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gaoxin"

# Floor of each part of the package; the public API (gaoxin/__init__.py) sits on top.
FLOORS: dict[str, int] = {
    "gaoxin._version": 0, "gaoxin.errors": 0, "gaoxin.kinds": 0, "gaoxin.process": 0,
    "gaoxin.geo": 1,
    "gaoxin.analysis": 2, "gaoxin.layers": 2,
    "gaoxin.report": 3,
    "gaoxin.maps": 4,
    "gaoxin.sample": 5,
    "gaoxin.workflows": 6,
    "gaoxin.demo": 7,
    "gaoxin.cli": 8,
    "gaoxin": 9, "gaoxin.api": 9,
}


def part(module: str) -> str:
    """The part of the package a module belongs to (its longest prefix in FLOORS)."""
    while module not in FLOORS:
        module = module.rsplit(".", 1)[0]
    return module


def module_name(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of gaoxin in ``path``."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("gaoxin")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("gaoxin"):
                # `from . import x` names submodules: judge each.
                subs = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
                found += [(node.lineno, s) for s in subs]
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        importer = module_name(path, root)
        own = part(importer)
        for line, target in imports_of(path, root):
            other = part(target)
            if other == own or importer == "gaoxin":
                continue
            if FLOORS[other] >= FLOORS[own]:
                bad.append(f"{path.relative_to(root.parent)}:{line}: {own} (floor "
                           f"{FLOORS[own]}) imports {target} (floor {FLOORS[other]})")
    return bad


def test_every_module_belongs_to_a_floor() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert part(module_name(path)) in FLOORS


def test_imports_flow_one_way() -> None:
    assert violations() == []


def test_the_check_can_fail(tmp_path: Path) -> None:
    """An upward import, a sideways one and one inside a function are all reported."""
    root = tmp_path / "gaoxin"
    (root / "geo").mkdir(parents=True)
    (root / "layers").mkdir()
    (root / "geo" / "area.py").write_text("from ..maps import build_map\n", encoding="utf-8")
    (root / "layers" / "read.py").write_text(
        "def f():\n    from gaoxin.analysis import ruleset\n", encoding="utf-8")
    assert violations(root) == [
        "gaoxin/geo/area.py:1: gaoxin.geo (floor 1) imports gaoxin.maps (floor 4)",
        "gaoxin/layers/read.py:2: gaoxin.layers (floor 2) imports gaoxin.analysis (floor 2)",
    ]
