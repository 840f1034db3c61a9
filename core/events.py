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

Events, their payloads and who listens (an event nobody listens to is not emitted):
- ``comment.replied``, ``comment.hidden``, ``disposition.recorded``: comment_id (notifications)
- ``version.published``: version_id (comments, in the transaction; notifications)
- ``version.closed``: version_id (packets; notifications)
- ``packet.requested``: packet_id (packets: enqueue the build)
- ``packet.ready`` / ``packet.failed``: packet_id (notifications)
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.utils import timezone

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


def _deliver(row: OutboxEvent) -> bool:
    """Call the row's listeners; mark it dispatched, or record why not. Inside the row's lock."""
    try:
        for listener in list(_listeners[row.name]):
            listener(**row.payload)
    except Exception as exc:
        logger.warning("outbox event %s (%s) not delivered: %r", row.pk, row.name, exc)
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.save(update_fields=["attempts", "last_error"])
        return False
    row.attempts += 1
    row.dispatched_at = timezone.now()
    row.save(update_fields=["attempts", "dispatched_at"])
    return True


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
            return row is not None and _deliver(row)
    except DatabaseError as exc:
        logger.warning("outbox event %s left for the relay: %r", pk, exc)
        return False


def relay_pending(*, limit: int | None = None) -> int:
    """Deliver undispatched events in order; returns how many were delivered.

    Stops at the first failure of a batch: when the broker is down every later
    event would fail too, and order is kept for when it returns.
    """
    delivered = 0
    while limit is None or delivered < limit:
        size = RELAY_BATCH if limit is None else min(RELAY_BATCH, limit - delivered)
        with transaction.atomic():
            rows = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True)
                .order_by("pk")[:size]
            )
            if not rows:
                return delivered
            for row in rows:
                if not _deliver(row):
                    return delivered
                delivered += 1
    return delivered
