"""The one map builder: :class:`MapLayer`, :func:`build_map`, :func:`save_map`, :func:`write_map`.

Each layer is prepared in Python (reprojected to EPSG:4326, shifted to GCJ-02 over AMap, only
the shown columns kept, simplified where invisible, quantised to 1e-6°) and embedded in the
compact encoding of :mod:`gaoxin.maps.encode`; the runtime draws it on one canvas per layer
and hit-tests clicks and hovers itself. Every layer, small or large, takes that path (see
``benchmarks/RESULTS.md``, "Maps": it is smaller and faster than Leaflet GeoJSON from 10
features to 300,000), so tooltips, popups, escaping and the tests are the same for all.
"""

from __future__ import annotations

import itertools
import re
import secrets
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, partial
from html import escape
from pathlib import Path
from typing import Any, TypedDict

import folium
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.plugins import Fullscreen, MeasureControl
from jinja2 import Template

from ..errors import InputError
from ..geo.area import area_table
from ..kinds import KINDS
from ..layers.write import write_bytes
from ..report import labels as catalogue
from ..report.labels import AREA_DECIMALS, TEXT, column_label, layer_label
from ..report.symbology import Style, kind_style
from . import assets, chunks
from .basemaps import add_basemap
from .drawn import DrawnLayer, drawn_layer
from .encode import (
    QUANT,
    ColumnArrays,
    EncodedColumn,
    EncodedGeometry,
    column_arrays,
    encode_arrays,
    safe_json,
)
from .style import Classes, Codes, classify

