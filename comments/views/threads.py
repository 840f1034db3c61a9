"""Commenting in the browser: an article's threads, posting, replying and acting on comments.

Every write goes through ``comments.services``, which asks ``stakeholders.policies``;
the views only translate the answer. Each form works as a plain POST (redirect
after success, the page again with the error and the user's text on failure)
and through htmx (the re-rendered comment or thread comes back as a fragment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import idempotency
from core.errors import ConflictError, DomainError, PolicyDenied, http_status_for
from core.web import error_response, is_htmx, with_retry_after
from drafts import selectors as draft_selectors
from drafts.models import Draft, Provision
from drafts.reading import (
    consultation_status,
    is_shown_in_other_language,
    marked_paragraphs,
    shown_language,
)
from stakeholders.policies import can, ensure_can, individuals_may_take_part, why_not

from .. import fragments, selectors, services
from ..forms import (
    CommentForm,
    EditForm,
    FilterForm,
    HideForm,
    ParticipationForm,
    ReplyForm,
    ReportForm,
    RestoreForm,
    WithdrawForm,
)
from ..models import Comment


def permalink_url(pk: int) -> str:
    return reverse("comments:permalink", args=[pk])


# --- loading ------------------------------------------------------------------------


@dataclass
class Place:
    """A draft, one of its versions the reader may see, and optionally one article."""

    draft: Draft
    versions: list
    version: Any
    provision: Provision | None = None


def _place(request, slug, number, stable_id=None) -> Place:
    found = draft_selectors.draft_for_reading(user=request.user, slug=slug)
    version = next((v for v in found[1] if v.number == number), None) if found else None
    if version is None:
        raise Http404(_("There is no such version, or it is not public."))
    draft, versions = found
    provision = None
    if stable_id is not None:
        # An article, or a chapter, part or section: comments on a heading are on the division.
        provision = Provision.objects.for_reading(version).filter(stable_id=stable_id).first()
        if provision is None:
            raise Http404(_("There is no such article in this version."))
        provision.version = version
    return Place(draft=draft, versions=versions, version=version, provision=provision)


def _comment_or_404(request, pk) -> Comment:
    comment = selectors.visible_comment(user=request.user, pk=pk)
    if comment is None:
        raise Http404(_("There is no such comment, or you may not see it."))
    return comment


def _article_url(comment_or_place) -> str:
    if isinstance(comment_or_place, Place):
        draft, version, provision = (
            comment_or_place.draft,
            comment_or_place.version,
            comment_or_place.provision,
        )
    else:
        draft = comment_or_place.version.draft
        version = comment_or_place.version
        provision = comment_or_place.provision
    if provision is None:  # a general comment: on the whole draft
        return reverse("comments:general", kwargs={"slug": draft.slug, "number": version.number})
    return reverse(
        "comments:article",
        kwargs={"slug": draft.slug, "number": version.number, "stable_id": provision.stable_id},
    )


# --- the article page ------------------------------------------------------------------


def _preview_url(place: Place) -> str:
    return reverse(
        "comments:preview",
        kwargs={
            "slug": place.draft.slug,
            "number": place.version.number,
            "stable_id": place.provision.stable_id,
        },
    )


def _new_comment_form(place: Place, request=None) -> CommentForm:
    initial = {"proposed_text": place.provision.text_in(shown_language(place.provision))}
    if request is not None and request.GET.get("quote"):
        initial["quote_exact"] = request.GET["quote"][:2000]
    saved = _own_draft_of(request, place, request.GET.get("draft") if request else None)
    if saved is not None:
        # Continue writing a private draft: the form starts from what was saved.
        initial.update(
            kind=saved.kind,
            visibility=saved.visibility,
            body=saved.body,
            quote_exact=saved.quote_exact,
            proposed_text=saved.proposed_text or initial["proposed_text"],
            comment_draft=saved.pk,
        )
    return CommentForm(initial=initial, preview_url=_preview_url(place))


def _own_draft_of(request, place: Place, pk):
    """The signed-in person's private draft ``pk`` on this article, or None."""
    if request is None or not pk or not str(pk).isdigit():
        return None
    saved = selectors.own_draft(user=request.user, pk=int(pk))
    if saved is None or saved.provision_id != place.provision.pk:
        return None
    return saved


