"""layers/workspace.py: the workspace TOML, its refusals named with a fix."""

from __future__ import annotations

from pathlib import Path

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


def _uncommented(text: str, start: str) -> str:
    """The commented block of ``text`` that begins with ``start``, uncommented."""
    lines = []
    for line in text[text.index(start):].splitlines():
        if not line.startswith("# "):
            break
        lines.append(line[2:])
    return "\n".join(lines)


def test_the_init_templates_postgis_example_is_a_workspace_the_loader_takes(
        tmp_path: Path) -> None:
    from gaoxin.layers.workspace import init_template

    text = init_template()
    toml = tmp_path / "gaoxin.toml"
    toml.write_text("\n".join([text, _uncommented(text, "# [layers.buildings]\n# url"),
                               _uncommented(text, "# [sink]")]) + "\n", encoding="utf-8")
    ws = load_workspace(toml)
    database = ws.layers["buildings"].database
    assert database is not None and (database.table, database.geometry) == ("buildings", "geom")
    assert ws.sink is not None and ws.sink.schema == "results"
