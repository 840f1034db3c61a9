"""Choice labels from core.choices say what Django's own get_FOO_display says, in each language."""

import pytest
from django.db.models import Model
from django.utils import translation

from comments.models import Comment, Disposition, PassageCheck
from drafts.models import Provision
from stakeholders.models import Organisation

CASES = [
    (Provision, "kind"),
    (Comment, "kind"),
    (Comment, "visibility"),
    (Disposition, "status"),
    (PassageCheck, "result"),
    (Organisation, "kind"),
]


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize(("model", "field"), CASES)
def test_labels_match_djangos_display(model, field, language):
    choices = model._meta.get_field(field).flatchoices
    with translation.override(language):
        for value, label in choices:
            instance = model(**{field: value})
            shown = getattr(instance, f"get_{field}_display")()
            assert shown == str(label)
            assert shown == Model._get_FIELD_display(instance, model._meta.get_field(field))
    with translation.override(language):
        unknown = model(**{field: "not-a-choice"})
        assert getattr(unknown, f"get_{field}_display")() == "not-a-choice"


def test_provision_label_follows_the_language():
    article = Provision(kind=Provision.Kind.ARTICLE, number="19")
    with translation.override("en"):
        assert article.label == "Article 19"
    with translation.override("km"):
        assert article.label == "មាត្រា ១៩"
    with translation.override("en"):
        assert article.label == "Article 19"
