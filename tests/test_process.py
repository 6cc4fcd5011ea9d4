"""The process settings a run makes: the collector paused, glibc's heap kept."""

from __future__ import annotations

import gc
import platform
import threading
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely import box

from gaoxin import process


def test_the_collector_is_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with process.collector_paused():
        assert not gc.isenabled()
        with process.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()   # the inner block does not end the outer one's pause
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with process.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_exception_still_restores_the_collector() -> None:
    with pytest.raises(KeyError), process.collector_paused():
        raise KeyError("a run that fails")
    assert gc.isenabled()


def test_threads_pausing_at_once_leave_it_as_they_found_it() -> None:
    """Two layers load side by side: the pause ends with the last thread's block."""
    inside = threading.Barrier(4)
    seen: list[bool] = []

    def work() -> None:
        with process.collector_paused():
            inside.wait()               # all four are inside at once
            seen.append(gc.isenabled())
            inside.wait()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [False] * 4
    assert gc.isenabled()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_the_heap_settings_are_taken_on_glibc() -> None:
    assert process.keep_heap_pages() is True
    process.return_freed_memory()   # and trimming still works after them


def test_a_streamed_read_decodes_with_the_collector_paused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gaoxin.layers import read

    path = tmp_path / "parcels.gpkg"
    gpd.GeoDataFrame({"n": [1, 2]}, geometry=[box(500_000, 3_400_000, 500_010,
                                                  3_400_010)] * 2,
                     crs=4544).to_file(path, engine="pyogrio")
    monkeypatch.setattr(read, "STREAM_FROM_FEATURES", 1)
    assert read._streams(pyogrio.read_info(path), None)
    during: list[bool] = []
    real = shapely.from_wkb

    def from_wkb(*args: object, **kwargs: object) -> object:
        during.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(shapely, "from_wkb", from_wkb)
    gdf, _ = read.read_source(path)
    assert len(gdf) == 2 and during == [False]
    assert gc.isenabled()


def test_a_command_runs_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    from gaoxin import cli

    during: list[bool] = []

    def app(*args: object, **kwargs: object) -> int:
        during.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, "app", app)
    assert cli.main(["--version"]) == 0
    assert during == [False] and gc.isenabled()
