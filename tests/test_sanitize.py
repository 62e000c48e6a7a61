"""Post bodies: Markdown rendered, then cleaned against the allow-list."""

import random
import re
from html.parser import HTMLParser

import pytest
from linkify_it import LinkifyIt

from config import Config
from forum import sanitize, text
from forum.sanitize import (
    _MAY_HOLD_AN_ADDRESS,
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    LINK_REL,
    render_markdown,
)
from tests.data.corpus import bleach_strings, pathological


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


# What posts render, with markdown-it-py (CommonMark)


def test_strikethrough_tables_and_fenced_code_render():
    html = render_markdown("~~stare~~ nowe\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```py\nx = 1\n```")
    assert "<del>stare</del>" in html
    assert "<table>" in html and "<th>a</th>" in html and "<td>2</td>" in html
    assert "<pre><code>x = 1\n</code></pre>" in html


def test_every_heading_level_moves_two_down_and_stops_at_h6():
    html = render_markdown("## Dwa\n\n### Trzy\n\n###### Sześć\n\nSetext\n===")
    assert "<h4>Dwa</h4>" in html and "<h5>Trzy</h5>" in html
    assert "<h6>Sześć</h6>" in html and "<h3>Setext</h3>" in html


def test_a_line_break_needs_two_spaces_as_before():
    assert render_markdown("jeden\ndwa") == "<p>jeden\ndwa</p>"
    assert render_markdown("jeden  \ndwa") == "<p>jeden<br>\ndwa</p>"


def test_raw_html_is_never_rendered_but_its_words_stay():
    assert render_markdown("<em>x</em> i <b>y</b>") == "<p>x i y</p>"
    assert render_markdown('<a href="https://x.pl">x</a>') == "<p>x</p>"
    assert render_markdown("<script>\nalert(1)\n</script>") == "<p></p>"


def test_a_link_to_a_forbidden_scheme_keeps_its_words_not_its_address():
    assert render_markdown("[x](javascript:alert(1))") == f'<p><a rel="{LINK_REL}">x</a></p>'
    assert render_markdown("[x](data:text/html,hi)") == f'<p><a rel="{LINK_REL}">x</a></p>'


# Outside material (tests/data/README.md): nothing script-capable comes out, whatever goes in


class _Markup(HTMLParser):
    """Every element, attribute and comment of an HTML fragment, as the stdlib parser reads it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements, self.others = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.others.append(("comment", data))

    def handle_decl(self, decl):
        self.others.append(("declaration", decl))

    def handle_pi(self, data):
        self.others.append(("processing instruction", data))

    def unknown_decl(self, data):
        self.others.append(("declaration", data))


_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: control characters and spaces do not separate it."""
    url = _INVISIBLE.sub("", url)
    head = re.split(r"[/?#]", url, maxsplit=1)[0]
    return head.split(":", 1)[0].lower() if ":" in head else None


def assert_safe(html: str) -> None:
    markup = _Markup(html)
    assert markup.others == []
    for tag, attrs in markup.elements:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, ()), (tag, name)
            if name == "href":
                assert _scheme(value or "") in ALLOWED_PROTOCOLS | {None}, value


@pytest.mark.parametrize("source", bleach_strings())
def test_bleachs_own_test_inputs_render_to_nothing_script_capable(source):
    assert_safe(render_markdown(source))


def test_the_safety_check_can_fail():
    for unsafe in (
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="https://x.pl" onclick="x()">x</a>',
        "<img src=x>",
        "<!-- x -->",
    ):
        with pytest.raises(AssertionError):
            assert_safe(unsafe)


PATHOLOGICAL = pathological(Config.BODY_MAX_LENGTH)


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_each_pathological_input_of_the_largest_allowed_length_renders(name):
    """Correctness only: how long it takes is measured by bench/render.py and
    tests/e2e/test_loop_lag.py."""
    source = PATHOLOGICAL[name]
    assert len(source) <= Config.BODY_MAX_LENGTH
    html = render_markdown(source)
    assert_safe(html)
    assert _Markup(html).elements or html.strip(), "something is shown"


