"""workflows/per_mu.py: the per-mu command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import shared_sample


def test_per_mu_command(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from gaoxin.cli import main

    ws = shared_sample(tmp_path_factory)
    out = tmp_path / "mu"
    assert main(["per-mu", "-w", str(ws), "--out", str(out)]) == 0
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["rule_set"]["scheme"] == "sichuan" and s["rule_set"]["year"] == 2022
    assert s["class_shares_pct"]["A"] <= 30 and s["class_shares_pct"]["C"] >= 10
    for name in ("results.gpkg", "per_mu.xlsx", "map.html"):
        assert (out / name).exists()
    assert main(["per-mu", "-w", str(ws), "--out", str(out), "--scheme", "x"]) == 2


def test_zhejiang_outputs_say_what_was_left_out(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 11: the dropped emission indicator and the firms under 5 亩 are stated in the
    terminal, summary.json, the workbook and the map; no raw dict is printed."""
    import re

    import openpyxl

    from gaoxin.cli import main
    from tests.analysis.test_per_mu_summary import assert_counts_add_up

    ws = shared_sample(tmp_path_factory)
    out = tmp_path / "zj"
    assert main(["per-mu", "-w", str(ws), "--out", str(out), "--scheme", "zhejiang"]) == 0
    printed = capsys.readouterr().out
    assert "{" not in printed and "亩均论英雄评价 — 浙江方案(2023)" in printed
    assert "单位排放增加值(10 分)未计算" in printed and "放大到 100 分" in printed
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert_counts_add_up(s)
    n_small = s["not_evaluated_by_reason"]["below_min_land"]
    assert n_small > 0 and f"用地不足5亩 {n_small} 家" in printed
    assert s["not_computed"][0]["indicator"] == "value_added_per_emission"
    book = openpyxl.load_workbook(out / "per_mu.xlsx", read_only=True)
    listed = list(book["未参评"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == s["not_evaluated"] and {r[-1] for r in listed} == {"用地不足5亩"}
    notes = [r[0] for r in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert any("单位排放增加值" in n for n in notes) and any("放大" in n for n in notes)
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["未参评(用地不足5亩)"] == n_small
    book.close()
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<title>亩均论英雄评价 — 浙江方案(2023)</title>" in html
    assert '"未参评(用地不足5亩)"' in html and "企业表无「主要污染物排放量」字段" in html
    assert not re.search(r'"label": ?"(far_min|rank|main_enterprise|per_mu_tax|land_mu|score)"',
                         html)


def test_per_mu_terminal_in_english(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import re

    from gaoxin.cli import main

    ws = shared_sample(tmp_path_factory)
    assert main(["per-mu", "-w", str(ws), "--out", str(tmp_path / "en"), "--scheme",
                 "zhejiang", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Per-mu evaluation — Zhejiang scheme (2023)" in printed
    assert "not evaluated (land under 5 mu:" in printed and "{" not in printed
    assert not re.search(r"[\u4e00-\u9fff]", printed)
