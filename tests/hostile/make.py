"""Writers of small input files, and the independent reference area (pyproj.Geod).

Coordinates sit near 成都: GK = CGCS2000 3° Gauss-Krüger CM 105°E (EPSG:4544), where the
corpus's hand-made layers live; 界址点 TXT files use zone 35 with the zone prefix (EPSG:4523).
"""

from __future__ import annotations

import contextlib
import sqlite3
import stat
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Geod, Transformer
from shapely import Polygon, box

GK = 4544
GK35_PREFIXED = 4523
X0, Y0 = 500_000.0, 3_400_000.0  # on the central meridian of EPSG:4544, ≈ 30.7°N
N0, E0 = 3_390_000.0, 35_410_000.0  # a northing and a zone-35-prefixed easting (TXT files)
GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid

# A field name of 12 UTF-8 bytes that GDAL cuts to 10: 用地性 plus a stray 0xE8 byte.
CUT_FIELD = "用地性质".encode()[:10]
_TEN_BYTE_FIELD = "用地性a"  # exactly 10 bytes: written, then swapped for CUT_FIELD


def geod_area(geom: shapely.Geometry, crs: int | str, step: float) -> float:
    """Area in m² of ``geom`` with edges straight in ``crs``, by pyproj.Geod.

    The edges are densified every ``step`` (units of ``crs``) before going to lon/lat, so the
    result converges to the region the file defines as the step shrinks.
    """
    dense = shapely.segmentize(geom, step)
    to_lonlat = Transformer.from_crs(CRS.from_user_input(crs), 4490, always_xy=True)
    lonlat = shapely.transform(
        dense, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))
    return sum(abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(part))[0])
               for part in shapely.get_parts(lonlat))


def squares(n: int = 2, size: float = 100.0) -> list[Polygon]:
    """``n`` squares of ``size`` metres in a row, 200 m apart, in EPSG:4544."""
    return [box(X0 + i * 200, Y0, X0 + i * 200 + size, Y0 + size) for i in range(n)]


def nan_vertex_square() -> Polygon:
    """A 100 m square at (X0, Y0) whose third vertex has a NaN easting."""
    corners = np.array([(X0, Y0), (X0 + 100, Y0), (np.nan, Y0 + 100), (X0, Y0 + 100),
                        (X0, Y0)])
    with np.errstate(invalid="ignore"):  # NaN is the point of this polygon
        return shapely.polygons(shapely.linearrings(corners, handle_nan="allow"))


def write_layer(path: Path, geoms: Sequence[shapely.Geometry | None], crs: int | str | None,
                *, layer: str | None = None, spatial_index: bool = True,
                **columns: Sequence[object]) -> Path:
    """Write one layer (format from the suffix); ``crs=None`` writes a file without a CRS."""
    frame = gpd.GeoDataFrame(dict(columns), geometry=list(geoms), crs=crs)
    options = {} if spatial_index else {"layer_options": {"SPATIAL_INDEX": "NO"}}
    with warnings.catch_warnings():
        # geopandas warns that a file without CRS is written without one: that is the point.
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        pyogrio.write_dataframe(frame, path, layer=layer, **options)
    return path


