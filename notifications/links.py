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
            ("drafts:version", {"slug": draft.slug, "number": version.number}),
            ("drafts:read_version", {"slug": draft.slug, "number": version.number}),
            ("drafts:reading", {"slug": draft.slug, "number": version.number}),
            ("drafts:detail", {"slug": draft.slug}),
            ("drafts:draft", {"slug": draft.slug}),
        ],
        fallback,
    )


def redline_url(version, fallback: str) -> str:
    """The changes from the version before, when the drafting desk's compare view exists."""
    draft = version.draft
    kwargs = {"slug": draft.slug, "number": version.number}
    candidates = [(name, kwargs) for name in ("drafts:compare", "drafts:redline", "drafts:diff")]
    if version.parent_id is not None:
        parent_number = version.parent.number
        pair = {"slug": draft.slug, "old": parent_number, "new": version.number}
        candidates += [(name, pair) for name in ("drafts:compare", "drafts:redline")]
    return _first(candidates, reading_url(version, fallback))


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
    if notification.kind == Kind.VERSION_PUBLISHED and notification.version_id is not None:
        return redline_url(notification.version, fallback)
    if notification.version_id is not None:
        url = reading_url(notification.version, fallback)
        if notification.comment_id is not None and url != fallback:
            url += f"#comment-{notification.comment_id}"
        return url
    return fallback
