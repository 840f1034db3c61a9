"""Template filters of the comments app."""

from django import template

from ..rendering import response_html as render_response

register = template.Library()


@register.filter
def response_html(disposition):
    """``{{ disposition|response_html }}``: the ministry's response, rendered the one way."""
    return render_response(disposition)
