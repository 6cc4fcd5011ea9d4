"""Fuzzing the 界址点坐标 TXT reader: whatever the bytes, a result or an InputError.

Damaged copies of a valid file (lines dropped, repeated or replaced, numbers broken, other
encodings and line ends, truncation) and plain random text or bytes. Any other exception,
or a warning (pytest turns warnings into errors), is a bug: the user would see a traceback.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaoxin.errors import InputError
from gaoxin.layers.boundary_txt import read_boundary_txt

VALID = """\
[属性描述]
格式版本号=1.01版本
坐标系=2000国家大地坐标系
几度分带=3
带号=35
[地块坐标]
10,0.8400,DK-01,一号地块,面,,工业用地,0601,@
J1,1,3390000.000,35410000.000
J2,1,3390100.000,35410000.000
J3,1,3390100.000,35410100.000
J4,1,3390000.000,35410100.000
J1,1,3390000.000,35410000.000
J5,2,3390030.000,35410030.000
J6,2,3390070.000,35410030.000
J7,2,3390070.000,35410070.000
J8,2,3390030.000,35410070.000
J5,2,3390030.000,35410030.000
5,0.2500,DK-02,二号地块,面,,,,@
J9,1,3390000.000,35410300.000
J10,1,3390050.000,35410300.000
J11,1,3390050.000,35410350.000
J12,1,3390000.000,35410350.000
J9,1,3390000.000,35410300.000
"""
LINES = VALID.splitlines()

# Characters that mean something to the reader, plus a few that mean nothing.
SYMBOLS = "0123456789.,，@=[]【】-+*eE Jj\t圈号地块坐标属性描述面线点公顷亩/\\'\"<>&"
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**400), 10**400).map(str),
    st.sampled_from(["", "-", ".", "1e9", "nan", "inf", "0x10", "１２３", "3,390,000", "1..2",
                     "1" + "0" * 400, "9" * 20, "-0", "30.6", "104.1"]),
    st.text(SYMBOLS, max_size=12),
)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def read(folder: Path, raw: bytes, crs: str | None, close_rings: bool) -> None:
    path = folder / "fuzz.txt"
    path.write_bytes(raw)
    try:
        gdf, warnings = read_boundary_txt(path, crs=crs, close_rings=close_rings)
    except InputError as exc:
        assert exc.file == str(path) and exc.problem
        return
    assert len(gdf) >= 1 and all(isinstance(w, str) for w in warnings)


@st.composite
def damaged_lines(draw: st.DrawFn) -> list[str]:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "text", "field", "swap"]))
        if action == "drop" and len(lines) > 1:
            del lines[i]
        elif action == "repeat":
            lines.insert(i, lines[i])
        elif action == "text":
            lines[i] = draw(st.text(SYMBOLS, max_size=40))
        elif action == "field":
            fields = lines[i].split(",")
            fields[draw(st.integers(0, len(fields) - 1))] = draw(NUMBERS)
            lines[i] = ",".join(fields)
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return lines


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
CRS = st.sampled_from([None, None, "EPSG:4523", "cgcs2000", "gk35"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=damaged_lines(), encoding=ENCODINGS, newline=NEWLINES, crs=CRS,
       close_rings=st.booleans(), cut=st.one_of(st.none(), st.integers(0, 2000)))
def test_damaged_files_give_a_result_or_an_input_error(
    folder: Path, lines: list[str], encoding: str, newline: str, crs: str | None,
    close_rings: bool, cut: int | None,
) -> None:
    raw = newline.join(lines).encode(encoding, errors="replace")
    read(folder, raw[:cut], crs, close_rings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers=st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.integers(0, 3), NUMBERS),
                        min_size=1, max_size=3),
       crs=CRS)
def test_damaged_numbers_give_a_result_or_an_input_error(
    folder: Path, numbers: list[tuple[int, int, str]], crs: str | None,
) -> None:
    lines = list(LINES)
    for i, at, number in numbers:
        fields = lines[i].split(",")
        fields[min(at, len(fields) - 1)] = number
        lines[i] = ",".join(fields)
    read(folder, "\r\n".join(lines).encode("gbk"), crs, close_rings=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=400),
                      st.lists(st.text(SYMBOLS, max_size=40), max_size=15).map("\n".join)
                      .map(lambda text: text.encode("utf-8"))),
       header=st.booleans(), crs=CRS)
def test_random_text_and_bytes_give_a_result_or_an_input_error(
    folder: Path, body: bytes, header: bool, crs: str | None,
) -> None:
    prefix = "[属性描述]\n带号=35\n[地块坐标]\n".encode() if header else b""
    read(folder, prefix + body, crs, close_rings=False)
