"""Hostile zips and damaged Shapefiles: refused with one message, nothing outside touched.

A security review found that a zipped Shapefile whose members are named
``../../…/parcels.*`` (or ``/…/parcels.*``), with a DBF field name cut in the middle of a
UTF-8 character, made the "mend the field names" path rewrite the DBF header of a Shapefile
outside the zip, and then report that file's polygon with exit 0.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import geopandas as gpd
import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from gaoxin.cli import main
from gaoxin.layers.read import list_layers

PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
CUT_NAME = "用地性质".encode()[:10]  # GDAL's 10-byte cut: 用地性 plus a stray 0xE8


def shapefile_parts(*, cut: bool = True, field: str = "用地性a") -> dict[str, bytes]:
    """The files of a one-parcel Shapefile (1 ha), by suffix; ``cut``: its field name is
    cut mid-character as GDAL leaves it, which sends the reader down the mending path."""
    gdf = gpd.GeoDataFrame({field: ["M1"]}, geometry=[box(500000, 3400000, 500100, 3400100)],
                           crs=4544)
    with tempfile.TemporaryDirectory() as folder:
        pyogrio.write_dataframe(gdf, Path(folder) / "parcels.shp", encoding="UTF-8")
        parts = {suffix: (Path(folder) / f"parcels{suffix}").read_bytes() for suffix in PARTS}
    if cut:
        assert len(field.encode()) == len(CUT_NAME)
        parts[".dbf"] = parts[".dbf"].replace(field.encode(), CUT_NAME, 1)
    return parts


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def tree_hashes(folder: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_area(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(["area", str(path)])
    captured = capsys.readouterr()
    return rc, captured.out + captured.err


def one_line(text: str) -> str:
    """The CLI's message with the console's line wrapping undone."""
    return " ".join(text.split())


# --- the reported attack -----------------------------------------------------------------


# Deeper than any temporary folder: from there, ``..`` stops at the root.
CLIMB = "../" * 40


@pytest.mark.parametrize("spelling", ["relative", "absolute"])
@pytest.mark.parametrize("victim_present", [True, False], ids=["victim", "no-victim"])
def test_zip_slip_leaves_the_file_outside_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str,
        victim_present: bool) -> None:
    """The exact attack: members named after a Shapefile elsewhere on the disk."""
    victim = tmp_path / "elsewhere" / "parcels"
    victim.parent.mkdir()
    if victim_present:
        for suffix, data in shapefile_parts().items():
            victim.with_suffix(suffix).write_bytes(data)
    before = tree_hashes(victim.parent)
    target = str(victim).lstrip("/") if spelling == "relative" else str(victim)
    prefix = CLIMB if spelling == "relative" else ""
    archive = write_zip(tmp_path / "upload.zip", {f"{prefix}{target}{suffix}": data
                                                  for suffix, data in shapefile_parts().items()})
    rc, output = run_area(archive, capsys)
    assert rc == 2
    assert tree_hashes(victim.parent) == before
    member = f"{prefix}{target}{PARTS[0]}"
    problem = ("has '..' in its name, which points outside the zip" if spelling == "relative"
               else "has an absolute name")
    assert one_line(output) == (
        f"error: {archive}: the zip member {member!r} {problem}. Fix: do not unpack this zip "
        "with other tools either; ask the sender to zip the layer's files again, with plain "
        "names such as 地块.shp")


def test_the_same_shapefile_with_plain_names_is_read_and_mended(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The mending path still works once it copies to names of its own."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    archive = write_zip(tmp_path / "upload.zip", {f"数据/地块{suffix}": data
                                                  for suffix, data in shapefile_parts().items()})
    rc, output = run_area(archive, capsys)
    assert rc == 0, output
    assert "10,000.00" in output and "15.00" in output  # 1 ha = 15 亩
    assert "mended DBF field names" not in output  # a fix, not a warning: kept quiet
    assert list(scratch.iterdir()) == []  # the temporary copy is gone


# --- every kind of unsafe entry, on both paths --------------------------------------------


def zip_with_raw_name(path: Path, raw: bytes) -> Path:
    """A zip of a Shapefile whose .shp is stored under ``raw`` bytes (zipfile cannot write a
    NUL in a name, so a placeholder of the same length is patched in afterwards)."""
    parts = shapefile_parts()
    placeholder = "q" * (len(raw) - 4)
    write_zip(path, {f"{placeholder}{s}" if s == ".shp" else f"layer{s}": d
                     for s, d in parts.items()})
    data = path.read_bytes()
    old = f"{placeholder}.shp".encode()
    assert len(old) == len(raw) and data.count(old) == 2  # local header and directory
    path.write_bytes(data.replace(old, raw))
    return path


def symlink_zip(path: Path) -> Path:
    link = zipfile.ZipInfo("layer.dbf")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as zf:
        for suffix, data in shapefile_parts().items():
            if suffix != ".dbf":
                zf.writestr(f"layer{suffix}", data)
        zf.writestr(link, "/etc/passwd")
    return path


def duplicate_zip(path: Path) -> Path:
    with warnings.catch_warnings():  # zipfile warns that the name repeats: that is the point
        warnings.simplefilter("ignore", UserWarning)
        write_zip(path, {f"layer{s}": d for s, d in shapefile_parts().items()})
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("layer.dbf", b"\x03" + bytes(40))
    return path


def geojson_zip_with(name: str) -> Callable[[Path], Path]:
    """No Shapefile: GDAL itself would open the zip (/vsizip/), so the check comes first."""
    def make(path: Path) -> Path:
        layer = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[box(104.0, 30.6, 104.01, 30.61)],
                                 crs=4490).to_json().encode()
        return write_zip(path, {"园区.geojson": layer, name: b"x"})
    return make


def bomb_declared(size: int, packed: int) -> Callable[[Path], Path]:
    """A zip whose layer.dbf claims to unpack to ``size`` bytes from ``packed``."""
    def make(path: Path) -> Path:
        with zipfile.ZipFile(path, "w") as zf:
            for suffix, data in shapefile_parts().items():
                zf.writestr(f"layer{suffix}", data)
            entry = next(e for e in zf.filelist if e.filename == "layer.dbf")
            # the directory is written on close, from these (zip64 when past 4 GiB)
            entry.file_size, entry.compress_size = size, packed
        return path
    return make


def real_bomb(path: Path) -> Path:
    """2 MiB of zeros packed by bzip2 into a few dozen bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as zf:
        for suffix, data in shapefile_parts().items():
            zf.writestr(f"layer{suffix}", data)
        zf.writestr("readme.txt", bytes(2 * 2**20))
    return path


