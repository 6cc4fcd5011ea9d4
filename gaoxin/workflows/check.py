"""gaoxin check: read every layer of a workspace and say what was found, fixed and refused."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from ..errors import InputError
from ..geo.crs import describe_crs
from ..kinds import KINDS
from ..layers.load import load_table_layer, load_vector_layer
from ..layers.workspace import LayerSource, RequestSource, Workspace


def check_rows(ws: Workspace) -> tuple[list[dict[str, object]], bool]:
    """Validate every layer and request; one row per source and whether any is blocking.

    Each row: kind, path, status (ok / fixed / warning / refused), features, crs, encoding,
    notes. Nothing is written and no input is modified.
    """
    rows: list[dict[str, object]] = []
    blocking = False
    entries: list[tuple[str, LayerSource | RequestSource, str]] = [
        (kind, src, kind) for kind, src in ws.layers.items()
    ] + [(f"request {name}", src, "requests") for name, src in ws.requests.items()]
    frames: dict[str, gpd.GeoDataFrame] = {}
    for label, src, kind in entries:
        row: dict[str, object] = {"kind": label, "label_zh": KINDS[kind].label_zh,
                                  "label_en": KINDS[kind].label_en, "path": str(src.path),
                                  "features": "", "crs": "", "encoding": "", "notes": ""}
        try:
            if KINDS[kind].geometry == "raster":
                row.update(_check_raster(src.path))
            else:
                loaded = (load_table_layer(src) if isinstance(src, LayerSource)
                          and KINDS[kind].geometry == "table" else load_vector_layer(src, kind))
                if isinstance(loaded.frame, gpd.GeoDataFrame):
                    frames[label] = loaded.frame
                rep = loaded.report
                notes = rep.fixes + rep.warnings
                row.update(features=rep.features, crs=rep.crs or "—",
                           encoding=f"{rep.encoding} ({rep.encoding_how})" if rep.encoding
                           else "", notes="; ".join(notes),
                           status="fixed" if rep.fixes else ("warning" if rep.warnings else "ok"))
        except InputError as exc:
            row.update(status="refused", notes=exc.message())
            blocking = True
        rows.append(row)
    requests_zones = [(s.name, s.zone) for s in ws.requests.values() if s.zone]
    zones = frames.get("zones")
    if zones is not None and "zone_id" in zones.columns:
        for name, zone in requests_zones:
            if zone not in set(zones["zone_id"]):
                rows.append({"kind": f"request {name}", "label_zh": "扩区申请",
                             "label_en": "Expansion request", "path": str(ws.path),
                             "status": "refused",
                             "features": "", "crs": "", "encoding": "",
                             "notes": f"zone {zone!r} is not in the zones layer"})
                blocking = True
    return rows, blocking


def _check_raster(path: Path) -> dict[str, object]:
    import rasterio

    if not path.exists():
        raise InputError("file not found", file=path, fix="check the DEM path")
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise InputError("the raster has no CRS", file=path,
                                 fix="assign one with gdal_edit.py -a_srs EPSG:xxxx")
            crs = CRS.from_user_input(src.crs)
            res = src.res
            return {"features": f"{src.width}×{src.height} px, {res[0]:g} × {res[1]:g}",
                    "crs": describe_crs(crs), "status": "ok", "notes": ""}
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot be read as a raster ({str(exc)[:160]})", file=path,
                         fix="use a GeoTIFF") from None
