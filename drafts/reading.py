"""How a version's text is shown to a reader: the language it is shown in, its paragraphs
with quoted passages marked, and where its consultation stands.

Used by the reading pages, the article pages and the desk alike, so the text
looks the same wherever it is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.i18n import current_language
from stakeholders.policies import consultation_is_open

from .models import DraftVersion, Provision

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


# --- article text ---------------------------------------------------------------------


def shown_language(provision: Provision, language: str | None = None) -> str:
    """The language an article's text is shown in: the reader's, when the article has text in
    it; otherwise the other language, so a reader never faces an empty article. Pages say so
    (``is_shown_in_other_language``) and mark the text with its ``lang``.

    ``language``: the reader's, when the caller knows it already (a page of 300 articles
    asks once, not 300 times)."""
    language = language or current_language()
    if getattr(provision, f"text_{language}", ""):
        return language
    other = "en" if language == "km" else "km"
    return other if getattr(provision, f"text_{other}", "") else language


def is_shown_in_other_language(provision: Provision) -> bool:
    """Whether the article lacks text in the reader's language and is shown in the other one."""
    return shown_language(provision) != current_language()


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (separated by blank lines), edges trimmed."""
    spans = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


@dataclass(frozen=True)
class EarlierQuote:
    """A passage quoted on an earlier version, found again in this version's text.

    Plain data, so this module needs nothing from comments: ``text[start:end]``
    should be ``found``; ``how`` is "" (the same words in the same place),
    "moved" (the same words elsewhere) or "changed" (similar words).
    """

    comment_id: int
    start: int
    end: int
    found: str
    version_number: int
    language: str = "en"  # of the text it was found in
    how: str = ""

    def locate(self, text: str) -> tuple[int, int] | None:
        """Where it stands in ``text``: at its offsets, else (text edited since) its first place."""
        if self.found and text[self.start : self.end] == self.found:
            return self.start, self.end
        start = text.find(self.found) if self.found else -1
        return (start, start + len(self.found)) if start >= 0 else None

    @property
    def title(self) -> str:
        titles = {
            "moved": _("Quoted in a comment on version %(number)s; moved since"),
            "changed": _("Quoted in a comment on version %(number)s; changed since"),
        }
        text = titles.get(self.how, _("Quoted in a comment on version %(number)s"))
        return text % {"number": self.version_number}


def marked_paragraphs(
    text: str,
    quotes: list[tuple[int, str]] = (),
    link: Callable[[int], str] | None = None,
    earlier: list[EarlierQuote] = (),
) -> list[SafeString]:
    """The text as escaped paragraphs, each quoted passage's first occurrence in a <mark>.

    ``quotes`` are (comment id, exact passage), oldest first; ``earlier`` are
    passages quoted on earlier versions and found again here, marked with a
    class of their own after this version's quotes. A passage that overlaps
    one already marked is left plain. Each mark is followed by a numbered
    link to its comment at ``link(comment id)`` (by default, an anchor on the
    same page). The passage itself is not a link: people select words inside
    and across marked passages to quote them, which a link would turn into a
    drag or a jump.
    """
    link = link or (lambda pk: f"#comment-{pk}")
    # (start, end, comment id, extra classes, title)
    ranges: list[tuple[int, int, int, str, str]] = []
    this_title = _("Quoted in a comment")

    def add(start: int, end: int, pk: int, classes: str, title: str) -> None:
        if any(s < end and start < e for s, e, *_rest in ranges):
            return
        ranges.append((start, end, pk, classes, title))

    for pk, exact in quotes:
        start = text.find(exact) if exact else -1
        if start >= 0:
            add(start, start + len(exact), pk, "", this_title)
    for quote in earlier:
        place = quote.locate(text)
        if place is not None:
            how = f" earlier-{quote.how}" if quote.how else ""
            add(*place, quote.comment_id, f" earlier-quote{how}", quote.title)
    ranges.sort()
    paragraphs = []
    number = 0
    for ps, pe in paragraph_spans(text):
        out = []
        position = ps
        for s, e, pk, classes, title in ranges:
            if e <= ps or s >= pe:
                continue
            s, e = max(s, ps), min(e, pe)
            if s < position:
                continue
            out.append(str(escape(text[position:s])))
            number += 1
            out.append(
                f'<mark class="quoted-passage{classes}" data-comment="{pk}">'
                f"{escape(text[s:e])}</mark>"
                f'<a class="quote-ref{classes}" href="{escape(link(pk))}" title="{escape(title)}">'
                f'<span class="visually-hidden">{escape(title)} </span>{number}</a>'
            )
            position = e
        out.append(str(escape(text[position:pe])))
        paragraphs.append(mark_safe("".join(out)))
    return paragraphs


# --- consultation status ----------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    code: str  # open, upcoming, closed, working
    version: DraftVersion

    @property
    def label(self) -> str:
        return {
            "open": _("Open for comments"),
            "upcoming": _("Opens soon"),
            "closed": _("Consultation closed"),
            "working": _("Working draft, not yet published"),
        }[self.code]


def consultation_status(version: DraftVersion, now=None) -> Status:
    now = now or timezone.now()
    if version.status == DraftVersion.Status.WORKING:
        return Status("working", version)
    if consultation_is_open(version, now):
        return Status("open", version)
    if (
        version.status == DraftVersion.Status.IN_CONSULTATION
        and version.opens_at is not None
        and version.opens_at > now
    ):
        return Status("upcoming", version)
    return Status("closed", version)
