"""The review desk's facet counts from a cache, for the drafter who asked them and their filters.

Counting each filter's options is eight ``GROUP BY`` queries over every first
comment of the version, most of the review desk's database time at 20,000
comments; a drafter paging through one filter's results, or coming back to it,
asks the same counts again. They are kept in Django's cache under a key made of:

- the comments token of the version (``core.revisions.version_comments``, touched
  with every thread: a post, an edit, a withdrawal, hiding, a decision), the desk's
  marks token of the draft (``revisions.desk_marks``: tags, assignments, clusters),
  the ``PEOPLE`` token (names of organisations and people, an organisation's kind)
  and the version's text token (the articles' labels);
- the reader (the "Assigned to me" count is theirs) and their audience on the draft
  (``policies.reading_audience``: a change of role changes the key), the filters,
  the language and ``COUNTS_VERSION``.

The page's rows are always read afresh; only the counts beside the filters come
from here.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import get_language

from core import revisions
from drafts.models import DraftVersion
from stakeholders.policies import reading_audience

from .selectors import Facet, desk_facets

# Raise when what ``desk_facets`` returns changes.
COUNTS_VERSION = 1
# A bound on memory only: freshness comes from the tokens, never from time.
COUNTS_TIMEOUT = 3600


def facet_counts(*, version: DraftVersion, user, filters: dict) -> list[Facet]:
    """``selectors.desk_facets``, from the cache when nothing they count has changed."""
    tokens = revisions.current(
        [
            revisions.version_comments(version.pk),
            revisions.desk_marks(version.draft_id),
            revisions.PEOPLE,
            revisions.version_text(version.pk),
        ]
    )
    if tokens is None:
        return desk_facets(version=version, user=user, filters=filters)
    raw = (
        COUNTS_VERSION,
        get_language(),
        version.pk,
        user.pk,
        reading_audience(user, version.draft),
        sorted(filters.items()),
        sorted(tokens.items()),
    )
    key = "desk:facets:" + hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
    found = revisions.cached([key], "desk facet counts")
    if found and key in found:
        return [Facet(name, label, list(options)) for name, label, options in found[key]]
    facets = desk_facets(version=version, user=user, filters=filters)
    if found is not None:
        kept = [(f.name, str(f.label), tuple(f.options)) for f in facets]
        revisions.store({key: kept}, timeout=COUNTS_TIMEOUT, what="desk facet counts")
    return facets
