"""``--basemap`` on the analysis commands: the same choices as ``gaoxin map``, no tiles by
default, and the choice reaches each map the command writes. No network: only the tile
URLs written into the page are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaoxin.cli import main
from tests.maps.helpers import small_sample

OSM_TILES = "tile.openstreetmap.org"
AMAP_TILES = "is.autonavi.com"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_sample(tmp_path_factory)


def _command(name: str, workspace: Path, out: Path) -> list[str]:
    if name == "expansion":
        request = workspace.parent / "requests" / "request_clean.geojson"
        return ["expansion", str(request), "--zone", "G510001", "-w", str(workspace),
                "--out", str(out)]
    return [name, "-w", str(workspace), "--out", str(out)]


@pytest.mark.parametrize(("command", "maps"), [
    ("plot-ratio", ["map.html"]),
    ("per-mu", ["map.html"]),
    ("intensity", ["map.html", "low_efficiency/map.html"]),
    ("low-efficiency", ["map.html"]),
    ("expansion", ["map.html"]),
])
def test_analysis_command_draws_its_maps_on_the_basemap_asked(
        command: str, maps: list[str], workspace: Path, tmp_path: Path) -> None:
    assert main([*_command(command, workspace, tmp_path / "osm"), "--basemap", "osm"]) == 0
    for name in maps:
        page = (tmp_path / "osm" / name).read_text(encoding="utf-8")
        assert OSM_TILES in page, f"{command}: {name} has no OpenStreetMap tiles"


def test_default_basemap_is_none_and_amap_shifts_the_overlays(workspace: Path,
                                                              tmp_path: Path) -> None:
    assert main(_command("per-mu", workspace, tmp_path / "none")) == 0
    page = (tmp_path / "none" / "map.html").read_text(encoding="utf-8")
    assert OSM_TILES not in page and AMAP_TILES not in page and "tianditu" not in page
    assert main([*_command("per-mu", workspace, tmp_path / "amap"), "--basemap", "amap"]) == 0
    page = (tmp_path / "amap" / "map.html").read_text(encoding="utf-8")
    assert AMAP_TILES in page and "GCJ-02" in page  # the legend's note on the shift


@pytest.mark.parametrize("command", ["plot-ratio", "per-mu", "intensity", "low-efficiency",
                                     "expansion"])
def test_unknown_basemap_is_one_message_before_any_analysis(
        command: str, workspace: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main([*_command(command, workspace, out), "--basemap", "google"]) == 2
    err = capsys.readouterr().err
    assert "unknown basemap 'google'" in err and "Traceback" not in err
    assert "tianditu, osm, amap, none" in err
    assert not out.exists()


def test_tianditu_without_key_is_refused_before_any_analysis(
        workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    out = tmp_path / "out"
    assert main([*_command("plot-ratio", workspace, out), "--basemap", "tianditu"]) == 2
    assert "needs a key" in capsys.readouterr().err
    assert not out.exists()