def _thread_page(request, place: Place, filters, *, root_id=None):
    return selectors.thread_page(
        user=request.user,
        version=place.version,
        filters=filters,
        page_number=request.GET.get("page") or 1,
        provision=place.provision,
        root_id=root_id,
    )


def _article_threads(request, place: Place, filters, *, root_id=None):
    """The article's threads as cached HTML with this reader's action links laid over."""
    return fragments.thread_page_html(
        request,
        version=place.version,
        draft=place.draft,
        filters=filters,
        page_number=request.GET.get("page") or 1,
        provision=place.provision,
        root_id=root_id,
    )


def _article_context(request, place: Place, *, form=None, diff=None, error=None) -> dict:
    filters = selectors.CommentFilters.from_data(request.GET)
    root_id = request.GET.get("thread")
    root_id = int(root_id) if root_id and root_id.isdigit() else None
    threads = _article_threads(request, place, filters, root_id=root_id)
    rendered = threads.comment_ids
    provision = place.provision
    language = shown_language(provision)
    quotes = selectors.quotes_by_provision(
        user=request.user, version=place.version, provision=provision
    ).get(provision.pk, [])
    earlier = selectors.earlier_quotes_by_provision(
        user=request.user, version=place.version, provision=provision
    ).get(provision.stable_id, [])
    paragraphs = marked_paragraphs(
        provision.text_in(language),
        quotes,
        link=lambda pk: f"#comment-{pk}" if pk in rendered else permalink_url(pk),
        earlier=[q for q in earlier if q.language == language],
    )
    refusal = why_not(request.user, "comment.create", place.version)
    return {
        "draft": place.draft,
        "version": place.version,
        "versions": place.versions,
        "provision": provision,
        "language": language,
        "in_other_language": is_shown_in_other_language(provision),
        "paragraphs": paragraphs,
        "status": consultation_status(place.version),
        "can_comment": refusal is None,
        "refusal": refusal,
        "form": form or (_new_comment_form(place, request) if refusal is None else None),
        "diff": diff,
        "error": error,
        "acting_organisation": selectors.acting_organisation(request.user),
        "threads": threads,
        "filters": filters,
        "filter_form": FilterForm(initial={"sort": filters.sort, **filters.as_query()}),
        "single_thread": root_id,
        "article_url": _article_url(place),
        "more_url": _more_url(request, threads),
        "prev_url": _prev_url(request, threads),
    }


def _page_url(request, number: int) -> str:
    query = request.GET.copy()
    query.pop("fragment", None)
    query["page"] = number
    return "?" + query.urlencode()


def _more_url(request, threads) -> str:
    return _page_url(request, threads.page.next_page_number()) if threads.has_next else ""


def _prev_url(request, threads) -> str:
    page = threads.page
    return _page_url(request, page.previous_page_number()) if page.has_previous() else ""


@require_GET
def article(request, slug, number, stable_id):
    """An article with its threads (one page of them), the comment form and the filters."""
    place = _place(request, slug, number, stable_id)
    if is_htmx(request) and request.GET.get("fragment") == "threads":
        filters = selectors.CommentFilters.from_data(request.GET)
        threads = _article_threads(request, place, filters)
        return render(
            request,
            "comments/_thread_list.html",
            {
                "threads": threads,
                "more_url": _more_url(request, threads),
                "version": place.version,
                "show_article": False,
            },
        )
    return render(request, "comments/article.html", _article_context(request, place))


