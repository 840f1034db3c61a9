import hashlib
import hmac
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import choice_label
from core.history import HistoricalRecords


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTICIPANTS = "participants", _("Signed-in participants")
    RESTRICTED = (
        "restricted",
        _(
            "Restricted: your organisation (and the thread's), the drafters, moderators and officials"
        ),
    )


# How an individual (a person with no organisation) is named where an
# organisation's kind would stand: pages, API, matrix, packets, statistics.
INDIVIDUAL_KIND = "individual"
INDIVIDUAL_LABEL = _("Individual")
# What a general comment is on, where a provision's label would stand.
WHOLE_DRAFT_LABEL = _("The whole draft")


class RoundParticipation(models.Model):
    """Who may take part in one consultation round (a published version).

    Without a row, individuals may take part; the lead ministry's drafters may
    open a round to organisations only. Existing comments are never affected.
    """

    version = models.OneToOneField(
        "drafts.DraftVersion", on_delete=models.PROTECT, related_name="participation"
    )
    individuals_may_take_part = models.BooleanField(
        _("individuals may take part"),
        default=True,
        help_text=_(
            "People who comment for themselves, not for an organisation, may comment and reply."
        ),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("round participation")
        verbose_name_plural = _("round participation")

    def __str__(self):
        return f"version {self.version_id}: individuals {self.individuals_may_take_part}"


class Comment(models.Model):
    """A comment, question or proposed amendment on one version of a draft.

    A thread is on one provision (an article, or a chapter or part by its
    heading), or on the whole draft: a general comment, with no provision. A
    proposal for a new article is on the provision it should follow, with its
    proposed text in ``proposed_text`` (English) and ``proposed_text_km``.

    Threads nest to any depth through ``parent``; ``thread_path`` (the zero-padded
    ids from the root down) sorts a whole thread in document order in one query.
    The author's organisation is copied at posting time, so the record keeps
    saying who spoke for whom whatever happens to the author's memberships.
    Nothing is deleted: withdrawn and hidden are states, with who, when and why.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        QUESTION = "question", _("Question")
        AMENDMENT = "amendment", _("Proposed amendment")
        NEW_ARTICLE = "new_article", _("Proposed new article")

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")
        HIDDEN = "hidden", _("Hidden by a moderator")

    version = models.ForeignKey(
        "drafts.DraftVersion", on_delete=models.PROTECT, related_name="comments"
    )
    # Empty for a general comment: one on the whole draft, not on a provision.
    provision = models.ForeignKey(
        "drafts.Provision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("provision"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The thread's first comment; empty for the first comment itself."),
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    thread_path = models.CharField(max_length=512, blank=True, db_index=True, editable=False)

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMMENT)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    body = models.TextField(_("comment"), help_text=_("A small Markdown subset."))
    body_html = models.TextField(editable=False, blank=True)
    proposed_text = models.TextField(_("proposed text"), blank=True)
    # A new article's Khmer text; ``proposed_text`` then holds its English text.
    proposed_text_km = models.TextField(_("proposed text (Khmer)"), blank=True)

    # W3C Web Annotation TextQuoteSelector: the exact words, with a little
    # context either side, so the passage can be found again in later versions.
    quote_exact = models.TextField(_("quoted passage"), blank=True)
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    quote_language = models.CharField(max_length=2, blank=True)
    # The article text the comment was made on, for three-way merges later.
    provision_text_at_posting = models.TextField(blank=True, editable=False)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    # Empty for a person speaking as an individual (no organisation).
    organisation = models.ForeignKey(
        "stakeholders.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("on behalf of"),
    )
    # The organisation that opened the thread: a restricted reply is also shown
    # to it, so a ministry can answer an embassy's restricted note privately.
    # Empty when an individual opened it; then ``thread_author`` does that job.
    thread_organisation = models.ForeignKey(
        "stakeholders.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The person who opened the thread: they see every reply in it (an
    # individual's restricted question and the ministry's restricted answer).
    thread_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("posted"), db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    # The receipt's number: the year, the id and a short check code, so a number
    # mistyped by one character finds nothing rather than someone else's comment.
    tracking_number = models.CharField(
        _("tracking number"), max_length=24, unique=True, null=True, blank=True, editable=False
    )

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.ACTIVE, db_index=True
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)

    history = HistoricalRecords(excluded_fields=["body_html"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["thread_path"]
        indexes = [
            models.Index(fields=["provision", "thread_path"]),
            models.Index(fields=["version", "created_at"]),
            # The posting limits' database window when the cache is away.
            models.Index(fields=["author", "created_at"], name="comments_author_posted"),
            models.Index(fields=["organisation", "created_at"], name="comments_org_posted"),
            # The review desk's pages: a version's threads in document order, chosen from
            # this index alone (the provision's position is joined), not from every
            # first comment of every version.
            models.Index(
                fields=["version", "provision", "created_at", "id"],
                condition=models.Q(parent__isnull=True),
                name="comments_version_threads",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} · {self.speaker_name}"

    # Labels from a dict built once per language (core.choices), not per call.
    def get_kind_display(self) -> str:
        return choice_label(self.Kind, self.kind)

    def get_visibility_display(self) -> str:
        return choice_label(Visibility, self.visibility)

    @property
    def is_general(self) -> bool:
        """On the whole draft rather than on one provision."""
        return self.provision_id is None

    @property
    def is_new_article(self) -> bool:
        return self.kind == self.Kind.NEW_ARTICLE

    @property
    def target_label(self) -> str:
        """What the thread is on, as people read it: "Article 12", "The whole draft",
        or "New article after Article 12"."""
        if self.provision_id is None:
            return str(WHOLE_DRAFT_LABEL)
        if self.kind == self.Kind.NEW_ARTICLE:
            return _("New article after %(provision)s") % {"provision": self.provision.label}
        return self.provision.label

    @property
    def is_individual(self) -> bool:
        """Written by a person for themselves, not on behalf of an organisation."""
        return self.organisation_id is None

    @property
    def speaker_name(self) -> str:
        """Who speaks: the organisation's name, or the individual's own name."""
        if self.organisation_id is None:
            return str(self.author)
        return self.organisation.name

    @property
    def speaker_kind(self) -> str:
        """The kind of organisation, or "Individual"."""
        if self.organisation_id is None:
            return str(INDIVIDUAL_LABEL)
        return self.organisation.get_kind_display()

    @property
    def is_withdrawn(self) -> bool:
        return self.state == self.State.WITHDRAWN

    @property
    def is_hidden(self) -> bool:
        return self.state == self.State.HIDDEN

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None


class Disposition(models.Model):
    """What the ministry decided about a top-level comment, and why."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")
        NOTED = "noted", _("Noted")

    comment = models.OneToOneField(Comment, on_delete=models.PROTECT, related_name="disposition")
    status = models.CharField(
        _("disposition"),
        max_length=16,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    response = models.TextField(_("response"), blank=True)
    response_html = models.TextField(editable=False, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    applied_in_version = models.ForeignKey(
        "drafts.DraftVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("change landed in"),
    )
    # An applied amendment whose words a later change of the same article took
    # out again: the record says so, instead of claiming the words are applied.
    superseded_by = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("superseded by"),
    )
    # A drafter's own edit that answers this comment (not an applied amendment):
    # the version it was made in and the provision history row of that very save
    # (``history_id`` of drafts' HistoricalProvision, a plain id as drafts' own
    # ``caused_by_comment_id`` is), so the record can show the exact change.
    addressed_in_version = models.ForeignKey(
        "drafts.DraftVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("addressed in version"),
    )
    addressed_change = models.PositiveBigIntegerField(
        _("change that addresses it"), null=True, blank=True
    )
    superseded_reason = models.TextField(_("why it was superseded"), blank=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["response_html"])

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self):
        return f"{self.get_status_display()} · #{self.comment_id}"

    def get_status_display(self) -> str:
        return choice_label(self.Status, self.status)

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None


