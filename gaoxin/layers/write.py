"""Write outputs atomically: a single file per file, a command's folder per run.

A single output (``area --out``, ``convert``, ``map``) goes to a temporary name beside the
target and is renamed over it. A command that writes a folder (``expansion``,
``plot-ratio``, …, ``demo``) writes every file into a fresh *stage* folder beside ``--out``,
which replaces ``--out`` in one step (:func:`output_run`): readers, a crash or a concurrent
run see the earlier set of files or the new one, never a mix.

Temporaries are named after their target, ``.NAME.gaoxin-run-XXXXXXXX`` (a run's stage) and
``.NAME.gaoxin-tmp-XXXXXXXX`` (a single file), and hold an ``flock`` while their writer lives;
a later write to the same place removes those whose lock is free (their writer died).

Test hooks (environment variables, read only at the swap):

``GAOXIN_TEST_SWAP_PAUSE``
    Seconds to sleep right after the first rename of the swap, so a test can kill the run
    there.
``GAOXIN_TEST_SWAP_FALLBACK``
    ``1``: swap by rename-aside + rename-in, as where ``renameat2`` is unavailable.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Required, TypedDict, Unpack

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from .encoding import fit_field_name, normalise_encoding_name
from .gpkg_worker import Spec, write_layers

if TYPE_CHECKING:
    import pyarrow as pa

try:
    import fcntl
    _HAVE_FLOCK = True
except ImportError:  # Windows: no flock; stale temporaries are then left in place
    _HAVE_FLOCK = False

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

# Marks a folder as a gaoxin run's output and lists its files (sizes and SHA-256).
RUN_MANIFEST = ".gaoxin-run.json"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# errno values meaning "this file system or kernel cannot exchange two paths".
_NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}
# Stages open in this process: a run whose folder lies inside one writes there directly.
_OPEN_STAGES: list[Path] = []


# ---------------------------------------------------------------- output-path mistakes


def _output_error(exc: OSError, target: Path, scope: Path | None = None) -> InputError | None:
    """The :class:`InputError` for an ordinary output-path mistake, else ``None``.

    Permission errors count only for paths in ``scope`` (the temporaries and the target's
    folder): elsewhere they may be an input's.
    """
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return InputError("the disk is full; any earlier output is left unchanged", file=target,
                          fix="free disk space, or write to another disk")
    if code == errno.EROFS:
        return InputError("the file system is read-only", file=target,
                          fix="write the output to a writable folder")
    if code in (errno.EACCES, errno.EPERM):
        where = Path(exc.filename) if exc.filename else None
        if where is None or scope is None or where == scope or scope in where.parents:
            return InputError("permission denied: the output cannot be written there",
                              file=target, fix="write the output to a folder you can write to, "
                              "or change the folder's permissions")
    if code in (errno.EEXIST, errno.ENOTDIR):
        blocker = next((p for p in (target, *target.parents)
                        if p.exists() and not p.is_dir()), None)
        if blocker is not None and blocker != target:
            return InputError(f"{blocker} is a file, not a folder", file=target,
                              fix="give an output path inside a folder, or move that file away")
    return None


def _make_folder(folder: Path, target: Path) -> None:
    """Create ``folder`` (and its parents) for ``target``; mistakes become InputErrors."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (_output_error(exc, target, folder.parent) or exc) from None


# ---------------------------------------------------------------- locks and temporaries


def _flock(fd: int, *, wait: bool) -> bool:
    """Lock ``fd`` exclusively; ``False`` when another process holds it and ``wait`` is off."""
    if not _HAVE_FLOCK:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def _place_lock(target: Path) -> Iterator[None]:
    """Hold ``.NAME.gaoxin-lock`` beside ``target``: one swap, check or clean-up at a time.

    The lock file stays: removing a lock file others may be waiting on breaks the lock.
    """
    lock = target.parent / f".{target.name}.gaoxin-lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise (_output_error(exc, target, target.parent) or exc) from None
    try:
        _flock(fd, wait=True)
        yield
    finally:
        os.close(fd)