def _form_fragment(request, place, form, *, diff=None, error=None, status=200):
    context = {
        "form": form,
        "diff": diff,
        "error": error,
        "provision": place.provision,
        "version": place.version,
        "draft": place.draft,
        "language": shown_language(place.provision),
        "acting_organisation": selectors.acting_organisation(request.user),
        "can_comment": True,
    }
    response = render(request, "comments/_comment_form.html", context, status=status)
    response["HX-Retarget"] = "#comment-form-wrap"
    response["HX-Reswap"] = "outerHTML"
    return response


def _post_once(request, form, perform, **extra) -> tuple[Comment, bool]:
    """Post a comment once per form token: a form sent again answers with the first comment.

    Returns the comment and whether it was posted now (the service's own object)
    rather than found again for a form sent twice.
    """
    made = []

    def run():
        made.append(perform())
        return idempotency.Outcome(302, None, made[0].pk)

    data = {k: v for k, v in form.cleaned_data.items() if k != idempotency.FORM_FIELD}
    outcome = idempotency.run_once(
        user=request.user,
        key=form.cleaned_data.get(idempotency.FORM_FIELD),
        endpoint=request.path,
        data={**data, **extra},
        perform=run,
    )
    if made:
        return made[0], True
    return Comment.objects.get(pk=outcome.object_id), False


@require_POST
def create(request, slug, number, stable_id):
    """Post a new thread on an article; "Preview" shows the amendment's diff instead."""
    place = _place(request, slug, number, stable_id)
    form = CommentForm(request.POST, preview_url=_preview_url(place))
    diff = None
    if form.is_valid() and "preview" in request.POST:
        language = shown_language(place.provision)
        diff = selectors.proposal_diff(
            place.provision.text_in(language), form.cleaned_data["proposed_text"], language
        )
        if is_htmx(request):
            return _form_fragment(request, place, form, diff=diff)
        return render(
            request, "comments/article.html", _article_context(request, place, form=form, diff=diff)
        )
    status = 400
    error = None
    failure = None
    saved = _own_draft_of(request, place, request.POST.get("comment_draft"))
    if form.is_valid() and "save_draft" in request.POST:
        data = form.cleaned_data
        try:
            saved = services.comment_draft_save(
                by=request.user,
                version=place.version,
                provision=place.provision,
                body=data["body"],
                kind=data["kind"],
                visibility=data["visibility"],
                quote_exact=data["quote_exact"],
                quote_language=request.POST.get("quote_language") or "en",
                proposed_text=data["proposed_text"],
                comment_draft=saved,
            )
        except (DomainError, PolicyDenied) as exc:
            return error_response(request, exc, back_url=request.path)
        messages.success(request, _("Your draft is saved. Only you can see it."))
        response = redirect("comments:drafts")
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("comments:drafts")
        return response
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote_language = request.POST.get("quote_language") or "en"
            comment, fresh = _post_once(
                request,
                form,
                lambda: services.comment_create(
                    by=request.user,
                    version=place.version,
                    provision=place.provision,
                    body=data["body"],
                    kind=data["kind"],
                    visibility=data["visibility"],
                    quote_exact=data["quote_exact"],
                    quote_language=quote_language,
                    proposed_text=data["proposed_text"],
                    attachments=request.FILES.getlist("attachments"),
                ),
                quote_language=quote_language,
                # The same form sent again with other files is another post.
                attachments=[f"{f.name}:{f.size}" for f in request.FILES.getlist("attachments")],
            )
        except (DomainError, PolicyDenied) as exc:
            status, failure = http_status_for(exc), exc
            if isinstance(exc, DomainError) and exc.field in form.fields:
                form.add_service_error(exc)
            else:
                error = exc.message
        else:
            if saved is not None:  # the draft it was written from is posted now
                services.comment_draft_discard(comment_draft=saved, by=request.user)
            if is_htmx(request):
                if fresh:
                    node = selectors.posted_thread(
                        user=request.user, comment=comment, version=place.version
                    )
                else:  # the same form sent again: the thread as it stands now
                    node = selectors.subtree(user=request.user, comment=comment)
                html = render_to_string(
                    "comments/_new_thread.html",
                    {
                        "node": node,
                        "version": place.version,
                        "fresh_form": _new_comment_form(place),
                        "notice": _("Your comment was posted."),
                        "provision": place.provision,
                        "draft": place.draft,
                        "language": shown_language(place.provision),
                        "acting_organisation": selectors.acting_organisation(request.user),
                        "can_comment": True,
                    },
                    request=request,
                )
                return HttpResponse(html)
            messages.success(request, _("Your comment was posted."))
            return redirect(permalink_url(comment.pk))
    if is_htmx(request):
        return with_retry_after(_form_fragment(request, place, form, error=error), failure)
    response = render(
        request,
        "comments/article.html",
        _article_context(request, place, form=form, error=error),
        status=status,
    )
    return with_retry_after(response, failure)


