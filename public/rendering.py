"""The portal pages' Markdown, and the SVG bar charts of the public report.

A page is written by staff in a Markdown subset with headings (the comments'
subset has none), sanitised by nh3 like every other text shown as HTML.

The charts reuse the review packet's geometry (``packets.rendering.bar_chart``),
so the report and the packet draw the same bars from the same numbers; the
screen version adds what a browser needs: one SVG per chart with ``<title>``
and ``<desc>``, labels as text (the browser shapes Khmer), and the table
equivalent next to it.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from packets.rendering import bar_chart

PAGE_TAGS = {"p", "br", "h2", "h3", "strong", "em", "ul", "ol", "li", "blockquote", "a", "code"}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": False})
    md.disable(["image", "code", "fence", "html_block", "html_inline"])
    return md


def page_html(text: str) -> SafeString:
    """A page's Markdown as safe HTML; "#" headings become h2 (the page's title is the h1)."""
    html = _markdown().render(text or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    for level in (4, 5, 6):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return mark_safe(
        nh3.clean(html, tags=PAGE_TAGS, attributes={"a": {"href", "title"}}, link_rel="noopener")
    )


LABEL_WIDTH = 230
ROW_HEIGHT = 24


def svg_chart(chart_id: str, title: str, description: str, data: list[tuple[str, int]]) -> dict:
    """A horizontal bar chart for the screen: the packet's bars, laid out in one SVG."""
    chart = bar_chart(title, data)
    rows = []
    for index, bar in enumerate(chart["bars"]):
        y = index * ROW_HEIGHT
        rows.append(
            {
                **bar,
                "y": y,
                "bar_y": y + 5,
                "text_y": y + 17,
                "value_x": LABEL_WIDTH + bar["value_x"],
            }
        )
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "rows": rows,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "width": LABEL_WIDTH + chart["plot_width"] + 20,
        "height": max(len(rows), 1) * ROW_HEIGHT + 4,
        "data": data,
    }
