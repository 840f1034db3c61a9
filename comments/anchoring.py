"""Finding a quoted passage again in a later version of its article.

A quote is stored as a W3C TextQuoteSelector (the exact words, with up to
``QUOTE_CONTEXT`` characters of context either side). In the next version the
passage is looked for in the same provision, in the quote's language:

- exactly, anywhere in the text; among several occurrences, the one whose
  surroundings best match the stored prefix and suffix (so a repeated phrase
  is re-found where it was, not at its first occurrence);
- failing that, as the most similar run of words (difflib over ICU words, so
  Khmer, written without spaces, is compared word by word too).

Pure functions over strings: no database, so they are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from core.segment import words

# Characters of context stored either side of a quote (its prefix and suffix).
QUOTE_CONTEXT = 32
# How alike (difflib's ratio over words, spaces left out) a run of words must be
# to the quoted passage to count as that passage, edited. The ratio is 2·M/T:
# one word replaced in a ten-word quote gives 0.9, three give 0.7. Below 0.7
# more than a third of the words differ: the passage was rewritten rather
# than edited, and on a short quote a match that weak is as likely to be a
# different sentence sharing a few common words ("the", "of", "និង").
FUZZY_THRESHOLD = 0.7
# Windows tried around the quote's length: a light edit adds or drops a few words.
_LENGTH_SLACK = 0.3


@dataclass(frozen=True)
class Anchor:
    """Where a passage stands in a text: ``text[start:end] == found``."""

    start: int
    end: int
    found: str
    exact: bool  # the very words quoted, or (False) the most similar run of words
    context_matches: bool  # the stored prefix and suffix still surround it


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the stored context still stand either side of text[start:end]."""
    return _common_suffix(text[:start], prefix) + _common_prefix(text[end:], suffix)


def _context_matches(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """The selector made at posting time would be made again here: the same context both sides."""
    return (
        text[max(0, start - QUOTE_CONTEXT) : start] == prefix
        and text[end : end + QUOTE_CONTEXT] == suffix
    )


def locate_exact(text: str, exact: str, prefix: str = "", suffix: str = "") -> Anchor | None:
    """The occurrence of ``exact`` in ``text`` whose surroundings best match the context."""
    if not exact:
        return None
    best: tuple[int, int] | None = None  # (score, start)
    start = text.find(exact)
    while start >= 0:
        score = _context_score(text, start, start + len(exact), prefix, suffix)
        if best is None or score > best[0]:
            best = (score, start)
        start = text.find(exact, start + 1)
    if best is None:
        return None
    start = best[1]
    end = start + len(exact)
    return Anchor(start, end, exact, True, _context_matches(text, start, end, prefix, suffix))


def locate_fuzzy(
    text: str, exact: str, language: str, prefix: str = "", suffix: str = ""
) -> tuple[Anchor, float] | None:
    """The run of words in ``text`` most like ``exact``, with its similarity, if any is alike.

    Compares words, not characters, so a changed word counts once whatever its
    length; whitespace is left out of the comparison. Among equally similar
    runs, the one whose surroundings best match the stored context wins.
    """
    pieces = words(text, language)
    offsets = []
    position = 0
    for piece in pieces:
        offsets.append(position)
        position += len(piece)
    # Indexes (into pieces) of the pieces that are not whitespace.
    tokens = [i for i, piece in enumerate(pieces) if piece.strip()]
    wanted = [piece for piece in words(exact, language) if piece.strip()]
    if not tokens or not wanted:
        return None
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)  # difflib caches what it learns about the second sequence
    slack = max(1, round(len(wanted) * _LENGTH_SLACK))
    lengths = range(max(1, len(wanted) - slack), len(wanted) + slack + 1)
    best: tuple[float, int, int, int] | None = None  # ratio, context score, -start, end
    for first in range(len(tokens)):
        for length in lengths:
            last = first + length
            if last > len(tokens):
                break
            window = [pieces[i] for i in tokens[first:last]]
            matcher.set_seq1(window)
            floor = best[0] if best else FUZZY_THRESHOLD
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            ratio = matcher.ratio()
            if ratio < FUZZY_THRESHOLD:
                continue
            start = offsets[tokens[first]]
            end = offsets[tokens[last - 1]] + len(pieces[tokens[last - 1]])
            candidate = (ratio, _context_score(text, start, end, prefix, suffix), -start, end)
            if best is None or candidate > best:
                best = candidate
    if best is None:
        return None
    ratio, _score, minus_start, end = best
    start = -minus_start
    anchor = Anchor(
        start, end, text[start:end], False, _context_matches(text, start, end, prefix, suffix)
    )
    return anchor, ratio


def locate(text: str, exact: str, language: str, prefix: str = "", suffix: str = ""):
    """The passage exactly if it is there, else the most similar run of words, else None."""
    return locate_exact(text, exact, prefix, suffix) or (
        found[0] if (found := locate_fuzzy(text, exact, language, prefix, suffix)) else None
    )
