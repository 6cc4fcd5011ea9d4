"""Text encodings of Shapefile attribute tables as they occur in China.

GDAL honours a ``.cpg`` file, but without one it trusts the DBF language-driver byte, and
for a GBK file with byte 0 it silently returns mojibake (``名称`` → ``Ãû³Æ``; anchors.md
B4). So we decide the encoding ourselves: ``.cpg``, then the language-driver id, then a
decoding heuristic over the field names and records, and pass it to pyogrio explicitly.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

# DBF language-driver ids (byte 29) that name Chinese code pages; others say nothing useful
# about Chinese text and fall through to the heuristic.
_LDID = {0x4D: "gbk", 0x7A: "gbk", 0x4E: "cp949", 0x4F: "big5", 0x78: "big5"}
# .cpg and user spellings, lower case with everything but letters and digits dropped
# ("ANSI 936" → "ansi936"). Windows code pages are numbers; GB2312 text is read as GBK, its
# superset, because files labelled GB2312 routinely hold GBK characters.
_SPELLINGS = {
    "utf8": "utf-8", "gbk": "gbk", "gb2312": "gbk", "euccn": "gbk", "gb18030": "gb18030",
    "big5": "big5", "iso88591": "latin-1", "latin1": "latin-1", "88591": "latin-1",
}
_CODE_PAGES = {"65001": "utf-8", "936": "gbk", "20936": "gbk", "54936": "gb18030",
               "950": "big5", "28591": "latin-1"}
_CODE_PAGE = re.compile(r"(?:ansi|oem|windows|cp|ms)?(\d+)")
_SAMPLE_BYTES = 2_000_000
_CPG_BYTES = 1024  # a .cpg holds one short name; more is not a .cpg


@dataclass(frozen=True)
class EncodingGuess:
    """The encoding of a DBF and how it was decided (``cpg``, ``ldid``, ``heuristic``)."""

    encoding: str
    how: str
    note: str = ""  # why a .cpg or language-driver byte was overruled


def normalise_encoding_name(name: str) -> str:
    """Map a .cpg or user spelling to a Python codec name.

    Raises
    ------
    InputError
        When ``name`` is no text encoding that keeps ASCII as ASCII (as every DBF encoding
        must: field types, numbers and dates are ASCII).

    Examples
    --------
    >>> normalise_encoding_name("936"), normalise_encoding_name("UTF-8 ")
    ('gbk', 'utf-8')
    >>> normalise_encoding_name("Big-5"), normalise_encoding_name("ANSI 1252")
    ('big5', 'cp1252')
    """
    text = name.strip().lstrip("\ufeff").strip()
    compact = re.sub(r"[^0-9a-z]", "", text.lower())
    code_page = _CODE_PAGE.fullmatch(compact)
    if compact in _SPELLINGS:
        return _SPELLINGS[compact]
    candidates = [text.replace(" ", "-"), compact]
    if code_page:
        if code_page[1] in _CODE_PAGES:
            return _CODE_PAGES[code_page[1]]
        candidates.insert(0, f"cp{code_page[1]}")
    for candidate in candidates:
        codec = _ascii_codec(candidate)
        if codec is not None:
            return codec
    raise InputError(f"unknown text encoding {name.strip()[:40]!r}",
                     fix="use UTF-8, GBK or GB18030")


def _ascii_codec(name: str) -> str | None:
    """Python's name for the codec ``name`` when it decodes bytes to text with ASCII intact."""
    try:
        codec = codecs.lookup(name).name
        if b"NAME 09".decode(codec) == "NAME 09":
            bytes(range(256)).decode(codec, "replace")
            return codec
    except (LookupError, ValueError):  # ValueError: a NUL in the name; UnicodeError
        pass
    return None