@require_POST
def preview(request, slug, number, stable_id):
    """The word diff between the article and the proposed text, as an HTML fragment."""
    place = _place(request, slug, number, stable_id)
    refusal = why_not(request.user, "comment.create", place.version)
    if refusal is not None:
        return HttpResponse(refusal, status=403, content_type="text/plain; charset=utf-8")
    form = CommentForm(
        {"proposed_text": request.POST.get("proposed_text", "")}, preview_url=_preview_url(place)
    )
    form.is_valid()
    if "proposed_text" in form.errors:
        return render(
            request,
            "comments/_diff.html",
            {"diff": [], "live": True, "errors": form.errors["proposed_text"]},
        )
    language = shown_language(place.provision)
    diff = selectors.proposal_diff(
        place.provision.text_in(language), form.cleaned_data["proposed_text"], language
    )
    return render(request, "comments/_diff.html", {"diff": diff, "live": True})


@require_GET
def version_comments(request, slug, number):
    """Every visible thread on a version, filtered, sorted and paged."""
    place = _place(request, slug, number)
    filters = selectors.CommentFilters.from_data(request.GET)
    threads = _thread_page(request, place, filters)
    context = {
        "draft": place.draft,
        "version": place.version,
        "versions": place.versions,
        "status": consultation_status(place.version),
        "threads": threads,
        "filters": filters,
        "filter_form": FilterForm(initial={"sort": filters.sort, **filters.as_query()}),
        "more_url": _more_url(request, threads),
        "prev_url": _prev_url(request, threads),
        "show_article": True,
        "can_set_participation": can(request.user, "version.participation", place.version),
    }
    if is_htmx(request) and request.GET.get("fragment") == "threads":
        return render(request, "comments/_thread_list.html", context)
    return render(request, "comments/version_comments.html", context)


@require_GET
def permalink(request, pk):
    """A comment's lasting address: its article, showing its thread, scrolled to it."""
    comment = _comment_or_404(request, pk)
    root = comment.root_id or comment.pk
    return redirect(f"{_article_url(comment)}?thread={root}#comment-{comment.pk}")


@require_GET
def history(request, pk):
    """The earlier wordings of a comment, with their times, for its author and its reviewers."""
    comment = _comment_or_404(request, pk)
    ensure_can(request.user, "comment.view_history", comment)
    return render(
        request,
        "comments/history.html",
        {
            "comment": comment,
            "revisions": selectors.comment_revisions(comment),
            "back_url": permalink_url(comment.pk),
        },
    )


