"""The desk's side of a proposal for a new article: insert it into the working version."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comments.models import Comment, Disposition
from comments.proposals import new_article_apply, new_article_place
from core.errors import ConflictError, DomainError
from core.web import form_error, safe_next
from stakeholders.policies import ensure_can

from ..forms import ApplyNewArticleForm
from .base import _desk_url, _draft, _working_version, desk_view
from .review import _comment


@desk_view()
@require_http_methods(["GET", "POST"])
def apply_new_article(request, slug, comment_id):
    """Show where the proposed article would go in the working version; insert it on confirmation."""
    draft = _draft(slug)
    comment = _comment(draft, comment_id)
    if comment.kind != Comment.Kind.NEW_ARTICLE:
        return redirect(_desk_url("apply", draft, comment_id=comment.pk))
    ensure_can(request.user, "comment.apply", comment)
    working = _working_version(draft)
    ensure_can(request.user, "version.edit", working)
    review_url = (
        _desk_url("review", draft, number=comment.version.number) + f"#comment-{comment.pk}"
    )
    try:
        parent, after = new_article_place(comment=comment, working_version=working)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_desk_url("respond", draft, comment_id=comment.pk))
    disposition = getattr(comment, "disposition", None)
    status = 200
    if request.method == "POST":
        form = ApplyNewArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = new_article_apply(
                    comment=comment,
                    by=request.user,
                    working_version=working,
                    response=data["response"],
                    status=data["status"],
                    number=data["number"],
                    text_en=data["text_en"],
                    text_km=data["text_km"],
                    disposition_revision=data["disposition_revision"],
                )
            except ConflictError as conflict:
                messages.warning(request, conflict.message)
                status = 409
            except DomainError as error:
                form_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "The new article proposed in comment #%(id)s was inserted into version "
                        "%(number)s, and the response recorded."
                    )
                    % {"id": comment.pk, "number": working.number},
                )
                return redirect(
                    safe_next(request, review_url)
                    if request.POST.get("next")
                    else _desk_url("version", draft, number=working.number)
                    + f"#{article.stable_id}"
                )
        else:
            status = 400
    else:
        form = ApplyNewArticleForm(
            initial={
                "status": Disposition.Status.ACCEPTED,
                "response": disposition.response if disposition else "",
                "text_en": comment.proposed_text,
                "text_km": comment.proposed_text_km,
                "disposition_revision": disposition.revision if disposition else None,
            }
        )
    return render(
        request,
        "desk/apply_new_article.html",
        {
            "draft": draft,
            "version": comment.version,
            "comment": comment,
            "working": working,
            "parent": parent,
            "after": after,
            "form": form,
            "next_url": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )
