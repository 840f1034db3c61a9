"""Who hears about an event: one function per event, called by the ``fan_out`` task.

Every recipient is checked against ``stakeholders.policies`` before anything is
made for them: a person who may not read a comment is never told it exists.
Nobody is told about what they did themselves.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone, translation

from comments.models import Comment
from drafts.models import DraftVersion
from packets.models import Packet
from stakeholders.policies import can

from .fanout_desk import comment_assigned, comment_reported, comment_restored
from .models import Kind
from .services import notify

User = get_user_model()

CLOSING_SOON = timedelta(days=3)
OPENED_WITHIN = timedelta(days=1)


def _comment(comment_id):
    return (
        Comment.objects.select_related("version", "version__draft", "author", "parent__author")
        .filter(pk=comment_id)
        .first()
    )


def _followers(draft, exclude=()):
    return (
        User.objects.filter(follows__draft=draft, is_active=True)
        .exclude(pk__in=[u.pk for u in exclude if u is not None])
        .order_by("pk")
    )


def comment_replied(comment_id: int) -> int:
    """The author of the comment replied to, if they may read the reply."""
    reply = _comment(comment_id)
    if reply is None or reply.parent_id is None or reply.state != Comment.State.ACTIVE:
        return 0
    recipient = reply.parent.author
    if recipient.pk == reply.author_id or not recipient.is_active:
        return 0
    if not can(recipient, "comment.view", reply):
        return 0
    made = notify(
        recipient=recipient,
        kind=Kind.COMMENT_REPLY,
        key=str(reply.pk),
        actor=reply.author,
        draft=reply.version.draft,
        version=reply.version,
        comment=reply,
    )
    return int(made is not None)


def disposition_recorded(comment_id: int) -> int:
    """The comment's author and the members of every organisation that endorsed it."""
    comment = _comment(comment_id)
    if comment is None:
        return 0
    disposition = getattr(comment, "disposition", None)
    if disposition is None or (disposition.status == "pending" and not disposition.response):
        return 0
    endorsing_orgs = comment.endorsements.filter(withdrawn_at__isnull=True).values(
        "organisation_id"
    )
    recipients = (
        User.objects.filter(is_active=True)
        .filter(
            Q(pk=comment.author_id)
            | Q(
                memberships__organisation_id__in=endorsing_orgs,
                memberships__is_active=True,
            )
        )
        .exclude(pk=disposition.responded_by_id or 0)
        .distinct()
        .order_by("pk")
    )
    made = 0
    for recipient in recipients:
        if not can(recipient, "comment.view", comment):
            continue
        made += (
            notify(
                recipient=recipient,
                kind=Kind.DISPOSITION,
                key=f"{comment.pk}:{disposition.revision}",
                actor=disposition.responded_by,
                draft=comment.version.draft,
                version=comment.version,
                comment=comment,
                detail=disposition.status,
            )
            is not None
        )
    return made


def comment_hidden(comment_id: int) -> int:
    """The author, with the moderator's reason."""
    comment = _comment(comment_id)
    if comment is None or comment.state != Comment.State.HIDDEN or comment.hidden_at is None:
        return 0
    author = comment.author
    if not author.is_active or author.pk == comment.hidden_by_id:
        return 0
    if not can(author, "comment.view", comment):
        return 0
    made = notify(
        recipient=author,
        kind=Kind.COMMENT_HIDDEN,
        key=f"{comment.pk}:{comment.hidden_at.isoformat()}",
        actor=comment.hidden_by,
        draft=comment.version.draft,
        version=comment.version,
        comment=comment,
        detail=comment.hidden_reason,
    )
    return int(made is not None)


def _version(version_id):
    return (
        DraftVersion.objects.select_related("draft", "published_by").filter(pk=version_id).first()
    )


def _notify_followers(version, kind, exclude=()) -> int:
    made = 0
    for recipient in _followers(version.draft, exclude=exclude):
        if not can(recipient, "version.view", version):
            continue
        made += (
            notify(
                recipient=recipient,
                kind=kind,
                key=str(version.pk),
                draft=version.draft,
                version=version,
                actor=version.published_by if kind == Kind.VERSION_PUBLISHED else None,
            )
            is not None
        )
    return made


