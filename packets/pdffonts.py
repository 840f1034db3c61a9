"""One embedded font subset per font face in a merged packet.

Each part of a packet is rendered alone, so each part embeds its own subset of
every font it uses: a merged packet of a hundred parts would carry a hundred
copies of the Khmer and Latin fonts. WeasyPrint subsets with the glyph ids
kept (``retain_gids``), and its fonts are CID fonts whose CIDs are those glyph
ids (``/CIDToGIDMap /Identity``). So the subsets of one face differ only in
which glyphs they hold, at the same ids: one font holding the union of their
glyphs serves every part, while each part keeps its own font dictionary (its
widths and its text map). ``pdfjoin`` folds the subsets into one per face as
it streams the parts, with the helpers here.
"""

from __future__ import annotations

import io

FONT_FILE = "/FontFile2"  # TrueType outlines, which is what the packet's Noto fonts are


def read_font(data: bytes):
    """The TrueType font in ``data``, or None if it is not one we can fold."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=False)
    except (TTLibError, AssertionError, KeyError, ValueError):
        return None  # not a font we can read: it keeps its own subset
    return font if "glyf" in font else None


def face_name(font) -> str:
    """The face a subset was cut from: its PostScript name, kept by the subsetter."""
    return font["name"].getDebugName(6) or font["name"].getDebugName(4) or ""


def _is_empty(font, glyph_name: str) -> bool:
    return font["glyf"][glyph_name].numberOfContours == 0


def merge_into(base, other) -> None:
    """Copy into ``base`` every glyph ``other`` draws that ``base`` leaves empty, at the same ids.

    ``base``'s glyph order must be at least as long as ``other``'s.
    """
    base_order = base.getGlyphOrder()
    base_glyf, base_hmtx = base["glyf"], base["hmtx"]
    for gid, name in enumerate(other.getGlyphOrder()):
        target = base_order[gid]
        if _is_empty(other, name) or not _is_empty(base, target):
            continue
        glyph = other["glyf"][name]
        if glyph.isComposite():
            for component in glyph.components:
                # Components are named by the other font's glyph order.
                component.glyphName = base_order[other.getGlyphID(component.glyphName)]
        base_glyf[target] = glyph
        base_hmtx[target] = other["hmtx"][name]
