"""One's own account beyond what allauth pages do: closing it; the too-many-tries page."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.web import form_error, refusal

from .. import services
from ..forms import CloseAccountForm


@login_required
@require_http_methods(["GET", "POST"])
def close(request):
    """Ask for the account to be deleted: closed at once, what was written stays public."""
    form = CloseAccountForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.account_close(user=request.user, by=request.user)
            except DomainError as error:
                form_error(form, error)
            else:
                logout(request)
                messages.success(
                    request,
                    _(
                        "Your account is closed and your personal details are erased. What "
                        "you wrote stays public, attributed to a former participant."
                    ),
                )
                return redirect("comments:draft_list")
    return render(request, "account/close.html", {"form": form}, status=status)


def too_many_requests(request, exception=None):
    """allauth's throttling (sign-up, password reset, email confirmation) refused a request."""
    return refusal(
        request,
        _("Too many tries from here in a short time. Please wait a few minutes and try again."),
        status=429,
    )
