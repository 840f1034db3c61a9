from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record

from core.choices import choice_label
from core.history import HistoricalRecords
from core.i18n import LocalizedField, localized
from core.numerals import local_digits
from stakeholders.policies import version_visibility_filter


class Draft(models.Model):
    """A draft law, consulted on in successive versions."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_km = models.CharField(_("title (Khmer)"), max_length=300, blank=True)
    short_title_en = models.CharField(_("short title (English)"), max_length=120)
    short_title_km = models.CharField(_("short title (Khmer)"), max_length=120, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_km = models.TextField(_("summary (Khmer)"), blank=True)
    lead_ministry = models.ForeignKey(
        "stakeholders.Organisation",
        on_delete=models.PROTECT,
        related_name="led_drafts",
        verbose_name=_("lead ministry"),
    )
    drafting_partners = models.ManyToManyField(
        "stakeholders.Organisation",
        blank=True,
        related_name="partner_drafts",
        verbose_name=_("invited drafting organisations"),
        help_text=_("Their drafters may edit and answer, as the lead ministry's can."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[drafting_partners])

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    title = LocalizedField()
    short_title = LocalizedField()
    summary = LocalizedField()


class DraftVersionQuerySet(models.QuerySet):
    def published(self):
        return self.exclude(status=DraftVersion.Status.WORKING)

    def readable_by(self, user):
        """The versions ``user`` may read (the ``version.view`` rule, as a query)."""
        return self.filter(version_visibility_filter(user))

    def in_consultation(self):
        return self.filter(status=DraftVersion.Status.IN_CONSULTATION)


class DraftVersion(models.Model):
    """One round of a draft. Once published its text is frozen."""

    class Status(models.TextChoices):
        WORKING = "working", _("Working draft")
        IN_CONSULTATION = "in_consultation", _("In consultation")
        CLOSED = "closed", _("Consultation closed")
        SUPERSEDED = "superseded", _("Superseded")
        SUBMITTED = "submitted", _("Submitted to the National Assembly")

    draft = models.ForeignKey(Draft, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WORKING, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("previous version"),
    )
    opens_at = models.DateTimeField(_("consultation opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("consultation closes"), null=True, blank=True)
    change_note_en = models.TextField(_("change note (English)"), blank=True)
    change_note_km = models.TextField(_("change note (Khmer)"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )

    history = HistoricalRecords()
    objects = DraftVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering = ["draft", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["draft"],
                condition=models.Q(status="working"),
                name="one_working_version_per_draft",
            ),
        ]

    def __str__(self):
        return _("%(draft)s, version %(number)s") % {
            "draft": self.draft.short_title,
            "number": self.number,
        }

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.WORKING

    change_note = LocalizedField()


class ProvisionChange(models.TextChoices):
    """What a save did to a provision, as recorded on its history row."""

    IMPORTED = "imported", _("Imported")
    ADDED = "added", _("Added")
    EDITED = "edited", _("Edited")
    MOVED = "moved", _("Moved")
    RENUMBERED = "renumbered", _("Renumbered")
    RESEQUENCED = "resequenced", _("Resequenced")
    REMOVED = "removed", _("Removed")
    CARRIED_FORWARD = "carried_forward", _("Carried into a new version")
    AMENDMENT_APPLIED = "amendment_applied", _("Amendment applied")


class ProvisionHistoryFields(models.Model):
    """Extra fields of a provision's history row: data the history page reads.

    ``caused_by_comment_id`` is a plain id, not a foreign key: drafts sit below
    comments and do not know the Comment model.
    """

    change_kind = models.CharField(
        _("kind of change"), max_length=20, choices=ProvisionChange.choices, blank=True
    )
    caused_by_comment_id = models.PositiveBigIntegerField(
        _("caused by comment"), null=True, blank=True
    )

    class Meta:
        abstract = True


class ProvisionQuerySet(models.QuerySet):
    def for_reading(self, version):
        """A version's provisions in document order, removed ones left out."""
        return self.filter(version=version, removed_at__isnull=True).order_by("position")

    def articles(self):
        return self.filter(kind=Provision.Kind.ARTICLE)


class Provision(models.Model):
    """A part, chapter, section or article as it stands in one version.

    ``stable_id`` is given once, in the Akoma Ntoso style (``chp_2__art_12``),
    from the numbers the provision had when it was created. It never changes
    afterwards, so a provision can be followed through renumbering and moves:
    each version holds its own copy, and copies share the stable_id.
    """

    class Kind(models.TextChoices):
        PART = "part", _("Part")
        CHAPTER = "chapter", _("Chapter")
        SECTION = "section", _("Section")
        ARTICLE = "article", _("Article")

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="provisions")
    stable_id = models.CharField(_("stable identifier"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(
        _("position"), help_text=_("Order in the whole document.")
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    heading_en = models.CharField(_("heading (English)"), max_length=300, blank=True)
    heading_km = models.CharField(_("heading (Khmer)"), max_length=300, blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_km = models.TextField(_("text (Khmer)"), blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Optimistic locking: a save must name the revision it started from.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(bases=[ProvisionHistoryFields])
    objects = ProvisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "stable_id"], name="unique_stable_id_per_version"
            )
        ]
        indexes = [models.Index(fields=["version", "position"])]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # The last line of defence; services check first and give a friendlier message.
        if self.version.is_frozen:
            raise ValidationError(_("This version has been published; its text cannot change."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            _("Provisions are never deleted; remove them from a working version.")
        )

    def mark_change(self, kind: str, *, caused_by_comment_id: int | None = None) -> None:
        """Say what the next save does; its history row records it (see ``_record_change``)."""
        self._change_kind = kind
        self._caused_by_comment_id = caused_by_comment_id

    def get_kind_display(self) -> str:
        # Once per language (core.choices): Provision.label is on every reading page.
        return choice_label(self.Kind, self.kind)

    @property
    def label(self) -> str:
        """ "Article 19", "មាត្រា ១៩": the kind and number in the active language's words and digits."""
        return self.label_of(self.kind, self.number)

    @classmethod
    def label_of(cls, kind: str, number: str) -> str:
        """A provision's label from its kind and number alone: lists of counts (the desk's
        facets) read hundreds of them and build no provision for it."""
        kind_label = choice_label(cls.Kind, kind)
        return f"{kind_label} {local_digits(number)}" if number else kind_label

    heading = LocalizedField()
    text = LocalizedField()

    @property
    def anchor(self) -> str:
        return self.stable_id

    def text_in(self, language: str) -> str:
        return localized(self, "text", language)


def _record_change(sender, instance, history_instance, **kwargs):
    """Copy what ``Provision.mark_change`` said onto the history row being written."""
    if isinstance(instance, Provision):
        kind = getattr(instance, "_change_kind", "")
        if kind:
            history_instance.change_kind = kind
            history_instance.caused_by_comment_id = getattr(instance, "_caused_by_comment_id", None)


pre_create_historical_record.connect(_record_change, dispatch_uid="drafts.provision_change")
