"""Domain events: services announce what happened; other apps react after commit.

A service calls ``emit("comment.replied", comment_id=...)``. Two kinds of listener:

- ``@listen(event, in_transaction=True)`` is part of the change itself: it runs at
  once, inside the emitting service's transaction, so the change and its
  consequence are saved together or not at all. This is how a lower app lets a
  higher one add to its writes without importing it (publishing a version records,
  in comments, where each earlier comment's passage now stands).
- ``@listen(event)`` reacts after commit, and only enqueues a Celery task with the
  ids it was given. These go through a **transactional outbox**: ``emit`` writes an
  ``OutboxEvent`` row in the caller's transaction (so the event exists exactly when
  the change does) and, once the transaction commits, the relay tries to deliver it
  at once (``dispatch_one``: call the listeners, then mark the row dispatched). If
  the broker is unreachable the listener raises, the row stays undispatched with the
  error, and nothing reaches the request: the client's change is saved and answered.
  ``relay_pending`` (the Celery beat task ``core.tasks.outbox_relay`` every few
  seconds, and ``manage.py outbox_relay``) delivers what is left, oldest first,
  taking rows with ``select_for_update(skip_locked=True)`` so relays never block
  one another.

Delivery is at least once: a relay may die after the listeners ran and before the
row is marked, and the immediate attempt and the beat relay may overlap. Listeners
and the tasks they enqueue must therefore be idempotent (the notification fan-out
makes one notification per recipient and event; packet builds check the packet's
state and build token).

Events, their payloads and who listens (an event nobody listens to is not emitted;
tests/core/test_events_documented.py keeps this list true):
- ``comment.created``: comment_id, version_id (desk: near-duplicate clustering)
- ``comment.submitted``: comment_id (comments: the author's receipt)
- ``comment.replied``: comment_id (notifications)
- ``comment.hidden``, ``disposition.recorded``: comment_id (notifications; public: open data)
- ``comment.restored``: comment_id (notifications)
- ``comment.reported``: report_id (notifications: the moderators)
- ``desk.assigned``: assignment_id (notifications: the assignee)
- ``version.published``: version_id (comments and search, in the transaction;
  notifications; public: open data)
- ``version.closed``: version_id (packets; notifications; public: open data)
- ``search.version_started``: version_id (search: index a new working version)
- ``search.reindex_requested``: reindex_id (search: the reindex task)
- ``search.organisation_renamed``: organisation_id (search: index its comments again)
- ``packet.requested``: packet_id (packets: enqueue the build)
- ``packet.ready`` / ``packet.failed``: packet_id (notifications)
- ``comment.submitted``: comment_id (comments: the author's receipt)
- ``account.email``: account_email_id (stakeholders: send allauth's stored email once)
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from .errors import INFRASTRUCTURE_ERRORS
from .models import OutboxEvent

logger = logging.getLogger(__name__)

_listeners: dict[str, list[Callable[..., None]]] = defaultdict(list)
_in_transaction: dict[str, list[Callable[..., None]]] = defaultdict(list)

RELAY_BATCH = 100


def listen(event: str, *, in_transaction: bool = False):
    registry = _in_transaction if in_transaction else _listeners

    def register(fn):
        if fn not in registry[event]:
            registry[event].append(fn)
        return fn

    return register


def emit(event: str, **payload) -> OutboxEvent | None:
    """Run the in-transaction listeners now; write the event to the outbox for the others."""
    for listener in list(_in_transaction[event]):
        listener(**payload)
    if not _listeners[event]:
        return None
    row = OutboxEvent.objects.create(name=event, payload=payload)
    transaction.on_commit(lambda pk=row.pk: dispatch_one(pk))
    return row


DELIVERED, UNAVAILABLE, FAILED = "delivered", "unavailable", "failed"


def max_attempts() -> int:
    """Deliveries tried before an event is parked (left for a person, no longer retried)."""
    return int(settings.PORTAL.get("OUTBOX_MAX_ATTEMPTS", 10))


def _deliver(row: OutboxEvent) -> str:
    """Call the row's listeners; mark it dispatched, or record why not. Inside the row's lock.

    Returns DELIVERED; UNAVAILABLE when the broker (or another service) is away, which
    every later event would meet too; or FAILED when this event's listener failed by
    itself (a bug, bad data), which must not hold up the events behind it.
    """
    try:
        for listener in list(_listeners[row.name]):
            listener(**row.payload)
    except Exception as exc:
        outcome = UNAVAILABLE if isinstance(exc, INFRASTRUCTURE_ERRORS) else FAILED
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.save(update_fields=["attempts", "last_error"])
        if outcome == FAILED and row.attempts >= max_attempts():
            logger.error(
                "outbox event %s (%s) parked after %s attempts: %s",
                row.pk,
                row.name,
                row.attempts,
                row.last_error,
            )
        else:
            logger.warning("outbox event %s (%s) not delivered: %r", row.pk, row.name, exc)
        return outcome
    row.attempts += 1
    row.dispatched_at = timezone.now()
    row.save(update_fields=["attempts", "dispatched_at"])
    return DELIVERED


def dispatch_one(pk: int) -> bool:
    """Deliver one event now, unless another relay holds it or delivered it already.

    Called after the emitting transaction commits; it never raises, since the
    change it follows is saved and the client must get its answer.
    """
    try:
        with transaction.atomic():
            row = (
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, dispatched_at__isnull=True)
                .first()
            )
            return row is not None and _deliver(row) == DELIVERED
    except DatabaseError as exc:
        logger.warning("outbox event %s left for the relay: %r", pk, exc)
        return False


def relay_pending(*, limit: int | None = None) -> int:
    """Deliver undispatched events in order; returns how many were delivered.

    Stops when a service is unavailable: with the broker down every later event
    would fail too, and order is kept for when it returns. An event whose own
    listener fails is passed over (and retried on the next run) so it cannot hold
    up the others; after ``max_attempts()`` it is parked: no longer retried, kept
    with its error for a person to look at (the admin lists outbox events).
    """
    delivered = 0
    passed_over: list[int] = []
    while limit is None or delivered < limit:
        size = RELAY_BATCH if limit is None else min(RELAY_BATCH, limit - delivered)
        with transaction.atomic():
            rows = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, attempts__lt=max_attempts())
                .exclude(pk__in=passed_over)
                .order_by("pk")[:size]
            )
            if not rows:
                return delivered
            for row in rows:
                outcome = _deliver(row)
                if outcome == UNAVAILABLE:
                    return delivered
                if outcome == FAILED:
                    passed_over.append(row.pk)
                    continue
                delivered += 1
    return delivered


def prune_dispatched(*, older_than_days: int | None = None) -> int:
    """Delete events delivered more than ``older_than_days`` ago; returns how many.

    Delivered events have done their work (the notifications and packets they
    started have records of their own); parked and waiting ones are kept.
    """
    days = older_than_days
    if days is None:
        days = int(settings.PORTAL.get("OUTBOX_KEEP_DAYS", 14))
    cutoff = timezone.now() - timezone.timedelta(days=days)
    deleted, _by_model = OutboxEvent.objects.filter(dispatched_at__lt=cutoff).delete()
    return deleted
