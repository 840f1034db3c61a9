"""Template filters of the comments app."""

from django import template

from stakeholders.models import Membership
from stakeholders.policies import actor_for

from ..attachments import limits
from ..rendering import response_html as render_response

register = template.Library()


@register.filter
def response_html(disposition):
    """``{{ disposition|response_html }}``: the ministry's response, rendered the one way."""
    return render_response(disposition)


@register.simple_tag(takes_context=True)
def moderates_anything(context) -> bool:
    """Whether to show the moderation queue in the header: moderators of some organisation, staff.

    Reads the memberships the policy loads once per request (``actor_for``), so a
    page that already asked the policy pays no further query.
    """
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    actor = actor_for(user)
    return actor.is_staff or actor.has_role(Membership.Role.MODERATOR)


@register.simple_tag
def attachment_limits() -> dict:
    """``{% attachment_limits as limits %}``: files per comment and megabytes per file."""
    files, size = limits()
    return {"files": files, "megabytes": round(size / (1024 * 1024), 1)}
