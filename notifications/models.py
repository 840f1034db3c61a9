from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The kinds of event a person can hear about; preferences are set per kind."""

    COMMENT_REPLY = "comment_reply", _("Someone replied to my comment")
    DISPOSITION = (
        "disposition",
        _("The ministry responded to my comment or to one my organisation endorsed"),
    )
    VERSION_PUBLISHED = "version_published", _("A new version of a draft I follow was published")
    OPENED = "opened", _("A consultation I follow opened for comments on its scheduled date")
    CLOSING_SOON = "closing_soon", _("A consultation I follow closes in three days")
    CLOSED = "closed", _("A consultation I follow has closed")
    PACKET_READY = "packet_ready", _("A review packet I requested is ready")
    PACKET_FAILED = "packet_failed", _("A review packet I requested could not be built")
    COMMENT_HIDDEN = "comment_hidden", _("A moderator hid my comment")
    COMMENT_RESTORED = "comment_restored", _("A moderator restored my hidden comment")
    ASSIGNED = "assigned", _("A comment was assigned to me on the drafting desk")
    COMMENT_REPORTED = "comment_reported", _("A comment I moderate was reported")


class Delivery(models.TextChoices):
    OFF = "off", _("Off")
    PORTAL = "portal", _("In the portal only")
    IMMEDIATE = "immediate", _("In the portal and by email at once")
    DIGEST = "digest", _("In the portal and in a daily digest email")


# What a person gets before choosing: every kind by email at once.
DEFAULT_DELIVERY = dict.fromkeys(Kind.values, Delivery.IMMEDIATE)


class NotificationQuerySet(models.QuerySet):
    def for_list(self, user):
        """A person's notifications, newest first, with everything a row shows."""
        return (
            self.filter(recipient=user)
            .select_related(
                "draft",
                "version",
                "version__draft",
                "comment",
                "comment__provision",
                "packet",
                "actor",
            )
            .order_by("-created_at", "-pk")
        )

    def unread(self):
        return self.filter(read_at__isnull=True)

    def digest_pending(self):
        return self.filter(delivery=Delivery.DIGEST, emailed_at__isnull=True)


class Notification(models.Model):
    """One person told about one event.

    ``dedupe_key`` names the event (``comment_reply:42``); it is unique per
    recipient, so a task that runs twice finds the row it made the first time
    and neither a second notification nor a second email follows.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    dedupe_key = models.CharField(_("event key"), max_length=200)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PORTAL
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    draft = models.ForeignKey(
        "drafts.Draft", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        "drafts.DraftVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    packet = models.ForeignKey(
        "packets.Packet", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    detail = models.TextField(
        _("detail"), blank=True, help_text=_("For example the moderator's reason, as it was.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)
    # Who is sending the email now (a task id) and since when: claimed in a
    # transaction of its own before sending, so a retry knows an email may be
    # on its way (see ``emails.send_notification_email``).
    email_claim = models.CharField(max_length=64, blank=True, editable=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="one_notification_per_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How a person wants to hear about one kind of event. No row means the default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}: {self.delivery}"


class Follow(models.Model):
    """A person following a draft: new versions, closing dates and closing reach them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    draft = models.ForeignKey("drafts.Draft", on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(_("followed since"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "draft"], name="follow_a_draft_once")
        ]

    def __str__(self):
        return f"{self.user} follows {self.draft_id}"
