"""Writes to the search index: one object at a time (on every write), or a whole rebuild.

The index is derived data: its rows for an object are replaced as a whole,
inside the transaction of the change that caused it (``search.listeners``), so
the index and the texts never disagree once that transaction commits. A
rebuild goes through the same functions, a batch of objects per transaction,
so readers never see a draft half missing while it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from core.events import emit
from drafts.models import Draft, DraftVersion

from .indexing import SOURCES, Source, entries_for, object_key, version_provisions
from .models import Entry, Reindex

logger = logging.getLogger(__name__)

BATCH = 500

Progress = Callable[[int, int], None]


def _replace(source: Source, keys: list, rows: list[Entry]) -> None:
    """Make the index rows of the objects with these keys exactly ``rows``."""
    if not keys:
        return
    with transaction.atomic():
        Entry.objects.filter(source=source.name, **{f"{source.entry_field}_id__in": keys}).delete()
        Entry.objects.bulk_create(rows, batch_size=BATCH)


def index_objects(source_name: str, objects: Iterable, *, new: bool = False) -> int:
    """Index (again) these objects of one source; returns the number of rows written.

    ``new``: the objects were just created, so no row of theirs exists yet and
    there is nothing to replace (posting a comment saves a query and a savepoint).
    """
    source = SOURCES[source_name]
    objects = list(objects)
    rows = entries_for(source_name, objects)
    if new:
        Entry.objects.bulk_create(rows, batch_size=BATCH)
    else:
        _replace(source, [object_key(source, obj) for obj in objects], rows)
    return len(rows)


def index_version(*, version: DraftVersion) -> int:
    """Every provision of a version (a newly published or newly started one)."""
    return index_objects(Entry.Source.PROVISION, version_provisions(version))


def entry_disposition_set(*, comment_id: int, status: str) -> None:
    """A thread's decision changed: its first comment's rows (its words and its files) are
    counted under the new one."""
    Entry.objects.filter(
        source__in=(Entry.Source.COMMENT, Entry.Source.ATTACHMENT), comment_id=comment_id
    ).update(disposition=status)


def entry_visibility_copy(*, comment) -> None:
    """The response to a comment and its attached files carry the comment's visibility fields
    too: keep them equal, so hiding, withdrawing or restoring a comment reaches them at once."""
    Entry.objects.filter(
        source__in=(Entry.Source.RESPONSE, Entry.Source.ATTACHMENT), comment_id=comment.pk
    ).update(
        visibility=comment.visibility,
        state=comment.state,
        author_id=comment.author_id,
        organisation_id=comment.organisation_id,
        thread_organisation_id=comment.thread_organisation_id,
        thread_author_id=comment.thread_author_id,
    )


def index_organisation_comments(*, organisation_id: int) -> int:
    """Index again every comment written for an organisation; returns the rows written.

    A comment's row carries its organisation's names among its words (so the name finds
    what the organisation said): after a rename they are the old names until this runs.
    In batches, each replacing its comments' rows at once; running it twice is harmless.
    """
    source = SOURCES[Entry.Source.COMMENT]
    pks = list(
        source.objects()
        .filter(organisation_id=organisation_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(pks), BATCH):
        batch = source.objects().filter(pk__in=pks[start : start + BATCH]).order_by("pk")
        written += index_objects(Entry.Source.COMMENT, batch)
    return written


def organisation_names_changed(organisation) -> bool:
    """Whether the organisation's indexed names differ from its names now (False if unindexed)."""
    indexed = (
        Entry.objects.filter(source=Entry.Source.ORGANISATION, organisation_id=organisation.pk)
        .values_list("title", "body")
        .first()
    )
    if indexed is None:
        return False
    (now,) = entries_for(Entry.Source.ORGANISATION, [organisation])
    return indexed != (now.title, now.body)


def entry_organisation_kind_set(*, organisation_id: int, kind: str) -> None:
    """An organisation's kind changed: every row of its comments is counted under the new one."""
    Entry.objects.filter(organisation_id=organisation_id).update(organisation_kind=kind)


def _scoped(source: Source, draft: Draft | None):
    objects = source.objects()
    if draft is not None:
        objects = objects.filter(**{source.draft_path: draft})
    return objects


def rebuild(*, draft: Draft | None = None, progress: Progress | None = None) -> int:
    """Rebuild the index of one draft (its provisions, comments and responses) or of everything.

    Rows of objects that are no longer indexed (a removed provision) are
    deleted at the end. Returns the number of objects indexed; ``progress`` is
    called with (done, total) after every batch.
    """
    sources = [s for s in SOURCES.values() if draft is None or s.draft_path is not None]
    total = sum(_scoped(source, draft).count() for source in sources)
    done = 0
    if progress:
        progress(done, total)
    for source in sources:
        objects = _scoped(source, draft).order_by("pk")
        pks = list(objects.values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            batch = list(objects.filter(pk__in=pks[start : start + BATCH]))
            index_objects(source.name, batch)
            done += len(batch)
            if progress:
                progress(done, total)
        stale = Entry.objects.filter(source=source.name)
        if draft is not None:
            stale = stale.filter(draft=draft)
        key = "comment_id" if source.name == Entry.Source.RESPONSE else "pk"
        stale.exclude(
            **{f"{source.entry_field}_id__in": _scoped(source, draft).values(key)}
        ).delete()
    return done


# --- a rebuild run by a Celery task -------------------------------------------------------


def reindex_request(*, draft: Draft | None = None, by=None) -> Reindex:
    """Ask for a rebuild in the background; a worker picks it up (``search.tasks``)."""
    with transaction.atomic():
        job = Reindex.objects.create(draft=draft, requested_by=by)
        emit("search.reindex_requested", reindex_id=job.pk)
    return job


def reindex_run(*, reindex_id: int) -> Reindex | None:
    """Run a requested rebuild, recording its progress; a finished one is not run again.

    A run that was interrupted (the worker died) is simply run again when the
    task is delivered again: rebuilding is idempotent.
    """
    job = Reindex.objects.select_related("draft").filter(pk=reindex_id).first()
    if job is None or job.status == Reindex.Status.DONE:
        return job
    Reindex.objects.filter(pk=job.pk).update(
        status=Reindex.Status.RUNNING, started_at=timezone.now(), error=""
    )

    def record(done: int, total: int) -> None:
        Reindex.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        rebuild(draft=job.draft, progress=record)
    except Exception as exc:
        Reindex.objects.filter(pk=job.pk).update(
            status=Reindex.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    Reindex.objects.filter(pk=job.pk).update(status=Reindex.Status.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job