def guess_dbf_encoding(dbf: bytes, cpg: str | None = None) -> EncodingGuess:
    """Decide the encoding of DBF bytes (optionally with the text of a ``.cpg``).

    The ``.cpg`` wins, then the language-driver id (byte 29), but only when the field names
    and records actually decode with it: a UTF-8 file stamped GBK, or GB18030 text (four-byte
    characters such as ``㐀``) under a GBK label, is otherwise read as mojibake. Failing both,
    UTF-8 is tried, then GB18030 (which decodes all GBK and GB2312 text), then Latin-1. A
    ``.cpg`` naming no known encoding is passed over, with a note saying so.

    Examples
    --------
    >>> header = bytearray(32); header[29] = 0x4D
    >>> guess_dbf_encoding(bytes(header))
    EncodingGuess(encoding='gbk', how='ldid', note='')
    >>> guess_dbf_encoding(b"\\x03" + bytes(31) + "名称".encode("gbk"))
    EncodingGuess(encoding='gb18030', how='heuristic', note='')
    >>> guess_dbf_encoding(b"", cpg="UTF-8")
    EncodingGuess(encoding='utf-8', how='cpg', note='')
    >>> guess_dbf_encoding(bytes(header) + "名称".encode("utf-8")).encoding
    'utf-8'
    >>> guess_dbf_encoding(bytes(header), cpg="OEM").note
    "the .cpg says 'OEM', which names no known text encoding (write UTF-8, GBK or GB18030 in it)"
    """
    texts = _dbf_texts(dbf)
    unknown = ""  # a .cpg naming no encoding is a lost hint, not a reason to refuse the file
    if cpg and cpg.strip():
        try:
            declared = normalise_encoding_name(cpg)
        except InputError:
            unknown = (f"the .cpg says {cpg.strip()[:40]!r}, which names no known text "
                       "encoding (write UTF-8, GBK or GB18030 in it),")
        else:
            found = _first_decoding(texts, _family(declared))
            if found:
                return EncodingGuess(found, "cpg")
            return _heuristic(texts, f"the .cpg says {cpg.strip()}")
    if len(dbf) > 29 and dbf[29] in _LDID:
        declared = _LDID[dbf[29]]
        # Valid multi-byte UTF-8 is practically never GBK text: a wrong stamp, not the data.
        if not (_has_multibyte(texts) and _first_decoding(texts, ("utf-8",))):
            found = _first_decoding(texts, _family(declared))
            if found:
                return EncodingGuess(found, "ldid", unknown.rstrip(","))
        claim = f"the DBF language-driver byte 0x{dbf[29]:02X} says {declared}"
        return _heuristic(texts, f"{unknown} and {claim}" if unknown else claim)
    return _heuristic(texts, unknown)


def _heuristic(texts: list[tuple[bytes, bool]], claim: str) -> EncodingGuess:
    """UTF-8, else GB18030, else Latin-1; ``claim`` is the hint this overrules, if any."""
    found = _first_decoding(texts, ("utf-8", "gb18030")) or "latin-1"
    note = f"{claim} but the text reads as {found}" if claim else ""
    return EncodingGuess(found, "heuristic", note)


def _family(encoding: str) -> tuple[str, ...]:
    """The encoding and, for GBK/GB2312, its superset GB18030."""
    return (encoding, "gb18030") if encoding in ("gbk", "gb2312") else (encoding,)


