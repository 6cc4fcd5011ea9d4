"""Text encodings of Shapefile attribute tables as they occur in China.

GDAL honours a ``.cpg`` file, but without one it trusts the DBF language-driver byte, and
for a GBK file with byte 0 it silently returns mojibake (``名称`` → ``Ãû³Æ``; anchors.md
B4). So we decide the encoding ourselves: ``.cpg``, then the language-driver id, then a
decoding heuristic over the field names and records, and pass it to pyogrio explicitly.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..geo.errors import InputError

# DBF language-driver ids (byte 29) that name Chinese code pages; others say nothing useful
# about Chinese text and fall through to the heuristic.
_LDID = {0x4D: "gbk", 0x7A: "gbk", 0x4E: "cp949", 0x4F: "big5", 0x78: "big5"}
_CPG = {
    "65001": "utf-8", "utf8": "utf-8", "utf-8": "utf-8",
    "936": "gbk", "cp936": "gbk", "gbk": "gbk", "gb2312": "gbk", "ansi 936": "gbk",
    "54936": "gb18030", "gb18030": "gb18030", "950": "big5", "big5": "big5",
    "1252": "cp1252", "ansi 1252": "cp1252", "88591": "latin-1", "iso-8859-1": "latin-1",
}
_SAMPLE_BYTES = 2_000_000


@dataclass(frozen=True)
class EncodingGuess:
    """The encoding of a DBF and how it was decided (``cpg``, ``ldid``, ``heuristic``)."""

    encoding: str
    how: str


def normalise_encoding_name(name: str) -> str:
    """Map a .cpg or user spelling to a Python codec name.

    Examples
    --------
    >>> normalise_encoding_name("936"), normalise_encoding_name("UTF-8 ")
    ('gbk', 'utf-8')
    """
    key = name.strip().lower().replace("_", "-")
    if key in _CPG:
        return _CPG[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise InputError(f"unknown text encoding {name!r}",
                         fix="use UTF-8, GBK or GB18030") from None


def guess_dbf_encoding(dbf: bytes, cpg: str | None = None) -> EncodingGuess:
    """Decide the encoding of DBF bytes (optionally with the text of a ``.cpg``).

    Examples
    --------
    >>> header = bytearray(32); header[29] = 0x4D
    >>> guess_dbf_encoding(bytes(header))
    EncodingGuess(encoding='gbk', how='ldid')
    >>> guess_dbf_encoding(b"\\x03" + bytes(31) + "名称".encode("gbk"))
    EncodingGuess(encoding='gb18030', how='heuristic')
    >>> guess_dbf_encoding(b"", cpg="UTF-8")
    EncodingGuess(encoding='utf-8', how='cpg')
    """
    if cpg and cpg.strip():
        return EncodingGuess(normalise_encoding_name(cpg), "cpg")
    if len(dbf) > 29 and dbf[29] in _LDID:
        return EncodingGuess(_LDID[dbf[29]], "ldid")
    body = dbf[32:]
    truncated = len(dbf) >= _SAMPLE_BYTES
    for candidate in ("utf-8", "gb18030"):  # GB18030 decodes all GBK and GB2312 text
        if _decodes(body, candidate, truncated):
            return EncodingGuess(candidate, "heuristic")
    return EncodingGuess("latin-1", "heuristic")


def _decodes(body: bytes, encoding: str, truncated: bool) -> bool:
    try:
        body.decode(encoding)
        return True
    except UnicodeDecodeError as exc:
        # The sample may end inside a multi-byte character.
        return truncated and exc.start >= len(body) - 4


def shapefile_encoding(path: Path, *, member: str | None = None) -> EncodingGuess:
    """Encoding of a Shapefile on disk (``.shp`` path) or inside a ``.zip``.

    ``member`` is the ``.shp`` name inside the zip (the first one when None).
    """
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            shp = member or next((n for n in names if n.lower().endswith(".shp")), None)
            if shp is None:
                raise InputError("the zip holds no .shp file", file=path,
                                 fix="zip the .shp with its .dbf, .shx and .prj")
            stem = shp[:-4]
            dbf_name = _sidecar(names, stem, ".dbf")
            cpg_name = _sidecar(names, stem, ".cpg")
            with zf.open(dbf_name) if dbf_name else _empty() as fh:
                dbf = fh.read(_SAMPLE_BYTES)
            cpg = zf.read(cpg_name).decode("ascii", "replace") if cpg_name else None
        return guess_dbf_encoding(dbf, cpg)
    stem = path.with_suffix("")
    dbf_path = _existing(stem, ".dbf")
    cpg_path = _existing(stem, ".cpg")
    dbf = _head(dbf_path) if dbf_path else b""
    cpg = cpg_path.read_text("ascii", "replace") if cpg_path else None
    return guess_dbf_encoding(dbf, cpg)


def _existing(stem: Path, ext: str) -> Path | None:
    for candidate in (stem.with_suffix(ext), stem.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _sidecar(names: list[str], stem: str, ext: str) -> str | None:
    return next((n for n in names if n[:-4] == stem and n.lower().endswith(ext)), None)


class _empty:
    def __enter__(self) -> _empty:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def read(self, n: int = -1) -> bytes:
        return b""


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SAMPLE_BYTES)
