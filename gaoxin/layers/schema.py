"""Canonical schema of each layer kind (design.md, "Layer kinds") and field-name aliases.

Real files name the same field many ways (地块编号, DKBH, 宗地代码 …). Each canonical field
lists the aliases we recognise; a workspace can map any other name with ``[layers.X.fields]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..geo.errors import InputError


@dataclass(frozen=True)
class Field:
    """One canonical field of a layer kind."""

    name: str
    dtype: str  # "str", "float", "int"
    required: bool = False
    unique: bool = False
    aliases: tuple[str, ...] = ()
    label_zh: str = ""
    unit: str = ""
    # Plausible values of a numeric field (lower bound exclusive when ``positive``); values
    # outside are treated as unknown and named, never used: a building of 1e308 floors.
    maximum: float = float("inf")
    minimum: float = float("-inf")
    positive: bool = False


@dataclass(frozen=True)
class LayerKind:
    """A kind of layer: its geometry, fields and labels."""

    name: str
    geometry: str  # "polygon", "line", "point", "table", "raster"
    label_zh: str
    label_en: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def id_field(self) -> str | None:
        return next((f.name for f in self.fields if f.unique), None)


def _f(name: str, dtype: str, *aliases: str, required: bool = False, unique: bool = False,
       label: str = "", unit: str = "", minimum: float = float("-inf"),
       maximum: float = float("inf"), positive: bool = False) -> Field:
    if positive:
        minimum = max(minimum, 0.0)
    return Field(name, dtype, required, unique, aliases, label, unit, maximum, minimum, positive)


# Land-status codes of the development-zone land survey (domain.md §1.2).
LAND_STATUS_CODES: dict[str, str] = {
    "A": "已建成城镇建设用地", "A1": "住宅用地", "A2": "工矿仓储用地", "A31": "街巷用地",
    "A32": "其他交通运输用地", "A4": "商服用地", "A51": "公园与绿地",
    "A52": "其他公共管理与公共服务用地", "A6": "其他城镇建设用地",
    "B11": "已建成农村工矿仓储用地", "B12": "其他已建成农村建设用地",
    "B21": "已达到供地条件的其他土地", "B22": "未达到供地条件的其他土地",
    "C1": "河湖及蓄滞洪区", "C2": "自然、生态保护区", "C3": "其他不可建设土地",
    "D1": "已供应(划拨)", "D21": "已供应(有偿未到期)", "D22": "已供应(有偿已到期未处置)",
    "E1": "尚可供应(划拨)", "E21": "尚可供应(工矿仓储)", "E22": "尚可供应(其他有偿)",
    "F": "不可供应土地", "G": "闲置土地", "H1": "一类高新技术产业用地",
    "H2": "二类高新技术产业用地",
}

KINDS: dict[str, LayerKind] = {k.name: k for k in (
    LayerKind("zones", "polygon", "高新区", "High-tech zones", (
        _f("zone_id", "str", "园区代码", "开发区代码", "KFQDM", "ZONE_ID", "code", "id",
           required=True, unique=True, label="园区代码"),
        _f("name", "str", "名称", "园区名称", "开发区名称", "KFQMC", "MC", "NAME", required=True,
           label="名称"),
        _f("level", "str", "级别", "JB", label="级别"),
        _f("city", "str", "市", "所在市", "城市", label="市"),
        _f("county", "str", "县", "区县", "所在县", label="区县"),
        _f("approved_area_ha", "float", "核准面积", "核准面积_公顷", "HZMJ", label="核准面积",
           unit="公顷", positive=True, maximum=1e6),
        _f("industries", "str", "主导产业", "产业", label="主导产业"),
    )),
    LayerKind("parks", "polygon", "产业园区", "Industrial parks", (
        _f("park_id", "str", "园区代码", "园区编号", "YQBH", "id", required=True, unique=True,
           label="园区编号"),
        _f("name", "str", "名称", "园区名称", "YQMC", "MC", "NAME", required=True, label="名称"),
        _f("city", "str", "市", "所在市", label="市"),
        _f("county", "str", "县", "区县", "所在县", label="区县"),
        _f("industries", "str", "主导产业", "产业", label="主导产业"),
        _f("host_zone_id", "str", "托管高新区", "所属高新区", label="托管高新区"),
    )),
    LayerKind("parcels", "polygon", "地块", "Parcels", (
        _f("parcel_id", "str", "地块编号", "DKBH", "宗地代码", "ZDDM", "宗地号", "地块号", "id",
           required=True, unique=True, label="地块编号"),
        _f("land_use", "str", "用地性质", "YDXZ", "地类编码", "DLBM", "用地类型", "土地用途",
           label="用地性质"),
        _f("status", "str", "土地状态", "利用状况", "现状类型", "TDZT", label="土地状态"),
        _f("zone_id", "str", "园区代码", "所属园区", "KFQDM", label="所属园区"),
        _f("planned_far_min", "float", "容积率下限", "规划容积率下限", label="容积率下限",
           minimum=0.0, maximum=50.0),
        _f("planned_far_max", "float", "容积率上限", "规划容积率上限", label="容积率上限",
           minimum=0.0, maximum=50.0),
        _f("name", "str", "地块名称", "名称", "DKMC", label="地块名称"),
    )),
    LayerKind("buildings", "polygon", "建筑", "Buildings", (
        _f("building_id", "str", "建筑编号", "JZBH", "房屋编号", "id", required=True, unique=True,
           label="建筑编号"),
        _f("floors", "float", "层数", "CS", "楼层数", "地上层数", "building_levels",
           "building:levels", label="层数", positive=True, maximum=200.0),
        _f("height", "float", "高度", "建筑高度", "GD", "JZGD", "height_m", label="高度", unit="m",
           positive=True, maximum=1000.0),
        _f("storey_height", "float", "层高", "CG", label="层高", unit="m", positive=True,
           maximum=100.0),
    )),
    LayerKind("enterprises", "table", "企业", "Enterprises", (
        _f("enterprise_id", "str", "统一社会信用代码", "信用代码", "企业代码", "TYSHXYDM",
           required=True, label="统一社会信用代码"),
        _f("name", "str", "企业名称", "名称", "QYMC", label="企业名称"),
        _f("parcel_id", "str", "地块编号", "DKBH", "宗地代码", "ZDDM", required=True,
           label="地块编号"),
        _f("industry_code", "str", "行业代码", "国民经济行业代码", "HYDM", label="行业代码"),
        _f("industry_std", "str", "行业分类标准", "标准版本", label="行业分类标准"),
        _f("revenue", "float", "营业收入", "营收", "主营业务收入", label="营业收入", unit="万元",
           minimum=0.0),
        _f("tax", "float", "税收", "税收总额", "实缴税金", label="税收", unit="万元"),
        _f("value_added", "float", "增加值", "工业增加值", label="增加值", unit="万元"),
        _f("energy_tce", "float", "综合能耗", "能耗", label="综合能耗", unit="吨标准煤",
           minimum=0.0),
        _f("employees", "float", "从业人员", "职工人数", "年平均职工人数", label="从业人员",
           unit="人", minimum=0.0),
        _f("rd_spend", "float", "研发投入", "R&D经费", "研发经费", label="研发投入", unit="万元",
           minimum=0.0),
        _f("fixed_investment", "float", "固定资产投资", "累计固定资产投资", label="固定资产投资",
           unit="万元", minimum=0.0),
    )),
    LayerKind("redlines", "polygon", "生态保护红线", "Ecological red lines", (
        _f("patch_id", "str", "图斑编号", "TBBH", "BSM", "id", label="图斑编号"),
        _f("name", "str", "名称", "MC", label="名称"),
    )),
    LayerKind("farmland", "polygon", "永久基本农田", "Permanent basic farmland", (
        _f("patch_id", "str", "图斑编号", "TBBH", "BSM", "id", label="图斑编号"),
    )),
    LayerKind("dev_boundary", "polygon", "城镇开发边界", "Urban development boundary", (
        _f("patch_id", "str", "图斑编号", "BSM", "id", label="编号"),
    )),
    LayerKind("roads", "line", "道路", "Roads", (
        _f("road_class", "str", "class", "等级", "道路等级", "highway", label="道路等级"),
        _f("name", "str", "名称", "道路名称", label="名称"),
    )),
    LayerKind("requests", "polygon", "扩区申请", "Expansion requests", (
        _f("parcel_id", "str", "地块编号", "DKBH", label="地块编号"),
        _f("name", "str", "地块名称", "名称", label="名称"),
    )),
    LayerKind("dem", "raster", "数字高程模型", "Digital elevation model"),
)}


def find_column(columns: list[str], spec: Field) -> str | None:
    """The column holding a canonical field: exact name, then aliases, case-insensitively.

    Examples
    --------
    >>> f = KINDS["parcels"].fields[0]
    >>> find_column(["FID", "dkbh", "YDXZ"], f)
    'dkbh'
    """
    lower = {c.lower().strip(): c for c in columns}
    for name in (spec.name, *spec.aliases):
        hit = lower.get(name.lower())
        if hit is not None:
            return hit
    return None


def normalise_fields(
    frame: pd.DataFrame,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    source: object = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Rename columns to the canonical schema of ``kind``, coerce types and check keys.

    Columns that are not part of the schema are kept unchanged. Required fields must be
    found (via ``mapping``, the name itself or an alias); numeric fields must hold finite
    numbers (∞ is refused); a number outside the field's plausible range (0 floors, a
    negative storey height, 1e308 floors) becomes unknown and is named in ``notes``; unique
    ids must be unique.

    Parameters
    ----------
    frame
        The layer as read (GeoDataFrame or DataFrame).
    kind
        A key of :data:`KINDS`.
    mapping
        ``{canonical: source column}`` from the workspace.
    source
        The file, for error messages.
    notes
        Receives one line per field with implausible values (count and the first ids).

    Examples
    --------
    >>> df = pd.DataFrame({"地块编号": ["P1", "P2"], "用地性质": ["M1", "M1"]})
    >>> list(normalise_fields(df, "parcels").columns)
    ['parcel_id', 'land_use']
    """
    spec = KINDS[kind]
    mapping = dict(mapping or {})
    columns = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)]
    renames: dict[str, str] = {}
    for fld in spec.fields:
        col = mapping.get(fld.name)
        if col is not None and col not in frame.columns:
            raise InputError(
                f"the workspace maps field {fld.name!r} to column {col!r}, which is not in the "
                f"file (columns: {', '.join(map(str, columns))})",
                file=source, fix="correct the [fields] mapping in the workspace",
            )
        if col is None:
            col = find_column([c for c in columns if c not in renames], fld)
        if col is None:
            if fld.required:
                raise InputError(
                    f"required field {fld.name!r} ({fld.label_zh}) of layer kind {kind!r} not "
                    f"found; columns found: {', '.join(map(str, columns)) or '(none)'}",
                    file=source,
                    fix=f"rename a column or map it in the workspace: [layers.{kind}.fields] "
                        f'{fld.name} = "<column>"',
                )
            continue
        renames[col] = fld.name
    # A canonical name already used by another column would collide: keep the mapped one.
    clashing = [c for c in renames.values() if c in frame.columns and c not in renames]
    out = frame.drop(columns=clashing).rename(columns=renames)
    for fld in spec.fields:
        if fld.name in out.columns:
            out[fld.name] = _coerce(out[fld.name], fld, kind, source, spec.id_field, out)
            if fld.dtype == "float":
                out[fld.name] = _plausible(out[fld.name], fld, source, spec.id_field, out, notes)
    idf = spec.id_field
    if idf and idf in out.columns:
        # has_duplicates hashes once; the details are computed only when there are any.
        has_dup = pd.Index(out[idf].dropna()).has_duplicates
        dup = out[idf][out[idf].duplicated(keep=False) & out[idf].notna()] if has_dup else []
        if len(dup):
            first = dup.iloc[0]
            rows = [int(i) + 1 for i in np.flatnonzero(out[idf].to_numpy() == first)]
            raise InputError(
                f"duplicate {idf} {first!r} (rows {rows[:5]}); {dup.nunique()} ids repeat",
                file=source, feature=first, fix=f"give every feature its own {idf}",
            )
        missing = out[idf].isna()
        if fld_required(spec, idf) and missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0]) + 1
            raise InputError(f"{idf} is empty", file=source, feature=f"row {row}",
                             fix=f"give every feature a {idf}")
    return out


