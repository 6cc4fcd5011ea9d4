"""PostGIS as a layer source and a result sink (psycopg 3, no ORM).

pyogrio's bundled GDAL has no PostgreSQL driver, so tables are read and written with psycopg:
geometries travel as WKB, reads are ``&&``-filtered on the geometry column (the GiST index
answers them), writes go to a new table that is swapped in within one transaction.

A connection string never carries the password: it comes from ``PGPASSWORD``, ``~/.pgpass``
or a service file (``service=…``), so it is never written to outputs or provenance.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError

if TYPE_CHECKING:
    import psycopg

URL_PREFIXES = ("postgresql://", "postgres://")
_CONNECT_TIMEOUT_S = 5
_PASSWORD_FIX = ("remove the password from the connection string and set PGPASSWORD, or use "
                 "~/.pgpass or a service file (service=NAME)")


def is_database_url(text: object) -> bool:
    """Whether ``text`` names a PostgreSQL database rather than a file.

    Examples
    --------
    >>> is_database_url("postgresql://gis@127.0.0.1:5432/landuse"), is_database_url("a.gpkg")
    (True, False)
    """
    return isinstance(text, str) and text.strip().lower().startswith(URL_PREFIXES)


@dataclass(frozen=True)
class DatabaseSource:
    """A layer kept in PostGIS: a table (``schema.table``) or a query, and its geometry."""

    url: str
    table: str | None = None
    schema: str = "public"
    sql: str | None = None
    geometry: str | None = None

    @property
    def name(self) -> str:
        """How messages and provenance name the data: ``schema.table`` or ``query``."""
        return f"{self.schema}.{self.table}" if self.table else "query"


class DatabaseRead(TypedDict):
    """What provenance records of a database layer (no password, ever)."""

    url: str
    table: str
    server_version: str
    postgis_version: str
    srid: int
    rows: int
    rows_sha256: str


def check_url(url: str, where: str) -> str:
    """``url`` checked for shape and for a password; returned stripped.

    Examples
    --------
    >>> check_url(" postgresql://gis@db:5432/landuse ", "here")
    'postgresql://gis@db:5432/landuse'
    >>> check_url("postgresql://gis:secret@db/landuse", "[layers.parcels]")
    Traceback (most recent call last):
    ...
    gaoxin.errors.InputError: [layers.parcels]: the connection string holds a password. Fix: \
