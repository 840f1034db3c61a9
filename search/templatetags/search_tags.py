"""Links of the search page: the same search with one parameter changed."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def search_query(context, name: str, value="", **_unused) -> str:
    """The current query string with ``name`` set to ``value`` (removed when empty), page reset."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    query.pop(name, None)
    if value not in ("", None):
        query[name] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def search_page(context, number: int) -> str:
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"
