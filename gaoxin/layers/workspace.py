"""The workspace: a TOML file naming the layer sources, field mappings, CRS declarations and
rule overrides (design.md, "Configuration"), and loading its layers into canonical form.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ..errors import InputError
from ..geo.crs import describe_crs, parse_crs, to_crs_densified, working_crs
from ..geo.hygiene import FAMILIES, repair_geometries
from ..kinds import KINDS, LAND_STATUS_CODES
from . import DEFAULT_WORKSPACE
from .read import ReadReport, list_layers, read_source, read_table
from .schema import normalise_fields

_LAYER_KEYS = {"path", "layer", "crs", "encoding", "fields", "sheet"}
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
    rules: dict[str, object] = field(default_factory=dict)
    tianditu_key: str | None = None

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
    unknown = set(data) - {"workspace", "layers", "requests", "rules", "tianditu"}
    if unknown:
        raise InputError(f"unknown section(s) {', '.join(sorted(unknown))}", file=path,
                         fix="use [workspace], [layers.<kind>], [requests.<name>], [rules], "
                             "[tianditu]")
    meta = data.get("workspace", {})
    root = path.parent
    layers: dict[str, LayerSource] = {}
    for kind, entry in data.get("layers", {}).items():
        where = f"{path} [layers.{kind}]"
        if kind not in KINDS or kind == "requests":
            raise InputError(f"unknown layer kind {kind!r}", file=where,
                             fix=f"use one of {', '.join(k for k in KINDS if k != 'requests')}")
        _check_keys(entry, _LAYER_KEYS, where)
        fields = entry.get("fields", {}) or {}
        known = {f.name for f in KINDS[kind].fields}
        for canonical in fields:
            if canonical not in known:
                raise InputError(f"field mapping names unknown field {canonical!r}",
                                 file=where, fix=f"canonical fields: {', '.join(sorted(known))}")
        layers[kind] = LayerSource(kind, _resolve(root, entry, where), entry.get("layer"),
                                   entry.get("crs"), entry.get("encoding"), dict(fields),
                                   entry.get("sheet"))
    requests = {}
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
    known = _rule_set_names()
    for name in rules:
        if name not in known:
            raise InputError(f"unknown rule set [rules.{name}]", file=path,
                             fix=f"rule sets: {', '.join(f'[rules.{k}]' for k in known)}")
    return Workspace(path=path, name=str(meta.get("name") or "gaoxin"), layers=layers,
                     requests=requests, crs=crs, rules=dict(rules),
                     tianditu_key=(data.get("tianditu", {}) or {}).get("key") or None)


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


def _check_keys(entry: object, allowed: set[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise InputError("must be a table of keys", file=where, fix='e.g. path = "file.gpkg"')
    unknown = set(entry) - allowed
    if unknown:
        raise InputError(f"unknown key(s) {', '.join(sorted(unknown))}", file=where,
                         fix=f"allowed keys: {', '.join(sorted(allowed))}")
    if "path" not in entry:
        raise InputError("has no path", file=where, fix='add path = "file.gpkg"')


def _resolve(root: Path, entry: dict[str, object], where: str) -> Path:
    p = Path(str(entry["path"])).expanduser()
    return p if p.is_absolute() else root / p


@dataclass
class LoadedLayer:
    """A layer in canonical form, plus what reading it found and fixed."""

    kind: str
    frame: gpd.GeoDataFrame | pd.DataFrame
    report: ReadReport


def load_vector_layer(
    source: LayerSource | RequestSource,
    kind: str,
    *,
    to_crs: CRS | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> LoadedLayer:
    """Read, check the geometry type, repair, normalise fields and reproject one layer."""
    spec = KINDS[kind]
    gdf, report = read_source(source.path, layer=source.layer, crs=source.crs,
                              encoding=source.encoding, bbox=bbox,
                              close_rings=getattr(source, "close_rings", False))
    family = spec.geometry if spec.geometry in FAMILIES else None
    if family:
        require_family(gdf, family, source.path, f"layer kind {kind!r}")
    mapping = getattr(source, "fields", None)
    gdf = normalise_fields(gdf, kind, mapping, source=source.path, notes=report.warnings)
    gdf, repair = repair_geometries(gdf, family=family, id_field=spec.id_field)
    report.fixes.extend(repair.lines())
    if len(gdf) == 0:
        raise InputError("no usable geometry left after dropping empty features",
                         file=source.path, fix="check the layer's geometries")
    if kind == "parcels" and "status" in gdf.columns:
        unknown = sorted(set(gdf["status"].dropna()) - set(LAND_STATUS_CODES))
        if unknown:
            report.warnings.append(f"unknown land-status codes {unknown[:8]} (domain.md §1.2)")
    if to_crs is not None:
        gdf = to_crs_densified(gdf, to_crs)
    return LoadedLayer(kind, gdf, report)


_TYPE_IDS = {"Point": 0, "LineString": 1, "LinearRing": 2, "Polygon": 3, "MultiPoint": 4,
             "MultiLineString": 5, "MultiPolygon": 6, "GeometryCollection": 7}


def require_family(gdf: gpd.GeoDataFrame, family: str, path: object, purpose: str) -> None:
    """Refuse features whose geometry is not of ``family`` (``polygon``, ``line``, ``point``).

    ``purpose`` starts the message, e.g. ``"layer kind 'parcels'"`` or ``"an expansion request"``.
    """
    allowed = FAMILIES[family]
    # Type ids, not geom_type strings: this runs on millions of features.
    ids = shapely.get_type_id(np.asarray(gdf.geometry.values))
    ok_ids = [_TYPE_IDS[name] for name in allowed if name in _TYPE_IDS]
    wrong_mask = (ids >= 0) & ~np.isin(ids, ok_ids)
    if wrong_mask.any():
        i = int(np.flatnonzero(wrong_mask)[0])
        raise InputError(
            f"{purpose} needs {family} geometries but the feature is a "
            f"{gdf.geometry.iloc[i].geom_type} ({int(wrong_mask.sum())} such features)",
            file=path, feature=gdf.index[i],
            fix=f"give a {family} layer (name the right one with layer = … if the file has "
                "several)",
        )


def load_table_layer(source: LayerSource) -> LoadedLayer:
    """Read a table layer (enterprises) and normalise its fields."""
    suffix = source.path.suffix.lower()
    report = ReadReport(path=str(source.path), driver="table")
    if suffix in (".csv", ".xlsx", ".xls", ".xlsm"):
        frame = read_table(source.path, sheet=source.sheet)
    else:
        frame, report = read_source(source.path, layer=source.layer)
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if len(frame) == 0:
        raise InputError("the table is empty", file=source.path, fix="check the export")
    frame = normalise_fields(frame, source.kind, source.fields, source=source.path,
                             notes=report.warnings)
    report.features = len(frame)
    return LoadedLayer(source.kind, frame, report)


def choose_working_crs(frames: list[gpd.GeoDataFrame], override: str | None = None) -> CRS:
    """The workspace's working CRS: the override, else from the data's extent (design.md)."""
    if override:
        crs, _ = parse_crs(override)
        if crs.is_geographic:
            raise InputError(f"the working CRS {describe_crs(crs)} is geographic",
                             fix="use a projected CRS in metres, e.g. EPSG:4544")
        return crs
    bounds = np.array([f.to_crs(4490).total_bounds for f in frames if len(f)])
    if not len(bounds):
        return CRS.from_epsg(4544)
    return working_crs(bounds[:, 0].min(), bounds[:, 1].min(),
                       bounds[:, 2].max(), bounds[:, 3].max())


@dataclass
class LoadedWorkspace:
    """Every layer of a workspace in canonical form and one working CRS."""

    workspace: Workspace
    crs: CRS
    layers: dict[str, LoadedLayer]
    dem_path: Path | None = None

    def frame(self, kind: str) -> gpd.GeoDataFrame | pd.DataFrame | None:
        loaded = self.layers.get(kind)
        return None if loaded is None else loaded.frame


VECTOR_KINDS = tuple(k for k, s in KINDS.items() if s.geometry in ("polygon", "line", "point")
                     and k != "requests")


def load_layers(ws: Workspace, kinds: list[str] | None = None) -> LoadedWorkspace:
    """Read the workspace's layers (all, or ``kinds``) into one working CRS."""
    wanted = kinds or list(ws.layers)
    loaded: dict[str, LoadedLayer] = {}
    for kind in wanted:
        source = ws.layers.get(kind)
        if source is None:
            continue
        if KINDS[kind].geometry == "table":
            loaded[kind] = load_table_layer(source)
        elif KINDS[kind].geometry != "raster":
            loaded[kind] = load_vector_layer(source, kind)
    vectors = [v.frame for v in loaded.values() if isinstance(v.frame, gpd.GeoDataFrame)]
    crs = choose_working_crs(vectors, ws.crs)
    for layer in loaded.values():
        if isinstance(layer.frame, gpd.GeoDataFrame):
            layer.frame = to_crs_densified(layer.frame, crs)
    dem = ws.layers.get("dem")
    if dem is not None and not dem.path.exists():
        raise InputError("file not found", file=dem.path, fix="check the DEM path")
    return LoadedWorkspace(ws, crs, loaded, dem.path if dem else None)


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

# [layers.enterprises]  # 企业表: enterprise_id, parcel_id, industry_code, revenue, tax …
# path = "enterprises.xlsx"

# [layers.redlines]     # 生态保护红线
# path = "constraints.gpkg"
# layer = "redlines"
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
'''


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
                loaded = (load_table_layer(src) if KINDS[kind].geometry == "table"
                          else load_vector_layer(src, kind))
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


__all__ = [
    "DEFAULT_WORKSPACE",
    "LayerSource",
    "LoadedLayer",
    "LoadedWorkspace",
    "RequestSource",
    "Workspace",
    "check_rows",
    "choose_working_crs",
    "init_template",
    "list_layers",
    "load_layers",
    "load_table_layer",
    "load_vector_layer",
    "load_workspace",
    "require_family",
]
