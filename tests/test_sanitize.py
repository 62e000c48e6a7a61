"""Post bodies: Markdown rendered, then cleaned against the allow-list."""

import pytest

from forum.sanitize import render_markdown


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<div style="background:url(x)" onclick="x()">y</div>',
        "<iframe src='https://evil.example'></iframe>",
        "<svg onload=alert(1)>",
        "<!-- <script>alert(1)</script> -->",
    ],
)
def test_dangerous_markup_is_removed(dangerous):
    html = render_markdown(dangerous)
    for forbidden in (
        "<script",
        "onerror",
        "javascript:",
        "onclick",
        "<iframe",
        "<svg",
        "style=",
        "onload",
        "<!--",
    ):
        assert forbidden not in html


def test_markdown_is_rendered():
    html = render_markdown("**mocno** _lekko_\n\n- a\n- b\n\n> cytat\n\n`kod`")
    assert "<strong>mocno</strong>" in html and "<em>lekko</em>" in html
    assert "<ul>" in html and "<blockquote>" in html and "<code>kod</code>" in html


def test_links_get_rel_and_bare_urls_become_links():
    html = render_markdown("[BO](https://budzet.krakow.pl) i https://www.krakow.pl")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://www.krakow.pl"' in html


def test_headings_start_below_the_page_title():
    assert render_markdown("# Duży") == "<h3>Duży</h3>"


def test_code_blocks_are_escaped_not_linked():
    html = render_markdown("```\n<b>x</b> https://x.pl\n```")
    assert "&lt;b&gt;" in html and "<a " not in html
