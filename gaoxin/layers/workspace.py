"""The workspace: a TOML file naming the layer sources, field mappings, CRS declarations and
rule overrides (design.md, "Configuration"), and loading its layers into canonical form.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..errors import InputError
from ..geo.crs import parse_crs
from ..kinds import KINDS
from . import DEFAULT_WORKSPACE
from .postgis import DatabaseSource, check_url
from .read import list_layers

_LAYER_KEYS = {"path", "layer", "crs", "encoding", "fields", "sheet", "edition"}
# a layer kept in PostGIS names its database and table (or query) instead of a path
_DATABASE_KEYS = {"url", "table", "schema", "geometry", "sql"}
_SINK_KEYS = {"url", "schema"}
_REQUEST_KEYS = {"path", "layer", "crs", "encoding", "zone", "close_rings"}


@dataclass(frozen=True)
class LayerSource:
    """One ``[layers.<kind>]`` entry."""

    kind: str
    path: Path
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    # the edition / 批次 of the data (e.g. 三区三线 "2023年批复版"), named in reports
    edition: str | None = None
    # set when the layer is a PostGIS table or query; ``path`` then only names it in messages
    database: DatabaseSource | None = None


@dataclass(frozen=True)
class RequestSource:
    """One ``[requests.<name>]`` entry: an expansion request for a zone."""

    name: str
    path: Path
    zone: str | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    close_rings: bool = False


@dataclass
class Workspace:
    """A parsed workspace file."""

    path: Path
    name: str
    layers: dict[str, LayerSource]
    requests: dict[str, RequestSource]
    crs: str | None = None
    # rule set name → its overrides ("contiguity.max_blocks" = 3), as the TOML gave them
    rules: dict[str, dict[str, object]] = field(default_factory=dict)
    tianditu_key: str | None = None
    # where results are also written as tables (``[sink] url``, ``schema``), or None
    sink: DatabaseSource | None = None

    @property
    def root(self) -> Path:
        return self.path.parent


def load_workspace(path: str | Path = DEFAULT_WORKSPACE) -> Workspace:
    """Parse and validate a workspace file (no layer is read yet).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "gaoxin.toml").write_text('[layers.zones]\\npath = "z.gpkg"\\n')
    >>> ws = load_workspace(d / "gaoxin.toml")
    >>> ws.layers["zones"].path.name, ws.name
    ('z.gpkg', 'gaoxin')
    """
    path = Path(path)
    if not path.exists():
        raise InputError("workspace file not found", file=path,
                         fix="give --workspace PATH, or create one with 'gaoxin init'")
    if path.is_dir():
        inside = path / DEFAULT_WORKSPACE
        raise InputError("is a folder, not a workspace file", file=path,
                         fix=f"give the TOML file itself, e.g. -w {inside}" if inside.is_file()
                         else "give the workspace TOML file, or create one with 'gaoxin init'")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", file=path,
                         fix="check the file's permissions") from None
    except UnicodeDecodeError:
        raise InputError("the workspace is not UTF-8 text", file=path,
                         fix="save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"is not valid TOML ({exc})", file=path,
                         fix="correct the syntax; 'gaoxin init' writes a commented example"
                         ) from None
    unknown = set(data) - {"workspace", "layers", "requests", "rules", "tianditu", "sink"}
    if unknown:
        raise InputError(f"unknown section(s) {', '.join(sorted(unknown))}", file=path,
                         fix="use [workspace], [layers.<kind>], [requests.<name>], [rules], "
                             "[tianditu], [sink]")
    meta = data.get("workspace", {})
    root = path.parent
    layers: dict[str, LayerSource] = {}
    for kind, entry in data.get("layers", {}).items():
        where = f"{path} [layers.{kind}]"
        if kind not in KINDS or kind == "requests":
            raise InputError(f"unknown layer kind {kind!r}", file=where,
                             fix=f"use one of {', '.join(k for k in KINDS if k != 'requests')}")
        database = _database(entry, where)
        _check_keys(entry, _LAYER_KEYS | (_DATABASE_KEYS if database else set()), where,
                    needs_path=database is None)
        fields = entry.get("fields", {}) or {}
        known = {f.name for f in KINDS[kind].fields}
        for canonical in fields:
            if canonical not in known:
                raise InputError(f"field mapping names unknown field {canonical!r}",
                                 file=where, fix=f"canonical fields: {', '.join(sorted(known))}")
        layer_path = (Path(f"[layers.{kind}] {database.name}") if database
                      else _resolve(root, entry, where))
        layers[kind] = LayerSource(kind, layer_path, entry.get("layer"),
                                   entry.get("crs"), entry.get("encoding"), dict(fields),
                                   entry.get("sheet"), _edition(entry, where), database)
    requests: dict[str, RequestSource] = {}
    for name, entry in data.get("requests", {}).items():
        where = f"{path} [requests.{name}]"
        _check_keys(entry, _REQUEST_KEYS, where)
        requests[name] = RequestSource(name, _resolve(root, entry, where), entry.get("zone"),
                                       entry.get("layer"), entry.get("crs"),
                                       entry.get("encoding"), bool(entry.get("close_rings")))
    crs = meta.get("crs") or None
    if crs:
        _check_crs(crs, f"{path} [workspace] crs")  # fail early on a typo
    for kind, source in layers.items():
        if source.crs:
            _check_crs(source.crs, f"{path} [layers.{kind}] crs")
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise InputError("[rules] must hold one table per rule set", file=path,
                         fix='e.g. [rules.expansion] then "contiguity.max_blocks" = 3')
    rule_sets = _rule_set_names()
    for name in rules:
        if name not in rule_sets:
            raise InputError(f"unknown rule set [rules.{name}]", file=path,
                             fix=f"rule sets: {', '.join(f'[rules.{k}]' for k in rule_sets)}")
    return Workspace(path=path, name=str(meta.get("name") or "gaoxin"), layers=layers,
                     requests=requests, crs=crs, rules=dict(rules),
                     tianditu_key=(data.get("tianditu", {}) or {}).get("key") or None,
                     sink=_sink(data.get("sink"), f"{path} [sink]"))


def _database(entry: object, where: str) -> DatabaseSource | None:
    """The PostGIS table or query a layer entry names with ``url``, or None for a file."""
    if not isinstance(entry, dict) or "url" not in entry:
        return None
    if "path" in entry:
        raise InputError("names both a path and a database url", file=where,
                         fix="keep one: path = … for a file, url = … for PostGIS")
    texts = {k: entry[k] for k in _DATABASE_KEYS if k in entry}
    for key, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{key} must be a non-empty text", file=where,
                             fix='e.g. url = "postgresql://gis@127.0.0.1:5432/landuse"')
    if ("table" in texts) == ("sql" in texts):
        raise InputError("a database layer names a table or an sql query (one of them)",
                         file=where, fix='add table = "parcels" (schema = … if not public)')
    return DatabaseSource(check_url(str(texts["url"]), where), texts.get("table"),
                          texts.get("schema", "public"), texts.get("sql"), texts.get("geometry"))


def _sink(entry: object, where: str) -> DatabaseSource | None:
    """The ``[sink]`` results are also written to (PostGIS), or None."""
    if entry is None:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise InputError("[sink] needs a url", file=where,
                         fix='write url = "postgresql://gis@127.0.0.1:5432/landuse"')
    unknown = set(entry) - _SINK_KEYS
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(sorted(unknown))}", file=where,
                         fix=f"allowed keys: {', '.join(sorted(_SINK_KEYS))}")
    schema = entry.get("schema", "public")
    if not isinstance(schema, str) or not schema.strip():
        raise InputError("schema must be a non-empty text", file=where,
                         fix='e.g. schema = "gaoxin"')
    return DatabaseSource(check_url(entry["url"], where), schema=schema)


def _rule_set_names() -> list[str]:
    """The rule sets shipped with the analyses (their TOML files: no analysis is imported)."""
    folder = resources.files("gaoxin").joinpath("analysis", "rules")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _check_crs(spec: object, where: str) -> None:
    if not isinstance(spec, str):
        raise InputError(f"crs must be a text such as \"EPSG:4544\", not {spec!r}", file=where,
                         fix='write crs = "EPSG:4544" (or cgcs2000, gk35, gcj02, bd09)')
    try:
        parse_crs(spec)
    except InputError as exc:
        raise InputError(exc.problem, file=where, fix=exc.fix) from None


def _edition(entry: dict[str, object], where: str) -> str | None:
    """A layer's declared ``edition``: a non-empty text, or None when not declared."""
    if "edition" not in entry:
        return None
    edition = entry["edition"]
    if not isinstance(edition, str) or not edition.strip():
        raise InputError(f"edition must be a non-empty text, not {edition!r}", file=where,
                         fix='write the edition or batch of the data, e.g. '
                             'edition = "2023年批复版"')
    return edition.strip()


