"""Reading a draft: the list of drafts and a version's text with its comment counts.

Versions come from ``drafts.selectors`` and comments from ``comments.selectors``
(both under ``stakeholders.policies``); a page runs the same number of queries
whatever the number of articles or comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.i18n import current_language
from drafts import selectors as draft_selectors
from drafts.models import Draft, DraftVersion, Provision
from drafts.reading import Status, consultation_status, shown_language
from stakeholders.policies import can

from .. import selectors
from ..article_blocks import ArticleBlocks
from ..matrix import attach_earlier_feedback

# --- views ----------------------------------------------------------------------------


@dataclass
class DraftRow:
    draft: Draft
    version: DraftVersion
    status: Status
    comment_count: int


def draft_list(request):
    """Every draft the reader may see, with its current version's status and comment count."""
    now = timezone.now()
    rows = []
    for draft in draft_selectors.drafts_with_readable_versions(request.user):
        current = draft_selectors.current_version(draft.readable_versions)
        rows.append(DraftRow(draft, current, consultation_status(current, now), 0))
    counts = selectors.counts_by_version(user=request.user, versions=[row.version for row in rows])
    for row in rows:
        row.comment_count = counts.get(row.version.pk, 0)
    return render(request, "comments/reading/list.html", {"rows": rows})


@dataclass
class TocEntry:
    provision: Provision
    depth: int
    comment_count: int
    language: str
    in_other_language: bool = False
    # An article's passages quoted by the comments the reader may see, on this version
    # and (found again here) on earlier ones; its block is rendered from them.
    quotes: tuple = ()
    earlier: tuple = ()
    # An article's block (comments.article_blocks), with what it was rendered from.
    html: SafeString = ""
    paragraphs: list[SafeString] = field(default_factory=list)
    comments_url: str = ""


def _reading_context(request, draft: Draft, versions, version: DraftVersion) -> dict:
    provisions = draft_selectors.provisions_for_reading(version)
    attach_earlier_feedback(provisions, version, request.user)
    counts = selectors.counts_by_provision(user=request.user, version=version)
    quotes = selectors.quotes_by_provision(user=request.user, version=version)
    earlier = selectors.earlier_quotes_by_provision(user=request.user, version=version)
    depth_of: dict[int, int] = {}
    entries = []
    articles = []
    permalink_base = reverse("comments:permalink", args=[0])[: -len("0/")]
    reader_language = current_language()

    def permalink(pk: int) -> str:
        return f"{permalink_base}{pk}/"

    for provision in provisions:
        depth = depth_of.get(provision.parent_id, -1) + 1 if provision.parent_id else 0
        depth_of[provision.pk] = depth
        language = shown_language(provision, reader_language)
        entry = TocEntry(
            provision=provision,
            depth=depth,
            comment_count=counts.get(provision.pk, 0),
            language=language,
        )
        if provision.kind == Provision.Kind.ARTICLE:
            # Shown in the other language only when there is text to show.
            entry.in_other_language = language != reader_language and bool(
                provision.text_in(language).strip()
            )
            entry.quotes = tuple(quotes.get(provision.pk, ()))
            entry.earlier = tuple(
                q for q in earlier.get(provision.stable_id, ()) if q.language == language
            )
            articles.append(entry)
        entries.append(entry)
    can_comment = can(request.user, "comment.create", version)
    toc = ArticleBlocks(
        draft=draft, version=version, can_comment=can_comment, permalink=permalink
    ).fill(entries, articles)
    current = draft_selectors.current_version(versions)
    return {
        "draft": draft,
        "version": version,
        "versions": versions,
        "current": current,
        "is_current": current is not None and current.pk == version.pk,
        "status": consultation_status(version),
        "entries": entries,
        "toc": toc,
        "can_comment": can_comment,
        "can_use_desk": can(request.user, "desk.view", draft),
        "total_comments": sum(counts.values()),
        "gaps": draft_selectors.translation_gaps(provisions),
    }


def _draft_and_versions(request, slug):
    found = draft_selectors.draft_for_reading(user=request.user, slug=slug)
    if found is None:
        raise Http404(_("No version of this draft has been published yet."))
    return found


def read(request, slug):
    """The current version of a draft."""
    draft, versions = _draft_and_versions(request, slug)
    version = draft_selectors.current_version(versions)
    return render(
        request, "comments/reading/read.html", _reading_context(request, draft, versions, version)
    )


def read_version(request, slug, number):
    """Any version the reader may see; working versions only for drafters and officials."""
    draft, versions = _draft_and_versions(request, slug)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404(_("There is no such version, or it is not public."))
    return render(
        request, "comments/reading/read.html", _reading_context(request, draft, versions, version)
    )
