"""The two full-text engines behind one interface: PostgreSQL and SQLite's FTS5.

Each backend does three things to a queryset of ``Entry`` rows that the
selectors have already narrowed to what the reader may see:

- ``match``: keep the rows whose words match the query;
- ``rank``: an expression of how well a row matches, sorted ``RANK_ORDER``
  for the best first;
- ``with_snippets``: annotate a page of rows with ``title_mark``, ``body_mark``
  and ``extra_mark``, the texts with the matched words between ``MARK_START``
  and ``MARK_END`` (turned into escaped HTML with ``<mark>`` by
  ``search.selectors``).

Words reach the SQL only as parameters (see ``search.query``).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet, TextField
from django.db.models.expressions import RawSQL

from .indexing import MARK_END, MARK_START
from .models import Entry
from .query import SEARCH_CONFIG, ParsedQuery, to_fts5_match, to_tsquery_sql

TABLE = Entry._meta.db_table
SNIPPET_WORDS = 30


class PostgresBackend:
    name = "postgresql"

    def match(self, entries: QuerySet[Entry], query: ParsedQuery) -> QuerySet[Entry]:
        tsquery, params = to_tsquery_sql(query)
        return entries.filter(
            RawSQL(  # noqa: S611 - constant SQL; the words are parameters
                f'"{TABLE}"."document" @@ {tsquery}', params, output_field=BooleanField()
            )
        )

    RANK_ORDER = "DESC"

    def rank(self, query: ParsedQuery) -> RawSQL:
        tsquery, params = to_tsquery_sql(query)
        return RawSQL(  # noqa: S611 - constant SQL; the words are parameters
            f'ts_rank("{TABLE}"."document", {tsquery})', params, output_field=FloatField()
        )

    def with_snippets(self, rows: QuerySet[Entry], query: ParsedQuery) -> QuerySet[Entry]:
        tsquery, params = to_tsquery_sql(query)
        options = (
            f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={SNIPPET_WORDS}, '
            'MinWords=12, ShortWord=1, MaxFragments=2, FragmentDelimiter=" … "'
        )
        whole = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'

        def headline(column: str, opts: str) -> RawSQL:
            return RawSQL(  # noqa: S611 - constant SQL; the words are parameters
                f'ts_headline(\'{SEARCH_CONFIG}\', "{TABLE}"."{column}", {tsquery}, %s)',
                [*params, opts],
                output_field=TextField(),
            )

        return rows.annotate(
            title_mark=headline("title", whole),
            body_mark=headline("body", options),
            extra_mark=headline("extra", options),
        )


class SqliteBackend:
    """FTS5 over ``search_entry`` (an external-content table kept in step by triggers)."""

    name = "sqlite"

    def match(self, entries: QuerySet[Entry], query: ParsedQuery) -> QuerySet[Entry]:
        matching = RawSQL(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [to_fts5_match(query)]
        )
        return entries.filter(pk__in=matching)

    RANK_ORDER = "ASC"  # bm25 is lower for better matches

    def rank(self, query: ParsedQuery) -> RawSQL:
        # Weights as PostgreSQL's A, B, C.
        return RawSQL(  # noqa: S611 - constant SQL; the words are parameters
            "(SELECT bm25(search_fts, 10.0, 4.0, 1.0) FROM search_fts "  # noqa: S608
            f'WHERE search_fts MATCH %s AND search_fts.rowid = "{TABLE}"."id")',
            [to_fts5_match(query)],
            output_field=FloatField(),
        )

    def with_snippets(self, rows: QuerySet[Entry], query: ParsedQuery) -> QuerySet[Entry]:
        match = to_fts5_match(query)
        marks = [MARK_START, MARK_END]

        def column(function: str, index: int) -> RawSQL:
            extra = ", ' … ', %s" if function == "snippet" else ""
            params = [*marks, SNIPPET_WORDS] if function == "snippet" else marks
            return RawSQL(  # noqa: S611 - constant SQL; the words are parameters
                f"(SELECT {function}(search_fts, {index}, %s, %s{extra}) FROM search_fts "  # noqa: S608
                f'WHERE search_fts MATCH %s AND search_fts.rowid = "{TABLE}"."id")',
                [*params, match],
                output_field=TextField(),
            )

        return rows.annotate(
            title_mark=column("highlight", 0),
            body_mark=column("snippet", 1),
            extra_mark=column("snippet", 2),
        )


def backend():
    """The backend for the database in use (the migration created its full-text part)."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
