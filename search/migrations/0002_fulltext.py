"""The full-text part of the index, for the database in use.

PostgreSQL: ``document``, a tsvector generated from the three text columns
(title weighted A, body B, extra C) with the ``english`` configuration (which
leaves Khmer words as they are), and a GIN index on it.

SQLite: ``search_fts``, an FTS5 table over the same three columns whose
content is ``search_entry`` itself, kept in step by three triggers. Its
tokenizer counts combining marks (Unicode M*) as parts of words, as Khmer
vowels and subscripts are, and splits on spaces, punctuation and the
zero-width spaces the indexer puts between Khmer words; ``porter`` stems
English words as PostgreSQL's ``english`` does.

On SQLite, Django alters a table by building a new one and dropping the old,
which drops these triggers with it: a later migration that changes
``search_entry`` must run ``SQLITE_BACKWARD`` before and ``SQLITE_FORWARD``
after (and ``manage.py search_index`` to refill the FTS table).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    ALTER TABLE search_entry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(extra, '')), 'C')
    ) STORED
    """,
    # Read far more than written: every insert goes straight into the index
    # instead of a pending list that each search would have to scan too.
    "CREATE INDEX search_entry_document ON search_entry USING gin (document) "
    "WITH (fastupdate = off)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_document",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS document",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, extra,
        content='search_entry', content_rowid='id',
        tokenize="porter unicode61 categories 'L* N* Co M*'"
    )
    """,
    """
    CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_fts(rowid, title, body, extra)
        VALUES (new.id, new.title, new.body, new.extra);
    END
    """,
    """
    CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, extra)
        VALUES ('delete', old.id, old.title, old.body, old.extra);
    END
    """,
    """
    CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, extra)
        VALUES ('delete', old.id, old.title, old.body, old.extra);
        INSERT INTO search_fts(rowid, title, body, extra)
        VALUES (new.id, new.title, new.body, new.extra);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_fts",
]

STATEMENTS = {
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, which: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"Search needs PostgreSQL or SQLite, not {vendor}.")
    for statement in STATEMENTS[vendor][which]:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
