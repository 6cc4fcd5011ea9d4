"""workflows/plot_ratio.py: the plot-ratio command end to end, and what it computes."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaoxin.analysis import plot_ratio as pr
from gaoxin.analysis.ruleset import load_ruleset
from tests.helpers import shared_sample


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_sample(tmp_path_factory)


@pytest.fixture(scope="module")
def command_out(tmp_path_factory: pytest.TempPathFactory, sample_ws: Path) -> Path:
    """``gaoxin plot-ratio`` on the sample workspace, run once for this module."""
    from gaoxin.cli import main

    out = tmp_path_factory.mktemp("plot_ratio_command") / "pr"
    assert main(["plot-ratio", "-w", str(sample_ws), "--out", str(out), "--lang", "en"]) == 0
    return out


def test_plot_ratio_command(command_out: Path) -> None:
    out = command_out
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parcels"] > 5000 and summary["parcels_not_computable"] > 0
    assert summary["provenance"]["rule_sets"][0]["name"] == "plot_ratio"
    assert all(i["sha256"] for i in summary["provenance"]["inputs"])
    for name in ("results.gpkg", "plot_ratio.xlsx", "map.html"):
        assert (out / name).stat().st_size > 0
    res = gpd.read_file(out / "results.gpkg", layer="parcels_plot_ratio")
    assert len(res) == summary["parcels"]
    assert res.floor_area_m2.sum() == pytest.approx(summary["floor_area_m2"], rel=1e-6)


def test_run_is_what_the_plot_ratio_command_computes(command_out: Path, sample_ws: Path) -> None:
    from gaoxin.layers.load import load
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows.plot_ratio import compute_plot_ratio

    ws = load_workspace(sample_ws)
    rules = load_ruleset("plot_ratio", ws.rules.get("plot_ratio"), origin=ws.path)
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones"))
    computed = compute_plot_ratio(data, rules)
    out, zones = computed.parcels, computed.zones
    frames = data.frames
    r = pr.run(frames["parcels"], frames["buildings"], frames.get("enterprises"), rules)
    pd.testing.assert_frame_equal(r.parcels, out)
    pd.testing.assert_frame_equal(r.zones, zones)
    pd.testing.assert_frame_equal(r.not_computable, out[~out["computable"]])
    assert r.below_minimum["far_ok"].eq(False).all() and len(r.below_minimum)
    written = json.loads((command_out / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(r.summary)) == {k: written[k] for k in r.summary}
    assert r.summary["industrial_below_minimum"] == len(r.below_minimum)


def test_installed_command_ends_fast_with_every_output_complete(tmp_path: Path,
                                                                sample_ws: Path) -> None:
    """The console script ends with os._exit: piped output and files must be complete."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("gaoxin")
    out = tmp_path / "pr"
    done = subprocess.run([str(exe), "plot-ratio", "-w", str(sample_ws), "--out", str(out),
                           "--lang", "en"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "parcels" in done.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    res = gpd.read_file(out / "results.gpkg", layer="parcels_plot_ratio")
    assert len(res) == summary["parcels"]
    bad = subprocess.run([str(exe), "plot-ratio", "-w", str(tmp_path / "none.toml")],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "not found" in bad.stderr


def test_bad_input_exits_2(tmp_path: Path, sample_ws: Path) -> None:
    from gaoxin.cli import main

    assert main(["plot-ratio", "-w", str(sample_ws), "--out", str(tmp_path / "x"),
                 "--standard", "GB-1999"]) == 2
    ws = tmp_path / "ws.toml"
    zones = (sample_ws.parent / "zones.gpkg").as_posix()
    ws.write_text(f'[workspace]\nname = "x"\n[layers.zones]\npath = "{zones}"\n'
                  'layer = "zones"\n', encoding="utf-8")
    assert main(["plot-ratio", "-w", str(ws), "--out", str(tmp_path / "y")]) == 2


def test_a_capped_workbook_says_what_it_left_out(tmp_path: Path, sample_ws: Path) -> None:
    """At a row cap the workbook names each shortened sheet, the rows left out and where the
    whole table is (issue 14: a 1M-row parcel table does not fit a useful sheet)."""
    import openpyxl

    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows.plot_ratio import run_plot_ratio

    run = run_plot_ratio(load_workspace(sample_ws), tmp_path / "pr", max_rows=50)
    book = openpyxl.load_workbook(run.files["xlsx"])
    assert "全部地块" not in book.sheetnames
    notes = [r[0] for r in book["说明"].iter_rows(min_row=2, values_only=True)]
    total = run.summary["parcels"]
    assert any(f"共 {total:,} 宗" in n and "parcels_plot_ratio" in n for n in notes)
    below = run.summary["industrial_below_minimum"]
    assert any("容积率不达标工业地块" in n and f"共 {below:,} 行" in n for n in notes)
    assert book["容积率不达标工业地块"].max_row == 51
    assert len(gpd.read_file(run.files["gpkg"])) == total


def test_the_buildings_shapes_are_let_go_before_the_outputs(sample_ws: Path, tmp_path: Path
                                                            ) -> None:
    """The write phase holds no building geometry (3M of them: ~1.5 GB at its peak)."""
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows.plot_ratio import run_plot_ratio

    run = run_plot_ratio(load_workspace(sample_ws), tmp_path / "pr", max_rows=50)
    assert run.inputs is not None
    buildings = run.inputs.frames["buildings"]
    assert not isinstance(buildings, gpd.GeoDataFrame) and "building_id" in buildings
    assert run.summary["buildings"] == len(buildings)


def _reference_check_words(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The checks' codes in words as the workflow first wrote them (each column mapped)."""
    from gaoxin.report.labels import label

    out = frame.copy()
    for _, prefix in pr.CHECKS:
        for col, group in ((f"{prefix}_status", "pr_status"), (f"{prefix}_reason", "pr_reason")):
            if col in out.columns:
                words = {v: label(f"{group}.{v}", lang) if v else ""
                         for v in out[col].dropna().unique()}
                out[col] = out[col].map(words)
    return out


def _reference_map_layers(result: pr.PlotRatioResult, attention: gpd.GeoDataFrame,
                          rules: object, lang: str, limit: int) -> list[object]:
    """The map's layers as the workflow first built them: boolean masks over every row."""
    import numpy as np

    from gaoxin.maps import MapLayer
    from gaoxin.report.labels import label
    from gaoxin.workflows._common import capped_note, map_subset
    from gaoxin.workflows.plot_ratio import check_count_text, plot_ratio_applies

    out = result.parcels
    layers = []
    cols = [c for c in ("parcel_id", "zone_id", "status", "plot_ratio", "building_coverage",
                        "far_min", "industry_code", "far_status", "far_reason",
                        "coefficient_status", "coefficient_reason") if c in out.columns]
    applies = plot_ratio_applies(out, rules).to_numpy()  # type: ignore[arg-type]
    built = out[applies]
    layers.append(MapLayer(_reference_check_words(built[[*cols, "geometry"]], lang),
                           kind="result", name=label("layer.built_plot_ratio", lang),
                           columns=cols, color_by="plot_ratio", classify="thresholds",
                           thresholds=[0.5, 0.8, 1.0, 1.5, 2.0, 3.0]))
    rest = out[~applies]
    if len(rest):
        layers.append(MapLayer(_reference_check_words(rest[[*cols, "geometry"]], lang),
                               kind=None, columns=cols, show=True,
                               name=label("layer.not_applicable", lang),
                               note=label("layer.not_applicable_note", lang).format(
                                   n=len(rest))))
    for check, prefix in pr.CHECKS:
        counts = result.summary["checks"][check]
        if not counts["compared"]:
            continue
        industrial = out[out[f"{prefix}_status"] != ""]
        subset = map_subset(industrial, limit)
        classes = np.where(subset[f"{prefix}_reason"] == "unbuilt", "unbuilt",
                           subset[f"{prefix}_status"].to_numpy())
        frame = _reference_check_words(subset[[*cols, "geometry"]], lang).assign(
            check_class=[label(f"pr_status.{c}", lang) for c in classes])
        layers.append(MapLayer(frame, kind="result", columns=cols, show=False,
                               name=label(f"layer.check.{check}", lang),
                               note=capped_note(len(subset), len(industrial), lang,
                                                check_count_text(check, counts, lang)),
                               color_by="check_class"))
    if len(attention):
        a = map_subset(attention, limit)
        layers.append(MapLayer(_reference_check_words(a[[*cols, "geometry"]], lang),
                               kind="result", columns=cols,
                               name=label("layer.parcels_to_check", lang),
                               note=capped_note(len(a), len(attention), lang),
                               highlight=True, show=False))
    return layers


def test_the_map_layers_are_the_reference_layers(sample_ws: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Taking rows by position (not by masks over every row) draws the same layers: every
    field of every layer and every value of its frame, index included, caps biting."""
    import dataclasses

    import gaoxin.maps

    lang = "zh"
    from gaoxin.layers.load import load
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows._common import MapOptions, workspace_rules
    from gaoxin.workflows.plot_ratio import (
        _plot_ratio_map,
        _plot_ratio_workbook,
        compute_plot_ratio,
    )

    ws = load_workspace(sample_ws)
    rules = workspace_rules(ws, "plot_ratio")
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones", "parks"))
    result = compute_plot_ratio(data, rules)
    _, attention = _plot_ratio_workbook(result, data, rules, tmp_path, lang, 50)
    drawn: list[list[object]] = []
    monkeypatch.setattr(gaoxin.maps, "write_map",
                        lambda layers, path, **kw: drawn.append(list(layers)) or Path(path))
    _plot_ratio_map(result, attention, data, rules, tmp_path / "m.html", lang,
                    MapOptions(max_features=40))
    ours = [lyr for lyr in drawn[0] if lyr.kind != "zones"]  # type: ignore[attr-defined]
    reference = _reference_map_layers(result, attention, rules, lang, 40)
    assert len(ours) == len(reference) >= 4  # parcels, not applicable, a check, to check
    for mine, ref in zip(ours, reference, strict=True):
        pd.testing.assert_frame_equal(mine.gdf, ref.gdf)  # type: ignore[attr-defined]
        for field in dataclasses.fields(mine):  # type: ignore[arg-type]
            if field.name != "gdf":
                assert getattr(mine, field.name) == getattr(ref, field.name), field.name


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["pass", "fail", "not_comparable", "", None]),
                          st.sampled_from(["unbuilt", "no_industry_code", "", None])),
                max_size=30),
       st.sampled_from(["str", "object"]), st.sampled_from(["zh", "en"]))
def test_check_words_are_the_mapped_words(codes: list[tuple[str | None, str | None]],
                                          dtype: str, lang: str) -> None:
    """Codes recoded in Arrow are the reference's ``Series.map``: values, missing ones and
    the column's dtype."""
    frame = pd.DataFrame({"far_status": pd.Series([c[0] for c in codes], dtype=dtype),
                          "far_reason": pd.Series([c[1] for c in codes], dtype=dtype)},
                         index=pd.RangeIndex(3, 3 + len(codes)))
    from gaoxin.workflows.plot_ratio import _check_words

    pd.testing.assert_frame_equal(_check_words(frame, lang), _reference_check_words(frame, lang))
