"""The review desk: every comment of a version, dispositions, and applying amendments."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comments import services as comment_services
from comments.amendments import applied_amendments, article_text
from comments.models import Comment, Disposition
from comments.selectors import amendment_base_text, amendment_language
from core.errors import ConflictError, DomainError
from core.web import form_error, safe_next
from drafts.merge import merge3
from drafts.models import Draft, Provision
from drafts.redline import render_diff_html, word_diff
from stakeholders.policies import ensure_can

from ..forms import (
    ApplyForm,
    DispositionForm,
)
from .base import (
    _desk_url,
    _draft,
    _working_version,
    desk_view,
)


def _comment(draft: Draft, comment_id: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related(
            "version", "provision", "organisation", "author", "disposition"
        ),
        pk=comment_id,
        version__draft=draft,
    )
    comment.version.draft = draft
    if comment.provision is not None:  # a general comment is on no provision
        comment.provision.version = comment.version
    return comment


@desk_view()
@require_http_methods(["GET", "POST"])
def respond(request, slug, comment_id):
    draft = _draft(slug)
    comment = _comment(draft, comment_id)
    ensure_can(request.user, "comment.answer", comment)
    disposition = getattr(comment, "disposition", None)
    review_url = (
        _desk_url("review", draft, number=comment.version.number) + f"#comment-{comment.pk}"
    )
    context = {"draft": draft, "version": comment.version, "comment": comment}
    if request.method == "POST":
        form = DispositionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment_services.disposition_record(
                    comment=comment,
                    by=request.user,
                    status=data["status"],
                    response=data["response"],
                    revision=data["revision"],
                )
            except ConflictError as conflict:
                current = conflict.current
                fresh = request.POST.copy()
                fresh["revision"] = str(current.revision)
                form = DispositionForm(fresh)
                form.is_valid()
                context.update({"form": form, "conflict": True, "current": current})
                return render(request, "desk/respond.html", context, status=409)
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request, _("Your response to comment #%(id)s was saved.") % {"id": comment.pk}
                )
                return redirect(safe_next(request, review_url))
    else:
        form = DispositionForm(initial=DispositionForm.initial_for(disposition))
    context.update({"form": form, "current": disposition})
    return render(request, "desk/respond.html", context)


def _three_way(comment: Comment, working_article: Provision, language: str) -> dict:
    """The three texts of an amendment, and their word-level merge to start the final text from.

    The final text starts from the merge, never from the proposed text alone:
    that would silently take out whatever changed in the working article since
    the comment (an amendment applied before, the ministry's own edit).
    """
    base = amendment_base_text(comment, language)
    proposed = comment.proposed_text
    current = article_text(working_article, language)
    merge = merge3(base, current, proposed, language)
    return {
        "language": language,
        "base": base,
        "proposed": proposed,
        "current": current,
        "merged": merge.text,
        "conflicts": merge.conflicts,
        "proposed_diff": render_diff_html(word_diff(base, proposed, language)),
        "current_diff": render_diff_html(word_diff(base, current, language)),
        "merged_diff": render_diff_html(word_diff(current, merge.text, language)),
        "apply_diff": render_diff_html(word_diff(current, proposed, language)),
        "diverged": current != base,
    }


@desk_view()
@require_http_methods(["GET", "POST"])
def apply(request, slug, comment_id):
    """Merge a proposed amendment into the working version, through a three-way view if needed."""
    draft = _draft(slug)
    comment = _comment(draft, comment_id)
    if comment.kind == Comment.Kind.NEW_ARTICLE:  # inserted, not merged: a view of its own
        return redirect(_desk_url("apply_new_article", draft, comment_id=comment.pk))
    ensure_can(request.user, "comment.apply", comment)  # also: a working version to apply it to
    working = _working_version(draft)
    ensure_can(request.user, "version.edit", working)
    article = (
        Provision.objects.filter(version=working, stable_id=comment.provision.stable_id)
        .select_related("version")
        .first()
    )
    if article is None or article.removed_at is not None:
        messages.error(
            request,
            _("This provision is no longer in the working version; answer the comment instead."),
        )
        return redirect(_desk_url("respond", draft, comment_id=comment.pk))
    language = amendment_language(comment)
    three_way = _three_way(comment, article, language)
    disposition = getattr(comment, "disposition", None)
    review_url = (
        _desk_url("review", draft, number=comment.version.number) + f"#comment-{comment.pk}"
    )
    resolving = three_way["diverged"]
    status = 200
    if request.method == "POST":
        form = ApplyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment_services.amendment_apply(
                    comment=comment,
                    by=request.user,
                    working_version=working,
                    response=data["response"],
                    status=data["status"],
                    text=data["text"] if data["resolve"] else None,
                    working_revision=data["working_revision"],
                    disposition_revision=data["disposition_revision"],
                    superseded_reason=data["superseded_reason"],
                )
            except ConflictError as conflict:
                current = conflict.current
                if isinstance(current, Provision):
                    article = current
                    three_way = _three_way(comment, article, language)
                fresh = request.POST.copy()
                fresh["resolve"] = "True"
                fresh["working_revision"] = str(article.revision)
                if isinstance(current, Disposition):
                    fresh["disposition_revision"] = str(current.revision)
                if not (fresh.get("text") or "").strip():
                    fresh["text"] = three_way["merged"]
                form = ApplyForm(fresh)
                messages.warning(request, conflict.message)
                resolving = True
                status = 409
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The amendment of comment #%(id)s was applied to %(label)s of version "
                        "%(number)s, and the response recorded."
                    )
                    % {"id": comment.pk, "label": article.label, "number": working.number},
                )
                return redirect(safe_next(request, review_url))
        else:
            resolving = resolving or bool(request.POST.get("resolve"))
    else:
        form = ApplyForm(
            initial={
                "status": Disposition.Status.ACCEPTED,
                "response": disposition.response if disposition else "",
                "text": three_way["merged"],
                "resolve": resolving,
                "working_revision": article.revision,
                "disposition_revision": disposition.revision if disposition else None,
            }
        )
    return render(
        request,
        "desk/apply.html",
        {
            "draft": draft,
            "version": comment.version,
            "comment": comment,
            "working": working,
            "article": article,
            "form": form,
            "resolving": resolving,
            "tw": three_way,
            "applied_before": [c for c in applied_amendments(article) if c.pk != comment.pk],
            "next_url": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )
