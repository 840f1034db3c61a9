"""Search: the one read path for finding text, with its facets, for pages and API alike.

``search(user=..., params=...)`` returns one page of hits, the total, and the
facet counts. Every count and every snippet comes from ``visible_entries``,
which applies the permission module's own filters (``comment_text_filter``,
``comment_visibility_filter``, ``DraftVersion.objects.readable_by``) to the
live versions and to each row's copy of its comment's visibility, state and
authorship (written with the comment, in the same transaction). A fixed number of
queries whatever the number of hits: the facets, the total and the page's ids
in one, the page's rows with their snippets in one, and the labels of drafts
and versions in one.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from comments.models import Comment, Disposition
from drafts.models import DraftVersion, Provision
from stakeholders.models import Organisation
from stakeholders.policies import comment_text_filter, comment_visibility_filter

from .backends import backend
from .indexing import MARK_END, MARK_START
from .models import Entry
from .query import ParsedQuery, parse

PER_PAGE = 20
SORTS = ("relevance", "newest", "oldest")
LANGUAGES = ("en", "km")
ARTICLE_FACET_LIMIT = 40


@dataclass(frozen=True)
class SearchParams:
    """What a reader asked for; every field optional. Built and checked by ``SearchForm``."""

    q: str = ""
    type: str = ""
    draft: str = ""  # a draft's slug
    version: int | None = None  # a version's id
    article: str = ""  # a provision's stable id (within the draft)
    kind: str = ""
    organisation_kind: str = ""
    organisation: str = ""  # an organisation's slug
    disposition: str = ""
    language: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = ""
    page: int = 1

    @property
    def has_filters(self) -> bool:
        return any(
            (
                self.type,
                self.draft,
                self.version,
                self.article,
                self.kind,
                self.organisation_kind,
                self.organisation,
                self.disposition,
                self.language,
                self.date_from,
                self.date_to,
            )
        )

    @property
    def effective_sort(self) -> str:
        """Relevance needs words to rank by; without them, newest first."""
        if self.sort in SORTS and (self.sort != "relevance" or self.q.strip()):
            return self.sort
        return "relevance" if self.q.strip() else "newest"


# --- who may find what ----------------------------------------------------------------------


def visible_entries(user) -> QuerySet[Entry]:
    """The index rows ``user`` may find, decided by the one permission module.

    Provisions of the versions the user may read; comments whose words the user
    may read (a hidden comment's only for its author and those who review it);
    the ministry's responses on the comments the user may see, as the thread
    pages show them; the files attached to comments whose words the user may
    read (``attachment.download``: a file goes with its comment's words); every
    organisation (their names are public). The comment filters read the row's
    copy of the comment's fields (see ``Entry``).
    """
    readable_versions = DraftVersion.objects.readable_by(user).values("pk")
    return Entry.objects.filter(
        Q(source=Entry.Source.PROVISION, version_id__in=readable_versions)
        | (
            Q(source__in=(Entry.Source.COMMENT, Entry.Source.ATTACHMENT))
            & comment_text_filter(user)
        )
        | (Q(source=Entry.Source.RESPONSE) & comment_visibility_filter(user))
        | Q(source=Entry.Source.ORGANISATION)
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(entries: QuerySet[Entry], params: SearchParams) -> QuerySet[Entry]:
    if params.type:
        entries = entries.filter(source=params.type)
    if params.draft:
        entries = entries.filter(draft__slug=params.draft)
    if params.version:
        entries = entries.filter(version_id=params.version)
    if params.article:
        entries = entries.filter(stable_id=params.article)
    if params.kind:
        entries = entries.filter(kind=params.kind)
    if params.organisation_kind:
        entries = entries.filter(organisation_kind=params.organisation_kind)
    if params.organisation:
        entries = entries.filter(organisation__slug=params.organisation)
    if params.disposition:
        entries = entries.filter(disposition=params.disposition)
    if params.language:
        entries = entries.filter(language=params.language)
    if params.date_from:
        entries = entries.filter(date__gte=_day_start(params.date_from))
    if params.date_to:
        entries = entries.filter(date__lt=_day_start(params.date_to) + timezone.timedelta(days=1))
    return entries


# --- facets -----------------------------------------------------------------------------------

# facet: (the value grouped by, which rows count, a label read with it)
FACET_SQL = {
    "type": ("source", "", "''"),
    "draft": ("CAST(draft_id AS TEXT)", "draft_id IS NOT NULL", "''"),
    "version": ("CAST(version_id AS TEXT)", "version_id IS NOT NULL", "''"),
    "article": ("stable_id", "provision_kind = 'article'", "MAX(provision_number)"),
    "kind": ("kind", "kind <> ''", "''"),
    "organisation_kind": ("organisation_kind", "organisation_kind <> ''", "''"),
    "disposition": ("disposition", "disposition <> ''", "''"),
    "language": ("language", "language <> ''", "''"),
}


FACET_COLUMNS = (
    "source",
    "draft_id",
    "version_id",
    "stable_id",
    "provision_kind",
    "provision_number",
    "kind",
    "organisation_kind",
    "disposition",
    "language",
)
ORDERS = {
    "newest": '"date" DESC, "pk" DESC',
    "oldest": '"date" ASC, "pk" ASC',
}


def facets_and_page(
    entries: QuerySet[Entry], *, order: str, start: int, size: int
) -> tuple[dict[str, dict[str, tuple[int, str]]], list[int]]:
    """The facet counts over ``entries`` and the ids of one page of them, in one query.

    The matching rows are a common table, grouped once per facet (with a label:
    the article's number for the article facet), and the page is its rows in
    ``order`` (a constant ORDER BY over the table's columns), numbered so their
    order survives the union. One pass over the index, however many facets.
    """
    columns = ["pk", "date", *FACET_COLUMNS]
    if "rank" in entries.query.annotations:
        columns.append("rank")
    inner, params = entries.order_by().values(*columns).query.sql_with_params()
    selects = []
    for name, (value, condition, label) in FACET_SQL.items():
        where = f" WHERE {condition}" if condition else ""
        selects.append(
            # Only the constant column names above; the user's words are parameters of ``inner``.
            f"SELECT '{name}' AS facet, {value} AS value, COUNT(*) AS n, {label} AS label "  # noqa: S608
            f"FROM matched{where} GROUP BY {value}"
        )
    selects.append(
        "SELECT 'page' AS facet, CAST(pk AS TEXT) AS value, "  # noqa: S608
        f"ROW_NUMBER() OVER (ORDER BY {order}) AS n, '' AS label "
        f"FROM (SELECT * FROM matched ORDER BY {order} LIMIT %s OFFSET %s) AS page_rows"
    )
    sql = f"WITH matched AS ({inner}) " + " UNION ALL ".join(selects)
    counts: dict[str, dict[str, tuple[int, str]]] = defaultdict(dict)
    page: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size, start])
        for facet, value, n, label in cursor.fetchall():
            if facet == "page":
                page.append((n, int(value)))
            else:
                counts[facet][str(value)] = (n, label or "")
    return counts, [pk for _position, pk in sorted(page)]


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    values: list[FacetValue]


def _choice_labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _facets(
    counts: dict[str, dict[str, tuple[int, str]]],
    params: SearchParams,
    versions: dict[int, DraftVersion],
) -> list[Facet]:
    drafts = {}
    for version in versions.values():
        drafts[str(version.draft_id)] = version.draft
    labels = {
        "type": _choice_labels(Entry.Source.choices),
        "kind": _choice_labels(Comment.Kind.choices),
        "organisation_kind": _choice_labels(Organisation.Kind.choices),
        "disposition": _choice_labels(Disposition.Status.choices),
        "language": {"en": "English", "km": "ខ្មែរ"},
        "draft": {pk: draft.short_title for pk, draft in drafts.items()},
        "version": {str(pk): str(version) for pk, version in versions.items()},
    }
    article_label = str(Provision.Kind.ARTICLE.label)
    selected = {
        "type": params.type,
        "draft": next((pk for pk, d in drafts.items() if d.slug == params.draft), ""),
        "version": str(params.version or ""),
        "article": params.article,
        "kind": params.kind,
        "organisation_kind": params.organisation_kind,
        "disposition": params.disposition,
        "language": params.language,
    }
    facets = []
    for name in FACET_SQL:
        if name == "article" and not params.draft:
            continue  # articles are numbered within a draft
        rows = sorted(counts.get(name, {}).items(), key=lambda item: (-item[1][0], item[0]))
        if name == "article":
            rows = rows[:ARTICLE_FACET_LIMIT]
        values = []
        for value, (count, number) in rows:
            if name == "article":
                label = f"{article_label} {number}".strip()
            else:
                label = labels[name].get(value, value)
            # The draft facet filters by slug, like the draft pages' search box.
            key = drafts[value].slug if name == "draft" and value in drafts else value
            values.append(FacetValue(key, label, count, value == selected[name]))
        if values:
            facets.append(Facet(name=name, values=values))
    return facets


# --- hits ---------------------------------------------------------------------------------------


def render_marked(text: str) -> SafeString:
    """A snippet as HTML: the indexed text (stored escaped) read back and escaped once, then
    the engine's private marks turned into <mark>, the only tags a snippet can carry."""
    escaped = escape(html.unescape(text or ""))
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@dataclass
class Hit:
    entry: Entry
    title: SafeString
    snippet: SafeString
    rank: float | None = None

    @property
    def source(self) -> str:
        return self.entry.source

    @property
    def comment(self) -> Comment | None:
        return self.entry.comment

    @property
    def provision(self) -> Provision | None:
        return self.entry.provision

    @property
    def organisation(self) -> Organisation | None:
        return self.entry.organisation


@dataclass
class SearchResults:
    params: SearchParams
    query: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: list[Facet] = field(default_factory=list)
    page: int = 1
    per_page: int = PER_PAGE
    searched: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _plain(text: str, words: int = 40) -> SafeString:
    return render_marked(Truncator(text or "").words(words, truncate=" …"))


def _best(body: str, extra: str) -> str:
    """The passage to show: the body's, unless only the quoted passage or the names matched."""
    if MARK_START not in (body or "") and MARK_START in (extra or ""):
        return extra
    return body


def search(*, user, params: SearchParams, per_page: int = PER_PAGE) -> SearchResults:
    """One page of what ``user`` may find for ``params``, with the total and the facets."""
    query = parse(params.q)
    results = SearchResults(params=params, query=query, per_page=per_page)
    if not params.q.strip() and not params.has_filters:
        return results  # nothing asked yet: the empty form
    results.searched = True
    if params.q.strip() and query.is_empty:
        return results  # only punctuation, or only words to leave out
    engine = backend()
    entries = filtered(visible_entries(user), params)
    if not query.is_empty:
        entries = engine.match(entries, query)
    sort = params.effective_sort
    if sort == "relevance":
        entries = entries.annotate(rank=engine.rank(query))
        order = f'"rank" {engine.RANK_ORDER}, ' + ORDERS["newest"]
    else:
        order = ORDERS[sort]
    results.page = max(1, params.page)
    counts, ids = facets_and_page(
        entries, order=order, start=(results.page - 1) * per_page, size=per_page
    )
    results.total = sum(n for n, _label in counts.get("type", {}).values())
    if not results.total:
        return results
    if results.page > results.pages:  # past the end (an old link): show the last page
        results.page = results.pages
        _counts, ids = facets_and_page(
            entries, order=order, start=(results.page - 1) * per_page, size=per_page
        )
    rows = (
        Entry.objects.filter(pk__in=ids)
        .select_related(
            "draft",
            "version",
            "provision",
            "comment__organisation",
            "comment__author",
            "comment__version",
            "comment__provision",
            "organisation",
            "attachment",
        )
        .defer("attachment__extracted_text")
    )
    if not query.is_empty:
        rows = engine.with_snippets(rows, query)
    by_pk = {entry.pk: entry for entry in rows}
    for pk in ids:
        entry = by_pk[pk]
        title = getattr(entry, "title_mark", None)
        body, extra = getattr(entry, "body_mark", None), getattr(entry, "extra_mark", None)
        results.hits.append(
            Hit(
                entry=entry,
                title=render_marked(title) if title else _plain(entry.title, 30),
                snippet=render_marked(_best(body, extra)) if body or extra else _plain(entry.body),
            )
        )
    version_ids = {int(v) for v in counts.get("version", {})}
    versions = DraftVersion.objects.filter(pk__in=version_ids).select_related("draft")
    results.facets = _facets(counts, params, {v.pk: v for v in versions})
    return results
