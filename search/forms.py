"""The search parameters, checked once for the page and the API alike."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, Disposition
from stakeholders.models import Organisation

from .models import Entry
from .query import MAX_QUERY_LENGTH
from .selectors import LANGUAGES, SORTS, SearchParams


def _choices(values):
    return [("", "")] + [(v, v) for v in values]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    type = forms.ChoiceField(required=False, choices=_choices(Entry.Source.values))
    draft = forms.SlugField(required=False, max_length=80)
    version = forms.IntegerField(required=False, min_value=1)
    article = forms.RegexField(required=False, max_length=120, regex=r"^[A-Za-z0-9_.-]+$")
    kind = forms.ChoiceField(required=False, choices=_choices(Comment.Kind.values))
    organisation_kind = forms.ChoiceField(
        required=False, choices=_choices(Organisation.Kind.values)
    )
    organisation = forms.SlugField(required=False, max_length=80)
    disposition = forms.ChoiceField(required=False, choices=_choices(Disposition.Status.values))
    language = forms.ChoiceField(required=False, choices=_choices(LANGUAGES))
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    sort = forms.ChoiceField(required=False, choices=_choices(SORTS))
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the date range is before its start."))
        return data

    def params(self) -> SearchParams:
        data = self.cleaned_data
        return SearchParams(
            q=(data.get("q") or "").strip(),
            type=data.get("type") or "",
            draft=data.get("draft") or "",
            version=data.get("version"),
            article=data.get("article") or "",
            kind=data.get("kind") or "",
            organisation_kind=data.get("organisation_kind") or "",
            organisation=data.get("organisation") or "",
            disposition=data.get("disposition") or "",
            language=data.get("language") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or "",
            page=data.get("page") or 1,
        )
