"""界址点坐标 TXT (报件坐标 / 勘测定界界址点坐标交换格式): read and write (domain.md §7.3).

A file has a ``[属性描述]`` header (坐标系, 几度分带, 带号 …), optional ``[项目信息]`` /
``[扩展信息]`` sections and a ``[地块坐标]`` section: one line per 地块 ending in ``@``
(``点数,面积,地块编号,地块名称,面,图幅号,地块用途,地类编码,@``) followed by its points
``点号,圈号,X,Y`` with X = northing and Y = easting carrying the zone prefix
(35 412 345 → 3° zone 35). Each ring repeats its first point. 圈号 numbers the rings of a
地块 (by convention 1 is the outer ring), but the reader nests them by geometry, whatever
their number or listing order: a ring is a hole of the smallest ring containing it, or a
part when none does (so an island in a hole is a part). Rings that cross or overlap, where
no nesting is certain, are refused.

The reader also takes the variants seen in the wild (README of the real samples): other key
spellings, section headers in full-width brackets (【属性描述】) or with spaces, empty 带号,
swapped columns, 6° zones, GBK/GB18030/UTF-8 (BOM) text, full-width commas, the 报省部标
parcel line with 行政区代码 and 村名, and the headerless "简单坐标" point list. Coordinates
in degrees are refused (the format holds metres) unless a geographic CRS is declared.
Problems the user must fix raise :class:`~gaoxin.errors.InputError`, with advice in
command-line terms; things we can read but that look wrong come back as warning strings.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from ..errors import InputError
from ..geo.area import ellipsoidal_area
from ..geo.crs import (
    describe_crs,
    gk3_crs,
    gk3_zone,
    gk6_crs,
    gk_zone_of_crs,
    guess_crs_from_coords,
    parse_crs,
)
from ..geo.units import M2_PER_HA, M2_PER_MU
from ..kinds import KINDS
from .write import write_bytes

__all__ = ["COLUMNS", "boundary_txt_crs", "read_boundary_txt", "write_boundary_txt"]

COLUMNS = (
    "parcel_id",
    "name",
    "point_count",
    "header_area",
    "header_area_m2",
    "planar_area_m2",
    "land_use",
    "land_code",
    "geometry_kind",
)

# Section headers are written with half-width [] or full-width 【】 brackets, spaces allowed.
_SECTION_RE = re.compile(r"^[\[【]\s*([^\[\]【】,，=]+?)\s*[\]】]$")
_COORD_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_AREA_RE = re.compile(
    r"(?P<num>[+-]?(?:\d+(?:\.(?P<dec>\d*))?|\.(?P<dec2>\d+)))"
    r"(?P<unit>公顷|ha|平方米|m2|m²|㎡|亩)?",
    re.IGNORECASE,
)
_AREA_UNITS = {
    "公顷": (M2_PER_HA, "公顷"),
    "ha": (M2_PER_HA, "公顷"),
    "平方米": (1.0, "m²"),
    "m2": (1.0, "m²"),
    "m²": (1.0, "m²"),
    "㎡": (1.0, "m²"),
    "亩": (M2_PER_MU, "亩"),
}
_POLYGON_KINDS = ("面", "")
_KINDS = ("面", "线", "点")

# Eastings with a zone prefix are ≥ 10⁷; unprefixed Gauss-Krüger eastings stay below 10⁶
# while northings in China are 7-digit. Both facts tell the column order apart.
_PREFIXED = 1e7
_NORTHING_MIN = 1e6

# No Gauss-Krüger coordinate comes near this (prefixed eastings stay below 10⁸); larger
# numbers are typing errors, and would overflow the zone arithmetic.
_COORD_MAX = 1e9
# Coordinates equal to 0.1 mm count as the same point (files carry mm at best).
_SAME_POINT_M = 1e-4
# Header area vs geometry: tolerance for choosing the unit, then for the cross-check.
_UNIT_MATCH = 0.01
_AREA_MISMATCH = 1e-3

_DATUM_NAMES = {
    "cgcs2000": "2000国家大地坐标系",
    "xian80": "1980西安坐标系",
    "beijing54": "1954北京坐标系",
}
_GEODETIC_EPSG = {4490: "cgcs2000", 4610: "xian80", 4214: "beijing54"}
# 6° zones 13–23 of the older datums (gk6_crs covers CGCS2000 only): (prefixed, plain).
_GK6_OTHER = {"xian80": (2327, 2338), "beijing54": (21413, 21453)}

_HEADER_KEYS = {
    "width": ("几度分带", "分带", "分带方式", "带宽"),
    "zone": ("带号",),
    "datum": ("坐标系", "坐标系统"),
}
_DEGREE_KINDS = ("geographic", "geographic-swapped")
_MAIN_SECTION = "属性描述"
_DATA_SECTION = "地块坐标"


# ----------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------


@dataclass
class _Point:
    name: str
    ring: int
    a: float  # first coordinate column as written (X = northing in the standard order)
    b: float
    line: int


@dataclass
class _Parcel:
    order: int
    line: int
    count_text: str = ""
    area_text: str = ""
    parcel_id: str = ""
    name: str = ""
    kind: str = ""
    land_use: str = ""
    land_code: str = ""
    points: list[_Point] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.parcel_id:
            return f"parcel {self.order} (地块编号 {self.parcel_id})"
        return f"parcel {self.order}"


@dataclass
class _Ring:
    number: int
    coords: npt.NDArray[np.float64]  # (n, 2) easting, northing
    first: _Point
    last: _Point


def read_boundary_txt(
    path: str | os.PathLike[str],
    *,
    crs: str | int | CRS | None = None,
    encoding: str | None = None,
    close_rings: bool = False,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a 界址点坐标 TXT file (报件坐标) into polygons, one row per 地块.

    Parameters
    ----------
    path
        The TXT file.
    crs
        The CRS of the coordinates (EPSG code, WKT or a spelling accepted by
        :func:`gaoxin.geo.crs.parse_crs` such as ``"gk35"``). Needed only when the file
        states no 带号 and the eastings carry no zone prefix (e.g. the headerless
        "简单坐标" list); when given it overrides the header. A geographic CRS (e.g.
        ``"cgcs2000"``) reads a file that holds latitude/longitude in degrees instead.
    encoding
        Text encoding; by default detected (BOM, then strict UTF-8, then GB18030, which
        also reads GBK and GB2312).
    close_rings
        Close a ring whose last point is not a repeat of its first (with a warning)
        instead of refusing the file.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``parcel_id``, ``name``, ``point_count`` (point rows read, closing
        repeats included), ``header_area`` (the number written in the parcel line),
        ``header_area_m2`` (that number in m²: 公顷 when it matches the geometry within
        1 %, else m² if that matches, else NaN), ``planar_area_m2`` (area on the
        Gauss-Krüger plane; for degrees, that of the CGCS2000 3° zone of the parcels'
        centre), ``land_use``, ``land_code``, ``geometry_kind`` (面 or empty,
        as written) and the geometry, in the file's projected CRS (zone-prefixed when the
        eastings carry the prefix) or in the declared geographic CRS for degrees.
        ``attrs["txt_header"]`` holds the header keys of all sections;
        ``attrs["txt_encoding"]`` the encoding used.
    list of str
        Warnings: things read but doubtful (header area mismatch, swapped columns …).

    Raises
    ------
    InputError
        Unreadable or invalid content, naming the file, the parcel and the fix.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text(
    ...     "[属性描述]\\n坐标系=2000国家大地坐标系\\n几度分带=3\\n带号=35\\n[地块坐标]\\n"
    ...     "5,1.0000,D1,示例地块,面,,,,@\\n"
    ...     "J1,1,3400000.000,35500000.000\\nJ2,1,3400100.000,35500000.000\\n"
    ...     "J3,1,3400100.000,35500100.000\\nJ4,1,3400000.000,35500100.000\\n"
    ...     "J1,1,3400000.000,35500000.000\\n", encoding="gbk")
    >>> gdf, warnings = read_boundary_txt(p)
    >>> gdf.crs.to_epsg(), float(gdf.planar_area_m2[0]), float(gdf.header_area_m2[0])
    (4523, 10000.0, 10000.0)
    >>> warnings
    []
    """
    path = Path(path)
    try:
        return _read(path, crs, encoding, close_rings)
    except InputError as exc:
        raise exc.with_file(path) from None


