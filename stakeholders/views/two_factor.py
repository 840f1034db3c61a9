"""The two-factor pages: signing in (then the code page), and adding an authenticator app.

The rules (who may use it, the "code still needed" mark) and the middleware are in
``stakeholders.two_factor``.
"""

from __future__ import annotations

import base64
from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import PolicyDenied
from core.web import safe_next

from ..forms import CodeForm, SignInForm
from ..two_factor import DEVICE_NAME, PENDING, confirmed_device, may_use_two_factor


class LoginView(auth_views.LoginView):
    """Django's sign-in, then the code page for those who turned two-factor on.

    An account made by signing up signs in only once its email address is confirmed.
    """

    form_class = SignInForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if confirmed_device(form.get_user()) is not None:
            self.request.session[PENDING] = True
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
        return response


@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in."""
    next_url = safe_next(request, reverse("comments:draft_list"))
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login"))
    if not request.session.get(PENDING):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            device = confirmed_device(request.user)
            if device is not None and device.verify_token(form.cleaned_data["code"]):
                otp_login(request, device)
                del request.session[PENDING]
                return redirect(next_url)
            form.add_error(
                "code",
                _("That code is not right. Check your app's clock and try the newest code."),
            )
    return render(
        request,
        "stakeholders/two_factor_verify.html",
        {"form": form, "next": next_url},
        status=status,
    )


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Turn two-factor sign-in on (scan, then confirm with a code) or off."""
    if not may_use_two_factor(request.user):
        raise PolicyDenied(
            _("Two-factor sign-in is offered to drafters, officials and portal staff.")
        )
    user = request.user
    device = confirmed_device(user)
    form = CodeForm(request.POST or None)
    status = 200
    if device is None:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        if request.method == "POST":
            status = 400
            if form.is_valid() and pending.verify_token(form.cleaned_data["code"]):
                with transaction.atomic():
                    pending.confirmed = True
                    pending.save(update_fields=["confirmed"])
                    TOTPDevice.objects.filter(user=user, confirmed=False).exclude(
                        pk=pending.pk
                    ).delete()
                otp_login(request, pending)
                messages.success(
                    request, _("Two-factor sign-in is on. You will be asked for a code each time.")
                )
                return redirect("accounts:two_factor")
            if form.is_valid():
                form.add_error("code", _("That code is not right. Scan the code again and retry."))
        context = {
            "enabled": False,
            "form": form,
            "qr": _qr_data_uri(pending.config_url),
            "secret": b32encode(pending.bin_key).decode(),
        }
    else:
        if request.method == "POST":
            status = 400
            if form.is_valid() and device.verify_token(form.cleaned_data["code"]):
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:two_factor")
            if form.is_valid():
                form.add_error("code", _("That code is not right."))
        context = {"enabled": True, "form": form}
    return render(request, "stakeholders/two_factor.html", context, status=status)