# Bare addresses: markdown-it-py's linkify (linkify-it-py), with the schemes a written link may have


def _link(href: str, text: str) -> str:
    return f'<a href="{href}" rel="{LINK_REL}">{text}</a>'


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("https://www.krakow.pl", _link("https://www.krakow.pl", "https://www.krakow.pl")),
        ("www.krakow.pl", _link("http://www.krakow.pl", "www.krakow.pl")),
        ("krakow.pl/bo", _link("http://krakow.pl/bo", "krakow.pl/bo")),
        ("mailto:bo@krakow.pl", _link("mailto:bo@krakow.pl", "mailto:bo@krakow.pl")),
        ("(https://x.pl).", f"({_link('https://x.pl', 'https://x.pl')})."),
        ("https://x.pl/?a=1&b=2", _link("https://x.pl/?a=1&amp;b=2", "https://x.pl/?a=1&amp;b=2")),
        # an entity is read as the character it stands for, as in a written link
        (
            "https://x.pl/?a=1&amp;b=2",
            _link("https://x.pl/?a=1&amp;b=2", "https://x.pl/?a=1&amp;b=2"),
        ),
    ],
)
def test_bare_addresses_with_an_allowed_scheme_or_a_domain_become_links(source, html):
    assert render_markdown(source) == f"<p>{html}</p>"


@pytest.mark.parametrize(
    "source",
    [
        "bo@krakow.pl",  # a bare e-mail address stays text, as before
        "ftp://x.pl/plik",
        "//x.pl/a",
        "irc://x.pl",
        "ws://x.pl/a",
        "javascript:alert(1)",
        "data:text/html,x",
        "plik.pdf i wersja 1.2.3",
    ],
)
def test_other_schemes_and_e_mail_addresses_are_not_linked_not_even_in_part(source):
    assert "<a" not in render_markdown(source)


def test_addresses_in_code_are_not_linked():
    html = render_markdown("`https://x.pl` i `www.x.pl`\n\n    https://y.pl\n\n```\nwww.z.pl\n```")
    assert "<a" not in html
    assert "<code>https://x.pl</code>" in html and "<code>www.x.pl</code>" in html


def test_an_address_in_a_written_link_is_not_linked_again():
    assert render_markdown("[https://x.pl](https://y.pl)") == (
        f"<p>{_link('https://y.pl', 'https://x.pl')}</p>"
    )


def test_markdown_around_a_bare_address_stays_markdown():
    assert render_markdown("~~https://x.pl~~ **www.x.pl**") == (
        f"<p><del>{_link('https://x.pl', 'https://x.pl')}</del> "
        f"<strong>{_link('http://www.x.pl', 'www.x.pl')}</strong></p>"
    )


