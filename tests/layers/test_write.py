"""Round trips through every output format, and atomic writes (real GDAL, files in tmp_path)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import Point, Polygon, box

from gaoxin.errors import InputError
from gaoxin.layers.read import read_source
from gaoxin.layers.write import (
    geopackage_table,
    manifest_problems,
    output_run,
    remove_stale_temporaries,
    shapefile_field_names,
    write_geopackage,
    write_vector,
)
from tests.helpers import geopackage_contents

# Two parcels in CGCS2000 / 3° GK CM 105°E (EPSG:4544), around Chengdu's longitude.
NAMES = ["高新区南区", "高新区北区"]


def parcels() -> gpd.GeoDataFrame:
    """A 100 m square and a triangle, with Chinese field names and values."""
    return gpd.GeoDataFrame(
        {"名称": NAMES, "用地性质": ["M1", "R2"], "面积": [1.5, 2.25], "数量": [3, 4]},
        geometry=[box(500000, 3400000, 500100, 3400100),
                  Polygon([(500200, 3400000), (500300, 3400000), (500250, 3400080)])],
        crs=4544,
    )


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def assert_same_layer(back: gpd.GeoDataFrame, expected: gpd.GeoDataFrame, *, tol: float,
                      as_text: bool = False) -> None:
    """Attributes equal (as text for CSV/XLSX), geometries within ``tol`` in expected's CRS.

    Features are matched by 名称 (FlatGeobuf's spatial index reorders them).
    """
    back = back.sort_values("名称").reset_index(drop=True)
    expected = expected.sort_values("名称").reset_index(drop=True)
    assert list(back.columns) == list(expected.columns)
    for col in expected.columns.drop(expected.geometry.name):
        want = [str(v) for v in expected[col]] if as_text else expected[col].tolist()
        assert back[col].tolist() == want, col
    got = np.asarray(back.geometry.values)
    want_geoms = np.asarray(expected.geometry.values)
    assert set(shapely.get_type_id(got)) <= {3, 6}  # Polygon, or MultiPolygon (FileGDB)
    assert shapely.hausdorff_distance(got, want_geoms).max() <= tol


# suffix, CRS to declare (text formats carry none), CRS read back, geometry tolerance
ROUND_TRIPS = [
    (".gpkg", None, 4544, 0.0),
    (".fgb", None, 4544, 0.0),
    (".gdb", None, 4544, 1e-6),   # FileGDB stores coordinates on a grid (xy resolution)
    (".parquet", None, 4544, 0.0),
    (".geojson", None, 4326, 1e-9),
    (".kml", None, 4326, 1e-9),
    (".csv", "EPSG:4544", 4544, 0.0),
    (".xlsx", "EPSG:4544", 4544, 0.0),
]


@pytest.mark.parametrize(("suffix", "declare", "epsg", "tol"), ROUND_TRIPS,
                         ids=[r[0] for r in ROUND_TRIPS])
def test_round_trip(tmp_path: Path, suffix: str, declare: str | None, epsg: int,
                    tol: float) -> None:
    target = tmp_path / f"园区{suffix}"
    assert write_vector(parcels(), target) == target
    back, report = read_source(target, crs=declare)
    assert back.crs.to_epsg() == epsg
    assert report.crs.startswith(f"EPSG:{epsg} ")
    assert report.features == 2
    expected = parcels().to_crs(epsg)
    assert_same_layer(back, expected, tol=tol, as_text=suffix in (".csv", ".xlsx"))


@pytest.mark.parametrize("suffix", [".shp", ".zip"])
@pytest.mark.parametrize(("encoding", "field"), [(None, "用地性"), ("GBK", "用地性质")])
def test_shapefile_round_trip(tmp_path: Path, suffix: str, encoding: str | None,
                              field: str) -> None:
    """用地性质 is 12 bytes in UTF-8 (> the DBF's 10): cut to 用地性; in GBK it is 8 bytes."""
    target = tmp_path / f"园区{suffix}"
    write_vector(parcels(), target, encoding=encoding)
    back, report = read_source(target)
    assert report.encoding == (encoding or "UTF-8").lower()
    assert report.encoding_how == "cpg"
    assert back.crs.to_epsg() == 4544
    assert_same_layer(back, parcels().rename(columns={"用地性质": field}), tol=0.0)


def test_hand_made_zip_with_chinese_member_names(tmp_path: Path) -> None:
    """A zip built with zipfile (UTF-8 names in a folder), as users send them."""
    folder = tmp_path / "src"
    folder.mkdir()
    pyogrio.write_dataframe(parcels().rename(columns={"用地性质": "用地"}),
                            folder / "南区.shp", encoding="GBK")
    archive = tmp_path / "南区.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, f"数据/{part.name}")
    back, report = read_source(archive)
    assert (report.encoding, report.encoding_how) == ("gbk", "cpg")
    assert_same_layer(back, parcels().rename(columns={"用地性质": "用地"}), tol=0.0)


def test_lon_lat_csv_saved_by_excel_as_gbk(tmp_path: Path) -> None:
    """Excel/WPS on Chinese Windows writes CSV as GBK with CRLF and no BOM."""
    target = tmp_path / "企业.csv"
    target.write_bytes("名称,经度,纬度\r\n高新区南区,104.0660,30.6570\r\n高新区北区,104.07,30.7\r\n"
                       .encode("gbk"))
    back, report = read_source(target, crs="EPSG:4490")
    assert back["名称"].tolist() == NAMES
    assert back.geometry.tolist() == [Point(104.066, 30.657), Point(104.07, 30.7)]
    assert back.crs.to_epsg() == 4490 and report.crs_how == "declared"


def test_shapefile_field_names_stay_unique() -> None:
    g = gpd.GeoDataFrame({"用地性质": [1], "用地性状": [2], "AREA": [3], "area": [4]},
                         geometry=[Point(0, 0)])
    assert shapefile_field_names(g, "UTF-8").columns.tolist() == [
        "用地性", "用地性1", "AREA", "area1", "geometry"]


def test_failed_write_leaves_earlier_gpkg_untouched(tmp_path: Path) -> None:
    target = tmp_path / "结果.gpkg"
    write_vector(parcels(), target)
    before = digest(target)
    clash = parcels().assign(a=1, A=2)  # GeoPackage field names ignore case
    with pytest.raises(InputError) as err:
        write_vector(clash, target)
    assert str(err.value).startswith(f"{target}: cannot be written")
    assert "Fix:" in str(err.value)
    assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["结果.gpkg"]  # no temp left over


def test_failed_write_leaves_earlier_shapefile_untouched(tmp_path: Path) -> None:
    target = tmp_path / "结果.shp"
    write_vector(parcels(), target)
    parts = sorted(tmp_path.iterdir())
    before = digest(*parts)
    mixed = gpd.GeoDataFrame({"名称": ["甲", "乙"]},
                             geometry=[box(500000, 3400000, 500100, 3400100),
                                       Point(500000, 3400000)], crs=4544)
    with pytest.raises(InputError, match="one geometry type") as err:
        write_vector(mixed, target)
    assert str(err.value).startswith(f"{target}: ")
    assert sorted(tmp_path.iterdir()) == parts
    assert digest(*parts) == before


def test_rewrite_removes_stale_spatial_index(tmp_path: Path) -> None:
    target = tmp_path / "结果.shp"
    write_vector(parcels(), target)
    target.with_suffix(".qix").write_bytes(b"stale index")
    write_vector(parcels().iloc[:1], target)
    assert not target.with_suffix(".qix").exists()
    assert read_source(target)[0]["名称"].tolist() == ["高新区南区"]


def test_append_layer_to_filegdb(tmp_path: Path) -> None:
    target = tmp_path / "成果.gdb"
    write_vector(parcels(), target, layer="南区")
    write_vector(parcels(), target, layer="北区", append_layer=True)
    assert sorted(pyogrio.list_layers(target)[:, 0]) == ["北区", "南区"]
    back, _ = read_source(target, layer="北区")
    assert back["名称"].tolist() == NAMES


def test_large_integers_kept_exact_in_filegdb(tmp_path: Path) -> None:
    big = parcels().assign(数量=[2**40, 3])
    write_vector(big, tmp_path / "大.gdb")
    back, _ = read_source(tmp_path / "大.gdb")
    assert back["数量"].tolist() == [2**40, 3]


def test_unsupported_output_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unsupported output format '\.dwg'.*Fix: use \.gpkg"):
        write_vector(parcels(), tmp_path / "a.dwg")


def test_write_geopackage_is_all_or_nothing(tmp_path):
    import pandas as pd

    from gaoxin.layers.write import write_geopackage

    good = gpd.GeoDataFrame({"n": [1]}, geometry=[box(0, 0, 1, 1)], crs=4544)
    target = write_geopackage(tmp_path / "r.gpkg", {"a": good})
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    bad = good.assign(payload=pd.Series([1 + 2j]))  # complex numbers have no field type
    with pytest.raises(InputError, match=r"r\.gpkg"):
        write_geopackage(target, {"a": good, "b": bad})
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.gpkg"]


# ---------------------------------------------------------------- strict JSON


def test_summary_json_is_strict_json(tmp_path: Path) -> None:
    """``floors = 1e308`` once gave ``Infinity``: non-finite floats are written as null."""
    from gaoxin.layers.write import write_json

    huge = 1e308 * 10
    data = {"floor_area_m2": huge, "plot_ratio": np.float64("nan"), "n": np.int64(3),
            "zones": {"Z1": [np.float32("-inf"), {"built": float("nan"), "ok": np.bool_(True)}]},
            "path": tmp_path}

    def read_back(data: object) -> object:
        text = write_json(tmp_path / "summary.json", data).read_text(encoding="utf-8")
        return json.loads(text, parse_constant=refuse)

    def refuse(word: str) -> object:
        raise AssertionError(f"not strict JSON: {word}")

    assert read_back(data) == {"floor_area_m2": None, "plot_ratio": None, "n": 3,
                               "zones": {"Z1": [None, {"built": None, "ok": True}]},
                               "path": str(tmp_path)}
    assert read_back({"by_zone": np.array([1.5, np.inf])}) == {"by_zone": [1.5, None]}


# ---------------------------------------------------------------- a run's output folder


def test_failed_run_leaves_the_earlier_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_run(out, command="test") as stage:
        (stage.path / "a.txt").write_text("first", encoding="utf-8")
    before = digest(*out.iterdir())
    with pytest.raises(InputError), output_run(out, command="test") as stage:
        (stage.path / "a.txt").write_text("second", encoding="utf-8")
        (stage.path / "b.txt").write_text("second", encoding="utf-8")
        raise InputError("the run fails after writing part of its outputs")
    assert digest(*out.iterdir()) == before and manifest_problems(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.gaoxin-lock", "out"]


def test_run_replaces_the_whole_earlier_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for names in (["a.txt", "b/c.txt"], ["d.txt"]):
        with output_run(out, command="test") as stage:
            for name in names:
                (stage.path / name).parent.mkdir(exist_ok=True)
                (stage.path / name).write_text(name, encoding="utf-8")
            nested = output_run(stage.path / "sub", command="nested")
            with nested as inner:  # a run inside a stage writes there directly
                assert inner.path == stage.path / "sub"
                (inner.path / "e.txt").write_text("e", encoding="utf-8")
        assert stage.published({"d": stage.path / "d.txt"}) == {"d": out / "d.txt"}
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".gaoxin-run.json", "d.txt", "sub/e.txt"]
    assert manifest_problems(out) == []
    (out / "d.txt").write_text("edited", encoding="utf-8")
    assert manifest_problems(out) == ["changed: d.txt"]


def test_folder_of_the_users_own_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "成果"
    out.mkdir()
    (out / "我的笔记.docx").write_bytes(b"user's own")
    with pytest.raises(InputError, match=r"成果: the folder holds files gaoxin did not write"), \
            output_run(out, command="test"):
        pytest.fail("the run must not start")
    assert sorted(p.name for p in out.iterdir()) == ["我的笔记.docx"]
    assert [p.name for p in tmp_path.iterdir() if "gaoxin-run" in p.name] == []


def test_stale_temporaries_of_dead_runs_are_removed(tmp_path: Path) -> None:
    import fcntl
    import os

    out = tmp_path / "out"
    dead = tmp_path / ".out.gaoxin-run-0badc0de"           # a killed run's stage
    dead_file = tmp_path / ".results.gpkg.gaoxin-tmp-0badc0de"  # a killed single write
    legacy = tmp_path / ".results.gpkg.k3x_9q2z"           # earlier versions' temp folder
    live = tmp_path / ".out.gaoxin-run-a11ve000"           # another run, still writing
    users = tmp_path / ".results.gpkg.notes123"            # same shape, not gaoxin's
    for folder in (dead, dead_file, legacy, live, users):
        folder.mkdir()
    (dead / "summary.json").write_text("{}", encoding="utf-8")
    (legacy / "results.gpkg").write_bytes(b"partial GeoPackage")
    (users / "todo.txt").write_text("mine", encoding="utf-8")
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with output_run(out, command="test") as stage:
            write_geopackage(stage.path / "x.gpkg", {"a": parcels()})
        write_geopackage(tmp_path / "results.gpkg", {"a": parcels()})
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [".out.gaoxin-lock", "out", "results.gpkg", live.name, users.name])
    finally:
        os.close(fd)
    assert remove_stale_temporaries(out) == [live]


# ---------------------------------------------------------------- output-path mistakes: exit 2


def tiny_workspace(folder: Path) -> tuple[Path, Path]:
    """A zones layer and a request inside its zone."""
    gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["甲区"]},
                     geometry=[box(499000, 3399000, 501000, 3401000)],
                     crs=4544).to_file(folder / "zones.gpkg")
    request = folder / "request.gpkg"
    parcels().iloc[:1].to_file(request)
    ws = folder / "gaoxin.toml"
    ws.write_text('[layers.zones]\npath = "zones.gpkg"\n', encoding="utf-8")
    return ws, request