AREA_COLUMNS = ("area_mu", "area_ha", "area_m2")
LANGS = ("zh", "en")
MINIMAL_JS = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")]
MINIMAL_CSS = [("leaflet_css", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css")]


class ColumnPayload(EncodedColumn):
    """A shown column: its name, its label in the map language, and its values."""

    name: str
    label: str


class LayerPayload(EncodedGeometry):
    """What the runtime's ``gaoxin.fastLayer`` draws: geometry, classes, columns.

    A big layer (``lod``) has its geometry, classes and column values in chunks instead
    (see :mod:`gaoxin.maps.chunks`): the streams here are empty, ``cols`` describe only.
    """

    id: str
    name: str
    kind: str | None
    n: int
    cls: str | None  # style class per feature, run-length coded (None: one class)
    styles: list[Style]
    cols: list[ColumnPayload]
    tip: int  # columns shown in the tooltip
    idcol: str | None
    lod: chunks.Chunked | None


class LegendEntry(Style):
    label: str
    line: bool  # drawn as a line (roads), not a filled box


class LegendItem(TypedDict):
    id: str
    var: str  # the layer's JavaScript variable
    name: str
    note: str | None  # what the layer holds, in words (e.g. a check's counts)
    lod: str | None  # how a big layer is drawn at each zoom
    caption: str | None
    entries: list[LegendEntry]


class UiOptions(TypedDict):
    """What the runtime's ``gaoxin.ui`` builds: title, legend, search box and notices."""

    lang: str
    title: str | None
    legend: list[LegendItem]
    notes: list[str]
    tiles: list[str]  # tile layers' variables, to report when they fail to load
    search: bool
    text: dict[str, str]


@dataclass
class MapLayer:
    """One layer of a map.

    Parameters
    ----------
    gdf
        Features in any CRS (reprojected to EPSG:4326 for display).
    kind
        A key of :data:`gaoxin.kinds.KINDS`, ``"result"`` or ``None`` (generic).
    name
        Display name; default the kind's label in the map language.
    columns
        Columns shown in tooltip and popup; default the kind's canonical fields present plus
        the area columns (computed in 亩 and 公顷 for polygon layers that lack them).
    color_by, classify, thresholds, unit
        Choropleth (numeric column: ``"quantiles"``, ``"natural_breaks"``, ``"thresholds"``)
        or categorical colouring (text column), with the legend unit.
    show
        Initially visible.
    highlight
        Drawn prominently (e.g. conflicts).
    fit
        Fit the initial view to this layer (and the other ``fit`` layers) only, e.g. an
        expansion request inside a large zone; by default the view fits the areas of
        interest (zones, parks, parcels, requests, results).
    note
        A sentence shown in the legend under the layer's name, e.g. the counts behind it:
        the name stays short for the layer control.

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    >>> MapLayer(g, "parcels").kind
    'parcels'
    """

    gdf: gpd.GeoDataFrame
    kind: str | None = None
    name: str | None = None
    columns: list[str] | None = None
    color_by: str | None = None
    classify: str | None = None
    thresholds: list[float] | None = None
    unit: str | None = None
    show: bool = True
    highlight: bool = False
    fit: bool = False
    note: str | None = None


class _Verbatim(Element):
    """Page text that is already rendered, written as it is.

    branca hands each macro's output to ``Element(text)``, which compiles the text as a Jinja
    template and renders it a second time: a layer name, column name, value or title holding
    ``{{ … }}`` would run as template code (Python) while the page is written. Every element
    that carries user text is rendered once, into one of these.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _figure(element: Element) -> Figure:
    """The page ``element`` is on (branca renders elements only inside a Figure)."""
    root = element.get_root()
    assert isinstance(root, Figure), "an element renders only inside a Figure"
    return root


def _render_script(element: MacroElement, kwargs: dict[str, Any]) -> None:
    """Add the ``script`` macro of ``element`` to its page, rendered once (see `_Verbatim`)."""
    script = element._template.module.script(element, kwargs)
    _figure(element).script.add_child(_Verbatim(script), name=element.get_name())


# Stand-ins for chunk blobs in a rendered page: letters and digits only (JSON, HTML and the
# page's rewrites leave them alone), with a nonce no layer's text can hold by chance.
_BLOB_TOKEN = f"gaoxinblob{secrets.token_hex(12)}n"
_blob_numbers = itertools.count()
_BLOB = re.compile("(" + re.escape(_BLOB_TOKEN) + r"\d+z)")  # split keeps the tokens


class FastLayer(folium.map.Layer):
    """A folium layer drawn by the gaoxin runtime (one canvas, no Leaflet object per feature)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = gaoxin.fastLayer({{ this.payload }}, {});
        {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
    """)

    def __init__(self, payload: LayerPayload, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GaoxinLayer"
        # A big layer's chunks (base64: nothing in them to escape or unescape, 45 MB at 1M
        # parcels) wait outside the page as it is rendered, behind tokens, and are put in
        # as the page is written (see `render_html`).
        self.blobs: dict[str, str] = {}
        lod = payload["lod"]
        if lod is not None and lod["chunks"]:
            tokens = [f"{_BLOB_TOKEN}{next(_blob_numbers)}z" for _ in lod["chunks"]]
            self.blobs = dict(zip(tokens, lod["chunks"], strict=True))
            payload = {**payload, "lod": {**lod, "chunks": tokens}}
        self.payload = safe_json(payload)

    # branca types Element.render as returning the text, but its MacroElement.render (which
    # this replaces) adds to the page and returns None; folium's renderers do the same.
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca: -> None
        _add_runtime(_figure(self))
        _render_script(self, kwargs)


class _Ui(MacroElement):
    """Title, legend, search box and notices (built by the runtime with textContent)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        gaoxin.ui({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, options: UiOptions) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca: py.typed, unannotated
        self._name = "GaoxinUi"
        self.options = safe_json(options)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca: -> None
        _add_runtime(_figure(self))
        _render_script(self, kwargs)


class _LayerControl(folium.LayerControl):
    """folium's layer control, each layer name handed to Leaflet as HTML text.

    ``L.control.layers`` writes a name into the page with ``innerHTML`` (its names are HTML
    by design), so a file stem such as ``<img src=x onerror=…>`` would become an element:
    the name is HTML-escaped here, the one place it enters that control.
    """

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca: -> None
        self.reset()
        assert self._parent is not None, "the control renders only on its map"
        for item in self._parent._children.values():
            if isinstance(item, folium.map.Layer) and item.control:
                names = self.overlays if item.overlay else self.base_layers
                names[escape(item.layer_name)] = item.get_name()
        _render_script(self, kwargs)


def _add_runtime(figure: Figure) -> None:
    if "gaoxin_runtime" not in figure.header._children:
        figure.header.add_child(
            _Verbatim(f"<style>{assets.runtime_css()}</style>\n"
                      f"<script>{assets.runtime_js()}</script>"),
            name="gaoxin_runtime",
        )


def _check(layers: Sequence[MapLayer], basemap: str, lang: str) -> None:
    if lang not in LANGS:
        raise InputError(f"unknown map language {lang!r}", fix="use zh or en")
    for i, lyr in enumerate(layers):
        if lyr.kind is not None and lyr.kind != "result" and lyr.kind not in KINDS:
            raise InputError(f"unknown layer kind {lyr.kind!r} (layer {i + 1})",
                             fix=f"use one of {', '.join(KINDS)}, result or none")
        if lyr.gdf.crs is None:
            raise InputError(f"layer {lyr.name or lyr.kind or i + 1} has no CRS",
                             fix="declare the CRS of the file in the workspace")
        if lyr.color_by is not None and lyr.color_by not in lyr.gdf.columns:
            raise InputError(f"color_by column {lyr.color_by!r} is not in the layer",
                             fix=f"use one of {', '.join(map(str, lyr.gdf.columns))}")


def _default_columns(lyr: MapLayer, frame: gpd.GeoDataFrame) -> list[str]:
    geom = frame.geometry.name
    if lyr.kind in KINDS:
        cols = [f.name for f in KINDS[lyr.kind].fields if f.name in frame.columns]
    else:
        cols = [c for c in frame.columns if c != geom and c not in AREA_COLUMNS][:12]
    return cols + [c for c in AREA_COLUMNS[:2] if c in frame.columns]


def _with_areas(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add area_mu / area_ha to polygon layers that lack them."""
    if "area_m2" in frame.columns and not {"area_mu", "area_ha"} <= set(frame.columns):
        m2 = pd.to_numeric(frame["area_m2"], errors="coerce")
        return frame.assign(area_mu=m2 * 0.0015, area_ha=m2 / 10_000)
    if {"area_mu", "area_ha"} & set(frame.columns) or len(frame) == 0:
        return frame
    if not frame.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        return frame
    areas = area_table(frame.geometry)
    return frame.assign(area_mu=areas["area_mu"], area_ha=areas["area_ha"])


def _id_column(kind: str | None, cols: list[str]) -> str | None:
    spec = KINDS.get(kind or "")
    idf = spec.id_field if spec else None
    if idf in cols:
        return idf
    return next((c for c in cols if c.endswith("_id") or c in ("id", "name")), cols[0] if cols
                else None)


def _layer_payload(lyr: MapLayer, index: int, basemap: str, lang: str
                   ) -> tuple[LayerPayload, Classes, str, npt.NDArray[np.float64]]:
    """The layer's payload, classes, name, and bounds (lon/lat as drawn; NaN when empty)."""
    frame = lyr.gdf
    drawable = ~(frame.geometry.isna() | frame.geometry.is_empty)
    if not drawable.all():  # a copy of every column, only when some rows go
        frame = frame[drawable]
    if lyr.columns is None and lyr.kind != "result" and (
        lyr.kind is None or KINDS[lyr.kind].geometry == "polygon"
    ):
        frame = _with_areas(frame)
    cols = list(lyr.columns) if lyr.columns is not None else _default_columns(lyr, frame)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(f"columns {missing} are not in layer {lyr.name or lyr.kind}",
                         fix=f"use some of {', '.join(map(str, frame.columns))}")
    if lyr.color_by and lyr.color_by not in cols:
        cols.append(lyr.color_by)
    big = len(frame) > chunks.CHUNKED_ABOVE
    draw = partial(drawn_layer, np.asarray(frame.geometry.values, dtype=object), frame.crs,
                   gcj02=basemap == "amap")
    # A big layer is drawn in threads while this one classifies and codes its columns
    # (Python holding the GIL, which the drawing mostly lets go of): otherwise the second
    # core idles through them.
    drawing = _drawing_thread().submit(draw) if big else None
    try:
        classes, encoded = _classes_and_columns(lyr, frame, cols, lang)
        # A big layer's columns as its chunks will write them, made meanwhile too.
        texts = [chunks.ColumnJson(enc) for enc in encoded.values()] if big else []
    except BaseException:
        if drawing is not None:
            drawing.result()  # the drawing's error, if any, first: it came first before
        raise
    drawn = draw() if drawing is None else drawing.result()
    name = lyr.name or layer_label(lyr.kind, lang)
    idcol = _id_column(lyr.kind, cols)
    # A big layer's values are in its chunks: its columns only describe them.
    columns: list[ColumnPayload] = [
        {"name": c, "label": column_label(c, lyr.kind, lang), **enc.payload(with_values=not big)}
        for c, enc in encoded.items()]
    lod = _chunked(lyr, frame, drawn, classes, encoded, texts, idcol, lang) if big else None
    geometry: EncodedGeometry = (
        encode_arrays(drawn.arrays) if lod is None
        else {"q": QUANT, "fparts": "", "ptype": "", "prings": "", "rlen": "", "xy": ""})
    payload: LayerPayload = {
        "id": f"L{index}", "name": name, "kind": lyr.kind, "n": len(frame), **geometry,
        "cls": _runs(classes.codes) if len(classes.styles) > 1 and lod is None else None,
        "styles": classes.styles, "cols": columns, "tip": min(3, len(columns)),
        "idcol": idcol, "lod": lod,
    }
    return payload, classes, name, drawn.total_bounds


@cache
def _drawing_thread() -> ThreadPoolExecutor:
    """The thread a big layer is drawn in (its blocks go on to the drawing's own threads)."""
    return ThreadPoolExecutor(1, thread_name_prefix="gaoxin-map-draw")


def _classes_and_columns(lyr: MapLayer, frame: gpd.GeoDataFrame, cols: list[str], lang: str
                         ) -> tuple[Classes, dict[str, ColumnArrays]]:
    """The layer's style classes and its shown columns, encoded."""
    name = lyr.name or layer_label(lyr.kind, lang)
    base = kind_style("result" if lyr.kind == "result" else lyr.kind, lyr.highlight)
    if lyr.color_by:
        if not lyr.highlight:
            # A choropleth reads by its fills: thin neutral outlines, or at a zone-wide zoom
            # thousands of kind-coloured strokes hide the classes.
            base = {**base, "color": "#4d4d4d", "weight": min(float(base.get("weight", 1)), 0.4)}
        label = column_label(lyr.color_by, lyr.kind, lang)
        classes = classify(frame[lyr.color_by], base, method=lyr.classify,
                           thresholds=lyr.thresholds, unit=lyr.unit, label=label, lang=lang)
    else:
        classes = Classes(np.zeros(len(frame), dtype=int), [base], [name])
    encoded = {c: column_arrays(_coded_words(frame[c], c, lang), decimals=AREA_DECIMALS.get(c),
                                yes_no=(catalogue.label("yes", lang), catalogue.label("no", lang)))
               for c in cols}
    return classes, encoded


def _chunked(lyr: MapLayer, frame: gpd.GeoDataFrame, drawn: DrawnLayer, classes: Classes,
             columns: dict[str, ColumnArrays], texts: list[chunks.ColumnJson],
             idcol: str | None, lang: str) -> chunks.Chunked:
    """A big layer in chunks, with its grid of cells for the zoomed-out views."""
    ids = columns[idcol].texts() if idcol is not None else None
    values, decimals, value_label = None, 2, None
    caption = classes.caption or lyr.color_by or ""
    if lyr.color_by and classes.recode is not None:
        values = pd.to_numeric(frame[lyr.color_by], errors="coerce").to_numpy(dtype=float)
        decimals = columns[lyr.color_by].d if columns[lyr.color_by].t == "n" else 2
        value_label = catalogue.label("map.cell_mean", lang).format(name=caption)
    elif len(classes.styles) > 1:
        value_label = catalogue.label("map.cell_class", lang).format(name=caption)
    words: chunks.CellWords = {"title": catalogue.label("map.cell", lang),
                               "count": catalogue.label("map.cell_count", lang),
                               "value": value_label}
    return chunks.chunk_layer(drawn, classes.codes, classes.labels, texts,
                              ids, values=values, recode=classes.recode, decimals=decimals,
                              cell_words=words)


# Columns holding codes of the catalogue, shown as words: the column → its label group, and
# whether the code stays in front (A2 工矿仓储用地) or is replaced (national → 国家级).
CODED_COLUMNS = {"level": ("zone_level", False), "status": ("land_status", True)}


def _coded_words(values: pd.Series, column: str, lang: str) -> pd.Series:
    """``values`` of a coded column in words of ``lang``; other columns and unknown codes
    unchanged.

    Examples
    --------
    >>> _coded_words(pd.Series(["national", "A2"]), "level", "zh").tolist()
    ['国家级', 'A2']
    >>> _coded_words(pd.Series(["A2"]), "status", "zh").tolist()
    ['A2 工矿仓储用地']
    """
    if column not in CODED_COLUMNS or values.dtype.kind in "biufc":
        return values
    group, keep_code = CODED_COLUMNS[column]

    def word(v: object) -> object:
        key = f"{group}.{v}"
        if not isinstance(v, str) or key not in catalogue.LABELS:
            return v
        text = catalogue.label(key, lang)
        return f"{v} {text}" if keep_code else text
    return values.map(word, na_action="ignore")


def _runs(codes: Codes) -> str:
    from .encode import runs_b64
    return runs_b64(codes)


def _legend_item(var: str, payload: LayerPayload, classes: Classes, note: str | None,
                 lang: str) -> LegendItem:
    counts = np.bincount(classes.codes, minlength=len(classes.styles))
    line = payload["kind"] == "roads"
    entries: list[LegendEntry] = [{**st, "label": lab, "line": line}
               for st, lab, n in zip(classes.styles, classes.labels, counts, strict=True)
               if n > 0 or len(classes.styles) == 1]
    lod = (catalogue.label("map.lod", lang).format(n=f"{payload['n']:,}")
           if payload["lod"] else None)
    return {"id": payload["id"], "var": var, "name": payload["name"], "note": note,
            "lod": lod, "caption": classes.caption, "entries": entries}


# Layers that define the area of interest; the others (red lines, farmland, roads …) are
# context that may cover a whole province and should not zoom the map out.
AOI_KINDS = ("zones", "parks", "parcels", "requests", "result", "buildings", None)


def _bounds(layers: Sequence[MapLayer],
            geoms_bounds: list[npt.NDArray[np.float64]]) -> list[list[float]]:
    pairs = list(zip(layers, geoms_bounds, strict=True))
    pool = [b for lyr, b in pairs if lyr.fit] \
        or [b for lyr, b in pairs if lyr.show and (lyr.highlight or lyr.kind in AOI_KINDS)] \
        or [b for lyr, b in pairs if lyr.show] or geoms_bounds
    b = np.array([x for x in pool if np.all(np.isfinite(x))])
    if len(b) == 0:
        return [[18.0, 73.0], [54.0, 135.0]]  # China
    return [[float(b[:, 1].min()), float(b[:, 0].min())],
            [float(b[:, 3].max()), float(b[:, 2].max())]]


def build_map(layers: Sequence[MapLayer], *, basemap: str = "none", lang: str = "zh",
              title: str | None = None, tianditu_key: str | None = None,
              notes: Sequence[str] = ()) -> folium.Map:
    """Build a map of ``layers`` (drawn in order, the last on top).

    Parameters
    ----------
    layers
        The layers; each is styled by its kind.
    basemap
        ``"tianditu"`` (key from ``tianditu_key`` or ``TIANDITU_KEY``), ``"osm"``, ``"amap"``
        (overlays converted to GCJ-02, noted in the legend) or ``"none"``.
    lang
        ``"zh"`` (default) or ``"en"`` for every label of the map.
    title
        Shown at the top right and as the page title.
    notes
        Sentences shown under the legend (what an analysis left out, and why).

    Examples
    --------
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"parcel_id": ["P1"], "name": ["一号地"]},
    ...                      geometry=[box(104.0, 30.0, 104.001, 30.001)], crs=4326)
    >>> m = build_map([MapLayer(g, "parcels")], title="示例")
    >>> "一号地" in m.get_root().render()
    True
    """
    _check(layers, basemap, lang)
    text = TEXT[lang]
    # The scale bar is the runtime's (metric only); Leaflet's default adds miles and feet.
    m = folium.Map(tiles=None, prefer_canvas=True, control_scale=False, max_zoom=19,
                   zoom_snap=0.25)
    m.default_js = list(MINIMAL_JS)
    m.default_css = list(MINIMAL_CSS)
    tiles = add_basemap(m, basemap, lang, tianditu_key)
    legend: list[LegendItem] = []
    bounds: list[npt.NDArray[np.float64]] = []
    for i, lyr in enumerate(layers):
        # The bounds of the geometry as drawn: reprojecting the layer again for them took
        # 0.7 s per 200,000 parcels.
        payload, classes, name, drawn = _layer_payload(lyr, i, basemap, lang)
        fl = FastLayer(payload, name=name, show=lyr.show).add_to(m)
        legend.append(_legend_item(fl.get_name(), payload, classes, lyr.note, lang))
        bounds.append(drawn)
    _LayerControl(collapsed=False).add_to(m)
    Fullscreen(  # type: ignore[no-untyped-call]  # folium: py.typed, __init__ unannotated
        title=text["fullscreen"], title_cancel=text["exit_fullscreen"]).add_to(m)
    MeasureControl(  # type: ignore[no-untyped-call]  # folium: py.typed, __init__ unannotated
        primary_length_unit="meters", primary_area_unit="sqmeters",
        secondary_area_unit="hectares", localization=catalogue.locale("measure", lang)
    ).add_to(m)
    notes = [*notes, *([text["gcj02"]] if basemap == "amap" else [])]
    ui: UiOptions = {"lang": lang, "title": title, "legend": legend, "notes": notes,
          "tiles": [t.get_name() for t in tiles], "search": True,
          "text": {k: text[k] for k in ("legend", "layers", "search", "notFound",
                                        "basemapOffline", "more")}}
    m.add_child(_Ui(ui))
    if title:
        _figure(m).header.add_child(_Verbatim(f"<title>{escape(title)}</title>"), name="title")
    m.fit_bounds(_bounds(layers, bounds))
    return m


# Each map's page, once rendered, without its chunk blobs, and the blobs by their tokens
# (kept as long as the map is).
_RENDERED: weakref.WeakKeyDictionary[folium.Map, tuple[str, dict[str, str]]] = \
    weakref.WeakKeyDictionary()


def _page_parts(m: folium.Map, offline: bool) -> tuple[list[str], dict[str, str]]:
    """The page of ``m`` as text between chunk tokens (tokens included), and the blobs.

    A map is rendered once and the result kept: folium appends duplicate script lines when a
    map is rendered twice. The rewrites of the page (escapes, zoom, inlined assets) read
    only the text around the blobs, which they would leave as they are.
    """
    rendered = _RENDERED.get(m)
    if rendered is None:
        blobs = {token: data for child in m._children.values()
                 if isinstance(child, FastLayer) for token, data in child.blobs.items()}
        rendered = (allow_pinch_zoom(unescape_cjk(m.get_root().render())), blobs)
        _RENDERED[m] = rendered
    text, blobs = rendered
    html = assets.inline_assets(text) if offline else text
    return (_BLOB.split(html) if blobs else [html]), blobs


def render_html(m: folium.Map, *, offline: bool = True) -> str:
    """The page of ``m``: assets inlined when ``offline``, else loaded from CDNs."""
    parts, blobs = _page_parts(m, offline)
    return "".join(blobs.get(p, p) if i % 2 else p for i, p in enumerate(parts))


def page_bytes(m: folium.Map, *, offline: bool = True) -> bytes:
    """:func:`render_html` of ``m`` in UTF-8, the blobs joined in as bytes (no 45 MB page
    of text to build and encode)."""
    parts, blobs = _page_parts(m, offline)
    return b"".join((blobs[p] if i % 2 else p).encode("ascii" if i % 2 else "utf-8")
                    for i, p in enumerate(parts))


_NO_PAGE_ZOOM = re.compile(r",\s*maximum-scale=1\.0,\s*user-scalable=no")


def allow_pinch_zoom(html: str) -> str:
    """The page without folium's ``user-scalable=no``: a phone user may pinch to read.

    The map itself still takes a pinch on it as its own zoom (Leaflet's ``touch-action``);
    outside the map (legend, popups) the page zooms, as small print needs on a phone.

    Examples
    --------
    >>> allow_pinch_zoom('content="width=device-width, initial-scale=1.0, '
    ...                  'maximum-scale=1.0, user-scalable=no"')
    'content="width=device-width, initial-scale=1.0"'
    """
    return _NO_PAGE_ZOOM.sub("", html, count=1)


# A ``\\uXXXX`` escape; whether its backslash is itself escaped is decided by counting the
# backslashes before it. (A pattern that starts by matching backslash pairs is tried at every
# position of the page: 1.6 s on a 10 MB map of base64 blobs.)
_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescape_cjk(html: str) -> str:
    r"""Write ``\uXXXX`` escapes of non-ASCII text in the page's scripts as UTF-8 characters.

    folium's ``tojson`` escapes layer names (``"\u5730\u5757"``): 6 bytes per Chinese
    character instead of 3. ASCII escapes (``\u003c``) and line separators are kept, and so
    is an escaped backslash followed by ``u``.

    Examples
    --------
    >>> print(unescape_cjk(r'<body><script>var a = "\u5730\u5757\u003c";</script>'))
    <body><script>var a = "地块\u003c";</script>
    >>> print(unescape_cjk(r'<body>"\\u5730" "\\\u5730"'))
    <body>"\\u5730" "\\地"
    """
    head, sep, body = html.partition("<body>")
    if not sep:
        head, body = "", html

    def repl(mt: re.Match[str]) -> str:
        code = int(mt.group(1), 16)
        if code < 0x80 or 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029):
            return mt.group(0)
        before = mt.start() - 1
        while before >= 0 and body[before] == "\\":
            before -= 1
        escaped = (mt.start() - 1 - before) % 2  # an odd run of backslashes escapes ours
        return mt.group(0) if escaped else chr(code)

    return head + sep + _UESC.sub(repl, body)


def save_map(m: folium.Map, path: str | Path, *, offline: bool = True) -> Path:
    """Write ``m`` to ``path`` atomically (temporary file, then rename).

    With ``offline`` (the default) the file is self-contained: all JavaScript and CSS are
    inlined from the assets installed by ``make setup``; it renders with no network.

    Raises
    ------
    InputError
        When offline and the assets are not installed (run ``make setup``).
    """
    return write_bytes(path, page_bytes(m, offline=offline))


def write_map(layers: Sequence[MapLayer], path: str | Path, *, offline: bool = True,
              basemap: str = "none", lang: str = "zh", title: str | None = None,
              tianditu_key: str | None = None, notes: Sequence[str] = ()) -> Path:
    """Build and save a map in one call (see :func:`build_map` and :func:`save_map`).

    Examples
    --------
    >>> import tempfile
    >>> from shapely import box
    >>> g = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["高新区"]},
    ...                      geometry=[box(104.0, 30.0, 104.01, 30.01)], crs=4326)
    >>> out = write_map([MapLayer(g, "zones")], Path(tempfile.mkdtemp()) / "m.html")
    >>> "<script src=\\"http" in out.read_text(encoding="utf-8")
    False
    """
    if offline:
        assets.assets_dir()  # fail before the (possibly long) build
    m = build_map(layers, basemap=basemap, lang=lang, title=title, tianditu_key=tianditu_key,
                  notes=notes)
    return save_map(m, path, offline=offline)
