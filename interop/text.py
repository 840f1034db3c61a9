"""An article's text as paragraphs and numbered points, and back.

The portal keeps an article's text as plain text: paragraphs separated by a blank
line, a paragraph's lines by a line break, and a numbered point as a line that
starts with its number ("1. ", "១. ", "(a) "). Akoma Ntoso and Word both need that
structure spelled out; ``split_text`` finds it and ``join_text`` gives the exact
text back, so an export read in again is the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_KHMER = str.maketrans("0123456789", KHMER_DIGITS)
_FROM_KHMER = str.maketrans(KHMER_DIGITS, "0123456789")

# A point's number: 1. 1) (1) a. a) (a) (iv), in Latin or Khmer digits, or a Khmer letter.
POINT_NUMBER = (
    r"(?:\(?(?:[0-9]{1,3}|[០-៩]{1,3}|[a-z]|[ក-អ])[.)]|\((?:[ivx]{1,5}|[0-9]{1,3}|[០-៩]{1,3})\))"
)
_POINT_LINE = re.compile(rf"^({POINT_NUMBER}) (.*)$", re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


def to_khmer_digits(value: str) -> str:
    return value.translate(_TO_KHMER)


def to_latin_digits(value: str) -> str:
    return value.translate(_FROM_KHMER)


def point_parts(line: str) -> tuple[str, str] | None:
    """(number, text) when ``line`` is a numbered point, else None."""
    match = _POINT_LINE.match(line)
    return (match.group(1), match.group(2)) if match else None


@dataclass
class Point:
    num: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join([f"{self.num} {self.lines[0]}", *self.lines[1:]])


@dataclass
class Paragraph:
    """A paragraph: lines before its first point, its points, and lines after the last one."""

    intro: list[str] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    wrap_up: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([*self.intro, *(p.text for p in self.points), *self.wrap_up])


def split_paragraph(text: str) -> Paragraph:
    paragraph = Paragraph()
    lines = text.split("\n")
    # The last numbered line ends the points: what follows it is the paragraph's closing
    # words (Akoma Ntoso's wrapUp); unnumbered lines between points continue the point.
    numbered = [i for i, line in enumerate(lines) if point_parts(line)]
    last = numbered[-1] if numbered else -1
    for index, line in enumerate(lines):
        parts = point_parts(line) if index <= last else None
        if parts:
            paragraph.points.append(Point(num=parts[0], lines=[parts[1]]))
        elif not paragraph.points:
            paragraph.intro.append(line)
        elif index <= last:
            paragraph.points[-1].lines.append(line)
        else:
            paragraph.wrap_up.append(line)
    return paragraph


def split_text(text: str) -> list[Paragraph]:
    """The paragraphs of an article's text (none for an empty text)."""
    text = (text or "").strip()
    if not text:
        return []
    return [split_paragraph(part) for part in _PARAGRAPH_BREAK.split(text)]


def join_text(paragraphs: list[Paragraph]) -> str:
    return "\n\n".join(p.text for p in paragraphs if p.text.strip())
