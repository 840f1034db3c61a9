"""Reading drafts: the list of drafts and a version's text with its comment counts.

Permissions come from ``stakeholders.policies`` and comment reads from
``comments.selectors``; a page runs the same number of queries whatever the
number of articles or comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from comments import selectors as comment_selectors
from comments.matrix import attach_earlier_feedback
from core.i18n import current_language
from stakeholders.policies import can, consultation_is_open

from .models import Draft, DraftVersion, Provision

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


# --- article text ---------------------------------------------------------------------


def shown_language(provision: Provision) -> str:
    """The language the article's text is shown in: Khmer only when there is Khmer text."""
    language = current_language()
    if language == "km" and provision.text_km:
        return "km"
    return "en"


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


def marked_paragraphs(
    text: str, quotes: list[tuple[int, str]] = (), link: Callable[[int], str] | None = None
) -> list[SafeString]:
    """The text as escaped paragraphs, each quoted passage's first occurrence in a <mark>.

    ``quotes`` are (comment id, exact passage), oldest first; a passage that
    overlaps one already marked is left plain. Each mark links to its comment
    at ``link(comment id)`` (by default, an anchor on the same page).
    """
    link = link or (lambda pk: f"#comment-{pk}")
    ranges: list[tuple[int, int, int]] = []
    for pk, exact in quotes:
        if not exact:
            continue
        start = text.find(exact)
        if start < 0:
            continue
        end = start + len(exact)
        if any(s < end and start < e for s, e, _pk in ranges):
            continue
        ranges.append((start, end, pk))
    ranges.sort()
    title = escape(_("Quoted in a comment"))
    paragraphs = []
    for ps, pe in paragraph_spans(text):
        out = []
        position = ps
        for s, e, pk in ranges:
            if e <= ps or s >= pe:
                continue
            s, e = max(s, ps), min(e, pe)
            if s < position:
                continue
            out.append(str(escape(text[position:s])))
            out.append(
                f'<a class="quoted-passage" href="{escape(link(pk))}" '
                f'title="{title}" data-comment="{pk}"><mark>{escape(text[s:e])}</mark></a>'
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


# --- views ----------------------------------------------------------------------------


@dataclass
class DraftRow:
    draft: Draft
    version: DraftVersion
    status: Status
    comment_count: int


def draft_list(request):
    """Every draft the reader may see, with its current version's status and comment count."""
    drafts = (
        Draft.objects.select_related("lead_ministry")
        .prefetch_related("drafting_partners", "versions")
        .order_by("-created_at")
    )
    now = timezone.now()
    rows = []
    for draft in drafts:
        versions = []
        for version in sorted(draft.versions.all(), key=lambda v: v.number):
            version.draft = draft
            if can(request.user, "version.view", version):
                versions.append(version)
        current = comment_selectors.current_version(versions)
        if current is not None:
            rows.append(DraftRow(draft, current, consultation_status(current, now), 0))
    counts = comment_selectors.counts_by_version(
        user=request.user, versions=[row.version for row in rows]
    )
    for row in rows:
        row.comment_count = counts.get(row.version.pk, 0)
    return render(request, "drafts/list.html", {"rows": rows})


@dataclass
class TocEntry:
    provision: Provision
    depth: int
    paragraphs: list[SafeString]
    comment_count: int
    language: str
    comments_url: str


def _reading_context(request, draft: Draft, versions, version: DraftVersion) -> dict:
    provisions = list(Provision.objects.for_reading(version))
    attach_earlier_feedback(provisions, version, request.user)
    counts = comment_selectors.counts_by_provision(user=request.user, version=version)
    quotes = comment_selectors.quotes_by_provision(user=request.user, version=version)
    depth_of: dict[int, int] = {}
    entries = []
    permalink_base = reverse("comments:permalink", args=[0])[: -len("0/")]

    def permalink(pk: int) -> str:
        return f"{permalink_base}{pk}/"

    for provision in provisions:
        depth = depth_of.get(provision.parent_id, -1) + 1 if provision.parent_id else 0
        depth_of[provision.pk] = depth
        language = shown_language(provision)
        comments_url = ""
        paragraphs = []
        if provision.kind == Provision.Kind.ARTICLE:
            comments_url = reverse(
                "comments:article",
                kwargs={
                    "slug": draft.slug,
                    "number": version.number,
                    "stable_id": provision.stable_id,
                },
            )
            paragraphs = marked_paragraphs(
                provision.text_in(language), quotes.get(provision.pk, []), permalink
            )
        entries.append(
            TocEntry(
                provision=provision,
                depth=depth,
                paragraphs=paragraphs,
                comment_count=counts.get(provision.pk, 0),
                language=language,
                comments_url=comments_url,
            )
        )
    current = comment_selectors.current_version(versions)
    return {
        "draft": draft,
        "version": version,
        "versions": versions,
        "current": current,
        "is_current": current is not None and current.pk == version.pk,
        "status": consultation_status(version),
        "entries": entries,
        "can_comment": can(request.user, "comment.create", version),
        "can_use_desk": can(request.user, "desk.view", draft),
        "total_comments": sum(counts.values()),
    }


def _draft_and_versions(request, slug):
    draft = get_object_or_404(
        Draft.objects.select_related("lead_ministry").prefetch_related("drafting_partners"),
        slug=slug,
    )
    versions = comment_selectors.readable_versions(user=request.user, draft=draft)
    if not versions:
        raise Http404(_("No version of this draft has been published yet."))
    return draft, versions


def read(request, slug):
    """The current version of a draft."""
    draft, versions = _draft_and_versions(request, slug)
    version = comment_selectors.current_version(versions)
    return render(request, "drafts/read.html", _reading_context(request, draft, versions, version))


def read_version(request, slug, number):
    """Any version the reader may see; working versions only for drafters and officials."""
    draft, versions = _draft_and_versions(request, slug)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404(_("There is no such version, or it is not public."))
    return render(request, "drafts/read.html", _reading_context(request, draft, versions, version))
