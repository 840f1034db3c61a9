"""The moderators' queue: open reports, hiding with a reason, restoring, resolving.

Moderators of a draft's lead ministry (or of an invited drafting organisation)
see the queue for that draft; staff see every draft. Every decision goes
through ``comments.services`` and so is checked by the policy module and kept
in the history; the author is told by the notification listeners.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from core.web import form_error, safe_next
from drafts.models import Draft
from stakeholders.policies import can, ensure_can, moderated_drafts_filter

from .. import services
from ..forms import HideForm, ResolveForm, RestoreForm
from ..models import Comment, Report

PER_PAGE = 25
SHOW_CHOICES = {
    "open": gettext_lazy("Open reports"),
    "hidden": gettext_lazy("Hidden comments"),
    "resolved": gettext_lazy("Resolved reports"),
}


FORMS = {"hide": HideForm, "restore": RestoreForm, "resolve": ResolveForm}


def queue_comments(user, show: str):
    """The comments for one tab of the queue, with their reports, in a fixed number of queries."""
    drafts = Draft.objects.filter(moderated_drafts_filter(user)).values("pk")
    comments = Comment.objects.filter(version__draft_id__in=drafts)
    open_reports = Q(reports__resolved_at__isnull=True, reports__isnull=False)
    if show == "hidden":
        comments = comments.filter(state=Comment.State.HIDDEN).order_by("-hidden_at", "-pk")
    elif show == "resolved":
        comments = (
            comments.filter(reports__resolved_at__isnull=False)
            .annotate(last_resolved=Max("reports__resolved_at"))
            .order_by("-last_resolved", "-pk")
        )
    else:
        comments = (
            comments.filter(open_reports)
            .annotate(
                open_count=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
                last_reported=Max("reports__created_at"),
            )
            .filter(open_count__gte=services.reports_to_queue())
            .order_by("-last_reported", "-pk")
        )
    return comments.select_related(
        "author", "organisation", "provision", "version__draft", "hidden_by"
    ).prefetch_related(
        Prefetch(
            "reports",
            queryset=Report.objects.select_related("reporter", "resolved_by").order_by(
                "-created_at"
            ),
        )
    )


def _queue_url(show: str, page: int | str | None = None) -> str:
    url = reverse("comments:moderation") + f"?show={show}"
    return f"{url}&page={page}" if page and str(page) != "1" else url


@login_required
@require_GET
def queue(request):
    show = request.GET.get("show", "open")
    if show not in SHOW_CHOICES:
        show = "open"
    comments = queue_comments(request.user, show)
    page = Paginator(comments, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "comments/moderation/queue.html",
        {
            "page": page,
            "items": list(page.object_list),
            "show": show,
            "tabs": [(key, label, _queue_url(key)) for key, label in SHOW_CHOICES.items()],
            "forms": {name: form_class() for name, form_class in FORMS.items()},
            "back": request.get_full_path(),
            "prev_url": _queue_url(show, page.previous_page_number())
            if page.has_previous()
            else "",
            "next_url": _queue_url(show, page.next_page_number()) if page.has_next() else "",
        },
    )


def _back(request) -> str:
    return safe_next(request, reverse("comments:moderation"))


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request, pk, action):
    """Hide (closing the reports), restore, or keep the comment and close its reports."""
    comment = get_object_or_404(
        Comment.objects.select_related("author", "organisation", "provision", "version__draft"),
        pk=pk,
    )
    form_class = FORMS.get(action)
    if form_class is None or not can(request.user, "comment.view", comment):
        # A comment the person may not read is "not found", as everywhere else: a
        # refusal here would tell them that a restricted comment with this id exists.
        raise Http404
    ensure_can(request.user, "comment.moderate", comment)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                if action == "hide":
                    services.comment_hide(
                        comment=comment, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    done = _("The comment is hidden; its author is told why.")
                elif action == "restore":
                    services.comment_restore(
                        comment=comment, by=request.user, reason=form.cleaned_data["reason"]
                    )
                    done = _("The comment is shown again; the hiding stays in its history.")
                else:
                    closed = services.reports_resolve(
                        comment=comment,
                        by=request.user,
                        resolution=form.cleaned_data["resolution"],
                    )
                    done = _("%(count)s report(s) closed; the comment stays.") % {"count": closed}
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, done)
            return redirect(_back(request))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "comments/moderation/action.html",
        {
            "comment": comment,
            "action": action,
            "form": form,
            "next": _back(request),
            "reports": list(comment.reports.select_related("reporter").order_by("-created_at")),
        },
        status=status,
    )