# --- actions on one comment ---------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    rule: str
    form_class: type
    title: Any
    submit: Any
    done: Any
    refresh_parent: bool = False

    def initial(self, comment: Comment) -> dict:
        if self.name == "edit":
            return {
                "body": comment.body,
                "proposed_text": comment.proposed_text,
                "revision": comment.revision,
            }
        if self.name == "reply":
            return {"visibility": comment.visibility}
        return {}

    def perform(self, comment: Comment, user, data: dict) -> Comment:
        if self.name == "reply":
            return services.comment_reply(
                by=user, parent=comment, body=data["body"], visibility=data["visibility"]
            )
        if self.name == "edit":
            return services.comment_edit(
                comment=comment,
                by=user,
                body=data["body"],
                revision=data["revision"],
                proposed_text=data["proposed_text"]
                if comment.kind == Comment.Kind.AMENDMENT
                else None,
            )
        if self.name == "withdraw":
            return services.comment_withdraw(comment=comment, by=user, reason=data["reason"])
        if self.name == "report":
            services.report_create(comment=comment, by=user, reason=data["reason"])
            return comment
        if self.name == "hide":
            return services.comment_hide(comment=comment, by=user, reason=data["reason"])
        if self.name == "restore":
            return services.comment_restore(comment=comment, by=user, reason=data["reason"])
        raise Http404


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "reply",
            "comment.reply",
            ReplyForm,
            gettext_lazy("Reply"),
            gettext_lazy("Post reply"),
            gettext_lazy("Your reply was posted."),
            refresh_parent=True,
        ),
        Action(
            "edit",
            "comment.edit",
            EditForm,
            gettext_lazy("Edit your comment"),
            gettext_lazy("Save changes"),
            gettext_lazy("Your comment was updated; the earlier text is kept in its history."),
        ),
        Action(
            "withdraw",
            "comment.withdraw",
            WithdrawForm,
            gettext_lazy("Withdraw your comment"),
            gettext_lazy("Withdraw"),
            gettext_lazy("Your comment was withdrawn. It stays on the record, marked withdrawn."),
        ),
        Action(
            "report",
            "comment.report",
            ReportForm,
            gettext_lazy("Report this comment to the moderators"),
            gettext_lazy("Send report"),
            gettext_lazy("Thank you. The moderators will look at this comment."),
        ),
        Action(
            "hide",
            "comment.moderate",
            HideForm,
            gettext_lazy("Hide this comment"),
            gettext_lazy("Hide"),
            gettext_lazy("The comment is hidden; readers see your reason."),
        ),
        Action(
            "restore",
            "comment.moderate",
            RestoreForm,
            gettext_lazy("Restore this comment"),
            gettext_lazy("Restore"),
            gettext_lazy("The comment is shown again."),
        ),
    )
}


def _node_response(request, comment: Comment, *, notice: str = "", error: str = "") -> HttpResponse:
    node = selectors.subtree(user=request.user, comment=comment)
    if node is None:  # e.g. it became invisible to this reader
        return HttpResponse(status=204)
    return render(
        request,
        "comments/_comment.html",
        {"node": node, "version": comment.version, "notice": notice, "error": error},
    )


def _action_page(request, action: Action, comment: Comment, form, *, error=None, status=200):
    node = selectors.subtree(user=request.user, comment=comment)
    context = {
        "action": action,
        "comment": comment,
        "node": node,
        "form": form,
        "error": error,
        "version": comment.version,
        "draft": comment.version.draft,
        "article_url": _article_url(comment),
        "action_url": reverse(f"comments:{action.name}", args=[comment.pk]),
    }
    if is_htmx(request):
        response = render(request, "comments/_action_form.html", context)
        response["HX-Retarget"] = f"#actions-{comment.pk}"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "comments/action.html", context, status=status)


@require_http_methods(["GET", "POST"])
def comment_action(request, pk, action_name):
    """Reply, edit, withdraw, report, hide or restore: a form page, or the form as a fragment."""
    action = ACTIONS[action_name]
    comment = _comment_or_404(request, pk)
    if request.method == "GET":
        refusal = why_not(request.user, action.rule, comment)
        if refusal is not None:
            return _action_page(request, action, comment, None, error=refusal, status=403)
        return _action_page(
            request, action, comment, action.form_class(initial=action.initial(comment))
        )
    form = action.form_class(request.POST)
    error = None
    failure = None
    status = 400
    if form.is_valid():
        try:
            if action.name == "reply":
                result, _fresh = _post_once(
                    request, form, lambda: action.perform(comment, request.user, form.cleaned_data)
                )
            else:
                result = action.perform(comment, request.user, form.cleaned_data)
        except ConflictError as exc:
            status = 409
            error = exc.message
            if exc.current is not None:
                form = action.form_class(
                    data={**request.POST.dict(), "revision": exc.current.revision}
                )
                form.is_valid()
        except (DomainError, PolicyDenied) as exc:
            status, failure = http_status_for(exc), exc
            if isinstance(exc, DomainError) and exc.field in form.fields:
                form.add_service_error(exc)
            else:
                error = exc.message
        else:
            target = comment if action.refresh_parent else result
            if is_htmx(request):
                return _node_response(request, target, notice=str(action.done))
            messages.success(request, str(action.done))
            return redirect(permalink_url(result.pk))
    return with_retry_after(
        _action_page(request, action, comment, form, error=error, status=status), failure
    )


