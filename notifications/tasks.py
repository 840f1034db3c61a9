"""Celery tasks for notifications: they take ids and are safe to run twice."""

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import emails, fanout


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=300,
)
def fan_out(event: str, payload: dict) -> int:
    """Make the notifications one portal event calls for; returns how many were made.

    A database blip is retried with backoff; the fan-out skips recipients it has
    already notified for this event, so a retry does not notify anyone twice.
    """
    return fanout.handle(event, payload)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=60)
def notification_email(self, notification_id: int) -> bool:
    try:
        return emails.send_notification_email(notification_id)
    except (ConnectionError, OSError) as exc:  # the mail server is away; try again later
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def digests_send(before: str | None = None) -> int:
    """Send each person their daily digest (run by beat once a day); returns emails sent."""
    cutoff = parse_datetime(before) if before else timezone.now()
    sent = 0
    for user_id in emails.digest_recipients(cutoff):
        sent += emails.send_digest(user_id, cutoff) > 0
    return sent


@shared_task(acks_late=True)
def consultation_reminders() -> int:
    """Run by beat every few minutes: consultations that opened, and those closing soon.

    Safe to run as often as beat likes, or twice at once: each follower is
    told about each version once.
    """
    return fanout.consultations_opened() + fanout.consultations_closing_soon()
