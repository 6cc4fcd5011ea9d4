"""HTML pages (reports, the demo index) rendered from templates with autoescaping.

A value read from an input file is never markup: Jinja2 escapes every ``{{ value }}``, no
template marks user text ``|safe`` (the overview SVG arrives as :class:`markupsafe.Markup`,
escaped where it is drawn), and a link target goes through :func:`relative_url`.

A template takes its words from the label catalogue, in the page's ``lang``: ``t(key)`` is
:func:`.labels.label` and ``bilingual(zh, en, lang)`` picks one of a value's two texts; no
template chooses a language itself.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape

from ..layers.write import write_text
from .labels import bilingual, label, locale

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


