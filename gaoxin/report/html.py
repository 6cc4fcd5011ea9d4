"""HTML pages (reports, the demo index) rendered from templates with autoescaping.

A value read from an input file is never markup: Jinja2 escapes every ``{{ value }}``, no
template marks user text ``|safe`` (the overview SVG arrives as :class:`markupsafe.Markup`,
escaped where it is drawn), and a link target goes through :func:`relative_url`.

A template takes its words from the label catalogue, in the page's ``lang``: ``t(key)`` is
:func:`.labels.label` and ``bilingual(zh, en, lang)`` picks one of a value's two texts; no
template chooses a language itself.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from pyproj import CRS

from ..geo.crs import gk_zone_of_crs
from ..layers.write import write_text
from .labels import LABELS, bilingual, label, locale

_ENV = Environment(
    loader=PackageLoader("gaoxin.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def relative_url(path: str) -> str:
    """A link to the output file ``path`` (relative, ``/``-separated) as a relative URL.

    Every character a URL path cannot hold as it is gets percent-encoded, ``:`` included: the
    link can only name a file beside the page, never become a ``javascript:`` or ``http:``
    URL, a query or a fragment. HTML escaping of the attribute stays with autoescape.

    Examples
    --------
    >>> relative_url("expansion/east/report.html")
    'expansion/east/report.html'
    >>> relative_url("javascript:alert(1)"), relative_url("a b#?/扩区.html")
    ('javascript%3Aalert%281%29', 'a%20b%23%3F/%E6%89%A9%E5%8C%BA.html')
    >>> relative_url("//example.org/x")
    './/example.org/x'
    """
    url = quote(path, safe="/")
    # A leading "/" would name the site root, "//" another host.
    return f".{url}" if url.startswith("/") else url


_ENV.filters["relative_url"] = relative_url
_ENV.globals["bilingual"] = bilingual


def crs_text(crs: CRS | None, lang: str) -> str:
    """A coordinate reference system as a page names it in ``lang``, with its EPSG code.

    Built from pyproj's facts (geodetic datum, projection method, Gauss-Krüger zone and
    whether eastings carry the zone number), so a CRS given as WKT without a code reads the
    same way; only the datums' short names come from the catalogue.

    Examples
    --------
    >>> crs_text(CRS.from_epsg(4523), "zh")
    'CGCS2000 / 3度带高斯-克吕格投影 第35带(中央经线 105°E,横坐标含带号) (EPSG:4523)'
    >>> crs_text(CRS.from_epsg(4544), "en")
    'CGCS2000 / 3-degree Gauss-Krüger zone 35 (CM 105°E) (EPSG:4544)'
    >>> crs_text(CRS.from_epsg(4490), "zh"), crs_text(None, "zh")
    ('CGCS2000 地理坐标系(经纬度) (EPSG:4490)', '无坐标系')
    """
    if crs is None:
        return label("crs.none", lang)
    geodetic = crs.geodetic_crs or crs
    datum_key = f"crs.datum.{geodetic.name}"
    datum = label(datum_key, lang) if datum_key in LABELS else geodetic.name
    gk = gk_zone_of_crs(crs)
    if crs.is_geographic:
        name = label("crs.geographic", lang).format(datum=datum)
    elif gk is not None:
        width, zone, prefixed = gk
        # a 3° zone n is centred on 3n°E, a 6° zone n on (6n − 3)°E
        cm = zone * 3 if width == 3 else zone * 6 - 3
        key = "crs.gauss_kruger.prefixed" if prefixed else "crs.gauss_kruger"
        name = label(key, lang).format(datum=datum, width=width, zone=zone, cm=cm)
    elif crs.utm_zone:
        name = label("crs.utm", lang).format(datum=datum, zone=crs.utm_zone)
    else:
        name = label("crs.projected", lang).format(datum=datum,
                                                   name=crs.name.split(" / ")[-1])
    code = crs.to_epsg()
    return label("crs.with_code", lang).format(name=name, code=f"EPSG:{code}") if code else name


def date_text(day: dt.date, lang: str) -> str:
    """A day as a reader writes it: ``2026年12月06日`` in zh.

    Examples
    --------
    >>> date_text(dt.date(2026, 12, 6), "zh"), date_text(dt.date(2026, 12, 6), "en")
    ('2026年12月06日', '2026-12-06')
    """
    return label("report.date", lang).format(year=day.year, month=day.month, day=day.day)


def render(template: str, **context: object) -> str:
    """Render a packaged template with autoescaping, its words in ``context["lang"]``.

    Examples
    --------
    >>> "&lt;b&gt;" in render("check.html", title="<b>", rows=[], blocking=False,
    ...                        workspace="w", lang="zh", crs="")
    True
    >>> "工作区" in render("check.html", title="", rows=[], blocking=False, workspace="w",
    ...                   lang="zh", crs="")
    True
    """
    lang = str(context.get("lang", "zh"))
    words = {"t": partial(label, lang=lang), "html_lang": locale("html", lang)}
    return _ENV.get_template(template).render({**words, **context})


def write_page(target: str | Path, template: str, **context: object) -> Path:
    """Render a template and write it atomically."""
    return write_text(target, render(template, **context))


