"""Forms of the drafting desk. They only parse and validate input; services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import Disposition
from drafts.models import Provision

TEXTAREA = {"rows": 8}


class CommentIdsField(forms.MultipleChoiceField):
    """Comment ids ticked in a list the page renders itself; the service decides which may be picked."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value):
        return str(value).isdigit() and len(str(value)) <= 18

    def clean(self, value):
        return sorted({int(v) for v in super().clean(value)})


class ProvisionEditForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    heading_en = forms.CharField(label=_("Heading (English)"), max_length=300, required=False)
    heading_km = forms.CharField(label=_("Heading (Khmer)"), max_length=300, required=False)
    text_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    text_km = forms.CharField(
        label=_("Text (Khmer)"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "lang": "km"}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=90,
        required=False,
        help_text=_("Kept in the article's history, e.g. “answers comment #12”."),
    )
    superseded_reason = forms.CharField(
        label=_("Why earlier amendments are superseded"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only if this text takes out words of an amendment already applied to this "
            "article in this version. Shown with that amendment in the record."
        ),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    addresses = CommentIdsField(
        label=_("Comments this change answers"),
        required=False,
        help_text=_(
            "Their record will say this change of this version addresses them. "
            "Their decision is not changed: answer them separately."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heading_km"].widget.attrs["lang"] = "km"


def _provision_choices(provisions, *, containers_only: bool, blank_label) -> list[tuple[str, str]]:
    choices = [("", blank_label)]
    for provision in provisions:
        if containers_only and provision.kind == Provision.Kind.ARTICLE:
            continue
        label = provision.label
        if provision.heading_en:
            label = f"{label} — {provision.heading}"
        choices.append((provision.stable_id, label))
    return choices


class PlacementForm(forms.Form):
    """Where a provision goes: under which parent, after which sibling (or first)."""

    parent = forms.ChoiceField(label=_("Under"), required=False)
    after = forms.ChoiceField(
        label=_("Position"),
        required=False,
        help_text=_("The provision it follows, among those under the same parent."),
    )

    def __init__(self, *args, provisions: list[Provision], moving: Provision | None = None, **kw):
        super().__init__(*args, **kw)
        self.provisions = {p.stable_id: p for p in provisions}
        excluded = set()
        if moving is not None:
            excluded = {p.stable_id for p in _subtree_of(moving, provisions)}
        candidates = [p for p in provisions if p.stable_id not in excluded]
        self.fields["parent"].choices = _provision_choices(
            candidates, containers_only=True, blank_label=_("The top level of the law")
        )
        self.fields["after"].choices = _provision_choices(
            candidates, containers_only=False, blank_label=_("First, before its new siblings")
        )

    def clean(self):
        data = super().clean()
        parent = self.provisions.get(data.get("parent") or "")
        after = self.provisions.get(data.get("after") or "")
        if after is not None and after.parent_id != (parent.pk if parent else None):
            self.add_error(
                "after",
                _("Choose a provision under the same parent, or “first”."),
            )
        data["parent_provision"] = parent
        data["after_provision"] = after
        return data


def _subtree_of(provision: Provision, ordered: list[Provision]) -> list[Provision]:
    ids = {provision.pk}
    nodes = []
    for item in ordered:
        if item.pk in ids or item.parent_id in ids:
            ids.add(item.pk)
            nodes.append(item)
    return nodes


class ProvisionAddForm(PlacementForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Provision.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    heading_en = forms.CharField(label=_("Heading (English)"), max_length=300, required=False)
    heading_km = forms.CharField(label=_("Heading (Khmer)"), max_length=300, required=False)
    text_en = forms.CharField(
        label=_("Text (English)"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    text_km = forms.CharField(
        label=_("Text (Khmer)"),
        required=False,
        widget=forms.Textarea(attrs={**TEXTAREA, "lang": "km"}),
    )

    field_order = ["kind", "parent", "after", "number", "heading_en", "heading_km"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Provision.Kind.ARTICLE and not (
            data.get("text_en") or data.get("text_km")
        ):
            self.add_error("text_en", _("An article needs its text."))
        return data


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing it"),
        max_length=90,
        required=False,
        help_text=_("Kept in the history. Its sub-provisions are removed with it."),
    )


class DispositionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Disposition"),
        choices=[("", _("Choose…"))]
        + [c for c in Disposition.Status.choices if c[0] != Disposition.Status.PENDING],
    )
    response = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the commenter and in the comment-response matrix."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @staticmethod
    def initial_for(disposition: Disposition | None) -> dict:
        """What the form starts from for a comment: its decision, if taken, and its response."""
        return {
            "status": disposition.status
            if disposition and disposition.status != Disposition.Status.PENDING
            else "",
            "response": disposition.response if disposition else "",
            "revision": disposition.revision if disposition else 1,
        }


class _ApplyDecisionForm(forms.Form):
    """The decision that goes with applying a comment's text: accepted or partly, and why."""

    status = forms.ChoiceField(
        label=_("Disposition"),
        choices=[
            (Disposition.Status.ACCEPTED, Disposition.Status.ACCEPTED.label),
            (Disposition.Status.PARTLY_ACCEPTED, Disposition.Status.PARTLY_ACCEPTED.label),
        ],
    )
    response = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the commenter and in the comment-response matrix."),
    )


class ApplyForm(_ApplyDecisionForm):
    text = forms.CharField(
        label=_("Final text of the article"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    superseded_reason = forms.CharField(
        label=_("Why earlier amendments are superseded"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only if this text takes out words of an amendment already applied to this "
            "article in this version. Shown with that amendment in the record."
        ),
    )
    resolve = forms.BooleanField(required=False, widget=forms.HiddenInput)
    working_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    disposition_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("resolve") and not (data.get("text") or "").strip():
            self.add_error("text", _("Write the final text of the article."))
        return data


class PublishForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Consultation opens"),
        required=False,
        help_text=_("Leave empty to open it now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=_("Consultation closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    change_note_en = forms.CharField(
        label=_("What changed (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    change_note_km = forms.CharField(
        label=_("What changed (Khmer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "km"}),
    )
    # Shown only when provisions lack a translation: the count the drafter saw, and
    # their confirmation that the version is published so.
    missing_translations = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    confirm_missing_translations = forms.BooleanField(
        label=_("Publish this version although some provisions lack a translation"),
        required=False,
    )

    def confirmed_missing_translations(self) -> int | None:
        data = self.cleaned_data
        return (
            data.get("missing_translations") if data.get("confirm_missing_translations") else None
        )

    def clean(self):
        data = super().clean()
        closes_at = data.get("closes_at")
        opens_at = data.get("opens_at")
        if closes_at and opens_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The consultation must close after it opens."))
        return data


# --- triage: assignment, tags, notes, bulk actions, clusters ---------------------------

ANSWER_STATUSES = [("", _("Choose…"))] + [
    c for c in Disposition.Status.choices if c[0] != Disposition.Status.PENDING
]


class BulkForm(forms.Form):
    """One action on a selection of the desk's comments (ticked, or all matching the filters)."""

    ACTIONS = [
        ("assign", _("Assign to…")),
        ("unassign", _("Take back the assignment")),
        ("tag", _("Add the tag…")),
        ("untag", _("Remove the tag…")),
        ("answer", _("Record one response on each")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    ids = CommentIdsField(required=False)
    scope = forms.ChoiceField(
        choices=[("selected", _("Ticked comments")), ("matching", _("All matching comments"))],
        initial="selected",
        required=False,
    )
    assignee = forms.TypedChoiceField(label=_("Drafter"), coerce=int, required=False)
    tag = forms.TypedChoiceField(label=_("Tag"), coerce=int, required=False)
    status = forms.ChoiceField(label=_("Disposition"), choices=ANSWER_STATUSES, required=False)
    response = forms.CharField(
        label=_("Response"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, team=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Choose…"))] + [(u.pk, u.name) for u in team]
        self.fields["tag"].choices = [("", _("Choose…"))] + [(t.pk, t.name) for t in tags]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        needs = {"assign": "assignee", "tag": "tag", "untag": "tag", "answer": "status"}
        if action in needs and not data.get(needs[action]):
            self.add_error(needs[action], _("Please choose."))
        if data.get("scope") != "matching" and not data.get("ids"):
            raise forms.ValidationError(_("Please select at least one comment."))
        return data


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Seen only by the lead ministry's drafters and moderators, and officials; "
            "never by the commenter."
        ),
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(u.pk, u.name) for u in team]


class TagForm(forms.Form):
    name = forms.CharField(label=_("New tag"), max_length=80)


class ClusterAnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Disposition"), choices=ANSWER_STATUSES)
    response = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Recorded on every comment of the cluster; each can be changed on its own later."
        ),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ApplyNewArticleForm(_ApplyDecisionForm):
    """Insert a proposed new article: the decision, and its final text (the proposal's by default)."""

    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to number it when the version's articles are renumbered."),
    )
    text_en = forms.CharField(
        label=_("Text of the new article in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "en"}),
    )
    text_km = forms.CharField(
        label=_("Text of the new article in Khmer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "lang": "km"}),
    )
    disposition_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
