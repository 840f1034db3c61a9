from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.choices import choice_label
from core.history import HistoricalRecords


class User(AbstractUser):
    """A person. What they may do comes from their memberships, not from the user row."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    active_organisation = models.ForeignKey(
        "stakeholders.Organisation",
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A person acts for one organisation at a time; comments record it."),
    )
    # Set when the person asked for their account to be deleted: the account is
    # closed and its personal details erased, but what they wrote stays in the
    # public record, attributed to "a former participant".
    closed_at = models.DateTimeField(_("account closed"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        if self.closed_at is not None:
            return str(_("a former participant"))
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        NATIONAL_ASSEMBLY = "national_assembly", _("National Assembly")
        EMBASSY = "embassy", _("Embassy")
        NGO = "ngo", _("NGO / civil society")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        INTERNATIONAL_ORG = "international_org", _("International organisation")
        ACADEMIC = "academic", _("Academic")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_km = models.CharField(_("name (Khmer)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    country = models.CharField(
        _("country"), max_length=2, default="KH", help_text=_("ISO 3166-1 alpha-2 code.")
    )
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("The ministry has confirmed who this is.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]

    def __str__(self):
        return self.name

    def get_kind_display(self) -> str:
        # Once per language (core.choices): shown beside every comment of a thread.
        return choice_label(self.Kind, self.kind)

    @property
    def name(self) -> str:
        return self.name_of(self.name_en, self.name_km)

    @staticmethod
    def name_of(name_en: str, name_km: str) -> str:
        """The name in the active language (English when it has no Khmer one), from the two
        names alone: lists of counts read hundreds of them and build no organisation for it."""
        if name_km and get_language() == "km":
            return name_km
        return name_en


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """A person's role in an organisation, granted by its administrator or by staff."""

    class Role(models.TextChoices):
        STAKEHOLDER = "stakeholder", _("Stakeholder")
        DRAFTER = "drafter", _("Drafter")
        MODERATOR = "moderator", _("Moderator")
        OFFICIAL = "official", _("Official")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    is_org_admin = models.BooleanField(
        _("organisation administrator"),
        default=False,
        help_text=_("May grant and end memberships of this organisation."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The member's own choice: off until they turn it on (a name is personal data).
    listed_publicly = models.BooleanField(
        _("listed on the organisation's page"),
        default=False,
        help_text=_("Show my name among the organisation's members on its public page."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class JoinRequest(models.Model):
    """A person asks to speak for an organisation; its administrator (or staff) decides.

    Approving grants the stakeholder role through ``membership_grant``; nobody
    becomes a member by asking alone.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the administrator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="join_requests"
    )
    message = models.TextField(_("message to the administrator"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.status})"


class AccountEmail(models.Model):
    """An account email (address confirmation, password reset) waiting to go, or gone.

    allauth renders it in the request (``adapters.AccountAdapter.send_mail``); it is
    stored here and announced through the outbox in the same transaction, and a
    task sends it once (``account_emails``). The message holds a confirmation key
    or reset link, so its text is erased once the mail server has taken it; the
    row then says only to whom, what kind, and when. A machine's record, not
    edited by anyone, so it keeps no history.
    """

    kind = models.CharField(_("kind"), max_length=60)
    to = models.CharField(_("to"), max_length=254)
    from_email = models.CharField(max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    claim = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("account email")
        verbose_name_plural = _("account emails")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} to {self.to}"
