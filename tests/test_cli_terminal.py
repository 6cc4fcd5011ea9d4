"""What every command prints in the terminal: Chinese in zh (the default), English in en.

Each command runs in-process on the sample workspace; its stdout and stderr may hold no
ASCII word of three letters or more but file names, paths, ids, EPSG codes and the keys the
workspace file gives its layers.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

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
    data = tomllib.loads(toml.read_text(encoding="utf-8"))
    return set(data.get("layers", {})) | set(data.get("requests", {}))


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


def test_demo_progress_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's own lines, each step in turn; the steps' work is stood in for (each is
    tested by its own command above and by tests/test_demo.py)."""
    from gaoxin import demo
    from gaoxin.workflows import expansion, intensity, per_mu, plot_ratio

    toml = tmp_path / "ws" / "gaoxin.toml"
    toml.parent.mkdir()
    toml.write_text('[workspace]\nname = "示例"\n[requests.request_clean]\n'
                    'path = "r.geojson"\nzone = "G510001"\n', encoding="utf-8")
    verdict = SimpleNamespace(result=SimpleNamespace(verdict="pass"))
    for target, name, stand_in in (
            (demo, "write_sample_workspace", lambda dest, seed: toml),
            (demo, "check_rows", lambda ws: ([], False)),
            (demo, "load_layers", lambda ws: SimpleNamespace(crs=None, frame=lambda kind: None)),
            (demo, "write_excel", lambda *args, **kwargs: None),
            (demo, "_overview_map", lambda *args, **kwargs: None),
            (expansion, "run_expansion", lambda *args, **kwargs: verdict),
            (plot_ratio, "run_plot_ratio", lambda *args, **kwargs: SimpleNamespace(
                summary={"parcels": 1})),
            (per_mu, "run_per_mu", lambda *args, **kwargs: SimpleNamespace(
                result=SimpleNamespace(summary={"classes": {"A": 1}}))),
            (intensity, "run_intensity", lambda *args, **kwargs: None)):
        monkeypatch.setattr(target, name, stand_in)
    for lang, step_one in (("zh", "1/6 生成示例工作区"), ("en", "1/6 generating the sample")):
        assert main(["demo", "--out", str(tmp_path / lang), "--lang", lang]) == 0
        captured = capsys.readouterr()
        lines = captured.err.splitlines()
        assert [line.split()[0] for line in lines] == [f"{n}/6" for n in range(1, 7)]
        assert lines[0].startswith(step_one)
        if lang == "zh":
            assert english_words(captured.out + captured.err, set()) == [], captured
