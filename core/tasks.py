"""Celery tasks of the shared layer."""

from celery import shared_task

from . import events


@shared_task(acks_late=True, ignore_result=True)
def outbox_relay() -> int:
    """Run by beat every few seconds: deliver the events not yet handed to their listeners.

    Safe to run twice at once: each takes the rows the other has not locked.
    """
    return events.relay_pending()


@shared_task(acks_late=True, ignore_result=True)
def outbox_prune() -> int:
    """Run by beat once a day: forget events delivered long ago (``OUTBOX_KEEP_DAYS``)."""
    return events.prune_dispatched()
