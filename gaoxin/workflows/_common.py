"""What every workflow shares: the run result, provenance, the writer thread, rule sets
with the workspace's overrides, and the caps on workbook rows and map features."""

from __future__ import annotations

import importlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypedDict, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from .._version import __version__
from ..analysis.ruleset import RuleSet, load_ruleset
from ..geo.crs import describe_crs
from ..layers.load import Loaded
from ..layers.provenance import digests
from ..layers.workspace import (
    Workspace,
)
from ..report.labels import label

MAX_ROWS = 20_000


# Analysis layers show every feature (a big layer is drawn in chunks, see
# gaoxin.maps.chunks); this caps only the layers that draw the same parcels again (a check's
# classes, a list to review), which keeps a map of 1M parcels in one file of ≤ 60 MB.
MAX_MAP_FEATURES = 20_000


def import_in_background(*modules: str) -> None:
    """Import output modules (maps: folium compiles ~100 templates) in a thread.

    Called when the analysis starts: it then runs mostly in GEOS and NumPy with the GIL
    released, so the ~0.5–0.9 s of imports costs nothing. A failing import is left for the
    real import to report.
    """
    def work() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # reported by the import that needs it
                continue

    threading.Thread(target=work, name="gaoxin-import", daemon=True).start()


def provenance(rules: list[RuleSet], crs: CRS, files: list[Path] | Loaded) -> dict[str, object]:
    """Input files with SHA-256, rule sets and versions, working CRS, tool version, and per
    layer the column each canonical field came from with its unit conversion.

    Every workflow's summary.json records it in this one form.
    """
    fields = {"fields": files.fields} if isinstance(files, Loaded) else {}
    return {
        "tool": "gaoxin", "version": __version__,
        "rule_sets": [{"name": r.name, "title": r.title, "version": r.version,
                       "overridden": [x.key for x in r.rules.values() if x.overridden]}
                      for r in rules],
        "working_crs": describe_crs(crs),
        "area_method": "ellipsoidal (CGCS2000/GRS80)",
        "inputs": (files.hashing.result() if isinstance(files, Loaded) and files.hashing
                   else digests(files.files if isinstance(files, Loaded) else files)),
        **fields,
        **({"databases": dict(files.databases)}
           if isinstance(files, Loaded) and files.databases else {}),
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def workspace_rules(ws: Workspace, name: str, extra: dict[str, object] | None = None) -> RuleSet:
    overrides = dict(ws.rules.get(name, {}) or {})
    overrides.update(extra or {})
    return load_ruleset(name, overrides, origin=ws.path)


R = TypeVar("R")


@dataclass
class Run(Generic[R]):
    """What a workflow produced: its summary, the files written, the analysis result, and
    the layers it read.

    ``inputs`` keeps the loaded layers referenced, so the installed command can end without
    freeing them one by one (see ``gaoxin.cli.console``).
    """

    summary: dict[str, object]
    files: dict[str, Path]
    result: R
    inputs: Loaded | None = None


class _WriteMapArgs(TypedDict):
    offline: bool
    basemap: str
    tianditu_key: str | None


@dataclass(frozen=True)
class MapOptions:
    """How a workflow writes its map: self-contained or not, on which basemap, how big.

    Examples
    --------
    >>> MapOptions(basemap="osm").write_args()
    {'offline': True, 'basemap': 'osm', 'tianditu_key': None}
    """

    offline: bool = True
    basemap: str = "none"
    tianditu_key: str | None = None
    max_features: int = MAX_MAP_FEATURES

    def write_args(self) -> _WriteMapArgs:
        """The keyword arguments of :func:`gaoxin.maps.write_map` these options set."""
        return {"offline": self.offline, "basemap": self.basemap,
                "tianditu_key": self.tianditu_key}


def map_subset(frame: gpd.GeoDataFrame, limit: int, order: str | None = None
                ) -> gpd.GeoDataFrame:
    if len(frame) <= limit:
        return frame
    if order and order in frame:
        values = frame[order].to_numpy()
        if values.dtype.kind in "iuf":
            # argsort of one column, then take rows: sorting the whole GeoDataFrame copies
            # every geometry (1.4 s at 1M parcels). NaN sorts last, as sort_values does.
            return frame.iloc[np.argsort(values, kind="stable")[:limit]]
        return frame.sort_values(order, kind="stable").head(limit)
    return frame.head(limit)


def capped_note(shown: int, total: int, lang: str, note: str | None = None) -> str | None:
    """``note``, and the legend's word that only ``shown`` of ``total`` features are drawn.

    Examples
    --------
    >>> capped_note(5, 5, "en", "x")
    'x'
    >>> capped_note(2, 5, "en")
    'Only the first 2 of 5 parcels are drawn'
    """
    if shown >= total:
        return note
    cap = label("layer.first_n_note", lang).format(n=shown, total=total)
    return f"{note}{label('layer.note_separator', lang)}{cap}" if note else cap


def with_zone_names(table: pd.DataFrame, data: Loaded, by: str = "zone_id") -> pd.DataFrame:
    """``table`` with each zone's or park's name beside its code (a reviewer reads names).

    Names come from the zones and parks layers; a code neither names stays without one.

    Examples
    --------
    >>> from shapely import box
    >>> zones = gpd.GeoDataFrame({"zone_id": ["G1"], "name": ["甲高新区"]},
    ...                          geometry=[box(0, 0, 1, 1)], crs=4544)
    >>> data = Loaded(CRS.from_epsg(4544), {"zones": zones}, [], [])
    >>> with_zone_names(pd.DataFrame({"zone_id": ["G1", "Y9"], "n": [1, 2]}), data).values.tolist()
    [['G1', '甲高新区', 1], ['Y9', nan, 2]]
    """
    names: dict[str, str] = {}
    for kind, key in (("zones", "zone_id"), ("parks", "park_id")):
        frame = data.frames.get(kind)
        if frame is not None and key in frame and "name" in frame:
            names |= dict(zip(frame[key].astype(str), frame["name"].astype(str), strict=True))
    if by not in table or "name" in table:
        return table
    out = table.copy()
    out.insert(list(out.columns).index(by) + 1, "name",
               [names.get(str(z)) for z in out[by]])
    return out


def phase_timings(t0: float, t1: float, t2: float, t3: float) -> dict[str, float]:
    """A run's timings in summary.json: read, compute, write and total, in seconds.

    Examples
    --------
    >>> phase_timings(0.0, 1.0, 3.5, 4.25)
    {'read_s': 1.0, 'compute_s': 2.5, 'write_s': 0.75, 'total_s': 4.25}
    """
    return {"read_s": round(t1 - t0, 3), "compute_s": round(t2 - t1, 3),
            "write_s": round(t3 - t2, 3), "total_s": round(t3 - t0, 3)}
