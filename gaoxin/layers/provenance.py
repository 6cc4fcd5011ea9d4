"""Provenance: SHA-256 of every input file, without making users wait for it.

A province-wide constraint GeoPackage is a gigabyte; hashing it costs ~4 s on this machine
(no SHA extensions). So digests are computed in a background thread while the analysis
runs (hashlib releases the GIL), and remembered per (path, size, mtime, inode) in a small
cache, as git's index does, so an unchanged file is hashed once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypedDict

_BLOCK = 8 << 20


class FileDigest(TypedDict):
    """One input file in a summary's provenance: its path and SHA-256 (None when missing)."""

    path: str
    sha256: str | None


def cache_file() -> Path:
    """Where digests are remembered: ``$GAOXIN_CACHE_DIR`` or the XDG cache folder."""
    root = os.environ.get("GAOXIN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gaoxin")
    return Path(root) / "sha256.json"


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _digest_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            h.update(block)
    return h.hexdigest()


def sha256(path: str | Path, cache: dict[str, dict[str, str]] | None = None) -> str:
    """SHA-256 of a file (a folder such as a FileGDB: of its files in name order).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_bytes(b"gaoxin")
    >>> sha256(p)[:12]
    'f37839335530'
    """
    path = Path(path).resolve()
    key = str(path)
    if path.is_dir():
        h = hashlib.sha256()
        for p in sorted(path.rglob("*")):
            if p.is_file():
                h.update(p.name.encode("utf-8"))
                h.update(sha256(p, cache).encode("ascii"))
        return h.hexdigest()
    stamp = _stamp(path)
    if cache is not None and cache.get(key, {}).get("stamp") == stamp:
        return cache[key]["sha256"]
    digest = _digest_file(path)
    if cache is not None:
        cache[key] = {"stamp": stamp, "sha256": digest}
    return digest


def _load_cache() -> dict[str, dict[str, str]]:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_cache(cache: dict[str, dict[str, str]]) -> None:
    # The cache only saves time: a read-only home must not fail a run.
    from ..errors import InputError
    from .write import write_text  # lazily: this module must load without geopandas

    # write_text reports an unwritable place as an InputError.
    with contextlib.suppress(OSError, InputError):
        write_text(cache_file(), json.dumps(cache, ensure_ascii=False))


def digests(paths: list[Path]) -> list[FileDigest]:
    """``[{"path", "sha256"}]`` for existing paths, in order, duplicates removed."""
    cache = _load_cache()
    before = json.dumps(cache, sort_keys=True)
    out: list[FileDigest] = []
    for p in dict.fromkeys(Path(p) for p in paths):
        out.append({"path": str(p), "sha256": sha256(p, cache) if p.exists() else None})
    if json.dumps(cache, sort_keys=True) != before:
        _save_cache(cache)
    return out


def workspace_paths(workspace: str | Path) -> list[Path]:
    """Every file a workspace names (and the workspace itself), from a quick TOML read.

    Light on purpose (no geopandas): it lets hashing start before the heavy imports. An
    unreadable workspace gives an empty list; :func:`..workspace.load_workspace` reports it.
    """
    import tomllib

    path = Path(workspace)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return []
    out = [path]
    for section in ("layers", "requests"):
        for entry in (data.get(section) or {}).values():
            if isinstance(entry, dict) and "path" in entry:
                p = Path(str(entry["path"])).expanduser()
                out.append(p if p.is_absolute() else path.parent / p)
    return out


def digests_in_background(paths: list[Path]) -> Future[list[FileDigest]]:
    """Start :func:`digests` in a thread; call ``.result()`` when writing the summary."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gaoxin-sha256")
    future = pool.submit(digests, list(paths))
    pool.shutdown(wait=False)
    return future