def _first_decoding(texts: list[tuple[bytes, bool]], candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        if all(_decodes(text, candidate, cut) for text, cut in texts):
            return candidate
    return None


def _has_multibyte(texts: list[tuple[bytes, bool]]) -> bool:
    return any(max(text, default=0) > 0x7F for text, _ in texts)


def _dbf_texts(dbf: bytes) -> list[tuple[bytes, bool]]:
    """The text parts of DBF bytes: each field name, then the record area.

    The header's binary parts (counts, field widths ≥ 128) are left out, so they cannot
    spoil the decoding test. Each text comes with whether it may end inside a character:
    field names (GDAL cuts names to 10 bytes), and the records when the sample is cut.
    """
    if len(dbf) < 32:
        return []
    sampled = len(dbf) >= _SAMPLE_BYTES
    header_len = int.from_bytes(dbf[8:10], "little")
    if not 32 < header_len <= len(dbf):
        return [(dbf[32:], sampled)]
    texts = []
    for start in range(32, header_len - 31, 32):
        if dbf[start] == 0x0D:
            break
        texts.append((_name_bytes(dbf[start:start + 11]), True))
    texts.append((dbf[header_len:], sampled))
    return texts


def _name_bytes(raw: bytes) -> bytes:
    return raw.split(b"\0", 1)[0].rstrip(b" ")


def _decodes(body: bytes, encoding: str, may_be_cut: bool) -> bool:
    try:
        body.decode(encoding)
        return True
    except UnicodeDecodeError as exc:
        return may_be_cut and _cut_at_end(exc, body)


def _cut_at_end(exc: UnicodeDecodeError, body: bytes) -> bool:
    """Whether the only decoding error is a character cut off at the very end."""
    return exc.end == len(body) and exc.reason in ("unexpected end of data",
                                                    "incomplete multibyte sequence")


def fit_field_name(name: str, encoding: str, taken: set[str], limit: int = 10) -> str:
    """Shorten ``name`` to ``limit`` bytes in ``encoding`` on a character boundary.

    DBF field names hold at most 10 bytes. GDAL cuts longer names byte-wise, which splits
    a Chinese character in two and leaves a file that nothing reads (UnicodeDecodeError).
    A shortened name that collides with one in ``taken`` gets a numeric suffix.

    Examples
    --------
    >>> fit_field_name("用地性质", "utf-8", set()), fit_field_name("用地性质", "gbk", set())
    ('用地性', '用地性质')
    >>> fit_field_name("用地性质代码", "gbk", {"用地性质代"})
    '用地性质1'
    """
    def cut(text: str, room: int) -> str:
        while len(text.encode(encoding)) > room:
            text = text[:-1]
        return text

    lowered = {t.lower() for t in taken}  # DBF field names ignore case
    fitted = cut(name, limit)
    n = 1
    while fitted.lower() in lowered:
        suffix = str(n)
        fitted = cut(name, limit - len(suffix)) + suffix
        n += 1
    return fitted


def repair_dbf_names(header: bytes, encoding: str) -> bytes | None:
    """DBF header bytes with field names cut mid-character mended, or None when all are fine.

    The broken tail bytes of a name are zeroed (``用地性\\xe8`` → ``用地性``); a name that
    then repeats an earlier one gets a numeric suffix, as :func:`fit_field_name` does.

    Examples
    --------
    >>> h = bytearray(32 + 32 + 1); h[8:10] = (65).to_bytes(2, "little"); h[64] = 0x0D
    >>> h[32:42] = "用地性质".encode("utf-8")[:10]
    >>> fixed = repair_dbf_names(bytes(h), "utf-8")
    >>> fixed[32:43].rstrip(b"\\0").decode("utf-8")
    '用地性'
    >>> repair_dbf_names(fixed, "utf-8") is None
    True
    """
    if len(header) < 32:
        return None
    header_len = min(int.from_bytes(header[8:10], "little"), len(header))
    out = bytearray(header)
    taken: set[str] = set()
    changed = False
    for start in range(32, header_len - 31, 32):
        if out[start] == 0x0D:
            break
        raw = _name_bytes(bytes(out[start:start + 11]))
        try:
            name = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            if not _cut_at_end(exc, raw):
                continue  # wrongly encoded, not cut: nothing safe to mend
            name = fit_field_name(raw[:exc.start].decode(encoding, "replace"), encoding, taken)
            out[start:start + 11] = name.encode(encoding).ljust(11, b"\0")
            changed = True
        taken.add(name)
    return bytes(out) if changed else None


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
            cpg = None
            if cpg_name:
                with zf.open(cpg_name) as fh:
                    cpg = fh.read(_CPG_BYTES).decode("utf-8", "replace")
        return guess_dbf_encoding(dbf, cpg)
    stem_path = path.with_suffix("")
    dbf_path = _existing(stem_path, ".dbf")
    cpg_path = _existing(stem_path, ".cpg")
    dbf = _head(dbf_path) if dbf_path else b""
    cpg = _head(cpg_path, _CPG_BYTES).decode("utf-8", "replace") if cpg_path else None
    return guess_dbf_encoding(dbf, cpg)


def _existing(stem: Path, ext: str) -> Path | None:
    for candidate in (stem.with_suffix(ext), stem.with_suffix(ext.upper())):
        if candidate.is_file():
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


def _head(path: Path, size: int = _SAMPLE_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)