def rename_gpkg_layer(path: Path, old: str, new: str) -> None:
    """Rename a GeoPackage layer (written without spatial index) to any name, e.g. one GDAL
    refuses to create (``[/x]红线``: "may not contain special characters")."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        for trigger in ("insert", "delete"):  # GDAL's feature-count triggers name the table
            db.execute(f'DROP TRIGGER IF EXISTS "trigger_{trigger}_feature_count_{old}"')
        for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_ogr_contents"):
            db.execute(f"UPDATE {table} SET table_name = ? WHERE table_name = ?", (new, old))
        db.execute(f'ALTER TABLE "{old}" RENAME TO "{new}"')
        db.commit()


# ---------------------------------------------------------------- 界址点坐标 TXT

TXT_HEADER = ("[属性描述]\n坐标系=2000国家大地坐标系\n几度分带=3\n投影类型=高斯克吕格\n"
              "计量单位=米\n带号=35\n[地块坐标]\n")


def ring_rows(corners: Sequence[tuple[float, float]], ring: int, start: int = 1) -> list[str]:
    """Point rows ``点号,圈号,X,Y`` of a closed ring; corners are (northing, easting)."""
    rows = [f"J{start + i},{ring},{n:.3f},{e:.3f}" for i, (n, e) in enumerate(corners)]
    return [*rows, rows[0]]  # the format repeats the first point to close a ring


def square_corners(n0: float, e0: float, size: float) -> list[tuple[float, float]]:
    return [(n0, e0), (n0 + size, e0), (n0 + size, e0 + size), (n0, e0 + size)]


def parcel_block(parcel_id: str, rings: Sequence[list[str]]) -> str:
    """One parcel line plus its point rows (rings in the order given)."""
    rows = [row for ring in rings for row in ring]
    return "\n".join([f"{len(rows)},,{parcel_id},测试地块,面,,,,@", *rows]) + "\n"


def txt_polygon(outer: list[tuple[float, float]],
                holes: Sequence[list[tuple[float, float]]] = ()) -> Polygon:
    """The polygon a TXT ring set means, in EPSG:4523 (x = easting, y = northing)."""
    return Polygon([(e, n) for n, e in outer], [[(e, n) for n, e in h] for h in holes])


def write_text(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


# ---------------------------------------------------------------- zipped Shapefiles


def shapefile_parts(folder: Path, *, cut_field_name: bool = False,
                    text: str = "M1", encoding: str = "UTF-8") -> dict[str, bytes]:
    """The parts (suffix → bytes) of a one-square Shapefile written in ``folder``.

    With ``cut_field_name`` the DBF holds a field name cut in the middle of a UTF-8
    character, which sends gaoxin down its "mend the DBF header" path.
    """
    scratch = folder / "_shapefile_scratch"
    scratch.mkdir(exist_ok=True)
    shp = scratch / "layer.shp"
    frame = gpd.GeoDataFrame({_TEN_BYTE_FIELD: [text]}, geometry=[squares(1)[0]], crs=GK)
    pyogrio.write_dataframe(frame, shp, encoding=encoding)
    parts = {p.suffix.lower(): p.read_bytes() for p in scratch.iterdir()}
    if cut_field_name:
        parts[".dbf"] = parts[".dbf"].replace(_TEN_BYTE_FIELD.encode(), CUT_FIELD, 1)
    for p in scratch.iterdir():
        p.unlink()
    scratch.rmdir()
    return parts


def write_zip(path: Path, members: Mapping[str, bytes],
              symlinks: Mapping[str, str] | None = None) -> Path:
    """A zip of ``members`` (name → bytes) plus symlink entries (name → link target)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix: the mode bits below are honoured by unzip tools
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def zipped_shapefile(path: Path, stem: str, parts: Mapping[str, bytes],
                     skip: Sequence[str] = ()) -> Path:
    """``parts`` zipped as ``stem`` + suffix (``stem`` may hold a hostile member path)."""
    return write_zip(path, {f"{stem}{suffix}": data for suffix, data in parts.items()
                            if suffix not in skip})


# ---------------------------------------------------------------- workspaces


def write_workspace(folder: Path, layers: Mapping[str, str], extra: str = "") -> Path:
    """``gaoxin.toml`` naming ``layers`` (kind → file in ``folder``), plus ``extra`` TOML."""
    text = "".join(f'[layers.{kind}]\npath = "{name}"\n' for kind, name in layers.items())
    toml = folder / "gaoxin.toml"
    toml.write_text('[workspace]\nname = "恶意输入"\n' + text + extra, encoding="utf-8")
    return toml


def plot_ratio_workspace(folder: Path, *, parcels: Sequence[shapely.Geometry | None] | None = None,
                         parcel_ids: Sequence[str] = ("P1", "P2"),
                         **building_columns: Sequence[object]) -> Path:
    """Two 100 m parcels with one building each; ``building_columns`` override the defaults."""
    geoms = list(parcels) if parcels is not None else squares(2)
    write_layer(folder / "parcels.gpkg", geoms, GK, parcel_id=list(parcel_ids),
                land_use=["M1"] * len(geoms))
    columns: dict[str, Sequence[object]] = {"building_id": ["B1", "B2"], "floors": [2.0, 3.0]}
    columns.update(building_columns)
    buildings = [box(X0 + 10 + i * 200, Y0 + 10, X0 + 60 + i * 200, Y0 + 60) for i in range(2)]
    write_layer(folder / "buildings.gpkg", buildings, GK, **columns)
    return write_workspace(folder, {"parcels": "parcels.gpkg", "buildings": "buildings.gpkg"})


def expansion_workspace(folder: Path, rules: str = "") -> Path:
    """A zone Z1 and a request beside it; ``rules`` is appended to the workspace TOML."""
    write_layer(folder / "zones.gpkg", [box(X0 - 2000, Y0, X0, Y0 + 1000)], GK,
                zone_id=["Z1"], name=["甲区"], level=["provincial"])
    write_layer(folder / "request.gpkg", [box(X0, Y0, X0 + 500, Y0 + 500)], GK,
                parcel_id=["R1"])
    return write_workspace(folder, {"zones": "zones.gpkg"}, rules)
