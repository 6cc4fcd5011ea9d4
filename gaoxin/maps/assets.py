"""Front-end assets: find the packages installed by ``make setup`` and inline them into HTML.

Nothing third-party is committed: Leaflet, d3 (branca's legends) and the plugins come from
``node_modules`` installed at set-up (``GAOXIN_ASSETS`` or ``<repo>/.assets/node_modules``).
:func:`inline_assets` turns every CDN ``<script src>`` / ``<link href>`` of a rendered folium
page into inline ``<script>`` / ``<style>`` blocks, with CSS ``url(...)`` files as data URIs.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from functools import cache
from pathlib import Path

from ..errors import InputError

STATIC = Path(__file__).parent / "static"

# CDN URL prefix -> path inside node_modules (folium 0.20 / branca 0.8 references).
_PREFIXES: tuple[tuple[str, str], ...] = (
    (r"https?://cdn\.jsdelivr\.net/npm/((?:@[^/]+/)?[^@/]+)@[^/]+/(.+)", r"\1/\2"),
    (r"https?://cdn\.jsdelivr\.net/gh/[^/]+/([^@/]+)@[^/]+/(.+)", r"\1/\2"),
    (r"https?://unpkg\.com/((?:@[^/]+/)?[^@/]+)@[^/]+/(.+)", r"\1/\2"),
    (r"https?://code\.jquery\.com/jquery-[\d.]+(\.min)?\.js", r"jquery/dist/jquery\1.js"),
    (r"https?://cdnjs\.cloudflare\.com/ajax/libs/d3/[^/]+/(.+)", r"d3/\1"),
    (r"https?://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/[^/]+/(.+)\.js",
     r"drmonty-leaflet-awesome-markers/js/\1.js"),
    (r"https?://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/[^/]+/(.+)\.css",
     r"drmonty-leaflet-awesome-markers/css/\1.css"),
)
# Stylesheets with no npm twin that nothing we draw needs (Bootstrap 3 glyphicons, a rotate helper).
_DROPPABLE = ("bootstrap-glyphicons.css", "leaflet.awesome.rotate")

_TAG = re.compile(
    r'<script[^>]*\ssrc="(?P<js>https?://[^"]+)"[^>]*>\s*</script>'
    r'|<link[^>]*\shref="(?P<css>https?://[^"]+)"[^>]*/?>'
)

SETUP_FIX = "run `make setup` in the gaoxin checkout (it installs the map assets), or set " \
            "GAOXIN_ASSETS to a node_modules folder holding them; or write with --online"


def assets_dir() -> Path:
    """The ``node_modules`` folder holding the map assets.

    ``GAOXIN_ASSETS`` wins; otherwise ``.assets/node_modules`` at the repository root.

    Raises
    ------
    InputError
        When the folder (with Leaflet inside) does not exist.

    Examples
    --------
    >>> assets_dir().name
    'node_modules'
    """
    env = os.environ.get("GAOXIN_ASSETS")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / ".assets" / "node_modules"
    if not (root / "leaflet" / "dist" / "leaflet.js").is_file():
        raise InputError(f"map assets (Leaflet) not found in {root}", fix=SETUP_FIX)
    return root


def local_path(url: str, root: Path) -> Path | None:
    """The installed file for a CDN ``url``, or ``None`` when none matches.

    A ``.min`` file missing from the package falls back to the unminified one.

    Examples
    --------
    >>> local_path("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    ...            assets_dir()).name
    'leaflet.js'
    """
    for pattern, repl in _PREFIXES:
        if re.fullmatch(pattern, url):
            rel = re.sub(pattern, repl, url)
            for cand in (rel, rel.replace(".min.", ".")):
                if (root / cand).is_file():
                    return root / cand
    return None


def data_uri(path: Path) -> str:
    """``data:`` URI of a file (images, fonts)."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@cache
def _css_inlined(path: Path) -> str:
    text = path.read_text(encoding="utf-8")

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2)
        if ref.startswith(("data:", "#", "http:", "https:")):
            return m.group(0)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        return f"url({data_uri(target)})" if target.is_file() else m.group(0)

    return re.sub(r"""url\((['"]?)([^'")]+)\1\)""", repl, text)


@cache
def _js(path: Path) -> str:
    return script_safe(path.read_text(encoding="utf-8"))


def script_safe(js: str) -> str:
    """Make JavaScript safe inside an inline ``<script>``: no ``</script`` can end it early.

    Examples
    --------
    >>> script_safe('var s = "</script>";')
    'var s = "<\\\\/script>";'
    """
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def inline_assets(html: str, root: Path | None = None) -> str:
    """Replace each CDN script/stylesheet tag in ``html`` with the installed file, inlined.

    Raises
    ------
    InputError
        When an external script or stylesheet has no installed twin.

    Examples
    --------
    >>> page = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    >>> out = inline_assets(page)
    >>> out.startswith("<script>") and "https://cdn" not in out
    True
    """
    root = root or assets_dir()

    def repl(m: re.Match[str]) -> str:
        url = m.group("js") or m.group("css")
        path = local_path(url, root)
        if path is None:
            if m.group("css") and any(d in url for d in _DROPPABLE):
                return ""
            raise InputError(f"no installed copy of the map asset {url}", fix=SETUP_FIX)
        if m.group("js"):
            return f"<script>{_js(path)}</script>"
        return f"<style>{_css_inlined(path)}</style>"

    return _TAG.sub(repl, html)


def runtime_js() -> str:
    """The gaoxin map runtime (our own code, shipped in the package)."""
    return _js(STATIC / "gaoxin-map.js")


def runtime_css() -> str:
    """Styles of the gaoxin map runtime."""
    return (STATIC / "gaoxin-map.css").read_text(encoding="utf-8")
