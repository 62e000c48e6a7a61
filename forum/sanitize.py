"""Markdown source → HTML → bleach allow-list: the only module that imports bleach.

The parser is markdown-it-py (CommonMark): its parsing is linear in the length of the source, so
no body of allowed length can hold the one event loop (Python-Markdown took 24 s on `[` × 10,000).
"""

import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown_it import MarkdownIt

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


def _set_link_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_set_link_rel],
            skip_tags={"pre", "code"},
            # Bare addresses become links only with the schemes a written link may have
            # (the default would make ftp:// and others links after the allow-list has run).
            url_re=build_url_re(protocols=ALLOWED_PROTOCOLS),
        )
    ],
)

# Headings in a post start at h3: the page's own h1/h2 keep the outline.
_HEADING_SHIFT = 2
_SCRIPT_OR_STYLE_TAG = re.compile(r"<(/?)(script|style)\b", re.IGNORECASE)


def _drop_raw_html(state) -> None:
    """Raw HTML is never rendered: its tags are dropped and the words between them stay, as
    bleach's stripping did before; the text of scripts and styles is not prose and goes too.

    HTML blocks are switched off, so every tag a resident types reaches this rule as an inline
    token.
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
    MarkdownIt("commonmark", {"html": True})
    .enable(["table", "strikethrough"])
    .disable("html_block")
)
# Which link schemes are allowed is decided once, by bleach's protocol list: a `javascript:` link
# becomes a link without its address, never the literal `[x](javascript:…)` in the page.
_parser.validateLink = lambda url: True
_parser.core.ruler.push("drop_raw_html", _drop_raw_html)
_parser.core.ruler.push("heading_levels_and_del", _shift_headings_and_name_strikethrough)


def render_markdown(source: str) -> str:
    """Render a post body to HTML that is safe to put in a page as it is."""
    return _cleaner.clean(_parser.render(source)).strip()