UNSAFE: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # id: (maker, member as shown, problem)
    "nul": (lambda p: zip_with_raw_name(p, b"layer\0x.shp"), "layer\x00x.shp",
            "has a NUL character in its name"),
    "backslash": (lambda p: zip_with_raw_name(p, b"..\\layer.shp"),
                  "..\\layer.shp", "has '..' in its name, which points outside the zip"),
    "unc": (lambda p: zip_with_raw_name(p, b"\\\\x\\layer.shp"), "\\\\x\\layer.shp",
            "has an absolute name"),
    "drive": (lambda p: zip_with_raw_name(p, b"C:layer.shp"), "C:layer.shp",
              "has a name starting with a drive letter"),
    "dots-windows": (lambda p: zip_with_raw_name(p, b".. /layer.shp"),
                     ".. /layer.shp", "has '..' in its name, which points outside the zip"),
    "symlink": (symlink_zip, "layer.dbf", "is a symbolic link"),
    "duplicate": (duplicate_zip, "layer.dbf", "appears twice in the zip"),
    "vsizip-relative": (geojson_zip_with("../../notes.txt"), "../../notes.txt",
                        "has '..' in its name, which points outside the zip"),
    "vsizip-absolute": (geojson_zip_with("/tmp/notes.txt"), "/tmp/notes.txt",
                        "has an absolute name"),
    "bomb-size": (bomb_declared(5 * 2**30, 5 * 2**30), "layer.dbf",
                  "unpacks to 5.0 GiB (the limit is 4 GiB, the largest a Shapefile part can "
                  "be)"),
    "bomb-ratio": (bomb_declared(3 * 2**30, 600), "layer.dbf",
                   "unpacks 5,368,709 times larger than it is packed (the limit is 1000:1)"),
    "bomb-bzip2": (real_bomb, "readme.txt", "unpacks"),
}


@pytest.mark.parametrize("kind", list(UNSAFE))
def test_unsafe_zip_entries_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        kind: str) -> None:
    make, member, problem = UNSAFE[kind]
    archive = make(tmp_path / "upload.zip")
    rc, output = run_area(archive, capsys)
    assert rc == 2, output
    text = one_line(output)
    assert text.startswith(f"error: {archive}: the zip member {member!r} {problem}"), text
    assert ". Fix: " in text and "Traceback" not in text
    assert list_layers(archive) == []  # GDAL is not asked either


def test_a_kmz_is_checked_like_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kml = gpd.GeoDataFrame({"名称": ["甲"]}, geometry=[box(104.0, 30.6, 104.01, 30.61)],
                           crs=4326)
    folder = tmp_path / "kml"
    folder.mkdir()
    pyogrio.write_dataframe(kml, folder / "doc.kml", driver="KML")
    archive = write_zip(tmp_path / "园区.kmz", {"doc.kml": (folder / "doc.kml").read_bytes()})
    assert run_area(archive, capsys)[0] == 0
    write_zip(archive, {"doc.kml": (folder / "doc.kml").read_bytes(), "../x.png": b"x"})
    rc, output = run_area(archive, capsys)
    assert rc == 2 and "the zip member '../x.png' has '..' in its name" in one_line(output)


# --- missing and damaged parts name the zip and the member --------------------------------


@pytest.mark.parametrize("cut", [False, True], ids=["direct", "mended"])
def test_zipped_shapefile_without_shx_names_zip_and_member(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cut: bool) -> None:
    parts = shapefile_parts(cut=cut)
    archive = write_zip(tmp_path / "成果.zip", {f"数据/地块{s}": d for s, d in parts.items()
                                              if s != ".shx"})
    rc, output = run_area(archive, capsys)
    assert rc == 2
    assert one_line(output) == (
        f"error: {archive}: the zip member '数据/地块.shp' has no .shx beside it (a Shapefile "
        "is several files with the same name). Fix: zip the 地块.shx that came with 地块.shp "
        "together with it, or send the data as one .gpkg")