class Endorsement(models.Model):
    """An organisation co-signing another organisation's comment."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="endorsements")
    organisation = models.ForeignKey(
        "stakeholders.Organisation", on_delete=models.PROTECT, related_name="endorsements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "organisation"], name="one_endorsement_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} endorses #{self.comment_id}"


class PassageCheck(models.Model):
    """Where a comment's passage stands in a later version, in which language it changed.

    A quoted passage is looked for again in its language (``comments.anchoring``);
    what was found, and where in that language's text of the later version, is
    kept so the later version's pages can mark it. Without a quote the passage
    is the whole article, in both languages. A computed mark that nobody edits,
    so it keeps no history and is written in bulk.
    """

    class Result(models.TextChoices):
        UNCHANGED = "unchanged", _("Passage unchanged")
        MOVED = "moved", _("Passage moved")
        CHANGED = "changed", _("Passage changed")
        REMOVED = "removed", _("Provision removed")

    LANGUAGE_NAMES = {"en": _("English"), "km": _("Khmer")}

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="passage_checks")
    version = models.ForeignKey("drafts.DraftVersion", on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=10, choices=Result.choices)
    changed_languages = models.CharField(
        _("changed in"),
        max_length=5,
        blank=True,
        help_text=_("The languages whose text changed: en, km or en,km; empty when unchanged."),
    )
    found_text = models.TextField(_("passage found"), blank=True)
    found_start = models.PositiveIntegerField(null=True, blank=True)
    found_end = models.PositiveIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("passage check")
        verbose_name_plural = _("passage checks")
        constraints = [
            models.UniqueConstraint(fields=["comment", "version"], name="one_check_per_version")
        ]

    def __str__(self):
        return f"#{self.comment_id} in version {self.version_id}: {self.get_result_display()}"

    def get_result_display(self) -> str:
        return choice_label(self.Result, self.result)

    @property
    def changed_language_codes(self) -> list[str]:
        return [code for code in self.changed_languages.split(",") if code]

    @property
    def changed_language_names(self) -> str:
        """The changed languages by name: English, Khmer, or English and Khmer."""
        names = [str(self.LANGUAGE_NAMES[c]) for c in self.changed_language_codes]
        if len(names) == 2:
            return _("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
        return names[0] if names else ""


class Report(models.Model):
    """Somebody asked moderators to look at a comment."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"Report on #{self.comment_id} by {self.reporter_id}"


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    # A random name: the person's file name is kept in the row, never used as a path.
    return f"attachments/{attachment.created_at:%Y/%m}/{uuid.uuid4().hex}.{attachment.extension}"


