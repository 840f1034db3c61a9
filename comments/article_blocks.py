"""The whole-draft reading page's articles and contents from a cache of HTML.

Rendering 300 articles (``drafts/_article.html``: the title, the text with its
quoted passages marked, earlier feedback, the comment count and links) is most of
the reading page's time. Each article's block is kept in Django's cache under a
key made of:

- the version's text token (``core.revisions.version_text``), which every service
  in ``drafts.services`` that changes a provision or the version's state touches;
  and the provision's own revision and time of last save, so that a save outside
  the services (the admin) is not served stale either;
- the language, the draft's slug, the version, its number and state, the
  permalink prefix and ``TEMPLATE_VERSION`` (raise it whenever the template changes);
- a digest of everything the block shows that depends on the reader: the
  comments they may see on it (their count), the passages those comments quote
  (on this version and earlier ones), the earlier versions' feedback they may
  see, and whether they may comment. Those are read for every request, as
  before; only the rendering is skipped. The key is made of the values, not of
  who reads: readers who would be shown the same block share it, and nobody is
  shown a block made from anyone else's.

The contents (every provision's label, heading and the reader's comment count)
are one more block, keyed the same way.
"""

from __future__ import annotations

import hashlib

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core import revisions
from drafts.reading import marked_paragraphs

# Raise when drafts/_article.html, or what it shows, changes.
TEMPLATE_VERSION = 1
# A bound on memory only: freshness comes from the keys, never from time.
BLOCK_TIMEOUT = 24 * 3600


def _digest(parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


class ArticleBlocks:
    """The article blocks of one version for one request, from the cache where they can be."""

    def __init__(self, *, draft, version, can_comment: bool, permalink):
        self.draft = draft
        self.version = version
        self.can_comment = can_comment
        self.permalink = permalink
        self._template = get_template("drafts/_article.html")

    def _key(self, entry, token: str) -> str:
        provision = entry.provision
        feedback = provision.earlier_feedback
        reader = (
            entry.comment_count,
            self.can_comment,
            entry.quotes,
            entry.earlier,
            None if not feedback else (feedback["count"], feedback["labels"]),
        )
        raw = (
            TEMPLATE_VERSION,
            get_language(),
            self.draft.slug,
            self.version.pk,
            self.version.number,
            self.version.status,
            self.permalink(0),
            token,
            provision.pk,
            provision.revision,
            provision.updated_at.isoformat(),
            _digest(reader),
        )
        return "drafts:article-block:" + _digest(raw)

    def _render(self, entry) -> str:
        provision = entry.provision
        entry.comments_url = reverse(
            "comments:article",
            kwargs={
                "slug": self.draft.slug,
                "number": self.version.number,
                "stable_id": provision.stable_id,
            },
        )
        entry.paragraphs = marked_paragraphs(
            provision.text_in(entry.language), entry.quotes, self.permalink, earlier=entry.earlier
        )
        return self._template.render(
            {
                "entry": entry,
                "draft": self.draft,
                "version": self.version,
                "can_comment": self.can_comment,
            }
        )

    def _toc_key(self, entries, token: str) -> str:
        # The contents show each provision's kind, number, heading, depth and the
        # reader's count of comments on it.
        rows = tuple(
            (
                e.provision.pk,
                e.provision.revision,
                e.provision.updated_at.isoformat(),
                e.depth,
                e.comment_count,
            )
            for e in entries
        )
        raw = (
            TEMPLATE_VERSION,
            get_language(),
            self.version.pk,
            self.version.status,
            token,
            _digest(rows),
        )
        return "drafts:reading-contents:" + _digest(raw)

    def fill(self, entries, articles) -> SafeString:
        """Give each of ``articles`` its ``html`` and return the contents of all ``entries``:
        from the cache, or rendered (and stored)."""
        name = revisions.version_text(self.version.pk)
        tokens = revisions.current([name])
        keys: dict[int, str] = {}
        toc_key = None
        found: dict[str, str] = {}
        if tokens is not None:
            keys = {id(entry): self._key(entry, tokens[name]) for entry in articles}
            toc_key = self._toc_key(entries, tokens[name])
            found = revisions.cached([*keys.values(), toc_key], "article blocks")
            if found is None:
                found, keys, toc_key = {}, {}, None
        fresh = {}
        for entry in articles:
            key = keys.get(id(entry))
            html = found.get(key) if key else None
            if html is None:
                html = self._render(entry)
                if key:
                    fresh[key] = html
            entry.html = mark_safe(html)
        toc = found.get(toc_key) if toc_key else None
        if toc is None:
            toc = get_template("comments/reading/_toc.html").render({"entries": entries})
            if toc_key:
                fresh[toc_key] = toc
        revisions.store(fresh, timeout=BLOCK_TIMEOUT, what="article blocks")
        return mark_safe(toc)
