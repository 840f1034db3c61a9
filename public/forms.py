from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Page


class PageForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_km = forms.CharField(label=_("Title (Khmer)"), max_length=200, required=False)
    summary_en = forms.CharField(
        label=_("Summary (English)"),
        max_length=300,
        required=False,
        help_text=_("One sentence, shown to search engines and when the page is shared."),
    )
    summary_km = forms.CharField(label=_("Summary (Khmer)"), max_length=300, required=False)
    body_en = forms.CharField(
        label=_("Text (English)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Markdown: blank lines between paragraphs, ## for a heading, - for a list."),
    )
    body_km = forms.CharField(
        label=_("Text (Khmer)"), widget=forms.Textarea(attrs={"rows": 18}), required=False
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_page(cls, page: Page, data=None):
        initial = {name: getattr(page, name) for name in cls.base_fields if name != "revision"}
        return cls(data=data, initial={**initial, "revision": page.revision})


class SummaryForm(forms.Form):
    text_en = forms.CharField(
        label=_("Summary (English)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    text_km = forms.CharField(
        label=_("Summary (Khmer)"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)
