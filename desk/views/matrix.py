"""The comment-response matrix: the page and its CSV and XLSX downloads."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from comments import matrix as matrix_selectors
from stakeholders.policies import can, ensure_can

from ..selectors import tags_by_comment
from .base import (
    _draft,
    _facet_links,
    _filters,
    _version,
    desk_view,
)


def _matrix_rows(request, slug, number):
    draft = _draft(slug)
    version = _version(draft, number)
    ensure_can(request.user, "version.view", version)
    filters = _filters(request)
    all_rows = matrix_selectors.matrix_all_rows(version=version, user=request.user)
    return draft, version, filters, all_rows


@desk_view(login=False)
def matrix(request, slug, number):
    draft, version, filters, all_rows = _matrix_rows(request, slug, number)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    facets = _facet_links(request, matrix_selectors.matrix_facets(all_rows, filters), filters)
    return render(
        request,
        "desk/matrix.html",
        {
            "draft": draft,
            "version": version,
            "rows": rows,
            "total": len(all_rows),
            "facets": facets,
            "filters": filters,
            "query": request.GET.urlencode(),
            "is_drafter": can(request.user, "desk.view", draft),
        },
    )


def _tag_column(request, draft, version):
    """The drafting team's topics of each comment, as one more column of their exports.

    Tags are the team's working labels, not part of the public record: others
    (the public, commenters) get the matrix without them.
    """
    if not can(request.user, "desk.tag", draft):
        return []
    return [(_("Tags"), tags_by_comment(version))]


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@desk_view(login=False)
def matrix_csv(request, slug, number):
    draft, version, filters, all_rows = _matrix_rows(request, slug, number)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    return _download(
        matrix_selectors.matrix_csv(rows, extra_columns=_tag_column(request, draft, version)),
        f"{draft.slug}-v{version.number}-comment-response-matrix.csv",
        "text/csv; charset=utf-8",
    )


@desk_view(login=False)
def matrix_xlsx(request, slug, number):
    draft, version, filters, all_rows = _matrix_rows(request, slug, number)
    rows = matrix_selectors.filter_rows(all_rows, filters)
    return _download(
        matrix_selectors.matrix_xlsx(rows, extra_columns=_tag_column(request, draft, version)),
        f"{draft.slug}-v{version.number}-comment-response-matrix.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
