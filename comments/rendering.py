"""User text to safe HTML: a small Markdown subset, then sanitised with nh3.

Rendered once when the text is saved (``body_html``) so pages never re-render
thousands of comments; sanitising is the last step so nothing the Markdown
layer lets through can carry script.
"""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # commonmark without raw HTML, images, headings, tables or code blocks.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.disable(["image", "heading", "lheading", "code", "fence", "hr", "html_block", "html_inline"])
    return md


def render_markdown(text: str) -> str:
    html = _markdown().render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def response_html(disposition) -> SafeString:
    """The ministry's response as every reader sees it: on pages, in emails and in packets.

    A saved disposition carries its rendering (``response_html``, made when the
    response was written); a history row keeps only the words, so it is rendered
    here the same way. Either way it went through ``render_markdown``.
    """
    if disposition is None:
        return mark_safe("")
    rendered = getattr(disposition, "response_html", None)
    if rendered is None:
        rendered = render_markdown(disposition.response)
    return mark_safe(rendered)
