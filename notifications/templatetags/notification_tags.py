from django import template

from comments.models import Disposition
from notifications import emails, services
from notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in person's unread count, counted once per page."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = Notification.objects.filter(recipient=user).unread().count()
        if request is not None:
            request._unread_notifications = cached
    return cached


@register.simple_tag(takes_context=True)
def is_following(context, draft) -> bool:
    user = context.get("user")
    return bool(user is not None and draft is not None and services.is_following(user, draft))


@register.simple_tag
def notification_summary(notification) -> str:
    return emails.summary(notification)


@register.filter
def disposition_label(status: str) -> str:
    """A disposition's status code (kept on the notification) in the active language."""
    try:
        return Disposition.Status(status).label
    except ValueError:
        return status
