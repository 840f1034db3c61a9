"""The review desk's counts from a cache, for the drafter who asked them and their filters:
each filter's options (the facets) and how many comments the filters match (the pages).

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

The page's rows are always read afresh; only the counts beside the filters and
the number of matches (which the pages are cut from) come from here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import get_language

from core import revisions
from drafts.models import DraftVersion
from stakeholders.policies import reading_audience

from .selectors import Facet, desk_facets, desk_matching

# Raise when what ``desk_facets`` returns changes.
COUNTS_VERSION = 1
# A bound on memory only: freshness comes from the tokens, never from time.
COUNTS_TIMEOUT = 3600


@dataclass(frozen=True)
class DeskCounts:
    facets: list[Facet]
    matching: int  # comments matching every filter: what the pages are cut from
    # The key the counts are kept under, None when they were not (the cache is away):
    # what is drawn from the counts alone may be kept beside them (the facets' links).
    key: str | None = None


def desk_counts(*, version: DraftVersion, user, filters: dict) -> DeskCounts:
    """``selectors.desk_facets`` and ``desk_matching``, from the cache when nothing they
    count has changed."""
    tokens = revisions.current(
        [
            revisions.version_comments(version.pk),
            revisions.desk_marks(version.draft_id),
            revisions.PEOPLE,
            revisions.version_text(version.pk),
        ]
    )
    if tokens is None:
        return _count(version=version, user=user, filters=filters)
    raw = (
        COUNTS_VERSION,
        get_language(),
        version.pk,
        user.pk,
        reading_audience(user, version.draft),
        sorted(filters.items()),
        sorted(tokens.items()),
    )
    key = "desk:counts:" + hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
    found = revisions.cached([key], "desk counts")
    if found and key in found:
        facets, matching = found[key]
        return DeskCounts(
            [Facet(name, label, list(options)) for name, label, options in facets], matching, key
        )
    counts = _count(version=version, user=user, filters=filters)
    if found is None:
        return counts
    kept = [(f.name, str(f.label), tuple(f.options)) for f in counts.facets]
    revisions.store({key: (kept, counts.matching)}, timeout=COUNTS_TIMEOUT, what="desk counts")
    return DeskCounts(counts.facets, counts.matching, key)


def _count(*, version, user, filters) -> DeskCounts:
    return DeskCounts(
        facets=desk_facets(version=version, user=user, filters=filters),
        matching=desk_matching(version=version, user=user, filters=filters),
    )
