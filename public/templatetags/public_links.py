"""``{% draft_public_links draft version %}``: the version page's links to its public record."""

from django import template

from ..views import draft_links

register = template.Library()


@register.inclusion_tag("public/_draft_links.html", takes_context=True)
def draft_public_links(context, draft, version):
    request = context["request"]
    return {"draft": draft, "version": version, **draft_links(request.user, draft, version)}