@require_POST
def endorse(request, pk, withdraw=False):
    """The user's organisation co-signs a comment, or takes its endorsement back."""
    comment = _comment_or_404(request, pk)
    try:
        if withdraw:
            services.endorsement_withdraw(comment=comment, by=request.user)
            notice = _("Your organisation no longer endorses this comment.")
        else:
            services.endorsement_create(comment=comment, by=request.user)
            notice = _("Your organisation endorses this comment.")
    except (DomainError, PolicyDenied) as exc:
        if is_htmx(request):
            return _node_response(request, comment, error=exc.message)
        return error_response(request, exc, back_url=permalink_url(comment.pk))
    if is_htmx(request):
        return _node_response(request, comment, notice=notice)
    messages.success(request, notice)
    return redirect(permalink_url(comment.pk))


@require_http_methods(["GET", "POST"])
def participation(request, slug, number):
    """The draft's drafters decide whether individuals may take part in this round."""
    place = _place(request, slug, number)
    version = place.version
    ensure_can(request.user, "version.participation", version)
    form = ParticipationForm(
        request.POST if request.method == "POST" else None,  # an unticked box posts nothing
        initial={"individuals_may_take_part": individuals_may_take_part(version)},
    )
    if request.method == "POST" and form.is_valid():
        services.round_participation_set(
            version=version,
            by=request.user,
            individuals_may_take_part=form.cleaned_data["individuals_may_take_part"],
        )
        messages.success(
            request,
            _("Individuals may take part in this round.")
            if form.cleaned_data["individuals_may_take_part"]
            else _("Only organisations may take part in this round from now on."),
        )
        return redirect("comments:participation", slug=slug, number=number)
    return render(
        request,
        "comments/participation.html",
        {"draft": place.draft, "version": version, "form": form},
    )


@login_required
@require_GET
def receipt(request):
    """Find a comment by the tracking number of its receipt (its author, the drafters)."""
    number = request.GET.get("number", "")
    not_found = False
    if number:
        comment = selectors.comment_by_tracking_number(user=request.user, number=number)
        if comment is not None:
            return redirect("comments:permalink", pk=comment.pk)
        not_found = True
    return render(
        request,
        "comments/receipt.html",
        {"number": number, "not_found": not_found},
        status=404 if not_found else 200,
    )


@login_required
@require_GET
def drafts(request):
    """The signed-in person's private drafts of comments: continue, submit or discard."""
    return render(
        request, "comments/drafts.html", {"drafts": selectors.own_drafts(user=request.user)}
    )


@login_required
@require_POST
def draft_action(request, pk, action_name):
    """Submit a private draft as a comment, or discard it (only its author finds it)."""
    saved = selectors.own_draft(user=request.user, pk=pk)
    if saved is None:
        raise Http404(_("There is no such draft."))
    try:
        if action_name == "submit":
            comment = services.comment_draft_submit(comment_draft=saved, by=request.user)
            messages.success(request, _("Your comment was posted."))
            return redirect("comments:permalink", pk=comment.pk)
        services.comment_draft_discard(comment_draft=saved, by=request.user)
    except (DomainError, PolicyDenied) as exc:
        return error_response(request, exc, back_url=reverse("comments:drafts"))
    messages.success(request, _("The draft is discarded."))
    return redirect("comments:drafts")
