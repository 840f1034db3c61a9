from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords


class ImportUpload(models.Model):
    """A document a drafter uploaded, as parsed, waiting for the drafter to confirm it.

    The parsed tree is kept (not the file), so confirming applies exactly what the
    preview showed and needs no second upload. Applied and discarded uploads stay,
    with the version they made: who imported what, and when, is part of the record.
    """

    class Format(models.TextChoices):
        AKOMA_NTOSO = "akn", _("Akoma Ntoso")
        WORD = "docx", _("Word")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        APPLIED = "applied", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    draft = models.ForeignKey(
        "drafts.Draft",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("draft"),
        help_text=_("The draft it becomes a new version of; empty for a new draft."),
    )
    lead_ministry = models.ForeignKey(
        "stakeholders.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead ministry"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    source_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filename = models.CharField(_("file name"), max_length=255)
    parsed = models.JSONField(_("parsed document"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    version = models.ForeignKey(
        "drafts.DraftVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("version made"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document import")
        verbose_name_plural = _("document imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename
