"""What changed because of comments: a version's changes, or one article's, with the comments behind them.

Public pages: what a reader sees is the record as ``comment_record_filter``
allows it to them (``comments.trace``).
"""

from __future__ import annotations

from django.shortcuts import render

from ..trace import changes_from_comments
from .threads import _place


def version_changes(request, slug, number):
    """Every provision changed in this version because of comments the reader may see."""
    place = _place(request, slug, number)
    trace = changes_from_comments(version=place.version, user=request.user)
    return render(
        request,
        "comments/changes.html",
        {"draft": place.draft, "version": place.version, "trace": trace, "provision": None},
    )


def article_changes(request, slug, number, stable_id):
    """One article's change in this version, with the comments behind it."""
    place = _place(request, slug, number, stable_id)
    trace = changes_from_comments(version=place.version, user=request.user, stable_id=stable_id)
    return render(
        request,
        "comments/changes.html",
        {
            "draft": place.draft,
            "version": place.version,
            "trace": trace,
            "provision": place.provision,
        },
    )
