"""Writes on notifications, preferences and follows."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DEFAULT_DELIVERY, Delivery, Follow, Kind, Notification, Preference


def delivery_for(user, kind: str) -> str:
    pref = Preference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True)
    return next(iter(pref), DEFAULT_DELIVERY[kind])


def preferences_for(user) -> dict[str, str]:
    """Every kind with the person's choice, defaults filled in, in the order of ``Kind``."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


@transaction.atomic
def preference_set(*, user, kind: str, delivery: str) -> Preference:
    """Choose how to hear about one kind of event.

    Notifications still waiting for the digest follow the new choice: turning
    email off means the next digest does not carry them either.
    """
    kind = Kind(kind)
    delivery = Delivery(delivery)
    pref, _created = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    if delivery in (Delivery.OFF, Delivery.PORTAL):
        Notification.objects.filter(recipient=user, kind=kind).digest_pending().update(
            delivery=Delivery.PORTAL
        )
    return pref


def preferences_set(*, user, choices: dict[str, str]) -> None:
    current = preferences_for(user)
    for kind, delivery in choices.items():
        if current.get(kind) != delivery:
            preference_set(user=user, kind=kind, delivery=delivery)


def unsubscribe(*, user, kinds) -> list[str]:
    """Stop emails of these kinds (the portal's bell keeps showing them)."""
    changed = []
    for kind, delivery in preferences_for(user).items():
        if kind in kinds and delivery in (Delivery.IMMEDIATE, Delivery.DIGEST):
            preference_set(user=user, kind=kind, delivery=Delivery.PORTAL)
            changed.append(kind)
    return changed


def follow_draft(*, user, draft) -> Follow:
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(user=user, draft=draft)
    except IntegrityError:  # a double click raced itself
        follow = Follow.objects.get(user=user, draft=draft)
    return follow


def unfollow_draft(*, user, draft) -> None:
    Follow.objects.filter(user=user, draft=draft).delete()


def is_following(user, draft) -> bool:
    return user.is_authenticated and Follow.objects.filter(user=user, draft=draft).exists()


def notify(
    *,
    recipient,
    kind: str,
    key: str,
    actor=None,
    draft=None,
    version=None,
    comment=None,
    packet=None,
    detail: str = "",
) -> Notification | None:
    """Tell ``recipient`` about one event, once.

    ``key`` identifies the event within its kind; the pair is unique per
    recipient, so running the fan-out twice makes nothing twice. The email (if
    the person wants one at once) is queued only by the run that made the row.
    Returns the new notification, or None when nothing was made (the person
    turned this kind off, or was told already).
    """
    delivery = delivery_for(recipient, kind)
    if delivery == Delivery.OFF:
        return None
    dedupe_key = f"{kind}:{key}"
    if delivery in (Delivery.IMMEDIATE, Delivery.DIGEST) and not recipient.email:
        delivery = Delivery.PORTAL
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                recipient=recipient,
                dedupe_key=dedupe_key,
                defaults={
                    "kind": kind,
                    "delivery": delivery,
                    "actor": actor,
                    "draft": draft,
                    "version": version,
                    "comment": comment,
                    "packet": packet,
                    "detail": detail,
                },
            )
    except IntegrityError:  # the same event, fanned out at the same moment by another worker
        return None
    if not created:
        return None
    if delivery == Delivery.IMMEDIATE:
        from .tasks import notification_email

        transaction.on_commit(lambda: notification_email.delay(notification.pk))
    return notification


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.recipient_id != user.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user).unread().update(read_at=timezone.now())