def _read(
    path: Path, crs: str | int | CRS | None, encoding: str | None, close_rings: bool
) -> tuple[gpd.GeoDataFrame, list[str]]:
    text, used_encoding = _decode(_read_bytes(path), encoding)
    lines = text.splitlines()
    warnings: list[str] = []
    if any(_SECTION_RE.match(line.strip()) for line in lines):
        header, parcels = _parse_standard(lines, warnings)
    else:
        header, parcels = {}, [_parse_simple(lines, warnings)]
    if not parcels:
        raise InputError(
            f"the [{_DATA_SECTION}] section holds no parcels",
            fix="add a parcel line (点数,面积,地块编号,地块名称,面,,,,@) and its 界址点",
        )
    for parcel in parcels:
        _check_parcel(parcel, warnings)
    east, north = _axes(parcels, warnings)
    target, east, north = _resolve_crs(header, east, north, crs, warnings)
    geoms, start = [], 0
    for parcel in parcels:
        stop = start + len(parcel.points)
        rings = _split_rings(parcel, east[start:stop], north[start:stop])
        rings = [_closed(ring, parcel, close_rings, warnings) for ring in rings]
        geoms.append(_assemble(rings, parcel, warnings))
        start = stop
    gdf = _frame(parcels, geoms, target, warnings)
    gdf.attrs["txt_header"] = header
    gdf.attrs["txt_encoding"] = used_encoding
    return gdf, warnings


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", fix="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", fix="check the path") from None


_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    (b"\x84\x31\x95\x33", "gb18030", "gb18030"),
)


