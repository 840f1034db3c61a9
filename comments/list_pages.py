"""Whole pages of the comment API's lists, kept for readers who are not signed in.

Everyone not signed in reads the same comments (the public ones:
``policies.reading_audience`` calls them one audience, "public"), with the same
fields: nobody's own rows, no endorsement by their organisation, no action
allowed and no receipt number. So a page of ``/api/v1/comments/`` or
``/api/v1/threads/`` asked for one version is the same for all of them, and is
kept whole in Django's cache under a key made of:

- the comment token of the version (``core.revisions.version_comments``, touched
  with every thread: a post, reply, edit, withdrawal, hiding, endorsement,
  disposition), its text token (the provision labels) and the ``PEOPLE`` token
  (names and organisations beside the words);
- the language, the full address asked for (scheme, host, path and query: the
  page's links are made from it) and ``PAGE_VERSION``.

Only pages filtered to one version, and by what belongs to its comments alone
(``KEYED_FILTERS``), are kept: a filter on an organisation's slug or kind would
also depend on the organisation, which the tokens do not follow. Anyone signed in
is answered as before, with the rows of each thread from ``thread_rows``.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import get_language

from core import revisions
from stakeholders.policies import reading_audience

# Raise when what a list page holds changes (the rows' shape, the paging).
PAGE_VERSION = 1
# A bound on memory only: freshness comes from the tokens, never from time.
PAGE_TIMEOUT = 3600

# The query parameters whose answer depends on the version's comments alone.
KEYED_FILTERS = frozenset(
    {
        "version",
        "provision",
        "general",
        "kind",
        "speaker",
        "disposition",
        "visibility",
        "state",
        "parent",
        "ordering",
        "cursor",
        "page",
        "page_size",
        "format",
    }
)


class KeptPage:
    """One request's page of a comment list, from the cache or to be kept in it."""

    def __init__(self, key: str):
        self.key = key

    @classmethod
    def for_request(cls, request, *, list_name: str) -> KeptPage | None:
        """The page's place in the cache, or None when this request's page is not kept.

        The tokens are read here, before the page is: a change after this moment
        touches them, and a page read from the changed data is stored under tokens
        nobody asks for again.
        """
        params = request.query_params
        if reading_audience(request.user, None) != "public":
            return None
        if not set(params) <= KEYED_FILTERS or len(params.getlist("version")) != 1:
            return None
        try:
            version_id = int(params["version"])
        except ValueError:
            return None  # the list answers with its own error
        tokens = revisions.current(
            [
                revisions.version_comments(version_id),
                revisions.version_text(version_id),
                revisions.PEOPLE,
            ]
        )
        if tokens is None:
            return None
        raw = (
            PAGE_VERSION,
            list_name,
            get_language(),
            request.build_absolute_uri(),
            sorted(tokens.items()),
        )
        digest = hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
        return cls(f"comments:api-page:{digest}")

    def read(self) -> dict | None:
        found = revisions.cached([self.key], "API list pages")
        return (found or {}).get(self.key)

    def keep(self, data: dict) -> None:
        revisions.store({self.key: data}, timeout=PAGE_TIMEOUT, what="API list pages")
