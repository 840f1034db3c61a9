"""Forms of the drafts app's public pages. They only parse and validate input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DraftVersion


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=_("Earlier version"), coerce=int)
    new = forms.TypedChoiceField(label=_("Later version"), coerce=int)

    def __init__(self, *args, versions: list[DraftVersion], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, _version_label(v)) for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Choose two different versions."))
        return data


def _version_label(version: DraftVersion) -> str:
    return _("Version %(number)s (%(status)s)") % {
        "number": version.number,
        "status": version.get_status_display(),
    }
