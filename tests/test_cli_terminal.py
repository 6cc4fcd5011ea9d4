"""What every command prints in the terminal: Chinese in zh (the default), English in en.

Each command runs in-process on the sample workspace; its stdout and stderr may hold no
ASCII word of three letters or more but file names, paths, ids, EPSG codes and the keys the
workspace file gives its layers.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gaoxin.cli import main
from tests.helpers import shared_sample

# Words a Chinese line may hold: the program's name, datum and code-system names.
ALLOWED_WORDS = {"gaoxin", "EPSG", "CGCS", "WGS"}
_PATH = re.compile(r"(?a)[\w.\-]*(?:/[\w.\-]+)+/?|[\w.\-]+/")
_FILE = re.compile(r"(?a)[\w\-]+\.(?:txt|gpkg|json|html|xlsx|shp|geojson|csv|toml|tif)\b")
_ID = re.compile(r"(?a)\b[A-Z]{1,3}-?\d+\b")
_COMMAND = re.compile(r"gaoxin [a-z-]+")  # a command line the user is told to type
_WORD = re.compile(r"[A-Za-z]{3,}")


def english_words(text: str, keys: set[str]) -> list[str]:
    """The ASCII words of ``text`` outside file names, paths, ids and workspace ``keys``.

    Examples
    --------
    >>> english_words("已写出 /tmp/a_b/x.gpkg(G510001, zones) in 3 s", {"zones"})
    []
    >>> english_words("wrote 3 features", set())
    ['wrote', 'features']
    """
    for pattern in (_PATH, _FILE, _ID, _COMMAND):
        text = pattern.sub(" ", text)
    for key in sorted(keys, key=len, reverse=True):
        text = re.sub(rf"(?a)\b{re.escape(key)}\b", " ", text)
    return [w for w in _WORD.findall(text) if w not in ALLOWED_WORDS]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines as wide as they come: a wrapped table cell would cut a layer key in two."""
    from gaoxin import cli

    for console in (cli.out, cli.err):
        monkeypatch.setattr(console, "width", 400)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_sample(tmp_path_factory)


def workspace_keys(toml: Path) -> set[str]:
    """The workspace's layer and request names, and the column names of its vector files:
    names the user chose, which the terminal prints as they are (字段对应 ← the column)."""
    import pyogrio

    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    keys = set(data.get("layers", {})) | set(data.get("requests", {}))
    for entry in [*data.get("layers", {}).values(), *data.get("requests", {}).values()]:
        path = toml.parent / entry["path"]
        if path.suffix in (".gpkg", ".shp", ".geojson"):
            keys |= set(pyogrio.read_info(path, layer=entry.get("layer"))["fields"])
    return keys


def commands(ws: Path, out: Path) -> dict[str, list[str]]:
    root = ws.parent
    return {
        "init": ["init", "-w", str(out / "new.toml")],
        "check": ["check", "-w", str(ws)],
        "area_txt": ["area", str(root / "requests" / "request_conflict.txt")],
        "area_zones": ["area", str(root / "zones.gpkg"), "--planar", "--out",
                       str(out / "areas.xlsx")],
        "convert_txt": ["convert", str(root / "zones.gpkg"), str(out / "zones.txt")],
        "convert_gcj02": ["convert", str(root / "requests" / "request_clean.geojson"),
                          str(out / "gcj.geojson"), "--to-crs", "gcj02"],
        "map": ["map", str(root / "zones.gpkg"), "--out", str(out / "map.html"), "-w", str(ws)],
        "expansion": ["expansion", str(root / "requests" / "request_conflict.txt"), "--zone",
                      "G510001", "--out", str(out / "expansion"), "-w", str(ws)],
        "plot_ratio": ["plot-ratio", "--out", str(out / "plot_ratio"), "-w", str(ws)],
        "per_mu": ["per-mu", "--out", str(out / "per_mu"), "-w", str(ws)],
        "intensity": ["intensity", "--out", str(out / "intensity"), "-w", str(ws)],
        "low_efficiency": ["low-efficiency", "--out", str(out / "le"), "-w", str(ws)],
    }


COMMANDS = list(commands(Path("w/gaoxin.toml"), Path("o")))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_speaks_chinese(workspace: Path, tmp_path: Path, name: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    args = commands(workspace, tmp_path)[name]
    assert main(args) == 0
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert printed.strip()
    assert english_words(printed, workspace_keys(workspace)) == [], printed


def test_english_when_asked(workspace: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    txt = workspace.parent / "requests" / "request_conflict.txt"
    assert main(["area", str(txt), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "ellipsoidal area" in printed and "Parcel no." in printed and "total" in printed
    assert not re.search(r"[合计椭球面积序号]", printed)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_progress_lines(lang: str, request: pytest.FixtureRequest) -> None:
    """The demo's own lines, each step in turn, from the session's real demo run in each
    language (tests/conftest.py keeps what it printed)."""
    out: Path = request.getfixturevalue(f"demo_{lang}")
    printed = (out.parent / "terminal.txt").read_text(encoding="utf-8")
    lines = [line for line in printed.splitlines() if re.match(r"\d+/\d+ ", line)]
    from gaoxin.demo import STEPS

    n = len(STEPS)
    assert [line.split()[0] for line in lines] == [f"{i}/{n}" for i in range(1, n + 1)]
    assert lines[0].startswith(f"1/{n} 生成示例工作区" if lang == "zh" else
                               f"1/{n} generating the sample")
    if lang == "zh":
        assert english_words(printed, set()) == [], printed
