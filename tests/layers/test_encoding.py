"""Shapefile text encodings as they occur in China (anchors.md B4), with real GDAL files.

Parametrised like pyogrio's ``encoded_text`` fixture: UTF-8, GBK and GB18030, each with and
without a ``.cpg``, and with the DBF language-driver byte (LDID, byte 29) at 0 (no hint) or
0x4D (GBK / code page 936).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely import box

from gaoxin.errors import InputError
from gaoxin.layers.encoding import guess_dbf_encoding, normalise_encoding_name
from gaoxin.layers.read import read_source

# "㐀" (U+3400, CJK extension A) and "𠀀" (U+20000, extension B) are four-byte GB18030
# sequences and not in GBK: only a true GB18030 decoder gets them right.
TEXT = {"UTF-8": "高新区南区", "GBK": "高新区南区", "GB18030": "㐀𠀀产业园"}


def test_gb18030_text_is_outside_gbk() -> None:
    with pytest.raises(UnicodeEncodeError):
        TEXT["GB18030"].encode("gbk")
    assert TEXT["GB18030"].encode("gb18030")[:4] == bytes.fromhex("8139ee39")  # 㐀


def make_shapefile(folder: Path, encoding: str, *, cpg: bool, ldid: int) -> Path:
    """A one-feature Shapefile with Chinese field names (≤ 10 bytes) written by GDAL."""
    gdf = gpd.GeoDataFrame({"名称": [TEXT[encoding]], "用地": ["工业用地"]},
                           geometry=[box(500000, 3400000, 500100, 3400100)], crs=4544)
    shp = folder / f"{encoding}.shp"
    pyogrio.write_dataframe(gdf, shp, encoding=encoding)
    assert shp.with_suffix(".cpg").read_text() == encoding  # GDAL writes the .cpg …
    if not cpg:
        shp.with_suffix(".cpg").unlink()  # … which users often lose
    dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
    dbf[29] = ldid
    shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    return shp


# (encoding, .cpg, LDID) → (encoding read as, how it was decided)
CASES = {
    ("UTF-8", True, 0x00): ("utf-8", "cpg"),
    ("UTF-8", True, 0x4D): ("utf-8", "cpg"),
    ("UTF-8", False, 0x00): ("utf-8", "heuristic"),
    ("UTF-8", False, 0x4D): ("utf-8", "heuristic"),   # LDID says GBK, text is UTF-8
    ("GBK", True, 0x00): ("gbk", "cpg"),
    ("GBK", True, 0x4D): ("gbk", "cpg"),
    ("GBK", False, 0x00): ("gb18030", "heuristic"),   # GB18030 decodes all GBK text
    ("GBK", False, 0x4D): ("gbk", "ldid"),
    ("GB18030", True, 0x00): ("gb18030", "cpg"),
    ("GB18030", True, 0x4D): ("gb18030", "cpg"),
    ("GB18030", False, 0x00): ("gb18030", "heuristic"),
    ("GB18030", False, 0x4D): ("gb18030", "ldid"),    # GBK label, four-byte characters
}


@pytest.mark.parametrize(("encoding", "cpg", "ldid"), list(CASES),
                         ids=[f"{e}-{'cpg' if c else 'nocpg'}-ldid{x:02X}" for e, c, x in CASES])
def test_chinese_text_read_correctly(tmp_path: Path, encoding: str, cpg: bool,
                                     ldid: int) -> None:
    shp = make_shapefile(tmp_path, encoding, cpg=cpg, ldid=ldid)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    gdf, report = read_source(shp)
    assert gdf.columns.tolist() == ["名称", "用地", "geometry"]
    assert gdf.iloc[0]["名称"] == TEXT[encoding]
    assert gdf.iloc[0]["用地"] == "工业用地"
    assert (report.encoding, report.encoding_how) == CASES[(encoding, cpg, ldid)]
    overruled = (encoding, cpg, ldid) == ("UTF-8", False, 0x4D)
    assert any("language-driver byte 0x4D" in w for w in report.warnings) == overruled
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert after == before  # reading never touches the input


def test_plain_pyogrio_returns_mojibake_for_gbk_without_hint(tmp_path: Path) -> None:
    """Why our detection exists: GDAL takes a GBK DBF without .cpg and LDID as Latin-1."""
    shp = make_shapefile(tmp_path, "GBK", cpg=False, ldid=0)
    plain = pyogrio.read_dataframe(shp)
    # Each GBK byte becomes one Latin-1 character: 名称 = C3 FB B3 C6 → "Ãû³Æ".
    assert plain.columns[0] == "名称".encode("gbk").decode("latin-1") == "Ãû³Æ"
    assert plain.iloc[0, 0] == "高新区南区".encode("gbk").decode("latin-1")
    assert read_source(shp)[0].iloc[0]["名称"] == "高新区南区"


def test_plain_pyogrio_misreads_utf8_stamped_gbk(tmp_path: Path) -> None:
    """A UTF-8 DBF whose LDID claims GBK: GDAL trusts the byte; we check the text."""
    shp = make_shapefile(tmp_path, "UTF-8", cpg=False, ldid=0x4D)
    plain = pyogrio.read_dataframe(shp)
    assert plain.iloc[0, 0] != "高新区南区"
    assert read_source(shp)[0].iloc[0]["名称"] == "高新区南区"


def test_declared_encoding_wins(tmp_path: Path) -> None:
    shp = make_shapefile(tmp_path, "GBK", cpg=False, ldid=0)
    gdf, report = read_source(shp, encoding="cp936")
    assert (report.encoding, report.encoding_how) == ("gbk", "declared")
    assert gdf.iloc[0]["名称"] == "高新区南区"


def test_cpg_contradicted_by_text(tmp_path: Path) -> None:
    """A .cpg saying UTF-8 on a GBK file (edited by hand): the text decides, with a warning."""
    shp = make_shapefile(tmp_path, "GBK", cpg=False, ldid=0)
    shp.with_suffix(".cpg").write_text("UTF-8")
    gdf, report = read_source(shp)
    assert gdf.iloc[0]["名称"] == "高新区南区"
    assert report.encoding_how == "heuristic"
    assert report.warnings == ["the .cpg says UTF-8 but the text reads as gb18030; "
                               "read as gb18030"]


def test_field_name_cut_mid_character_is_mended(tmp_path: Path) -> None:
    """GDAL cuts 用地性质 (12 bytes in UTF-8) to 10 bytes: 用地性 plus a stray 0xE8 byte."""
    gdf = gpd.GeoDataFrame({"用地性a": ["M1"]}, geometry=[box(500000, 3400000, 500100, 3400100)],
                           crs=4544)
    shp = tmp_path / "cut.shp"
    pyogrio.write_dataframe(gdf, shp)  # "用地性a" is exactly 10 bytes
    dbf = shp.with_suffix(".dbf").read_bytes()
    cut = "用地性质".encode()[:10]
    assert cut[-1:] == b"\xe8"
    shp.with_suffix(".dbf").write_bytes(dbf.replace("用地性a".encode(), cut, 1))
    before = shp.with_suffix(".dbf").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        pyogrio.read_dataframe(shp)
    back, report = read_source(shp)
    assert back.columns.tolist() == ["用地性", "geometry"]
    assert back.iloc[0]["用地性"] == "M1"
    assert any("mended DBF field names" in f for f in report.fixes)
    assert shp.with_suffix(".dbf").read_bytes() == before


def dbf_bytes(names: list[str], width: int, value: str, encoding: str, ldid: int = 0) -> bytes:
    """A minimal dBase III file: one record of character fields ``width`` bytes wide."""
    header_len = 32 + 32 * len(names) + 1
    header = bytearray(32)
    header[0] = 0x03
    header[4:8] = (1).to_bytes(4, "little")
    header[8:10] = header_len.to_bytes(2, "little")
    header[10:12] = (1 + width * len(names)).to_bytes(2, "little")
    header[29] = ldid
    for name in names:
        field = bytearray(32)
        field[:11] = name.encode(encoding)[:10].ljust(11, b"\0")
        field[11] = ord("C")
        field[16] = width
        header += field
    header += b"\x0d"
    record = b" " + value.encode(encoding).ljust(width, b" ") * len(names)
    return bytes(header) + record + b"\x1a"


def test_wide_fields_do_not_spoil_the_guess() -> None:
    """A field 254 bytes wide stores 0xFE in its descriptor: binary, not text."""
    dbf = dbf_bytes(["名称"], 254, "高新区", "utf-8")
    assert dbf[32 + 16] == 0xFE
    assert guess_dbf_encoding(dbf).encoding == "utf-8"
    assert guess_dbf_encoding(dbf_bytes(["名称"], 254, "高新区", "gbk")).encoding == "gb18030"


def test_ascii_only_dbf_is_utf8() -> None:
    assert guess_dbf_encoding(dbf_bytes(["NAME"], 20, "Zone A", "ascii")).encoding == "utf-8"


@pytest.mark.parametrize(("cpg", "expected"), [
    ("65001", "utf-8"), ("UTF-8\n", "utf-8"), ("UTF8", "utf-8"), ("\ufeffUTF-8", "utf-8"),
    ("936", "gbk"), ("ANSI 936", "gbk"), ("CP936", "gbk"), ("cp936", "gbk"), ("GB2312", "gbk"),
    ("54936", "gb18030"), ("GB 18030", "gb18030"), ("Big-5", "big5"), ("BIG5", "big5"),
    ("950", "big5"), ("ANSI 1252", "cp1252"), ("windows-1252", "cp1252"), ("949", "cp949"),
    ("88591", "latin-1"), ("ISO-8859-1", "latin-1"),
])
def test_cpg_spellings(cpg: str, expected: str) -> None:
    assert normalise_encoding_name(cpg) == expected


@pytest.mark.parametrize("name", ["OEM", "System", "Klingon", "rot13", "utf-16", "undefined",
                                  "idna", "Kling\0on", "x" * 300])
def test_names_that_are_no_dbf_encoding_are_refused(name: str) -> None:
    """Not a codec, or one that does not keep ASCII as ASCII (DBF numbers are ASCII)."""
    with pytest.raises(InputError) as err:
        normalise_encoding_name(name)
    assert str(err.value) == (f"unknown text encoding {name[:40]!r}. "
                              "Fix: use UTF-8, GBK or GB18030")


def test_big5_with_a_big_dash_5_cpg(tmp_path: Path) -> None:
    """Traditional Chinese (Taiwan, Hong Kong); the .cpg spelled as some tools write it."""
    gdf = gpd.GeoDataFrame({"名稱": ["高新區"]}, geometry=[box(500000, 3400000, 500100, 3400100)],
                           crs=4544)
    shp = tmp_path / "big5.shp"
    pyogrio.write_dataframe(gdf, shp, encoding="BIG5")
    shp.with_suffix(".cpg").write_text("Big-5")
    back, report = read_source(shp)
    assert (report.encoding, report.encoding_how) == ("big5", "cpg")
    assert back.iloc[0]["名稱"] == "高新區"


@pytest.mark.parametrize("cpg", [b"Klingon", b"rot13", b"Kling\0on", b"\xff\xfe"])
def test_unknown_cpg_is_passed_over_with_a_note(tmp_path: Path, cpg: bytes) -> None:
    shp = make_shapefile(tmp_path, "UTF-8", cpg=False, ldid=0)
    shp.with_suffix(".cpg").write_bytes(cpg)
    gdf, report = read_source(shp)
    assert gdf.iloc[0]["名称"] == TEXT["UTF-8"]
    assert report.encoding_how == "heuristic"
    shown = cpg.decode("utf-8", "replace").strip()
    assert report.warnings == [f"the .cpg says {shown!r}, which names no known text encoding "
                               "(write UTF-8, GBK or GB18030 in it), but the text reads as "
                               "utf-8; read as utf-8"]


def test_unknown_cpg_leaves_the_language_driver_byte_to_decide(tmp_path: Path) -> None:
    shp = make_shapefile(tmp_path, "GBK", cpg=False, ldid=0x4D)
    shp.with_suffix(".cpg").write_text("OEM")
    gdf, report = read_source(shp)
    assert gdf.iloc[0]["名称"] == TEXT["GBK"]
    assert (report.encoding, report.encoding_how) == ("gbk", "ldid")
    assert report.warnings == ["the .cpg says 'OEM', which names no known text encoding "
                               "(write UTF-8, GBK or GB18030 in it); read as gbk"]


def test_wrong_declared_encoding_is_reported_not_raised(tmp_path: Path) -> None:
    """GB18030 text read as GBK: GDAL's recoding complaint lands in the report."""
    shp = make_shapefile(tmp_path, "GB18030", cpg=False, ldid=0)
    gdf, report = read_source(shp, encoding="GBK")
    assert gdf.iloc[0]["名称"] != TEXT["GB18030"]
    assert gdf.iloc[0]["用地"] == "工业用地"
    assert any(w.startswith("GDAL: One or several characters couldn't be converted")
               for w in report.warnings)
