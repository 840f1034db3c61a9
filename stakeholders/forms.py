"""Forms of the accounts pages: memberships, whom one acts for, and the two-factor code."""

from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
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


class SignInForm(AuthenticationForm):
    """Django's sign-in form; an account whose email address is not confirmed yet waits.

    Accounts made by the portal's staff or the demo have no address to confirm and
    sign in as before; an account made by signing up must confirm its address
    first (allauth's mandatory verification, applied to the portal's own sign-in
    page too). The refusal comes only after the right password, so it tells a
    stranger nothing.
    """

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        addresses = list(EmailAddress.objects.filter(user=user))
        if addresses and not any(address.verified for address in addresses):
            address = next((a for a in addresses if a.primary), addresses[0])
            if self.request is not None and ratelimit.consume(
                self.request, action="confirm_email", key=address.email.lower()
            ):
                address.send_confirmation(self.request)
            raise forms.ValidationError(
                _(
                    "Confirm your email address first: open the link in the email we sent "
                    "to you (we have sent it again if it was a while ago)."
                ),
                code="unconfirmed_email",
            )


class CloseAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that my account is closed for good and that what I wrote stays "
            "public, attributed to a former participant."
        )
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right."))
        return password
