"""Markdown source → HTML → bleach allow-list: the only module that imports bleach."""

import re
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

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
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags={"pre", "code"})],
)


# Stripping keeps the text inside removed tags; the text of scripts and styles is not prose.
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?(</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)


def render_markdown(source: str) -> str:
    """Render a post body to HTML that is safe to put in a page as it is."""
    html = markdown.markdown(
        source,
        extensions=["sane_lists", "fenced_code", "tables", "toc"],
        # Headings in a post start at h3: the page's own h1/h2 keep the outline.
        extension_configs={"toc": {"baselevel": 3}},
    )
    return _cleaner.clean(_SCRIPT_OR_STYLE.sub("", html))
