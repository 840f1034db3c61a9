"""Review packets: consolidated bilingual PDFs of a version for the National Assembly."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.numerals import local_digits
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

    class Stage(models.TextChoices):
        """Where a build is, stored as a code: shown in each reader's language (``progress_label``)."""

        WAITING = "waiting", _("Waiting for a worker")
        RENDERING = "rendering", _("Rendering the parts")
        MERGING = "merging", _("Putting the parts together")
        RESTARTING = "restarting", _("Building again: the comments changed during the build")
        DONE = "done", _("Built")
        STOPPED = "stopped", _("Stopped: see the reason")

    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.WAITING
    )
    # The reason in English, as it is kept in the record (the admin, the logs); people
    # read it in their own language from ``error_message`` and ``error_params``
    # (``failure_reason``), so a worker's language never decides theirs.
    error = models.TextField(_("reason for failure"), blank=True)
    error_message = models.TextField(_("reason for failure, untranslated"), blank=True)
    error_params = models.JSONField(_("details of the reason"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="packets/", blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("build attempts"), default=0)
    merges = models.PositiveIntegerField(
        _("merges sent again"),
        default=0,
        help_text=_("Merges of this build sent again after they stopped making progress."),
    )
    rebuilds = models.PositiveIntegerField(
        _("rebuilds for changed comments"),
        default=0,
        help_text=_("Builds started again because a comment in the packet changed meanwhile."),
    )
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
    # The merge in progress: claimed under its own token, so that a merge
    # started again by the recovery and a late original one never both finish.
    merge_token = models.CharField(max_length=32, blank=True, editable=False)
    # When a build or merge message was last sent, so the recovery sends one per stall.
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Failed attempts over the packet's life (``attempts`` restarts on a retry):
    # each failure is its own event, told once.
    failures = models.PositiveIntegerField(default=0, editable=False)

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

    def failure_reason(self) -> str:
        """Why the build failed, in the reader's language ("" when it did not)."""
        if not self.error_message:
            return self.error  # kept before reasons were stored untranslated
        # Counts in the reader's digits; an error's own text (an exception) as it was.
        params = {
            name: local_digits(value) if isinstance(value, int) else value
            for name, value in self.error_params.items()
        }
        return gettext(self.error_message) % params

    @property
    def progress_label(self) -> str:
        """The build's progress in the reader's language and digits; it only moves forward.

        Parts render in parallel, in any order, so progress counts the parts
        done, never which part is being rendered ("chapter 1 of 10" after
        "9 of 10" looked like going back).
        """
        numbers = {
            "done": local_digits(self.parts_done),
            "total": local_digits(self.parts_total),
            "pages": local_digits(self.page_count or 0),
        }
        if self.stage == self.Stage.RENDERING and self.parts_total:
            return _("Rendering the parts: %(done)s of %(total)s done") % numbers
        if self.stage == self.Stage.MERGING:
            return (
                ngettext(
                    "Putting the %(total)s part together",
                    "Putting the %(total)s parts together",
                    self.parts_total,
                )
                % numbers
            )
        if self.stage == self.Stage.DONE and self.page_count:
            return ngettext("Built: %(pages)s page", "Built: %(pages)s pages", self.page_count) % (
                numbers
            )
        return self.get_stage_display()


class PacketPart(models.Model):
    """One part of one build attempt, with its heartbeat.

    A part task beats when it starts and when it has rendered; a part that has
    been silent for ``PORTAL["PACKET_PART_STALL_SECONDS"]`` (its worker was
    killed, or its message was lost with the broker) is sent again by the
    recovery task (``services.packets_recover``). What the merge needs is kept
    in ``result``, so parts do not depend on the broker's result store.
    """

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="parts")
    token = models.CharField(max_length=32)
    index = models.PositiveIntegerField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatches = models.PositiveIntegerField(default=1)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The task (Celery task id) rendering it. The same message delivered again
    # (its worker child was killed: reject_on_worker_lost) takes over at once,
    # without waiting for the heartbeat to go stale.
    claimed_by = models.CharField(max_length=155, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("packet part")
        verbose_name_plural = _("packet parts")
        ordering = ["packet", "token", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["packet", "token", "index"], name="one_part_per_index_per_build"
            )
        ]

    def __str__(self):
        return f"{self.packet_id}/{self.token[:8]}/{self.index}"


class Transmission(models.Model):
    """A review packet transmitted to the National Assembly: the version's submission.

    The packet is named by its content fingerprint, the sha256 printed on its
    cover, so anyone holding the paper can check it is the one on record. A
    version is transmitted once; recording it marks the version submitted.
    """

    version = models.OneToOneField(
        DraftVersion,
        on_delete=models.PROTECT,
        related_name="transmission",
        verbose_name=_("version"),
    )
    packet = models.ForeignKey(
        Packet, on_delete=models.PROTECT, related_name="transmissions", verbose_name=_("packet")
    )
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    transmitted_at = models.DateTimeField(_("transmitted"))
    reference = models.CharField(
        _("the Assembly's reference"),
        max_length=200,
        blank=True,
        help_text=_("The registry number or letter under which the Assembly received it."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("transmission to the National Assembly")
        verbose_name_plural = _("transmissions to the National Assembly")

    def __str__(self):
        return _("Version %(number)s transmitted on %(date)s") % {
            "number": self.version.number,
            "date": self.transmitted_at.date(),
        }
