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
  at once (``dispatch``: call the listeners, then mark the row dispatched; the events
  one transaction emitted one after another are delivered together, see ``_Batch``;
  a service emitting several at once writes their rows with one INSERT, ``together``). If
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

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
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
    """Run the in-transaction listeners now; write the event to the outbox for the others.

    Inside ``together()`` the outbox row is written at the end of the block, with the
    block's other events.
    """
    for listener in list(_in_transaction[event]):
        listener(**payload)
    if not _listeners[event]:
        return None
    row = OutboxEvent(name=event, payload=payload)
    held = _held.get()
    if held is not None:
        held.append(row)
    else:
        row.save()
        _deliver_after_commit(row)
    return row


_held: ContextVar[list[OutboxEvent] | None] = ContextVar("outbox_held", default=None)


@contextmanager
def together():
    """Write the outbox rows of the events emitted in this block with one INSERT, at its end.

    For a service that emits several events in one transaction (posting a comment
    emits two): use it inside the service's transaction. The events are written, and
    delivered after commit, in the order they were emitted; a block that raises
    writes none (its transaction is rolled back anyway).
    """
    held: list[OutboxEvent] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if len(held) > 1 and connection.features.can_return_rows_from_bulk_insert:
        # OutboxEvent keeps no history, so bulk_create loses nothing.
        OutboxEvent.objects.bulk_create(held)
    else:
        for row in held:
            row.save()
    for row in held:
        _deliver_after_commit(row)


def _deliver_after_commit(row: OutboxEvent) -> None:
    batch = _Batch.current()
    batch.pks.append(row.pk)
    transaction.on_commit(lambda: batch.deliver_from(row.pk))


class _Batch:
    """Events emitted in one transaction, delivered together after it commits.

    Each event still has its own commit hook; the first hook to run delivers its
    own event and every event emitted after it in the batch, in one delivery
    transaction (posting a comment emits two: one transaction and one UPDATE
    instead of two of each), and the hooks of those find nothing left to do.
    Never the events emitted before it: a hook stands for its own event and the
    ones that came after, so when a test runs only the commit hooks of some steps
    (standing for separate transactions, the others never committed), an event
    whose hook did not run is not delivered by another's.

    A batch belongs to the connection's list of commit hooks, which Django
    replaces when a transaction ends (committed or rolled back) and when a
    savepoint rolls back, so a new transaction never joins an old batch; and it
    takes no new event once one of its hooks has run. An event of a rolled-back
    savepoint may stay in the batch: its row is gone, and delivery finds nothing
    under its id.
    """

    __slots__ = ("closed", "hooks", "pks")

    def __init__(self, hooks: list):
        self.hooks = hooks
        self.pks: list[int] = []
        self.closed = False

    @classmethod
    def current(cls) -> _Batch:
        connection = transaction.get_connection()
        batch = getattr(connection, "_outbox_batch", None)
        if batch is None or batch.closed or batch.hooks is not connection.run_on_commit:
            batch = connection._outbox_batch = cls(connection.run_on_commit)
        return batch

    def deliver_from(self, pk: int) -> None:
        self.closed = True
        if pk not in self.pks:
            return  # delivered with an event emitted before it
        start = self.pks.index(pk)
        pks = self.pks[start:]
        del self.pks[start:]
        dispatch(pks)


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
    outcome = _call_listeners(row)
    if outcome == DELIVERED:
        _mark_delivered([row.pk])
    return outcome


# Delivery after commit runs for every write that emits (twice per post), so its two
# statements are written out: building them through the ORM cost several times what
# sending them does. Portable SQL; the row lock only where the database has one.
_COLUMNS = {
    name: OutboxEvent._meta.get_field(name).column
    for name in ("id", "name", "payload", "attempts", "dispatched_at")
}


def _sql(template: str, pks: list[int]) -> str:
    quote = connection.ops.quote_name
    return template.format(
        table=quote(OutboxEvent._meta.db_table),
        ids=", ".join(["%s"] * len(pks)),
        **{name: quote(column) for name, column in _COLUMNS.items()},
    )


def _claim(pks: list[int]) -> list[OutboxEvent]:
    """The undelivered events among ``pks``, in order, locked for this transaction; those
    another relay holds are skipped (as ``select_for_update(skip_locked=True)`` does)."""
    lock = ""
    if connection.features.has_select_for_update_skip_locked:
        lock = " " + connection.ops.for_update_sql(skip_locked=True)
    sql = _sql(
        "SELECT {id}, {name}, {payload}, {attempts} FROM {table} "  # noqa: S608 - names from _meta
        "WHERE {id} IN ({ids}) AND {dispatched_at} IS NULL ORDER BY {id}" + lock,
        pks,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, pks)
        found = cursor.fetchall()
    fields = ["id", "name", "payload", "attempts"]
    return [
        OutboxEvent.from_db(
            connection.alias,
            fields,
            (pk, name, payload if isinstance(payload, dict) else json.loads(payload), attempts),
        )
        for pk, name, payload, attempts in found
    ]


def _mark_delivered(pks: list[int]) -> None:
    # OutboxEvent keeps no history: one UPDATE marks every delivered row of a batch.
    sql = _sql(
        "UPDATE {table} SET {dispatched_at} = %s, {attempts} = {attempts} + 1 "
        "WHERE {id} IN ({ids})",
        pks,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(timezone.now()), *pks])


def _call_listeners(row: OutboxEvent) -> str:
    """Call the row's listeners; on failure record why on the row (``_deliver``'s outcomes)."""
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
    return DELIVERED


def dispatch(pks: list[int]) -> int:
    """Deliver these events now, in order, except those another relay holds or delivered.

    Called after the emitting transaction commits; it never raises, since the
    change it follows is saved and the client must get its answer. Each event is
    tried as if delivered alone (their listeners may need different services); the
    delivered ones are marked together. Returns how many were delivered; an event
    not delivered waits for the relay.
    """
    try:
        with transaction.atomic():
            rows = _claim(pks)
            delivered = [row.pk for row in rows if _call_listeners(row) == DELIVERED]
            if delivered:
                _mark_delivered(delivered)
            return len(delivered)
    except DatabaseError as exc:
        logger.warning("outbox events %s left for the relay: %r", pks, exc)
        return 0


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