def _new_locked_dir(parent: Path, name: str, kind: str) -> tuple[Path, int]:
    """Create ``.NAME.gaoxin-KIND-XXXXXXXX`` in ``parent``, locked for this process's life.

    The folder is made under a ``-new-`` name, locked, then renamed: a concurrent clean-up
    only looks at ``-run-``/``-tmp-`` names, so it never sees one before its lock is held.
    """
    target = parent / name
    while True:
        suffix = secrets.token_hex(4)
        fresh = parent / f".{name}.gaoxin-new-{suffix}"
        try:
            fresh.mkdir()  # the umask applies, as for any folder the user makes
        except FileExistsError:
            continue
        except OSError as exc:
            raise (_output_error(exc, target, parent) or exc) from None
        break
    fd = os.open(fresh, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    _flock(fd, wait=True)
    final = parent / f".{name}.gaoxin-{kind}-{suffix}"
    os.rename(fresh, final)
    return final, fd


def _legacy_temp(entry: os.DirEntry[str], name: str) -> bool:
    """A ``.NAME.xxxxxxxx`` folder of earlier gaoxin versions holding nothing but ``NAME``."""
    if not re.fullmatch(rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}", entry.name):
        return False
    try:
        return set(os.listdir(entry.path)) <= {name}
    except OSError:
        return False


def remove_stale_temporaries(target: str | Path) -> list[Path]:
    """Remove the temporaries of dead writes to ``target``; return what was removed.

    A temporary is dead when its lock is free. Live ones (another run writing to the same
    place) are left alone, and so is everything gaoxin did not name.
    """
    target = Path(target)
    if not _HAVE_FLOCK or not target.parent.is_dir():
        return []
    name = target.name
    ours = (f".{name}.gaoxin-run-", f".{name}.gaoxin-tmp-")
    removed = []
    with os.scandir(target.parent) as entries:
        candidates = [e for e in entries if e.is_dir(follow_symlinks=False)
                      and (e.name.startswith(ours) or _legacy_temp(e, name))]
    for entry in candidates:
        try:
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            continue  # gone meanwhile, or not ours to open
        try:
            if _flock(fd, wait=False):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
        finally:
            os.close(fd)
    return removed


@contextlib.contextmanager
def _scratch_dir(target: Path) -> Iterator[Path]:
    """A locked temporary folder beside ``target``, removed afterwards."""
    remove_stale_temporaries(target)
    workdir, fd = _new_locked_dir(target.parent, target.name, "tmp")
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        os.close(fd)


# ---------------------------------------------------------------- swapping folders


def _renameat2() -> Callable[..., int] | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):  # not Linux, or glibc < 2.28
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step; ``False`` where the system cannot."""
    fn = None if os.environ.get("GAOXIN_TEST_SWAP_FALLBACK") == "1" else _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _test_pause() -> None:
    """The ``GAOXIN_TEST_SWAP_PAUSE`` hook (see the module docstring)."""
    pause = os.environ.get("GAOXIN_TEST_SWAP_PAUSE")
    if pause:
        time.sleep(float(pause))


def _swap_in(new: Path, target: Path) -> Path | None:
    """Put folder ``new`` at ``target``; return where the earlier ``target`` now is.

    With ``renameat2(RENAME_EXCHANGE)`` the two trade places atomically, so the old set ends
    up at ``new``. Elsewhere the old set is renamed aside first (``.NAME.gaoxin-old-…``);
    :func:`_recover` puts it back if the process dies before the new set is renamed in.
    """
    if not os.path.lexists(target):
        os.rename(new, target)
        _test_pause()
        return None
    if _exchange(new, target):
        _test_pause()
        return new
    aside = target.parent / f".{target.name}.gaoxin-old-{secrets.token_hex(4)}"
    os.rename(target, aside)
    _test_pause()
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    return aside


def _recover(target: Path) -> None:
    """After a swap that died half-way (no exchange): restore or drop the set put aside.

    Runs under the place lock; a set put aside is restored only when it is whole (a run
    that had swapped may have died while removing it).
    """
    prefix = f".{target.name}.gaoxin-old-"
    with os.scandir(target.parent) as entries:
        asides = [Path(e.path) for e in entries
                  if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)]
    for aside in asides:
        if not os.path.lexists(target) and not manifest_problems(aside):
            os.rename(aside, target)
        else:
            shutil.rmtree(aside, ignore_errors=True)


# ---------------------------------------------------------------- a run's output folder


@dataclass(frozen=True)
class RunStage:
    """Where a run writes (``path``) and where its files appear when it succeeds."""

    path: Path
    target: Path

    def published(self, files: dict[str, Path]) -> dict[str, Path]:
        """``files`` (paths in the stage) as they are named once the run is published."""
        return {key: self.target / p.relative_to(self.path) for key, p in files.items()}


def _refuse_unless_ours(target: Path, command: str) -> None:
    """Refuse a ``target`` that is a file, or a folder holding files gaoxin did not write."""
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise InputError(f"is a file; {command} writes a folder of outputs", file=target,
                         fix="give --out a folder path (a new one, or one gaoxin wrote)")
    try:
        entries = os.listdir(target)
    except OSError as exc:
        raise (_output_error(exc, target, target) or exc) from None
    if entries and RUN_MANIFEST not in entries:
        raise InputError(f"the folder holds files gaoxin did not write ({RUN_MANIFEST} is "
                         "missing), and a run replaces the whole folder", file=target,
                         fix="give --out a new folder, or move your files out of this one")


# SHA-256 of files this process had written and hashed by a worker, by (device, inode):
# kept through the rename into place while size and modification time stay the same.
_KNOWN_DIGESTS: dict[tuple[int, int], tuple[int, int, str]] = {}


def _remember_digest(path: Path, sha256: str) -> None:
    st = path.stat()
    _KNOWN_DIGESTS[(st.st_dev, st.st_ino)] = (st.st_size, st.st_mtime_ns, sha256.strip())


def _digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _run_digest(path: Path) -> str:
    """``_digest``, or the worker's digest of the same unchanged file (a 1M-parcel
    results.gpkg is ~0.6 GB: ~0.5 s saved at the end of the run)."""
    st = path.stat()
    known = _KNOWN_DIGESTS.pop((st.st_dev, st.st_ino), None)
    if known is not None and known[:2] == (st.st_size, st.st_mtime_ns):
        return known[2]
    return _digest(path)


def _write_manifest(stage: Path, command: str) -> None:
    from .._version import __version__

    files = sorted(p for p in stage.rglob("*") if p.is_file() and p.name != RUN_MANIFEST)
    # Two threads: hashlib releases the GIL (a large results.gpkg hashes at ~1 GB/s).
    with ThreadPoolExecutor(2, thread_name_prefix="gaoxin-manifest") as pool:
        sums = list(pool.map(_run_digest, files))
    (stage / RUN_MANIFEST).write_text(json.dumps({
        "tool": "gaoxin", "version": __version__, "command": command,
        "run_id": uuid.uuid4().hex, "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": [{"path": p.relative_to(stage).as_posix(), "bytes": p.stat().st_size,
                   "sha256": s} for p, s in zip(files, sums, strict=True)],
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def manifest_problems(folder: str | Path) -> list[str]:
    """How ``folder`` differs from its run manifest (missing, extra or changed files).

    An empty list means the folder holds exactly the set of files one run wrote.
    """
    folder = Path(folder)
    try:
        manifest = json.loads((folder / RUN_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"no readable {RUN_MANIFEST}: {exc}"]
    listed = {f["path"]: f for f in manifest["files"]}
    present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
               if p.is_file() and p.name != RUN_MANIFEST}
    problems = [f"missing: {p}" for p in sorted(listed.keys() - present.keys())]
    problems += [f"not in the manifest: {p}" for p in sorted(present.keys() - listed.keys())]
    for rel in sorted(listed.keys() & present.keys()):
        entry, path = listed[rel], present[rel]
        if path.stat().st_size != entry["bytes"] or _digest(path) != entry["sha256"]:
            problems.append(f"changed: {rel}")
    return problems


@contextlib.contextmanager
def output_run(out_dir: str | Path, *, command: str) -> Iterator[RunStage]:
    """Write a run's files into a stage that replaces ``out_dir`` in one step on success.

    Every file of the run goes into ``stage.path``, a fresh folder beside ``out_dir`` (same
    file system). When the block ends without an exception, a manifest
    (:data:`RUN_MANIFEST`) is added and the stage is swapped in for ``out_dir`` under a lock
    beside it, so two concurrent runs each publish a whole set (the last one wins). On an
    exception the stage is removed and ``out_dir`` is untouched. Stages of dead runs are
    removed when the next run to the same place starts.

    ``out_dir`` must be new, empty or an earlier gaoxin output (it has a manifest): a folder
    of the user's own files is refused, since swapping it out would delete them. A run whose
    ``out_dir`` lies inside an open stage (``demo`` runs every command inside its own) writes
    there directly.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "out"
    >>> with output_run(out, command="doctest") as stage:
    ...     _ = (stage.path / "a.txt").write_text("ok")
    >>> sorted(p.name for p in out.iterdir()), manifest_problems(out)
    (['.gaoxin-run.json', 'a.txt'], [])
    """
    out_dir = Path(out_dir)
    resolved = out_dir.resolve()
    if any(resolved == s or s in resolved.parents for s in _OPEN_STAGES):
        _make_folder(out_dir, out_dir)
        yield RunStage(out_dir, out_dir)
        return
    # A symlinked --out stays a symlink: the folder it points to is the one replaced.
    target = resolved if out_dir.is_symlink() else out_dir
    _make_folder(target.parent, target)
    # Refuse a wrong --out before the lock file is made beside it: a refused run leaves
    # nothing behind (checked again under the lock, where it counts).
    _refuse_unless_ours(target, command)
    with _place_lock(target):
        _recover(target)
        _refuse_unless_ours(target, command)
        remove_stale_temporaries(target)
        stage, fd = _new_locked_dir(target.parent, target.name, "run")
    _OPEN_STAGES.append(stage.resolve())
    old = None
    try:
        try:
            yield RunStage(stage, out_dir)
            _write_manifest(stage, command)
        except OSError as exc:
            raise (_output_error(exc, target, stage) or exc) from None
        with _place_lock(target):
            _refuse_unless_ours(target, command)
            try:
                old = _swap_in(stage, target)
            except OSError as exc:
                raise (_output_error(exc, target, target.parent) or exc) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        _OPEN_STAGES.remove(stage.resolve())
        os.close(fd)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- single files


@contextlib.contextmanager
def atomic_path(target: str | Path, *, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it to ``target``.

    ``directory`` writes a folder (a FileGDB), swapped in for an earlier one in one step
    where the system allows. A file target that is a folder, or the reverse, is an
    :class:`InputError`, as are a parent that is a file, permission denied, a full disk
    and a read-only file system.

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
    if target.is_dir() and not directory:
        raise InputError("is a folder; a file is written here", file=target,
                         fix="give a file path, e.g. " + str(target / f"output{target.suffix}"))
    if directory and target.exists() and not target.is_dir():
        raise InputError("is a file; a folder is written here", file=target,
                         fix="remove the file or choose another output path")
    _make_folder(target.parent, target)
    with _scratch_dir(target) as workdir:
        tmp = workdir / target.name
        try:
            if directory:
                tmp.mkdir()
            yield tmp
            if tmp.is_dir():
                # The earlier folder lands in workdir and goes with it.
                _swap_in(tmp, target)
            else:
                os.replace(tmp, target)
        except OSError as exc:
            raise (_output_error(exc, target, workdir) or exc) from None


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_bytes(target, text.encode("utf-8"))


def write_bytes(target: str | Path, data: bytes) -> Path:
    """Write bytes atomically: a reader sees the old file or the whole new one.

    Examples
    --------
    >>> import tempfile
    >>> t = Path(tempfile.mkdtemp()) / "界址点.txt"
    >>> write_bytes(t, "J1,1".encode("gbk")).read_bytes().decode("gbk")
    'J1,1'
    """
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())  # durable before the rename makes it visible
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
            # A data export (one sheet, WKT geometry); formatted reports use report.excel.
            with atomic_path(target) as tmp:
                table.to_excel(tmp, sheet_name=(layer or target.stem)[:31], index=False,
                               engine="openpyxl")
            return target
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
    kwargs: _WriteOptions = {"driver": driver}
    if layer:
        kwargs["layer"] = layer
    if suffix == ".gdb" and any(gdf[c].dtype == np.int64 for c in gdf.columns):
        # Values beyond 32 bits: keep them exact (needs ArcGIS Pro 3.2+ to open).
        kwargs["layer_options"] = {"TARGET_ARCGIS_VERSION": "ARCGIS_PRO_3_2_OR_LATER"}
    if suffix == ".shp":
        kwargs["encoding"] = encoding or "UTF-8"
        gdf = shapefile_field_names(gdf, encoding or "UTF-8")
    if append_layer and target.exists():
        with atomic_path(target, directory=target.is_dir()) as tmp:
            if target.is_dir():  # FileGDB
                shutil.copytree(target, tmp, dirs_exist_ok=True)
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


class _WriteOptions(TypedDict, total=False):
    """The keywords :func:`_to_file` passes on to ``GeoDataFrame.to_file`` (pyogrio)."""

    driver: Required[str]
    layer: str
    layer_options: dict[str, str]
    encoding: str
    use_arrow: bool


# Little-endian WKB header of a MultiPolygon of one part: a Polygon's WKB after it is the
# same MultiPolygon shapely.multipolygons would write.
_ONE_PART_MULTIPOLYGON = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"
_POLYGON, _MULTIPOLYGON = 3, 6


def geopackage_table(gdf: gpd.GeoDataFrame) -> tuple[pa.Table, str, str] | None:
    """``gdf`` as the Arrow table, geometry type and CRS pyogrio's GeoPackage write makes of
    it, built in fewer passes; ``None`` for what only pyogrio's own path handles.

    Covered: polygonal 2-D layers (Polygon, MultiPolygon or both, promoted to MultiPolygon
    as the GeoPackage rules want), an unnamed integer index (not written), fields of
    numbers, booleans (nullable ones as Int8) and text. For a 1M-parcel result layer
    pyogrio's ``write_dataframe`` spends ~8 s before GDAL starts (type names of every
    geometry, a copy of each Polygon into a MultiPolygon, then its WKB, a setitem of the
    whole column); here: type ids, one WKB pass, a 9-byte header on each Polygon's WKB.
    Anything else (points, lines, Z, dates, mixed-object fields, a named index) is left to
    pyogrio, so what is written never depends on which path wrote it (tested: same file
    contents either way).

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[box(0, 0, 1, 1), None], crs=4544)
    >>> table, kind, crs = geopackage_table(g)
    >>> kind, crs, table.column_names, table.column("geometry").null_count
    ('Polygon', 'EPSG:4544', ['n', 'geometry'], 1)
    >>> geopackage_table(g.set_index("n")) is None   # a named index: pyogrio writes it
    True
    """
    plan = geopackage_plan(gdf)
    if plan is None:
        return None
    return plan.table(), plan.kind, plan.crs


@dataclass
class GeoPackagePlan:
    """A layer as :func:`geopackage_table` writes it, its geometries still to be encoded:
    whole (:meth:`table`) or a batch at a time (:meth:`batches`), so that GDAL can start
    on the first batches while the rest are encoded."""

    fields: pa.Table | None
    geoms: np.ndarray
    headed: np.ndarray
    geometry_name: str
    kind: str
    crs: str

    def table(self) -> pa.Table:
        """The whole layer as one Arrow table."""
        return self._with_geometry(self.fields, _wkb_column(self.geoms, self.headed))

    def schema(self) -> pa.Schema:
        """The schema of every batch (WKB as ``large_binary``: a batch's size is not known
        before it is encoded)."""
        import pyarrow as pa

        geometry = pa.field(self.geometry_name, pa.large_binary())
        return (pa.schema([geometry]) if self.fields is None
                else self.fields.schema.append(geometry))

    def batches(self, size: int = 65_536) -> Iterator[pa.RecordBatch]:
        """The layer in record batches of ``size`` rows, each batch's WKB made when asked."""
        import pyarrow as pa

        for start in range(0, len(self.geoms), size):
            stop = start + size
            wkb = _wkb_column(self.geoms[start:stop], self.headed[start:stop])
            fields = None if self.fields is None else self.fields.slice(start, size)
            table = self._with_geometry(fields, wkb.cast(pa.large_binary()))
            yield from table.combine_chunks().to_batches()

    def _with_geometry(self, fields: pa.Table | None, geometry: pa.Array) -> pa.Table:
        import pyarrow as pa

        if fields is None:   # geometry alone: a table of no columns has no rows
            return pa.table({self.geometry_name: geometry})
        return fields.append_column(self.geometry_name, geometry)


