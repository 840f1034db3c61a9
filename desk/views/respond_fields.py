"""The response form's fields on each row of the review desk, rendered once per page.

Django's form renderer draws every widget and option through templates; drawing
the same ``DispositionForm`` for each of a page's 25 rows was half of the page's
time. Its fields differ from row to row only in four values: the comment's id
(in each ``id``, ``for`` and ``aria-describedby``), the decision selected, the
response and the revision. So the fields are rendered once with stand-ins for the
id, the response and the revision and with no option selected; each row gets that
HTML with its own values put in and ``selected`` on its own decision's option.

Everything else in the HTML (names, labels, help text, options, attributes) is
the same for every row by construction. Should Django ever draw an option
differently from what is looked for here, that row is rendered the ordinary way.
"""

from __future__ import annotations

import re

from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comments.models import Comment

from ..forms import DispositionForm

TEMPLATE = "desk/_respond_fields.html"

# Stand-ins no id, revision or response of a real comment can be confused with: the id and
# revision are longer than any real one, and they are replaced only where the one
# rendering put them, never inside a comment's text (the response is put in last, as a part).
_PK = "987654321987654"
_REVISION = "876543219876543"
_RESPONSE = "RESPONSESTANDIN5c0e2a"
_STAND_INS = re.compile(f"({_PK}|{_REVISION}|{_RESPONSE})")
_SELECTED = re.compile(r"<option[^>]* selected")
# A value that is none of the choices: no option is drawn selected.
_NO_CHOICE = "-no-choice-"


def row_form(comment_pk, initial: dict) -> DispositionForm:
    """The response form of one row; its ids carry the comment's id (many forms on one page)."""
    return DispositionForm(initial=initial, auto_id=f"id_c{comment_pk}_%s")


class RespondFields:
    """Each row's response fields from one rendering (made when the first row asks)."""

    def __init__(self) -> None:
        self._template = get_template(TEMPLATE)
        self._by_status: dict[str, list[str]] | None = None

    def _prepare(self) -> dict[str, list[str]]:
        form = row_form(
            _PK, {"status": _NO_CHOICE, "response": _RESPONSE, "revision": int(_REVISION)}
        )
        html = str(self._template.render({"form": form}))
        by_status = {}
        if html.count(_RESPONSE) == 1 and html.count(_REVISION) == 1 and not _SELECTED.search(html):
            for value, _label in form.fields["status"].choices:
                option = f'<option value="{escape(value)}">'
                if html.count(option) == 1:
                    chosen = html.replace(option, f'<option value="{escape(value)}" selected>')
                    by_status[str(value)] = _STAND_INS.split(chosen)
        return by_status

    def __call__(self, comment: Comment) -> SafeString:
        initial = DispositionForm.initial_for(getattr(comment, "disposition", None))
        if self._by_status is None:
            self._by_status = self._prepare()
        parts = self._by_status.get(initial["status"])
        if parts is None:
            return self._template.render({"form": row_form(comment.pk, initial)})
        values = {
            _PK: str(comment.pk),
            _REVISION: str(initial["revision"]),
            _RESPONSE: escape(initial["response"]) if initial["response"] else "",
        }
        # re.split with a group: the stand-ins are at the odd places, the HTML between them.
        return mark_safe(
            "".join(values[part] if index % 2 else part for index, part in enumerate(parts))
        )
