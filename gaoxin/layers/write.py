"""Write outputs atomically: to a temporary name beside the target, then rename.

A crash never leaves a half-written output, and an earlier output survives a failed run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..geo.errors import InputError
from .encoding import fit_field_name, normalise_encoding_name

# Suffix → pyogrio driver for vector outputs.
VECTOR_DRIVERS = {
    ".gpkg": "GPKG",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".kml": "KML",
    ".fgb": "FlatGeobuf",
    ".gdb": "OpenFileGDB",
}
# Removed before a Shapefile is replaced: a stale spatial index (.qix/.sbn) would make GDAL,
# QGIS or ArcGIS filter the new features with the old index.
SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
_INT32 = np.iinfo(np.int32)


@contextlib.contextmanager
def atomic_path(target: str | Path, *, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it to ``target``.

    Examples
    --------
    >>> import tempfile
    >>> t = Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_path(t) as tmp:
    ...     _ = tmp.write_text("ok")
    >>> t.read_text()
    'ok'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp = workdir / target.name
    try:
        if directory:
            tmp.mkdir()
        yield tmp
        if directory or tmp.is_dir():
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def strict_json_value(value: object) -> object:
    """``value`` with non-finite floats as ``None``, NumPy scalars and arrays as Python.

    Examples
    --------
    >>> strict_json_value({"floors": 1e308 * 10, "n": [np.float32("nan"), np.int64(3)]})
    {'floors': None, 'n': [None, 3]}
    """
    if isinstance(value, dict):
        return {_json_key(k): strict_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json_value(v) for v in value]
    if isinstance(value, np.ndarray):
        return strict_json_value(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_key(key: object) -> object:
    return key.item() if isinstance(key, np.generic) else key


def write_json(target: str | Path, data: object) -> Path:
    """Write strict JSON atomically (UTF-8, Chinese kept readable).

    NaN and ±Infinity, which JSON has no words for, are written as ``null``.
    """
    return write_text(target, json.dumps(strict_json_value(data), ensure_ascii=False, indent=2,
                                         allow_nan=False, default=_json_default) + "\n")


def _json_default(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):
        return strict_json_value(value.item())
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_excel(target: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write one or more tables to an .xlsx workbook atomically (openpyxl).

    Columns get a readable width; Chinese sheet names are kept.
    """
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
            sheet = xl.sheets[name[:31]]
            for i, col in enumerate(frame.columns, start=1):
                width = max([_display_width(str(col))]
                            + [_display_width(str(v)) for v in frame[col].head(200)])
                sheet.column_dimensions[_column_letter(i)].width = min(max(width + 2, 8), 60)
    return Path(target)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _column_letter(i: int) -> str:
    letters = ""
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def write_vector(
    gdf: gpd.GeoDataFrame,
    target: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    append_layer: bool = False,
) -> Path:
    """Write a layer to any supported vector format, atomically.

    The format follows the suffix: ``.gpkg``, ``.shp`` (UTF-8 with a ``.cpg`` unless
    ``encoding`` says e.g. GBK), ``.zip`` (zipped Shapefile), ``.geojson`` (RFC 7946:
    longitude/latitude), ``.kml``, ``.fgb``, ``.gdb``, ``.parquet`` (GeoParquet), ``.csv`` and
    ``.xlsx`` (geometry as WKT) and ``.txt`` (界址点坐标, GBK).

    Shapefile field names longer than 10 bytes in the output encoding are shortened on a
    character boundary (``用地性质`` is 12 bytes in UTF-8 → ``用地性``; in GBK it fits), with a
    numeric suffix when two collide. FlatGeobuf is written with its spatial index, which
    orders the features along a Hilbert curve. 64-bit integer columns whose values fit are
    written as 32-bit integers to KML and FileGDB (which otherwise store them as text or
    floating point).

    ``append_layer`` adds a layer to an existing GeoPackage (not atomic across layers: the
    file is copied, extended and renamed).
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix == ".txt":
        from .boundary_txt import write_boundary_txt

        write_boundary_txt(gdf, target, encoding=encoding or "gbk")
        return target
    if suffix in (".parquet", ".geoparquet"):
        with atomic_path(target) as tmp:
            gdf.to_parquet(tmp)
        return target
    if suffix in (".csv", ".xlsx"):
        table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        table["wkt"] = gdf.geometry.to_wkt()
        if suffix == ".xlsx":
            return write_excel(target, {layer or target.stem: table})
        with atomic_path(target) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
        return target
    if suffix == ".zip":
        return _write_zipped_shapefile(gdf, target, encoding)
    driver = VECTOR_DRIVERS.get(suffix)
    if driver is None:
        raise InputError(f"unsupported output format {suffix!r}", file=target,
                         fix="use .gpkg, .shp, .zip, .geojson, .kml, .fgb, .gdb, .parquet, "
                             ".csv, .xlsx or .txt")
    if suffix in (".geojson", ".json", ".kml") and gdf.crs is not None:
        gdf = gdf.to_crs(4326)  # RFC 7946 and KML are longitude/latitude only
    if suffix in (".kml", ".gdb"):
        gdf = _narrow_integers(gdf)
    kwargs: dict[str, object] = {"driver": driver}
    if layer:
        kwargs["layer"] = layer
    if suffix == ".gdb" and any(gdf[c].dtype == np.int64 for c in gdf.columns):
        # Values beyond 32 bits: keep them exact (needs ArcGIS Pro 3.2+ to open).
        kwargs["layer_options"] = {"TARGET_ARCGIS_VERSION": "ARCGIS_PRO_3_2_OR_LATER"}
    if suffix == ".shp":
        kwargs["encoding"] = encoding or "UTF-8"
        gdf = shapefile_field_names(gdf, encoding or "UTF-8")
    if append_layer and target.exists():
        with atomic_path(target) as tmp:
            if target.is_dir():  # FileGDB
                shutil.copytree(target, tmp)
            else:
                shutil.copy2(target, tmp)
            _to_file(gdf, tmp, target, mode="a", **kwargs)
        return target
    if suffix == ".shp":
        return _write_shapefile(gdf, target, kwargs)
    with atomic_path(target, directory=suffix == ".gdb") as tmp:
        if suffix == ".gdb":
            tmp.rmdir()
        _to_file(gdf, tmp, target, **kwargs)
    return target


def shapefile_field_names(gdf: gpd.GeoDataFrame, encoding: str) -> gpd.GeoDataFrame:
    """Rename columns to DBF field names of at most 10 bytes in ``encoding``.

    Examples
    --------
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame({"用地性质": ["M1"], "用地性质代码": ["M"]}, geometry=[Point(0, 0)])
    >>> shapefile_field_names(g, "UTF-8").columns.tolist()
    ['用地性', '用地性1', 'geometry']
    >>> shapefile_field_names(g, "GBK").columns.tolist()
    ['用地性质', '用地性质代', 'geometry']
    """
    codec = normalise_encoding_name(encoding)
    taken: set[str] = set()
    names: dict[str, str] = {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        try:
            names[col] = fit_field_name(str(col), codec, taken)
        except UnicodeEncodeError:
            raise InputError(f"field name {col!r} cannot be written in {encoding}",
                             fix="write the Shapefile as UTF-8, or rename the field") from None
        taken.add(names[col])
    renamed = {old: new for old, new in names.items() if old != new}
    return gdf.rename(columns=renamed) if renamed else gdf


def _narrow_integers(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Store 64-bit integer columns as 32-bit where every value fits."""
    narrow = [c for c in gdf.columns if gdf[c].dtype == np.int64 and len(gdf)
              and _INT32.min <= gdf[c].min() and gdf[c].max() <= _INT32.max]
    return gdf.astype(dict.fromkeys(narrow, np.int32)) if narrow else gdf


