"""Word segmentation with ICU, for Khmer (no spaces between words) and English alike.

Word diffs and PDF line breaking both need to know where words begin and end.
Splitting on spaces is wrong for Khmer, which writes a whole phrase without
spaces, so we ask ICU's dictionary-based word BreakIterator.
"""

import threading

import icu

ZERO_WIDTH_SPACE = "\u200b"


def _is_khmer(char: str) -> bool:
    return "\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff"


_local = threading.local()


def _word_iterator(locale: str):
    """One iterator per thread and locale: building one loads ICU's dictionaries."""
    cache = _local.__dict__.setdefault("iterators", {})
    if locale not in cache:
        cache[locale] = icu.BreakIterator.createWordInstance(icu.Locale(locale))
    return cache[locale]


def words(text: str, language: str = "en") -> list[str]:
    """Split ``text`` into words and the runs between them; joined, they give ``text`` back."""
    if not text:
        return []
    iterator = _word_iterator("km" if language == "km" else "en")
    # ICU works in UTF-16 code units; UnicodeString keeps offsets consistent.
    ustring = icu.UnicodeString(text)
    iterator.setText(ustring)
    pieces = []
    start = iterator.first()
    for end in iterator:
        pieces.append(str(ustring[start:end]))
        start = end
    return pieces


def khmer_break_opportunities(text: str) -> str:
    """Insert a zero-width space between Khmer words, so a renderer may wrap there.

    Only boundaries between two Khmer words get one; English text and existing
    spaces are left as they are.
    """
    if not text or not any(_is_khmer(c) for c in text):
        return text
    pieces = words(text, "km")
    out = []
    for index, piece in enumerate(pieces):
        if index and piece and _is_khmer(piece[0]) and out[-1] and _is_khmer(out[-1][-1]):
            out.append(ZERO_WIDTH_SPACE)
        out.append(piece)
    return "".join(out)
