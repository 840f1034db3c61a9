"""The comment API's lists from a cache of shaped rows, one entry per thread and audience.

``/api/v1/threads/`` and ``/api/v1/comments/`` read a page of comments, then
shape every comment of it (``api_rows.RowShaper``); for a thread that shaping,
and reading its replies, is most of the request. Each thread's comments, shaped,
are kept in Django's cache under a key made of:

- the thread's revision token, the one the article page's HTML fragments key on
  (``fragments.thread_name``: every service that changes what a thread shows
  touches it through ``thread_touch``), the ``PEOPLE`` token (names and
  organisations beside the words) and the version's text token (the provision
  labels, ``core.revisions.version_text``);
- the language, the version, the thread's first comment and when it was posted,
  the scheme and host the links are made for, and ``ROWS_VERSION`` (raise it
  whenever the shape of a row changes);
- the reader's audience for the thread (``policies.thread_audience``: the people
  who see exactly the same comments, replies counted and words), and the
  organisation they act for (``endorsed_by_my_organisation``).

What differs between people of one audience is never taken from the cache: what
the reader may do with each comment (``permissions``, each rule decided once per
kind of comment) and the receipt number (its author's, and the drafters') are
decided for every request from the few facts kept beside each row.

A hit costs no row shaping and no reading of the thread's comments, replies or
files; the page of comments (which threads, in what order) is still read each
time, under the reader's own filters and visibility.
"""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from django.db.models import Q
from django.utils.translation import get_language

from core import revisions
from stakeholders.policies import actor_for, thread_audience

from . import selectors
from .api_rows import ROW_FIELDS, RowShaper, versions_by_id
from .fragments import thread_name
from .serializers import ACTIONS

# Raise when a shaped row changes (api_rows.RowShaper.comment).
ROWS_VERSION = 1
# A bound on memory only: freshness comes from the revision tokens, never from time.
ROWS_TIMEOUT = 24 * 3600

# What a page of comments is read as before the cache is asked: which comments, in
# which threads (the cursor pages on ``thread_path``).
PAGE_FIELDS = ("id", "root_id", "version_id", "thread_path", "created_at", "root__created_at")

# What the rules and the receipt number read of a comment (``policies.comment_kind``
# and the ``comment.*`` rules), kept beside its shaped row.
FACT_FIELDS = (
    "id",
    "version_id",
    "parent_id",
    "thread_path",
    "visibility",
    "state",
    "kind",
    "proposed_text",
    "proposed_text_km",
    "author_id",
    "organisation_id",
    "thread_author_id",
    "thread_organisation_id",
    "created_at",
    "tracking_number",
)
# The fields of a shaped row that are the reader's own: decided per request.
_PER_READER = ("permissions", "tracking_number")


def _root_of(row: dict) -> int:
    return row["root_id"] or row["id"]


