"""Helpers shared by test packages: the sample workspace, written once per session; what a
reader gets from a GeoPackage layer."""

from __future__ import annotations

from pathlib import Path

import pytest


def shared_sample(factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, written once per session and shared by the test modules."""
    from gaoxin.sample import write_sample_workspace

    root = factory.getbasetemp() / "shared_sample_ws"
    toml = root / "gaoxin.toml"
    if not toml.exists():
        write_sample_workspace(root)
    return toml


def geopackage_contents(path: Path, layer: str) -> tuple[object, ...]:
    """Everything a reader gets from ``layer`` of the GeoPackage ``path``: geometry type, CRS,
    field names and types, each geometry's WKB and every value (NaN as ``"NaN"``, so two
    files compare equal when they hold the same)."""
    import numpy as np
    import pyogrio
    import pyogrio.raw

    info = pyogrio.read_info(path, layer=layer)
    _, _, wkb, values = pyogrio.raw.read(path, layer=layer)
    return (info["geometry_type"], info["crs"], list(info["fields"]), list(info["dtypes"]),
            list(wkb), [["NaN" if x != x else x for x in np.asarray(v, dtype=object).tolist()]
                        for v in values])
