"""Forms for commenting. They only shape input; the services decide what is allowed."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.idempotency import MAX_KEY_LENGTH
from core.web import form_error
from stakeholders.models import Organisation
from stakeholders.policies import visibility_audience

from .models import INDIVIDUAL_KIND, Comment, Disposition, Visibility
from .selectors import DEFAULT_SORT


class VisibilityChoice(forms.RadioSelect):
    """Radio buttons, each saying who will read the comment (the rulebook's own words)."""

    option_template_name = "comments/widgets/visibility_option.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["audience"] = visibility_audience(value)
        option["audience_id"] = f"{option['attrs'].get('id', name)}-audience"
        option["attrs"]["aria-describedby"] = option["audience_id"]
        return option


MARKDOWN_HELP = _(
    "You can use **bold**, *italic*, lists, > quotations and links. Other formatting is removed."
)


def _body_field(label=None):
    return forms.CharField(
        label=label or _("Your comment"),
        max_length=settings.PORTAL["COMMENT_MAX_LENGTH"],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=MARKDOWN_HELP,
    )


class ServiceErrorsMixin:
    """Show a service's DomainError next to the field it names (or above the form)."""

    def add_service_error(self, error) -> None:
        form_error(self, error)


def _new_key() -> str:
    return uuid.uuid4().hex


def idempotency_field():
    """A hidden token drawn afresh with each empty form: the same form sent twice posts once."""
    return forms.CharField(
        required=False, max_length=MAX_KEY_LENGTH, widget=forms.HiddenInput, initial=_new_key
    )


class CommentForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        # A new article has a form of its own (``NewArticleForm``): two texts, no quote.
        choices=[c for c in Comment.Kind.choices if c[0] != Comment.Kind.NEW_ARTICLE],
        initial=Comment.Kind.COMMENT,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=VisibilityChoice,
    )
    body = _body_field()
    quote_exact = forms.CharField(
        label=_("Quote a passage (optional)"),
        required=False,
        max_length=2000,
        help_text=_(
            "Select the words in the article above (with the mouse, by touch, or with Shift and "
            "the arrow keys), choose a sentence, or type them: they must appear in the article "
            "exactly as written."
        ),
    )
    proposed_text = forms.CharField(
        label=_("Proposed text of the article"),
        required=False,
        max_length=settings.PORTAL["COMMENT_MAX_LENGTH"] * 3,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Only for a proposed amendment: edit the article’s text as you would have it."),
    )
    idempotency_key = idempotency_field()
    # The private draft this comment is written from, if any (the author's own).
    comment_draft = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, preview_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quote_exact"].widget.attrs["class"] = "quote-input"
        if preview_url:
            # htmx asks for the live word diff while the proposal is typed.
            self.fields["proposed_text"].widget.attrs.update(
                {
                    "hx-post": preview_url,
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": "#diff-preview",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = _body_field(_("Your reply"))
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=VisibilityChoice,
        help_text=_("A reply is never shown more widely than what it answers."),
    )
    idempotency_key = idempotency_field()


class EditForm(ServiceErrorsMixin, forms.Form):
    body = _body_field()
    proposed_text = forms.CharField(
        label=_("Proposed text of the article"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing it? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this comment?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding (the author and readers see it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RestoreForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for restoring (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResolveForm(ServiceErrorsMixin, forms.Form):
    resolution = forms.CharField(
        label=_("Why the comment stays (closes its reports)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FilterForm(forms.Form):
    """Filter and sort threads; values the selectors do not know are ignored."""

    organisation_kind = forms.ChoiceField(
        label=_("Organisation"),
        required=False,
        choices=[
            ("", _("Everybody")),
            (INDIVIDUAL_KIND, _("Individuals")),
            ("organisations", _("All organisations")),
            *Organisation.Kind.choices,
        ],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Comment.Kind.choices]
    )
    disposition = forms.ChoiceField(
        label=_("Response"),
        required=False,
        choices=[("", _("Any response")), *Disposition.Status.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        initial=DEFAULT_SORT,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("most_endorsed", _("Most endorsed")),
        ],
    )


class ParticipationForm(forms.Form):
    individuals_may_take_part = forms.BooleanField(
        label=_("Individuals may take part in this round"),
        required=False,
        help_text=_(
            "People who comment for themselves, not for an organisation. Without it, only "
            "members of organisations may comment and reply; what individuals already wrote stays."
        ),
    )


class GeneralCommentForm(ServiceErrorsMixin, forms.Form):
    """A comment or question on the whole draft (no article, so no quote and no proposed text)."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(Comment.Kind.COMMENT, _("Comment")), (Comment.Kind.QUESTION, _("Question"))],
        initial=Comment.Kind.COMMENT,
        widget=forms.RadioSelect,
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=VisibilityChoice,
    )
    body = _body_field()
    idempotency_key = idempotency_field()


class NewArticleForm(ServiceErrorsMixin, forms.Form):
    """A proposal for a new article after a provision: why, and its text in one or both languages."""

    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PUBLIC,
        widget=VisibilityChoice,
    )
    body = _body_field(_("Why this article is needed"))
    proposed_text = forms.CharField(
        label=_("Text of the new article in English"),
        required=False,
        max_length=settings.PORTAL["COMMENT_MAX_LENGTH"] * 3,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "en"}),
    )
    proposed_text_km = forms.CharField(
        label=_("Text of the new article in Khmer"),
        required=False,
        max_length=settings.PORTAL["COMMENT_MAX_LENGTH"] * 3,
        widget=forms.Textarea(attrs={"rows": 6, "lang": "km"}),
        help_text=_("Give the text in English, in Khmer or in both."),
    )
    idempotency_key = idempotency_field()