class CachedRows:
    """Shaped comments for one request, per thread from the cache where they can be."""

    def __init__(self, request, counted):
        """``counted()``: the reader's visible comments with their counts
        (``apis.counted_comments``), built only when a thread is shaped: building that
        query (its visibility rule, in subqueries) costs a signed-in reader milliseconds."""
        self.request = request
        self.user = request.user
        self.counted = counted
        self.shaper = RowShaper(request)
        self.actor = actor_for(self.user)
        self.versions: dict = {}

    # --- entries --------------------------------------------------------------------

    def _key(self, *, root: int, posted, version, tokens: dict, audience: str) -> str:
        raw = ":".join(
            str(part)
            for part in (
                ROWS_VERSION,
                get_language(),
                self.request.build_absolute_uri("/"),
                version.pk,
                root,
                # With the id, so that a database restored or rolled back under a cache
                # that outlived it cannot take another thread for this one.
                posted.isoformat(),
                tokens[thread_name(root)],
                tokens[revisions.PEOPLE],
                tokens[revisions.version_text(version.pk)],
                audience,
                self.actor.acting_org_id,
            )
        )
        return "comments:api-rows:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()

    def _shape(self, roots: list[int]) -> dict[int, list[tuple[dict, tuple]]]:
        """Every visible comment of these threads, shaped, in thread order: two queries."""
        values = list(
            self.counted()
            .filter(Q(pk__in=roots) | Q(root_id__in=roots))
            .order_by(*selectors.SORTS["thread"])
            .values(*ROW_FIELDS)
        )
        entries: dict[int, list[tuple[dict, tuple]]] = {root: [] for root in roots}
        for row in self.shaper.rows(values, self.versions):
            shaped = self.shaper.comment(row)
            for name in _PER_READER:
                shaped[name] = None  # never stored: decided for each reader
            facts = tuple(getattr(row, name) for name in FACT_FIELDS)
            entries[row.root_id or row.pk].append((shaped, facts))
        return entries

    def entries(self, page: list[dict]) -> dict[int, list[tuple[dict, tuple]]]:
        """The cached (or freshly shaped) comments of each thread the page's rows are in."""
        self.versions = versions_by_id({row["version_id"] for row in page})
        roots: dict[int, dict] = {}
        for row in page:
            roots.setdefault(_root_of(row), row)
        names = [
            revisions.PEOPLE,
            *(revisions.version_text(pk) for pk in self.versions),
            *(thread_name(root) for root in roots),
        ]
        tokens = revisions.current(names) if roots else None
        keys: dict[int, str] = {}
        entries: dict[int, list] = {}
        if tokens is not None:
            ties = selectors.thread_ties(user=self.user, root_ids=list(roots))
            for root, row in roots.items():
                version = self.versions[row["version_id"]]
                wrote, org_ids = ties.get(root, (False, frozenset()))
                keys[root] = self._key(
                    root=root,
                    posted=row["root__created_at"] or row["created_at"],
                    version=version,
                    tokens=tokens,
                    audience=thread_audience(
                        self.user, version.draft, wrote=wrote, restricted_org_ids=org_ids
                    ),
                )
            found = revisions.cached(list(keys.values()), "API rows")
            if found is None:
                found, keys = {}, {}
            entries = {root: found[key] for root, key in keys.items() if key in found}
        # A comment of the page that its thread's entry lacks (posted between the two
        # reads) has its thread shaped again, from the database.
        held = {root: {shaped["id"] for shaped, _facts in entry} for root, entry in entries.items()}
        for row in page:
            root = _root_of(row)
            if root in entries and row["id"] not in held[root]:
                del entries[root]
        missing = [root for root in roots if root not in entries]
        if missing:
            fresh = self._shape(missing)
            entries.update(fresh)
            stored = {keys[root]: fresh[root] for root in missing if root in keys}
            revisions.store(stored, timeout=ROWS_TIMEOUT, what="API rows")
        return entries

    # --- the reader's own fields ----------------------------------------------------------

    def _for_reader(self, shaped: dict, facts: tuple) -> dict:
        comment = SimpleNamespace(**dict(zip(FACT_FIELDS, facts, strict=True)))
        comment.pk = comment.id
        comment.version = self.versions[comment.version_id]
        decisions = self.shaper.decisions
        row = dict(shaped)
        row["permissions"] = {
            name: decisions.can(action, comment) for name, action in ACTIONS.items()
        }
        row["tracking_number"] = self.shaper.tracking_number(comment)
        return row

    # --- lists --------------------------------------------------------------------------

    def comments(self, page: list[dict]) -> list[dict]:
        """The page's comments, one row each, as ``RowShaper.comment`` shapes them."""
        entries = self.entries(page)
        by_id = {
            shaped["id"]: (shaped, facts) for entry in entries.values() for shaped, facts in entry
        }
        # A comment withdrawn from the reader's sight between the two reads is left out.
        return [self._for_reader(*by_id[row["id"]]) for row in page if row["id"] in by_id]

    def threads(self, page: list[dict]) -> list[dict]:
        """The page's first comments, each with its visible replies nested in ``replies``
        (``selectors.nest``: under the nearest ancestor the reader may see)."""
        entries = self.entries(page)
        threads = []
        for row in page:
            items = [
                SimpleNamespace(pk=shaped["id"], thread_path=facts[3], shaped=shaped, facts=facts)
                for shaped, facts in entries[row["id"]]
            ]
            top = next((item for item in items if item.pk == row["id"]), None)
            if top is None:  # withdrawn from the reader's sight between the two reads
                continue
            selectors.nest([top], [item for item in items if item is not top])
            threads.append(self._nested(top))
        return threads

    def _nested(self, item) -> dict:
        shaped = self._for_reader(item.shaped, item.facts)
        shaped["replies"] = [self._nested(reply) for reply in item.visible_replies]
        return shaped
