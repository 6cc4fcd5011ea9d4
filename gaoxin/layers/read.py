"""Read any supported vector source into a GeoDataFrame with a trustworthy CRS.

Formats: everything GDAL reads through pyogrio (GeoPackage, Shapefile, zipped Shapefile,
GeoJSON, KML, FileGDB, FlatGeobuf …), GeoParquet, CSV/XLSX with WKT or lon/lat columns,
and 界址点坐标 TXT. Shapefile encodings are decided by :mod:`.encoding`. A source with no
CRS is refused unless one is declared; declared ``gcj02``/``bd09`` coordinates are
converted to CGCS2000; coordinates are checked to lie in China (lat/lon swaps and
Gauss-Krüger numbers in a geographic file are named in the error).
"""

from __future__ import annotations

import contextlib
import glob
import lzma
import re
import shutil
import sqlite3
import stat
import struct
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypedDict

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely
from geopandas.array import GeometryArray
from pyproj import CRS, Transformer

from ..errors import InputError
from ..geo.crs import CHINA_LAT, CHINA_LON, describe_crs, guess_crs_from_coords, parse_crs
from ..geo.offsets import convert_geometries
from ..process import collector_paused
from .encoding import normalise_encoding_name, repair_dbf_names, shapefile_encoding
from .headers import FieldMatch

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls", ".txt_table")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
TXT_SUFFIXES = (".txt",)
_KNOWN_SUFFIXES = (".gpkg", ".shp", ".zip", ".geojson", ".json", ".kml", ".kmz", ".fgb", ".gdb",
                   ".parquet", ".geoparquet", ".csv", ".xlsx", ".xls", ".sqlite", ".gml", ".tab",
                   ".mif")
_TXT_POINT = re.compile(r"^\s*\[?J?\d+\s*,\s*\d+\s*,\s*\d{6,}(\.\d+)?\s*,\s*\d{6,}", re.M)


def looks_like_boundary_txt(path: Path) -> bool:
    """Whether a file without the .txt suffix is a 界址点坐标 TXT (exports often lack it).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "testfile"
    >>> _ = p.write_text("[地块坐标]\\nJ1,1,2834493.395,35521983.54\\n", encoding="utf-8")
    >>> looks_like_boundary_txt(p)
    True
    >>> _ = p.write_text("【 属性描述 】\\n坐标系=2000国家大地坐标系\\n", encoding="utf-8")
    >>> looks_like_boundary_txt(p)
    True
    """
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        head = fh.read(4096)
    if b"\0" in head:
        return False
    # UTF-8 first: GBK decoding of UTF-8 Chinese never fails, it only garbles.
    texts = [head.decode(enc, errors="replace") for enc in ("utf-8", "gb18030")]
    return any(_TXT_SECTION.search(t) or _TXT_POINT.search(t) for t in texts)


# A section header as offices write it: half- or full-width brackets, spaces inside.
_TXT_SECTION = re.compile(r"[\[【][ \t\u3000]*(地块坐标|属性描述)[ \t\u3000]*[\]】]")

_WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom", "shape", "几何")
_LON_COLUMNS = ("lon", "lng", "long", "longitude", "经度", "x")
_LAT_COLUMNS = ("lat", "latitude", "纬度", "y")


@dataclass
class ReadReport:
    """What happened while reading one source: shown by ``gaoxin check``."""

    path: str
    layer: str | None = None
    driver: str = ""
    encoding: str | None = None
    encoding_how: str | None = None
    crs: str = ""
    crs_how: str = ""
    features: int = 0
    fixes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Per canonical field: the column it came from and the unit conversion applied.
    fields: list[FieldMatch] = field(default_factory=list)


def list_layers(path: Path) -> list[str]:
    """Layer names of a multi-layer source (GeoPackage, FileGDB …)."""
    try:
        # GDAL's complaints surface, with the file's problem named, when the layer is read.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [str(name) for name in pyogrio.list_layers(_gdal_path(path))[:, 0]]
    except Exception:
        return []


def _gdal_path(path: Path, member: zipfile.ZipInfo | None = None) -> str:
    """The path GDAL opens for ``path`` (or its zip ``member``).

    A zip or KMZ is checked entry by entry first (:func:`_zip_entries`), so GDAL never
    touches an archive crafted to reach outside itself or to unpack to gigabytes.
    """
    suffix = path.suffix.lower()
    if suffix in _ARCHIVE_SUFFIXES:
        _zip_entries(path)
    if suffix == ".zip":
        return f"/vsizip/{path}" + (f"/{member.filename}" if member is not None else "")
    return str(path)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", file=path,
                         fix="check the path (relative paths in a workspace are relative "
                             "to the workspace file)")


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV, Excel or DBF table (enterprise tables, coordinate lists).

    CSV text is decoded as UTF-8 (with or without BOM), falling back to GB18030, because
    Excel/WPS on Chinese Windows saves CSV as GBK. A DBF alone (exported by a statistics
    or tax system, no geometry) is decoded as its Shapefile would be.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("企业名称,税收\\n甲,1.5\\n".encode("gbk"))
    >>> read_table(p).columns.tolist()
    ['企业名称', '税收']
    """
    path = Path(path)
    _check_exists(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise InputError("the CSV is neither UTF-8 nor GBK/GB18030 text", file=path,
                                 fix="save it as UTF-8 CSV")
            import io

            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                               na_values=[""])
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str)
        if suffix == ".dbf":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # GDAL's notes on the missing .shp
                frame = pyogrio.read_dataframe(path, read_geometry=False,
                                               encoding=shapefile_encoding(path).encoding)
            return pd.DataFrame(frame)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"cannot be read as a table ({_short(exc)})", file=path,
                         fix="check the file opens in Excel/WPS and is not damaged") from None
    raise InputError(f"unsupported table format {suffix!r}", file=path,
                     fix="use CSV, XLSX or DBF")


def _short(exc: BaseException, text: str | None = None) -> str:
    """The first line of ``exc``'s message (or of ``text`` in its place), at most 200 chars."""
    text = (str(exc) if text is None else text).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _table_to_frame(df: pd.DataFrame, path: Path) -> gpd.GeoDataFrame:
    lower = {str(c).lower().strip(): c for c in df.columns}
    wkt_col = next((lower[c] for c in _WKT_COLUMNS if c in lower), None)
    if wkt_col is not None:
        text = df[wkt_col].astype(object)
        geoms = np.empty(len(df), dtype=object)
        for i, value in enumerate(text):
            if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
                geoms[i] = None
                continue
            try:
                geoms[i] = shapely.from_wkt(str(value))
            except Exception:
                raise InputError(f"column {wkt_col!r} holds text that is not WKT: "
                                 f"{str(value)[:60]!r}", file=path, feature=f"row {i + 1}",
                                 fix="write geometries as WKT, e.g. POLYGON ((x y, …))") from None
        return gpd.GeoDataFrame(df.drop(columns=[wkt_col]), geometry=geoms, crs=None)
    lon_col = next((lower[c] for c in _LON_COLUMNS if c in lower), None)
    lat_col = next((lower[c] for c in _LAT_COLUMNS if c in lower), None)
    if lon_col is None or lat_col is None:
        raise InputError(
            f"the table has no geometry: no WKT column ({', '.join(_WKT_COLUMNS)}) and no "
            f"lon/lat columns; columns found: {', '.join(map(str, df.columns))}",
            file=path, fix="add a WKT column or lon and lat columns",
        )
    lon = pd.to_numeric(df[lon_col], errors="coerce")
    lat = pd.to_numeric(df[lat_col], errors="coerce")
    # An empty cell is a row without a location (kept, geometry missing); text is an error.
    blank = (df[lon_col].isna() | (df[lon_col].astype(str).str.strip() == "")) & (
        df[lat_col].isna() | (df[lat_col].astype(str).str.strip() == ""))
    bad = ((lon.isna() | lat.isna()) & ~blank).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{lon_col}/{lat_col} are not numbers: "
                         f"{df[lon_col].iloc[row]!r}, {df[lat_col].iloc[row]!r}",
                         file=path, feature=f"row {row + 1}", fix="correct the coordinates")
    points = gpd.points_from_xy(lon, lat)
    geoms = np.array(points, dtype=object)
    geoms[blank.to_numpy()] = None
    return gpd.GeoDataFrame(df.drop(columns=[lon_col, lat_col]), geometry=list(geoms),
                            crs=None)


class _OpenOptions(TypedDict, total=False):
    """GDAL dataset open options given to pyogrio."""

    ENCODING: str


