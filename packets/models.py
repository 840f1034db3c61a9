"""Review packets: consolidated bilingual PDFs of a version for the National Assembly."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from drafts.models import DraftVersion


class Packet(models.Model):
    """A consolidated PDF review packet of one version, built by a Celery task.

    Identified by a fingerprint of everything it was made from, so that asking
    again with nothing changed returns the same packet, and what was sent to
    the Assembly can always be shown again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        KHMER = "km", _("Khmer")
        BOTH = "both", _("English and Khmer side by side")

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="packets")
    compare_to = models.ForeignKey(
        DraftVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("redline against"),
    )
    language = models.CharField(_("language"), max_length=4, choices=Language.choices)
    include_restricted = models.BooleanField(_("includes restricted comments"), default=False)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    error = models.TextField(_("reason for failure"), blank=True)
    file = models.FileField(_("file"), upload_to="packets/", blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("build attempts"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_packets",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("build started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("built"), null=True, blank=True)
    # The build in progress: parts report under its token, so that parts of an
    # interrupted earlier attempt can never finish or overwrite the current one.
    build_token = models.CharField(max_length=32, blank=True, editable=False)
    parts_total = models.PositiveIntegerField(default=0, editable=False)
    parts_done = models.PositiveIntegerField(default=0, editable=False)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)

    class Meta:
        verbose_name = _("review packet")
        verbose_name_plural = _("review packets")
        ordering = ["-created_at"]
        # The table keeps the name it had when packets were part of drafts.
        db_table = "drafts_packet"

    def __str__(self):
        return _("Packet %(fingerprint)s of %(version)s") % {
            "fingerprint": self.fingerprint[:12],
            "version": self.version,
        }