def _decode(raw: bytes, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used: the given one, else BOM, strict UTF-8, GB18030."""
    if encoding:
        return _decode_as(raw, encoding, encoding).lstrip("\ufeff"), encoding
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            return _decode_as(raw[len(bom) :], codec, name), name
    for codec in ("utf-8", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode(codec), codec
    raise InputError(
        "the text is neither UTF-8 nor GBK/GB18030",
        fix="save the file as UTF-8 or GBK, or declare its encoding (--encoding)",
    )


def _decode_as(raw: bytes, codec: str, name: str) -> str:
    try:
        return raw.decode(codec)
    except LookupError:
        raise InputError(
            f"unknown encoding {name!r}", fix="use e.g. 'utf-8', 'gbk' or 'gb18030'"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not valid {name} (bad byte at offset {exc.start})",
            fix="declare no encoding to detect it, or declare the right one",
        ) from None


def _parse_standard(lines: list[str], warnings: list[str]) -> tuple[dict[str, str], list[_Parcel]]:
    header: dict[str, str] = {}
    parcels: list[_Parcel] = []
    section: str | None = None
    fullwidth = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        match = _SECTION_RE.match(line)
        if match:
            section = "".join(match.group(1).split())
        elif section == _DATA_SECTION:
            line, changed = _normalise_commas(line)
            fullwidth |= changed
            _data_line(line, lineno, parcels, warnings)
        elif section is None:
            warnings.append(f"line {lineno}: text before the first [section] ignored: {line!r}")
        else:
            _header_line(line, lineno, section, header, warnings)
    if fullwidth:
        warnings.append("full-width commas '，' used as separators were read as ','")
    return header, parcels


def _normalise_commas(line: str) -> tuple[str, bool]:
    if "，" not in line:
        return line, False
    # A complete parcel line has ≥ 8 ASCII commas: then '，' is part of a name, not a separator.
    if line.endswith("@") and line.count(",") >= 8:
        return line, False
    return line.replace("，", ","), True


def _header_line(
    line: str, lineno: int, section: str, header: dict[str, str], warnings: list[str]
) -> None:
    key, sep, value = line.partition("=")
    if not sep:
        warnings.append(f"line {lineno}: [{section}] line without '=' ignored: {line!r}")
        return
    key, value = key.strip(), value.strip()
    # One flat dict; a key repeated in another section keeps the 属性描述 one unprefixed.
    if key in header and section != _MAIN_SECTION:
        key = f"{section}.{key}"
    header[key] = value


def _data_line(line: str, lineno: int, parcels: list[_Parcel], warnings: list[str]) -> None:
    if line.endswith("@"):
        parcels.append(_parse_parcel_line(line, lineno, len(parcels) + 1))
        return
    if not parcels:
        parcels.append(_Parcel(order=1, line=lineno))
        warnings.append(f"line {lineno}: points before any parcel line (…,@) form parcel 1")
    parcel = parcels[-1]
    parcel.points.append(_parse_point(line, lineno, parcel))


def _parse_parcel_line(line: str, lineno: int, order: int) -> _Parcel:
    fields = [f.strip() for f in line.split(",")]
    last = fields.pop().removesuffix("@").strip()
    if last:
        fields.append(last)
    kind_at = 4
    # 报省部标 inserts 行政区代码 and 村名 before 地块编号, pushing 面/线/点 to field 7.
    if len(fields) > 6 and fields[4] not in _KINDS and fields[6] in _KINDS:
        kind_at = 6

    def get(i: int) -> str:
        return fields[i] if 0 <= i < len(fields) else ""

    return _Parcel(
        order=order,
        line=lineno,
        count_text=get(0),
        area_text=get(1),
        parcel_id=get(kind_at - 2),
        name=get(kind_at - 1),
        kind=get(kind_at),
        land_use=get(kind_at + 2),
        land_code=get(kind_at + 3),
    )


def _parse_point(line: str, lineno: int, parcel: _Parcel) -> _Point:
    if line.startswith("[") and line.endswith("]"):
        line = line[1:-1]  # the bracketed "three-section" variant
    fields = _split_fields(line)
    if len(fields) < 4:
        raise InputError(
            f"line {lineno}: point row {line!r} has {len(fields)} fields, not 点号,圈号,X,Y",
            feature=parcel.label,
            fix="write each 界址点 as 点号,圈号,X,Y and end each parcel line with ',@'",
        )
    ring = _parse_ring(fields[1], lineno, parcel)
    a = _parse_coord(fields[2], lineno, parcel)
    b = _parse_coord(fields[3], lineno, parcel)
    return _Point(fields[0], ring, a, b, lineno)


def _split_fields(line: str) -> list[str]:
    parts = line.split(",") if "," in line else line.split()
    fields = [f.strip() for f in parts]
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _parse_ring(text: str, lineno: int, parcel: _Parcel) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise InputError(
        f"line {lineno}: 圈号 {text!r} is not a positive whole number",
        feature=parcel.label,
        fix="write 1 for the outer ring and 2, 3 … for further rings",
    )


def _parse_coord(text: str, lineno: int, parcel: _Parcel) -> float:
    if "*" in text:
        raise InputError(
            f"line {lineno}: coordinate {text!r} is masked with asterisks",
            feature=parcel.label,
            fix="use the full coordinates from the original 勘测定界 report",
        )
    if not _COORD_RE.fullmatch(text):
        raise InputError(
            f"line {lineno}: coordinate {text!r} is not a number",
            feature=parcel.label,
            fix="write coordinates as plain numbers in metres, e.g. 3353189.181",
        )
    value = float(text)
    if not abs(value) < _COORD_MAX:
        raise InputError(
            f"line {lineno}: coordinate {text if len(text) <= 20 else text[:17] + '…'} is "
            "far too large for metres or degrees",
            feature=parcel.label,
            fix="check the coordinate columns: X is the northing, Y the easting in metres",
        )
    return value


def _parse_simple(lines: list[str], warnings: list[str]) -> _Parcel:
    """The headerless "简单坐标" list: ``[id,]X,Y`` or ``id,圈号,X,Y``, one polygon."""
    parcel = _Parcel(order=1, line=1)
    fullwidth = False
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        fullwidth |= "，" in line
        fields = _split_fields(line.replace("，", ","))
        if not fields:
            continue
        if not parcel.points and not _is_data_row(fields):
            continue  # a column header such as "id,x,y"
        parcel.points.append(_simple_point(fields, lineno, parcel))
    if fullwidth:
        warnings.append("full-width commas '，' used as separators were read as ','")
    return parcel


def _is_data_row(fields: list[str]) -> bool:
    return len(fields) >= 2 and all(
        "*" in f or _COORD_RE.fullmatch(f) for f in fields[-2:]
    )


def _simple_point(fields: list[str], lineno: int, parcel: _Parcel) -> _Point:
    if len(fields) == 2:
        name, ring = str(len(parcel.points) + 1), "1"
    elif len(fields) == 3:
        name, ring = fields[0], "1"
    elif len(fields) == 4:
        name, ring = fields[0], fields[1]
    else:
        raise InputError(
            f"line {lineno}: {len(fields)} fields; a coordinate list needs X,Y or id,X,Y",
            feature=parcel.label,
            fix="keep only the point number, X (northing) and Y (easting) columns",
        )
    a = _parse_coord(fields[-2], lineno, parcel)
    b = _parse_coord(fields[-1], lineno, parcel)
    return _Point(name, _parse_ring(ring, lineno, parcel), a, b, lineno)


def _check_parcel(parcel: _Parcel, warnings: list[str]) -> None:
    if parcel.kind not in _POLYGON_KINDS:
        what = {"线": "a line (线)", "点": "a point (点)"}.get(parcel.kind)
        if what is None:
            warnings.append(f"{parcel.label}: 图形属性 {parcel.kind!r} read as 面")
        else:
            raise InputError(
                f"line {parcel.line}: the record is {what}, but only parcels (面) are read",
                feature=parcel.label,
                fix="remove the 线/点 records or export the parcels as 面",
            )
    if not parcel.points:
        raise InputError(
            f"line {parcel.line}: the parcel has no 界址点",
            feature=parcel.label,
            fix="list its points (点号,圈号,X,Y) after the parcel line",
        )
    count = parcel.count_text
    if count and count != "0":
        if not count.isdigit():
            warnings.append(f"{parcel.label}: 界址点数 {count!r} is not a number")
        elif int(count) != len(parcel.points):
            warnings.append(
                f"{parcel.label}: the parcel line says {count} points but "
                f"{len(parcel.points)} point rows follow"
            )


def _axes(parcels: list[_Parcel], warnings: list[str]
          ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Eastings and northings of all points, detecting swapped columns."""
    points = [p for parcel in parcels for p in parcel.points]
    a = np.array([p.a for p in points])
    b = np.array([p.b for p in points])
    standard = ((b >= _PREFIXED) & (a < _PREFIXED)) | (
        (a >= _NORTHING_MIN) & (a < _PREFIXED) & (b < _NORTHING_MIN)
    )
    swapped = ((a >= _PREFIXED) & (b < _PREFIXED)) | (
        (b >= _NORTHING_MIN) & (b < _PREFIXED) & (a < _NORTHING_MIN)
    )
    if swapped.any() and standard.any():
        first = points[int(np.argmax(swapped if swapped.sum() < standard.sum() else standard))]
        raise InputError(
            f"line {first.line}: some rows give X,Y and others Y,X (easting first)",
            fix="write every point as 点号,圈号,X(northing),Y(easting)",
        )
    if swapped.any():
        warnings.append(
            "the coordinate columns are swapped (easting before northing; the easting is "
            "the zone-prefixed value ≥ 10⁷ or the 6-digit one): read as Y,X"
        )
        return a, b
    return b, a


def _resolve_crs(
    header: dict[str, str],
    east: npt.NDArray[np.float64],
    north: npt.NDArray[np.float64],
    user_crs: str | int | CRS | None,
    warnings: list[str],
) -> tuple[CRS, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The CRS of the points, and their eastings and northings (swapped for degrees given
    longitude first)."""
    guess = guess_crs_from_coords(east, north)
    if guess.kind in _DEGREE_KINDS:
        return _geographic(guess.kind, east, north, user_crs, warnings)
    prefix_zone = _prefix_zone(east)
    if user_crs is not None:
        return _user_crs(user_crs, prefix_zone), east, north
    datum = _header_datum(header, warnings)
    width = _header_width(header)
    zone = _header_zone(header, width, warnings)
    if prefix_zone is not None:
        width = width or _width_of_zone(prefix_zone)
        if zone is not None and zone != prefix_zone:
            warnings.append(
                f"带号={zone} but the eastings carry zone prefix {prefix_zone}: "
                f"used zone {prefix_zone}"
            )
        return _gk_crs(width, prefix_zone, prefixed=True, datum=datum), east, north
    if zone is None:
        raise InputError(
            "the eastings carry no zone prefix and the file states no 带号, so the CRS "
            f"is unknown; the coordinates look like {guess.note}",
            fix=f"add 带号= to [{_MAIN_SECTION}], or declare the CRS: {_declare('EPSG:4544')} "
            "(EPSG:4544 is CGCS2000 3° Gauss-Krüger CM 105°E without prefix; give your "
            "zone's code)",
        )
    crs = _gk_crs(width or _width_of_zone(zone), zone, prefixed=False, datum=datum)
    return crs, east, north


def _declare(code: str) -> str:
    """How a user declares the CRS of a file: the command-line option and the workspace."""
    return f'--crs {code} on the command line, or crs = "{code}" for the layer in the workspace'


def _geographic(
    kind: str,
    east: npt.NDArray[np.float64],
    north: npt.NDArray[np.float64],
    user_crs: str | int | CRS | None,
    warnings: list[str],
) -> tuple[CRS, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Coordinates in degrees: read only when a geographic CRS is declared."""
    lat_first = kind == "geographic"  # X (first column) is the latitude, as northing
    sample = f"X={north[0]:g}, Y={east[0]:g}"
    what = "latitude/longitude" if lat_first else "longitude/latitude"
    problem = f"the coordinates look like {what} in degrees ({sample})"
    if user_crs is None:
        raise InputError(
            f"{problem}, but a 界址点坐标 TXT holds Gauss-Krüger coordinates in metres "
            "(X northing, Y easting)",
            fix="export the 界址点 in Gauss-Krüger metres; if the file really holds degrees, "
            f"declare its geographic CRS: {_declare('cgcs2000')}",
        )
    crs, offset = parse_crs(user_crs)
    if offset:
        raise InputError(
            f"{problem} declared as {offset.upper()}, which must be converted on reading",
            fix=f"declare --crs {offset} on the command line, or crs = \"{offset}\" for the "
            "layer in the workspace: the command converts the coordinates as it reads them",
        )
    if not crs.is_geographic:
        raise InputError(
            f"{problem}, but the declared CRS {describe_crs(crs)} is in metres",
            fix=f"declare the geographic CRS they are in: {_declare('cgcs2000')}",
        )
    if lat_first:
        return crs, east, north
    warnings.append("the X column holds longitudes and the Y column latitudes: read as such")
    return crs, north, east


def _prefix_zone(east: npt.NDArray[np.float64]) -> int | None:
    prefixed = east >= _PREFIXED
    if not prefixed.any():
        return None
    if not prefixed.all():
        raise InputError(
            "some eastings carry a zone prefix (≥ 10⁷) and others do not",
            fix="write all eastings of a file the same way",
        )
    zones = np.unique((east // 1_000_000).astype(int))
    if len(zones) > 1:
        raise InputError(
            f"the eastings carry different zone prefixes ({', '.join(map(str, zones))})",
            fix="split the file by zone: one file, one zone",
        )
    return int(zones[0])


def _user_crs(spec: str | int | CRS, prefix_zone: int | None) -> CRS:
    crs, offset = parse_crs(spec)
    if offset or not crs.is_projected:
        raise InputError(
            f"the declared CRS {_spelled(spec, crs, offset)} is not a projected CRS, but "
            "the coordinates are metres",
            fix="declare the Gauss-Krüger CRS of the file, e.g. " + _declare("EPSG:4544"),
        )
    gk = gk_zone_of_crs(crs)
    if gk is None:
        return crs
    _, zone, crs_prefixed = gk
    if crs_prefixed != (prefix_zone is not None) or (crs_prefixed and zone != prefix_zone):
        has = f"carry zone prefix {prefix_zone}" if prefix_zone else "carry no zone prefix"
        raise InputError(
            f"the declared CRS {_spelled(spec, crs, offset)} does not fit the eastings, "
            f"which {has}",
            fix="declare the CRS with the matching zone and prefix (e.g. EPSG:4523 for "
            "prefix 35, EPSG:4544 for CM 105°E without prefix), or declare none",
        )
    return crs


def _spelled(spec: str | int | CRS, crs: CRS, offset: str | None) -> str:
    """The declared CRS as the user wrote it, and what it is."""
    if offset:
        return offset.upper()
    name = describe_crs(crs)
    if isinstance(spec, CRS) or name.startswith(str(spec)):
        return name
    return f"{spec} = {name}"


def _header_value(header: dict[str, str], what: str) -> str | None:
    for key in _HEADER_KEYS[what]:
        if key in header:
            return header[key]
    return None


def _header_datum(header: dict[str, str], warnings: list[str]) -> str:
    value = _header_value(header, "datum")
    if value is None:
        if header:
            warnings.append("the header states no 坐标系: assumed 2000国家大地坐标系 (CGCS2000)")
        else:
            warnings.append("the file has no header: assumed CGCS2000 (2000国家大地坐标系)")
        return "cgcs2000"
    text = value.upper()
    if "2000" in text or "CGCS" in text:
        return "cgcs2000"
    if "80" in text or "西安" in text:
        return "xian80"
    if "54" in text or "北京" in text:
        return "beijing54"
    warnings.append(f"坐标系={value!r} not recognised: assumed CGCS2000")
    return "cgcs2000"


def _header_width(header: dict[str, str]) -> int | None:
    value = _header_value(header, "width")
    if not value:
        return None
    digits = re.search(r"\d+", value)
    width = int(digits.group()) if digits else {"三": 3, "六": 6}.get(value[:1])
    if width not in (3, 6):
        raise InputError(
            f"几度分带={value!r}: only 3° and 6° Gauss-Krüger zones are used",
            fix="write 几度分带=3 or 几度分带=6",
        )
    return width


def _header_zone(header: dict[str, str], width: int | None, warnings: list[str]) -> int | None:
    value = _header_value(header, "zone")
    if not value:
        return None
    digits = re.search(r"\d+", value)
    if not digits:
        warnings.append(f"带号={value!r} is not a number: ignored")
        return None
    zone = int(digits.group())
    # Some exporters write the central meridian (105) instead of the zone number (35).
    if (width or 3) == 3 and zone > 45 and zone % 3 == 0:
        warnings.append(f"带号={zone} read as the central meridian {zone}°E: zone {zone // 3}")
        return zone // 3
    return zone


def _width_of_zone(zone: int) -> int:
    if 25 <= zone <= 45:
        return 3
    if 13 <= zone <= 23:
        return 6
    raise InputError(
        f"zone {zone} is neither a 3° (25–45) nor a 6° (13–23) Gauss-Krüger zone of China",
        fix="check 带号 and the easting prefix",
    )


def _gk_crs(width: int, zone: int, *, prefixed: bool, datum: str) -> CRS:
    if width == 3:
        if not 25 <= zone <= 45:
            raise InputError(
                f"zone {zone} is not a 3° zone of China (25–45)",
                fix="check 几度分带 and 带号 (6° zones are 13–23)",
            )
        return gk3_crs(zone, prefixed=prefixed, datum=datum)
    if not 13 <= zone <= 23:
        raise InputError(
            f"zone {zone} is not a 6° zone of China (13–23)",
            fix="check 几度分带 and 带号 (3° zones are 25–45)",
        )
    if datum == "cgcs2000":
        return gk6_crs(zone, prefixed=prefixed)
    first_prefixed, first_plain = _GK6_OTHER[datum]
    return CRS.from_epsg((first_prefixed if prefixed else first_plain) + zone - 13)


def _split_rings(parcel: _Parcel, east: npt.NDArray[np.float64],
                 north: npt.NDArray[np.float64]) -> list[_Ring]:
    """Rings in file order: a new ring at each change of 圈号 and after each closure."""
    rings: list[_Ring] = []
    start = 0
    points = parcel.points
    for i in range(1, len(points) + 1):
        ends = i == len(points) or points[i].ring != points[start].ring
        closes = i - start >= 4 and _same(east, north, start, i - 1)
        if ends or closes:
            coords = np.column_stack([east[start:i], north[start:i]])
            rings.append(_Ring(points[start].ring, coords, points[start], points[i - 1]))
            start = i
    return rings


def _same(east: npt.NDArray[np.float64], north: npt.NDArray[np.float64], i: int, j: int) -> bool:
    return bool(abs(east[i] - east[j]) <= _SAME_POINT_M
                and abs(north[i] - north[j]) <= _SAME_POINT_M)


def _closed(ring: _Ring, parcel: _Parcel, close_rings: bool, warnings: list[str]) -> _Ring:
    c = ring.coords
    closed = len(c) > 1 and _same(c[:, 0], c[:, 1], 0, len(c) - 1)
    if len(c) - closed < 3:
        raise InputError(
            f"ring {ring.number} (line {ring.first.line}) has {len(c)} point rows; a polygon "
            "ring needs at least 3 distinct points and the repeat of the first (4 rows)",
            feature=parcel.label,
            fix=f"check the rows of ring {ring.number}",
        )
    if closed:
        c[-1] = c[0]
        return ring
    if not close_rings:
        raise InputError(
            f"ring {ring.number} is not closed: its last point {ring.last.name} "
            f"(line {ring.last.line}) is not a repeat of its first point {ring.first.name}",
            feature=parcel.label,
            fix=f"repeat the first point at the end of ring {ring.number}, "
            "or let gaoxin close it (--close-rings on the command line)",
        )
    warnings.append(
        f"{parcel.label}: ring {ring.number} was not closed; closed it by repeating its "
        f"first point {ring.first.name}"
    )
    return _Ring(ring.number, np.vstack([c, c[:1]]), ring.first, ring.last)


def _assemble(rings: list[_Ring], parcel: _Parcel, warnings: list[str]) -> Polygon | MultiPolygon:
    """Nest the rings by geometry, whatever order the file lists them in.

    A ring inside an even number of rings (none, or an outer ring and one of its holes …)
    starts a part; inside an odd number it is a hole of the smallest of them. Parts and
    holes keep 圈号 order, so the geometry does not depend on the listing order either.
    """
    rings = sorted(rings, key=lambda ring: ring.number)  # stable: file order within a 圈号
    containers = _containers(rings, parcel)
    parts: dict[int, list[npt.NDArray[np.float64]]] = {}
    for i, ring in enumerate(rings):
        if len(containers[i]) % 2 == 0:
            parts[i] = [ring.coords]
    for i, ring in enumerate(rings):
        if len(containers[i]) % 2 == 1:
            # Containers nest in a chain (crossings are refused): the deepest is the smallest.
            parent = max(containers[i], key=lambda j: len(containers[j]))
            parts[parent].append(ring.coords)
    polygons = [Polygon(part[0], part[1:]) for part in parts.values()]
    geom = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    if not geom.is_valid:
        warnings.append(
            f"{parcel.label}: the polygon is invalid ({shapely.is_valid_reason(geom)}); "
            "its area may be wrong"
        )
    return geom


def _containers(rings: list[_Ring], parcel: _Parcel) -> list[list[int]]:
    """For each ring, the rings that contain it; refuses rings whose nesting is ambiguous."""
    containers: list[list[int]] = [[] for _ in rings]
    if len(rings) < 2:
        return containers
    shells = np.array([Polygon(ring.coords) for ring in rings], dtype=object)
    left, right = shapely.STRtree(shells).query(shells, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue  # each pair once (the predicate is symmetric)
        matrix = shapely.relate(shells[i], shells[j])  # DE-9IM, i's rows against j's columns
        if matrix[0] == "F":
            continue  # they touch at most: side by side
        i_in_j = matrix[2] == "F" and matrix[5] == "F"  # nothing of i outside j
        j_in_i = matrix[6] == "F" and matrix[7] == "F"
        if i_in_j and not j_in_i:
            containers[i].append(j)
        elif j_in_i and not i_in_j:
            containers[j].append(i)
        else:
            raise _ambiguous_rings(rings[i], rings[j], parcel, same=i_in_j)
    return containers


def _ambiguous_rings(first: _Ring, second: _Ring, parcel: _Parcel, *, same: bool) -> InputError:
    names = (
        f"ring {first.number} (from line {first.first.line}) and ring {second.number} "
        f"(from line {second.first.line})"
    )
    if same:
        problem = f"{names} enclose the same area: the ring is listed twice"
        fix = "remove the repeated ring"
    else:
        problem = (
            f"{names} cross or overlap, so it is ambiguous which is the outer ring and "
            "which a hole"
        )
        fix = (
            "correct the coordinates: the rings of a 地块 must lie apart or one wholly "
            "inside the other (a hole, or an island in a hole)"
        )
    return InputError(problem, feature=parcel.label, fix=fix)


def _frame(
    parcels: list[_Parcel], geoms: list[Polygon | MultiPolygon], crs: CRS, warnings: list[str]
) -> gpd.GeoDataFrame:
    geometry = gpd.GeoSeries(geoms, crs=crs)
    planar = _planar_area(geometry, crs)
    areas = [
        _header_area(p, float(a), warnings) for p, a in zip(parcels, planar, strict=True)
    ]
    data = {
        "parcel_id": [p.parcel_id for p in parcels],
        "name": [p.name for p in parcels],
        "point_count": np.array([len(p.points) for p in parcels], dtype=np.int64),
        "header_area": np.array([a[0] for a in areas], dtype=float),
        "header_area_m2": np.array([a[1] for a in areas], dtype=float),
        "planar_area_m2": planar,
        "land_use": [p.land_use for p in parcels],
        "land_code": [p.land_code for p in parcels],
        "geometry_kind": [p.kind for p in parcels],
    }
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=geometry.values, crs=crs)


def _planar_area(geometry: gpd.GeoSeries, crs: CRS) -> npt.NDArray[np.float64]:
    """Area on the Gauss-Krüger plane: the file's own (``crs``, the geometry's), or for
    degrees the CGCS2000 3° zone of the parcels' centre (the plane a 面积 in the header
    would have been measured on)."""
    if crs.is_geographic:
        xmin, _, xmax, _ = geometry.to_crs(4490).total_bounds
        geometry = geometry.to_crs(gk3_crs(gk3_zone((xmin + xmax) / 2)))
    return ellipsoidal_area(geometry, "planar").to_numpy()


def _header_area(parcel: _Parcel, planar: float, warnings: list[str]) -> tuple[float, float]:
    """(number as written, its value in m² or NaN), warning on doubt or mismatch."""
    text = parcel.area_text.replace(" ", "")
    if not text:
        return math.nan, math.nan
    match = _AREA_RE.fullmatch(text)
    if not match:
        warnings.append(f"{parcel.label}: 面积 {text!r} is not a number: ignored")
        return math.nan, math.nan
    value = float(match["num"])
    if not math.isfinite(value):
        warnings.append(f"{parcel.label}: 面积 is too large to be a number: ignored")
        return math.nan, math.nan
    if value == 0:
        warnings.append(f"{parcel.label}: 面积 is 0 (not filled in?): not checked")
        return value, math.nan
    # Half a unit of the last written digit: 4-decimal 公顷 cannot match a tiny parcel to 1e-3.
    resolution = 0.5 * 10.0 ** -len(match["dec"] or match["dec2"] or "")
    unit = match["unit"]
    if unit:
        factor, unit_name = _AREA_UNITS[unit.lower()]
    else:
        found = _area_unit(value, resolution, planar)
        if found is None:
            warnings.append(
                f"{parcel.label}: 面积 {text} matches the planar area {planar:.3f} m² neither "
                f"as 公顷 ({value * M2_PER_HA:.3f} m²) nor as m²: unit unknown"
            )
            return value, math.nan
        factor, unit_name = found
    area_m2 = value * factor
    if abs(area_m2 - planar) > max(_AREA_MISMATCH * planar, resolution * factor):
        rel = abs(area_m2 - planar) / planar if planar else math.inf
        warnings.append(
            f"{parcel.label}: 面积 {text} {unit_name} = {area_m2:.3f} m² differs from the "
            f"planar area of the points, {planar:.3f} m², by {rel:.2%}"
        )
    return value, area_m2


def _area_unit(value: float, resolution: float, planar: float) -> tuple[float, str] | None:
    for factor, name in ((M2_PER_HA, "公顷"), (1.0, "m²")):
        if abs(value * factor - planar) <= max(_UNIT_MATCH * planar, resolution * factor):
            return factor, name
    return None


# ----------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------


def write_boundary_txt(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    encoding: str = "gbk",
    zone: int | None = None,
    producer: str = "gaoxin",
    datum: str = "cgcs2000",
    id_field: str | None = None,
    name_field: str | None = None,
) -> None:
    """Write polygons as a standard 界址点坐标 TXT file (格式版本号 1.01).

    Coordinates are reprojected to 3° Gauss-Krüger **with zone prefix** on ``datum``,
    written X (northing) then Y (prefixed easting) to the millimetre. Each feature is one
    地块: ``点数,面积(公顷, 4 decimals),地块编号,地块名称,面,,地块用途,地类编码,@`` (use and
    code from ``land_use``/``land_code`` columns when present). 圈号 1 is the exterior of
    the first part, 2, 3 … its holes and then the further parts with their holes; point
    names J1, J2 … run on across rings and each ring ends with a repeat of its first point
    (same name), which the 点数 includes. Exterior rings are written clockwise and holes
    counter-clockwise as seen on a map (east right, north up), as Chinese tools write
    them. Lines end in CRLF. The file is replaced atomically.

    Parameters
    ----------
    gdf
        Polygons or MultiPolygons with a CRS.
    path
        The TXT file to write.
    encoding
        ``"gbk"`` (default, what Chinese desktop tools expect), ``"gb18030"``, ``"utf-8"``
        or ``"utf-8-sig"`` (with BOM).
    zone
        The 3° zone. Default: the zone of the data's CRS if it is already a 3°
        Gauss-Krüger CRS of ``datum`` (no reprojection), else the zone of the centre
        longitude of the data's extent (:func:`gaoxin.geo.crs.gk3_zone`).
    producer
        数据产生单位.
    datum
        ``"cgcs2000"`` (default), ``"xian80"`` or ``"beijing54"``: names the 坐标系 and
        the EPSG projection. No datum shift is applied beyond what PROJ offers, so give
        data already on that datum.
    id_field, name_field
        Columns for 地块编号 and 地块名称. Default: the layer's own id and name columns
        (``parcel_id``, ``zone_id``, ``park_id`` or an alias such as 地块编号; ``name`` or
        an alias such as 名称), so zones keep their codes; 1, 2 … and empty when there is
        none. Commas in them are written as '，' so the line keeps its fields.

    Raises
    ------
    InputError
        No CRS, no features, non-polygon or empty geometries, characters the encoding
        cannot hold, or a path that cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from shapely import box
    >>> square = gpd.GeoDataFrame({"name": ["示例"]},
    ...     geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_boundary_txt(square, p)
    >>> p.read_text(encoding="gbk").splitlines()[12:14]
    ['5,1.0000,1,示例,面,,,,@', 'J1,1,3400000.000,35500100.000']
    >>> gdf, warnings = read_boundary_txt(p)
    >>> float(gdf.planar_area_m2[0]), gdf.crs.to_epsg(), warnings
    (10000.0, 4523, [])
    """
    path = Path(path)
    try:
        text = _render(gdf, zone, producer, datum, id_field, name_field)
        write_bytes(path, _encode(text, encoding))
    except InputError as exc:
        raise exc.with_file(path) from None


def boundary_txt_crs(gdf: gpd.GeoDataFrame, *, zone: int | None = None,
                     datum: str = "cgcs2000") -> CRS:
    """The CRS of the coordinates :func:`write_boundary_txt` writes for ``gdf``: 3°
    Gauss-Krüger with zone prefix on ``datum``.

    Examples
    --------
    >>> from shapely import box
    >>> square = gpd.GeoDataFrame(geometry=[box(104.0, 30.0, 104.001, 30.001)], crs=4490)
    >>> boundary_txt_crs(square).to_epsg()
    4523
    """
    _check_writable(gdf, datum)
    return gk3_crs(zone if zone is not None else _zone_for(gdf, datum), prefixed=True,
                   datum=datum)


# The columns that name a feature, in the order tried: a parcel file also holds the zone_id
# of each parcel's zone, so parcel numbers come first.
_ID_COLUMNS = tuple(dict.fromkeys(
    name for kind, key in (("parcels", "parcel_id"), ("requests", "parcel_id"),
                           ("zones", "zone_id"), ("parks", "park_id"))
    for f in KINDS[kind].fields if f.name == key for name in (f.name, *f.aliases)))
_NAME_COLUMNS = tuple(dict.fromkeys(
    name for kind in ("parcels", "requests", "zones", "parks")
    for f in KINDS[kind].fields if f.name == "name" for name in (f.name, *f.aliases)))


def _column_of(gdf: gpd.GeoDataFrame, candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` that is a column of ``gdf`` (case-insensitive)."""
    columns = {str(c).casefold(): str(c) for c in gdf.columns if c != gdf.geometry.name}
    return next((columns[c.casefold()] for c in candidates if c.casefold() in columns), None)


def _render(
    gdf: gpd.GeoDataFrame,
    zone: int | None,
    producer: str,
    datum: str,
    id_field: str | None,
    name_field: str | None,
) -> str:
    _check_writable(gdf, datum)
    id_field = id_field or _column_of(gdf, _ID_COLUMNS) or ""
    name_field = name_field or _column_of(gdf, _NAME_COLUMNS) or ""
    zone = zone if zone is not None else _zone_for(gdf, datum)
    target = gk3_crs(zone, prefixed=True, datum=datum)
    projected = gdf.geometry.to_crs(target)
    geoms = shapely.orient_polygons(np.asarray(projected.values), exterior_cw=True)
    lines = _header_lines(zone, producer, datum)
    for i, (label, geom) in enumerate(zip(gdf.index, geoms, strict=True)):
        row = gdf.iloc[i]
        attrs = (
            _field(row[id_field]) if id_field in gdf.columns else str(i + 1),
            _field(row[name_field]) if name_field in gdf.columns else "",
            _field(row["land_use"]) if "land_use" in gdf.columns else "",
            _field(row["land_code"]) if "land_code" in gdf.columns else "",
        )
        lines.extend(_parcel_lines(geom, attrs, label))
    return "\r\n".join(lines) + "\r\n"


def _check_writable(gdf: gpd.GeoDataFrame, datum: str) -> None:
    if datum not in _DATUM_NAMES:
        raise InputError(f"unknown datum {datum!r}", fix=f"use one of {', '.join(_DATUM_NAMES)}")
    if gdf.crs is None:
        raise InputError("the layer has no CRS", fix="set the layer's CRS before writing")
    if len(gdf) == 0:
        raise InputError("the layer has no features", fix="write at least one polygon")
    for label, geom in zip(gdf.index, gdf.geometry, strict=True):
        if geom is None or geom.is_empty:
            raise InputError(
                "the feature has no geometry", feature=label, fix="drop it or give it a polygon"
            )
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"the feature is a {geom.geom_type}; a 界址点 file holds polygons (面) only",
                feature=label,
                fix="write only Polygon/MultiPolygon features",
            )


def _zone_for(gdf: gpd.GeoDataFrame, datum: str) -> int:
    crs = CRS.from_user_input(gdf.crs)
    gk = gk_zone_of_crs(crs)
    geodetic = crs.geodetic_crs.to_epsg() if crs.geodetic_crs else None
    if gk is not None and gk[0] == 3 and _GEODETIC_EPSG.get(geodetic or 0) == datum:
        return gk[1]
    xmin, _, xmax, _ = gdf.geometry.to_crs(4490).total_bounds
    return gk3_zone((xmin + xmax) / 2)


def _field(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace(",", "，")
    return " ".join(text.split())


def _header_lines(zone: int, producer: str, datum: str) -> list[str]:
    return [
        f"[{_MAIN_SECTION}]",
        "格式版本号=1.01版本",
        f"数据产生单位={_field(producer)}",
        f"数据产生日期={dt.date.today().isoformat()}",
        f"坐标系={_DATUM_NAMES[datum]}",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        f"带号={zone}",
        "精度=0.001",
        "转换参数=0,0,0,0,0,0,0",
        f"[{_DATA_SECTION}]",
    ]


def _parcel_lines(
    geom: Polygon | MultiPolygon, attrs: tuple[str, str, str, str], label: object
) -> list[str]:
    parcel_id, name, land_use, land_code = attrs
    points: list[str] = []
    named = 0  # J numbers count distinct points, running on across rings
    for number, ring in enumerate(_rings_of(geom), 1):
        coords = np.asarray(ring.coords)[:, :2]
        first = f"J{named + 1}"
        for e, n in coords[:-1]:
            named += 1
            points.append(f"J{named},{number},{n:.3f},{e:.3f}")
        e0, n0 = coords[0]
        points.append(f"{first},{number},{n0:.3f},{e0:.3f}")
    area_ha = shapely.area(geom) / M2_PER_HA
    head = f"{len(points)},{area_ha:.4f},{parcel_id},{name},面,,{land_use},{land_code},@"
    return [head, *points]


def _rings_of(geom: Polygon | MultiPolygon) -> list[shapely.LinearRing]:
    parts = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    return [ring for part in parts for ring in (part.exterior, *part.interiors)]


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r}",
            fix="use 'gbk' (default), 'gb18030', 'utf-8' or 'utf-8-sig'",
        ) from None
    except UnicodeEncodeError as exc:
        line = text.count("\r\n", 0, exc.start) + 1
        raise InputError(
            f"line {line}: {text[exc.start : exc.end]!r} cannot be written in {encoding}",
            fix="write it as GB18030 or UTF-8 (--out-encoding gb18030)",
        ) from None