def _read_gdal(path: Path, layer: str | None, encoding: str | None,
               bbox: tuple[float, float, float, float] | None,
               report: ReadReport) -> gpd.GeoDataFrame:
    suffix = path.suffix.lower()
    parts = _pick_zip_layer(path, layer, report) if suffix == ".zip" else None
    if parts is not None:
        layer = None  # the .shp inside the zip is the layer
        _check_zipped_shapefile(path, parts)
    is_shp = suffix == ".shp" or parts is not None
    if suffix == ".shp":
        _check_shapefile_parts(path)
    if is_shp:
        if encoding:
            report.encoding, report.encoding_how = normalise_encoding_name(encoding), "declared"
        else:
            member = parts[".shp"] if parts is not None else None
            with _unpacking(path, member):
                guess = shapefile_encoding(path, member=member.filename if member else None)
            report.encoding, report.encoding_how = guess.encoding, guess.how
            if guess.note:
                report.warnings.append(f"{guess.note}; read as {guess.encoding}")
    if layer is not None and layer not in (names := list_layers(path)) and names:
        raise InputError(f"has no layer {layer!r}; layers: {', '.join(names)}", file=path,
                         fix="name one of these layers")
    # The ENCODING open option overrides a .cpg; pyogrio's encoding= (SHAPE_ENCODING) does not.
    options: _OpenOptions = {"ENCODING": report.encoding} if report.encoding else {}
    src: str | None = None
    try:
        with (_mended_shapefile(path, parts, report) if is_shp
              else contextlib.nullcontext(_gdal_path(path))) as src, \
                warnings.catch_warnings(record=True) as caught, \
                np.errstate(invalid="ignore"):
            # A NaN coordinate is reported by the geometry checks, by feature; numpy's
            # warning while decoding it is noise (and errstate, unlike the warnings filter,
            # is per thread: layers load side by side).
            warnings.simplefilter("always")
            info = pyogrio.read_info(src, layer=layer, **options)
            report.driver = str(info.get("driver") or "")
            gdf = (_read_streamed(src, layer, info, options) if _streams(info, bbox) else
                   pyogrio.read_dataframe(src, layer=layer, bbox=bbox, use_arrow=True,
                                          fid_as_index=bbox is not None, **options))
            if bbox is not None:
                # A spatial index gives the features in its own order: the file's order
                # (a full read's) keeps results summed over them the same.
                gdf = gdf.sort_index(kind="stable").reset_index(drop=True)
        if caught and _damaged_geopackage(path):
            raise _damaged(path)  # GDAL read on past damage (e.g. a lost CRS table)
        # GDAL's warnings (e.g. characters it could not recode) belong in the report.
        report.warnings.extend(f"GDAL: {w.message}" for w in caught)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(f"has text that is not {exc.encoding} ({_short(exc)})", file=path,
                         fix="name the encoding (encoding = \"GBK\" or \"UTF-8\"), or add a .cpg "
                             "file holding it") from None
    except Exception as exc:
        opened = None
        if src is not None and is_shp:
            # GDAL names the file it opened: a temporary copy, gone by now, or a /vsizip/ path.
            shown = parts[".shp"].filename if parts is not None else str(path)
            opened = (src[:-4], shown[:-4])
        raise _gdal_error(exc, path, opened) from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError("has no geometry column", file=path,
                         fix="export the layer with its geometry")
    if report.driver in ("LIBKML", "KML"):
        gdf = _drop_kml_defaults(gdf, str(info.get("layer_name") or ""))
    return gdf


# Layers from this many features are read in two passes (see _read_streamed).
STREAM_FROM_FEATURES = 100_000
_STREAM_BATCH = 16_384


def _streams(info: Mapping[str, object], bbox: tuple[float, float, float, float] | None) -> bool:
    """Whether a layer is read by :func:`_read_streamed`: a large whole GeoPackage layer
    with a geometry and no field pyogrio converts after reading (datetimes, JSON).

    GeoPackage only: GDAL's FlatGeobuf stream, read in batches of geometries alone, hands
    out a batch whose buffers are already reused (pyarrow: "Unknown error: Wrapping …").
    """
    dtypes = [str(d) for d in np.asarray(info.get("dtypes", []), dtype=object)]
    subtypes = [str(t) for t in np.asarray(info.get("ogr_subtypes", []), dtype=object)]
    features = info.get("features")
    return (bbox is None and info.get("driver") == "GPKG" and bool(info.get("geometry_type"))
            and isinstance(features, int) and features >= STREAM_FROM_FEATURES
            and not any(d.startswith("datetime") for d in dtypes)
            and "OFSTJSON" not in subtypes)


def _read_streamed(src: str, layer: str | None, info: Mapping[str, object],
                   options: _OpenOptions) -> gpd.GeoDataFrame:
    """``pyogrio.read_dataframe(src, use_arrow=True)``, the same frame, at a lower peak
    (600k buildings: 372 MB against 632 MB) and no slower.

    read_dataframe holds every feature's WKB three times over at once (GDAL's Arrow
    buffers, one Python ``bytes`` per feature, then the geometries): 4.2 GB to read 1M
    parcels and 3M buildings. Here the fields are read alone (GDAL skips the geometry
    blobs), and the geometries in batches, each batch's WKB freed once decoded.
    """
    has_fields = len(np.asarray(info.get("fields", []), dtype=object)) > 0
    fields = pyogrio.read_dataframe(src, layer=layer, read_geometry=False, use_arrow=True,
                                    **options) if has_fields else None
    parts = []
    # Millions of geometries, each a tracked object in no cycle (see gaoxin.process).
    with collector_paused(), \
            pyogrio.open_arrow(src, layer=layer, columns=[], use_pyarrow=True,
                               batch_size=_STREAM_BATCH, **options) as (meta, reader):
        for batch in reader:
            parts.append(shapely.from_wkb(batch.column(0).to_numpy(zero_copy_only=False)))
            del batch
    geoms = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
    if fields is None:
        fields = pd.DataFrame(index=pd.RangeIndex(len(geoms)))
    # The decoded geometries wrapped as they are: GeoDataFrame(…, geometry="geometry") would
    # check each of them again and copy the columns (0.13 s for 3M buildings).
    fields["geometry"] = gpd.GeoSeries(GeometryArray(geoms, crs=meta["crs"]),
                                       index=fields.index, copy=False)
    return gpd.GeoDataFrame(fields, copy=False)


