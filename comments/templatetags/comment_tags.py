"""Template filters of the comments app."""

from django import template

from ..attachments import limits
from ..rendering import response_html as render_response

register = template.Library()


@register.filter
def response_html(disposition):
    """``{{ disposition|response_html }}``: the ministry's response, rendered the one way."""
    return render_response(disposition)


@register.simple_tag
def attachment_limits() -> dict:
    """``{% attachment_limits as limits %}``: files per comment and megabytes per file."""
    files, size = limits()
    return {"files": files, "megabytes": round(size / (1024 * 1024), 1)}
