"""A comment's files: downloaded (never shown inline), and their text for a quick look.

Found only through ``selectors.visible_attachment``: an attachment of a comment
the reader may not see is a 404, the same as an id that does not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import selectors
from ..attachments import attachment_response


def _attachment_or_404(request, pk):
    attachment = selectors.visible_attachment(user=request.user, pk=pk)
    if attachment is None:
        raise Http404(_("There is no such file, or you may not see it."))
    return attachment


@require_GET
def download(request, pk):
    return attachment_response(_attachment_or_404(request, pk))


@require_GET
def text(request, pk):
    """The text read from the file, for drafters (and anyone who may read it) to skim."""
    attachment = _attachment_or_404(request, pk)
    return render(request, "comments/attachment_text.html", {"attachment": attachment})