# What SQLite (under GDAL) says of a GeoPackage that is cut short or overwritten in places.
_DAMAGED_SQLITE = ("database disk image is malformed", "file is not a database",
                   "disk I/O error", "sqlite3_")


def _gdal_error(exc: Exception, path: Path,
                opened: tuple[str, str] | None = None) -> InputError:
    """An InputError in words a user can act on, for an exception from GDAL.

    ``opened`` is (the path GDAL opened, the name to show for it), both without suffix.
    """
    text = str(exc).replace(*opened) if opened is not None else str(exc)
    message = _short(exc, text)
    if any(marker in text for marker in _DAMAGED_SQLITE) or _damaged_geopackage(path):
        return _damaged(path)
    if "not recognized as being in a supported file format" in message or (
            "does not exist in the file system" in message):
        what = "the zip holds no GIS file" if path.suffix.lower() == ".zip" else (
            "GDAL does not recognise the format")
        return InputError(f"cannot be read: {what} (the file may be damaged, truncated or of "
                          "another type)", file=path,
                          fix="export it again as GeoPackage, Shapefile, GeoJSON, KML, FileGDB "
                              "or FlatGeobuf")
    return InputError(f"cannot be read ({message.rstrip('.')})", file=path,
                      fix="check that the file is complete and in a GIS format "
                          "(GeoPackage, Shapefile, GeoJSON, KML, FileGDB, FlatGeobuf)")


def _damaged(path: Path) -> InputError:
    return InputError("is damaged or truncated", file=path,
                      fix="re-export it (or copy it again completely)")


def _damaged_geopackage(path: Path) -> bool:
    """Whether a GeoPackage (SQLite) file is cut short or fails SQLite's own check.

    The check reads every page, so it runs only once GDAL has failed or complained. A file
    that is no SQLite database at all is not called damaged: it may be of another type.
    """
    if path.suffix.lower() not in (".gpkg", ".sqlite") or not path.is_file():
        return False
    with path.open("rb") as fh:
        head = fh.read(100)
    if len(head) < 100:
        return True
    if not head.startswith(b"SQLite format 3\0"):
        return False
    # immutable: no lock, journal or -shm file is created beside a file we only read
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            verdict: str = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            return verdict != "ok"
    except sqlite3.Error:
        return True


def _shp_header_problem(header: bytes, size: int) -> str | None:
    """What is wrong with a .shp of ``size`` bytes starting with ``header``, or None."""
    declared = int.from_bytes(header[24:28], "big") * 2 if len(header) == 100 else None
    if declared is None or int.from_bytes(header[:4], "big") != 9994:
        return "is not a Shapefile (the .shp header is missing or damaged)"
    if size < declared:
        return f"is truncated ({size} of {declared} bytes)"
    return None


def _check_shapefile_parts(path: Path) -> None:
    """Refuse a Shapefile whose .shx or .dbf is missing, or whose .shp is cut short."""
    missing = [ext for ext in (".shx", ".dbf")
               if not (path.with_suffix(ext).exists() or path.with_suffix(ext.upper()).exists())]
    if missing:
        raise InputError(f"the Shapefile's {' and '.join(missing)} file is missing "
                         "(a Shapefile is several files with the same name)", file=path,
                         fix=f"copy the {' and '.join(missing)} that came with the .shp into "
                             "the same folder, or send the data as one .zip or .gpkg")
    with path.open("rb") as fh:
        problem = _shp_header_problem(fh.read(100), path.stat().st_size)
    if problem is not None:
        raise InputError(problem if problem.startswith("is not") else f"the .shp {problem}",
                         file=path, fix="copy the file again completely, or export the layer "
                                        "again")


