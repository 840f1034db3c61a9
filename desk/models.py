"""What the drafting team keeps about comments: who handles each, tags, internal notes, clusters.

None of it is the commenter's: assignment, tags and notes are the ministry's working
papers (see ``desk.*`` rules in ``stakeholders.policies``). Clusters are computed
(``desk.services.clusters_recompute``) and may be recomputed at any time, so they
are not history-tracked; what a drafter does with a cluster is recorded on each
member through ``comments.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords


class Tag(models.Model):
    """One topic of a draft's controlled list ("data protection", "procedural safeguards")."""

    draft = models.ForeignKey("drafts.Draft", on_delete=models.CASCADE, related_name="desk_tags")
    name = models.CharField(_("name"), max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "name"], name="desk_tag_unique_per_draft")
        ]

    def __str__(self):
        return self.name


class CommentTag(models.Model):
    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, related_name="desk_tags"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="comment_tags")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("tagged"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tag of a comment")
        verbose_name_plural = _("tags of comments")
        constraints = [
            models.UniqueConstraint(fields=["comment", "tag"], name="desk_comment_tag_once")
        ]

    def __str__(self):
        return f"#{self.comment_id} · {self.tag_id}"


class Assignment(models.Model):
    """Who on the drafting team handles a comment; empty once unassigned (the history keeps who did)."""

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="desk_assignment"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="desk_assignments",
        verbose_name=_("assigned to"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"))
    revision = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["assignee"], name="desk_assignment_assignee")]

    def __str__(self):
        return f"#{self.comment_id} → {self.assignee_id}"


class InternalNote(models.Model):
    """The drafting team's discussion of a comment; never shown to the commenter or the public."""

    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, related_name="desk_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.comment_id} · {self.author_id}"


class CommentSignature(models.Model):
    """A comment's MinHash signature, computed once from its text (``desk.clustering``)."""

    comment = models.OneToOneField(
        "comments.Comment", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey("drafts.DraftVersion", on_delete=models.CASCADE, related_name="+")
    comment_revision = models.PositiveIntegerField()
    word_count = models.PositiveIntegerField()
    hashvalues = models.BinaryField()

    def __str__(self):
        return f"#{self.comment_id}"


class Cluster(models.Model):
    """Comments of one version that are the same letter with small edits (a campaign)."""

    version = models.ForeignKey(
        "drafts.DraftVersion", on_delete=models.CASCADE, related_name="desk_clusters"
    )
    representative = models.ForeignKey(
        "comments.Comment", on_delete=models.PROTECT, related_name="+"
    )
    size = models.PositiveIntegerField(_("comments"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cluster of similar comments")
        verbose_name_plural = _("clusters of similar comments")
        ordering = ["-size", "pk"]

    def __str__(self):
        return f"{self.size} × #{self.representative_id}"


class ClusterMember(models.Model):
    comment = models.OneToOneField(
        "comments.Comment", primary_key=True, on_delete=models.CASCADE, related_name="desk_cluster"
    )
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")

    def __str__(self):
        return f"#{self.comment_id} in {self.cluster_id}"


class ClusteringState(models.Model):
    """How far a version's clusters are computed: the guard that makes the task idempotent."""

    version = models.OneToOneField(
        "drafts.DraftVersion", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # A fingerprint of the comments clustered (count, newest id, sum of revisions):
    # a run that finds it unchanged has nothing to do.
    fingerprint = models.CharField(max_length=100, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)

    def __str__(self):
        return f"{self.version_id}: {self.computed_at}"
