"""Labels of model choices, looked up in a dict built once per choices class and language.

Django's ``get_FOO_display`` rebuilds the field's choices as a dict, through
``make_hashable``, on every call; a page of 500 comments or 300 articles calls it
thousands of times (``Provision.label``, the badges of a comment). Models whose
display methods are on hot pages define them with ``choice_label`` instead.
"""

from __future__ import annotations

from django.db.models import Choices
from django.utils.translation import get_language

_labels: dict[tuple[type[Choices], str | None], dict[str, str]] = {}


def choice_label(choices: type[Choices], value) -> str:
    """The label of ``value`` in ``choices``, in the active language (the value if unknown)."""
    key = (choices, get_language())
    labels = _labels.get(key)
    if labels is None:
        # Translated now, in this language: the labels are lazy, the catalogues fixed.
        labels = {member.value: str(member.label) for member in choices}
        _labels[key] = labels
    return labels.get(value, value)