def test_truncated_shp_in_a_zip_names_zip_and_member(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = shapefile_parts()
    parts[".shp"] = parts[".shp"][:150]
    archive = write_zip(tmp_path / "成果.zip", {f"地块{s}": d for s, d in parts.items()})
    rc, output = run_area(archive, capsys)
    assert rc == 2
    assert one_line(output).startswith(
        f"error: {archive}: the zip member '地块.shp' is truncated (150 of 236 bytes). Fix: ")


def test_encrypted_member_is_an_input_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """zipfile cannot write encrypted members: set the flag bit of a plain one."""
    archive = write_zip(tmp_path / "加密.zip", {f"地块{s}": d
                                              for s, d in shapefile_parts().items()})
    data = bytearray(archive.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            data[start + flag_at] |= 0x01
            start = data.find(signature, start + 4)
    archive.write_bytes(bytes(data))
    rc, output = run_area(archive, capsys)
    assert rc == 2, output
    assert f"error: {archive}: the zip member '地块." in one_line(output)
    assert "cannot be unpacked" in output and "Fix: zip the layer's files again" in output


# --- fuzzing: only a result or one message, and nothing outside the sandbox changes ---------

SANDBOX = Path(tempfile.mkdtemp(prefix="gaoxin-fuzz-"))
SCRATCH = SANDBOX / "scratch"  # gaoxin's temporary folder during the fuzz tests
VICTIM = SANDBOX / "victim" / "parcels"
GOOD = shapefile_parts()
PLAIN = shapefile_parts(cut=False)

# Stems: plain, crafted (outside the zip, backslashes, drive, NUL stand-in) and random text.
# Brackets included: console markup characters must reach messages as text.
STEMS = st.one_of(
    st.sampled_from(["parcels", "数据/地块", f"{CLIMB}{str(VICTIM).lstrip('/')}", str(VICTIM),
                     "..\\..\\parcels", "C:/parcels", "/dev/null", "./parcels", "a/../../b"]),
    st.text(st.characters(exclude_categories=("Cs",)),
            min_size=0, max_size=20),
)
SUFFIXES = st.sampled_from([*PARTS, ".SHP", ".DBF", ".txt", ""])


@st.composite
def member_bytes(draw: st.DrawFn, suffix: str) -> bytes:
    """A part's true bytes, cut short, with a few bytes overwritten, or random."""
    base = (GOOD if draw(st.booleans()) else PLAIN).get(suffix.lower(), b"")
    how = draw(st.sampled_from(["intact", "cut", "damaged", "random"]))
    if how == "cut" and base:
        return base[:draw(st.integers(0, len(base)))]
    if how == "damaged" and base:
        data = bytearray(base)
        for _ in range(draw(st.integers(1, 8))):
            # mostly the headers (SHP 100 bytes, DBF 32 + field descriptors)
            data[draw(st.integers(0, min(len(data), 140) - 1))] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "random":
        return draw(st.binary(max_size=400))
    return base


@st.composite
def archives(draw: st.DrawFn) -> bytes:
    """A zip of a few members, perhaps truncated or with flipped bytes, or random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=600))
    stem = draw(STEMS)
    members: dict[str, bytes] = {}
    for suffix in draw(st.lists(SUFFIXES, min_size=1, max_size=6, unique=True)):
        other = draw(st.integers(0, 5)) == 0
        # zipfile cuts a name at its first NUL: one that starts with NUL would be empty
        name = f"{draw(STEMS) if other else stem}{suffix}".split("\x00", 1)[0]
        if name and not name.endswith("/"):
            members[name] = draw(member_bytes(suffix))
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names
        with zipfile.ZipFile(buffer, "w", draw(st.sampled_from(
                [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    data = bytearray(buffer.getvalue())
    if data and draw(st.integers(0, 3)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    if data and draw(st.integers(0, 3)) == 0:
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Path]:
    """The fuzz tests' folder, with gaoxin's temporary files kept inside it."""
    SCRATCH.mkdir(exist_ok=True)
    with mock.patch.object(tempfile, "tempdir", str(SCRATCH)):
        yield SANDBOX
    shutil.rmtree(SANDBOX, ignore_errors=True)


def no_failure(rc: int, output: str) -> None:
    assert rc in (0, 2), output
    assert "Traceback" not in output and "internal error" not in output, output
    if rc == 2:
        assert one_line(output).startswith("error: ") and ". Fix: " in one_line(output), output


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(archive=archives())
def test_fuzzed_zips_give_a_result_or_one_message(
        sandbox: Path, capsys: pytest.CaptureFixture[str], archive: bytes) -> None:
    VICTIM.parent.mkdir(exist_ok=True)
    for suffix, data in GOOD.items():
        VICTIM.with_suffix(suffix).write_bytes(data)
    before = tree_hashes(SANDBOX)
    path = SANDBOX / "zone" / "a" / "upload.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(archive)
    no_failure(*run_area(path, capsys))
    assert tree_hashes(SANDBOX) == before | {path: hashlib.sha256(archive).hexdigest()}
    assert list(SCRATCH.glob("gaoxin-*")) == []


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parts=st.fixed_dictionaries({s: member_bytes(s) for s in PARTS}))
def test_fuzzed_shapefiles_on_disk_give_a_result_or_one_message(
        sandbox: Path, capsys: pytest.CaptureFixture[str], parts: dict[str, bytes]) -> None:
    folder = SANDBOX / "disk"
    folder.mkdir(exist_ok=True)
    for suffix, data in parts.items():
        (folder / f"地块{suffix}").write_bytes(data)
    before = tree_hashes(SANDBOX)
    no_failure(*run_area(folder / "地块.shp", capsys))
    assert tree_hashes(SANDBOX) == before
    assert list(SCRATCH.glob("gaoxin-*")) == []
