"""gaoxin check: read every layer of a workspace and say what was found, fixed and refused."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from pyproj import CRS

from ..analysis.declared_area import compare_declared_area
from ..errors import InputError
from ..geo.crs import describe_crs
from ..kinds import KINDS
from ..layers.load import load_table_layer, load_vector_layer
from ..layers.workspace import LayerSource, RequestSource, Workspace
from ..report.html import crs_text, write_page
from ..report.labels import LABELS, LANGS, bilingual, field_en, label
from ._common import workspace_rules


def check_rows(ws: Workspace) -> tuple[list[dict[str, object]], bool]:
    """Validate every layer and request; one row per source and whether any is blocking.

    Each row: kind, path, status (ok / fixed / warning / refused), features, crs, encoding,
    notes, and ``fields``: per canonical field found, the column it came from and the unit
    conversion applied (:class:`gaoxin.layers.headers.FieldMatchRecord`); for parcels with a
    declared area, ``declared_area`` (the parcels off their drawn area); for pages, the CRS
    named in each language (``crs_zh``, ``crs_en``), the encoding and how it was decided
    (``encoding_name``, ``encoding_how``), a request's ``request`` name and a raster's size
    and cells (``raster``). Nothing is written and no input is modified.
    """
    rows: list[dict[str, object]] = []
    blocking = False
    entries: list[tuple[str, LayerSource | RequestSource, str]] = [
        (kind, src, kind) for kind, src in ws.layers.items()
    ] + [(f"request {name}", src, "requests") for name, src in ws.requests.items()]
    frames: dict[str, gpd.GeoDataFrame] = {}
    for entry, src, kind in entries:
        row: dict[str, object] = {"kind": entry, "label_zh": KINDS[kind].label_zh,
                                  "label_en": KINDS[kind].label_en, "path": str(src.path),
                                  "features": "", "crs": "", "encoding": "", "notes": ""}
        if isinstance(src, RequestSource):
            row["request"] = src.name
        try:
            if KINDS[kind].geometry == "raster":
                row.update(_check_raster(src.path))
            else:
                loaded = (load_table_layer(src) if isinstance(src, LayerSource)
                          and KINDS[kind].geometry == "table" else load_vector_layer(src, kind))
                if isinstance(loaded.frame, gpd.GeoDataFrame):
                    frames[entry] = loaded.frame
                    row.update(_crs_names(CRS.from_user_input(loaded.frame.crs)
                                          if loaded.frame.crs else None))
                rep = loaded.report
                row["fields"] = [m.record() for m in rep.fields]
                if kind == "parcels" and isinstance(loaded.frame, gpd.GeoDataFrame):
                    rep.warnings += _declared_area(ws, loaded.frame, row)
                notes = rep.fixes + rep.warnings
                row.update(features=rep.features, crs=rep.crs or "—",
                           encoding=f"{rep.encoding} ({rep.encoding_how})" if rep.encoding
                           else "", encoding_name=rep.encoding or "",
                           encoding_how=rep.encoding_how or "", notes="; ".join(notes),
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
                rows.append({"kind": f"request {name}", "request": name, "label_zh": "扩区申请",
                             "label_en": "Expansion request", "path": str(ws.path),
                             "status": "refused",
                             "features": "", "crs": "", "encoding": "",
                             "notes": f"zone {zone!r} is not in the zones layer"})
                blocking = True
    return rows, blocking


def _declared_area(ws: Workspace, parcels: gpd.GeoDataFrame, row: dict[str, object]
                   ) -> list[str]:
    """Compare the parcels' declared area with their drawn area; record the parcels beyond
    the tolerance in ``row["declared_area"]`` and return the warning naming them."""
    found = compare_declared_area(parcels, workspace_rules(ws, "declared_area"))
    if found is None:
        return []
    s = found.summary
    shown = found.listed.head(_DECLARED_SHOWN)
    row["declared_area"] = {**s, "parcels": shown.round(4).to_dict("records")}
    if not s["listed"]:
        return []
    items = ", ".join(
        f"{r.parcel_id} (declared {r.declared_mu:,.2f} mu, drawn {r.drawn_mu:,.2f} mu, "
        f"{r.difference_pct:+.1f}%)" for r in shown.head(5).itertuples())
    hint = (f"; most are off by the factor of {s['likely_unit']}: is the header's unit right?"
            if s["likely_unit"] else "")
    return [f"declared area (宗地面积) differs from the drawn area by more than "
            f"{s['tolerance_pct']:g}% on {s['listed']:,} of {s['compared']:,} parcels: "
            f"{items}{' …' if s['listed'] > 5 else ''}{hint}"]


_DECLARED_SHOWN = 50


def field_parts(kind: str, records: object, lang: str) -> list[dict[str, str]]:
    """Per canonical field of a layer: its name in ``lang``, the column it came from (the
    user's text) and the unit conversion or assumption (``note``, in ``lang``)."""
    if not isinstance(records, list):
        return []
    labels = {f.name: bilingual(f.label_zh or f.name, field_en(kind, f.name), lang)
              for f in KINDS[kind].fields}
    out = []
    for r in records:
        note = ""
        if r["canonical_unit"] and not r["unit_from_header"]:
            note = label("check.field_assumed", lang).format(canonical=r["canonical_unit"])
        elif r["factor"] != 1.0:
            note = label("check.field_converted", lang).format(
                unit=r["unit"], canonical=r["canonical_unit"], factor=r["factor"])
        out.append({"field": labels.get(r["field"], r["field"]), "column": str(r["column"]),
                    "note": note})
    return out


def field_lines(kind: str, records: object, lang: str) -> list[str]:
    """Per canonical field of a layer, the column it came from and its conversion, in ``lang``.

    Examples
    --------
    >>> recs = [{"field": "revenue", "column": "营业收入（元）", "unit": "元",
    ...          "unit_from_header": True, "canonical_unit": "万元", "factor": 0.0001},
    ...         {"field": "tax", "column": "税收", "unit": "万元", "unit_from_header": False,
    ...          "canonical_unit": "万元", "factor": 1.0},
    ...         {"field": "parcel_id", "column": "宗地编号", "unit": None,
    ...          "unit_from_header": False, "canonical_unit": "", "factor": 1.0}]
    >>> for line in field_lines("enterprises", recs, "zh"): print(line)
    营业收入 ← 营业收入（元）(元 → 万元,×0.0001)
    税收 ← 税收(表头未注明单位,按万元)
    地块编号 ← 宗地编号
    """
    return [label("check.field_line", lang).format(**part)
            for part in field_parts(kind, records, lang)]


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
            unit = "degree" if crs.is_geographic else "metre"
            return {"features": f"{src.width}×{src.height} px, {res[0]:g} × {res[1]:g}",
                    "crs": describe_crs(crs), "status": "ok", "notes": "",
                    "raster": {"width": src.width, "height": src.height, "dx": res[0],
                               "dy": res[1], "unit": unit}, **_crs_names(crs)}
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot be read as a raster ({str(exc)[:160]})", file=path,
                         fix="use a GeoTIFF") from None


