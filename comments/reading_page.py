"""The whole-draft reading page's text and contents, kept whole for the audiences that share them.

Reading the page's data is most of what is left of its time once the article
blocks come from their cache (``comments.article_blocks``): the version's
provisions with their texts, and what the reader's comments make of them (counts,
quoted passages, earlier rounds' feedback). Those depend on the reader only
through ``comment.view``. Readers who see every comment of the draft, and readers
who are not signed in, each see the same thing (``policies.reading_audience``), so
for them the rendered text, the contents, the comment total and the translation
gaps are kept in Django's cache as one piece under a key made of:

- the version's text token (``core.revisions.version_text``) and the comment
  token of every version of the draft up to this one (``revisions.version_comments``,
  touched with each thread: the earlier rounds' feedback and passages are shown
  here too);
- the language, the draft's slug, the version's number and state, whether the
  reader may comment (which changes with the clock, so it is asked every time),
  the audience and ``BODY_VERSION``.

Only a published version's body is kept: its text is frozen, so nothing but the
services touching those tokens can change it. A working version's text may be
saved outside the services (the admin); its page is read afresh every time, with
the article blocks keyed on each provision's own revision.

Anyone else (a signed-in stakeholder sees their own words and some restricted
ones) gets the page read afresh, with the blocks still from their cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core import revisions
from core.i18n import current_language
from drafts import selectors as draft_selectors
from drafts.models import Draft, DraftVersion, Provision
from drafts.reading import shown_language
from drafts.selectors import TranslationGaps
from stakeholders.policies import reading_audience

from . import selectors
from .article_blocks import ArticleBlocks
from .matrix import attach_earlier_feedback

# Raise when comments/reading/_text.html or _toc.html, or what the body is made of, changes.
BODY_VERSION = 1
# A bound on memory only: freshness comes from the tokens, never from time.
BODY_TIMEOUT = 24 * 3600


@dataclass
class TocEntry:
    provision: Provision
    depth: int
    comment_count: int
    language: str
    in_other_language: bool = False
    # An article's passages quoted by the comments the reader may see, on this version
    # and (found again here) on earlier ones; its block is rendered from them.
    quotes: tuple = ()
    earlier: tuple = ()
    # An article's block (comments.article_blocks), with what it was rendered from.
    html: SafeString = ""
    paragraphs: list[SafeString] = field(default_factory=list)
    comments_url: str = ""


@dataclass(frozen=True)
class ReadingBody:
    """What the reading page shows of a version's text, for one reader."""

    text: SafeString
    toc: SafeString
    total_comments: int
    gaps: TranslationGaps


def _permalink_base() -> str:
    return reverse("comments:permalink", args=[0])[: -len("0/")]


def _read(*, user, draft: Draft, version: DraftVersion, can_comment: bool) -> ReadingBody:
    provisions = draft_selectors.provisions_for_reading(version)
    attach_earlier_feedback(provisions, version, user)
    counts = selectors.counts_by_provision(user=user, version=version)
    quotes = selectors.quotes_by_provision(user=user, version=version)
    earlier = selectors.earlier_quotes_by_provision(user=user, version=version)
    permalink_base = _permalink_base()
    reader_language = current_language()

    def permalink(pk: int) -> str:
        return f"{permalink_base}{pk}/"

    depth_of: dict[int, int] = {}
    entries = []
    articles = []
    for provision in provisions:
        depth = depth_of.get(provision.parent_id, -1) + 1 if provision.parent_id else 0
        depth_of[provision.pk] = depth
        language = shown_language(provision, reader_language)
        entry = TocEntry(
            provision=provision,
            depth=depth,
            comment_count=counts.get(provision.pk, 0),
            language=language,
        )
        if provision.kind == Provision.Kind.ARTICLE:
            # Shown in the other language only when there is text to show.
            entry.in_other_language = language != reader_language and bool(
                provision.text_in(language).strip()
            )
            entry.quotes = tuple(quotes.get(provision.pk, ()))
            entry.earlier = tuple(
                q for q in earlier.get(provision.stable_id, ()) if q.language == language
            )
            articles.append(entry)
        entries.append(entry)
    toc = ArticleBlocks(
        draft=draft, version=version, can_comment=can_comment, permalink=permalink
    ).fill(entries, articles)
    text = get_template("comments/reading/_text.html").render(
        {"entries": entries, "draft": draft, "version": version, "can_comment": can_comment}
    )
    return ReadingBody(
        text=mark_safe(text),
        toc=toc,
        total_comments=sum(counts.values()),
        gaps=draft_selectors.translation_gaps(provisions),
    )


def _key(*, draft, version, can_comment: bool, audience: str, tokens: dict) -> str:
    raw = (
        BODY_VERSION,
        get_language(),
        draft.slug,
        version.pk,
        version.number,
        version.status,
        _permalink_base(),
        can_comment,
        audience,
        sorted(tokens.items()),
    )
    return (
        "comments:reading-body:" + hashlib.blake2b(repr(raw).encode(), digest_size=16).hexdigest()
    )


def reading_body(*, user, draft: Draft, version: DraftVersion, can_comment: bool) -> ReadingBody:
    """The version's text and contents as ``user`` reads them: kept whole where an audience shares
    them (see the module's note), read and rendered otherwise."""
    audience = reading_audience(user, draft)
    if audience is None or not version.is_frozen:
        return _read(user=user, draft=draft, version=version, can_comment=can_comment)
    # Every version up to this one: its comments' feedback and passages are shown here.
    version_ids = draft_selectors.version_ids_up_to(version)
    tokens = revisions.current(
        [
            revisions.version_text(version.pk),
            *(revisions.version_comments(pk) for pk in version_ids),
        ]
    )
    if tokens is None:
        return _read(user=user, draft=draft, version=version, can_comment=can_comment)
    key = _key(
        draft=draft, version=version, can_comment=can_comment, audience=audience, tokens=tokens
    )
    found = revisions.cached([key], "reading page body")
    if found and key in found:
        text, toc, total, gaps = found[key]
        return ReadingBody(
            text=mark_safe(text),
            toc=mark_safe(toc),
            total_comments=total,
            gaps=TranslationGaps(*gaps),
        )
    body = _read(user=user, draft=draft, version=version, can_comment=can_comment)
    if found is not None:
        gaps = body.gaps
        revisions.store(
            {
                key: (
                    str(body.text),
                    str(body.toc),
                    body.total_comments,
                    (gaps.provisions, gaps.missing_km, gaps.missing_en),
                )
            },
            timeout=BODY_TIMEOUT,
            what="reading page body",
        )
    return body
