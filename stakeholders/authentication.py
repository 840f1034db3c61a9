"""The API's token authentication: DRF's, reading with the person the organisation they
chose to act for.

Every post through the API names the organisation it speaks for (the person's chosen
one, when they are still its member: ``policies.actor_for``). Read with the token in
the same query, it costs the post nothing more.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__active_organisation").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
