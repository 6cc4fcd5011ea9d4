"""Normalise a layer to its kind's canonical fields (gaoxin.kinds): find each field by name,
alias or workspace mapping, coerce types, check ids and plausible values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InputError
from ..kinds import KINDS, ZONE_LEVELS, Field, LayerKind
from .headers import FieldMatch, clip, mapped_column, match_column


def find_column(columns: list[str], spec: Field, kind: str = "") -> str | None:
    """The column holding a canonical field: its name, an alias or an office's synonym,
    ignoring case, width, spaces and a unit in the header (:mod:`.headers`).

    Examples
    --------
    >>> f = KINDS["parcels"].fields[0]
    >>> find_column(["FID", "dkbh", "YDXZ"], f)
    'dkbh'
    >>> find_column(["FID", " 宗地编号 "], f, "parcels")
    ' 宗地编号 '
    """
    match = match_column(kind, spec, columns)
    return match.column if match else None


_Frame = TypeVar("_Frame", bound=pd.DataFrame)


def normalise_fields(
    frame: _Frame,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    source: object = None,
    notes: list[str] | None = None,
    matches: list[FieldMatch] | None = None,
) -> _Frame:
    """Rename columns to the canonical schema of ``kind``, coerce types and check keys.

    Columns that are not part of the schema are kept unchanged. Required fields must be
    found (via ``mapping``, the name itself, an alias or a synonym, in a header that may
    name its unit: values are converted to the field's unit); numeric fields must hold finite
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
    matches
        Receives, per canonical field found, the column it came from, how it was recognised
        and the factor that converted the header's unit to the field's.

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
    factors: dict[str, float] = {}
    by_text = {str(c): c for c in columns}
    shown = ", ".join(clip(c) for c in columns[:30]) + (" …" if len(columns) > 30 else "")
    for fld in spec.fields:
        col = mapping.get(fld.name)
        if col is not None and col not in frame.columns:
            raise InputError(
                f"the workspace maps field {fld.name!r} to column {clip(col)!r}, which is not "
                f"in the file (columns: {shown})",
                file=source, fix="correct the [fields] mapping in the workspace",
            )
        found = (mapped_column(fld, col, source) if col is not None else
                 match_column(kind, fld, [t for t, c in by_text.items() if c not in renames],
                              source))
        if found is None:
            if fld.required:
                raise InputError(
                    f"required field {fld.name!r} ({fld.label_zh}) of layer kind {kind!r} not "
                    f"found; columns found: {shown or '(none)'}",
                    file=source,
                    fix=f"rename a column or map it in the workspace: [layers.{kind}.fields] "
                        f'{fld.name} = "<column>"',
                )
            continue
        renames[by_text.get(found.column, found.column)] = fld.name
        factors[fld.name] = found.factor
        if matches is not None:
            matches.append(found)
    # A canonical name already used by another column would collide: keep the mapped one.
    clashing = [c for c in renames.values() if c in frame.columns and c not in renames]
    out = frame.drop(columns=clashing).rename(columns=renames)
    for fld in spec.fields:
        if fld.name in out.columns:
            out[fld.name] = _coerce(out[fld.name], fld, kind, source, spec.id_field, out)
            if fld.name == "level":
                # 国家级 / 省级 as staff write them; the rules are keyed by the code.
                out["level"] = out["level"].map(
                    lambda v: ZONE_LEVELS.get(str(v).strip(), v) if isinstance(v, str) else v)
            if factors.get(fld.name, 1.0) != 1.0:
                out[fld.name] = out[fld.name] * factors[fld.name]
            if fld.dtype == "float":
                out[fld.name] = _plausible(out[fld.name], fld, source, spec.id_field, out, notes)
    idf = spec.id_field
    if idf and idf in out.columns:
        ids = out[idf].to_numpy()
        # One pass finds the missing ids (3M text ids: 0.1 s a pass); has_duplicates hashes
        # once; the details are computed only when there are any.
        missing = pd.isna(ids)
        if pd.Index(ids[~missing] if missing.any() else ids, dtype=ids.dtype).has_duplicates:
            dup = out[idf][out[idf].duplicated(keep=False) & ~missing]
            first = dup.iloc[0]
            rows = [int(i) + 1 for i in np.flatnonzero(ids == first)]
            raise InputError(
                f"duplicate {idf} {first!r} (rows {rows[:5]}); {dup.nunique()} ids repeat",
                file=source, feature=first, fix=f"give every feature its own {idf}",
            )
        if fld_required(spec, idf) and missing.any():
            row = int(np.flatnonzero(missing)[0]) + 1
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


def _feature_ids(frame: pd.DataFrame, idf: str | None, mask: npt.NDArray[np.bool_]) -> list[object]:
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