def exit_code_and_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from gaoxin.cli import main

    code = main(args)
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert "Traceback" not in err and "internal error" not in err
    return code, err


def test_out_naming_a_file_or_a_folder_of_the_wrong_kind(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    ws, request = tiny_workspace(tmp_path)
    a_file = tmp_path / "afile"
    a_file.write_text("not a folder", encoding="utf-8")
    code, err = exit_code_and_error(["expansion", str(request), "--zone", "Z1", "-w", str(ws),
                                     "--out", str(a_file)], capsys)
    assert code == 2 and f"{a_file}: is a file; expansion writes a folder" in err
    code, err = exit_code_and_error(["expansion", str(request), "--zone", "Z1", "-w", str(ws),
                                     "--out", str(tmp_path)], capsys)
    assert code == 2 and "holds files gaoxin did not write" in err and "Fix: give --out" in err
    code, err = exit_code_and_error(["area", str(request), "--out",
                                     str(a_file / "areas.xlsx")], capsys)
    assert code == 2 and f"{a_file} is a file, not a folder" in err
    code, err = exit_code_and_error(["map", str(request), "--out", str(tmp_path)], capsys)
    assert code == 2 and f"{tmp_path}: is a folder; a file is written here" in err
    assert a_file.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize(("code", "words"), [
    (errno.EACCES, "permission denied"), (errno.EROFS, "the file system is read-only"),
    (errno.ENOSPC, "the disk is full")])
def test_unwritable_out_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch, code: int, words: str) -> None:
    """The system's refusal is simulated where it comes from: creating a file or folder in
    ``--out``'s parent (the tests may run as root, whom permissions do not stop)."""
    ws, request = tiny_workspace(tmp_path)
    place = tmp_path / "readonly"
    place.mkdir()
    real_mkdir, real_open = os.mkdir, os.open

    def refuse(path: object) -> None:
        if place in Path(str(path)).parents:
            raise OSError(code, os.strerror(code), str(path))

    def mkdir(path: str, *args: int, **kwargs: int) -> None:
        refuse(path)
        real_mkdir(path, *args, **kwargs)

    def open_(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_CREAT:
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)
    for args in (["expansion", str(request), "--zone", "Z1", "-w", str(ws),
                  "--out", str(place / "out")],
                 ["area", str(request), "--out", str(place / "areas.xlsx")]):
        exit_code, err = exit_code_and_error(args, capsys)
        assert exit_code == 2 and f"{args[-1]}: {words}" in err and "Fix: " in err
    assert list(place.iterdir()) == []


