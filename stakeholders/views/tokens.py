"""Pages of one's own account: the API token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from .. import services


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """Create, replace or revoke the signed-in person's API token.

    The key is shown once, on the page that creates it; afterwards only the
    date it was made is shown, so a key left on a screen is not shown again.
    Creating a new key revokes the old one: a person has one token at a time.
    """
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.api_token_replace(user=request.user)
            new_key = token.key
        elif action == "revoke":
            if services.api_token_revoke(user=request.user):
                messages.success(request, _("Your API token has been revoked."))
            return redirect("accounts:api-token")
        else:
            messages.error(request, _("Unknown action."))
            return redirect("accounts:api-token")
    response = render(request, "stakeholders/tokens.html", {"token": token, "new_key": new_key})
    response["Cache-Control"] = "no-store"
    return response
