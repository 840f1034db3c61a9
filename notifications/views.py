"""Notification pages: the list, the bell, preferences, following, and unsubscribing."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.web import is_htmx, safe_next
from drafts.models import Draft
from drafts.selectors import readable_drafts

from . import links, services
from .forms import PreferencesForm
from .models import Follow, Kind, Notification
from .selectors import notification_entries
from .tokens import read_unsubscribe_token

PER_PAGE = 50


@login_required
def notification_list(request):
    notifications = Notification.objects.for_list(request.user)
    if request.GET.get("show") == "unread":
        notifications = notifications.unread()
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "entries": notification_entries(page.object_list),
            "show_unread": request.GET.get("show") == "unread",
        },
    )


def bell(request):
    """The header's bell alone, for htmx to refresh the unread count."""
    return render(request, "notifications/_bell_link.html")


def _own_notification(request, pk) -> Notification:
    return get_object_or_404(
        Notification.objects.select_related(
            "draft",
            "version",
            "version__draft",
            "version__parent",
            "packet",
            "comment",
            "comment__provision",
        ),
        pk=pk,
        recipient=request.user,
    )


@login_required
def notification_open(request, pk):
    """Mark read and go to what the notification is about."""
    notification = _own_notification(request, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    return redirect(links.target_url(notification))


@login_required
@require_POST
def notification_read(request, pk):
    notification = _own_notification(request, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if is_htmx(request):
        return render(request, "notifications/_item.html", {"n": notification, "oob_bell": True})
    return redirect(safe_next(request, reverse("notifications:list")))


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Marked %(count)s notifications as read.") % {"count": count})
    return redirect(safe_next(request, reverse("notifications:list")))


@login_required
def preferences(request):
    current = services.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    follows = Follow.objects.filter(user=request.user).select_related("draft").order_by("-pk")
    return render(request, "notifications/preferences.html", {"form": form, "follows": follows})


def _visible_draft(request, slug) -> Draft:
    return get_object_or_404(readable_drafts(request.user), slug=slug)


def _follow_response(request, draft, following: bool):
    if is_htmx(request):
        return render(
            request,
            "notifications/_follow_button.html",
            {"draft": draft, "following": following, "next": safe_next(request, "")},
        )
    if following:
        messages.success(request, _("You are following %(draft)s.") % {"draft": draft.short_title})
    else:
        messages.success(
            request, _("You no longer follow %(draft)s.") % {"draft": draft.short_title}
        )
    return redirect(safe_next(request, reverse("notifications:preferences")))


@login_required
@require_POST
def follow(request, slug):
    draft = _visible_draft(request, slug)
    services.follow_draft(user=request.user, draft=draft)
    return _follow_response(request, draft, following=True)


@login_required
@require_POST
def unfollow(request, slug):
    draft = get_object_or_404(Draft, slug=slug)
    services.unfollow_draft(user=request.user, draft=draft)
    return _follow_response(request, draft, following=False)


@csrf_exempt  # the signed token is the credential; mail programs POST without a form (RFC 8058)
def unsubscribe(request, token):
    """Stop one kind of email from a link in that email, without signing in.

    GET shows what will stop and a button; POST (the button, or a mail
    program's one-click request) does it.
    """
    try:
        user_id, kinds = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    # The page speaks the language the email was written in.
    with translation.override(user.preferred_language or None):
        labels = [str(Kind(kind).label) for kind in kinds]
        if request.method == "POST":
            services.unsubscribe(user=user, kinds=kinds)
            return render(
                request, "notifications/unsubscribe_done.html", {"labels": labels, "subject": user}
            )
        return render(
            request,
            "notifications/unsubscribe_confirm.html",
            {"labels": labels, "subject": user, "token": token},
        )
