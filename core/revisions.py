"""Revision tokens for cached fragments: a service touches a name, readers key on its token.

A cached piece of a page (a thread's HTML, say) is stored under a key that
includes the current token of every name it depends on ("comments:thread:42").
A change touches the name: its token is forgotten, the next reader draws a new
random one, and every fragment stored under the old token is never read again
(the cache evicts it in time). Freshness never depends on time.

Tokens live in Django's cache (Redis in production, so every web process sees
the same ones). A token is random rather than a counter so that a cache that
lost a token (evicted, flushed, restarted) can never hand out an old value
again and revive a stale fragment.

``touch`` forgets the tokens at once and again after the surrounding transaction
commits. A reader that rendered between the two from data not yet committed
stored its fragment under a token the second forget orphans; a reader after the
commit reads the committed data. Either way no stale fragment is served.

When the cache is unreachable, readers get ``None`` (render without the cache)
and a touch is logged: Redis restarted empty has no stale fragments to serve.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# A cache that is away or refuses (Redis out of memory under ``noeviction``): the
# Redis client's errors, and the OS's network errors.
CACHE_DOWN = (RedisError, ConnectionError, TimeoutError)

# Names and organisations shown beside people's words (on cached threads): touched
# when an organisation's verification or a person's shown name changes.
PEOPLE = "people"


def version_text(version_id: int) -> str:
    """The name touched when a version's text or state changes: a provision's text, heading,
    number, place or removal, or the version being published, closed, superseded or submitted.

    The whole-draft reading page caches each article's block under it
    (``comments.article_blocks``) and its whole text per audience
    (``comments.reading_page``); the API's cached thread rows (which name each
    comment's provision) key on it too.
    """
    return f"drafts:version:{version_id}"


def version_comments(version_id: int) -> str:
    """The name touched when anything about a version's comments that a page counts or marks
    changes: a comment posted, edited, withdrawn, hidden or restored, a disposition, an
    endorsement, a passage looked for again in a later version.

    ``comments.fragments.thread_touch`` touches it with the thread's name, so every
    service that changes a thread touches it too. The whole-draft reading page keeps
    its text and contents per audience under the tokens of the draft's versions
    (``comments.article_blocks.reading_body``).
    """
    return f"comments:version:{version_id}"


def desk_marks(draft_id: int) -> str:
    """The name touched when the drafting desk's own marks on a draft's comments change:
    its list of tags, the tags on comments, assignments, and a version's clusters.

    The review desk keeps its facet counts under it (``desk.facet_counts``), with the
    comments' (``version_comments``) and the people's (``PEOPLE``) tokens.
    """
    return f"desk:draft:{draft_id}"


_PREFIX = "rev:"


def _key(name: str) -> str:
    return _PREFIX + name


def _forget(keys: list[str]) -> None:
    try:
        cache.delete_many(keys)
    except CACHE_DOWN as exc:
        logger.warning("revision tokens %s not forgotten, the cache is away: %r", keys, exc)


def touch(*names: str) -> None:
    """Say that what ``names`` stand for changed: now, and again once the transaction commits."""
    keys = [_key(name) for name in names]
    _forget(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _forget(keys))


def current(names: list[str]) -> dict[str, str] | None:
    """The token of each name (drawing new ones where there are none), or None if the cache is away."""
    keys = {name: _key(name) for name in names}
    try:
        found = cache.get_many(list(keys.values()))
        missing = [key for key in keys.values() if key not in found]
        if missing:
            for key in missing:
                cache.add(key, uuid.uuid4().hex, timeout=None)
            # Another reader may have drawn first: everyone keeps the token that won.
            found.update(cache.get_many(missing))
    except CACHE_DOWN as exc:
        logger.warning("revision tokens unavailable, the cache is away: %r", exc)
        return None
    if any(key not in found for key in keys.values()):
        return None
    return {name: found[key] for name, key in keys.items()}


def cached(keys: list[str], what: str) -> dict | None:
    """What the cache holds under ``keys`` (the ones found), or None when it is away.

    ``what`` names the cached pieces in the log. None tells the reader to render
    without the cache and not to store what it renders.
    """
    try:
        return cache.get_many(keys)
    except CACHE_DOWN as exc:
        logger.warning("%s unavailable, the cache is away: %r", what, exc)
        return None


def store(values: dict, *, timeout: int, what: str) -> None:
    """Keep rendered pieces in the cache; a cache that is away only costs the next render."""
    if not values:
        return
    try:
        cache.set_many(values, timeout=timeout)
    except CACHE_DOWN as exc:
        logger.warning("%s not stored, the cache is away: %r", what, exc)