def _to_file(gdf: gpd.GeoDataFrame, path: Path, target: Path, **kwargs: object) -> None:
    """Write ``gdf`` to the temporary ``path``; errors name the real ``target``."""
    # Arrow writes are ~2x faster for large layers; GeoPackage and FlatGeobuf take them well.
    if kwargs.get("driver") in ("GPKG", "FlatGeobuf"):
        kwargs = {"use_arrow": True, **kwargs}
    try:
        gdf.to_file(path, engine="pyogrio", **kwargs)
    except Exception as exc:
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200].rstrip(".")
        fix = ("a Shapefile or FileGDB layer holds one geometry type: write a .gpkg, or split "
               "the layer by geometry type" if "geometry" in message.lower() else
               "check the layer's field names and values suit the format (or write a .gpkg)")
        raise InputError(f"cannot be written ({message}); any earlier file is left unchanged",
                         file=target, fix=fix) from None


def _write_shapefile(gdf: gpd.GeoDataFrame, target: Path, kwargs: dict[str, object]) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", dir=target.parent))
    try:
        _to_file(gdf, workdir / target.name, target, **kwargs)
        for ext in SHAPEFILE_SIDECARS:
            old = target.with_suffix(ext)
            if old.exists():
                old.unlink()
        for part in workdir.iterdir():
            os.replace(part, target.with_name(part.name))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return target


def _write_zipped_shapefile(gdf: gpd.GeoDataFrame, target: Path, encoding: str | None) -> Path:
    import zipfile

    workdir = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", dir=target.parent))
    try:
        shp = workdir / f"{target.stem}.shp"
        _to_file(shapefile_field_names(gdf, encoding or "UTF-8"), shp, target,
                 driver="ESRI Shapefile", encoding=encoding or "UTF-8")
        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(workdir.iterdir()):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return target


def write_geopackage(target: str | Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write several layers into one GeoPackage, all or nothing.

    Every layer goes into a temporary file that replaces ``target`` only when all are
    written, so an earlier output survives a failure. Empty layers are skipped; nullable
    booleans become 1/0/NULL integers (GeoPackage has no nullable boolean).

    Examples
    --------
    >>> import tempfile
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"n": [1]}, geometry=[box(0, 0, 1, 1)], crs=4544)
    >>> p = write_geopackage(Path(tempfile.mkdtemp()) / "r.gpkg", {"a": g, "b": g})
    >>> import pyogrio
    >>> [name for name, _ in pyogrio.list_layers(p)]
    ['a', 'b']
    """
    target = Path(target)
    with atomic_path(target) as tmp:
        first = True
        for name, frame in layers.items():
            if not len(frame):
                continue
            f = frame.copy(deep=False)   # columns are replaced, never changed in place
            for c in f.columns:
                if str(f[c].dtype) == "boolean":
                    f[c] = f[c].astype("Int8")
            _to_file(f, tmp, target, driver="GPKG", layer=name, **({} if first else {"mode": "a"}))
            first = False
        if first:
            raise InputError("nothing to write: every layer is empty", file=target,
                             fix="check the inputs")
    return target


def write_with(target: str | Path, writer: Callable[[Path], None]) -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)
