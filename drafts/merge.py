"""Word-level three-way merge of an article's text.

``merge3(base, ours, theirs, language)`` merges two edits of the same text:
``base`` is the text both started from (the article a commenter saw), ``ours``
the current working text, ``theirs`` a proposed text. Changes that touch
different words merge by themselves; changes that touch the same words (or
insert at the same point) are conflicts, and the merged text keeps *our*
words there, so merging never drops the current text.

No merge library is installed in the project's environment, so this is
written on ``difflib.SequenceMatcher`` over word lists, as ``redline.word_diff``
is: words come from ICU (``core.segment.words``) because Khmer is written
without spaces, so splitting on spaces would make a whole Khmer sentence one
"word" and every two edits of it a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from core.segment import words


@dataclass(frozen=True)
class Conflict:
    """Both sides changed the same words: the three texts of that stretch, and where it stands.

    ``start``/``end`` are character offsets of ``ours`` in the merged text;
    ``base_start``/``base_end`` those of ``base`` in the base text.
    """

    base: str
    ours: str
    theirs: str
    start: int
    end: int
    base_start: int
    base_end: int


@dataclass
class MergeResult:
    """The merged text (ours wherever both sides changed the same words) and the conflicts."""

    text: str
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class _Hunk:
    """One side replaces base tokens [start, end) with ``tokens`` (start == end: an insertion)."""

    start: int
    end: int
    tokens: tuple[str, ...]
    side: str


def _hunks(base: list[str], other: list[str], side: str) -> list[_Hunk]:
    """The changes from ``base`` to ``other``, each as a replaced range of base tokens.

    Changes separated only by whitespace are one change: difflib happily matches
    the single space between two replaced words, which would otherwise split
    "a b" → "x y" into two changes and let the other side's edit slip between them.
    """
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    hunks: list[_Hunk] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        tokens = tuple(other[j1:j2])
        if hunks and all(not t.strip() for t in base[hunks[-1].end : i1]):
            previous = hunks.pop()
            between = tuple(base[previous.end : i1])
            hunks.append(_Hunk(previous.start, i2, previous.tokens + between + tokens, side))
        else:
            hunks.append(_Hunk(i1, i2, tokens, side))
    return hunks


def _overlaps(start: int, end: int, hunk: _Hunk) -> bool:
    """Whether ``hunk`` touches the stretch of base tokens [start, end).

    Changes to the same words overlap, and so do changes that merely touch:
    two insertions at the same point (which goes first is the drafter's
    choice: "shall not" against "shall never"), or an insertion right at the
    edge of a replaced word, with nothing between them. A whitespace token
    between two changes keeps them apart, so edits of neighbouring words
    still merge.
    """
    return hunk.start <= end and start <= hunk.end


def _apply(base: list[str], start: int, end: int, hunks: list[_Hunk]) -> list[str]:
    """Base tokens [start, end) with one side's (non-overlapping, sorted) hunks applied."""
    out: list[str] = []
    position = start
    for hunk in hunks:
        out.extend(base[position : hunk.start])
        out.extend(hunk.tokens)
        position = hunk.end
    out.extend(base[position:end])
    return out


def merge3(base: str, ours: str, theirs: str, language: str = "en") -> MergeResult:
    """Merge ``theirs`` into ``ours``, both edits of ``base``, word by word in ``language``."""
    base, ours, theirs = base or "", ours or "", theirs or ""
    if ours == theirs or theirs == base:
        return MergeResult(text=ours)
    if ours == base:
        return MergeResult(text=theirs)
    base_tokens = words(base, language)
    hunks = _hunks(base_tokens, words(ours, language), "ours") + _hunks(
        base_tokens, words(theirs, language), "theirs"
    )
    hunks.sort(key=lambda h: (h.start, h.end, h.side))

    # Group the changes into stretches of base that one or both sides changed.
    groups: list[tuple[int, int, list[_Hunk]]] = []
    for hunk in hunks:
        if groups and _overlaps(groups[-1][0], groups[-1][1], hunk):
            start, end, members = groups[-1]
            groups[-1] = (min(start, hunk.start), max(end, hunk.end), [*members, hunk])
        else:
            groups.append((hunk.start, hunk.end, [hunk]))

    out: list[str] = []
    conflicts: list[Conflict] = []
    position = 0
    for start, end, members in groups:
        out.extend(base_tokens[position:start])
        position = end
        ours_hunks = [h for h in members if h.side == "ours"]
        theirs_hunks = [h for h in members if h.side == "theirs"]
        ours_part = _apply(base_tokens, start, end, ours_hunks)
        if not theirs_hunks:
            out.extend(ours_part)
            continue
        theirs_part = _apply(base_tokens, start, end, theirs_hunks)
        if not ours_hunks or ours_part == theirs_part:
            out.extend(theirs_part)  # only they changed it, or both made the same change
            continue
        merged_start = len("".join(out))
        ours_text = "".join(ours_part)
        base_start = len("".join(base_tokens[:start]))
        base_text = "".join(base_tokens[start:end])
        conflicts.append(
            Conflict(
                base=base_text,
                ours=ours_text,
                theirs="".join(theirs_part),
                start=merged_start,
                end=merged_start + len(ours_text),
                base_start=base_start,
                base_end=base_start + len(base_text),
            )
        )
        out.extend(ours_part)  # never drop the current text
    out.extend(base_tokens[position:])
    return MergeResult(text="".join(out), conflicts=conflicts)
