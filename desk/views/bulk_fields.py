"""The review desk's bulk action fields, drawn once for each set of choices.

Django draws a form's fields through templates, one per widget and per option: the
bulk form's five fields were a tenth of the review page's time, on every page. What
they show depends only on the language, the choices (the drafting team, the draft's
tags) and whether the reader may assign, so they are drawn once for each such set
and kept in the process; the key is those values themselves, so a new drafter or tag
is a new key, never a stale list. A new deployment starts with none.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..forms import BulkForm

TEMPLATE = "desk/_bulk_fields.html"


def bulk_fields(*, team, tags, can_assign: bool) -> SafeString:
    """The bulk form's fields as HTML, for the active language."""
    return _drawn(
        get_language(),
        tuple((user.pk, user.name) for user in team),
        tuple((tag.pk, tag.name) for tag in tags),
        can_assign,
    )


@functools.lru_cache(maxsize=128)
def _drawn(language: str, team: tuple, tags: tuple, can_assign: bool) -> SafeString:
    form = BulkForm(
        team=[SimpleNamespace(pk=pk, name=name) for pk, name in team],
        tags=[SimpleNamespace(pk=pk, name=name) for pk, name in tags],
    )
    # Drawn by Django's own form renderer; the HTML is only kept.
    return mark_safe(render_to_string(TEMPLATE, {"bulk": form, "can_assign": can_assign}))
