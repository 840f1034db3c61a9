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

Events, their payloads and who listens (an event nobody listens to is not emitted):
- ``comment.replied``, ``comment.hidden``, ``disposition.recorded``: comment_id (notifications)
- ``version.published``: version_id (comments, in the transaction; notifications)
- ``version.closed``: version_id (packets; notifications)
- ``packet.ready`` / ``packet.failed``: packet_id (notifications)
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
