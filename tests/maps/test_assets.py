"""maps/assets.py: CDN tags of a folium page replaced by the installed files, inlined."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from gaoxin.errors import InputError
from gaoxin.maps.assets import (
    assets_dir,
    data_uri,
    inline_assets,
    local_path,
    runtime_css,
    runtime_js,
    script_safe,
)

PNG = b"\x89PNG\r\n\x1a\n-a-marker"


@pytest.fixture
def node_modules(tmp_path: Path) -> Path:
    """A hand-made node_modules: Leaflet (script, stylesheet with an image) and d3."""
    root = tmp_path / "node_modules"
    files = {
        "leaflet/dist/leaflet.js": 'var L = {}; var s = "</SCRIPT>";',
        "leaflet/dist/leaflet.css": ".m { background: url(images/marker.png); }"
                                    " .n { background: url('data:x'); }",
        "d3/d3.min.js": "var d3 = 3;",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "leaflet/dist/images").mkdir()
    (root / "leaflet/dist/images/marker.png").write_bytes(PNG)
    return root


def test_assets_dir_from_the_environment(node_modules: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAOXIN_ASSETS", str(node_modules))
    assert assets_dir() == node_modules
    monkeypatch.setenv("GAOXIN_ASSETS", str(tmp_path / "empty"))
    with pytest.raises(InputError, match="map assets \\(Leaflet\\) not found") as info:
        assets_dir()
    assert "make setup" in (info.value.fix or "")


def test_cdn_urls_map_to_installed_files(node_modules: Path) -> None:
    jsdelivr = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
    assert local_path(jsdelivr, node_modules) == node_modules / "leaflet/dist/leaflet.js"
    # a .min file missing from the package falls back to the plain one
    unpkg = "https://unpkg.com/leaflet@1.9.3/dist/leaflet.min.js"
    assert local_path(unpkg, node_modules) == node_modules / "leaflet/dist/leaflet.js"
    cdnjs = "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"
    assert local_path(cdnjs, node_modules) == node_modules / "d3/d3.min.js"
    assert local_path("https://example.org/leaflet.js", node_modules) is None


def test_inline_assets_inlines_scripts_and_stylesheets_with_their_images(
        node_modules: Path) -> None:
    page = ('<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">'
            '</script>\n<link rel="stylesheet" '
            'href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>')
    out = inline_assets(page, node_modules)
    script, style = out.split("\n")
    assert script == '<script>var L = {}; var s = "<\\/SCRIPT>";</script>'
    png = base64.b64encode(PNG).decode("ascii")
    assert style == (f"<style>.m {{ background: url(data:image/png;base64,{png}); }}"
                     " .n { background: url('data:x'); }</style>")


def test_unknown_scripts_are_refused_and_droppable_stylesheets_dropped(
        node_modules: Path) -> None:
    glyphs = ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/bootstrap@3.0.0/'
              'dist/css/bootstrap-glyphicons.css"/>')
    assert inline_assets(f"<p>{glyphs}</p>", node_modules) == "<p></p>"
    with pytest.raises(InputError, match=re.escape("no installed copy of the map asset https://x.org/a.js")):
        inline_assets('<script src="https://x.org/a.js"></script>', node_modules)


def test_script_safe_and_data_uris(tmp_path: Path) -> None:
    assert script_safe("a</script></Script ><//script>") == "a<\\/script><\\/Script ><//script>"
    svg = tmp_path / "i.svg"
    svg.write_bytes(b"<svg/>")
    assert data_uri(svg) == "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    blob = tmp_path / "font.unknownext"
    blob.write_bytes(b"\x00")
    assert data_uri(blob) == "data:application/octet-stream;base64,AA=="


def test_runtime_ships_in_the_package() -> None:
    assert "fastLayer" in runtime_js() and "</script" not in runtime_js().lower()
    assert "{" in runtime_css()
