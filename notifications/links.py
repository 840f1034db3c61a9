"""Where a notification leads, worked out when it is opened.

Emails link to ``notifications:open``, which marks the notification read and
redirects here; so a link in an old email follows the pages as they are now.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse

from .models import Kind, Notification


def absolute(path: str) -> str:
    return urljoin(settings.PORTAL_BASE_URL.rstrip("/") + "/", path.lstrip("/"))


def reading_url(version) -> str:
    return reverse(
        "comments:read_version", kwargs={"slug": version.draft.slug, "number": version.number}
    )


def comment_url(comment) -> str:
    """The comment's permalink, which checks who may see it."""
    return reverse("comments:permalink", kwargs={"pk": comment.pk})


def redline_url(version) -> str:
    """What changed since the version before (the drafting desk's compare view)."""
    previous = version.parent.number if version.parent_id else version.number - 1
    if previous < 1:
        return reading_url(version)
    return reverse(
        "drafts:compare",
        kwargs={"slug": version.draft.slug, "old": previous, "new": version.number},
    )


def packet_url(packet) -> str:
    return reverse("packets:detail", kwargs={"pk": packet.pk})


def target_url(notification: Notification) -> str:
    if notification.kind == Kind.ASSIGNED and notification.comment_id is not None:
        return reverse(
            "desk:comment",
            kwargs={"slug": notification.draft.slug, "comment_id": notification.comment_id},
        )
    if notification.kind == Kind.COMMENT_REPORTED:
        return reverse("comments:moderation")
    if notification.packet_id is not None:
        return packet_url(notification.packet)
    if notification.version_id is None:
        return reverse("notifications:list")
    if notification.comment_id is not None:
        return comment_url(notification.comment)
    if notification.kind == Kind.VERSION_PUBLISHED:
        return redline_url(notification.version)
    return reading_url(notification.version)
