"""Write outputs atomically: to a temporary name beside the target, then rename.

A crash never leaves a half-written output, and an earlier output survives a failed run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..geo.errors import InputError

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
SHAPEFILE_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


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


def write_json(target: str | Path, data: object) -> Path:
    """Write JSON atomically (UTF-8, Chinese kept readable)."""
    return write_text(target, json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)
                      + "\n")


def _json_default(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    if isinstance(value, Path):
        return str(value)
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
    kwargs: dict[str, object] = {"driver": driver}
    if layer:
        kwargs["layer"] = layer
    if suffix == ".shp":
        kwargs["encoding"] = encoding or "UTF-8"
    if append_layer and target.exists():
        with atomic_path(target) as tmp:
            shutil.copy2(target, tmp)
            _to_file(gdf, tmp, mode="a", **kwargs)
        return target
    if suffix == ".shp":
        return _write_shapefile(gdf, target, kwargs)
    with atomic_path(target, directory=suffix == ".gdb") as tmp:
        if suffix == ".gdb":
            tmp.rmdir()
        _to_file(gdf, tmp, **kwargs)
    return target


def _to_file(gdf: gpd.GeoDataFrame, path: Path, **kwargs: object) -> None:
    try:
        gdf.to_file(path, engine="pyogrio", **kwargs)
    except Exception as exc:
        raise InputError(f"cannot be written ({str(exc).splitlines()[0][:200]})", file=path,
                         fix="check the layer's geometry types and field names suit the format"
                         ) from None


def _write_shapefile(gdf: gpd.GeoDataFrame, target: Path, kwargs: dict[str, object]) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix=f".{target.stem}.", dir=target.parent))
    try:
        _to_file(gdf, workdir / target.name, **kwargs)
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
        _to_file(gdf, shp, driver="ESRI Shapefile", encoding=encoding or "UTF-8")
        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(workdir.iterdir()):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return target


def write_with(target: str | Path, writer: Callable[[Path], None]) -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)
