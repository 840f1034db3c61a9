"""The search index: one row per thing that can be found, in one language.

A row holds the words as they are indexed (Khmer split into words by ICU, with
a zero-width space between them) and the facets a result is filtered and
counted by. Who may find a row is decided by the permission module's own filters:
on the live versions for provisions, and for comments on a copy of the
comment's visibility, state, author and organisations kept in the row (a join
to the live comments costs more than the search itself on a large
consultation), rewritten in the same transaction as every save of the comment.

The full-text part differs by database and is created by migration 0002, which
runs the part for the database in use: on PostgreSQL a generated ``tsvector``
column ``document`` with a GIN index; on SQLite an FTS5 table ``search_fts``
kept in step with this table by triggers. Neither is a model field, so the
rest of the code sees one model on both.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    class Source(models.TextChoices):
        PROVISION = "provision", _("Text of the law")
        COMMENT = "comment", _("Comment")
        RESPONSE = "response", _("Ministry’s response")
        ORGANISATION = "organisation", _("Organisation")
        ATTACHMENT = "attachment", _("Attachment")

    # One row per source object and language: "comment:12:", "provision:40:km".
    key = models.CharField(max_length=80, unique=True)
    source = models.CharField(max_length=16, choices=Source.choices, db_index=True)
    language = models.CharField(max_length=2, blank=True)

    # What was indexed.
    provision = models.ForeignKey(
        "drafts.Provision", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "stakeholders.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # A file attached to a comment; ``comment`` is set too, to the comment it belongs to.
    attachment = models.ForeignKey(
        "comments.Attachment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    # Who may see a comment, a response or an attachment, copied from the comment under the
    # comment's own field names, so the permission module's filters
    # (``comment_visibility_filter``, ``comment_text_filter``) apply to these rows
    # as they are. They are rewritten in the transaction of every save of the
    # comment (``search.listeners``); a test holds them equal to the live rows.
    visibility = models.CharField(max_length=12, blank=True)
    state = models.CharField(max_length=10, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread_organisation = models.ForeignKey(
        "stakeholders.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The individual who opened the thread (when no organisation did): they read
    # every reply in it, restricted ones included.
    thread_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    # Facets, copied when the row is written.
    draft = models.ForeignKey(
        "drafts.Draft", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        "drafts.DraftVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stable_id = models.CharField(max_length=120, blank=True, db_index=True)
    provision_kind = models.CharField(max_length=10, blank=True)
    provision_number = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=12, blank=True)
    organisation_kind = models.CharField(max_length=32, blank=True)
    disposition = models.CharField(max_length=16, blank=True)
    date = models.DateTimeField(null=True, blank=True, db_index=True)

    # The words, as indexed (weights: title A, body B, extra C).
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    extra = models.TextField(blank=True)

    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "search_entry"
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        indexes = [models.Index(fields=["draft", "source"], name="search_entry_draft_source")]

    def __str__(self):
        return self.key


class Reindex(models.Model):
    """A rebuild of the index, of one draft or of everything, run by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    draft = models.ForeignKey(
        "drafts.Draft", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("search reindex")
        verbose_name_plural = _("search reindexes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"Reindex {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