def geopackage_plan(gdf: gpd.GeoDataFrame) -> GeoPackagePlan | None:
    """The checks and the fields' table of :func:`geopackage_table`, the geometries left to
    encode; ``None`` for what only pyogrio's own path handles.

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"n": [1, 2, 3]}, geometry=[box(0, 0, 1, 1)] * 3, crs=4544)
    >>> plan = geopackage_plan(g)
    >>> [b.num_rows for b in plan.batches(size=2)], plan.table().num_rows
    ([2, 1], 3)
    """
    import pyarrow as pa
    import shapely

    name = gdf.geometry.name
    if (not len(gdf) or not gdf.columns.is_unique or list(gdf.index.names) != [None]
            or not pd.api.types.is_integer_dtype(gdf.index.dtype) or gdf.crs is None):
        return None
    fields = gdf.drop(columns=[name])
    for column in fields.columns:
        dtype = fields[column].dtype
        if isinstance(dtype, gpd.array.GeometryDtype):
            return None
        if pd.api.types.is_object_dtype(dtype):
            if pd.api.types.infer_dtype(fields[column]) != "string":
                return None
        elif not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                  or pd.api.types.is_string_dtype(dtype)):
            return None
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    types = shapely.get_type_id(geoms)
    present = set(np.unique(types[types >= 0]).tolist())
    if not present or not present <= {_POLYGON, _MULTIPOLYGON} or shapely.has_z(geoms).any():
        return None
    promote = present == {_POLYGON, _MULTIPOLYGON}
    headed = (types == _POLYGON) if promote else np.zeros(len(types), dtype=bool)
    if shapely.is_empty(geoms[headed]).any():
        return None   # shapely and the one-part header disagree on an empty part
    kind = "MultiPolygon" if promote or present == {_MULTIPOLYGON} else "Polygon"
    table = None
    if len(fields.columns):
        table = pa.Table.from_pandas(pd.DataFrame(fields, copy=False), preserve_index=False)
        if any(pa.types.is_null(f.type) for f in table.schema):
            return None
    return GeoPackagePlan(table, geoms, headed, str(name), kind, _crs_text(gdf))


