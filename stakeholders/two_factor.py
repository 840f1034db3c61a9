"""Optional two-factor sign-in (TOTP, with django-otp) for drafters, officials and staff.

Those who can change the draft or read restricted comments may add an
authenticator app. Once they have, signing in with the password alone is not
enough: every page sends them to the code page until the code is given. The
"code still needed" mark is put in the session at sign-in, so pages cost no
extra query for everybody else. API tokens are separate credentials, made on
the token page by a signed-in (and so verified) person.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership
from .policies import actor_for

PENDING = "portal_two_factor_pending"
DEVICE_NAME = "authenticator"


def may_use_two_factor(user) -> bool:
    actor = actor_for(user)
    return actor.is_staff or actor.has_role(Membership.Role.DRAFTER) or actor.is_official


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class TwoFactorMiddleware:
    """Until the code is given, a half-signed-in person reaches only the code page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(PENDING) and not self._exempt(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "two_factor_required",
                            "message": _("Enter the code from your authenticator app first."),
                        }
                    },
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("accounts:two_factor_verify"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            "/static/",
            "/i18n/",
        )
        return path.startswith(allowed)
