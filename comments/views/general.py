"""Comments on the whole draft, and proposals for a new article, in the browser.

A general comment's page lists the version's general threads with a form; a
new article is proposed after a provision on a page of its own (its two texts
do not fit the article form's quote and diff). Both post through
``services.comment_create`` like any comment; the threads are rendered by the
same templates as an article's.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError, PolicyDenied, http_status_for
from core.web import is_htmx, with_retry_after
from drafts.reading import consultation_status
from stakeholders.policies import why_not

from .. import selectors, services
from ..forms import FilterForm, GeneralCommentForm, NewArticleForm
from ..models import Comment
from .threads import _more_url, _place, _post_once, _prev_url, permalink_url


def _post(request, form, perform):
    """Post through ``perform`` once per form token; (comment, None) or (None, the refusal)."""
    try:
        comment, _fresh = _post_once(
            request,
            form,
            perform,
            attachments=[f"{f.name}:{f.size}" for f in request.FILES.getlist("attachments")],
        )
        return comment, None
    except (DomainError, PolicyDenied) as exc:
        if isinstance(exc, DomainError) and exc.field in form.fields:
            form.add_service_error(exc)
        return None, exc


def _unplaced_error(form, failure) -> str | None:
    """The refusal to show above the form, when it is not already shown next to a field."""
    if failure is None or (form is not None and form.errors):
        return None
    return failure.message


@require_http_methods(["GET", "POST"])
def general(request, slug, number):
    """The version's comments on the whole draft, and the form to add one."""
    place = _place(request, slug, number)
    refusal = why_not(request.user, "comment.create", place.version)
    form, failure = None, None
    if request.method == "POST" and refusal is None:
        form = GeneralCommentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            comment, failure = _post(
                request,
                form,
                lambda: services.comment_create(
                    by=request.user,
                    version=place.version,
                    provision=None,
                    body=data["body"],
                    kind=data["kind"],
                    visibility=data["visibility"],
                    attachments=request.FILES.getlist("attachments"),
                ),
            )
            if comment is not None:
                messages.success(request, _("Your comment was posted."))
                return redirect(permalink_url(comment.pk))
    elif request.method == "POST":
        failure = PolicyDenied(refusal)
    filters = selectors.CommentFilters.from_data(request.GET)
    root_id = request.GET.get("thread")
    threads = selectors.thread_page(
        user=request.user,
        version=place.version,
        filters=filters,
        page_number=request.GET.get("page") or 1,
        root_id=int(root_id) if root_id and root_id.isdigit() else None,
        general=True,
    )
    context = {
        "draft": place.draft,
        "version": place.version,
        "versions": place.versions,
        "status": consultation_status(place.version),
        "can_comment": refusal is None,
        "refusal": refusal,
        "form": form or (GeneralCommentForm() if refusal is None else None),
        "error": _unplaced_error(form, failure),
        "acting_organisation": selectors.acting_organisation(request.user),
        "threads": threads,
        "filters": filters,
        "filter_form": FilterForm(initial={"sort": filters.sort, **filters.as_query()}),
        "single_thread": root_id,
        "more_url": _more_url(request, threads),
        "prev_url": _prev_url(request, threads),
        "show_article": False,
    }
    if request.method == "GET" and is_htmx(request) and request.GET.get("fragment") == "threads":
        return render(request, "comments/_thread_list.html", context)  # "more" of the pager
    status = http_status_for(failure) if failure is not None else 200
    if form is not None and form.errors and failure is None:
        status = 400
    return with_retry_after(
        render(request, "comments/general.html", context, status=status), failure
    )


@require_http_methods(["GET", "POST"])
def new_article(request, slug, number, stable_id):
    """Propose a new article to follow a provision (an article, or first under a heading)."""
    place = _place(request, slug, number, stable_id)
    refusal = why_not(request.user, "comment.create", place.version)
    form, failure = None, None
    if request.method == "POST" and refusal is None:
        form = NewArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            comment, failure = _post(
                request,
                form,
                lambda: services.comment_create(
                    by=request.user,
                    version=place.version,
                    provision=place.provision,
                    kind=Comment.Kind.NEW_ARTICLE,
                    body=data["body"],
                    visibility=data["visibility"],
                    proposed_text=data["proposed_text"],
                    proposed_text_km=data["proposed_text_km"],
                    attachments=request.FILES.getlist("attachments"),
                ),
            )
            if comment is not None:
                messages.success(request, _("Your proposal was posted."))
                return redirect(permalink_url(comment.pk))
    elif request.method == "POST":
        failure = PolicyDenied(refusal)
    context = {
        "draft": place.draft,
        "version": place.version,
        "versions": place.versions,
        "provision": place.provision,
        "status": consultation_status(place.version),
        "can_comment": refusal is None,
        "refusal": refusal,
        "form": form or (NewArticleForm() if refusal is None else None),
        "error": _unplaced_error(form, failure),
        "acting_organisation": selectors.acting_organisation(request.user),
    }
    status = http_status_for(failure) if failure is not None else 200
    if form is not None and form.errors and failure is None:
        status = 400
    return with_retry_after(
        render(request, "comments/new_article.html", context, status=status), failure
    )
