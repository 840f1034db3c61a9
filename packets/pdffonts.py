"""One embedded font subset per font face in a merged packet.

Each part of a packet is rendered alone, so each part embeds its own subset of
every font it uses: a merged packet of a hundred parts would carry a hundred
copies of the Khmer and Latin fonts. WeasyPrint subsets with the glyph ids
kept (``retain_gids``), and its fonts are CID fonts whose CIDs are those glyph
ids (``/CIDToGIDMap /Identity``). So the subsets of one face differ only in
which glyphs they hold, at the same ids: one font holding the union of their
glyphs serves every part, while each part keeps its own font dictionary (its
widths and its text map).
"""

from __future__ import annotations

import io

FONT_FILE = "/FontFile2"  # TrueType outlines, which is what the packet's Noto fonts are


def _descriptors(writer):
    """Every TrueType CID font descriptor used by the pages, each once."""
    seen: set[int] = set()

    def fonts_of(resources):
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            yield font.get_object()
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield from fonts_of(xobject.get("/Resources"))

    for page in writer.pages:
        for font in fonts_of(page.get("/Resources")):
            for descendant in font.get("/DescendantFonts") or []:
                descriptor_ref = descendant.get_object().get("/FontDescriptor")
                if descriptor_ref is None:
                    continue
                descriptor = descriptor_ref.get_object()
                if FONT_FILE not in descriptor:
                    continue
                key = id(descriptor)
                if key not in seen:
                    seen.add(key)
                    yield descriptor


def _face_name(font) -> str:
    """The face a subset was cut from: its PostScript name, kept by the subsetter."""
    name = font["name"].getDebugName(6) or font["name"].getDebugName(4) or ""
    return name


def _is_empty(font, glyph_name: str) -> bool:
    glyph = font["glyf"][glyph_name]
    return glyph.numberOfContours == 0


def _union(fonts: list) -> bytes:
    """One font with every glyph any of ``fonts`` holds, at the same glyph ids."""
    base = max(fonts, key=lambda font: len(font.getGlyphOrder()))
    base_order = base.getGlyphOrder()
    base_glyf, base_hmtx = base["glyf"], base["hmtx"]
    for other in fonts:
        if other is base:
            continue
        order = other.getGlyphOrder()
        for gid, name in enumerate(order):
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
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def share_font_subsets(writer) -> int:
    """Point every part's subset of a face at one union subset; returns faces shared.

    The replaced subsets are left unreferenced; the caller drops orphans when writing.
    """
    from fontTools.ttLib import TTFont, TTLibError
    from pypdf.generic import NameObject, NumberObject, StreamObject

    by_face: dict[str, list[tuple[object, object]]] = {}
    for descriptor in _descriptors(writer):
        stream = descriptor[FONT_FILE].get_object()
        try:
            font = TTFont(io.BytesIO(stream.get_data()), lazy=False)
        except (TTLibError, AssertionError, KeyError, ValueError):
            continue  # not a font we can read: it keeps its own subset
        if "glyf" not in font:
            continue
        by_face.setdefault(_face_name(font), []).append((descriptor, font))
    shared = 0
    for face, entries in by_face.items():
        if not face or len(entries) < 2:
            continue
        data = _union([font for _descriptor, font in entries])
        stream = StreamObject()
        stream.set_data(data)
        stream = stream.flate_encode()
        stream[NameObject("/Length1")] = NumberObject(len(data))
        reference = writer._add_object(stream)
        for descriptor, _font in entries:
            descriptor[NameObject(FONT_FILE)] = reference
            if "/CIDSet" in descriptor:  # lists one subset's glyphs: no longer true
                del descriptor["/CIDSet"]
        shared += 1
    return shared