def _check_keys(entry: object, allowed: set[str], where: str, *, needs_path: bool = True
                ) -> None:
    if not isinstance(entry, dict):
        raise InputError("must be a table of keys", file=where, fix='e.g. path = "file.gpkg"')
    unknown = set(entry) - allowed
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(sorted(unknown))}", file=where,
                         fix=f"allowed keys: {', '.join(sorted(allowed))}")
    if needs_path and "path" not in entry:
        raise InputError("has no path", file=where,
                         fix='add path = "file.gpkg" (or url = "postgresql://…" and table = …)')


def _resolve(root: Path, entry: dict[str, object], where: str) -> Path:
    p = Path(str(entry["path"])).expanduser()
    return p if p.is_absolute() else root / p


def init_template(name: str = "我的高新区") -> str:
    """The commented workspace template written by ``gaoxin init``.

    Examples
    --------
    >>> tomllib.loads(init_template())["workspace"]["name"]
    '我的高新区'
    """
    return f'''# gaoxin workspace. Paths are relative to this file.
# Every layer is optional; analyses say which ones they need.
# Per layer: path (any GIS file: .gpkg .shp .zip .geojson .kml .gdb .fgb .parquet,
#   .csv/.xlsx with WKT or lon/lat columns, 界址点坐标 .txt), and optionally
#   layer = "name"          (multi-layer files)
#   crs = "EPSG:4544"       (declare when the file has no CRS; "gcj02"/"bd09" for AMap/Baidu
#                            coordinates, converted on read; "gk35" = CGCS2000 3° zone 35)
#   encoding = "GBK"        (Shapefile text; detected when absent)
#   [layers.<kind>.fields]  canonical = "column in your file", for names we do not know

[workspace]
name = "{name}"
# crs = "EPSG:4544"   # working CRS; default: CGCS2000 3° Gauss-Krüger zone of the data

[layers.zones]        # 高新区: zone_id, name, level, city, county, approved_area_ha
path = "zones.gpkg"

# [layers.parks]      # other industrial parks: park_id, name, industries, host_zone_id
# path = "parks.shp"

# [layers.parcels]    # 地块: parcel_id, land_use, status (domain.md §1.2 codes), zone_id
# path = "parcels.gpkg"
# [layers.parcels.fields]
# parcel_id = "宗地编号"

# [layers.buildings]  # 建筑: building_id, floors, height
# path = "buildings.gpkg"
# A layer may be a PostGIS table instead of a file (no password in the url: it comes from
# PGPASSWORD, ~/.pgpass or a service file); sql = "SELECT …" with geometry = "…" for a query.
# [layers.buildings]
# url = "postgresql://gis@10.0.0.5:5432/landuse"
# schema = "public"
# table = "buildings"
# geometry = "geom"

# [layers.enterprises]  # 企业表: enterprise_id, parcel_id, industry_code, revenue, tax …
# path = "enterprises.xlsx"

# [layers.redlines]     # 生态保护红线
# path = "constraints.gpkg"
# layer = "redlines"
# edition = "2023年批复版"  # the edition / 批次 of the data, named in reports
# [layers.farmland]     # 永久基本农田
# path = "constraints.gpkg"
# layer = "farmland"
# [layers.dev_boundary] # 城镇开发边界
# path = "constraints.gpkg"
# layer = "dev_boundary"
# [layers.roads]
# path = "roads.shp"
# [layers.dem]          # elevation GeoTIFF in metres
# path = "dem.tif"

# [requests.east_expansion]   # 扩区申请
# path = "requests/east.txt"
# zone = "Z01"

# [tianditu]
# key = ""   # 天地图 key for basemaps (or set TIANDITU_KEY)

# [sink]     # results also written as PostGIS tables (same as --out postgresql://…)
# url = "postgresql://gis@10.0.0.5:5432/landuse"
# schema = "results"
'''


__all__ = [
    "DEFAULT_WORKSPACE",
    "LayerSource",
    "RequestSource",
    "Workspace",
    "init_template",
    "list_layers",
    "load_workspace",
]
