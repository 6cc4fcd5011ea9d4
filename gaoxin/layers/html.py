"""HTML pages (reports, the demo index) rendered from templates with autoescaping.

A value read from an input file is never markup: Jinja2 escapes every ``{{ value }}``.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .write import write_text

_ENV = Environment(
    loader=PackageLoader("gaoxin", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context: object) -> str:
    """Render a packaged template with autoescaping.

    Examples
    --------
    >>> "&lt;b&gt;" in render("check.html", title="<b>", rows=[], blocking=False,
    ...                        workspace="w", lang="zh", crs="", labels={})
    True
    """
    return _ENV.get_template(template).render(**context)


def write_page(target: str | Path, template: str, **context: object) -> Path:
    """Render a template and write it atomically."""
    return write_text(target, render(template, **context))