@contextlib.contextmanager
def _mended_shapefile(path: Path, parts: dict[str, zipfile.ZipInfo] | None,
                      report: ReadReport) -> Iterator[str]:
    """Yield the GDAL path of a Shapefile (the zip entries ``parts``, else ``path``), or of a
    temporary copy whose DBF field names cut mid-character are mended.

    GDAL cuts field names to 10 bytes, splitting a UTF-8 Chinese character (``用地性质`` →
    ``用地性`` plus a stray byte); pyogrio then cannot decode the name at all. The input is
    never modified: the copy lives in a temporary folder for the duration of the read, under
    names gaoxin chooses (``layer.shp`` …), never under a name taken from the zip.
    """
    encoding = report.encoding or "utf-8"
    if parts is not None:
        dbf_entry = parts[".dbf"]  # _check_zipped_shapefile saw it
        with _unpacking(path, dbf_entry), zipfile.ZipFile(path) as zf:
            header = _dbf_header(zf.open(dbf_entry))
    else:
        dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF"))
                    if p.exists()), None)
        header = _dbf_header(dbf.open("rb")) if dbf else b""
    mended = repair_dbf_names(header, encoding)
    if mended is None:
        yield _gdal_path(path, parts[".shp"]) if parts is not None else str(path)
        return
    tmpdir = Path(tempfile.mkdtemp(prefix="gaoxin-shp-"))
    try:
        if parts is not None:
            with zipfile.ZipFile(path) as zf:
                for suffix, entry in parts.items():
                    with _unpacking(path, entry), zf.open(entry) as packed, \
                            (tmpdir / f"layer{suffix}").open("wb") as copy:
                        shutil.copyfileobj(packed, copy)
        else:
            for part in path.parent.glob(f"{glob.escape(path.stem)}.*"):
                if part.is_file() and part.stem == path.stem and _PART_SUFFIX.fullmatch(
                        part.suffix):
                    shutil.copy2(part, tmpdir / f"layer{part.suffix.lower()}")
        with (tmpdir / "layer.dbf").open("r+b") as fh:
            fh.write(mended)
        report.fixes.append("mended DBF field names cut in the middle of a character "
                            "(GDAL cuts names to 10 bytes)")
        yield str(tmpdir / "layer.shp")
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _dbf_header(fh: IO[bytes]) -> bytes:
    """The DBF header (up to and including the field descriptors) from an open file."""
    with fh:
        head = fh.read(32)
        if len(head) < 32:
            return head
        size = int.from_bytes(head[8:10], "little")
        return head + fh.read(max(size - 32, 0))


# Columns LIBKML adds to every layer; dropped when they hold nothing but their defaults.
_KML_DEFAULTS: dict[str, int | None] = {
    "Name": None, "description": None, "timestamp": None, "begin": None, "end": None,
    "altitudeMode": None, "tessellate": -1, "extrude": 0, "visibility": -1,
    "drawOrder": None, "icon": None,
}


def _drop_kml_defaults(gdf: gpd.GeoDataFrame, layer_name: str) -> gpd.GeoDataFrame:
    drop = []
    for col, default in _KML_DEFAULTS.items():
        if col not in gdf.columns:
            continue
        values = gdf[col]
        if values.isna().all() or (default is not None and (values == default).all()):
            drop.append(col)
    if "id" in gdf.columns:
        auto = [f"{layer_name}.{i}" for i in range(1, len(gdf) + 1)]
        if gdf["id"].isna().all() or gdf["id"].astype(object).tolist() == auto:
            drop.append("id")
    return gdf.drop(columns=drop)


# --- zip archives --------------------------------------------------------------------------

_ARCHIVE_SUFFIXES = (".zip", ".kmz")
# A zip member that unpacks past either limit is refused as a zip bomb. No Shapefile part
# exceeds 4 GiB (the .shp header counts its length in 16-bit words in a signed 32-bit
# number), and deflate packs real data far below its ceiling of about 1030:1, so only a
# crafted member reaches 1000:1; below 1 MiB any ratio is harmless (a blank DBF packs well).
_MEMBER_BYTES_LIMIT = 4 * 2**30
_PACKING_RATIO_LIMIT = 1000
_RATIO_CHECKED_FROM = 2**20
# What zipfile and its decompressors raise for a damaged, truncated or encrypted member.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, struct.error, EOFError, OSError,
               NotImplementedError, RuntimeError, ValueError)
_PART_SUFFIX = re.compile(r"\.[A-Za-z0-9]{3}")
_CRAFTED_FIX = ("do not unpack this zip with other tools either; ask the sender to zip the "
                "layer's files again, with plain names such as 地块.shp")
_BOMB_FIX = ("this is no layer but a zip bomb; ask the sender to zip the layer's files again "
             "(a layer this large travels better as one .gpkg)")


