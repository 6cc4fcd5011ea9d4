"""workflows/low_efficiency.py: the written low-efficiency list is what the analysis computes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gaoxin.analysis import intensity
from gaoxin.analysis import plot_ratio as pr
from gaoxin.analysis.ruleset import load_ruleset
from tests.helpers import shared_sample


def test_run_low_efficiency_is_what_the_workflow_computes(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from gaoxin.analysis import per_mu
    from gaoxin.layers.load import load
    from gaoxin.layers.workspace import load_workspace
    from gaoxin.workflows import low_efficiency as wf

    ws = load_workspace(shared_sample(tmp_path_factory))
    rules, mu_rules, pr_rules = (load_ruleset(name, ws.rules.get(name), origin=ws.path)
                                 for name in ("intensity", "per_mu", "plot_ratio"))
    data = load(ws, ("parcels", "buildings"), ("enterprises", "zones"))
    parcels = data.frames["parcels"]
    plot = pr.run(parcels, data.frames["buildings"], data.frames["enterprises"], pr_rules)
    rows = per_mu.enterprise_land(data.frames["enterprises"], parcels,
                                  mu_rules.text("land_share"))
    written = wf.run_low_efficiency_from(data, plot.parcels, rows, rules, mu_rules,
                                         tmp_path / "low", lang="en")
    r = intensity.run_low_efficiency(parcels, plot.parcels, rows, rules)
    pd.testing.assert_frame_equal(r.parcels, written.result.parcels.drop(columns="reason_label"))
    assert r.summary["parcels"] > 0 and r.summary["industrial_without_enterprise_data"] > 0
    assert dict(r.summary) == {k: written.summary[k] for k in r.summary}
    idle_only = intensity.run_low_efficiency(parcels, plot.parcels, None, rules)
    assert set(idle_only.parcels["reason"]) == {"idle"} and idle_only.per_mu_tax.isna().all()
