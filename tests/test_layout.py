"""Tests mirror the package: ``gaoxin/<path>/<module>.py`` is tested in
``tests/<path>/test_<module>.py``, for every module that defines a function or a class.

A module without logic (a version string, a docstring, re-exports, type aliases) needs no test
module and is listed below with the reason. In the other direction, every test module beside a
floor names a module of that floor (``test_<module>.py`` or a companion such as
``test_<module>_<aspect>.py``), so a renamed module cannot leave its tests behind under an old
name; the cross-cutting suites at the top of ``tests/`` are listed with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Modules with no test module of their own. Each must define no function and no class
# (checked below), so logic added to one of them needs its test module.
WITHOUT_LOGIC: dict[str, str] = {
    "gaoxin/_version.py": "the version string only",
    "gaoxin/analysis/__init__.py": "a docstring only",
    "gaoxin/geo/__init__.py": "a docstring only",
    "gaoxin/workflows/__init__.py": "a docstring only",
    "gaoxin/report/__init__.py": "a docstring only",
    "gaoxin/layers/__init__.py": "a docstring and the default workspace file name",
    "gaoxin/maps/__init__.py": "re-exports gaoxin.maps.builder (tested in maps/test_builder.py)",
    "gaoxin/sample/__init__.py": "re-exports the generators (each tested in tests/sample/)",
    "gaoxin/geo/arrays.py": "type aliases for signatures; nothing runs",
}

# Modules with logic whose tests live in a test module of another name, and which one.
TESTED_ELSEWHERE: dict[str, str] = {
    # Its one function, the lazy __getattr__, hands out gaoxin.api's names.
    "gaoxin/__init__.py": "tests/test_api.py",
}

# Test modules at the top of tests/ that mirror no one module, and why.
CROSS_CUTTING: dict[str, str] = {
    "test_hostile_corpus.py": "hostile inputs through every command (with tests/hostile/)",
    "test_hostile_pages.py": "hostile text in every page writer",
    "test_maps_browser.py": "maps, their encoding and runtime together in a browser",
    "test_values.py": "non-numbers through schema, hygiene and the commands",
    "test_imports.py": "the import floors of the whole package",
    "test_layout.py": "this check",
    "test_colours.py": "one symbology: map payloads and report drawings from one definition",
    "test_guide.py": "the Chinese user guide against the commands, rules and outputs",
    "test_demo_pages.py": "every page the demo writes, read in a browser",
}


def modules(package: Path) -> list[Path]:
    """Every Python module of ``package`` (templates and static assets hold none)."""
    return sorted(package.rglob("*.py"))


def has_logic(path: Path) -> bool:
    """Whether the module defines a function or a class (at any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return any(isinstance(node, kinds) for node in ast.walk(tree))


def mirrored_test_module(module: Path, root: Path) -> Path:
    """``tests/<path>/test_<module>.py`` for ``gaoxin/<path>/<module>.py`` under ``root``."""
    rel = module.relative_to(root / "gaoxin")
    return root / "tests" / rel.parent / f"test_{rel.name}"


def untested(root: Path, allowed: dict[str, str] | None = None,
             elsewhere: dict[str, str] | None = None) -> list[str]:
    """Modules with logic under ``root/gaoxin`` that have no mirrored test module."""
    skip = {**(WITHOUT_LOGIC if allowed is None else allowed),
            **(TESTED_ELSEWHERE if elsewhere is None else elsewhere)}
    return [
        f"{module.relative_to(root)} has no {mirrored_test_module(module, root).relative_to(root)}"
        for module in modules(root / "gaoxin")
        if module.relative_to(root).as_posix() not in skip and has_logic(module)
        and not mirrored_test_module(module, root).is_file()
    ]


def strays(root: Path, cross_cutting: dict[str, str] | None = None) -> list[str]:
    """Test modules under ``root/tests`` that name no module of the floor they sit beside."""
    listed = CROSS_CUTTING if cross_cutting is None else cross_cutting
    found = []
    for test in sorted((root / "tests").rglob("test_*.py")):
        floor = root / "gaoxin" / test.parent.relative_to(root / "tests")
        if test.parent == root / "tests" and test.name in listed:
            continue
        names = {m.stem for m in floor.glob("*.py")} if floor.is_dir() else set()
        stem = test.stem.removeprefix("test_")
        if not any(stem == name or stem.startswith(f"{name}_") for name in names):
            found.append(f"{test.relative_to(root)} names no module of {floor.relative_to(root)}")
    return found


def test_every_module_with_logic_has_its_test_module() -> None:
    assert not untested(ROOT), "\n".join(untested(ROOT))


def test_every_test_module_names_a_module_of_its_floor() -> None:
    assert not strays(ROOT), "\n".join(strays(ROOT))


def test_modules_listed_without_logic_have_none() -> None:
    listed = [ROOT / path for path in WITHOUT_LOGIC]
    assert all(path.is_file() for path in listed), [p for p in listed if not p.is_file()]
    assert not [p for p in listed if has_logic(p)]


def test_modules_tested_elsewhere_name_a_test_module_that_imports_them() -> None:
    for module, test in TESTED_ELSEWHERE.items():
        name = module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        text = (ROOT / test).read_text(encoding="utf-8")
        assert f"import {name}\n" in text or f"from {name} import" in text, (module, test)


def test_the_check_can_fail(tmp_path: Path) -> None:
    for path, text in {
        "gaoxin/geo/area.py": "def area(): ...\n",
        "gaoxin/geo/arrays.py": "Float = float\n",
        "gaoxin/geo/_private.py": "class Hidden: ...\n",
        "gaoxin/cli.py": "async def main(): ...\n",
        "tests/geo/test_area.py": "",
        "tests/geo/test_area_fuzz.py": "",
        "tests/geo/test_crs.py": "",
        "tests/test_everything.py": "",
    }.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    assert untested(tmp_path, {}, {}) == [
        "gaoxin/cli.py has no tests/test_cli.py",
        "gaoxin/geo/_private.py has no tests/geo/test__private.py",
    ]
    assert strays(tmp_path, {}) == ["tests/geo/test_crs.py names no module of gaoxin/geo",
                                    "tests/test_everything.py names no module of gaoxin"]
