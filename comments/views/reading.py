"""Reading a draft: the list of drafts and a version's text with its comment counts.

Versions come from ``drafts.selectors`` and comments from ``comments.selectors``
(both under ``stakeholders.policies``); a page runs the same number of queries
whatever the number of articles or comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from drafts import selectors as draft_selectors
from drafts.models import Draft, DraftVersion
from drafts.reading import Status, consultation_status
from stakeholders.policies import can

from .. import selectors
from ..reading_page import reading_body

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


def _reading_context(request, draft: Draft, versions, version: DraftVersion) -> dict:
    can_comment = can(request.user, "comment.create", version)
    current = draft_selectors.current_version(versions)
    return {
        "draft": draft,
        "version": version,
        "versions": versions,
        "current": current,
        "is_current": current is not None and current.pk == version.pk,
        "status": consultation_status(version),
        "body": reading_body(
            user=request.user, draft=draft, version=version, can_comment=can_comment
        ),
        "can_comment": can_comment,
        "can_use_desk": can(request.user, "desk.view", draft),
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