remove the password from the connection string and set PGPASSWORD, or use ~/.pgpass or a \
service file (service=NAME)
    """
    from psycopg.conninfo import conninfo_to_dict

    url = url.strip()
    try:
        parts = conninfo_to_dict(url)
    except Exception as exc:
        raise InputError(f"the connection string is not valid ({_first_line(exc)})", file=where,
                         fix="write it as postgresql://USER@HOST:PORT/DATABASE") from None
    if parts.get("password"):
        raise InputError("the connection string holds a password", file=where,
                         fix=_PASSWORD_FIX)
    return url


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


@contextmanager
def connect(url: str, where: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to ``url``; a refused or failed login is an :class:`InputError`."""
    import psycopg

    try:
        conn = psycopg.connect(url, connect_timeout=_CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise InputError(f"cannot connect to the database ({_first_line(exc)})", file=where,
                         fix="check host, port, user and database in the connection string, "
                             "that the server runs and accepts you; the password comes from "
                             "PGPASSWORD, ~/.pgpass or a service file") from None
    try:
        yield conn
    finally:
        conn.close()


def _ident(*names: str) -> Any:
    from psycopg import sql

    return sql.Identifier(*names)


def _geometry_column(conn: psycopg.Connection[Any], source: DatabaseSource,
                     where: str) -> tuple[str, int]:
    """The geometry column of the table and its SRID, checked."""
    table = source.table or ""
    exists = conn.execute("SELECT to_regclass(%s)", (f'"{source.schema}"."{table}"',)
                          ).fetchone()
    if not exists or exists[0] is None:
        raise InputError(f"table {source.name} does not exist", file=where,
                         fix="check table = … and schema = … (and that the user may read it)")
    rows = conn.execute(
        "SELECT f_geometry_column, srid FROM geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s ORDER BY f_geometry_column",
        (source.schema, table)).fetchall()
    columns = {str(r[0]): int(r[1]) for r in rows}
    if not columns:
        raise InputError(f"table {source.name} has no geometry column", file=where,
                         fix="give a PostGIS table with a geometry column")
    name = source.geometry or next(iter(columns))
    if name not in columns:
        raise InputError(f"table {source.name} has no geometry column {name!r}", file=where,
                         fix=f"geometry = one of {', '.join(sorted(columns))}")
    srid = columns[name]
    if srid == 0:
        srid = _srid_of_rows(conn, source, name)
    if srid == 0:
        raise InputError(f"{source.name}.{name} has no SRID", file=where,
                         fix=f"set it in the database: SELECT UpdateGeometrySRID('{source.schema}',"
                             f" '{table}', '{name}', 4544) (with the data's real EPSG code)")
    return name, srid


def _srid_of_rows(conn: psycopg.Connection[Any], source: DatabaseSource, column: str) -> int:
    """The SRID the rows carry when the column is declared without one (0 when mixed/none)."""
    from psycopg import sql

    query = sql.SQL("SELECT DISTINCT ST_SRID({g}) FROM {t} WHERE {g} IS NOT NULL LIMIT 2").format(
        g=_ident(column), t=_from(source))
    srids = [int(r[0]) for r in conn.execute(query).fetchall()]
    return srids[0] if len(srids) == 1 else 0


def _from(source: DatabaseSource) -> Any:
    from psycopg import sql

    if source.table:
        return _ident(source.schema, source.table)
    return sql.SQL("({}) AS gaoxin_query").format(sql.SQL(source.sql or ""))


def _crs_of(conn: psycopg.Connection[Any], srid: int, where: str) -> CRS:
    try:
        return CRS.from_epsg(srid)
    except Exception:
        row = conn.execute("SELECT srtext FROM spatial_ref_sys WHERE srid = %s", (srid,)
                           ).fetchone()
        if row and row[0]:
            return CRS.from_wkt(str(row[0]))
    raise InputError(f"SRID {srid} is neither an EPSG code nor in spatial_ref_sys", file=where,
                     fix="store the geometries with an EPSG SRID, e.g. 4544")


def read_postgis(source: DatabaseSource, where: str,
                 bbox: tuple[float, float, float, float] | None = None
                 ) -> tuple[gpd.GeoDataFrame, DatabaseRead]:
    """Read a PostGIS table or query into a GeoDataFrame in the table's SRID.

    ``bbox`` (in that SRID) keeps the features whose boxes meet it (``&&``: the GiST index).
    ``where`` names the layer in messages (the workspace entry).
    """
    import psycopg
    from psycopg import sql

    url = check_url(source.url, where)
    with connect(url, where) as conn:
        try:
            if source.table:
                geometry, srid = _geometry_column(conn, source, where)
            else:
                geometry, srid = _query_geometry(conn, source, where)
            crs = _crs_of(conn, srid, where)
            filters: sql.Composable = sql.SQL("")
            params: tuple[float, ...] = ()
            if bbox is not None:
                # The GiST index gives rows in its own order; a table's physical order (a full
                # read's) keeps results summed over them the same.
                filters = sql.SQL(" WHERE {g} && ST_MakeEnvelope(%s, %s, %s, %s, {s}){o}").format(
                    g=_ident(geometry), s=sql.Literal(srid),
                    o=sql.SQL(" ORDER BY ctid" if source.table else ""))
                params = tuple(float(v) for v in bbox)
            query = sql.SQL("SELECT *, ST_AsBinary({g}) AS gaoxin_wkb FROM {t}{f}").format(
                g=_ident(geometry), t=_from(source), f=filters)
            cur = conn.execute(query, params)
            names = [d.name for d in cur.description or []]
            records = cur.fetchall()
            version = conn.execute("SHOW server_version").fetchone()
            postgis = conn.execute("SELECT postgis_lib_version()").fetchone()
        except psycopg.Error as exc:
            raise InputError(f"the database refused the read ({_first_line(exc)})", file=where,
                             fix="check table, schema, geometry and sql in the workspace"
                             ) from None
    frame = pd.DataFrame.from_records(records, columns=names)
    wkb = frame.pop("gaoxin_wkb")
    frame = frame.drop(columns=[geometry])
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].map(
                lambda v: isinstance(v, Decimal)).any():
            frame[column] = frame[column].map(_plain)
    geoms = shapely.from_wkb([None if w is None else bytes(w) for w in wkb])
    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)
    read: DatabaseRead = {
        "url": url, "table": source.name if source.table else f"query: {source.sql}",
        "server_version": str(version[0]) if version else "",
        "postgis_version": str(postgis[0]) if postgis else "",
        "srid": srid, "rows": len(gdf), "rows_sha256": rows_digest(gdf)}
    return gdf, read


def _query_geometry(conn: psycopg.Connection[Any], source: DatabaseSource,
                    where: str) -> tuple[str, int]:
    """The geometry column a query returns (named by ``geometry``) and its rows' SRID."""
    import psycopg
    from psycopg import sql

    if not source.geometry:
        raise InputError("a query layer needs its geometry column named", file=where,
                         fix='add geometry = "geom" (the column the query returns)')
    try:
        cur = conn.execute(sql.SQL("SELECT * FROM {t} LIMIT 0").format(t=_from(source)))
    except psycopg.Error as exc:
        raise InputError(f"the query fails ({_first_line(exc)})", file=where,
                         fix="run the sql in psql and correct it") from None
    if source.geometry not in [d.name for d in cur.description or []]:
        raise InputError(f"the query returns no column {source.geometry!r}", file=where,
                         fix="name the geometry column the query returns")
    srid = _srid_of_rows(conn, source, source.geometry)
    if srid == 0:
        raise InputError(f"the query's {source.geometry} has no SRID (or several)", file=where,
                         fix="return geometries with one SRID, e.g. ST_SetSRID(geom, 4544)")
    return source.geometry, srid


def _plain(value: object) -> object:
    """A database value as pandas keeps it: numeric → float (never Decimal)."""
    return float(value) if isinstance(value, Decimal) else value


