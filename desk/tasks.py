"""Celery tasks of the drafting desk: they take ids and are safe to run twice."""

import contextlib

from celery import shared_task
from django.core.cache import cache

from core.revisions import CACHE_DOWN

from . import services

# Marks a version whose clusters' recompute waits in the queue (see ``clusters_recompute_soon``).
# The time bounds how long a lost message (a broker emptied by hand) can hold up the next one.
QUEUED_KEY = "desk:clusters-queued:{}"
QUEUED_FOR = 60  # seconds


def clusters_recompute_soon(version_id: int) -> None:
    """Enqueue a recompute of the version's clusters, unless one already waits in the queue.

    A campaign posts hundreds of comments a minute. The recompute reads the version's
    comments when it starts, so one waiting recompute covers every comment posted
    before it starts: a burst sends one message, not one per comment. Without the
    cache every comment sends one (each finds the clusters up to date but the last).
    """
    key = QUEUED_KEY.format(version_id)
    try:
        first = cache.add(key, 1, timeout=QUEUED_FOR)
    except CACHE_DOWN:
        first = True
    if not first:
        return
    try:
        clusters_recompute.delay(version_id)
    except Exception:
        # Nothing was queued: the next try (the outbox delivers this event again) must send.
        _forget_queued(key)
        raise


def _forget_queued(key: str) -> None:
    with contextlib.suppress(CACHE_DOWN):  # if Redis is away, the mark lapses after QUEUED_FOR
        cache.delete(key)


# ignore_result: it is sent for new comments and nobody waits for its answer, so the web
# process does not subscribe to one per post and the worker stores none.
@shared_task(acks_late=True, ignore_result=True, max_retries=3, soft_time_limit=240, time_limit=300)
def clusters_recompute(version_id: int) -> int:
    """Recompute a version's clusters of near-duplicate comments; returns how many there are.

    The queued mark is taken off first: a comment posted from now on sends a new
    recompute, since this one may not read it. A second delivery finds the clusters
    up to date and does nothing: ``services.clusters_recompute`` keeps a fingerprint
    of what it clustered.
    """
    _forget_queued(QUEUED_KEY.format(version_id))
    result = services.clusters_recompute(version_id=version_id)
    return -1 if result is None else result.clusters