def fld_required(spec: LayerKind, name: str) -> bool:
    return any(f.name == name and f.required for f in spec.fields)


def _one_text(v: object) -> object:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # ids typed into Excel come back as 12.0
    return str(v).strip()


def as_text(values: pd.Series) -> pd.Series:
    """Text values (object dtype, None for missing), stripped; 12.0 becomes ``"12"``.

    Vectorised for the common cases (all text, all numbers): layers have millions of rows.

    Examples
    --------
    >>> as_text(pd.Series([" P1 ", None, "P2"])).tolist()
    ['P1', None, 'P2']
    >>> as_text(pd.Series([12.0, 3.5, float("nan")])).tolist()
    ['12', '3.5', None]
    """
    if values.dtype.kind in "iu":
        return values.astype(str).astype(object)
    if values.dtype.kind == "f":
        v = values.to_numpy(dtype=float)
        out = np.full(len(v), None, dtype=object)
        ok = ~np.isnan(v)
        whole = ok & (np.mod(v, 1) == 0) & (np.abs(v) < 2**53)
        out[whole] = v[whole].astype(np.int64).astype(str)
        out[ok & ~whole] = v[ok & ~whole].astype(str)
        return pd.Series(out, index=values.index, name=values.name, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        stripped = values.astype("str").str.strip().astype(object)
        return stripped.where(values.notna(), None)
    return values.map(_one_text).astype(object)


def _feature_ids(frame: pd.DataFrame, idf: str | None, mask: np.ndarray) -> list[object]:
    pos = np.flatnonzero(mask)
    if idf and idf in frame.columns:
        return [frame[idf].iloc[i] for i in pos]
    return [f"row {i + 1}" for i in pos]


def _plausible(values: pd.Series, fld: Field, source: object, idf: str | None,
               frame: pd.DataFrame, notes: list[str] | None) -> pd.Series:
    v = values.to_numpy(dtype=float)
    infinite = np.isinf(v)
    if infinite.any():
        ident = _feature_ids(frame, idf, infinite)[0]
        raise InputError(
            f"field {fld.name!r} ({fld.label_zh}) holds {v[infinite][0]!r}, which is not a "
            f"number ({int(infinite.sum())} such values)",
            file=source, feature=ident, fix="correct the value or leave it empty")
    with np.errstate(invalid="ignore"):
        low_bad = (v <= fld.minimum) if fld.positive else (v < fld.minimum)
        implausible = ~np.isnan(v) & (low_bad | (v > fld.maximum))
    if not implausible.any():
        return values
    ids = _feature_ids(frame, idf, implausible)
    low = f"> {fld.minimum:g}" if fld.positive else f"≥ {fld.minimum:g}"
    shown = ", ".join(f"{i} = {x:g}" for i, x in zip(ids[:5], v[implausible][:5], strict=False))
    if notes is not None:
        notes.append(
            f"field {fld.name} ({fld.label_zh}) must be {low} and ≤ {fld.maximum:g}"
            f"{' ' + fld.unit if fld.unit else ''}: {len(ids)} values treated as unknown "
            f"({shown}{' …' if len(ids) > 5 else ''})")
    return values.where(~implausible)


def _coerce(values: pd.Series, fld: Field, kind: str, source: object, idf: str | None,
            frame: pd.DataFrame) -> pd.Series:
    if fld.dtype == "str":
        return as_text(values)
    if values.dtype.kind in "if":
        return values.astype(float)
    text = values.astype(object).map(
        lambda v: v.strip().replace(",", "") if isinstance(v, str) else v
    )
    text = text.replace({"": None})
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() & text.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        ident = frame[idf].iloc[pos] if idf and idf in frame.columns else f"row {pos + 1}"
        raise InputError(
            f"field {fld.name!r} ({fld.label_zh}) must be a number but holds "
            f"{text.iloc[pos]!r} ({int(bad.sum())} such values)",
            file=source, feature=ident, fix="correct the value or leave it empty",
        )
    return numbers.astype(float)
