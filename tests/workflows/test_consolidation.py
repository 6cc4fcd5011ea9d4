"""``gaoxin consolidate`` on the sample workspace: the files, the plan within the limits,
every factor in candidates.xlsx, and a bad rule refused with one message."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gaoxin.cli import main
from tests.helpers import shared_sample


def test_consolidate_writes_every_output_and_a_plan_within_the_limits(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    toml = shared_sample(tmp_path_factory)
    out = tmp_path / "out"
    assert main(["consolidate", "--workspace", str(toml), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "最优方案整合" in printed
    for name in ("summary.json", "candidates.xlsx", "plan.gpkg", "map.html", "plan.html"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["provenance"]["rule_sets"][0]["name"] == "consolidation"
    assert summary["plan_score"] >= summary["greedy_score"] - 1e-9
    pairs = pd.read_excel(out / "candidates.xlsx", sheet_name="候选配对")
    for col in ("边界距离(公里)", "区位相邻得分", "行政邻近得分", "产业相近得分",
                "分布零散得分", "总分"):
        assert col in pairs.columns, col
    plan = gpd.read_file(out / "plan.gpkg", layer="parks")
    hosts = plan[plan["decision"] == "assign"]
    assert len(hosts) == summary["assigned"] > 0
    links = gpd.read_file(out / "plan.gpkg", layer="links")
    assert len(links) == len(hosts)
    # ≤ 3 blocks per host after merging, on the written plan.
    table = pd.read_excel(out / "candidates.xlsx", sheet_name="整合方案")
    assert (table["高新区整合后区块数"].dropna() <= 3).all()
    assert "一区多园整合托管方案" in (out / "plan.html").read_text(encoding="utf-8")


def test_a_bad_split_is_one_message_and_exit_2(
        tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    toml = shared_sample(tmp_path_factory)
    ws = tmp_path / "ws.toml"
    ws.write_text(toml.read_text(encoding="utf-8").replace(
        'path = "', f'path = "{toml.parent}/') + '\n[rules.consolidation]\n'
        '"sharing.split" = "half"\n', encoding="utf-8")
    assert main(["consolidate", "--workspace", str(ws), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "sharing.split" in err and "Traceback" not in err
