"""Domain events: services announce what happened; other apps react after commit.

A service calls ``emit("comment.replied", comment_id=...)``; the listeners
registered with ``@listen`` run only once the transaction has committed (and
never if it rolls back), so a notification or a task never refers to a row
that does not exist. Listeners should do little themselves: enqueue a task
with the ids they were given.

A listener registered with ``@listen(event, in_transaction=True)`` is part of
the change itself: it runs at once, inside the emitting service's transaction,
so the change and its consequence are saved together or not at all. This is how
a lower app lets a higher one add to its writes without importing it (publishing
a version records, in comments, where each earlier comment's passage now stands).

Events and their payloads:
- ``comment.posted`` / ``comment.replied`` / ``comment.edited`` / ``comment.withdrawn``: comment_id
- ``comment.hidden`` / ``comment.restored``: comment_id
- ``comment.endorsed``: comment_id, organisation_id
- ``disposition.recorded``: comment_id
- ``version.published`` / ``version.closed``: version_id
- ``packet.ready`` / ``packet.failed``: packet_id
"""

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

_listeners: dict[str, list[Callable[..., None]]] = defaultdict(list)
_in_transaction: dict[str, list[Callable[..., None]]] = defaultdict(list)


def listen(event: str, *, in_transaction: bool = False):
    registry = _in_transaction if in_transaction else _listeners

    def register(fn):
        if fn not in registry[event]:
            registry[event].append(fn)
        return fn

    return register


def emit(event: str, **payload) -> None:
    for listener in list(_in_transaction[event]):
        listener(**payload)
    for listener in list(_listeners[event]):
        transaction.on_commit(lambda fn=listener: fn(**payload))
