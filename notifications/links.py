"""Where a notification leads, worked out when it is opened.

Emails link to ``notifications:open``, which marks the notification read and
redirects here; so a link in an old email follows the pages as they are now.
The drafts' pages are named by the web and drafting-desk work; each target
tries the names in order and falls back to a page that always exists.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .models import Kind, Notification


def absolute(path: str) -> str:
    return urljoin(settings.PORTAL_BASE_URL.rstrip("/") + "/", path.lstrip("/"))


def _first(candidates, fallback: str) -> str:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return fallback


def reading_url(version, fallback: str) -> str:
    draft = version.draft
    return _first(
        [
            ("drafts:read_version", {"slug": draft.slug, "number": version.number}),
            ("drafts:read", {"slug": draft.slug}),
        ],
        fallback,
    )


def comment_url(comment, version, fallback: str) -> str:
    """The comment's permalink (it checks who may see it), else its place on the reading page."""
    reading = reading_url(version, fallback)
    if reading != fallback:
        reading += f"#comment-{comment.pk}"
    return _first([("comments:permalink", {"pk": comment.pk})], reading)


def redline_url(version, fallback: str) -> str:
    """What changed since the version before (the drafting desk's compare view)."""
    previous = version.parent.number if version.parent_id else version.number - 1
    if previous < 1:
        return reading_url(version, fallback)
    return _first(
        [("drafts:compare", {"slug": version.draft.slug, "old": previous, "new": version.number})],
        reading_url(version, fallback),
    )


def packet_url(packet, fallback: str) -> str:
    return _first(
        [
            ("drafts:packet", {"pk": packet.pk}),
            ("drafts:packet_detail", {"pk": packet.pk}),
            ("drafts:packet_status", {"pk": packet.pk}),
            ("drafts:packet", {"packet_id": packet.pk}),
        ],
        reading_url(packet.version, fallback),
    )


def target_url(notification: Notification) -> str:
    fallback = reverse("notifications:list")
    if notification.packet_id is not None:
        return packet_url(notification.packet, fallback)
    if notification.version_id is None:
        return fallback
    if notification.comment_id is not None:
        return comment_url(notification.comment, notification.version, fallback)
    if notification.kind == Kind.VERSION_PUBLISHED:
        return redline_url(notification.version, fallback)
    return reading_url(notification.version, fallback)
