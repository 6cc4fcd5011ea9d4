"""report/html.py: pages from templates with autoescaping, and links that stay relative."""

from __future__ import annotations

from pathlib import Path

import pytest

from gaoxin.report.html import relative_url, render, write_page


@pytest.mark.parametrize(("path", "url"), [
    ("per_mu/map.html", "per_mu/map.html"),
    ("javascript:alert(1)", "javascript%3Aalert%281%29"),   # a file name, never a scheme
    ("/etc/passwd", "./etc/passwd"),                          # never the site root
    ("//evil.example/x", ".//evil.example/x"),                # never another host
    ("a?b#c.html", "a%3Fb%23c.html"),                         # no query, no fragment
    ("扩区 报告.html", "%E6%89%A9%E5%8C%BA%20%E6%8A%A5%E5%91%8A.html"),
])
def test_relative_url(path: str, url: str) -> None:
    assert relative_url(path) == url


def test_render_escapes_context_and_the_link_filter_applies() -> None:
    page = render("index.html", title='<b>"甲"</b>', lang="zh", subtitle="",
                  sections=[])
    assert "&lt;b&gt;&#34;甲&#34;&lt;/b&gt;" in page and "<b>" not in page


def test_write_page_writes_the_rendered_page(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "index.html"
    written = write_page(target, "index.html", title="示例", lang="zh", subtitle="",
                         sections=[])
    assert written == target
    text = target.read_text(encoding="utf-8")
    assert text == render("index.html", title="示例", lang="zh", subtitle="", sections=[])
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]