def _zip_entries(path: Path) -> list[zipfile.ZipInfo]:
    """The entries of the zip (or KMZ) at ``path``, once every one is found safe to read.

    Every entry is checked, not only the layer's files: GDAL may open any of them, and an
    archive holding one crafted name is not to be trusted with the rest.

    Raises
    ------
    InputError
        When the archive is not a zip, or an entry is absolute, climbs out with ``..``
        (``/`` or ``\\``), starts with a drive letter, holds a NUL, is a symbolic link,
        appears twice, or unpacks past :data:`_MEMBER_BYTES_LIMIT` or
        :data:`_PACKING_RATIO_LIMIT`.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
    except _ZIP_ERRORS:
        fix = ("export the KMZ again" if path.suffix.lower() == ".kmz"
               else "re-create the zip with the .shp, .dbf, .shx and .prj")
        raise InputError("is not a valid zip file", file=path, fix=fix) from None
    seen: set[str] = set()
    for entry in entries:
        refusal = _unsafe_entry(entry) or (
            ("appears twice in the zip", _CRAFTED_FIX) if entry.filename in seen else None)
        if refusal is not None:
            problem, fix = refusal
            raise InputError(f"the zip member {entry.orig_filename!r} {problem}", file=path,
                             fix=fix)
        seen.add(entry.filename)
    return entries


def _unsafe_entry(entry: zipfile.ZipInfo) -> tuple[str, str] | None:
    """Why a zip entry is unsafe to read (problem, fix), or None when it is safe.

    Examples
    --------
    >>> _unsafe_entry(zipfile.ZipInfo("数据/地块.shp")) is None
    True
    >>> _unsafe_entry(zipfile.ZipInfo("..\\\\..\\\\地块.shp"))[0]
    "has '..' in its name, which points outside the zip"
    """
    raw = entry.orig_filename  # zipfile cuts ``filename`` at a NUL; the raw name keeps it
    name = raw.replace("\\", "/")
    if "\0" in raw:
        return "has a NUL character in its name", _CRAFTED_FIX
    if name.startswith("/"):
        return "has an absolute name", _CRAFTED_FIX
    if re.match(r"[A-Za-z]:", name):
        return "has a name starting with a drive letter", _CRAFTED_FIX
    # Windows drops trailing dots and spaces, so ". ." and "..." climb out there too.
    if any(".." in part and not part.strip(". ") for part in name.split("/")):
        return "has '..' in its name, which points outside the zip", _CRAFTED_FIX
    if stat.S_ISLNK(entry.external_attr >> 16):
        return "is a symbolic link", _CRAFTED_FIX
    if entry.file_size > _MEMBER_BYTES_LIMIT:
        return (f"unpacks to {entry.file_size / 2**30:.1f} GiB (the limit is 4 GiB, the "
                "largest a Shapefile part can be)", _BOMB_FIX)
    if entry.file_size >= _RATIO_CHECKED_FROM and (
            entry.file_size > _PACKING_RATIO_LIMIT * entry.compress_size):
        ratio = entry.file_size / max(entry.compress_size, 1)
        return (f"unpacks {ratio:,.0f} times larger than it is packed (the limit is "
                f"{_PACKING_RATIO_LIMIT}:1)", _BOMB_FIX)
    return None


@contextlib.contextmanager
def _unpacking(path: Path, entry: zipfile.ZipInfo | None) -> Iterator[None]:
    """Turn a failure to unpack ``entry`` of the zip at ``path`` into an InputError."""
    try:
        yield
    except InputError:
        raise
    except _ZIP_ERRORS as exc:
        if entry is None:
            raise
        raise InputError(f"the zip member {entry.filename!r} cannot be unpacked "
                         f"({_short(exc)})", file=path,
                         fix="zip the layer's files again (without a password)") from None


def _pick_zip_layer(path: Path, layer: str | None,
                    report: ReadReport) -> dict[str, zipfile.ZipInfo] | None:
    """The parts of the Shapefile inside a zip to read (named by ``layer``, else the first),
    by lower-case suffix (``.shp``, ``.dbf`` …), or None when the zip holds no Shapefile."""
    entries = _zip_entries(path)
    members = [e for e in entries if e.filename.lower().endswith(".shp") and not e.is_dir()
               and not e.filename.startswith("__MACOSX/")]
    if not members:
        return None
    if layer is None:
        if len(members) > 1:
            report.warnings.append(f"{len(members)} Shapefiles in the zip; read "
                                   f"{_stem(members[0])!r} (name one with layer = …)")
        chosen = members[0]
    else:
        named = next((m for m in members if _stem(m) == layer), None)
        if named is None:
            raise InputError(f"has no layer {layer!r}; layers: "
                             f"{', '.join(_stem(m) for m in members)}", file=path,
                             fix="name one of these layers")
        chosen = named
    stem = chosen.filename[:-4]
    parts = {e.filename[-4:].lower(): e for e in entries
             if e.filename[:-4] == stem and _PART_SUFFIX.fullmatch(e.filename[-4:])
             and not e.is_dir()}
    parts[".shp"] = chosen
    return parts


def _stem(entry: zipfile.ZipInfo) -> str:
    """The layer name of a ``.shp`` entry: its file name without folder or suffix."""
    return entry.filename.replace("\\", "/").rsplit("/", 1)[-1][:-4]


def _check_zipped_shapefile(path: Path, parts: dict[str, zipfile.ZipInfo]) -> None:
    """Refuse a Shapefile in a zip whose .shx or .dbf is missing, or whose .shp is cut short."""
    shp = parts[".shp"]
    missing = [suffix for suffix in (".shx", ".dbf") if suffix not in parts]
    if missing:
        raise InputError(f"the zip member {shp.filename!r} has no {' or '.join(missing)} "
                         "beside it (a Shapefile is several files with the same name)",
                         file=path,
                         fix=f"zip the {' and '.join(_stem(shp) + m for m in missing)} that "
                             f"came with {_stem(shp)}.shp together with it, or send the data "
                             "as one .gpkg")
    with _unpacking(path, shp), zipfile.ZipFile(path) as zf, zf.open(shp) as fh:
        problem = _shp_header_problem(fh.read(100), shp.file_size)
    if problem is not None:
        raise InputError(f"the zip member {shp.filename!r} {problem}", file=path,
                         fix="zip the layer's files again (or download the zip again "
                             "completely)")


def read_source(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | CRS | None = None,
    encoding: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    close_rings: bool = False,
    allow_empty: bool = False,
) -> tuple[gpd.GeoDataFrame, ReadReport]:
    """Read one vector source, settle its CRS and check its coordinates lie in China.

    Parameters
    ----------
    path
        Any supported file (see module docstring); a FileGDB is a ``.gdb`` folder.
    layer
        Layer name for multi-layer sources; when None and there are several, the first.
    crs
        Declared CRS (``EPSG:4544``, ``cgcs2000``, ``gk35``, ``gcj02``, ``bd09`` …): required
        when the file has none; overrides the file's (with a warning) otherwise.
    encoding
        Shapefile text encoding; detected when None.
    bbox
        ``(xmin, ymin, xmax, ymax)`` in the file's CRS: read only features intersecting it
        (GeoPackage uses its R-tree).
    close_rings
        For 界址点 TXT: close an unclosed ring with a warning instead of refusing it.
    allow_empty
        Give an empty frame where ``bbox`` meets no feature, instead of an error.

    Returns
    -------
    (GeoDataFrame, ReadReport)
        The features in their source CRS (after any GCJ-02/BD-09 conversion, CGCS2000).

    Examples
    --------
    >>> import tempfile, os
    >>> from shapely import box
    >>> p = os.path.join(tempfile.mkdtemp(), "a.gpkg")
    >>> gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[box(500000, 3400000, 500100, 3400100)],
    ...                  crs=4544).to_file(p)
    >>> gdf, report = read_source(p)
    >>> gdf.columns.tolist(), report.crs
    (['名称', 'geometry'], 'EPSG:4544 (CGCS2000 / 3-degree Gauss-Kruger CM 105E)')
    """
    path = Path(path)
    _check_exists(path)
    report = ReadReport(path=str(path), layer=layer)
    suffix = path.suffix.lower()
    declared, offset = parse_crs(crs) if crs is not None else (None, None)
    if suffix in TXT_SUFFIXES or (suffix not in _KNOWN_SUFFIXES and looks_like_boundary_txt(path)):
        from .boundary_txt import read_boundary_txt

        gdf, warnings = read_boundary_txt(path, crs=declared, encoding=encoding,
                                          close_rings=close_rings)
        report.driver = "界址点坐标 TXT"
        report.warnings.extend(warnings)
    elif suffix in TABLE_SUFFIXES:
        gdf = _table_to_frame(read_table(path), path)
        report.driver = "table"
    elif suffix in PARQUET_SUFFIXES:
        try:
            gdf = gpd.read_parquet(path, bbox=bbox)
        except Exception as exc:
            raise InputError(f"cannot be read as GeoParquet ({_short(exc)})", file=path,
                             fix="write it with geopandas.to_parquet or GDAL") from None
        report.driver = "GeoParquet"
    else:
        if layer is None and (suffix in (".gpkg", ".gdb", ".sqlite") or path.is_dir()):
            names = list_layers(path)
            if len(names) > 1:
                report.warnings.append(f"{len(names)} layers in the file; read {names[0]!r} "
                                       f"(name one with layer = …)")
                layer = report.layer = names[0]
        gdf = _read_gdal(path, layer, encoding, bbox, report)
    if len(gdf) == 0 and not (allow_empty and bbox):
        raise InputError("the layer is empty" + (" inside the requested extent" if bbox else ""),
                         file=path, fix="check that you exported the right layer")
    gdf = _settle_crs(gdf, declared, offset, path, report)
    report.features = len(gdf)
    missing = int(np.asarray(shapely.is_missing(np.asarray(gdf.geometry.values))).sum())
    if missing:
        report.warnings.append(f"{missing} of {len(gdf)} features have no geometry")
    return gdf, report


def _settle_crs(gdf: gpd.GeoDataFrame, declared: CRS | None, offset: str | None,
                path: Path, report: ReadReport) -> gpd.GeoDataFrame:
    own = gdf.crs
    if declared is None:
        if own is None:
            x, y = _sample_xy(gdf)
            guess = guess_crs_from_coords(x, y)
            problem = f"has no CRS (no .prj or CRS tag); the coordinates look like {guess.note}"
            code = "EPSG:xxxx"
            if guess.crs is not None and guess.kind != "geographic-swapped":
                problem += f"; probably {describe_crs(guess.crs)}"
                code = f"EPSG:{guess.crs.to_epsg()}"
            raise InputError(
                problem, file=path,
                fix=f"add the .prj, or declare the CRS in the workspace: crs = \"{code}\" (or "
                    f"--crs {code} on the command line)",
            )
        report.crs_how = "from file"
    else:
        if offset:
            if own is not None and not CRS.from_user_input(own).is_geographic:
                raise InputError(
                    f"is declared {offset.upper()} but its CRS is projected "
                    f"({describe_crs(CRS.from_user_input(own))})", file=path,
                    fix=f"{offset.upper()} applies to longitude/latitude data only",
                )
            gdf = gdf.set_crs(4490, allow_override=True)
            _check_in_china(gdf, path)
            converted = convert_geometries(np.asarray(gdf.geometry.values), offset, "wgs84")
            gdf = gdf.set_geometry(gpd.GeoSeries(converted, index=gdf.index, crs=4490))
            report.fixes.append(f"converted {offset.upper()} coordinates to CGCS2000")
            report.crs_how = f"declared {offset}"
        else:
            if own is not None and not CRS.from_user_input(own).equals(declared):
                report.warnings.append(
                    f"the file says {describe_crs(CRS.from_user_input(own))}; using the "
                    f"declared {describe_crs(declared)}")
            gdf = gdf.set_crs(declared, allow_override=True)
            report.crs_how = "declared"
    _check_in_china(gdf, path)
    report.crs = describe_crs(CRS.from_user_input(gdf.crs))
    return gdf


def _sample_xy(gdf: gpd.GeoDataFrame, n: int = 2000) -> tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    geoms = np.asarray(gdf.geometry.values)[:n]
    coords = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
    return coords[:, 0], coords[:, 1]


def _extent_in_china(geoms: npt.NDArray[np.object_], crs: CRS) -> bool:
    """Whether the layer's whole (densified) extent transforms to inside China's box."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    try:
        t = Transformer.from_crs(crs, 4490, always_xy=True)
        lon0, lat0, lon1, lat1 = t.transform_bounds(xmin, ymin, xmax, ymax, densify_pts=21)
    except Exception:
        return False
    values = np.array([lon0, lat0, lon1, lat1])
    return bool(np.isfinite(values).all() and CHINA_LON[0] <= lon0 and lon1 <= CHINA_LON[1]
                and CHINA_LAT[0] <= lat0 and lat1 <= CHINA_LAT[1])


