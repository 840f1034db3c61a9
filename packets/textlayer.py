"""A true text layer for Khmer in the packets' PDFs: each drawn Khmer run carries its words.

WeasyPrint draws glyphs as HarfBuzz shaped them and maps each glyph back to
text once per font (a ToUnicode table). That holds for Latin script, where a
glyph is a letter, but not for Khmer: a pre-base vowel is drawn before the
consonant it follows in the text, subscript consonants and ligatures are
glyphs of their own, and a glyph shared by several clusters maps to whichever
text it met first. A PDF reader that rebuilds the text from those glyphs gets
the letters in the wrong order (8 of 105 sentences survived pdftotext).

PDF has the remedy (ISO 32000-1, 14.9.4): a marked-content sequence
``/Span <</ActualText (...)>> BDC ... EMC`` around what is drawn gives the text
that drawing stands for, and readers (poppler's pdftotext, Acrobat's copy and
search, screen readers) use it in place of the glyph map. WeasyPrint has no
option for it, so ``install`` wraps the one function that draws a text box
(``weasyprint.draw.draw_text``, which draws exactly one line of one inline
box) so that a box holding Khmer is drawn inside such a span carrying the
box's own text. Latin-only boxes are left alone: their glyph map is right, and
the span would only add bytes.

The hook depends on WeasyPrint's drawing code, so it is pinned: it installs
only on the WeasyPrint series it was written against (``SUPPORTED_SERIES``,
matching constraints.txt) and otherwise raises, so that an upgrade is a test
failure (tests/packets/test_text_layer.py) rather than a silently scrambled
packet. When a later WeasyPrint offers ActualText itself, this module goes.
"""

from __future__ import annotations

import functools
import re

from core.segment import ZERO_WIDTH_SPACE

# The WeasyPrint releases whose ``draw.draw_text(stream, textbox, ...)`` this wraps.
SUPPORTED_SERIES = ("70.",)

KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")

_installed = False


class UnsupportedWeasyPrint(RuntimeError):
    """The hook was not checked against this WeasyPrint: check it, then add its series."""


def actual_text(text: str) -> str:
    """The words a box stands for: its text without the break opportunities the packet adds."""
    return text.replace(ZERO_WIDTH_SPACE, "")


def _wrap(draw_text):
    import pydyf

    @functools.wraps(draw_text)
    def draw_text_with_actual_text(stream, textbox, *args, **kwargs):
        text = getattr(textbox, "text", "")
        if not KHMER.search(text) or textbox.style["visibility"] != "visible":
            return draw_text(stream, textbox, *args, **kwargs)
        # A /Span tag with its property list inline: the form poppler reads ActualText from.
        properties = pydyf.Dictionary({"ActualText": pydyf.String(actual_text(text))})
        stream.begin_marked_content("Span", properties)
        try:
            return draw_text(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text_with_actual_text.actual_text_hook = True
    return draw_text_with_actual_text


def install() -> None:
    """Wrap WeasyPrint's text drawing once per process (idempotent)."""
    global _installed
    if _installed:
        return
    import weasyprint
    from weasyprint import draw

    if not weasyprint.__version__.startswith(SUPPORTED_SERIES):
        raise UnsupportedWeasyPrint(
            f"packets.textlayer was written for WeasyPrint {SUPPORTED_SERIES}, "
            f"not {weasyprint.__version__}"
        )
    if not getattr(draw.draw_text, "actual_text_hook", False):
        draw.draw_text = _wrap(draw.draw_text)
    _installed = True
