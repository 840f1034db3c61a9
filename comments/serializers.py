"""How comments, endorsements and dispositions appear in the API, and what it accepts.

Read serializers decide nothing: every field that depends on who is asking
(a hidden comment's words, what the reader may do) comes from
``stakeholders.policies``. Write serializers only check shapes; the services
apply the business rules.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drafts.models import DraftVersion
from drafts.serializers import ProvisionChangeSerializer
from stakeholders.models import Organisation
from stakeholders.policies import can, why_not
from stakeholders.serializers import OrganisationBriefSerializer, PersonField, PersonSerializer

from .models import INDIVIDUAL_KIND, Comment, Disposition, Visibility

MAX_LENGTH = settings.PORTAL["COMMENT_MAX_LENGTH"]
ACTIONS = {
    "reply": "comment.reply",
    "edit": "comment.edit",
    "withdraw": "comment.withdraw",
    "endorse": "comment.endorse",
    "report": "comment.report",
    "answer": "comment.answer",
}


class DispositionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    responded_by = serializers.SerializerMethodField()
    applied_in_version = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    addressed_in_version = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Disposition
        fields = [
            "status",
            "status_label",
            "response",
            "response_html",
            "responded_by",
            "responded_at",
            "applied_in_version",
            "addressed_in_version",
            "addressed_change",
            "revision",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_responded_by(self, disposition) -> dict | None:
        person = disposition.responded_by
        return {"name": str(person)} if person is not None else None


class ProvisionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stable_id = serializers.CharField()
    label = serializers.CharField()


class QuoteSerializer(serializers.Serializer):
    exact = serializers.CharField(help_text="The quoted words.")
    prefix = serializers.CharField(help_text="Up to 32 characters before them in the article.")
    suffix = serializers.CharField(help_text="Up to 32 characters after them.")
    language = serializers.CharField()


class PermissionsSerializer(serializers.Serializer):
    """What you may do with this comment now, as decided by the permission module."""

    reply = serializers.BooleanField()
    edit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    endorse = serializers.BooleanField()
    report = serializers.BooleanField()
    answer = serializers.BooleanField(help_text="Record the ministry's disposition (drafters).")


class AttachmentSerializer(serializers.Serializer):
    """A file attached to a comment; the file itself is at ``download_url``."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField(help_text="Read from the file's content.")
    size = serializers.IntegerField(help_text="Bytes.")
    contains_scripts = serializers.BooleanField(
        source="active_content", help_text="A PDF with JavaScript: only ever downloaded."
    )
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment) -> str:
        url = reverse("api:attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the requesting user may see it.

    The view loads rows with the annotations ``endorsement_count``,
    ``endorsed_by_my_organisation`` and ``reply_count`` (visible replies only)
    and gives every row the shared version and draft instances.
    """

    url = serializers.HyperlinkedIdentityField(view_name="api:comment-detail")
    provision = serializers.SerializerMethodField()
    author = PersonField(read_only=True)
    organisation = OrganisationBriefSerializer(
        read_only=True, allow_null=True, help_text="None when the author speaks as an individual."
    )
    individual = serializers.BooleanField(
        source="is_individual",
        read_only=True,
        help_text="True when the author speaks for themselves, not for an organisation.",
    )
    body = serializers.SerializerMethodField(
        help_text="Markdown as written; for a hidden comment, the reason it is not shown, "
        "unless you are its author or review it."
    )
    body_html = serializers.SerializerMethodField(help_text="The body as safe HTML.")
    proposed_text = serializers.SerializerMethodField(
        help_text="A proposed amendment's text; a proposed new article's English text."
    )
    proposed_text_km = serializers.SerializerMethodField(
        help_text="A proposed new article's Khmer text; empty for other kinds."
    )
    general = serializers.BooleanField(
        source="is_general",
        read_only=True,
        help_text="True for a comment on the whole draft (then `provision` is null).",
    )
    quote = serializers.SerializerMethodField()
    text_hidden = serializers.SerializerMethodField(
        help_text="True when a moderator hid the comment and its words are withheld from you."
    )
    hidden_reason = serializers.SerializerMethodField()
    endorsement_count = serializers.IntegerField(read_only=True)
    endorsed_by_my_organisation = serializers.BooleanField(read_only=True)
    reply_count = serializers.IntegerField(
        read_only=True, help_text="Direct replies that you may see."
    )
    disposition = serializers.SerializerMethodField(
        help_text="The ministry's decision; only on the first comment of a thread."
    )
    attachments = serializers.SerializerMethodField(
        help_text="Attached files; withheld with the words of a hidden comment."
    )
    permissions = serializers.SerializerMethodField()
    tracking_number = serializers.SerializerMethodField(
        help_text="The receipt's number (first comments and replies posted since receipts "
        "began): given to the comment's author and the draft's drafters, null for others."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "url",
            "version",
            "provision",
            "parent",
            "root",
            "depth",
            "kind",
            "visibility",
            "state",
            "body",
            "body_html",
            "proposed_text",
            "proposed_text_km",
            "general",
            "quote",
            "text_hidden",
            "hidden_reason",
            "author",
            "organisation",
            "individual",
            "created_at",
            "edited_at",
            "revision",
            "withdrawn_at",
            "endorsement_count",
            "endorsed_by_my_organisation",
            "reply_count",
            "disposition",
            "attachments",
            "permissions",
            "tracking_number",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, comment) -> list:
        if self._withheld(comment):
            return []
        files = getattr(comment, "attachment_list", None)
        if files is None:  # a row the list did not prefetch (a single comment just written)
            files = list(comment.attachments.order_by("pk"))
        return AttachmentSerializer(files, many=True, context=self.context).data

    def _withheld(self, comment) -> bool:
        cache = self.context.setdefault("_withheld", {})
        if comment.pk not in cache:
            cache[comment.pk] = comment.state == Comment.State.HIDDEN and not can(
                self._user(), "comment.view_hidden", comment
            )
        return cache[comment.pk]

    @extend_schema_field(ProvisionRefSerializer(allow_null=True))
    def get_provision(self, comment) -> dict | None:
        p = comment.provision
        if p is None:  # a general comment, on the whole draft
            return None
        return {"id": p.pk, "stable_id": p.stable_id, "label": str(p.label)}

    def get_body(self, comment) -> str:
        if self._withheld(comment):
            return why_not(self._user(), "comment.view_hidden", comment) or ""
        return comment.body

    def get_body_html(self, comment) -> str:
        if self._withheld(comment):
            return f"<p>{escape(self.get_body(comment))}</p>"
        return comment.body_html

    def get_proposed_text(self, comment) -> str:
        return "" if self._withheld(comment) else comment.proposed_text

    def get_tracking_number(self, comment) -> str | None:
        """The author's own number; for anyone else the rule depends only on the draft,
        so it is decided once per draft, not per row."""
        user = self._user()
        if user is not None and user.is_authenticated and comment.author_id == user.pk:
            return comment.tracking_number
        decided = self.context.setdefault("_finds_by_receipt", {})
        draft_id = comment.version.draft_id
        if draft_id not in decided:
            decided[draft_id] = can(user, "comment.find_by_receipt", comment)
        return comment.tracking_number if decided[draft_id] else None

    def get_proposed_text_km(self, comment) -> str:
        return "" if self._withheld(comment) else comment.proposed_text_km

    @extend_schema_field(QuoteSerializer(allow_null=True))
    def get_quote(self, comment) -> dict | None:
        if not comment.quote_exact or self._withheld(comment):
            return None
        return {
            "exact": comment.quote_exact,
            "prefix": comment.quote_prefix,
            "suffix": comment.quote_suffix,
            "language": comment.quote_language,
        }

    def get_text_hidden(self, comment) -> bool:
        return self._withheld(comment)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hidden_reason(self, comment) -> str | None:
        if comment.state != Comment.State.HIDDEN or self._withheld(comment):
            return None
        return comment.hidden_reason

    @extend_schema_field(DispositionSerializer(allow_null=True))
    def get_disposition(self, comment):
        if comment.parent_id is not None:
            return None
        disposition = getattr(comment, "disposition", None)
        return DispositionSerializer(disposition).data if disposition else None

    @extend_schema_field(PermissionsSerializer)
    def get_permissions(self, comment) -> dict:
        user = self._user()
        return {name: can(user, action, comment) for name, action in ACTIONS.items()}


class CommentThreadSerializer(CommentSerializer):
    """A comment with its visible replies nested to any depth."""

    replies = serializers.SerializerMethodField()

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "replies"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CommentThread"}})
    def get_replies(self, comment) -> list:
        return CommentThreadSerializer(
            getattr(comment, "visible_replies", []), many=True, context=self.context
        ).data


class RevisionSerializer(serializers.Serializer):
    """One wording of a comment and the time it was saved (newest first in a list)."""

    number = serializers.IntegerField()
    since = serializers.DateTimeField()
    body = serializers.CharField()
    proposed_text = serializers.CharField()
    by_author = serializers.BooleanField()


# --- input --------------------------------------------------------------------------


def _text(help_text: str, *, required=True, limit=MAX_LENGTH, **kwargs):
    return serializers.CharField(
        required=required,
        allow_blank=not required,
        max_length=limit,
        trim_whitespace=False,
        help_text=help_text,
        **kwargs,
    )


class _NoOrganisation(serializers.Serializer):
    """The organisation a comment speaks for is never taken from the request.

    It is the one the user acts for (chosen in their account); a payload that
    names another is refused rather than silently relabelled.
    """

    def validate(self, attrs):
        raw = self.initial_data if isinstance(self.initial_data, dict) else {}
        named = [raw[key] for key in ("organisation", "organisation_id") if key in raw]
        if named:
            acting = self.context.get("acting_organisation")
            allowed = {str(acting.pk), acting.slug} if acting is not None else set()
            if any(str(value) not in allowed for value in named):
                raise serializers.ValidationError(
                    {
                        "organisation": [
                            _(
                                "A comment speaks for the organisation you act for; "
                                "change it in your account, not in the request."
                            )
                        ]
                    }
                )
        return attrs


class CommentCreateSerializer(_NoOrganisation):
    version = serializers.IntegerField(min_value=1, help_text="The version's id.")
    provision = serializers.CharField(
        max_length=120,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The stable id of the provision, e.g. `chp_1__art_2` (an article) or `chp_1` "
        "(a chapter). Left out or null: a general comment, on the whole draft (a comment or "
        "a question). For `kind` `new_article`: the provision the new article should follow.",
    )
    body = _text("The comment, in a small Markdown subset.")
    kind = serializers.ChoiceField(choices=Comment.Kind.choices, default=Comment.Kind.COMMENT)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)
    quote_exact = _text(
        "Exact words of the provision the comment is about (optional).", required=False
    )
    quote_language = serializers.ChoiceField(choices=[("en", "en"), ("km", "km")], default="en")
    proposed_text = _text(
        "For a proposed amendment: the text proposed instead. For a proposed new article: "
        "its English text.",
        required=False,
        limit=MAX_LENGTH * 3,
    )
    proposed_text_km = _text(
        "For a proposed new article: its Khmer text (English, Khmer or both are needed).",
        required=False,
        limit=MAX_LENGTH * 3,
    )


class CommentReplySerializer(_NoOrganisation):
    body = _text("The reply, in a small Markdown subset.")
    visibility = serializers.ChoiceField(
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        help_text="Raised to the visibility of the comment answered if lower.",
    )


class CommentEditSerializer(serializers.Serializer):
    body = _text("The corrected comment.")
    revision = serializers.IntegerField(
        min_value=1, help_text="The revision you are editing; a newer one gives 409."
    )
    proposed_text = _text(
        "For an amendment: the corrected proposed text.", required=False, limit=MAX_LENGTH * 3
    )


class CommentWithdrawSerializer(serializers.Serializer):
    reason = _text("Why you withdraw it (optional, shown with it).", required=False, limit=2000)


class DispositionWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Disposition.Status.choices)
    response = _text(
        "The ministry's response; required for any decision but pending.", required=False
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The disposition revision you answered; a newer one gives 409.",
    )
    applied_in_version = serializers.PrimaryKeyRelatedField(
        queryset=DraftVersion.objects.all(),
        required=False,
        allow_null=True,
        help_text="The version the accepted change landed in.",
    )


# --- the response matrix ------------------------------------------------------------


class MatrixQuerySerializer(serializers.Serializer):
    """Filters of the response matrix (all optional)."""

    article = serializers.CharField(
        required=False, max_length=120, help_text="A provision's stable id."
    )
    speaker = serializers.ChoiceField(
        choices=["individual", "organisation"],
        required=False,
        help_text="`individual` (people commenting for themselves) or `organisation`.",
    )
    organisation_kind = serializers.ChoiceField(
        choices=[*Organisation.Kind.choices, (INDIVIDUAL_KIND, "Individual")], required=False
    )
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="An organisation's id."
    )
    kind = serializers.ChoiceField(choices=Comment.Kind.choices, required=False)
    disposition = serializers.ChoiceField(choices=Disposition.Status.choices, required=False)


class MatrixRowSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The row's number in the whole matrix.")
    comment_id = serializers.IntegerField()
    organisation_id = serializers.IntegerField(help_text="0 for an individual.")
    organisation_name = serializers.CharField(
        help_text="The organisation's name, or the individual's own name."
    )
    is_individual = serializers.BooleanField(
        help_text="Written by a person for themselves, not for an organisation."
    )
    organisation_verified = serializers.BooleanField(
        help_text="The portal's staff have confirmed who the organisation is."
    )
    organisation_kind = serializers.CharField(
        source="organisation_kind_code", help_text="`individual` for an individual."
    )
    organisation_kind_label = serializers.CharField(source="organisation_kind")
    article_stable_id = serializers.CharField()
    article_label = serializers.CharField()
    kind = serializers.CharField(source="kind_code")
    kind_label = serializers.CharField(source="kind")
    state = serializers.CharField()
    text = serializers.CharField(help_text="The comment, or the proposed text of an amendment.")
    quote = serializers.CharField()
    disposition = serializers.CharField(source="disposition_code")
    disposition_label = serializers.CharField(source="disposition")
    response = serializers.CharField()
    responded_by = serializers.CharField()
    landed_in = serializers.SerializerMethodField(
        help_text="The number of the version the change landed in, if any (none when superseded)."
    )
    superseded = serializers.CharField(
        help_text="When the applied words were taken out again: by which amendment, and why."
    )

    def get_landed_in(self, row) -> int | None:
        return row.landed_in if row.landed_in != "" else None


# --- what changed because of comments ----------------------------------------------------


class BehindDispositionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Disposition.Status.choices)
    status_label = serializers.CharField()
    response = serializers.CharField()
    response_html = serializers.CharField(help_text="The response as sanitised HTML.")
    superseded = serializers.CharField(
        help_text="For an applied amendment whose words were taken out again: what the record "
        "says of it; else empty."
    )


class CommentBehindSerializer(serializers.Serializer):
    """A comment behind a change, and what the ministry decided about it."""

    comment_id = serializers.IntegerField(source="comment.pk")
    how = serializers.ChoiceField(
        choices=["applied", "addressed"],
        help_text="`applied`: its amendment was applied; `addressed`: a drafter's edit answers it.",
    )
    version_number = serializers.IntegerField(help_text="The version the change was made in.")
    change_id = serializers.IntegerField(
        allow_null=True,
        help_text="For `addressed`: the id of the provision history row of the edit.",
    )
    organisation = OrganisationBriefSerializer(source="comment.organisation", allow_null=True)
    organisation_kind_label = serializers.CharField(source="organisation_kind")
    kind = serializers.CharField(source="comment.kind")
    body_html = serializers.CharField(source="comment.body_html")
    disposition = serializers.SerializerMethodField()

    @extend_schema_field(BehindDispositionSerializer)
    def get_disposition(self, behind) -> dict:
        return {
            "status": behind.status,
            "status_label": behind.status_label,
            "response": behind.disposition.response,
            "response_html": str(behind.response_html),
            "superseded": behind.superseded,
        }


class ChangeFromCommentsSerializer(serializers.Serializer):
    stable_id = serializers.CharField()
    label = serializers.CharField(source="change.provision.label")
    change = ProvisionChangeSerializer()
    comments = CommentBehindSerializer(many=True)


class ChangesFromCommentsSerializer(serializers.Serializer):
    """A version's provisions changed because of comments you may see, in document order."""

    version = serializers.IntegerField(source="version.pk")
    compared_with = serializers.IntegerField(
        source="old_version.pk",
        allow_null=True,
        help_text="The id of the version compared with (the previous one); null for a first "
        "version.",
    )
    changes = ChangeFromCommentsSerializer(many=True)