def _check_in_china(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse coordinates outside China, naming a lat/lon swap or GK numbers when seen."""
    if len(gdf) == 0:  # a window that met nothing (allow_empty): no coordinates to refuse
        return
    crs = CRS.from_user_input(gdf.crs)
    geoms = np.asarray(gdf.geometry.values)
    # total_bounds skips missing and empty geometries (NaN when there is none).
    if not crs.is_geographic and _extent_in_china(geoms, crs):
        return  # the whole extent is in China: no need to transform every feature
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return
    try:
        lon_lat = gdf.loc[present] if crs.is_geographic else gdf.loc[present].to_crs(4490)
    except Exception as exc:
        raise InputError(f"cannot be transformed from {describe_crs(crs)} ({_short(exc)})",
                         file=path, fix="check the declared CRS") from None
    bounds = shapely.bounds(np.asarray(lon_lat.geometry.values))
    if not np.isfinite(bounds).all():
        raise InputError(f"coordinates cannot be placed on the earth in {describe_crs(crs)}",
                         file=path, fix="check the declared CRS")
    ok = ((bounds[:, 0] >= CHINA_LON[0]) & (bounds[:, 2] <= CHINA_LON[1])
          & (bounds[:, 1] >= CHINA_LAT[0]) & (bounds[:, 3] <= CHINA_LAT[1]))
    bad = np.flatnonzero(~ok)
    if not len(bad):
        return
    i = int(bad[0])
    feature = lon_lat.index[i]
    xmin, ymin = bounds[i, 0], bounds[i, 1]
    if crs.is_geographic:
        x, y = _sample_xy(gdf)
        guess = guess_crs_from_coords(x, y)
        if guess.kind == "geographic-swapped":
            raise InputError(
                "latitude and longitude are swapped (x holds latitudes around "
                f"{np.median(x):.3f}, y longitudes around {np.median(y):.3f})",
                file=path, feature=feature,
                fix="swap the columns, or for CSV name them lon and lat",
            )
        if guess.kind in ("gk-prefixed", "gk-plain"):
            fix = (f"declare the projected CRS: crs = \"EPSG:{guess.crs.to_epsg()}\""
                   if guess.crs is not None else
                   "declare the projected CRS of the zone's central meridian, e.g. "
                   "crs = \"EPSG:4544\" for 105°E")
            raise InputError(
                f"the file claims {describe_crs(crs)} but its coordinates are metres: "
                f"{guess.note}", file=path, feature=feature, fix=fix,
            )
    raise InputError(
        f"coordinates fall outside China (first bad feature at lon {xmin:.4f}, lat {ymin:.4f}"
        f" in {describe_crs(crs)}; {len(bad)} of {len(lon_lat)} features outside)",
        file=path, feature=feature,
        fix="check the CRS: a wrong zone or datum moves data far away",
    )
