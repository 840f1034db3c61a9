"""What the site header needs on every page, decided lazily (only pages that show it ask)."""

from django.utils.functional import SimpleLazyObject

from stakeholders.policies import can


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_packets": SimpleLazyObject(
            lambda: bool(user is not None and user.is_authenticated and can(user, "packet.index"))
        ),
    }