def test_full_disk_while_writing_is_an_input_error(tmp_path: Path) -> None:
    from gaoxin.layers.write import write_with

    def fill_disk(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    with pytest.raises(InputError, match=r"out\.bin: the disk is full.*Fix: free disk space"):
        write_with(tmp_path / "out.bin", fill_disk)
    with pytest.raises(InputError, match=r"run: the disk is full"), \
            output_run(tmp_path / "run", command="test") as stage:
        fill_disk(stage.path / "a.bin")
    assert list(tmp_path.iterdir()) == [tmp_path / ".run.gaoxin-lock"]


# ---------------------------------------------------------------- the GeoPackage fast path

def _parts(draw: st.DrawFn) -> shapely.Geometry | None:
    """A polygon as parcels come: concave or holed, sometimes two parts, sometimes None."""
    kind = draw(st.sampled_from(["square", "concave", "holed", "two", "none"]))
    x, y = draw(st.floats(-1e6, 1e6)), draw(st.floats(0, 5e6))
    w = draw(st.floats(0.5, 500))
    square = box(x, y, x + w, y + w)
    if kind == "none":
        return None
    if kind == "concave":
        return Polygon([(x, y), (x + w, y), (x + w, y + w), (x + w / 2, y + w / 3), (x, y + w)])
    if kind == "holed":
        return square.difference(box(x + w / 4, y + w / 4, x + w / 2, y + w / 2))
    if kind == "two":
        return shapely.MultiPolygon([square, box(x + 2 * w, y, x + 3 * w, y + w)])
    return square


@st.composite
def _layers(draw: st.DrawFn) -> gpd.GeoDataFrame:
    n = draw(st.integers(1, 12))
    geoms = [_parts(draw) for _ in range(n)]
    if all(g is None for g in geoms):
        geoms[0] = box(0, 0, 1, 1)
    text = st.one_of(st.none(), st.text(alphabet="甲乙丙AB1 ,'\"<>&", max_size=6))
    frame = gpd.GeoDataFrame({
        "i": draw(st.lists(st.integers(-2**40, 2**40), min_size=n, max_size=n)),
        "f": draw(st.lists(st.floats(allow_infinity=False), min_size=n, max_size=n)),
        "b": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "nb": pd.array(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n,
                                     max_size=n)), dtype="boolean"),
        "s": pd.Series(draw(st.lists(text, min_size=n, max_size=n)), dtype=object),
        "a": pd.Series(draw(st.lists(text, min_size=n, max_size=n)), dtype="str"),
    }, geometry=geoms, crs=draw(st.sampled_from([4544, 4490])))
    if draw(st.booleans()):   # nothing but polygons, or nothing but multipolygons
        one_kind = frame[frame.geom_type.isin(
            [draw(st.sampled_from(["Polygon", "MultiPolygon"])), None])]
        frame = one_kind if one_kind.geometry.notna().any() else frame
    if draw(st.booleans()):
        frame = frame.iloc[::-1]   # an index that is not 0..n-1 (not written either way)
    if draw(st.integers(0, 5)) == 0:
        frame = frame[["geometry"]]   # no field at all
    return frame