def rows_digest(gdf: gpd.GeoDataFrame) -> str:
    """SHA-256 of the rows read, independent of the order the server sent them in.

    Each row's attributes (as text) and WKB are hashed; the sorted row digests are hashed
    again.

    Examples
    --------
    >>> from shapely import Point
    >>> a = gpd.GeoDataFrame({"id": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)])
    >>> rows_digest(a) == rows_digest(a.iloc[::-1])
    True
    """
    wkb = shapely.to_wkb(np.asarray(gdf.geometry.values))
    attrs = gdf.drop(columns=gdf.geometry.name).to_numpy(dtype=object)
    rows = sorted(hashlib.sha256("\x1f".join(map(str, a)).encode("utf-8") + b"\x1e"
                                 + (w or b"")).digest() for a, w in zip(attrs, wkb, strict=True))
    total = hashlib.sha256()
    for row in rows:
        total.update(row)
    return total.hexdigest()


# ---------------------------------------------------------------- writing results back

_TYPES = {"i": "bigint", "u": "bigint", "f": "double precision", "b": "boolean",
          "M": "timestamp"}


def _sql_type(series: pd.Series) -> str:
    kind = series.dtype.kind
    if str(series.dtype) == "boolean":
        return "boolean"
    if str(series.dtype) in ("Int64", "Int32", "Int16", "Int8"):
        return "bigint"
    return _TYPES.get(kind, "text")


def _cell(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (list, dict, tuple)):
        return str(value)
    return value


def write_postgis(url: str, tables: dict[str, gpd.GeoDataFrame], *, schema: str = "public",
                  where: str = "--out") -> list[str]:
    """Write each frame as table ``schema.name`` with SRID, primary key ``fid`` and a GiST
    index; all tables are swapped in within one transaction (old ones dropped then), so a
    reader sees every old table or every new one.

    Returns the tables written (``schema.name``).
    """
    import psycopg
    from psycopg import sql

    url = check_url(url, where)
    written: list[str] = []
    with connect(url, where) as conn:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(_ident(schema)))
                for name, frame in tables.items():
                    _write_table(conn, schema, name, frame)
                    written.append(f"{schema}.{name}")
        except psycopg.Error as exc:
            raise InputError(f"the database refused the write ({_first_line(exc)})",
                             file=where, fix="check the user may create and drop tables in "
                                             f"schema {schema}") from None
    return written


def _write_table(conn: psycopg.Connection[Any], schema: str, name: str,
                 frame: gpd.GeoDataFrame) -> None:
    from psycopg import sql

    srid = CRS.from_user_input(frame.crs).to_epsg() if frame.crs is not None else None
    if not srid:
        raise InputError(f"result table {name} has no EPSG CRS", fix="report this as a bug")
    new = f"{name}__gaoxin_new"
    geom_name = frame.geometry.name
    columns = [c for c in frame.columns if c != geom_name and str(c).lower() != "fid"]
    col_defs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(_ident(str(c)), sql.SQL(_sql_type(frame[c])))
        for c in columns)
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_ident(schema, new)))
    conn.execute(sql.SQL(
        "CREATE TABLE {t} (fid bigint NOT NULL{sep}{cols}, geom geometry(Geometry, {srid}), "
        "CONSTRAINT {pk} PRIMARY KEY (fid))").format(
        t=_ident(schema, new), sep=sql.SQL(", " if columns else ""), cols=col_defs,
        srid=sql.Literal(int(srid)), pk=_ident(f"{new}_pkey")))
    geoms = shapely.set_srid(np.asarray(frame.geometry.values), int(srid))
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    values = [frame[c].astype(object).to_numpy() for c in columns]
    copy_sql = sql.SQL("COPY {t} ({cols}) FROM STDIN").format(
        t=_ident(schema, new),
        cols=sql.SQL(", ").join([_ident("fid"), *(_ident(str(c)) for c in columns),
                                 _ident("geom")]))
    with conn.cursor().copy(copy_sql) as copy:
        for i in range(len(frame)):
            copy.write_row([i + 1, *(_cell(v[i]) for v in values), ewkb[i]])
    conn.execute(sql.SQL("CREATE INDEX {i} ON {t} USING gist (geom)").format(
        i=_ident(f"{new}_geom_idx"), t=_ident(schema, new)))
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_ident(schema, name)))
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(_ident(schema, new),
                                                               _ident(name)))
    for suffix in ("pkey", "geom_idx"):
        conn.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
            _ident(schema, f"{new}_{suffix}"), _ident(f"{name}_{suffix}")))


def write_gpkg_to_postgis(gpkg: str | Any, url: str, *, schema: str = "public",
                          where: str = "--out") -> list[str]:
    """Every layer of a results GeoPackage written to PostGIS (:func:`write_postgis`)."""
    import pyogrio

    layers = [str(n) for n in pyogrio.list_layers(str(gpkg))[:, 0]]
    tables = {n: gpd.read_file(gpkg, layer=n, engine="pyogrio") for n in layers}
    return write_postgis(url, tables, schema=schema, where=where)
