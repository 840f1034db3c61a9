"""Forms of the accounts pages: memberships, whom one acts for, and the two-factor code."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Membership, User


class GrantForm(forms.Form):
    person = forms.CharField(
        label=gettext_lazy("Username or email address"),
        max_length=254,
        help_text=gettext_lazy("The person must already have an account on the portal."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Membership.Role.choices)
    is_org_admin = forms.BooleanField(
        label=gettext_lazy("Also administrator of this organisation"),
        required=False,
        help_text=gettext_lazy("Administrators may grant and end memberships."),
    )

    def clean_person(self) -> User:
        value = self.cleaned_data["person"].strip()
        matches = list(
            User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True)[
                :2
            ]
        )
        if not matches:
            raise forms.ValidationError(_("Nobody with that username or email has an account."))
        if len(matches) > 1:
            raise forms.ValidationError(
                _("More than one account uses that email address; give the username instead.")
            )
        return matches[0]


class EndForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (kept in the history)"), max_length=200, required=False
    )


class ActForForm(forms.Form):
    organisation = forms.TypedChoiceField(label=gettext_lazy("Act for"), coerce=int)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())
