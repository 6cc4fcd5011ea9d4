"""sample/workspace.py: the sample workspace on disk: formats, the TOML, determinism, imports."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gaoxin import sample
from tests.sample.helpers import read_all


def test_parks_shapefile_is_gbk_without_cpg(workspace: Path, layers: dict) -> None:
    shp = workspace.parent / "parks" / "parks.shp"
    assert not shp.with_suffix(".cpg").exists()
    dbf = shp.with_suffix(".dbf").read_bytes()
    assert "园区编号".encode("gbk") in dbf
    with pytest.raises(UnicodeDecodeError):
        dbf.decode("utf-8")
    names = layers["parks"]["名称"]
    assert names.str.contains("产业园|园").all()


def test_toml(workspace: Path, layers: dict) -> None:
    data = tomllib.loads(workspace.read_text(encoding="utf-8"))
    assert data["workspace"]["name"] == "成都西南示例高新区"
    assert set(data["layers"]) >= {"zones", "parks", "parcels", "buildings", "enterprises",
                                   "redlines", "farmland", "dev_boundary", "roads", "dem"}
    for entry in [*data["layers"].values(), *data["requests"].values()]:
        assert (workspace.parent / entry["path"]).exists(), entry["path"]
    national = layers["zones"].zone_id.iloc[0]
    assert {r["zone"] for r in data["requests"].values()} == {national}


def test_same_seed_same_data_other_seed_differs(workspace: Path, layers: dict,
                                                tmp_path: Path) -> None:
    again = sample.write_sample_workspace(tmp_path / "again")
    other = read_all(again.parent)
    for key, frame in layers.items():
        if isinstance(frame, gpd.GeoDataFrame):
            assert shapely.equals_exact(frame.geometry.to_numpy(),
                                        other[key].geometry.to_numpy(), 0.0).all(), key
            pd.testing.assert_frame_equal(pd.DataFrame(frame.drop(columns="geometry")),
                                          pd.DataFrame(other[key].drop(columns="geometry")))
        else:
            pd.testing.assert_frame_equal(frame, other[key])
    for name in ("dem.tif", "enterprises.xlsx"):
        assert (workspace.parent / name).read_bytes() == (again.parent / name).read_bytes(), name

    def txt(root: Path) -> list[str]:  # the 数据产生日期 line carries today's date
        text = (root / "requests" / "request_conflict.txt").read_text(encoding="gbk")
        return [line for line in text.splitlines() if not line.startswith("数据产生日期")]

    assert txt(workspace.parent) == txt(again.parent)

    def zones(seed: int) -> gpd.GeoDataFrame:  # the stream generate_sample gives zones
        child = np.random.SeedSequence(seed).spawn(10)[0]
        return sample.generate_zones(np.random.default_rng(child))

    assert zones(2026).geometry.geom_equals_exact(layers["zones"].geometry, 0.0).all()
    assert not zones(2027).geometry.geom_equals(layers["zones"].geometry).any()


PACKAGE = Path(sample.__file__).parent
ROOT = PACKAGE.parents[1]


def _imports(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in a module of ``gaoxin.sample``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                out.append((node.module or "", node.lineno))
            else:  # relative: resolve against gaoxin.sample
                base = ["gaoxin", "sample"][: 3 - node.level]
                out.append((".".join([*base, *filter(None, [node.module])]), node.lineno))
    return out


def test_third_party_imports_are_declared_dependencies() -> None:
    declared = {
        re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower().replace("_", "-")
        for dep in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        ["project"]["dependencies"]
    }
    distributions = importlib.metadata.packages_distributions()
    undeclared = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for module, line in _imports(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in ("__future__", "gaoxin"):
                continue
            dists = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
            if not dists & declared:
                undeclared.add(f"{path.name}:{line} imports {module} ({', '.join(sorted(dists))})")
    assert not undeclared, sorted(undeclared)


def test_imports_only_lower_layers() -> None:
    # The generator sits beside the input layer: it may use geo, layers, errors and kinds,
    # never the workflows, maps, reports or front ends built on top of them.
    allowed = ("gaoxin.sample", "gaoxin.geo", "gaoxin.layers", "gaoxin.errors", "gaoxin.kinds")
    upward = [
        f"{path.name}:{line} imports {module}"
        for path in sorted(PACKAGE.glob("*.py"))
        for module, line in _imports(path)
        if module.split(".")[0] == "gaoxin"
        and not any(module == a or module.startswith(f"{a}.") for a in allowed)
    ]
    assert not upward, upward
