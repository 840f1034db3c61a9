"""What the public pages own: the portal's own pages, each round's summary, the open-data files."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import HistoricalRecords
from core.i18n import LocalizedField


class Page(models.Model):
    """A page every government portal needs (about, privacy, ...), in both languages.

    Staff edit them without a deploy; every wording is kept in the history. The
    set of pages is fixed (``Slug``): the footer links to each, so none may vanish.
    """

    class Slug(models.TextChoices):
        ABOUT = "about", _("About the consultation")
        TAKE_PART = "take-part", _("How to take part")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        PRIVACY = "privacy", _("Privacy notice")
        TERMS = "terms", _("Terms of participation")
        CONTACT = "contact", _("Contact")

    slug = models.SlugField(_("page"), max_length=40, unique=True, choices=Slug.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_km = models.CharField(_("title (Khmer)"), max_length=200, blank=True)
    summary_en = models.CharField(
        _("summary (English)"),
        max_length=300,
        blank=True,
        help_text=_("One sentence, shown to search engines and when the page is shared."),
    )
    summary_km = models.CharField(_("summary (Khmer)"), max_length=300, blank=True)
    body_en = models.TextField(
        _("text (English)"), help_text=_("A small Markdown subset: paragraphs, lists, links.")
    )
    body_km = models.TextField(_("text (Khmer)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    revision = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("portal page")
        verbose_name_plural = _("portal pages")
        ordering = ["pk"]

    def __str__(self):
        return self.title

    title = LocalizedField()
    summary = LocalizedField()
    body = LocalizedField()


class RoundSummary(models.Model):
    """The ministry's own account of a consultation round, shown at the top of its report."""

    version = models.OneToOneField(
        "drafts.DraftVersion", on_delete=models.PROTECT, related_name="round_summary"
    )
    text_en = models.TextField(_("summary (English)"), blank=True)
    text_km = models.TextField(_("summary (Khmer)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    revision = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("round summary")
        verbose_name_plural = _("round summaries")

    def __str__(self):
        return str(self.version_id)

    text = LocalizedField()


class OpenDataRelease(models.Model):
    """The current open-data files of a draft, written by the ``open_data_build`` task.

    Files are stored under a folder named by the digest of their content, and
    this row is switched to the new folder only once every file is written: a
    reader never gets half of one release and half of another, and building the
    same content twice changes nothing.
    """

    draft = models.OneToOneField(
        "drafts.Draft", on_delete=models.PROTECT, related_name="open_data_release"
    )
    digest = models.CharField(max_length=64)
    # {file name: {"path": storage path, "etag": sha256, "size": bytes, "content_type": ...}}
    files = models.JSONField(default=dict)
    comment_count = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("open-data release")
        verbose_name_plural = _("open-data releases")

    def __str__(self):
        return f"{self.draft_id}@{self.digest[:12]}"