class Attachment(models.Model):
    """A file attached to a comment (a position paper, a scan), checked by its content.

    Seen by whoever may see the comment, and only ever downloaded, never shown
    inline. Stored once and never edited, so it keeps no history; removing it
    from the record would need the comment's own history (withdrawn, hidden).
    """

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(_("type"), max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    extracted_text = models.TextField(_("text"), blank=True)
    # A PDF with JavaScript or launch actions: accepted, marked, still only downloaded.
    active_content = models.BooleanField(_("contains scripts"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("attached"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["comment", "pk"]

    def __str__(self):
        return f"{self.original_name} on #{self.comment_id}"


def tracking_number_for(pk: int, year: int) -> str:
    """``2026-000123-7F3A``: the comment's receipt number (its check code from SECRET_KEY)."""
    code = hmac.new(
        settings.SECRET_KEY.encode(), f"comment-receipt:{pk}".encode(), hashlib.sha256
    ).hexdigest()[:4]
    return f"{year}-{pk:06d}-{code.upper()}"


class Receipt(models.Model):
    """The email copy of one submission, sent to its author once.

    ``claim``/``claimed_at`` hold other senders off while one sends; ``sent_at`` is
    set after the mail server took it. A record of a machine's work, not edited by
    anyone, so it keeps no history.
    """

    comment = models.OneToOneField(Comment, on_delete=models.PROTECT, related_name="receipt")
    claim = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("receipt sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self):
        return f"receipt of #{self.comment_id}"


class CommentDraft(models.Model):
    """A comment its author is still writing: private, not part of the record.

    Only its author ever sees it (``selectors.own_drafts``); submitting it posts
    the comment through ``comment_create`` like any other and removes the draft.
    Because it is nobody's statement yet, it keeps no history: the record
    starts when the comment is posted.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_drafts"
    )
    version = models.ForeignKey("drafts.DraftVersion", on_delete=models.CASCADE, related_name="+")
    # Empty for a general comment, as on ``Comment``.
    provision = models.ForeignKey(
        "drafts.Provision", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=Comment.Kind.choices, default=Comment.Kind.COMMENT
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    body = models.TextField(_("comment"), blank=True)
    proposed_text = models.TextField(_("proposed text"), blank=True)
    proposed_text_km = models.TextField(_("proposed text (Khmer)"), blank=True)
    quote_exact = models.TextField(_("quoted passage"), blank=True)
    quote_language = models.CharField(max_length=2, blank=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("draft of a comment")
        verbose_name_plural = _("drafts of comments")
        ordering = ["-updated_at"]

    def __str__(self):
        return f"draft {self.pk} by {self.author_id}"