@given(_layers())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
def test_geopackage_fast_path_writes_what_pyogrio_writes(tmp_path: Path,
                                                         frame: gpd.GeoDataFrame) -> None:
    ours, theirs = tmp_path / "ours.gpkg", tmp_path / "theirs.gpkg"
    for p in (ours, theirs):
        p.unlink(missing_ok=True)
    # A text column of nothing but nulls has no Arrow type GDAL takes: pyogrio's path.
    fast = frame["s"].notna().any() if "s" in frame else True
    reference = frame.assign(nb=frame["nb"].astype("Int8")) if "nb" in frame else frame
    assert (geopackage_table(reference) is not None) == fast
    write_geopackage(ours, {"l": frame})
    reference.to_file(theirs, engine="pyogrio", layer="l", driver="GPKG", use_arrow=True)
    for mine, reference in zip(geopackage_contents(ours, "l"),
                               geopackage_contents(theirs, "l"), strict=True):
        assert mine == reference


@pytest.mark.parametrize("frame", [
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(0, 0)], crs=4544),
    gpd.GeoDataFrame({"n": [1]}, geometry=[box(0, 0, 1, 1)], crs=4544).set_index("n"),
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1)])],
                     crs=4544),
    gpd.GeoDataFrame({"d": pd.to_datetime(["2026-12-06"])}, geometry=[box(0, 0, 1, 1)],
                     crs=4544),
    gpd.GeoDataFrame({"m": pd.Series([1, "x"], dtype=object)},
                     geometry=[box(0, 0, 1, 1), box(1, 1, 2, 2)], crs=4544),
    gpd.GeoDataFrame({"e": pd.Series([None], dtype=object)}, geometry=[box(0, 0, 1, 1)],
                     crs=4544),
], ids=["points", "named-index", "z", "dates", "mixed-objects", "all-null-text"])
def test_geopackage_fast_path_leaves_other_layers_to_pyogrio(tmp_path: Path,
                                                            frame: gpd.GeoDataFrame) -> None:
    assert geopackage_table(frame) is None
    out = write_geopackage(tmp_path / "x.gpkg", {"l": frame})   # still written, by pyogrio
    assert len(pyogrio.read_dataframe(out, layer="l")) == len(frame)
