"""Markdown source → HTML → nh3 allow-list: the only module that imports nh3.

The parser is markdown-it-py (CommonMark): its parsing is linear in the length of the source, so
no body of allowed length can hold the one event loop (Python-Markdown took 24 s on `[` × 10,000).
Bare addresses become links in the parser (linkify-it-py); the allow-list is nh3 (Rust's ammonia
on html5ever), ~30 times faster than bleach's html5lib in pure Python, which it replaced.
"""

import re

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_core.text_join import text_join

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "del",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "hr",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # ammonia sets `rel` itself (link_rel) on every link and refuses it in the attribute list.
    attributes={tag: set(names) - {"rel"} for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_PROTOCOLS),
    link_rel=LINK_REL,
    strip_comments=True,
)

# Bare addresses become links with the schemes a written link may have, as bleach's linkifier
# made them: http(s)://…, mailto:…, and bare domains (www.example.com, krakow.pl, taken as http://)
# but neither a bare e-mail address nor ftp:// or a scheme-relative //host. The parser does it,
# so text in code spans and blocks is never linked. Only its core rule runs, on the text once
# Markdown is parsed and raw HTML dropped, as bleach's linkifier did on the rendered HTML: the
# address is read with its entities decoded (`?a=1&amp;b=2` links to `?a=1&b=2`), and emphasis
# and strikethrough around it stay Markdown. (markdown-it's inline rule reads `http://…` from the
# source instead, where `&amp;` would stay in the address and `~~https://x.pl~~` would take the
# tildes into it.)


# Every address linkify-it finds has a `:` followed by a character that is not a space (http:,
# https:, mailto:) or a `.` followed by a letter (the host's last dot, before its top-level domain,
# which is letters or `xn--…`). A number such as "3.5" or "12.30" is neither.
_MAY_HOLD_AN_ADDRESS = re.compile(r":\S|\.[^\W\d_]")


class _Linkify(LinkifyIt):
    def pretest(self, text: str) -> bool:
        """markdown-it asks this of a paragraph's Markdown source before it tests each text of
        the paragraph. linkify-it's own pretest wants an address to follow a space or punctuation
        there, and `~~https://…~~` fails it (`~` is neither) though the text inside the
        strikethrough is the address alone: each text is tested on its own, as bleach's linkifier
        tested the rendered text. This check is only cheap: linkify-it's test costs ~10 µs a text
        (its patterns hold large Unicode classes), and most texts have neither character."""
        return _MAY_HOLD_AN_ADDRESS.search(text) is not None

    def test(self, text: str) -> bool:
        return self.pretest(text) and super().test(text)


_linkify = _Linkify(options={"fuzzy_email": False}).add("ftp:", None).add("//", None)

# Headings in a post start at h3: the page's own h1/h2 keep the outline.
_HEADING_SHIFT = 2
_SCRIPT_OR_STYLE_TAG = re.compile(r"<(/?)(script|style)\b", re.IGNORECASE)


def _drop_raw_html(state) -> None:
    """Raw HTML is never rendered: its tags are dropped and the words between them stay (as an
    allow-list stripping them would); the text of scripts and styles is not prose and goes too.

    HTML blocks are switched off, so every tag a resident types reaches this rule as an inline
    token. It runs before bare addresses are linked, so an address between tags that are dropped
    is linked like any other.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, inside = [], None
        for token in block.children:
            if token.type == "html_inline":
                tag = _SCRIPT_OR_STYLE_TAG.match(token.content)
                if tag and not tag[1] and inside is None:
                    inside = tag[2].lower()
                elif tag and tag[1] and tag[2].lower() == inside:
                    inside = None
            elif inside is None:
                kept.append(token)
        block.children = kept


def _shift_headings_and_name_strikethrough(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + _HEADING_SHIFT, 6)}"
        for child in token.children or ():
            if child.type in ("s_open", "s_close"):
                child.tag = "del"


_parser = (
    MarkdownIt("commonmark", {"html": True, "linkify": True})
    .enable(["table", "strikethrough"])
    .disable(["html_block", "text_join"])
)
_parser.linkify = _linkify
_parser.core.ruler.enable("linkify")
# Which link schemes are allowed is decided once, by the allow-list's url_schemes: a `javascript:`
# link becomes a link without its address, never the literal `[x](javascript:…)` in the page.
_parser.validateLink = lambda url: True
_parser.core.ruler.before("linkify", "drop_raw_html", _drop_raw_html)
# Text split by escapes, entities or dropped tags is one text again before addresses are looked for.
_parser.core.ruler.before("linkify", "text_join_before_linkify", text_join)
_parser.core.ruler.push("heading_levels_and_del", _shift_headings_and_name_strikethrough)


# Plain prose: paragraphs of lines in which neither Markdown nor HTML reads anything. No markup
# character anywhere (escapes, code, emphasis, strikethrough, links, tags, entities, tables), no
# character the allow-list's serialiser writes as an entity, no control character, no space before
# a line break or at the end (a hard break, or a space markdown-it drops) nor two in a row; each
# line opens with a letter, or a
# digit that is not an ordered list's marker (so it continues its paragraph: no heading, quote,
# list, rule, code block or setext underline); and nothing linkify-it could link.
_PLAIN_PROSE = re.compile(
    r"(?!\d{1,9}[.)])[^\W_]"  # the first line's opening: a letter or a digit
    r"(?:[^\\`*_\[\]<>&~|\u00a0\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029 \n]"
    r"| (?=[^ \n])|\n+(?!\d{1,9}[.)])(?=[^\W_]))*"
)
_PARAGRAPHS = re.compile(r"\n\n+")


def render_markdown(source: str) -> str:
    """Render a post body to HTML that is safe to put in a page as it is."""
    if _PLAIN_PROSE.fullmatch(source) and not _MAY_HOLD_AN_ADDRESS.search(source):
        # What the parser and the allow-list make of plain prose, for a tenth of their work
        # (tests/test_sanitize.py compares the two on every corpus text and thousands of others).
        return "\n".join(f"<p>{paragraph}</p>" for paragraph in _PARAGRAPHS.split(source))
    return _cleaner.clean(_parser.render(source)).strip()