def version_published(version_id: int) -> int:
    version = _version(version_id)
    if version is None or version.status == DraftVersion.Status.WORKING:
        return 0
    return _notify_followers(version, Kind.VERSION_PUBLISHED, exclude=[version.published_by])


def version_closed(version_id: int) -> int:
    version = _version(version_id)
    if version is None or version.status != DraftVersion.Status.CLOSED:
        return 0
    return _notify_followers(version, Kind.CLOSED)


def consultations_closing_soon(now=None) -> int:
    """Followers of every open consultation that closes within three days.

    Run by beat as often as it likes: each follower is told once per version
    (the notification's key), and a version that has closed is left alone.
    """
    now = now or timezone.now()
    versions = DraftVersion.objects.filter(
        status=DraftVersion.Status.IN_CONSULTATION,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + CLOSING_SOON,
        draft__followers__isnull=False,
    ).distinct()
    made = 0
    for version in versions.select_related("draft"):
        made += _notify_followers(version, Kind.CLOSING_SOON)
    return made


def consultations_opened(now=None) -> int:
    """Followers of a version published ahead of its opening date, once it has opened.

    Opening is a matter of time (``policies.consultation_is_open``); this only
    tells people, once per version, and only within a day of the opening.
    """
    now = now or timezone.now()
    versions = DraftVersion.objects.filter(
        status=DraftVersion.Status.IN_CONSULTATION,
        published_at__lt=F("opens_at"),
        opens_at__lte=now,
        opens_at__gt=now - OPENED_WITHIN,
        closes_at__gt=now,
        draft__followers__isnull=False,
    ).distinct()
    made = 0
    for version in versions.select_related("draft"):
        made += _notify_followers(version, Kind.OPENED)
    return made


def _packet_finished(packet_id: int, ready: bool) -> int:
    packet = (
        Packet.objects.select_related("version", "version__draft", "requested_by")
        .filter(pk=packet_id)
        .first()
    )
    if packet is None or packet.requested_by is None or not packet.requested_by.is_active:
        return 0
    wanted = Packet.Status.READY if ready else Packet.Status.FAILED
    if packet.status != wanted:
        return 0
    recipient = packet.requested_by
    allowed = (
        can(recipient, "packet.download", packet)
        if ready
        else can(recipient, "packet.request", packet.version)
    )
    if not allowed:
        return 0
    made = notify(
        recipient=recipient,
        kind=Kind.PACKET_READY if ready else Kind.PACKET_FAILED,
        # One event per build that ended: a packet ready again after a rebuild, or
        # failed again after a retry (``attempts`` restarts then), is told again.
        key=(
            f"{packet.pk}:{packet.build_token or packet.attempts}"
            if ready
            else f"{packet.pk}:failed:{packet.failures}"
        ),
        draft=packet.version.draft,
        version=packet.version,
        packet=packet,
        # The reason in the recipient's language, as the e-mail and the page show it.
        detail="" if ready else _reason_for(packet, recipient),
    )
    return int(made is not None)


def _reason_for(packet, recipient) -> str:
    with translation.override(recipient.preferred_language):
        return packet.failure_reason()[:2000]


def packet_ready(packet_id: int) -> int:
    return _packet_finished(packet_id, ready=True)


def packet_failed(packet_id: int) -> int:
    return _packet_finished(packet_id, ready=False)


# The portal's events this app reacts to, and who hears about them.
HANDLERS = {
    "comment.replied": comment_replied,
    "disposition.recorded": disposition_recorded,
    "comment.hidden": comment_hidden,
    "comment.restored": comment_restored,
    "comment.reported": comment_reported,
    "desk.assigned": comment_assigned,
    "version.published": version_published,
    "version.closed": version_closed,
    "packet.ready": packet_ready,
    "packet.failed": packet_failed,
}

# Payload fields that carry the object's id, per event.
ID_FIELDS = {
    "comment.replied": "comment_id",
    "disposition.recorded": "comment_id",
    "comment.hidden": "comment_id",
    "comment.restored": "comment_id",
    "comment.reported": "report_id",
    "desk.assigned": "assignment_id",
    "version.published": "version_id",
    "version.closed": "version_id",
    "packet.ready": "packet_id",
    "packet.failed": "packet_id",
}


def handle(event: str, payload: dict) -> int:
    return HANDLERS[event](int(payload[ID_FIELDS[event]]))