def test_an_address_between_raw_tags_is_linked_as_their_words_stay():
    assert (
        render_markdown("<b>https://x.pl</b>") == f"<p>{_link('https://x.pl', 'https://x.pl')}</p>"
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_a_written_link_to_a_forbidden_scheme_never_keeps_its_address(spelling):
    for source in (f"[x]({spelling})", f"[x][r]\n\n[r]: {spelling}"):
        assert render_markdown(source) == f'<p><a rel="{LINK_REL}">x</a></p>'
    assert "href" not in render_markdown(f"<{spelling}>")  # an autolink: its words, no address


def test_every_link_gets_the_rel_and_nothing_else_of_the_users():
    html = render_markdown('[x](https://x.pl "tytuł") <https://y.pl> https://z.pl')
    assert html.count(f'rel="{LINK_REL}"') == 3
    assert 'title="tytuł"' in html


def test_html_comments_and_text_that_looks_like_entities_are_escaped_not_revived():
    assert render_markdown("a <!-- b --> c") == "<p>a  c</p>"
    # CommonMark reads a numeric reference of at most 6 hex digits: this one is text
    assert render_markdown("&#x000003c;b&#x000003e;") == "<p>&amp;#x000003c;b&amp;#x000003e;</p>"


def test_the_cheap_pretest_never_skips_a_text_linkify_it_would_link():
    linkify = LinkifyIt(options={"fuzzy_email": False}).add("ftp:", None).add("//", None)
    texts = {piece for source in bleach_strings() for piece in (source, *source.split())}
    texts |= {"www.x.pl", "krakow.pl/bo", "mailto:a@b.pl", "http://x", "ąę.pl", "x.pl:80"}
    texts |= {"xn--80ak6aa92e.com", "пример.рф", "a.b.c.d.pl", "192.168.0.1.pl", "x.pl.", "(x.pl)"}
    texts |= {"localhost", "localhost:8080", "http://127.0.0.1", "127.0.0.1", "10.0.0.1/x"}
    linked = [text for text in texts if linkify.test(text)]
    assert len(linked) > 50
    assert [text for text in linked if not _MAY_HOLD_AN_ADDRESS.search(text)] == []
    # and it skips what only looks like one: numbers, times, abbreviations before a space
    for words in ("koszt 3.5 mln zł", "B12T34.567 filler", "o 12.30, ok. 300 tys. zł."):
        assert not _MAY_HOLD_AN_ADDRESS.search(words)


# Plain prose takes a shortcut past the parser and the allow-list (sanitize._PLAIN_PROSE): it must
# render exactly as they would render it, and everything else must still go through them.
PROSE_ALPHABET = (
    "aąbcćdeęfghijklłmnńoóprsśtuwyzźżAĄŁŚŻ0123456789 \n\n.,;:!?'\"()-+=#%/@$^{}"
    "\\`*_[]<>&~|\u00a0\t\u2003\u200b😀"
)


def _full_render(source: str) -> str:
    return sanitize._cleaner.clean(sanitize._parser.render(source)).strip()


def _prose_samples(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["ławki", "Kraków", "1.", "2)", "12", "3.5", "x.pl", "ok.", "-", "#", ">", "  ", "\n"]
    samples = []
    for _ in range(count):
        if rng.random() < 0.5:
            pieces = [rng.choice(PROSE_ALPHABET) for _ in range(rng.randint(1, 12))]
        else:
            pieces = [rng.choice(words + list(PROSE_ALPHABET)) for _ in range(rng.randint(1, 8))]
        samples.append(text.clean("".join(pieces), multiline=True)[0])
    return samples


def test_plain_prose_renders_as_the_parser_and_the_allow_list_render_it():
    sources = [*bleach_strings(), *_prose_samples(20_000, seed=11)]
    sources += [
        "B12T34.000 Proponuję, żeby w ramach budżetu obywatelskiego odnowić skwer: nowe ławki.",
        "Ala\nma\n\n\nkota",
        "Cytat: \"tak\" i 'nie'",
        "2024 r.\n12 ławek",
    ]
    prose = [source for source in sources if sanitize._PLAIN_PROSE.fullmatch(source)]
    assert len(prose) > 2_000  # the shortcut is taken often enough for this to mean something
    assert [s for s in prose if render_markdown(s) != _full_render(s)] == []


@pytest.mark.parametrize(
    "source",
    [
        "1. lista",
        "Ala\n2) b",
        "a  \nb",
        "a \nb",
        "_x_",
        "a\n===",
        "a\n- b",
        "> cytat",
        "a\n    b",
        "x.pl",
        "a:b",
        "a &amp; b",
        "a\u00a0b",
        "~~a~~",
        "a | b\n--|--",
        "  a",
        "a\n\n # b",
    ],
)
def test_what_is_not_plain_prose_goes_through_the_parser(source):
    assert not (
        sanitize._PLAIN_PROSE.fullmatch(source) and not sanitize._MAY_HOLD_AN_ADDRESS.search(source)
    )
    assert render_markdown(source) == _full_render(source)
