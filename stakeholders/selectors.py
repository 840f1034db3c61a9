"""Reads on organisations and their members."""

from __future__ import annotations

from .models import Membership, Organisation, User


def listed_members(organisation: Organisation) -> list[User]:
    """The organisation's members who chose to be listed on its public page, by name. One query.

    A person with several roles there is listed once; closed accounts never.
    """
    ids = (
        Membership.objects.active()
        .filter(organisation=organisation, listed_publicly=True, user__closed_at__isnull=True)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=ids).order_by("display_name", "username"))
