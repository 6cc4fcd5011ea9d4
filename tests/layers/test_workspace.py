"""layers/workspace.py: the workspace TOML, its refusals named with a fix."""

from __future__ import annotations

import pytest

from gaoxin.errors import InputError
from gaoxin.layers.workspace import load_workspace


@pytest.mark.parametrize(("text", "message"), [
    ('[layers.plots]\npath = "a.gpkg"\n', "unknown layer kind 'plots'"),
    ('[layers.zones]\nlayer = "a"\n', "has no path"),
    ('[layers.zones]\npath = "a.gpkg"\nsrid = 4544\n', "unknown key(s) srid"),
    ('[layers.zones]\npath = "a.gpkg"\n[layers.zones.fields]\nzone = "x"\n',
     "unknown field 'zone'"),
    ('[workspace]\ncrs = "EPSG:123456789"\n', "unknown CRS"),
    ('[layer.zones]\npath = "a"\n', "unknown section"),
])
def test_bad_workspace_files(tmp_path, text, message):
    toml = tmp_path / "gaoxin.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_workspace(toml)
    assert message in str(info.value) and "Fix:" in str(info.value)
