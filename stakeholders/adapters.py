"""django-allauth fitted to the portal: who may sign up, what a new account starts with.

allauth runs the flows (sign-up, confirming the email address, password reset and
change, email change); this adapter only adds the portal's own choices. A new
account has no membership, so it takes part as an individual until an
organisation's administrator accepts it. Its emails go through the outbox, as
the portal's own do (``account_emails``).
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import get_language

from . import account_emails


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.PORTAL.get("SIGNUP_OPEN", True)

    def save_user(self, request, user, form, commit=True):
        """The interface language of the sign-up becomes the account's language (emails)."""
        user = super().save_user(request, user, form, commit=False)
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        if not user.display_name:
            user.display_name = user.username
        user._change_reason = "Signed up"
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render as allauth does (in the request's language), then store and queue, not send.

        A mail server that is away no longer fails the sign-up or reset page nor
        loses the email; the outbox relay and the task's retries deliver it.
        """
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        account_emails.queue(message=message, kind=template_prefix.rsplit("/", 1)[-1])
