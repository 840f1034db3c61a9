"""Celery tasks for notifications: they take ids and are safe to run twice."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import DatabaseError, InterfaceError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import emails, fanout

# A database blip, a lost connection, a mail server away (smtplib's errors are OSErrors):
# all pass, so all are retried with backoff.
TRANSIENT_ERRORS = (DatabaseError, InterfaceError, ConnectionError, OSError)


def backoff(retries: int) -> int:
    """5 s, 10 s, 20 s … up to 5 minutes, with jitter so retries do not come in a herd."""
    return get_exponential_backoff_interval(
        factor=5, retries=retries, maximum=300, full_jitter=True
    )


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=5,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def fan_out(event: str, payload: dict) -> int:
    """Make the notifications one portal event calls for; returns how many were made.

    A database blip is retried with backoff; the fan-out skips recipients it has
    already notified for this event, so a retry does not notify anyone twice.
    """
    return fanout.handle(event, payload)


@shared_task(bind=True, acks_late=True, max_retries=6)
def notification_email(self, notification_id: int, sent: bool = False) -> bool:
    """Email one notification; retried with backoff on database, connection and mail errors.

    The task's id is the claim, so its own retries and redeliveries may send
    (the email was not recorded), while another task finds it claimed and
    looks again when the claim expires. An email that went but could not be
    recorded is retried with ``sent=True``: the retry records it and sends nothing.
    """
    try:
        return emails.send_notification_email(notification_id, claim=self.request.id, sent=sent)
    except emails.SentNotRecorded as exc:
        raise self.retry(
            exc=exc, kwargs={"sent": True}, countdown=backoff(self.request.retries)
        ) from exc
    except emails.EmailClaimed as exc:
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
)
def digests_send(before: str | None = None) -> int:
    """Send each person their daily digest (run by beat once a day); returns emails sent.

    A retry after a blip sends only what is still waiting: digests already
    recorded are not sent again, and claimed ones wait for their claim to expire.
    """
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