def _crs_names(crs: CRS | None) -> dict[str, str]:
    return {f"crs_{lang}": crs_text(crs, lang) for lang in LANGS}


def check_page_rows(rows: list[dict[str, object]], lang: str) -> list[dict[str, object]]:
    """The rows of :func:`check_rows` as check.html shows them, every word in ``lang``.

    A layer is named by its kind's name in ``lang`` (a request with its own name, which is
    the user's); the kind's key is kept for a tooltip only. The CRS, a raster's size and how
    an encoding was decided read in ``lang`` too; an encoding that was guessed says why.

    Examples
    --------
    >>> row = {"kind": "parks", "label_zh": "产业园区", "label_en": "Parks", "path": "p.shp",
    ...        "status": "ok", "features": 3, "crs": "EPSG:4544", "crs_zh": "甲",
    ...        "crs_en": "A", "encoding": "gb18030 (heuristic)", "encoding_name": "gb18030",
    ...        "encoding_how": "heuristic", "notes": ""}
    >>> page = check_page_rows([row], "zh")[0]
    >>> page["layer"], page["kind"], page["crs"], page["encoding"]
    ('产业园区', 'parks', '甲', 'gb18030(推断)')
    >>> check_page_rows([{**row, "features": 15502}], "zh")[0]["features"]
    '15,502'
    """
    out = []
    for r in rows:
        name = bilingual(str(r["label_zh"]), str(r["label_en"]), lang)
        raster = r.get("raster")
        how = str(r.get("encoding_how") or "")
        encoding = str(r.get("encoding_name") or "")
        if encoding and how:
            encoding = label("with_unit", lang).format(
                name=encoding, unit=label(f"check.encoding_how.{how}", lang))
        why_key = f"check.encoding_how.{how}.why"
        out.append({
            "layer": name, "kind": str(r["kind"]), "request": str(r.get("request") or ""),
            "status": str(r["status"]),
            "features": label("check.raster_cells", lang).format(
                **{**raster, "unit": label(f"crs.unit.{raster['unit']}", lang)})
            if isinstance(raster, dict) else
            f"{r['features']:,}" if isinstance(r["features"], int) else r["features"],
            "crs": str(r.get(f"crs_{lang}") or r["crs"]), "encoding": encoding,
            "encoding_note": label(why_key, lang) if why_key in LABELS else "",
            "notes": r["notes"], "path": str(r["path"]),
            "fields": field_parts(kind_of(str(r["kind"])), r.get("fields"), lang)})
    return out


def kind_of(entry: str) -> str:
    """The layer kind of a row's ``kind`` (a request's row names the request)."""
    return "requests" if entry.startswith("request ") else entry


def write_check_page(target: Path, ws: Workspace, rows: list[dict[str, object]],
                     blocking: bool, working_crs: CRS | None, lang: str = "zh") -> Path:
    """Write check.html: the workspace, its working CRS and one row per source, in ``lang``."""
    return write_page(target, "check.html", title=label("check.title", lang),
                      rows=check_page_rows(rows, lang), blocking=blocking,
                      workspace=str(ws.path), lang=lang, crs=crs_text(working_crs, lang))