def _crs_text(gdf: gpd.GeoDataFrame) -> str:
    """The layer's CRS as pyogrio passes it to GDAL: ``EPSG:n``, else WKT1."""
    crs = gdf.crs
    assert crs is not None   # geopackage_table takes only layers with a CRS
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else str(crs.to_wkt("WKT1_GDAL"))


def _wkb_column(geoms: np.ndarray, headed: np.ndarray) -> pa.Array:
    """The geometries' WKB as one Arrow binary column, ``headed`` ones as one-part
    MultiPolygons; missing geometries are nulls.

    Built as one buffer and its offsets: ``pa.array`` of 1M ``bytes`` objects takes ~1.5 s,
    a join of them ~0.3 s.
    """
    import pyarrow as pa
    import shapely

    wkb = shapely.to_wkb(geoms, byte_order=1)
    present = ~shapely.is_missing(geoms)
    wkb[~present] = b""
    parts: list[bytes] = [_ONE_PART_MULTIPOLYGON] * (2 * len(wkb))
    parts[1::2] = wkb.tolist()
    for i in np.flatnonzero(~headed).tolist():
        parts[2 * i] = b""
    data = b"".join(parts)
    lengths = np.fromiter(map(len, wkb), np.int64, len(wkb))
    lengths[headed] += len(_ONE_PART_MULTIPOLYGON)
    offsets = np.zeros(len(wkb) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    large = len(data) > np.iinfo(np.int32).max
    validity = (None if present.all() else
                pa.py_buffer(np.packbits(present, bitorder="little")))
    return pa.Array.from_buffers(
        pa.large_binary() if large else pa.binary(), len(wkb),
        [validity, pa.py_buffer(offsets if large else offsets.astype(np.int32)),
         pa.py_buffer(data)], null_count=int((~present).sum()))


def _to_file(gdf: gpd.GeoDataFrame, path: Path, target: Path, *, mode: Literal["w", "a"] = "w",
             **kwargs: Unpack[_WriteOptions]) -> None:
    """Write ``gdf`` to the temporary ``path``; errors name the real ``target``."""
    # Arrow writes are ~2x faster for large layers; GeoPackage and FlatGeobuf take them well.
    options: _WriteOptions = kwargs
    if kwargs.get("driver") in ("GPKG", "FlatGeobuf"):
        options = {"use_arrow": True, **kwargs}
    try:
        arrow = (geopackage_table(gdf) if kwargs.get("driver") == "GPKG"
                 and set(kwargs) <= {"driver", "layer"} else None)
        if arrow is not None:
            from pyogrio.raw import write_arrow

            table, kind, crs = arrow
            write_arrow(table, path, layer=kwargs.get("layer"), driver="GPKG",
                        geometry_name=str(gdf.geometry.name), geometry_type=kind, crs=crs,
                        append=mode == "a")
            return
        gdf.to_file(path, engine="pyogrio", mode=mode, **options)
    except Exception as exc:
        raise _write_error(str(exc) or type(exc).__name__, target) from None


def _write_error(text: str, target: Path) -> InputError:
    """GDAL's complaint about writing ``target``, as one message with a fix."""
    message = (text.strip().splitlines() or ["unknown error"])[0][:200].rstrip(".")
    fix = ("a Shapefile or FileGDB layer holds one geometry type: write a .gpkg, or split "
           "the layer by geometry type" if "geometry" in message.lower() else
           "check the layer's field names and values suit the format (or write a .gpkg)")
    return InputError(f"cannot be written ({message}); any earlier file is left unchanged",
                      file=target, fix=fix)


def _write_shapefile(gdf: gpd.GeoDataFrame, target: Path, kwargs: _WriteOptions) -> Path:
    _make_folder(target.parent, target)
    with _scratch_dir(target) as workdir:
        _to_file(gdf, workdir / target.name, target, **kwargs)
        try:
            for ext in SHAPEFILE_SIDECARS:
                old = target.with_suffix(ext)
                if old.exists():
                    old.unlink()
            for part in workdir.iterdir():
                os.replace(part, target.with_name(part.name))
        except OSError as exc:
            raise (_output_error(exc, target, target.parent) or exc) from None
    return target


def _write_zipped_shapefile(gdf: gpd.GeoDataFrame, target: Path, encoding: str | None) -> Path:
    import zipfile

    _make_folder(target.parent, target)
    with _scratch_dir(target.with_suffix(".shp")) as workdir:
        shp = workdir / f"{target.stem}.shp"
        _to_file(shapefile_field_names(gdf, encoding or "UTF-8"), shp, target,
                 driver="ESRI Shapefile", encoding=encoding or "UTF-8")
        with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(workdir.iterdir()):
                if part.suffix != ".zip":
                    zf.write(part, part.name)
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
            _to_file(_gpkg_fields(frame), tmp, target, driver="GPKG", layer=name,
                     mode="w" if first else "a")
            first = False
        if first:
            raise InputError("nothing to write: every layer is empty", file=target,
                             fix="check the inputs")
    return target


# From this many features a GeoPackage started with geopackage_started is written by a
# worker process (gpkg_worker.py); smaller ones by a thread (a process costs ~0.3 s to start).
WORKER_FEATURES = 100_000


class PendingGeoPackage:
    """A GeoPackage being written while the run goes on; :meth:`result` waits for it."""

    def __init__(self, target: Path, wait: Callable[[], object]) -> None:
        self.target = target
        self._wait = wait
        self._done = False

    def result(self) -> Path:
        """Wait until every layer is written; the path the file will have (an error of the
        write is raised here, as :class:`InputError`)."""
        if not self._done:
            self._wait()
            self._done = True
        return self.target


@contextlib.contextmanager
def geopackage_started(target: str | Path, layers: dict[str, gpd.GeoDataFrame]
                       ) -> Iterator[PendingGeoPackage]:
    """Write ``layers`` into the GeoPackage ``target`` while the block runs.

    The same file as :func:`write_geopackage`, all or nothing. Large polygon layers are
    written by a worker process (:mod:`.gpkg_worker`): GDAL's writer holds the GIL, so a
    thread could not draw the run's map meanwhile (1M parcels: ~6 s of GDAL taken off the
    run). A thread encodes them as Arrow batches and feeds the worker through named pipes
    in a scratch folder beside ``target`` while the block starts on the workbook and the
    map (see :class:`_WorkerHandoff`). Other layers are written by a thread. Leaving the
    block waits for the write. An exception in the block stops the preparation, kills a
    worker process and leaves no file; a thread's write is let finish (its file lies in the
    caller's stage, removed with it).

    Examples
    --------
    >>> import tempfile
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"n": [1]}, geometry=[box(0, 0, 1, 1)], crs=4544)
    >>> target = Path(tempfile.mkdtemp()) / "r.gpkg"
    >>> with geopackage_started(target, {"a": g}) as pending:
    ...     pass   # the workbook and the map are made here
    >>> pending.result() == target, target.exists()
    (True, True)
    """
    target = Path(target)
    kept = {name: frame for name, frame in layers.items() if len(frame)}
    if not kept or sum(map(len, kept.values())) < WORKER_FEATURES:
        with ThreadPoolExecutor(1, thread_name_prefix="gaoxin-write") as pool:
            future = pool.submit(write_geopackage, target, layers)
            pending = PendingGeoPackage(target, future.result)
            yield pending
            pending.result()
        return
    with atomic_path(target) as tmp:
        handoff = _WorkerHandoff(target, tmp, kept)
        pool = ThreadPoolExecutor(1, thread_name_prefix="gaoxin-write")
        prepared = pool.submit(handoff.run)
        pending = PendingGeoPackage(target, lambda: handoff.wait(prepared))
        try:
            yield pending
            pending.result()
        except BaseException:
            handoff.stop()
            raise
        finally:
            pool.shutdown(wait=True)   # a thread's write ends before its folder is removed
            handoff.reap()


class _WorkerHandoff:
    """The thread's part of :func:`geopackage_started` for large layers: the layers
    planned, the worker process started, and their Arrow batches fed to it through named
    pipes in ``tmp``'s folder (or, where a layer has no Arrow plan or no process can be had,
    the write done here)."""

    def __init__(self, target: Path, tmp: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
        self.target, self.tmp, self.layers = target, tmp, layers
        self.spec: Spec = {"target": str(tmp), "layers": [],
                           "digest": str(tmp.parent / "sha256")}
        self.errors = tmp.parent / "worker.err"
        self.worker: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def run(self) -> None:
        """Plan the layers, start the worker, and feed it their batches (in the handoff's
        thread).

        Each layer goes to the worker through a named pipe in the scratch folder: GDAL
        starts on the first batch while the next are encoded (at 1M parcels the worker used
        to wait ~4 s for the whole table and its stream file). Where pipes cannot be made
        the streams are written whole first, as files.
        """
        plans: list[GeoPackagePlan] = []
        for frame in self.layers.values():
            plan = geopackage_plan(_gpkg_fields(frame))
            if plan is None:   # only pyogrio's own path writes this layer: all here
                self._write_here()
                return
            plans.append(plan)
            if self._stopped:
                return
        piped = hasattr(os, "mkfifo")
        for i, (name, plan) in enumerate(zip(self.layers, plans, strict=True)):
            stream = self.tmp.parent / f"layer-{i}.arrows"
            if piped:
                os.mkfifo(stream, 0o600)
            else:
                _arrow_stream(plan, stream)
            self.spec["layers"].append({
                "stream": str(stream), "name": name, "geometry_name": plan.geometry_name,
                "geometry_type": plan.kind, "crs": plan.crs})
        spec_path = self.tmp.parent / "spec.json"
        spec_path.write_text(json.dumps(self.spec, ensure_ascii=False), encoding="utf-8")
        script = Path(__file__).with_name("gpkg_worker.py")
        with self._lock:
            if self._stopped:
                return
            if sys.executable and script.is_file():
                try:
                    with self.errors.open("wb") as err:
                        # -P: the script's folder (gaoxin/layers) is not put on the import path.
                        self.worker = subprocess.Popen(
                            [sys.executable, "-P", str(script), str(spec_path)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
                except OSError:
                    self.worker = None   # no process to be had (a limit): the write here
        if self.worker is None:
            if piped:   # nobody reads a pipe: the streams as files
                for plan, layer in zip(plans, self.spec["layers"], strict=True):
                    Path(layer["stream"]).unlink()
                    _arrow_stream(plan, Path(layer["stream"]))
            try:
                write_layers(self.spec)
            except Exception as exc:
                raise _write_error(str(exc) or type(exc).__name__, self.target) from None
            return
        if piped:
            for plan, layer in zip(plans, self.spec["layers"], strict=True):
                if not self._feed(plan, Path(layer["stream"])):
                    return   # the worker ended or the run stopped: wait() tells which

    def _feed(self, plan: GeoPackagePlan, pipe: Path) -> bool:
        """Write ``plan``'s batches into the worker's ``pipe``; False if the worker went
        away (its exit status and message say why) or the run stopped."""
        import pyarrow as pa

        fd = self._opened_by_worker(pipe)
        if fd is None:
            return False
        try:
            # Unbuffered: a close after a broken pipe has nothing left to flush.
            with os.fdopen(fd, "wb", buffering=0) as sink, \
                    pa.ipc.new_stream(sink, plan.schema()) as stream:
                for batch in plan.batches():
                    if self._stopped:
                        return False
                    stream.write_batch(batch)
        except BrokenPipeError:
            return False
        return True

    def _opened_by_worker(self, pipe: Path) -> int | None:
        """``pipe`` opened for writing once the worker opens it for reading; None if the
        worker ends first or the run stops (a plain open would then wait for ever)."""
        assert self.worker is not None
        while not self._stopped and self.worker.poll() is None:
            try:
                fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:   # ENXIO: no reader yet
                    raise
                time.sleep(0.005)
                continue
            os.set_blocking(fd, True)
            return fd
        return None

    def _write_here(self) -> None:
        first = True
        for name, frame in self.layers.items():
            _to_file(_gpkg_fields(frame), self.tmp, self.target, driver="GPKG", layer=name,
                     mode="w" if first else "a")
            first = False

    def wait(self, prepared: Future[None]) -> None:
        """The file written, or the write's error as :class:`InputError`."""
        prepared.result()
        if self.worker is None:
            return
        if self.worker.wait() != 0:
            raise _write_error(self.errors.read_text(encoding="utf-8", errors="replace")
                               or f"the writer process ended with {self.worker.returncode}",
                               self.target)
        if self.spec["layers"]:
            _remember_digest(self.tmp, Path(self.spec["digest"]).read_text(encoding="ascii"))

    def stop(self) -> None:
        """The run failed: start nothing more, and end a worker already started."""
        with self._lock:
            self._stopped = True
            if self.worker is not None and self.worker.poll() is None:
                self.worker.kill()

    def reap(self) -> None:
        """Collect the worker's exit (once it has ended or been killed)."""
        if self.worker is not None and self._stopped:
            self.worker.wait()


def _gpkg_fields(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with nullable booleans as 1/0/NULL integers (GeoPackage has no nullable
    boolean); columns are replaced, never changed in place."""
    f = frame.copy(deep=False)
    for c in f.columns:
        if str(f[c].dtype) == "boolean":
            f[c] = f[c].astype("Int8")
    return f


def _arrow_stream(plan: GeoPackagePlan, path: Path) -> None:
    """``plan``'s layer as an Arrow IPC stream file, in batches the worker reads one at a
    time."""
    import pyarrow as pa

    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, plan.schema()) as stream:
        for batch in plan.batches():
            stream.write_batch(batch)


def write_with(target: str | Path, writer: Callable[[Path], None]) -> Path:
    """Run ``writer(tmp_path)`` and move the result to ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)
